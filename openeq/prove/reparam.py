"""Relations as substitutions onto the positive orthant (the prover's step 2).

A relation ``k*x + r > 0`` (``>=``) with a coefficient ``k`` that sympy proves positive
is read as ``x = (m - r)/k`` with a new symbol ``m > 0`` (``m >= 0``): every point of the
region is the image of some ``m``, so a sign proved in ``m`` holds for ``x``.  Relations
are read in turn, each rewritten with the substitutions so far; one that names none of
the symbols in play is left pending (a second pass reads it once others bring its
symbols in).
"""
from __future__ import annotations

import sympy as sp

from openeq.core.memo import Memo

__all__ = ["apply_relation_pass", "dummies", "solve_relation"]


def apply_relation_pass(pending, subs, free, pos, nonneg):
    """One pass over ``pending`` relations (see ``Prover._reparametrisation``); returns the
    relations still pending (those naming none of the symbols so far), ``subs``, ``free``."""
    left = []
    for rel in pending:
        if not (rel.free_symbols & (free | set(dummies(subs)))):
            left.append(rel)
            continue
        sol = solve_relation(rel.xreplace(subs) if subs else rel, exclude=set(subs))
        if sol is None:
            continue
        sym, rhs, strict = sol
        m = sp.Dummy(f"m_{sym}", **({"positive": True} if strict else {"nonnegative": True}))
        value = rhs(m)
        subs = {k: v.xreplace({sym: value}) for k, v in subs.items()}
        if sym not in pos and sym not in nonneg:  # (not one of the m made above: a symbol of the region)
            subs[sym] = value
        (pos if strict else nonneg).add(m)
        free = (free - {sym}) | (value.free_symbols - {m})
    return left, subs, free


def dummies(subs):
    out = set()
    for v in subs.values():
        out |= {s for s in v.free_symbols if isinstance(s, sp.Dummy)}
    return out


_RELATIONS = Memo("prove.reparam.relations")  # (relation, excluded) -> the answer; relations recur across proofs


def solve_relation(rel, exclude):
    """``k*x + r > 0`` with ``k > 0`` -> (x, m -> (m - r)/k, strict)."""
    return _RELATIONS.lookup((rel, frozenset(exclude)), lambda: _solve_relation_uncached(rel, exclude))


def _solve_relation_uncached(rel, exclude):
    if isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan)):
        d, strict = rel.lhs - rel.rhs, isinstance(rel, sp.StrictGreaterThan)
    elif isinstance(rel, (sp.StrictLessThan, sp.LessThan)):
        d, strict = rel.rhs - rel.lhs, isinstance(rel, sp.StrictLessThan)
    else:
        return None
    try:
        d = sp.expand(sp.cancel(sp.together(d)))
    except (sp.PolynomialError, TypeError):
        return None
    syms = sorted(d.free_symbols, key=lambda s: (not isinstance(s, sp.Dummy), s.name))
    for sym in syms:
        if sym in exclude or not d.is_polynomial(sym) or sp.degree(d, sym) != 1:
            continue
        k = sp.cancel(d.coeff(sym))
        if sym in k.free_symbols or not k.is_positive:
            continue
        r = sp.expand(d - k * sym)
        if sym in r.free_symbols:
            continue
        return sym, (lambda m, r=r, k=k: (m - r) / k), strict
    return None


