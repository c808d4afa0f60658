"""Parameter and choice domains.

A *domain* is an interval of the real line, ``D = {x : lo (<|<=) x (<|<=) hi}``,
with ``lo`` and ``hi`` possibly infinite.  The named domains are shorthands:

=============  ===================
name           interval
=============  ===================
``positive``   ``(0, oo)``
``nonnegative````[0, oo)``
``real``       ``(-oo, oo)``
=============  ===================

Intervals are written as in mathematics: ``"(0, 1)"``, ``"[0, 1]"``, ``"[0, oo)"``.
The bounds of a *parameter's* domain are numbers; the bounds of a *choice*
variable's domain may be expressions in parameters and earlier choices
(``alpha1 in [alpha0, oo)``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from openeq.core.errors import OpeneqError

__all__ = ["Domain", "DomainError", "parse_domain", "check_nonempty"]

NAMED = {
    "positive": ("(", "0", "oo", ")"),
    "nonnegative": ("[", "0", "oo", ")"),
    "real": ("(", "-oo", "oo", ")"),
}


@lru_cache(maxsize=256)
def _rational_ends(lo, hi):
    """(lo, hi) as Fractions (None for an infinite end), or None if an end is not rational."""
    out = []
    for end in (lo, hi):
        if end in (sp.oo, -sp.oo):
            out.append(None)
        elif isinstance(end, sp.Rational):
            out.append(Fraction(int(end.p), int(end.q)))
        else:
            return None
    return tuple(out)


@lru_cache(maxsize=256)
def _float_ends(lo, hi):
    return (float(lo) if lo != -sp.oo else -math.inf), (float(hi) if hi != sp.oo else math.inf)


class DomainError(OpeneqError):
    """A domain string that is not a known name nor an interval."""


@dataclass(frozen=True)
class Domain:
    """The interval ``lo .. hi``; ``lo_open``/``hi_open`` say whether an end is excluded."""

    lo: sp.Expr
    hi: sp.Expr
    lo_open: bool
    hi_open: bool

    def __str__(self) -> str:
        for name, dom in _named().items():
            if self == dom:
                return name
        return f"{'(' if self.lo_open else '['}{self.lo}, {self.hi}{')' if self.hi_open else ']'}"

    @property
    def numeric(self) -> bool:
        return self.lo.is_number and self.hi.is_number

    def contains(self, value) -> bool:
        """Whether the (numeric) ``value`` lies in the domain (numeric bounds only).

        Exact: a float is read as the decimal it prints as (``0.1`` is 1/10)."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ends = _rational_ends(self.lo, self.hi)
            if ends is not None and math.isfinite(value):  # plain Python: this is called per sampled point
                (lo, hi), (lo_f, hi_f) = ends, _float_ends(self.lo, self.hi)
                x = float(value)
                if x != lo_f and x != hi_f:  # rounding is monotone: distinct floats order as the exact values
                    return lo_f < x < hi_f
                v = Fraction(repr(value))
                lo_ok = lo is None or (v > lo if self.lo_open else v >= lo)
                hi_ok = hi is None or (v < hi if self.hi_open else v <= hi)
                return lo_ok and hi_ok
        v = value if isinstance(value, sp.Basic) else sp.Rational(repr(value) if isinstance(value, float) else value)
        lo_ok = (v > self.lo) if self.lo_open else (v >= self.lo)
        hi_ok = (v < self.hi) if self.hi_open else (v <= self.hi)
        return bool(lo_ok) and bool(hi_ok)

    def expected(self) -> str:
        """A phrase for error messages: what a value in this domain looks like."""
        lo_inf, hi_inf = self.lo == -sp.oo, self.hi == sp.oo
        if lo_inf and hi_inf:
            return "a real number"
        if hi_inf:
            return f"a number {'>' if self.lo_open else '>='} {self.lo}"
        if lo_inf:
            return f"a number {'<' if self.hi_open else '<='} {self.hi}"
        return f"a number in {'(' if self.lo_open else '['}{self.lo}, {self.hi}{')' if self.hi_open else ']'}"

    def symbol_assumptions(self) -> dict:
        """Old-style sympy assumptions implied by the domain (used when creating symbols)."""
        a = {"real": True}
        if self.lo.is_number and self.lo != -sp.oo:
            if self.lo > 0 or (self.lo == 0 and self.lo_open):
                a["positive"] = True
            elif self.lo >= 0:
                a["nonnegative"] = True
        return a


