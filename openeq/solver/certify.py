"""Numeric certification of an unproven claim, the symbolic path's own sampler.

(The verifier, ``openeq/verify``, stays independent of the solver: nothing here is
shared with it.)  For a ``BestResponseCheck`` -- ``u(x) <= v`` for all ``x`` in the
mover's choice set, wherever the claim's bounds hold -- the sampler

1. draws the parameters from their declared domains and the earlier choices from
   theirs (in stage order; bounds may depend on earlier draws) with a fixed-seed
   ``random.Random`` (seed: a CRC of the claim's text), keeping the draws where the
   game's relations and the claim's bounds hold, evaluated with mpmath at
   ``DPS`` digits; a bound ``s == e`` on a parameter sets ``s``;
2. at each of up to ``TARGET`` kept points, scans the choice set on a grid (numpy,
   ``GRID`` points per variable: uniform on a bounded interval, geometric towards an
   infinite end) and re-evaluates the best grid points with mpmath;
3. fails -- ``CertificationError`` naming the claim and the point -- if a grid point
   beats ``v`` by more than ``TOL * (1 + |v|)``.

The count of points checked is returned (0: none met the bounds; the claim stays
unproven).  At most ``DRAWS`` draws are made: the cost is a count, not a time.
"""
from __future__ import annotations

import random
import zlib

import mpmath
import numpy as np
import sympy as sp

__all__ = ["certify", "CertificationError", "TARGET", "DRAWS"]

TARGET = 48  # points checked per claim
DRAWS = 3000  # draws at most
GRID = 241  # grid points per choice variable
DPS = 30
TOL = mpmath.mpf(10) ** -9

_OPS = {"<": lambda d: d < 0, "<=": lambda d: d <= 0, ">": lambda d: d > 0, ">=": lambda d: d >= 0,
        "==": lambda d: abs(d) <= mpmath.mpf(10) ** (-DPS + 5)}


class CertificationError(ValueError):
    pass


def certify(claim, game) -> int:
    chk = claim.check
    if chk is None:
        return 0
    rnd = random.Random(zlib.crc32(claim.text.encode()))
    own = set(chk.domains)
    syms = _symbols(game, chk, own)
    fixed = {b.subject: b.bound for b in chk.bounds if b.op == "==" and b.subject in syms}
    tests = [(b.subject - b.bound, b.op) for b in chk.bounds if b.subject not in fixed or b.op != "=="]
    tests += [(r.lhs - r.rhs, r.rel_op) for r in game.relations]
    checked = 0
    with mpmath.workdps(DPS):
        for _ in range(DRAWS):
            if checked >= TARGET:
                break
            pt = _draw(game, syms, fixed, rnd)
            if pt is None or not all(_holds(e, op, pt) for e, op in tests):
                continue
            _check_point(claim, chk, pt)
            checked += 1
    return checked


def _symbols(game, chk, own):
    """Parameters and earlier choices the claim depends on, in draw order."""
    free = set()
    for b in chk.bounds:
        free |= b.free_symbols
    for bs, u in chk.pieces:
        free |= sp.sympify(u).free_symbols
        for b in bs:
            free |= b.free_symbols
    free |= sp.sympify(chk.value).free_symbols
    for d in chk.domains.values():
        free |= d.lo.free_symbols | d.hi.free_symbols
    free -= own
    params = [p.symbol for p in game.parameters.values()]
    later = [v for v in game.variables if v in free and v not in own]
    return params + later


def _draw(game, syms, fixed, rnd):
    pt = {}
    domains = {p.symbol: p.domain for p in game.parameters.values()}
    domains.update({v: d for v, (m, d) in game.variables.items()})
    for s in syms:
        if s in fixed:
            continue
        d = domains[s]
        lo, hi = (_num(e, pt) for e in (d.lo, d.hi))
        if lo is None or hi is None or lo > hi:
            return None
        pt[s] = _sample(lo, hi, d, rnd)
    for s, e in fixed.items():
        v = _num(e, pt)
        if v is None:
            return None
        pt[s] = v
    return pt


