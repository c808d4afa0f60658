"""The worked instance of the two-attribute safety game (issue 14): C0 = C1 = I,
r = (1, 1), delta = 1/2, theta_G = 0 (examples/safety-floors-worked.toml).

G's optimum lies on D's participation boundary U_D = 0 for a range of theta_D: a
parabola in (alpha0, beta0), which the engine takes as a curved constraint of G's
choice.  The engine is compared with the hand-derived reference
(tests/reference/research_tables.json, made by tests/reference/research_tables.py,
which shares no code with openeq) and with the brute-force verifier.
"""
import json
from pathlib import Path

import pytest

from openeq.analyses.crosscheck import compare_points
from openeq.evaluate.exact import evaluate
from openeq.io.modelfile import load_model
from openeq.solver.backward import solve

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("safety-floors")]  # one solve of a few minutes, once


@pytest.fixture(scope="module")
def eq():
    return solve(load_model(ROOT / "examples" / "safety-floors-worked.toml"))


@pytest.fixture(scope="module")
def reference():
    tables = json.loads((ROOT / "tests" / "reference" / "research_tables.json").read_text())
    return next(i for i in tables["safety-floors"]["instances"] if i["delta"] == "1/2" and i["k"] == "0")


def _at(eq, theta):
    got = evaluate(eq, {"theta_D": theta})
    s = got["strategies"]
    return got, [float(s[v]) for v in ("alpha0", "beta0", "alpha1", "beta1")]


def test_the_reference_samples(eq, reference):
    for s in reference["samples"]:
        got, x = _at(eq, s["theta_D"])
        assert float(got["payoffs"]["G"]) == pytest.approx(s["U_G"], abs=1e-9), s
        if s["regime"] == "abstain":
            assert "abstain" in got["regime"] and got["payoffs"]["G"] == 0, (s, got)
        else:
            assert x == pytest.approx(s["gamma0"] + s["gamma1"], abs=1e-9), (s, x)


def test_the_regimes_change_at_the_reference_thresholds(eq, reference):
    """Just below and above each threshold the play is that of the regimes on either side:
    free (G's own optimum), D meets the floor (beta0 = 0, beta1 = theta_D), G on D's
    participation boundary (U_D = 0), both abstain."""
    values = [t["value"] for t in reference["thresholds"]]
    assert len(values) == 3
    eps = 1e-6

    def kind(theta):
        got, (a0, b0, a1, b1) = _at(eq, theta)
        if "abstain" in got["regime"]:
            return "abstain"
        if abs(float(got["payoffs"]["D"])) < 1e-9:
            return "participation"
        return "floor" if b0 == 0 and b1 == pytest.approx(theta) else "free"

    expected = [r["regime"] for r in reference["regimes"]]
    for k, t in enumerate(values):
        assert kind(t - eps) == expected[k] and kind(t + eps) == expected[k + 1], (t, expected)


def test_weak_regulation_of_the_specialist_backfires(eq, reference):
    """On the reference's backfiring interval the floor binds D (beta1 = theta_D) yet total
    safety beta1 is below the unregulated 1/2: G cut beta0 to 0."""
    lo, hi = reference["backfiring"]["from"]["value"], reference["backfiring"]["to"]["value"]
    _, free = _at(eq, 0.0)
    for theta in (lo + 0.01, (lo + hi) / 2, hi - 0.01):
        _, (a0, b0, a1, b1) = _at(eq, theta)
        assert b0 == 0 and b1 == pytest.approx(theta) and b1 < free[3]


def test_the_verifier_agrees_in_every_regime(eq, reference):
    points = [{"theta_D": t} for t in (0.1, 0.4, 0.6, 0.8, 1.5, 2.2, 2.6)]
    for pt, (ok, detail) in zip(points, compare_points(eq, points)):
        assert ok, (pt, detail)


def test_unproven_regions_are_single_points(eq):
    """Every region is proved or certified, except where its conditions hold at single
    values of theta_D only (theta_D = 3/4, where G's boundary point has beta0 = 0, and a
    root of -16 t**2 + 8 t + 1): no one of 4,000 seeded draws lands in one."""
    import random

    rng = random.Random(14)
    unproven = [r for r in eq.regions if r.status not in ("proved", "certified")]
    t = eq.game.symbol("theta_D")
    assert len(unproven) <= 2, [(r.label, r.status, str(r.condition)) for r in unproven]
    for _ in range(4000):
        theta = rng.uniform(0.0, 4.0)
        assert not any(r.holds({t: theta}) for r in unproven), theta
