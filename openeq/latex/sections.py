"""The appendix's sections.  A ``Doc`` holds the equilibrium, the document's names
(``\\tilde{\\omega}``, ``\\bar{p}_{1}``) and the round-trip registry; every closed form
is printed through ``Doc.math`` / ``Doc.cases`` / ``Doc.condition`` so that what is
displayed is exactly what the round-trip test parses back.
"""
from __future__ import annotations

import re

import sympy as sp

from .printer import OPS, Names, Printer, _text, cases_latex, game_names, name_latex, text_latex
from .roundtrip import Registry, RoundTripError

WIDE = 58  # visible characters of a condition beyond which its bounds are stacked
THRESHOLD = 20  # visible characters of a bound beyond which it is given a name


def visible(tex: str) -> int:
    """A rough width of LaTeX math: characters left once commands and braces are dropped."""
    s = re.sub(r"\\(left|right|frac|begin\{[a-z]+\}|end\{[a-z]+\}|text)", "", tex)
    s = re.sub(r"\\[A-Za-z]+", "x", s)
    s = re.sub(r"[{}\s^_]", "", s)
    return len(s)


def label_text(label: str) -> str:
    return _text(label.replace("_", " "))


class Doc:
    def __init__(self, eq, registry: Registry | None = None, meanings=None):
        self.eq, self.game = eq, eq.game
        self.reg = registry if registry is not None else Registry()
        self.names = Names(self.game)
        self.names.stationary_points([s for r in eq.regions for s in r.steps] + list(eq.steps))
        self.p = Printer(self.names)
        self.meanings = meanings or {}
        self.symbols = game_names(self.game)
        self._forms = {}  # expr -> display form

    # ------------------------------------------------------------ closed forms
    def math(self, e, where="", definition=False, expected=None) -> str:
        """LaTeX of a closed form, registered for the round-trip against ``expected`` (default ``e``).

        What is shown is ``display_form(e)``: a canonical form (factored or expanded,
        whichever is shorter), so the text depends on the value of ``e``, not on how the
        engine (or a cache written by an older engine) happened to arrange it.
        """
        e = self.own(e)
        expected = e if expected is None else self.own(expected)
        shown = self.display_form(e, names=not definition)
        tex = self.p.doprint(shown, definition=definition)
        if isinstance(shown, sp.Piecewise) and isinstance(expected, sp.Piecewise) and len(shown.args) == len(expected.args):
            try:  # branch by branch: displayed branch k stands for the engine's branch k
                return self.reg.cases(tex, [(self.names.expand(v), None if c == sp.true else c)
                                            for v, c in expected.args], self.names.defs(), where)
            except RoundTripError:
                pass
        return self.reg.expr(tex, self.names.expand(expected), self.names.defs(), where)

    def own(self, e):
        """``e`` in the game's own symbols: a derivation may build games (``fix(game, p=0)``)
        whose symbols carry the same names but other assumptions."""
        e = sp.sympify(e)
        if not isinstance(e, sp.Basic):
            return e
        ns = self.game.namespace
        swap = {x: ns[x.name] for x in e.free_symbols if isinstance(x, sp.Symbol) and x.name in ns and x != ns[x.name]}
        return e.xreplace(swap) if swap else e

    def display_form(self, e, names=True):
        """The shortest of the canonical forms of ``e`` (factored, expanded) and, with
        ``names``, forms in the named stationary points.

        A stationary point ``\\tilde{x} = f(theta)`` that is linear in a parameter ``t`` lets
        ``t`` be written through ``\\tilde{x}``; substituting turns e.g. a long interior
        payoff into a short polynomial in ``\\tilde{x}``.  Every form equals ``e``
        identically (the round-trip re-checks it).
        """
        e = self.own(e)
        key = (e, names)
        if key not in self._forms:
            self._forms[key] = self._display_form(e, names)
        return self._forms[key]

    def _display_form(self, e, names):
        if isinstance(e, sp.Piecewise):
            return sp.Piecewise(*[(self.display_form(v, names), c if c == sp.true else _canonical_condition(self, c))
                                  for v, c in e.args], evaluate=False)
        if isinstance(e, (sp.Min, sp.Max)):
            return e.func(*[self.display_form(a, names) for a in e.args], evaluate=False)
        if not isinstance(e, sp.Expr) or e.is_number or isinstance(e, sp.Symbol) or e.has(sp.Piecewise, sp.Min, sp.Max) \
                or e.atoms(sp.Function):  # cos, acos, roots: rational canonical forms would mangle them
            return e
        roots = any(x.exp.is_Rational and not x.exp.is_Integer for x in e.atoms(sp.Pow))
        try:
            c = sp.cancel(e)
            # with square roots, cancel/factor scatter the radicals: keep the form as derived
            cands = [e, sp.expand(e)] if roots else [sp.factor(c), c]
        except (sp.PolynomialError, TypeError):
            return e
        params = {p.symbol for p in self.game.parameters.values()}
        long = visible(self.p.doprint(cands[0])) > 30
        for sym, _, definition, _ in self.names.entries if names and long else []:
            if sym not in self.names.stationary or not definition.free_symbols <= params:
                continue  # only on-path stationary points (functions of the parameters alone)
            for t in sorted(definition.free_symbols & e.free_symbols, key=lambda x: x.name):
                num, den = sp.fraction(sp.cancel(definition))
                if t in den.free_symbols or not num.is_polynomial(t) or sp.degree(num, t) != 1:
                    continue
                num = sp.expand(num)
                k = num.coeff(t)  # sym = (k t + r)/den  =>  t = (sym den - r)/k
                sub = {t: (sym * den - (num - k * t)) / k}
                if roots:  # term by term, so that the radicals stay whole
                    e2 = sp.Add(*[sp.cancel(term.xreplace(sub)) for term in sp.Add.make_args(e)])
                    forms = [e2]
                else:
                    e2 = sp.cancel(c.xreplace(sub))
                    forms = [sp.factor(e2), sp.collect(e2, sym)]
                if sym in e2.free_symbols:
                    cands += forms
        widths = [visible(self.p.doprint(x)) for x in cands]
        best = min(range(len(cands)), key=lambda k: (widths[k], k))
        # a form in the names must be clearly shorter to be worth the reader's look-up
        if best > 1 and widths[best] >= 0.8 * min(widths[:2]):
            best = min((0, 1), key=lambda k: (widths[k], k))
        return cands[best]

    def name_thresholds(self, bounds):
        """Give long bounds on a parameter a name (``p \\ge \\bar{p}_{1}``)."""
        for b in bounds:
            if isinstance(b.subject, sp.Symbol) and b.subject.name in self.game.parameters \
                    and visible(self.p.doprint(b.bound)) > THRESHOLD:
                self.names.threshold(b.subject, b.bound)

    def pieces(self, bounds) -> list:
        from .printer import bounds_latex

        return bounds_latex(bounds, names=self.names)

    def condition(self, bounds, where="", stack=True) -> str:
        """A conjunction of bounds as written; stacked in lines when wide."""
        self.name_thresholds(bounds)
        pieces = self.pieces(bounds)
        if not pieces:
            return r"\text{always}"
        tex = r",\ ".join(pieces)
        if stack and visible(tex) > WIDE and len(pieces) > 1:
            tex = r"\begin{aligned}[t] &" + r",\\ &".join(pieces) + r"\end{aligned}"
        return self.reg.condition(tex, bounds, self.names.defs(), where)

    def cases(self, rows, where="") -> str:
        """``rows``: (value expr, bounds or None, note) -> registered ``cases`` block."""
        out, branches = [], []
        for value, bounds, note in rows:
            if bounds is None:
                cond = r"\text{otherwise}"
            else:
                self.name_thresholds(bounds)
                pieces = self.pieces(bounds)
                tex = r",\ ".join(pieces)
                if visible(tex) > WIDE and len(pieces) > 1:
                    tex = r"\begin{aligned}[t] &" + r",\\ &".join(pieces) + r"\end{aligned}"
                cond = (r"\text{if } " + tex) if pieces else r"\text{always}"
            if note:
                cond += r"\quad\text{(%s)}" % note
            out.append((r"\displaystyle " + self.p.doprint(self.display_form(value)), cond))
            branches.append((self.names.expand(sp.sympify(value)), bounds if bounds is not None else None))
        tex = cases_latex(out, spread=True)
        return self.reg.cases(tex, branches, self.names.defs(), where)

    def sym(self, v) -> str:
        name = v.name if hasattr(v, "name") else str(v)
        return self.symbols.get(name) or name_latex(name, self.game)

    def text(self, s) -> str:
        from .prose import text_latex as prose

        return prose(s, self.game, self.p)