def _sample(lo, hi, d, rnd):
    u = rnd.random()
    if lo != -mpmath.inf and hi != mpmath.inf:
        if u < 0.04 and not d.lo_open:
            return lo
        if u > 0.96 and not d.hi_open:
            return hi
        return lo + (hi - lo) * mpmath.mpf(rnd.random())
    if lo != -mpmath.inf:
        return lo + mpmath.mpf(10) ** mpmath.mpf(rnd.uniform(-2, 1.5)) if u > 0.04 or d.lo_open else lo
    if hi != mpmath.inf:
        return hi - mpmath.mpf(10) ** mpmath.mpf(rnd.uniform(-2, 1.5))
    return mpmath.mpf(rnd.gauss(0, 3))


def _num(e, pt):
    e = sp.sympify(e)
    if e == sp.oo:
        return mpmath.inf
    if e == -sp.oo:
        return -mpmath.inf
    try:
        v = sp.lambdify(list(pt), e, "mpmath")(*pt.values()) if e.free_symbols else mpmath.mpf(sp.N(e, DPS))
        return mpmath.mpf(v) if mpmath.isfinite(v) and not isinstance(v, mpmath.mpc) else None
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _holds(e, op, pt):
    v = _num(e, pt)
    return v is not None and _OPS[op](v)


def _grid(lo, hi):
    if lo != -mpmath.inf and hi != mpmath.inf:
        return np.linspace(float(lo), float(hi), GRID)
    steps = np.concatenate([[0.0], np.geomspace(1e-4, 1e6, GRID - 1)])
    if lo != -mpmath.inf:
        return float(lo) + steps
    if hi != mpmath.inf:
        return float(hi) - steps
    return np.concatenate([-steps[::-1], steps[1:]])


def _check_point(claim, chk, pt):
    xs = list(chk.domains)
    axes = []
    for x in xs:
        d = chk.domains[x]
        lo, hi = _num(d.lo, pt), _num(d.hi, pt)
        if lo is None or hi is None:
            return
        g = _grid(lo, hi)
        g = g[g > float(lo)] if d.lo_open else g
        axes.append(g[g < float(hi)] if d.hi_open else g)
    if len(xs) > 2:
        axes = [a[:: max(1, len(a) // 15)] for a in axes]
    mesh = [m.ravel() for m in np.meshgrid(*axes, indexing="ij")]
    vals = _payoff_numpy(chk, pt, xs, mesh)
    if not np.isfinite(vals).any():
        return
    best = np.argsort(np.where(np.isfinite(vals), vals, -np.inf))[-5:]
    v = _num(chk.value, pt)
    if v is None:
        return
    for k in best:
        at = {**pt, **{x: mpmath.mpf(float(m[k])) for x, m in zip(xs, mesh)}}
        u = _payoff_mp(chk, at)
        if u is not None and u > v + TOL * (1 + abs(v)):
            where = ", ".join(f"{s}={mpmath.nstr(val, 8)}" for s, val in at.items())
            raise CertificationError(f"{claim.text} fails at {where}: u = {mpmath.nstr(u, 12)} > {mpmath.nstr(v, 12)}")


def _payoff_numpy(chk, pt, xs, mesh):
    n = len(mesh[0])
    out = np.full(n, np.nan)
    done = np.zeros(n, dtype=bool)
    args = list(pt) + xs
    vals = [float(v) for v in pt.values()] + mesh
    with np.errstate(all="ignore"):
        for bounds, u in chk.pieces:
            mask = np.ones(n, dtype=bool)
            for b in bounds:
                d = np.broadcast_to(np.asarray(sp.lambdify(args, b.subject - b.bound, "numpy")(*vals), dtype=float), (n,))
                mask &= {"<": d < 0, "<=": d <= 1e-12, ">": d > 0, ">=": d >= -1e-12, "==": np.abs(d) <= 1e-9}[b.op]
            uv = np.broadcast_to(np.asarray(sp.lambdify(args, u, "numpy")(*vals), dtype=float), (n,))
            take = mask & ~done
            out[take] = uv[take]
            done |= mask
    return out


def _payoff_mp(chk, at):
    for bounds, u in chk.pieces:
        if all(_holds(b.subject - b.bound, b.op, at) for b in bounds):
            return _num(u, at)
    return None
