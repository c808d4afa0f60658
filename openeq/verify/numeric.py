"""Independent brute-force numeric backward induction (a check on the symbolic solver).

Nothing here is shared with ``openeq.solver``: only the game *data* is read (payoff
expressions, moves, domains), lambdified with numpy (search) and mpmath (polish,
derivatives).  No symbolic solving or differentiation is done.

Method
------
Backward induction, vectorised over *contexts* (the earlier choices): to solve stage
``k`` for ``n`` contexts, the mover's objective at a candidate action is its payoff
after stages ``k+1..K`` are solved (recursively, for all candidates at once).  Each
1-D maximisation over a box ``[lo, hi]`` (bounds evaluated numerically):

1. a grid of ``grid`` points, shrunk so that a nested grid pass over the remaining
   stages costs about GRID_BUDGET evaluations (``(GRID_BUDGET/n)**(1/stages left)``,
   never below MIN_GRID); an infinite bound becomes a finite search range
   ``max(10, 10|bound|)`` wide, doubled while the best grid point sits on its edge;
2. the two best local maxima of the grid are refined: ZOOM_ROUNDS rounds of a
   ZOOM_POINTS sub-grid zoom (handles kinks), then NEWTON_STEPS Newton steps on
   5-point finite differences (step cell/10; a step is kept only if it stays within
   two cells and the payoff does not fall by more than NEWTON_RTOL relative, which
   absorbs the rounding noise of nested inner solutions);
3. candidates: refined optima, finite endpoints, and *breakpoints*: zeros of
   ``lhs - rhs`` for every relation in a Piecewise condition of the mover's payoff
   (directly when it reads ``x < expr``, else by bisection along the solution path),
   each evaluated exactly there and 1-2 ulps either side (penalties jump there);
4. the best candidate wins; candidates within TIE_RTOL*(1+|v|) of the best value are
   ties, broken by ``game.tie_break`` ("max": the larger action) when they are
   distinct actions (more than SAME_RTOL apart).

Simultaneous moves and multi-variable moves: Gauss-Seidel iterated best responses
(coordinate ascent), stopping when no action changes by more than BR_TOL relative;
NumericSolveError after BR_ROUNDS rounds (unless the last round moved
less than BR_NOISE relative: the 1-D maximiser's own noise).  ``precise=True`` re-solves the path found
with mpmath at 50 digits in the same local regime (interior optima: ``findroot`` of
the ``mpmath.diff`` derivative, later stages solved likewise inside; corners and
breakpoints evaluated exactly), kept only if it moves no action or payoff by more
than PRECISE_RTOL (else the float answer stands).  ``foc_residual``/``soc_value``
give first/second derivatives of each interior mover's payoff along that path.

Tolerances: on smooth problems the float solution is accurate to ~1e-9 relative in
actions and ~1e-12 in payoffs (openness: see tests/test_numeric_verifier.py); a
maximum at a kink is located to ~2*cell*10**-ZOOM_ROUNDS.  Not detected: jumps in
the continuation caused by a *later* mover's penalty (located only to zoom accuracy).
"""
from __future__ import annotations

from types import SimpleNamespace as _Var

import mpmath as mp
import numpy as np
import sympy as sp

__all__ = ["solve_numeric", "foc_residual", "soc_value", "NumericSolveError"]

GRID_BUDGET, MIN_GRID = 250_000, 61
ZOOM_ROUNDS, ZOOM_POINTS, NEWTON_STEPS, NEWTON_RTOL = 6, 21, 2, 1e-11
TIE_RTOL, SAME_RTOL = 1e-9, 1e-7
BR_TOL, BR_ROUNDS, BR_NOISE = 1e-10, 200, 1e-7
PRECISE_RTOL = 1e-6  # the mpmath polish may move actions/payoffs at most this much
INTERIOR, LOWER, UPPER, BREAK = 0, 1, 2, 3  # kind codes; BREAK + j = j-th breakpoint


class NumericSolveError(RuntimeError):
    """The brute-force solver could not find an equilibrium (unbounded, no convergence)."""


