"""The appendix's numbers: comparative-statics signs and the numeric verification.

Both are deterministic: fixed seeds, fixed point sets, fixed iteration order.
"""
from __future__ import annotations

import sys

from openeq.core.memo import Memo

__all__ = ["statics_rows", "verification", "memo", "has_memo", "put_memo", "clear_memo"]

_MEMO = Memo("latex.tables")


def memo(kind, eq, *args, compute):
    """Compute once per process and game (``openeq.cache.cache_key``): the appendix,
    its tests and the freshness check ask for the same numbers."""
    from openeq.io.cache import cache_key

    return _MEMO.lookup((kind, cache_key(eq.game), args), compute)


def has_memo(kind, eq, *args) -> bool:
    from openeq.io.cache import cache_key

    return (kind, cache_key(eq.game), args) in _MEMO


def put_memo(kind, eq, *args, value):
    """Record a value computed elsewhere (``appendix._prefetch``, on another core)."""
    from openeq.io.cache import cache_key

    _MEMO.put((kind, cache_key(eq.game), args), value)


def clear_memo():
    _MEMO.clear()

def statics_rows(eq, stream=None) -> tuple:
    """(rows, source): signs of d(strategy)/d(parameter) in every region, as
    ``openeq.analyses.statics.comparative_statics`` gives them (rows are dicts
    {quantity, parameter, region, label, sign, proved, ...})."""
    from openeq.io.cache import cached

    return memo("statics", eq, compute=lambda: cached("statics", eq, lambda: _statics(eq)))


def _statics(eq):
    from openeq.analyses.statics import comparative_statics

    strategies = {str(v) for r in eq.regions for v in r.strategies}
    rows = comparative_statics(eq, extra_quantities=None)
    return [r for r in rows if r["quantity"] in strategies], "openeq.analyses.statics"


def verification(eq, n=50, seed=0, stream=None) -> dict:
    """The closed forms against the brute-force solver at ``n`` seeded points
    (``openeq.analyses.crosscheck.summary``)."""
    from openeq.analyses.crosscheck import summary
    from openeq.io.cache import cached

    return memo("verification", eq, n, seed,
                compute=lambda: cached("verification", eq, lambda: summary(eq, n, seed, stream), parts=(n, seed)))


if __name__ == "__main__":  # pragma: no cover - a quick look
    from openeq.solver.cached import solve_cached
    from openeq.io.modelfile import resolve_model

    e = solve_cached(resolve_model(sys.argv[1] if len(sys.argv) > 1 else "openness"))
    print(verification(e, stream=sys.stderr))
