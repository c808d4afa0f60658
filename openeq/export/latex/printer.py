"""openeq's LaTeX printer: the game's own symbol names, conditions as written.

* symbols print with the game's ``latex_names`` (``alpha0 -> \\alpha_0``); a
  stationary point ``omega_I`` of the solver prints as ``\\tilde{\\omega}``;
* a sum starts with a positive term when it has one (``c\\varepsilon - \\delta``,
  not ``- \\delta + c\\varepsilon``);
* a ``Bound`` prints as written, subject on the left (``\\tilde{\\omega} < \\theta``,
  never sympy's normal form ``\\theta > \\tilde{\\omega}``); two bounds on one subject
  read as a chain (``0 \\le \\tilde{\\omega} < \\theta``); a conjunction is joined
  with ``,\\ ``;
* ``Piecewise`` and a list of regions print as an amsmath ``cases`` block.

``Names`` gives long expressions a name (the stationary point ``\\tilde{\\omega}``,
a critical penalty ``\\bar{p}_{1}``) so that region conditions stay short; the
printer substitutes a name wherever its expression occurs.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import sympy as sp

from openeq.core.relations import FLIP, LATEX, SIGN_OP
from sympy.printing.latex import LatexPrinter

__all__ = [
    "Printer", "Names", "game_names", "expr_latex", "bound_latex", "bounds_latex",
    "condition_latex", "cases_latex", "region_latex", "equilibrium_latex",
    "name_latex", "OPS",
]

OPS = LATEX


def _default(name: str) -> str:
    """sympy's form of a name, with a base of several Latin letters set as one word
    (``cL`` -> ``\\mathit{cL}``: bare, it reads as the product ``c L``)."""
    tex = LatexPrinter()._deal_with_super_sub(name)
    return re.sub(r"^([A-Za-z]{2,})(?=[_^]|$)", r"\\mathit{\1}", tex)


def decorate(tex: str, accent: str) -> str:
    """``\\alpha_0`` -> ``\\tilde{\\alpha}_0``: the accent goes on the base only."""
    m = re.match(r"^(\\?[A-Za-z]+)(.*)$", tex)
    return f"\\{accent}{{{m.group(1)}}}{m.group(2)}" if m else f"\\{accent}{{{tex}}}"


def game_names(game) -> dict:
    """Symbol name -> LaTeX for a game's parameters, choices and their stationary points."""
    if game is None:
        return {}
    out = {}
    for name in list(game.parameters) + sorted(game.variable_names):
        out[name] = game.latex_names.get(name) or _default(name)
    for name in sorted(game.variable_names):
        out[f"{name}_I"] = decorate(out[name], "tilde")
    return out


@lru_cache(maxsize=2048)
def _canon(e):
    """A canonical form for matching names: factor(cancel(e)), within a size budget."""
    if not isinstance(e, sp.Expr) or sp.count_ops(e) > 60 or any(
            x.exp.is_Rational and not x.exp.is_Integer for x in e.atoms(sp.Pow)):
        return e
    try:
        return sp.factor(sp.cancel(sp.together(e)))
    except (sp.PolynomialError, TypeError):
        return e


def indexed(tex: str, k: int) -> str:
    """``x_{1}`` -> ``x_{1,k}``; ``x`` -> ``x_{k}``: the ``k``-th of several names of one kind."""
    m = re.match(r"^(.*)_(\{([^{}]*)\}|(\w))$", tex)
    return f"{m.group(1)}_{{{m.group(3) or m.group(4)},{k}}}" if m else f"{tex}_{{{k}}}"


