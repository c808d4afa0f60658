"""Global optimality of one mover's choice on one smooth piece.

On a piece ``l (<|<=) x (<|<=) h`` where the payoff ``f`` is smooth, a maximiser, if
one exists, is among

* the closed finite ends ``l``, ``h``;
* the real stationary points strictly inside, ``f'(x) = 0`` (``stationary.py``),
  each valid where it is real and inside the piece;

and the supremum may also be approached, without being attained, at an open end
(value ``f(l+)``) or at an infinite end (``lim f``, ``limits.py``).  The
second-order condition ``f''`` decides how much of this is needed:

* ``f'' < 0`` proved (strictly concave): the one stationary point clamped to the
  piece is the maximiser, with no comparison (``candidates.concave_one_var``);
* ``f'' >= 0`` proved (convex, or linear): the maximum is at an end (bang-bang);
* ``f''`` free of ``x`` with a sign that depends on the parameters: the region is
  split on that sign (``SplitUndecided``) and each part solved;
* otherwise every candidate above is kept and the mover compares them.

A payoff constant in ``x`` on the piece makes every point a maximiser: its closed
finite ends are candidates (ties broken by ``tie_break``); a piece with no closed
finite end contributes one point chosen deterministically (``l + 1``, ``h - 1``,
the midpoint, or ``0``).

The result is a list of *entries*: lists of candidates.  Candidates in one entry
exclude each other (the concave clamp: exactly one is the piece's maximiser);
the mover compares one candidate of every entry.  With several variables the same
holds with KKT active sets (``candidates._active_sets``): Hessian proved negative
definite -- today's candidates; otherwise every feasible KKT point is compared.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.canonical import canonical_factor
from openeq.core.conditions import Bound, conjunction, isolate, nice
from openeq.core.equilibrium import Step
from openeq.solver.candidates import (
    UPPER_RANK,
    Candidate,
    _active_sets,
    _at_end,
    concave_one_var,
    concave_roots,
    foc_steps,
    linear_one_var,
    piece_candidates,
)
from openeq.solver.limits import end_value, limit_at
from openeq.solver.pieces import SplitUndecided
from openeq.solver.signs import known_sign, oriented, split_bound
from openeq.solver.stationary import stationary_points

__all__ = ["mover_entries", "soc_kind"]


def mover_entries(player, xs, payoffs, boxes, prover):
    """Entries of candidates for ``player`` choosing ``xs`` on one piece (see above)."""
    f = payoffs[player]
    if len(xs) == 1:
        return _one_var(xs[0], player, f, boxes[xs[0]], prover)
    return _several(player, xs, payoffs, boxes, prover)


def soc_kind(f, x, prover):
    """('concave' | 'convex' | 'split' | 'compare', d2u/dx2, its sign)."""
    d2 = canonical_factor(sp.diff(f, x, 2))
    s = known_sign(d2, prover)
    if s == "-":
        return "concave", d2, s
    if s in ("+", "+0", "0"):
        return "convex", d2, s
    return ("split" if x not in d2.free_symbols else "compare"), d2, s


def _one_var(x, player, f, box, prover):
    g = sp.diff(f, x)
    if x not in g.free_symbols:
        if nice(g) == 0:
            return [[_mark(c)] for c in _constant(x, player, f, g, box)]
        return [_fill(linear_one_var(x, player, g, box, prover), f, x, box, prover)]
    kind, d2, s = soc_kind(f, x, prover)
    if kind == "concave":
        roots = concave_roots(g, x, prover)
        if len(roots) == 1:
            return [_fill(concave_one_var(x, player, g, box, prover, roots), f, x, box, prover)]
    elif kind == "convex":
        return [[_mark(c)] for c in _ends(x, player, f, g, box, prover, foc_steps(player, x, g))]
    elif kind == "split":
        raise SplitUndecided(_soc_split(d2, s, prover), narrow=True)
    return [[_mark(c)] for c in _compare_all(x, player, f, g, d2, box, prover)]


def _mark(c):
    c.compared = True
    return c


def _soc_split(d2, s, prover):
    """The bound ``d2 < 0`` (or ``> 0``) to split on, isolated (``w < 4``) when the
    isolated form still decides the sign of ``d2``."""
    b = split_bound(d2, s)
    iso = isolate(b, prover)
    if iso != b and known_sign(d2, prover.with_facts([iso.sympy()])) == ("-" if b.op == "<" else "+"):
        return iso
    return b


def _compare_all(x, player, f, g, d2, box, prover):
    steps = foc_steps(player, x, g)
    points, complete = stationary_points(g, x, prover, f"u_{player}")
    out = _ends(x, player, f, g, box, prover, steps, side="lower")
    for k, (r, valid) in enumerate(points):
        if known_sign(d2.xreplace({x: r}), prover) == "+":
            continue  # a strict local minimum is never a maximiser
        inside = ([oriented(r, ">", box.lo)] if box.lo != -sp.oo else []) + ([oriented(r, "<", box.hi)] if box.hi != sp.oo else [])
        st = steps + [Step("solution", player, f"stationary point {x}_{k + 1}", sp.Eq(sp.Symbol(f"{x}_{k + 1}"), r))]
        out.append(Candidate([], {x: r}, valid + inside, {x: "interior"}, st, rank=1 + k))
    out += _ends(x, player, f, g, box, prover, steps, side="upper")
    if not complete:
        note = f"all stationary points of u_{player} in {x} were found (sympy's solve; completeness not proved)"
        for c in out:
            c.incomplete.append(note)
    return [c for c in out if _alive(c, prover)]


def _ends(x, player, f, g, box, prover, steps, side="both"):
    """Candidates at the piece's ends: a closed end is a point, an open end a ``sup``
    (unless ``f`` moves away from it), an infinite end its limit."""
    out = []
    for end, is_lo in ((box.lo, True), (box.hi, False)):
        if side != "both" and is_lo != (side == "lower"):
            continue
        pos, rank = ("lower", 0) if is_lo else ("upper", UPPER_RANK)
        if end in (sp.oo, -sp.oo):
            kind, value = limit_at(f, x, 1 if end == sp.oo else -1, prover, f"u_{player}")
            if kind == "-oo":
                continue
            c = Candidate([], None, [], {x: pos}, steps, kind="unbounded" if kind == "+oo" else "sup",
                          limit=value, rank=rank, where=f"{x} -> {end}")
        elif box.lo_open if is_lo else box.hi_open:
            slope = known_sign(nice(g.xreplace({x: end})), prover)
            if slope == ("+" if is_lo else "-"):
                continue  # f moves up away from the end: inner points beat its limit
            c = Candidate([], None, _at_end(box, "lo" if is_lo else "hi"), {x: pos}, steps, kind="sup",
                          limit=end_value(f, x, end, pos), rank=rank, where=f"{x} -> {end}", end=(x, end, {x: end}))
        else:
            c = Candidate([], {x: end}, _at_end(box, "lo" if is_lo else "hi"), {x: pos}, steps, rank=rank)
        out.append(c)
    return [c for c in out if _alive(c, prover)]


def _constant(x, player, f, g, box):
    """Every point is a maximiser: the closed finite ends, else one point of the piece."""
    steps = foc_steps(player, x, g)
    out = []
    if box.lo != -sp.oo and not box.lo_open:
        out.append(Candidate([], {x: box.lo}, _at_end(box, "lo"), {x: "lower"}, steps))
    if box.hi != sp.oo and not box.hi_open:
        out.append(Candidate([], {x: box.hi}, _at_end(box, "hi"), {x: "upper"}, steps, rank=UPPER_RANK))
    if out:
        return out
    lo, hi = box.lo, box.hi
    if lo != -sp.oo and hi != sp.oo:
        point, attained = nice((lo + hi) / 2), [Bound(lo, "<", hi)]
    elif lo != -sp.oo:
        point, attained = nice(lo + 1), []
    elif hi != sp.oo:
        point, attained = nice(hi - 1), []
    else:
        point, attained = sp.S.Zero, []
    return [Candidate([], {x: point}, attained, {x: "interior"}, steps + [
        Step("note", player, f"u_{player} does not depend on {x} here: {x} = {point} is chosen")], rank=1)]


def _fill(cands, f, x, box, prover):
    """The concave clamp and the linear rule leave an open end's candidate without a
    point; it becomes a ``sup`` (approached value ``f(end)``), dropped later where an
    adjacent closed piece is proved at least as good at that end."""
    for c in cands:
        if c.point is None and c.kind == "point" and c.position.get(x) in ("lower", "upper"):
            lower = c.position[x] == "lower"
            end, is_open = (box.lo, box.lo_open) if lower else (box.hi, box.hi_open)
            if is_open and end not in (sp.oo, -sp.oo) and conjunction(c.attained, prover) is not None:
                c.kind, c.end, c.where = "sup", (x, end, {x: end}), f"{x} -> {end}"
        if c.kind == "sup" and c.limit is None:
            c.limit = end_value(f, x, c.end[1], c.position[x])
        if c.position.get(x) == "upper":
            c.rank = UPPER_RANK
    return cands


def _several(player, xs, payoffs, boxes, prover):
    f = payoffs[player]
    H = sp.hessian(f, xs)
    concave = all(prover.sign(canonical_factor(H[:k, :k].det()) if k > 1 else canonical_factor(H[0, 0]))
                  == ("-" if k % 2 else "+") for k in range(1, len(xs) + 1))
    owner = {x: player for x in xs}
    if concave:
        cands = piece_candidates(owner, payoffs, boxes, prover)
        for c in cands:
            if c.end is not None and c.point is None:  # a KKT point on an open face
                c.kind, c.limit = "sup", nice(f.xreplace(c.end[2]))
                c.where = ", ".join(f"{v} -> {e}" for v, e in c.end[2].items())
        return [cands]
    grads = {x: sp.diff(f, x) for x in xs}
    cands = _active_sets(xs, owner, grads, boxes, prover, compare=True, payoff=f)
    if any(boxes[x].lo == -sp.oo or boxes[x].hi == sp.oo for x in xs):
        note = (f"u_{player} attains its maximum over the unbounded choice set of {', '.join(map(str, xs))} "
                "at a KKT point (concavity not proved)")
        for c in cands:
            c.incomplete.append(note)
    return [[c] for c in cands]


def _alive(c, prover):
    if c.kind == "point" and c.point is None:
        return False
    return not c.attained or conjunction(c.attained, prover) is not None