@lru_cache(maxsize=1)
def _named() -> dict:
    """The named domains, built once (``str(domain)`` runs for every cache key)."""
    return {name: _from_spec(*spec) for name, spec in NAMED.items()}


def _from_spec(lb: str, lo: str, hi: str, rb: str, namespace=None) -> Domain:
    ns = dict(namespace or {})
    ns.setdefault("oo", sp.oo)
    return Domain(  # safe: the bounds are the constant strings of NAMED
        sp.sympify(lo, locals=ns), sp.sympify(hi, locals=ns), lb == "(", rb == ")"
    )


_INTERVAL = re.compile(r"^\s*([\[(])\s*(.+?)\s*,\s*(.+?)\s*([\])])\s*$")


def parse_domain(text, namespace=None, parse_bound=None) -> Domain:
    """Parse a domain name or an interval string.

    ``parse_bound(text)`` turns a bound into a sympy expression; by default
    ``sympify`` with ``namespace``.  (The model-file loader passes its safe parser.)
    """
    if isinstance(text, Domain):
        return text
    if isinstance(text, tuple) and len(text) == 2:  # (lo, hi): closed where finite
        lo, hi = (sp.sympify(b) for b in text)
        dom = Domain(lo, hi, lo == -sp.oo, hi == sp.oo)
        check_nonempty(dom)
        return dom
    if not isinstance(text, str):
        raise DomainError(f"a domain must be a string, got {text!r}")
    key = text.strip().lower()
    if key in NAMED:
        return _from_spec(*NAMED[key])
    m = _INTERVAL.match(text)
    if not m:
        raise DomainError(
            f"unknown domain {text!r}: expected positive, nonnegative, real or an interval like '(0, 1)' or '[0, oo)'"
        )
    lb, lo, hi, rb = m.groups()
    if parse_bound is not None:
        lo_e, hi_e = parse_bound(lo), parse_bound(hi)
    else:
        ns = dict(namespace or {})
        ns.setdefault("oo", sp.oo)
        # safe: only the Python API comes here (a domain written in the programmer's own
        # code); the model-file loader always passes parse_bound, its safe parser
        lo_e, hi_e = sp.sympify(lo, locals=ns), sp.sympify(hi, locals=ns)
    if lo_e in (sp.oo, sp.zoo) or hi_e in (-sp.oo, sp.zoo):
        raise DomainError(f"interval {text!r} has its bounds the wrong way round")
    dom = Domain(lo_e, hi_e, lb == "(" or lo_e == -sp.oo, rb == ")" or hi_e == sp.oo)
    check_nonempty(dom, text)
    return dom


def _cheap_to_expand(e, max_exponent=12, max_nodes=400) -> bool:
    """Whether ``expand(e)`` is cheap: a small tree and no power above ``max_exponent``
    (``(a + 1)**1000`` is five nodes, and its expansion 1001 terms of 1000-bit numbers)."""
    for n, node in enumerate(sp.preorder_traversal(e)):
        if n > max_nodes or (node.is_Pow and node.exp.is_Number and abs(node.exp) > max_exponent):
            return False
    return True


def check_nonempty(dom: Domain, text=None) -> None:
    """Refuse an interval that is empty or a single point wherever its bounds are
    (decided by sympy's assumptions on the bounds' symbols: ``(0, 0)``, ``[1, 1)``,
    ``[a, a]``, ``(a, a - 1)``); an interval that may be empty for some parameters only
    is left to the solver."""
    text = text if text is not None else str(dom)
    if dom.lo in (sp.nan, sp.zoo) or dom.hi in (sp.nan, sp.zoo):
        raise DomainError(f"interval {text!r} has an undefined bound")
    if dom.lo == -sp.oo or dom.hi == sp.oo:
        return
    width = dom.hi - dom.lo
    if width.is_negative is None and width.is_zero is None and _cheap_to_expand(width):
        width = sp.expand(width)
    if width.is_negative:
        raise DomainError(f"interval {text!r} is empty: lower bound exceeds upper bound")
    if width.is_zero:
        if dom.lo_open or dom.hi_open:
            raise DomainError(f"interval {text!r} is empty")
        raise DomainError(f"interval {text!r} is a single point: put the value into the expressions instead")
