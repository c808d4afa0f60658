"""Refinement of a move's grid optima and selection among candidates (used by ``search``).

Definitions (per context; ``f`` is the move's objective, see ``search``):

* local maximum of the joint grid: a point no neighbour of which (one index step
  in any coordinates) has a larger value, nor an equal value at a lexicographically
  earlier index (one point per plateau); besides the best one, up to
  ``TOP_STARTS - 1`` more are refined at the outermost stage, those whose value plus
  their drop to their lowest neighbour (a bound on what a smooth maximum in their
  cells adds) reaches the best value;
* zoom: ``ZOOM_ROUNDS`` rounds of a ``ZOOM_POINTS`` sub-grid on the bracket formed by
  the two neighbours, each round re-centred on its best point (handles kinks);
* kink: where the later stages' regime (each later variable interior, at a bound or
  at a breakpoint) differs between the zoom's best point and a neighbour, the switch
  is located by ``KINK_STEPS`` bisection steps (a maximum at a kink is the switch);
* Newton step: ``x - f'/f''`` with 5-point finite differences of step
  ``h = NEWTON_H * cell`` (error ``O(h**4)`` + rounding ``eps |f| / h``), from the
  grid's parabolic vertex inside; kept only if it stays in the box (and within two
  cells) and ``f`` falls by at most ``NEWTON_RTOL*(1+|f|)`` (rounding of the nested
  solutions);
* several variables: ``CYCLES`` cycles of a coordinate sub-grid of half-width
  ``w_c`` (initially one cell, halved when the best point is inside the window;
  the box ends and breakpoints inside the window are points too) from each start,
  then joint Newton steps on the coordinates not at a bound (central differences
  of step ``NEWTON_H_ND * cell``).
"""
from __future__ import annotations

import numpy as np

from .grid import BREAK, INTERIOR, LOWER, UPPER, argbest, direct_breaks

__all__ = ["Pool", "refine", "local_best", "classify"]

TOP_STARTS, INNER_STARTS = 3, 1
ZOOM_ROUNDS, ZOOM_POINTS, KINK_STEPS = 3, 7, 40
NEWTON_H, NEWTON_H_ND, NEWTON_RTOL = 0.1, 0.01, 1e-11
CYCLES_TOP, CYCLES_INNER, SUB_POINTS = 8, 3, 7
LOCAL_H = 1e-2
TIE_RTOL, SAME_RTOL = 1e-9, 1e-7


# ---------------------------------------------------------------- candidate pool
class Pool:
    """Candidates, per context: action X (d x n x c), value (n x c; -inf: none), ``exact``
    (exactly an end point or a breakpoint) and kind (d x n x c; -1: classify afterwards)."""

    def __init__(self, n, d):
        self.n, self.d, self.parts = n, d, []

    def add(self, X, ctx, f, exact=None, kind=None):
        """Candidates X (d x L) of contexts ``ctx`` (L), laid out densely."""
        if not ctx.size:
            return
        order = np.argsort(ctx, kind="stable")
        ctx, X, f = ctx[order], X[:, order], f[order]
        exact = np.zeros(ctx.size, dtype=bool) if exact is None else exact[order]
        kind = np.full(X.shape, -1, dtype=np.int16) if kind is None else kind[:, order]
        start = np.searchsorted(ctx, ctx, side="left")
        slot = np.arange(ctx.size) - start
        c = int(slot.max()) + 1
        Xd = np.zeros((self.d, self.n, c))
        fd, ed = np.full((self.n, c), -np.inf), np.zeros((self.n, c), dtype=bool)
        kd = np.full((self.d, self.n, c), -1, dtype=np.int16)
        Xd[:, ctx, slot], fd[ctx, slot], ed[ctx, slot], kd[:, ctx, slot] = X, f, exact, kind
        self.parts.append((Xd, fd, ed, kd))

    def add_dense(self, X, f, exact=None):
        """Candidates already laid out densely: X (d x n x c), f (n x c)."""
        self.parts.append((X, f, np.zeros(f.shape, dtype=bool) if exact is None else exact,
                           np.full(X.shape, -1, dtype=np.int16)))

    def select(self, tie):
        """Per context -> (X d x n, value, kind): the best value; among values within
        TIE_RTOL*(1+|v|) of it that are distinct actions (SAME_RTOL apart) the
        tie_break-preferred one (lexicographically largest for tie=+1); among copies of
        the chosen action (1-2 ulps apart) an exact end point or breakpoint if one is
        within TIE_RTOL, else the best copy."""
        n, d = self.n, self.d
        if not self.parts:
            return np.full((d, n), np.nan), np.full(n, -np.inf), np.full((d, n), -1, dtype=np.int16)
        X, F, ex, kd = (np.concatenate(z, axis=-1) for z in zip(*self.parts))
        F = np.where(np.isnan(F), -np.inf, F)
        vmax = F.max(axis=1)
        ok = np.isfinite(vmax)
        rows = np.arange(n)
        pick = np.argmax(F == vmax[:, None], axis=1)
        near = np.isfinite(F) & (F >= (vmax - TIE_RTOL * (1 + np.abs(vmax)))[:, None])
        has_tie = np.any(near & ~_same(X, pick), axis=1)
        pref = near.copy()
        with np.errstate(invalid="ignore"):
            for c in range(d):
                key = np.where(pref, tie * X[c], -np.inf).max(axis=1)
                pref &= tie * X[c] == key[:, None]
        pick = np.where(has_tie & pref.any(axis=1), np.argmax(pref, axis=1), pick)
        same = near & _same(X, pick)
        for mask in (same, same & ex):  # the best copy, an exact one if there is one
            v = np.where(mask, F, -np.inf)
            vb = v.max(axis=1)
            got = np.isfinite(vb)
            pick = np.where(got, np.argmax(v == vb[:, None], axis=1), pick)
        Xn = X[:, rows, pick]
        Xn[:, ~ok] = np.nan
        return Xn, np.where(ok, F[rows, pick], -np.inf), kd[:, rows, pick]


