"""Who is who in a regulation game, for the openness paper's results.

The results R1-R8 are statements about the roles of the regulation the engine's policy
analysis detects (``openeq.analyses.policy.detect``), never about names:

* the *regulated mover* (the generalist ``G``) and its choice ``x`` (openness ``omega``);
* the *follower*: the mover of the next stage (the specialist ``D``) and its first
  choice ``y`` (fine-tuning ``alpha1``), whose domain's lower end is the baseline
  (``alpha0``: ``y - lo`` is the follower's effort);
* the regulation's threshold parameter (``theta``) and penalty (``p``).

Two parameters of the paper have no structural role and are looked up by name:
``PERFORMANCE`` (``alpha0``, the lever curve's parameter) and ``REPUTATION``
(``epsilon``, R2's second comparative static); a result that needs one the game lacks
leaves that part out.
"""
from __future__ import annotations

from dataclasses import dataclass

from openeq.analyses.policy import regulation_of

__all__ = ["Roles", "roles", "PERFORMANCE", "REPUTATION"]

PERFORMANCE = "alpha0"
REPUTATION = "epsilon"


@dataclass
class Roles:
    player: str
    choice: object
    follower: str | None
    follower_choice: object
    baseline: object  # the follower's choice's lower end
    performance: object  # the PERFORMANCE parameter's symbol, or None
    reputation: object


def roles(game) -> Roles:
    spec = regulation_of(game)
    stage = next(m.stage for m in game.moves if spec.choice in m.variables)
    later = [m for m in game.moves if m.stage == stage + 1]
    follower = later[0] if len(later) == 1 else None
    y = follower.symbols[0] if follower else None
    params = game.parameters
    return Roles(spec.player, spec.choice, follower.player if follower else None, y,
                 follower.variables[y].lo if follower else None,
                 params[PERFORMANCE].symbol if PERFORMANCE in params else None,
                 params[REPUTATION].symbol if REPUTATION in params else None)
