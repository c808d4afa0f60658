"""Results R1-R8: structure, every claim re-checked numerically, and the key
statements checked at drawn points against ``evaluate`` and brute force."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings

from openeq import derivations
from openeq.analyses.regulation import analysis
from openeq.analyses.statics import holds_mask, sample
from openeq.solver.cached import solve_cached
from openeq.evaluate.exact import evaluate
from openeq.io.modelfile import resolve_model
from openeq.core.result import Result
from openeq.verify.sampling import points_strategy

GAME = resolve_model("openness")
EQ = solve_cached(GAME)
FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
NS = GAME.namespace
NAMES = list(GAME.parameters)
SYMS = [GAME.parameters[n].symbol for n in NAMES]


MINE = [m for m in derivations.ALL if m.KEY in {f"R{i}" for i in range(1, 9)}]  # R9 is tested elsewhere


@pytest.fixture(scope="module")
def results():
    return {m.KEY: m.derive(EQ) for m in MINE}


def num(expr, pt):
    return float(sp.N(sp.sympify(expr).xreplace({GAME.parameters[n].symbol: sp.Rational(repr(float(v)))
                                                 for n, v in pt.items()}), 30))


def test_structure(results):
    assert list(results) == [f"R{i}" for i in range(1, 9)]
    assert [m.KEY for m in derivations.ALL][:8] == list(results)
    for r in results.values():
        assert isinstance(r, Result) and r.title and r.statement and r.claims
        assert all(c.sign in ("+", "-", "0", "+0", "-0", "?") for c in r.claims)
        assert all(c.proved or c.samples > 0 for c in r.claims), r.key  # proved, or certified at points


def test_claims_hold_numerically(results):
    """Every claim with a sign and a condition holds at sampled points where its condition holds."""
    checks = {"+": lambda v, t: v > -t, "-": lambda v, t: v < t, "0": lambda v, t: abs(v) <= t,
              "+0": lambda v, t: v >= -t, "-0": lambda v, t: v <= t}
    for r in results.values():
        for c in r.claims:
            if c.sign not in checks or c.expr is None or not hasattr(c, "facts"):
                continue
            cols = sample(GAME, c.facts, n=150, seed=3)
            syms = sorted(sp.sympify(c.expr).free_symbols, key=lambda s: s.name)
            f = sp.lambdify(syms, c.expr, "numpy")
            with np.errstate(all="ignore"):
                v = np.broadcast_to(np.asarray(f(*[cols[s.name] for s in syms]), dtype=float), cols["p"].shape)
            t = 1e-9 * (1 + np.abs(v))
            ok = np.vectorize(checks[c.sign])(v, t)
            assert ok[np.isfinite(v)].all(), f"{r.key}: {c.text}"


def test_r1_best_response_is_the_argmax(results):
    br = results["R1"].expressions["alpha1*(omega)"]
    a1, w = NS["alpha1"], NS["omega"]
    ud = sp.lambdify([a1, w, *SYMS], GAME.payoffs["D"], "numpy")
    cols = sample(GAME, (), n=50, seed=7)
    for i in range(50):
        vals = [cols[n][i] for n in NAMES]
        omega = cols["omega"][i]
        best = float(sp.N(br.xreplace({w: omega, **dict(zip(SYMS, vals))})))
        grid = cols["alpha0"][i] + np.linspace(0, 4 * (best - cols["alpha0"][i]) + 1, 40001)
        brute = grid[np.argmax(ud(grid, omega, *vals))]
        assert best == pytest.approx(brute, abs=2e-4 * (1 + abs(best)))


@FAST
@given(points_strategy(GAME))
def test_r2_omega_hat_matches_brute_force(pt):
    omega_hat = num(analysis(EQ).omega_hat(), pt)
    free = {**pt, "p": 0.0}
    vals = [free[n] for n in NAMES]
    br = sp.lambdify([NS["omega"], *SYMS], EQ.best_responses[NS["alpha1"]][0][1], "numpy")
    ug = sp.lambdify([NS["omega"], NS["alpha1"], *SYMS], GAME.payoffs["G"], "numpy")
    grid = np.linspace(0, 1, 100001)
    brute = grid[np.argmax(ug(grid, br(grid, *vals), *vals))]
    assert omega_hat == pytest.approx(brute, abs=2e-5)


@FAST
@given(points_strategy(GAME))
def test_r5_defy_and_comply_against_no_regulation(pt):
    now, free = evaluate(EQ, pt), evaluate(EQ, {**pt, "p": 0})
    if now["regime"] == "defy":  # specialist unchanged, generalist worse off by exactly p
        assert now["strategies"] == pytest.approx(free["strategies"], rel=1e-12, abs=1e-12)
        assert now["payoffs"]["D"] == pytest.approx(free["payoffs"]["D"], rel=1e-12, abs=1e-12)
        assert free["payoffs"]["G"] - now["payoffs"]["G"] == pytest.approx(pt["p"], rel=1e-9, abs=1e-9)
    if now["regime"] == "comply":  # openness, fine-tuning and the specialist's value rise
        assert now["strategies"]["omega"] > free["strategies"]["omega"]
        assert now["strategies"]["alpha1"] > free["strategies"]["alpha1"]
        assert now["payoffs"]["D"] > free["payoffs"]["D"]
        assert now["payoffs"]["G"] <= free["payoffs"]["G"] + 1e-12 * (1 + abs(free["payoffs"]["G"]))


@FAST
@given(points_strategy(GAME))
def test_r7_lever_curve_splits_comply_from_defy(results, pt):
    lever = results["R7"].expressions["alpha0*(theta, p)"]
    assume(pt["p"] > 1e-3 and pt["theta"] > 1e-3)
    a_star = num(lever, pt)
    assume(a_star > 1e-2)
    below, above = evaluate(EQ, {**pt, "alpha0": a_star * (1 - 1e-6)}), evaluate(EQ, {**pt, "alpha0": a_star * (1 + 1e-6)})
    assert below["regime"] == "comply" and above["regime"] == "defy"


def test_r8_thresholds_beat_a_grid(results):
    r8 = results["R8"]
    assert all(c.max_violation <= 1e-9 for c in r8.claims if "grid" in c.text)
    theta_o = sp.lambdify(SYMS, r8.expressions["theta_O(alpha0, p)"], "numpy")
    cols = sample(GAME, (), n=40, seed=11)
    for i in range(40):
        pt = {n: float(cols[n][i]) for n in NAMES}
        best = float(theta_o(*[pt[n] for n in NAMES]))
        omegas = [evaluate(EQ, {**pt, "theta": float(t)})["strategies"]["omega"] for t in np.linspace(0, 1, 41)]
        at = evaluate(EQ, {**pt, "theta": float(best * (1 - 1e-9))})["strategies"]["omega"]
        assert at >= max(omegas) - 1e-6


def test_derive_all_defaults_to_openness():
    assert derivations.modules_for("fine-tuning") == []
    assert derivations.modules_for("openness")[:8] == MINE
    assert holds_mask([], {"p": np.zeros(3)}).all()
