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
>>> eq.piecewise(q)
a/2
>>> eq.evaluate({"a": 3.0})["q"]
1.5

A built-in model or a model file: ``openeq.solve_model("openness")`` (a model solved
per point gives a ``PointwiseEquilibrium``; ``openeq.fix(game, name=value)`` fixes
parameters of any game); the
researcher's API is ``openeq.api`` (LaTeX, Piecewise, evaluation over arrays and
DataFrames, statics as a DataFrame, ``openeq.appendix`` for your own propositions).

The layers, lowest first (no module imports a higher layer): ``core`` (games,
domains, conditions, equilibria), ``io`` (the safe parser, model files, JSON, the
cache), ``prove`` (sign proofs), ``solver`` (backward induction), ``evaluate``,
``verify`` (the independent numeric check; it reads core data only),
``analyses``, ``export`` (LaTeX, figures), ``api`` and ``cli``.
"""
from openeq._version import __version__
from openeq.api import Equilibrium, appendix, load, solve, solve_model
from openeq.core.result import Claim, Result
from openeq.core.domains import Domain, DomainError, parse_domain
from openeq.core.equilibrium import Region, Step
from openeq.core.game import Game, GameError, Move, Parameter
from openeq.core.transform import fix
from openeq.solver import BackwardInduction, SolverError
from openeq.solver.pointwise import PointwiseEquilibrium

__all__ = [
    "Game", "GameError", "Move", "Parameter", "Domain", "DomainError", "parse_domain",
    "Equilibrium", "Region", "Step", "BackwardInduction", "SolverError", "solve", "solve_model", "load", "appendix",
    "Result", "Claim", "fix", "PointwiseEquilibrium", "__version__",
]
