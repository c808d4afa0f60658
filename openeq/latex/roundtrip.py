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
import re
from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

__all__ = ["Registry", "Entry", "parse_tex", "check", "check_entry", "RoundTripError"]


class RoundTripError(ValueError):
    pass


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


# --------------------------------------------------------------------- parsing
_DROP = [r"\left", r"\right", r"\mathopen{}", r"\mathclose{}", r"\displaystyle", r"\allowbreak",
         r"\!", r"\,", r"\;", r"\:", r"\qquad", r"\quad", r"\ "]
_INFIX = {"cdot", "times", "le", "ge", "leq", "geq", "neq", "lt", "gt", "wedge"}
_FUNCS = {"min", "max", "log", "ln", "exp", "sin", "cos", "tan", "arcsin", "arccos", "arctan"}
_ARGS = {"frac": 2, "dfrac": 2, "tfrac": 2, "sqrt": 1, "mathit": 1, "mathrm": 1}
_OPS = [(r"\leq", "<="), (r"\geq", ">="), (r"\le", "<="), (r"\ge", ">="), (r"\neq", "!="), ("<", "<"), (">", ">"), ("=", "==")]


def _normalise(tex: str) -> str:
    s = tex
    for d in _DROP:
        s = s.replace(d, " ")
    s = re.sub(r"\\text(sf|rm|bf)?\{[^{}]*\}", " ", s)
    return _explicit_products(s)


def _group(s: str, i: int) -> int:
    """Index just past the group opened at ``s[i]`` (``{`` or ``(``)."""
    close = {"{": "}", "(": ")"}[s[i]]
    depth = 0
    for j in range(i, len(s)):
        depth += 1 if s[j] == s[i] else -1 if s[j] == close else 0
        if depth == 0:
            return j + 1
    raise RoundTripError(f"unbalanced {s[i]!r} in {s!r}")


def _explicit_products(s: str) -> str:
    """Write every product with ``\\cdot``: lark reads no factor juxtaposed after a power
    (``x^{2} y``) nor after a ``\\cdot`` (``a \\cdot b c``)."""
    out, i, prev = [], 0, False
    while i < len(s):
        ch = s[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+)", s[i:])
            if not m:
                raise RoundTripError(f"unexpected {s[i:i + 2]!r} in {s!r}")
            name, i = m.group(1), i + m.end()
            if name in _INFIX:
                out.append(f" \\{name} ")
                prev = False
                continue
            atom = "\\" + name
            if name in _FUNCS:  # \min(...): the argument group belongs to the function
                while i < len(s) and s[i].isspace():
                    i += 1
                if i < len(s) and s[i] == "{":  # \cos{(x)}: sympy's braces around the argument
                    j = _group(s, i)
                    s = s[:i] + s[i + 1:j - 1] + s[j:]
                    while i < len(s) and s[i].isspace():
                        i += 1
                if i < len(s) and s[i] == "(":
                    j = _group(s, i)
                    atom += "(" + _explicit_products(s[i + 1:j - 1]) + ")"
                    i = j
            for _ in range(_ARGS.get(name, 0)):
                while s[i].isspace():
                    i += 1
                j = _group(s, i)
                atom += "{" + _explicit_products(s[i + 1:j - 1]) + "}"
                i = j
        elif ch.isalpha():
            atom, i = ch, i + 1
        elif ch.isdigit() or ch == ".":
            m = re.match(r"[0-9.]+", s[i:])
            atom, i = m.group(0), i + m.end()
        elif ch in "({":
            j = _group(s, i)
            atom = ch + _explicit_products(s[i + 1:j - 1]) + s[j - 1]
            i = j
        else:  # an operator: + - = < > , / ...
            out.append(f" {ch} ")
            prev, i = False, i + 1
            continue
        while i < len(s) and s[i] in "_^":  # sub- and superscripts stay attached
            mark, i = s[i], i + 1
            j = _group(s, i) if s[i] == "{" else i + 1
            inner = s[i:j]
            atom += mark + ("{" + _explicit_products(inner[1:-1]) + "}" if mark == "^" and inner[0] == "{" else inner)
            i = j
        out.append((" \\cdot " if prev else " ") + atom)
        prev = True
    return "".join(out).strip()


