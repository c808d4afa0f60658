"""KKT with active sets over a polyhedral piece (``polyhedra.py``).

The mover maximises a smooth ``f(x)`` over ``P = {x : h_i(x) op_i 0}`` with affine
``h_i = a_i . x + c_i`` and ``op_i`` in ``>= > ==``.  For an *active set* ``A`` (the
equalities and at most ``n - #equalities`` linearly independent inequalities), the
stationarity system

    grad f(x) + sum_{i in A} mu_i a_i = 0,      h_i(x) = 0  (i in A)

is solved for ``x`` and the multipliers ``mu``; it is linear when ``f`` is quadratic,
so each active set has a closed form.

The candidate of ``A`` exists where every other constraint holds and ``mu_i >= 0``
for the inequalities of ``A`` (necessary for a maximum when the active normals are
linearly independent); the mover compares the candidates that exist by value, each
its own entry, as for a non-concave box.

* ``f`` strictly concave (the Hessian's leading principal minors proved to alternate
  in sign): the KKT conditions are also sufficient, and ``mu_i > 0`` is asked:
  the multipliers of a point are unique, so the candidates' regions exclude each
  other (strict ``mu > 0``, weak feasibility) and no comparison is left to decide;
* otherwise an unbounded ``P`` leaves the completeness of the KKT points unproved (a
  claim, certified by sampling).

A *curved* constraint (``polyhedra.Curved``, two variables at most, linear in one,
``x_j``, with a numeric coefficient): on its face the constraint is solved as
``x_j = g(t)``, and the stationary points of ``f(g(t), t)`` are the roots of a
polynomial in ``t``, factored; each factor of degree at most 2 gives its roots in
radicals; a factor of higher degree with numeric coefficients (a fixed game) gives its
real roots as certified roots (``openeq.core.roots``); one whose coefficients hold
parameters (or a root in complex radicals) is a refusal, never a dropped candidate.  The multiplier is ``mu = -(df/dx_j)/(dh/dx_j)``.  Where the
curve and a line are both active, the point solves the two equations alone (no
multiplier asked, compared by value).  ``f`` strictly concave counts as concave only
where every curved constraint cuts a convex set (``h`` concave).

An active strict constraint (an open face) gives a ``sup``: the value is approached,
not attained.  It is dropped where another piece that contains the face point is
proved at least as good there.  The count of active sets tried per move is bounded
(``MAX_ACTIVE_SETS``); past it the engine refuses, naming the move.
"""
from __future__ import annotations

import itertools

import sympy as sp

from openeq.core.canonical import canonical_factor
from openeq.core.conditions import isolate, nice
from openeq.core.equilibrium import Step
from openeq.core.roots import real_roots
from openeq.solver.budget import BudgetError
from openeq.solver.candidates import Candidate, CandidateError, _prune
from openeq.solver.polyhedra import short
from openeq.solver.signs import oriented
from openeq.solver.stationary import radicand_bounds

__all__ = ["poly_entries", "drop_poly_sups", "strictly_concave", "MAX_ACTIVE_SETS"]

MAX_ACTIVE_SETS = 4096  # per move


def strictly_concave(f, xs, prover):
    H = sp.hessian(f, xs)
    return all(prover.sign(canonical_factor(H[:k, :k].det()) if k > 1 else canonical_factor(H[0, 0]))
               == ("-" if k % 2 else "+") for k in range(1, len(xs) + 1))


def poly_entries(player, xs, piece, prover, counter):
    """Entries of candidates of ``player`` on the polyhedral ``piece`` (module docstring)."""
    f = piece.payoffs[player]
    concave = strictly_concave(f, xs, prover) and all(_concave_constraint(c, xs, prover)
                                                       for c in piece.constraints if c.curved)
    eqs = [c for c in piece.constraints if c.op == "=="]
    ineq = [c for c in piece.constraints if c.op != "=="]
    grad = [sp.diff(f, x) for x in xs]
    steps = [Step("foc", player, f"KKT conditions of u_{player} in {', '.join(map(str, xs))} over its constraints",
                  sp.Tuple(*[sp.Eq(canonical_factor(g), 0) for g in grad]))]
    out, rank = [], 0
    for k in range(0, len(xs) - len(eqs) + 1):
        for chosen in itertools.combinations(ineq, k):
            counter[0] += 1
            if counter[0] > MAX_ACTIVE_SETS:
                raise BudgetError(f"more than {MAX_ACTIVE_SETS} active sets of constraints; beyond the engine's "
                                  "resource bound")
            active = eqs + list(chosen)
            for c in _active_candidates(player, xs, f, grad, active, piece.constraints, concave, prover):
                c.steps, c.rank, rank = steps + c.steps, rank, rank + 1
                if _prune(c, prover):
                    out.append(c)
    if not concave and any(c.op != "==" for c in piece.constraints) and _unbounded(piece, xs):
        for c in out:
            c.incomplete.append(f"u_{player} attains its maximum over the unbounded choice set of "
                                f"{', '.join(map(str, xs))} at a KKT point (concavity not proved)")
    return [[c] for c in out]


