"""Brute-force numeric backward induction for the textbook games (numpy only).

Independent of openeq and of ``closed_forms``: each game's payoffs are written out again
here as numpy functions, and every stage is solved numerically, last stage first, by the
searches of ``search.py``:

* a single mover: :func:`search.maximize` (a dense grid, zooming into the best local
  maxima, Newton polish where smooth) for *each* value of the earlier choices it sees;
* two simultaneous movers: :func:`search.nash` (best-response iteration, then a global
  check of both best responses) at the last stage; at an earlier stage, whose best
  responses are themselves nested searches, every fixed point of :math:`R_2 \\circ R_1`
  (:func:`nash.fixed_points`), so that several equilibria would all be found;
* a mover choosing two variables: :func:`search.maximize2` (a grid and pattern searches).

A search looks for jumps of the mover's payoff in its own choice (``jumps``) unless the
payoff is continuous there: a payoff without Piecewise whose later movers all have
strictly concave, continuous payoffs in their own choices has continuous best responses
below it (Berge's maximum theorem), so no jump.  This is read off the payoffs, not the
solution.

``solve(game, points)`` returns, per point, ``{"strategies", "payoffs", "equilibria"}``
(``equilibria``: how many equilibria of a simultaneous first stage were found; 1 elsewhere).
"""
from __future__ import annotations

import numpy as np

from .nash import fixed_points, nash
from .search import OPEN, SearchError, maximize, maximize2, repeat_params

__all__ = ["GAMES", "solve"]

INF = np.inf
COARSE = dict(n=21, keep=2, nz=9, zooms=10, jumps=1)  # searches with a nested simultaneous stage inside


def _lift(P, fn, *fixed):
    """f(X) for (K, M) choices X: fn(params, X, *fixed) on the K*M flattened contexts."""
    def f(X):
        K, M = X.shape
        out = fn(repeat_params(P, M), X.reshape(-1), *(np.repeat(a, M) for a in fixed))
        return np.asarray(out).reshape(K, M)
    return f


def _col(a):
    return a[:, None]


# --------------------------------------------------------------- Hotelling
def _hot_stage2(P, l1, l2):
    t, c, D = _col(P["t"]), _col(P["c"]), _col(1 - l1 - l2)
    s1, s2 = _col((1 + l1 - l2) / 2), _col((1 - l1 + l2) / 2)
    u1 = lambda p1, p2: (p1 - c) * (s1 + (p2 - p1) / (2 * t * D))  # noqa: E731
    u2 = lambda p1, p2: (p2 - c) * (s2 + (p1 - p2) / (2 * t * D))  # noqa: E731
    dom = (np.zeros_like(l1), np.full_like(l1, INF), False, False)
    p1, p2 = nash(u1, u2, dom, dom, P["c"] + P["t"], jumps=(0, 0))  # concave quadratics in own price
    return p1, p2, u1(_col(p1), _col(p2))[:, 0], u2(_col(p1), _col(p2))[:, 0]


def _hot_R(P, other, who):
    lo, hi = np.zeros_like(other), np.full_like(other, 0.5)
    if who == 1:
        f = _lift(P, lambda Q, l1, l2: _hot_stage2(Q, l1, l2)[2], other)
    else:
        f = _lift(P, lambda Q, l2, l1: _hot_stage2(Q, l1, l2)[3], other)
    return maximize(f, lo, hi, np.full_like(other, 0.5), hi_open=True, **COARSE)[0]


def hotelling(P):
    K = len(P["t"])
    phi = _lift(P, lambda Q, l2: _hot_R(Q, _hot_R(Q, l2, 1), 2))
    roots = fixed_points(phi, np.zeros(K), np.full(K, 0.5 - OPEN * 0.5), np.full(K, 0.5), n=3)
    l2 = np.array([r[0] for r in roots])
    l1 = _hot_R(P, l2, 1)
    p1, p2, u1, u2 = _hot_stage2(P, l1, l2)
    return [len(r) for r in roots], {"l1": l1, "l2": l2, "p1": p1, "p2": p2}, {"F1": u1, "F2": u2}


# --------------------------------------------------------------- R&D, then Cournot
def _rd_stage2(P, x1, x2):
    a, b, c, g = (_col(P[k]) for k in ("a", "b", "c", "gamma"))
    X1, X2 = _col(x1), _col(x2)
    u1 = lambda q1, q2: (a - b * (q1 + q2) - (c - X1)) * q1 - g * X1 ** 2 / 2  # noqa: E731
    u2 = lambda q1, q2: (a - b * (q1 + q2) - (c - X2)) * q2 - g * X2 ** 2 / 2  # noqa: E731
    dom = (np.zeros_like(x1), np.full_like(x1, INF), False, False)
    q1, q2 = nash(u1, u2, dom, dom, P["a"] / P["b"], jumps=(0, 0))  # concave quadratics in own quantity
    return q1, q2, u1(_col(q1), _col(q2))[:, 0], u2(_col(q1), _col(q2))[:, 0]


