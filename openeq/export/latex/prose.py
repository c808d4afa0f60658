"""Plain text of derivations (statements, claims, step notes) typeset for LaTeX.

The texts mix prose with the game's names and small formulas, written in
Python/sympy notation: ``"d alpha1*/d omega > 0"``, ``"comply iff p >= theta*(...)"``.

* a formula in sympy syntax (``**``, ``*(``, ``>=``) is read from its ``ast`` by a
  whitelist (nothing is evaluated as Python, see :mod:`openeq.export.latex.formula`)
  and printed by openeq's printer;
* otherwise the text is split into tokens; names (``alpha0``, ``omega_hat``,
  ``U_D*``, ``theta_W0``), operators and numbers next to them are joined into
  ``$...$`` spans, everything else is escaped text.

Text that came from the model file -- its title, description and region labels -- is
*free text*: it is never read as a formula, only split into tokens (a declared name
prints in the game's notation, everything else is escaped).
"""
from __future__ import annotations

import re

import sympy as sp

from openeq.export.latex.formula import read_formula
from openeq.export.latex.printer import _GREEK, _SIGN_OP, _printer, _text, game_names, name_latex

__all__ = ["text_latex", "name_display", "result_latex"]

_TOKEN = re.compile(r"\s+|[A-Za-z][A-Za-z0-9_]*\*?|[0-9]+(?:\.[0-9]+)?|->|>=|<=|!=|==|.", re.S)
_OPS = {"->": r"\to", ">=": r"\ge", "<=": r"\le", "!=": r"\neq", "==": "=", "=": "=", "<": "<", ">": ">", "+": "+",
        "-": "-", "/": "/", "*": r"\cdot", "^": "^"}
_ENGLISH = {"a", "A", "I", "i", "s", "e", "at", "in", "is", "of", "on", "or", "to", "as", "be", "by", "if",
            "it", "no", "so", "we", "an", "up", "and", "the", "iff", "not", "for", "with", "its", "are", "all"}


def _ident(word, table):
    """LaTeX of a name, or None if the word is prose."""
    star = word.endswith("*")
    core = word.rstrip("*")
    if core in _ENGLISH:
        return None
    tex = None
    base = core.split("_")[0]
    if core in ("min", "max"):
        tex = "\\" + core
    elif re.fullmatch(r"U_[A-Z]\w*", core):
        tex = f"U_{{{core[2:]}}}"
    elif re.fullmatch(r"d[A-Z]\w*", core) and (core[1:] in table or core[1] in "UW"):
        tex = r"\Delta " + (table.get(core[1:]) or _ident(core[1:], table) or core[1:])
    elif core in table or base in table or base in _GREEK or core in _GREEK:
        tex = name_latex(core, table=table)
    elif re.fullmatch(r"[A-Za-z](_[A-Za-z0-9]{1,2}|[0-9]{1,2})?|[A-Z]_[A-Za-z0-9]+", core):
        tex = name_latex(core, table=table)
    if tex is None:
        return None
    return tex + ("^{*}" if star else "")


def _sympy_span(s, game, printer):
    """Find a formula in sympy syntax inside the text: (before, LaTeX, after) or None."""
    if game is None or not re.search(r"\*\*|\w\*\w", s):
        return None
    ns = dict(game.namespace)
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=\s))\S", s)]
    ends = sorted({m.start() for m in re.finditer(r"[:;,]\s|\.\s|\.$|\s\(", s)} | {len(s)}, reverse=True)
    for start in starts:
        for end in ends:
            if end <= start:
                break
            part = s[start:end].strip()
            if not re.search(r"\*\*|\w\*\w", part):
                break
            e = _parse(part, ns)
            if not isinstance(e, (sp.Expr, sp.core.relational.Relational)) or any(
                    isinstance(f, sp.core.function.AppliedUndef) for f in e.atoms(sp.Function)):
                continue
            return s[:start], printer.doprint(e), s[end:]
    return None


def _parse(part, ns):
    """A formula in sympy syntax (``a = b`` read as an equation), or None; read by the
    ast whitelist of :mod:`openeq.export.latex.formula`, never evaluated."""
    e = read_formula(part, ns)
    if e is not None:
        return e
    if re.fullmatch(r"[^=<>!]+=[^=<>]+", part):
        sides = [read_formula(side, ns) for side in part.split("=")]
        return sp.Eq(*sides, evaluate=False) if all(isinstance(x, sp.Expr) for x in sides) else None
    return None


def _free_text(s, game) -> bool:
    """Whether ``s`` is text of the model file (title, description, a region label)."""
    if game is None:
        return False
    norm = " ".join(s.split())
    texts = [game.title or "", game.description or "", *game.labels.values()]
    return any(norm in (" ".join(t.split()), " ".join(t.replace("_", " ").split())) for t in texts if t)


