"""The per-point regulation analysis (``openeq eval openness``) against direct computation.

Each field of the eval hook is recomputed at the drawn point from ``evaluate`` alone:
the same point with p = 0 (no regulation), a uniform penalty solved by brute force
(``solve_numeric``, both stages: every omega bears p, the model's own payoff at
theta > 1), the indifference equation at theta* (U_G with D's response by brute force),
and the comply/defy switch at p*.
"""
from __future__ import annotations

import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings

from openeq.analyses.regulation_fields import enrich
from openeq.analyses.regulation import analysis
from openeq.solver.cached import solve_cached
from openeq.evaluate.exact import evaluate
from openeq.io.modelfile import resolve_model
from openeq.core.game import Game
from openeq.verify.numeric import solve_numeric
from openeq.verify.sampling import points_strategy, random_points

GAME = resolve_model("openness")
EQ = solve_cached(GAME)
FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
NS = GAME.namespace
PARAMS = [GAME.parameters[n].symbol for n in GAME.parameters]
W, A1 = NS["omega"], NS["alpha1"]


def _stage2_game():
    """The specialist's stage alone: omega becomes a parameter (the brute force for U_G at a
    given omega, with D's response numeric too)."""
    g = Game("openness-stage-2")
    for n, par in GAME.parameters.items():
        g.parameter(n, str(par.domain))
    g.parameter("omega", "[0, 1]")
    g.move("D", 1, {"alpha1": "[alpha0, oo)"})
    sub = {s: g.symbol(s.name) for s in [*PARAMS, W, A1]}
    for q in ("G", "D"):
        g.payoff(q, GAME.payoffs[q].xreplace(sub))
    return g


STAGE2 = _stage2_game()


def hook(point):
    cols = {n: np.array([float(point[n])]) for n in GAME.parameters}
    return enrich(EQ, [{}], cols)[0]


def tol(*xs):
    return 1e-7 * (1 + max(abs(x) for x in xs))


def uniform_brute(point):
    """Every model bears p: the brute force (both stages, solve_numeric) at theta = 2 (> every omega)."""
    u = solve_numeric(GAME, {**point, "theta": 2.0})["payoffs"]
    return u["G"], u["D"]


def ug_unpenalised(point, w):
    """U_G at omega = w without the penalty (theta = 2 > w, plus p), D's response by brute force."""
    return solve_numeric(STAGE2, {**point, "theta": 2.0, "omega": float(w)})["payoffs"]["G"] + point["p"]


@FAST
@given(points_strategy(GAME))
def test_effect_and_welfare_against_p0(pt):
    res, now, free = hook(pt), evaluate(EQ, pt), evaluate(EQ, {**pt, "p": 0})
    assert res["omega_hat"] == pytest.approx(free["strategies"]["omega"], rel=1e-9, abs=1e-9)
    assert res["welfare"] == pytest.approx(now["payoffs"]["G"] + now["payoffs"]["D"], rel=1e-9, abs=1e-9)
    d_w = now["strategies"]["omega"] - free["strategies"]["omega"]
    paid = free["payoffs"]["G"] - now["payoffs"]["G"]
    if d_w > 1e-9:
        expected = "utility_shift"
        assert now["strategies"]["alpha1"] > free["strategies"]["alpha1"]  # comply raises alpha1 ...
        assert now["payoffs"]["D"] > free["payoffs"]["D"]  # ... and U_D
    elif paid > tol(free["payoffs"]["G"]):
        expected = "deadweight_loss"
        assert now["regime"] == "defy"
        assert now["payoffs"]["D"] == pytest.approx(free["payoffs"]["D"], rel=1e-9, abs=1e-9)  # D unchanged
        assert paid == pytest.approx(pt["p"], rel=1e-7, abs=1e-7)  # G loses exactly p
    else:
        expected = "no_effect"
    assert res["effect"] == expected


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(points_strategy(GAME))
def test_pareto_vs_uniform_brute_force(pt):
    now = evaluate(EQ, pt)
    g_u, d_u = uniform_brute(pt)
    gain_g, gain_d = now["payoffs"]["G"] - g_u, now["payoffs"]["D"] - d_u
    t = tol(g_u, d_u, now["payoffs"]["G"], now["payoffs"]["D"])
    for x in (gain_g, gain_d):  # skip points where the brute force cannot decide
        assume(abs(x) <= t or abs(x) >= 100 * t)
    expected = gain_g >= -t and gain_d >= -t and (gain_g > t or gain_d > t)
    assert hook(pt)["pareto_vs_uniform"] == expected


