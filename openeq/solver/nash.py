"""Nash equilibria of a simultaneous stage above piecewise later best responses.

When the later stages' best responses are piecewise in this stage's choices (a
firm that exits below a cost threshold, a follower at a corner), the movers'
payoffs are piecewise too, and the joint first-order conditions of one piece do
not give an equilibrium: a mover may gain by moving to another piece.  The stage
is then solved through best responses.

1. *Best responses.*  For each mover ``i``, the one-mover solver (all pieces, all
   candidates, corners, comparisons: ``BackwardInduction._single``) gives
   ``BR_i(x_{-i})`` as branches ``(C_k(x_{-i}), x_i = f_k(x_{-i}))``: the others'
   choices are parameters with their domains.  Each branch is a global best
   response on its region, so no deviation check is needed afterwards.
2. *Fixed points.*  A Nash equilibrium is a profile ``x*`` with ``x*_i = BR_i(x*_{-i})``
   for every ``i``.  For each combination of one branch per mover, the equations
   ``x_i = f_{k_i}(x_{-i})`` are solved; the combination's *consistency condition*
   is the conjunction of its branches' conditions at the solution, ``C_{k_i}(x*_{-i})``.
   A combination whose condition is proved empty is dropped.
3. *Completeness.*  The equations must be affine in the movers' choices with a
   Jacobian determinant of proved nonzero sign on the region (then the fixed point
   of the combination is unique); otherwise the engine refuses, naming them.
4. *One equilibrium.*  Two combinations whose conditions may hold together and
   whose profiles differ are several equilibria: openeq refuses, as it does not
   select among equilibria.

Unproven optimality claims of a best response (``claims.py``) are carried over
with the others' choices replaced by the equilibrium values.
"""
from __future__ import annotations

import itertools

import sympy as sp

from openeq.core.conditions import conjunction, nice, to_sympy
from openeq.core.equilibrium import Step
from openeq.prove.decide import decide_empty, decide_sign
from openeq.solver.candidates import CandidateError
from openeq.solver.claims import BestResponseCheck, Claim

__all__ = ["NashOfPieces", "fixed_point", "several_equilibria", "FIXED_POINT"]

FIXED_POINT = "Nash equilibrium: the fixed point of the best responses"  # the step's text


def fixed_point(eqs, xs, prover, log=None):
    """The unique solution of the affine equations ``eqs = 0`` in ``xs``, or ``None``
    where the determinant is proved zero; ``CandidateError`` where the equations are
    not affine or the determinant's sign is not proved.  With a ``log`` (a list), a sign
    the prover cannot prove is asked of the decision procedure, and logged."""
    try:
        A, b = sp.linear_eq_to_matrix([sp.expand(e) for e in eqs], xs)
    except (sp.PolynomialError, ValueError, TypeError):
        A = None
    if A is None or any(e.free_symbols & set(xs) for e in list(A) + list(b)):
        shown = "; ".join(f"{e} = 0" for e in eqs)
        raise CandidateError(f"the best responses are not affine in the others' choices ({shown[:300]}); "
                             "openeq finds fixed points of affine best responses only")
    det = nice(A.det())
    s = prover.sign(det)
    if s == "0":
        return None
    if s not in ("+", "-") and log is not None:
        s = decide_sign(det, prover.relations, prover.domains)
        if s is not None:
            log.append(str(det))
    if s not in ("+", "-"):
        raise CandidateError(f"the fixed point of the best responses needs {det} != 0, which is not proved")
    sol = A.LUsolve(b)
    return {x: nice(v) for x, v in zip(xs, sol)}


