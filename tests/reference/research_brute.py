"""Brute-force SPE of the two research games, by grids over every player's choices.

Independent of the closed forms in ``research_safety.py`` / ``research.py`` (no shared
code) and of openeq.  Each player's problem is solved by a grid over its choice set
that is refined around the best points (zoom), its abstain option compared with the
grid's best value; the leader's grid is evaluated with the followers' grid responses.

Safety floors.  D's increments ``(x, t) = (a1 - a0, b1 - max(b0, theta_D))`` range over a
box ``[0, R]^2`` that provably contains D's optimum: with ``kappa`` the minimum of the
cost form on the simplex ``{x + y = 1, x, y >= 0}`` (positive for a copositive form),
any increment with ``x + t > (rho max(r) + 2 m |c_ab|) / kappa`` is worse than ``(0, 0)``.
D's payoff is ``rho r'gamma0`` plus a function of ``m = max(0, theta_D - b0)``, so D is
solved once per grid value of ``b0`` (a 61 x 61 grid, its three best local maxima zoomed).  G's grid covers ``a0, b0 <= S``, beyond which
``U_G < 0`` whatever D does (the same argument with C0); D plays iff its best payoff is ``>= 0``.

Fine-tuning with n specialists.  Specialist i's increment ``t = alpha_i - alpha0`` ranges
over ``[0, 2/c_i + 1]`` (beyond, its payoff falls below free-riding), compared with
abstaining (payoff 0); G's grid over ``alpha0`` covers ``[0, A]`` with ``U_G(alpha0) < 0``
for ``alpha0 > A``.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["brute_safety", "brute_fine_tuning"]


# ------------------------------------------------------------------ shared: grid zooms
# A grid's best point, re-gridded around it level by level, locates a kink, a bound or the
# edge of the feasible set to the last bit, but a smooth maximum only to the square root
# of the rounding error (the payoff is flat there).  So after ``levels`` grid levels a
# parabolic (Newton) step is tried, kept unless it evaluates worse by more than rounding
# noise; then ``extra`` grid levels follow, kept only where they are better by more than
# rounding noise (a kink, a bound, the edge of the feasible set).
NOISE = 1e-13


def _better(v_new, v_old, margin=0.0):
    with np.errstate(invalid="ignore"):  # -inf (infeasible) against -inf: not better
        return v_new > v_old + margin * (1 + np.abs(v_old))


def _zoom2(fun, lo1, hi1, lo2, hi2, n=21, levels=7, extra=12):
    """Maximise fun(X, Y) (vectorised; row r = problem r) over the boxes: (val, x, y)."""
    lo1, hi1, lo2, hi2 = (np.array(v, dtype=float) for v in (lo1, hi1, lo2, hi2))
    g = np.linspace(0.0, 1.0, n)
    rows = np.arange(len(lo1))

    def grid(L1, H1, L2, H2, count):
        for _ in range(count):
            X = L1[:, None, None] + (H1 - L1)[:, None, None] * g[None, :, None]
            Y = L2[:, None, None] + (H2 - L2)[:, None, None] * g[None, None, :]
            F = fun(X, Y)
            i, j = np.unravel_index(np.argmax(F.reshape(len(L1), -1), axis=1), (n, n))
            bx, by, bv = X[rows, i, 0], Y[rows, 0, j], F[rows, i, j]
            h1, h2 = (H1 - L1) / (n - 1), (H2 - L2) / (n - 1)
            L1, H1 = np.maximum(lo1, bx - 2 * h1), np.minimum(hi1, bx + 2 * h1)
            L2, H2 = np.maximum(lo2, by - 2 * h2), np.minimum(hi2, by + 2 * h2)
        return bv, bx, by, h1, h2, (L1, H1, L2, H2)

    bv, bx, by, h1, h2, box = grid(lo1, hi1, lo2, hi2, levels)
    d = np.array([-1.0, 0.0, 1.0])
    S = fun(bx[:, None, None] + h1[:, None, None] * d[None, :, None],
            by[:, None, None] + h2[:, None, None] * d[None, None, :])
    gx, gy = (S[:, 2, 1] - S[:, 0, 1]) / (2 * h1), (S[:, 1, 2] - S[:, 1, 0]) / (2 * h2)
    hxx = (S[:, 2, 1] - 2 * S[:, 1, 1] + S[:, 0, 1]) / h1 ** 2
    hyy = (S[:, 1, 2] - 2 * S[:, 1, 1] + S[:, 1, 0]) / h2 ** 2
    hxy = (S[:, 2, 2] - S[:, 2, 0] - S[:, 0, 2] + S[:, 0, 0]) / (4 * h1 * h2)
    with np.errstate(all="ignore"):
        det = hxx * hyy - hxy ** 2
        steps = [(bx - (hyy * gx - hxy * gy) / det, by - (hxx * gy - hxy * gx) / det),
                 (bx - gx / hxx, by), (bx, by - gy / hyy)]  # Newton; along x; along y
    val, x, y = bv, bx, by
    done = np.zeros(len(bx), dtype=bool)
    for nx, ny in steps:  # the first step that is feasible and no worse than the grid point
        ok = ~done & np.isfinite(nx) & np.isfinite(ny) & (np.abs(nx - bx) <= 2 * h1) & (np.abs(ny - by) <= 2 * h2)
        ok &= (nx >= lo1) & (nx <= hi1) & (ny >= lo2) & (ny <= hi2)
        nx, ny = np.where(ok, nx, bx), np.where(ok, ny, by)
        nv = fun(nx[:, None, None], ny[:, None, None])[:, 0, 0]
        take = ok & _better(nv, bv, -NOISE)
        val, x, y = np.where(take, nv, val), np.where(take, nx, x), np.where(take, ny, y)
        done |= take
    ev, ex, ey = grid(*box, extra)[:3]
    take = _better(ev, val, NOISE)
    return np.where(take, ev, val), np.where(take, ex, x), np.where(take, ey, y)


def _zoom1(fun, lo, hi, n=21, levels=7, extra=12):
    """Maximise fun(X) (rows = problems, -inf = infeasible) over [lo, hi]: (val, x)."""
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    g = np.linspace(0.0, 1.0, n)
    rows = np.arange(len(lo))

    def grid(L, H, count):
        for _ in range(count):
            X = L[:, None] + (H - L)[:, None] * g[None, :]
            F = fun(X)
            k = np.argmax(F, axis=1)
            bx, bv = X[rows, k], F[rows, k]
            h = (H - L) / (n - 1)
            L, H = np.maximum(lo, bx - 2 * h), np.minimum(hi, bx + 2 * h)
        return bv, bx, h, (L, H)

    bv, bx, h, box = grid(lo, hi, levels)
    S = fun(bx[:, None] + h[:, None] * np.array([-1.0, 0.0, 1.0])[None, :])
    with np.errstate(all="ignore"):
        curv = S[:, 0] - 2 * S[:, 1] + S[:, 2]
        nx = bx - h * (S[:, 2] - S[:, 0]) / (2 * curv)
    ok = np.isfinite(nx) & (np.abs(nx - bx) <= h) & (nx >= lo) & (nx <= hi)
    nx = np.where(ok, nx, bx)
    nv = fun(nx[:, None])[:, 0]
    take = ok & _better(nv, bv, -NOISE)
    val, x = np.where(take, nv, bv), np.where(take, nx, bx)
    ev, ex = grid(*box, extra)[:2]
    take = _better(ev, val, NOISE)
    return np.where(take, ev, val), np.where(take, ex, x)


def _simplex_min(c_aa, c_ab, c_bb):
    w = np.linspace(0.0, 1.0, 100001)
    return float(np.min(c_aa * w * w + 2 * c_ab * w * (1 - w) + c_bb * (1 - w) ** 2))


# ------------------------------------------------------------------ safety floors
def _safety_in(p):
    if "k" in p:
        C0 = C1 = (1.0, float(p["k"]), 1.0)
    else:
        C0 = tuple(float(p["c0_" + e]) for e in ("aa", "ab", "bb"))
        C1 = tuple(float(p["c1_" + e]) for e in ("aa", "ab", "bb"))
    return (float(p["delta"]), float(p.get("theta_G", 0.0)), float(p.get("theta_D", 0.0)),
            float(p.get("r_a", 1.0)), float(p.get("r_b", 1.0)), C0, C1)


def _d_solve(p, b0s):
    """D's best increments for each b0 in ``b0s``: (value of f, x, y) by a 2-D grid zoom."""
    delta, _, thD, ra, rb, _, (p1, q1, s1) = _safety_in(p)
    rho = 1.0 - delta
    m = np.maximum(0.0, thD - np.asarray(b0s, dtype=float))
    kappa = 0.9 * _simplex_min(p1, q1, s1)
    R = (rho * max(ra, rb) + 2 * m * abs(q1)) / kappa + 1e-9

    def f(X, T):
        Y = m[:, None, None] + T
        return rho * (ra * X + rb * Y) - (p1 * X * X + 2 * q1 * X * Y + s1 * Y * Y)

    # a coarse grid first; each of its best three local maxima is zoomed (a non-convex
    # cost has two: invest in one attribute or the other)
    n = 61
    g = np.linspace(0.0, 1.0, n)
    F = f(R[:, None, None] * g[None, :, None], R[:, None, None] * g[None, None, :])
    P = np.pad(F, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    peak = np.ones_like(F, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                peak &= F >= P[:, 1 + di:n + 1 + di, 1 + dj:n + 1 + dj]
    order = np.argsort(np.where(peak, F, -np.inf).reshape(len(m), -1), axis=1)[:, ::-1]
    h = R / (n - 1)
    best = None
    for rank in range(3):
        i, j = np.unravel_index(order[:, rank], (n, n))
        ok = peak.reshape(len(m), -1)[np.arange(len(m)), order[:, rank]] | (rank == 0)
        cx, ct = i * h, j * h
        val, x, t = _zoom2(f, np.maximum(0, cx - 2 * h), cx + 2 * h, np.maximum(0, ct - 2 * h), ct + 2 * h)
        val = np.where(ok, val, -np.inf)
        if best is None:
            best = [val, x, t]
        else:
            take = val > best[0]
            best = [np.where(take, a, b) for a, b in zip((val, x, t), best)]
    return best[0], best[1], m + best[2]


def _h(p, b0s, S):
    """For each b0: G's best a0 in [0, S] by a 1-D zoom, D's grid response, D abstaining = -inf.

    Returns (U_G, a0, U_D, a1, b1) arrays.
    """
    delta, _, _, ra, rb, (u, w, v), _ = _safety_in(p)
    rho = 1.0 - delta
    b0s = np.asarray(b0s, dtype=float)
    fv, x, y = _d_solve(p, b0s)
    B = b0s[:, None]

    def UG(A):
        ug = delta * (ra * (A + x[:, None]) + rb * (B + y[:, None])) - (u * A * A + 2 * w * A * B + v * B * B)
        vd = rho * (ra * A + rb * B) + fv[:, None]
        return np.where(vd >= 0.0, ug, -np.inf)

    val, a0 = _zoom1(UG, np.zeros_like(b0s), np.full_like(b0s, S))
    return val, a0, rho * (ra * a0 + rb * b0s) + fv, a0 + x, b0s + y


def brute_bounds(p) -> float:
    """S: G's payoff is negative once a0 + b0 > S (whatever D does)."""
    delta, thG, thD, ra, rb, (u, w, v), (p1, q1, s1) = _safety_in(p)
    rho, rmax = 1.0 - delta, max(ra, rb)
    R = (rho * rmax + 2 * thD * abs(q1)) / (0.9 * _simplex_min(p1, q1, s1))
    k0 = 0.9 * _simplex_min(u, w, v)
    inc = R + thD
    return (delta * rmax + math.sqrt((delta * rmax) ** 2 + 4 * k0 * delta * rmax * inc)) / (2 * k0)


def brute_safety(p, n_coarse=201, n_fine=21, seeds=6):
    """The SPE of the safety-floors game by grids: dict like ``research_safety.safety_floors``."""
    thG, thD = _safety_in(p)[1:3]
    S = brute_bounds(p)
    if thG > S:
        return _abstain()
    b = np.linspace(thG, S, n_coarse)
    F = _h(p, b, S)[0]
    seeds = _local_maxima_1d(F, seeds)
    if not seeds:
        return _abstain()
    h = b[1] - b[0]
    lo = np.maximum(thG, b[seeds] - 2 * h)
    hi = b[seeds] + 2 * h
    vals, b0s = _zoom1(lambda X: _h(p, X.ravel(), S)[0].reshape(X.shape), lo, hi, n=n_fine)
    k = int(np.argmax(vals))
    UG, a0, VD, a1, b1 = (float(z[0]) for z in _h(p, [b0s[k]], S))
    best = (UG, VD, a0, float(b0s[k]), a1, b1) if np.isfinite(UG) else None
    if best is None or best[0] < -1e-12:
        return _abstain()
    UG, VD, a0, b0, a1, b1 = best
    m = max(0.0, thD - b0)
    if VD <= 1e-6 * (1 + abs(UG)):
        regime = "participation"
    elif m > 1e-6 and abs(b1 - thD) <= 1e-6:
        regime = "floor"
    else:
        regime = "free"
    return {"regime": regime, "U_G": UG, "U_D": VD, "gamma0": (a0, b0), "gamma1": (a1, b1)}


def _local_maxima_1d(F, k):
    """Up to k indices of F that are >= both neighbours, best first."""
    P = np.concatenate([[-np.inf], F, [-np.inf]])
    ok = np.isfinite(F) & (F >= P[:-2]) & (F >= P[2:])
    idx = np.flatnonzero(ok)
    return list(idx[np.argsort(F[idx])[::-1]][:k])


def _abstain():
    return {"regime": "abstain", "U_G": 0.0, "U_D": 0.0, "gamma0": None, "gamma1": None}


# ------------------------------------------------------------------ fine-tuning, n specialists
def _ft_in(p):
    n = int(p["n"])
    rows = []
    for i in range(1, n + 1):
        rows.append(tuple(float(p.get(f"{k}_{i}", p.get(k, d))) for k, d in
                          (("delta", None), ("c", None), ("kappa", 0.0), ("F", 0.0))))
    return float(p["c0"]), rows


def _ft_specialists(p, a0s):
    """Each specialist's grid best response at each alpha0: (plays, alpha_i, U_i) arrays [i][k]."""
    _, rows = _ft_in(p)
    a0s = np.asarray(a0s, dtype=float)
    out = []
    for delta, c, kappa, F in rows:
        A = a0s

        def U(T):
            return (1 - delta) * (A[:, None] + T) - kappa * T - c / 2 * T * T - F

        val, t = _zoom1(U, np.zeros_like(A), np.full_like(A, 2.0 / c + 1.0))
        plays = val >= -1e-12
        out.append((plays, np.where(plays, A + t, np.nan), np.where(plays, val, 0.0)))
    return out


def _ft_G(p, a0s):
    c0, rows = _ft_in(p)
    a0s = np.asarray(a0s, dtype=float)
    resp = _ft_specialists(p, a0s)
    UG = -c0 / 2 * a0s * a0s
    for (delta, *_), (plays, al, _) in zip(rows, resp):
        UG = UG + np.where(plays, delta * np.nan_to_num(al), 0.0)
    return UG, resp


def brute_fine_tuning(p, n_coarse=4001, n_fine=21, seeds=8):
    """The SPE of the n-specialist fine-tuning game by grids: dict like ``research.fine_tuning_n``."""
    c0, rows = _ft_in(p)
    sd = sum(r[0] for r in rows)
    T = max(2.0 / r[1] + 1.0 for r in rows)
    A = 2.0 * (sd + np.sqrt(sd * sd + 2 * c0 * sd * T)) / c0 + 1.0  # U_G < 0 beyond
    a = np.linspace(0.0, A, n_coarse)
    F = _ft_G(p, a)[0]
    seeds = _local_maxima_1d(F, seeds)
    h = a[1] - a[0]
    vals, a0s = _zoom1(lambda X: _ft_G(p, X.ravel())[0].reshape(X.shape),
                       np.maximum(0.0, a[seeds] - 2 * h), a[seeds] + 2 * h, n=n_fine)
    k = int(np.argmax(vals))
    best = (float(vals[k]), float(a0s[k]))
    UG, a0 = best
    resp = _ft_G(p, [a0])[1]
    alpha, regimes, UD = [], [], []
    for plays, al, val in resp:
        if plays[0]:
            alpha.append(float(al[0]))
            regimes.append("contributor" if al[0] - a0 > 1e-6 else "free-rider")
        else:
            alpha.append(None)
            regimes.append("abstainer")
        UD.append(float(val[0]))
    return {"alpha0": a0, "alpha": alpha, "regimes": regimes, "U_G": UG, "U_D": UD}
