"""The reference solutions of the research games (issue 14) against the brute force.

``tests/reference/research*.py`` hold hand-derived SPEs of the safety-floors and the
n-specialist fine-tuning games and an independent grid brute force; neither uses openeq's
engine or verifier.  These tests compare the two at random points of the declared
domains (``OPENEQ_RESEARCH_POINTS`` per family, default 20; the report's figures use
200), show that the comparison fails on deliberately wrong references, check the
restated propositions of the backfiring paper, and check the data tables
(``research_tables.json``) and the draft model files against the references.
"""
import functools
import json
import math
import os
import tomllib
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from tests.reference import research, research_brute, research_crosscheck as cc, research_safety as rs

ROOT = Path(__file__).resolve().parents[1]
POINTS = int(os.environ.get("OPENEQ_RESEARCH_POINTS", "20"))
TABLES = json.loads((ROOT / "tests/reference/research_tables.json").read_text())
WORKED = {"k": 0.0, "delta": 0.5, "theta_G": 0.0}


# ------------------------------------------------------------------ reference vs brute force
@functools.lru_cache(maxsize=None)
def _run(kind):
    return cc.run(kind, POINTS, seed=11)


@pytest.mark.parametrize("kind", sorted(cc.KINDS))
def test_reference_agrees_with_brute_force(kind):
    res = _run(kind)
    assert not res["failures"], res["failures"][:2]
    assert res["regime"] == res["n"]


def test_families_reach_every_regime():
    """The random points exercise every regime of both games (the union over the families)."""
    seen = set()
    for kind in ("safety", "safety-k", "safety-nonconvex"):
        seen |= set(_run(kind)["regimes"])
    assert seen == {"free", "floor", "participation", "abstain"}
    ft = {r for kind in ("fine-tuning", "fine-tuning-symmetric") for key in _run(kind)["regimes"]
          for r in key.split("/")}
    assert ft == {"contributor", "free-rider", "abstainer"}


def test_published_unregulated_instance():
    """RELATED.md: gamma0 = (1/4, 1/4), gamma1 = (1/2, 1/2), U_G = U_D = 3/8."""
    for solve in (rs.safety_floors, research_brute.brute_safety):
        r = solve({**WORKED, "theta_D": 0.0})
        assert np.allclose(r["gamma0"], (0.25, 0.25), atol=1e-6)
        assert np.allclose(r["gamma1"], (0.5, 0.5), atol=1e-6)
        assert math.isclose(r["U_G"], 3 / 8, abs_tol=1e-9) and math.isclose(r["U_D"], 3 / 8, abs_tol=1e-6)


# ------------------------------------------------------------------ the checks can fail
def _disagree(params_list, compare):
    return sum(not compare(p)["agree"] for p in params_list)


def test_check_catches_a_reference_that_ignores_participation(monkeypatch):
    def mutant(P, b0):  # G's a0 ignores D's participation boundary a0 >= g(b0)
        u, w, _ = P.C0
        a0u = (P.delta * P.ra - 2 * w * b0) / (2 * u)
        c = real(P, b0)
        a0 = max(a0u, 0.0)
        shift = a0 - c["gamma0"][0]
        UG = c["U_G"] + P.delta * P.ra * shift - u * (a0 ** 2 - c["gamma0"][0] ** 2) - 2 * w * shift * b0
        return {**c, "gamma0": (a0, b0), "gamma1": (c["gamma1"][0] + shift, c["gamma1"][1]), "U_G": UG,
                "U_D": c["U_D"] + (1 - P.delta) * P.ra * shift, "on_boundary": False}

    real = rs._evaluate
    monkeypatch.setattr(rs, "_evaluate", mutant)
    pts = [{**WORKED, "theta_D": t} for t in (0.8, 1.0, 2.0)]  # G on D's participation boundary
    assert _disagree(pts, cc.compare_safety) == 3


def test_check_catches_a_reference_whose_d_ignores_the_floor(monkeypatch):
    real = rs.d_response
    monkeypatch.setattr(rs, "d_response", lambda P, m: real(P, 0.0))
    pts = [{**WORKED, "theta_D": t} for t in (0.45, 0.6)]
    assert _disagree(pts, cc.compare_safety) == 2


def test_check_catches_a_fine_tuning_reference_without_abstention(monkeypatch):
    monkeypatch.setattr(research, "_specialist",
                        lambda d, c, k, F: (max(0.0, (1 - d - k) / c), -math.inf))
    pts = [row["params"] for row in TABLES["fine-tuning-n"]["heterogeneous"]][2:]
    assert _disagree(pts, cc.compare_fine_tuning) == 1


