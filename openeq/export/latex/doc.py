"""The document being written: closed forms in display form, named thresholds, conditions.

A :class:`Doc` holds the equilibrium, the printer with the game's names, and the
round-trip registry: every closed form it prints is registered with the value it
stands for, so that the appendix can be read back and checked (``roundtrip``)."""
from __future__ import annotations

import re

import sympy as sp

from openeq.core.relations import FLIP, SYMPY
from openeq.export.latex.printer import Names, Printer, _text, cases_latex, game_names, name_latex
from openeq.export.latex.roundtrip import Registry, RoundTripError

__all__ = ["WIDE", "THRESHOLD", "visible", "Doc"]


WIDE = 58  # visible characters of a condition beyond which its bounds are stacked
WIDE_ROW = 76  # ... or of a cases row (value, condition and note together)
THRESHOLD = 20  # visible characters of a bound beyond which it is given a name
LONG_SUBJECT = 30  # ... and of an expression compared with 0


def visible(tex: str) -> int:
    """A rough width of LaTeX math: characters left once commands and braces are dropped."""
    s = re.sub(r"\\(left|right|frac|begin\{[a-z]+\}|end\{[a-z]+\}|text)", "", tex)
    s = re.sub(r"\\[A-Za-z]+", "x", s)
    s = re.sub(r"[{}\s^_]", "", s)
    return len(s)