class _Model:
    """Lambdified game data: payoffs, bounds and breakpoint functions for each variable."""

    def __init__(self, game):
        game.validate()
        self.params = [p.symbol for p in game.parameters.values()]
        self.vars = [v for m in game.moves for v in m.variables]
        self.stages = [[self.vars.index(v) for m in game.moves_at(s) for v in m.variables] for s in game.stages]
        args = self.params + self.vars
        lam = lambda e, mod: sp.lambdify(args, e, modules=mod)  # noqa: E731
        self.players = list(game.payoffs)
        self.pay_np = {pl: lam(e, "numpy") for pl, e in game.payoffs.items()}
        self.pay_mp = {pl: lam(e, "mpmath") for pl, e in game.payoffs.items()}
        self.info = []
        for k, idx in enumerate(self.stages):
            known = set(self.params) | {self.vars[i] for kk in range(k + 1) for i in self.stages[kk]}
            for i in idx:
                m = next(m for m in game.moves if self.vars[i] in m.variables)
                x, d = self.vars[i], m.variables[self.vars[i]]
                breaks = []
                for rel in _relations(game.payoffs[m.player]):
                    h = rel.lhs - rel.rhs
                    if not h.free_symbols - known - {x} and x not in h.free_symbols:
                        continue  # does not move with x
                    direct = None
                    for a, b in ((rel.lhs, rel.rhs), (rel.rhs, rel.lhs)):
                        if a == x and b.free_symbols <= known - {x}:
                            direct = b
                    breaks.append(_Var(h_np=lam(h, "numpy"), h_mp=lam(h, "mpmath"),
                                       later=bool(h.free_symbols - known),
                                       direct_np=None if direct is None else lam(direct, "numpy"),
                                       direct_mp=None if direct is None else lam(direct, "mpmath")))
                self.info.append(_Var(
                    owner=m.player, tie=1.0 if game.tie_break.get(m.player, "max") == "max" else -1.0,
                    lo_fin=d.lo != -sp.oo, hi_fin=d.hi != sp.oo,
                    lo_np=lam(d.lo, "numpy"), hi_np=lam(d.hi, "numpy"),
                    lo_mp=lam(d.lo, "mpmath"), hi_mp=lam(d.hi, "mpmath"), breaks=breaks))
        self.stage_of = {i: k for k, idx in enumerate(self.stages) for i in idx}


def _relations(expr):
    seen, out = set(), []
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            rels = [cond] if isinstance(cond, sp.core.relational.Relational) else \
                cond.atoms(sp.core.relational.Relational)
            out += [r for r in rels if r.lhs - r.rhs not in seen and not seen.add(r.lhs - r.rhs)]
    for hv in expr.atoms(sp.Heaviside):
        if hv.args[0] not in seen:
            seen.add(hv.args[0])
            out.append(sp.Lt(hv.args[0], 0, evaluate=False))
    return out


_CACHE: dict = {}


def _model(game) -> _Model:
    key = (tuple((n, q.symbol, q.domain) for n, q in game.parameters.items()),
           tuple((m.player, m.stage, tuple(m.variables.items())) for m in game.moves),
           tuple(game.payoffs.items()), tuple(sorted(game.tie_break.items())))
    if key not in _CACHE:
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = _Model(game)
    return _CACHE[key]


def _argbest(F, tie):
    """Row-wise argmax; among exactly equal values the last (tie=+1) or first (tie=-1)."""
    return F.shape[1] - 1 - np.argmax(F[:, ::-1], axis=1) if tie > 0 else np.argmax(F, axis=1)


