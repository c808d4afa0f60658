"""A move over a polyhedron: declared constraints or conditions in several variables.

``VectorChoice`` is a mixin of ``BackwardInduction``.  Where a move has declared
``constraints``, or a later branch or a Piecewise atom of the payoffs conditions on two
or more of its variables, the stage is solved over polyhedral pieces
(``polyhedra.py``) with KKT candidates per active set (``kkt.py``); the mover's choice
among the candidates of all pieces is then made as for a box (``compare.Choice``).
Each later branch's conditions free of the mover's variables stay with it as the
region where its candidates exist.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.conditions import Bound
from openeq.solver.budget import check
from openeq.solver.candidates import concavity
from openeq.solver.claims import stage_claims
from openeq.solver.kkt import drop_poly_sups, poly_entries
from openeq.solver.polyhedra import poly_pieces, relation_constraints
from openeq.solver.options import add_options

__all__ = ["VectorChoice", "declared_constraints", "poly_case"]


def declared_constraints(move):
    xs = list(move.variables)
    return [c for name, rel in move.constraints.items() for c in relation_constraints(name, rel, xs)]


def poly_case(c, xs):
    """``x + d*y = a - c - e (breakpoint); floor binds``, ``on D's participation boundary``
    or ``x, y interior``."""
    if not getattr(c, "active", None):
        return f"{', '.join(map(str, xs))} interior"
    parts = []
    for name, kind, h in c.active:
        if kind == "break" and name.startswith(SWITCH_PREFIX):
            parts.append(name)
        else:
            parts.append(f"{h} = 0 (breakpoint)" if kind == "break" else f"{name} binds")
    return "; ".join(parts)


SWITCH_PREFIX = "on "  # the name of a later mover's switching boundary (switching_boundaries)


def switching_boundaries(game, move, branches):
    """``(name, e)`` for each later mover with options: ``e`` its value on a branch where it
    plays less an option's payoff (``U_D* - 0``), ``name`` ``on D's participation boundary``
    for an abstention-like option, else ``on D's switching boundary to 'o'``."""
    from openeq.solver.options import is_option_branch

    out = []
    for m in game.moves:
        if m.stage <= move.stage or not m.options:
            continue
        for o, table in m.options.items():
            name = (f"{SWITCH_PREFIX}{m.player}'s participation boundary" if o in _ABSTAIN
                    else f"{SWITCH_PREFIX}{m.player}'s switching boundary to {o!r}")
            for br in branches:
                if m.player in br.payoffs and not is_option_branch(br, game):
                    e = sp.expand(br.payoffs[m.player] - table[m.player])
                    if e.free_symbols & set(move.variables) and (name, e) not in out:
                        out.append((name, e))
    return out


_ABSTAIN = {"abstain", "exit", "quit", "out", "stay_out", "leave", "decline", "reject", "refuse"}


class VectorChoice:
    def _vector_given(self, move, branches, stage, prover):
        from openeq.solver.backward import Branch

        player, xs = move.player, list(move.variables)
        declared = declared_constraints(move)
        inner, outer_of = [], {}
        for br in branches:
            for p, u in br.payoffs.items():
                check(u, f"u_{p}", xs if p == player else None)
            own = [b for b in br.bounds if b.free_symbols & set(xs)]
            outer = [b for b in br.bounds if not b.free_symbols & set(xs)]
            nb = Branch(own, br.strategies, br.payoffs, br.tags, br.cases, br.steps, br.unproven, br.claims)
            inner.append(nb)
            outer_of[id(nb)] = outer
        pieces = poly_pieces(inner, move, declared, switching_boundaries(self.game, move, branches))
        conc_steps, seen, per_piece, counter = [], set(), [], [0]
        for order, pc in enumerate(pieces):
            f = pc.payoffs[player]
            if f not in seen:
                seen.add(f)
                conc_steps += concavity({player: f}, {player: xs}, prover)[0]
            for cands in poly_entries(player, xs, pc, prover, counter):
                for c in cands:
                    c.attained = c.attained + outer_of[id(pc.branch)]
                per_piece.append([(order, pc, {}, c) for c in cands])
        drop_poly_sups(per_piece, player, prover)
        cons = [Bound(c.h(), c.op, 0) for c in declared]
        checked = [Branch(list(b.bounds) + cons, b.strategies, b.payoffs) for b in branches]
        claims = stage_claims(stage, player, move, checked, per_piece)
        per_piece = add_options(self.game, move, per_piece, branches, self.game.tie_break.get(player, "max"))
        return self._decide(player, xs, per_piece, claims, conc_steps, stage, prover)
