"""The results of the openness game (docs/model.md, R1-R8), each derived from the engine.

Every module exposes ``derive(eq) -> openeq.result.Result``; nothing in them is
typed in by hand: closed forms come from the engine's ``Equilibrium`` (or from
games derived from it with ``openeq.transform`` and solved by the engine, or from
sympy operations on engine output), signs from the prover or, where it cannot,
from a numeric certificate recorded as such (``Claim.proved = False``).
"""
from __future__ import annotations

from openeq.derivations import (
    r1_specialist,
    r2_unregulated,
    r3_regulated,
    r4_effective_thresholds,
    r5_welfare,
    r6_pareto,
    r7_lever,
    r8_regulator,
    r9_variants,
)

ALL = [r1_specialist, r2_unregulated, r3_regulated, r4_effective_thresholds, r5_welfare, r6_pareto, r7_lever,
       r8_regulator, r9_variants]

MODEL = "openness"  # the model these results are about (a module may set its own MODEL)


def modules_for(name: str) -> list:
    """The derivation modules that apply to the model ``name``."""
    return [m for m in ALL if getattr(m, "MODEL", MODEL) == name]


def prepare(eq) -> None:
    """Work that several results share, done once before they are derived (on one
    core or several): the regulation analysis of the openness game, which R2-R8
    all read.  Models without it have nothing to prepare."""
    if eq.game.name == MODEL:
        from openeq.analyses.regulation import analysis

        analysis(eq)


def derive(module, eq, use_cache=True):
    """``module.derive(eq)``, kept in openeq's disk cache (``openeq.cache.cached``:
    keyed by the model and a hash of all the code, so a change anywhere re-derives)."""
    from openeq.io.cache import cached

    return cached(f"result:{module.__name__}", eq, lambda: module.derive(eq), use_cache=use_cache)


def select(name: str, keys=None) -> list:
    """The modules for model ``name`` whose results are ``keys`` (``["R1", "R3"]``;
    all when None).  An unknown key raises ``KeyError`` naming the known ones."""
    mods = modules_for(name)
    if keys is None:
        return mods
    by_key = {m.KEY: m for m in mods}
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise KeyError(f"no result {', '.join(unknown)} for model {name!r} (known: {', '.join(by_key) or 'none'})")
    return [by_key[k] for k in keys]


def derive_all(eq=None, use_cache=True) -> list:
    """All results for ``eq`` (default: the built-in openness model, solved with the cache)."""
    if eq is None:
        from openeq.solver.cached import solve_cached
        from openeq.io.modelfile import resolve_model

        eq = solve_cached(resolve_model(MODEL))
    return [derive(m, eq, use_cache) for m in modules_for(eq.game.name)]