class NashOfPieces:
    """Mixin of ``BackwardInduction``: the simultaneous stage through best responses."""

    def _nash_of_pieces(self, moves, branches, stage):
        from openeq.solver.backward import Branch, SolverError

        xs = [v for m in moves for v in m.variables]
        responses = []
        for m in moves:
            self._say(f"stage {stage}: best response of {m.player} to "
                      f"{', '.join(str(v) for v in xs if v not in m.variables)}")
            responses.append(self._single(m, branches, stage))
        made = []
        for combo in itertools.product(*responses):
            eqs = [x - b.strategies[x] for m, b in zip(moves, combo) for x in m.variables]
            try:
                sol = fixed_point(eqs, xs, self.prover, self.decisions)
            except CandidateError as e:
                raise SolverError(f"stage {stage}: {e}") from None
            if sol is None:
                continue
            region = conjunction([bd.subs(sol) for b in combo for bd in b.bounds], self.prover)
            if region is None or self._decided_empty(region):
                continue
            made.append(self._nash_branch(moves, combo, sol, region, stage, Branch))
        if not made:
            raise SolverError(f"stage {stage}: no combination of best responses has a fixed point")
        self._distinct_equilibria(made, stage)
        return made

    def _nash_branch(self, moves, combo, sol, region, stage, Branch):
        first = combo[0]
        strategies = {v: nice(e.xreplace(sol)) for v, e in first.strategies.items()}
        strategies.update(sol)
        values = {p: nice(u.xreplace(sol)) for p, u in first.payoffs.items()}
        case = "; ".join(b.cases[-1] for b in combo)
        steps = list(first.steps)
        for b in combo[1:]:
            steps += [s for s in b.steps if s not in steps]
        steps.append(Step("case", ",".join(m.player for m in moves),
                          FIXED_POINT,
                          sp.Eq(sp.Tuple(*sol), sp.Tuple(*sol.values()))))
        steps.append(Step("case", ",".join(m.player for m in moves), case, to_sympy(region)))
        tags = list(first.tags) + [b.tags[-1] for b in combo[1:]]
        unproven = sorted({t for b in combo for t in b.unproven})
        claims = [_claim_at(cl, {x: v for x, v in sol.items() if x not in m.variables}, region)
                  for m, b in zip(moves, combo) for cl in b.claims]
        return Branch(region, strategies, values, tags, first.cases[:-1] + [case], steps, unproven, claims)

    def _decided_empty(self, bounds):
        """Whether the decision procedure proves ``bounds`` empty (``prove/decide.py``);
        each such proof is counted in the method record."""
        if decide_empty([b.sympy() for b in bounds] + list(self.prover.relations), self.prover.domains) is True:
            self.decisions.append("empty: " + str(to_sympy(bounds)))
            return True
        return False

    def _distinct_equilibria(self, made, stage):
        from openeq.solver.backward import SolverError

        for i, bi in enumerate(made):
            for bj in made[i + 1:]:
                both = conjunction(bi.bounds + bj.bounds, self.prover)
                if both is None or self._decided_empty(both) or all(sp.simplify(bi.strategies[v] - bj.strategies[v]) == 0 for v in bi.strategies):
                    continue
                raise SolverError(several_equilibria(stage, "several profiles may be Nash equilibria", bi, bj, both))


def several_equilibria(stage, what, bi, bj, both) -> str:
    """The refusal where two branches ``bi``, ``bj`` may both be equilibria on ``both``."""
    where = f"where {to_sympy(both)}" if both else "for all parameter values"
    return (f"stage {stage}: {what} ({', '.join(f'{v} = {e}' for v, e in bi.strategies.items())} and "
            f"{', '.join(f'{v} = {e}' for v, e in bj.strategies.items())}) {where}; "
            "openeq does not select among equilibria")


def _claim_at(claim, sol, region):
    """A best response's claim with the others' choices at their equilibrium values."""
    if claim.proved or claim.check is None:
        return claim
    ch = claim.check
    pieces = [([b.subs(sol) for b in bounds], sp.sympify(u).xreplace(sol)) for bounds, u in ch.pieces]
    check = BestResponseCheck(ch.domains, pieces, list(region), sp.sympify(ch.value).xreplace(sol))
    return Claim(claim.stage, claim.player, claim.text, False, check)
