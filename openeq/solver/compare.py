"""The mover's choice among candidates: indifference conditions, ties, suprema.

Given the candidates alive in a region (one per entry of every piece,
``global_opt.py``), the mover takes a point candidate ``i`` of highest payoff: the
region where ``i`` is chosen is cut out by ``v_i - v_j >= 0`` against the candidates
ranked after it and ``v_i - v_j > 0`` against those ranked before (``tie_break``
``max``: the piece and rank of the larger action first), isolated in a parameter
(``p >= Delta``).  A ``sup`` candidate (a value approached at an open or infinite
end, not attained) is never chosen; a point must be at least as good as it, and
where a ``sup`` is strictly better than every point no best response exists: the
engine refuses.  So does it where the payoff is ``unbounded`` above.

A ``sup`` at an open end ``b`` of piece ``A`` is dropped beforehand when a piece
``P`` contains ``b`` and ``u_P(b) - u_A(b) >= 0`` is proved (the penalty below a
threshold; a later mover's clamp, continuous across its cases): ``P``'s candidates
include its maximiser, which is at least ``u_P(b)``, and the pieces of all later
branches partition the choice set, so ``b`` in ``P`` is what the mover gets at ``b``; or when an attained candidate is proved at least as
good in the region.  The same holds for a piece ``P`` of another later branch
(``drop_cross_branch_sups``: the follower's response changes form, or it switches to
an option, at ``b``) whose conditions hold wherever the sup's branch does.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.conditions import Bound, conjunction, isolate, negate, nice, to_sympy
from openeq.core.equilibrium import Step

__all__ = ["Choice", "attained_splits", "drop_dominated_sups", "drop_cross_branch_sups", "prefer"]


class Choice:
    """Mixin of ``BackwardInduction``: the mover's choice in one region."""

    def _choose(self, player, xs, bounds, alive, tie, conc_steps, stage, prover, claims=()):
        from openeq.solver.backward import Branch, SolverError

        for (_, pc, _, c) in alive:
            if c.kind == "unbounded":
                raise SolverError(f"stage {stage} ({player}): u_{player} is unbounded above as {c.where} "
                                  f"{_where(bounds)}; no best response exists")
        points = [t for t in alive if t[3].kind == "point"]
        if not points:
            raise SolverError(
                f"stage {stage} ({player}): under {to_sympy(bounds)} the supremum is not attained "
                "(an open end of a piece); no best response exists"
            )
        ranked = sorted(points, key=lambda t: (t[0], t[3].rank), reverse=(tie == "max"))
        mine = [self._value(pc, c, player) for (_, pc, _, c) in ranked]  # the others' only for the winners
        sups = _open_sups(alive, mine, bounds, prover, stage, player)
        out = []
        for i, (order, pc, boxes, c) in enumerate(ranked):
            cmp = []
            facts = prover.with_facts([b.sympy() for b in bounds])
            for j in range(len(ranked)):
                if j == i:
                    continue
                diff = nice(mine[i] - mine[j])
                cmp.append(isolate(Bound(diff, ">=" if i < j else ">", 0), facts, prefer=prefer(diff)))
            for s in sups:
                diff = nice(mine[i] - s.limit)
                cmp.append(isolate(Bound(diff, ">=", 0), facts, prefer=prefer(diff)))
            decided = conjunction(cmp, facts)
            if decided is None:
                continue
            region = conjunction(bounds + decided, prover)
            if region is None:
                continue
            eqs = {b.subject: b.bound for b in region if b.op == "==" and isinstance(b.subject, sp.Symbol)}
            if _empty_on(region, eqs, prover, any(t[3].compared for t in alive)):
                continue
            point = {x: nice(v.xreplace(eqs)) for x, v in c.point.items()}
            values = {p: nice(self._value(pc, c, p).xreplace(eqs)) for p in pc.payoffs}
            strategies = {v: nice(e.xreplace(point).xreplace(eqs)) for v, e in pc.branch.strategies.items()}
            strategies.update(point)
            if c.option is not None:  # a discrete option (solver/options.py)
                tag, case = f"{player}.{c.option}", c.steps[0].text
            else:
                if hasattr(c, "active"):  # a vector choice over a polyhedron (vector.py)
                    from openeq.solver.vector import poly_case

                    brk, case = any(kind == "break" for _, kind, _ in c.active), poly_case(c, xs)
                else:
                    brk, case = None, "; ".join(self._position(x, c, boxes[x], eqs) for x in xs) or c.steps[0].text
                tag = "free" if not decided else ("bunch" if (brk if brk is not None else self._at_break(c, pc, boxes, eqs))
                                                  else "jump")
            steps = list(pc.branch.steps) + list(c.steps) + conc_steps
            if decided:
                steps.append(Step("compare", player, "the chosen candidate is at least as good as the others", to_sympy(decided)))
            steps.append(Step("case", player, case, to_sympy(region)))
            br = Branch(region, strategies, values, pc.branch.tags + [(player, tag)],
                        pc.branch.cases + [case], steps, list(pc.branch.unproven), list(pc.branch.claims))
            br.claims += [cl(region, point, values[player]) for cl in claims]
            out.append(br)
        return out

    def _value(self, pc, c, player):
        return nice(pc.payoffs[player].xreplace(c.point))

    def _at_break(self, c, pc, boxes, eqs):
        for x, pos in c.position.items():
            b = boxes[x]
            if pos == "lower" and b.lo_break:
                dom_end = self.game.variables[x][1].lo
                if self.prover.truth(b.lo.xreplace(eqs), "==", dom_end) is not True:
                    return True
            if pos == "upper" and b.hi_break:
                dom_end = self.game.variables[x][1].hi
                if self.prover.truth(b.hi.xreplace(eqs), "==", dom_end) is not True:
                    return True
        return False

    def _position(self, x, c, box, eqs):
        pos = c.position[x]
        if pos == "interior":
            return f"{x} interior"
        end, brk = (box.lo, box.lo_break) if pos == "lower" else (box.hi, box.hi_break)
        end = end.xreplace(eqs)
        if brk:
            dom = self.game.variables[x][1]
            brk = self.prover.truth(end, "==", dom.lo if pos == "lower" else dom.hi) is not True
        return f"{x} = {end} ({'breakpoint' if brk else 'bound'})"