# ------------------------------------------------------------------ the paper's statements
def test_remark_4_3_interior_investment():
    """Without floors, G invests in both attributes iff c0_ab < min(c0_aa r_b/r_a, c0_bb r_a/r_b),
    and D's increments are both positive iff the same holds for C1.  (The sqrt(c_aa c_bb) of the
    paper's min is implied: the two ratios have geometric mean sqrt(c_aa c_bb).)"""
    rng = np.random.default_rng(5)
    for _ in range(300):
        p = cc.sample_safety(rng)
        p.update(theta_G=0.0, theta_D=0.0)
        if rng.random() < 0.3:  # also C1 copositive but not convex
            p["c1_ab"] = rng.uniform(1.02, 2.0) * math.sqrt(p["c1_aa"] * p["c1_bb"])
        r = rs.safety_floors(p)
        for c, (lo, hi) in (("c0", (r["gamma0"], (0, 0))), ("c1", (r["gamma1"], r["gamma0"]))):
            aa, ab, bb = p[f"{c}_aa"], p[f"{c}_ab"], p[f"{c}_bb"]
            small = ab < min(aa * p["r_b"] / p["r_a"], bb * p["r_a"] / p["r_b"])
            both = all(u - v > 1e-12 for u, v in zip(lo, hi))
            assert small == both, (c, p, r)
            assert min(aa * p["r_b"] / p["r_a"], bb * p["r_a"] / p["r_b"]) <= math.sqrt(aa * bb) + 1e-12


def test_d_best_response_is_in_the_candidate_set():
    """Props. 4.1 / 4.4 (our numbering guess): D's optimum -- found by the brute force's grid --
    is the interior point gamma0 + (1 - delta)/2 C1^{-1} r, the stationary point on a binding
    constraint, or the corner; D abstains exactly when its best payoff is negative."""
    rng = np.random.default_rng(6)
    for _ in range(60):
        p = cc.sample_safety(rng)
        P = rs.safety_params(p)
        b0s = rng.uniform(P.theta_G, P.theta_G + 2.0, 8)
        fv, x, y = research_brute._d_solve(p, b0s)
        for b0, xv, yv in zip(b0s, x, y):
            m = max(0.0, P.theta_D - b0)
            pts = [(x0 + x1 * m, y0 + y1 * m) for x0, x1, y0, y1 in rs._d_affine(P).values()]
            assert min(math.hypot(xv - u, yv - v) for u, v in pts) < 1e-6


def test_g_optimum_is_in_the_candidate_set():
    """Props. 4.2 / 4.5: G's optimum (the brute force's) is among the reference's candidates:
    its own active sets, the kinks, and at most three points on D's participation boundary
    per piece of D's response."""
    rng = np.random.default_rng(7)
    for _ in range(15):
        p = cc.sample_safety(rng)
        bf = research_brute.brute_safety(p)
        if bf["gamma0"] is None:
            continue
        cands = rs._candidate_b0(rs.safety_params(p))
        assert min(abs(bf["gamma0"][1] - b) for b in cands) < 1e-4


def test_participation_boundary_is_a_cubic():
    """On D's participation boundary G's payoff is a quartic in b0: at most three stationary points."""
    P = rs.safety_params({**WORKED, "theta_D": 1.0})
    for lo, hi, x, y, b in rs._pieces(P):
        d, rho = P.delta, 1 - P.delta
        g = -(rho * (x + b + y) - (x * x + y * y)) / rho
        U = d * (g + x + b + y) - (g * g + b * b)
        assert U.degree() <= 4


# ------------------------------------------------------------------ the data tables
def _instances():
    return TABLES["safety-floors"]["instances"]


def test_tables_samples_are_the_references_answers():
    for inst in _instances():
        for row in inst["samples"]:
            r = rs.safety_floors({"delta": float(sp.Rational(inst["delta"])), "k": float(sp.Rational(inst["k"])),
                                  "theta_D": row["theta_D"]})
            assert r["regime"] == row["regime"]
            assert math.isclose(r["U_G"], row["U_G"], abs_tol=1e-12)


