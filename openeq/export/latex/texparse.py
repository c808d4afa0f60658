"""Reading the appendix's LaTeX back into sympy, for the round-trip check (openeq.export.latex.roundtrip).

A displayed form is normalised (spacing, \\left/\\right, \\mathrm), its implicit
products made explicit, ``cases`` blocks and named roots replaced by placeholders,
and the rest parsed by sympy's LaTeX parser (the lark back end) or, where that
fails, by a small structured parser of our own.  The text parsed here is the
appendix openeq itself wrote; it is never a model file's text."""
from __future__ import annotations

import re
from functools import lru_cache
import sympy as sp
from openeq.core.relations import SYMPY

__all__ = ['RoundTripError', 'parse_value', 'parse_condition', 'parse_bool', 'parse_cases', 'parse_tex']


class RoundTripError(ValueError):
    pass


# --------------------------------------------------------------------- parsing
_DROP = [r"\left", r"\right", r"\bigl", r"\bigr", r"\mathopen{}", r"\mathclose{}", r"\displaystyle", r"\allowbreak",
         r"\!", r"\,", r"\;", r"\:", r"\qquad", r"\quad", r"\ "]


_INFIX = {"cdot", "times", "le", "ge", "leq", "geq", "neq", "lt", "gt", "wedge"}


_FUNCS = {"min", "max", "log", "ln", "exp", "sin", "cos", "tan", "arcsin", "arccos", "arctan"}


_ARGS = {"frac": 2, "dfrac": 2, "tfrac": 2, "sqrt": 1, "mathit": 1, "mathrm": 1}
_WORDS = {"mathit", "mathrm"}


_OPS = [(r"\leq", "<="), (r"\geq", ">="), (r"\le", "<="), (r"\ge", ">="), (r"\neq", "!="), ("<", "<"), (">", ">"), ("=", "==")]


def _normalise(tex: str) -> str:
    # a long form broken over lines (printer.broken): \begin{aligned}[t] & a \\ & + b \end{aligned};
    # the line breaks go first, or dropping the spacing command "\ " would split "\\ "
    s = re.sub(r"\\(begin|end)\{aligned\}(\[t\])?", " ", tex).replace("&", " ").replace(r"\\", " ")
    for d in _DROP:
        s = s.replace(d, " ")
    return _explicit_products(_without_text(s))


def _without_text(s: str) -> str:
    """``s`` with every ``\\text{..}`` (``textsf``, ``textrm``, ``textbf``) dropped, braces balanced
    (a region's note such as ``\\text{($g_{1} = 0$)}`` holds math with braces)."""
    out, i = [], 0
    for m in re.finditer(r"\\text(sf|rm|bf)?\{", s):
        if m.start() < i:
            continue
        out += [s[i:m.start()], " "]
        i = _group(s, m.end() - 1)
    return "".join(out) + s[i:]


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
                inner = s[i + 1:j - 1]  # a word in \mathit{cL} / \mathrm{..} is one name, not a product
                atom += "{" + (inner.strip() if name in _WORDS else _explicit_products(inner)) + "}"
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

    # Safe: ``s`` is LaTeX that openeq's printer wrote from sympy expressions.  The only
    # model-file text in it is a symbol's [latex] name, which openeq.io.latexsafe admitted at
    # load (whitelisted math markup); the lark grammar builds sympy objects and evaluates
    # no Python.
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
        poly = parse_value(inner, sub)
        s = s[:i] + " " + ctx.fresh(sp.CRootOf(poly, int(m.group(1)) - 1)) + " " + s[j:]
    return s


def parse_value(tex: str, ctx: _Context):
    """A value; a list ``a, b`` or ``(a, b)`` is a Tuple, and ``(x, y) = (a, b)`` an equation."""
    s = ctx.substitute_defs(tex)
    s = _roots(s, ctx)
    s = _cases_blocks(s, ctx)
    s = _normalise(s)
    sides = _split(s, ["="])
    if len(sides) == 2:
        return sp.Eq(_one_or_tuple(sides[0][0], ctx), _one_or_tuple(sides[1][0], ctx), evaluate=False)
    return _one_or_tuple(s, ctx)


def _one_or_tuple(s: str, ctx: _Context):
    parts = _split(s, [","])
    t = s.strip()
    if len(parts) == 1 and t.startswith("(") and _group(t, 0) == len(t):
        parts = _split(t[1:-1], [","])
    if len(parts) == 1:
        return _parse_one(s, ctx)
    return sp.Tuple(*[_parse_one(p, ctx) for p, _ in parts])


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
            out.append((parse_value(value, ctx), c))
            continue
        rels = parse_condition(cond, ctx)
        out.append((parse_value(value, ctx), None if otherwise and not rels else rels))
    return out


def parse_tex(tex: str, kind: str, symbols: dict, defs=None):
    """Parse a displayed form; ``symbols``: parsed name -> game symbol."""
    ctx = _Context(symbols, {})
    if defs:
        ctx.defs = sorted(((t, v) for t, v in defs.items()), key=lambda kv: -len(kv[0]))
    return {"expr": parse_value, "condition": parse_condition, "cases": parse_cases}[kind](tex, ctx)


# ------------------------------------------------------------------ comparing
def _rel(lhs, op, rhs):
    return SYMPY[op](lhs, rhs, evaluate=False)
