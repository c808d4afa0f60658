"""Every closed form the appendix displays parses back (lark) to the engine's expression."""
from __future__ import annotations

import sympy as sp
import pytest

from openeq import Game
from openeq.solver.cached import solve_cached
from openeq.core.conditions import Bound
from openeq.export.latex.printer import Names, bound_latex, cases_latex, expr_latex
from openeq.export.latex.roundtrip import Registry, check, check_entry, symbol_table
from openeq.io.modelfile import resolve_model

pytest.importorskip("lark")


def stackelberg():
    g = Game("stackelberg", title="Stackelberg duopoly")
    g.parameter("a", "positive")
    g.parameter("b", "positive")
    g.parameter("c", "positive")
    g.assume("a > c")
    g.move("L", 1, {"q1": "[0, oo)"})
    g.move("F", 2, {"q2": "[0, oo)"})

    def leader(a, b, c, q1, q2):
        return (a - b * (q1 + q2) - c) * q1

    def follower(a, b, c, q1, q2):
        return (a - b * (q1 + q2) - c) * q2

    g.payoff("L", leader)
    g.payoff("F", follower)
    return g


@pytest.fixture(scope="module")
def openness(openness_appendix):
    out, _, result, eq = openness_appendix
    return eq, result, out


def _assert_round_trips(eq, result, out):
    reg = result["registry"]
    body = (out / "appendix.tex").read_text()
    missing = [e.where for e in reg.entries if e.tex not in body]
    assert not missing, f"registered forms not in appendix.tex: {missing}"
    bad = check(reg, eq.game)
    assert not bad, "\n".join(f"[{e.where}] {e.tex[:120]} -> {msg}" for e, msg in bad)
    return reg.counts()


def test_openness_appendix_round_trips(openness):
    eq, result, out = openness
    counts = _assert_round_trips(eq, result, out)
    assert counts.get("expr", 0) >= 20 and counts.get("cases", 0) >= 3, counts
    # the equilibrium's cases blocks have one branch per region
    blocks = [e for e in result["registry"].entries if e.kind == "cases" and e.where.startswith("strategy")]
    assert blocks and all(len(e.expected) == len(eq.regions) for e in blocks)


def test_stackelberg_appendix_round_trips(tmp_path):
    from openeq.export.latex.appendix import write_appendix

    eq = solve_cached(stackelberg())
    result = write_appendix(eq, tmp_path, stream=None, samples=10)
    counts = _assert_round_trips(eq, result, tmp_path)
    assert counts.get("expr", 0) >= 8, counts


def test_many_regions_appendix_round_trips(tmp_path):
    """A game with more regions than MANY_REGIONS (public-good: 24) states its strategies in a
    long table, a condition and a value per region, and every one parses back; the two
    stationary points of g1 (P2 free-riding or not) get two names."""
    from openeq.export.latex.appendix import write_appendix
    from openeq.export.latex.regiontable import MANY_REGIONS

    eq = solve_cached(resolve_model("examples/public-good.toml"))
    assert len(eq.regions) > MANY_REGIONS
    result = write_appendix(eq, tmp_path, stream=None, samples=5)
    counts = _assert_round_trips(eq, result, tmp_path)
    assert counts.get("condition", 0) >= len(eq.regions), counts
    body = (tmp_path / "appendix.tex").read_text()
    assert r"\begin{longtable}" in body and r"\label{tab:strategies}" in body
    import re

    defined = re.findall(r"(\\tilde\{[a-z]\}_\{[0-9,]+\}) &=", body)
    assert len(defined) >= 2 and len(defined) == len(set(defined)), defined


@pytest.mark.parametrize("model", ["examples/cournot.toml", "examples/emissions-standard.toml",
                                   "tests/models/leader-two-followers.toml"])
