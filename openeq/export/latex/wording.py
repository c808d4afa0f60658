"""Text a referee reads: the derivations' notes rewritten without engine or code words,
and formulas written in Python syntax typeset through the safe parser.

A derivation note such as ``"unregulated game fix(game, p=0) solved by the engine"``
becomes ``"unregulated game ($p = 0$) solved by backward induction"``.  The rewrite
is a fixed table of patterns (:data:`REWRITES`), applied in order; the words that must
never reach the appendix are :data:`FORBIDDEN` (``tests/test_appendix_quality.py``
checks every generated appendix against it).

A formula in Python syntax inside a note (``U_G = (2*c0*delta + ...)/(2*c0*c1)``) is
found by its operators (``**``, ``x*y``) and read by
:func:`openeq.io.expressions.parse_expression` -- the whitelisting parser, which
builds the expression from the syntax tree and evaluates nothing -- over the game's
symbols and, for names of other games (``c0``), plain real symbols.  What it cannot
read stays text.
"""
from __future__ import annotations

import re

import sympy as sp

__all__ = ["FORBIDDEN", "REWRITES", "referee", "formula_spans", "forbidden_in", "typeset", "region_note"]

#: words that no generated appendix may contain (as text a reader sees)
FORBIDDEN = ("engine", "fix(", "True", "False", "_hat", "already_open", "piece", "root_", "CRootOf",
             "(proved)", "sympy", "nan", "None")

#: (pattern, replacement) applied in order to every note, statement and claim
REWRITES = [
    (r"\bfix\(\s*game\s*,\s*([^()]*)\)", r"(\1)"),
    (r"\bThe engine finds\b", "The equilibrium has"),
    (r"\bthe engine finds\b", "the equilibrium has"),
    (r"\s*\bsolved by the engine\b", " solved by backward induction"),
    (r"\bequilibrium payoffs from the engine\b", "equilibrium payoffs"),
    (r"\bread from the engine's comparison\b", "read from the comparison of the candidates"),
    (r"\bfrom the engine\b", ""),
    (r"\bthe engine's\b", "the"),
    (r"\bThe engine's\b", "The"),
    (r"\bby the engine\b", ""),
    (r"\bengine\b", "derivation"),
    (r"\(penalty condition replaced by True\)", "(the penalty applies to every model)"),
    (r"\bcondition True\b", "no condition"),
    (r"\breplaced by True\b", "dropped"),
    (r"\bTrue\b", "true"),
    (r"\bFalse\b", "false"),
    (r"\bNone\b", "none"),
    (r"\bnan\b", "undefined"),
    (r"\bsympy\.solve\b", "solving"),
    (r"\bsympy\b", "computer algebra"),
    (r"\bpiece (\d+)\b", lambda m: f"case {int(m.group(1)) + 1}"),
    (r"\bpieces?\b", "case"),
    (r"\s*\(proved\)", ""),
    (r"\s*\[numeric(?:, \d+ points)?\]", ""),
    (r"\bFOC\b", "first-order condition"),
    (r"\bCRootOf\b", "root"),
    (r"\bSOC\b", "second-order condition"),
    (r"\bd([A-Z]\w*)/d([a-z]\w+)\b", r"d \1/d \2"),
    (r"\beffect no_effect\b", "no effect"),
    (r"\bno_effect\b", "no effect"),
    (r"\butility_shift\b", "utility shift"),
    (r"\bdeadweight_loss\b", "deadweight loss"),
]
_COMPILED = [(re.compile(p), r) for p, r in REWRITES]


def referee(text, labels=()) -> str:
    """``text`` without engine or code words; region labels (``already_open``) in words."""
    s = " ".join(str(text).split())
    for pat, rep in _COMPILED:
        s = pat.sub(rep, s)
    for lab in sorted(labels, key=len, reverse=True):
        if "_" in lab:
            s = re.sub(rf"'?\b{re.escape(lab)}\b'?", lab.replace("_", " "), s)
    s = re.sub(r"\b\d+\.\d{7,}\b", lambda m: f"{float(m.group(0)):.6g}", s)  # no 19-digit decimals
    s = re.sub(r"\s+([,.;:])", r"\1", s)
    return re.sub(r"\s{2,}", " ", s).strip()


_RUN = re.compile(r"[A-Za-z0-9_*/+\-().,\s<>=!]+")
_OPERATOR = re.compile(r"\*\*|\w\*\w|\w\*\(|\)\*\w|\)\*\(")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCS = {"sqrt", "Min", "Max", "exp", "log", "Abs", "Piecewise", "cos", "acos"}
_RELOP = re.compile(r"(<=|>=|==|!=|<|>|=)")


