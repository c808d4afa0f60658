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

import dataclasses
import itertools
import sys
import time
from dataclasses import dataclass, field

import sympy as sp

from openeq.core.conditions import conjunction, nice, to_sympy
from openeq.core.equilibrium import Equilibrium, Region, Step
from openeq.core.errors import OpeneqError
from openeq.prove.decide import CROSS_CHECK, PROCEDURE, RLIMIT, decide_empty
from openeq.prove.emptiness import contradiction
from openeq.solver.budget import BudgetError, budget_record, check
from openeq.solver.candidates import Box, CandidateError, concavity, piece_candidates
from openeq.solver.cases import solve_cases
from openeq.solver.certify import DPS, TARGET, CertificationError, certify
from openeq.solver.claims import nash_claims, region_status, stage_claims
from openeq.solver.copies import CopiesStage, is_copies_stage
from openeq.solver.compare import Choice, attained_splits, drop_cross_branch_sups, drop_dominated_sups
from openeq.solver.global_opt import mover_entries
from openeq.solver.limits import LimitError
from openeq.solver.nash import NashOfPieces, several_equilibria
from openeq.solver.options import add_options, copies_label, options_note, play_entries, region_label
from openeq.solver.pieces import SplitError, as_pieces, split_pieces
from openeq.solver.signs import SolverProver, fact_prover
from openeq.solver.polyhedra import PolyError, needs_polyhedra
from openeq.solver.stationary import StationaryError
from openeq.solver.vector import VectorChoice

__all__ = ["BackwardInduction", "SolverError", "solve"]


class SolverError(OpeneqError):
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
    claims: list = field(default_factory=list)  # optimality claims (claims.py), proved or not


def solve(game, progress=False) -> Equilibrium:
    k = contradiction({p.symbol: p.domain for p in game.parameters.values()}, game.relations)
    if k is not None:  # an empty parameter space: nothing to solve (it crashed with 0**0)
        raise SolverError(f"assume: {game.relations[k]} contradicts the other assumptions and the parameter domains")
    return BackwardInduction(game, progress=progress).solve()


