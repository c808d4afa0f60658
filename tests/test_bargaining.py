"""Bargaining over the share delta (R9): Nash, egalitarian and Kalai-Smorodinsky solutions."""
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from openeq.analyses.bargaining import BargainError, bargain
from openeq.solver.cached import solve_cached
from openeq.io.modelfile import resolve_model

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = {"alpha0": "1", "c": "1", "epsilon": "1", "gamma": "1", "theta": "0.7", "p": "0.1"}
INTERIOR = dict(DEFAULT, p="1")  # a penalty that makes the Nash solution interior (in 'comply')


@pytest.fixture(scope="module")
def ft():
    return solve_cached(resolve_model("fine-tuning"))


@pytest.fixture(scope="module")
def op():
    return solve_cached(resolve_model("openness"))


def run(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "openeq.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=600)


def close(a, b, tol=1e-25):
    """|a - b| < tol in 40-digit arithmetic (a, b: sympy expressions or mpf)."""
    with mp.workdps(40):
        return abs(mp.mpf(str(sp.N(a, 40))) - mp.mpf(str(sp.N(b, 40)) if not isinstance(b, mp.mpf) else b)) < tol


def F(v):
    return sp.Float(mp.nstr(v, 35), 35)


def payoffs_at(eq, values):
    """The engine's payoffs (sympy) of the region holding at ``values`` (name -> number, delta included)."""
    g = eq.game
    subs = {g.parameters[k].symbol: sp.Rational(str(v)) for k, v in values.items() if k != "delta"}
    reg = eq.region_at({**{k: sp.Rational(str(v)) for k, v in values.items()}})
    return {p: e.xreplace(subs) for p, e in reg.payoffs.items()}, g.parameters["delta"].symbol


def grid_nash(eq, point, n=200_001):
    """Brute force: the Nash product on a grid of delta (vectorized engine payoffs, feasible gains only)."""
    from openeq.evaluate.vectorized import Vectorized

    ds = np.linspace(0, 1, n)[1:-1]
    cols = {k: np.full(ds.size, float(v)) for k, v in point.items()}
    cols["delta"] = ds
    out = Vectorized(eq)(cols)
    G, D = out["payoffs"]["G"], out["payoffs"]["D"]
    N = np.where((G >= 0) & (D >= 0), G * D, -np.inf)
    return ds[N.argmax()], N.max()


def test_fine_tuning_nash_closed_form_against_grid(ft):
    b = bargain(ft, "delta", "nash")
    assert b.value is not None and b.value.free_symbols == {ft.game.symbol("c0"), ft.game.symbol("c1")}
    rnd = random.Random(7)
    for _ in range(6):
        c0, c1 = (sp.Rational(rnd.randint(5, 400), 100) for _ in range(2))
        d = float(b.value.subs({ft.game.symbol("c0"): c0, ft.game.symbol("c1"): c1}))
        best, _ = grid_nash(ft, {"c0": c0, "c1": c1})
        assert abs(d - best) < 2e-5, (c0, c1, d, best)
    # c0 = c1 is symmetric: delta = 1/2; the FOC holds at 30 digits
    x = ft.game.symbol("delta")
    assert abs(sp.N(b.value.subs({ft.game.symbol("c0"): 3, ft.game.symbol("c1"): 3}), 30) - sp.Rational(1, 2)) < 1e-25
    N = sp.Mul(*ft.regions[0].payoffs.values())
    pt = {ft.game.symbol("c0"): sp.Rational(3, 2), ft.game.symbol("c1"): sp.Rational(2, 7)}
    assert abs(sp.N(sp.diff(N, x).subs(pt).subs(x, b.value.subs(pt)), 30)) < 1e-25


def test_nash_foc_and_grid_openness(op):
    b = bargain(op, "delta", "nash", INTERIOR)
    assert b.region == "comply"
    pay, x = payoffs_at(op, dict(INTERIOR, delta=mp.nstr(b.numeric, 25)))
    N = pay["G"] * pay["D"]
    assert abs(sp.N(sp.diff(N, x).subs(x, F(b.numeric)), 30)) < 1e-20
    assert sp.N(sp.diff(N, x, 2).subs(x, F(b.numeric))) < 0
    best, nbest = grid_nash(op, INTERIOR)
    assert abs(best - float(b.numeric)) < 1e-4
    # at the default point the maximum sits at the comply/defy breakpoint (the product jumps down after it)
    b = bargain(op, "delta", "nash", DEFAULT)
    best, nbest = grid_nash(op, DEFAULT)
    assert b.region == "comply" and abs(best - float(b.numeric)) < 1e-4
    assert float(b.payoffs["G"] * b.payoffs["D"]) >= nbest - 1e-12
    assert "CRootOf" in str(b.algebraic) and close(b.algebraic, b.numeric)


def test_egalitarian_gains_equal(ft, op):
    b = bargain(op, "delta", "egalitarian", INTERIOR)
    assert close(F(b.payoffs["G"]), b.payoffs["D"])
    assert b.value is not None and close(b.value, b.numeric)  # a quadratic root: exact
    s = bargain(ft, "delta", "egalitarian")
    for c0, c1 in ((1, 2), (3, 1), (sp.Rational(1, 3), sp.Rational(5, 7))):
        pt = {ft.game.symbol("c0"): c0, ft.game.symbol("c1"): c1}
        uG, uD = (sp.N(s.payoffs[p].subs(pt), 30) for p in ("G", "D"))
        assert abs(uG - uD) < 1e-25 and 0 < sp.N(s.value.subs(pt)) < 1


def test_ks_proportional_to_ideal(ft, op):
    x = ft.game.symbol("delta")
    sym = bargain(ft, "delta", "ks")  # a Piecewise: the ideal points change form at c0 = c1
    assert isinstance(sym.value, sp.Piecewise)
    grid = np.linspace(0, 1, 100_001)[1:-1]
    for c0, c1 in (("2", "1"), ("1", "2"), ("1", "1")):
        b = bargain(ft, "delta", "ks", {"c0": c0, "c1": c1})
        pay, _ = payoffs_at(ft, {"c0": c0, "c1": c1, "delta": "0.5"})
        ideal = {p: float(np.max(sp.lambdify(x, e, "numpy")(grid))) for p, e in pay.items()}
        for p in ("G", "D"):
            assert abs(float(b.ideal[p]) - ideal[p]) < 1e-4
        with mp.workdps(40):
            assert close(F(b.payoffs["G"] / b.ideal["G"]), b.payoffs["D"] / b.ideal["D"])
        val = sym.value.subs({ft.game.symbol("c0"): sp.Rational(c0), ft.game.symbol("c1"): sp.Rational(c1)})
        assert close(val, b.numeric, 1e-20)
    b = bargain(op, "delta", "ks", INTERIOR)
    with mp.workdps(40):
        assert close(F(b.payoffs["G"] / b.ideal["G"]), b.payoffs["D"] / b.ideal["D"])


def test_ks_missing_is_an_error(op):
    with pytest.raises(BargainError, match="no Kalai-Smorodinsky solution.*jumps"):
        bargain(op, "delta", "ks", DEFAULT)


def test_cli_json_contract():
    r = run("bargain", "fine-tuning", "c0=1", "c1=2", "--over", "delta", "--solution", "nash", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {"model", "over", "solution", "value", "numeric", "certified", "payoffs", "derivation",
                      "conditions", "parameters"}
    assert (d["model"], d["over"], d["solution"]) == ("fine-tuning", "delta", "nash")
    assert sp.simplify(sp.sympify(d["value"]) - (2 + sp.sqrt(13)) / 9) == 0  # c0 = 1, c1 = 2: a quadratic FOC
    assert abs(d["numeric"] - (2 + 13 ** 0.5) / 9) < 1e-15 and d["certified"]["digits"] == 30
    assert set(d["payoffs"]) == {"G", "D"} and all(isinstance(v, float) for v in d["payoffs"].values())


@pytest.mark.parametrize("args, words", [
    (["fine-tuning", "--over", "nope"], "not a parameter"),
    (["fine-tuning", "--over", "c0"], "(0, 1)"),
    (["openness", "--over", "theta"], "(0, 1)"),
    (["fine-tuning", "--over", "delta", "--solution", "rubinstein"], "expected one of"),
    (["openness", "--over", "delta"], "give name=value"),
    (["openness", *[f"{k}={v}" for k, v in DEFAULT.items()], "--over", "delta", "--solution", "ks"], "Kalai-Smorodinsky"),
])
def test_cli_bad_input_exits_2(args, words, capsys):
    from openeq.cli import main  # in-process: the same code path as the `openeq` script

    assert main(["bargain", *args]) == 2
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and words in err and out == "", err


def test_cli_bad_input_subprocess():
    r = run("bargain", "fine-tuning", "--over", "nope")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == ["openeq: error: --over 'nope': not a parameter of fine-tuning "
                                             "(parameters: delta, c0, c1)"]
