"""Vectorised evaluation of an equilibrium over columns of parameter values.

``Vectorized(eq)(columns)``: every region's condition and closed forms are
lambdified to numpy; each point takes the first region whose condition holds in
floating point; a point that no region (or more than one) claims in floating
point -- it sits on a boundary to within rounding -- is re-evaluated exactly
(``openeq.evaluate.exact.evaluate``).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from openeq.core.relations import holds
from openeq.evaluate.exact import evaluate
from openeq.evaluate.lambdas import numpy_function

__all__ = ["Vectorized"]


class Vectorized:
    """Numpy evaluation of an equilibrium over columns of parameter values."""

    def __init__(self, eq):
        self.eq = eq
        self.game = eq.game
        self.names = list(self.game.parameters)
        self.symbols = [self.game.parameters[n].symbol for n in self.names]
        self.regions = []
        for r in eq.regions:
            conds = [(numpy_function(self.symbols, b.subject - b.bound), b.op) for b in r.bounds]
            strat = {str(v): numpy_function(self.symbols, e) for v, e in r.strategies.items()}
            pay = {p: numpy_function(self.symbols, e) for p, e in r.payoffs.items()}
            self.regions.append((r, conds, strat, pay))

    def region_index(self, cols):
        """(region index per point, -1 for none; hits per point; the argument arrays).  A
        condition that is 0/0 or overflows at a point holds nowhere there, silently."""
        with np.errstate(all="ignore"):
            return self._region_index(cols)

    def _region_index(self, cols):
        args = [np.asarray(cols[n], dtype=float) for n in self.names]
        n = np.broadcast(*args).size
        scale = np.ones(n)
        idx = np.full(n, -1)
        hits = np.zeros(n, dtype=int)
        for k, (_, conds, _, _) in enumerate(self.regions):
            mask = np.ones(n, dtype=bool)
            for f, op in conds:
                d = np.broadcast_to(np.asarray(f(*args), dtype=float), (n,))
                if op == "==":
                    mask &= np.abs(d) <= 1e-12 * scale
                else:
                    mask &= holds(d, op)
            hits += mask
            idx = np.where((idx < 0) & mask, k, idx)
        return idx, hits, args

    def __call__(self, cols: dict) -> dict:
        """``cols``: name -> array.  Returns {'regime': labels, 'region': index, 'strategies', 'payoffs'}.

        Overflow and 0/0 give inf and NaN silently; the callers refuse non-finite output."""
        with np.errstate(all="ignore"):
            return self._evaluate(cols)

    def _evaluate(self, cols: dict) -> dict:
        idx, hits, args = self.region_index(cols)
        n = idx.size
        strategies = {str(v): np.full(n, np.nan) for v in self.eq.regions[0].strategies}
        payoffs = {p: np.full(n, np.nan) for p in self.eq.regions[0].payoffs}
        for k, (_, _, strat, pay) in enumerate(self.regions):
            sel = idx == k
            if not sel.any():
                continue
            sub = [a[sel] if np.ndim(a) else a for a in np.broadcast_arrays(*args)]
            for v, f in strat.items():
                strategies[v][sel] = f(*sub)
            for p, f in pay.items():
                payoffs[p][sel] = f(*sub)
        doubtful = np.nonzero(hits != 1)[0]
        for i in doubtful:  # on a boundary to within rounding: decide exactly
            point = {nm: float(np.broadcast_to(a, (n,))[i]) for nm, a in zip(self.names, args)}
            res = evaluate(self.eq, point)
            idx[i] = next(k for k, r in enumerate(self.eq.regions) if r.label == res["regime"] and r.holds(
                {self.game.parameters[nm].symbol: sp.Rational(repr(v)) for nm, v in point.items()}))
            for v, x in res["strategies"].items():
                strategies[v][i] = x
            for p, x in res["payoffs"].items():
                payoffs[p][i] = x
        labels = np.array([r.label for r in self.eq.regions], dtype=object)
        return {"region": idx, "regime": labels[idx], "strategies": strategies, "payoffs": payoffs}
