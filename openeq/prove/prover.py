"""Sign proofs under declared domains and relations.

``Prover.sign(e)`` returns one of ``'+'`` (e > 0), ``'-'`` (e < 0), ``'0'``,
``'+0'`` (e >= 0), ``'-0'`` (e <= 0) or ``None`` (not proved).  A ``None`` is never
read as a sign: callers report the claim as *unproven* and certify it numerically.

Method (a positivity certificate):

1. sympy's own assumption system (``is_positive`` ...) on symbols that carry the
   old-style assumptions of their domains;
2. otherwise *reparametrise onto the positive orthant*: every relation
   ``x > E`` becomes ``x = E + m`` with ``m > 0``; a parameter in a bounded
   interval ``(lo, hi)`` becomes ``lo + (hi - lo) t/(1 + t)`` with ``t > 0``
   (a closed upper end is checked separately by substituting ``x = hi``); a
   half-line ``[lo, oo)`` becomes ``lo + t``.  The expression is then a rational
   function of nonnegative symbols; if the expanded numerator and denominator
   each have coefficients of one sign, the sign of the quotient follows
   (strictly when a monomial in strictly positive symbols is present).

Every substitution covers the whole region it replaces, so a proof over the
substituted variables is a proof over the original region (sound, incomplete).

The prover's one depth guard: a closed upper end is checked on the slice
``x = hi`` by a prover one level deeper, without ``x`` (so the recursion ends after
at most one level per symbol); past ``MAX_DEPTH`` levels the answer is ``None``,
which is always sound.  Expressions beyond the engine's size bounds are not
attempted at all (``openeq.solver.budget.within``, checked by the callers).
"""
from __future__ import annotations

import sympy as sp
from sympy.core.evalf import PrecisionExhausted
from sympy.polys.polyerrors import BasePolynomialError

from openeq.core import relations
from openeq.prove.linear import linear_infeasible, linear_row as _linear_row, rows_infeasible, rows_of
from openeq.prove.intervals import interval_sign, intersect_signs, narrow_domains
from openeq.prove.reparam import apply_relation_pass, dummies

__all__ = ["Prover", "combine_signs"]
MAX_MINPOLY_OPS = 400  # a near-zero number larger than this is not signed exactly (a deterministic budget)
MAX_SIGN_DIGITS = 3000  # working precision (digits) for the sign of a nonzero number near 0