def _same(X, pick):
    """Candidates whose action equals (to SAME_RTOL) the picked one of their context."""
    xp = X[:, np.arange(X.shape[1]), pick][:, :, None]
    with np.errstate(invalid="ignore"):
        return ~np.any(np.abs(X - xp) > SAME_RTOL * (1 + np.abs(xp)), axis=0)


class Track:
    """Best point so far of each refinement start."""

    def __init__(self, X, f):
        self.X, self.f = X.copy(), f.copy()

    def offer(self, X, f, cols, slack=0.0):
        """Replace where ``f`` is not below the current value by more than ``slack``."""
        better = np.isfinite(f) & (f >= self.f[cols] - slack * (1 + np.abs(self.f[cols])))
        c = cols[better]
        self.X[:, c], self.f[c] = X[:, better], f[better]


class Ctx:
    """The move, its contexts ``V[:, r]`` and box ``lo..hi`` (per element of r) for the
    refinement of starts ``r``."""

    def __init__(self, S, k, mv, V, lo, hi, r):
        self.S, self.k, self.mv, self.V, self.r, self.lo, self.hi = S, k, mv, V, r, lo, hi

    def f(self, X, cols, kinds=False):
        """Objective at X (d x len(cols) x P) for the starts ``cols``: (len(cols) x P)."""
        return self.S.obj(self.k, self.mv, self.V, X, self.r[cols], kinds)

    def rewarm(self, X):
        """The warm start of every start: the later stages solved globally at X (d x L)."""
        if self.k + 1 == len(self.S.M.stages):
            return
        W = self.V[:, self.r]
        W[self.mv.rows] = X
        with self.S.globally():
            self.V[:, self.r] = self.S.solve_from(self.k + 1, W, False)[0]


# ---------------------------------------------------------------- refinement
def _local_maxima(G, T, tie):
    """Up to T local maxima of each context's grid (module docstring): (indices, valid)."""
    n, N = G.F.shape
    if T == 1 or N == 1:  # the best grid point is a local maximum
        idx = argbest(G.F, tie)[:, None]
        return idx, np.isfinite(np.take_along_axis(G.F, idx, axis=1))
    F = G.F.reshape((n,) + G.shape)
    d = len(G.shape)
    P = np.pad(F, [(0, 0)] + [(1, 1)] * d, constant_values=-np.inf)
    is_max, low = np.isfinite(F), np.full(F.shape, np.inf)
    for off in np.ndindex(*(3,) * d):
        if all(o == 1 for o in off):
            continue
        nb = P[(slice(None),) + tuple(slice(o, o + s) for o, s in zip(off, G.shape))]
        before = off < (1,) * d  # an earlier neighbour: strictly lower (one point per plateau)
        is_max &= (F > nb) if before else (F >= nb)
        low = np.minimum(low, np.where(np.isfinite(nb), nb, np.inf))
    Sc = np.where(is_max.reshape(n, N), G.F, -np.inf)
    first = argbest(Sc, tie)
    if T == 1 or N == 1:
        idx = first[:, None]
    else:
        Sc2 = Sc.copy()
        Sc2[np.arange(n), first] = -np.inf
        idx = np.concatenate([first[:, None], np.argsort(-Sc2, axis=1, kind="stable")[:, :T - 1]], axis=1)
    v = np.take_along_axis(Sc, idx, axis=1)
    low = low.reshape(n, N)
    drop = v - np.take_along_axis(np.where(np.isfinite(low), low, -np.inf), idx, axis=1)
    valid = np.isfinite(v) & (v + np.maximum(drop, 0) >= v[:, :1])
    return idx, valid