# ---------------------------------------------------------------- the model
def domain_latex(doc, dom) -> str:
    lo = r"-\infty" if dom.lo == -sp.oo else doc.p.doprint(dom.lo)
    hi = r"\infty" if dom.hi == sp.oo else doc.p.doprint(dom.hi)
    return f"{'(' if dom.lo_open else '['}{lo}, {hi}{')' if dom.hi_open else ']'}"


def model_section(doc) -> list:
    g = doc.game
    out = [r"\section{The model}\label{sec:model}", ""]
    if g.description:
        out += [doc.text(" ".join(g.description.split())), ""]
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
        lines.append(f"U_{{{_text(player)}}} &= " + (tex or doc.math(e, f"payoff {player}")))
    out += [r" \\".join(lines), r"\end{align*}"]
    tb = {"max": "the larger action", "min": "the smaller action"}
    if g.tie_break:
        out.append("An indifferent player takes " + "; ".join(
            f"{_text(pl)}: {tb.get(t, t)}" for pl, t in g.tie_break.items()) + ".")
    out.append("")
    return out


def _latexify(doc, fn, expr):
    """A Python-function payoff through latexify-py, in the game's notation."""
    try:
        import latexify
    except ImportError:
        return None
    try:
        tex = latexify.get_latex(fn)
    except Exception:  # latexify refuses some Python; sympy's form is shown instead
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
    proved = {True: " (proved)", False: " (certified numerically)"}.get(s.proved, "")
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
        op = "<" if "< 0" in s.text else r"\le" if "<= 0" in s.text else "?"
        return (f"Second-order condition{proved}:\n\\[ \\frac{{\\partial^2 U_{{{_text(s.player)}}}}}{{\\partial {var}^2}} = "
                f"{doc.math(e, where)} {op} 0. \\]")
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
        doc.name_thresholds(r.bounds)
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
    out.append("The equilibrium strategies are")
    for v in variables:
        rows = [(r.strategies[v], r.bounds, label_text(r.label)) for r in eq.regions]
        body = doc.cases(rows, f"strategy {v}") if len(rows) > 1 else doc.math(rows[0][0], f"strategy {v}", definition=True)
        if len(rows) == 1 and rows[0][1]:
            body += r",\quad \text{if } " + doc.condition(rows[0][1], "region")
        out.append(f"\\[ {doc.sym(v)}^{{*}} = {body} \\]")
    out.append(r"and the equilibrium payoffs in each region are given in Table~\ref{tab:payoffs}.")
    out += [r"\end{proposition}", ""]
    out += _payoff_table(doc)
    out += _spe_proof(doc)
    return out