class Prover:
    """Proves signs of expressions in parameters (and choice variables with domains).

    ``domains``: symbol -> Domain; ``relations``: relationals among parameters
    (``a > c``) that hold everywhere.
    """

    MAX_DEPTH = 16  # nested endpoint slices (see the module docstring)

    def __init__(self, domains: dict, relations=(), depth: int = 0):
        self.domains = dict(domains)
        self.relations = list(relations)
        self.depth = depth
        self._cache = {}
        self._rows = {False: {}, True: {}}  # relational -> its linear rows, per kind of sign used
        self._linear = False

    def with_facts(self, facts) -> "Prover":
        """A prover that also knows the relationals ``facts`` (a region's condition)."""
        return Prover(self.domains, self.relations + list(facts))

    # ------------------------------------------------------------------ public
    def sign(self, expr):
        expr = sp.sympify(expr)
        key = expr
        if key in self._cache:
            return self._cache[key]
        result = self._sign(expr)
        if not self._linear:  # (inside the linear fallback, signs are weaker: not cached)
            self._cache[key] = result
        return result

    def truth(self, lhs, op: str, rhs):
        """True / False / None for ``lhs op rhs`` (op in < <= > >= ==)."""
        return relations.truth(self.sign(sp.sympify(lhs) - sp.sympify(rhs)), op)

    def empty(self, relationals) -> bool:
        """Whether ``relationals`` cannot hold together with the known relations and the
        domains of their symbols (a proof by linear elimination; False = not proved)."""
        rels = list(relationals)
        syms = set().union(*[r.free_symbols for r in rels]) if rels else set()
        known = [r for r in self.relations if r.free_symbols & syms]
        syms |= set().union(*[r.free_symbols for r in known]) if known else set()
        return linear_infeasible(rels + known + _domain_relations(self.domains, syms), self.sign,
                                 self._rows[self._linear])  # (weaker signs inside the fallback: kept apart)

    # --------------------------------------------------------------- internals
    def _sign(self, expr):
        if expr.is_number:
            return _number_sign(expr)
        try:
            expr = sp.cancel(sp.together(expr))
        except (sp.PolynomialError, TypeError):
            pass
        if expr == 0:
            return "0"
        s = _assumption_sign(expr)
        if s in ("+", "-", "0"):
            return s
        if s is not None:
            return s
        s = intersect_signs(s, interval_sign(expr, self.domains))
        if s in ("+", "-", "0"):
            return s
        s = intersect_signs(s, self._certificate(expr))
        if s in ("+", "-", "0") or not self.relations or self._linear:
            return s
        self._linear = True  # the factors' signs inside come from the steps above only
        try:
            return intersect_signs(s, self._linear_sign(expr))
        finally:
            self._linear = False

    def _linear_sign(self, expr):
        """The sign of an expression that is linear once its factors of proved sign are
        divided out, from the emptiness of its opposite (``empty``, Fourier--Motzkin):
        ``e > 0`` where ``e <= 0`` contradicts the relations and domains.  The
        reparametrisation reads relations in order and can miss a combination of
        several (``x2 < a - c`` with ``a - 2c + 2 x2 > 0``); elimination does not."""
        row = _linear_row(expr, self.sign)  # e > 0 (>= 0) iff row > 0 (>= 0): signed factors divided out
        if row is None:
            return None
        coeffs, const, _ = row
        syms = set(expr.free_symbols)
        known = [r for r in self.relations if r.free_symbols & syms]
        syms |= set().union(*[r.free_symbols for r in known]) if known else set()
        base = rows_of(known + _domain_relations(self.domains, syms), self.sign, self._rows[self._linear])
        neg = {k: -v for k, v in coeffs.items()}
        for opposite, sign in (((neg, -const, False), "+"), ((coeffs, const, False), "-"),
                               ((neg, -const, True), "+0"), ((coeffs, const, True), "-0")):
            if rows_infeasible(base + [opposite]):  # e.g. "+": the row of -e >= 0 contradicts them
                return sign
        return None

    def _certificate(self, expr):
        first = self._reparametrisation(expr)
        s = self._certificate_with(expr, first[:4])
        if s is None and first[4]:  # relations that bear only on symbols others brought in
            s = self._certificate_with(expr, self._reparametrisation(expr, passes=len(self.relations))[:4])
        if s is None and (narrowed := narrow_domains(self.domains, self.relations)) is not None:
            s = Prover(*narrowed, depth=self.depth)._certificate(expr)  # facts `v2 < 1` as domains, not substitutions
        plain = [r for r in self.relations if not _radicals(r.lhs - r.rhs)]
        if s is None and len(plain) < len(self.relations):  # a fact with radicals can spoil a
            s = Prover(self.domains, plain, depth=self.depth)._certificate(expr)  # fewer facts, still sound
        return s

    def _certificate_with(self, expr, reparam):
        subs, pos, nonneg, endpoints = reparam
        s = _substituted_sign(expr, subs, pos, nonneg)
        if s is _UNSUPPORTED:  # not a rational function over QQ: sympy's own cancel
            e = expr.xreplace(subs) if subs else expr
            if _radicals(e):  # _poly_sign cannot read a radical of the variables: spare the cancel
                return None
            try:
                num, den = sp.fraction(sp.cancel(sp.together(e)))
            except (sp.PolynomialError, TypeError):
                return None
            s = combine_signs(_poly_sign(num, pos, nonneg), _poly_sign(den, pos, nonneg), "/")
        if s is None:
            return None
        for sym, value in endpoints:  # closed upper ends not covered by t/(1+t)
            if self.depth >= self.MAX_DEPTH:
                return None
            sliced = self._at(sym, value)
            if sliced is None:  # no point of the region lies on this end: nothing to check
                continue
            s_end = sliced.sign(expr.xreplace({sym: value}))
            s = _meet(s, s_end)
            if s is None:
                return None
        return s

    def _at(self, sym, value) -> "Prover":
        """The prover on the slice ``sym = value``: facts are restricted to it too (a
        fact still naming ``sym`` would bring it back, and the endpoint check recur)."""
        rels = []
        for r in self.relations:
            r2 = r.xreplace({sym: value})
            if r2 is sp.false:  # no point of the region lies on this slice
                return None
            if isinstance(r2, sp.core.relational.Relational):
                rels.append(r2)
        domains = {k: v for k, v in self.domains.items() if k != sym}
        return Prover(domains, rels, depth=self.depth + 1)

    def _reparametrisation(self, expr, passes=1):
        """Substitution onto nonnegative symbols; returns (subs, strict, weak, endpoints, more).
        ``passes > 1``: relations skipped because they named none of the symbols so far
        are read again once others have brought their symbols in."""
        subs, pos, nonneg, endpoints = {}, set(), set(), []
        free = set(expr.free_symbols)
        pending = list(self.relations)  # relations, then region facts: x = (m - r)/k (reparam.py)
        for _ in range(passes):
            before = len(pending)
            pending, subs, free = apply_relation_pass(pending, subs, free, pos, nonneg)
            if len(pending) == before:
                break
        more = any(r.free_symbols & (free | set(dummies(subs))) for r in pending)  # a 2nd pass would read
        # interval domains for the remaining symbols
        todo = [s for s in free if s not in subs]
        final = {}
        for sym in todo:
            dom = self.domains.get(sym)
            if dom is None:
                if sym.is_positive:
                    pos.add(sym)
                elif sym.is_nonnegative:
                    nonneg.add(sym)
                continue
            lo, hi = dom.lo, dom.hi
            if lo == -sp.oo:
                if sym.is_positive:
                    pos.add(sym)
                elif sym.is_nonnegative:
                    nonneg.add(sym)
                continue
            t = sp.Dummy(f"t_{sym}", **({"positive": True} if dom.lo_open else {"nonnegative": True}))
            if hi == sp.oo:
                if lo == 0:
                    (pos if dom.lo_open else nonneg).add(sym)
                    continue
                final[sym] = lo + t
                (pos if dom.lo_open else nonneg).add(t)
            else:
                final[sym] = lo + (hi - lo) * t / (1 + t)
                (pos if dom.lo_open else nonneg).add(t)
                if not dom.hi_open:
                    endpoints.append((sym, hi))
        if final:
            subs = {k: v.xreplace(final) for k, v in subs.items()}
            subs.update(final)
        # symbols a relation or interval produced are nonnegative by construction
        return subs, pos, nonneg | {d for d in dummies(subs) if d not in pos}, endpoints, more