def _placeholder(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        letters = chr(97 + r) + letters
    return "zq" + letters


def _split(s: str, seps) -> list:
    """Split at separators outside braces, brackets and environments."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        if s.startswith(r"\begin{", i) or s.startswith(r"\end{", i):
            depth += 1 if s[i + 1] == "b" else -1
            i = s.index("}", i) + 1
            continue
        ch = s[i]
        if ch == "\\" and i + 1 < len(s) and s[i + 1] in "{}":
            i += 2
            continue
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif depth == 0:
            for sep in seps:
                if s.startswith(sep, i) and not (sep[0] == "\\" and s[i + len(sep):i + len(sep) + 1].isalpha()):
                    parts.append((s[start:i], sep))
                    start = i + len(sep)
                    i = start - 1
                    break
        i += 1
    parts.append((s[start:], None))
    return parts


def _resolve(tree, want_rel=False):
    """Pick the reading of an ambiguous lark parse: no undefined functions (products instead)."""
    from lark import Tree

    if not isinstance(tree, Tree):
        return tree
    def plain(a):
        if not isinstance(a, sp.Basic) or a.atoms(sp.core.function.AppliedUndef):
            return False
        rels = [x for x in sp.preorder_traversal(a) if isinstance(x, sp.core.relational.Relational)]
        return len(rels) == 1 and rels[0] is a if want_rel else not rels

    for a in (_resolve(c, want_rel) for c in tree.children):
        if plain(a):
            return a
    raise RoundTripError(f"ambiguous parse with no plain reading: {tree}")


class _Context:
    def __init__(self, symbols: dict, defs: dict, allow_unknown=False):
        self.allow_unknown = allow_unknown  # a root's polynomial variable is any letter
        self.symbols = dict(symbols)  # parsed-symbol name -> sympy (game symbols, placeholders)
        self.defs = sorted(defs.items(), key=lambda kv: -len(kv[0]))
        self.n = 0

    def fresh(self, value) -> str:
        name = _placeholder(self.n)
        self.n += 1
        tex = f"Z_{{{name}}}"
        self.symbols[f"Z_{{{name}}}"] = value
        return tex

    def substitute_defs(self, s: str) -> str:
        for tex, value in self.defs:
            if tex in s:
                s = s.replace(tex, " " + self.fresh(value) + " ")
        return s


@lru_cache(maxsize=4096)
def _lark(s: str, want_rel: bool):
    """``parse_latex(s, backend="lark")`` with its ambiguity resolved (memoised: conditions repeat)."""
    from sympy.parsing.latex import parse_latex

    try:
        out = parse_latex(s, backend="lark")
    except Exception as e:  # lark raises its own exception types
        raise RoundTripError(f"cannot parse {s!r}: {str(e).splitlines()[0]}") from None
    return _resolve(out, want_rel)


def _split_top(s: str, seps) -> list:
    """Split a normalised form at binary operators outside groups: [(operator, piece)]."""
    out, depth, start, op, i = [], 0, 0, None, 0
    while i < len(s):
        ch = s[i]
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif depth == 0 and i > 0:
            for sep in seps:
                if s.startswith(sep, i) and s[:i].strip() and s[:i].strip()[-1] not in "+-=<>,(" \
                        and not s[:i].rstrip().endswith(r"\cdot"):
                    out.append((op, s[start:i]))
                    op, start = sep.strip(), i + len(sep)
                    i = start - 1
                    break
        i += 1
    out.append((op, s[start:]))
    return out


_SP_FUNCS = {"min": sp.Min, "max": sp.Max, "cos": sp.cos, "sin": sp.sin, "tan": sp.tan, "arccos": sp.acos,
             "arcsin": sp.asin, "arctan": sp.atan, "exp": sp.exp, "log": sp.log}


def _structured(s: str, want_rel: bool):
    """Parse a normalised form: sums, products, fractions and brackets are split here, the
    pieces (symbols, powers, roots, functions) are parsed by lark -- whose Earley parser
    takes time superlinear in the length of its input."""
    s = s.strip()
    if want_rel:
        return _lark(s, True)
    terms = _split_top(s, (" + ", " - "))
    if len(terms) > 1:
        return sp.Add(*[(-1 if op == "-" else 1) * _structured(t, False) for op, t in terms])
    factors = _split_top(s, (r" \cdot ",))
    if len(factors) > 1:
        return sp.Mul(*[_structured(f, False) for _, f in factors])
    if s.startswith("-"):
        return -_structured(s[1:], False)
    if s.startswith(r"\frac{"):
        i = _group(s, len(r"\frac"))
        j = _group(s, i) if i < len(s) and s[i] == "{" else -1
        if j == len(s):
            return _structured(s[len(r"\frac") + 1:i - 1], False) / _structured(s[i + 1:j - 1], False)
    if s.startswith(r"\sqrt{"):
        j = _group(s, len(r"\sqrt"))
        if j == len(s):
            return sp.sqrt(_structured(s[len(r"\sqrt") + 1:j - 1], False))
    m = re.match(r"\\(min|max|cos|sin|tan|arccos|arcsin|arctan|exp|log)\(", s)
    if m and _group(s, m.end() - 1) == len(s):
        args = [_structured(a, False) for _, a in _split_top(s[m.end():-1], (" , ", ", ", ","))]
        return _SP_FUNCS[m.group(1)](*args)
    if s.startswith("("):
        j = _group(s, 0)
        if j == len(s):
            return _structured(s[1:-1], False)
        if s[j:j + 2] == "^{" and _group(s, j + 1) == len(s):
            return _structured(s[1:j - 1], False) ** _structured(s[j + 2:-1], False)
    return _lark(s, False)


def _parse_one(s: str, ctx: _Context, want_rel=False):
    s = " ".join(s.split())
    out = _structured(s, want_rel)
    repl = {sym: ctx.symbols[sym.name] for sym in out.free_symbols if sym.name in ctx.symbols}
    missing = [sym.name for sym in out.free_symbols if sym.name not in ctx.symbols]
    if missing and not ctx.allow_unknown:
        raise RoundTripError(f"unknown symbols {sorted(missing)} in {s!r}")
    return out.xreplace(repl)


def _cases_blocks(s: str, ctx: _Context) -> str:
    """Replace each top-level ``cases`` block by a placeholder for its Piecewise."""
    while r"\begin{cases}" in s:
        i = s.index(r"\begin{cases}")
        j, depth = i + len(r"\begin{cases}"), 1
        while depth:
            nb, ne = s.find(r"\begin{", j), s.find(r"\end{", j)
            if ne < 0:
                raise RoundTripError("unbalanced cases block")
            if 0 <= nb < ne:
                depth, j = depth + 1, nb + 7
            else:
                depth, j = depth - 1, ne + 5
        end = s.index("}", j) + 1
        pw = sp.Piecewise(*parse_cases(s[i:end], ctx, boolean=True))
        s = s[:i] + " " + ctx.fresh(pw) + " " + s[end:]
    return s


_ROOT = r"\operatorname{root}_{"


def _roots(s: str, ctx: _Context) -> str:
    """``\\operatorname{root}_{k}\\left(P\\right)`` -> a placeholder for ``CRootOf(P, k - 1)``."""
    while _ROOT in s:
        i = s.index(_ROOT)
        m = re.match(r"(\d+)\}\s*\\left\(", s[i + len(_ROOT):])
        if not m:
            raise RoundTripError(f"malformed root in {s[i:i + 60]!r}")
        start = i + len(_ROOT) + m.end()
        depth, j = 1, start
        while depth:
            if s.startswith(r"\left(", j):
                depth, j = depth + 1, j + 6
            elif s.startswith(r"\right)", j):
                depth, j = depth - 1, j + 7
            elif j >= len(s):
                raise RoundTripError("unbalanced root")
            else:
                j += 1
        inner = s[start:j - 7]
        sub = _Context(ctx.symbols, {}, allow_unknown=True)
        poly = parse_expr(inner, sub)
        s = s[:i] + " " + ctx.fresh(sp.CRootOf(poly, int(m.group(1)) - 1)) + " " + s[j:]
    return s


def parse_expr(tex: str, ctx: _Context):
    s = ctx.substitute_defs(tex)
    s = _roots(s, ctx)
    s = _cases_blocks(s, ctx)
    return _parse_one(_normalise(s), ctx)


def parse_condition(tex: str, ctx: _Context) -> list:
    """``A,\\ B`` (chains ``a < x \\le b`` allowed) -> list of (lhs, op, rhs)."""
    s = ctx.substitute_defs(tex)
    s = re.sub(r"\\(begin|end)\{(array|aligned)\}(\[[a-z]\])?(\{[^{}]*\})?", " ", s)
    s = s.replace(r"\\", " ").replace("&", " ").replace(r"\wedge", ",")
    s = _normalise(s)
    if not s.strip():
        return []
    out = []
    for piece, _ in _split(s, [","]):
        if not piece.strip():
            continue
        sides = _split(piece, [t for t, _ in _OPS])
        exprs = [_parse_one(side, ctx) for side, _ in sides]
        ops = [dict(_OPS)[sep] for _, sep in sides[:-1]]
        if not ops:
            raise RoundTripError(f"not a relation: {piece!r}")
        if len(ops) == 2:  # a chain lo < x <= hi: x is the subject of both bounds
            flip = {"<": ">", "<=": ">="}
            if ops[0] not in flip or ops[1] not in flip:
                raise RoundTripError(f"not a chain: {piece!r}")
            out += [(exprs[1], flip[ops[0]], exprs[0]), (exprs[1], ops[1], exprs[2])]
        elif len(ops) == 1:
            out.append((exprs[0], ops[0], exprs[1]))
        else:
            raise RoundTripError(f"too many relations in {piece!r}")
    return out


def parse_bool(tex: str, ctx: _Context):
    """A condition with ``\\text{or}`` and parentheses -> a sympy Boolean."""
    s = _clean(tex)
    parts = [p for p, _ in _split(s, [r"\ \text{or}\ "])]
    if len(parts) > 1:
        return sp.Or(*[parse_bool(p, ctx) for p in parts])
    m = re.fullmatch(r"\\left\((.*)\\right\)", s, re.S)
    if m and _balanced(m.group(1)):
        return parse_bool(m.group(1), ctx)
    pieces = [_clean(p) for p, _ in _split(s, [","])]
    pieces = [p for p in pieces if p]
    if len(pieces) > 1:
        return sp.And(*[parse_bool(p, ctx) for p in pieces])
    rels = parse_condition(s, ctx)
    return sp.And(*[_rel(*r) for r in rels]) if rels else sp.true


def _clean(s: str) -> str:
    """Strip spaces, control spaces and line breaks around a piece of a condition."""
    s = s.strip()
    while True:
        t = re.sub(r"^(\\ |\\\\|&)\s*|\s*(\\ |\\\\|&)$", "", s).strip()
        if t == s:
            return s
        s = t


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def parse_cases(tex: str, ctx: _Context, boolean=False) -> list:
    s = tex.strip()
    if not (s.startswith(r"\begin{cases}") and s.endswith(r"\end{cases}")):
        raise RoundTripError(f"not a cases block: {s[:40]!r}")
    body = s[len(r"\begin{cases}"):-len(r"\end{cases}")]
    out = []
    for row, _ in _split(body, [r"\\"]):
        row = re.sub(r"^\s*\[[0-9.]+ex\]", "", row)  # row spacing \\[1ex]
        if not row.strip():
            continue
        cells = _split(row, ["&"])
        value, cond = cells[0][0], "".join(c for c, _ in cells[1:])
        otherwise = r"\text{otherwise}" in cond
        if boolean:
            c = sp.true if otherwise else parse_bool(re.sub(r"\\text\{if \}|\\quad\\text\{[^{}]*\}", " ", cond), ctx)
            out.append((parse_expr(value, ctx), c))
            continue
        rels = parse_condition(cond, ctx)
        out.append((parse_expr(value, ctx), None if otherwise and not rels else rels))
    return out


def parse_tex(tex: str, kind: str, symbols: dict, defs=None):
    """Parse a displayed form; ``symbols``: parsed name -> game symbol."""
    ctx = _Context(symbols, {})
    if defs:
        ctx.defs = sorted(((t, v) for t, v in defs.items()), key=lambda kv: -len(kv[0]))
    return {"expr": parse_expr, "condition": parse_condition, "cases": parse_cases}[kind](tex, ctx)


# ------------------------------------------------------------------ comparing
def _rel(lhs, op, rhs):
    return {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}[op](lhs, rhs, evaluate=False)


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
        vals = {s: sp.Rational(rnd.randint(101, 997), rnd.randint(101, 499)) for s in syms}
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


_NEGATED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


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


def check_entry(entry: Entry, symbols: dict) -> str | None:
    """None if the displayed LaTeX denotes the expected form, else what differs."""
    try:
        got = parse_tex(entry.tex, entry.kind, symbols, entry.defs)
    except RoundTripError as e:
        return str(e)
    if entry.kind == "expr":
        return None if same(got, entry.expected) else f"parsed {got} != expected {entry.expected}"
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

    from .printer import game_names

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
    from .printer import Printer

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
    bad = []
    for e in registry.entries:
        msg = check_entry(e, symbols)
        if msg:
            bad.append((e, msg))
    return bad
