"""Derived games: fix parameters, rewrite payoffs.

* ``fix(game, **values)`` -- the game in which the named parameters take the
  given values: every payoff, move bound, relation and disagreement payoff is
  substituted, and the parameters are removed.  Solving the fixed game with the
  engine gives, e.g., the unregulated openness ``omega_hat`` (``p = 0``).
* ``substitute(game, mapping, name=None)`` -- the game whose payoffs (and
  disagreement payoffs) have ``mapping`` applied by ``xreplace``; used to build
  counterfactual policies (a penalty that every model bears: the penalty's
  condition replaced by ``True``).

A derived game has no model-file ``source``: its cache key is its structure, so
a derived game is cached apart from its parent.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.domains import Domain
from openeq.core.game import Game, GameError, Move

__all__ = ["fix", "substitute"]


def _value(name, v, par):
    x = sp.nsimplify(v) if isinstance(v, float) else sp.sympify(v)
    if not x.is_number:
        raise GameError(f"fix: value of {name!r} must be a number, got {v!r}")
    if not par.domain.contains(x):
        raise GameError(f"fix: {name} = {x} is outside its domain {par.domain}")
    return x


def _rebuild(game, name, mapping, params, relations):
    def sub(e):
        return sp.sympify(e).xreplace(mapping) if mapping else e

    g = Game(name, game.title)
    g.parameters = params
    g.relations = relations
    for m in game.moves:
        variables = {v: Domain(sub(d.lo), sub(d.hi), d.lo_open, d.hi_open) for v, d in m.variables.items()}
        options = {o: {pl: sub(e) for pl, e in t.items()} for o, t in m.options.items()}
        constraints = {c: sub(r) for c, r in m.constraints.items()}
        g.moves.append(Move(m.player, m.stage, variables, options, m.on_tie, m.play, constraints, m.per_copy))
    g.payoffs = {pl: sub(e) for pl, e in game.payoffs.items()}
    g.latex_names = {k: v for k, v in game.latex_names.items() if k not in params or k in g.namespace}
    g.labels = dict(game.labels)
    g.tie_break = dict(game.tie_break)
    g.disagreement = {pl: sub(e) for pl, e in game.disagreement.items()}
    g.description = game.description
    g.copies = {k: c.subs(mapping) if mapping else c for k, c in game.copies.items()}
    g.source = None
    g.validate()
    return g


def fix(game: Game, **values) -> Game:
    """``game`` with parameters fixed: ``fix(game, p=0)`` is the unregulated game."""
    unknown = [n for n in values if n not in game.parameters]
    if unknown:
        raise GameError(f"fix: {unknown[0]!r} is not a parameter of {game.name}")
    mapping = {game.parameters[n].symbol: _value(n, v, game.parameters[n]) for n, v in values.items()}
    params = {n: p for n, p in game.parameters.items() if n not in values}
    relations = []
    for r in game.relations:
        r2 = r.xreplace(mapping)
        if r2 == sp.false:
            raise GameError(f"fix: {', '.join(f'{k}={v}' for k, v in values.items())} violates the assumption {r}")
        if r2 != sp.true:
            relations.append(r2)
    tag = ",".join(f"{k}={mapping[game.parameters[k].symbol]}" for k in values)
    return _rebuild(game, f"{game.name}[{tag}]", mapping, params, relations)


def substitute(game: Game, mapping: dict, name: str | None = None) -> Game:
    """``game`` with ``mapping`` (expr -> expr) applied to the payoffs."""
    g = _rebuild(game, name or f"{game.name}[substituted]", None, dict(game.parameters), list(game.relations))
    g.payoffs = {pl: sp.sympify(e).xreplace(mapping) for pl, e in g.payoffs.items()}
    g.disagreement = {pl: sp.sympify(e).xreplace(mapping) for pl, e in g.disagreement.items()}
    g.payoff_sources = {}
    return g
