r"""Numeric global maximisation and Nash equilibria by grids and zooming (numpy only).

Everything is batched over K *contexts* (parameter points, or parameter points times
earlier choices): bounds are arrays of shape (K,), and an objective ``f`` maps choices of
shape (K, M) to payoffs of shape (K, M).

* :func:`maximize` -- :math:`\arg\max_{x \in [lo, hi]} f(x)` for each context: a dense grid
  (linear, plus a log-spaced tail up to ``SPAN * scale`` when ``hi = oo``), then the best
  ``keep`` local maxima of the grid are each zoomed: the bracket of the grid neighbours
  :math:`[x_{i-1}, x_{i+1}]` is re-gridded ``zooms`` times.  A maximiser next to a jump is
  approached from its better side; and since a jump's better side can fall off so steeply
  that no grid point shows it, the ``jumps`` grid intervals least like a quadratic are
  searched for a jump (:func:`_jumps`).  Among candidates within ``TIE`` (relative) of the best,
  ``tie="max"`` takes the largest x and ``"min"`` the smallest.  A maximiser at the far end
  of an unbounded grid (a plateau out to infinity, or a narrow peak that the grid missed)
  re-grids eight times as densely, twice; then it raises :class:`SearchError` (no claim
  about a supremum at infinity).
* :func:`maximize2` -- the same for a choice of two variables in a box: a grid, then a
  pattern search from the best local maxima of the grid (the box moves while its best
  point is on its edge, and shrinks when the best point is inside).

The Nash-equilibrium searches built on these are in ``nash.py``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["SearchError", "maximize", "maximize2", "repeat_params", "GAIN", "OPEN", "TIE"]

TIE = 1e-12      # relative payoff tolerance for ties between distinct local maxima
GAIN = 1e-9      # relative payoff gain that refutes a numeric Nash equilibrium
SPAN = 1e6       # an unbounded choice is searched up to lo + SPAN*scale
GOLDEN = 0.6180339887498949
OPEN = 1e-9      # an open end is replaced by end -+ OPEN*scale


class SearchError(RuntimeError):
    """The numeric search could not establish a maximiser or an equilibrium."""


def repeat_params(P: dict, m: int) -> dict:
    """Each context's parameters repeated m times (contexts (K,) -> (K*m,), row-major)."""
    return {k: np.repeat(v, m) for k, v in P.items()}


def _grid(lo, hi, scale, n, lo_open, hi_open, extras=True):
    """Sorted, distinct grid points: n evenly spaced, 12 geometric steps next to lo (a
    maximiser very close to a bound), and for hi = oo a geometric tail up to SPAN*scale
    (for a finite hi, 24 golden-ratio points of [lo, hi] instead, to keep one shape; they
    never coincide with the even ones)."""
    lo = lo + OPEN * scale * np.asarray(lo_open, float)
    inf = ~np.isfinite(hi)
    top = np.where(inf, lo + 8.0 * scale, hi - OPEN * scale * np.asarray(hi_open, float))
    width = (top - lo)[:, None]
    even = lo[:, None] + width * np.linspace(0.0, 1.0, n)[None, :]
    near = lo[:, None] + width * (np.logspace(-6, 0, 13)[None, :-1] / (n - 1))
    tail = np.where(inf[:, None],
                    lo[:, None] + scale[:, None] * np.logspace(np.log10(8.0), np.log10(SPAN), 25)[None, 1:],
                    lo[:, None] + width * np.modf((np.arange(24) + 1) * GOLDEN)[0][None, :])
    if not extras:
        return even
    g = np.concatenate([even, near, tail], axis=1)
    g.sort(axis=1)
    return g


def _pick(values, tie, tol=TIE):
    """Index of the best entry of each row; ties (within tol, relative) to the last ("max") or first."""
    best = values.max(axis=1, keepdims=True)
    ok = values >= best - tol * (1.0 + np.abs(best))
    if tie == "max":
        return values.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    return np.argmax(ok, axis=1)


