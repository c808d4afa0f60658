"""The stage of a number of copies with options (``openeq.core.copies``), by separation.

Copies ``D_1 .. D_n`` at the last stage, each of whose payoff ``u_i(x_i, h)`` depends on
its own choice and earlier ones ``h`` only, with options that pay ``u_i^o(h)`` and do not
end the game.  Copy ``i``'s best response does not depend on the other copies, so the
stage's Nash equilibrium is the profile of the individual best responses:

    b_i(h) = argmax { u_i(x_i, h) over x_i,  u_i^o(h) },

each found as a one-mover stage (``BackwardInduction._single``) with the option as a
terminal alternative of copy ``i`` alone.  Their branches are combined, one of each
copy's per combined branch, where their conditions meet.  A player ``P`` whose payoff is
``F(Sum(e))`` gets ``F(sum_i t_i)`` with ``t_i = e_i(b_i(h))`` where copy ``i`` plays and
``t_i = e_P^o`` where it takes the option; other players' payoffs do not involve the
copies.
"""
from __future__ import annotations

import itertools

from openeq.core.conditions import conjunction, nice
from openeq.core.copies import SUM
from openeq.core.game import Move
from openeq.core.options import option_tag

__all__ = ["CopiesStage", "is_copies_stage", "MAX_PROFILES"]

MAX_PROFILES = 4096  # combined branches of one stage of copies (a count, never a time)


def is_copies_stage(game, moves) -> bool:
    return len(moves) > 1 and all(m.per_copy for m in moves)


class CopiesStage:
    """Mixin of ``BackwardInduction``: the stage of copies with options."""

    def _copies_stage(self, moves, branches, stage):
        from openeq.solver.backward import Branch, SolverError

        if len(branches) != 1 or branches[0].bounds:
            raise SolverError(f"stage {stage}: options of copies need the copies' stage to be the last one")
        base = branches[0]
        spec = next(c for c in self.game.copies.values() if moves[0].player in c.names())
        each = []
        for m in moves:
            alone = Move(m.player, m.stage, m.variables, {o: {m.player: t[m.player]} for o, t in m.options.items()},
                         m.on_tie, m.play, m.constraints)
            each.append(self._single(alone, [Branch([], {}, {m.player: base.payoffs[m.player]})], stage))
        total = 1
        for e in each:
            total *= len(e)
        if total > MAX_PROFILES:
            raise SolverError(f"stage {stage}: {total} profiles of the copies' best responses, more than "
                              f"{MAX_PROFILES}; fix some parameters")
        out = []
        for combo in itertools.product(*each):
            bounds = conjunction([b for br in combo for b in br.bounds], self.prover)
            if bounds is None:
                continue
            out.append(self._profile(moves, combo, bounds, base, spec, Branch))
        return out

    def _profile(self, moves, combo, bounds, base, spec, Branch):
        strategies, payoffs, taken = {}, {}, []
        for m, br in zip(moves, combo):
            strategies.update(br.strategies)
            payoffs[m.player] = br.payoffs[m.player]
            tag = br.tags[-1][1]
            taken.append(next((o for o in m.options if tag == option_tag(m.player, o)), None))
        for p, template, terms in spec.sums:
            parts = []
            for m, e, o in zip(moves, terms, taken):
                parts.append(m.options[o][p] if o is not None else e.xreplace(strategies))
            payoffs[p] = nice(template.xreplace({SUM: sum(parts)}))
        for p, u in base.payoffs.items():
            payoffs.setdefault(p, u)
        join = lambda attr: [x for br in combo for x in getattr(br, attr)]  # noqa: E731
        return Branch(bounds, strategies, payoffs, join("tags"), join("cases"), join("steps"), join("unproven"),
                      join("claims"))
