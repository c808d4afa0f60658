"""Numeric certification of an unproven claim, the symbolic path's own sampler.

(The verifier, ``openeq/verify``, stays independent of the solver: nothing here is
shared with it.)  For a ``BestResponseCheck`` -- ``u(x) <= v`` for all ``x`` in the
mover's choice set, wherever the claim's bounds hold -- the sampler

1. draws ``DRAWS`` points at once: the parameters from their declared domains and
   the earlier choices from theirs (in stage order; their bounds may depend on earlier
   draws), with a ``numpy`` generator seeded by a CRC of the claim's text (uniform on
   a bounded interval with 4% at each closed end, log-uniform offsets ``10**U(-2,
   1.5)`` from a finite end of a half-line); a bound ``s == e`` on a symbol sets ``s``;
2. keeps the draws where the game's relations and the claim's bounds hold, first in
   floating point and then, for the first ``TARGET`` of them, again with mpmath at
   ``DPS`` digits;
3. at each kept point scans the choice set on a grid (``GRID`` points per variable:
   uniform on a bounded interval, geometric towards an infinite end) and evaluates
   the best grid points again with mpmath;
4. fails -- ``CertificationError`` naming the claim and the point -- if a grid point
   beats ``v`` by more than ``TOL * (1 + |v|)``.

The count of points checked is returned (0: none met the bounds; the claim stays
unproven).  Every cost is a count (draws, grid points), never a time.
"""
from __future__ import annotations

import zlib

import mpmath
import numpy as np
import sympy as sp

from openeq.core.roots import numeric

__all__ = ["certify", "CertificationError", "TARGET", "DRAWS", "DPS"]

TARGET = 48  # points checked per claim
DRAWS = 4000  # draws at most
GRID = 241  # grid points per choice variable
DPS = 30
TOL = mpmath.mpf(10) ** -9
_NP = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_MP = {"<": lambda d: d < 0, "<=": lambda d: d <= 0, ">": lambda d: d > 0, ">=": lambda d: d >= 0,
       "==": lambda d: abs(d) <= mpmath.mpf(10) ** (-DPS + 5)}


class CertificationError(ValueError):
    pass


def certify(claim, game) -> int:
    chk = claim.check
    if chk is None:
        return 0
    syms, fixed = _symbols(game, chk)
    tests = [(b.subject - b.bound, b.op) for b in chk.bounds if not (b.op == "==" and b.subject in fixed)]
    tests += [(r.lhs - r.rhs, r.rel_op) for r in game.relations]
    cols = _draw(game, syms, fixed, np.random.default_rng(zlib.crc32(claim.text.encode())))
    mask = np.ones(DRAWS, dtype=bool)
    with np.errstate(all="ignore"):
        for e, op in tests:
            d = _np(e, syms)(*[cols[s] for s in syms])
            d = np.broadcast_to(np.asarray(d, dtype=float), (DRAWS,))
            mask &= (np.abs(d) <= 1e-9) if op == "==" else _NP[op](d, 0.0)
    mp_tests = [(_mp(e, syms), op) for e, op in tests]
    checked = 0
    with mpmath.workdps(DPS):
        for k in np.flatnonzero(mask):
            if checked >= TARGET:
                break
            pt = {s: mpmath.mpf(float(cols[s][k])) for s in syms}
            if not all(_mp_holds(f, op, pt) for f, op in mp_tests):
                continue
            _check_point(claim, chk, syms, pt)
            checked += 1
    return checked


def _symbols(game, chk):
    """Parameters and earlier choices the claim depends on (draw order), and the
    bounds ``s == e`` that set a symbol."""
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
    free -= set(chk.domains)
    syms = [p.symbol for p in game.parameters.values()] + [v for v in game.variables if v in free and v not in chk.domains]
    fixed = {b.subject: b.bound for b in chk.bounds if b.op == "==" and b.subject in syms}
    return syms, fixed


def _draw(game, syms, fixed, rng):
    domains = {p.symbol: p.domain for p in game.parameters.values()}
    domains.update({v: d for v, (m, d) in game.variables.items()})
    cols = {}
    with np.errstate(all="ignore"):
        for s in syms:
            if s in fixed:
                continue
            d = domains[s]
            lo, hi = (_column(e, cols) for e in (d.lo, d.hi))
            cols[s] = _sample(lo, hi, d, rng)
        for s, e in fixed.items():
            cols[s] = _column(e, cols)
    return cols