def _unbounded(piece, xs):
    """Whether some variable has no upper or no lower box constraint (a crude test)."""
    names = {c.name for c in piece.constraints if c.kind == "box"}
    return any(f"{x}.lo" not in names or f"{x}.hi" not in names for x in xs)


def _concave_constraint(c, xs, prover):
    """Whether the curved ``c`` (``h >= 0`` or ``h > 0``) cuts a convex set: ``h`` concave
    (its Hessian proved negative semidefinite; two variables at most)."""
    H = sp.hessian(c.h(), xs)
    if any(prover.sign(canonical_factor(H[i, i])) not in ("-", "0", "-0") for i in range(len(xs))):
        return False
    return len(xs) < 2 or prover.sign(canonical_factor(H.det())) in ("+", "0", "+0")


def _active_candidates(player, xs, f, grad, active, constraints, concave, prover):
    bent = any(c.curved for c in active)
    if bent and len(active) == len(xs):
        return _vertices(player, xs, f, active, constraints, prover)
    if not bent and active and sp.Matrix([[c.normal(x) for x in xs] for c in active]).rank() < len(active):
        return []
    if bent:
        return [_candidate(player, xs, f, point, mu, list(mu), active, constraints, concave, prover)
                for point, mu in _on_curve(xs, f, active[0])]
    mus = [sp.Dummy(f"mu{k}") for k in range(len(active))]
    system = [g + sum(m * c.normal(x) for m, c in zip(mus, active)) for g, x in zip(grad, xs)]
    system += [c.h() for c in active]
    out = []
    for sol in _solutions(system, xs + mus):
        point = {x: nice(sol[x]) for x in xs}
        out.append(_candidate(player, xs, f, point, {m: nice(sol[m]) for m in mus}, mus, active,
                              constraints, concave, prover))
    return out


def _solutions(system, unknowns):
    """The real solutions of the (linear) stationarity ``system``, each a full dict."""
    try:
        sols = sp.solve(system, unknowns, dict=True)
    except NotImplementedError:
        return []
    # (a solution missing an unknown is a face on which u is constant: its vertices are
    # other active sets)
    return [sol for sol in sols if all(v in sol for v in unknowns) and not any(e.has(sp.I) for e in sol.values())]


def _curved_refusal(active, why):
    names = ", ".join(str(c) for c in active)
    return (f"the optimum on the curved boundary ({names}) has no closed form in real radicals: {why}; "
            "a certified root needs numeric coefficients: fix the parameters (openeq solve MODEL name=value ..., "
            "or solve = \"per point\" in the model file)")


def _solved_for(c, xs):
    """``(x, e)``: the curved or affine ``c`` solved as ``x = e`` for a variable in which it is
    linear with a numeric nonzero coefficient (the first in ``xs`` order), else None."""
    h = sp.expand(c.h())
    for x in xs:
        a = h.coeff(x)
        if sp.degree(h, x) == 1 and a.is_number and a != 0 and not (h - a * x).has(x):
            return x, nice(-(h - a * x) / a)
    return None


def _univariate_roots(expr, t, active):
    """The real roots of the numerator of ``expr`` in ``t``, in radicals: factors of degree
    at most 2 (a factor of higher degree is a refusal; a zero polynomial gives none)."""
    num = sp.numer(sp.together(sp.expand(expr)))
    if num == 0 or not num.has(t):
        return []
    roots = []
    for fac, _ in sp.factor_list(num, t)[1]:
        d = sp.degree(fac, t)
        if d == 0:
            continue
        poly = sp.Poly(fac, t)
        if poly.domain.is_QQ or poly.domain.is_ZZ:  # numeric coefficients: certified real roots
            roots += real_roots(poly)
            continue
        if d > 2:
            raise CandidateError(_curved_refusal(active, f"a stationary point is a root of {short(fac, 200)} = 0, "
                                                         f"of degree {d} in {t}"))
        roots += list(sp.roots(poly, multiple=True))
    if any(r.has(sp.I) for r in roots):
        raise CandidateError(_curved_refusal(active, "a stationary point is a root in complex radicals"))
    return sorted(set(roots), key=sp.default_sort_key)


