"""Is a claimed equilibrium path subgame perfect at a point?  One-shot deviations, by brute force.

Definitions.  At a parameter point ``theta`` let ``x* = (x*_1, ..., x*_K)`` be the
claimed path (every variable's value) and ``U`` the claimed payoffs.  For each move
(player ``i`` choosing ``y`` at stage ``k``):

* ``e_i = u_i(theta, x*)``: the mover's payoff on the claimed path;
* ``b_i = max_y u_i(theta, x*_{<k}, y, x*_{k,-i}, s_{k+1}(...))``: the best the brute
  force finds (``search``: global over the box of ``y``, the other movers of stage
  ``k`` held at ``x*``, the later stages ``s_{k+1}`` solved by brute force; grids the
  size of a solve of the whole game), with argmax ``y_b``.

The path *passes* when every ``x*_i`` lies in its box and meets its move's
constraints (``model.py``: a constraint of one variable narrows the box), every claimed payoff equals
``u(theta, x*)`` to ``PAYOFF_TOL*(1+|u|)``, and ``b_i <= e_i + tol_i`` for every move.
Stage by stage this is the one-shot deviation principle: stage ``k``'s check asks
whether ``y*`` is a best response to the later stages' play, and the later stages'
own checks (at the claimed path) ask whether ``x*_{>k}`` is that play.  Payoffs are
compared, not actions, so a flat optimum or a tie (several maximisers) never fails;
actions are compared only to report ``"tie"`` (the claim passes and some ``y*``
differs from ``y_b`` by more than ``STRATEGY_TOL*(1+|y|)``: the maximiser is not
unique to that tolerance) instead of ``"agree"``.

Tolerance.  ``b_i`` carries the rounding of the nested numeric solutions:
``noise_i = |b_i - b'_i|``, where ``b'_i`` re-solves the later stages at ``y_b`` with a
grid of another size, and ``tol_i = max(FLOAT_RTOL*(1+|e_i|), NOISE_FACTOR*noise_i)``.
A point where ``b_i - e_i`` exceeds ``tol_i`` is re-valued in mpmath
(``polish.fill``: the later stages re-solved at ``MP_DPS`` digits in the regime the
brute force found at ``y_b``, and ``e_i`` from ``x*`` exactly); it fails only if that
confirms ``b_i - e_i > MP_RTOL*(1+|e_i|)`` (or, where the polish does not converge,
if the float excess exceeds ``tol_i``).  A later mover whom the brute force put at a
bound of its box is also tried interior (``polish.best_replies``): where its own
payoff is higher there in mpmath, that is its reply.  A float grid cannot tell such a
mover's corner from an interior optimum a rounding away (a follower whose payoff is
flat to 1e-11 near its bound, or whose reply vanishes at a kink of the leader's
payoff), and the leader's payoff can be far more sensitive to the difference than
the follower's.

Options.  A game with options is checked as its switch game (``options.py``).  The
brute force decides a later mover's switch (play or take an option) from float
values, and the polish keeps that decision, so a deviation to within rounding of a
later mover's switching boundary may see the switch on the wrong side; there
``FLOAT_RTOL`` is replaced by ``SWITCH_RTOL`` (1e-7, relative): a gain below it is
read as a tie at the boundary.  Gains from a wrong closed form are far larger.  A point where the brute force finds no
solution fails with the reason.
"""
from __future__ import annotations

import mpmath as mp
import numpy as np

from .model import MASK_TOL, model
from .polish import best_replies, mpf, point_values
from .search import NumericSolveError, Search

__all__ = ["check_paths", "PAYOFF_TOL", "STRATEGY_TOL"]

PAYOFF_TOL, STRATEGY_TOL = 1e-9, 1e-4
FLOAT_RTOL, NOISE_FACTOR, MP_RTOL, MP_DPS = 1e-10, 10.0, 1e-12, 30
SWITCH_RTOL = 1e-7  # games with options: see the module docstring
BOX_RTOL = 1e-9


def check_paths(game, points, paths, payoffs) -> list:
    """``(ok, detail)`` for each point: ``paths[j]`` maps every variable to its claimed value,
    ``payoffs[j]`` every player to the claimed payoff.  A game with options is checked
    as its switch game (``options.py``), the alternative taken read off the claim."""
    if any(m.options for m in game.moves):
        from .options import as_switches, switched_paths

        sgame = as_switches(game)
        paths, game = switched_paths(game, sgame, points, paths, payoffs, PAYOFF_TOL), sgame
        rtol = SWITCH_RTOL
    else:
        rtol = FLOAT_RTOL
    M = model(game)
    V = np.full((M.P + len(M.vars), len(points)), np.nan)
    for j, (pt, x) in enumerate(zip(points, paths)):
        V[:M.P, j] = point_values(M, pt, float)
        V[M.P:, j] = [float(x[v.name]) for v in M.vars]
    out = [None] * len(points)
    S = Search(M)
    _claims(M, S, V, payoffs, out)
    for k, moves in enumerate(M.stages):
        for mv in moves:
            todo = [j for j in range(len(points)) if out[j] is None or out[j][0]]
            if todo:
                _check_move(M, S, k, mv, V, np.array(todo), points, out, rtol)
    return [(True, "agree") if o is None else o for o in out]