def _rd_R(P, other, who):
    lo, hi = np.zeros_like(other), P["c"]
    if who == 1:
        f = _lift(P, lambda Q, x1, x2: _rd_stage2(Q, x1, x2)[2], other)
    else:
        f = _lift(P, lambda Q, x2, x1: _rd_stage2(Q, x1, x2)[3], other)
    return maximize(f, lo, hi, P["c"], **COARSE)[0]


def rd_cournot(P):
    phi = _lift(P, lambda Q, x2: _rd_R(Q, _rd_R(Q, x2, 1), 2))
    roots = fixed_points(phi, np.zeros_like(P["c"]), P["c"], P["c"], n=3)
    x2 = np.array([r[0] for r in roots])
    x1 = _rd_R(P, x2, 1)
    q1, q2, u1, u2 = _rd_stage2(P, x1, x2)
    return [len(r) for r in roots], {"x1": x1, "x2": x2, "q1": q1, "q2": q2}, {"F1": u1, "F2": u2}


# --------------------------------------------------------------- leader and follower games
def _follower(P, uF, x, lo, hi, scale, tie="max", jumps=2):
    """The follower's numeric best response to each leader choice x (shape (N,))."""
    return maximize(_lift(P, uF, x), lo(P, x), hi(P, x), scale(P), tie=tie, jumps=jumps)[0]


def _leader_follower(P, uL, uF, dom_x, dom_y, tie=("max", "max"), jumps=(2, 2)):
    """Two stages, one scalar choice each: returns x, y, U_L, U_F on the path.

    ``dom_x = (lo(P), hi(P), scale(P), lo_open)``, ``dom_y = (lo(P, x), hi(P, x), scale(P))``."""
    (lox, hix, sx, openx), (loy, hiy, sy) = dom_x, dom_y
    br = lambda Q, x: _follower(Q, uF, x, loy, hiy, sy, tie[1], jumps[1])  # noqa: E731
    f = _lift(P, lambda Q, x: uL(Q, x, br(Q, x)))
    x = maximize(f, lox(P), hix(P), sx(P), tie=tie[0], lo_open=openx, jumps=jumps[0])[0]
    y = br(P, x)
    return x, y, uL(P, x, y), uF(P, y, x)


def _zeros(P, *_):
    return np.zeros_like(next(iter(P.values())))


def _infs(P, *_):
    return np.full_like(next(iter(P.values())), INF)


def entry_deterrence(P):
    uI = lambda Q, q1, q2: (Q["a"] - Q["b"] * (q1 + q2) - Q["c"]) * q1  # noqa: E731
    uE = lambda Q, q2, q1: (Q["a"] - Q["b"] * (q1 + q2) - Q["c"]) * q2 - np.where(q2 > 0, Q["F"], 0.0)  # noqa: E731
    scale = lambda Q: (Q["a"] - Q["c"]) / Q["b"]  # noqa: E731  (output at which price = cost)
    q1, q2, uI_, uE_ = _leader_follower(P, uI, uE, (_zeros, _infs, scale, False), (_zeros, _infs, scale),
                                        tie=("max", "min"))
    return [1] * len(q1), {"q1": q1, "q2": q2}, {"I": uI_, "E": uE_}


def tullock(P):
    uL = lambda Q, x, y: Q["V1"] * x / (x + y) - x  # noqa: E731
    uF = lambda Q, y, x: Q["V2"] * y / (x + y) - y  # noqa: E731
    scale = lambda Q: Q["V1"] + Q["V2"]  # noqa: E731
    x, y, u1, u2 = _leader_follower(P, uL, uF, (_zeros, _infs, scale, True), (_zeros, _infs, scale),
                                    jumps=(0, 0))  # uF strictly concave in y
    return [1] * len(x), {"x": x, "y": y}, {"L": u1, "F": u2}


def public_good(P):
    uL = lambda Q, g1, g2: Q["w1"] - g1 + Q["v1"] * np.log1p(g1 + g2)  # noqa: E731
    uF = lambda Q, g2, g1: Q["w2"] - g2 + Q["v2"] * np.log1p(g1 + g2)  # noqa: E731
    dom1 = (_zeros, lambda Q: Q["w1"], lambda Q: Q["w1"], False)
    dom2 = (_zeros, lambda Q, g1: Q["w2"], lambda Q: Q["w2"])
    g1, g2, u1, u2 = _leader_follower(P, uL, uF, dom1, dom2, jumps=(0, 0))  # uF strictly concave in g2
    return [1] * len(g1), {"g1": g1, "g2": g2}, {"P1": u1, "P2": u2}


def double_marginalisation(P):
    uM = lambda Q, w, q: (w - Q["c"]) * q  # noqa: E731
    uR = lambda Q, q, w: (Q["a"] - Q["b"] * q - w) * q  # noqa: E731
    w, q, u1, u2 = _leader_follower(P, uM, uR, (_zeros, _infs, lambda Q: Q["a"], False),
                                    (_zeros, _infs, lambda Q: Q["a"] / Q["b"]), jumps=(0, 0))  # uR concave in q
    return [1] * len(w), {"w": w, "q": q}, {"M": u1, "R": u2}


