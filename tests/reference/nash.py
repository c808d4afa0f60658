r"""Numeric pure Nash equilibria of two-player stages with scalar choices (numpy only).

Batched over K contexts like ``search.py``.

* :func:`nash` -- for a last stage: best-response iteration on the composite map
  :math:`x_2 \mapsto R_2(R_1(x_2))`, accelerated by secant steps, each best response
  searched in a window around the previous one; at the end both players' *global* best
  responses are computed again, and a payoff gain above ``GAIN`` (relative) restarts plain
  iteration from them.  Contexts that do not settle raise :class:`SearchError`.
* :func:`fixed_points` -- for an earlier stage, whose best responses are nested searches:
  every solution of :math:`\varphi(x) = x` on :math:`[lo, hi]` for a continuous self-map
  :math:`\varphi = R_2 \circ R_1`: a scan on a grid, then Illinois regula falsi in each
  bracket of a sign change, so that several equilibria would all be found.
"""
from __future__ import annotations

import numpy as np

from .search import GAIN, SearchError, maximize

__all__ = ["nash", "fixed_points"]

LOCAL = dict(n=9, keep=1, nz=9, zooms=10, jumps=0, extras=False)   # a best response near the last one
CHECK = dict(n=41, keep=2, nz=9, zooms=9, polish=False)             # a global best response, for its value


def nash(u1, u2, dom1, dom2, scale, *, tie=("max", "max"), jumps=(2, 2), rounds=200):
    """A pure Nash equilibrium (x1, x2) in every context.

    ``u1(x1, x2)``, ``u2(x1, x2)``: payoffs for arrays of shape (K, M); ``dom_i = (lo, hi,
    lo_open, hi_open)`` with lo, hi of shape (K,); ``scale`` (K,); ``jumps``: how many
    jumps of each payoff in the own choice a global best response looks for."""
    def br(i, other, window=None, **opts):
        lo, hi, lo_open, hi_open = dom1 if i == 0 else dom2
        u = (lambda X: u1(X, other[:, None])) if i == 0 else (lambda X: u2(other[:, None], X))
        if window is None:
            kw = {"jumps": jumps[i], **opts}
            return maximize(u, lo, hi, scale, tie=tie[i], lo_open=lo_open, hi_open=hi_open, **kw)
        centre, w = window
        wl, wh = np.maximum(centre - w, lo), np.minimum(centre + w, hi)
        return maximize(u, wl, wh, scale, tie=tie[i], lo_open=lo_open & (wl == lo),
                        hi_open=hi_open & (wh == hi), domain=(lo, hi), **LOCAL)

    def settle(x1, x2, secant):
        w, prev = 0.5 * scale, None
        for _ in range(rounds):
            n1 = br(0, x2, (x1, w))[0]
            n2 = br(1, n1, (x2, w))[0]
            F = n2 - x2
            nxt = n2
            if secant and prev is not None:
                d = F - prev[1]
                with np.errstate(divide="ignore", invalid="ignore"):
                    sec = x2 - F * (x2 - prev[0]) / d
                nxt = np.where(np.isfinite(sec) & (np.abs(d) > 0), np.clip(sec, dom2[0], dom2[1]), n2)
            prev = (x2, F)
            step = np.maximum(np.abs(n1 - x1), np.abs(nxt - x2))
            x1, x2 = n1, nxt
            if (np.abs(F) <= 1e-11 * scale).all():
                return x1, n2
            w = np.maximum(8.0 * step, 1e-12 * scale)
        return x1, br(1, x1, (x2, w))[0]

    def refuted(x1, x2):
        (b1, v1), (b2, v2) = br(0, x2, **CHECK), br(1, x1, **CHECK)
        here1 = u1(x1[:, None], x2[:, None])[:, 0]
        here2 = u2(x1[:, None], x2[:, None])[:, 0]
        bad = (v1 - here1 > GAIN * (1 + np.abs(here1))) | (v2 - here2 > GAIN * (1 + np.abs(here2)))
        return bad, b1

    x2 = np.where(np.isfinite(dom2[1]), 0.5 * (dom2[0] + dom2[1]), dom2[0] + scale)
    x1 = br(0, x2)[0]
    x1, x2 = settle(x1, br(1, x1)[0], True)
    for _ in range(3):
        bad, b1 = refuted(x1, x2)
        if not bad.any():
            return x1, x2
        x1 = np.where(bad, b1, x1)
        x1, x2 = settle(x1, br(1, x1)[0], False)
    raise SearchError(f"best-response iteration did not settle in {int(bad.sum())} context(s)")


def fixed_points(phi, lo, hi, scale, *, n=9, iters=80):
    """All x in [lo, hi] with phi(x) = x, per context: a list (one per context) of sorted arrays.

    ``phi`` maps (K, M) arrays to (K, M) arrays.  A grid point where |phi(x) - x| <= 1e-9 *
    scale counts as a root (the first of a run of such points); between grid points where
    phi(x) - x changes sign, Illinois regula falsi narrows the bracket to 1e-12 * scale."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    scale = np.broadcast_to(np.asarray(scale, float), lo.shape)
    K = lo.shape[0]
    X = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n)[None, :]
    D = phi(X) - X
    tol = 1e-9 * scale[:, None]
    sign = np.where(D > tol, 1, np.where(D < -tol, -1, 0))
    found = [[] for _ in range(K)]
    brackets = [[] for _ in range(K)]
    for k in range(K):
        for i in range(n):
            if sign[k, i] == 0 and (i == 0 or sign[k, i - 1] != 0):
                found[k].append(X[k, i])
            if i + 1 < n and sign[k, i] * sign[k, i + 1] < 0:
                brackets[k].append(i)
    width = max((len(b) for b in brackets), default=0)
    if width:
        valid = np.zeros((K, width), bool)
        idx = np.zeros((K, width), int)
        for k, b in enumerate(brackets):
            valid[k, :len(b)] = True
            idx[k, :len(b)] = b
        rows = np.arange(K)[:, None]
        a, b = X[rows, idx], X[rows, idx + 1]
        fa, fb = D[rows, idx], D[rows, idx + 1]
        fa, fb = np.where(valid, fa, -1.0), np.where(valid, fb, 1.0)  # dummy brackets
        side = np.zeros((K, width))
        for _ in range(iters):
            x = np.clip((a * fb - b * fa) / (fb - fa), np.minimum(a, b), np.maximum(a, b))
            fx = phi(x) - x
            with_b = np.sign(fx) == np.sign(fb)
            with_a = ~with_b & (np.sign(fx) == np.sign(fa))
            fa = np.where(with_b & (side == -1), fa / 2, fa)
            fb = np.where(with_a & (side == 1), fb / 2, fb)
            b, fb = np.where(with_b, x, b), np.where(with_b, fx, fb)
            a, fa = np.where(with_a, x, a), np.where(with_a, fx, fa)
            side = np.where(with_b, -1, np.where(with_a, 1, side))
            exact = ~with_a & ~with_b
            a, b = np.where(exact, x, a), np.where(exact, x, b)
            if (~valid | (np.abs(b - a) <= 1e-12 * scale[:, None])).all():
                break
        for k in range(K):
            for j in range(len(brackets[k])):
                found[k].append(0.5 * (a[k, j] + b[k, j]))
    return [np.array(sorted(f)) for f in found]