class _Numeric:
    def __init__(self, model, pvals, grid, refine):
        self.M, self.p, self.grid, self.refine = model, pvals, grid, refine

    def call(self, f, V):
        return np.broadcast_to(np.asarray(f(*self.p, *V), dtype=float), V.shape[1:])

    def solve_from(self, k, V):
        """Fill the variables of stages >= k (rows of V) by backward induction; -> V, kinds."""
        if k == len(self.M.stages):
            return V, np.zeros(V.shape, dtype=int)
        idx, V, kinds = self.M.stages[k], V.copy(), {}
        if len(idx) == 1:
            V[idx[0]], kinds[idx[0]] = self.maximise(k, idx[0], V)
        else:
            for i in idx:  # start at the lower bound (upper, or 0, if unbounded)
                info = self.M.info[i]
                V[i] = self.call(info.lo_np, V) if info.lo_fin else self.call(info.hi_np, V) if info.hi_fin else 0.0
            for _ in range(BR_ROUNDS):
                change = 0.0
                for i in idx:
                    x, kinds[i] = self.maximise(k, i, V)
                    change = max(change, float(np.max(np.abs(x - V[i]) / (1 + np.abs(V[i])))))
                    V[i] = x
                if change < BR_TOL:
                    break
            else:  # still moving after BR_ROUNDS: accept only a wobble at the 1-D maximiser's noise level
                if change >= BR_NOISE:
                    names = [self.M.vars[i].name for i in idx]
                    raise NumericSolveError(f"best responses for {names} did not converge in {BR_ROUNDS} rounds")
        V, K = self.solve_from(k + 1, V)
        for i in idx:
            K[i] = kinds[i]
        return V, K

    def maximise(self, k, i, V):
        M, n, info = self.M, V.shape[1], self.M.info[i]
        tie, name = info.tie, M.vars[i].name

        def obj(x, ctx):
            W = V[:, ctx].copy()
            W[i] = x
            W, _ = self.solve_from(k + 1, W)
            f = self.call(M.pay_np[info.owner], W)
            return np.where(np.isnan(f), -np.inf, f), W

        lo = self.call(info.lo_np, V) if info.lo_fin else np.full(n, -np.inf)
        hi = self.call(info.hi_np, V) if info.hi_fin else np.full(n, np.inf)
        if np.any(lo > hi):
            raise NumericSolveError(f"empty choice set for {name}: lower bound exceeds upper bound")
        # ---- grid over the (finite) search range, grown while the best point is on an open edge
        R = np.maximum(10.0, 10 * np.abs(np.where(info.lo_fin, lo, np.where(info.hi_fin, hi, 0.0))))
        a = lo if info.lo_fin else (hi - R if info.hi_fin else -R)
        b = hi if info.hi_fin else a + R if info.lo_fin else R
        m = max(MIN_GRID, min(self.grid, int((GRID_BUDGET / n) ** (1 / (len(M.stages) - k)))))
        t = np.linspace(0.0, 1.0, m)
        X, F, Wg, rows = np.empty((n, m)), np.empty((n, m)), np.empty((V.shape[0], n, m)), np.arange(n)
        for _ in range(64):
            X[rows] = a[rows, None] + (b - a)[rows, None] * t
            f, W = obj(X[rows].ravel(), np.repeat(rows, m))
            F[rows], Wg[:, rows] = f.reshape(-1, m), W.reshape(V.shape[0], -1, m)
            best = _argbest(F, tie)
            up, down = (best == m - 1) & (not info.hi_fin), (best == 0) & (not info.lo_fin)
            if np.any(~np.isfinite(F.max(axis=1))):
                raise NumericSolveError(f"payoff of {info.owner} is undefined everywhere on the range of {name}")
            if not (up.any() or down.any()):
                break
            w = b - a
            b, a = np.where(up, a + 2 * w, b), np.where(down, b - 2 * w, a)
            rows = np.nonzero(up | down)[0]
        else:
            raise NumericSolveError(f"payoff of {info.owner} appears unbounded in {name}")
        cand = []  # (x, ctx, value, kind)
        for bound, fin, kind in ((lo, info.lo_fin, LOWER), (hi, info.hi_fin, UPPER)):
            if fin:
                cand.append((bound, np.arange(n), obj(bound, np.arange(n))[0], np.full(n, kind)))
        for j, bp in enumerate(info.breaks):
            roots, rc = self._break_roots(bp, obj, V, i, X, Wg)
            up1, dn1 = np.nextafter(roots, np.inf), np.nextafter(roots, -np.inf)
            nudges = [roots, up1, np.nextafter(up1, np.inf), dn1, np.nextafter(dn1, -np.inf)]
            x, c = np.concatenate(nudges), np.tile(rc, len(nudges))
            ok = np.isfinite(x) & (x >= lo[c]) & (x <= hi[c])
            if ok.any():
                cand.append((x[ok], c[ok], obj(x[ok], c[ok])[0], np.full(ok.sum(), BREAK + j)))
        cand.append(self._refine(obj, X, F, lo, hi, tie) + (np.full(2 * n, INTERIOR),))
        return _select(n, tie, *(np.concatenate(z) for z in zip(*cand)))

    def _refine(self, obj, X, F, lo, hi, tie):
        """Best two local maxima of each grid row, zoomed and Newton-polished."""
        n, m = X.shape
        r = np.arange(n)
        Fp = np.pad(F, ((0, 0), (1, 1)), constant_values=-np.inf)
        S = np.where((F >= Fp[:, :-2]) & (F >= Fp[:, 2:]), F, -np.inf)
        j1 = _argbest(S, tie)
        S2 = S.copy()
        for d in (-1, 0, 1):
            S2[r, np.clip(j1 + d, 0, m - 1)] = -np.inf
        j2 = _argbest(S2, tie)
        j2 = np.where(np.isfinite(S2[r, j2]), j2, j1)
        j, c2 = np.concatenate([j1, j2]), np.concatenate([r, r])
        x0, f0 = X[c2, j], F[c2, j]
        if not self.refine:
            return x0, c2, f0
        A, B = X[c2, np.maximum(j - 1, 0)], X[c2, np.minimum(j + 1, m - 1)]
        tz, P, rr = np.linspace(0.0, 1.0, ZOOM_POINTS), ZOOM_POINTS, np.arange(2 * n)
        for _ in range(ZOOM_ROUNDS):
            Z = A[:, None] + (B - A)[:, None] * tz
            FZ = obj(Z.ravel(), np.repeat(c2, P))[0].reshape(-1, P)
            jz = _argbest(FZ, tie)
            better = FZ[rr, jz] >= f0
            x0, f0 = np.where(better, Z[rr, jz], x0), np.where(better, FZ[rr, jz], f0)
            A, B = Z[rr, np.maximum(jz - 1, 0)], Z[rr, np.minimum(jz + 1, P - 1)]
        cell, lo2, hi2 = (X[c2, -1] - X[c2, 0]) / (m - 1), lo[c2], hi[c2]
        h = cell / 10  # 5-point stencil: derivative error ~ h**4 (truncation) + eps|f|/h (rounding)
        for _ in range(NEWTON_STEPS):
            c = np.clip(x0, lo2 + 2 * h, hi2 - 2 * h)
            f = obj((c + h * np.arange(-2, 3)[:, None]).ravel(), np.tile(c2, 5))[0].reshape(5, -1)
            with np.errstate(all="ignore"):
                d1 = (8 * (f[3] - f[1]) - (f[4] - f[0])) / (12 * h)
                d2 = (16 * (f[3] + f[1]) - (f[4] + f[0]) - 30 * f[2]) / (12 * h * h)
                xn = c - d1 / d2
            ok = (hi2 - lo2 > 4 * h) & (d2 < 0) & np.isfinite(xn) & (xn >= lo2) & (xn <= hi2) & (np.abs(xn - x0) <= 2 * cell)
            if not ok.any():
                break
            fn = obj(xn[ok], c2[ok])[0]
            fnew, acc = f0.copy(), np.zeros(2 * n, dtype=bool)
            fnew[ok], acc[ok] = fn, fn >= f0[ok] - NEWTON_RTOL * (1 + np.abs(f0[ok]))
            x0, f0 = np.where(acc, xn, x0), np.where(acc, fnew, f0)
        return x0, c2, f0

    def _break_roots(self, bp, obj, V, i, X, Wg):
        """Zeros of a condition's ``lhs - rhs`` as a function of x_i, per context."""
        n, m = X.shape
        if bp.direct_np is not None:
            return self.call(bp.direct_np, V).astype(float), np.arange(n)
        H = self.call(bp.h_np, Wg.reshape(Wg.shape[0], -1)).reshape(n, m)
        zr, zc = np.nonzero(H == 0)
        sr, sc = np.nonzero(np.sign(H[:, :-1]) * np.sign(H[:, 1:]) < 0)
        xa, xb, ha = X[sr, sc], X[sr, sc + 1], H[sr, sc]
        for _ in range(60):
            xm = 0.5 * (xa + xb)
            if bp.later:
                W = obj(xm, sr)[1]
            else:
                W = V[:, sr].copy()
                W[i] = xm
            hm = self.call(bp.h_np, W)
            same = np.sign(hm) == np.sign(ha)
            xa, ha, xb = np.where(same, xm, xa), np.where(same, hm, ha), np.where(same, xb, xm)
        return np.concatenate([X[zr, zc], xa, xb]), np.concatenate([zr, sr, sr])


