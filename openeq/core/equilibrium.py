"""Results of the solver: an ``Equilibrium`` made of ``Region``s.

A subgame-perfect equilibrium (SPE) of a game with parameters ``theta in Theta`` is,
here, a finite partition ``Theta = R_1 u ... u R_n`` (regions, disjoint) and, on
each region, closed forms for

* the on-path strategies ``x*(theta)``,
* the payoffs ``u_i(theta, x*(theta))``,
* the later movers' best-response functions (their strategies off the path).

Each region records how it was derived (its ``steps``) and which of its claims
sympy proved; what was not proved is listed in ``unproven``.  ``status`` is
``proved`` (every optimality claim proved), ``certified`` (the unproven claims were
checked at ``samples`` sampled points, ``openeq/solver/certify.py``) or
``unproven``; a claim that fails at a sampled point is never reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from openeq.core.conditions import to_sympy

__all__ = ["Step", "Region", "Equilibrium"]


@dataclass(frozen=True)
class Step:
    """One derivation step: ``kind`` in foc, solution, soc, case, compare, value, note."""

    kind: str
    player: str
    text: str
    expr: object = None
    proved: bool | None = None


@dataclass
class Region:
    label: str
    bounds: list  # of Bound: the region's condition is their conjunction
    strategies: dict  # Symbol -> Expr (on path)
    payoffs: dict  # player -> Expr
    best_responses: dict  # Symbol -> Expr (later movers, functions of earlier choices)
    case: str = ""
    tags: tuple = ()
    steps: list = field(default_factory=list)
    unproven: list = field(default_factory=list)
    status: str = "proved"  # proved | certified (checked at `samples` points) | unproven
    samples: int = 0

    @property
    def condition(self):
        return to_sympy(self.bounds)

    def holds(self, values: dict) -> bool:
        return all(b.holds(values) for b in self.bounds)

    def _repr_latex_(self):
        """Notebook display, with sympy's printer (the appendix's printer lives in ``openeq.export``)."""
        strat = r",\ ".join(f"{sp.latex(v)} = {sp.latex(e)}" for v, e in self.strategies.items())
        cond = sp.latex(self.condition) if self.bounds else r"\text{always}"
        return r"$\displaystyle \text{%s: }\ %s \quad \text{if } %s$" % (self.label.replace("_", r"\_"), strat, cond)


@dataclass
class Equilibrium:
    game: object
    regions: list
    best_responses: dict  # Symbol -> list of (bounds, expr): the full strategy of later movers
    method: dict = field(default_factory=dict)  # how it was computed (pygambit style)
    from_cache: bool = False  # read from the derivation cache (not part of the result)

    @property
    def labels(self) -> list:
        out = []
        for r in self.regions:
            if r.label not in out:
                out.append(r.label)
        return out

    def region_at(self, values: dict):
        """The region whose condition holds at ``values`` (symbol or name -> number)."""
        vals = _symbolise(self.game, values)
        hits = [r for r in self.regions if r.holds(vals)]
        if len(hits) != 1:
            raise ValueError(f"{len(hits)} regions hold at {values}; expected exactly one")
        return hits[0]


def _symbolise(game, values):
    ns = game.namespace
    out = {}
    for k, v in values.items():
        sym = ns[k] if isinstance(k, str) else k
        out[sym] = sp.Rational(repr(v)) if isinstance(v, float) else sp.sympify(v)
    return out
