"""The appendix's sections on derived results, comparative statics, figures and the
numeric verification."""
from __future__ import annotations

import re

import sympy as sp

from openeq.core.errors import OpeneqError
from openeq.export.latex.doc import _cond_inline, _cond_math, visible
from openeq.export.latex.printer import _SIGN_OP, _text
from openeq.export.latex.roundtrip import RoundTripError
from openeq.export.latex.sections import _dedupe, step_latex


class AppendixSectionError(OpeneqError):
    """A section of the appendix cannot be typeset; the message names it."""

__all__ = ["result_section", "result_proposition", "statics_section", "figures_section", "verification_section"]


# ------------------------------------------------------------------ results
_SIGN = _SIGN_OP


def result_section(doc, results, stream=None) -> list:
    out = [r"\section{Results}\label{sec:results}", ""]
    for res in results:
        try:
            out += result_proposition(doc, res) + [""]
        except (RoundTripError, OpeneqError, sp.SympifyError, TypeError, ValueError) as e:
            raise AppendixSectionError(f"result {res.key} ({res.title}) cannot be typeset: "
                                       f"{type(e).__name__}: {e}") from None
    return out


def result_proposition(doc, res) -> list:
    from openeq.export.latex.prose import name_display

    key = re.sub(r"\W", "", res.key)
    out = [r"\begin{proposition}[%s]\label{prop:%s}" % (doc.text(res.title), key)]
    if res.statement:
        out.append(doc.text(res.statement))
    rows = []
    for name, e in res.expressions.items():
        head, qual = name_display(name, doc.game, doc.p)
        rows.append(_result_row(doc, head, qual, e, f"{res.key} {name}"))
    out += [f"\\[ {row} \\]" for row in rows]
    if res.conditions:
        out += ["The regions and conditions involved:", r"\begin{itemize}"]
        for desc, cond in res.conditions:
            out.append(r"\item " + (doc.text(desc) + ": " if desc else "") + _cond_inline(doc, cond, f"{res.key} condition"))
        out.append(r"\end{itemize}")
    out += [r"\end{proposition}", r"\begin{proof}"]
    steps = _dedupe(res.steps)
    out += [step_latex(doc, s, f"{res.key} proof") + "\n" for s in steps]  # a paragraph each
    if res.claims:
        out += _claims(doc, res)
    if not steps and not res.claims:
        out.append("Direct from Proposition~\\ref{prop:spe}: the closed forms above are computed from it by the engine.")
    out += [r"\end{proof}"]
    return out


def _claims(doc, res) -> list:
    """The signs behind the statement: one line each, the closed form shown when short."""
    out = ["The signs used above:", r"\begin{itemize}"]
    for c in res.claims:
        how = "proved" if c.proved else (f"certified numerically at {c.samples} points" if c.samples
                                         else "certified numerically")
        extra = ""
        if c.expr is not None:
            e = doc.own(c.expr)
            shown = doc.display_form(e)
            short = visible(doc.p.doprint(shown)) <= 36
            op = _SIGN.get(c.sign)
            if short and op and not shown.is_number:
                extra = f", since ${doc.math(e, f'{res.key} claim')} {op} 0$"
        out.append(f"\\item {doc.text(c.text)}{extra} ({how}).")
    out.append(r"\end{itemize}")
    return out


def _result_row(doc, head, qual, e, where) -> str:
    if qual:
        head = f"\\text{{[{qual}]}}\\ {head}"
    note = ""
    if isinstance(e, sp.logic.boolalg.Boolean) and not isinstance(e, sp.Expr):
        return f"{head}:\\ {_cond_math(doc, e, where)}{note}"
    if isinstance(e, (list, tuple)) and e and hasattr(e[0], "subject"):
        return f"{head}:\\ {doc.condition(list(e), where)}{note}"
    try:
        e = sp.sympify(e)
    except (sp.SympifyError, TypeError):
        return f"{head} = \\text{{{_text(str(e))}}}{note}"
    return f"{head} = {doc.math(e, where)}{note}"


# --------------------------------------------------------- statics, checks
_CELL = {"+": "$+$", "-": "$-$", "0": "$0$", "+0": r"$\ge 0$", "-0": r"$\le 0$", "+-": r"$\pm$", "?": "?"}


