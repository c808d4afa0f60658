"""The mpmath polish of a brute-force solution, and derivatives along it.

Given a *regime* (each variable's kind: interior, at its lower or upper bound, at a
breakpoint) and a float solution, ``fill`` re-solves stages ``k..K`` at ``mp.mp.dps``
digits in that regime: a bound or a direct breakpoint is evaluated exactly, an
indirect breakpoint is a ``findroot`` of its ``lhs - rhs`` along the solution path,
and the interior variables of a stage solve the joint first-order conditions
``d u_owner / d x = 0`` (``mpmath.diff``, later stages re-solved inside) by
``findroot`` from the float solution.  ``derivatives`` gives the first or second
derivative of each interior mover's payoff in its own action along that path.
"""
from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from .model import model
from .refine import BREAK, INTERIOR, LOWER, UPPER

__all__ = ["fill", "best_replies", "mpf", "point_values", "derivatives", "classify_point"]


def mpf(v):
    if isinstance(v, sp.Basic):
        return mp.mpf(str(sp.N(v, mp.mp.dps + 10)))
    return mp.mpf(v)


def point_values(M, point, conv):
    missing = [n for n in M.param_names if n not in point]
    if missing:
        raise KeyError(f"parameter point lacks values for {missing}")
    return [conv(point[n]) for n in M.param_names]


def _args(pm, vals, start):
    return [*pm, *(mp.mpf(s) if v is None else v for v, s in zip(vals, start))]


def _put(vals, idx, xs):
    out = list(vals)
    for i, x in zip(idx, xs):
        out[i] = x
    return out


def fill(M, k, vals, kinds, start, pm):
    """Values of all variables when stages >= k play the regime ``kinds`` (mpmath)."""
    if k == len(M.stages):
        return vals
    idx, vals = M.stage_vars[k], list(vals)
    for i in idx:
        info, kd = M.info[i], kinds[i]
        if kd == LOWER:
            vals[i] = info.lo_mp(*_args(pm, vals, start))
        elif kd == UPPER:
            vals[i] = info.hi_mp(*_args(pm, vals, start))
        elif kd >= BREAK:
            bp = info.breaks[kd - BREAK]
            if bp.direct_mp is not None:
                vals[i] = mp.mpf(bp.direct_mp(*_args(pm, vals, start)))
            else:
                def h(t, i=i, bp=bp):
                    w = fill(M, k + 1, _put(vals, [i], [t]), kinds, start, pm)
                    return bp.h_mp(*_args(pm, w, start))
                vals[i] = mp.findroot(h, mp.mpf(start[i]))
    inter = [i for i in idx if kinds[i] == INTERIOR]
    if inter:
        def foc(*xs):
            out = []
            for q, i in enumerate(inter):
                def g(t, q=q, i=i):
                    w = _put(vals, inter, [t if r == q else xs[r] for r in range(len(inter))])
                    w = fill(M, k + 1, w, kinds, start, pm)
                    return M.pay_mp[M.info[i].owner](*_args(pm, w, start))
                out.append(mp.diff(g, xs[q]))
            return out if len(out) > 1 else out[0]
        x0 = [mp.mpf(start[i]) for i in inter]
        sol = mp.findroot(foc, x0 if len(x0) > 1 else x0[0])
        vals = _put(vals, inter, [sol[q] for q in range(len(inter))] if len(inter) > 1 else [sol])
    return fill(M, k + 1, vals, kinds, start, pm)


def _inside(M, i, w, start, pm):
    info, x = M.info[i], w[i]
    args = _args(pm, w, start)
    return ((not info.lo_fin or x >= info.lo_mp(*args)) and (not info.hi_fin or x <= info.hi_mp(*args)))


def best_replies(M, k, vals, kinds, start, pm):
    """``fill(M, k + 1, ...)``, with every later variable the regime puts at a bound of its
    box also tried interior (one at a time, in order): the interior solution replaces
    the corner where it lies in the box and its owner's payoff is higher there by more
    than the working precision."""
    best = fill(M, k + 1, vals, kinds, start, pm)
    eps = mp.mpf(10) ** (-(mp.mp.dps * 2) // 3)
    for i in [i for s in range(k + 1, len(M.stages)) for i in M.stage_vars[s] if kinds[i] in (LOWER, UPPER)]:
        alt = [INTERIOR if j == i else c for j, c in enumerate(kinds)]
        try:
            w = fill(M, k + 1, vals, alt, start, pm)
            if not _inside(M, i, w, start, pm):
                continue
            pay = M.pay_mp[M.info[i].owner]
            now = pay(*pm, *best)
            if pay(*pm, *w) - now > eps * (1 + abs(now)):
                best, kinds = w, alt
        except (ValueError, ArithmeticError, ZeroDivisionError, TypeError):
            continue
    return best


def classify_point(M, pv, x):
    """Kind of each action in ``x`` (floats): at a bound, at a breakpoint, or interior."""
    V = np.array([*pv, *x], dtype=float)[:, None]
    kinds = []
    with np.errstate(all="ignore"):
        for i, info in enumerate(M.info):
            tol = 1e-9 * (1 + abs(x[i]))
            call = lambda f: float(np.asarray(f(*V)).ravel()[0])  # noqa: E731
            kind = INTERIOR
            if info.lo_fin and abs(x[i] - call(info.lo_np)) <= tol:
                kind = LOWER
            elif info.hi_fin and abs(x[i] - call(info.hi_np)) <= tol:
                kind = UPPER
            else:
                for j, bp in enumerate(info.breaks):
                    r = x[i] - call(bp.direct_np) if bp.direct_np is not None else call(bp.h_np)
                    if abs(r) <= tol:
                        kind = BREAK + j
                        break
            kinds.append(kind)
    return kinds


def derivatives(game, point, strategies, dps, order):
    """d^order u_owner / d x^order at each interior action, later stages re-solved (mpmath)."""
    M = model(game)
    pv = point_values(M, point, float)
    start = [float(strategies[v.name]) for v in M.vars]
    kinds = classify_point(M, pv, start)
    out = {}
    with mp.workdps(dps):
        pm = point_values(M, point, mpf)
        exact = [mpf(strategies[v.name]) for v in M.vars]
        for i, v in enumerate(M.vars):
            if kinds[i] != INTERIOR:
                continue
            k = M.stage_of[i]
            base = [exact[j] if M.stage_of[j] <= k else None for j in range(len(M.vars))]

            def g(t, i=i, k=k, base=base):
                w = fill(M, k + 1, _put(base, [i], [t]), kinds, start, pm)
                return M.pay_mp[M.info[i].owner](*_args(pm, w, start))
            out[v.name] = float(mp.diff(g, exact[i], order))
    return out
