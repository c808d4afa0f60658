"""The appendix's sections on comparative statics, figures and the numeric verification."""
from __future__ import annotations

from openeq.export.latex.regiontable import many_regions, region_table
from openeq.export.latex.wording import region_note

__all__ = ["statics_section", "figures_section", "verification_section"]


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
           r"in the region, ? one that could not be signed.", ""]
    lines = []
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
            region = f"({k + 1}) {region_note(r.label, doc.game, doc.p)}" if j == 0 else ""
            lines.append(f"{region} & ${doc.sym(v)}^{{*}}$ & " + " & ".join(cells) + r" \\")
        if k + 1 < len(eq.regions):
            lines.append(None)
    out += region_table("@{}ll" + "c" * len(params) + "@{}", "Region & & " + " & ".join(f"${doc.sym(n)}$" for n in params),
                        lines, r"Signs of $\partial x^{*}/\partial \text{parameter}$ by region. "
                        r"${}^{\dagger}$: certified numerically, not proved.", "tab:statics",
                        long=many_regions(len(eq.regions)), size=r"\small")
    out += [f"Of the {proved + numeric} signs shown, {proved} are proved and {numeric} certified numerically.", ""]
    return out


def figures_section(doc, figures) -> list:
    out = [r"\section{Figures}\label{sec:figures}", ""]
    for name, _, caption, label in figures:
        out += [r"\begin{figure}[H]", r"\centering", r"\includegraphics{figures/%s}" % name,
                r"\caption{%s}\label{%s}" % (caption, label), r"\end{figure}", ""]
    return out


def verification_section(doc, v) -> list:
    regimes = ", ".join(f"{region_note(k, doc.game, doc.p)}: {n}" for k, n in sorted(v["regimes"].items()))
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
        f"Largest absolute error, strategies (ties apart) & {_sci(v['max_strategy_error'])} \\\\",
        f"Largest absolute error, payoffs & {_sci(v['max_payoff_error'])} \\\\",
        f"Tolerance, strategies (relative) & {_sci(v['strategy_tol'])} \\\\",
        f"Tolerance, payoffs (relative) & {_sci(v['payoff_tol'])} \\\\",
        r"\bottomrule", r"\end{tabular}", r"\end{center}", "",
    ]


def _sci(x: float) -> str:
    """``2.1e-10`` -> ``$2.1 \\times 10^{-10}$`` (rounded: the text is the same on every run)."""
    mant, exp = ("%.1e" % x).split("e")
    return "$0$" if x == 0 else f"${mant} \\times 10^{{{int(exp)}}}$"
