"""``Result``: one derived proposition (R1 ... R9 for the openness game).

A result is built by a module in ``derivations/`` from the engine's
``Equilibrium`` (never typed in by hand).  It carries

* ``statement`` -- the proposition in words (may reference expressions by name);
* ``expressions`` -- name -> sympy expression (or Piecewise), in display order;
* ``conditions`` -- list of (description, sympy Boolean) under which it holds;
* ``claims`` -- list of ``Claim`` (a sign or inequality, proved or certified numerically);
* ``steps`` -- the derivation (``Step`` objects, as in the solver);
* ``data`` -- anything else an exporter or test may want (e.g. region labels).
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Claim", "Result"]


@dataclass
class Claim:
    text: str  # e.g. "d alpha1*/d omega > 0"
    expr: object  # the sympy expression whose sign is claimed
    sign: str  # '+', '-', '0', '+0', '-0'
    proved: bool  # True: sympy proved it; False: certified numerically only
    samples: int = 0  # numeric certification: points checked
    max_violation: float = 0.0


@dataclass
class Result:
    key: str  # "R1"
    title: str
    statement: str
    expressions: dict = field(default_factory=dict)
    conditions: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def _repr_latex_(self):
        """Notebook display: title, closed forms and claims, with sympy's printer."""
        import sympy as sp

        from openeq.core.relations import LATEX, SIGN_OP

        lines = [r"&\text{%s. %s}" % (_plain(self.key), _plain(self.title))]
        for name, e in self.expressions.items():
            lines.append(r"\text{%s} &= %s" % (_plain(name), sp.latex(sp.sympify(e))))
        ops = {s: LATEX[op] for s, op in SIGN_OP.items()}
        for c in self.claims:
            if c.expr is not None:
                lines.append(r"&%s %s 0 \quad \text{(%s)}" % (sp.latex(sp.sympify(c.expr)), ops.get(c.sign, "?"),
                                                               "proved" if c.proved else "numeric"))
        return "$\\displaystyle \\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}$"


def _plain(s) -> str:
    """Text for ``\\text{}``: LaTeX's special characters escaped."""
    rep = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
           "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(rep.get(ch, ch) for ch in str(s))
