"""Round-trip check: every closed form the appendix displays is parsed back and compared.

While the appendix is written, each displayed closed form is recorded in a
``Registry`` together with the engine's expression it stands for: a plain
expression, a condition (bounds as written), or a ``cases`` block (value and
condition of each branch).  ``check(registry, game)`` parses every LaTeX string
with ``sympy.parsing.latex.parse_latex(s, backend="lark")`` and compares:

* expressions: ``cancel(a - b) == 0``, else equality at seeded random points
  (needed for ``Piecewise``);
* conditions: the same bounds, *as written* -- same subject, same operator, same
  bound (``\\tilde{\\omega} < \\theta`` does not match ``\\theta > \\tilde{\\omega}``);
* ``cases``: branch by branch, value and condition.

Before parsing, a few purely typographical forms are normalised, because the
lark grammar does not read them: ``\\left``/``\\right`` and spacing commands are
dropped, and a factor written after a power (``\\delta^{2} \\theta``) gets an explicit
``\\cdot``.  Named expressions (``\\tilde{\\omega}``, ``\\bar{p}_{1}``) are replaced by
placeholder symbols and then by their definitions.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import sympy as sp

from openeq.core.relations import FLIP
from openeq.export.latex.texparse import RoundTripError, _lark, parse_tex

__all__ = ["Registry", "Entry", "parse_tex", "check", "check_entry", "RoundTripError"]


@dataclass
class Entry:
    kind: str  # "expr" | "condition" | "cases"
    tex: str
    expected: object  # expr | list of relations | list of (expr, list of relations or None)
    defs: dict = field(default_factory=dict)  # LaTeX name -> definition
    where: str = ""
    strict: bool = True  # conditions from Bounds: as written; from sympy relationals: either orientation


class Registry:
    """The (LaTeX, expression) pairs displayed in one document."""

    def __init__(self):
        self.entries = []

    def expr(self, tex, expr, defs=None, where=""):
        self.entries.append(Entry("expr", tex, sp.sympify(expr), dict(defs or {}), where))
        return tex

    def condition(self, tex, relations, defs=None, where=""):
        self.entries.append(Entry("condition", tex, _relations(relations), dict(defs or {}), where,
                                  _strict(relations)))
        return tex

    def cases(self, tex, branches, defs=None, where=""):
        """``branches``: (value, condition) with condition a list of Bounds/relations or None (otherwise)."""
        br = [(sp.sympify(v), None if c is None else _relations(c)) for v, c in branches]
        strict = all(_strict(c) for _, c in branches if c is not None)
        self.entries.append(Entry("cases", tex, br, dict(defs or {}), where, strict))
        return tex

    def root(self, tex, var, lo, hi, value, where=""):
        """A root displayed as "the unique root in (lo, hi) of P(var) = 0": ``tex`` is P."""
        self.entries.append(Entry("root", tex, (var, sp.sympify(lo), sp.sympify(hi), sp.sympify(value)), {}, where))
        return tex

    def __len__(self):
        return len(self.entries)

    def counts(self) -> dict:
        out = {}
        for e in self.entries:
            out[e.kind] = out.get(e.kind, 0) + 1
        return out


def _strict(cond) -> bool:
    items = cond if isinstance(cond, (list, tuple)) else [cond]
    return all(hasattr(c, "subject") for c in items)


def _relations(cond):
    """Bounds / a sympy Boolean -> list of (lhs, op, rhs)."""
    if isinstance(cond, sp.And):
        cond = list(cond.args)
    if not isinstance(cond, (list, tuple)):
        cond = [cond]
    out = []
    for c in cond:
        if hasattr(c, "subject"):
            out.append((sp.sympify(c.subject), c.op, sp.sympify(c.bound)))
        elif isinstance(c, sp.core.relational.Relational):
            out.append((c.lhs, c.rel_op, c.rhs))
        elif c == sp.true:
            continue
        else:
            raise RoundTripError(f"cannot record condition {c!r}")
    return out


DOMAINS = {}  # symbol name -> (lo, hi): the points drawn for a parameter lie in its domain (set by check)


def _draw(rnd, s):
    """A random rational for ``s``: inside its declared domain when known (a Piecewise whose
    impossible branches were dropped is equal to the engine's form there)."""
    r = sp.Rational(rnd.randint(101, 997), rnd.randint(101, 499))
    lo, hi = DOMAINS.get(s.name, (None, None))
    if lo is not None and hi is not None:
        return lo + (hi - lo) * sp.Rational(rnd.randint(101, 899), 1000)
    if lo is not None:
        return lo + r
    return r


def same(a, b, points=3, seed=0) -> bool:
    """Whether two expressions are equal.

    Exact evaluation at seeded random rational points (a rational function that
    vanishes at random points is zero with overwhelming probability -- the
    Schwartz-Zippel lemma; Piecewise conditions are decided exactly too), then
    ``cancel(a - b) == 0`` if no point could be evaluated.
    """
    a, b = sp.sympify(a), sp.sympify(b)
    if a == b:
        return True
    syms = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    rnd = random.Random(seed)
    checked = 0
    for _ in range(points):
        vals = {s: _draw(rnd, s) for s in syms}
        x, y = a.xreplace(vals), b.xreplace(vals)
        if not (x.is_number and y.is_number) or x.has(sp.nan, sp.zoo) or y.has(sp.nan, sp.zoo):
            continue
        if sp.simplify(x - y) != 0 if not (x.is_Rational and y.is_Rational) else x != y:
            return False
        checked += 1
    if checked:
        return True
    try:
        return sp.cancel(sp.together(a - b)) == 0
    except (sp.PolynomialError, TypeError):
        return False


def _same_relations(got, want, strict=True) -> str | None:
    if len(got) != len(want):
        return f"{len(got)} relations displayed, {len(want)} expected"
    for (gl, gop, gr), (wl, wop, wr) in zip(got, want):
        if not _same_relation(gl, gop, gr, wl, wop, wr, strict):
            return f"relation {gl} {gop} {gr} differs from {wl} {wop} {wr}"
    return None


_NEGATED = FLIP  # a op b read the other way round


def _same_relation(gl, gop, gr, wl, wop, wr, strict=True) -> bool:
    """Same relation as written; ``-x < 0`` displayed as ``x > 0`` (both sides negated) also counts.
    Not ``strict`` (a sympy relational, whose orientation sympy chose): ``b > a`` for ``a < b`` too."""
    if gop == wop and same(gl, wl) and same(gr, wr):
        return True
    if gop == _NEGATED[wop] and same(gl, -wl) and same(gr, -wr):
        return True
    return not strict and gop == _NEGATED[wop] and same(gl, wr) and same(gr, wl)


def _sorted_relations(rels):
    return sorted(rels, key=lambda r: (sp.srepr(r[0]), r[1]))


def _check_root(entry, symbols) -> str | None:
    """P(value) = 0 (exactly for a number, at seeded points for a parametric root) and,
    for a number, exactly one root of P in (lo, hi)."""
    var, lo, hi, value = entry.expected
    got = parse_tex(entry.tex, "expr", symbols, {})
    got = got.xreplace({s: var for s in got.free_symbols if s.name == var.name})
    if value.free_symbols:
        rnd = random.Random(0)
        for _ in range(4):
            pt = {s: sp.Rational(rnd.randint(11, 97), rnd.randint(11, 47)) for s in value.free_symbols}
            v = sp.N(value.xreplace(pt), 50)
            if abs(sp.N(got.xreplace(pt).xreplace({var: v}), 50)) > 1e-25:
                return f"polynomial {got} does not vanish at the root"
        return None
    if abs(sp.N(got.xreplace({var: sp.N(value, 50)}), 50)) > 1e-25:
        return f"polynomial {got} does not vanish at {value}"
    if sp.Poly(got, var).count_roots(lo, hi) != 1:
        return f"polynomial {got} has not exactly one root in ({lo}, {hi})"
    return None


def check_entry(entry: Entry, symbols: dict) -> str | None:
    """None if the displayed LaTeX denotes the expected form, else what differs."""
    if entry.kind == "root":
        try:
            return _check_root(entry, symbols)
        except RoundTripError as e:
            return str(e)
    try:
        got = parse_tex(entry.tex, entry.kind, symbols, entry.defs)
    except RoundTripError as e:
        return str(e)
    if entry.kind == "expr":
        return None if _same_value(got, entry.expected) else f"parsed {got} != expected {entry.expected}"
    if entry.kind == "condition":
        return _same_relations(_match_order(got, entry.expected, entry.strict), entry.expected, entry.strict)
    if len(got) != len(entry.expected):
        return f"{len(got)} branches displayed, {len(entry.expected)} expected"
    for k, ((gv, gc), (wv, wc)) in enumerate(zip(got, entry.expected), 1):
        if not same(gv, wv):
            return f"branch {k}: value {gv} != {wv}"
        if (gc is None) != (wc is None):
            return f"branch {k}: 'otherwise' mismatch"
        if gc is not None:
            msg = _same_relations(_match_order(gc, wc, entry.strict), wc, entry.strict)
            if msg:
                return f"branch {k}: {msg}"
    return None


def _same_value(got, want) -> bool:
    """``same``, element by element for a tuple and side by side for an equation of them."""
    if isinstance(want, sp.Eq) and isinstance(want.lhs, sp.Tuple):
        return isinstance(got, sp.Eq) and _same_value(got.lhs, want.lhs) and _same_value(got.rhs, want.rhs)
    if isinstance(want, sp.Tuple):
        return isinstance(got, sp.Tuple) and len(got) == len(want) and all(map(same, got, want))
    return not isinstance(got, (sp.Tuple, sp.Eq)) and same(got, want)


def _match_order(got, want, strict=True):
    """Order the parsed relations like the expected ones (chains reorder them)."""
    rest, out = list(got), []
    for wl, wop, wr in want:
        for i, (gl, gop, gr) in enumerate(rest):
            if _same_relation(gl, gop, gr, wl, wop, wr, strict):
                out.append(rest.pop(i))
                break
    return out + rest


def symbol_table(game, names=None) -> dict:
    """Parsed-name -> game symbol, found by parsing each symbol's own LaTeX."""
    from sympy.parsing.latex import parse_latex

    from openeq.export.latex.printer import game_names

    # Safe: a name's LaTeX is openeq's own, or a model file's [latex] value that
    # openeq.io.latexsafe admitted at load (whitelisted math markup); the lark grammar
    # builds sympy objects and evaluates no Python.
    table = game_names(game)
    ns = game.namespace
    out = {}
    for name, sym in ns.items():
        parsed = parse_latex(table[name], backend="lark")
        if not isinstance(parsed, sp.Symbol):
            raise RoundTripError(f"the LaTeX name of {name!r} does not parse as one symbol: {table[name]!r}")
        out[parsed.name] = sym
    return out


def _free(x):
    if isinstance(x, sp.Basic):
        return x.free_symbols
    if isinstance(x, (list, tuple)):
        return set().union(set(), *[_free(y) for y in x])
    return set()


def _extra_symbols(entries, known) -> dict:
    """Symbols of other games a result may show (``c_0`` of a variant): parsed name -> symbol."""
    from openeq.export.latex.printer import Printer

    out = {}
    syms = set()
    for entry in entries:
        syms |= _free(entry.expected) | set().union(set(), *[_free(v) for v in entry.defs.values()])
    for s in sorted(syms, key=lambda x: x.name):
        try:
            parsed = _lark(Printer().doprint(s), False)
        except RoundTripError:  # a name lark cannot read is reported by the check itself
            continue
        if isinstance(parsed, sp.Symbol) and parsed.name not in known:
            out.setdefault(parsed.name, s)
    return out


def check(registry: Registry, game) -> list:
    """All failures as (entry, message); an empty list means every form round-trips."""
    symbols = symbol_table(game)
    symbols = {**_extra_symbols(registry.entries, symbols), **symbols}
    DOMAINS.clear()
    for name, par in game.parameters.items():
        lo = par.domain.lo if par.domain.lo.is_finite else None
        hi = par.domain.hi if par.domain.hi.is_finite else None
        DOMAINS[name] = (lo, hi)
    bad = []
    for e in registry.entries:
        msg = check_entry(e, symbols)
        if msg:
            bad.append((e, msg))
    return bad
