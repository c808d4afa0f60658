"""Roots of polynomials as a reader writes them: "the unique root in (a, b) of P(x) = 0".

Two closed forms are recognised:

* ``CRootOf(P, k)`` -- a real root of a polynomial with numeric coefficients; the
  interval is the variable's domain when ``P`` has exactly one root there (Sturm
  count), else the shortest decimal interval around the root with exactly one;
* a root of a cubic in trigonometric (Cardano) form, an expression containing
  ``t = cos(acos(z)/3)``: with ``q = 2 sqrt(Q) t`` where ``z = R/(2 Q^(3/2))``, the
  identity ``4 t^3 - 3 t = z`` gives the cubic ``q^3 - 3 Q q - R = 0``; eliminating
  ``q`` (a resultant) from it and ``x = f(q)`` gives a polynomial ``P(x)`` with the
  parameters as coefficients, and the factor of ``P`` that the expression annuls is
  kept.  That it annuls it is checked at seeded parameter points; so is the number
  of roots in the interval, and the text says so.

The variable ``x`` is the game's parameter the displayed name stands for (``delta``
for :math:`\\delta_{FT}`).  The display is registered for the round-trip as a
``root`` entry: the polynomial is read back and checked to vanish at the value.
"""
from __future__ import annotations

import random
import re

import sympy as sp

__all__ = ["root_display", "root_polynomial", "ROOT_POINTS"]

ROOT_POINTS = 12  # seeded parameter points at which a parametric root's polynomial is checked


def _variable(doc, head):
    """The parameter whose LaTeX the head starts with (``\\delta_{FT}`` -> delta)."""
    best = None
    for name, tex in doc.symbols.items():
        if head.startswith(tex) and (best is None or len(tex) > len(doc.symbols[best])):
            best = name
    if best is None or best not in doc.game.namespace:
        return sp.Symbol("x", real=True), None
    sym = doc.game.namespace[best]
    dom = doc.game.parameters[best].domain if best in doc.game.parameters else None
    return sym, dom


def _trig_atom(e):
    for a in sorted(e.atoms(sp.cos), key=sp.default_sort_key):
        arg = a.args[0]
        k, rest = arg.as_coeff_Mul()
        if k == sp.Rational(1, 3) and isinstance(rest, sp.acos):
            return a, rest.args[0]
    return None, None


def root_polynomial(e, x):
    """A polynomial in ``x`` annulled by the trigonometric cubic root ``e``, or None."""
    atom, z = _trig_atom(e)
    if atom is None:
        return None
    t = sp.Dummy("t")
    f = sp.together(e.xreplace({atom: t}))
    num, den = sp.fraction(f)
    sqrts = [p for p in (num * den).atoms(sp.Pow) if p.exp == sp.S.Half and p.base.free_symbols]
    if len(sqrts) != 1:
        return None
    q = sp.Dummy("q")
    big = sqrts[0].base
    rel = sp.expand(x * den - num).xreplace({sqrts[0]: q})  # in t and q = sqrt(Q)
    cheb = sp.together(4 * t ** 3 - 3 * t - z.xreplace({sqrts[0]: q}).xreplace({big ** sp.Rational(3, 2): q ** 3}))
    cheb = sp.fraction(cheb)[0]
    try:
        r1 = sp.resultant(sp.Poly(rel, t), sp.Poly(cheb, t))
        r2 = sp.resultant(sp.Poly(r1.as_expr() if hasattr(r1, "as_expr") else r1, q), sp.Poly(q ** 2 - big, q))
        P = sp.factor(r2.as_expr() if hasattr(r2, "as_expr") else r2)
    except (sp.PolynomialError, sp.GeneratorsNeeded, TypeError, ValueError):
        return None
    factors = [f for f, _ in sp.factor_list(P, x)[1] if x in f.free_symbols]
    params = sorted(e.free_symbols, key=lambda s: s.name)
    rnd = random.Random(0)
    for _ in range(3):
        point = {s: sp.Rational(rnd.randint(11, 97), rnd.randint(11, 47)) for s in params}
        val = sp.N(e.xreplace(point), 40)
        factors = [f for f in factors if abs(sp.N(f.xreplace(point).xreplace({x: val}), 40)) < 1e-20]
    return sp.expand(factors[0]) if len(factors) == 1 else None


def _interval(poly, x, value, dom):
    """A short interval (a, b) around ``value`` in which ``poly`` has exactly one root."""
    P = sp.Poly(poly, x)
    if dom is not None and dom.lo.is_finite and dom.hi.is_finite and P.count_roots(dom.lo, dom.hi) == 1:
        return dom.lo, dom.hi
    for digits in range(1, 12):
        a = sp.Rational(int(sp.floor(value * 10 ** digits)), 10 ** digits)
        b = a + sp.Rational(1, 10 ** digits)
        if P.count_roots(a, b) == 1 and P.eval(a) != 0 and P.eval(b) != 0:
            return a, b
    return None


def _unique_at_points(poly, x, e, lo, hi):
    """Whether ``poly`` has exactly one root in (lo, hi) at seeded points of its parameters."""
    params = sorted(poly.free_symbols - {x}, key=lambda s: s.name)
    rnd = random.Random(1)
    for _ in range(ROOT_POINTS):
        point = {s: sp.Rational(rnd.randint(11, 97), rnd.randint(11, 47)) for s in params}
        P = sp.Poly(poly.xreplace(point), x)
        if P.degree() < 1 or P.count_roots(lo, hi) != 1:
            return False
    return True


def root_display(doc, head, v, where):
    """LaTeX text for a root, or None when ``v`` is not a root form (see the module docstring)."""
    if not isinstance(v, sp.Expr):
        return None
    x, dom = _variable(doc, head)
    if isinstance(v, sp.CRootOf):
        poly = v.expr.xreplace({v.poly.gen: x})
        value = sp.N(v, 30)
        iv = _interval(poly, x, value, dom)
        if iv is None:
            return None
        lo, hi = iv
        note = r",\quad %s \approx %s" % (head, sp.N(v, 6))
        params = False
    elif _trig_atom(v)[0] is not None:
        poly = root_polynomial(v, x)
        if poly is None or dom is None or not (dom.lo.is_finite and dom.hi.is_finite):
            return None
        lo, hi = dom.lo, dom.hi
        if not _unique_at_points(poly, x, v, lo, hi):
            return None
        note, params = "", True
    else:
        return None
    from openeq.export.latex.linebreak import broken

    collected = sp.collect(sp.expand(poly), x, evaluate=False)
    poly_shown = sp.Add(*[sp.factor(cf) * m for m, cf in sorted(collected.items(), key=lambda kv: -sp.degree(kv[0], x))],
                        evaluate=False)
    ptex = broken(doc.p.doprint(poly_shown))
    doc.reg.root(ptex, x, lo, hi, v, where)
    xs = doc.p.doprint(x)
    unique = "the unique root" + (f" (at each of {ROOT_POINTS} sampled parameter points)" if params else "")
    interval = f"$({doc.p.doprint(lo)}, {doc.p.doprint(hi)})$"
    from openeq.export.latex.doc import visible

    if ptex.startswith(r"\begin{aligned}") or visible(ptex) > 30:
        return (r"%s\ \text{is %s in %s of } P(%s) = 0,\ \text{where}\\ P(%s) = %s%s"
                % (head, unique, interval, xs, xs, ptex, note), True)
    return r"%s = \text{%s in %s of } %s = 0%s" % (head, unique, interval, re.sub(r"\s+", " ", ptex), note), False