def _select(n, tie, cx, cc, cf, ck):
    """Per context: the best candidate, or the tie_break-preferred one among near-ties."""
    vmax = np.full(n, -np.inf)
    np.maximum.at(vmax, cc, cf)
    if np.any(~np.isfinite(vmax)):
        raise NumericSolveError("no candidate with a finite payoff")

    def first(mask):
        out = np.full(n, len(cx))
        np.minimum.at(out, cc[mask], np.nonzero(mask)[0])
        return out

    best = first(cf == vmax[cc])
    near = cf >= vmax[cc] - TIE_RTOL * (1 + np.abs(vmax[cc]))
    kbest = np.full(n, -np.inf)
    np.maximum.at(kbest, cc[near], tie * cx[near])
    alt = first(near & (tie * cx == kbest[cc]))
    distinct = tie * (cx[alt] - cx[best]) > SAME_RTOL * (1 + np.abs(cx[best]))
    pick = np.where(distinct, alt, best)
    return cx[pick], ck[pick]


def _point_values(M, point, conv):
    missing = [s.name for s in M.params if s.name not in point]
    if missing:
        raise KeyError(f"parameter point lacks values for {missing}")
    return [conv(point[s.name]) for s in M.params]


def _mpf(v):
    if isinstance(v, sp.Basic):
        return mp.mpf(str(sp.N(v, mp.mp.dps + 10)))
    return mp.mpf(v)


