"""Results R1-R8: structure, every claim re-checked numerically, and the key
statements checked at drawn points against ``evaluate`` and brute force."""
from __future__ import annotations

import re

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
from openeq.verify.numeric import solve_numeric
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


CHECKS = {"+": lambda v, t: v > -t, "-": lambda v, t: v < t, "0": lambda v, t: np.abs(v) <= t,
          "+0": lambda v, t: v >= -t, "-0": lambda v, t: v <= t}
MIN_POINTS = 20  # a claim re-checked at fewer points than this fails: it was not checked


def _claim_values(c):
    """The claim's expression at seeded points where its conditions hold (a hand-built claim
    has none: it is an identity, checked on the whole domain); the finite values."""
    cols = sample(GAME, getattr(c, "facts", ()), n=300, seed=3, draws=20000)
    syms = sorted(sp.sympify(c.expr).free_symbols, key=lambda s: s.name)
    f = sp.lambdify(syms, c.expr, "numpy")
    n = len(next(iter(cols.values())))
    with np.errstate(all="ignore"):
        v = np.broadcast_to(np.asarray(f(*[cols[s.name] for s in syms]), dtype=float), (n,))
    return v[np.isfinite(v)]


def _stated_sign(c):
    """The relation a claim's text states ('... = 0', '... >= 0', ...), as a sign code."""
    m = re.search(r"(>=|<=|=|>|<) 0", c.text)
    return {"=": "0", ">": "+", "<": "-", ">=": "+0", "<=": "-0"}[m.group(1)] if m else None


def test_claims_hold_numerically(results):
    """Every claim of R1-R8 is re-checked, none skipped: a definite sign holds at seeded
    points where its conditions hold; "no definite sign" ('?' from a numeric certificate)
    means both signs occur there; a hand-built claim (an identity or its '?') holds as its
    text states on the whole domain; a grid claim (no expression) has the sign its
    recorded violation gives."""
    checked = 0
    claims = [(r.key, c) for r in results.values() for c in r.claims]
    for key, c in claims:
        what = f"{key}: {c.text}"
        if c.expr is None:
            assert (c.sign == "+0") == (c.max_violation <= 1e-9) and c.samples > 0, what
            checked += 1
            continue
        v = _claim_values(c)
        assert v.size >= MIN_POINTS, f"{what}: only {v.size} points to check it at"
        t = 1e-9 * (1 + np.abs(v))
        sign = c.sign if hasattr(c, "facts") else _stated_sign(c)
        if sign == "?":
            assert (v > t).any() and (v < -t).any(), f"{what}: one sign only at {v.size} points"
        else:
            assert sign in CHECKS, what
            assert CHECKS[sign](v, t).all(), f"{what}: violated at {int((~CHECKS[sign](v, t)).sum())} points"
        checked += 1
    assert checked == len(claims) > 50


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
    """omega_hat against the brute force at p = 0 (both stages numeric: solve_numeric)."""
    omega_hat = num(analysis(EQ).omega_hat(), pt)
    brute = solve_numeric(GAME, {**pt, "p": 0.0})["strategies"]["omega"]
    assert omega_hat == pytest.approx(brute, abs=2e-6)


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


def test_derive_all_defaults_to_openness(monkeypatch):
    """derive_all() with no equilibrium derives every module of the built-in openness model
    (R1-R9, in order) from the engine's openness equilibrium; a model without modules gets none."""
    calls = []
    monkeypatch.setattr(derivations, "derive", lambda m, eq, use_cache=True: calls.append((m.KEY, eq)) or m.KEY)
    out = derivations.derive_all()
    assert out == [f"R{i}" for i in range(1, 10)] == [m.KEY for m in derivations.modules_for("openness")]
    assert all(eq.game.name == "openness" and eq.regions == EQ.regions for _, eq in calls)
    assert derivations.modules_for("fine-tuning") == []
    assert derivations.derive_all(solve_cached(resolve_model("fine-tuning"))) == []
    assert derivations.modules_for("openness")[:8] == MINE
    cols = {"p": np.array([0.0, 0.5, 2.0]), "theta": np.array([1.0, 0.2, 0.5])}
    assert holds_mask([NS["p"] > NS["theta"]], cols).tolist() == [False, True, True]
    assert holds_mask([NS["p"] > 0, NS["theta"] <= 0.5], cols).tolist() == [False, True, True]