def _polish(f, x, v, lo, hi, scale, steps=3):
    """Newton steps on five-point central differences where the maximum is smooth.

    Zooming compares payoffs, so it stops at ~sqrt(machine epsilon) relative accuracy in x;
    a later stage's error then shows as noise in an earlier stage's payoff.  A step is kept
    only if it moves less than 1e-6*scale, keeps x inside [lo, hi] and does not lower the
    payoff -- at a kink or a jump, where the quadratic model is wrong, every step away
    lowers the payoff, so x stays where zooming left it."""
    for _ in range(steps):
        h = 1e-3 * (np.abs(x) + 1e-3 * scale)
        inner = (x - 2 * h > lo) & (x + 2 * h < hi)
        X = x[:, None] + h[:, None] * np.array([-2.0, -1.0, 0.0, 1.0, 2.0])[None, :]
        F = np.asarray(f(np.where(inner[:, None], X, x[:, None])), float)
        d1 = (F[:, 0] - 8 * F[:, 1] + 8 * F[:, 3] - F[:, 4]) / (12 * h)
        d2 = (-F[:, 0] + 16 * F[:, 1] - 30 * F[:, 2] + 16 * F[:, 3] - F[:, 4]) / (12 * h * h)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = np.where(d2 < 0, x - d1 / d2, x)
        ok = inner & np.isfinite(new) & (np.abs(new - x) <= 1e-6 * scale) & (new > lo) & (new < hi)
        new = np.where(ok, new, x)
        nv = np.asarray(f(new[:, None]), float)[:, 0]
        ok &= nv >= v - TIE * (1 + np.abs(v))
        x, v = np.where(ok, new, x), np.where(ok, np.maximum(nv, v), v)
    return x, v


def _nonquadratic(X, V):
    """Per grid interval, how far f's change across it is from a quadratic's.

    On any grid a quadratic's slope over an interval is its derivative at the midpoint,
    linear in the midpoints; the slope predicted from the two neighbouring intervals (one
    side at the ends) times the width is compared with the change.  Zero for quadratics,
    small for smooth f, about the jump for a jump."""
    with np.errstate(divide="ignore", invalid="ignore"):
        H = np.diff(X, axis=1)
        S = np.diff(V, axis=1) / H
        M = 0.5 * (X[:, 1:] + X[:, :-1])

        def line(s0, m0, s1, m1, m):
            return s0 + (s1 - s0) * (m - m0) / (m1 - m0)
        pred = np.empty_like(S)
        pred[:, 1:-1] = line(S[:, :-2], M[:, :-2], S[:, 2:], M[:, 2:], M[:, 1:-1])
        pred[:, 0] = line(S[:, 1], M[:, 1], S[:, 2], M[:, 2], M[:, 0])
        pred[:, -1] = line(S[:, -3], M[:, -3], S[:, -2], M[:, -2], M[:, -1])
        g = np.abs(S - pred) * H
    return np.where(np.isfinite(g) & (H > 0), g, 0.0)  # (repeated grid points, -inf payoffs)


def _jumps(f, X, V, scale, count, levels=10, sub=17):
    """Both sides of the ``count`` likeliest jumps of f between grid points.

    A maximiser next to a jump can lie between two grid points whose values are both lower
    than it (the jump's better side falls off steeply), so no local maximum of the grid
    shows it.  The ``count`` intervals least like a quadratic (:func:`_nonquadratic`) are
    re-gridded evenly, and the sub-interval whose change is furthest from the median change
    kept, ``levels`` times: a jump is pinned to ~width * sub**-levels.  Both ends of the
    last interval are candidates."""
    K = X.shape[0]
    if count == 0 or X.shape[1] < 4:
        return np.empty((K, 0)), np.empty((K, 0))
    g = _nonquadratic(X, V)
    idx = np.argsort(-g, axis=1, kind="stable")[:, :count]
    rows = np.arange(K)[:, None]
    l, r = X[rows, idx], X[rows, idx + 1]
    t = np.linspace(0.0, 1.0, sub)
    for _ in range(levels):
        Z = l[:, :, None] + (r - l)[:, :, None] * t[None, None, :]
        W = np.asarray(f(Z.reshape(K, count * sub)), float)
        W = np.where(np.isnan(W), -np.inf, W).reshape(K * count, sub)
        D = np.diff(W, axis=1)  # on a fine even sub-grid f is nearly linear, a jump an outlier
        dev = np.abs(D - np.median(D, axis=1, keepdims=True))
        k = np.argmax(np.where(np.isfinite(dev), dev, 0.0), axis=1)
        Zf = Z.reshape(K * count, sub)
        n = np.arange(K * count)
        l, r = Zf[n, k].reshape(K, count), Zf[n, k + 1].reshape(K, count)
        vl, vr = W[n, k].reshape(K, count), W[n, k + 1].reshape(K, count)
    return np.concatenate([l, r], axis=1), np.concatenate([vl, vr], axis=1)


