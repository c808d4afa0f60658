"""Signs under a region's facts, including facts the prover cannot substitute.

The prover reparametrises a fact only when it is linear in some symbol
(``w < 4``); a fact added by a case split, such as ``d^2u/dx^2 < 0`` with a
second derivative nonlinear in every parameter, would be invisible to it.
``known_sign(e, prover)`` therefore also reads the facts directly: a fact
``l op r`` with ``e / (l - r) = k`` for a ``k`` of proved strict sign gives the sign
of ``e`` (``op`` ``<``: ``-``, ``<=``: ``-0``, ``==``: ``0`` ..., times the sign of
``k``).  Several facts and the prover's own answer are intersected as sets of
possible signs ``{-, 0, +}``.
"""
from __future__ import annotations

import sympy as sp

from ..canonical import canonical_cancel

__all__ = ["known_sign", "split_bound", "SIGN_SETS"]

SIGN_SETS = {"+": {"+"}, "-": {"-"}, "0": {"0"}, "+0": {"+", "0"}, "-0": {"-", "0"}, None: {"+", "-", "0"}}
_FROM_SET = {frozenset(v): k for k, v in SIGN_SETS.items()}
_OP_SIGN = {sp.StrictLessThan: "-", sp.LessThan: "-0", sp.StrictGreaterThan: "+", sp.GreaterThan: "+0",
            sp.Equality: "0"}
_NEG = {"+": "-", "-": "+", "0": "0", "+0": "-0", "-0": "+0"}


def known_sign(expr, prover):
    """The sign of ``expr`` ('+', '-', '0', '+0', '-0' or None) from the prover and the facts."""
    expr = sp.sympify(expr)
    s = prover.sign(expr)
    if s in ("+", "-", "0") or expr.is_number:
        return s
    possible = set(SIGN_SETS[s])
    for rel in prover.relations:
        op = _OP_SIGN.get(type(rel))
        if op is None:
            continue
        d = rel.lhs - rel.rhs
        if not (d.free_symbols & expr.free_symbols):
            continue
        try:
            k = canonical_cancel(expr / d)
        except (sp.PolynomialError, TypeError, ZeroDivisionError):
            continue
        if k.has(sp.nan, sp.zoo, sp.oo):
            continue
        sk = k if k.is_number else None
        ks = ("+" if k > 0 else "-" if k < 0 else None) if sk is not None else prover.sign(k)
        if ks not in ("+", "-"):
            continue
        possible &= SIGN_SETS[op if ks == "+" else _NEG[op]]
    if not possible:  # contradictory facts: the region is empty; say nothing
        return s
    return _FROM_SET.get(frozenset(possible))


def split_bound(expr, sign):
    """The bound to split an undecided ``expr`` on, given its weak sign so far: with
    ``expr <= 0`` known, ``expr < 0`` (the rest is ``expr == 0``); else ``expr > 0``."""
    from ..conditions import Bound, nice

    return Bound(nice(expr), "<" if sign == "-0" else ">", 0)
