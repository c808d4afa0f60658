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
from openeq.solver.budget import BudgetError
from openeq.solver.candidates import Candidate, _prune
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
    concave = strictly_concave(f, xs, prover)
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


def _active_candidates(player, xs, f, grad, active, constraints, concave, prover):
    if active and sp.Matrix([[a for _, a in c.coeffs] for c in active]).rank() < len(active):
        return []
    mus = [sp.Dummy(f"mu{k}") for k in range(len(active))]
    system = [g + sum(m * dict(c.coeffs)[x] for m, c in zip(mus, active)) for g, x in zip(grad, xs)]
    system += [c.h() for c in active]
    try:
        sols = sp.solve(system, xs + mus, dict=True)
    except NotImplementedError:
        return []
    out = []
    for sol in sols:
        if any(v not in sol for v in xs + mus) or any(e.has(sp.I) for e in sol.values()):
            continue  # a face on which u is constant (its vertices are other active sets), or complex
        point = {x: nice(sol[x]) for x in xs}
        out.append(_candidate(player, xs, f, point, {m: nice(sol[m]) for m in mus}, mus, active,
                              constraints, concave, prover))
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
