"""Parameter points for the symbolic path's numeric certificates.

A sign the prover cannot prove is *certified* at sampled points; a figure needs a
typical point.  These points are drawn here, by a law of their own, and never by
the verifier's sampler (``openeq.verify.sampling``): a certificate and the
independent check must not share blind spots.

The law is a scrambled Halton sequence (low discrepancy, deterministic in
``seed``), one coordinate per parameter, mapped onto the parameter's domain
``D = [lo, hi]``:

* bounded ``D``: ``x = lo + (hi - lo) v``; the first and last 4 % of ``v`` snap to a
  closed end (``x = lo`` or ``x = hi``), so that corners are certified too;
* ``[lo, oo)``: ``x = lo + 10^(d (v - 1/2))`` (spread over ``d = decades``, four
  by default), with the first 4 % snapping to a closed ``lo``;
* ``(-oo, oo)``: ``x = sign * 10^(d (|2v - 1| - 1/2))``.

Relations among parameters (``a > c``) are met by filtering whole columns.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp

from openeq.core.relations import holds, op_of

__all__ = ["columns", "points", "satisfies", "typical_point"]

_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97)
SNAP = 0.04


def _radical_inverse(k: np.ndarray, base: int) -> np.ndarray:
    out, f = np.zeros(k.shape), 1.0 / base
    k = k.copy()
    while k.any():
        out += f * (k % base)
        k //= base
        f /= base
    return out


def _halton(n: int, dims: int, seed: int) -> np.ndarray:
    """``n`` points of the ``dims``-dimensional Halton sequence, rotated by ``seed`` (mod 1)."""
    if dims > len(_PRIMES):
        raise ValueError(f"at most {len(_PRIMES)} parameters can be sampled, got {dims}")
    k = np.arange(1, n + 1, dtype=np.int64)
    shift = np.random.default_rng(seed).random(dims)
    return np.column_stack([(_radical_inverse(k, b) + s) % 1.0 for b, s in zip(_PRIMES, shift)]) if dims else np.empty((n, 0))


def _map(dom, v: np.ndarray, decades: float) -> np.ndarray:
    lo, hi = float(dom.lo), float(dom.hi)
    if math.isinf(lo) and math.isinf(hi):
        return np.sign(v - 0.5) * 10.0 ** (decades * (np.abs(2 * v - 1) - 0.5))
    if math.isinf(hi):
        x = lo + 10.0 ** (decades * (v - 0.5))
        return np.where(v < SNAP, lo, x) if not dom.lo_open else x
    if math.isinf(lo):
        return hi - 10.0 ** (decades * (v - 0.5))
    x = lo + (hi - lo) * np.clip((v - SNAP) / (1 - 2 * SNAP), 0.0, 1.0)
    if not dom.lo_open:
        x = np.where(v < SNAP, lo, x)
    if not dom.hi_open:
        x = np.where(v > 1 - SNAP, hi, x)
    inside = np.ones(v.shape, dtype=bool)
    if dom.lo_open:
        inside &= x > lo
    if dom.hi_open:
        inside &= x < hi
    return np.where(inside, x, lo + (hi - lo) * v)


def _relations_mask(game, cols) -> np.ndarray:
    n = len(next(iter(cols.values()))) if cols else 0
    ok = np.ones(n, dtype=bool)
    syms = [p.symbol for p in game.parameters.values()]
    for rel in game.relations:
        f = sp.lambdify(syms, rel.lhs - rel.rhs, "numpy")
        with np.errstate(all="ignore"):
            d = np.broadcast_to(np.asarray(f(*[cols[k] for k in game.parameters]), dtype=float), (n,))
        ok &= holds(d, op_of(rel))
    return ok


def columns(game, n: int, seed: int = 0, decades: float = 4) -> dict:
    """Up to ``n`` points of the game's parameter space as columns (name -> float array);
    unbounded parameters spread over ``decades`` decades around 1."""
    names = list(game.parameters)
    want, draws = n, n
    for _ in range(6):
        u = _halton(draws, len(names), seed)
        cols = {k: _map(game.parameters[k].domain, u[:, i], decades) for i, k in enumerate(names)}
        ok = _relations_mask(game, cols)
        if ok.sum() >= want or draws >= 64 * n:
            return {k: v[ok][:want] for k, v in cols.items()}
        draws *= 4
    return {k: v[ok][:want] for k, v in cols.items()}


def points(game, n: int, seed: int = 0, decades: float = 4) -> list:
    """The same points as a list of dicts (name -> float)."""
    cols = columns(game, n, seed, decades)
    m = len(next(iter(cols.values()))) if cols else 0
    return [{k: float(v[i]) for k, v in cols.items()} for i in range(m)]


def satisfies(game, point) -> bool:
    """Whether ``point`` (name -> number) meets the game's relations (exactly, in rationals)."""
    subs = {game.parameters[k].symbol: sp.Rational(repr(v)) if isinstance(v, float) else sp.sympify(v)
            for k, v in point.items()}
    return all(bool(r.xreplace(subs)) for r in game.relations)


def typical_point(game) -> dict:
    """A point of round values inside the domains that meets the relations (for figures)."""
    typical = {}
    for k, p in game.parameters.items():
        lo, hi = p.domain.lo, p.domain.hi
        typical[k] = (float(lo) + 1.0 if lo != -sp.oo else 0.0) if hi == sp.oo else (float(lo) + float(hi)) / 2
    if satisfies(game, typical):
        return typical
    for k in game.parameters:  # raise one parameter until the relations hold (a > c: a = 2)
        for v in (2.0, 3.0, 5.0, 10.0):
            pt = dict(typical, **{k: v})
            if game.parameters[k].domain.contains(v) and satisfies(game, pt):
                return pt
    for pt in points(game, 200, seed=0):
        pt = {k: round(v, 1) for k, v in pt.items()}
        if all(game.parameters[k].domain.contains(v) for k, v in pt.items()) and satisfies(game, pt):
            return pt
    raise ValueError(f"no typical point found for {game.name}")
