"""Candidate maximisers on one smooth piece: first-order conditions with corners.

For a mover maximising a smooth ``f(x)`` over a box ``l <= x <= h`` (ends may be
open or infinite), the Karush-Kuhn-Tucker conditions enumerate *active sets*:
each variable is at its lower end, interior, or at its upper end.  For a single
variable with stationary point ``x_I`` (``f'(x_I) = 0``) and ``f`` strictly concave,
the maximiser is the clamp

    x* = l     if x_I < l,
    x* = x_I   if l <= x_I < h,
    x* = h     if x_I >= h,

(an open end is approached but not attained: that candidate does not exist).
For several variables (a joint choice, or simultaneous movers each on their own
payoff) the active set with interior variables solving their FOCs and bound
variables whose partial derivatives point outwards (``< 0`` at a lower end,
``>= 0`` at an upper end) is the candidate.  Concavity is checked by proof
(Hessian leading principal minors); an unproven check is recorded, not assumed.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sympy as sp

from ..canonical import canonical_factor
from ..conditions import Bound, conjunction, nice
from ..equilibrium import Step

__all__ = ["Candidate", "Box", "piece_candidates", "CandidateError"]


class CandidateError(ValueError):
    pass


@dataclass
class Box:
    lo: sp.Expr
    hi: sp.Expr
    lo_open: bool
    hi_open: bool
    lo_break: bool = False
    hi_break: bool = False


@dataclass
class Candidate:
    bounds: list  # conditions under which this is the piece's maximiser
    point: dict | None  # var -> expr; None: the supremum is not attained
    attained: list  # extra bounds for the point to lie in the piece
    position: dict  # var -> 'interior' | 'lower' | 'upper'
    steps: list = field(default_factory=list)


def concavity(owner_payoffs, groups, prover):
    """Steps proving (or not) strict concavity of each owner's payoff in its own variables."""
    steps, unproven = [], []
    for player, xs in groups.items():
        f = owner_payoffs[player]
        H = sp.hessian(f, xs)
        for k in range(1, len(xs) + 1):
            minor = canonical_factor(H[:k, :k].det()) if k > 1 else canonical_factor(H[0, 0])
            want = "-" if k % 2 else "+"
            ok = prover.sign(minor) == want
            if k == 1 and len(xs) == 1 and minor == 0:  # linear: concave; the slope decides
                steps.append(Step("soc", player, f"u_{player} is linear in {xs[0]}", minor, True))
                break
            what = (
                f"d^2 u_{player} / d{xs[0]}^2 = {minor} < 0"
                if k == 1
                else f"leading principal minor {k} of u_{player}'s Hessian = {minor} {'>' if want == '+' else '<'} 0"
            )
            steps.append(Step("soc", player, what, minor, ok))
            if not ok:
                unproven.append(f"strict concavity of u_{player} in {', '.join(map(str, xs))}: {what}")
    return steps, unproven


def piece_candidates(owner_of, payoffs, boxes, prover):
    """Candidates for the variables ``boxes`` (var -> Box), each var owned by ``owner_of[var]``."""
    xs = list(boxes)
    grads = {x: sp.diff(payoffs[owner_of[x]], x) for x in xs}
    if len(xs) == 1:
        return _one_var(xs[0], owner_of[xs[0]], payoffs[owner_of[xs[0]]], grads[xs[0]], boxes[xs[0]], prover)
    return _active_sets(xs, owner_of, grads, boxes, prover)