class BackwardInduction(Choice, VectorChoice, NashOfPieces, CopiesStage):
    def __init__(self, game, progress=False):
        self.game = game
        self.progress = progress
        domains = {p.symbol: p.domain for p in game.parameters.values()}
        domains.update({v: d for v, (m, d) in game.variables.items()})
        self.prover = SolverProver(domains, game.relations)
        self.decisions = []  # what the decision procedure proved (nash.py), for the method record

    def _say(self, msg):
        if self.progress:
            print(f"[openeq] {msg}", file=sys.stderr, flush=True)

    def _payoffs(self) -> dict:
        """The payoffs, with kinks in the choice variables as pieces (``as_pieces``)."""
        out = {}
        for p, u in self.game.payoffs.items():
            try:
                out[p] = as_pieces(u, self.game.variables)
            except BudgetError as e:
                raise SolverError(f"u_{p}: {e}") from None
        return out

    def solve(self) -> Equilibrium:
        game = self.game
        game.validate()
        t0 = time.perf_counter()
        branches = [Branch([], {}, self._payoffs())]
        records = {}
        for stage in reversed(game.stages):
            moves = game.moves_at(stage)
            self._say(f"stage {stage}: {', '.join(m.player for m in moves)} "
                      f"({', '.join(str(v) for m in moves for v in m.variables)})")
            try:
                for m in moves:  # a bound such as (a + 1)**1000 is as costly as a payoff
                    for v, d in m.variables.items():
                        check(d.lo, f"the lower bound of {v}")
                        check(d.hi, f"the upper bound of {v}")
                if is_copies_stage(game, moves):
                    branches = self._copies_stage(moves, branches, stage)
                elif len(moves) == 1:
                    branches = self._single(moves[0], branches, stage)
                else:
                    branches = self._simultaneous(moves, branches, stage)
            except (SplitError, CandidateError, StationaryError, LimitError, BudgetError, PolyError) as e:
                raise SolverError(f"stage {stage} ({', '.join(m.player for m in moves)}): {e}"
                                  f"{options_note(game, branches, e)}") from None
            for m in moves:
                for v in m.variables:
                    records[v] = [(b.bounds, b.strategies[v]) for b in branches]
            self._say(f"stage {stage}: {len(branches)} branch(es)")
        branches = self._drop_empty(branches)
        first = game.stages[0]
        later = [v for v, (m, d) in game.variables.items() if m.stage != first]
        brs = {v: _piecewise(records[v]) for v in later}
        regions = [self._region(b, brs) for b in branches]
        method = {
            "solver": "backward induction (FOC with corners, smooth pieces, indifference comparisons)",
            "prover": "sympy assumptions + positive-orthant reparametrisation certificate",
            "sympy": sp.__version__,
            "optimality": "global: all stationary points, ends and limits compared unless strict concavity is proved",
            "budget": budget_record(),
            "certification": f"unproven claims checked at up to {TARGET} sampled points (mpmath, {DPS} digits)",
        }
        if self.decisions:
            method["decision procedure"] = (f"{PROCEDURE}: {len(self.decisions)} sign(s) or empty condition(s) proved, "
                                            f"each cross-checked at {CROSS_CHECK} sampled points; {RLIMIT} z3 resource "
                                            "units per query")
        self._say(f"solved in {time.perf_counter() - t0:.2f} s")  # timings only on stderr: they vary by run
        return Equilibrium(game, regions, {v: records[v] for v in later}, method)

    def _drop_empty(self, branches):
        """The branches less those whose conditions, in one parameter, the decision
        procedure proves empty (the prover's linear elimination leaves conditions with
        radicals, such as ``sqrt(32*t + 1) <= 1`` beside ``t > 1/2``, undecided).  Only
        one-parameter conditions are decided: that is cheap (univariate), and it is where
        a user reads regimes as intervals.  Each drop is logged in ``decisions``."""
        out = []
        for br in branches:
            rels = [b.sympy() for b in br.bounds]
            syms = set().union(*[r.free_symbols for r in rels]) if rels else set()
            if len(syms) != 1:
                out.append(br)
                continue
            known = [r for r in self.prover.relations if r.free_symbols <= syms]
            if decide_empty(rels + known, self.prover.domains) is True:
                self.decisions.append("empty: " + str(to_sympy(br.bounds)))
                continue
            out.append(self._without_redundant(br, known))
        return out or branches

    def _without_redundant(self, br, known):
        """``br`` less each bound implied by the others (the decision procedure proves the
        others and its negation empty), in order: the same set, written with the
        thresholds that make it."""
        kept = list(br.bounds)
        for b in list(kept):
            others = [o.sympy() for o in kept if o is not b]
            if decide_empty(others + [sp.Not(b.sympy())] + known, self.prover.domains) is True:
                self.decisions.append(f"implied: {b.sympy()}")
                kept.remove(b)
        if len(kept) == len(br.bounds):
            return br
        return dataclasses.replace(br, bounds=kept)

    # ------------------------------------------------------------- one mover
    def _single(self, move, branches, stage):
        """Solve a one-mover stage; splits the parameter space where a breakpoint's
        position against the mover's domain, a second-order condition or a leading
        coefficient is not decided by the prover (``cases.py``)."""
        return solve_cases(lambda prover: self._single_given(move, branches, stage, prover),
                           lambda facts, narrow: fact_prover(self.prover, facts, narrow), self.prover,
                           f"stage {stage} ({move.player})")

    def _single_given(self, move, branches, stage, prover):
        if needs_polyhedra(move, branches):
            return self._vector_given(move, branches, stage, prover)
        player, xs = move.player, list(move.variables)
        inner = []
        for br in branches:
            for p, u in br.payoffs.items():
                check(u, f"u_{p}", xs if p == player else None)
            own = [b for b in br.bounds if b.free_symbols & set(xs)]
            outer = [b for b in br.bounds if not b.free_symbols & set(xs)]
            inner.append((Branch(own, br.strategies, br.payoffs, br.tags, br.cases, br.steps, br.unproven, br.claims), outer))
        pieces = split_pieces([b for b, _ in inner], xs, move.variables, prover)
        outer_of = {id(b): o for b, o in inner}
        conc_steps, seen = [], set()
        for pc in pieces if xs else ():
            f = pc.payoffs[player]
            key = sp.srepr(sp.expand(sp.diff(f, *xs) if len(xs) == 1 else f))
            if key in seen:
                continue
            seen.add(key)
            conc_steps += concavity({player: f}, {player: xs}, prover)[0]
        per_piece = [] if xs else play_entries(pieces, move)
        for order, pc in enumerate(pieces if xs else ()):
            boxes = {}
            for x, d in move.variables.items():
                if x == pc.var:
                    boxes[x] = Box(pc.lo, pc.hi, pc.lo_open, pc.hi_open, pc.lo_break, pc.hi_break)
                else:
                    boxes[x] = Box(d.lo, d.hi, d.lo_open, d.hi_open)
            for cands in mover_entries(player, xs, pc.payoffs, boxes, prover):
                for c in cands:
                    if c.point is not None or c.kind != "point":
                        c.attained = c.attained + outer_of[id(pc.branch)]
                per_piece.append([(order, pc, boxes, c) for c in cands])
        drop_dominated_sups(per_piece, player, prover)
        drop_cross_branch_sups(per_piece, player, prover, outer_of)
        claims = stage_claims(stage, player, move, branches, per_piece)
        per_piece = add_options(self.game, move, per_piece, branches, self.game.tie_break.get(player, "max"))
        return self._decide(player, xs, per_piece, claims, conc_steps, stage, prover)

    def _decide(self, player, xs, per_piece, claims, conc_steps, stage, prover):
        """The mover's choice in every combination of one candidate per entry."""
        tie = self.game.tie_break.get(player, "max")
        out = []
        for combo in itertools.product(*per_piece):
            bounds = conjunction([b for (_, _, _, c) in combo for b in c.bounds], prover)
            if bounds is None:
                continue
            for sub_bounds, alive in attained_splits(bounds, list(combo), prover):
                out += self._choose(player, xs, sub_bounds, alive, tie, conc_steps, stage, prover, claims)
        if not out:
            raise SolverError(f"stage {stage} ({player}): no maximiser is attained anywhere")
        return out

    # --------------------------------------------------------- simultaneous
    def _simultaneous(self, moves, branches, stage):
        xs = [v for m in moves for v in m.variables]
        owner = {v: m.player for m in moves for v in m.variables}
        domains = {v: d for m in moves for v, d in m.variables.items()}
        groups = {m.player: list(m.variables) for m in moves}
        if any(any(b.free_symbols & set(xs) for b in br.bounds) or any(
                a.free_symbols & set(xs) for u in br.payoffs.values() for a in sp.sympify(u).atoms(sp.core.relational.Relational))
               for br in branches):
            return self._nash_of_pieces(moves, branches, stage)  # pieces in the movers' choices (nash.py)
        out = []
        for br in branches:
            for p, u in br.payoffs.items():
                check(u, f"u_{p}", groups.get(p))
            conc_steps, _ = concavity(br.payoffs, groups, self.prover)
            concave = all(st.proved for st in conc_steps)
            boxes = {x: Box(d.lo, d.hi, d.lo_open, d.hi_open) for x, d in domains.items()}
            try:
                cands = piece_candidates(owner, br.payoffs, boxes, self.prover)
            except CandidateError as e:
                raise SolverError(f"stage {stage}: {e}") from None
            made = []
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
                claims = [] if concave else nash_claims(stage, moves, br.payoffs, point, region, values)
                made.append((c.rank, Branch(region, strategies, values, br.tags + [(m.player, "free") for m in moves],
                                            br.cases + [case], steps, list(br.unproven), list(br.claims) + claims)))
            self._one_equilibrium(made, stage)
            out += [b for _, b in made]
        return out

    def _one_equilibrium(self, made, stage):
        """Several solutions of one active set: their regions must be proved disjoint
        (openeq does not select among equilibria)."""
        for i, (ri, bi) in enumerate(made):
            for rj, bj in made[i + 1:]:
                both = conjunction(bi.bounds + bj.bounds, self.prover) if ri == rj else None
                if both is not None:
                    raise SolverError(several_equilibria(
                        stage, "the first-order conditions have several solutions that may all be equilibria", bi, bj, both))

    # ---------------------------------------------------------------- output
    def _region(self, b, brs):
        label = b.cases[-1] if b.cases else ""
        if self.game.labels:
            tag = b.tags[-1][1]
            label = self.game.labels.get(tag, tag)
        if self.game.copies:
            label = copies_label(self.game, b.tags, b.cases)
        elif any(m.options for m in self.game.moves):
            label = region_label(self.game, b.tags, b.cases)
        order = list(self.game.variables)
        strategies = {v: b.strategies[v] for v in order}
        payoffs = {p: b.payoffs[p] for p in self.game.players if p in b.payoffs}
        try:
            status, samples, texts = region_status(b.claims, self.game, certify)
        except CertificationError as e:
            raise SolverError(f"claim fails: {e}") from None
        return Region(label, b.bounds, strategies, payoffs, brs, "; ".join(reversed(b.cases)),
                      tuple(b.tags), b.steps, sorted(set(b.unproven) | set(texts)), status, samples)


def _piecewise(record):
    if len(record) == 1:
        return record[0][1]
    return sp.Piecewise(*[(e, to_sympy(bs)) for bs, e in record], evaluate=False)
