"""The regulator's choice, derived by the engine on the regulator stage.

``regulator(game, objective)`` builds ``games.regulator_game`` -- the policy parameters
(the thresholds', by default) chosen by a new first mover whose payoff is the objective
-- and solves it with the engine (``solve_cached``).  The optimal policy is read off the
engine's regions: on region ``R_j`` the regulator's strategy ``theta_j(params)``, so

    theta_opt = Piecewise((theta_1, R_1), ..., (theta_n, R_n)).

Nothing is typed in: where the engine refuses the stage (``SolverError``), the result
says so, with the engine's reason, and carries no policy (the refusal is kept in the
disk cache, keyed by the stage's game and all of the code, like any derived result).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import sympy as sp

from openeq.analyses.policy import detect, games
from openeq.io.cache import cached
from openeq.solver.backward import SolverError
from openeq.solver.cached import solve_cached

__all__ = ["RegulatorChoice", "regulator"]


@dataclass
class RegulatorChoice:
    objective: str
    game: object  # the game with the regulator stage
    player: str  # the regulator's name in it
    choose: list  # the policy parameters it chooses
    equilibrium: object = None  # the engine's solution, or None
    refused: str | None = None  # the engine's reason, when it could not solve the stage
    policy: dict = field(default_factory=dict)  # parameter name -> Piecewise over the engine's regions

    @property
    def solved(self) -> bool:
        return self.equilibrium is not None

    def to_json(self) -> dict:
        return {"objective": self.objective, "regulator": self.player, "chooses": self.choose,
                "solved": self.solved, "refused": self.refused,
                "policy": {k: str(v) for k, v in self.policy.items()},
                "regions": len(self.equilibrium.regions) if self.solved else 0}


def _refusal(g, use_cache):
    """None if the engine solves ``g`` (its answer is then in the solver's cache), else its reason."""
    try:
        solve_cached(g, use_cache=use_cache)
    except SolverError as e:
        return " ".join(str(e).split())
    return None


def regulator(game, objective="welfare", which=0, choose=None, use_cache=True) -> RegulatorChoice:
    """The regulator stage for ``objective`` solved by the engine (or its refusal)."""
    spec = detect.regulation_of(game, which)
    g = games.regulator_game(game, spec, objective, choose)
    who = g.moves[0].player
    names = [str(v) for v in g.moves[0].variables]
    out = RegulatorChoice(objective, g, who, names)
    out.refused = cached("regulator-stage", SimpleNamespace(game=g), lambda: _refusal(g, use_cache), use_cache=use_cache)
    if out.refused is not None:
        return out
    out.equilibrium = eq = solve_cached(g, use_cache=use_cache)
    for v in g.moves[0].variables:
        pieces = [(r.strategies[v], r.condition) for r in eq.regions]
        out.policy[str(v)] = pieces[0][0] if len(pieces) == 1 else sp.Piecewise(*pieces)
    return out