class Doc:
    def __init__(self, eq, registry: Registry | None = None, meanings=None):
        self.eq, self.game = eq, eq.game
        self.reg = registry if registry is not None else Registry()
        self.names = Names(self.game)
        self.names.stationary_points([s for r in eq.regions for s in r.steps])
        self.p = Printer(self.names)
        self.meanings = meanings or {}
        self.symbols = game_names(self.game)
        self._forms = {}  # expr -> display form
        self._reduced = {}  # (subject, op, bound) -> the same relation in one parameter
        self.origin = {}  # name of a result's closed form -> label of the proposition that defines it
        self.shown_steps = {}  # derivation step -> label of the proposition whose proof shows it
        self.refs = {}  # (per proposition) label -> heads shown there
        self.covered = set()  # (result key, expression name) displayed or referred to

    # ------------------------------------------------------------ closed forms
    def math(self, e, where="", definition=False, expected=None, whole=True, breakable=False) -> str:
        """LaTeX of a closed form, registered for the round-trip against ``expected`` (default ``e``).
        ``breakable`` (True, or a width in characters) breaks a long sum over lines.

        What is shown is ``display_form(e)``: a canonical form (factored or expanded,
        whichever is shorter), so the text depends on the value of ``e``, not on how the
        engine (or a cache written by an older engine) happened to arrange it.
        """
        e = self.own(e)
        expected = e if expected is None else self.own(expected)
        shown = self.display_form(e, names=not definition)
        tex = self.p.doprint(shown, definition=definition or not whole)
        if breakable:  # True, or the width in visible characters
            from openeq.export.latex.linebreak import broken

            tex = broken(tex) if breakable is True else broken(tex, int(breakable))
        if isinstance(shown, sp.Piecewise) and isinstance(expected, sp.Piecewise) and len(shown.args) == len(expected.args) \
                and self.flat_piecewise(expected) == expected:
            try:  # branch by branch: displayed branch k stands for the engine's branch k
                # conditions as displayed: in the parameters where the reduction applied (an identity
                # proved by the signs of its coefficients, see forms.reduce_relation)
                return self.reg.cases(tex, [(self.names.expand(v), None if c == sp.true else self.names.expand(sc))
                                            for (v, c), (_, sc) in zip(expected.args, shown.args)],
                                      self.names.defs(), where)
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
        from openeq.export.latex.forms import combine_radicals, has_radicals, rational_forms, readability

        if isinstance(e, sp.Piecewise):
            e = self.flat_piecewise(e)
            if not isinstance(e, sp.Piecewise):
                return self.display_form(e, names)
            return sp.Piecewise(*[(self.display_form(v, names), c if c == sp.true else _canonical_condition(self, c))
                                  for v, c in e.args], evaluate=False)
        if isinstance(e, (sp.Min, sp.Max)):
            return e.func(*[self.display_form(a, names) for a in e.args], evaluate=False)
        if not isinstance(e, sp.Expr) or e.is_number or isinstance(e, sp.Symbol) or e.has(sp.Piecewise, sp.Min, sp.Max) \
                or e.atoms(sp.Function):  # cos, acos, roots: rational canonical forms would mangle them
            return e
        roots = has_radicals(e)
        cands = [e] + ([combine_radicals(e, pick=self._pick)] if roots else rational_forms(e))
        plain = len(cands)
        params = {p.symbol for p in self.game.parameters.values()}
        long = readability(self.p.doprint(e))[0] > 30
        for sym, _, definition, _ in self.names.entries if names and long else []:
            if sym not in self.names.stationary or not definition.free_symbols <= params:
                continue  # only on-path stationary points (functions of the parameters alone)
            cands += self._in_name(e, sym, definition, roots)
        widths = [readability(self.p.doprint(x)) for x in cands]
        best = min(range(len(cands)), key=lambda k: (widths[k], k))
        # a form in the names must be clearly shorter to be worth the reader's look-up
        if best >= plain and widths[best][0] >= 0.8 * min(w[0] for w in widths[:plain]):
            best = min(range(plain), key=lambda k: (widths[k], k))
        return cands[best]

    def _pick(self, forms):
        from openeq.export.latex.forms import readability

        texts = [readability(self.p.doprint(f)) for f in forms]
        return forms[min(range(len(forms)), key=lambda k: (texts[k], k))]

    def _in_name(self, e, sym, definition, roots) -> list:
        """``e`` with a parameter written through the stationary point ``sym`` (see forms)."""
        from openeq.export.latex.forms import FACTOR_OPS, combine_radicals

        out = []
        for t in sorted(definition.free_symbols & e.free_symbols, key=lambda x: x.name):
            num, den = sp.fraction(sp.cancel(definition))
            if t in den.free_symbols or not num.is_polynomial(t) or sp.degree(num, t) != 1:
                continue
            num = sp.expand(num)
            k = num.coeff(t)  # sym = (k t + r)/den  =>  t = (sym den - r)/k
            sub = {t: (sym * den - (num - k * t)) / k}
            if roots:  # term by term, so that the radicals stay whole
                e2 = combine_radicals(e, collect_in=(sym,), pick=self._pick, sub=sub)
                forms = [e2]
            else:
                e2 = sp.cancel(e.xreplace(sub))
                forms = [sp.collect(e2, sym)] + ([sp.factor(e2)] if sp.count_ops(e2) <= FACTOR_OPS else [])
            if sym in e2.free_symbols:
                out += forms
        return out

    def flat_piecewise(self, e):
        """A Piecewise with the relations its parameters' domains decide replaced by their
        truth values and impossible branches dropped (nested ones are treated when shown)."""
        rows = []
        for v, c in e.args:
            decided = {}
            for r in c.atoms(sp.core.relational.Relational):
                t = self.prover.truth(self.names.expand(r.lhs), r.rel_op, self.names.expand(r.rhs))
                if t is not None:
                    decided[r] = sp.true if t else sp.false
            c = c.xreplace(decided) if decided else c
            if c == sp.false:
                continue
            rows.append((v, c))
            if c == sp.true:
                break
        if not rows:
            return e
        if len(rows) == 1 and rows[0][1] == sp.true:
            return rows[0][0]
        return sp.Piecewise(*rows)

    @property
    def prover(self):
        if getattr(self, "_prover", None) is None:
            from openeq.prove.prover import Prover

            self._prover = Prover({p.symbol: p.domain for p in self.game.parameters.values()}, self.game.relations)
        return self._prover

    def reduce(self, subject, op, bound):
        """``subject op bound`` with a parameter alone on one side where possible (see
        ``forms.reduce_relation``): (subject, op, bound)."""
        from openeq.core.relations import FLIP
        from openeq.export.latex.forms import reduce_relation

        params = [p.symbol for p in self.game.parameters.values()]
        subject, bound = self.own(subject), self.own(bound)
        if bound in params and subject not in params:
            return bound, FLIP[op], subject
        if subject in params or not (subject.free_symbols <= set(params)):
            return subject, op, bound
        key = (subject, op, bound)
        if key not in self._reduced:
            got = reduce_relation(self.prover, params, subject, op, bound)
            if got is not None:
                self.names.threshold(got[0], got[2])
            self._reduced[key] = got or key
        return self._reduced[key]

    def reduced(self, bounds) -> list:
        """Bounds as inequalities in the parameters where possible."""
        from openeq.core.conditions import Bound

        out = []
        for b in bounds:
            subject, op, bound = self.reduce(b.subject, b.op, b.bound)
            out.append(b if (subject, op, bound) == (b.subject, b.op, b.bound) else Bound(subject, op, bound))
        return out

    def name_thresholds(self, bounds):
        """Give long bounds on a parameter a name (``p \\ge \\bar{p}_{1}``), and long
        expressions compared with 0 (``\\Lambda_{1} \\ge 0``)."""
        for b in bounds:
            if isinstance(b.subject, sp.Symbol) and b.subject.name in self.game.parameters:
                if visible(self.p.doprint(b.bound)) > THRESHOLD:
                    self.names.threshold(b.subject, b.bound)
            elif b.bound == 0 and visible(self.p.doprint(b.subject)) > LONG_SUBJECT:
                self.names.quantity(b.subject)

    def pieces(self, bounds) -> list:
        from openeq.export.latex.printer import bounds_latex

        return bounds_latex(bounds, names=self.names)

    def condition(self, bounds, where="", stack=True, breakable=False) -> str:
        """A conjunction of bounds in the parameters; stacked in lines when wide, or, with
        ``breakable`` (inline, in a table cell), with a line break allowed after each comma."""
        bounds = self.reduced(bounds)
        self.name_thresholds(bounds)
        pieces = self.pieces(bounds)
        if not pieces:
            return r"\text{always}"
        tex = (r",\ \allowbreak " if breakable else r",\ ").join(pieces)
        if stack and visible(tex) > WIDE and len(pieces) > 1:
            tex = r"\begin{aligned}[t] &" + r",\\ &".join(pieces) + r"\end{aligned}"
        return self.reg.condition(tex, bounds, self.names.defs(), where)

    def cases(self, rows, where="") -> str:
        """``rows``: (value expr, bounds or None, note) -> registered ``cases`` block."""
        out, branches = [], []
        for value, bounds, note in rows:
            if bounds is None:
                cond, shown = r"\text{otherwise}", self.p.doprint(self.display_form(value))
            else:
                bounds = self.reduced(bounds)
                self.name_thresholds(bounds)
                pieces = self.pieces(bounds)
                tex = r",\ ".join(pieces)
                shown = self.p.doprint(self.display_form(value))  # (after the bounds' names: it may use them)
                # stacked when the condition is wide, or the row (value, condition, note) is
                if len(pieces) > 1 and (visible(tex) > WIDE or visible(shown + tex + (note or "")) > WIDE_ROW):
                    tex = r"\begin{aligned}[t] &" + r",\\ &".join(pieces) + r"\end{aligned}"
                cond = (r"\text{if } " + tex) if pieces else r"\text{always}"
            if note:
                cond += r"\quad\text{(%s)}" % note
            out.append((r"\displaystyle " + shown, cond))
            branches.append((self.names.expand(sp.sympify(value)), bounds if bounds is not None else None))
        tex = cases_latex(out, spread=True)
        return self.reg.cases(tex, branches, self.names.defs(), where)

    def sym(self, v) -> str:
        name = v.name if hasattr(v, "name") else str(v)
        return self.symbols.get(name) or name_latex(name, self.game)

    def text(self, s) -> str:
        """Prose for a referee (``wording.typeset``): no engine words, formulas typeset."""
        from openeq.export.latex.wording import typeset

        return typeset(s, self.game, self.p, self.eq.labels)


def _canonical_condition(doc, cond):
    """Sides in canonical form; a name (or a parameter) on the left: ``\\tilde{\\omega} < \\theta``."""
    flip, rel = FLIP, SYMPY
    mapping = {}
    cond = doc.own(cond)
    for r in cond.atoms(sp.core.relational.Relational):
        lhs, op, rhs = doc.reduce(r.lhs, r.rel_op, r.rhs) if r.rel_op != "==" else (r.lhs, r.rel_op, r.rhs)
        lhs, rhs = doc.display_form(lhs), doc.display_form(rhs)
        nl, nr = doc.names.substitute(lhs), doc.names.substitute(rhs)
        named = {sym for sym, *_ in doc.names.entries}
        params = {p.symbol for p in doc.game.parameters.values()}
        if nr in params and nl not in params or nl not in params and (
                nr in named and nl not in named or isinstance(nr, sp.Symbol) and not isinstance(nl, sp.Symbol)):
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
