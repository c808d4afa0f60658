"""The appendix's sections.  A ``Doc`` holds the equilibrium, the document's names
(``\\tilde{\\omega}``, ``\\bar{p}_{1}``) and the round-trip registry; every closed form
is printed through ``Doc.math`` / ``Doc.cases`` / ``Doc.condition`` so that what is
displayed is exactly what the round-trip test parses back.
"""
from __future__ import annotations

import re

import sympy as sp

from openeq.export.latex.doc import _cond_math, visible
from openeq.export.latex.printer import _text
from openeq.export.latex.regiontable import many_regions, payoff_table, strategy_table
from openeq.export.latex.wording import region_note
from openeq.solver.nash import FIXED_POINT


# ---------------------------------------------------------------- the model
def domain_latex(doc, dom) -> str:
    lo = r"-\infty" if dom.lo == -sp.oo else doc.p.doprint(dom.lo)
    hi = r"\infty" if dom.hi == sp.oo else doc.p.doprint(dom.hi)
    return f"{'(' if dom.lo_open else '['}{lo}, {hi}{')' if dom.hi_open else ']'}"


def model_section(doc, propositions=True) -> list:
    """The model: parameters, timing, payoffs, ties; ``propositions``: whether propositions
    follow (the source sentence then says they name the paper's results)."""
    g = doc.game
    out = [r"\section{The model}\label{sec:model}", ""]
    if g.description:
        out += [doc.text(" ".join(g.description.split())), ""]
    cite = getattr(g, "citation", None)
    if cite:
        out += [(r"The model follows~\cite{%s}; each proposition below names the result of that paper it "
                 r"corresponds to." if propositions else r"The model follows~\cite{%s}.") % cite["key"], ""]
    meaning = any(doc.meanings.get(n) for n in g.parameters)
    rows = [f"${doc.sym(n)}$ & ${domain_latex(doc, p.domain)}$" + (f" & {_text(doc.meanings.get(n, ''))}" if meaning else "")
            + r" \\" for n, p in g.parameters.items()]
    relations = ""
    if g.relations:
        rels = r",\ ".join(doc.p.doprint(r) for r in g.relations)
        relations = f" The parameters satisfy ${rels}$."
    out += [
        r"\begin{table}[H]", r"\centering", r"\caption{Parameters.%s}\label{tab:parameters}" % relations,
        r"\begin{tabular}{@{}ll%s@{}}" % (r"p{0.55\linewidth}" if meaning else ""), r"\toprule",
        r"Parameter & Domain%s \\" % (" & Meaning" if meaning else ""), r"\midrule",
        *rows, r"\bottomrule", r"\end{tabular}", r"\end{table}", "",
        r"\paragraph{Timing.} Every stage observes the choices made at the earlier stages.",
        r"\begin{enumerate}",
    ]
    for stage in g.stages:
        moves = g.moves_at(stage)
        parts = []
        for m in moves:
            chosen = ", ".join(f"${doc.sym(v)} \\in {domain_latex(doc, d)}$" for v, d in m.variables.items())
            parts.append(f"player {_text(m.player)} chooses {chosen}")
        simul = " (simultaneously)" if len(moves) > 1 else ""
        out.append(r"\item Stage %d: %s%s." % (stage, "; ".join(parts), simul))
    out += [r"\end{enumerate}", "", r"\paragraph{Payoffs.}", r"\begin{align*}"]
    lines = []
    for player, e in g.payoffs.items():
        fn = g.payoff_sources.get(player)
        tex = _latexify(doc, fn, e) if fn is not None else None
        lines.append(f"U_{{{_text(player)}}} &= " + (tex or _as_written(doc, e, f"payoff {player}")))
    out += [" \\\\\n".join(lines), r"\end{align*}"]
    out += _tie_break(doc)
    out.append("")
    return out


def _as_written(doc, e, where):
    """A payoff as the model writes it (the expression as parsed, not expanded), in the game's
    own symbols: no name of the derivation (a stationary point) stands in for a part of it."""
    from openeq.export.latex.printer import Printer

    return doc.reg.expr(Printer(dict(doc.names.latex)).doprint(doc.own(e)), doc.own(e), {}, where)


