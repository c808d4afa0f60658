"""The researcher's API (openeq.api): repr, summary, LaTeX, Piecewise, evaluation,
statics, claims and the appendix, checked against the brute-force verifier where
the API computes values."""
from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import openeq
from openeq import Game, Result, solve
from openeq.core.errors import InputError
from openeq.verify.numeric import solve_numeric
from openeq.verify.sampling import random_points

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def capacity():
    """A game with two regions (the capacity binds or not), from its model file."""
    return openeq.solve_model(ROOT / "examples" / "capacity.toml")


@pytest.fixture(scope="module")
def stackelberg():
    g = Game("stackelberg")
    a, b, c = (g.parameter(n, "positive") for n in "abc")
    g.assume("a > c")
    (q1,) = g.move("L", stage=1, choose={"q1": "[0, oo)"})
    (q2,) = g.move("F", stage=2, choose={"q2": "[0, oo)"})
    g.payoff("L", (a - b * (q1 + q2) - c) * q1)
    g.payoff("F", (a - b * (q1 + q2) - c) * q2)
    return solve(g)


def close(x, y, tol=1e-4):
    return abs(x - y) <= tol * (1 + abs(y))


def test_solve_model_and_of_give_the_api_equilibrium(capacity):
    from openeq.solver.cached import solve_cached

    assert isinstance(capacity, openeq.Equilibrium)
    core = solve_cached(openeq.load(ROOT / "examples" / "capacity.toml"))
    eq = openeq.Equilibrium.of(core)
    assert isinstance(eq, openeq.Equilibrium) and eq.regions is core.regions
    assert openeq.Equilibrium.of(eq) is eq


def test_repr_is_short_and_summary_names_every_region(capacity):
    r = repr(capacity)
    assert r.startswith("<Equilibrium of 'capacity'") and "\n" not in r and len(r) < 200
    assert f"{len(capacity.regions)} regions" in r
    s = capacity.summary()
    for reg in capacity.regions:
        assert reg.label in s
        for v in reg.strategies:
            assert f"{v}* = " in s
    assert "assuming: a > c" in s


def test_latex_and_to_latex(capacity, tmp_path):
    tex = capacity.latex()
    assert tex.startswith(r"\begin{aligned}") and tex.endswith(r"\end{aligned}")
    assert r"\begin{cases}" in tex  # two regions: the strategies are cases
    block = capacity.to_latex()
    assert block == "\\[\n" + tex + "\n\\]\n"
    assert capacity.to_latex(tmp_path / "eq.tex") is None
    assert (tmp_path / "eq.tex").read_text() == block
    buf = io.StringIO()
    capacity.to_latex(buf)
    assert buf.getvalue() == block
    assert capacity._repr_latex_() == "$\\displaystyle " + tex + "$"


def test_piecewise_agrees_with_the_brute_force_solver(capacity):
    """Piecewise conditions are in the parameters; at points of both regions the
    Piecewise's value is the numeric backward induction's."""
    g = capacity.game
    pts = random_points(g, 12, seed=3)
    seen = set()
    for pt in pts:
        subs = {g.parameters[n].symbol: sp.Rational(repr(v)) for n, v in pt.items()}
        ref = solve_numeric(g, pt)
        for v in capacity.variables:
            pw = capacity.piecewise(v)
            assert pw.free_symbols <= set(subs)
            assert close(float(pw.xreplace(subs)), ref["strategies"][str(v)])
        for p in capacity.players:
            assert close(float(capacity.piecewise(f"U_{p}").xreplace(subs)), ref["payoffs"][p], 1e-6)
        seen.add(capacity.region_at(subs).label)
    assert len(seen) == 2, seen
    assert isinstance(capacity.piecewise("q1"), sp.Piecewise)
    with pytest.raises(KeyError, match="not a strategy"):
        capacity.piecewise("nope")


def test_piecewise_domain_conditions(capacity):
    """With domain=True a point that violates the assumption a > c is in no region."""
    g = capacity.game
    bad = {g.parameters[n].symbol: v for n, v in {"a": 1, "b": 1, "c": 2, "K": 1}.items()}
    plain = [bool(cond.xreplace(bad)) for _, cond in capacity.piecewise("q1").args]
    strict = [bool(cond.xreplace(bad)) for _, cond in capacity.piecewise("q1", domain=True).args]
    assert any(plain) and not any(strict)


def test_evaluate_kinds_and_symbol_keys(capacity):
    g = capacity.game
    pts = random_points(g, 20, seed=5)
    cols = {g.parameters[n].symbol: np.array([p[n] for p in pts]) for n in g.parameters}  # Symbol keys
    out = capacity.evaluate(cols)
    assert isinstance(out, dict) and out["regime"].shape == (20,)
    for i, pt in enumerate(pts):
        ref = solve_numeric(g, pt)
        for v in capacity.variables:
            assert close(out[v][i], ref["strategies"][str(v)])  # a Symbol works as a key
        assert close(out["U_L"][i], ref["payoffs"]["L"], 1e-6)
    one = capacity.evaluate({g.parameters[n].symbol: pts[0][n] for n in g.parameters})
    assert isinstance(one["q1"], float) and isinstance(one["regime"], str)
    assert one["q1"] == out["q1"][0]
    compiled = capacity.evaluate(cols, fast=True)
    assert np.allclose(compiled["q1"], out["q1"], rtol=1e-12, atol=0)  # C and numpy round differently
    assert list(compiled["regime"]) == list(out["regime"])