def statics_section(doc, rows, source) -> list:
    g, eq = doc.game, doc.eq
    params = list(g.parameters)
    variables = [str(v) for v in eq.regions[0].strategies] if eq.regions else []
    table = {(r["region"], r["quantity"], r["parameter"]): r for r in rows}
    out = [r"\section{Comparative statics}\label{sec:statics}", "",
           r"Table~\ref{tab:statics} gives, in each region of Proposition~\ref{prop:spe}, the sign of the "
           r"derivative of each equilibrium strategy with respect to each parameter. A plain sign is proved "
           r"by the sign prover; a sign marked ${}^{\dagger}$ is certified numerically (observed at every "
           r"sampled point of the region) but not proved; $\pm$ marks a derivative observed with both signs "
           r"in the region, ? one that could not be signed.", "",
           r"\begin{table}[H]", r"\centering\small",
           r"\caption{Signs of $\partial x^{*}/\partial \text{parameter}$ by region. "
           r"${}^{\dagger}$: certified numerically, not proved.}\label{tab:statics}",
           r"\begin{tabular}{@{}ll" + "c" * len(params) + "@{}}", r"\toprule",
           "Region & & " + " & ".join(f"${doc.sym(n)}$" for n in params) + r" \\", r"\midrule"]
    proved = numeric = 0
    for k, r in enumerate(eq.regions):
        for j, v in enumerate(variables):
            cells = []
            for n in params:
                row = table.get((k, v, n))
                if row is None:
                    cells.append("")
                    continue
                cell = _CELL.get(row["sign"], "?")
                if row["sign"] not in ("?", "+-") and not row["proved"]:
                    cell += r"${}^{\dagger}$"
                    numeric += 1
                elif row["proved"]:
                    proved += 1
                cells.append(cell)
            region = f"({k + 1}) {doc.text(r.label.replace('_', ' '))}" if j == 0 else ""
            out.append(f"{region} & ${doc.sym(v)}^{{*}}$ & " + " & ".join(cells) + r" \\")
        if k + 1 < len(eq.regions):
            out.append(r"\addlinespace[2pt]")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}", "",
            f"Of the {proved + numeric} signs shown, {proved} are proved and {numeric} certified numerically.", ""]
    return out


def figures_section(doc, figures) -> list:
    out = [r"\section{Figures}\label{sec:figures}", ""]
    for name, _, caption, label in figures:
        out += [r"\begin{figure}[H]", r"\centering", r"\includegraphics{figures/%s}" % name,
                r"\caption{%s}\label{%s}" % (caption, label), r"\end{figure}", ""]
    return out


def verification_section(doc, v) -> list:
    regimes = ", ".join(f"{doc.text(k.replace('_', ' '))}: {n}" for k, n in sorted(v["regimes"].items()))
    return [
        r"\section{Numerical verification}\label{sec:verification}", "",
        f"The closed forms of Proposition~\\ref{{prop:spe}} were compared with an independent brute-force "
        f"backward induction (grid search with refinement, no symbolic algebra) at {v['samples']} parameter "
        f"points drawn from the declared domains (seed {v['seed']}; edges and extreme values included). "
        f"Regions visited: {regimes}.", "",
        r"\begin{center}", r"\begin{tabular}{@{}lr@{}}", r"\toprule",
        f"Samples & {v['samples']} \\\\",
        f"Passed & {v['passed']} \\\\",
        f"\\quad of which ties (equal payoffs, different actions) & {v['ties']} \\\\",
        f"Largest absolute error, strategies & {_sci(v['max_strategy_error'])} \\\\",
        f"Largest absolute error, payoffs & {_sci(v['max_payoff_error'])} \\\\",
        f"Tolerance, strategies (relative) & {_sci(v['strategy_tol'])} \\\\",
        f"Tolerance, payoffs (relative) & {_sci(v['payoff_tol'])} \\\\",
        r"\bottomrule", r"\end{tabular}", r"\end{center}", "",
    ]


def _sci(x: float) -> str:
    """``2.1e-10`` -> ``$2.1 \\times 10^{-10}$`` (rounded: the text is the same on every run)."""
    mant, exp = ("%.1e" % x).split("e")
    return "$0$" if x == 0 else f"${mant} \\times 10^{{{int(exp)}}}$"
