"""The SPE derived per point (openeq.solver.pointwise) and the built-in safety-floors game.

``safety-floors`` has eleven parameters and G's optimum at a root of a cubic on D's
participation boundary: it is solved per point (``solve = "per point"``).  At a point the
fixed game's SPE is derived by the engine, with certified roots (``CRootOf``) where no
radicals exist.  It is compared with the hand-derived reference
(tests/reference/research_safety.py and research_tables.json, which share no code with
openeq) at drawn points of the declared domains and at the reference's samples of the
nine instances delta in {1/4, 1/2, 3/4}, k in {-1/4, 0, 1/4}.
"""
from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings, strategies as st

from openeq.io.modelfile import ModelFileError, loads_model, resolve_model
from openeq.solver.pointwise import PointwiseEquilibrium, PointwiseError
from openeq.solver.polyhedra import PolyError, condition_alternatives

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from reference.research_safety import safety_floors  # noqa: E402

VARS = ("alpha0", "beta0", "alpha1", "beta1")


@pytest.fixture(scope="module")
def eq():
    return PointwiseEquilibrium(resolve_model("safety-floors"))


def _instance(delta, k, theta_D):
    return {"delta": delta, "theta_G": 0, "theta_D": theta_D, "r_a": 1, "r_b": 1, "c0_aa": 1, "c0_ab": k,
            "c0_bb": 1, "c1_aa": 1, "c1_ab": k, "c1_bb": 1}


def _agrees(mine, ref):
    want = [0.0] * 4 if ref["gamma0"] is None else [*ref["gamma0"], *ref["gamma1"]]
    got = [mine["strategies"][v] for v in VARS]
    assert got == pytest.approx(want, rel=1e-7, abs=1e-9), (got, want)
    assert mine["payoffs"]["G"] == pytest.approx(ref["U_G"], rel=1e-8, abs=1e-10)
    assert mine["payoffs"]["D"] == pytest.approx(ref["U_D"], rel=1e-8, abs=1e-10)


def test_a_cubic_root_is_certified(eq):
    """k = 1/4, delta = 1/2, theta_D = 1: G on D's participation boundary at a root of
    an irreducible cubic: a CRootOf, exact, which the reference's value matches."""
    point = _instance(Fraction(1, 2), Fraction(1, 4), 1)
    region = eq.region_at(point)
    beta0 = region.strategies[sp.Symbol("beta0")] if sp.Symbol("beta0") in region.strategies else \
        next(e for v, e in region.strategies.items() if str(v) == "beta0")
    assert isinstance(beta0, sp.CRootOf) and beta0.poly.degree() == 3 and beta0.poly.is_irreducible
    assert "participation boundary" in region.label
    _agrees(eq.evaluate(point), safety_floors({k: float(v) for k, v in point.items()}))


def _domain_point(draw):
    pos = st.floats(0.05, 20, allow_nan=False)
    return {"delta": draw(st.floats(0.02, 0.98)), "theta_G": draw(st.floats(0, 3)), "theta_D": draw(st.floats(0, 3)),
            "r_a": draw(pos), "r_b": draw(pos), "c0_aa": draw(pos), "c0_bb": draw(pos), "c1_aa": draw(pos),
            "c1_bb": draw(pos), "c0_ab": draw(st.floats(-0.95, 5)), "c1_ab": draw(st.floats(-0.95, 5))}


@st.composite
def domain_points(draw):
    p = _domain_point(draw)
    # the cross terms are drawn as fractions of -sqrt(c_aa c_bb) .. 5: inside the assumption
    for m in ("c0", "c1"):
        p[f"{m}_ab"] *= (p[f"{m}_aa"] * p[f"{m}_bb"]) ** 0.5
    return {k: float(f"{v:.4g}") if abs(v) > 1e-6 else 0.0 for k, v in p.items()}  # (no subnormal floats:
    # their exact rationals are beyond the engine's resource bound, a clean refusal)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(point=domain_points())
def test_drawn_points_agree_with_the_reference(point):
    eq = PointwiseEquilibrium(resolve_model("safety-floors"))
    _agrees(eq.evaluate(point), safety_floors(point))


def _reference():
    return json.loads((ROOT / "tests" / "reference" / "research_tables.json").read_text())["safety-floors"]["instances"]


@pytest.mark.slow
@pytest.mark.parametrize("inst", _reference(), ids=lambda i: f"delta={i['delta']},k={i['k']}")
def test_the_nine_instances_agree_with_the_reference_samples(eq, inst):
    """At a jump threshold G is indifferent between two investments: the payoffs agree,
    and which investment is taken is a convention (the reference takes the larger beta0;
    a vector move's tie_break does not say), so the strategies are not compared there."""
    jumps = [t["value"] for t in inst["thresholds"] if t["kind"] == "jump"]
    for s in inst["samples"]:
        point = _instance(Fraction(inst["delta"]), Fraction(inst["k"]), s["theta_D"])
        mine = eq.evaluate(point)
        assert mine["payoffs"]["G"] == pytest.approx(s["U_G"], abs=1e-9), s
        if any(abs(s["theta_D"] - t) < 1e-12 for t in jumps):
            continue
        if s["regime"] == "abstain":
            assert "abstain" in mine["regime"], (s, mine)
        else:
            assert [mine["strategies"][v] for v in VARS] == pytest.approx(s["gamma0"] + s["gamma1"], abs=1e-9), s