def test_tables_worked_instance_against_brute_force():
    inst = next(i for i in _instances() if i["delta"] == "1/2" and i["k"] == "0")
    for row in inst["samples"]:
        bf = research_brute.brute_safety({**WORKED, "theta_D": row["theta_D"]})
        assert bf["regime"] == row["regime"] and math.isclose(bf["U_G"], row["U_G"], abs_tol=1e-8)


@pytest.mark.parametrize("inst", _instances(), ids=lambda i: f"delta={i['delta']},k={i['k']}")
def test_tables_thresholds_and_backfiring(inst):
    p = {"delta": float(sp.Rational(inst["delta"])), "k": float(sp.Rational(inst["k"]))}
    names = [r["regime"] for r in inst["regimes"]]
    assert names[0] == "free" and names[-1] == "abstain"
    assert names[1:3] == ["floor", "participation"]
    for t, below, above in zip(inst["thresholds"], inst["regimes"], inst["regimes"][1:]):
        lo = rs.safety_floors({**p, "theta_D": t["value"] - 1e-6})
        hi = rs.safety_floors({**p, "theta_D": t["value"] + 1e-6})
        assert (lo["regime"], hi["regime"]) == (below["regime"], above["regime"])
        assert (lo["D_active"], hi["D_active"]) == (below.get("D_active"), above.get("D_active"))
        if t["exact"] is None:  # a certified root: the interval brackets it
            lo_q, hi_q = (float(sp.Rational(v)) for v in t["interval"])
            assert lo_q <= t["value"] <= hi_q
    b1u = rs.unregulated(p)["gamma1"][1]
    a, b = inst["backfiring"]["from"]["value"], inst["backfiring"]["to"]["value"]
    assert math.isclose(b, b1u, rel_tol=1e-12) and a < b
    for th in np.linspace(a, b, 7)[1:-1]:
        assert rs.safety_floors({**p, "theta_D": th})["gamma1"][1] < b1u - 1e-9
    for th in (a - 1e-4, b + 1e-4):
        assert rs.safety_floors({**p, "theta_D": th})["gamma1"][1] >= b1u - 1e-12


@pytest.mark.parametrize("inst", _instances(), ids=lambda i: f"delta={i['delta']},k={i['k']}")
def test_tables_agree_with_the_hand_derived_family_formulas(inst):
    """t1 and t2 of research_safety's docstring (derived by hand for the unit-diagonal family)
    against the tables' thresholds (derived by sympy from each regime's first-order system)."""
    d, k = sp.Rational(inst["delta"]), sp.Rational(inst["k"])
    rho = 1 - d
    t1 = (2 - d) / (4 * (1 + k))
    t2 = (rho * (1 - k) + sp.sqrt(rho ** 2 * (1 - k) ** 2 + (1 - k ** 2) * rho * (1 + d))) / (2 * (1 - k ** 2))
    got1, got2 = inst["thresholds"][:2]
    assert got1["exact"] == str(t1)
    assert math.isclose(got2["value"], float(t2), rel_tol=1e-12)
    assert inst["regimes"][1]["alpha0"] == str(d / 2) and inst["regimes"][1]["beta0"] == "0"


def test_tables_worked_instance_regenerates():
    from tests.reference.research_tables import instance_table
    fresh = instance_table(sp.Rational(1, 2), sp.Integer(0), steps=80)  # (a coarser scan, same answer)
    stored = next(i for i in _instances() if i["delta"] == "1/2" and i["k"] == "0")
    assert json.loads(json.dumps(fresh)) == stored
    assert [t["exact"] for t in fresh["thresholds"][:2]] == ["3/8", "3/4"]


def test_tables_fine_tuning():
    ft = TABLES["fine-tuning-n"]
    for row in ft["heterogeneous"]:
        bf = research_brute.brute_fine_tuning(row["params"])
        assert bf["regimes"] == row["regimes"] and math.isclose(bf["U_G"], row["U_G"], abs_tol=1e-8)
    for row in ft["symmetric"]:
        for s in row["samples"]:
            p = {"n": s["n"], **{k: float(sp.Rational(row[k])) for k in ("delta", "c", "c0", "kappa", "F")}}
            assert math.isclose(research.fine_tuning_n(p)["U_G"], s["U_G"], abs_tol=1e-12)


# ------------------------------------------------------------------ drafts and the shipped model
def _draft(name):
    """A draft in docs/drafts, or a model path relative to the repository."""
    path = ROOT / name if "/" in name else ROOT / "docs/drafts" / name
    return tomllib.loads(path.read_text())