def _one_var(x, player, f, g, box, prover):
    steps = [Step("foc", player, f"d u_{player} / d{x} = 0", sp.Eq(canonical_factor(g), 0))]
    if x not in g.free_symbols:  # linear payoff: the slope decides
        s = nice(g)
        out = []
        if box.hi != sp.oo:
            out.append(Candidate([Bound(s, ">=", 0)], {x: box.hi}, _at_end(box, "hi"), {x: "upper"}, steps))
        elif prover.truth(s, "<=", 0) is not True:
            raise CandidateError(f"u_{player} is increasing in {x} without bound (slope {s})")
        if box.lo != -sp.oo:
            out.append(Candidate([Bound(s, "<", 0)], {x: box.lo}, _at_end(box, "lo"), {x: "lower"}, steps))
        return out
    roots = sp.solve(sp.Eq(g, 0), x, dict=False)
    roots = [r for r in roots if r.is_real is not False]
    d2 = sp.diff(g, x)
    if len(roots) > 1:
        roots = [r for r in roots if prover.sign(d2.subs(x, r)) == "-"]
    if len(roots) != 1:
        raise CandidateError(
            f"the first-order condition of {player} in {x}, {canonical_factor(g)} = 0, has "
            f"{'no' if not roots else len(roots)} admissible root(s); no closed-form maximiser"
        )
    xi = nice(roots[0])
    steps.append(Step("solution", player, f"stationary point {x}_I", sp.Eq(sp.Symbol(f"{x}_I"), xi)))
    lo_strict_low = "<" if not box.lo_open else "<="
    out = []
    if box.lo != -sp.oo:
        out.append(Candidate([Bound(xi, lo_strict_low, box.lo)], None if box.lo_open else {x: box.lo},
                             _at_end(box, "lo"), {x: "lower"}, steps))
    inner = []
    if box.lo != -sp.oo:
        inner.append(Bound(xi, ">=" if not box.lo_open else ">", box.lo))
    if box.hi != sp.oo:
        inner.append(Bound(xi, "<", box.hi))
    out.append(Candidate(inner, {x: xi}, [], {x: "interior"}, steps))
    if box.hi != sp.oo:
        up = [Bound(xi, ">=", box.hi)] + ([Bound(xi, ">", box.lo)] if box.lo_open else [])
        out.append(Candidate(up, None if box.hi_open else {x: box.hi}, _at_end(box, "hi"), {x: "upper"}, steps))
    return [c for c in out if _prune(c, prover)]


def _at_end(box, end):
    """Bounds for an end point to lie in the (possibly degenerate) box."""
    if end == "lo":
        return [Bound(box.lo, "<" if box.hi_open else "<=", box.hi)] if box.hi != sp.oo else []
    return [Bound(box.lo, "<" if box.lo_open else "<=", box.hi)] if box.lo != -sp.oo else []


def _prune(c, prover):
    b = conjunction(c.bounds, prover)
    if b is None:
        return False
    c.bounds = b
    if c.point is not None:
        a = conjunction(c.attained, prover)
        if a is None:
            c.point = None
            c.attained = []
        else:
            c.attained = a
    return True


def _active_sets(xs, owner_of, grads, boxes, prover):
    steps = [Step("foc", owner_of[x], f"d u_{owner_of[x]} / d{x} = 0", sp.Eq(canonical_factor(grads[x]), 0)) for x in xs]
    out = []
    options = []
    for x in xs:
        b = boxes[x]
        opts = ["interior"]
        if b.lo != -sp.oo:
            opts.insert(0, "lower")
        if b.hi != sp.oo:
            opts.append("upper")
        options.append(opts)
    for pattern in itertools.product(*options):
        fixed = {x: (boxes[x].lo if pos == "lower" else boxes[x].hi) for x, pos in zip(xs, pattern) if pos != "interior"}
        free = [x for x, pos in zip(xs, pattern) if pos == "interior"]
        eqs = [grads[x].xreplace(fixed) for x in free]
        if free:
            sols = sp.solve(eqs, free, dict=True)
            if len(sols) != 1 or set(sols[0]) != set(free):
                if not sols:
                    continue
                raise CandidateError(
                    f"first-order conditions in {', '.join(map(str, free))} have {len(sols)} solutions; no unique closed form"
                )
            sol = {k: nice(v) for k, v in sols[0].items()}
        else:
            sol = {}
        point = {**fixed, **sol}
        bounds, attained, open_end = [], [], False
        for x, pos in zip(xs, pattern):
            b = boxes[x]
            if pos == "interior":
                if b.lo != -sp.oo:
                    bounds.append(Bound(point[x], ">" if b.lo_open else ">=", b.lo))
                if b.hi != sp.oo:
                    bounds.append(Bound(point[x], "<", b.hi))
            else:
                gx = nice(grads[x].xreplace(point))
                bounds.append(Bound(gx, "<" if pos == "lower" else ">=", 0))
                open_end |= b.lo_open if pos == "lower" else b.hi_open
                attained += _at_end(b, "lo" if pos == "lower" else "hi")
        c = Candidate(bounds, None if open_end else point, attained, dict(zip(xs, pattern)),
                      steps + ([Step("solution", owner_of[free[0]], "stationary point", sp.Eq(sp.Tuple(*free), sp.Tuple(*[sol[f] for f in free])))] if free else []))
        if _prune(c, prover):
            out.append(c)
    if not out:
        raise CandidateError(f"no active set of {', '.join(map(str, xs))} satisfies the KKT conditions")
    return out
