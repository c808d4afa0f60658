"""Signs under a region's facts, including facts the prover cannot substitute.

The prover reparametrises a fact only when it is linear in some symbol
(``w < 4``); a fact added by a case split, such as ``d^2u/dx^2 < 0`` with a
second derivative nonlinear in every parameter, would be invisible to it.
``known_sign(e, prover)`` therefore also reads the facts directly: a fact
``l op r`` with ``e / (l - r) = k`` for a ``k`` of proved strict sign gives the sign
of ``e`` (``op`` ``<``: ``-``, ``<=``: ``-0``, ``==``: ``0`` ..., times the sign of
``k``).  Several facts and the prover's own answer are intersected as sets of
possible signs ``{-, 0, +}``.

``SolverProver`` is the engine's prover with one more sound rule, for the square
roots that stationary points bring (``x = sqrt(a)``): where the prover gives up on
an expression containing ``s**(k/2)`` for a symbol ``s >= 0`` with numeric domain
ends ``lo, hi`` (in the expression or in a fact of the region), it substitutes
``s = r**2`` with ``r`` in ``[sqrt(lo), sqrt(hi)]`` (also in every relation) and tries
again.  The substitution is a bijection of the
region, so a sign proved after it holds before it.  Expressions without such
roots never reach the rule (the answers on them are the prover's own).
"""
from __future__ import annotations

import sympy as sp

from openeq.core.canonical import canonical_cancel

__all__ = ["known_sign", "split_bound", "fact_prover", "oriented", "SolverProver", "SIGN_SETS"]

SIGN_SETS = {"+": {"+"}, "-": {"-"}, "0": {"0"}, "+0": {"+", "0"}, "-0": {"-", "0"}, None: {"+", "-", "0"}}
_FROM_SET = {frozenset(v): k for k, v in SIGN_SETS.items()}
_OP_SIGN = {sp.StrictLessThan: "-", sp.LessThan: "-0", sp.StrictGreaterThan: "+", sp.GreaterThan: "+0",
            sp.Equality: "0"}
_NEG = {"+": "-", "-": "+", "0": "0", "+0": "-0", "-0": "+0"}


def known_sign(expr, prover):
    """The sign of ``expr`` ('+', '-', '0', '+0', '-0' or None) from the prover and the facts."""
    expr = sp.sympify(expr)
    s = prover.sign(expr)
    if s in ("+", "-", "0") or expr.is_number:
        return s
    possible = set(SIGN_SETS[s])
    for rel in prover.relations:
        op = _OP_SIGN.get(type(rel))
        if op is None:
            continue
        d = rel.lhs - rel.rhs
        if not (d.free_symbols & expr.free_symbols):
            continue
        try:
            k = canonical_cancel(expr / d)
        except (sp.PolynomialError, TypeError, ZeroDivisionError):
            continue
        if k.has(sp.nan, sp.zoo, sp.oo):
            continue
        sk = k if k.is_number else None
        ks = ("+" if k > 0 else "-" if k < 0 else None) if sk is not None else prover.sign(k)
        if ks not in ("+", "-"):
            continue
        possible &= SIGN_SETS[op if ks == "+" else _NEG[op]]
    if not possible:  # contradictory facts: the region is empty; say nothing
        return s
    return _FROM_SET.get(frozenset(possible))


def split_bound(expr, sign):
    """The bound to split an undecided ``expr`` on, given its weak sign so far: with
    ``expr <= 0`` known, ``expr < 0`` (the rest is ``expr == 0``); else ``expr > 0``."""
    from openeq.core.conditions import Bound, nice

    return Bound(nice(expr), "<" if sign == "-0" else ">", 0)


def _root_symbols(e, domains):
    out = set()
    for a in e.atoms(sp.Pow):
        b, k = a.base, a.exp
        if b.is_Symbol and k.is_Rational and k.q == 2 and b in domains:
            d = domains[b]
            if d.numeric and d.lo.is_number and bool(d.lo >= 0):
                out.add(b)
    return sorted(out, key=lambda t: t.name)