def test_model_appendices_round_trip(tmp_path, model):
    """Forms that once failed to read back: a simultaneous stage's solution and fixed point
    (tuples, an equation of tuples), a payoff as written whose part equals a stationary point
    (printed in the game's symbols, not by the point's name), a parameter named with several
    letters (cL, set as one word)."""
    from openeq.export.latex.appendix import write_appendix

    eq = solve_cached(resolve_model(model))
    _assert_round_trips(eq, write_appendix(eq, tmp_path, stream=None, samples=5), tmp_path)


# ----------------------------------------------------------------- the parser
def _game():
    return resolve_model("openness")


def test_cases_block_branch_by_branch():
    g = _game()
    ns = g.namespace
    w, th, p = ns["omega"], ns["theta"], ns["p"]
    pw = sp.Piecewise((p, w < th), (0, True))
    tex = expr_latex(pw, g)
    reg = Registry()
    reg.cases(tex, [(p, [Bound(w, "<", th)]), (0, None)])
    assert check(reg, g) == []
    wrong = Registry()
    wrong.cases(tex, [(2 * p, [Bound(w, "<", th)]), (0, None)])
    assert "branch 1" in check(wrong, g)[0][1]


def test_conditions_are_compared_as_written():
    g = _game()
    ns = g.namespace
    w, th = ns["omega"], ns["theta"]
    b = Bound(w, "<", th)
    assert bound_latex(b, g) == r"\omega < \theta"
    reg = Registry()
    reg.condition(bound_latex(b, g), [b])
    reg.condition(r"\theta > \omega", [b])  # true, but not as written
    bad = check(reg, g)
    assert len(bad) == 1 and bad[0][0].tex == r"\theta > \omega"


def test_named_stationary_point_and_wrong_forms():
    g = _game()
    ns = g.namespace
    a0, c, d, e, gm = (ns[k] for k in ("alpha0", "c", "delta", "epsilon", "gamma"))
    stat = (c * e + 2 * d**2 - d - a0 * c * d) / (c * gm + 2 * d**2)
    names = Names(g)
    names.add("omega_I", r"\tilde{\omega}", stat)
    tex = expr_latex(stat + a0, names=names)
    assert r"\tilde{\omega}" in tex
    symbols = symbol_table(g)
    reg = Registry()
    reg.expr(tex, stat + a0, names.defs())
    reg.expr(tex, stat + 2 * a0, names.defs())
    assert check_entry(reg.entries[0], symbols) is None
    assert check_entry(reg.entries[1], symbols) is not None


def test_sympy_forms_lark_cannot_read_directly():
    """Products after powers and \\left( ... \\right) (lark reads ``\\left`` as ``\\le ft``)."""
    g = _game()
    ns = g.namespace
    a0, c, d, th = (ns[k] for k in ("alpha0", "c", "delta", "theta"))
    e = th * (2 * a0 * c * d + 2 * d**2 * th - 4 * d**2 + 2 * d) / (2 * c) + a0**2 * c**2 * d**2
    reg = Registry()
    reg.expr(expr_latex(e, g), e)
    reg.expr(cases_latex([(expr_latex(th, g), r"\text{if } 0 \le \theta < 1"), ("0", r"\text{otherwise}")]),
             sp.Piecewise((th, (th >= 0) & (th < 1)), (0, True)))
    assert check(reg, g) == []


def test_jupyter_reprs():
    """Region, Equilibrium and Result render in Jupyter (MathJax: math mode only)."""
    from openeq.core.result import Claim, Result

    from openeq.api import Equilibrium

    eq = Equilibrium.of(solve_cached(resolve_model("openness")))
    for obj in (eq, eq.regions[3]):
        tex = obj._repr_latex_()
        assert tex.startswith("$") and tex.endswith("$") and r"\theta" in tex
    ns = eq.game.namespace
    res = Result("R0", "Example", "omega rises", expressions={"alpha1*(omega)": eq.regions[0].best_responses[ns["alpha1"]]},
                 claims=[Claim("d alpha1*/d omega > 0", ns["delta"] / ns["c"], "+", True)])
    tex = res._repr_latex_()
    assert tex.startswith("$") and tex.endswith("$") and "proved" in tex