def _open_sups(alive, mine, bounds, prover, stage, player):
    """The ``sup`` candidates not proved dominated by a point; refuse where one beats
    every point (no best response)."""
    from openeq.solver.backward import SolverError

    facts = prover.with_facts([b.sympy() for b in bounds])
    sups = [t[3] for t in alive if t[3].kind == "sup"
            and not any(facts.truth(m - t[3].limit, ">=", 0) is True for m in mine)]
    for s in sups:
        beats = [Bound(nice(s.limit - m), ">", 0) for m in mine]
        where = conjunction(bounds + beats, prover)
        if where is not None and not _decided_empty(where, prover):
            raise SolverError(f"stage {stage} ({player}): the supremum of u_{player} (as {s.where}) is not "
                              f"attained {_where(where)}; no best response exists")
    return sups


def _decided_empty(bounds, prover) -> bool:
    """Whether the decision procedure (optional, ``openeq.prove.decide``) proves the
    region empty: there a supremum that beats every point is vacuous."""
    from openeq.prove.decide import decide_empty

    return decide_empty([b.sympy() for b in bounds] + list(prover.relations), prover.domains) is True


def _empty_on(region, eqs, prover, compared=True):
    """Whether the region is proved empty once its equalities ``s == e`` are substituted
    and (for candidates ``compared`` in full, whose comparisons leave such regions) its
    bounds ``s op number`` narrow the domain of ``s``.  A test only: a region that is
    not proved empty is kept as it is written."""
    from openeq.solver.signs import fact_prover

    narrow = [b for b in region if compared and isinstance(b.subject, sp.Symbol) and b.bound.is_number
              and b.op != "=="]
    if not eqs and not narrow:
        return False
    rest = [b.subs(eqs) for b in region if not (b.op == "==" and b.subject in eqs) and b not in narrow]
    return conjunction(rest, fact_prover(prover, narrow, narrow) if narrow else prover) is None


def _where(bounds):
    return f"where {to_sympy(bounds)}" if bounds else "for all parameter values"


