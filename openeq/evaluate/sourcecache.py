"""The compiled kernel's C source, kept in openeq's disk cache.

Generating the source (``openeq.evaluate.codegen.generate_source``: ``sympy.cse`` and
the C printer over every region) costs more than evaluating a million points, and
``openeq eval --points`` starts a fresh process each time.  ``kernel_source(eq)``
keeps it in the cache (``openeq.io.cache.cached``: keyed by the model, the code and
``parts``) under a fingerprint of exactly what the source is made from -- the
parameters in order and each region's label, bounds, strategies and payoffs,
pickled and hashed with SHA-256 -- so an equilibrium that differs in any of them,
for the same game, gets its own source.
"""
from __future__ import annotations

import hashlib
import pickle

__all__ = ["kernel_source", "fingerprint"]


def fingerprint(eq) -> str:
    data = [(r.label, [(b.subject, b.op, b.bound) for b in r.bounds], list(r.strategies.items()),
             list(r.payoffs.items())) for r in eq.regions]
    return hashlib.sha256(pickle.dumps((list(eq.game.parameters), data), protocol=4)).hexdigest()


def kernel_source(eq):
    """``generate_source(eq)``: (C source, parameter names, strategy names, payoff names)."""
    from openeq.evaluate.codegen import CODEGEN_VERSION, generate_source
    from openeq.io.cache import cached

    src, names, snames, pnames = cached("kernel-source", eq, lambda: [str(x) if i == 0 else list(x) for i, x in
                                                                      enumerate(generate_source(eq))],
                                        parts=(CODEGEN_VERSION, fingerprint(eq)))
    return str(src), list(names), list(snames), list(pnames)