def _tie_break(doc) -> list:
    g = doc.game
    if not g.tie_break:
        return []
    word = {"max": "largest", "min": "smallest"}
    parts = []
    for pl, t in g.tie_break.items():
        vs = [doc.sym(v) for m in g.moves if m.player == pl for v in m.variables]
        if vs and t in word:
            parts.append(f"player {_text(pl)} the {word[t]} " + ", ".join(f"${v}$" for v in vs))
    return ["An indifferent player chooses among its best choices as follows: " + "; ".join(parts) + "."] \
        if parts else []


def _latexify(doc, fn, expr):
    """A Python-function payoff through latexify-py, in the game's notation."""
    try:
        import latexify
        from latexify.exceptions import LatexifyError
    except ImportError:
        return None
    try:
        tex = latexify.get_latex(fn)
    except (LatexifyError, OSError, TypeError, ValueError):  # refused, or no source: sympy's form instead
        return None
    rhs = tex.split(" = ", 1)[1] if " = " in tex else tex
    table = doc.symbols

    def repl(m):
        name = m.group(1).replace(r"\_", "_")
        return table.get(name, m.group(0))

    rhs = re.sub(r"\\mathrm\{([A-Za-z0-9_\\]+)\}", repl, rhs)
    for name, t in table.items():  # one-letter names latexify prints bare
        if len(name) == 1 and t != name:
            rhs = re.sub(rf"(?<![\\A-Za-z]){name}(?![A-Za-z])", lambda m, t=t: t, rhs)
    rhs = rhs.replace(r"\mathopen{}", "").replace(r"\mathclose{}", "")
    return doc.reg.expr(rhs, expr, {}, "payoff (latexify)")


# --------------------------------------------------------------- equilibrium
def _players_by_stage(eq):
    g = eq.game
    return [(stage, [m for m in g.moves_at(stage)]) for stage in reversed(g.stages)]


def _dedupe(steps):
    seen, out = set(), []
    for s in steps:
        key = (s.kind, s.player, s.text, sp.srepr(s.expr) if isinstance(s.expr, sp.Basic) else repr(s.expr))
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


_FOC = re.compile(r"d u_(\w+) / d(\w+)")


def step_latex(doc, s, where="") -> str:
    """One derivation step as a sentence with its display."""
    g = doc.game
    proved = {False: " (certified numerically)"}.get(s.proved, "")  # proved steps: see the proof's opening
    if re.search(r"proved|certified|numeric", s.text):
        proved = ""  # the text says it already
    e = s.expr
    if s.kind == "foc" and isinstance(e, sp.Eq):
        m = _FOC.search(s.text)
        var = doc.sym(m.group(2)) if m else "x"
        lhs = doc.math(e.lhs, where)
        return (f"First-order condition of {_text(s.player)}:\n\\[ \\frac{{\\partial U_{{{_text(s.player)}}}}}"
                f"{{\\partial {var}}} = 0 \\iff {lhs} = {doc.math(e.rhs, where)}. \\]")
    if s.kind == "solution" and isinstance(e, sp.Eq):
        name = doc.p.doprint(e.lhs) if isinstance(e.lhs, sp.Symbol) else doc.math(e.lhs, where)
        return f"Its solution, the stationary point:\n\\[ {name} = {doc.math(e.rhs, where, definition=True)}. \\]"
    if s.kind == "soc":
        m = re.search(r"d\^2 u_(\w+) / d(\w+)\^2", s.text)
        var = doc.sym(m.group(2)) if m else "x"
        op = "<" if re.search(r"<\s*0", s.text) else r"\le" if re.search(r"<=\s*0", s.text) else None
        head = f"\\frac{{\\partial^2 U_{{{_text(s.player)}}}}}{{\\partial {var}^2}}"
        if op is None:  # not signed: say what is known
            if isinstance(e, sp.Expr) and e.is_zero:
                return f"The payoff of {_text(s.player)} is linear in ${var}$:\n\\[ {head} = 0. \\]"
            return (f"Second-order condition (not proved; the candidates are compared instead):\n"
                    f"\\[ {head} = {doc.math(e, where)}. \\]")
        return f"Second-order condition{proved}:\n\\[ {head} = {doc.math(e, where)} {op} 0. \\]"
    text = re.sub(r"\$([^$]+)\$([,.;:]?)",  # long inline formulas cannot break: display them
                  lambda m: f"\n\\[ {m.group(1)}{m.group(2)} \\]\n" if visible(m.group(1)) > 30 else m.group(0),
                  doc.text(s.text))
    text = text[:1].upper() + text[1:] if text[:1].isalpha() else text
    if isinstance(e, (list, tuple)) and e and all(isinstance(x, sp.Basic) for x in e):
        forms = r",\quad ".join(doc.math(x, where) for x in e)
        return f"{text}{proved}:\n\\[ {forms}. \\]"
    if isinstance(e, sp.logic.boolalg.Boolean) and not isinstance(e, (sp.Expr, sp.logic.boolalg.BooleanAtom)):
        return f"{text}{proved}: ${_cond_math(doc, e, where)}$."
    if isinstance(e, sp.Expr) and not e.is_Number and visible(doc.p.doprint(e)) > 1 \
            and not isinstance(doc.names.substitute(e), sp.Symbol):  # a bare name says nothing new
        if re.search(r"\$[^$]*\$\s*$", text) and s.kind == "compare":
            return f"{text}{proved}."  # the text already ends with the formula
        return f"{text}{proved}:\n\\[ {doc.math(e, where)}. \\]"
    return f"{text}{proved}."


