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
(Hessian leading principal minors) and is a shortcut, never an assumption: this
module holds the candidates for the case where it is proved (the clamp, and active
sets whose solutions exclude each other); ``global_opt.py`` dispatches, and compares
all candidates where concavity is not proved.

A candidate is a ``point`` (attained), a ``sup`` (the value approached at an open
end of a piece or at an infinite end, not attained) or ``unbounded`` (the payoff
tends to ``+oo``); ``rank`` orders the candidates of one piece from the lower end
to the upper end, for ties (``tie_break``).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sympy as sp

from openeq.core.canonical import canonical_factor
from openeq.core.conditions import Bound, conjunction, nice
from openeq.core.equilibrium import Step
from openeq.solver.budget import MAX_ACTIVE_SETS, BudgetError

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
    kind: str = "point"  # 'point' | 'sup' (approached, not attained) | 'unbounded' (tends to +oo)
    limit: object = None  # for a 'sup': the mover's value approached
    rank: int = 0  # order within a piece, lower end first (for tie-breaking)
    where: str = ""  # for a 'sup' or 'unbounded': where, e.g. "q -> oo"
    end: tuple = None  # for a 'sup' at an open end of a piece: (var, end)
    incomplete: list = field(default_factory=list)  # unproven claims about the candidate set
    compared: bool = False  # from a candidate set compared in full (concavity not proved)
    option: str | None = None  # a discrete option of the move (solver/options.py), not a point


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


UPPER_RANK = 10 ** 6


def piece_candidates(owner_of, payoffs, boxes, prover):
    """Candidates for the variables ``boxes`` (var -> Box), each var owned by ``owner_of[var]``,
    with every owner's payoff proved strictly concave in its own variables."""
    xs = list(boxes)
    grads = {x: sp.diff(payoffs[owner_of[x]], x) for x in xs}
    if len(xs) == 1:
        x = xs[0]
        return concave_one_var(x, owner_of[x], grads[x], boxes[x], prover, concave_roots(grads[x], x, prover))
    return _active_sets(xs, owner_of, grads, boxes, prover)


def foc_steps(player, x, g):
    return [Step("foc", player, f"d u_{player} / d{x} = 0", sp.Eq(canonical_factor(g), 0))]


def foc_solve(eqs, xs, **kw):
    """``sympy.solve(eqs, xs)``; ``CandidateError`` when sympy has no method for them
    (``exp(exp(x)) = a``): the conditions are stated, and no closed form is claimed."""
    try:
        return sp.solve(eqs, xs, **kw)
    except NotImplementedError:
        shown = " and ".join(str(e) for e in (eqs if isinstance(eqs, (list, tuple)) else [eqs]))
        names = ", ".join(map(str, xs)) if isinstance(xs, (list, tuple)) else str(xs)
        raise CandidateError(f"sympy cannot solve the first-order conditions in {names} "
                             f"({shown[:300]}); no closed form") from None


def concave_roots(g, x, prover):
    """The stationary points kept by the concave clamp (sympy's solve; of several, those
    with a proved negative second derivative)."""
    roots = foc_solve(sp.Eq(g, 0), x)
    roots = [r for r in roots if r.is_real is not False]
    d2 = sp.diff(g, x)
    if len(roots) > 1:
        roots = [r for r in roots if prover.sign(d2.subs(x, r)) == "-"]
    return roots


def concave_one_var(x, player, g, box, prover, roots):
    """The clamp of the unique stationary point to the box (``f`` strictly concave)."""
    steps = foc_steps(player, x, g)
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


