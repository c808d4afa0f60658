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

import sympy as sp

from openeq.export.latex.printer import _text
from openeq.export.latex.wording import region_note

__all__ = ["MANY_REGIONS", "many_regions", "region_table", "strategy_table", "payoff_table"]

MANY_REGIONS = 10  # more regions than this: tables that break across pages
VALUE_WIDTH = 34  # characters of a strategy on one line of the strategy table's column
PAYOFF_WIDTH = 48  # characters of a payoff on one line of the payoff table


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
            f"${doc.sym(v)}^{{*}} = {doc.math(r.strategies[v], f'strategy {v} region {k}', breakable=VALUE_WIDTH)}$"
            for v in variables)
        rows.append(f"({k}) {note} & ${cond}$ & {values}" + r" \\")
        if k < len(eq.regions):
            rows.append(None)
    spec = (r"@{}>{\raggedright}p{0.16\linewidth}>{\raggedright}p{0.38\linewidth}"
            r">{\raggedright\arraybackslash}p{0.4\linewidth}@{}")
    return region_table(spec, "Region & Condition & Strategies", rows,
                        r"Equilibrium strategies in the regions of Proposition~\ref{prop:spe}.",
                        "tab:strategies", long=True)


def _payoff_groups(doc):
    """Regions with the same equilibrium payoffs, in order: [(region numbers, region)]."""
    groups, keys = [], {}
    for k, r in enumerate(doc.eq.regions, 1):
        key = tuple(sp.srepr(doc.own(r.payoffs[p])) for p in r.payoffs)
        if key in keys:
            groups[keys[key]][0].append(k)
        else:
            keys[key] = len(groups)
            groups.append(([k], r))
    return groups


def _written_payoff(doc, r, player, where):
    """The payoff as the model writes it, at the region's strategies: a choice whose value is
    a number, a parameter or a name is substituted, any other stays as ``x^*`` (the region's
    equilibrium value, Proposition 1); each penalty term is resolved to the branch that makes
    the form equal to the equilibrium payoff identically.  (LaTeX, or None)."""
    import itertools

    from openeq.export.latex.roundtrip import same

    params = {p.symbol for p in doc.game.parameters.values()}
    e, target = doc.own(doc.game.payoffs[player]), doc.own(r.payoffs[player])
    sub, back, defs = {}, {}, {}
    for v, val in r.strategies.items():
        val = doc.own(val)
        if val.is_number or val in params or isinstance(doc.names.substitute(val), sp.Symbol):
            sub[v] = val
        else:
            star = sp.Symbol(f"{v.name}_star", real=True)
            sub[v], back[star] = star, val
            defs[f"{doc.sym(v)}^{{*}}"] = doc.names.expand(val)
    e = e.xreplace(sub)
    pieces = sorted(e.atoms(sp.Piecewise), key=sp.default_sort_key)
    if len(pieces) > 3:
        return None
    for choice in itertools.product(*[[v for v, _ in pw.args] for pw in pieces]):
        cand = e.xreplace(dict(zip(pieces, choice)))
        if same(cand.xreplace(back), target):
            tex = doc.p.doprint(cand, definition=True)
            return doc.reg.expr(tex, doc.names.expand(target), {**doc.names.defs(), **defs}, where)
    return None


def _payoff_cell(doc, r, player, where):
    from openeq.export.latex.forms import readability

    derived = doc.math(r.payoffs[player], where, breakable=PAYOFF_WIDTH)
    written = _written_payoff(doc, r, player, where + " (as written)")
    if written is not None and readability(written) < readability(derived):
        doc.reg.entries.pop(-2)  # the derived form is not shown
        return written
    if written is not None:
        doc.reg.entries.pop()
    return derived


def payoff_table(doc) -> list:
    """The equilibrium payoffs by region (regions with the same payoffs share a row), each
    as the model writes it at the region's strategies when that reads better."""
    eq = doc.eq
    players = list(eq.regions[0].payoffs) if eq.regions else []
    rows, groups = [], _payoff_groups(doc)
    long = many_regions(len(groups))
    for g, (ks, r) in enumerate(groups):
        labels = sorted({eq.regions[k - 1].label for k in ks}, key=lambda lab: eq.labels.index(lab)
                        if lab in eq.labels else 0)
        region = ", ".join(f"({k})" for k in ks) + " " + ", ".join(region_note(lab, doc.game, doc.p) for lab in labels)
        # (a strut: in a paragraph cell a tall first line would reach into the row above)
        cells = [r"\rule[-2.4ex]{0pt}{5.6ex}" + f"$\\displaystyle U_{{{_text(p)}}}^{{*}} = "
                 f"{_payoff_cell(doc, r, p, f'payoff {p} region {ks[0]}')}$" for p in players]
        rows.append(f"{region} & " + r" \\[0.6ex] & ".join(cells) + r" \\[1.2ex]")
        if g + 1 < len(groups):
            rows.append(None)
    # paragraph columns: a payoff too long for its line breaks at its top-level signs
    spec = r"@{}>{\raggedright}p{0.24\linewidth}>{\raggedright\arraybackslash}p{0.72\linewidth}@{}"
    return region_table(spec, "Regions & Payoffs", rows,
                        r"Equilibrium payoffs in the regions of Proposition~\ref{prop:spe} (regions with the same "
                        r"payoffs share a row; a starred choice is the region's equilibrium value).",
                        "tab:payoffs", long=long)