def equilibrium_section(doc) -> list:
    eq, g = doc.eq, doc.game
    out = [r"\section{Subgame-perfect equilibrium}\label{sec:equilibrium}", ""]
    variables = list(eq.regions[0].strategies) if eq.regions else []
    for r in eq.regions:
        doc.name_thresholds(doc.reduced(r.bounds))
    later = [v for v in eq.best_responses]
    out += [r"\begin{proposition}[Subgame-perfect equilibrium]\label{prop:spe}"]
    intro = (f"The game has a subgame-perfect equilibrium with {len(eq.regions)} "
             f"region{'s' if len(eq.regions) != 1 else ''} of the parameter space.")
    out.append(intro)
    if doc.names.entries:
        out.append("With the notation")
        out.append(_definitions(doc))
    for v in later:
        pieces = eq.best_responses[v]
        mover = g.variables[v][0].player
        arg = ", ".join(doc.sym(u) for u in sorted(_earlier(g, v), key=lambda s: s.name))
        head = f"{doc.sym(v)}^{{*}}({arg})" if arg else f"{doc.sym(v)}^{{*}}"
        if len(pieces) == 1 and not pieces[0][0]:
            body = doc.math(pieces[0][1], f"best response {v}", definition=True)
        else:
            body = doc.cases([(e, list(b), "") for b, e in pieces], f"best response {v}")
        out.append(f"{_text(mover)}'s best response is\n\\[ {head} = {body}. \\]")
    if many_regions(len(eq.regions)) or _wide_bound(doc):
        out.append(r"The equilibrium strategies and payoffs in each region are given in "
                   r"Tables~\ref{tab:strategies} and~\ref{tab:payoffs}.")
        out += [r"\end{proposition}", ""] + strategy_table(doc) + payoff_table(doc) + _spe_proof(doc)
        return out
    out.append("The equilibrium strategies are")
    for v in variables:
        rows = [(r.strategies[v], r.bounds, region_note(r.label, g, doc.p)) for r in eq.regions]
        body = doc.cases(rows, f"strategy {v}") if len(rows) > 1 else doc.math(rows[0][0], f"strategy {v}", definition=True)
        if len(rows) == 1 and rows[0][1]:
            body += r",\quad \text{if } " + doc.condition(rows[0][1], "region")
        out.append(f"\\[ {doc.sym(v)}^{{*}} = {body} \\]")
    out.append(r"and the equilibrium payoffs in each region are given in Table~\ref{tab:payoffs}.")
    out += [r"\end{proposition}", ""]
    out += payoff_table(doc)
    out += _spe_proof(doc)
    return out