def _column(e, cols):
    e = sp.sympify(e)
    if e in (sp.oo, -sp.oo):
        return np.full(DRAWS, float(e))
    args = sorted(e.free_symbols, key=lambda s: s.name)
    if not args:
        return np.full(DRAWS, float(e))
    if any(a not in cols for a in args):
        return np.full(DRAWS, np.nan)
    return np.broadcast_to(np.asarray(_np(e, args)(*[cols[a] for a in args]), dtype=float), (DRAWS,))


def _sample(lo, hi, d, rng):
    u, v = rng.random(DRAWS), rng.random(DRAWS)
    off = 10.0 ** rng.uniform(-2, 1.5, DRAWS)
    both = np.isfinite(lo) & np.isfinite(hi)
    x = np.where(both, lo + (hi - lo) * v, np.where(np.isfinite(lo), lo + off, np.where(np.isfinite(hi), hi - off,
                                                                                             rng.normal(0, 3, DRAWS))))
    if not d.lo_open:
        x = np.where((u < 0.04) & np.isfinite(lo), lo, x)
    if not d.hi_open:
        x = np.where((u > 0.96) & both, hi, x)
    return x


def _np(e, syms):
    return sp.lambdify(syms, numeric(e), "numpy")


def _mp(e, syms):
    return sp.lambdify(syms, numeric(e), "mpmath")


def _mp_value(f, pt):
    try:
        v = f(*pt.values())
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if isinstance(v, mpmath.mpc) or not mpmath.isfinite(v):
        return None
    return mpmath.mpf(v)


def _mp_holds(f, op, pt):
    v = _mp_value(f, pt)
    return v is not None and _MP[op](v)


def _grid(lo, hi):
    if np.isfinite(lo) and np.isfinite(hi):
        return np.linspace(lo, hi, GRID)
    steps = np.concatenate([[0.0], np.geomspace(1e-4, 1e6, GRID - 1)])
    if np.isfinite(lo):
        return lo + steps
    if np.isfinite(hi):
        return hi - steps
    return np.concatenate([-steps[::-1], steps[1:]])


def _check_point(claim, chk, syms, pt):
    xs = list(chk.domains)
    axes = []
    for x in xs:
        d = chk.domains[x]
        lo, hi = (_mp_value(_mp(e, syms), pt) if e not in (sp.oo, -sp.oo) else float(e) for e in (d.lo, d.hi))
        if lo is None or hi is None:
            return
        g = _grid(float(lo), float(hi))
        g = g[g > float(lo)] if d.lo_open else g
        axes.append(g[g < float(hi)] if d.hi_open else g)
    if len(xs) > 2:
        axes = [a[:: max(1, len(a) // 15)] for a in axes]
    mesh = [m.ravel() for m in np.meshgrid(*axes, indexing="ij")]
    vals = _payoff_numpy(chk, syms, pt, xs, mesh)
    v = _mp_value(_mp(chk.value, syms), pt)
    if v is None or not np.isfinite(vals).any():
        return
    for k in np.argsort(np.where(np.isfinite(vals), vals, -np.inf))[-5:]:
        at = {**pt, **{x: mpmath.mpf(float(m[k])) for x, m in zip(xs, mesh)}}
        u = _payoff_mp(chk, syms + xs, at)
        if u is not None and u > v + TOL * (1 + abs(v)):
            where = ", ".join(f"{s}={mpmath.nstr(val, 8)}" for s, val in at.items())
            raise CertificationError(f"{claim.text} fails at {where}: u = {mpmath.nstr(u, 12)} > {mpmath.nstr(v, 12)}")


def _payoff_numpy(chk, syms, pt, xs, mesh):
    n = len(mesh[0])
    out, done = np.full(n, np.nan), np.zeros(n, dtype=bool)
    args, vals = syms + xs, [float(pt[s]) for s in syms] + mesh
    with np.errstate(all="ignore"):
        for bounds, u in chk.pieces:
            mask = np.ones(n, dtype=bool)
            for b in bounds:
                d = np.broadcast_to(np.asarray(_np(b.subject - b.bound, args)(*vals), dtype=float), (n,))
                mask &= {"<": d < 0, "<=": d <= 1e-12, ">": d > 0, ">=": d >= -1e-12, "==": np.abs(d) <= 1e-9}[b.op]
            uv = np.broadcast_to(np.asarray(_np(u, args)(*vals), dtype=float), (n,))
            take = mask & ~done
            out[take] = uv[take]
            done |= mask
    return out


def _payoff_mp(chk, args, at):
    pt = {a: at[a] for a in args}
    for bounds, u in chk.pieces:
        if all(_mp_holds(_mp(b.subject - b.bound, args), b.op, pt) for b in bounds):
            return _mp_value(_mp(u, args), pt)
    return None
