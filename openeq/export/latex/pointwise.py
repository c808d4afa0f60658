r"""The appendix of a game whose equilibrium is derived per point (``solve = "per point"``).

Such a game has no closed form over its whole parameter space that the derivation stands
behind, so the appendix claims none.  It states the model (as for any game), then how the
equilibrium is obtained at a point :math:`\theta`: with every parameter fixed at
:math:`\theta`'s exact decimal value the game has no parameters left, and its backward
induction gives exact values (rationals, radicals, or real roots of irreducible rational
polynomials isolated by exact arithmetic).  Then the equilibrium at ``samples`` seeded
points of the declared domains (parameters, strategies and payoffs to six significant
digits, the regime and how it was established), and the comparison with the independent
brute force at the same points.
"""
from __future__ import annotations

from openeq.core.equilibrium import Equilibrium
from openeq.export.latex.printer import _text
from openeq.export.latex.wording import region_note

__all__ = ["pointwise_document", "POINTWISE_SAMPLES"]

POINTWISE_SAMPLES = 6  # the default number of points of a per-point appendix (each is derived and verified)


def _num(x: float) -> str:
    """``x`` to six significant digits, as math (never ``-0``)."""
    t = f"{x:.6g}"
    t = "0" if t in ("-0", "0") else t
    if "e" in t:
        mant, exp = t.split("e")
        return f"${mant} \\times 10^{{{int(exp)}}}$"
    return f"${t}$"


def _transposed(head, rows) -> list:
    """A table with one column per point: ``rows`` are (LaTeX name, [cell per point])."""
    cols = len(rows[0][1]) if rows else 0
    out = [r"\begin{center}", r"\small", r"\begin{tabular}{@{}l%s@{}}" % ("r" * cols), r"\toprule",
           head + " & " + " & ".join(str(k + 1) for k in range(cols)) + r" \\", r"\midrule"]
    out += [f"{name} & " + " & ".join(cells) + r" \\" for name, cells in rows]
    return out + [r"\bottomrule", r"\end{tabular}", r"\end{center}", ""]


def _method(v) -> list:
    return [
        r"\section{The equilibrium, point by point}\label{sec:spe}", "",
        "This game's subgame-perfect equilibrium is derived separately at each parameter point. With every "
        "parameter fixed at the point's exact decimal value, no parameter is left, and the backward "
        "induction of the model gives the equilibrium there in exact numbers: rationals, radicals, or real "
        "roots of irreducible polynomials with rational coefficients, each isolated in a rational interval "
        "by exact arithmetic. No closed form over the whole parameter space is claimed. "
        f"The tables below show the equilibrium at {len(v['points'])} points drawn from the declared "
        f"domains (seed {v['seed']}), rounded to six significant digits.", "",
    ]


def _status(row) -> str:
    return "proved exactly" if row["status"] == "proved" else "checked numerically"


def _listed(ks) -> str:
    """``[1, 3, 4]`` -> ``Points 1, 3 and 4``; ``[2]`` -> ``Point 2``."""
    if len(ks) == 1:
        return f"Point {ks[0]}"
    return "Points " + ", ".join(map(str, ks[:-1])) + f" and {ks[-1]}"


def _regime_items(doc, pts) -> list:
    """One item per regime and status, naming its points, in the order of their first point."""
    groups = {}
    for k, r in enumerate(pts, 1):
        groups.setdefault((r["regime"], _status(r)), []).append(k)
    return [rf"\item {_listed(ks)}: {region_note(regime, doc.game, doc.p)}; {status}."
            for (regime, status), ks in groups.items()]


def pointwise_section(doc, v) -> list:
    """The method, then the points' parameters, the equilibrium there and the regimes."""
    g, pts = doc.game, v["points"]
    out = _method(v)
    out += [r"\paragraph{Parameters.}"]
    out += _transposed("Point", [(f"${doc.sym(n)}$", [_num(r["point"][n]) for r in pts]) for n in g.parameters])
    out += [r"\paragraph{Equilibrium.}"]
    rows = [(f"${doc.sym(str(x))}$", [_num(r["strategies"][str(x)]) for r in pts]) for x in g.variables]
    rows += [(f"$U_{{{_text(p)}}}$", [_num(r["payoffs"][p]) for r in pts]) for p in g.payoffs]
    out += _transposed("Point", rows)
    out += [r"\paragraph{Regimes.} At each point, what binds in equilibrium, and how the equilibrium there "
            r"was established (proved exactly: every optimality claim proved in exact arithmetic; checked "
            r"numerically: a claim that could not be proved exactly, such as the concavity of a payoff over "
            r"an unbounded choice set, was checked at sampled points).", r"\begin{itemize}"]
    return out + _regime_items(doc, pts) + [r"\end{itemize}", ""]


def pointwise_verification(v) -> list:
    agree = sum(r["agrees"] for r in v["points"])
    return [
        r"\section{Numerical verification}\label{sec:verification}", "",
        f"At each of the {v['samples']} points the equilibrium was compared with an independent brute-force "
        "backward induction (grid search with refinement, no symbolic algebra): no player gains by deviating "
        f"from it, to the payoff tolerance, at {agree} of the {v['samples']} points. At {v['ties']} of them "
        "the brute force's own maximiser is a different action with the same payoff (a tie, or a flat "
        "optimum to the brute force's precision). "
        f"Largest absolute differences: strategies {_num(v['max_strategy_error'])} (where the actions are "
        f"not a tie), payoffs {_num(v['max_payoff_error'])}.", "",
    ]


def pointwise_document(eq, reg, meanings, samples, stream):
    """(appendix body, figures, registry) of an equilibrium derived per point."""
    from openeq.analyses.crosscheck import summary
    from openeq.export.latex import sections as S
    from openeq.export.latex.doc import Doc

    game = eq.game
    doc = Doc(Equilibrium(game, [], {}, {}), reg, meanings)  # (no regions: the model's names and printer)
    v = summary(eq, samples, seed=0, stream=stream)
    parts = [f"% Appendix for the model '{game.name}', generated by openeq; do not edit.", ""]
    parts += S.model_section(doc, propositions=False) + pointwise_section(doc, v) + pointwise_verification(v)
    return "\n".join(parts).rstrip() + "\n", [], reg