def _namespace(draft):
    names = list(draft["parameters"]) + [v for mv in draft["moves"] for v in mv["choose"]]
    return {n: sp.Symbol(n, real=True) for n in names}


@pytest.mark.parametrize("name", ["openeq/models/safety-floors.toml", "safety-floors-k.toml"])
def test_safety_drafts_state_the_reference_game(name):
    """The built-in model's and the draft's payoffs (read by openeq's safe parser) equal the
    brute force's payoffs."""
    from openeq.io.expressions import parse_expression
    draft = _draft(name)
    ns = _namespace(draft)
    rng = np.random.default_rng(8)
    for _ in range(20):
        p = cc.sample_safety_k(rng) if "k" in draft["parameters"] else cc.sample_safety(rng)
        p.setdefault("r_a", 1.0), p.setdefault("r_b", 1.0)
        a0, b0, x, y = rng.uniform(0, 1, 4)
        vals = {**{k: v for k, v in p.items() if k in ns}, "alpha0": a0, "beta0": b0,
                "alpha1": a0 + x, "beta1": b0 + y}
        sub = {ns[k]: v for k, v in vals.items()}
        delta, _, _, ra, rb, (u, w, v), (pp, q, s) = research_brute._safety_in(p)
        rev = ra * (a0 + x) + rb * (b0 + y)
        want = {"G": delta * rev - (u * a0 ** 2 + 2 * w * a0 * b0 + v * b0 ** 2),
                "D": (1 - delta) * rev - (pp * x * x + 2 * q * x * y + s * y * y)}
        for pl, text in draft["payoffs"].items():
            got = float(parse_expression(text, ns, where=pl).xreplace(sub))
            assert math.isclose(got, want[pl], rel_tol=1e-12, abs_tol=1e-12)
        assert all(mv["options"]["abstain"] == {"G": "0", "D": "0"} for mv in draft["moves"])


def test_fine_tuning_draft_and_the_shipped_model():
    """The draft's specialist payoff, and the shipped one-specialist model, are the reference's."""
    from openeq.io.expressions import parse_expression
    draft = _draft("openeq/models/fine-tuning-n.toml")
    assert set(draft["parameters"]) == {"n", "c0", "delta", "c", "kappa", "F"}
    ns = _namespace(draft)
    shipped = tomllib.loads((ROOT / "openeq/models/fine-tuning.toml").read_text())
    sns = _namespace(shipped)
    rng = np.random.default_rng(9)
    for _ in range(20):
        d, c, c0, kap, F, a0, t = rng.uniform(0.05, 2.0, 7)
        d = min(d, 0.95)
        U = (1 - d) * (a0 + t) - kap * t - c / 2 * t * t - F
        sub = {ns["delta"]: d, ns["c"]: c, ns["kappa"]: kap, ns["F"]: F, ns["alpha0"]: a0, ns["alpha"]: a0 + t}
        assert math.isclose(float(parse_expression(draft["payoffs"]["D"], ns, where="D").xreplace(sub)), U,
                            rel_tol=1e-12, abs_tol=1e-12)
        ssub = {sns["delta"]: d, sns["c0"]: c0, sns["c1"]: c, sns["alpha0"]: a0, sns["alpha1"]: a0 + t}
        UG = d * (a0 + t) - c0 / 2 * a0 * a0
        UD = (1 - d) * (a0 + t) - c / 2 * t * t
        assert math.isclose(float(parse_expression(shipped["payoffs"]["G"], sns, where="G").xreplace(ssub)), UG,
                            rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(float(parse_expression(shipped["payoffs"]["D"], sns, where="D").xreplace(ssub)), UD,
                            rel_tol=1e-12, abs_tol=1e-12)
        r = research.fine_tuning_n({"n": 1, "c0": c0, "delta_1": d, "c_1": c})
        assert math.isclose(r["alpha0"], d / c0) and math.isclose(r["alpha"][0], d / c0 + (1 - d) / c)


def test_symmetric_closed_form_equals_the_n_specialist_solution():
    rng = np.random.default_rng(10)
    for _ in range(200):
        p = cc.sample_symmetric(rng)
        a, b = research.fine_tuning_symmetric(p), research.fine_tuning_n(p)
        assert math.isclose(a["U_G"], b["U_G"], abs_tol=1e-12)
        assert math.isclose(a["alpha0"], b["alpha0"], abs_tol=1e-12)
        assert all(r == a["regime"] for r in b["regimes"])