def _claims(M, S, V, payoffs, out):
    """The claimed payoffs are the payoffs at the claimed path; the actions lie in their boxes."""
    for pl in M.players:
        u = S.call(M.pay_np[pl], V)
        for j, claim in enumerate(payoffs):
            if out[j] is None and not abs(claim[pl] - u[j]) <= PAYOFF_TOL * (1 + abs(u[j])):
                out[j] = (False, f"claimed payoff of {pl} is {float(claim[pl])!r} but its payoff at the "
                                 f"claimed strategies is {float(u[j])!r}")
    for i, info in enumerate(M.info):
        x = V[M.P + i]
        lo = S.call(info.lo_np, V) if info.lo_fin else np.full_like(x, -np.inf)
        hi = S.call(info.hi_np, V) if info.hi_fin else np.full_like(x, np.inf)
        slack = BOX_RTOL * (1 + np.abs(x))
        for j in np.nonzero(~((x >= lo - slack) & (x <= hi + slack)))[0]:
            if out[j] is None:
                out[j] = (False, f"{info.name} = {float(x[j])!r} lies outside its box "
                                 f"[{float(lo[j])!r}, {float(hi[j])!r}]")
    for mv in (mv for moves in M.stages for mv in moves):
        for h, scale, name in mv.masks:  # constraints in several variables
            with np.errstate(all="ignore"):
                v, sc = S.call(h, V), np.abs(S.call(scale, V))
            for j in np.nonzero(~(v >= -MASK_TOL * (1 + sc)))[0]:
                if out[j] is None:
                    out[j] = (False, f"the claimed strategies violate {mv.player}'s constraint {name} "
                                     f"(by {float(-v[j])!r})")


def _check_move(M, S, k, mv, V, todo, points, out, rtol=FLOAT_RTOL):
    Vt = V[:, todo]
    try:
        W, K = S.solve(Vt, k, mv, grid_from=0)
    except NumericSolveError:
        W, K = _one_by_one(S, k, mv, Vt, todo, out)
    pay = M.pay_np[mv.player]
    e, b = S.call(pay, Vt), S.call(pay, W)
    noise = _noise(M, S, k, mv, W)
    tol = np.maximum(rtol * (1 + np.abs(e)), NOISE_FACTOR * noise)
    for q, j in enumerate(todo):
        if out[j] is not None and not out[j][0]:
            continue
        if not np.isfinite(b[q]):
            out[j] = out[j] or (False, f"brute force found no solution for {mv.player}'s move at stage {k + 1}")
            continue
        if b[q] - e[q] > tol[q] and not _polish_clears(M, k, mv, points[j], Vt[:, q], W[:, q], K[:, q]):
            names = [M.vars[i].name for i in mv.idx]
            out[j] = (False, f"stage {k + 1}: {mv.player} gains by deviating from "
                             f"{_fmt(names, Vt[mv.rows, q])} to {_fmt(names, W[mv.rows, q])}: payoff "
                             f"{float(b[q])!r} instead of {float(e[q])!r} (tolerance {tol[q]:.2g})")
            continue
        same = np.all(np.abs(W[mv.rows, q] - Vt[mv.rows, q]) <= STRATEGY_TOL * (1 + np.abs(Vt[mv.rows, q])))
        if not same:
            out[j] = (True, "tie")


def _one_by_one(S, k, mv, Vt, todo, out):
    """The batch has a point without a brute-force solution: solve point by point."""
    W = np.full_like(Vt, np.nan)
    K = np.zeros((len(S.M.vars), Vt.shape[1]), dtype=np.int16)
    for q, j in enumerate(todo):
        try:
            W[:, q:q + 1], K[:, q:q + 1] = S.solve(Vt[:, q:q + 1], k, mv, grid_from=0)
        except NumericSolveError as exc:
            out[j] = (False, f"brute force found no equilibrium at stage {k + 1} ({mv.player}): {exc}")
    return W, K


def _noise(M, S, k, mv, W):
    """|b - b'|: the deviation's payoff with the later stages re-solved on another grid."""
    if k + 1 == len(M.stages):
        return np.zeros(W.shape[1])
    S2 = Search(M)
    S2.set_grid(0)
    S2.m += 2
    V2 = W.copy()
    V2[M.P + np.array([i for s in range(k + 1, len(M.stages)) for i in M.stage_vars[s]])] = np.nan
    known = list(range(M.P)) + [M.P + i for s in range(k + 1) for i in M.stage_vars[s]]
    ok = np.all(np.isfinite(V2[known]), axis=0)
    out = np.zeros(W.shape[1])
    if ok.any():
        try:
            W2 = S2.solve_from(k + 1, V2[:, ok], False)[0]
        except NumericSolveError:
            return out
        pay = M.pay_np[mv.player]
        out[ok] = np.abs(S.call(pay, W[:, ok]) - S.call(pay, W2))
    return np.where(np.isfinite(out), out, 0.0)


def _polish_clears(M, k, mv, point, v_claim, w_dev, kinds):
    """mpmath: the deviation's exact payoff does not exceed the claimed path's by MP_RTOL."""
    with mp.workdps(MP_DPS):
        try:
            pm = point_values(M, point, mpf)
            xs = [float(x) for x in w_dev[M.P:]]
            vals = [mp.mpf(x) if M.stage_of[i] <= k else None for i, x in enumerate(xs)]
            vals = best_replies(M, k, vals, [int(c) for c in kinds], xs, pm)
            b = M.pay_mp[mv.player](*pm, *vals)
            e = M.pay_mp[mv.player](*pm, *[mp.mpf(float(x)) for x in v_claim[M.P:]])
            return bool(b - e <= MP_RTOL * (1 + abs(e)))
        except (ValueError, ArithmeticError, ZeroDivisionError, TypeError):
            return False


def _fmt(names, xs):
    return ", ".join(f"{n}={x:.9g}" for n, x in zip(names, xs))