def _earlier(g, v):
    stage = g.variables[v][0].stage
    return [u for u, (m, _) in g.variables.items() if m.stage < stage]


def _definitions(doc) -> str:
    rows = []
    for sym, tex, expr, desc in list(doc.names.entries):
        rows.append(f"{tex} &= {doc.math(expr, 'definition', definition=True)} && \\text{{{doc_text_plain(desc)}}}")
    return r"\begin{align*}" + " \\\\\n".join(rows) + r"\end{align*}"


def doc_text_plain(s: str) -> str:
    """Text inside ``\\text{}``: escaped, math kept in ``$``."""
    parts = re.split(r"(\$[^$]*\$)", s)
    return "".join(p if p.startswith("$") else _text(p) for p in parts)


def _payoff_table(doc) -> list:
    eq = doc.eq
    players = list(eq.regions[0].payoffs) if eq.regions else []
    out = [r"\begin{table}[H]", r"\centering",
           r"\caption{Equilibrium payoffs in each region of Proposition~\ref{prop:spe}.}\label{tab:payoffs}",
           r"\begin{tabular}{@{}lll@{}}", r"\toprule", r"Region & Player & Payoff \\", r"\midrule"]
    for k, r in enumerate(eq.regions, 1):
        for j, p in enumerate(players):
            e = r.payoffs[p]
            tex = doc.math(e, f"payoff {p} region {k}")
            region = f"({k}) {doc.text(r.label.replace('_', ' '))}" if j == 0 else ""
            out.append(f"{region} & {_text(p)} & $\\displaystyle U_{{{_text(p)}}}^{{*}} = {tex}$ \\\\[1.2ex]")
        if k < len(eq.regions):
            out.append(r"\addlinespace[2pt]")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return out


