"""R9: variants of the openness game -- endogenous baseline performance, bargained share.

* Endogenous alpha0 (model ``openness-endogenous``): G chooses ``(omega, alpha0)`` at
  stage 1 with production cost ``(c0/2) alpha0**2``.  The engine derives the SPE; we
  report its region count and G's closed forms where both choices are interior.
* Nash-bargained share: ``delta`` maximises ``(U_G - d_G)(U_D - d_D)`` over (0, 1), with
  ``U_i(delta)`` the engine's equilibrium payoffs (``openeq.bargaining``).  For the
  fine-tuning game (one region) the maximiser is a closed form (the root of the FOC,
  a cubic in ``u = delta/(1 - delta)``, in trigonometric form); for the openness game
  the payoffs are piecewise by region, and the solution at ``DEFAULT_POINT`` is
  certified numerically at 30 digits.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.bargaining import bargain
from openeq.solver.cached import solve_cached
from openeq.core.equilibrium import Step
from openeq.io.modelfile import resolve_model
from openeq.core.result import Claim, Result

COST = 9  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

__all__ = ["derive", "DEFAULT_POINT"]

KEY = "R9"

DEFAULT_POINT = {"alpha0": "1", "c": "1", "epsilon": "1", "gamma": "1", "theta": "0.7", "p": "0.1"}


def _note(text):
    return Step("note", "", text)


def _endogenous(res):
    eq = solve_cached(resolve_model("openness-endogenous"))
    g = eq.game
    omega, alpha0 = g.symbol("omega"), g.symbol("alpha0")
    interior = [r for r in eq.regions if "omega interior" in r.case and "alpha0 interior" in r.case]
    res.data["endogenous_regions"] = len(eq.regions)
    res.data["endogenous_labels"] = eq.labels
    res.steps.append(_note(f"openness-endogenous: {len(eq.regions)} regions ({', '.join(eq.labels)})"))
    if interior:
        r = interior[0]
        res.expressions["omega_E"] = r.strategies[omega]
        res.expressions["alpha0_E"] = r.strategies[alpha0]
        res.conditions.append((f"interior choice of (omega, alpha0), region {r.label!r}", r.condition))
        res.steps.append(_note(f"both choices interior ({len(interior)} regions): omega = {r.strategies[omega]}, "
                               f"alpha0 = {r.strategies[alpha0]}"))
    for r in eq.regions:
        if r.strategies.get(omega) == 0 and "alpha0 interior" in r.case:
            res.expressions["alpha0_closed"] = r.strategies[alpha0]
            break


def _fine_tuning(res):
    eq = solve_cached(resolve_model("fine-tuning"))
    b = bargain(eq, "delta", "nash")
    res.expressions["delta_FT"] = b.value
    res.steps += [_note("fine-tuning: " + s) for s in b.derivation]
    x = eq.game.symbol("delta")
    N = sp.Mul(*[eq.regions[0].payoffs[p] for p in ("G", "D")])
    res.claims.append(Claim("N''(delta*) < 0 (fine-tuning Nash product)", sp.diff(N, x, 2).xreplace({x: b.value}),
                            "-", False, samples=b.certified.get("samples", 0)))
    res.data["fine_tuning"] = b.to_json()


def _openness(res, eq):
    if eq is None or eq.game.name != "openness":
        eq = solve_cached(resolve_model("openness"))
    b = bargain(eq, "delta", "nash", DEFAULT_POINT)
    res.expressions["delta_OP"] = b.algebraic if b.algebraic is not None else sp.Float(b.numeric, 30)
    res.steps += [_note("openness at " + ", ".join(f"{k}={v}" for k, v in DEFAULT_POINT.items()) + ": " + s)
                  for s in b.derivation]
    res.data["openness"] = b.to_json()


def derive(eq=None) -> Result:
    """R9 from the engine: ``eq`` is the openness equilibrium (solved here when None)."""
    res = Result(KEY, "Variants: endogenous baseline performance and a bargained share",
                 "With endogenous baseline performance the generalist chooses alpha0_E and omega_E where both "
                 "are interior (alpha0_closed when it keeps the model closed). Bargaining over the share, the "
                 "Nash solution is delta_FT in the fine-tuning game and delta_OP in the openness game at the "
                 "default parameter point (certified at 30 digits).")
    _endogenous(res)
    _fine_tuning(res)
    _openness(res, eq)
    return res
