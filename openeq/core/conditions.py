"""Region conditions: conjunctions of bounds, simplified with the prover.

A region's condition is a conjunction of *bounds* ``subject op bound`` with
``op`` in ``< <= > >= ==``.  Keeping the subject on the left (a candidate
maximiser, a payoff difference, a parameter) makes conditions read the way a
person writes them, ``omega_I < theta`` rather than sympy's normal form, and
lets bounds on the same subject be compared: ``E < 0`` and ``E >= theta`` with
``theta >= 0`` is empty; ``E < 0`` makes ``E < theta`` redundant; ``theta <= 0``
with ``theta in [0, 1]`` is ``theta = 0``.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from openeq.core.canonical import canonical_factor
from openeq.core.simplify import nice

__all__ = ["Bound", "conjunction", "negate", "to_sympy", "isolate", "nice"]

from openeq.core.relations import FLIP as _FLIP, NEGATE as _NEG, SYMPY as _REL, holds as _holds


@dataclass(frozen=True)
class Bound:
    subject: sp.Expr
    op: str
    bound: sp.Expr

    def __post_init__(self):
        subject, bound, op = _canon(self.subject), _canon(self.bound), self.op
        if subject.is_number and not bound.is_number:  # read "theta > 0", not "0 < theta"
            subject, bound, op = bound, subject, _FLIP[op]
        object.__setattr__(self, "subject", subject)
        object.__setattr__(self, "bound", bound)
        object.__setattr__(self, "op", op)

    def sympy(self):
        return _REL[self.op](self.subject, self.bound, evaluate=False)

    def subs(self, mapping) -> "Bound":
        return Bound(self.subject.xreplace(mapping), self.op, self.bound.xreplace(mapping))

    def holds(self, values) -> bool:
        """Numeric truth at a point (``values``: symbol -> number)."""
        d = sp.N((self.subject - self.bound).xreplace(values), 30)
        return bool(_holds(d, self.op))

    @property
    def free_symbols(self):
        return self.subject.free_symbols | self.bound.free_symbols

    def __str__(self):
        return f"{self.subject} {self.op} {self.bound}"


_canon = nice


def negate(b: Bound) -> list:
    """The negation of one bound, as a list of alternatives (each a bound)."""
    if b.op == "==":
        return [Bound(b.subject, "<", b.bound), Bound(b.subject, ">", b.bound)]
    return [Bound(b.subject, _NEG[b.op], b.bound)]


def conjunction(bounds, prover):
    """Simplify a conjunction. Returns a list of bounds, or ``None`` if it is empty (proved)."""
    out = []
    for b in bounds:
        if _beyond_domain(b, prover):
            return None
        t = prover.truth(b.subject, b.op, b.bound)
        if t is True:
            continue
        if t is False:
            return None
        if b not in out:
            out.append(b)
    # group by subject and compare bounds pairwise
    changed = True
    while changed:
        changed = False
        for i, a in enumerate(out):
            for j, b in enumerate(out):
                if i == j or a.subject != b.subject:
                    continue
                r = _pair(a, b, prover)
                if r == "empty":
                    return None
                if r == "drop_b":
                    del out[j]
                    changed = True
                    break
                if isinstance(r, Bound):
                    out[i] = r
                    del out[j]
                    changed = True
                    break
            if changed:
                break
    # a bound meeting the subject's own domain end becomes an equality
    out = [_meet_domain(b, prover) for b in out]
    if any(b is None for b in out):
        return None
    # several bounds that no pair contradicts may still be empty together
    if len(out) > 1 and hasattr(prover, "empty") and prover.empty([b.sympy() for b in out]):
        return None
    return out


def _beyond_domain(b, prover):
    """Whether ``s op number`` excludes the whole declared domain of the symbol ``s``:
    the prover, which reparametrises ``s`` through a relation (``theta1 < theta2``),
    may lose the ends of its domain."""
    domains = getattr(prover, "domains", {})
    d = domains.get(b.subject) if isinstance(b.subject, sp.Symbol) else None
    if d is None or not b.bound.is_number or not b.bound.is_extended_real or not d.numeric:
        return False
    v, lo, hi = b.bound, d.lo, d.hi
    if b.op in (">", ">="):
        return hi != sp.oo and (bool(hi < v) or (bool(hi == v) and (b.op == ">" or d.hi_open)))
    if b.op in ("<", "<="):
        return lo != -sp.oo and (bool(lo > v) or (bool(lo == v) and (b.op == "<" or d.lo_open)))
    return not d.contains(v)


def _lower(b):
    return b.op in (">", ">=")


def _pair(a: Bound, b: Bound, prover):
    """Compare two bounds on one subject: 'empty', 'drop_b' (a implies b), an equality, or None."""
    if a.op == "==" or b.op == "==":
        if a.op == "==":
            t = prover.truth(a.bound, b.op, b.bound)
            if t is True:
                return "drop_b"
            if t is False:
                return "empty"
        return None
    diff = a.bound - b.bound
    s = prover.sign(diff)
    if s is None:
        return None
    if _lower(a) and _lower(b):  # x > A, x > B: A >= B makes B redundant
        if s in ("+",) or (s in ("0", "+0") and (a.op == ">" or b.op == ">=")):
            return "drop_b"
        return None
    if not _lower(a) and not _lower(b):
        if s in ("-",) or (s in ("0", "-0") and (a.op == "<" or b.op == "<=")):
            return "drop_b"
        return None
    lo, hi = (a, b) if _lower(a) else (b, a)
    d = lo.bound - hi.bound  # x > lo.bound and x < hi.bound
    s = prover.sign(d)
    if s == "+":
        return "empty"
    if s in ("0", "+0") and (lo.op == ">" or hi.op == "<"):
        return "empty"
    if s == "0" and lo.op == ">=" and hi.op == "<=":
        return Bound(a.subject, "==", lo.bound)
    return None


def _meet_domain(b: Bound, prover):
    """``theta <= 0`` with ``theta >= 0`` known is ``theta == 0``; likewise at an upper end."""
    if b.op not in ("<=", ">=") or not isinstance(b.subject, sp.Symbol):
        return b
    other = ">=" if b.op == "<=" else "<="
    t = prover.truth(b.subject, other, b.bound)
    if t is True:
        return Bound(b.subject, "==", b.bound)
    return b


def to_sympy(bounds):
    if not bounds:
        return sp.true
    rels = [b.sympy() for b in bounds]
    return rels[0] if len(rels) == 1 else sp.And(*rels, evaluate=False)


def isolate(b: Bound, prover, prefer=()):
    """Rewrite ``E op 0`` as ``s op' R`` for a symbol ``s`` in which ``E`` is linear
    with a coefficient of proved sign (penalties read ``p >= Delta``)."""
    e = sp.expand(b.subject - b.bound)
    cands = [s for s in prefer if s in e.free_symbols] or sorted(e.free_symbols, key=lambda s: s.name)
    for s in cands:
        if sp.degree(e, s) != 1 if e.is_polynomial(s) else True:
            continue
        coeff = e.coeff(s)
        if s in coeff.free_symbols:
            continue
        sign = prover.sign(coeff)
        if sign not in ("+", "-"):
            continue
        rest = canonical_factor(-(e - coeff * s) / coeff)
        op = b.op if sign == "+" else _FLIP[b.op]
        return Bound(s, op, rest)
    return b
