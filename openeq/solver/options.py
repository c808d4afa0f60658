"""A mover's discrete options, compared with its continuous candidates.

For a mover with options ``o_1 .. o_r`` (``openeq.core.options``), every option is one
more *entry* of candidates (``global_opt.py``): a single candidate that is always
available, whose value for player ``j`` is the option's payoff ``u_j^o``, and whose
branch ends the game (the variables of this move and of every later move are not
played).  The comparison of ``compare.py`` then picks, region by region,

    argmax { best continuous candidate,  u_i^{o_1}, ..., u_i^{o_r} },

and the region where an option wins is its own region, tagged ``<player>.<option>``.

Ties follow ``tie_break`` through the candidates' order (``compare.Choice._choose``
puts the first-ranked candidate ahead on a tie).  This module fixes the order:

1. continuous candidates on branches where every later mover plays (an indifferent
   mover plays, ``on_tie = "play"``) -- unless ``on_tie`` names an option, which then
   comes first;
2. the options, in the order listed;
3. continuous candidates on a branch where a later mover takes an option: playing
   into a later mover's abstention is not preferred to ending the game oneself.

A move with options and no variables (a pure decision) has one continuous
candidate per later branch: play on, with the empty point.
"""
from __future__ import annotations

import re

import sympy as sp

from openeq.core.equilibrium import Step
from openeq.core.options import NOT_PLAYED, option_tag
from openeq.solver.candidates import Candidate
from openeq.solver.pieces import Piece

__all__ = ["add_options", "options_note", "play_entries", "option_case", "is_option_branch", "region_label",
           "copies_label", "DEMOTED"]

DEMOTED = 10 ** 6  # order offset of candidates on a later mover's option branch


def is_option_branch(branch, game) -> bool:
    """Whether a later mover takes an option on ``branch`` (from its tags)."""
    tags = {option_tag(m.player, o) for m in game.moves for o in m.options}
    return any(t in tags for _, t in branch.tags)


def play_entries(pieces, move):
    """The play-on candidate of a pure decision (no variables), one per piece."""
    out, player = [], move.player
    text = f"{player} {_VERBS.get(move.play, 'plays' if move.play == 'play' else f'takes {move.play!r}')}"
    for order, pc in enumerate(pieces):
        c = Candidate([], {}, [], {}, [Step("note", player, text)], rank=0)
        out.append([(order, pc, {}, c)])
    return out


def add_options(game, move, per_piece, branches, tie):
    """``per_piece`` with the move's options appended and the candidates ordered for ties."""
    if not move.options:
        return per_piece
    from openeq.solver.backward import Branch

    player, xs = move.player, list(move.variables)
    n = 1 + max((t[0] for entry in per_piece for t in entry), default=0)
    sign = 1 if tie == "max" else -1  # "max": the highest order wins a tie; "min": the lowest
    out = []
    for entry in per_piece:
        out.append([((t[0] - sign * DEMOTED) if is_option_branch(t[1].branch, game) else t[0], *t[1:])
                    for t in entry])
    later = sorted({v for br in branches for v in br.strategies}, key=lambda v: v.name)
    names = list(move.options)
    for j, name in enumerate(names):
        table = move.options[name]
        if name == move.on_tie:
            order = n + 1 if tie == "max" else -1
        else:
            order = -1 - j if tie == "max" else n + j
        case = option_case(player, name, table, game)
        steps = [Step("option", player, case, sp.Tuple(*[table[p] for p in game.players if p in table]))]
        br = Branch([], {v: NOT_PLAYED for v in later}, dict(table), [], [], [])
        pc = Piece(br, None, None, None, False, False, False, False, dict(table))
        c = Candidate([], {x: NOT_PLAYED for x in xs}, [], {x: "option" for x in xs}, steps, rank=0)
        c.option = name
        out.append([(order, pc, {}, c)])
    return out