def refine(S, k, mv, V, lo, hi, G, top, pool):
    """Refine the best local maxima of the grid and add them to the pool."""
    n, N = G.F.shape
    idx, valid = _local_maxima(G, TOP_STARTS if top else INNER_STARTS, mv.tie)
    r = np.repeat(np.arange(n), idx.shape[1])[valid.ravel()]
    j = idx.ravel()[valid.ravel()]
    if not r.size:
        return
    sub = np.unravel_index(j, G.shape)
    A = np.array([G.axes[c][r, np.maximum(sub[c] - 1, 0)] for c in range(len(sub))])
    B = np.array([G.axes[c][r, np.minimum(sub[c] + 1, G.shape[c] - 1)] for c in range(len(sub))])
    X0 = np.array([G.axes[c][r, sub[c]] for c in range(len(sub))])
    tr = Track(X0, G.F[r, j])
    last = k + 1 == len(S.M.stages)
    Vw = V[:, r]
    if not last:  # warm start: the (global) solution of the later stages at each start
        Vw[mv.rows] = X0
        Vw = S.solve_from(k + 1, Vw, False)[0]
    cx = Ctx(S, k, mv, Vw, lo[:, r], hi[:, r], np.arange(r.size))
    with S.locally():  # later stages re-solved by Newton steps from the warm start
        if len(sub) > 1:
            _refine_nd(cx, A, B, tr, top)
        elif top:
            _refine_top(cx, A[0], B[0], tr)
        else:
            s0 = np.clip(j - 1, 0, max(N - 3, 0))
            pts = [(G.axes[0][r, np.minimum(s0 + q, N - 1)], G.F[r, np.minimum(s0 + q, N - 1)]) for q in range(3)]
            vertex = np.clip(_parabola(*pts), A[0], B[0])
            newton_1d(cx, np.arange(r.size), tr, np.maximum((B[0] - A[0]) / 2, 0.0), start=vertex)
    # the refined points' values with the later stages solved globally again
    f = tr.f if last else S.obj(k, mv, V, tr.X[:, :, None], r)[:, 0]
    pool.add(tr.X, r, f)


def _parabola(p0, p1, p2):
    (a, fa), (b, fb), (c, fc) = p0, p1, p2
    with np.errstate(all="ignore"):
        num = (b - a) ** 2 * (fb - fc) - (b - c) ** 2 * (fb - fa)
        den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
        v = b - 0.5 * num / den
    return np.where(np.isfinite(v), v, b)


def _refine_top(cx, A, B, tr):
    """Outermost stage, one variable: zoom, kink bisection, two Newton steps."""
    L = cx.r.size
    cols = np.arange(L)
    cell = np.maximum((B - A) / 2, 0.0)
    P, tz = ZOOM_POINTS, np.linspace(0.0, 1.0, ZOOM_POINTS)
    for rnd in range(ZOOM_ROUNDS):
        if rnd == 1:  # the later stages' warm start moves to the first round's best point
            cx.rewarm(tr.X)
        Z = A[:, None] + (B - A)[:, None] * tz
        f, K = cx.f(Z[None], cols, kinds=True)
        jz = argbest(f, cx.mv.tie)
        tr.offer(Z[cols, jz][None], f[cols, jz], cols)
        ja, jb = np.maximum(jz - 1, 0), np.minimum(jz + 1, P - 1)
        A, B = Z[cols, ja], Z[cols, jb]
    Kz = K[:, cols, jz]
    for j_out in (ja, jb):
        kink = np.nonzero(np.any(K[:, cols, j_out] != Kz, axis=0))[0]
        if kink.size:
            _bisect_kink(cx, kink, Z[kink, jz[kink]], Z[kink, j_out[kink]], Kz[:, kink], tr)
    cx.rewarm(tr.X)
    for _ in range(2):
        newton_1d(cx, cols, tr, cell)