def maximize(f, lo, hi, scale, *, tie="max", lo_open=False, hi_open=False, n=41, keep=2, nz=9, zooms=22,
             jumps=2, polish=True, domain=None, extras=True):
    """Global maximiser and value of ``f`` on [lo, hi] in every context; see the module docstring."""
    lo, hi = np.broadcast_arrays(np.asarray(lo, float), np.asarray(hi, float))
    scale = np.broadcast_to(np.asarray(scale, float), lo.shape)
    K = lo.shape[0]
    if extras is False and not np.isfinite(hi).all():
        raise ValueError("an unbounded search needs the geometric tail (extras=True)")
    X = _grid(lo, hi, scale, n, lo_open, hi_open, extras)
    V = np.asarray(f(X), float)
    V = np.where(np.isnan(V), -np.inf, V)
    inf = ~np.isfinite(hi)
    far = inf & (_pick(V, tie) == X.shape[1] - 1)
    if far.any():  # a plateau out to the far end: a narrow peak may hide between grid points
        if n >= 2000:
            raise SearchError(f"a maximiser at the far end of an unbounded search ({int(far.sum())} context(s))")
        return maximize(f, lo, hi, scale, tie=tie, lo_open=lo_open, hi_open=hi_open, n=8 * n - 7, keep=keep,
                        nz=nz, zooms=zooms, jumps=jumps, polish=polish, domain=domain, extras=extras)
    left = np.concatenate([np.full((K, 1), -np.inf), V[:, :-1]], axis=1)
    right = np.concatenate([V[:, 1:], np.full((K, 1), -np.inf)], axis=1)
    local = np.where((V >= left) & (V >= right), V, -np.inf)
    if tie == "max":  # on a plateau, the local maxima furthest right first
        order = X.shape[1] - 1 - np.argsort(-local[:, ::-1], axis=1, kind="stable")[:, :keep]
    else:
        order = np.argsort(-local, axis=1, kind="stable")[:, :keep]
    rows = np.arange(K)[:, None]
    last = X.shape[1] - 1
    L = X[rows, np.maximum(order - 1, 0)]
    R = X[rows, np.minimum(order + 1, last)]
    bx, bv = X[rows, order], V[rows, order]
    for _ in range(zooms):
        Z = L[:, :, None] + (R - L)[:, :, None] * np.linspace(0.0, 1.0, nz)[None, None, :]
        W = np.asarray(f(Z.reshape(K, keep * nz)), float).reshape(K, keep, nz)
        W = np.where(np.isnan(W), -np.inf, W)
        j = _pick(W.reshape(K * keep, nz), tie, 0.0).reshape(K, keep)  # exact: ties within TIE would drift
        r2, c2 = np.arange(K)[:, None], np.arange(keep)[None, :]
        better = W[r2, c2, j] >= bv
        bx, bv = np.where(better, Z[r2, c2, j], bx), np.where(better, W[r2, c2, j], bv)
        L, R = Z[r2, c2, np.maximum(j - 1, 0)], Z[r2, c2, np.minimum(j + 1, nz - 1)]
    jx, jv = _jumps(f, X, V, scale, jumps)
    bx, bv = np.concatenate([bx, jx], axis=1), np.concatenate([bv, jv], axis=1)
    k = _pick(bv, tie)  # between the zoomed local maxima only (grid points near one would drift)
    x, v = bx[np.arange(K), k], bv[np.arange(K), k]
    if not polish:
        return x, v
    return _polish(f, x, v, *(domain if domain is not None else (lo, hi)), scale)


def _grid2(f, lo, hi, scale, n):
    """The n x n grid of maximize2 (unbounded sides widened while the best point is on them)."""
    (lox, loy), (hix, hiy) = lo, hi
    K = lox.shape[0]
    topx = np.where(np.isfinite(hix), hix, lox + 4 * scale)
    topy = np.where(np.isfinite(hiy), hiy, loy + 4 * scale)
    t = np.linspace(0.0, 1.0, n)
    for _ in range(8):
        GX = (lox[:, None] + (topx - lox)[:, None] * t[None, :])[:, :, None] * np.ones(n)[None, None, :]
        GY = (loy[:, None] + (topy - loy)[:, None] * t[None, :])[:, None, :] * np.ones(n)[None, :, None]
        V = np.asarray(f(GX.reshape(K, -1), GY.reshape(K, -1)), float).reshape(K, n, n)
        V = np.where(np.isnan(V), -np.inf, V)
        flat = np.argmax(V.reshape(K, -1), axis=1)
        i, j = flat // n, flat % n
        farx, fary = ~np.isfinite(hix) & (i == n - 1), ~np.isfinite(hiy) & (j == n - 1)
        if not (farx | fary).any():
            return GX, GY, V, (topx - lox) / (n - 1), (topy - loy) / (n - 1)
        topx = np.where(farx, lox + 8 * (topx - lox), topx)
        topy = np.where(fary, loy + 8 * (topy - loy), topy)
    raise SearchError("a maximiser at the far edge of an unbounded two-variable search")


