"""Signs from the domains alone, and the meet of two sign answers.

*Interval rule.*  For ``e = a*s + k`` with ``a != 0``, ``k`` numbers and ``s`` a symbol
whose domain ``D = [lo, hi]`` (ends open or closed, possibly infinite) has numeric ends,
``e`` ranges over the image interval ``a*D + k``, whose ends give the sign:
``theta2 - 1 <= 0`` for ``theta2`` in ``[0, 1]``.  The reparametrisation of
``prover.py`` substitutes a relation such as ``theta1 < theta2`` for ``theta2`` and
loses ``theta2``'s own domain; this rule reads it directly.  It is sound (the image of
the domain contains every value ``e`` takes in the region) and is asked only for such
one-symbol affine expressions.

*Meet.*  Two sound answers for one expression (from the assumptions and from a
certificate) are intersected as sets of possible signs ``{-, 0, +}``:
``+0`` and ``+`` give ``+``.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["interval_sign", "intersect_signs"]

_SETS = {"+": {"+"}, "-": {"-"}, "0": {"0"}, "+0": {"+", "0"}, "-0": {"-", "0"}, None: {"+", "-", "0"}}
_FROM = {frozenset(v): k for k, v in _SETS.items()}


def intersect_signs(a, b):
    """The sign both answers allow (``None``: nothing more is known).  An empty meet
    happens only on an empty region, where every answer is vacuously true; it gives
    ``b``, the later (more specific) proof's answer, as before this rule existed."""
    both = _SETS[a] & _SETS[b]
    if not both:
        return b
    return _FROM.get(frozenset(both))


def interval_sign(expr, domains):
    """The sign of ``a*s + k`` over ``s``'s numeric domain, or ``None``."""
    affine = _affine_in_one(expr)
    if affine is None:
        return None
    s, a, k = affine
    dom = domains.get(s)
    if dom is None or not dom.numeric:
        return None
    ends = [(dom.lo, dom.lo_open), (dom.hi, dom.hi_open)]
    if a < 0:
        ends.reverse()
    (lo, lo_open), (hi, hi_open) = [(a * e + k if e not in (sp.oo, -sp.oo) else (e if a > 0 else -e), o)
                                    for e, o in ends]
    return _sign_of_interval(lo, lo_open, hi, hi_open)


def _sign_of_interval(lo, lo_open, hi, hi_open):
    if lo != -sp.oo and (bool(lo > 0) or (lo == 0 and lo_open)):
        return "+"
    if hi != sp.oo and (bool(hi < 0) or (hi == 0 and hi_open)):
        return "-"
    if lo != -sp.oo and bool(lo >= 0):
        return "+0"
    if hi != sp.oo and bool(hi <= 0):
        return "-0"
    return None


def narrow_domains(domains, relations):
    """Fold the relations ``a*s + k op 0`` (one symbol, numeric ``a != 0`` and ``k``)
    into the domain of ``s``; returns ``(domains, other relations)``, or ``None`` when
    no relation has that form.  An empty intersection keeps the relation as it is."""
    from openeq.core.domains import Domain

    out, rest, used = dict(domains), [], False
    for rel in relations:
        hit = _affine_bound(rel)
        if hit is None or hit[0] not in out or not out[hit[0]].numeric:
            rest.append(rel)
            continue
        s, op, v = hit
        d = out[s]
        lo, hi, lo_open, hi_open = d.lo, d.hi, d.lo_open, d.hi_open
        if op in ("<", "<=", "==") and bool(v <= hi):
            hi, hi_open = v, (op == "<") or (v == hi and hi_open)
        if op in (">", ">=", "==") and bool(v >= lo):
            lo, lo_open = v, (op == ">") or (v == lo and lo_open)
        if not bool(lo < hi):
            rest.append(rel)
            continue
        out[s], used = Domain(lo, hi, lo_open, hi_open), True
    return (out, rest) if used else None


def _affine_in_one(expr):
    """``(s, a, k)`` with ``expr = a*s + k``, ``a != 0`` and ``a``, ``k`` numbers, for an
    expression in one symbol ``s``; else None."""
    if len(expr.free_symbols) != 1:
        return None
    (s,) = expr.free_symbols
    try:
        poly = sp.Poly(expr, s)
    except sp.PolynomialError:
        return None
    if poly.degree() != 1:
        return None
    a, k = poly.all_coeffs()
    if not (a.is_number and k.is_number) or a == 0:
        return None
    return s, a, k


_OPS = {sp.StrictLessThan: "<", sp.LessThan: "<=", sp.StrictGreaterThan: ">", sp.GreaterThan: ">="}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _affine_bound(rel):
    """``(s, op, v)`` for a relation equivalent to ``s op v`` with a number ``v``, else None."""
    op = _OPS.get(type(rel))
    if op is None:
        return None
    affine = _affine_in_one(rel.lhs - rel.rhs)
    if affine is None:
        return None
    s, a, k = affine
    return s, (op if a > 0 else _FLIP[op]), -k / a
