"""Display forms: of the forms a closed form can be written in, the one a person would write.

For a closed form ``e`` the candidates are

* ``e`` as derived (or as written in the model file);
* for a rational function: ``cancel(e)`` (expanded numerator over denominator) and
  ``factor(e)``;
* with square roots: the radicals of each term combined, ``sqrt(a) sqrt(b)/sqrt(c)
  -> sqrt(a b / c)`` (valid when ``a, b, c >= 0``, which the symbols' domains
  guarantee), a positive coefficient moved under the root and the radicand written
  over the document's names (``sqrt(x~^2 + 2 c p / kappa)``);
* each of these in the defined notation: a parameter ``t`` that a named stationary
  point ``x~ = (k t + r)/d`` determines is replaced by ``(x~ d - r)/k`` when that
  shortens the form, and the result collected in the name.

The chosen form minimises the readability measure :func:`readability` -- (visible
width, nesting depth, source length) of its LaTeX -- with ties going to the earlier
candidate, so the choice is deterministic.  Every candidate equals ``e``
identically (each rewrite is an identity under the symbols' domains; the round-trip
check re-verifies what is printed).  Budgets are sizes, never time: ``factor`` is
tried only on expressions of at most :data:`FACTOR_OPS` operations.
"""
from __future__ import annotations

import re

import sympy as sp

__all__ = ["readability", "depth", "combine_radicals", "rational_forms", "FACTOR_OPS"]

FACTOR_OPS = 160  # operations beyond which factor/cancel are not tried (a size budget)


def depth(tex: str) -> int:
    """Nesting depth of LaTeX: braces and \\left( groups."""
    d = best = 0
    for ch in tex:
        if ch in "{(":
            d += 1
            best = max(best, d)
        elif ch in "})":
            d -= 1
    return best


def readability(tex: str) -> tuple:
    """The measure a display form minimises: (visible width without brackets, depth, length)."""
    from openeq.export.latex.doc import visible

    w = visible(tex) - tex.count("(") - tex.count(")")  # brackets cost little to read
    return w, depth(tex), len(tex)


def _nonneg(b) -> bool:
    return bool(b.is_nonnegative) or bool(b.is_positive)


def _sqrt(r):
    """``sqrt(r)`` kept whole (sympy would split ``sqrt(2 c)`` into ``sqrt(2) sqrt(c)``)."""
    if r.is_number:
        return sp.sqrt(r)
    return sp.Pow(r, sp.S.Half, evaluate=False)


def _radicand_forms(r, collect_in=()):
    """Ways to write a radicand: cancelled, factored, and split over ``collect_in``."""
    try:
        c = sp.cancel(r)
    except (sp.PolynomialError, TypeError):
        return [r]
    forms = [c]
    if sp.count_ops(c) <= FACTOR_OPS:
        forms.append(sp.factor(c))
    num, den = sp.fraction(c)
    names = [s for s in collect_in if s in num.free_symbols]
    if names and den != 1:
        parts = sp.collect(sp.expand(num), names, evaluate=False)
        forms.append(sp.Add(*[m * sp.factor(sp.cancel(cf / den)) for m, cf in parts.items()]))
    return forms


def _combine_term(t, collect_in, pick):
    """One product: its square-root factors under one root, a positive coefficient
    under the root too or in front of it (whichever ``pick`` prefers)."""
    factors = sp.Mul.make_args(t)
    rads = [f for f in factors if f.is_Pow and f.exp in (sp.S.Half, -sp.S.Half)]
    # q sqrt(b) = sqrt(q^2 b) for q > 0 and any b; sqrt(a) sqrt(b) = sqrt(a b) and
    # 1/sqrt(b) = sqrt(1/b) need the bases nonnegative
    if not rads or not (len(rads) == 1 and rads[0].exp == sp.S.Half or all(_nonneg(f.base) for f in rads)):
        return t
    rest = sp.Mul(*[f for f in factors if f not in rads])
    sign = 1
    if rest.could_extract_minus_sign():
        sign, rest = -1, -rest
    if not (rest.is_positive or _nonneg(rest)):
        return t
    inner = sp.Mul(*[f.base ** (2 * f.exp) for f in rads])
    forms = [sign * rest * _sqrt(pick(_radicand_forms(inner, collect_in)))]
    num, den = sp.fraction(sp.cancel(rest))
    forms.append(sign * _sqrt(pick(_radicand_forms(rest ** 2 * inner, collect_in))))
    if den != 1:
        forms.append(sign * _sqrt(pick(_radicand_forms(num ** 2 * inner, collect_in))) / den)
    return pick(forms)


