"""A generic numeric backward induction with scipy: the baseline the closed forms beat.

For a two-stage game with one choice variable per stage (the leader's ``x``,
then the follower's ``y``), at each parameter point:

* the follower's best response ``y*(x)``: ``scipy.optimize.minimize_scalar``
  (``method="bounded"``) of ``-u_follower(x, y)`` over its domain, polished by
  two Newton steps on central differences at an interior optimum; an infinite
  upper end becomes ``lo + W``, ``W`` widened tenfold while the optimum sits at
  ``lo + W``;
* the leader: the same bounded search of ``-u_leader(x, y*(x))`` over its
  domain.  A Piecewise condition in the leader's payoff (``omega < theta``: the
  penalty) makes it jump at a breakpoint ``x = b``; the search then runs on each
  side of every breakpoint, and the breakpoints and domain ends are also
  evaluated exactly and compared (a jump's better side can be the breakpoint
  itself, which no search over an open piece attains).  Ties (within
  ``TIE_RTOL``) go to the larger action (``tie_break = "max"``) or the smaller.

Nothing symbolic is solved: the payoffs are only lambdified (``math`` module).
"""
from __future__ import annotations

import math

import sympy as sp
from scipy.optimize import minimize_scalar

__all__ = ["NumericBI", "UnsupportedGame"]

XATOL = 1e-10  # absolute tolerance of each bounded search
TIE_RTOL = 1e-12


class UnsupportedGame(ValueError):
    pass


def _bounded_max(f, lo, hi):
    """argmax of f on [lo, hi]: bounded Brent (minimising -f), then polished."""
    if hi <= lo:
        return lo
    res = minimize_scalar(lambda z: -f(z), bounds=(lo, hi), method="bounded", options={"xatol": XATOL, "maxiter": 500})
    return _polish(f, float(res.x), lo, hi)


def _polish(f, x, lo, hi, steps=2):
    """Newton steps on central differences at an interior maximum.

    Brent stops at ``sqrt(eps)`` relative accuracy in ``x``; a nested problem then
    sees that error as noise in the outer objective (~1e-8), which a flat outer
    maximum turns into ~1e-4 in the outer choice.  Two Newton steps on a smooth
    (here quadratic) objective bring ``x`` to ~1e-12."""
    for _ in range(steps):
        h = 1e-4 * (1.0 + abs(x))
        if x - h <= lo or x + h >= hi:  # at (or next to) an end: Brent's answer stands
            return x
        f0, fp, fm = f(x), f(x + h), f(x - h)
        d2 = (fp - 2.0 * f0 + fm) / (h * h)
        if not d2 < 0.0:
            return x
        nx = x - (fp - fm) / (2.0 * h) / d2
        if not (lo <= nx <= hi and abs(nx - x) <= 10.0 * h) or f(nx) < f0 - 1e-13 * (1.0 + abs(f0)):
            return x
        x = nx
    return x


class NumericBI:
    """Numeric subgame-perfect equilibrium of a two-stage, one-variable-per-stage game."""

    def __init__(self, game):
        game.validate()
        stages = game.stages
        if len(stages) != 2 or any(len(game.moves_at(s)) != 1 for s in stages):
            raise UnsupportedGame("the numeric baseline handles two stages with one mover each")
        lead, follow = game.moves_at(stages[0])[0], game.moves_at(stages[1])[0]
        if len(lead.variables) != 1 or len(follow.variables) != 1:
            raise UnsupportedGame("the numeric baseline handles one choice variable per stage")
        self.game = game
        self.names = list(game.parameters)
        params = [game.parameters[n].symbol for n in self.names]
        (self.x, xdom), = lead.variables.items()
        (self.y, ydom), = follow.variables.items()
        args = params + [self.x, self.y]
        self.u_lead = sp.lambdify(args, game.payoffs[lead.player], "math")
        self.u_follow = sp.lambdify(args, game.payoffs[follow.player], "math")
        self.x_lo = sp.lambdify(params, xdom.lo, "math")
        self.x_hi = sp.lambdify(params, xdom.hi, "math")
        if xdom.lo.is_infinite or xdom.hi.is_infinite:
            raise UnsupportedGame("the leader's domain must be bounded")
        self.y_lo = sp.lambdify(params + [self.x], ydom.lo, "math")
        self.y_hi = None if ydom.hi == sp.oo else sp.lambdify(params + [self.x], ydom.hi, "math")
        if ydom.lo.is_infinite:
            raise UnsupportedGame("the follower's domain needs a finite lower end")
        self.tie = game.tie_break.get(lead.player, "max")
        # breakpoints: where a condition on x in the leader's payoff flips
        self.breaks = []
        for atom in sp.sympify(game.payoffs[lead.player]).atoms(sp.core.relational.Relational):
            if self.x not in atom.free_symbols:
                continue
            sols = sp.solve(sp.Eq(atom.lhs, atom.rhs), self.x)
            for s in sols:
                if self.y in s.free_symbols:
                    raise UnsupportedGame("a breakpoint of the leader that depends on the follower's choice")
                self.breaks.append(sp.lambdify(params, s, "math"))

    def follower(self, pv, x):
        lo = self.y_lo(*pv, x)
        f = lambda y: self.u_follow(*pv, x, y)  # noqa: E731
        if self.y_hi is not None:
            return _bounded_max(f, lo, self.y_hi(*pv, x))
        width = 1.0 + abs(lo)
        for _ in range(40):
            y = _bounded_max(f, lo, lo + width)
            if y < lo + width * (1 - 1e-6):
                return y
            width *= 10.0
        raise ArithmeticError("the follower's payoff increases without bound")

    def leader_value(self, pv, x):
        return self.u_lead(*pv, x, self.follower(pv, x))

    def solve_point(self, point: dict):
        """(x*, y*) at ``point`` (name -> float)."""
        pv = [float(point[n]) for n in self.names]
        lo, hi = float(self.x_lo(*pv)), float(self.x_hi(*pv))
        cuts = sorted({b for b in (float(f(*pv)) for f in self.breaks) if lo < b < hi})
        ends = [lo, *cuts, hi]
        V = lambda x: self.leader_value(pv, x)  # noqa: E731
        cands = list(ends)  # the ends and every breakpoint, evaluated exactly
        for a, b in zip(ends[:-1], ends[1:]):
            cands.append(_bounded_max(V, a, b))
        vals = [(V(x), x) for x in cands]
        best = max(v for v, _ in vals)
        tied = [x for v, x in vals if v >= best - TIE_RTOL * (1 + abs(best))]
        x = max(tied) if self.tie == "max" else min(tied)
        return x, self.follower(pv, x)

    def solve_columns(self, cols: dict, n=None):
        n = len(next(iter(cols.values()))) if n is None else n
        xs, ys = [], []
        for i in range(n):
            x, y = self.solve_point({k: cols[k][i] for k in self.names})
            xs.append(x)
            ys.append(y)
        return xs, ys


def max_abs_error(numeric, closed):
    return max((abs(a - b) for a, b in zip(numeric, closed)), default=math.nan)
