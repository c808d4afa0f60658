"""The appendix's numbers: comparative-statics signs and the numeric verification.

Both are deterministic: fixed seeds, fixed point sets, fixed iteration order.
"""
from __future__ import annotations

import sys

import numpy as np
import sympy as sp

__all__ = ["statics_rows", "verification", "memo", "has_memo", "put_memo", "clear_memo"]

_MEMO = {}


def memo(kind, eq, *args, compute):
    """Compute once per process and game (``openeq.cache.cache_key``): the appendix,
    its tests and the freshness check ask for the same numbers."""
    from ..cache import cache_key

    key = (kind, cache_key(eq.game), args)
    if key not in _MEMO:
        _MEMO[key] = compute()
    return _MEMO[key]


def has_memo(kind, eq, *args) -> bool:
    from ..cache import cache_key

    return (kind, cache_key(eq.game), args) in _MEMO


def put_memo(kind, eq, *args, value):
    """Record a value computed elsewhere (``appendix._prefetch``, on another core)."""
    from ..cache import cache_key

    _MEMO[(kind, cache_key(eq.game), args)] = value


def clear_memo():
    _MEMO.clear()

STATICS_SAMPLES = 4000  # candidate points for numeric certificates (seed 0)


def statics_rows(eq, stream=None) -> tuple:
    """(rows, source): signs of d(strategy)/d(parameter) in every region.

    Rows are dicts {quantity, parameter, region, label, sign, proved}: those of
    ``openeq.analyses.statics.comparative_statics`` for the strategies when that
    analysis is present and works, else the appendix's own sign proofs below (same
    prover, bounded in depth so that a proof that does not terminate counts as
    unproved; numeric certificate otherwise).
    """
    from ..cache import cached

    return memo("statics", eq, compute=lambda: cached("statics", eq, lambda: _statics(eq, stream)))


def _statics(eq, stream):
    strategies = {str(v) for r in eq.regions for v in r.strategies}
    try:
        from ..analyses.statics import comparative_statics
    except ImportError:
        comparative_statics = None
    if comparative_statics is not None:
        try:
            rows = comparative_statics(eq, extra_quantities=lambda region: [])
            return [r for r in rows if r["quantity"] in strategies], "openeq.analyses.statics"
        except Exception as e:  # an analysis in progress must not stop the appendix
            if stream is not None:
                print(f"openeq appendix: note: comparative_statics failed ({type(e).__name__}); "
                      "signing the strategies here", file=stream)
    return _own_statics(eq), "openeq.latex.tables"


class _BoundedProver:
    """A ``Prover`` whose nested sign calls stop at ``MAX_DEPTH`` (then: not proved)."""

    MAX_DEPTH = 6

    def __new__(cls, game, bounds):
        from ..prover import Prover

        class Bounded(Prover):
            _depth = 0

            def sign(self, expr):
                if self._depth >= cls.MAX_DEPTH:
                    return None
                self._depth += 1
                try:
                    return super().sign(expr)
                finally:
                    self._depth -= 1

        domains = {p.symbol: p.domain for p in game.parameters.values()}
        domains.update({v: d for v, (m, d) in game.variables.items()})
        return Bounded(domains, list(game.relations) + [b.sympy() for b in bounds])


def _sign(prover, expr):
    try:
        from ..analyses.statics import prove_sign
    except ImportError:
        prove_sign = None
    try:
        return prove_sign(prover, expr) if prove_sign is not None else prover.sign(expr)
    except (RecursionError, sp.PolynomialError, TypeError, ValueError):
        return None


def _own_statics(eq) -> list:
    from ..evaluate import Vectorized
    from ..verify.sampling import random_points

    game = eq.game
    names = list(game.parameters)
    n = STATICS_SAMPLES if not game.relations else STATICS_SAMPLES // 10  # relations are checked point by point (slow)
    pts = random_points(game, n, seed=0)
    cols = {n: np.array([pt[n] for pt in pts], dtype=float) for n in names}
    idx, hits, _ = Vectorized(eq).region_index(cols)
    rows = []
    for k, region in enumerate(eq.regions):
        prover = _BoundedProver(game, region.bounds)
        sel = (idx == k) & (hits == 1)
        for v, e in region.strategies.items():
            for n in names:
                x = game.parameters[n].symbol
                d = sp.cancel(sp.diff(e, x))
                s = _sign(prover, d)
                proved = s is not None
                if not proved:
                    s = _numeric_sign(d, [game.parameters[m].symbol for m in names], [cols[m][sel] for m in names])
                rows.append({"quantity": str(v), "parameter": n, "region": k, "label": region.label,
                             "sign": s or "?", "proved": proved, "samples": int(sel.sum())})
    return rows


def _numeric_sign(expr, symbols, columns):
    if not len(columns[0]):
        return None
    f = sp.lambdify(symbols, expr, "numpy")
    with np.errstate(all="ignore"):
        v = np.broadcast_to(np.asarray(f(*columns), dtype=float), columns[0].shape)
    v = v[np.isfinite(v)]
    if not v.size:
        return None
    tol = 1e-9 * (1 + np.max(np.abs(v)))
    pos, neg, zero = (v > tol).any(), (v < -tol).any(), (np.abs(v) <= tol).any()
    if pos and neg:
        return "+-"  # the sign changes within the region
    if pos or neg:
        return ("+" if pos else "-") + ("0" if zero else "")
    return "0"


def verification(eq, n=50, seed=0, stream=None) -> dict:
    """Compare the closed forms with the brute-force solver at ``n`` seeded points."""
    from ..cache import cached

    return memo("verification", eq, n, seed,
                compute=lambda: cached("verification", eq, lambda: _verification(eq, n, seed, stream), parts=(n, seed)))


def _verification(eq, n, seed, stream):
    from ..evaluate import evaluate
    from ..verify.check import PAYOFF_TOL, STRATEGY_TOL, compare_point
    from ..verify.numeric import solve_numeric
    from ..verify.sampling import random_points

    pts = random_points(eq.game, n, seed=seed)
    passed = ties = 0
    regimes = {}
    worst_s = worst_u = 0.0
    for i, pt in enumerate(pts, 1):
        ok, detail = compare_point(eq, pt)
        passed += ok
        ties += detail == "tie"
        mine, ref = evaluate(eq, pt), solve_numeric(eq.game, pt)
        regimes[mine["regime"]] = regimes.get(mine["regime"], 0) + 1
        worst_s = max([worst_s] + [abs(mine["strategies"][k] - ref["strategies"][k]) for k in mine["strategies"]])
        worst_u = max([worst_u] + [abs(mine["payoffs"][k] - ref["payoffs"][k]) for k in mine["payoffs"]])
        if stream is not None and (i % 10 == 0 or i == n):
            print(f"  verify: {i}/{n}", file=stream, flush=True)
    return {"samples": n, "seed": seed, "passed": passed, "ties": ties, "max_strategy_error": worst_s,
            "max_payoff_error": worst_u, "strategy_tol": STRATEGY_TOL, "payoff_tol": PAYOFF_TOL,
            "regimes": regimes}


if __name__ == "__main__":  # pragma: no cover - a quick look
    from ..cache import solve_cached
    from ..modelfile import resolve_model

    e = solve_cached(resolve_model(sys.argv[1] if len(sys.argv) > 1 else "openness"))
    print(verification(e, stream=sys.stderr))
