"""Textbook games (examples/*.toml) solved by openeq, against closed forms derived by hand.

The yardstick is ``tests/reference``: the closed forms (``closed_forms.py``, derivations in
the docstrings) are checked against an independent brute-force backward induction
(``brute.py``), and the engine is checked against the closed forms at SAMPLES seeded points
drawn from each game's declared domains.  Nothing here compares the engine with itself.

Where today's engine refuses a game, its test is ``xfail(raises=SolverError, strict=True)``
with the construct it lacks: once the engine solves the game the test XPASSes, which strict
turns into a failure, and the marker is removed.  A *wrong* answer is an AssertionError,
which these markers do not excuse.
"""
from __future__ import annotations

import functools
import math
from pathlib import Path

import pytest

from openeq.evaluate import check_point, evaluate
from openeq.io.modelfile import load_model, resolve_model
from openeq.solver import SolverError, solve

from tests.reference import closed_forms, crosscheck, sampling

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAMPLES = 200
TOL = 1e-8  # relative: the engine's closed forms are exact, the references are floats


def lacks(what):
    return pytest.mark.xfail(raises=SolverError, strict=True, reason=f"engine lacks: {what}")


GAMES = {  # game -> marker naming what today's engine lacks (None: solves today)
    "hotelling": None,
    "rd-cournot": None,
    "entry-deterrence": None,
    "two-product-leader": None,
    "tullock": None,
    "public-good": None,
    "double-marginalisation": None,
    "openness-tiers2": None,
    "openness-tiers3": None,
}


@functools.lru_cache(maxsize=None)
def model(name):
    return load_model(str(EXAMPLES / f"{name}.toml"))


@functools.lru_cache(maxsize=None)
def solved(name):
    return solve(model(name))


def _close(a, b):
    return abs(a - b) <= TOL * (1.0 + abs(a))


def mismatches(eq, name, ref, points):
    """Points where the engine and the reference disagree (strategies or payoffs)."""
    bad = []
    for p in points:
        want, got = ref(p), evaluate(eq, p)
        pay = all(_close(want["payoffs"][k], got["payoffs"][k]) for k in want["payoffs"])
        strat = all(_close(want["strategies"][k], got["strategies"][k]) for k in want["strategies"])
        if not (pay and strat):
            bad.append((p, want, got))
    return bad


@pytest.mark.parametrize("name", [pytest.param(n, marks=m or ()) for n, m in GAMES.items()])
def test_engine_matches_closed_form(name):
    eq = solved(name)
    bad = mismatches(eq, name, closed_forms.REFERENCES[name], sampling.points(name, SAMPLES))
    assert not bad, f"{len(bad)} of {SAMPLES} points disagree, e.g. {bad[0]}"


def test_one_tier_reference_matches_builtin_openness():
    """The tiered reference with one tier is the built-in openness game, which the engine
    solves today: a check of the reference's tier logic (and of the engine) at 200 points."""
    eq = solve(resolve_model("openness"))
    keep = ("alpha0", "delta", "c", "epsilon", "gamma")
    pts = [{**{k: q[k] for k in keep}, "theta": q["theta1"], "p": q["p1"]}
           for q in sampling.points("openness-tiers2", SAMPLES)]

    def ref(p):
        return closed_forms.openness_tiers(dict(p, theta1=p["theta"], p1=p["p"]), n=1)
    bad = mismatches(eq, "openness", ref, pts)
    assert not bad, f"{len(bad)} of {SAMPLES} points disagree, e.g. {bad[0]}"

    def off(p):  # the harness can fail: a reference that is wrong by 1e-6 in omega
        r = ref(p)
        r["strategies"]["omega"] += 1e-6
        return r
    assert len(mismatches(eq, "openness", off, pts[:20])) == 20


@pytest.mark.parametrize("name", list(GAMES))
def test_samples_lie_in_declared_domains(name):
    """The sampler draws from each model file's declared domains and assumptions."""
    game = model(name)
    for p in sampling.points(name, SAMPLES):
        check_point(game, p)  # raises InputError outside a domain or an assumption


@pytest.mark.parametrize("name", list(GAMES))
def test_every_region_is_sampled(name):
    """The sample reaches every region of the closed form (else the comparison is weak)."""
    regions = {closed_forms.REFERENCES[name](p)["region"] for p in sampling.points(name, SAMPLES)}
    expected = {
        "hotelling": 1, "rd-cournot": 2, "entry-deterrence": 3, "two-product-leader": 3, "tullock": 2,
        "public-good": 4, "double-marginalisation": 1, "openness-tiers2": 4, "openness-tiers3": 5,
    }[name]
    assert len(regions) == expected, regions


CROSSCHECK_POINTS = {"hotelling": 3, "rd-cournot": 3, "two-product-leader": 10}  # nested searches are slow


@pytest.mark.parametrize("name", list(GAMES))
def test_reference_agrees_with_brute_force(name):
    """The hand-derived closed form against the independent numeric backward induction
    (``python -m tests.reference.crosscheck`` runs all 200 points of every game)."""
    n = CROSSCHECK_POINTS.get(name, 20)
    res = crosscheck.compare(name, sampling.points(name, n, seed=1))
    assert not res["failures"], res["failures"][:2]
    assert res["max_payoff_error"] <= crosscheck.PAY_TOL and res["max_strategy_error"] <= crosscheck.STRAT_TOL
    assert math.isfinite(res["max_payoff_error"])


def test_crosscheck_can_fail(monkeypatch):
    """A wrong closed form (the leader bids 1% more) is caught by the brute force."""
    right = closed_forms.REFERENCES["tullock"]

    def wrong(p):
        r = right(p)
        r["strategies"]["x"] *= 1.01
        r["payoffs"]["L"] *= 1.01
        return r
    monkeypatch.setitem(closed_forms.REFERENCES, "tullock", wrong)
    res = crosscheck.compare("tullock", sampling.points("tullock", 10, seed=1))
    assert len(res["failures"]) == 10