def _bisect_kink(cx, cols, x_in, x_out, K_in, tr):
    """Bisection for the point where the later stages' regime changes; every midpoint is
    offered (the maximum of a kink is at the switch)."""
    for _ in range(KINK_STEPS):
        xm = 0.5 * (x_in + x_out)
        f, K = cx.f(xm[None, :, None], cols, kinds=True)
        tr.offer(xm[None], f[:, 0], cols)
        same = np.all(K[:, :, 0] == K_in, axis=0)
        x_in, x_out = np.where(same, xm, x_in), np.where(same, x_out, xm)


def newton_1d(cx, cols, tr, cell, start=None, clip=False):
    """One Newton step with a 5-point stencil from ``start`` (else the current best; the
    stencil's centre is offered too when it is ``start``).  ``clip``: the new point is
    clipped into the box and may move any distance (local best responses)."""
    h = NEWTON_H * cell
    lo, hi = cx.lo[0, cols], cx.hi[0, cols]
    x0 = tr.X[0, cols] if start is None else start
    ok = (h > 0) & (hi - lo > 4 * h)
    if not ok.any():
        return
    cols, h, lo, hi, x0, cell = cols[ok], h[ok], lo[ok], hi[ok], x0[ok], cell[ok]
    c = np.clip(x0, lo + 2 * h, hi - 2 * h)
    pts = c[:, None] + h[:, None] * np.arange(-2, 3)
    f = cx.f(pts[None], cols)
    if start is not None:
        tr.offer(pts[None, :, 2], f[:, 2], cols)
    f = f.T
    with np.errstate(all="ignore"):
        d1 = (8 * (f[3] - f[1]) - (f[4] - f[0])) / (12 * h)
        d2 = (16 * (f[3] + f[1]) - (f[4] + f[0]) - 30 * f[2]) / (12 * h * h)
        xn = c - d1 / d2
        if clip:
            xn = np.clip(xn, lo, hi)
            ok = (d2 < 0) & np.isfinite(xn)
        else:
            ok = (d2 < 0) & np.isfinite(xn) & (xn >= lo) & (xn <= hi) & (np.abs(xn - x0) <= 2 * cell)
    if ok.any():
        tr.offer(xn[ok][None], cx.f(xn[ok][None, :, None], cols[ok])[:, 0], cols[ok], NEWTON_RTOL)


def _refine_nd(cx, A, B, tr, top):
    d, L = A.shape
    cols = np.arange(L)
    cell = np.maximum((B - A) / 2, 0.0)
    w = cell.copy()
    brk = [direct_breaks(cx.S, cx.S.M.info[i], cx.V[:, cx.r]) for i in cx.mv.idx]
    t = np.linspace(-1.0, 1.0, SUB_POINTS)
    for _ in range(CYCLES_TOP if top else CYCLES_INNER):
        for c in range(d):
            xc = tr.X[c]
            pts = [xc[:, None] + w[c][:, None] * t]
            for b in [cx.lo[c], cx.hi[c]] + brk[c]:
                pts.append(np.where(np.abs(b - xc) <= w[c], b, xc)[:, None])
            P = np.clip(np.concatenate(pts, axis=1), cx.lo[c][:, None], cx.hi[c][:, None])
            X = np.repeat(tr.X[:, :, None], P.shape[1], axis=2)
            X[c] = P
            f = cx.f(X, cols)
            jz = argbest(f, cx.mv.tie)
            moved = np.abs(P[cols, jz] - xc) >= 0.999 * w[c]
            tr.offer(X[:, cols, jz], f[cols, jz], cols)
            w[c] = np.where(moved, w[c], w[c] / 2)
    for _ in range(2):
        newton_nd(cx, cols, tr, cell)


