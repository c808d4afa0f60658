"""Evaluation of an equilibrium at parameter points.

* ``evaluate(eq, point)`` -- one point, exact arithmetic (sympy Rationals for the
  inputs, 30-digit evaluation of the region conditions): strategies, payoffs and
  the label of the one region whose condition holds.
* ``Vectorized(eq)(columns)`` -- many points at once: every region's condition
  and closed forms are lambdified to numpy; each point takes the first region
  whose condition holds in floating point; a point that no region (or more than
  one) claims in floating point -- it sits on a boundary to within rounding -- is
  re-evaluated exactly.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import sympy as sp

__all__ = ["InputError", "check_point", "check_points", "evaluate", "Vectorized"]


class InputError(ValueError):
    """Bad parameter input; the message is one line naming the parameter."""


def check_point(game, point: dict, *, allow_extra=False) -> dict:
    """Validate ``point`` (name -> number or numeric string); returns name -> Rational."""
    out = {}
    unknown = [k for k in point if k not in game.parameters]
    if unknown and not allow_extra:
        raise InputError(f"unknown parameter {unknown[0]!r}; the parameters of {game.name} are {', '.join(game.parameters)}")
    for name, par in game.parameters.items():
        if name not in point:
            raise InputError(f"missing parameter {name!r}: expected {par.domain.expected()}")
        v = point[name]
        if isinstance(v, bool) or not isinstance(v, (numbers.Real, str)):
            raise InputError(f"parameter {name!r}: expected {par.domain.expected()}, got {v!r}")
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                raise InputError(f"parameter {name!r}: {point[name]!r} is not a number; expected {par.domain.expected()}") from None
        if not math.isfinite(v):
            raise InputError(f"parameter {name!r}: {point[name]!r} is not finite; expected {par.domain.expected()}")
        r = sp.Rational(repr(v)) if isinstance(v, float) else sp.Rational(v)
        if not par.domain.contains(r):
            raise InputError(f"parameter {name!r} = {point[name]}: outside its domain {par.domain}; expected {par.domain.expected()}")
        out[name] = r
    subs = {game.parameters[n].symbol: v for n, v in out.items()}
    for rel in game.relations:
        if not bool(rel.xreplace(subs)):
            raise InputError(f"parameters violate the assumption {rel}: " + ", ".join(f"{s}={subs[s]}" for s in sorted(rel.free_symbols, key=str)))
    return out


def check_points(game, points: list) -> dict:
    """Validate a list of points at numpy speed; returns name -> float array.

    The same checks as ``check_point`` (names, numbers, finite, domain, relations),
    done column-wise; the first bad point is reported by ``check_point`` itself.
    """
    names = list(game.parameters)
    bad = None
    for i, pt in enumerate(points):
        if not isinstance(pt, dict) or set(pt) != set(names) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in pt.values()
        ):
            bad = i
            break
    if bad is None:
        cols = {n: np.array([float(pt[n]) for pt in points]) for n in names}
        ok = np.ones(len(points), dtype=bool)
        for n, par in game.parameters.items():
            d, x = par.domain, cols[n]
            ok &= np.isfinite(x)
            if d.lo != -sp.oo:
                ok &= (x > float(d.lo)) if d.lo_open else (x >= float(d.lo))
            if d.hi != sp.oo:
                ok &= (x < float(d.hi)) if d.hi_open else (x <= float(d.hi))
        syms = [game.parameters[n].symbol for n in names]
        for rel in game.relations:
            f = sp.lambdify(syms, rel.lhs - rel.rhs, "numpy")
            gap = np.broadcast_to(np.asarray(f(*[cols[n] for n in names]), dtype=float), ok.shape)
            ok &= _CMP[_REL_OP[type(rel)]](gap, 0.0)
        if ok.all():
            return cols
        bad = int(np.argmin(ok))
    try:
        check_point(game, points[bad] if isinstance(points[bad], dict) else {})
    except InputError as e:
        raise InputError(f"point {bad}: {e}") from None
    raise InputError(f"point {bad}: parameters are at the edge of their domain or assumptions within rounding")


def evaluate(eq, point: dict, *, exact=False) -> dict:
    """Strategies, payoffs and regime at one point (floats unless ``exact``)."""
    game = eq.game
    vals = check_point(game, point)
    subs = {game.parameters[n].symbol: v for n, v in vals.items()}
    region = eq.region_at(subs)
    conv = (lambda e: e) if exact else (lambda e: float(sp.N(e, 30)))
    return {
        "strategies": {str(v): conv(e.xreplace(subs)) for v, e in region.strategies.items()},
        "payoffs": {p: conv(e.xreplace(subs)) for p, e in region.payoffs.items()},
        "regime": region.label,
    }


_REL_OP = {sp.StrictLessThan: "<", sp.LessThan: "<=", sp.StrictGreaterThan: ">", sp.GreaterThan: ">=", sp.Equality: "=="}
_CMP = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal}


class Vectorized:
    """Numpy evaluation of an equilibrium over columns of parameter values."""

    def __init__(self, eq):
        self.eq = eq
        self.game = eq.game
        self.names = list(self.game.parameters)
        self.symbols = [self.game.parameters[n].symbol for n in self.names]
        self.regions = []
        for r in eq.regions:
            conds = [(sp.lambdify(self.symbols, b.subject - b.bound, "numpy"), b.op) for b in r.bounds]
            strat = {str(v): sp.lambdify(self.symbols, e, "numpy") for v, e in r.strategies.items()}
            pay = {p: sp.lambdify(self.symbols, e, "numpy") for p, e in r.payoffs.items()}
            self.regions.append((r, conds, strat, pay))

    def region_index(self, cols):
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
                    mask &= _CMP[op](d, 0.0)
            hits += mask
            idx = np.where((idx < 0) & mask, k, idx)
        return idx, hits, args

    def __call__(self, cols: dict) -> dict:
        """``cols``: name -> array.  Returns {'regime': labels, 'region': index, 'strategies', 'payoffs'}."""
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