def text_latex(s, game=None, printer=None) -> str:
    """Prose with math spans (see the module docstring)."""
    from openeq.export.latex.printer import Printer

    s = str(s)
    table = game_names(game)
    printer = printer or Printer(table)
    split = None if _free_text(s, game) else _sympy_span(s, game, printer)
    if split is not None:
        head, tex, tail = split
        return text_latex(head, game, printer).rstrip() + f" ${tex}$" + text_latex(tail, game, printer)
    toks = [m.group(0) for m in _TOKEN.finditer(s)]
    kind = []  # 'm' math, 'g' glue (math between math), 't' text, 's' space
    for k, t in enumerate(toks):
        if t.isspace():
            kind.append("s")
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*\*?", t):
            if t == "d" and k + 1 < len(toks) and toks[k + 1] == "^":
                kind.append("m")
            elif t == "d" and k + 2 < len(toks) and toks[k + 1].isspace() and _ident(toks[k + 2], table):
                kind.append("m")
            else:
                kind.append("m" if _ident(t, table) else "t")
        elif t in _OPS or t[0].isdigit() or t in "()":
            kind.append("g")
        else:
            kind.append("t")
    # glue tokens become math when a math token is reachable on both sides (numbers/operators on one)
    def near(k, step):
        j = k + step
        while 0 <= j < len(toks) and kind[j] in ("s", "g"):
            j += step
        return 0 <= j < len(toks) and kind[j] == "m"

    final = []
    for k, t in enumerate(toks):
        if kind[k] == "g":
            one_side = t not in "()" and (near(k, -1) or near(k, 1))
            final.append("m" if (near(k, -1) and near(k, 1)) or one_side else "t")
        else:
            final.append(kind[k])
    for k, t in enumerate(toks):  # f(x, y) after a name: the whole group is math if its content is
        if t != "(" or not near(k, -1) or not (k and toks[k - 1] != " " or k == 0):
            continue
        depth, j = 0, k
        while j < len(toks):
            depth += {"(": 1, ")": -1}.get(toks[j], 0)
            if depth == 0:
                break
            j += 1
        inner = range(k + 1, j)
        if j < len(toks) and all(kind[i] in ("m", "g", "s") or toks[i] == "," for i in inner):
            for i in range(k, j + 1):
                final[i] = "m" if not toks[i].isspace() else final[i]
    out, span = [], []

    def flush():
        trailing = ""
        while span and span[-1].isspace():
            span.pop()
            trailing = " "
        items = [t for t in span if not t.isspace()]
        if items:
            out.append("$" + " ".join(_tok_tex(t, items[i + 1:], table) for i, t in enumerate(items)) + "$")
        out.append(trailing)
        span.clear()

    for k, t in enumerate(toks):
        if final[k] == "m" or (final[k] == "s" and span):
            span.append(t)
        else:
            flush()
            out.append(f"${_OPS[t]}$" if t in _OPS and t not in "-/" else _text(t))
    flush()
    return "".join(out)


def _tok_tex(t, after, table):
    if t == "d" and after and (after[0] == "^" or _ident(after[0], table)):
        return r"\partial"
    if t in _OPS:
        return _OPS[t]
    if t in "()," or t[0].isdigit():
        return t
    return _ident(t, table) or rf"\text{{{_text(t)}}}"


_QUALIFIER = re.compile(r"\s*(\[[^\]]*\]|\([^()]*\b(?!alpha|theta|omega|delta|gamma|epsilon)[a-z]{3,}\b[^()]*\))\s*$")


def name_display(name, game=None, printer=None) -> tuple:
    """A result's expression name -> (math LaTeX, qualifier text): ``"theta*(alpha0, p) [closed]"``
    -> (``\\theta^{*}(\\alpha_0, p)``, ``closed``)."""
    quals = []
    m = _QUALIFIER.search(name)
    while m and m.start() > 0:
        quals.insert(0, m.group(1)[1:-1])
        name = name[:m.start()]
        m = _QUALIFIER.search(name)
    label = ""
    if ":" in name:
        label, name = (x.strip() for x in name.split(":", 1))
    tex = text_latex(name, game, printer).strip()
    if re.fullmatch(r"\$[^$]*\$", tex):
        math = tex[1:-1]
    else:  # mixed prose: keep it as text inside math
        math = r"\text{%s}" % tex
    qual = ", ".join(text_latex(q, game, printer) for q in ([label] if label else []) + quals)
    return math, qual


def result_latex(result, game=None) -> str:
    """A result for Jupyter: title, closed forms and claims in one ``aligned`` block."""
    p = _printer(game)
    lines = [r"&\text{%s. %s}" % (_text(result.key), _text(result.title))]
    for name, e in result.expressions.items():
        head, qual = name_display(name, game, p)
        lines.append(f"{head} &= {p.doprint(sp.sympify(e))}" + (r"\quad \text{(%s)}" % _text(qual.replace("$", "")) if qual else ""))
    for c in result.claims:
        if c.expr is not None:
            lines.append(r"&%s %s 0 \quad \text{(%s)}" % (p.doprint(sp.sympify(c.expr)), _SIGN_OP.get(c.sign, "?"),
                                                           "proved" if c.proved else "numeric"))
    return "$\\displaystyle " + r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}" + "$"
