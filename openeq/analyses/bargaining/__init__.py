"""Bargaining over a share ``x`` of a game (docs/model.md, R9): ``bargain(eq, "delta", "nash")``.

The share is a parameter with domain ``(0, 1)``.  For each ``x`` the engine's
equilibrium gives payoffs ``U_i(x)`` (region by region); the disagreement point ``d``
is the model's ``[disagreement]`` table (0 when absent).  The solutions are defined in
``bargaining.solutions`` on the gains ``g_i = U_i - d_i``:

* ``nash``: argmax of ``prod_i g_i`` over the feasible set;
* ``egalitarian``: ``g_1 = g_2`` (two players);
* ``ks`` (Kalai-Smorodinsky): ``g_1 / I_1 = g_2 / I_2``, ``I_i = sup g_i`` (two players).

Two modes:

* numeric -- every other parameter is given: the gains are piecewise in ``x``, cut at
  the region breakpoints; the solution is certified at 30 digits (``solutions``) and
  given in closed form when it is rational or quadratic;
* symbolic -- no point, single-region equilibrium: the closed-form roots of the
  defining equation (``solutions.closed_roots``) are matched against the numeric
  solution at sampled parameter points; the root that matches at every sample is
  the closed form (its SOC and the ends are checked at those samples).  KS ideals
  that change form across parameters give a Piecewise, each branch condition
  derived (``u > 0`` for a critical point in ``u = x/(1 - x)``) and checked the same way.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from openeq.analyses.bargaining.numeric import SOLUTIONS, Bargain, _numeric, problem_at
from openeq.analyses.bargaining.solutions import DIGITS, BargainError
from openeq.analyses.bargaining.symbolic import _symbolic

__all__ = ["BargainError", "Bargain", "bargain", "problem_at", "SOLUTIONS"]


# ----------------------------------------------------------------------- input
def check_over(game, over):
    if over not in game.parameters:
        raise BargainError(f"--over {over!r}: not a parameter of {game.name} "
                           f"(parameters: {', '.join(game.parameters)})")
    d = game.parameters[over].domain
    if not (d.lo == 0 and d.hi == 1 and d.lo_open and d.hi_open):
        raise BargainError(f"--over {over!r}: its domain is {d}; only a share with domain (0, 1) can be bargained over")
    return game.parameters[over].symbol


def check_point(game, over, point):
    """``point``: name -> number or numeric string; returns symbol -> Rational."""
    out = {}
    for name, v in point.items():
        if name == over:
            raise BargainError(f"parameter {over!r} is bargained over: do not assign it")
        if name not in game.parameters:
            raise BargainError(f"unknown parameter {name!r}; the parameters of {game.name} are {', '.join(game.parameters)}")
        par = game.parameters[name]
        try:
            r = sp.Rational(str(v).strip())
        except (TypeError, ValueError, SyntaxError):
            raise BargainError(f"parameter {name!r}: {v!r} is not a number; expected {par.domain.expected()}") from None
        if not par.domain.contains(r):
            raise BargainError(f"parameter {name!r} = {v}: outside its domain {par.domain}; expected {par.domain.expected()}")
        out[par.symbol] = r
    return out


# ----------------------------------------------------------------------- driver
def bargain(eq, over, solution="nash", point=None, samples=16, seed=0) -> Bargain:
    """Bargain over the parameter ``over`` of the game solved in ``eq`` (see the module docstring)."""
    game = eq.game
    if solution not in SOLUTIONS:
        raise BargainError(f"--solution {solution!r}: expected one of {', '.join(SOLUTIONS)}")
    if not isinstance(samples, int) or samples < 1:
        raise BargainError(f"--samples {samples!r}: expected a positive integer")
    x = check_over(game, over)
    subs = check_point(game, over, point or {})
    missing = [n for n in game.parameters if n != over and game.parameters[n].symbol not in subs]
    with mp.workdps(DIGITS):
        if not missing:
            return _numeric(eq, x, solution, subs)
        if len(eq.regions) > 1:
            raise BargainError(f"{game.name} has {len(eq.regions)} regions: bargaining needs a parameter point; "
                               f"give name=value for {', '.join(missing)}")
        return _symbolic(eq, x, solution, subs, samples, seed)