class Names:
    """Named expressions of one document: symbol -> (LaTeX, definition, description)."""

    def __init__(self, game=None):
        self.game = game
        self.latex = game_names(game)  # symbol name -> LaTeX (incl. the named ones)
        self.entries = []  # (Symbol, latex, expr, description), in order of naming
        self._exact = {}  # expr -> Symbol (structural match)
        self._canon = {}  # canonical expr -> Symbol
        self.stationary = []  # the names of stationary points

    def add(self, name: str, tex: str, expr, description: str = "") -> sp.Symbol:
        expr = sp.sympify(expr)
        key = _canon(expr)
        if key in self._canon:
            return self._canon[key]
        sym = sp.Symbol(name, real=True)  # names stand for real closed forms
        self.latex[name] = tex
        self.entries.append((sym, tex, expr, description))
        self._exact[expr] = sym
        self._forms(expr, key, sym)
        self._canon[key] = sym
        return sym

    def _forms(self, expr, key, target):
        """Map the canonical forms a display may use of ``expr`` to ``target``, so that they
        are found inside larger expressions."""
        try:
            c = sp.cancel(expr)
            for form in (c, sp.factor(c), key):
                self._exact.setdefault(form, target)
        except (sp.PolynomialError, TypeError):
            pass

    def symbol_for(self, expr):
        return self._exact.get(expr) or self._canon.get(_canon(expr))

    def stationary_points(self, steps) -> None:
        """Name the solver's stationary points (``solution`` steps ``Eq(x_I, ...)``)."""
        for s in steps:
            if s.kind == "solution" and isinstance(s.expr, sp.Eq) and isinstance(s.expr.lhs, sp.Symbol):
                name = s.expr.lhs.name
                tex, desc = self.latex.get(name) or _default(name), f"{s.player}'s stationary point"
                taken = [e for e in self.entries if e[0].name == name or e[0].name.startswith(name + "_case")]
                if taken and self.symbol_for(s.expr.rhs) is None:
                    # another stationary point of the same variable (another case of the later
                    # moves): a name of its own, or the document would give one name two meanings
                    k = len(taken) + 1
                    name, tex, desc = f"{name}_case{k}", indexed(taken[0][1], k), desc + f" (case {k})"
                sym = self.add(name, tex, s.expr.rhs, desc)
                self.stationary.append(sym)

    def threshold(self, subject, expr, index_hint: str = ""):
        """A name ``\\bar{x}_{k}`` for a long bound on the parameter ``subject``."""
        sym = self.symbol_for(expr)
        if sym is not None:
            return sym
        base = self.latex.get(subject.name) or _default(subject.name)
        k = 1 + sum(1 for e in self.entries if e[0].name.startswith(f"{subject.name}bar_"))
        tex = indexed(decorate(base, "bar"), k)
        return self.add(f"{subject.name}bar_{k}", tex, expr, f"critical value of ${base}$")

    def quantity(self, expr):
        """A name ``\\Lambda_{k}`` for a long expression compared with 0 in a region's
        bounds (a letter no symbol of the game uses)."""
        sym = self.symbol_for(expr)
        if sym is not None:
            return sym
        neg = self.symbol_for(-expr)
        if neg is not None:
            return -neg
        used = " ".join(game_names(self.game).values())
        letter = next((t for t in (r"\Lambda", r"\Xi", r"\Upsilon", r"\Psi") if t not in used), r"\Lambda")
        k = 1 + sum(1 for e in self.entries if e[0].name.startswith("quantity_"))
        sym = self.add(f"quantity_{k}", f"{letter}_{{{k}}}", expr, "")
        self._exact.setdefault(-expr, -sym)  # -Lambda_k where the negative appears
        self._forms(-expr, _canon(-expr), -sym)
        return sym

    def substitute(self, e, whole=True):
        """Replace named expressions (whole or as sub-expressions) by their names."""
        e = sp.sympify(e)
        if not self.entries or e.is_number or isinstance(e, sp.Symbol):
            return e
        sym = self.symbol_for(e) if whole else None
        if sym is not None:
            return sym
        if not whole:
            return e.func(*[a.xreplace(self._exact) for a in e.args]) if e.args else e
        return e.xreplace(self._exact)

    def expand(self, e):
        """Replace names by their definitions (the inverse of ``substitute``)."""
        back = {sym.name: expr for sym, _, expr, _ in self.entries}  # by name: a derivation's own omega_I too
        for _ in range(len(back) + 1):
            new = e.xreplace({s: back[s.name] for s in e.free_symbols if s.name in back})
            if new == e:
                break
            e = new
        return e

    def defs(self) -> dict:
        """LaTeX name -> definition in the game's own symbols (for the round-trip)."""
        return {tex: self.expand(expr) for _, tex, expr, _ in self.entries}


