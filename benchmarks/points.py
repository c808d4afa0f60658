"""Random parameter points filling a game's declared domains (vectorised).

Each parameter is drawn from a continuous law on its domain, so a point sits
exactly on a region boundary with probability zero:

* a bounded interval ``(lo, hi)`` or ``[lo, hi]``: uniform;
* a half-line ``lo .. oo``: ``lo + 10**U(-2, 2)`` (four decades around 1);
* the real line: normal with standard deviation 5.

Relations among parameters (``a > c``) are met by rejection.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp

__all__ = ["random_columns"]


def _draw(dom, rng, n):
    lo, hi = float(dom.lo), float(dom.hi)
    if math.isinf(lo) and math.isinf(hi):
        return rng.normal(0.0, 5.0, n)
    if math.isinf(hi):
        return lo + 10.0 ** rng.uniform(-2.0, 2.0, n)
    if math.isinf(lo):
        return hi - 10.0 ** rng.uniform(-2.0, 2.0, n)
    x = rng.uniform(lo, hi, n)
    if dom.lo_open:  # uniform() may return lo itself
        x = np.where(x <= lo, np.nextafter(lo, hi), x)
    return x


def random_columns(game, n: int, seed: int = 0) -> dict:
    """name -> float array of ``n`` points inside the game's domains and relations."""
    rng = np.random.default_rng(seed)
    names = list(game.parameters)
    syms = [game.parameters[k].symbol for k in names]
    checks = [sp.lambdify(syms, rel, "numpy") for rel in game.relations]
    cols = {k: np.empty(0) for k in names}
    have = 0
    for _ in range(1000):
        m = max(2 * (n - have), 16)
        draw = {k: _draw(game.parameters[k].domain, rng, m) for k in names}
        ok = np.ones(m, dtype=bool)
        for f in checks:
            ok &= np.broadcast_to(np.asarray(f(*[draw[k] for k in names]), dtype=bool), (m,))
        take = np.flatnonzero(ok)[: n - have]
        cols = {k: np.concatenate([cols[k], draw[k][take]]) for k in names}
        have += take.size
        if have >= n:
            return cols
    raise ValueError(f"could not draw {n} points satisfying {game.relations}")
