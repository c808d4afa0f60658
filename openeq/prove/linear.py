"""Emptiness of a conjunction of linear inequalities (Fourier--Motzkin elimination).

A region condition such as ``a + 2c - 3c_L < 0``, ``(a - c)(c - c_L)/b > 0`` under
``a > c``, ``b > 0`` is empty, yet no single bound contradicts another: the proof
needs a positive combination of several.  Each relational ``E op 0`` is first
*linearised*: ``E`` is cancelled to ``P/Q`` and factored, and every factor of proved
strict sign (a denominator, ``a - c``, ``b``) is divided out, flipping ``op`` for a
negative one.  What remains, if it is linear with rational coefficients, is a row
``sum_i k_i x_i + k_0 > 0`` (or ``>= 0``).  Rows that cannot be linearised are left
out, which is sound: a subset of the conditions that is empty makes the whole empty.

Fourier--Motzkin eliminates the variables one at a time (in name order): each pair
of rows with coefficients of opposite sign in ``x`` gives a row without ``x``,
strict if either was.  Over the reals the final constant rows are all satisfiable
iff the system is, so a violated constant row (``0 > 0``, ``-1 >= 0``) proves the
conjunction empty.  The number of rows is capped (``MAX_ROWS``), a deterministic
budget: past it the answer is "not proved", never a guess.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from openeq.core.memo import Memo

__all__ = ["linear_infeasible", "linear_row", "rows_of", "rows_infeasible", "MAX_ROWS"]

MAX_ROWS = 300


def linear_infeasible(relationals, sign, cache=None) -> bool:
    """Whether the conjunction of ``relationals`` is proved empty.

    ``sign``: a callable giving the proved sign of an expression ('+', '-', ... or None);
    ``cache``: a dict relational -> rows kept by the caller for one ``sign``.
    """
    return rows_infeasible(rows_of(relationals, sign, cache))


def rows_of(relationals, sign, cache=None) -> list:
    """The linear rows of the relationals that linearise (the others are left out)."""
    cache = {} if cache is None else cache
    rows = []
    for rel in relationals:
        if rel not in cache:
            cache[rel] = _rows(rel, sign)
        rows += [row for row in cache[rel] if row is not None]
    return rows


def rows_infeasible(rows) -> bool:
    """Whether the rows ``(coeffs, const, strict)`` have no common point."""
    if any(not r[0] and _violated(r) for r in rows):
        return True
    return _eliminate([r for r in rows if r[0]])


def linear_row(expr, sign):
    """The row of ``expr > 0`` (``strict`` left to the caller), or None where it does not
    linearise.  Only small numerators and denominators are tried: factoring a large one
    costs more than the elimination could repay."""
    num, den = sp.fraction(expr)
    if not (_small(num) and _small(den)):
        return None
    return _linearise(expr, True, sign)


def _small(p, degree=3, terms=16) -> bool:
    if p.is_number:
        return True
    try:
        poly = sp.Poly(p, *sorted(p.free_symbols, key=sp.default_sort_key))
    except sp.PolynomialError:
        return False
    return poly.total_degree() <= degree and len(poly.terms()) <= terms


def _rows(rel, sign):
    """``rel`` as linear rows ``(coeffs, const, strict)`` meaning ``coeffs.x + const (>|>=) 0``."""
    if isinstance(rel, sp.Equality):
        d = rel.lhs - rel.rhs
        return [_linearise(d, False, sign), _linearise(-d, False, sign)]
    if isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan)):
        return [_linearise(rel.lhs - rel.rhs, isinstance(rel, sp.StrictGreaterThan), sign)]
    if isinstance(rel, (sp.StrictLessThan, sp.LessThan)):
        return [_linearise(rel.rhs - rel.lhs, isinstance(rel, sp.StrictLessThan), sign)]
    return []


def _linearise(expr, strict, sign):
    """``expr > 0`` (or ``>= 0``) as a linear row, dividing out factors of strict sign."""
    factored = _factored(expr)
    if factored is None:
        return None
    coeff, factors = factored
    if not coeff.is_Rational or coeff == 0:
        return None
    flip = coeff < 0
    linear = []
    for f, k in factors:
        s = sign(f)
        if s in ("+", "-"):
            flip ^= (s == "-" and k % 2 == 1)
            continue
        if k % 2 == 0:
            return None
        linear.append(f)
    if not linear and len(factors) == 1 and factors[0][1] == 1:  # a known fact, kept as a row
        linear, flip = [factors[0][0]], coeff < 0
    if len(linear) != 1:
        return None
    return _row(-linear[0] if flip else linear[0], strict)


_FACTORED = Memo("prove.linear.factored")


def _factored(expr):
    """``factor_list`` of ``num * den`` (``sign(num/den) = sign(num*den)``), or None;
    memoised: the same relations are linearised under many facts, and only the signs of
    the factors depend on the facts."""
    if expr in _FACTORED:
        return _FACTORED.get(expr)
    try:
        num, den = sp.fraction(sp.cancel(sp.together(expr)))
        out = sp.factor_list(num * den)
    except (sp.PolynomialError, TypeError, ValueError):
        out = None
    _FACTORED.put(expr, out)
    return out


def _row(expr, strict):
    try:
        poly = sp.Poly(expr, *sorted(expr.free_symbols, key=sp.default_sort_key))
    except sp.PolynomialError:
        return None
    if poly.total_degree() > 1 or not all(c.is_Rational for c in poly.coeffs()):
        return None
    coeffs, const = {}, Fraction(0)
    for monom, c in poly.terms():
        c = Fraction(int(c.p), int(c.q))
        if not any(monom):
            const = c
        else:
            coeffs[poly.gens[monom.index(1)]] = c
    return (coeffs, const, strict)


def _violated(row) -> bool:
    _, const, strict = row
    return const <= 0 if strict else const < 0


def _eliminate(rows) -> bool:
    variables = sorted({v for r in rows for v in r[0]}, key=sp.default_sort_key)
    for x in variables:
        pos = [r for r in rows if r[0].get(x, 0) > 0]
        neg = [r for r in rows if r[0].get(x, 0) < 0]
        rest = [r for r in rows if r[0].get(x, 0) == 0]
        if len(rest) + len(pos) * len(neg) > MAX_ROWS:
            return False
        for p in pos:
            for n in neg:
                rest.append(_combine(p, n, x))
        if any(not r[0] and _violated(r) for r in rest):
            return True
        rows = _unique(r for r in rest if r[0])
    return False


def _combine(p, n, x):
    """The positive combination of ``p`` and ``n`` in which ``x`` cancels."""
    a, b = -n[0][x], p[0][x]  # both > 0
    coeffs = {}
    for v in set(p[0]) | set(n[0]):
        c = a * p[0].get(v, 0) + b * n[0].get(v, 0)
        if v != x and c != 0:
            coeffs[v] = c
    return (coeffs, a * p[1] + b * n[1], p[2] or n[2])


def _unique(rows):
    seen, out = set(), []
    for coeffs, const, strict in rows:
        key = (frozenset(coeffs.items()), const, strict)
        if key not in seen:
            seen.add(key)
            out.append((coeffs, const, strict))
    return out