def test_exact_evaluate_accepts_symbol_keys(capacity):
    from openeq.evaluate import evaluate

    g = capacity.game
    pt = random_points(g, 1, seed=9)[0]
    by_symbol = evaluate(capacity, {g.parameters[n].symbol: v for n, v in pt.items()})
    assert by_symbol == evaluate(capacity, pt)


def test_evaluate_dataframe_round_trip(capacity):
    pd = pytest.importorskip("pandas")
    g = capacity.game
    pts = random_points(g, 8, seed=6)
    df = pd.DataFrame(pts, index=[f"p{i}" for i in range(8)])
    out = capacity.evaluate(df)
    assert isinstance(out, pd.DataFrame) and list(out.index) == list(df.index)
    assert list(out.columns) == list(g.parameters) + ["q1", "q2", "U_L", "U_F", "regime"]
    for i, pt in enumerate(pts):
        assert close(out["q2"].iloc[i], solve_numeric(g, pt)["strategies"]["q2"])


def test_evaluate_refuses_bad_points(capacity):
    with pytest.raises(InputError, match=r"point 1: .*assumption a > c"):
        capacity.evaluate({"a": [3.0, 1.0], "b": 1.0, "c": [1.0, 2.0], "K": 1.0})
    with pytest.raises(InputError, match="unknown parameter 'x'"):
        capacity.evaluate({"a": 3.0, "b": 1.0, "c": 1.0, "K": 1.0, "x": 2.0})
    with pytest.raises(InputError, match="missing parameter 'K'"):
        capacity.evaluate({"a": 3.0, "b": 1.0, "c": 1.0})
    with pytest.raises(InputError, match="point 0: .*'b'.*not finite"):
        capacity.evaluate({"a": 3.0, "b": math.nan, "c": 1.0, "K": 1.0})
    with pytest.raises(TypeError):
        capacity.evaluate([1, 2, 3])


def _numeric_derivative(eq, quantity, parameter, pt, h=1e-6):
    g = eq.game
    up, dn = dict(pt), dict(pt)
    up[parameter] += h * (1 + abs(pt[parameter]))
    dn[parameter] -= h * (1 + abs(pt[parameter]))
    f = lambda p: eq.evaluate(p)[quantity]  # noqa: E731
    return (f(up) - f(dn)) / (up[parameter] - dn[parameter])


def test_statics_frame_and_records(stackelberg, monkeypatch):
    pd = pytest.importorskip("pandas")
    df = stackelberg.statics()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["region", "label", "quantity", "parameter", "sign", "proved", "derivative"]
    # every proved sign agrees with a finite difference at a point inside the region
    pt = {"a": 3.0, "b": 1.5, "c": 1.0}
    for _, row in df[df.quantity.isin(["q1", "q2", "U_L", "U_F"])].iterrows():
        d = _numeric_derivative(stackelberg, row.quantity, row.parameter, pt)
        assert {"+": d > 0, "-": d < 0, "0": abs(d) < 1e-6}[row.sign], (row.quantity, row.parameter, d)
    import openeq.api as api

    monkeypatch.setattr(api, "_have_pandas", lambda: False)
    rows = stackelberg.statics()
    assert isinstance(rows, list) and rows[0].keys() == set(df.columns)
    assert [r["sign"] for r in rows] == list(df["sign"])


def test_claim_in_a_region(capacity):
    r = next(x for x in capacity.regions if len(x.bounds))
    q1, q2 = capacity.variables
    c = capacity.claim("q1 - q2", r.strategies[q1] - r.strategies[q2], region=r.label)
    assert c.sign in ("+", "+0", "-", "-0", "0", "?") and r.label in c.text
    with pytest.raises(KeyError, match="no region"):
        capacity.claim("x", q1, region="nowhere")


def test_appendix_with_own_result(stackelberg, tmp_path):
    q1, q2 = stackelberg.variables
    r = stackelberg.regions[0]
    ratio = sp.simplify(r.strategies[q1] / r.strategies[q2])
    res = Result("P1", "The leader's advantage", "The leader produces twice the follower's quantity.",
                 expressions={"ratio": ratio},
                 claims=[stackelberg.claim("q1 - q2", r.strategies[q1] - r.strategies[q2])])
    assert res.claims[0].proved and res.claims[0].sign == "+"
    out = openeq.appendix(stackelberg, tmp_path / "app", results=[res], samples=4)
    body = (tmp_path / "app" / "appendix.tex").read_text()
    assert "The leader's advantage" in body and r"\label{prop:P1}" in body
    assert "main.tex" in out["files"]
    # a main.tex that openeq did not write is kept
    user = tmp_path / "mine"
    user.mkdir()
    (user / "main.tex").write_text("\\documentclass{article}\n")
    from openeq.export.latex.appendix import AppendixError

    with pytest.raises(AppendixError, match="not written by openeq"):
        openeq.appendix(stackelberg, user, results=[], samples=4)
    assert (user / "main.tex").read_text() == "\\documentclass{article}\n"
    openeq.appendix(stackelberg, user, results=[], samples=4, force=True)
    assert "Generated by openeq" in (user / "main.tex").read_text().splitlines()[0]
