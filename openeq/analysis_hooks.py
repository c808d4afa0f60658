"""Extra per-point fields for ``openeq eval`` supplied by a model's analyses."""
from __future__ import annotations

__all__ = ["enrich"]


def enrich(eq, results, cols):
    """Add model-specific fields (e.g. the openness regulation analysis) to eval results."""
    hook = _HOOKS.get(eq.game.name)
    return hook(eq, results, cols) if hook else results


_HOOKS = {}


def register(name):
    def deco(fn):
        _HOOKS[name] = fn
        return fn

    return deco