def _stencil(d):
    """Offsets of the central-difference stencil for a gradient and Hessian in d coordinates."""
    E = np.eye(d)
    offs = [np.zeros(d)] + [E[a] * sg for a in range(d) for sg in (1, -1)]
    pairs = [(a, b) for a in range(d) for b in range(a + 1, d)]
    offs += [E[a] * sa + E[b] * sb for a, b in pairs for sa, sb in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
    return np.array(offs), pairs


def newton_nd(cx, cols, tr, cell, clip=False):
    """A joint Newton step (central differences).  Without ``clip`` only the coordinates
    more than 2h from the bounds and not at a breakpoint move, and the step stays within two cells; with ``clip``
    every coordinate moves (stencil shifted into the box, new point clipped into it)."""
    d = tr.X.shape[0]
    x0, h, cell = tr.X[:, cols], NEWTON_H_ND * cell[:, cols], cell[:, cols]
    lo, hi = cx.lo[:, cols], cx.hi[:, cols]
    if clip:
        free = (h > 0) & (hi - lo > 4 * h)
        c = np.where(free, np.clip(x0, lo + 2 * h, hi - 2 * h), x0)
    else:  # a coordinate at a breakpoint stays there (the payoff may jump beside it)
        at_break = classify(cx.S, cx.mv, cx.V[:, cx.r[cols]], x0) >= BREAK
        free = (h > 0) & (x0 - lo > 2 * h) & (hi - x0 > 2 * h) & ~at_break
        c = x0
    h = np.where(free, h, 0.0)
    O, pairs = _stencil(d)
    f = cx.f(c[:, :, None] + h[:, :, None] * O.T[:, None, :], cols)
    hh = np.where(free, h, 1.0)
    g, H = np.zeros((cols.size, d)), np.zeros((cols.size, d, d))
    with np.errstate(all="ignore"):
        for a in range(d):
            fp, fm = f[:, 1 + 2 * a], f[:, 2 + 2 * a]
            g[:, a] = np.where(free[a], (fp - fm) / (2 * hh[a]), 0.0)
            H[:, a, a] = np.where(free[a], (fp - 2 * f[:, 0] + fm) / hh[a] ** 2, -1.0)
        for q, (a, b) in enumerate(pairs):
            fq = f[:, 1 + 2 * d + 4 * q: 5 + 2 * d + 4 * q]
            hab = (fq[:, 0] - fq[:, 1] - fq[:, 2] + fq[:, 3]) / (4 * hh[a] * hh[b])
            H[:, a, b] = H[:, b, a] = np.where(free[a] & free[b], hab, 0.0)
        ok = np.all(np.isfinite(H), axis=(1, 2)) & np.all(np.isfinite(g), axis=1) & free.any(axis=0)
        H[~ok], g[~ok] = -np.eye(d), 0.0
        ok &= np.linalg.eigvalsh(H).max(axis=1) < 0
        H[~ok], g[~ok] = -np.eye(d), 0.0
        step = np.linalg.solve(H, -g[:, :, None])[:, :, 0].T
        xn = c + step
        if clip:
            xn = np.clip(xn, lo, hi)
        else:
            ok &= np.all(np.abs(step) <= 2 * cell, axis=0)
        ok &= np.all(np.isfinite(xn) & (xn >= lo) & (xn <= hi), axis=0)
    if ok.any():
        tr.offer(xn[:, ok], cx.f(xn[:, ok][:, :, None], cols[ok])[:, 0], cols[ok], NEWTON_RTOL)


def local_best(S, k, mv, V, lo, hi, steps=1):
    """Best response near the current action (``steps`` Newton steps from it, clipped to
    the box): the local rounds of iterated best responses, and the later stages of a
    refinement (``search.solve_local``)."""
    n = V.shape[1]
    X0 = np.clip(V[mv.rows], lo, hi)
    cx = Ctx(S, k, mv, V, lo, hi, np.arange(n))  # lo, hi: one column per context already
    tr = Track(X0, cx.f(X0[:, :, None], np.arange(n))[:, 0])
    # the stencil's scale: the action itself, else the context's magnitude (1e-3 of it)
    mag = np.max(np.abs(V[:S.M.P + min(mv.idx)][S.M.P:]), axis=0, initial=0.0) if min(mv.idx) else np.zeros(n)
    cell = LOCAL_H / NEWTON_H * np.maximum(np.abs(X0), 1e-3 * np.where(np.isfinite(mag) & (mag > 0), mag, 1.0))
    for _ in range(steps):
        if len(mv.idx) == 1:
            newton_1d(cx, np.arange(n), tr, cell[0], clip=True)
        else:
            newton_nd(cx, np.arange(n), tr, cell * NEWTON_H / NEWTON_H_ND, clip=True)
    return tr.X


def classify(S, mv, V, X):
    """Kind of each action: at its lower or upper bound, at a direct breakpoint (to 4 ulps), or interior."""
    out = np.full(X.shape, INTERIOR, dtype=np.int16)
    for c, i in enumerate(mv.idx):
        info = S.M.info[i]
        for j, bp in enumerate(info.breaks):
            if bp.direct_np is not None:
                r = S.call(bp.direct_np, V)
                out[c] = np.where(np.abs(X[c] - r) <= 4 * np.spacing(np.abs(r)), BREAK + j, out[c])
        if info.hi_fin:
            out[c] = np.where(X[c] == S.call(info.hi_np, V), UPPER, out[c])
        if info.lo_fin:
            out[c] = np.where(X[c] == S.call(info.lo_np, V), LOWER, out[c])
    return out