class Printer(LatexPrinter):
    """sympy's LaTeX printer with the game's names and paper-style sums and cases."""

    printmethod = "_openeq_latex"

    def __init__(self, names: Names | dict | None = None, **settings):
        settings.setdefault("inv_trig_style", "full")  # \arccos, which the round-trip parser reads
        super().__init__(settings)
        if isinstance(names, Names):
            self.table, self.named = names.latex, names
        else:
            self.table, self.named = dict(names or {}), None

    def doprint(self, expr, definition=False):
        """``definition``: print a named expression itself (not its name)."""
        if self.named is not None and isinstance(expr, sp.Basic) and not isinstance(expr, sp.logic.boolalg.Boolean):
            expr = self.named.substitute(expr, whole=not definition)
        return super().doprint(expr)

    def _print_Symbol(self, expr, style="plain"):
        if expr.name in self.table:
            return self.table[expr.name]
        return name_latex(expr.name, table=self.table)

    def _print_Add(self, expr, order=None):
        terms = list(self._as_ordered_terms(expr, order=order))
        k = next((i for i, t in enumerate(terms) if not t.could_extract_minus_sign()), 0)
        terms = terms[k:] + terms[:k]  # a positive term first
        tex = ""
        for i, term in enumerate(terms):
            if i == 0:
                pass
            elif term.could_extract_minus_sign():
                tex += " - "
                term = -term
            else:
                tex += " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = r"\left(%s\right)" % term_tex
            tex += term_tex
        return tex

    def _print_Mul(self, expr):
        # -(x - y)/z reads better as (y - x)/z: move the sign into a factor that has a negative term
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_negative:
            factors = list(sp.Mul.make_args(rest))
            for i, f in enumerate(factors):
                if f.is_Add and any(t.could_extract_minus_sign() for t in f.args):
                    factors[i] = sp.Add(*[-t for t in f.args])
                    return self._print(sp.Mul(-coeff, *factors))
        return super()._print_Mul(expr)

    def _print_Piecewise(self, expr):
        rows = []
        for e, c in expr.args:
            cond = r"\text{otherwise}" if c == sp.true else r"\text{if } " + self._print(c)
            rows.append((self._print(e), cond))
        return cases_latex(rows)

    def _print_Relational(self, expr):
        lhs, rel, rhs = expr.lhs, expr.rel_op, expr.rhs
        if self.named is not None:
            lhs, rhs = self.named.substitute(lhs), self.named.substitute(rhs)
        if self.named is not None and isinstance(lhs, sp.Expr) and rhs.is_number and not isinstance(lhs, sp.Symbol) \
                and self.named.symbol_for(-lhs) is not None:
            # sympy stores omega_I < 0 as (-omega_I) > 0; print the name: \tilde{\omega} < 0
            lhs, rhs = self.named.substitute(-lhs), -rhs
            rel = FLIP[rel]
        op = {"==": "=", "!=": r"\neq", ">=": r"\ge", "<=": r"\le"}.get(rel, rel)
        return f"{self._print(lhs)} {op} {self._print(rhs)}"

    # conjunctions and disjunctions: sympy orders their arguments by internal structure; sort by
    # what is printed so that the text depends on the condition only
    def _print_And(self, expr):
        return r",\ ".join(sorted(self._print(a) for a in expr.args))

    def _print_Or(self, expr):
        return r"\ \text{or}\ ".join(sorted(r"\left(%s\right)" % self._print(a) if isinstance(a, sp.And)
                                           else self._print(a) for a in expr.args))

    def _print_ComplexRootOf(self, expr):
        # root_k(P): the k-th root of the polynomial P (real roots first, in increasing order)
        return r"\operatorname{root}_{%d}\left(%s\right)" % (expr.index + 1, self._print(expr.expr))

    def _print_ITE(self, expr):
        a, b, c = expr.args  # if a then b else c
        return self._print(sp.Or(sp.And(a, b), sp.And(sp.Not(a), c)))

    def _print_BooleanTrue(self, expr):
        return r"\text{always}"


def _printer(game=None, names=None) -> Printer:
    if names is not None:
        return Printer(names)
    return Printer(game_names(game))


def expr_latex(e, game=None, names=None) -> str:
    """A closed form in the game's notation (``names``: a document's ``Names``)."""
    return _printer(game, names).doprint(sp.sympify(e))


def bound_latex(b, game=None, names=None) -> str:
    """One bound as written: ``subject op bound``."""
    p = _printer(game, names)
    return f"{p.doprint(b.subject)} {OPS[b.op]} {p.doprint(b.bound)}"


def _chains(bounds):
    """Group a lower and an upper bound on one subject: (lo_bound, hi_bound) or (b,)."""
    out, used = [], set()
    for i, a in enumerate(bounds):
        if i in used:
            continue
        partner = None
        if a.op in (">", ">="):
            for j, b in enumerate(bounds):
                if j != i and j not in used and b.subject == a.subject and b.op in ("<", "<="):
                    partner = j
                    break
        if partner is None:
            out.append((a,))
        else:
            used.add(partner)
            out.append((a, bounds[partner]))
        used.add(i)
    return out


def bounds_latex(bounds, game=None, names=None) -> list:
    """A conjunction of bounds as a list of LaTeX pieces (chains where they read better)."""
    p = _printer(game, names)
    pieces = []
    for group in _chains(list(bounds)):
        if len(group) == 1:
            pieces.append(bound_latex(group[0], names=names) if names is not None else bound_latex(group[0], game))
        else:
            lo, hi = group
            flip = {">": "<", ">=": r"\le"}[lo.op]
            pieces.append(f"{p.doprint(lo.bound)} {flip} {p.doprint(lo.subject)} {OPS[hi.op]} {p.doprint(hi.bound)}")
    return pieces