def _domain_relations(domains, syms):
    """The finite ends of the symbols' domains as relationals."""
    out = []
    for sym in sorted(syms, key=sp.default_sort_key):
        dom = domains.get(sym)
        if dom is None:
            if sym.is_positive:
                out.append(sp.StrictGreaterThan(sym, 0))
            elif sym.is_nonnegative:
                out.append(sp.GreaterThan(sym, 0))
            continue
        if dom.lo != -sp.oo:
            out.append((sp.StrictGreaterThan if dom.lo_open else sp.GreaterThan)(sym, dom.lo))
        if dom.hi != sp.oo:
            out.append((sp.StrictLessThan if dom.hi_open else sp.LessThan)(sym, dom.hi))
    return out


_UNSUPPORTED = object()


def _substituted_sign(expr, subs, pos, nonneg):
    """Sign of ``expr`` (a cancelled fraction P/Q) after ``subs``, computed in a
    polynomial ring over QQ rather than on sympy expressions.

    Each substituted symbol is x = N_x/D_x.  For P of degree d_x in x,
    P~ = P(N/D) * prod D_x**d_x is a polynomial, and sign(P) = sign(P~) *
    prod sign(D_x)**d_x; so the sign of P/Q needs the coefficient signs of P~ and
    Q~ and a strict sign for each D_x.  Clearing the (positive) denominators
    without cancelling keeps every step a sign-preserving identity.  Returns
    ``_UNSUPPORTED`` where the ring cannot hold the expression (irrational
    coefficients, radicals, a D_x of unproved sign); the caller then falls back
    to sympy's ``cancel``.
    """
    num, den = sp.fraction(expr)
    syms = sorted(expr.free_symbols, key=sp.default_sort_key)
    images = {s: sp.fraction(sp.together(subs.get(s, s))) for s in syms}
    gens = sorted(set().union(*[n.free_symbols | d.free_symbols for n, d in images.values()]) if images else (),
                  key=sp.default_sort_key)
    if any(g not in pos and g not in nonneg and not g.is_nonnegative for g in gens):
        return None
    try:
        if not gens:
            return _UNSUPPORTED
        ring, *_ = sp.ring(gens, sp.QQ)
        images = {s: (ring.from_expr(n), ring.from_expr(d)) for s, (n, d) in images.items()}
        polys = [sp.Poly(part, *syms, domain=sp.QQ) for part in (num, den)]
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed, ValueError, TypeError):
        return _UNSUPPORTED
    strict_gens = [g in pos or g.is_positive for g in gens]
    den_sign = {}
    for s, (_, d) in images.items():
        sd = _ring_sign(d, strict_gens)
        if sd not in ("+", "-"):
            return _UNSUPPORTED
        den_sign[s] = sd
    signs = []
    for poly in polys:
        degs = poly.degree_list()
        total = ring.zero
        for monom, coeff in poly.terms():
            term = ring(coeff)
            for s, k, deg in zip(syms, monom, degs):
                n, d = images[s]
                term = term * n ** k * d ** (deg - k)
            total += term
        sgn = _ring_sign(total, strict_gens)
        for s, deg in zip(syms, degs):
            if den_sign[s] == "-" and deg % 2:
                sgn = combine_signs(sgn, "-", "*")
        signs.append(sgn)
    return combine_signs(signs[0], signs[1], "/")