@pytest.mark.parametrize("delta,k", [("1/2", "0"), ("1/4", "1/4"), ("3/4", "-1/4")])
def test_weak_regulation_of_the_specialist_backfires(eq, delta, k):
    """Inside the reference's backfiring interval of theta_D the engine's total safety
    beta1 is below the unregulated one; below the interval the floor has no effect."""
    inst = next(i for i in _reference() if i["delta"] == delta and i["k"] == k)
    lo, hi = Fraction(inst["backfiring"]["from"]["exact"]), Fraction(inst["backfiring"]["to"]["exact"])
    free = eq.evaluate(_instance(Fraction(delta), Fraction(k), 0))["strategies"]["beta1"]
    inside = eq.evaluate(_instance(Fraction(delta), Fraction(k), (lo + hi) / 2))["strategies"]["beta1"]
    below = eq.evaluate(_instance(Fraction(delta), Fraction(k), lo * Fraction(9, 10)))["strategies"]["beta1"]
    assert inside < free - 1e-9 and below == pytest.approx(free, abs=1e-12)


def test_a_refused_point_is_named(tmp_path):
    """A fixed game the engine refuses is an error naming the point, never an answer."""
    text = (ROOT / "openeq" / "models" / "safety-floors.toml").read_text()
    # a payoff with a transcendental term: no closed form at any point
    text = text.replace('G = "delta*(r_a*alpha1', 'G = "exp(alpha0) + delta*(r_a*alpha1')
    eq = PointwiseEquilibrium(loads_model(text))
    with pytest.raises(PointwiseError, match=r"^at delta=1/2, theta_G=0, theta_D=3/10, .*stage 1 \(G\)"):
        eq.evaluate(_instance(Fraction(1, 2), 0, Fraction(3, 10)))


def test_the_solve_key_is_checked():
    text = (ROOT / "openeq" / "models" / "safety-floors.toml").read_text()
    with pytest.raises(ModelFileError, match=r"solve: 'pointwise': expected one of 'symbolic', 'per point'"):
        loads_model(text.replace('solve = "per point"', 'solve = "pointwise"'))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "openeq.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_solve_needs_values_and_solves_an_instance():
    out = _cli("solve", "safety-floors")
    assert out.returncode == 2 and "solved per point" in out.stderr and "openeq solve safety-floors delta=..." in out.stderr
    point = _instance("1/2", "1/4", "1")
    out = _cli("solve", "safety-floors", "--json", *[f"{k}={v}" for k, v in point.items()])
    assert out.returncode == 0, out.stderr
    (region,) = json.loads(out.stdout)["regions"]
    assert "CRootOf(15*x**3 - 45*x**2 + 38*x - 6, 0)" in region["strategies"]["beta0"]
    from openeq.io.serialize import read_expression  # the JSON reads back, roots included

    beta0 = read_expression(region["strategies"]["beta0"], {})
    assert isinstance(beta0, sp.CRootOf)
    assert float(beta0) == pytest.approx(safety_floors({k: float(Fraction(v)) for k, v in point.items()})["gamma0"][1])
    out = _cli("solve", "fine-tuning", "delta=1/0")
    assert out.returncode == 2 and "divides by zero" in out.stderr


def test_cli_eval_points_file(tmp_path):
    pts = tmp_path / "points.csv"
    names = list(_instance(0, 0, 0))
    rows = [_instance(0.5, 0, t) for t in (0.2, 0.5, 1.0, 3.0)]
    pts.write_text(",".join(names) + "\n" + "".join(",".join(str(r[n]) for n in names) + "\n" for r in rows))
    out = _cli("eval", "safety-floors", "--points", str(pts), "--json")
    assert out.returncode == 0, out.stderr
    recs = json.loads(out.stdout)
    regimes = [r["regime"] for r in recs]
    assert regimes[0] == "alpha0 interior; beta0 interior" and "floor binds" in regimes[1]
    assert "participation boundary" in regimes[2] and regimes[3] == "G.abstain"
    for r, p in zip(recs, rows):
        _agrees({"strategies": r["strategies"], "payoffs": r["payoffs"]}, safety_floors(p))


@pytest.mark.slow
def test_cli_verify_agrees():
    out = _cli("verify", "safety-floors", "--samples", "4")
    assert out.returncode == 0 and out.stdout.strip() == "4 passed, 0 failed", (out.stdout, out.stderr)


# ---------------------------------------------------------------- sign patterns
B = sp.Symbol("b")


def _sets(alts):
    return [sorted(str(c) for c in cs) for cs in alts]


def test_a_product_of_affine_factors_is_the_union_of_its_sign_patterns():
    alts = condition_alternatives((B - 1) * (B - 3), ">=", sp.S.Zero, [B], "c", "break")
    assert len(alts) == 2 and all(len(cs) == 2 for cs in alts)
    for b, inside in ((0, True), (1, True), (2, False), (3, True), (5, True)):
        holds = any(all(sp.sympify(c.h()).subs(B, b) >= 0 for c in cs) for cs in alts)
        assert holds == inside, b


