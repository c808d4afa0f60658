"""Copies of a mover (issue 14 item 4): n specialists in one simultaneous stage.

The built-in ``fine-tuning-n`` (symbolic n, symmetric) is checked against the independent
reference ``tests/reference/research.py`` (``fine_tuning_symmetric``); a literal number of
copies is expanded into a simultaneous stage and checked against the Cournot closed form.
"""
from __future__ import annotations

import math
import subprocess
import sys

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openeq.core.game import Game, GameError
from openeq.io.modelfile import ModelFileError, loads_model, resolve_model
from openeq.solver.backward import solve
from tests.reference import research

pytestmark = pytest.mark.xdist_group("copies")


@pytest.fixture(scope="module")
def ftn():
    game = resolve_model("fine-tuning-n")
    return game, solve(game)


def _at(game, eq, point):
    vals = {game.symbol(k): sp.Rational(v) for k, v in point.items()}
    hits = [r for r in eq.regions if r.holds(vals)]
    assert len(hits) == 1, (point, [r.label for r in hits])
    r = hits[0]
    return r, {str(v): e.xreplace(vals) for v, e in r.strategies.items()}, {p: e.xreplace(vals) for p, e in r.payoffs.items()}


def test_the_representative_copy():
    game = resolve_model("fine-tuning-n")
    n, delta, c0 = (game.symbol(s) for s in ("n", "delta", "c0"))
    alpha, alpha0 = game.symbol("alpha"), game.symbol("alpha0")
    assert sp.simplify(game.payoffs["G"] - (n * delta * alpha - c0 / 2 * alpha0 ** 2)) == 0
    table = game.moves[-1].options["abstain"]
    assert table["D"] == 0 and sp.simplify(table["G"] + c0 / 2 * alpha0 ** 2) == 0
    assert game.parameters["n"].integer and game.copies["D"].symbolic


@pytest.mark.slow
def test_labels_say_symmetric_and_name_every_regime(ftn):
    _, eq = ftn
    labels = eq.labels
    assert all(lab.startswith("symmetric: ") for lab in labels)
    text = " ".join(labels)
    for regime in ("contributors", "free-riders", "abstainers", "G on the participation boundary"):
        assert regime in text, regime


