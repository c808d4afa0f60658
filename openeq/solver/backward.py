"""Backward induction for sequential games with continuous actions.

Stages are solved from the last to the first.  At stage ``k`` every later
stage has been replaced by its best-response *branches*: closed forms for the
later choices as functions of earlier ones, each valid under a condition.  The
movers at stage ``k`` then maximise their payoffs given those branches:

* a single mover: its payoff (with later branches substituted) is split into
  smooth pieces along its choice (``pieces.py``); on each piece the candidates
  come from the first-order conditions with corners (``candidates.py``); the
  mover takes the candidate of highest payoff.  Comparing candidates from
  different pieces gives *indifference conditions* (``p >= Delta``) that cut
  the parameter space into regions.  Ties go to the larger action (``"max"``)
  or the smaller (``"min"``), per ``game.tie_break``.
* simultaneous movers: a Nash equilibrium of the stage game from the joint
  KKT conditions (each mover's FOC in its own variables).

Region tags for a mover with several pieces: ``free`` (one candidate, no
comparison needed), ``bunch`` (the chosen point sits at a breakpoint, e.g. at
the threshold), ``jump`` (a comparison was needed and the mover stays away
from the breakpoint).  ``game.labels`` renames tags (``bunch -> comply``).
"""
from __future__ import annotations

import itertools
import sys
import time
from dataclasses import dataclass, field

import sympy as sp

from ..conditions import Bound, conjunction, isolate, negate, nice, to_sympy
from ..equilibrium import Equilibrium, Region, Step
from ..prover import Prover
from .candidates import Box, CandidateError, concavity, piece_candidates
from .pieces import SplitError, SplitUndecided, split_pieces

__all__ = ["BackwardInduction", "SolverError", "solve"]


class SolverError(ValueError):
    """The engine cannot solve the game; the message names the stage and why."""


@dataclass
class Branch:
    bounds: list
    strategies: dict
    payoffs: dict
    tags: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    unproven: list = field(default_factory=list)


def solve(game, progress=False) -> Equilibrium:
    return BackwardInduction(game, progress=progress).solve()


