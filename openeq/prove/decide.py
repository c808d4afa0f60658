"""A decision procedure as an optional back end: emptiness of polynomial conditions.

``decide_empty(relationals, domains)`` asks z3's nonlinear real arithmetic (nlsat,
complete for polynomial constraints over the reals) whether the conjunction of
``relationals`` and the symbols' domains has a real point.  Each relational
``P/Q op 0`` is sent as ``P*Q op 0`` with ``Q != 0`` (same sign, no division); a
square root ``sqrt(E)`` becomes a fresh ``y >= 0`` with ``y**2 = E``.  Anything else
(``exp``, ``log``, a non-square root) is not sent: the answer is ``None``.

Trust:

* the budget is z3's deterministic resource count (``rlimit``), never a time, so the
  same input gives the same answer on any machine;
* an ``unsat`` is cross-checked at ``CROSS_CHECK`` sampled points of the domains (a
  fixed seed): a point that meets every condition would refute it (z3's nonlinear
  arithmetic has had soundness bugs), and the answer is then ``None``;
* a ``sat`` is believed only when z3's model, evaluated by sympy, meets the
  conditions.

Without z3 installed (``pip install 'openeq[z3]'``) every answer is ``None``: the
callers then keep what the sympy-based prover proved, and refuse where that is not
enough.
"""
from __future__ import annotations

import random

import sympy as sp

try:  # optional: the engine is complete without it, only less able to prove
    import z3
except ImportError:  # pragma: no cover - exercised on machines without z3
    z3 = None

__all__ = ["available", "decide_empty", "decide_sign", "RLIMIT", "CROSS_CHECK", "PROCEDURE"]

RLIMIT = 20_000_000  # z3 resource units per query (deterministic)
CROSS_CHECK = 200  # sampled points against an unsat
PROCEDURE = "z3 nlsat" + (f" {z3.get_version_string()}" if z3 is not None else "")


def available() -> bool:
    return z3 is not None


def decide_empty(relationals, domains):
    """``True`` (proved empty), ``False`` (a point found) or ``None`` (not decided)."""
    if z3 is None:
        return None
    rels = [r for r in relationals if isinstance(r, sp.core.relational.Relational)]
    if any(r is sp.false for r in relationals):
        return True
    syms = sorted(set().union(*[r.free_symbols for r in rels]) if rels else set(), key=sp.default_sort_key)
    syms = _close(syms, domains)
    tr = _Translator(syms)
    try:
        cons = [c for r in rels for c in tr.relational(r)]
        cons += [c for s in syms for c in tr.domain(s, domains.get(s))]
    except _Unsupported:
        return None
    solver = z3.Solver()
    solver.set("rlimit", RLIMIT)
    solver.add(*cons, *tr.side)
    verdict = solver.check()
    if verdict == z3.unsat:
        return True if not _refuted(rels, syms, domains) else None
    if verdict == z3.sat and _model_holds(solver.model(), tr, rels):
        return False
    return None


def decide_sign(expr, relations, domains):
    """The sign of ``expr`` under the relations and domains, from the emptiness of the
    opposite (``decide_empty``): ``'+'`` where ``expr <= 0`` is empty, ``'+0'`` where only
    ``expr < 0`` is (and ``'-'``, ``'-0'`` alike), else ``None``."""
    expr, rels = sp.sympify(expr), list(relations)
    for strict, weak, sign in ((sp.Le, sp.Lt, "+"), (sp.Ge, sp.Gt, "-")):
        if decide_empty([weak(expr, 0)] + rels, domains) is True:
            return sign if decide_empty([strict(expr, 0)] + rels, domains) is True else sign + "0"
    return None


def _close(syms, domains):
    """The symbols and those their domains' ends name (``x2`` in ``[0, c]`` brings ``c``)."""
    out, todo = list(syms), list(syms)
    while todo:
        d = domains.get(todo.pop())
        if d is None:
            continue
        for s in (sp.sympify(d.lo).free_symbols | sp.sympify(d.hi).free_symbols):
            if s not in out:
                out.append(s)
                todo.append(s)
    return sorted(out, key=sp.default_sort_key)


class _Unsupported(Exception):
    pass