def condition_latex(cond, game=None, names=None) -> str:
    """A sympy Boolean (a result's condition) as written."""
    if isinstance(cond, (list, tuple)):
        return r",\ ".join(bounds_latex(cond, game, names)) or r"\text{always}"
    return _printer(game, names).doprint(cond)


def cases_latex(rows, spread=False) -> str:
    """``rows``: (value, condition) LaTeX pairs -> an amsmath ``cases`` block."""
    body = (r" \\[1ex] " if spread else r" \\ ").join(f"{v} & {c}" for v, c in rows)
    return r"\begin{cases} " + body + r" \end{cases}"


# ------------------------------------------------------------- Jupyter forms
def _region_game(obj):
    return getattr(obj, "game", None)


def region_latex(region, game=None) -> str:
    """One region: its label, strategies and condition (for ``Region._repr_latex_``)."""
    p = _printer(game)
    strat = r",\ ".join(f"{p.doprint(v)} = {p.doprint(e)}" for v, e in region.strategies.items())
    cond = r",\ ".join(bounds_latex(region.bounds, game)) or r"\text{always}"
    return r"\text{%s: }\ %s \quad \text{if } %s" % (_text(region.label), strat, cond)


def equilibrium_latex(eq) -> str:
    """The equilibrium's strategies as ``cases`` over its regions (``aligned``)."""
    game = eq.game
    names = Names(game)
    names.stationary_points([s for r in eq.regions for s in r.steps])
    p = Printer(names)
    lines = []
    variables = list(eq.regions[0].strategies) if eq.regions else []
    for v in variables:
        rows = []
        for r in eq.regions:
            cond = r",\ ".join(bounds_latex(r.bounds, names=names)) or r"\text{always}"
            rows.append((p.doprint(r.strategies[v]), r"\text{if } " + cond + r"\quad \text{(%s)}" % _text(r.label)))
        head = names.latex.get(v.name, _default(v.name))
        lines.append(f"{head}^{{*}} &= " + (cases_latex(rows) if len(rows) > 1 else rows[0][0]))
    for sym, tex, expr, _ in names.entries:
        lines.append(f"{tex} &= {Printer(game_names(game)).doprint(expr)}")
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


_SIGN_OP = {s: LATEX[op] for s, op in SIGN_OP.items()}
_GREEK = set("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
             "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
_SUFFIX = {"star": "^{*}", "opt": "^{*}", "hat": "hat", "bar": "bar", "tilde": "tilde", "I": "tilde", "crit": "^{*}"}


def name_latex(name: str, game=None, table=None) -> str:
    """A name in LaTeX: ``alpha1_star -> \\alpha_1^{*}``, ``omega_hat -> \\hat{\\omega}``."""
    table = game_names(game) if table is None else table
    if name in table:
        return table[name]
    parts = name.split("_")
    base = parts[0]
    tex = table.get(base) or (("\\" + base) if base in _GREEK else _default(base))
    sub, sup = [], ""
    for part in parts[1:]:
        s = _SUFFIX.get(part)
        if s is None:
            sub.append(table.get(part) or (("\\" + part) if part in _GREEK else part))
        elif s.startswith("^"):
            sup = s
        else:
            tex = decorate(tex, s)
    if sub:
        sub = [x if len(x) <= 2 or x.startswith("\\") else r"\mathrm{%s}" % x for x in sub]
        m = re.match(r"^(.*?)_(\{(.*)\}|(.))$", tex)
        if m:  # \alpha_0 + closed -> \alpha_{0,\mathrm{closed}}
            tex = f"{m.group(1)}_{{{m.group(3) or m.group(4)},{','.join(sub)}}}"
        else:
            tex = f"{tex}_{{{','.join(sub)}}}"
    return tex + sup


_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
# beyond ASCII, what LaTeX's utf8 input with T1 fonts typesets: Latin-1 and Latin Extended-A
# (but for a few letters T1 lacks) and the common punctuation; anything else would stop the
# compilation, and prints as "?"
_TYPESET = (set(map(chr, range(0xA0, 0x180))) - set("\u0126\u0127\u0138\u013f\u0140\u0149\u0166\u0167\u017f")
            | set("\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u20ac"))


def _char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if " " <= ch <= "~" or ch in _TYPESET:
        return ch
    if ch in "\t\n\r\f\v\u2028\u2029":
        return " "
    if ch < " " or "\x7f" <= ch <= "\x9f" or unicodedata.category(ch) == "Cf":
        return ""  # control and format characters (terminal escapes, direction overrides): dropped
    return "?"


def _text(s: str) -> str:
    """Plain text for LaTeX: special characters escaped, control characters dropped, and a
    character LaTeX cannot typeset printed as ``?`` -- text from a model file is never markup."""
    return "".join(_char(ch) for ch in str(s))