@FAST
@given(points_strategy(GAME))
def test_theta_star_solves_the_indifference_equation(pt):
    crit = hook(pt)["critical"]
    ts, omega_hat = crit["theta_star"], hook(pt)["omega_hat"]
    assert omega_hat - 1e-12 <= ts <= 1.0
    if pt["p"] == 0:
        assert ts == pytest.approx(omega_hat, abs=1e-9)
    if ts < 1 and ts > omega_hat + 1e-6:
        delta = ug_unpenalised(pt, omega_hat) - ug_unpenalised(pt, ts)
        assert delta == pytest.approx(pt["p"], rel=1e-6, abs=1e-9)
        below, above = evaluate(EQ, {**pt, "theta": ts * (1 - 1e-6)}), evaluate(EQ, {**pt, "theta": min(1.0, ts * (1 + 1e-6))})
        assert below["regime"] == "comply"
        assert above["regime"] == "defy" or ts * (1 + 1e-6) > 1


@FAST
@given(points_strategy(GAME))
def test_p_star_is_the_least_penalty_that_binds(pt):
    res = hook(pt)
    ps = res["critical"]["p_star"]
    if pt["theta"] <= res["omega_hat"]:
        assert ps == 0
        return
    assume(ps > 1e-6)
    at = evaluate(EQ, {**pt, "p": ps * (1 + 1e-9)})
    under = evaluate(EQ, {**pt, "p": ps * (1 - 1e-6)})
    assert at["regime"] == "comply" and under["regime"] == "defy"


def test_fields_and_speed():
    pts = random_points(GAME, 10_000, seed=5)
    cols = {n: np.array([p[n] for p in pts]) for n in GAME.parameters}
    enrich(EQ, [{}], {n: v[:1] for n, v in cols.items()})  # build once
    t0 = time.perf_counter()
    out = enrich(EQ, [{} for _ in pts], cols)
    assert time.perf_counter() - t0 < 1.0
    assert {r["effect"] for r in out} == {"no_effect", "utility_shift", "deadweight_loss"}
    assert set(out[0]) == {"omega_hat", "effect", "pareto_vs_uniform", "welfare", "critical"}
    assert set(out[0]["critical"]) == {"theta_star", "p_star"}
    assert all(np.isfinite([r["welfare"], r["omega_hat"], r["critical"]["theta_star"], r["critical"]["p_star"]]).all()
               for r in out)


def test_every_region_is_classified_by_proof():
    reg = analysis(EQ)
    assert all(k is not None for k in reg.region_regime)
    assert all(e[0] is not None for e in reg.effects)
    assert all(f[0] is not None for f in reg.pareto)
    assert [rg.kind for rg in reg.regimes] == ["closed", "interior", "open"]


def test_fix_substitutes_and_removes_parameters():
    from openeq.core.game import GameError
    from openeq.core.transform import fix

    g0 = fix(GAME, p=0)
    assert "p" not in g0.parameters and g0.source is None and g0.name != GAME.name
    assert NS["p"] not in g0.payoffs["G"].free_symbols
    assert GAME.parameters["p"].symbol in GAME.payoffs["G"].free_symbols  # the original is untouched
    g1 = fix(GAME, theta=1, p=0.5)
    assert set(g1.parameters) == set(GAME.parameters) - {"theta", "p"}
    for bad in ({"p": -1}, {"nope": 1}, {"p": "x"}):
        with pytest.raises(GameError):
            fix(GAME, **bad)