def _make_solver_prover():
    from openeq.core.domains import Domain
    from openeq.prove.intervals import intersect_signs
    from openeq.prove.prover import Prover, combine_signs

    class SolverProver(Prover):
        """``Prover`` plus the square-root substitution of the module docstring."""

        def with_facts(self, facts):
            return SolverProver(self.domains, self.relations + list(facts))

        def sign(self, expr):
            s = super().sign(expr)
            if s not in ("+", "-", "0") and not self._linear:  # (inside the linear fallback: its own steps only)
                s = self._more_sign(expr, s)
            if s is not None:
                return s
            expr = sp.sympify(expr)
            roots = _root_symbols(expr, self.domains)
            facts = sorted(set().union(*[_root_symbols(r, self.domains) for r in self.relations]) - set(roots),
                           key=lambda t: t.name) if self.relations else []
            roots = sorted(set(roots) | set(facts), key=lambda t: t.name)
            if not roots:
                return None
            domains, subs = dict(self.domains), {}
            for b in roots:
                d = domains.pop(b)
                r = sp.Dummy(f"r_{b}", positive=True) if bool(d.lo > 0) or d.lo_open else sp.Dummy(f"r_{b}", nonnegative=True)
                subs[b] = r ** 2
                domains[r] = Domain(sp.sqrt(d.lo), sp.sqrt(d.hi) if d.hi != sp.oo else sp.oo, d.lo_open, d.hi_open)
            rels = [rel.xreplace(subs) for rel in self.relations]
            rels = [r for r in rels if isinstance(r, sp.core.relational.Relational)]
            return Prover(domains, rels).sign(expr.xreplace(subs))

        def _more_sign(self, expr, s):
            """``s`` narrowed by the fact read-back and the factored sign, once per
            expression (memoised: the case trees ask the same signs many times)."""
            memo = self.__dict__.setdefault("_more", {})
            key = (sp.sympify(expr), s)
            if key not in memo:
                out = s
                for more in (self._relation_sign, self._factored_sign) if _plain_rational(expr) else ():
                    if out in ("+", "-", "0"):
                        break
                    f = more(expr)
                    out = f if out is None else (intersect_signs(out, f) if f is not None else out)
                memo[key] = out
            return memo[key]

        def _known_signs(self):
            """The facts as ``{g: sign of g}``, ``g`` expanded with no leading minus."""
            if "_known" not in self.__dict__:
                known = {}
                for r in self.relations:
                    if not isinstance(r, sp.core.relational.Relational) or r.rel_op not in _OP_SIGN:
                        continue
                    g, rs = sp.expand(r.lhs - r.rhs), _OP_SIGN[r.rel_op]
                    if g.could_extract_minus_sign():
                        g, rs = -g, _FLIP_SIGN[rs]
                    if g.free_symbols:
                        known[g] = intersect_signs(known[g], rs) if g in known else rs
                self._known = known
            return self._known

        def _relation_sign(self, expr):
            """The sign of ``expr = q * g`` where a fact states the sign of ``g`` (``g < 0``,
            or ``g <= 0`` and ``g >= 0``: ``g = 0``) and the sign of ``q`` is proved, e.g. a
            fact ``(F - w)/(d - 1) < 0`` read back, or ``(d + k - 1)**2`` under ``d + k = 1``.
            Not recursive: ``q``'s sign comes from the other steps."""
            if getattr(self, "_in_relation", False) or not self.relations:
                return None
            known = self._known_signs()
            self._in_relation = True
            try:
                for g, rs in known.items():
                    q = sp.cancel(sp.together(expr / g))
                    if q.has(sp.zoo, sp.nan) or sp.fraction(q)[1].free_symbols & g.free_symbols and \
                            sp.gcd(sp.fraction(q)[1], g) != 1:
                        continue
                    den = self.sign(sp.fraction(q)[1])
                    if den not in ("+", "-"):
                        continue
                    if rs == "0":
                        return "0"
                    if not q.is_number:  # (a fact read back as it is; q's own sign costs too much in big case trees)
                        continue
                    out = combine_signs(rs, "+" if q > 0 else "-", "*")
                    if out is not None:
                        return out
            finally:
                self._in_relation = False
            return None

        def _factored_sign(self, expr):
            """The sign of a product of factors from the factors' signs (an even power of a
            factor of known strict sign is positive), e.g. ``(d + k - 1)**2/(c*(d - 1))``
            with ``d + k < 1`` and ``d < 1``: negative.  None unless it factors."""
            expr = sp.sympify(expr)
            if expr.is_number or not expr.free_symbols:
                return None
            try:
                parts = sp.fraction(sp.together(expr))
                lists = [sp.factor_list(part) for part in parts]
            except (sp.PolynomialError, TypeError, ValueError):
                return None
            if sum(len(fs) for _, fs in lists) + sum(m - 1 for _, fs in lists for _, m in fs) < 2:
                return None  # one factor: nothing to gain
            out = "+"
            for k, (coeff, factors) in enumerate(lists):
                c = _number_sign_of(coeff)
                sign = c
                for f, m in factors:
                    fs = self.sign(f)
                    if m % 2 == 0:
                        fs = None if fs is None else ("+" if fs in ("+", "-") else ("0" if fs == "0" else "+0"))
                    sign = combine_signs(sign, fs, "*")
                out = combine_signs(out, sign, "/" if k else "*")
            return out

    return SolverProver


