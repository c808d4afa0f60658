"""A simultaneous stage above piecewise later best responses (solver/nash.py), the linear
fallback of the prover's signs, and the optional decision procedure (prove/decide.py)."""
import random

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from openeq.core.conditions import Bound
from openeq.core.domains import parse_domain
from pathlib import Path

from openeq.io.modelfile import load_model, loads_model
from openeq.prove import Prover, decide
from openeq.solver import SolverError, solve
from openeq.solver.candidates import CandidateError
from openeq.solver.nash import fixed_point
from openeq.solver.signs import fact_prover
from openeq.evaluate import evaluate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
a, c, x, y, k, r = sp.symbols("a c x y k r")
POS = parse_domain("positive")


# ------------------------------------------------------------------ prover
def test_linear_fallback_combines_facts_in_any_order():
    """x < a - c together with a - 2c + 2x > 0: the reparametrisation reads the facts in
    order and proved x - a + c < 0 under one order only; elimination proves it under both."""
    dom = {a: POS, c: POS, x: parse_domain("[0, c]")}
    base = Prover(dom, [a > c])
    f1, f2 = Bound(x - a + c, "<", 0), Bound(a - 2 * c + 2 * x, ">", 0)
    for facts in ([f1, f2], [f2, f1]):
        p = fact_prover(base, facts)
        assert p.sign(x - a + c) == "-"
        assert p.sign(2 * (a - c - x)) == "+"
    assert fact_prover(base, [f2]).sign(x - a + c) is None  # not a consequence: no sign


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(-3, 3)), min_size=1, max_size=3),
       st.integers(-3, 3), st.integers(-3, 3), st.integers(-3, 3))
def test_linear_sign_holds_at_sampled_points(facts, p, q, s):
    """A sign the prover gives under linear facts holds at every sampled point of them."""
    rels = [i * x + j * y + k0 > 0 for i, j, k0 in facts]
    rels = [f for f in rels if f not in (sp.true, sp.false)]
    prover = Prover({x: parse_domain("[0, 1]"), y: parse_domain("[0, 1]")}, rels)
    e = p * x + q * y + s
    sign = prover.sign(e)
    rng = random.Random(1)
    for _ in range(300):
        pt = {x: rng.random(), y: rng.random()}
        if all(bool(f.xreplace(pt)) for f in rels):
            v = float(e.xreplace(pt))
            assert {"+": v > 0, "-": v < 0, "0": v == 0, "+0": v >= 0, "-0": v <= 0, None: True}[sign]


# ------------------------------------------------------------------ decision procedure
needs_z3 = pytest.mark.skipif(not decide.available(), reason="z3-solver not installed")


@needs_z3
def test_decide_proves_a_nonlinear_contradiction():
    """x y > 1 with x < 1 and y < 1: no factor is linear, so elimination cannot read it;
    nlsat does."""
    dom = {x: POS, y: POS}
    rels = [x * y > 1, x < 1, y < 1]
    assert not Prover(dom).empty(rels)
    assert decide.decide_empty(rels, dom) is True
    assert decide.decide_empty(rels[:2], dom) is False  # without y < 1 there are points
    assert decide.decide_empty([x * y > 1, x < 1, y < 1 + x], dom) is False


@needs_z3
def test_decide_reads_square_roots_and_refuses_the_rest():
    dom = {x: POS}
    assert decide.decide_empty([sp.sqrt(x) < 0], dom) is True
    assert decide.decide_empty([sp.sqrt(x) > 2, x < 3], dom) is True
    assert decide.decide_empty([sp.sqrt(x) > 2, x < 5], dom) is False
    assert decide.decide_empty([sp.exp(x) < 1], dom) is None  # not polynomial: not sent


@needs_z3
def test_an_unsat_refuted_by_a_sampled_point_is_not_believed(monkeypatch):
    """The cross-check: were z3 to answer unsat on a set with points, the answer is None."""
    class Lying:
        def __init__(self):
            pass

        def set(self, *a):
            pass

        def add(self, *a):
            pass

        def check(self):
            return decide.z3.unsat
    monkeypatch.setattr(decide.z3, "Solver", Lying)
    assert decide.decide_empty([x > 1], {x: POS}) is None
    assert decide.decide_empty([x < 0], {x: POS}) is True  # no sampled point refutes this one