def _radicals(e) -> bool:
    """Whether ``e`` has a non-integer power of an expression in symbols (sqrt(x), ...)."""
    return any(not a.exp.is_Integer and a.base.free_symbols for a in e.atoms(sp.Pow))


def _ring_sign(p, strict_gens):
    """Sign of a ring polynomial in nonnegative generators from its coefficients."""
    if not p:
        return "0"
    signs, strict = set(), False
    for monom, coeff in p.terms():
        signs.add("+" if coeff > 0 else "-")
        if all(k == 0 or st for k, st in zip(monom, strict_gens)):
            strict = True
    if len(signs) != 1:
        return None
    s = signs.pop()
    return s if strict else s + "0"


def _number_sign(x):
    if x.is_zero:
        return "0"
    if x.is_positive:
        return "+"
    if x.is_negative:
        return "-"
    v = _strict(x, 30, 100)
    if v is None:  # not 30 accurate digits within sympy's working precision: near 0, or ill-conditioned
        return _small_number_sign(x)
    if abs(v.imag) > 1e-25:
        return None
    if v.real != v.real:  # nan (zoo): signed 0, as the prover always has (a claim holding zoo is
        return "0"        # then left to the later checks)
    if v.real != 0:
        return "+" if v.real > 0 else "-"
    return _small_number_sign(x)


def _strict(x, digits, maxn):
    """``x`` as a complex with ``digits`` accurate digits (sympy's ``strict`` evaluation, working
    precision up to ``maxn``), or None when that precision is not reached."""
    try:
        return complex(x.evalf(digits, strict=True, maxn=maxn))
    except PrecisionExhausted:
        return None


def _small_number_sign(x):
    """The sign of an algebraic number that evaluates to almost 0: exactly 0 when its
    minimal polynomial is ``t``; otherwise it is nonzero, and its sign is that of an
    evaluation with 30 accurate digits (None when that needs more than ``MAX_SIGN_DIGITS``
    of working precision, or the number is not algebraic within the budget)."""
    if sp.count_ops(x) > MAX_MINPOLY_OPS:
        return None
    t = sp.Dummy("t")
    try:
        m = sp.minimal_polynomial(x, t)
    except (NotImplementedError, ValueError, BasePolynomialError):  # (NotAlgebraic: zoo, transcendental)
        return None
    if m == t:
        return "0"
    v = _strict(x, 30, MAX_SIGN_DIGITS)
    return None if v is None or v.real == 0 or abs(v.imag) > abs(v.real) else "+" if v.real > 0 else "-"


def _assumption_sign(e):
    if e.is_positive:
        return "+"
    if e.is_negative:
        return "-"
    if e.is_zero:
        return "0"
    if e.is_nonnegative:
        return "+0"
    if e.is_nonpositive:
        return "-0"
    return None


def _poly_sign(p, pos, nonneg):
    """Sign of a polynomial in nonnegative symbols from its coefficients' signs."""
    if p.is_number:
        return _number_sign(p)
    gens = sorted(p.free_symbols, key=lambda s: s.name)
    if any(g not in pos and g not in nonneg and not g.is_nonnegative for g in gens):
        return None
    try:
        poly = sp.Poly(sp.expand(p), *gens)
    except sp.PolynomialError:
        return None
    signs = set()
    strict = False
    for monom, coeff in poly.terms():
        s = _number_sign(coeff)
        if s is None:
            return None
        signs.add(s)
        if all(k == 0 or g in pos or g.is_positive for g, k in zip(gens, monom)):
            strict = True
    if signs == {"+"}:
        return "+" if strict else "+0"
    if signs == {"-"}:
        return "-" if strict else "-0"
    return None


def combine_signs(a, b, op):
    """Sign of a*b or a/b from the signs of a and b."""
    if a is None or b is None:
        return None
    if op == "/" and b in ("0", "+0", "-0"):
        return None
    if a == "0":
        return "0"
    neg = {"+": "-", "-": "+", "+0": "-0", "-0": "+0", "0": "0"}
    strict = a in "+-" and b in ("+", "-")
    base = a[0]
    if b.startswith("-"):
        base = neg[base]
    return base if strict else base + "0"


def _meet(a, b):
    """The sign valid on the union of two sets, given the sign on each."""
    if a is None or b is None:
        return None
    if a == b:
        return a
    if {a, b} <= {"+", "+0", "0"}:
        return "+0"
    if {a, b} <= {"-", "-0", "0"}:
        return "-0"
    return None