def linear_one_var(x, player, g, box, prover):
    """A payoff linear in ``x`` with slope ``s``: the upper end where ``s >= 0``, the lower
    end where ``s < 0``; an infinite end in the slope's direction is unbounded."""
    steps = foc_steps(player, x, g)
    s = nice(g)
    out = []
    if box.hi != sp.oo:
        out.append(Candidate([Bound(s, ">=", 0)], {x: box.hi}, _at_end(box, "hi"), {x: "upper"}, steps))
    else:
        out.append(Candidate([Bound(s, ">", 0)], None, [], {x: "upper"}, steps, kind="unbounded", where=f"{x} -> oo"))
    if box.lo != -sp.oo:
        op = "<" if box.hi != sp.oo else "<="
        out.append(Candidate([Bound(s, op, 0)], {x: box.lo}, _at_end(box, "lo"), {x: "lower"}, steps))
    else:
        out.append(Candidate([Bound(s, "<", 0)], None, [], {x: "lower"}, steps, kind="unbounded", where=f"{x} -> -oo"))
    for c, end in zip(out, ("hi", "lo")):  # an open end is approached, not attained
        if c.kind == "point" and (box.hi_open if end == "hi" else box.lo_open):
            e = box.hi if end == "hi" else box.lo
            c.kind, c.point, c.end, c.where = "sup", None, (x, e, {x: e}), f"{x} -> {e}"
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
    if c.point is not None or c.kind != "point":
        a = conjunction(c.attained, prover)
        if a is None:  # never attained (approached): no candidate, its bounds still partition
            c.point, c.kind = None, "point"
            c.attained = []
        else:
            c.attained = a
    return True


def _active_sets(xs, owner_of, grads, boxes, prover, compare=False, payoff=None):
    """KKT active sets; every solution of each set's equations is a candidate.

    ``compare=False`` (each owner's payoff proved strictly concave, or simultaneous
    movers): a bound variable's partial derivative must point outwards; the conditions
    of the candidates exclude each other.  ``compare=True`` (one mover, concavity not
    proved): no sign conditions, every feasible KKT point is a candidate to compare
    (``payoff``: the mover's payoff), a point on an open face is a ``sup``."""
    count = 1
    for x in xs:
        count *= len(_options(boxes[x]))
    if count > MAX_ACTIVE_SETS:
        raise BudgetError(f"{len(xs)} variables chosen at once have {count} KKT active sets (more than "
                          f"{MAX_ACTIVE_SETS}); beyond the engine's resource bound")
    steps = [Step("foc", owner_of[x], f"d u_{owner_of[x]} / d{x} = 0", sp.Eq(canonical_factor(grads[x]), 0)) for x in xs]
    out = []
    for rank, pattern in enumerate(itertools.product(*[_options(boxes[x]) for x in xs])):
        fixed = {x: (boxes[x].lo if pos == "lower" else boxes[x].hi) for x, pos in zip(xs, pattern) if pos != "interior"}
        free = [x for x, pos in zip(xs, pattern) if pos == "interior"]
        for sol in _solutions([grads[x].xreplace(fixed) for x in free], free):
            point = {**fixed, **sol}
            c = (_compare_candidate if compare else _kkt_candidate)(xs, pattern, point, boxes, grads, prover, payoff)
            c.steps = steps + ([Step("solution", owner_of[free[0]], "stationary point",
                                     sp.Eq(sp.Tuple(*free), sp.Tuple(*[sol[f] for f in free])))] if free else [])
            c.rank = rank
            if _prune(c, prover):
                out.append(c)
    if not out:
        raise CandidateError(f"no active set of {', '.join(map(str, xs))} satisfies the KKT conditions")
    return out


def _options(b):
    opts = ["interior"]
    if b.lo != -sp.oo:
        opts.insert(0, "lower")
    if b.hi != sp.oo:
        opts.append("upper")
    return opts


def _solutions(eqs, free):
    """All solutions of the interior variables' first-order conditions (sorted)."""
    if not free:
        return [{}]
    sols = _eliminate(eqs, free)
    out = []
    for sol in sols:
        if set(sol) != set(free):
            raise CandidateError(f"first-order conditions in {', '.join(map(str, free))} do not determine "
                                 f"{', '.join(str(f) for f in free if f not in sol)}; no unique closed form")
        if any(v.has(sp.I) for v in sol.values()):
            continue
        out.append({k: nice(sol[k]) for k in free})
    return sorted(out, key=lambda d: sp.default_sort_key(sp.Tuple(*[d[k] for k in free])))