def _parse(text, namespace):
    """The safe parser over the game's names and plain symbols for the rest; None if not a formula."""
    from openeq.io.expressions import parse_expression

    if "cos(" in text or "!=" in text:
        return None  # trigonometric forms are not read back from text
    ns = dict(namespace)
    for name in _IDENT.findall(text):
        if name not in ns and name not in _FUNCS and "__" not in name and len(name) < 40:
            ns[name] = sp.Symbol(name, real=True)
    parts = _RELOP.split(text)
    try:
        if len(parts) == 1:
            return parse_expression(text, ns, where="note")
        if len(parts) == 3:  # one relation: lhs op rhs
            lhs, op, rhs = (x.strip() for x in parts)
            a, b = parse_expression(lhs, ns, where="note"), parse_expression(rhs, ns, where="note")
            return sp.Rel(a, b, {"=": "==", "==": "=="}.get(op, op), evaluate=False)
    except Exception:  # noqa: BLE001 - any fault: the span is prose after all
        return None
    return None


def _pieces(run, offset):
    """Split a run at commas and semicolons outside parentheses: (start, text)."""
    depth, last = 0, 0
    for i, ch in enumerate(run):
        depth += (ch == "(") - (ch == ")")
        if ch in ",;" and depth <= 0:
            yield offset + last, run[last:i]
            last, depth = i + 1, 0
    yield offset + last, run[last:]


def formula_spans(s, namespace):
    """Find formulas in Python syntax: list of (start, end, sympy expr or relation).

    A formula contains an operator that marks code (``**``, ``x*y``); it is the longest
    tail of a run of formula characters (cut at top-level commas) that the safe parser
    reads, prose words before it staying prose."""
    out = []
    for m in _RUN.finditer(s):
        for start, piece in _pieces(m.group(0), m.start()):
            if not _OPERATOR.search(piece):
                continue
            body = piece.rstrip(" .")
            while body.count("(") < body.count(")") and body.endswith(")"):
                body = body[:-1]
            words = [k for k in range(len(body)) if (k == 0 or body[k - 1] == " ") and body[k] != " "]
            for k in words:
                cand = body[k:]
                if not _OPERATOR.search(cand):
                    break
                if cand.count("(") != cand.count(")"):
                    continue
                e = _parse(cand, namespace)
                if e is not None and not isinstance(e, sp.Symbol):
                    out.append((start + k, start + len(body), e))
                    break
    return out


def forbidden_in(text: str) -> list:
    """The forbidden words a reader would see in LaTeX source ``text`` (``\\_`` read as ``_``)."""
    plain = text.replace(r"\_", "_").replace(r"\textunderscore{}", "_")
    plain = re.sub(r"(?m)(?<!\\)%.*$", "", plain)  # comments are not read
    found = []
    for w in FORBIDDEN:
        if w[0].isalpha() and w[-1].isalpha():
            pat = rf"(?<![A-Za-z\\]){re.escape(w)}(?![A-Za-z])" if w[0].isupper() or w in ("nan",) else \
                rf"(?i)(?<![A-Za-z\\]){re.escape(w)}(?![a-rt-z]|s[a-z])"  # "engines", not "engineered"
            if re.search(pat, plain):
                found.append(w)
        elif w in plain:
            found.append(w)
    return found


_PRIME = re.compile(r"([A-Za-z])('{1,2})(\([^()]*\))?(?![A-Za-z])")


_STAR = re.compile(r"(?<![\w*])[A-Za-z_]\w*\*(?:\(\s*[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s*\))?(?![\w(*])")
_CODE = re.compile(r"[A-Za-z0-9_.()/+\-*]*(?:\*\*|\w\*\w|\w\*\(|\)\*\w|\)\*\()[A-Za-z0-9_.()/+\-*]*")
_SAID = "the closed form stated above"
_REPEATED = re.compile(rf"{_SAID}(?:[\s+\-*/=]*{_SAID})+")


def _balanced(text, a, b):
    """The span [a, b) widened until its parentheses balance (within ``text``)."""
    depth = text[a:b].count("(") - text[a:b].count(")")
    while depth > 0 and b < len(text):
        depth += (text[b] == "(") - (text[b] == ")")
        b += 1
    while depth < 0 and a > 0:
        a -= 1
        depth += (text[a] == "(") - (text[a] == ")")
    return a, b


_TAIL = re.compile(r"[A-Za-z0-9_.()/+\-*]+")


def _replace_code(text):
    """Each run of code (``_CODE``, widened to balanced parentheses and to the code that
    touches it) replaced by ``_SAID``."""
    out, last = [], 0
    while (m := _CODE.search(text, last)) is not None:
        a, b = _balanced(text, m.start(), m.end())
        while (t := _TAIL.match(text, b)) is not None:
            b = _balanced(text, a, t.end())[1]
        out += [text[last:max(a, last)], _SAID]
        last = b
    return "".join(out + [text[last:]])