_VERBS = {"abstain": "abstains", "exit": "exits", "quit": "quits", "decline": "declines", "reject": "rejects",
          "accept": "accepts", "enter": "enters", "wait": "waits", "pass": "passes", "stay_out": "stays out",
          "out": "stays out", "stop": "stops", "leave": "leaves", "refuse": "refuses", "defect": "defects"}


def option_case(player, name, table, game) -> str:
    """``D abstains: U_G = 0, U_D = 0`` (a known verb), else ``D takes 'name': ...``."""
    verb = _VERBS.get(name, f"takes {name!r}")
    pays = ", ".join(f"U_{p} = {sp.sstr(table[p])}" for p in game.players if p in table)
    return f"{player} {verb}: {pays}"


def region_label(game, tags, cases) -> str:
    """The label of a region of a game with options: the first mover's tag (or case),
    then every later mover's option taken, each renamed by ``game.labels`` (and, without
    ``[labels]``, a later mover's case where a constraint binds: ``D: floor binds``)."""
    names = {option_tag(m.player, o) for m in game.moves for o in m.options}
    outer = tags[-1][1] if tags else ""
    if outer in names or game.labels:
        base = game.labels.get(outer, outer)
    else:
        base = cases[-1] if cases else ""
    later = []
    for (who, t), case in reversed(list(zip(tags[:-1], cases[:-1]))):
        if t in names:
            later.append(game.labels.get(t, t))
        elif " binds" in case and not game.labels:  # a later mover's binding constraint (vector.poly_case)
            later.append(f"{who}: {case}")
    return "; ".join([base] + later)


def copies_label(game, tags, cases) -> str:
    """The label of a region of a game with copies (``openeq.core.copies``): every mover's
    part, the first mover's first, each the first of ``[labels]`` under ``"<player>:
    <case>"`` (``"D: alpha interior" = "contributor"``), ``"<player>.<tag>"``
    (``"G.bunch"``, ``"D.abstain"``) or the tag, else ``"<player>: <case>"``; prefixed
    ``symmetric:`` when the number of copies is symbolic."""
    copy_of = {name: (c.player, i) for c in game.copies.values() for i, name in enumerate(c.names(), 1)}
    parts = []
    stage = {m.player: m.stage for m in game.moves}
    for (who, t), case in sorted(zip(tags, cases), key=lambda tc: stage.get(tc[0][0], 0)):  # (stable: D_1, D_2, ...)
        option = "." in t and t.split(".", 1)[0] == who
        if t == "free" and case.endswith("(breakpoint)"):  # at a breakpoint without a comparison
            t = "bunch"
        name, generic = who, case
        if who in copy_of:  # copy D_i of D: looked up as D, its variables x_i as x
            name, i = copy_of[who]
            generic = re.sub(rf"\b([A-Za-z]\w*)_{i}\b", r"\1", case)
            t = t.replace(f"{who}.", f"{name}.", 1) if option else t
        key = t if option else f"{name}.{t}"
        text = game.labels.get(f"{name}: {generic}", game.labels.get(key, game.labels.get(t) if not option else None))
        if text and who in copy_of:
            text = f"{who} {text}"
        parts.append(text or (option_tag(who, t.split(".", 1)[1]) if option else f"{who}: {case}"))
    symmetric = any(c.symbolic for c in game.copies.values())
    return ("symmetric: " if symmetric else "") + "; ".join(parts)


def options_note(game, branches, error) -> str:
    """Appended to a refusal at a stage that faces a later mover's options, where the
    refused condition is not affine or not rational in the mover's variables: the
    construct that is missing (optima on such a switching boundary, issue 14 item 3)."""
    if "affine" not in str(error) and "rational" not in str(error):
        return ""
    taken = sorted({t for br in branches for _, t in br.tags
                    if t in {option_tag(m.player, o) for m in game.moves for o in m.options}})
    if not taken:
        return ""
    return (f" (this stage faces a later mover's options, {', '.join(taken)}: optima on a switching boundary "
            "or a clamp that is not affine in the mover's variables are not supported yet, issue 14 items 2-3)")
