"""The appendix's derived results: one proposition each, with its proof.

A result (``openeq.core.result.Result``) names its closed forms ``"theta*(alpha0, p)
[closed]"``: a quantity and a qualifier (the case it holds in).  A quantity with
several qualifiers is written once per case with the case as a subscript
(:math:`\\theta^{*}_{\\mathrm{closed}}`); the subscripted name enters the document's
notation, so that later results show the name instead of the formula.  When
several quantities vary over three or more cases, they are one table (cases by
quantities).  A closed form already shown in an earlier proposition is referred to,
not repeated; so is a derivation step already shown (the derivation is given once).

Each proof opens with one sentence on how the proposition was established
(``claims.established``) and states its signs as one lemma with a table
(``claims.claims_lemma``).
"""
from __future__ import annotations

import re

import sympy as sp

from openeq.core.errors import OpeneqError
from openeq.export.latex.claims import claims_lemma, established
from openeq.export.latex.doc import _cond_inline, _cond_math, visible
from openeq.export.latex.printer import _text
from openeq.export.latex.roundtrip import RoundTripError
from openeq.export.latex.sections import _dedupe, step_latex
from openeq.export.latex.wording import referee

__all__ = ["result_section", "result_proposition", "AppendixSectionError", "qualified"]

TABLE_CASES = 3  # quantities varying over at least this many cases are set as one table


class AppendixSectionError(OpeneqError):
    """A section of the appendix cannot be typeset; the message names it."""


def result_section(doc, results, stream=None, sources=None) -> list:
    out = [r"\section{Results}\label{sec:results}", ""]
    for res in results:
        try:
            out += result_proposition(doc, res, sources) + [""]
        except (RoundTripError, OpeneqError, sp.SympifyError, TypeError, ValueError) as e:
            raise AppendixSectionError(f"result {res.key} ({res.title}) cannot be typeset: "
                                       f"{type(e).__name__}: {e}") from None
    return out


def _mathrm(qual: str) -> str:
    words = re.sub(r"[^A-Za-z0-9 ,\-]", "", qual.replace("_", " ")).strip()
    return r"\mathrm{%s}" % words.replace(", ", r",\,").replace(" ", r"\ ")


def qualified(head: str, qual: str) -> str:
    """``\\theta^{*}(\\alpha_0, p)`` + ``closed`` -> ``\\theta^{*}_{\\mathrm{closed}}(\\alpha_0, p)``."""
    if r"\text" in head:  # a quantity named in words: the case in words too
        return r"%s\ \text{(%s)}" % (head, _text(qual.replace("_", " ")))
    m = re.match(r"^(.*?)(\s*\(.*\))?$", head, re.S)
    base, args = m.group(1).strip(), m.group(2) or ""
    sub = _mathrm(qual)
    m = re.match(r"^(?P<core>.*?)(?:_(?P<sub>\{[^{}]*\}|\w))?(?P<sup>\^(?:\{[^{}]*\}|\S))?$", base, re.S)
    inner = (m.group("sub") or "").strip("{}")
    base = f"{m.group('core')}_{{{inner + ',' if inner else ''}{sub}}}{m.group('sup') or ''}"
    return base + args


def _name_of(head: str) -> str:
    """The name part of a head (without its argument list)."""
    return re.match(r"^(.*?)(\s*\(.*\))?$", head, re.S).group(1).strip()


def _items(doc, res):
    """[(head LaTeX, qualifier text, expression)] in the result's order."""
    from openeq.export.latex.prose import name_display

    out = []
    for name, e in res.expressions.items():
        head, qual = name_display(referee(name, doc.eq.labels), doc.game, doc.p)
        out.append((head, qual, e, name))
    return out


def _value(e):
    try:
        return sp.sympify(e)
    except (sp.SympifyError, TypeError):
        return None


