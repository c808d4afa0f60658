"""All real stationary points of a smooth one-variable payoff, each with its validity.

For ``f(x)`` smooth on a piece, write ``f'(x) = N(x)/D(x)`` (cancelled).  When ``N``
is a polynomial in ``x`` its real roots are all the stationary points: ``N`` is split
into irreducible factors over the parameters' field (``factor_list``), and each
factor ``p`` of multiplicity ``m`` gives

* degree 1, ``a x + b``:  ``x = -b/a``  (``a != 0``);
* degree 2, ``A x^2 + B x + C``:  ``x = (-B -+ sqrt(B^2 - 4AC)) / (2A)``, real iff
  ``B^2 - 4AC >= 0`` (the *validity* condition, kept as a bound);
* degree >= 3: sympy's radical roots when they are free of ``I`` (validity: every
  radicand ``>= 0``); otherwise the engine refuses (no closed form).

A factor of even multiplicity is skipped: ``f'`` keeps its sign across such a root,
which is then no local extremum.  A leading coefficient whose sign is not proved
splits the region (``SplitUndecided``): where it vanishes the factor has lower
degree.  A numerator that is not polynomial in ``x`` (``exp``, ``log``, radicals of
``x``) is handed to ``sympy.solve``; completeness is then *not proved*, and the
caller records an unproven claim (certified numerically, ``certify.py``).
"""
from __future__ import annotations

import sympy as sp

from openeq.core.canonical import canonical_cancel
from openeq.core.conditions import Bound, nice
from openeq.solver.budget import MAX_DEGREE, BudgetError
from openeq.solver.pieces import SplitUndecided
from openeq.solver.signs import known_sign, split_bound

__all__ = ["stationary_points", "radicand_bounds", "StationaryError"]


class StationaryError(ValueError):
    pass


def radicand_bounds(r, prover):
    """Bounds for ``r`` to be real: each even root's radicand ``>= 0`` (unless proved)."""
    out = []
    for a in sorted(r.atoms(sp.Pow), key=sp.default_sort_key):
        if a.exp.is_Rational and not a.exp.is_Integer and a.exp.q % 2 == 0 and a.base.free_symbols:
            if known_sign(a.base, prover) not in ("+", "+0", "0"):
                out.append(Bound(nice(a.base), ">=", 0))
    return out


def stationary_points(g, x, prover, what):
    """``(points, complete)``: ``points`` a list of ``(root, validity)``; ``complete`` is
    whether every real root of ``g = 0`` is among them (proved)."""
    num, _ = sp.fraction(canonical_cancel(sp.together(g)))
    if x not in num.free_symbols:
        return [], True
    if not num.is_polynomial(x):
        return _solve_general(num, x, prover, what), False
    deg = sp.degree(num, x)
    if deg > MAX_DEGREE:
        raise BudgetError(f"the stationary-point equation of {what} has degree {deg} in {x} "
                          f"(more than {MAX_DEGREE}); beyond the engine's resource bound")
    try:
        _, factors = sp.factor_list(num, x)
    except (sp.PolynomialError, NotImplementedError):
        factors = [(num, 1)]
    out = []
    for p, m in factors:
        if x not in p.free_symbols or m % 2 == 0:
            continue
        out += _factor_roots(sp.Poly(p, x), x, prover, what)
    return _dedupe(out), True


def _factor_roots(poly, x, prover, what):
    coeffs = list(poly.all_coeffs())
    while len(coeffs) > 1:
        s = known_sign(coeffs[0], prover)
        if s == "0":
            coeffs.pop(0)
            continue
        if s not in ("+", "-"):
            raise SplitUndecided(split_bound(coeffs[0], s), narrow=True)
        break
    n = len(coeffs) - 1
    if n <= 0:
        return []
    if n == 1:
        a, b = coeffs
        return [(nice(-b / a), [])]
    if n == 2:
        A, B, C = coeffs
        disc = nice(B ** 2 - 4 * A * C)
        s = known_sign(disc, prover)
        if s == "-":
            return []
        if s == "0":
            return [(nice(-B / (2 * A)), [])]
        valid = [] if s == "+" else [Bound(disc, ">=", 0)]
        root = sp.sqrt(disc)
        return [(nice((-B - root) / (2 * A)), valid), (nice((-B + root) / (2 * A)), valid)]
    roots = sp.roots(sp.Poly(coeffs, x), x)
    if sum(roots.values()) != n or any(r.has(sp.I) or r.has(sp.CRootOf) for r in roots):
        raise StationaryError(
            f"the first-order condition of {what} in {x} has an irreducible factor of degree {n} "
            f"({sp.Poly(coeffs, x).as_expr()}) without a real closed form; no closed-form maximiser")
    return [(nice(r), radicand_bounds(r, prover)) for r, k in roots.items() if k % 2 == 1]


def _solve_general(num, x, prover, what):
    try:
        sols = sp.solve(sp.Eq(num, 0), x, dict=False)
    except NotImplementedError:
        raise StationaryError(f"sympy cannot solve the first-order condition of {what} in {x}, "
                              f"{num} = 0; no closed-form maximiser") from None
    out = []
    for r in sols:
        if r.is_real is False:
            continue
        if r.has(sp.I) or r.has(sp.CRootOf):
            raise StationaryError(f"the first-order condition of {what} in {x} has a root without a real "
                                  f"closed form ({r}); no closed-form maximiser")
        out.append((nice(r), radicand_bounds(r, prover)))
    return _dedupe(out)


def _dedupe(points):
    seen, out = set(), []
    for r, valid in sorted(points, key=lambda t: sp.default_sort_key(t[0])):
        if r not in seen:
            seen.add(r)
            out.append((r, valid))
    return out
