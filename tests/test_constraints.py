"""Linear constraints on a move's variables (issue 14, item 2): the model format, the
Python API, the engine's KKT over the polyhedron, and the verifier's own reading of
the constraints (box bounds and masks, openeq/verify/model.py).

The games: a consumer with a budget tying two goods (``x + y <= B``); a follower whose
constraint involves the leader's choice (``x >= q1 - K``, ``y <= x``).  The engine is
compared with the brute-force verifier at points drawn by hypothesis from the declared
domains, never with its own output.
"""
import subprocess
import sys

import pytest
import sympy as sp

from openeq.analyses.crosscheck import compare_point
from openeq.core.game import Game, GameError
from openeq.core.transform import fix
from openeq.evaluate.exact import evaluate
from openeq.io.modelfile import loads_model
from openeq.solver.backward import solve
from tests.drawn import agrees_at_drawn_points

BUDGET = """
name = "budget"
title = "Two goods and a budget"

[parameters]
a = "positive"
b = "positive"
B = "positive"

[[moves]]
stage = 1
player = "P"
choose = { x = "[0, oo)", y = "[0, oo)" }
constraints = { budget = "x + y <= B" }

[payoffs]
P = "a*x + b*y - x**2 - y**2"
"""

FOLLOWER = """
name = "constrained-follower"
title = "A follower whose constraint moves with the leader's choice"

[parameters]
a = "positive"
K = "positive"

[[moves]]
stage = 1
player = "L"
choose = { q = "[0, 1]" }

[[moves]]
stage = 2
player = "F"
choose = { x = "[0, oo)", y = "[0, oo)" }
constraints = ["x + y <= K + q", "y <= x"]

[payoffs]
L = "q*(a - q) - (x - y)**2/4"
F = "a*(x + y) - x**2 - 2*y**2"
"""

_EQ = {}


def _solved(text):
    if text not in _EQ:
        _EQ[text] = solve(loads_model(text))
    return _EQ[text]


def test_budget_closed_form():
    """KKT by hand: x = a/2, y = b/2 inside the budget; on it, x - y = (a - b)/2 until a
    corner: x = (B + (a - b)/2)/2, y = B - x."""
    eq = _solved(BUDGET)
    for pt in [dict(a=1.0, b=1.0, B=5.0), dict(a=3.0, b=2.0, B=1.0), dict(a=4.0, b=0.5, B=1.0)]:
        a, b, B = pt["a"], pt["b"], pt["B"]
        if a / 2 + b / 2 <= B:
            x, y = a / 2, b / 2
        else:
            x = min(max((B + (a - b) / 2) / 2, 0.0), B)
            y = B - x
        got = evaluate(eq, pt)["strategies"]
        assert got["x"] == pytest.approx(x, abs=1e-12) and got["y"] == pytest.approx(y, abs=1e-12), (pt, got)


@pytest.mark.parametrize("text,n", [(BUDGET, 30), (FOLLOWER, 15)], ids=["budget", "follower"])
def test_constraints_agree_with_brute_force(text, n):
    agrees_at_drawn_points(_solved(text), n)


def test_verifier_fails_an_answer_that_ignores_the_budget():
    """The unconstrained optimum breaks the budget: the verifier must not accept it."""
    from openeq.verify.deviation import check_paths

    game = loads_model(BUDGET)
    pt = dict(a=3.0, b=2.0, B=1.0)
    (ok, _), = check_paths(game, [pt], [{"x": 1.5, "y": 1.0}], [{"P": 3.25}])
    assert not ok
    (ok, detail), = check_paths(game, [pt], [{"x": 0.75, "y": 0.25}], [{"P": 2.125}])
    assert ok, detail


def test_labels_name_the_binding_constraint():
    eq = _solved(BUDGET)
    assert "budget binds" in evaluate(eq, dict(a=3.0, b=2.0, B=1.0))["regime"]
    assert "budget" not in evaluate(eq, dict(a=1.0, b=1.0, B=5.0))["regime"]


def test_python_api_matches_the_model_file():
    g = Game("budget", "Two goods and a budget")
    a, b, B = g.parameters_("a b B", "positive")
    x, y = g.move("P", 1, {"x": "[0, oo)", "y": "[0, oo)"}, constraints={"budget": "x + y <= B"})
    g.payoff("P", a * x + b * y - x ** 2 - y ** 2)
    assert g.structure_key() == loads_model(BUDGET).structure_key()


