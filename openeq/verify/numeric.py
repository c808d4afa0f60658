"""Independent brute-force numeric backward induction (a check on the symbolic solver).

Nothing here is shared with the symbolic path (``openeq.solver``, ``prover``,
``conditions``, ``evaluate``): only the game *data* is read (payoff expressions,
moves, domains, ``tie_break``), lambdified with numpy (search) and mpmath (polish,
derivatives).  No symbolic solving or differentiation is done.

Method (details in ``search`` and ``refine``): backward induction, vectorised over
contexts (parameter points and earlier choices).  Each move is maximised
*globally* in every context: a joint grid over its box (all its variables at once,
unbounded sides by a geometric tail), the best local maxima of the grid refined
(zoom and Newton steps at the outermost stage, a parabolic and a Newton step
inside), end points and breakpoints (where a Piecewise payoff may jump) as
candidates, ties broken by ``game.tie_break``.  Simultaneous movers: iterated best
responses, confirmed by a round of global best responses.

``precise=True`` re-solves the path found with mpmath at 50 digits in the same
local regime (``polish.fill``), kept only if it moves no action or payoff by more
than PRECISE_RTOL (else the float answer stands).  ``foc_residual``/``soc_value``
give first/second derivatives of each interior mover's payoff along a path.

Accuracy: payoffs to about 1e-12 relative with two stages, 1e-9 with four; actions
of the outermost movers less (a payoff is flat at an interior maximum: an error
``e`` in the payoff moves the maximiser by about ``sqrt(e)`` at worst).  Compare
equilibria on payoffs (``verify.deviation``), not on actions alone.
"""
from __future__ import annotations

import mpmath as mp
import numpy as np

from .model import model
from .options import as_switches
from .polish import derivatives, fill, mpf, point_values
from .search import BREAK, NumericSolveError, Search

__all__ = ["solve_numeric", "solve_numeric_many", "foc_residual", "soc_value", "NumericSolveError"]

PRECISE_RTOL = 1e-6  # the mpmath polish may move actions/payoffs at most this much
KIND_NAMES = ["interior", "lower", "upper"]


def _columns(M, points):
    V = np.full((M.P + len(M.vars), len(points)), np.nan)
    for j, pt in enumerate(points):
        V[:M.P, j] = point_values(M, pt, float)
    return V


def solve_numeric_many(game, points, *, grid=None, refine=True) -> list:
    """``solve_numeric`` at several points at once (one vectorised search); a point whose
    game has no solution gives a NumericSolveError instance in its place."""
    game = as_switches(game)
    M = model(game)
    S = Search(M, grid, refine)
    V = _columns(M, points)
    try:
        W, K = S.solve(V)
        out = [_result(M, S, W[:, j:j + 1], K[:, j]) for j in range(len(points))]
        return [{k: v for k, v in r.items() if k != "_kinds"} for r in out]
    except NumericSolveError:
        if len(points) == 1:
            raise
    out = []
    for pt in points:  # one of them has no solution: find out which, point by point
        try:
            out.append(solve_numeric(game, pt, grid=grid, refine=refine))
        except NumericSolveError as e:
            out.append(e)
    return out


def _result(M, S, W, K):
    x = [float(v) for v in W[M.P:, 0]]
    pays = {pl: float(S.call(M.pay_np[pl], W)[0]) for pl in M.players}
    return {"strategies": {v.name: x[i] for i, v in enumerate(M.vars)}, "payoffs": pays,
            "kinds": {v.name: KIND_NAMES[k] if k < BREAK else "breakpoint" for v, k in zip(M.vars, K)},
            "_kinds": [int(k) for k in K]}


def solve_numeric(game, point: dict, *, grid=None, refine=True, precise=False) -> dict:
    """Subgame-perfect equilibrium at one parameter point by brute force.

    Returns ``{"strategies": {var_name: float}, "payoffs": {player: float},
    "kinds": {var_name: "interior"|"lower"|"upper"|"breakpoint"}}``.  ``grid`` caps
    the number of grid points per coordinate (default: set by the game's depth).
    A game with options is solved as its switch game (``options.py``).
    """
    game = as_switches(game)
    M = model(game)
    S = Search(M, grid, refine)
    W, K = S.solve(_columns(M, [point]))
    res = _result(M, S, W, K[:, 0])
    kinds = res.pop("_kinds")
    if precise:  # polish in the same regime; kept only if it confirms the float solution
        x, pays = [res["strategies"][v.name] for v in M.vars], res["payoffs"]
        with mp.workdps(50):
            try:
                pm = point_values(M, point, mpf)
                xm = fill(M, 0, [None] * len(x), kinds, x, pm)
                xp = [float(v) for v in xm]
                pp = {pl: float(M.pay_mp[pl](*pm, *xm)) for pl in M.players}
                if all(abs(a - b) <= PRECISE_RTOL * (1 + abs(b)) for a, b in
                       [*zip(xp, x), *((pp[pl], pays[pl]) for pl in pays)]):
                    res["strategies"] = {v.name: xp[i] for i, v in enumerate(M.vars)}
                    res["payoffs"] = pp
            except (ValueError, ArithmeticError, ZeroDivisionError):
                pass  # keep the float solution
    return res


def foc_residual(game, point, strategies, *, dps=50) -> dict:
    """d(mover's payoff)/d(own action) at each interior action, later stages re-solved; mpmath."""
    return derivatives(game, point, strategies, dps, 1)


def soc_value(game, point, strategies, *, dps=50) -> dict:
    """Second derivative of the mover's payoff in its own interior action (as foc_residual)."""
    return derivatives(game, point, strategies, dps, 2)