MAX_FACTOR_OPS = 200  # the factored signs are tried on rational functions of at most this size
MAX_FACTOR_POWER = 8  # ... whose integer powers are at most this


def _plain_rational(expr) -> bool:
    """A small rational function without radicals: where factoring is cheap (the
    regulator stages' radicals made it cost minutes)."""
    expr = sp.sympify(expr)
    if any(not a.exp.is_Integer or abs(a.exp) > MAX_FACTOR_POWER for a in expr.atoms(sp.Pow)) \
            or expr.atoms(sp.Function):
        return False  # (a radical, a function, or a power such as (a + 1)**1000 that factoring would expand)
    return sp.count_ops(expr) <= MAX_FACTOR_OPS


_OP_SIGN = {"<": "-", "<=": "-0", ">": "+", ">=": "+0", "==": "0"}
_FLIP_SIGN = {"-": "+", "+": "-", "-0": "+0", "+0": "-0", "0": "0"}


def _number_sign_of(c):
    return "+" if c > 0 else ("-" if c < 0 else "0")


SolverProver = _make_solver_prover()


def fact_prover(base, facts, narrow=()):
    """``base`` knowing the bounds ``facts``; a fact in ``narrow`` of the form
    ``s op number`` narrows the domain of ``s`` instead of being a relation (the
    reparametrisation then keeps both ends of ``s``, which a relation ``s < 0``
    would not give it)."""
    domains, rels, used = dict(base.domains), [], {}
    for f in facts:
        if f in narrow and isinstance(f.subject, sp.Symbol) and f.bound.is_number and f.subject in domains:
            domains[f.subject] = _narrowed(domains[f.subject], f.op, f.bound)
            used.setdefault(f.subject, []).append(f)
        else:  # (a narrowing fact is not also a relation: the prover would substitute it first)
            rels.append(f.sympy())
    for sym, fs in used.items():  # a single point (or nothing) is no interval: keep the facts as relations
        d = domains[sym]
        if not bool(d.lo < d.hi):
            domains[sym] = base.domains[sym]
            rels += [f.sympy() for f in fs]
    return type(base)(domains, list(base.relations) + rels)


def _narrowed(d, op, v):
    from openeq.core.domains import Domain

    lo, hi, lo_open, hi_open = d.lo, d.hi, d.lo_open, d.hi_open
    if op in ("<", "<=", "==") and bool(v <= hi):
        hi, hi_open = v, (op == "<") or (v == hi and hi_open)
    if op in (">", ">=", "==") and bool(v >= lo):
        lo, lo_open = v, (op == ">") or (v == lo and lo_open)
    return Domain(lo, hi, lo_open, hi_open)


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}


def oriented(e, op, v):
    """``Bound(e, op, v)`` with a subject that does not start with a minus
    (``-sqrt(a) > -2`` is written ``sqrt(a) < 2``), so that bounds on one quantity
    meet in ``conjunction``."""
    from openeq.core.conditions import Bound, nice

    e, v = nice(e), nice(v)
    if e.could_extract_minus_sign():
        return Bound(nice(-e), _FLIP[op], nice(-v))
    return Bound(e, op, v)