def _on_curve(xs, f, c):
    """The stationary points of ``f`` on the curve ``c = 0`` (two variables): ``c`` solved
    as ``x_j = g(t)``, the stationary points of ``f(g(t), t)`` in ``t`` and the multiplier
    ``mu = -(df/dx_j) / (dc/dx_j)`` there (``grad f + mu grad c = 0``)."""
    xj, g = _solved_for(c, xs)
    (t,) = [x for x in xs if x != xj]
    out = []
    for r in _univariate_roots(sp.diff(f.xreplace({xj: g}), t), t, [c]):
        point = {x: nice(r if x == t else g.xreplace({t: r})) for x in xs}
        mu = sp.Dummy("mu0")
        out.append((point, {mu: nice(-(sp.diff(f, xj) / c.normal(xj)).xreplace(point))}))
    return out


def _vertices(player, xs, f, active, constraints, prover):
    """The points where as many constraints as variables (two) are active and one is curved:
    the solutions of the equations alone (the multipliers need not exist where the normals
    are dependent), each compared by value.  One equation is solved for a variable and put
    into the other, which must then have its roots in radicals."""
    if len(active) == 1:  # one variable: the curve's own roots
        return [_candidate(player, xs, f, {xs[0]: nice(r)}, {}, [], active, constraints, False, prover)
                for r in _univariate_roots(active[0].h(), xs[0], active)]
    first = next((c for c in active if not c.curved), None) or active[0]
    other = next(c for c in active if c is not first)
    solved = _solved_for(first, xs)
    if solved is None:
        raise CandidateError(_curved_refusal(active, f"{first.name} has no variable with a numeric coefficient"))
    xj, g = solved
    (t,) = [x for x in xs if x != xj]
    out = []
    for r in _univariate_roots(other.h().xreplace({xj: g}), t, active):
        point = {x: nice(r if x == t else g.xreplace({t: r})) for x in xs}
        out.append(_candidate(player, xs, f, point, {}, [], active, constraints, False, prover))
    return out


def _candidate(player, xs, f, point, mu, mus, active, constraints, concave, prover):
    feas = [_normal(c.h().xreplace(point), c.op, prover) for c in constraints if c not in active]
    radic = [b for v in point.values() for b in radicand_bounds(v, prover)]
    signs = [_normal(mu[m], ">" if concave else ">=", prover) for m, c in zip(mus, active) if c.op != "=="]
    # (max f s.t. h >= 0: grad f + sum mu grad h = 0 with mu >= 0, necessary under independent
    # active normals; strictly for a concave f, whose KKT points then exclude each other)
    text = ", ".join(c.name for c in active) or "none"
    st = [Step("solution", player, f"active constraints: {text}", sp.Eq(sp.Tuple(*xs), sp.Tuple(*point.values())))]
    c = Candidate([], point, signs + feas + radic, {x: "interior" for x in xs}, st, compared=not concave)
    c.active = [(k.name, k.kind, k.h()) for k in active]
    if any(k.op == ">" for k in active):  # on an open face: approached, not attained
        c.kind, c.point, c.limit = "sup", None, nice(f.xreplace(point))
        c.end = ("face", point)
        c.where = ", ".join(f"{x} -> {v}" for x, v in point.items())
    return c


def _normal(e, op, prover):
    """``e op 0`` as a bound on a primitive numerator without a leading minus (a
    denominator of proved sign and a numeric content taken out), so that bounds on one
    quantity meet in ``conjunction``."""
    num, den = sp.fraction(sp.together(nice(e)))
    s = prover.sign(den) if den.free_symbols else ("+" if den > 0 else "-")
    if s not in ("+", "-"):
        return oriented(nice(e), op, 0)
    flip = {">": "<", ">=": "<=", "==": "==", "<": ">", "<=": ">="}
    if s == "-":
        num, op = -num, flip[op]
    content, prim = sp.expand(num).as_content_primitive()
    if content < 0:
        prim, op = -prim, flip[op]
    return isolate(oriented(nice(prim), op, 0), prover)


def drop_poly_sups(per_piece, player, prover):
    """A ``sup`` on an open face is no candidate where a piece containing the face point
    is proved at least as good there."""
    items = [t for entry in per_piece for t in entry]
    for (_, pc, _, c) in items:
        if c.kind != "sup" or not (isinstance(c.end, tuple) and c.end[0] == "face"):
            continue
        face = c.end[1]
        facts = prover.with_facts([b.sympy() for b in c.attained])  # where the sup exists
        for (_, other, _, _) in items:
            if other is pc or not _contains(other, face, facts):
                continue
            if facts.truth(nice(other.payoffs[player].xreplace(face) - c.limit), ">=", 0) is True:
                c.kind, c.point, c.attained = "point", None, []
                break


def _contains(piece, point, prover):
    return all(prover.truth(nice(c.h().xreplace(point)), c.op, 0) is True for c in piece.constraints)