def solve_numeric(game, point: dict, *, grid=401, refine=True, precise=False) -> dict:
    """Subgame-perfect equilibrium at one parameter point by brute force.

    Returns ``{"strategies": {var_name: float}, "payoffs": {player: float},
    "kinds": {var_name: "interior"|"lower"|"upper"|"breakpoint"}}``.
    """
    M = _model(game)
    pv = _point_values(M, point, float)
    S = _Numeric(M, pv, grid, refine)
    with np.errstate(all="ignore"):
        V, K = S.solve_from(0, np.full((len(M.vars), 1), np.nan))
    x, kinds = [float(v) for v in V[:, 0]], [int(k) for k in K[:, 0]]
    pays = {pl: float(S.call(M.pay_np[pl], V)[0]) for pl in M.players}
    if precise:  # polish in the same regime; kept only if it confirms the float solution
        with mp.workdps(50):
            try:
                pm = _point_values(M, point, _mpf)
                xm = _mp_fill(M, 0, [None] * len(x), kinds, x, pm)
                xp = [float(v) for v in xm]
                pp = {pl: float(M.pay_mp[pl](*pm, *xm)) for pl in M.players}
                if all(abs(a - b) <= PRECISE_RTOL * (1 + abs(b)) for a, b in
                       [*zip(xp, x), *((pp[pl], pays[pl]) for pl in pays)]):
                    x, pays = xp, pp
            except (ValueError, ArithmeticError):
                pass  # keep the float solution
    names = ["interior", "lower", "upper"]
    return {"strategies": {v.name: x[i] for i, v in enumerate(M.vars)}, "payoffs": pays,
            "kinds": {v.name: names[k] if k < BREAK else "breakpoint" for v, k in zip(M.vars, kinds)}}


# ------------------------------------------------------------------ mpmath polish
def _mp_args(pm, vals, start):
    return [*pm, *(mp.mpf(s) if v is None else v for v, s in zip(vals, start))]


