"""The engine's openness SPE against the independent brute-force solver."""
import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, example, given, settings

from openeq.evaluate.exact import evaluate
from openeq.io.modelfile import resolve_model
from openeq.analyses.crosscheck import compare_point
from openeq.verify.numeric import foc_residual, soc_value
from openeq.verify.sampling import points_strategy

GAME = resolve_model("openness")
BASE = dict(alpha0=1.0, delta=0.5, c=1.0, epsilon=1.0, gamma=1.0, theta=0.7, p=0.1)


def test_regime_labels(openness_eq):
    assert set(openness_eq.labels) == {"already_open", "comply", "defy"}
    assert all(not r.unproven for r in openness_eq.regions)
    assert all(r.status == "proved" and r.samples == 0 for r in openness_eq.regions)


def test_specialist_best_response_is_derived(openness_eq):
    (alpha1,) = [v for v in openness_eq.best_responses]
    br = openness_eq.regions[0].best_responses[alpha1]
    ns = GAME.namespace
    # the FOC of U_D must vanish at the engine's best response, for every omega
    dU = sp.diff(GAME.payoffs["D"], ns["alpha1"]).subs(ns["alpha1"], br)
    assert sp.simplify(dU) == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(points_strategy(GAME))
@example(dict(BASE, alpha0=500.0))  # large alpha0: fully closed
@example(dict(BASE, epsilon=0.0))
@example(dict(BASE, p=0.0))
@example(dict(BASE, theta=0.0))
@example(dict(BASE, theta=1.0))
@example(dict(BASE, theta=1.0, p=5.0, epsilon=3.0))
@example(dict(BASE, alpha0=0.001, epsilon=5.0, gamma=0.0))  # fully open
def test_agrees_with_brute_force(openness_eq, point):
    ok, detail = compare_point(openness_eq, point)
    assert ok, detail


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(points_strategy(GAME))
def test_interior_foc_and_soc_at_50_digits(openness_eq, point):
    res = evaluate(openness_eq, point, exact=True)
    strategies = {k: v for k, v in res["strategies"].items()}
    region = openness_eq.region_at(point)
    exact = {k: sp.Rational(repr(v)) for k, v in point.items()}  # the same numbers the engine used
    with mpmath.workdps(50):
        foc = foc_residual(GAME, exact, strategies, dps=50)
        soc = soc_value(GAME, exact, strategies, dps=50)
    for var, r in foc.items():
        if f"{var} interior" in region.case:
            scale = 1 + max(abs(float(v)) for v in point.values())
            assert abs(r) < mpmath.mpf(10) ** -30 * scale, (var, r, region.case)
            assert soc[var] < 0, (var, soc[var])


def test_exactly_one_region_everywhere(openness_eq):
    from openeq.verify.sampling import random_points

    for pt in random_points(GAME, 300, seed=7):
        subs = {GAME.parameters[k].symbol: sp.Rational(repr(v)) for k, v in pt.items()}
        assert sum(r.holds(subs) for r in openness_eq.regions) == 1, pt


@pytest.mark.parametrize("theta,p,label", [(0.2, 0.1, "already_open"), (0.7, 0.2, "comply"), (0.7, 0.1, "defy")])
def test_regimes_at_known_points(openness_eq, theta, p, label):
    # omega_I = 1/3 at BASE; Delta(0.7) = (3/2)/2 * (0.7 - 1/3)^2 = 0.1008...
    assert evaluate(openness_eq, dict(BASE, theta=theta, p=p))["regime"] == label