def drop_dominated_sups(per_piece, player, prover):
    """Turn a ``sup`` at an open end into no candidate where a closed piece of the same
    later branch is proved at least as good at that end (see the module docstring)."""
    items = [t for entry in per_piece for t in entry]
    for (_, pc, _, c) in items:
        if c.kind != "sup" or c.end is None:
            continue
        x, b, face = c.end
        same = [t for t in items if t[1].branch is pc.branch]  # first the same later branch, as before
        for (_, other, boxes, _) in same + [t for t in items if t[1].branch is not pc.branch]:
            if other is pc or x not in boxes:
                continue
            box = boxes[x]
            holds = (box.lo == b and not box.lo_open) or (box.hi == b and not box.hi_open)
            if holds and prover.truth(nice(other.payoffs[player].xreplace(face) - c.limit), ">=", 0) is True:
                c.kind, c.point, c.attained = "point", None, []
                break


def drop_cross_branch_sups(per_piece, player, prover, outer_of):
    """``drop_dominated_sups`` across later branches: a ``sup`` at an open end ``b`` of a
    piece (where a later mover's response changes form, or it switches to an option)
    is no candidate where a piece ``P`` of *another* later branch contains ``b`` and
    ``u_P(b) >= sup`` is proved, ``P``'s branch holding wherever the sup's does (its
    conditions in parameters and earlier choices, ``outer_of``, are among the sup's):
    ``P``'s candidates include its maximiser, worth at least ``u_P(b)``."""
    items = [t for entry in per_piece for t in entry]
    for (_, pc, _, c) in items:
        if c.kind != "sup" or c.end is None:
            continue
        x, b, face = c.end
        mine = set(outer_of.get(id(pc.branch), []))
        for (_, other, boxes, _) in items:
            if other.branch is pc.branch or x not in boxes or not set(outer_of.get(id(other.branch), [])) <= mine:
                continue
            box = boxes[x]
            holds = (box.lo == b and not box.lo_open) or (box.hi == b and not box.hi_open)
            if holds and prover.truth(nice(other.payoffs[player].xreplace(face) - c.limit), ">=", 0) is True:
                c.kind, c.point, c.attained = "point", None, []
                break


def attained_splits(bounds, combo, prover):
    """Split a region by whether each candidate's point (or approached end) lies in its piece."""
    results = [(bounds, [])]
    for item in combo:
        c = item[3]
        nxt = []
        for bs, alive in results:
            if c.point is None and c.kind == "point":
                nxt.append((bs, alive))
                continue
            if not c.attained:
                nxt.append((bs, alive + [item]))
                continue
            yes = conjunction(bs + c.attained, prover)
            if yes is not None:
                nxt.append((yes, alive + [item]))
            # not attained: the first failing bound, the earlier ones holding
            for k, a in enumerate(c.attained):
                for alt in negate(a):
                    no = conjunction(bs + c.attained[:k] + [alt], prover)
                    if no is not None:
                        nxt.append((no, alive))
        results = nxt
    return results


def prefer(diff):
    """Symbols to isolate ``diff`` in: lowest degree first (9: not polynomial in it), then
    those with a numeric coefficient (``p - Delta``: penalties read ``p >= Delta``, whatever
    the prover can sign of the others' coefficients), then by name."""
    syms = sorted(diff.free_symbols, key=lambda s: s.name)
    num, den = sp.fraction(diff)
    try:  # one Poly for all symbols (sp.degree would build one per symbol)
        degs = sp.Poly(num, *syms).degree_list() if syms else ()
    except sp.PolynomialError:
        return sorted(syms, key=lambda s: (sp.degree(diff, s) if diff.is_polynomial(s) else 9, s.name))
    bottom = den.free_symbols

    expanded = sp.expand(num)

    def plain(k):  # a numeric coefficient of a degree-1 symbol (over the denominator): 0, else 1
        if degs[k] != 1:
            return 1
        return 0 if sp.cancel(expanded.coeff(syms[k]) / den).is_number else 1

    return sorted(syms, key=lambda s: (9 if s in bottom else degs[syms.index(s)],
                                       plain(syms.index(s)) if s not in bottom else 1, s.name))