def _uncoded(seg):
    """A formula the safe parser could not read (a trigonometric form, a root object) is
    not shown as code: it is the closed form the proposition states.  Only runs of code
    without spaces are replaced (each sum's terms in turn, then merged), never the words
    around them, and a starred value (``alpha1*``, ``U_D*(omega)``) is notation, not code."""
    if not _OPERATOR.search(_STAR.sub("x", seg)):
        return seg
    kept = []

    def keep(m):
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"
    out = _REPEATED.sub(_SAID, _replace_code(_STAR.sub(keep, seg)))
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], out)


def _prose(seg, game, printer):
    """A segment without formulas: names and small formulas by the prose tokenizer, primes as math."""
    from openeq.export.latex.prose import text_latex

    seg = _uncoded(seg)
    out, last = [], 0
    for m in _PRIME.finditer(seg):
        if m.start() > 0 and seg[m.start() - 1].isalnum():
            continue
        out.append(text_latex(seg[last:m.start()], game, printer))
        arg = text_latex(m.group(3)[1:-1], game, printer).replace("$", "") if m.group(3) else ""
        out.append(f"${m.group(1)}{m.group(2)}" + (f"({arg})" if m.group(3) else "") + "$")
        last = m.end()
    out.append(text_latex(seg[last:], game, printer))
    return "".join(out)


def typeset(s, game, printer, labels=(), display=40) -> str:
    """A note as LaTeX: reworded (:func:`referee`), formulas printed by ``printer``
    (displayed when wider than ``display`` visible characters), the rest as prose."""
    from openeq.export.latex.doc import visible

    s = referee(s, labels)
    ns = dict(game.namespace) if game is not None else {}
    out, last = [], 0
    for start, end, e in formula_spans(s, ns):
        out.append(_prose(s[last:start], game, printer))
        tex = printer.doprint(e)
        out.append(f"\\[ {tex} \\]" if visible(tex) > display else f"${tex}$")
        last = end
    out.append(_prose(s[last:], game, printer))
    return "".join(out)


_AT = re.compile(r"^(?P<lhs>.+?) = (?P<rhs>.+?)(?: \((?P<kind>bound|breakpoint)\))?$")
SHORT = 12  # visible characters of a position's value shown in a region's note


_END = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\.(lo|hi) binds\Z")


def region_note(label, game, printer) -> str:
    """A region's label as a referee reads it.  The solver's labels name each mover's
    position, ``"; "`` between variables (``solver.compare``, ``solver.vector``):
    ``x interior``, ``x, y interior``, ``x = EXPR (bound)``, ``x = EXPR (breakpoint)``,
    ``H = 0 (breakpoint)`` (a condition in several variables binds), ``x binds``,
    ``x.lo binds`` (a vector move's variable at its lower end), ``G.abstain`` (an option)
    and ``D: ...`` (a later mover's case).  They become ``$x$ interior``,
    ``$x = \theta_{2}$`` (a short value), ``$q_{1}$ at a breakpoint`` (a long one),
    ``$x$ at its lower bound``, ``G: abstain``; any other label (a game's own, ``comply``)
    is prose."""
    from openeq.export.latex.doc import visible
    from openeq.export.latex.printer import _text
    from openeq.io.expressions import ModelFileError, parse_expression

    ns = dict(game.namespace) if game is not None else {}
    variables = {str(v) for v in game.variables} if game is not None else set()
    sym = lambda n: printer.doprint(ns[n])  # noqa: E731
    players = set(game.players) if game is not None else set()
    out = []
    for part in label.split("; "):
        who, _, rest = part.partition(": ")
        if rest and who in players:  # a later mover's case, "D: floor binds"
            out.append(f"{_text(who)}: " + region_note(rest, game, printer))
            continue
        end = _END.match(part)
        if end and end.group(1) in variables:  # "x.lo binds": x at an end of its range
            out.append(f"${sym(end.group(1))}$ at its {'lower' if end.group(2) == 'lo' else 'upper'} bound")
            continue
        who, _, option = part.partition(".")
        if option and who in players and " " not in option:  # "G.abstain": an option taken
            out.append(f"{_text(who)}: {_text(option.replace('_', ' '))}")
            continue
        names = part.rsplit(" ", 1)[0].split(", ") if part.endswith((" interior", " binds")) else []
        m = _AT.match(part)
        if names and all(n in ns for n in names):
            out.append(", ".join(f"${sym(n)}$" for n in names) + " " + part.rsplit(" ", 1)[1])
        elif m and m.group("lhs") in variables:
            try:
                tex = printer.doprint(parse_expression(m.group("rhs"), ns, where="region label"))
            except ModelFileError:  # an unreadable value is named by its kind
                tex = None
            x = sym(m.group("lhs"))
            where = "a breakpoint" if m.group("kind") == "breakpoint" else "a bound of its range"
            out.append(f"${x} = {tex}$" if tex is not None and visible(tex) <= SHORT else f"${x}$ at {where}")
        elif m and m.group("kind"):
            out.append("on a breakpoint")
        else:
            out.append(_text(part.replace("_", " ")))
    return "; ".join(out)