def openness_tiers(P):
    n = sum(1 for k in P if k.startswith("theta"))

    def pen(Q, w):
        return sum(np.where(w < Q[f"theta{k}"], Q[f"p{k}"], 0.0) for k in range(1, n + 1))

    uG = lambda Q, w, al: Q["delta"] * (1 - w) * al + Q["epsilon"] * w - Q["gamma"] / 2 * w ** 2 - pen(Q, w)  # noqa: E731
    uD = lambda Q, al, w: (1 - Q["delta"] * (1 - w)) * al - Q["c"] / 2 * (al - Q["alpha0"]) ** 2  # noqa: E731
    dom_w = (_zeros, lambda Q: np.ones_like(Q["c"]), lambda Q: np.ones_like(Q["c"]), False)
    dom_a = (lambda Q, w: Q["alpha0"], _infs, lambda Q: Q["alpha0"] + 1 / Q["c"])
    w, al, u1, u2 = _leader_follower(P, uG, uD, dom_w, dom_a, jumps=(n + 1, 0))  # the penalty jumps n times
    return [1] * len(w), {"omega": w, "alpha1": al}, {"G": u1, "D": u2}


# --------------------------------------------------------------- two-product leader
LOCAL = dict(n=9, keep=1, nz=9, jumps=0, extras=False)


def _refine2(P, u, x0, y0, w, scale):
    """Nested one-variable searches, max over x of max over y of u, in the window
    [x0 - w, x0 + w] x [y0 - w, y0 + w] (cut at 0) around a two-variable search's answer:
    exact where pattern search stalls on a ridge (a kink that is not along an axis).  The
    inner search zooms further, since its error is noise in the outer one's payoff.
    An answer on an edge of the window that is not a bound raises SearchError."""
    def best_y(Q, x, yc, ww, sc):
        f = _lift(Q, lambda R, y, xx: u(R, xx, y), x)
        lo = np.maximum(yc - ww, 0.0)
        return maximize(f, lo, yc + ww, sc, domain=(np.zeros_like(lo), np.full_like(lo, INF)), zooms=22, **LOCAL)

    g = _lift(P, lambda Q, x, yc, ww, sc: best_y(Q, x, yc, ww, sc)[1], y0, w, scale)
    lo = np.maximum(x0 - w, 0.0)
    x = maximize(g, lo, x0 + w, scale, domain=(np.zeros_like(lo), np.full_like(lo, INF)), zooms=14, **LOCAL)[0]
    y = best_y(P, x, y0, w, scale)[0]
    edge = (np.abs(x - x0) >= 0.999 * w) | (np.abs(y - y0) >= 0.999 * w)
    if edge.any():
        raise SearchError(f"two-variable refinement reached its window's edge ({int(edge.sum())} context(s))")
    return x, y


def two_product_leader(P):
    def uL(Q, x, y, z):
        return (Q["a"] - x - z - Q["d"] * y - Q["c"]) * x + (Q["a"] - y - Q["d"] * (x + z) - Q["c"]) * y

    def uF(Q, z, x, y):
        return (Q["a"] - x - z - Q["d"] * y - Q["c"] - Q["e"]) * z

    def z_of(Q, x, y):  # uF is a concave quadratic in z: no jumps
        f = _lift(Q, uF, x, y)
        return maximize(f, np.zeros_like(x), np.full_like(x, INF), Q["a"] - Q["c"], jumps=0, zooms=12)[0]

    def f(X, Y):  # the leader's payoff, continuous (Berge), for (K, M) choices
        K, M = X.shape
        Q = repeat_params(P, M)
        x, y = X.reshape(-1), Y.reshape(-1)
        return uL(Q, x, y, z_of(Q, x, y)).reshape(K, M)

    zero, inf, scale = np.zeros_like(P["a"]), np.full_like(P["a"], INF), P["a"] - P["c"]
    x0, y0, _ = maximize2(f, (zero, zero), (inf, inf), scale)
    x, y = _refine2(P, lambda Q, x, y: uL(Q, x, y, z_of(Q, x, y)), x0, y0, 0.05 * scale, scale)
    z = z_of(P, x, y)
    return [1] * len(x), {"x": x, "y": y, "z": z}, {"L": uL(P, x, y, z), "F": uF(P, z, x, y)}


GAMES = {
    "hotelling": hotelling,
    "rd-cournot": rd_cournot,
    "entry-deterrence": entry_deterrence,
    "two-product-leader": two_product_leader,
    "tullock": tullock,
    "public-good": public_good,
    "double-marginalisation": double_marginalisation,
    "openness-tiers2": openness_tiers,
    "openness-tiers3": openness_tiers,
}


def solve(game: str, points: list) -> list:
    """Brute-force SPE path at each point (a list of name -> float dicts)."""
    P = {k: np.array([p[k] for p in points], float) for k in points[0]}
    counts, strategies, payoffs = GAMES[game](P)
    return [{"strategies": {k: float(v[i]) for k, v in strategies.items()},
             "payoffs": {k: float(v[i]) for k, v in payoffs.items()},
             "equilibria": int(counts[i])} for i in range(len(points))]
