"""The joint grid of one move (step 1 of ``search``'s global search).

Definitions (per context):

* axis of a coordinate with box ``[lo, hi]``: ``m`` equally spaced points when both
  ends are finite (the ends exactly); with one infinite end, from the finite end ``b``
  a geometric head ``b + S*(1e-4 .. 1e-1)``, ``m//2 + 1`` points on ``[b, b + S]`` and a
  geometric tail of the others out to ``b + TAIL*S``, where ``S = max(|b|, s)`` and ``s``
  is the context's magnitude (its largest earlier choice, else 1); with none, the same
  on both sides of 0 (``S = 1``);
  every *direct* breakpoint ``e`` (``x ? e`` in a Piecewise condition) and the floats 1
  and 2 ulps either side are added to the axis when they lie in the box, and so is, at
  the top level, the move's value in the context, if it has one (the claimed action,
  when a claim is checked: the refinement then climbs from it, so a better action near
  a claim that falls between grid points is still found);
* the joint grid is the product of the axes; while the best grid point is the last
  point of an unbounded side and the payoff rises into it, that side is re-gridded ``TAIL`` times further
  (``MAX_EXPAND`` times at most; then the payoff is taken to be unbounded);
* one variable with an unbounded side whose best point lies in the geometric head or
  tail: a linear grid of ``m/2`` more points on the two cells around it is merged in;
* one variable: the ends, the breakpoints and the zeros of every *indirect*
  breakpoint (a condition that moves with later choices, found by bisection along
  the solution path between grid points where it changes sign) are candidates.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Grid", "grid_search", "direct_breaks", "argbest"]

TAIL, HEAD, MAX_EXPAND, BISECT_STEPS = 1e6, 1e-4, 6, 60
INTERIOR, LOWER, UPPER, BREAK = 0, 1, 2, 3  # kind codes; BREAK + j = j-th breakpoint


class Grid:
    """Axes (per coordinate, contexts x points), the joint grid X (d x n x N) and its values F."""

    def __init__(self, axes, F):
        self.axes, self.F = axes, F
        self.invalid = np.zeros(F.shape[0], dtype=bool)

    @property
    def shape(self):
        return tuple(a.shape[1] for a in self.axes)

    @property
    def X(self):
        return _joint(self.axes)


def argbest(F, tie):
    """Row-wise argmax; among exactly equal values the last (tie=+1) or first (tie=-1)."""
    return F.shape[1] - 1 - np.argmax(F[:, ::-1], axis=1) if tie > 0 else np.argmax(F, axis=1)


def _half_line(m):
    """Offsets of a half-line axis (unit scale): 0, a geometric head 1e-4 .. 1e-1, m//2+1
    linear points on [0, 1] (0 shared), a geometric tail out to TAIL."""
    m_lin = m // 2 + 1
    return np.concatenate([[0.0], np.geomspace(HEAD, 0.1, 4), np.linspace(0.0, 1.0, m_lin)[1:],
                           np.geomspace(1.0, TAIL, m - m_lin + 1)[1:]])


def axis(lo, hi, info, m, ext, bps, scale, seed=None):
    """Grid points (n x m') of one coordinate, ascending; ``ext`` rescales an unbounded side,
    ``scale`` is the context's magnitude (the largest earlier choice, else 1); ``seed``: one
    more point per context (where it is outside the box or already on the axis, the middle
    of the first cell instead: an axis never holds a point twice because of it)."""
    if info.lo_fin and info.hi_fin:
        X = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, m)
        X[:, -1] = hi
    else:
        u = _half_line(m)
        if info.lo_fin or info.hi_fin:
            base = lo if info.lo_fin else hi
            S = np.maximum(scale, np.abs(base)) * ext
            X = base[:, None] + (1.0 if info.lo_fin else -1.0) * S[:, None] * u
            X = X if info.lo_fin else X[:, ::-1]
        else:
            S = ext[:, None]
            X = np.concatenate([-S * u[:0:-1], S * u], axis=1)
    if bps:  # a breakpoint outside the box (or undefined) repeats the first point
        extra = [np.where(np.isfinite(b) & (b >= lo) & (b <= hi), b, X[:, 0])[:, None] for b in bps]
        X = np.sort(np.concatenate([X] + extra, axis=1), axis=1)
    if seed is not None:
        ok = np.isfinite(seed) & (seed >= lo) & (seed <= hi) & ~np.any(X == seed[:, None], axis=1)
        X = np.sort(np.concatenate([X, np.where(ok, seed, (X[:, 0] + X[:, 1]) / 2)[:, None]], axis=1), axis=1)
    return X


def direct_breaks(S, info, V):
    """Each direct breakpoint of a variable and the floats 1 and 2 ulps either side
    (in this order, five arrays per breakpoint)."""
    out = []
    for bp in info.breaks:
        if bp.direct_np is None:
            continue
        r = S.call(bp.direct_np, V)
        u1, d1 = np.nextafter(r, np.inf), np.nextafter(r, -np.inf)
        out += [r, u1, np.nextafter(u1, np.inf), d1, np.nextafter(d1, -np.inf)]
    return [np.where(np.isfinite(b), b, np.nan) for b in out]


def _joint(axes):
    """d x n x N: the product grid of the axes, context by context."""
    if len(axes) == 1:
        return axes[0][None]
    n = axes[0].shape[0]
    mesh = np.meshgrid(*[np.arange(a.shape[1]) for a in axes], indexing="ij")
    return np.stack([a[np.arange(n)[:, None], g.ravel()[None, :]] for a, g in zip(axes, mesh)])


def grid_search(S, k, mv, V, lo, hi, top, pool):
    """Evaluate the joint grid (see the module docstring); returns the Grid."""
    from .search import NumericSolveError

    n, d = V.shape[1], len(mv.idx)
    infos = [S.M.info[i] for i in mv.idx]
    brk = [direct_breaks(S, f, V) for f in infos]
    seeds = [np.asarray(V[r], dtype=float) for r in mv.rows] if top else None
    if seeds is not None and not all(np.isfinite(x).all() for x in seeds):
        seeds = None  # a claim under test has every value; a plain solve has none
    ext, rows = np.ones((d, n)), np.arange(n)
    scale = _scale(S, k, V)
    G = None
    for _ in range(MAX_EXPAND + 1):
        axes = [axis(lo[c, rows], hi[c, rows], infos[c], S.m, ext[c, rows], [b[rows] for b in brk[c]], scale[rows],
                     None if seeds is None else seeds[c][rows]) for c in range(d)]
        f = S.obj(k, mv, V, _joint(axes), rows)
        if G is None:
            G = Grid(axes, f)
        else:
            for c in range(d):
                G.axes[c][rows] = axes[c]
            G.F[rows] = f
        grow = _at_open_edge(G, infos, mv.tie)
        if not grow.any():
            break
        ext *= np.where(grow, TAIL, 1.0)
        rows = np.nonzero(grow.any(axis=0))[0]
    else:
        if top:
            raise NumericSolveError(f"payoff of {mv.player} appears unbounded in "
                                    f"{', '.join(f.name for f in infos)}")
        G.invalid[rows] = True
    G.F[G.invalid] = -np.inf
    if d == 1:
        if not (infos[0].lo_fin and infos[0].hi_fin):
            _densify(S, k, mv, V, G)
        _edge_candidates(S, k, mv, V, lo, hi, G, pool, infos[0])
    return G


def _scale(S, k, V):
    """Each context's magnitude: the largest |earlier choice| (1 when there is none or it is 0)."""
    rows = [S.M.P + i for s in range(k) for i in S.M.stage_vars[s]]
    if not rows:
        return np.ones(V.shape[1])
    with np.errstate(invalid="ignore"):
        m = np.nanmax(np.abs(V[rows]), axis=0) if V.shape[1] else np.ones(0)
    return np.where(np.isfinite(m) & (m > 0), m, 1.0)


def _at_open_edge(G, infos, tie):
    """Per coordinate and context: the best point is the last of an unbounded side and the
    payoff still rises into it (a payoff constant out there, such as a leader's once the
    follower has shut down, is not unbounded)."""
    flat = argbest(G.F, tie)
    best = np.unravel_index(flat, G.shape)
    rows = np.arange(G.F.shape[0])
    ok = np.isfinite(G.F.max(axis=1))
    grow = np.zeros((len(infos), G.F.shape[0]), dtype=bool)
    for c, f in enumerate(infos):
        for unbounded, edge, step in ((not f.hi_fin, G.shape[c] - 1, -1), (not f.lo_fin, 0, 1)):
            if not unbounded or G.shape[c] < 2:
                continue
            nb = list(best)
            nb[c] = np.clip(best[c] + step, 0, G.shape[c] - 1)
            rising = G.F[rows, flat] > G.F[rows, np.ravel_multi_index(nb, G.shape)]
            grow[c] |= ok & (best[c] == edge) & rising
    return grow


def _densify(S, k, mv, V, G):
    """One variable, best point in the geometric head or tail: m/2 linear points on its two cells."""
    n, N = G.F.shape
    X = G.axes[0]
    j = argbest(G.F, mv.tie)
    r = np.arange(n)
    a, b = X[r, np.maximum(j - 1, 0)], X[r, np.minimum(j + 1, N - 1)]
    lin = np.median(np.diff(X, axis=1), axis=1)  # the linear part's cell
    rows = np.nonzero(np.isfinite(G.F[r, j]) & (np.abs(b - a - 2 * lin) > 0.02 * lin) & ~G.invalid)[0]
    if not rows.size:
        return
    q = max(S.m // 2, 5)
    extra = np.repeat(X[:, :1], q, axis=1)
    extra[rows] = a[rows, None] + (b - a)[rows, None] * np.linspace(0.0, 1.0, q + 2)[1:-1]
    Fe = np.repeat(G.F[:, :1], q, axis=1)
    Fe[rows] = S.obj(k, mv, V, extra[rows][None], rows)
    Xa = np.concatenate([X, extra], axis=1)
    order = np.argsort(Xa, axis=1, kind="stable")
    G.axes = [np.take_along_axis(Xa, order, 1)]
    G.F = np.take_along_axis(np.concatenate([G.F, Fe], 1), order, 1)


def _edge_candidates(S, k, mv, V, lo, hi, G, pool, info):
    """One variable: the end points and breakpoints of the grid are candidates themselves."""
    n, N = G.F.shape
    X = G.axes[0]
    exact = np.zeros((n, N), dtype=bool)
    if info.lo_fin:
        exact |= X == lo[0][:, None]
    if info.hi_fin:
        exact |= X == hi[0][:, None]
    mask = exact.copy()
    for q, b in enumerate(direct_breaks(S, info, V)):
        mask |= X == b[:, None]
        if q % 5 == 0:  # the breakpoint itself (the others are its neighbouring floats)
            exact |= X == b[:, None]
    mask &= ~G.invalid[:, None]
    keep = np.nonzero(mask.any(axis=0))[0]  # grid columns that are a candidate somewhere
    pool.add_dense(X[None][:, :, keep], np.where(mask, G.F, -np.inf)[:, keep], exact[:, keep])
    indirect = [(j, bp) for j, bp in enumerate(info.breaks) if bp.direct_np is None]
    if indirect:
        _indirect_roots(S, k, mv, V, G, pool, indirect)


def _converged(xa, xb):
    """A bracket no wider than a few floats."""
    return xb - xa <= 2 * np.spacing(np.maximum(np.abs(xa), np.abs(xb)))


def _indirect_roots(S, k, mv, V, G, pool, indirect):
    """Zeros of the indirect breakpoints' ``lhs - rhs`` along the solution path, by bisection
    from each bracket of the grid where one changes sign, until the bracket is two floats
    wide (``BISECT_STEPS`` steps at most).  Each step solves the later stages once for the
    brackets of every breakpoint together.  (Regula falsi gains nothing here: along the path
    such an ``lhs - rhs`` is typically zero up to rounding on one side of its zero, a
    participation constraint that holds with equality where the participant abstains.)"""
    X = G.axes[0]
    H = _h_along(S, k, mv, V, [bp for _, bp in indirect], X, np.arange(X.shape[0]))
    parts = [np.nonzero((np.sign(h[:, :-1]) * np.sign(h[:, 1:]) < 0) & ~G.invalid[:, None]) for h in H]
    sr = np.concatenate([p[0] for p in parts])
    q = np.concatenate([np.full(p[0].size, i) for i, p in enumerate(parts)])
    xa = np.concatenate([X[p[0], p[1]] for p in parts])
    xb = np.concatenate([X[p[0], p[1] + 1] for p in parts])
    ha = np.concatenate([h[p] for h, p in zip(H, parts)])
    for _ in range(BISECT_STEPS):
        act = np.nonzero(~_converged(xa, xb))[0]
        if not act.size:
            break
        xm = 0.5 * (xa[act] + xb[act])
        hm = _h_at(S, k, mv, V, indirect, xm[:, None], sr[act], q[act])[:, 0]
        same = np.sign(hm) == np.sign(ha[act])
        xa[act], ha[act] = np.where(same, xm, xa[act]), np.where(same, hm, ha[act])
        xb[act] = np.where(same, xb[act], xm)
    for x in (xa, xb):
        kind = (BREAK + np.array([j for j, _ in indirect])[q]).astype(np.int16)[None]
        pool.add(x[None, :], sr, S.obj(k, mv, V, x[None, :, None], sr)[:, 0], kind=kind)


def _h_at(S, k, mv, V, indirect, X, r, q):
    """Breakpoint ``q[i]``'s ``lhs - rhs`` at the actions ``X[i]`` in context ``r[i]`` (one solve)."""
    H = _h_along(S, k, mv, V, [bp for _, bp in indirect], X, r)
    return np.choose(q[:, None], H) if len(H) > 1 else H[0]


def _h_along(S, k, mv, V, bps, X, r):
    """The breakpoints' ``lhs - rhs`` at actions X (L x P) in contexts r, later stages solved
    once for all of them: one L x P array per breakpoint."""
    L, P = X.shape
    W = V[:, np.repeat(r, P)]
    W[mv.rows[0]] = X.ravel()
    if any(bp.later for bp in bps):
        W = S.solve_from(k + 1, W, False)[0]
    return [S.call(bp.h_np, W).reshape(L, P) for bp in bps]
