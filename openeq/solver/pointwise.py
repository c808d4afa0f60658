r"""The subgame-perfect equilibrium derived afresh at each parameter point.

Some games have a closed form in the parameters that costs too much to derive, or none
at all (an optimum at a root of a cubic whose coefficients are parameters).  At a point
:math:`\theta \in \Theta`, though, the *fixed game* :math:`G(\theta)`
(``openeq.core.transform.fix``) has no parameters.  Its SPE is derived by the same
backward induction, with the parameter values as exact rationals (a float ``x`` is read
as the decimal it prints as, ``Rational(repr(x))``), and has one region.  The region's
strategies and payoffs are exact numbers: rationals, radicals, or certified roots
(``openeq.core.roots``: the k-th real root of an irreducible rational polynomial, isolated
by exact arithmetic).  Its status is the fixed game's: ``proved``, or a claim certified
by sampling that is named on the region.

:class:`PointwiseEquilibrium` holds the parametric game and derives the fixed game's
equilibrium at each point it is asked about (the last ``MEMO_POINTS`` are kept).  It answers what the
evaluation and the verifier ask of an equilibrium: the strategies, payoffs and regime
at a point (``evaluate``), and the compiled kernel's columns (``run``).  A point at
which the engine refuses is an error that names the point and the reason; it is never
an answer.

A model file asks for this with ``solve = "per point"``; ``openeq solve MODEL
name=value ...`` fixes some or all parameters of any model.
"""
from __future__ import annotations

import numbers

import numpy as np
import sympy as sp

from openeq.core.errors import OpeneqError
from openeq.core.transform import fix
from openeq.solver.backward import solve

__all__ = ["PointwiseEquilibrium", "PointwiseError", "exact_point", "MEMO_POINTS"]

MEMO_POINTS = 256  # equilibria kept per PointwiseEquilibrium (about 0.2 MB each)


class PointwiseError(OpeneqError):
    """The engine refused the fixed game at a point (the message names the point)."""


def exact_point(game, point: dict) -> dict:
    """``point`` (name or Symbol -> finite real number) as name -> Rational: a float is the
    decimal it prints as (``0.1`` is ``1/10``).  Domains are checked by the fixed game."""
    point = {str(k): v for k, v in point.items()}
    unknown = [k for k in point if k not in game.parameters]
    missing = [n for n in game.parameters if n not in point]
    if unknown or missing:
        raise PointwiseError(f"unknown parameter {unknown[0]!r}" if unknown else f"missing parameter {missing[0]!r}")
    out = {}
    for name in game.parameters:
        v = point[name]
        if isinstance(v, bool) or not isinstance(v, (numbers.Real, sp.Rational)) or \
                (isinstance(v, (float, np.floating)) and not np.isfinite(v)):
            raise PointwiseError(f"parameter {name!r}: expected a finite number, got {v!r}")
        out[name] = sp.Rational(repr(float(v))) if isinstance(v, (float, np.floating)) else sp.Rational(int(v)) \
            if isinstance(v, np.integer) else sp.Rational(v)
    return out


def _at_text(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


class PointwiseEquilibrium:
    """The SPE of ``game``, derived at each point as the SPE of the fixed game."""

    pointwise = True

    def __init__(self, game):
        self.game = game
        self.variables = [v for m in game.moves for v in m.variables]
        self.players = list(game.payoffs)
        self.labels: list = []  # regime labels in order of first appearance (grows)
        self.progress = None  # a progress bar (openeq.core.progress.bar), advanced per point by run()
        self._memo: dict = {}

    def at(self, point: dict):
        """The equilibrium (one region) of the game fixed at ``point``."""
        values = exact_point(self.game, point)
        key = tuple(values.values())
        if key not in self._memo:
            try:
                eq = solve(fix(self.game, **values))
            except OpeneqError as e:
                raise PointwiseError(f"at {_at_text(values)}: {e}") from None
            if len(self._memo) >= MEMO_POINTS:  # bounded memory over a big batch: the oldest goes
                del self._memo[next(iter(self._memo))]
            self._memo[key] = eq
        return self._memo[key]

    def region_at(self, point: dict):
        (region,) = self.at(point).regions
        return region

    def evaluate(self, point: dict, *, exact=False) -> dict:
        """Strategies, payoffs and regime at ``point`` (floats unless ``exact``), as
        ``openeq.evaluate.exact.evaluate`` gives them for a symbolic equilibrium."""
        region = self.region_at(point)
        conv = (lambda e: e) if exact else (lambda e: float(sp.N(e, 30)))
        return {"strategies": {str(v): conv(region.strategies[v]) for v in self.variables},
                "payoffs": {p: conv(region.payoffs[p]) for p in self.players},
                "regime": region.label}

    def run(self, cols: dict) -> dict:
        """The compiled kernel's answer over columns of points: strategies and payoffs
        (float arrays) and ``region`` (indices into ``self.labels``)."""
        names = list(self.game.parameters)
        n = len(next(iter(cols.values()))) if cols else 1
        out = {"strategies": {str(v): np.empty(n) for v in self.variables},
               "payoffs": {p: np.empty(n) for p in self.players}, "region": np.empty(n, dtype=np.int64)}
        for i in range(n):
            res = self.evaluate({k: float(cols[k][i]) for k in names})
            for v, x in res["strategies"].items():
                out["strategies"][v][i] = x
            for p, x in res["payoffs"].items():
                out["payoffs"][p][i] = x
            if res["regime"] not in self.labels:
                self.labels.append(res["regime"])
            out["region"][i] = self.labels.index(res["regime"])
            if self.progress is not None:
                self.progress.update(1)
        return out
