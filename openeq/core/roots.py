r"""Certified real roots: where a closed form in radicals does not exist.

A stationary point of a polynomial problem with rational coefficients is a real root
:math:`t_k` of an irreducible polynomial :math:`p \in \mathbb{Q}[t]`.  For
:math:`\deg p \le 2` it is written in radicals; for :math:`\deg p \ge 3` it is held as
sympy's ``CRootOf(p, k)``, the :math:`k`-th real root in increasing order, which sympy
isolates in a rational interval by exact arithmetic (Sturm sequences / Vincent's
continued fractions): the root is *certified*, identified by its defining polynomial
and its index, and refined to any precision on demand.

Numeric back ends (numpy, mpmath) have no ``CRootOf``; :func:`numeric` replaces each
one by a ``Float`` of ``DIGITS`` significant digits before an expression is compiled.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["numeric", "reduced", "real_roots", "has_roots", "DIGITS"]

DIGITS = 50


def has_roots(expr) -> bool:
    """Whether ``expr`` holds a certified root (``CRootOf``)."""
    return isinstance(expr, sp.Basic) and expr.has(sp.CRootOf)


def numeric(expr, digits: int = DIGITS):
    """``expr`` with every ``CRootOf`` replaced by its value to ``digits`` digits."""
    if not has_roots(expr):
        return expr
    return expr.replace(lambda e: isinstance(e, sp.CRootOf), lambda e: sp.Float(e.evalf(digits), digits))


def reduced(expr):
    r"""A number ``expr`` that is a rational function of one certified root :math:`t`
    (``CRootOf(p, k)``), written as the polynomial in :math:`t` of degree below
    :math:`\deg p` that equals it: the numerator times the inverse of the denominator,
    modulo :math:`p` (irreducible, so the inverse exists).  Anything else is returned
    unchanged."""
    if not has_roots(expr) or not expr.is_number:
        return expr
    roots = {e for e in sp.preorder_traversal(expr) if isinstance(e, sp.CRootOf)}
    if len(roots) != 1:
        return expr
    (root,) = roots
    y = sp.Dummy("y")
    p = sp.Poly(root.expr, root.poly.gen).as_expr().xreplace({root.poly.gen: y})
    try:
        num, den = sp.fraction(sp.cancel(sp.together(expr.xreplace({root: y}))))
        if not (sp.Poly(num, y).domain.is_QQ or sp.Poly(num, y).domain.is_ZZ) or \
                not (sp.Poly(den, y).domain.is_QQ or sp.Poly(den, y).domain.is_ZZ):
            return expr
        inv = sp.invert(den, p, y)
        out = sp.rem(sp.expand(num * inv), p, y)
    except (sp.PolynomialError, sp.NotInvertible, ValueError):
        return expr
    return sp.expand(out).xreplace({y: root})


def real_roots(poly) -> list:
    """The real roots of an irreducible ``poly`` with rational coefficients, in increasing
    order: in radicals up to degree 2, else certified roots (``CRootOf``)."""
    if poly.degree() <= 2:
        roots = [r for r in sp.roots(poly, multiple=True) if not r.has(sp.I)]
    else:
        roots = list(poly.real_roots(radicals=False))
    return sorted(set(roots), key=lambda r: float(r))