def test_a_square_is_its_zero_and_a_numeric_quadratic_its_roots():
    (only,) = condition_alternatives(-(B - 2) ** 2, ">=", sp.S.Zero, [B], "c", "break")
    assert [c.op for c in only] == ["=="] and sp.solve(only[0].h(), B) == [2]
    alts = condition_alternatives(B ** 2 - 2, ">=", sp.S.Zero, [B], "c", "break")
    for b, inside in ((-2, True), (0, False), (sp.sqrt(2), True), (2, True)):
        assert any(all(sp.sympify(c.h()).subs(B, b) >= 0 for c in cs) for cs in alts) == inside, b


def test_a_symbolic_quadratic_is_still_refused():
    a = sp.Symbol("a", positive=True)
    with pytest.raises(PolyError, match="not affine"):
        condition_alternatives(B ** 2 - a, ">=", sp.S.Zero, [B], "c", "break")


def test_exact_zero_of_algebraic_numbers():
    from openeq.prove.prover import _number_sign

    r = sp.CRootOf(sp.Symbol("x") ** 3 - 2, 0)
    assert _number_sign(sp.sqrt(2) * sp.sqrt(3) - sp.sqrt(6)) == "0"
    assert _number_sign(r ** 3 - 2) == "0"
    assert _number_sign(sp.Rational(1, 10 ** 25) + r - r) == "+"


@pytest.mark.slow
def test_the_appendix_compiles_and_claims_no_closed_form(tmp_path):
    """The appendix of a model solved per point: the model, the equilibrium at seeded points
    and its verification; it compiles cleanly and has no code words."""
    import shutil

    from openeq.export.latex.wording import forbidden_in

    if shutil.which("latexmk") is None:
        pytest.skip("latexmk not installed")
    out = _cli("appendix", "safety-floors", "-o", str(tmp_path / "app"), "--pdf", "--samples", "2")
    assert out.returncode == 0, out.stderr[-2000:]
    tex = (tmp_path / "app" / "appendix.tex").read_text()
    assert forbidden_in(tex) == [] and "No closed form over the whole parameter space is claimed" in tex
    assert r"\cite{laufer2025backfiring}" in tex and "proposition" not in tex.lower()
    log = (tmp_path / "app" / "main.log").read_text(errors="replace")
    assert not [line for line in log.splitlines() if line.startswith("!")] and "Overfull" not in log


def test_the_api_gives_a_pointwise_equilibrium():
    import openeq

    eq = openeq.solve_model("safety-floors")
    assert isinstance(eq, openeq.PointwiseEquilibrium)
    point = _instance(0.5, 0, 0.2)
    assert eq.evaluate(point)["strategies"]["beta1"] == pytest.approx(0.5)
    (region,) = openeq.solve(openeq.fix(eq.game, **{k: sp.Rational(str(v)) for k, v in point.items()})).regions
    assert region.status == "proved" or region.unproven


@pytest.mark.parametrize("text,fault", [
    ("CRootOf(x**2 + 1, 0)", "no real root of index 0"), ("CRootOf(y**3 - 2, 0)", "unknown symbol 'y'"),
    ("CRootOf(x**3 - 2, 1.5)", "root index"), ("CRootOf(exp(x), 0)", "not allowed"),
    ("CRootOf(x**3 - 2*a, 0)", "unknown symbol 'a'")])
def test_the_json_reader_checks_roots(text, fault):
    from openeq.io.serialize import read_expression

    with pytest.raises(ModelFileError, match=fault):
        read_expression(text, {"a": sp.Symbol("a")})


def test_a_tiny_number_is_signed_by_accurate_digits_only():
    """A nonzero number whose evaluation loses every digit is signed by an accurate one (or
    not at all), never by the noise (a review found '+' for 1 - sqrt(1 + 10**-240))."""
    from openeq.prove.prover import _number_sign

    assert _number_sign(1 - sp.sqrt(1 + sp.Rational(1, 10 ** 240))) == "-"
    assert _number_sign(10 ** 200 * (1 - sp.sqrt(1 + sp.Rational(1, 10 ** 500)))) == "-"
    assert _number_sign(sp.sqrt(2) - 1) == "+" and _number_sign(sp.pi - 3) == "+"


def test_a_points_file_may_give_fractions_as_text(tmp_path, eq):
    pts = tmp_path / "p.json"
    point = {k: (str(v) if k == "theta_D" else float(v)) for k, v in _instance(0.5, 0, "1/4").items()}
    pts.write_text(json.dumps([point]))
    out = _cli("eval", "safety-floors", "--points", str(pts), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["parameters"]["theta_D"] == 0.25


def test_the_api_checks_its_points(eq):
    with pytest.raises(PointwiseError, match="missing parameter 'theta_G'"):
        eq.evaluate({"delta": 0.5})
    with pytest.raises(PointwiseError, match="expected a finite number"):
        eq.evaluate({**_instance(0.5, 0, 0.2), "theta_D": float("nan")})