def _eliminate(eqs, free):
    """The solutions of ``eqs = 0`` in ``free``: an equation polynomial in ``free`` and of
    degree 1 in one of them, with a coefficient free of them, gives that variable (as
    ``solve`` would, dividing by the coefficient); the others are solved with it
    substituted, then it is substituted back.  A Cournot pair with one cubic payoff
    becomes one quartic instead of a Groebner basis over the parameters' field (minutes)."""
    if len(free) > 1:
        for k, e in enumerate(eqs):
            num, den = sp.fraction(sp.together(e))
            if den.free_symbols & set(free) or not num.is_polynomial(*free):
                continue
            for x in free:
                poly = sp.Poly(num, x)
                if poly.degree() == 1 and not poly.LC().free_symbols & set(free):
                    value = -poly.nth(0) / poly.LC()
                    rest = [o.xreplace({x: value}) for j, o in enumerate(eqs) if j != k]
                    others = [f for f in free if f != x]
                    return [{**sol, x: value.xreplace(sol)} for sol in _eliminate(rest, others)]
    if len(free) == 1 and len(eqs) == 1:
        roots = _polynomial_roots(eqs[0], free[0])
        if roots is not None:
            return roots
    return foc_solve(eqs, free, dict=True)


def _polynomial_roots(e, x):
    """The roots of ``e = 0`` in ``x`` as ``[{x: root}]`` when ``e``'s numerator is a
    polynomial of degree >= 3 in ``x`` whose roots all come from factoring it (None when
    ``e`` is not such a polynomial).  A factor of degree 3 or more left over is refused:
    Cardano's and Ferrari's formulas over symbolic coefficients take minutes and hold
    ``I``.  (The single mover's path, ``stationary.py``, is less strict: it keeps radical
    roots of such a factor that are free of ``I``, with their radicands' validity bounds,
    which this path has no place for.)"""
    num, den = sp.fraction(sp.together(e))
    if den.has(x) or not num.is_polynomial(x) or sp.degree(num, x) < 3:
        return None
    poly = sp.Poly(num, x)
    roots = sp.roots(poly, x, cubics=False, quartics=False, quintics=False)
    if sum(roots.values()) != poly.degree():
        raise CandidateError(f"the first-order condition in {x} is a polynomial of degree {poly.degree()} "
                             "with a factor of degree 3 or more; no closed form")
    return [{x: r} for r in roots if not r.has(sp.I)]


def _kkt_candidate(xs, pattern, point, boxes, grads, prover, payoff):
    from openeq.solver.stationary import radicand_bounds

    bounds, attained, open_end = [], [], None
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
            if b.lo_open if pos == "lower" else b.hi_open:
                open_end = (x, point[x], point)
            attained += _at_end(b, "lo" if pos == "lower" else "hi")
    for v in point.values():
        bounds += radicand_bounds(v, prover)
    c = Candidate(bounds, None if open_end else point, attained, dict(zip(xs, pattern)))
    c.end = open_end  # a KKT point on an open face: approached, not attained
    return c


def _compare_candidate(xs, pattern, point, boxes, grads, prover, payoff):
    from openeq.solver.signs import oriented
    from openeq.solver.stationary import radicand_bounds

    attained, open_end = [], None
    for x, pos in zip(xs, pattern):
        b = boxes[x]
        if pos == "interior":
            if b.lo != -sp.oo:
                attained.append(oriented(point[x], ">", b.lo))
            if b.hi != sp.oo:
                attained.append(oriented(point[x], "<", b.hi))
        else:
            if b.lo_open if pos == "lower" else b.hi_open:
                open_end = (x, point[x])
            attained += _at_end(b, "lo" if pos == "lower" else "hi")
    for v in point.values():
        attained += radicand_bounds(v, prover)
    c = Candidate([], point, attained, dict(zip(xs, pattern)), compared=True)
    if open_end is not None:
        c.kind, c.end, c.limit = "sup", (*open_end, point), nice(payoff.xreplace(point))
        c.where = ", ".join(f"{x} -> {v}" for x, v in point.items())
    return c