class BackwardInduction:
    def __init__(self, game, progress=False):
        self.game = game
        self.progress = progress
        domains = {p.symbol: p.domain for p in game.parameters.values()}
        domains.update({v: d for v, (m, d) in game.variables.items()})
        self.prover = Prover(domains, game.relations)

    def _say(self, msg):
        if self.progress:
            print(f"[openeq] {msg}", file=sys.stderr, flush=True)

    def solve(self) -> Equilibrium:
        game = self.game
        game.validate()
        t0 = time.perf_counter()
        branches = [Branch([], {}, dict(game.payoffs))]
        records, steps = {}, []
        for stage in reversed(game.stages):
            moves = game.moves_at(stage)
            self._say(f"stage {stage}: {', '.join(m.player for m in moves)} "
                      f"({', '.join(str(v) for m in moves for v in m.variables)})")
            try:
                if len(moves) == 1:
                    branches = self._single(moves[0], branches, stage)
                else:
                    branches = self._simultaneous(moves, branches, stage)
            except (SplitError, CandidateError) as e:
                raise SolverError(f"stage {stage} ({', '.join(m.player for m in moves)}): {e}") from None
            for m in moves:
                for v in m.variables:
                    records[v] = [(b.bounds, b.strategies[v]) for b in branches]
            self._say(f"stage {stage}: {len(branches)} branch(es)")
        first = game.stages[0]
        later = [v for v, (m, d) in game.variables.items() if m.stage != first]
        brs = {v: _piecewise(records[v]) for v in later}
        regions = [self._region(b, brs) for b in branches]
        method = {
            "solver": "backward induction (FOC with corners, smooth pieces, indifference comparisons)",
            "prover": "sympy assumptions + positive-orthant reparametrisation certificate",
            "sympy": sp.__version__,
        }
        self._say(f"solved in {time.perf_counter() - t0:.2f} s")  # timings only on stderr: they vary by run
        return Equilibrium(game, regions, {v: records[v] for v in later}, steps, method)

    # ------------------------------------------------------------- one mover
    def _single(self, move, branches, stage, facts=()):
        """Solve a one-mover stage; splits the parameter space where a breakpoint's
        position against the mover's domain is not decided by the prover."""
        prover = self.prover.with_facts([f.sympy() for f in facts]) if facts else self.prover
        try:
            out = self._single_given(move, branches, stage, prover)
        except SplitUndecided as u:
            if len(facts) > 6:
                raise SolverError(f"stage {stage} ({move.player}): too many undecided breakpoints") from None
            out = []
            for alt in [u.bound] + negate(u.bound):
                if conjunction(list(facts) + [alt], self.prover) is not None:
                    out += self._single(move, branches, stage, tuple(facts) + (alt,))
            return out
        if facts:
            kept = []
            for b in out:
                region = conjunction(list(facts) + b.bounds, self.prover)
                if region is not None:
                    b.bounds = region
                    kept.append(b)
            out = kept
        return out

    def _single_given(self, move, branches, stage, prover):
        player, xs = move.player, list(move.variables)
        inner = []
        for br in branches:
            own = [b for b in br.bounds if b.free_symbols & set(xs)]
            outer = [b for b in br.bounds if not b.free_symbols & set(xs)]
            inner.append((Branch(own, br.strategies, br.payoffs, br.tags, br.cases, br.steps, br.unproven), outer))
        pieces = split_pieces([b for b, _ in inner], xs, move.variables, prover)
        outer_of = {id(b): o for b, o in inner}
        conc_steps, conc_unproven, seen = [], [], set()
        for pc in pieces:
            f = pc.payoffs[player]
            key = sp.srepr(sp.expand(sp.diff(f, *xs) if len(xs) == 1 else f))
            if key in seen:
                continue
            seen.add(key)
            s, u = concavity({player: f}, {player: xs}, prover)
            conc_steps += s
            conc_unproven += u
        per_piece = []
        for order, pc in enumerate(pieces):
            boxes = {}
            for x, d in move.variables.items():
                if x == pc.var:
                    boxes[x] = Box(pc.lo, pc.hi, pc.lo_open, pc.hi_open, pc.lo_break, pc.hi_break)
                else:
                    boxes[x] = Box(d.lo, d.hi, d.lo_open, d.hi_open)
            cands = piece_candidates({x: player for x in xs}, pc.payoffs, boxes, prover)
            for c in cands:
                if c.point is not None:
                    c.attained = c.attained + outer_of[id(pc.branch)]
            per_piece.append([(order, pc, boxes, c) for c in cands])
        tie = self.game.tie_break.get(player, "max")
        out = []
        for combo in itertools.product(*per_piece):
            bounds = conjunction([b for (_, _, _, c) in combo for b in c.bounds], prover)
            if bounds is None:
                continue
            for sub_bounds, alive in _attained_splits(bounds, list(combo), prover):
                out += self._choose(player, xs, sub_bounds, alive, tie, conc_steps, conc_unproven, stage, prover)
        if not out:
            raise SolverError(f"stage {stage} ({player}): no maximiser is attained anywhere")
        return out

    def _choose(self, player, xs, bounds, alive, tie, conc_steps, conc_unproven, stage, prover):
        if not alive:
            raise SolverError(
                f"stage {stage} ({player}): under {to_sympy(bounds)} the supremum is not attained "
                "(an open end of a piece); no best response exists"
            )
        ranked = sorted(alive, key=lambda t: t[0], reverse=(tie == "max"))
        mine = [self._value(pc, c, player) for (_, pc, _, c) in ranked]  # the others' only for the winners
        out = []
        for i, (order, pc, boxes, c) in enumerate(ranked):
            cmp = []
            facts = prover.with_facts([b.sympy() for b in bounds])
            for j in range(len(ranked)):
                if j == i:
                    continue
                diff = nice(mine[i] - mine[j])
                cmp.append(isolate(Bound(diff, ">=" if i < j else ">", 0), facts, prefer=_prefer(diff)))
            decided = conjunction(cmp, facts)
            if decided is None:
                continue
            region = conjunction(bounds + decided, prover)
            if region is None:
                continue
            eqs = {b.subject: b.bound for b in region if b.op == "==" and isinstance(b.subject, sp.Symbol)}
            point = {x: nice(v.xreplace(eqs)) for x, v in c.point.items()}
            values = {p: nice(self._value(pc, c, p).xreplace(eqs)) for p in pc.payoffs}
            strategies = {v: nice(e.xreplace(point).xreplace(eqs)) for v, e in pc.branch.strategies.items()}
            strategies.update(point)
            tag = "free" if not decided else ("bunch" if self._at_break(c, pc, boxes, eqs) else "jump")
            case = "; ".join(self._position(x, c, boxes[x], eqs) for x in xs)
            steps = list(pc.branch.steps) + list(c.steps) + conc_steps
            if decided:
                steps.append(Step("compare", player, "the chosen candidate is at least as good as the others", to_sympy(decided)))
            steps.append(Step("case", player, case, to_sympy(region)))
            out.append(Branch(region, strategies, values, pc.branch.tags + [(player, tag)],
                              pc.branch.cases + [case], steps, pc.branch.unproven + conc_unproven))
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

    # --------------------------------------------------------- simultaneous
    def _simultaneous(self, moves, branches, stage):
        xs = [v for m in moves for v in m.variables]
        owner = {v: m.player for m in moves for v in m.variables}
        domains = {v: d for m in moves for v, d in m.variables.items()}
        out = []
        for br in branches:
            if any(b.free_symbols & set(xs) for b in br.bounds) or any(
                a.free_symbols & set(xs) for u in br.payoffs.values() for a in sp.sympify(u).atoms(sp.core.relational.Relational)
            ):
                raise SolverError(
                    f"stage {stage}: simultaneous moves with piecewise payoffs or piecewise later best responses are not supported"
                )
            groups = {m.player: list(m.variables) for m in moves}
            conc_steps, conc_unproven = concavity(br.payoffs, groups, self.prover)
            boxes = {x: Box(d.lo, d.hi, d.lo_open, d.hi_open) for x, d in domains.items()}
            try:
                cands = piece_candidates(owner, br.payoffs, boxes, self.prover)
            except CandidateError as e:
                raise SolverError(f"stage {stage}: {e}") from None
            for c in cands:
                if c.point is None:
                    continue
                region = conjunction(br.bounds + c.bounds + c.attained, self.prover)
                if region is None:
                    continue
                point = dict(c.point)
                values = {p: nice(u.xreplace(point)) for p, u in br.payoffs.items()}
                strategies = {v: nice(e.xreplace(point)) for v, e in br.strategies.items()}
                strategies.update(point)
                case = "; ".join(self._position(x, c, boxes[x], {}) for x in xs)
                steps = list(br.steps) + list(c.steps) + conc_steps + [Step("case", ",".join(groups), case, to_sympy(region))]
                out.append(Branch(region, strategies, values, br.tags + [(m.player, "free") for m in moves],
                                  br.cases + [case], steps, br.unproven + conc_unproven))
        return out

    # ---------------------------------------------------------------- output
    def _region(self, b, brs):
        label = b.cases[-1] if b.cases else ""
        if self.game.labels:
            tag = b.tags[-1][1]
            label = self.game.labels.get(tag, tag)
        order = list(self.game.variables)
        strategies = {v: b.strategies[v] for v in order}
        payoffs = {p: b.payoffs[p] for p in self.game.players if p in b.payoffs}
        return Region(label, b.bounds, strategies, payoffs, brs, "; ".join(reversed(b.cases)),
                      tuple(b.tags), b.steps, sorted(set(b.unproven)))


def _attained_splits(bounds, combo, prover):
    """Split a region by whether each candidate's point lies in its piece."""
    results = [(bounds, [])]
    for item in combo:
        c = item[3]
        nxt = []
        for bs, alive in results:
            if c.point is None:
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


def _prefer(diff):
    """Symbols to isolate ``diff`` in: lowest degree first (9: not polynomial in it), then by name."""
    syms = sorted(diff.free_symbols, key=lambda s: s.name)
    num, den = sp.fraction(diff)
    try:  # one Poly for all symbols (sp.degree would build one per symbol)
        degs = sp.Poly(num, *syms).degree_list() if syms else ()
    except sp.PolynomialError:
        return sorted(syms, key=lambda s: (sp.degree(diff, s) if diff.is_polynomial(s) else 9, s.name))
    bottom = den.free_symbols
    return sorted(syms, key=lambda s: (9 if s in bottom else degs[syms.index(s)], s.name))


def _piecewise(record):
    if len(record) == 1:
        return record[0][1]
    return sp.Piecewise(*[(e, to_sympy(bs)) for bs, e in record], evaluate=False)