class _Translator:
    def __init__(self, syms):
        self.vars = {s: z3.Real(s.name) for s in syms}
        self.side = []  # definitions of the roots' fresh variables
        self.roots = {}

    def relational(self, r):
        num, den = sp.fraction(sp.cancel(sp.together(r.lhs - r.rhs)))
        e = self.expr(sp.expand(num * den)) if den != 1 else self.expr(sp.expand(num))
        out = [] if den.is_number else [self.expr(den) != 0]
        op = type(r)
        table = {sp.StrictGreaterThan: e > 0, sp.GreaterThan: e >= 0, sp.StrictLessThan: e < 0,
                 sp.LessThan: e <= 0, sp.Equality: e == 0, sp.Unequality: e != 0}
        if op not in table:
            raise _Unsupported
        return out + [table[op]]

    def domain(self, s, d):
        v = self.vars[s]
        if d is None:
            if s.is_positive:
                return [v > 0]
            return [v >= 0] if s.is_nonnegative else []
        out = []
        if d.lo != -sp.oo:
            lo = self.expr(sp.sympify(d.lo))
            out.append(v > lo if d.lo_open else v >= lo)
        if d.hi != sp.oo:
            hi = self.expr(sp.sympify(d.hi))
            out.append(v < hi if d.hi_open else v <= hi)
        return out

    def expr(self, e):
        if e.is_Symbol:
            if e not in self.vars:
                raise _Unsupported
            return self.vars[e]
        if e.is_Rational:
            return z3.RealVal(f"{e.p}/{e.q}")
        if e.is_Add:
            return z3.Sum([self.expr(a) for a in e.args])
        if e.is_Mul:
            return z3.Product([self.expr(a) for a in e.args])
        if e.is_Pow and e.exp.is_Integer and e.exp > 0:
            base = self.expr(e.base)
            return z3.Product([base] * int(e.exp)) if e.exp <= 64 else _raise()
        if e.is_Pow and e.exp == sp.Rational(1, 2):
            return self._root(e.base)
        if e.is_Pow and e.exp.is_Rational and e.exp.q == 2 and e.exp > 0:
            return z3.Product([self._root(e.base)] * int(e.exp.p))
        raise _Unsupported

    def _root(self, base):
        if base not in self.roots:
            y = z3.Real(f"sqrt_{len(self.roots)}")
            b = self.expr(base)
            self.side += [y >= 0, y * y == b]
            self.roots[base] = y
        return self.roots[base]


def _raise():
    raise _Unsupported


def _model_holds(model, tr, rels):
    values = {}
    for s, v in tr.vars.items():
        val = model.eval(v, model_completion=True)
        if not z3.is_rational_value(val):
            return False  # an algebraic number: not evaluated here
        values[s] = sp.Rational(val.numerator_as_long(), val.denominator_as_long())
    try:
        return all(bool(r.xreplace(values)) is True for r in rels)
    except TypeError:
        return False


def _refuted(rels, syms, domains):
    """Whether a sampled point of the domains meets every condition (z3 was wrong)."""
    rng = random.Random(0)
    order = _order(syms, domains)
    for _ in range(CROSS_CHECK):
        point = {}
        for s in order:
            point[s] = _draw(rng, domains.get(s), point)
            if point[s] is None:
                break
        else:
            try:
                if all(bool(r.xreplace(point)) is True for r in rels):
                    return True
            except TypeError:
                continue
    return False


def _order(syms, domains):
    """Symbols after those their domains' ends name."""
    out, left = [], list(syms)
    while left:
        for s in left:
            d = domains.get(s)
            deps = set() if d is None else (sp.sympify(d.lo).free_symbols | sp.sympify(d.hi).free_symbols)
            if deps <= set(out):
                out.append(s)
                left.remove(s)
                break
        else:
            return out + left
    return out


def _draw(rng, d, point):
    if d is None:
        return sp.Rational(rng.randint(1, 4000), 1000)
    lo = -sp.oo if d.lo == -sp.oo else sp.sympify(d.lo).xreplace(point)
    hi = sp.oo if d.hi == sp.oo else sp.sympify(d.hi).xreplace(point)
    if not (lo.is_number and hi.is_number):
        return None
    if lo == -sp.oo and hi == sp.oo:
        return sp.Rational(rng.randint(-4000, 4000), 1000)
    if hi == sp.oo:
        return sp.nsimplify(lo) + sp.Rational(rng.randint(1, 4000), 1000)
    if lo == -sp.oo:
        return sp.nsimplify(hi) - sp.Rational(rng.randint(1, 4000), 1000)
    lo, hi = sp.Rational(str(sp.N(lo, 15))), sp.Rational(str(sp.N(hi, 15)))
    return lo + (hi - lo) * sp.Rational(rng.randint(1, 999), 1000)
