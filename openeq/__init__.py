"""openeq: closed-form subgame-perfect equilibria of sequential games with continuous actions.

>>> from openeq import Game, solve
>>> g = Game("monopoly")
>>> a = g.parameter("a", "positive")
>>> (q,) = g.move("M", stage=1, choose={"q": "[0, oo)"})
>>> g.payoff("M", (a - q) * q)
q*(a - q)
>>> eq = solve(g)
>>> eq.regions[0].strategies[q]
a/2
"""
from .domains import Domain, DomainError, parse_domain
from .equilibrium import Equilibrium, Region, Step
from .game import Game, GameError, Move, Parameter
from .solver import BackwardInduction, SolverError, solve

__version__ = "0.1.0"
__all__ = [
    "Game", "GameError", "Move", "Parameter", "Domain", "DomainError", "parse_domain",
    "Equilibrium", "Region", "Step", "BackwardInduction", "SolverError", "solve", "__version__",
]