# ------------------------------------------------------------------ fixed points
def test_fixed_point_of_affine_best_responses():
    prover = Prover({a: POS, k: parse_domain("(0, 1)")})
    sol = fixed_point([x - (a - k * y), y - (a - k * x)], [x, y], prover)
    assert sp.simplify(sol[x] - a / (1 + k)) == 0 and sp.simplify(sol[y] - a / (1 + k)) == 0


def test_fixed_point_refuses_what_it_cannot_stand_behind():
    prover = Prover({a: POS, k: POS})
    with pytest.raises(CandidateError, match="not affine"):
        fixed_point([x - sp.sqrt(y), y - a], [x, y], prover)
    with pytest.raises(CandidateError, match="not proved"):  # 1 - k^2 may vanish
        fixed_point([x - k * y, y - k * x], [x, y], prover)
    assert fixed_point([x - y, y - x - 1], [x, y], prover) is None  # parallel: no fixed point


# ------------------------------------------------------------------ the engine
ENTRY = '''
name = "entry-capacity"
assume = ["a > 2*c"]
[parameters]
a = "positive"
c = "positive"
[[moves]]
stage = 1
player = "F1"
choose = { k1 = "[0, c]" }
[[moves]]
stage = 1
player = "F2"
choose = { k2 = "[0, c]" }
[[moves]]
stage = 2
player = "F1"
choose = { q1 = "[0, oo)" }
[[moves]]
stage = 2
player = "F2"
choose = { q2 = "[0, oo)" }
[payoffs]
F1 = "(a - q1 - q2 - (c - k1))*q1 - 2*k1**2"
F2 = "(a - q1 - q2 - (c - k2))*q2 - 2*k2**2"
'''


def _cournot(a, b, c1, c2):
    """The Cournot stage with inverse demand a - b Q and marginal costs c1, c2, in closed
    form (an exit corner where a quantity would be negative): the quantities."""
    q1, q2 = (a - 2 * c1 + c2) / (3 * b), (a - 2 * c2 + c1) / (3 * b)
    if q1 < 0:
        return 0.0, max(0.0, (a - c2) / (2 * b))
    if q2 < 0:
        return max(0.0, (a - c1) / (2 * b)), 0.0
    return q1, q2


def _profits(a, b, c1, c2, r1, r2):
    """Both firms' profits after the Cournot stage, less their R&D costs r1, r2."""
    q1, q2 = _cournot(a, b, c1, c2)
    price = a - b * (q1 + q2)
    return (price - c1) * q1 - r1, (price - c2) * q2 - r2


def _second(p, k1, k2):
    """Both payoffs of the capacity game (b = 1, R&D cost 2 k^2)."""
    return _profits(p["a"], 1, p["c"] - k1, p["c"] - k2, 2 * k1 ** 2, 2 * k2 ** 2)


def _best_deviation_gain(p, k1, k2, n=401):
    """How much either firm gains by its best deviation on a grid of [0, c]."""
    grid = [p["c"] * i / (n - 1) for i in range(n)]
    u1, u2 = _second(p, k1, k2)
    return max(max(_second(p, d, k2)[0] for d in grid) - u1, max(_second(p, k1, d)[1] for d in grid) - u2)


def test_capacity_then_cournot_is_solved_and_agrees_with_a_grid():
    """Investment (cost 2k^2) then Cournot: the first stage's payoffs are piecewise in
    (k1, k2) through the exit corners; the engine finds the symmetric equilibrium
    k = 4(a - c)/(9*4 - 4) = (a - c)/8 (below c) or k = c, proved (d'Aspremont--Jacquemin with
    b = 1, gamma = 4), and no grid deviation gains."""
    game = loads_model(ENTRY, "entry.toml")
    eq = solve(game)
    rng = random.Random(3)
    for _ in range(6):
        cc = rng.uniform(0.5, 2)
        p = {"a": cc * rng.uniform(2.1, 6), "c": cc}
        got = evaluate(eq, p)["strategies"]
        assert abs(got["k1"] - got["k2"]) < 1e-9
        assert abs(got["k1"] - min((p["a"] - p["c"]) / 8, p["c"])) < 1e-9
        assert _best_deviation_gain(p, got["k1"], got["k2"]) <= 1e-9
    assert _best_deviation_gain(p, got["k1"] * 0.9, got["k2"]) > 1e-6  # the check can fail