def test_constraints_survive_fix_and_enter_the_cache_key():
    g = loads_model(BUDGET)
    assert "constraints budget:" in g.structure_key()
    h = fix(g, B=2)
    assert h.moves[0].constraints["budget"] == sp.Le(h.symbol("x") + h.symbol("y"), 2)
    plain = loads_model(BUDGET.replace('constraints = { budget = "x + y <= B" }\n', ""))
    assert "constraints" not in plain.structure_key()


def test_max_on_the_far_side_is_two_constraints():
    from openeq.core.constraints import split_constraint

    x, t, u = sp.symbols("x t u", real=True)
    parts = split_constraint("floor", sp.Ge(x, sp.Max(t, u)))
    assert [(n, big, op) for n, big, _, op in parts] == [("floor.1", x, ">="), ("floor.2", x, ">=")]
    assert {small for _, _, small, _ in parts} == {t, u}


@pytest.mark.parametrize("relation,message", [
    ('"x + y < B"', "strict constraints"),
    ('"x >= Min(a, b)"', "not convex"),
    ('"x*y <= B"', "degree 2"),
    ('"a <= B"', "involves none of the move's variables"),
    ('"x**2 <= B"', "degree 2"),
    ('"x + z <= B"', "unknown symbol 'z'"),
    ('"x + y"', "must be a comparison"),
    ('"(x <= B) & (y <= B)"', "expected one relation"),
    ("3", "expected a relation"),
])
def test_bad_constraints_are_one_line_errors(relation, message, tmp_path):
    text = BUDGET.replace('{ budget = "x + y <= B" }', f"{{ budget = {relation} }}")
    path = tmp_path / "bad.toml"
    path.write_text(text)
    run = subprocess.run([sys.executable, "-m", "openeq.cli", "solve", str(path)], capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr and "moves[0]" in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_a_later_choice_in_a_constraint_is_refused():
    g = Game("later")
    g.parameter("K", "positive")
    g.move("L", 1, {"q": "[0, 1]"})
    with pytest.raises(GameError, match="neither a parameter"):
        g.move("F", 2, {"x": "[0, oo)"}, constraints=["x <= w"])
    g2 = Game("later2")
    g2.parameter("K", "positive")
    g2.move("F", 2, {"x": "[0, oo)"})
    with pytest.raises(GameError, match="neither a parameter"):
        g2.move("L", 1, {"q": "[0, 1]"}, constraints=["q <= x"])


# ------------------------------------------------------------------ curved conditions
PARABOLA = """
name = "parabola"
title = "A choice above a parabola"

[parameters]
a = "(0, 2)"

[[moves]]
stage = 1
player = "P"
choose = { x = "[0, 1]", y = "[0, 1]" }

[payoffs]
P = "Piecewise((a*x - y, y >= x**2), (-10, True))"
"""


def test_an_optimum_on_a_curve_in_closed_form():
    """max a x - y over y >= x**2 in the unit box: on the curve, a x - x**2 peaks at
    x = a/2 (the multiplier of the curve is 1 > 0)."""
    eq = _solved(PARABOLA)
    for a in (0.3, 1.0, 1.9):
        got = evaluate(eq, {"a": a})
        assert got["strategies"]["x"] == pytest.approx(a / 2, abs=1e-12)
        assert got["strategies"]["y"] == pytest.approx(a * a / 4, abs=1e-12)
        ok, detail = compare_point(eq, {"a": a})
        assert ok, detail


def test_a_stationary_point_of_degree_three_is_refused():
    """On y = x**4/4 - x**2 the stationary points of a x - y solve x**3 - 2 x = a: three
    real roots, no real radicals; the engine refuses (quickly) and says why."""
    text = PARABOLA.replace("y >= x**2", "y >= x**4/4 - x**2").replace('x = "[0, 1]", y = "[0, 1]"',
                                                                       'x = "[-2, 2]", y = "[-2, 4]"')
    from openeq.solver.backward import SolverError

    with pytest.raises(SolverError, match="degree 3"):
        solve(loads_model(text.replace('a = "(0, 2)"', 'a = "(0, 1)"')))
