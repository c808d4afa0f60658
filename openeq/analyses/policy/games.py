"""Counterfactual games of a regulation, built by transforming the game (never typed in).

Let ``u_i = v - P(x)`` be the regulated mover's payoff (``openeq.analyses.policy.detect``),
with the regulation's conditions ``a_1, ..., a_n`` (relationals in ``x`` and the
thresholds).  A counterfactual *chooses a branch*: every condition is replaced by its
truth value on one cell of ``x`` (``transform.substitute``), in ``u_i`` only (another
player's payoff that reads the same condition keeps it):

* ``unregulated`` -- the compliant cell's truth values: ``u_i = v``, no penalty anywhere.
  The penalty parameters then appear nowhere and are removed (as ``fix(game, p=0)``
  did), so the unregulated game's parameters are the game's minus the penalties';
* ``uniform`` -- the worst cell's: every choice bears the full penalty ``P_0`` (no
  exemption).  A threshold above the critical one is defied, and its outcome is this
  game's (checked per regime by the analysis, not assumed);
* ``regulator_game`` -- the *regulator stage*: the policy parameters (the thresholds',
  by default) become the choice variables of a new player at a new first stage, whose
  payoff is an objective: ``openness`` (the regulated choice, signed so that more
  compliance is more: ``x`` for a minimum standard, ``-x`` for a maximum), ``welfare``
  (the sum of the payoffs, the penalty a loss), ``welfare-transfer`` (the sum plus the
  penalty paid, ``P(x)``: the penalty a transfer to the regulator) or an expression
  parsed by ``openeq.io.expressions.parse_expression``.  Later stages move down by one.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.domains import Domain
from openeq.core.errors import OpeneqError
from openeq.core.game import Game, Move
from openeq.core.transform import substitute

__all__ = ["unregulated", "uniform", "regulator_game", "objective_expr", "OBJECTIVES", "PolicyError"]

OBJECTIVES = ("openness", "welfare", "welfare-transfer")


class PolicyError(OpeneqError):
    """A policy question that cannot be asked of this game (the message says why)."""


def _choose_branch(game, reg, truth, name):
    mapping = {a: sp.true if v else sp.false for a, v in truth.items()}
    g = substitute(game, {}, name=name)
    g.payoffs[reg.player] = sp.sympify(game.payoffs[reg.player]).xreplace(mapping)
    return g


def _unused(g, names):
    """Remove the parameters ``names`` from ``g`` where nothing mentions them any more."""
    used = set()
    for e in list(g.payoffs.values()) + list(g.disagreement.values()) + list(g.relations):
        used |= {s.name for s in sp.sympify(e).free_symbols}
    for m in g.moves:
        for d in m.variables.values():
            used |= {s.name for s in d.lo.free_symbols | d.hi.free_symbols}
    for n in names:
        if n in g.parameters and n not in used:
            del g.parameters[n]
            g.latex_names.pop(n, None)
    return g


def unregulated(game, reg) -> Game:
    """The game without the regulation: the compliant branch everywhere."""
    g = _choose_branch(game, reg, reg.compliant, f"{game.name}[no regulation]")
    pens = {s.name for t in reg.tiers for s in t.penalty.free_symbols}
    return _unused(g, sorted(pens))


def uniform(game, reg) -> Game:
    """The game in which every choice bears the full penalty (no exemption)."""
    return _choose_branch(game, reg, reg.worst, f"{game.name}[uniform penalty]")


def _regulator_name(game) -> str:
    name = "regulator"
    while name in game.players or name in game.namespace:
        name += "_"
    return name


def objective_expr(game, reg, objective: str):
    """The regulator's payoff for ``objective`` (a name in ``OBJECTIVES`` or an expression)."""
    players = [q for q in game.players if q in game.payoffs]
    if objective == "openness":
        return reg.sign * reg.choice
    if objective == "welfare":
        return sp.Add(*[game.payoffs[q] for q in players])
    if objective == "welfare-transfer":
        return sp.Add(*[game.payoffs[q] for q in players]) + reg.paid()
    from openeq.io.expressions import parse_expression

    return parse_expression(objective, game.namespace, where="--objective")


def regulator_game(game, reg, objective="welfare", choose=None) -> Game:
    """``game`` with a first stage at which a regulator chooses the policy parameters
    ``choose`` (default: the thresholds' parameters) to maximise ``objective``."""
    if choose is None:
        choose = sorted({s.name for t in reg.tiers for s in t.threshold.free_symbols if s.name in game.parameters})
    if not choose:
        raise PolicyError(f"{game.name}: the thresholds {[str(t.threshold) for t in reg.tiers]} have no parameter "
                          "for a regulator to choose")
    bad = [n for n in choose if n not in game.parameters]
    if bad:
        raise PolicyError(f"{game.name}: {bad[0]!r} is not a parameter (parameters: {', '.join(game.parameters)})")
    payoff = sp.sympify(objective_expr(game, reg, objective))
    subs = {game.parameters[n].symbol: sp.Symbol(n, real=True) for n in choose}
    for rel in game.relations:
        if rel.free_symbols & set(subs):
            raise PolicyError(f"{game.name}: the assumption {rel} constrains the policy parameters; a regulator "
                              "stage with a joint constraint on its choices is not supported")

    if any(m.options for m in game.moves):  # (the regulator's payoff under an option is not defined)
        raise PolicyError(f"{game.name}: a regulator stage over a game with options (issue 14) is not supported")

    def sub(e):
        return sp.sympify(e).xreplace(subs)

    g = Game(f"{game.name}[regulator: {objective}]", game.title)
    g.parameters = {n: p for n, p in game.parameters.items() if n not in choose}
    g.relations = list(game.relations)
    who = _regulator_name(game)
    g.moves = [Move(who, 1, {subs[game.parameters[n].symbol]: game.parameters[n].domain for n in choose})]
    for m in game.moves:
        variables = {v: Domain(sub(d.lo), sub(d.hi), d.lo_open, d.hi_open) for v, d in m.variables.items()}
        g.moves.append(Move(m.player, m.stage + 1, variables,
                            constraints={c: sub(r) for c, r in m.constraints.items()}))
    g.payoffs = {q: sub(e) for q, e in game.payoffs.items()}
    g.payoffs[who] = sub(payoff)
    g.latex_names = dict(game.latex_names)
    g.labels = dict(game.labels)
    g.tie_break = dict(game.tie_break)
    g.tie_break.setdefault(who, "max")
    g.disagreement = {q: sub(e) for q, e in game.disagreement.items()}
    g.validate()
    return g