def _mp_fill(M, k, vals, kinds, start, pm):
    """Values of all variables when stages >= k play the local regime ``kinds``."""
    if k == len(M.stages):
        return vals
    idx, vals = M.stages[k], list(vals)
    for i in idx:
        info, kd = M.info[i], kinds[i]
        if kd == LOWER:
            vals[i] = info.lo_mp(*_mp_args(pm, vals, start))
        elif kd == UPPER:
            vals[i] = info.hi_mp(*_mp_args(pm, vals, start))
        elif kd >= BREAK:
            bp = info.breaks[kd - BREAK]
            if bp.direct_mp is not None:
                vals[i] = mp.mpf(bp.direct_mp(*_mp_args(pm, vals, start)))
            else:
                def h(t, i=i, bp=bp):
                    w = _mp_fill(M, k + 1, _put_list(vals, [i], [t]), kinds, start, pm)
                    return bp.h_mp(*_mp_args(pm, w, start))
                vals[i] = mp.findroot(h, mp.mpf(start[i]))
    inter = [i for i in idx if kinds[i] == INTERIOR]
    if inter:
        def foc(*xs):
            out = []
            for n_, i in enumerate(inter):
                def g(t, n_=n_, i=i):
                    w = _put_list(vals, inter, [t if q == n_ else xs[q] for q in range(len(inter))])
                    w = _mp_fill(M, k + 1, w, kinds, start, pm)
                    return M.pay_mp[M.info[i].owner](*_mp_args(pm, w, start))
                out.append(mp.diff(g, xs[n_]))
            return out if len(out) > 1 else out[0]
        x0 = [mp.mpf(start[i]) for i in inter]
        sol = mp.findroot(foc, x0 if len(x0) > 1 else x0[0])
        vals = _put_list(vals, inter, [sol[q] for q in range(len(inter))] if len(inter) > 1 else [sol])
    return _mp_fill(M, k + 1, vals, kinds, start, pm)


def _put_list(vals, idx, xs):
    out = list(vals)
    for i, x in zip(idx, xs):
        out[i] = x
    return out


def _classify(M, pv, x):
    """Kind of each action in ``x`` (floats): at a bound, at a breakpoint, or interior."""
    V = np.array(x, dtype=float)[:, None]
    kinds = []
    with np.errstate(all="ignore"):
        for i, info in enumerate(M.info):
            tol = 1e-9 * (1 + abs(x[i]))
            call = lambda f: float(np.asarray(f(*pv, *V)).ravel()[0])  # noqa: E731
            kind = INTERIOR
            if info.lo_fin and abs(x[i] - call(info.lo_np)) <= tol:
                kind = LOWER
            elif info.hi_fin and abs(x[i] - call(info.hi_np)) <= tol:
                kind = UPPER
            else:
                for j, bp in enumerate(info.breaks):
                    r = x[i] - call(bp.direct_np) if bp.direct_np is not None else call(bp.h_np)
                    if abs(r) <= tol:
                        kind = BREAK + j
                        break
            kinds.append(kind)
    return kinds


def _derivatives(game, point, strategies, dps, order):
    M = _model(game)
    pv = _point_values(M, point, float)
    start = [float(strategies[v.name]) for v in M.vars]
    kinds = _classify(M, pv, start)
    out = {}
    with mp.workdps(dps):
        pm = _point_values(M, point, _mpf)
        exact = [_mpf(strategies[v.name]) for v in M.vars]
        for i, v in enumerate(M.vars):
            if kinds[i] != INTERIOR:
                continue
            k = M.stage_of[i]
            base = [exact[j] if M.stage_of[j] <= k else None for j in range(len(M.vars))]

            def g(t, i=i, k=k, base=base):
                w = _mp_fill(M, k + 1, _put_list(base, [i], [t]), kinds, start, pm)
                return M.pay_mp[M.info[i].owner](*_mp_args(pm, w, start))
            out[v.name] = float(mp.diff(g, exact[i], order))
    return out


def foc_residual(game, point, strategies, *, dps=50) -> dict:
    """d(mover's payoff)/d(own action) at each interior action, later stages re-solved; mpmath."""
    return _derivatives(game, point, strategies, dps, 1)


def soc_value(game, point, strategies, *, dps=50) -> dict:
    """Second derivative of the mover's payoff in its own interior action (as foc_residual)."""
    return _derivatives(game, point, strategies, dps, 2)
