"""Tables over the regions of an equilibrium, long ones across pages.

A game with a few regions shows its strategies as one ``cases`` display per
variable and its payoffs and signs in floating tables.  Past ``MANY_REGIONS``
regions a ``cases`` display is taller than a page and a float cannot break, so:

* the strategies become one ``longtable`` with a row per region -- the region, its
  condition (a conjunction of bounds in the parameters, with a line break allowed after
  each comma) and each variable's equilibrium value;
* the payoff and comparative-statics tables become ``longtable`` s with the same rows.

Every condition and value in these tables is registered with the round-trip check,
exactly as the ``cases`` display would have been.
"""
from __future__ import annotations

from openeq.export.latex.wording import region_note

__all__ = ["MANY_REGIONS", "many_regions", "region_table", "strategy_table"]

MANY_REGIONS = 10  # more regions than this: tables that break across pages


def many_regions(n: int) -> bool:
    """Whether ``n`` rows (regions) are too many for a ``cases`` display or a float."""
    return n > MANY_REGIONS


def region_table(spec, header, rows, caption, label, long=False, size="") -> list:
    """The lines of a booktabs table: a ``table`` float around a ``tabular``, or, with
    ``long``, a ``longtable`` that repeats its header on each page.  ``rows`` are LaTeX rows,
    ``\\\\`` included (``None`` stands for a small space between groups)."""
    body = [r"\addlinespace[2pt]" if row is None else row for row in rows]
    if not long:
        return ([r"\begin{table}[H]", r"\centering" + size, rf"\caption{{{caption}}}\label{{{label}}}",
                 rf"\begin{{tabular}}{{{spec}}}", r"\toprule", header + r" \\", r"\midrule"]
                + body + [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""])
    head = [r"\toprule", header + r" \\", r"\midrule"]
    table = ([rf"\begin{{longtable}}{{{spec}}}", rf"\caption{{{caption}}}\label{{{label}}} \\"]
             + head + [r"\endfirsthead"] + head + [r"\endhead", r"\bottomrule", r"\endlastfoot"]
             + body + [r"\end{longtable}"])
    return ([r"{" + size.strip()] + table + ["}", ""]) if size else table + [""]


def strategy_table(doc) -> list:
    """The equilibrium strategies of every region, one row per region (a ``longtable``)."""
    eq, g = doc.eq, doc.game
    variables = list(eq.regions[0].strategies)
    rows = []
    for k, r in enumerate(eq.regions, 1):
        note = region_note(r.label, g, doc.p)
        cond = doc.condition(r.bounds, f"region {k}", stack=False, breakable=True)
        values = r" \newline ".join(
            f"${doc.sym(v)}^{{*}} = {doc.math(r.strategies[v], f'strategy {v} region {k}')}$" for v in variables)
        rows.append(f"({k}) {note} & ${cond}$ & {values}" + r" \\")
        if k < len(eq.regions):
            rows.append(None)
    spec = (r"@{}>{\raggedright}p{0.2\linewidth}>{\raggedright}p{0.46\linewidth}"
            r">{\raggedright\arraybackslash}p{0.26\linewidth}@{}")
    return region_table(spec, "Region & Condition & Strategies", rows,
                        r"Equilibrium strategies in the regions of Proposition~\ref{prop:spe}.",
                        "tab:strategies", long=True)