def _display(doc, head, e, where, label):
    """One closed form ``head = value`` (LaTeX math), its name recorded for later use."""
    from openeq.export.latex.roots import root_display

    v = _value(e)
    if v is None:
        return f"{head} = \\text{{{_text(str(e))}}}"
    if isinstance(v, sp.logic.boolalg.Boolean) and not isinstance(v, sp.Expr):
        return f"{head}:\\ {_cond_math(doc, v, where)}"
    root = root_display(doc, head, v, where)
    if root is not None:
        return root[0]
    name = doc.names.symbol_for(doc.own(v)) if isinstance(v, sp.Expr) and not v.is_number else None
    if name is not None and name.name not in doc.origin:  # a name of the equilibrium's notation
        tex = doc.names.latex[name.name]
        return None if tex == _name_of(head) else f"{head} = {doc.math(v, where)}"
    if name is not None and doc.origin[name.name] != label:
        tex = doc.names.latex[name.name]
        doc.refs.setdefault(doc.origin[name.name], []).append(head if tex == _name_of(head) else tex)
        return None if tex == _name_of(head) else f"{head} = {tex}"
    tex = doc.math(v, where, whole=False, breakable=True)
    base = _name_of(head)
    if isinstance(v, sp.Expr) and not v.is_number and not isinstance(v, sp.Symbol) and visible(tex) > 8 \
            and r"\text" not in base and name is None and re.search(r"[_^]|\\(hat|bar|tilde)", base):
        sym = doc.names.add(f"res_{len(doc.names.entries)}", base, doc.own(v), "")
        doc.origin.setdefault(sym.name, label)
    return f"{head} = {tex}"


def _groups(items):
    """Items grouped by head, in order: head -> [(qualifier, expression)]."""
    groups = {}
    for head, qual, e, name in items:
        groups.setdefault(head, []).append((qual, e, name))
    return groups


def _same_values(doc, pairs):
    vals = [_value(e) for _, e, _ in pairs]
    return all(v is not None for v in vals) and len({sp.srepr(doc.own(v)) for v in vals}) == 1