WIDE_BOUND = 40  # visible characters of one bound beyond which a cases display is too wide for the page


def _wide_bound(doc) -> bool:
    """Whether a region's condition has a bound too wide for a ``cases`` display (stacking
    its bounds cannot help one wide bound); the strategy table breaks such a condition."""
    return any(visible(p) > WIDE_BOUND for r in doc.eq.regions for p in doc.pieces(doc.reduced(r.bounds)))


def _earlier(g, v):
    stage = g.variables[v][0].stage
    return [u for u, (m, _) in g.variables.items() if m.stage < stage]


DEFINITION_WIDTH = 44  # characters of a definition's right-hand side on one line, beside its description


def _definitions(doc) -> str:
    rows = []
    for sym, tex, expr, desc in list(doc.names.entries):
        form = doc.math(expr, 'definition', definition=True, breakable=DEFINITION_WIDTH)
        rows.append(f"{tex} &= {form} && \\text{{{doc_text_plain(desc)}}}")
    return r"\begin{align*}" + " \\\\\n".join(rows) + r"\end{align*}"


def doc_text_plain(s: str) -> str:
    """Text inside ``\\text{}``: escaped, math kept in ``$``."""
    parts = re.split(r"(\$[^$]*\$)", s)
    return "".join(p if p.startswith("$") else _text(p) for p in parts)


def _threshold_pairs(doc, sym, definition):
    """Two regions that differ only in the bound ``t >= definition`` / ``t < definition``."""
    key = lambda b: (sp.srepr(b.subject), b.op, sp.srepr(b.bound))  # noqa: E731
    found = []
    for a in doc.eq.regions:
        for b in doc.eq.regions:
            da = [x for x in a.bounds if key(x) not in {key(y) for y in b.bounds}]
            db = [x for x in b.bounds if key(x) not in {key(y) for y in a.bounds}]
            if len(da) == 1 and len(db) == 1 and da[0].op in (">=", ">") and db[0].op in ("<", "<=") \
                    and da[0].subject == db[0].subject and doc.names.symbol_for(da[0].bound) == sym:
                found.append((a, b, da[0].subject))
    return found[:1]


def _threshold_derivations(doc) -> list:
    """Each critical value: the two regions it separates and the player it leaves indifferent."""
    from openeq.export.latex.roundtrip import same

    out = []
    for sym, tex, definition, desc in list(doc.names.entries):
        if not desc.startswith("critical value"):
            continue
        for a, b, t in _threshold_pairs(doc, sym, definition):
            ka, kb = doc.eq.regions.index(a) + 1, doc.eq.regions.index(b) + 1
            for player in a.payoffs:
                d = doc.own(a.payoffs[player] - b.payoffs[player])
                if d == 0 or not same(d.xreplace({t: definition}), 0):
                    continue
                k = sp.cancel(sp.diff(d, t))
                if t not in k.free_symbols and same(d, k * (t - definition)):  # d = k (t - tbar)
                    shown = doc.reg.expr(doc.p.doprint(k * (t - sym)), d, doc.names.defs(), "threshold derivation")
                else:
                    shown = doc.math(d, "threshold derivation")
                out.append(f"In regions ({ka}) and ({kb}) the other conditions agree; player {_text(player)}'s "
                           f"payoffs differ by\n\\[ U_{{{_text(player)}}}^{{({ka})}} - U_{{{_text(player)}}}^{{({kb})}} = "
                           f"{shown}, \\]\nwhich vanishes exactly at "
                           f"${doc.p.doprint(t)} = {tex}$: this defines ${tex}$, and {_text(player)} prefers "
                           f"region ({ka})'s choice when ${doc.p.doprint(t)} \\ge {tex}$ (ties as stated in "
                           f"Section~\\ref{{sec:model}}).")
                break
    return out