def _default_pick(forms):
    return min(forms, key=lambda f: (sp.count_ops(f), len(str(f))))


def combine_radicals(e, collect_in=(), pick=None, sub=None):
    """``e`` written as (rational part) + (terms with one square root each).

    ``sub``: a substitution applied first (a parameter written through a name); the
    rational part is cancelled (and factored, collected in ``collect_in``) as one
    fraction, each radical term combined as described in the module docstring."""
    pick = pick or _default_pick
    terms = sp.Add.make_args(sp.expand_mul(e, deep=False))
    if sub:
        terms = [t.xreplace(sub) for t in terms]
    rational = sp.Add(*[t for t in terms if not has_radicals(t)])
    radical = [t for t in terms if has_radicals(t)]
    out = []
    if rational != 0:
        forms = [rational] + rational_forms(rational)
        if collect_in:
            forms += [sp.collect(f, list(collect_in)) for f in forms[1:]]
        out += list(sp.Add.make_args(pick(forms)))
    out += [_combine_term(sp.cancel(t) if sp.count_ops(t) <= FACTOR_OPS else t, collect_in, pick) for t in radical]
    return sp.Add(*out, evaluate=False) if len(out) > 1 else (out[0] if out else sp.S.Zero)


def rational_forms(e) -> list:
    """``cancel`` and ``factor`` of a rational function (within the size budget)."""
    if sp.count_ops(e) > FACTOR_OPS:
        return []
    try:
        c = sp.cancel(e)
        return [sp.factor(c), c]
    except (sp.PolynomialError, TypeError):
        return []


def has_radicals(e) -> bool:
    return any(x.exp.is_Rational and not x.exp.is_Integer for x in e.atoms(sp.Pow))


def printable_key(e) -> str:
    """A key for memoising forms: the expression's structure (stable across runs)."""
    return re.sub(r"\s+", "", sp.srepr(e))


# ------------------------------------------------------------------ conditions
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}


def reduce_relation(prover, parameters, subject, op, bound):
    """``subject op bound`` as an inequality in one parameter, or None.

    ``subject`` is a closed form in the parameters and ``bound`` a number: with
    ``subject - bound = (k t + r)/D``, ``k`` and ``D`` of proved sign, the relation
    is ``t op' -r/k`` (``op`` reversed when ``k D < 0``).  ``parameters``: the
    parameters in the order tried (the first that works is used, so the choice is
    deterministic).  Returns (t, op', -r/k)."""
    if not bound.is_number or subject.is_number or isinstance(subject, sp.Symbol) or op == "==":
        return None
    try:
        num, den = sp.fraction(sp.cancel(sp.together(subject - bound)))
    except (sp.PolynomialError, TypeError):
        return None
    ds = prover.sign(den)
    if ds not in ("+", "-"):
        return None
    for t in parameters:
        if t not in num.free_symbols or not num.is_polynomial(t) or sp.degree(num, t) != 1:
            continue
        num_e = sp.expand(num)
        k = num_e.coeff(t)
        if t in k.free_symbols:
            continue
        ks = prover.sign(k)
        if ks not in ("+", "-"):
            continue
        rhs = sp.factor(sp.cancel(-(num_e - k * t) / k))
        flip = (ks == "-") != (ds == "-")
        return t, (_FLIP[op] if flip else op), rhs
    return None