def _table(doc, groups, cases, res, label) -> list:
    heads = list(groups)
    width = 0.62 / max(1, len(heads))
    out = [r"\begin{center}\small", r"\begin{tabular}{@{}l" + (r">{\raggedright\arraybackslash}p{%.2f\linewidth}"
                                                                 % width) * len(heads) + "@{}}",
           r"\toprule", "Case & " + " & ".join(f"${h}$" for h in heads) + r" \\", r"\midrule"]
    for case in cases:
        cells = []
        for h in heads:
            hit = [(e, name) for q, e, name in groups[h] if q == case]
            e = hit[0][0] if hit else None
            shown = None if e is None else _display(doc, qualified(h, case), e, f"{res.key} {h} [{case}]", label)
            if hit:
                doc.covered.add((res.key, hit[0][1]))
            cells.append("" if shown is None else "$" + shown.split(" = ", 1)[-1] + "$")
        out.append(doc.text(case) + " & " + " & ".join(cells) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
    return out


def _expressions(doc, res, label) -> list:
    groups = _groups(_items(doc, res))
    out = []
    varying = {h: g for h, g in groups.items() if len(g) >= TABLE_CASES and not _same_values(doc, g)}
    cases = []
    for g in varying.values():
        cases += [q for q, _, _ in g if q not in cases]
    if len(varying) >= 2:
        out += _table(doc, varying, cases, res, label)
    for head, pairs in groups.items():
        if head in varying and len(varying) >= 2:
            continue
        if len(pairs) > 1 and _same_values(doc, pairs):
            doc.covered.update((res.key, name) for _, _, name in pairs)
            pairs = [("", pairs[0][1], pairs[0][2])]  # one value in every case
        for qual, e, name in pairs:
            doc.covered.add((res.key, name))  # shown, or referred to (_display)
            h = qualified(head, qual) if qual and len(pairs) > 1 else head
            note = r"\quad\text{(%s)}" % doc.text(qual).replace("$", "") if qual and len(pairs) == 1 else ""
            shown = _display(doc, h, e, f"{res.key} {head} [{qual}]", label)
            if shown is not None and r"\\ P(" in shown:  # a root with its polynomial on the next line
                out.append(f"\\begin{{gather*}} {shown}{note} \\end{{gather*}}")
            elif shown is not None:
                out.append(f"\\[ {shown}{note} \\]")
    return out


def _conditions(doc, res) -> list:
    if not res.conditions:
        return []
    out, seen = ["The regions and conditions involved:", r"\begin{itemize}"], set()
    for desc, cond in res.conditions:
        line = (doc.text(desc) + ": " if desc else "") + _cond_inline(doc, cond, f"{res.key} condition")
        if line not in seen:
            seen.add(line)
            out.append(r"\item " + line)
    return out + [r"\end{itemize}"]


def _correspondence(doc, res, sources) -> str:
    """Which result of the model's source this proposition is."""
    if not sources:
        return ""
    key = sources.get("key")
    what = sources.get("results", {}).get(res.key)
    cite = r"~\cite{%s}" % key if key else ""
    if what:
        return f"This is result {_text(res.key)} of the model specification: {doc.text(what)}{cite}."
    return f"This is result {_text(res.key)} of the model specification{cite}."


def _prefix(text):
    m = re.match(r"^([^:]{12,120}):\s", text)
    return m.group(1) if m else None


def _named(step, expressions, namespace):
    """``step`` with each of the result's expressions that its text writes out in a form
    the prose cannot typeset (a trigonometric root: ``wording._parse`` does not read it)
    replaced by the expression's name, under which the proposition states it; else the
    prose would print "the closed form stated above"."""
    from dataclasses import replace

    from openeq.export.latex.wording import _parse

    text = step.text
    for name, e in sorted(expressions.items()):
        if isinstance(e, sp.Basic) and not e.is_Number:
            code = sp.sstr(e)
            if code in text and _parse(code, namespace) is None:
                text = text.replace(code, name)
    return step if text == step.text else replace(step, text=text)


def _proof_steps(doc, res, label) -> list:
    """The derivation, each step once in the document; consecutive notes with a common
    heading (``"openness at alpha0=1, ...: ..."``) under that heading once."""
    from dataclasses import replace

    out, elsewhere, heading = [], {}, None
    ns = dict(doc.game.namespace) if doc.game is not None else {}
    steps = [_named(s, res.expressions, ns) for s in _dedupe(res.steps)]
    for i, s in enumerate(steps):
        pre = _prefix(s.text)
        near = [_prefix(t.text) for t in steps[max(0, i - 1):i + 2]]
        if pre is not None and near.count(pre) >= 2:
            if pre != heading:
                out.append(r"\paragraph{}" + doc.text(pre[:1].upper() + pre[1:]) + ":")
                heading = pre
            s = replace(s, text=s.text[len(pre) + 1:].strip())
        else:
            heading = None
        key = (s.kind, s.text, sp.srepr(s.expr) if isinstance(s.expr, sp.Basic) else repr(s.expr))
        if key in doc.shown_steps and doc.shown_steps[key] != label:
            elsewhere.setdefault(doc.shown_steps[key], 0)
            elsewhere[doc.shown_steps[key]] += 1
            continue
        doc.shown_steps.setdefault(key, label)
        out.append(step_latex(doc, s, f"{res.key} proof") + "\n")
    for where, n in elsewhere.items():
        what = "Proposition~\\ref{%s}" % where if where.startswith("prop:R") else "Proposition~\\ref{prop:spe}"
        out.append(f"The derivation of {'these closed forms' if n > 1 else 'this closed form'} is given in the "
                   f"proof of {what}.\n")
    return out


def result_proposition(doc, res, sources=None) -> list:
    key = re.sub(r"\W", "", res.key)
    label = f"prop:{key}"
    doc.refs = {}
    out = [r"\begin{proposition}[%s. %s]\label{%s}" % (_text(res.key), doc.text(res.title), label)]
    if res.statement:
        out.append(doc.text(res.statement))
    out += _expressions(doc, res, label)
    for where, heads in doc.refs.items():
        names = ", ".join(f"${h}$" for h in heads)
        out.append(f"Here {names} {'are' if len(heads) > 1 else 'is'} as in Proposition~\\ref{{{where}}}.")
    out += _conditions(doc, res)
    out += [r"\end{proposition}"]
    corr = _correspondence(doc, res, sources)
    if corr:
        out.append(corr)
    lemma = f"lem:{key}"
    out += claims_lemma(doc, res, lemma)
    out += [r"\begin{proof}", established(doc, res, lemma)]
    out += _proof_steps(doc, res, label)
    out += [r"\end{proof}"]
    return out
