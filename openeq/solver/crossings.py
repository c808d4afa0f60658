"""Where a condition on one choice variable changes its truth: its breakpoints.

A condition ``lhs op rhs`` on the mover's variable ``x`` is read as ``g(x) op 0``,
``g = lhs - rhs``.  Its *sign structure* is a constant sign ``s`` and a list of real
roots ``r_j`` with multiplicities ``m_j`` such that, on the domain of ``x``,

    sign g(x) = s * prod_j sign(x - r_j) ** m_j.

Then the truth of the condition on every cell of the breakpoints ``r_j`` follows from
the position of ``x`` against each root (``truth_at``).  The structure is derived for

* ``g`` affine in ``x``, ``a x + c``: ``s = sign a``, one root ``-c/a`` (the sign of
  ``a`` must be proved; as before this module existed);
* ``g`` rational in ``x``: numerator and denominator are factored over the
  parameters' field (``factor_list``); a factor of degree 1 gives a root; one of
  degree 2, ``A x^2 + B x + C``, gives the roots ``(-B -+ sqrt(D))/(2A)`` where its
  discriminant ``D = B^2 - 4AC`` is positive, a double root where ``D = 0``, and the
  constant sign of ``A`` where ``D < 0``; a discriminant or leading coefficient of
  undecided sign splits the region (``SplitUndecided``); a factor of degree 3 or more
  is solved by sympy's ``roots`` when they are real radicals, else refused;
* ``g`` with rational powers of ``x`` itself (``sqrt(x)``, ``x**(1/3)``) on a domain
  ``x >= 0``: ``x = u**L`` (``L`` the common denominator) makes ``g`` rational in
  ``u >= 0``; its roots ``rho >= 0`` give ``r = rho**L`` (``u -> u**L`` is increasing,
  so signs and order carry over).  Other radicals of ``x`` are refused.

Every root is a closed form valid under the facts that decided the signs above, so a
breakpoint comes "with its validity conditions": the case split of ``cases.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from math import lcm

import sympy as sp

from openeq.core.canonical import canonical_cancel
from openeq.core.conditions import Bound, nice
from openeq.solver.signs import known_sign, split_bound

__all__ = ["Crossing", "crossing", "truth_at", "CrossingError"]

_SIGN = {"+": 1, "-": -1}


class CrossingError(ValueError):
    pass


@dataclass
class Crossing:
    """``g op 0`` with ``sign g = sign * prod sign(x - root)**mult`` on the domain."""

    x: sp.Symbol
    op: str
    sign: int
    roots: list  # [(root, multiplicity)]
    text: str  # the condition as written, for messages


def truth_at(c, position):
    """The truth of ``c`` where ``position(root)`` is the sign of ``x - root`` (+1, 0, -1)."""
    s = c.sign
    for r, m in c.roots:
        s *= position(r) ** m
    return {"<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0, "==": s == 0}[c.op]


def crossing(lhs, op, rhs, x, domain, prover):
    """The ``Crossing`` of ``lhs op rhs`` in ``x`` (see the module docstring)."""
    text = f"{lhs} {op} {rhs}"
    g = sp.expand(lhs - rhs)
    if g.is_polynomial(x) and sp.degree(g, x) == 1:
        a = g.coeff(x)
        s = prover.sign(a)
        if s not in ("+", "-"):
            raise CrossingError(f"cannot prove the sign of {a}, the coefficient of {x} in {text}")
        return Crossing(x, op, _SIGN[s], [(sp.cancel(-(g - a * x) / a), 1)], text)
    power = _power_of_x(g, x, text)
    if power > 1:
        return _through_power(g, op, x, power, domain, prover, text)
    sign, roots = _rational_structure(g, x, prover, text)
    return Crossing(x, op, sign, roots, text)


def _power_of_x(g, x, text):
    """``L``: the common denominator of the rational powers of ``x`` in ``g`` (1: none)."""
    dens = []
    for a in g.atoms(sp.Pow):
        if x not in a.free_symbols or a.exp.is_Integer:
            continue
        if a.base != x or not a.exp.is_Rational:
            raise CrossingError(f"condition {text} has {a}, a power of an expression in {x} that is not "
                                f"a rational power of {x} itself; not supported")
        dens.append(int(a.exp.q))
    for f in g.atoms(sp.Function):
        if x in f.free_symbols:
            raise CrossingError(f"condition {text} has {f}, a function of {x}; breakpoints of such "
                                "conditions are not supported")
    return reduce(lcm, dens, 1)


def _through_power(g, op, x, L, domain, prover, text):
    if domain.lo == -sp.oo or prover.sign(domain.lo) not in ("+", "+0", "0"):
        raise CrossingError(f"condition {text} has a rational power of {x}, whose domain is not proved "
                            "nonnegative")
    u = sp.Dummy("u", nonnegative=True)
    gu = sp.expand(sp.powdenest(g.xreplace({x: u ** L}), force=True))
    if any(not a.exp.is_Integer for a in gu.atoms(sp.Pow) if u in a.free_symbols):
        raise CrossingError(f"condition {text}: the powers of {x} do not clear with {x} = u**{L}")
    sign, roots = _rational_structure(gu, u, prover, text)
    out = []
    for r, m in roots:
        s = known_sign(r, prover)
        if s == "-":
            continue  # u - r > 0 for every u >= 0: the factor is positive
        if s not in ("+", "0", "+0"):
            raise _undecided(Bound(nice(r), "<", 0))
        out.append((nice(r ** L), m))
    return Crossing(x, op, sign, out, text)


def _undecided(bound):
    from openeq.solver.pieces import SplitUndecided

    return SplitUndecided(bound)


def _rational_structure(g, x, prover, text):
    num, den = sp.fraction(canonical_cancel(sp.together(g)))
    sign, roots = 1, []
    for part in (num, den):
        if x not in part.free_symbols:
            s = known_sign(part, prover)
            if s not in ("+", "-") and s != "0" and part.free_symbols:
                raise _undecided(split_bound(part, s))  # a case split on the parameters (cases.py)
            if s == "0" and part is num:  # a numerator that vanishes here: the condition is 0 op 0
                sign = 0
                continue
            if s not in ("+", "-"):
                raise CrossingError(f"cannot prove the sign of {part} in the condition {text}")
            sign *= _SIGN[s]
            continue
        if sign == 0:
            continue  # (x's factors of a vanishing numerator decide nothing)
        if not part.is_polynomial(x):
            raise CrossingError(f"condition {text} is not rational in {x}; not supported")
        coeff, factors = sp.factor_list(part, x)
        s = known_sign(coeff, prover) if coeff.free_symbols else ("+" if coeff > 0 else "-")
        if s not in ("+", "-"):
            raise _undecided(split_bound(coeff, s))
        sign *= _SIGN[s]
        for p, m in factors:
            fs, rs = _factor_structure(sp.Poly(p, x), x, prover, text)
            sign *= fs ** m
            roots += [(r, k * m) for r, k in rs]
    return sign, roots


def _factor_structure(poly, x, prover, text):
    coeffs = poly.all_coeffs()
    lead = known_sign(coeffs[0], prover)
    if lead == "0" or lead not in ("+", "-"):
        raise _undecided(split_bound(coeffs[0], lead)) if lead != "0" else CrossingError(
            f"leading coefficient {coeffs[0]} of a factor of {text} vanishes")
    n = len(coeffs) - 1
    if n == 1:
        a, b = coeffs
        return _SIGN[lead], [(sp.cancel(-b / a), 1)]
    if n == 2:
        A, B, C = coeffs
        disc = nice(B ** 2 - 4 * A * C)
        s = known_sign(disc, prover)
        if s == "-":
            return _SIGN[lead], []
        if s == "0":
            return _SIGN[lead], [(nice(-B / (2 * A)), 2)]
        if s != "+":
            raise _undecided(split_bound(disc, s))
        lo, hi = nice((-B - sp.sqrt(disc)) / (2 * A)), nice((-B + sp.sqrt(disc)) / (2 * A))
        return _SIGN[lead], [(lo, 1), (hi, 1)]
    found = sp.roots(poly, x)
    if sum(found.values()) != n or any(r.has(sp.I) or r.has(sp.CRootOf) for r in found):
        raise CrossingError(f"a factor of degree {n} of the condition {text} has no real closed-form roots")
    return _SIGN[lead], [(nice(r), k) for r, k in found.items()]
