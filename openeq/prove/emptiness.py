"""Whether the declared parameter space is empty, decided before any solving.

The parameter space is ``P = {p : p_i in D_i for every parameter, r_k(p) for every
assumption}``.  ``contradiction(domains, relations)`` returns the index ``k`` of an
assumption ``r_k`` that the prover shows false on ``{p : p_i in D_i, r_j(p), j != k}``
-- then ``P`` is empty -- or None.  Sound (the prover's proofs are) and incomplete:
None does not prove ``P`` non-empty.
"""
from __future__ import annotations

import sympy as sp

from openeq.prove.prover import Prover

__all__ = ["contradiction"]


def contradiction(domains: dict, relations) -> int | None:
    """The index of an assumption the others and the domains contradict, or None.

    ``domains``: symbol -> Domain; ``relations``: sympy relationals among the symbols."""
    relations = list(relations)
    for i, rel in enumerate(relations):
        others = relations[:i] + relations[i + 1:]
        try:
            if Prover(domains, others).truth(rel.lhs, rel.rel_op, rel.rhs) is False:
                return i
        except (TypeError, ValueError, ArithmeticError, RecursionError, NotImplementedError, sp.PolynomialError):
            continue  # not decided: the solver meets it (and the verifier checks what it finds)
    return None