def maximize2(f, lo, hi, scale, *, n=25, keep=3, nz=7, iters=80):
    """Global maximiser (x, y) and value of f(X, Y) on the box [lo, hi] (pairs of (K,) arrays).

    A grid of n x n points (an unbounded side is first searched up to lo + 4*scale, widened
    eightfold while the best point lies on that far edge), then from each of the ``keep``
    best local maxima a pattern search: a box of one grid cell either side is re-gridded
    (nz x nz); it re-centres on its best point, and shrinks to that point's neighbour cells
    only when the best point is not on an edge that could still move.  (Pattern search can
    stall on a ridge that is not along an axis: refine its answer with nested searches.)"""
    lo = tuple(np.asarray(a, float) for a in lo)
    hi = tuple(np.asarray(a, float) for a in hi)
    K = lo[0].shape[0]
    GX, GY, V, cellx, celly = _grid2(f, lo, hi, scale, n)
    pad = np.full((K, n + 2, n + 2), -np.inf)
    pad[:, 1:-1, 1:-1] = V
    nbrs = np.max([pad[:, 1 + di:n + 1 + di, 1 + dj:n + 1 + dj] for di in (-1, 0, 1) for dj in (-1, 0, 1)
                   if di or dj], axis=0)
    local = np.where(V >= nbrs, V, -np.inf).reshape(K, -1)
    order = np.argsort(-local, axis=1, kind="stable")[:, :keep]
    rows = np.arange(K)[:, None]
    cx, cy = GX.reshape(K, -1)[rows, order], GY.reshape(K, -1)[rows, order]
    bv = V.reshape(K, -1)[rows, order]
    hx, hy = cellx[:, None] + 0 * cx, celly[:, None] + 0 * cy
    L = [lo[0][:, None], lo[1][:, None]]
    H = [hi[0][:, None], hi[1][:, None]]
    s = np.linspace(0.0, 1.0, nz)
    for _ in range(iters):
        x0, x1 = np.maximum(cx - hx, L[0]), np.minimum(cx + hx, H[0])
        y0, y1 = np.maximum(cy - hy, L[1]), np.minimum(cy + hy, H[1])
        SX = (x0[..., None] + (x1 - x0)[..., None] * s)[..., :, None] * np.ones(nz)
        SY = (y0[..., None] + (y1 - y0)[..., None] * s)[..., None, :] * np.ones((nz, 1))
        W = np.asarray(f(SX.reshape(K, -1), SY.reshape(K, -1)), float).reshape(K, keep, nz * nz)
        W = np.where(np.isnan(W), -np.inf, W)
        b = np.argmax(W, axis=2)
        bi, bj = b // nz, b % nz
        r3, c3 = np.arange(K)[:, None], np.arange(keep)[None, :]
        nv = W[r3, c3, b]
        nx, ny = SX.reshape(K, keep, -1)[r3, c3, b], SY.reshape(K, keep, -1)[r3, c3, b]
        moved = ((bi == 0) & (x0 > L[0])) | ((bi == nz - 1) & (x1 < H[0])) \
            | ((bj == 0) & (y0 > L[1])) | ((bj == nz - 1) & (y1 < H[1]))
        better = nv >= bv
        cx, cy, bv = np.where(better, nx, cx), np.where(better, ny, cy), np.where(better, nv, bv)
        hx, hy = np.where(moved, hx, 2 * hx / (nz - 1)), np.where(moved, hy, 2 * hy / (nz - 1))
        if ((hx <= 1e-13 * scale[:, None]) & (hy <= 1e-13 * scale[:, None])).all():
            break
    k = np.argmax(bv, axis=1)
    return cx[np.arange(K), k], cy[np.arange(K), k], bv[np.arange(K), k]