_GRID = st.fixed_dictionaries({
    "n": st.sampled_from(["1", "2", "3", "7", "40"]), "c0": st.sampled_from(["1/2", "1", "3"]),
    "delta": st.sampled_from(["0", "1/10", "1/3", "1/2", "9/10"]), "c": st.sampled_from(["1/2", "1", "2"]),
    "kappa": st.sampled_from(["0", "1/20", "3/10", "1"]), "F": st.sampled_from(["0", "1/50", "1/5", "1", "4"])})


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(point=_GRID)
def test_symmetric_spe_against_the_reference(ftn, point):
    game, eq = ftn
    ref = research.fine_tuning_symmetric({k: float(sp.Rational(v)) for k, v in point.items()})
    region, strategies, payoffs = _at(game, eq, point)
    assert math.isclose(float(payoffs["G"]), ref["U_G"], rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(float(payoffs["D"]), ref["U_D"], rel_tol=1e-9, abs_tol=1e-12)
    tie = ref["G_regime"] == "boundary" and abs(ref["U_G"]) < 1e-12  # G indifferent: boundary or abstention
    if not tie:
        assert math.isclose(float(strategies["alpha0"]), ref["alpha0"], rel_tol=1e-9, abs_tol=1e-12)
        edge = sp.Rational(point["delta"]) + sp.Rational(point["kappa"]) == 1  # zero increment: both names fit
        if not edge:
            assert ref["regime"] in region.label


@pytest.mark.slow
def test_the_papers_model_all_contribute(ftn):
    """kappa = F = 0: alpha0 = n delta/c0 and alpha = alpha0 + (1 - delta)/c (the reference)."""
    game, eq = ftn
    region, strategies, _ = _at(game, eq, {"n": "3", "c0": "2", "delta": "1/4", "c": "1", "kappa": "0", "F": "0"})
    assert strategies["alpha0"] == sp.Rational(3, 8) and strategies["alpha"] == sp.Rational(3, 8) + sp.Rational(3, 4)
    assert "contributors" in region.label and "G interior" in region.label


_COURNOT = """
name = "cournot-copies"
[parameters]
a = "positive"
n = { domain = "[1, oo)", integer = true }
c = { domain = "(0, 1)", per = "F" }
[[moves]]
stage = 1
player = "F"
copies = COUNT
choose = { q = "[0, oo)" }
[payoffs]
F = "(a + 2 - q - Others(q))*q - c*q"
"""


def test_literal_copies_are_a_simultaneous_stage():
    """Three Cournot firms with their own costs c_i in (0, 1): q_i = (a + 2 - 3 c_i + sum_{j != i} c_j)/4."""
    game = loads_model(_COURNOT.replace("COUNT", "3"))
    assert [m.player for m in game.moves] == ["F_1", "F_2", "F_3"]
    assert {"c_1", "c_2", "c_3"} <= set(game.parameters) and "c" not in game.parameters
    eq = solve(game)
    a, c1, c2, c3 = (game.symbol(s) for s in ("a", "c_1", "c_2", "c_3"))
    q1 = game.symbol("q_1")
    r = eq.region_at({"a": 1, "c_1": sp.Rational(1, 2), "c_2": sp.Rational(1, 3), "c_3": sp.Rational(1, 5)})
    want = (a + 2 - 3 * c1 + c2 + c3) / 4
    vals = {a: 1, c1: sp.Rational(1, 2), c2: sp.Rational(1, 3), c3: sp.Rational(1, 5)}
    assert r.strategies[q1].xreplace(vals) == want.xreplace(vals)
    assert game.latex_names["c_2"] == "c_{2}"


@pytest.mark.parametrize("text, fault", [
    (_COURNOT.replace("COUNT", '"n"'), "Others"),
    (_COURNOT.replace("COUNT", '"a"'), "integer parameter"),
    (_COURNOT.replace("COUNT", "0"), "1 to 12 copies"),
    (_COURNOT.replace("COUNT", "2").replace('per = "F"', 'per = "X"'), "no copies move"),
    (_COURNOT.replace("COUNT", "2").replace("integer = true", "integer = 1"),
     "true or false"),
])
def test_copies_faults_name_the_field(text, fault):
    with pytest.raises(ModelFileError) as e:
        loads_model(text)
    assert fault in str(e.value) and "Traceback" not in str(e.value)


def test_other_players_see_copies_only_through_sum():
    bad = _FTN_MIN.replace('G = "Sum(delta*alpha) - c0/2*alpha0**2"', 'G = "alpha - c0/2*alpha0**2"')
    with pytest.raises(ModelFileError, match="outside Sum"):
        loads_model(bad)
    with pytest.raises(ModelFileError, match="call of 'Sum' is not allowed"):
        loads_model(_FTN_MIN.replace('copies = "n"\n', ""))
    with pytest.raises(ModelFileError, match="one Sum"):  # a copy's option replaces its term in one Sum
        loads_model(_FTN_MIN.replace('copies = "n"', "copies = 2").replace("Sum(delta*alpha)",
                                                                              "Sum(alpha)**2 + Sum(delta*alpha)"))
    with pytest.raises(ModelFileError, match="depend on each other"):
        loads_model(_FTN_MIN.replace('copies = "n"', "copies = 2").replace('D = "(1 - delta)*alpha',
                                                                              'D = "Others(alpha) + (1 - delta)*alpha'))


_FTN_MIN = """
name = "ftn-min"
[parameters]
n = { domain = "[1, oo)", integer = true }
c0 = "positive"
delta = { domain = "(0, 1)", per = "D" }
[[moves]]
stage = 1
player = "G"
choose = { alpha0 = "[0, oo)" }
[[moves]]
stage = 2
player = "D"
copies = "n"
choose = { alpha = "[alpha0, oo)" }
options = { abstain = { D = "0", G = "0" } }
[payoffs]
G = "Sum(delta*alpha) - c0/2*alpha0**2"
D = "(1 - delta)*alpha - (alpha - alpha0)**2/2"
"""


def test_python_api_copies():
    g = Game("api-copies")
    g.parameter("n", "[1, oo)", integer=True)
    delta = g.parameter("delta", "(0, 1)", per="D")
    c0 = g.parameter("c0", "positive")
    (a0,) = g.move("G", 1, {"alpha0": "[0, oo)"})
    (a,) = g.move("D", 2, {"alpha": "[alpha0, oo)"}, copies="n", options={"abstain": {"D": 0, "G": 0}})
    g.payoff("G", g.sum(delta * a) - c0 / 2 * a0 ** 2)
    g.payoff("D", (1 - delta) * a - (a - a0) ** 2 / 2)
    eq = solve(g)
    point = {"n": 2, "delta": sp.Rational(1, 2), "c0": 1}
    r = eq.region_at(point)
    assert r.strategies[a0].subs({g.symbol(k): v for k, v in point.items()}) == 1
    assert r.label.startswith("symmetric: ")
    with pytest.raises(GameError, match="integer parameter"):
        Game("x").move("D", 1, {"x": "[0, 1]"}, copies="m")


def test_cli_solve_and_fix_n():
    out = subprocess.run([sys.executable, "-m", "openeq.cli", "solve", "fine-tuning-n", "n=3", "kappa=0", "F=0"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "symmetric: G interior; contributors" in out.stdout


# ------------------------------------------------------------ a number of copies with options
def _three(point):
    from openeq.core.transform import fix

    game = fix(resolve_model("examples/fine-tuning-3.toml"), **{k: sp.Rational(v) for k, v in point.items()})
    (region,) = solve(game).regions
    return game, region


def _check_three(point):
    game, region = _three(point)
    ref = research.fine_tuning_n({"n": 3, **{k: float(sp.Rational(v)) for k, v in point.items()}})
    assert math.isclose(float(region.payoffs["G"]), ref["U_G"], rel_tol=1e-9, abs_tol=1e-12)
    for i in (1, 2, 3):
        assert math.isclose(float(region.payoffs[f"D_{i}"]), ref["U_D"][i - 1], rel_tol=1e-9, abs_tol=1e-12)
    if ref["G_regime"] == "boundary" and abs(ref["U_G"]) < 1e-12:
        return  # G indifferent between a participation boundary and a lower alpha0
    assert math.isclose(float(region.strategies[game.symbol("alpha0")]), ref["alpha0"], rel_tol=1e-9, abs_tol=1e-12)
    words = {"contributor": "contributes", "free-rider": "free-rides", "abstainer": "abstains"}
    for i, regime in enumerate(ref["regimes"], 1):
        if sp.Rational(point[f"delta_{i}"]) + sp.Rational(point[f"kappa_{i}"]) != 1:  # (zero increment: both fit)
            assert f"D_{i} {words[regime]}" in region.label, (i, regime, region.label)


def test_three_specialists_each_in_its_own_regime():
    _check_three({"c0": "1", "delta_1": "1/2", "c_1": "1", "kappa_1": "0", "F_1": "1/4", "delta_2": "1/4", "c_2": "1",
                  "kappa_2": "1", "F_2": "0", "delta_3": "0", "c_3": "2", "kappa_3": "0", "F_3": "3"})


_ONE = {"delta": ["0", "1/10", "1/3", "1/2", "9/10"], "c": ["1/2", "1", "2"], "kappa": ["0", "1/20", "3/10", "1"],
        "F": ["0", "1/50", "1/5", "1", "4"]}


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(point=st.fixed_dictionaries({"c0": st.sampled_from(["1/2", "1", "3"]), **{
    f"{k}_{i}": st.sampled_from(v) for i in (1, 2, 3) for k, v in _ONE.items()}}))
def test_three_specialists_against_the_reference(point):
    _check_three(point)


def test_copies_with_options_are_checked_by_the_verifier():
    """The verifier's switch game gives each copy a switch that leaves the others in play."""
    from openeq.core.transform import fix
    from openeq.verify.options import as_switches

    point = {"c0": 1, "delta_1": sp.Rational(1, 2), "c_1": 1, "kappa_1": 0, "F_1": sp.Rational(1, 4),
             "delta_2": sp.Rational(1, 4), "c_2": 1, "kappa_2": 1, "F_2": 0, "delta_3": 0, "c_3": 2, "kappa_3": 0, "F_3": 3}
    game = fix(resolve_model("examples/fine-tuning-3.toml"), **point)
    sg = as_switches(game)
    s1, s2, s3 = (sg.symbol(f"D_{i}_alternative") for i in (1, 2, 3))
    a = {sg.symbol(v): x for v, x in (("alpha0", sp.Rational(3, 4)), ("alpha_1", sp.Rational(5, 4)),
                                       ("alpha_2", sp.Rational(3, 4)), ("alpha_3", 0))}
    u = sg.payoffs["G"].xreplace({**a, s1: 1, s2: 1, s3: 0})  # D_3 abstains: its term is 0, the others' stay
    assert u == sp.Rational(1, 2) * sp.Rational(5, 4) + sp.Rational(1, 4) * sp.Rational(3, 4) - sp.Rational(9, 32)


@pytest.mark.slow
def test_ft1_restates_the_regimes_and_gs_response_to_n(ftn):
    """FT1 (derivations/ft1_regimes.py): where G is interior with contributors, alpha0* = n delta/c0
    (the reference's) and rises with n; on the participation boundary it does not move with n."""
    from openeq import derivations

    game, eq = ftn
    (module,) = derivations.modules_for(game)
    result = module.derive(eq)
    n, delta, c0 = (game.symbol(s) for s in ("n", "delta", "c0"))
    key = next(k for k in result.expressions if k.startswith("alpha0*") and "G interior; contributors" in k)
    assert sp.simplify(result.expressions[key] - n * delta / c0) == 0
    def sign(regime):
        return next(c.sign for c in result.claims if c.text.startswith("d alpha0*/d n") and f"{regime})" in c.text)

    assert sign("symmetric: G interior; contributors") in ("+", "+0")
    assert sign("symmetric: G on the participation boundary; contributors") == "0"
    assert set(result.data["regimes"]) >= {"symmetric: G interior; abstainers", "symmetric: G interior; free-riders"}


@pytest.mark.slow
def test_verify_agrees_on_the_symmetric_game():
    out = subprocess.run([sys.executable, "-m", "openeq.cli", "verify", "fine-tuning-n", "--samples", "40", "--seed", "3"],
                         capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "40 passed, 0 failed" in out.stdout
