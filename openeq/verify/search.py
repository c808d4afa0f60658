"""Vectorised brute-force backward induction: the search behind ``solve_numeric``.

Definitions.  Stage ``k``'s mover ``i`` with variables ``x`` (a box ``lo <= x <= hi``
whose bounds depend on the context) has the objective
``f(x) = u_i(context, x, s_{k+1}(context, x))``, where ``s_{k+1}`` is the brute-force
solution of stages ``k+1..K`` (recursively, for every candidate at once).  A stage
with several movers is solved by iterated best responses (Gauss-Seidel): a Nash
equilibrium of the stage given the context; when its movers are independent (the last
stage, each mover's payoff, box and constraints free of the others' variables there), by
one global best response each.  Everything is vectorised over
*contexts* (columns of ``V``, see ``model``): several parameter points and every
candidate of every earlier stage.

Global search of one move, per context:

1. a joint grid over the move's box, ``m`` points per coordinate; a finite side is
   an end point of the grid; an infinite side is a linear range of width
   ``S = max(1, |finite bound|)`` followed by a geometric tail out to ``TAIL * S``,
   re-gridded further out (``MAX_EXPAND`` times) while the best point is the last
   one; direct breakpoints (and the floats 1 and 2 ulps either side) are added to
   their coordinate's axis.  ``m`` is set so that the nested grids of all stages
   of one solve cost about ``GRID_BUDGET`` evaluations per context
   (``m = GRID_BUDGET**(1/D) - INNER_EVALS`` for ``D`` search dimensions, clipped
   to ``[MIN_GRID, MAX_GRID]``), so it depends only on the game, never on how many
   points are solved together;
2. the ``starts`` best local maxima of the grid (neighbours in every coordinate
   not better) are refined (``refine``): at the outermost stage of a solve by a
   zoomed sub-grid and Newton steps, inside by a parabolic step and a Newton step;
   several variables by coordinate sub-grids from each start and a joint Newton
   step (never coordinate ascent from one start alone);
3. candidates: the refined starts, for one variable also the end points and
   breakpoints; the best value wins, and among values within
   ``TIE_RTOL*(1+|v|)`` of it that are distinct actions the ``tie_break``-preferred
   one (the larger action for "max").

Contexts are independent, so an inner stage solves them in blocks of at most
``CHUNK_EVALS / (grid points)``: the nested grids multiply the contexts (a 2-variable
leader's grid times a 2-variable follower's), and all at once they would not fit in memory.

A context whose subgame has no solution (an unbounded payoff, no convergence of
best responses, an empty box) yields NaN there; the outermost stage of a solve
raises ``NumericSolveError`` with the reason instead.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from . import grid as gr
from . import refine as rf
from .model import MASK_TOL

__all__ = ["Search", "NumericSolveError", "INTERIOR", "LOWER", "UPPER", "BREAK"]

GRID_BUDGET, INNER_EVALS, MIN_GRID, MAX_GRID = 2e5, 8, 13, 201
TAIL, MAX_EXPAND = 1e6, 6
CHUNK_EVALS = 2e6  # an inner stage's grid is evaluated for at most this many (context, point) pairs at once

TIE_RTOL, SAME_RTOL = 1e-9, 1e-7
BR_TOL, BR_VERIFY, BR_ROUNDS, GLOBAL_ROUNDS, LOCAL_ROUNDS, LOCAL_STEPS = 1e-11, 1e-7, 300, 2, 40, 2
LOCAL_REFINE = True  # refinements re-solve later stages locally (from a warm start) when True
INTERIOR, LOWER, UPPER, BREAK = gr.INTERIOR, gr.LOWER, gr.UPPER, gr.BREAK


class NumericSolveError(RuntimeError):
    """The brute-force solver could not find an equilibrium (unbounded, no convergence)."""


class Search:
    """Backward induction over the contexts (columns) of ``V``; see the module docstring."""

    def __init__(self, model, grid=None, refine=True):
        self.M, self.grid_cap, self.refine = model, grid, refine
        self.m = MIN_GRID
        self.local = False  # later stages by Newton steps from the values in V (refinement)

    @contextmanager
    def globally(self):
        """Within: solve_from searches globally (a warm start computed during a refinement)."""
        old, self.local = self.local, False
        try:
            yield
        finally:
            self.local = old

    @contextmanager
    def locally(self):
        """Within: solve_from re-solves by local Newton steps from the values already in V."""
        old, self.local = self.local, LOCAL_REFINE
        try:
            yield
        finally:
            self.local = old

    # ------------------------------------------------------------------ helpers
    def call(self, f, V):
        with np.errstate(all="ignore"):
            return np.array(np.broadcast_to(np.asarray(f(*V), dtype=float), V.shape[1:]))

    def set_grid(self, k):
        """Grid points per coordinate for a solve whose outermost stage is ``k``."""
        D = sum(len(mv.idx) * len(self.M.stages[s]) for s in range(k, len(self.M.stages)) for mv in self.M.stages[s])
        m = int(GRID_BUDGET ** (1.0 / max(D, 1))) - INNER_EVALS
        self.m = max(MIN_GRID, min(self.grid_cap or MAX_GRID, MAX_GRID, m))

    def obj(self, k, mv, V, X, r, kinds=False):
        """Mover's payoff (L x P) at actions ``X`` (d x L x P) in contexts ``V[:, r]`` (r: L),
        later stages solved; with ``kinds`` also their regimes (nvars x L x P)."""
        d, L, P = X.shape
        pay = self.M.pay_np[mv.player]
        if k + 1 == len(self.M.stages):  # the last stage: broadcast, no copies of the context
            args = [V[q, r][:, None] for q in range(V.shape[0])]
            for c, row in enumerate(mv.rows):
                args[row] = X[c]
            with np.errstate(all="ignore"):
                f = np.broadcast_to(np.asarray(pay(*args), dtype=float), (L, P))
            K = np.zeros((len(self.M.vars), L, P), dtype=np.int16) if kinds else None
        else:
            W = V[:, np.repeat(r, P)]
            W[mv.rows] = X.reshape(d, -1)
            W, K = self.solve_from(k + 1, W, False)
            f = self.call(pay, W).reshape(L, P)
            K = K.reshape(-1, L, P) if kinds else None
        f = np.where(np.isnan(f), -np.inf, f)
        if mv.masks:  # constraints in several of the mover's variables (model.py)
            args = [V[q, r][:, None] for q in range(V.shape[0])]
            for c, row in enumerate(mv.rows):
                args[row] = X[c]
            with np.errstate(all="ignore"):
                for h, scale, _ in mv.masks:
                    viol = np.asarray(h(*args), dtype=float) < -MASK_TOL * (1 + np.abs(np.asarray(scale(*args))))
                    f = np.where(np.broadcast_to(viol, f.shape), -np.inf, f)
        return (f, K) if kinds else f

    # ------------------------------------------------------------------ stages
    def solve(self, V, k=0, move=None, grid_from=None):
        """Solve stages >= k for every column of V (top level); ``move``: only that move at
        stage k (the others keep their values in V), then the later stages.  The grid size is
        that of a solve from stage ``grid_from`` (default k)."""
        self.set_grid(k if grid_from is None else grid_from)
        if move is None:
            return self.solve_from(k, V, True)
        W, K, _ = self.best(k, move, V, True)
        return W, K

    def solve_from(self, k, V, top):
        M = self.M
        if k == len(M.stages):
            return V, np.zeros((len(M.vars), V.shape[1]), dtype=np.int16)
        moves = M.stages[k]
        size = max(1, int(CHUNK_EVALS // self.m ** max(len(mv.idx) for mv in moves)))
        if not top and not self.local and V.shape[1] > size:  # the contexts in blocks: bounded memory
            parts = [self.solve_from(k, V[:, j:j + size], False) for j in range(0, V.shape[1], size)]
            return np.concatenate([W for W, _ in parts], axis=1), np.concatenate([K for _, K in parts], axis=1)
        if self.local:
            return self.solve_local(k, V)
        if V.shape[1] == 0:
            return V.copy(), np.zeros((len(M.vars), 0), dtype=np.int16)
        if len(moves) == 1:
            W, K, _ = self.best(k, moves[0], V, top)
            return W, K
        V = self.nash(k, moves, V.copy(), top)
        W, K = self.solve_from(k + 1, V, False)
        for mv in moves:
            K[mv.idx] = rf.classify(self, mv, V, V[mv.rows])
        return W, K

    def solve_local(self, k, V):
        """Stages >= k by Newton steps from the values in V (a warm start nearby): LOCAL_STEPS
        steps per move; simultaneous moves in rounds until no action moves by BR_TOL
        (relative; at most LOCAL_ROUNDS rounds), in stage order."""
        V = V.copy()
        moves = self.M.stages[k]
        todo = np.arange(V.shape[1])
        for _ in range(1 if len(moves) == 1 else LOCAL_ROUNDS):
            change = np.zeros(todo.size)
            for mv in moves:
                Vt = V[:, todo]
                X = rf.local_best(self, k, mv, Vt, *self.box(mv, Vt), steps=LOCAL_STEPS)
                with np.errstate(invalid="ignore"):
                    ch = np.max(np.abs(X - Vt[mv.rows]) / (1 + np.abs(Vt[mv.rows])), axis=0)
                change = np.maximum(change, np.where(np.isnan(ch), 0.0, ch))
                V[np.ix_(mv.rows, todo)] = X
            todo = todo[change > BR_TOL]
            if not todo.size:
                break
        W, K = self.solve_local(k + 1, V) if k + 1 < len(self.M.stages) else \
            (V, np.zeros((len(self.M.vars), V.shape[1]), dtype=np.int16))
        for mv in moves:
            K[mv.idx] = rf.classify(self, mv, V, V[mv.rows])
        return W, K

    def nash(self, k, moves, V, top):
        """Iterated best responses, per context: GLOBAL_ROUNDS rounds of global best responses,
        then local rounds (Newton from the current action) until no action moves by more than
        BR_TOL relative (or the moves stall below BR_VERIFY), then a round of global best
        responses to the others' actions must move none by more than BR_VERIFY (else the
        global rounds start again from there)."""
        if self.M.separable[k]:  # independent movers: one best response each (model.Model._separable)
            for mv in moves:
                V[mv.rows] = self.best(k, mv, V, top, continuation=False)
            return V
        n = V.shape[1]
        for mv in moves:  # start at the lower bound (the upper one, or 0, if unbounded)
            for i in mv.idx:
                f = self.M.info[i]
                V[f.row] = self.call(f.lo_np, V) if f.lo_fin else self.call(f.hi_np, V) if f.hi_fin else 0.0
        mode, rounds, prev = np.zeros(n, dtype=int), np.zeros(n, dtype=int), np.full(n, np.inf)
        for _ in range(BR_ROUNDS):
            active = np.nonzero(mode < 3)[0]
            if not active.size:
                break
            for md in (0, 1, 2):
                cols = active[mode[active] == md]
                if cols.size:
                    V[:, cols] = self._br_round(k, moves, V[:, cols], top, md, mode, rounds, prev, cols)
        fail = mode < 3
        if fail.any():
            if top:
                names = [self.M.vars[i].name for mv in moves for i in mv.idx]
                raise NumericSolveError(f"best responses for {names} did not converge in {BR_ROUNDS} rounds")
            V[np.ix_([r for mv in moves for r in mv.rows], np.nonzero(fail)[0])] = np.nan
        return V

    def _br_round(self, k, moves, Vt, top, md, mode, rounds, prev, cols):
        change, found = np.zeros(Vt.shape[1]), {}
        for mv in moves:
            X = rf.local_best(self, k, mv, Vt, *self.box(mv, Vt)) if md == 1 else \
                self.best(k, mv, Vt, top, continuation=False)
            old = Vt[mv.rows]
            with np.errstate(all="ignore"):
                ch = np.max(np.abs(X - old) / (1 + np.abs(old)), axis=0)
            change = np.maximum(change, np.where(np.isnan(ch), np.inf, ch))
            if md == 2:
                found[id(mv)] = X  # a check: every mover answers the others' current actions
            else:
                Vt[mv.rows] = X
        if md == 0:
            rounds[cols] += 1
            mode[cols[rounds[cols] >= GLOBAL_ROUNDS]] = 1
        elif md == 1:
            settled = (change <= BR_TOL) | ((change < BR_VERIFY) & (change > 0.5 * prev[cols]))
            prev[cols] = change
            mode[cols[settled]] = 2
        else:
            done = change <= BR_VERIFY
            for mv in moves:
                Vt[np.ix_(mv.rows, np.nonzero(~done)[0])] = found[id(mv)][:, ~done]
            mode[cols] = np.where(done, 3, 0)
            rounds[cols[~done]], prev[cols[~done]] = 0, np.inf
        return Vt

    # ------------------------------------------------------------------ one move
    def box(self, mv, V):
        n, infos = V.shape[1], [self.M.info[i] for i in mv.idx]
        lo = np.array([self.call(f.lo_np, V) if f.lo_fin else np.full(n, -np.inf) for f in infos])
        hi = np.array([self.call(f.hi_np, V) if f.hi_fin else np.full(n, np.inf) for f in infos])
        return lo, hi

    def best(self, k, mv, V, top, continuation=True):
        """Global best action of move ``mv`` in each context: (W, K, value) with the later
        stages solved there (``continuation``), else the actions (d x n) only."""
        M, n = self.M, V.shape[1]
        infos = [M.info[i] for i in mv.idx]
        lo, hi = self.box(mv, V)
        empty = np.any(~(lo <= hi), axis=0)
        if top and empty.any():
            name = next(f.name for f, e in zip(infos, np.any(~(lo <= hi), axis=1)) if e)
            raise NumericSolveError(f"empty choice set for {name}: lower bound exceeds upper bound")
        lo, hi = np.where(empty, 0.0, lo), np.where(empty, 0.0, hi)
        pool = rf.Pool(n, len(mv.idx))
        G = gr.grid_search(self, k, mv, V, lo, hi, top, pool)
        if self.refine:
            rf.refine(self, k, mv, V, lo, hi, G, top, pool)
        X, f, kind = pool.select(mv.tie)
        bad = empty | ~np.isfinite(f)
        if top and bad.any():
            raise NumericSolveError(f"payoff of {mv.player} is undefined (or its later stages have no "
                                    f"solution) for every {', '.join(f.name for f in infos)}")
        X[:, bad] = np.nan
        if not continuation:
            return X
        W = V.copy()
        W[mv.rows] = X
        W, K = self.solve_from(k + 1, W, False)
        K[mv.idx] = np.where(kind >= 0, kind, rf.classify(self, mv, W, X))
        W[:, bad] = np.nan
        return W, K, f
