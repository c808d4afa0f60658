"""Discrete options of a move: named alternatives to its continuous choice.

A move ``m`` of player ``i`` at stage ``k`` may offer options ``o_1 .. o_r``.  Taking
``o`` ends the game with the payoff vector ``(u_j^o)_j`` given in the option's table,
an expression in parameters and choices of stages before ``k`` (never the move's
own variables, nor a later choice).  The mover's value is

    V_i = max( sup_x u_i(x, later best responses),  u_i^{o_1}, ..., u_i^{o_r} ),

and on a tie the mover plays (``on_tie = "play"``), or takes the option ``on_tie``
names; between two options the first one listed wins.

This module holds the data side: parsing and checking an option table
(:func:`parse_options`), and the conventions shared by the solver and the output:

* an option's *tag* is ``"<player>.<option>"`` (``D.abstain``), the default label of
  the region where it is taken (``[labels]`` may rename it);
* the variables of a move whose option is taken, and of every move after it, are
  *not played*; they are reported as ``NOT_PLAYED`` (0), and the region's label says
  which option was taken.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.errors import GameError

__all__ = ["parse_options", "option_tag", "NOT_PLAYED", "has_options"]

NOT_PLAYED = sp.S.Zero  # the reported value of a variable whose move was not played


def option_tag(player: str, name: str) -> str:
    return f"{player}.{name}"


def has_options(game) -> bool:
    return any(m.options for m in game.moves)


def parse_options(game, player, stage, variables, options) -> dict:
    """``{name: {player: Expr}}`` from a table of payoffs (strings, numbers or sympy)."""
    if not isinstance(options, dict):
        raise GameError(f"options of {player!r}: expected a table {{name = {{player = payoff}}}}, "
                        f"got {type(options).__name__}")
    own = {v.name for v in variables}
    earlier = {v.name for m in game.moves if m.stage < stage for v in m.variables}
    later = {v.name for m in game.moves if m.stage >= stage for v in m.variables} | own
    out = {}
    for name, table in options.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__") or name == "play":
            raise GameError(f"options: option name {name!r} must be an identifier other than 'play'")
        if name in game.parameters or name in own or name in game.variable_names:
            raise GameError(f"options.{name}: name clashes with the {'parameter' if name in game.parameters else 'variable'} {name!r}")
        if not isinstance(table, dict) or not table:
            raise GameError(f"options.{name}: expected a table of every player's payoff, e.g. {{ G = \"0\", D = \"0\" }}")
        parsed = {}
        for who, value in table.items():
            if not isinstance(who, str) or not who.isidentifier():
                raise GameError(f"options.{name}: player name {who!r} must be an identifier")
            e = _expr(game, value, f"options.{name}.{who}")
            for s in sorted(e.free_symbols, key=lambda s: s.name):
                if s.name in own:
                    raise GameError(f"options.{name}.{who}: uses {s.name!r}, the move's own choice")
                if s.name in later and s.name not in earlier:
                    raise GameError(f"options.{name}.{who}: uses {s.name!r}, a choice of a later stage")
                if s.name not in game.parameters and s.name not in earlier:
                    raise GameError(f"options.{name}.{who}: unknown name {s.name!r}")
            parsed[who] = e
        out[name] = parsed
    return out


def _expr(game, value, where):
    if isinstance(value, bool):
        raise GameError(f"{where}: expected a payoff expression, got {value!r}")
    if isinstance(value, str):
        # safe: a string here is the Python API's, written by the programmer in their own
        # code; the model-file loader passes expressions built by openeq.io.expressions
        value = sp.sympify(value, locals={**game.namespace})
    try:
        e = sp.sympify(value)
    except (sp.SympifyError, TypeError) as exc:
        raise GameError(f"{where}: not an expression ({exc})") from None
    if not isinstance(e, sp.Expr):
        raise GameError(f"{where}: expected a payoff expression, got {e}")
    return e
