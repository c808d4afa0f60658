"""``solve_cached(game)``: the solver's answer, kept in the disk cache (``openeq.io.cache``).

The entry's key is ``cache_key(game)``: the model's normalised text, the versions
of openeq and sympy and a hash of the engine's source, so an entry from other
solver code is re-derived, never trusted.
"""
from __future__ import annotations

import sys

from openeq.core.equilibrium import Equilibrium
from openeq.io.cache import as_stored, cache_dir, cache_key, enabled, load_entry, store_entry
from openeq.solver.backward import solve

__all__ = ["solve_cached"]


def solve_cached(game, *, use_cache=True, progress=False) -> Equilibrium:
    """``solve(game)``, reusing a cached derivation when its key matches."""
    if not (use_cache and enabled()):
        return solve(game, progress=progress)
    key = cache_key(game)
    path = cache_dir() / f"{key[:32]}.json"
    hit = load_entry(path, key)
    if hit is not None:
        regions, brs, method = hit
        return Equilibrium(game, regions, brs, method, from_cache=True)
    eq = solve(game, progress=progress)
    record = (eq.regions, eq.best_responses, eq.method)
    try:
        store_entry(path, key, record)
    except OSError as e:  # an unwritable cache never stops a derivation
        print(f"openeq: note: cache not written ({e.strerror})", file=sys.stderr)
    # hand back what a later run reads from the cache: reading rebuilds sympy objects
    # (evaluate=True), which can print differently, and output must not depend on
    # whether the cache was warm
    regions, brs, method = as_stored(record)
    return Equilibrium(game, regions, brs, method)