def _step_variables(s) -> set:
    """The names of the choice variables a foc, soc or solution step is about."""
    if s.kind == "solution" and isinstance(s.expr, sp.Equality):
        lhs = s.expr.lhs
        names = [str(v) for v in (lhs if isinstance(lhs, sp.Tuple) else [lhs])]
        return {n[:-2] if n.endswith("_I") else n for n in names}
    return set(re.findall(r"/ d(\w+)", s.text))


def _of_move(s, m, shown) -> bool:
    """Whether a step of a player who moves at several stages belongs to move ``m``: it is
    about one of ``m``'s variables (a joint solution is shown once, at its first mover)."""
    names = _step_variables(s)
    if not names & {str(v) for v in m.variables}:
        return False
    if s.kind == "solution" and len(names) > 1:
        key = (s.text, str(s.expr))
        if key in shown:
            return False
        shown.add(key)
    return True


def _fixed_points(doc, moves) -> list:
    """The simultaneous stage's equilibria as fixed points of the best responses above
    (``solver/nash.py``), region by region."""
    names = {str(v) for m in moves for v in m.variables}
    rows = [(k, s) for k, r in enumerate(doc.eq.regions, 1) for s in r.steps
            if s.kind == "case" and s.text == FIXED_POINT and {str(v) for v in s.expr.lhs} <= names]
    if not rows:
        return []
    out = ["The movers' payoffs are piecewise in their choices, so the stage's equilibrium is a fixed point "
           "of the best responses above: one branch per mover, solved jointly, with the branches' conditions "
           "at the solution (combinations whose conditions are proved empty have none). In each region:",
           r"\begin{itemize}"]
    for k, s in rows:
        out.append(f"\\item region ({k}): ${doc.math(s.expr, 'fixed point')}$")
    return out + [r"\end{itemize}"]


def _spe_proof(doc) -> list:
    eq, g = doc.eq, doc.game
    unproved = sum(1 for r in eq.regions for st in r.steps if st.proved is False) + sum(len(r.unproven) for r in eq.regions)
    how = ("Every step below is proved symbolically under the parameters' domains."
           if not unproved else "The steps are proved symbolically except those marked as certified numerically, "
           "which are checked at the points of Section~\\ref{sec:verification}.")
    out = [r"\begin{proof}", "By backward induction. " + how]
    all_steps = [s for r in eq.regions for s in r.steps]
    several = {p for p in g.players if sum(1 for m in g.moves if m.player == p) > 1}
    shown = set()
    for stage, moves in _players_by_stage(eq):
        for m in moves:
            mine = _dedupe([s for s in all_steps if s.player == m.player and s.kind in ("soc", "foc", "solution")
                            and (m.player not in several or _of_move(s, m, shown))])
            vs = ", ".join(f"${doc.sym(v)}$" for v in m.variables)
            out.append(r"\paragraph{Stage %d: %s chooses %s.}" % (stage, _text(m.player), vs))
            for s in mine:
                out.append(step_latex(doc, s, f"proof stage {stage}"))
            compares = _dedupe([s for s in all_steps if s.player == m.player and s.kind == "compare"])
            if compares:
                out.append("The candidates -- the stationary point, the ends of the domain and the breakpoints "
                           "of the payoff -- are compared in each region; the chosen candidate is:")
                out.append(r"\begin{itemize}")
                for k, r in enumerate(eq.regions, 1):
                    cases = [s.text for s in r.steps if s.kind == "case" and s.player == m.player]
                    if cases:
                        out.append(f"\\item region ({k}): {doc.text(cases[0])}")
                out.append(r"\end{itemize}")
                out += _threshold_derivations(doc)
        out += _fixed_points(doc, moves)
    unproven = [(r.label, u) for r in eq.regions for u in r.unproven]
    if unproven:
        out.append("Claims not proved symbolically, certified numerically in Section~\\ref{sec:verification}: "
                   + "; ".join(f"{region_note(lab, g, doc.p)}: {doc.text(u)}" for lab, u in unproven) + ".")
    out += [r"\end{proof}", ""]
    return out