def _spe_proof(doc) -> list:
    eq, g = doc.eq, doc.game
    out = [r"\begin{proof}", "By backward induction."]
    all_steps = [s for r in eq.regions for s in r.steps] + list(eq.steps)
    for stage, moves in _players_by_stage(eq):
        for m in moves:
            mine = _dedupe([s for s in all_steps if s.player == m.player and s.kind in ("soc", "foc", "solution")])
            vs = ", ".join(f"${doc.sym(v)}$" for v in m.variables)
            out.append(r"\paragraph{Stage %d: %s chooses %s.}" % (stage, _text(m.player), vs))
            for s in mine:
                out.append(step_latex(doc, s, f"proof stage {stage}"))
            compares = _dedupe([s for s in all_steps if s.player == m.player and s.kind == "compare"])
            if compares:
                out.append("The candidates (the stationary point, the ends of the domain and the breakpoints "
                           "of the payoff) are compared; the comparison and the position of the stationary "
                           "point give the regions:")
                rows = []
                for r in eq.regions:
                    cases = [s.text for s in r.steps if s.kind == "case" and s.player == m.player]
                    note = doc.text(cases[0]) if cases else ""
                    for v in m.variables:
                        rows.append((r.strategies[v], r.bounds, note))
                out.append(r"\[ " + ", ".join(f"{doc.sym(v)}^{{*}}" for v in m.variables) + " = "
                           + doc.cases(rows, f"proof regions stage {stage}") + r" \]")
    unproven = [(r.label, u) for r in eq.regions for u in r.unproven]
    if unproven:
        out.append("Claims not proved symbolically, certified numerically in Section~\\ref{sec:verification}: "
                   + "; ".join(f"{label_text(lab)}: {doc.text(u)}" for lab, u in unproven) + ".")
    out += [r"\end{proof}", ""]
    return out


# ------------------------------------------------------------------ results
_SIGN = {"+": ">", "-": "<", "0": "=", "+0": r"\ge", "-0": r"\le"}


def result_section(doc, results, stream=None) -> list:
    out = [r"\section{Results}\label{sec:results}", ""]
    for res in results:
        mark = len(doc.reg.entries)
        try:
            out += result_proposition(doc, res) + [""]
        except Exception as e:  # one result that cannot be typeset must not cost the others
            del doc.reg.entries[mark:]
            if stream is not None:
                print(f"openeq appendix: note: {res.key} typeset as text only ({type(e).__name__}: {e})"[:300],
                      file=stream)
            out += [r"\begin{proposition}[%s]\label{prop:%s}" % (doc.text(res.title), re.sub(r"\W", "", res.key)),
                    _text(res.statement), r"\end{proposition}", ""]
    return out


def result_proposition(doc, res) -> list:
    from .prose import name_display

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


def _canonical_condition(doc, cond):
    """Sides in canonical form; a name (or a parameter) on the left: ``\\tilde{\\omega} < \\theta``."""
    flip = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}
    rel = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}
    mapping = {}
    cond = doc.own(cond)
    for r in cond.atoms(sp.core.relational.Relational):
        lhs, op, rhs = doc.display_form(r.lhs), r.rel_op, doc.display_form(r.rhs)
        nl, nr = doc.names.substitute(lhs), doc.names.substitute(rhs)
        named = {sym for sym, *_ in doc.names.entries}
        if nr in named and nl not in named or isinstance(nr, sp.Symbol) and not isinstance(nl, sp.Symbol):
            lhs, op, rhs = rhs, flip[op], lhs
        mapping[r] = rel[op](lhs, rhs, evaluate=False)
    return cond.xreplace(mapping)


def _cond_math(doc, cond, where) -> str:
    cond = _canonical_condition(doc, cond)
    tex = doc.p.doprint(cond)
    try:
        return doc.reg.condition(tex, doc.names.expand(cond), doc.names.defs(), where)
    except RoundTripError:
        return tex


def _cond_inline(doc, cond, where) -> str:
    if isinstance(cond, (list, tuple)):
        return f"${doc.condition(list(cond), where, stack=False)}$"
    if isinstance(cond, str):
        return doc.text(cond)
    return f"${_cond_math(doc, cond, where)}$"


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