def test_without_the_decision_procedure_a_possible_second_equilibrium_is_refused(monkeypatch):
    """The clean fallback: R&D then Cournot with symbolic b and gamma, where only z3 rules
    out a second fixed point (the overlap's conditions are not linear in the parameters):
    the engine without it refuses and names both profiles, never printing one as the answer."""
    import openeq.solver.nash as nash
    monkeypatch.setattr(nash, "decide_empty", lambda rels, dom: None)
    with pytest.raises(SolverError, match="several profiles may be Nash equilibria"):
        solve(load_model(str(EXAMPLES / "rd-cournot.toml")))


def _spill_second(p, x1, x2):
    """Both payoffs of R&D with spillovers."""
    s, g = p["beta"], p["gamma"]
    return _profits(p["a"], p["b"], p["c"] - x1 - s * x2, p["c"] - x2 - s * x1, g * x1 ** 2 / 2, g * x2 ** 2 / 2)


def test_rd_with_spillovers_needs_the_decision_procedure_and_is_right():
    """d'Aspremont--Jacquemin with spillovers: the textbook's symmetric investment
    2(2 - beta)(a - c)/(9 b gamma - 2(2 - beta)(1 + beta)), capped at c, at seeded points of
    the domains; no grid deviation of either firm gains; z3 is named in the method record."""
    if not decide.available():
        pytest.skip("z3-solver not installed")
    eq = solve(load_model(str(Path(__file__).parent / "models" / "rd-spillovers.toml")))
    assert "z3" in eq.method["decision procedure"]
    rng = random.Random(5)
    for _ in range(40):
        c0, b0 = rng.uniform(0.2, 3), rng.uniform(0.2, 3)
        p = {"a": c0 * rng.uniform(1.05, 8), "b": b0, "c": c0, "gamma": rng.uniform(4 / 3, 12) / b0,
             "beta": rng.uniform(0, 0.499)}
        got = evaluate(eq, p)["strategies"]
        s = p["beta"]
        want = 2 * (2 - s) * (p["a"] - p["c"]) / (9 * p["b"] * p["gamma"] - 2 * (2 - s) * (1 + s))
        assert abs(got["x1"] - min(want, p["c"])) < 1e-9 * (1 + p["c"]) and abs(got["x2"] - got["x1"]) < 1e-9
        grid = [p["c"] * i / 200 for i in range(201)]
        u1, u2 = _spill_second(p, got["x1"], got["x2"])
        assert max(_spill_second(p, d, got["x2"])[0] for d in grid) <= u1 + 1e-9 * (1 + abs(u1))
        assert max(_spill_second(p, got["x1"], d)[1] for d in grid) <= u2 + 1e-9 * (1 + abs(u2))


def test_asymmetric_rd_costs_need_the_decision_procedure_for_the_determinant():
    """R&D with cost coefficients gamma and g2: the engine's equilibrium (7 regions) leaves no
    grid deviation profitable at seeded points; the determinant's sign is z3's."""
    if not decide.available():
        pytest.skip("z3-solver not installed")
    eq = solve(load_model(str(Path(__file__).parent / "models" / "rd-asymmetric.toml")))
    assert "z3" in eq.method["decision procedure"]
    rng = random.Random(7)
    for _ in range(30):
        c0, b0 = rng.uniform(0.2, 3), rng.uniform(0.2, 3)
        p = {"a": c0 * rng.uniform(1.05, 8), "b": b0, "c": c0, "gamma": rng.uniform(4 / 3, 12) / b0,
             "g2": rng.uniform(4 / 3, 12) / b0}

        def pay(x1, x2):
            return _profits(p["a"], p["b"], p["c"] - x1, p["c"] - x2, p["gamma"] * x1 ** 2 / 2, p["g2"] * x2 ** 2 / 2)
        got = evaluate(eq, p)["strategies"]
        grid = [p["c"] * i / 200 for i in range(201)]
        u1, u2 = pay(got["x1"], got["x2"])
        assert max(pay(d, got["x2"])[0] for d in grid) <= u1 + 1e-9 * (1 + abs(u1))
        assert max(pay(got["x1"], d)[1] for d in grid) <= u2 + 1e-9 * (1 + abs(u2))
