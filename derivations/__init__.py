"""The results of the openness game (docs/model.md, R1-R8), each derived from the engine.

Every module exposes ``derive(eq) -> openeq.result.Result``; nothing in them is
typed in by hand: closed forms come from the engine's ``Equilibrium`` (or from
games derived from it with ``openeq.transform`` and solved by the engine, or from
sympy operations on engine output), signs from the prover or, where it cannot,
from a numeric certificate recorded as such (``Claim.proved = False``).
"""
from __future__ import annotations

import sympy as sp

from openeq.derivations import (
    ft1_regimes,
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
       r8_regulator, r9_variants, ft1_regimes]

MODEL = "openness"  # the model these results are about (a module may set its own MODEL)


def modules_for(model) -> list:
    """The derivation modules that apply to ``model`` (a name, or a game).

    By name: the openness game's.  A game: the openness game's for ``openness``; for any
    other game whose structure is the paper's (``paper_shaped``: one regulation with one
    tier, of a mover followed by one other mover, with the paper's performance and
    reputation parameters), R1-R8, which are stated over the regulation's roles."""
    if isinstance(model, str):
        return [m for m in ALL if getattr(m, "MODEL", MODEL) == model]
    if model.name == MODEL:
        return modules_for(MODEL)
    own = [m for m in ALL if getattr(m, "MODEL", MODEL) == model.name]  # (fine-tuning-n: FT1)
    if own:
        return own
    return [m for m in ALL if getattr(m, "MODEL", MODEL) == MODEL and m is not r9_variants] \
        if paper_shaped(model) else []


def paper_shaped(game) -> bool:
    """Whether ``game`` has the openness paper's structure (by roles, not by names)."""
    from openeq.analyses.policy import find_regulations
    from openeq.derivations.roles import PERFORMANCE, REPUTATION, roles

    regs = find_regulations(game)
    if len(regs) != 1 or len(regs[0].tiers) != 1 or len(game.players) != 2:
        return False
    if not {PERFORMANCE, REPUTATION} <= set(game.parameters):
        return False
    ro = roles(game)
    return ro.follower is not None and isinstance(regs[0].tiers[0].threshold, sp.Symbol) and \
        isinstance(regs[0].tiers[0].penalty, sp.Symbol)


def prepare(eq) -> None:
    """Work that several results share, done once before they are derived (on one
    core or several): the policy analysis of the game's regulation, which R2-R8 all
    read, with the critical performance (the lever curve).  Models without derived
    results have nothing to prepare."""
    if any(getattr(m, "MODEL", MODEL) == MODEL for m in modules_for(eq.game)):
        from openeq.analyses.policy import analysis
        from openeq.derivations.roles import PERFORMANCE

        reg = analysis(eq)
        if PERFORMANCE in eq.game.parameters:
            reg.critical(PERFORMANCE)


def derive(module, eq, use_cache=True):
    """``module.derive(eq)``, kept in openeq's disk cache (``openeq.cache.cached``:
    keyed by the model and a hash of all the code, so a change anywhere re-derives)."""
    from openeq.io.cache import cached

    return cached(f"result:{module.__name__}", eq, lambda: module.derive(eq), use_cache=use_cache)


def select(name, keys=None) -> list:
    """The modules for model ``name`` (a name or a game) whose results are ``keys`` (``["R1", "R3"]``;
    all when None).  An unknown key raises ``KeyError`` naming the known ones."""
    mods = modules_for(name)
    name = name if isinstance(name, str) else name.name
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
    return [derive(m, eq, use_cache) for m in modules_for(eq.game)]
