"""Discrete options of a move (issue 14, item 1): the model format, the Python API, the
engine's comparison of options with the continuous candidates, and the independent
verifier's reading of options (a switch variable, openeq/verify/options.py).

The games: an entrant with a fixed cost F who may stay out (one stage); the same
entrant facing an incumbent leader (entry deterrence, the entrant's exit as an
option, on_tie = "out"); an entry decision without variables followed by a
later mover.  The engine is compared with the brute-force verifier at points drawn by
hypothesis from the declared domains, never with its own output.

TWO_ABSTAIN has options at both stages; where D's fixed cost F is high, G's optimum
lies on D's participation boundary (U_D = 0, affine in a0 here; an indifferent D
plays), or G abstains.
"""
import subprocess
import sys

import pytest
import sympy as sp

from openeq.analyses.crosscheck import compare_points
from openeq.core.errors import OpeneqError
from openeq.core.game import Game, GameError
from openeq.evaluate.exact import evaluate
from openeq.io.modelfile import loads_model
from openeq.solver.backward import solve
from tests.drawn import agrees_at_drawn_points
from openeq.verify.numeric import solve_numeric
from openeq.verify.sampling import random_points

ENTRANT = """
name = "entrant"
title = "An entrant with a fixed cost who may stay out"

[parameters]
a = "positive"
F = "positive"

[[moves]]
stage = 1
player = "E"
choose = { q = "[0, oo)" }
options = { out = { E = "0" } }

[payoffs]
E = "(a - q)*q - F"
"""

ENTRY = """
name = "entry-options"
title = "Entry deterrence, the entrant's exit as an option"
assume = ["a > c"]

[parameters]
a = "positive"
b = "positive"
c = "positive"
F = "positive"

[[moves]]
stage = 1
player = "I"
choose = { q1 = "[0, oo)" }

[[moves]]
stage = 2
player = "E"
choose = { q2 = "[0, oo)" }
options = { out = { I = "(a - b*q1 - c)*q1", E = "0" } }
on_tie = "out"

[payoffs]
I = "(a - b*(q1 + q2) - c)*q1"
E = "(a - b*(q1 + q2) - c)*q2 - F"
"""

DECIDE = """
name = "decide"
title = "Enter, then a supplier sets the quantity"

[parameters]
a = "positive"
F = "positive"

[[moves]]
stage = 1
player = "E"
choose = {}
options = { stay_out = { E = "0", I = "a**2/4" } }
play = "enter"

[[moves]]
stage = 2
player = "I"
choose = { q = "[0, oo)" }

[payoffs]
E = "q - F"
I = "(a - q)*q - q"
"""

TWO_ABSTAIN = """
name = "two-abstain"
title = "A generalist and a specialist, either may abstain (both then get 0)"

[parameters]
c = "positive"
F = "positive"

[[moves]]
stage = 1
player = "G"
choose = { a0 = "[0, oo)" }
options = { abstain = { G = "0", D = "0" } }

[[moves]]
stage = 2
player = "D"
choose = { a1 = "[a0, oo)" }
options = { abstain = { G = "0", D = "0" } }

[payoffs]
G = "a1/2 - c*a0**2"
D = "a1/2 - (a1 - a0)**2 - F"
"""

_EQ = {}


def _solved(text):
    if text not in _EQ:
        _EQ[text] = solve(loads_model(text))
    return _EQ[text]


@pytest.mark.parametrize("text,n", [(ENTRANT, 30), (ENTRY, 25), (DECIDE, 25)], ids=["entrant", "entry", "decide"])
def test_options_agree_with_brute_force(text, n):
    agrees_at_drawn_points(_solved(text), n)


def test_two_movers_with_options_agree_with_brute_force():
    """Options at both stages: one seeded point (drawn from the domains) of each regime
    the engine reports, the participation boundary among them, against the verifier.
    (Four stages for the brute force, about 3 s a point: no hypothesis run here.)"""
    eq = _solved(TWO_ABSTAIN)
    first = {}
    for pt in random_points(eq.game, 40, seed=3):
        first.setdefault(evaluate(eq, pt)["regime"], pt)
    assert len(first) >= 3 and "G.abstain" in first
    assert any(abs(evaluate(eq, pt)["payoffs"]["D"]) < 1e-12 and "G.abstain" not in lb for lb, pt in first.items())
    for pt, (ok, detail) in zip(first.values(), compare_points(eq, list(first.values()))):
        assert ok, (pt, detail)


@pytest.mark.parametrize("on_tie,label", [("play", "q interior"), ("out", "E.out")])
def test_ties_follow_on_tie(on_tie, label):
    """At F = a**2/4 the entrant is indifferent: it plays unless on_tie names the option."""
    text = ENTRANT.replace('options = { out = { E = "0" } }', f'options = {{ out = {{ E = "0" }} }}\non_tie = "{on_tie}"')
    eq = solve(loads_model(text))
    assert evaluate(eq, {"a": 2.0, "F": 1.0})["regime"] == label


def test_appendix_names_the_option(tmp_path):
    path = tmp_path / "entrant.toml"
    path.write_text(ENTRANT)
    run = subprocess.run([sys.executable, "-m", "openeq.cli", "appendix", str(path), "-o", str(tmp_path / "app"),
                          "--samples", "5"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "stays out" in (tmp_path / "app" / "appendix.tex").read_text()


def test_the_safety_floors_models_load_with_their_constraints():
    """The built-in model's and the one-cross-term draft's constraints are read (before, the
    loader refused them).  Neither is solved in closed form over all its parameters: the
    built-in one is solved per point (tests/test_pointwise.py)."""
    from pathlib import Path

    from openeq.io.modelfile import load_model

    root = Path(__file__).resolve().parent.parent
    for path in (root / "openeq" / "models" / "safety-floors.toml", root / "docs" / "drafts" / "safety-floors-k.toml"):
        game = load_model(path)
        d = next(m for m in game.moves if m.player == "D")
        assert list(d.constraints) == ["floor"] and str(d.constraints["floor"]) == "beta1 >= theta_D"


@pytest.mark.parametrize("text", [ENTRANT, ENTRY, DECIDE], ids=["entrant", "entry", "decide"])
def test_seeded_points_reach_both_sides(text):
    """At seeded points the verifier agrees, and both playing and an option occur
    (the verifier's own switch decides which: its reported switch value)."""
    eq = _solved(text)
    pts = random_points(eq.game, 40, seed=3)
    assert all(ok for ok, _ in compare_points(eq, pts))
    switch = next(k for k in solve_numeric(eq.game, pts[0])["strategies"] if k.endswith("_alternative"))
    taken = {round(solve_numeric(eq.game, pt)["strategies"][switch]) for pt in pts}
    assert taken == {0, 1}
    labels = {evaluate(eq, pt)["regime"] for pt in pts}
    assert any(".out" in lb or ".stay_out" in lb for lb in labels)
    assert any(".out" not in lb and ".stay_out" not in lb for lb in labels)


def test_verifier_rejects_a_solution_that_ignores_the_option():
    """A test that can fail: the equilibrium of the game *without* the exit option is
    wrong where staying out pays; the verifier, reading the option, must say so."""
    with_option = loads_model(ENTRANT)
    without = solve(loads_model(ENTRANT.replace('options = { out = { E = "0" } }\n', "")))
    pt = {"a": 1.0, "F": 2.0}  # (a - q)*q - F <= 1/4 - 2 < 0 = staying out
    mine = evaluate(without, pt)
    from openeq.verify.deviation import check_paths

    ((ok, detail),) = check_paths(with_option, [pt], [mine["strategies"]], [mine["payoffs"]])
    assert not ok, detail
    ((ok, _),) = check_paths(with_option, [pt], [{"q": 0.0}], [{"E": 0.0}])
    assert ok


def test_region_labels_and_cases_name_the_option():
    eq = _solved(ENTRANT)
    labels = [r.label for r in eq.regions]
    assert "E.out" in labels
    cases = [c for r in eq.regions for c in getattr(r, "cases", [])] or [
        s.text for r in eq.regions for s in r.steps if s.kind == "case"]
    assert any(c.startswith("E stays out: U_E = 0") for c in cases)


def test_labels_rename_an_option():
    text = ENTRANT + '\n[labels]\n"E.out" = "E stays out"\n"q interior" = "E enters"\n'
    labels = {r.label for r in solve(loads_model(text)).regions}
    assert "E stays out" in labels


def test_python_api_matches_the_model_file():
    g = Game("entrant", "An entrant with a fixed cost who may stay out")
    a, F = g.parameter("a", "positive"), g.parameter("F", "positive")
    (q,) = g.move("E", 1, {"q": "[0, oo)"}, options={"out": {"E": 0}})
    g.payoff("E", (a - q) * q - F)
    assert g.moves[0].options == {"out": {"E": sp.S.Zero}} and g.moves[0].on_tie == "play"
    eq = solve(g)
    pts = random_points(g, 20, seed=5)
    assert all(ok for ok, _ in compare_points(eq, pts))
    file_eq = _solved(ENTRANT)
    for pt in pts:
        assert evaluate(eq, pt)["payoffs"] == evaluate(file_eq, pt)["payoffs"]


def test_structure_key_sees_options():
    plain = loads_model(ENTRANT.replace('options = { out = { E = "0" } }\n', ""))
    assert plain.structure_key() != loads_model(ENTRANT).structure_key()
    assert loads_model(ENTRANT).structure_key() != loads_model(ENTRANT.replace('E = "0" }', 'E = "1" }')).structure_key()


BAD = [
    (ENTRY.replace('options = { out = { I = "(a - b*q1 - c)*q1", E = "0" } }', 'options = { out = { E = "0" } }'),
     "missing payoff of player 'I'"),
    (ENTRANT.replace('E = "0" }', 'E = "q" }'), "uses 'q', the move's own choice"),
    (ENTRANT.replace("out = {", "q = {"), "clashes"),
    (ENTRANT.replace('options = { out = { E = "0" } }', 'options = { out = { E = "0" } }\non_tie = "exit"'),
     "on_tie"),
    (ENTRANT.replace('E = "0" }', 'E = "0", X = "1" }'), "'X' is not a player"),
]


@pytest.mark.parametrize("text,message", BAD, ids=["missing", "own", "clash", "on_tie", "unknown"])
def test_bad_options_are_one_line_errors(text, message, tmp_path):
    with pytest.raises(OpeneqError) as info:
        loads_model(text)
    assert message in str(info.value) and "\n" not in str(info.value)
    path = tmp_path / "bad.toml"
    path.write_text(text)
    run = subprocess.run([sys.executable, "-m", "openeq.cli", "solve", str(path)], capture_output=True, text=True)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_options_at_a_simultaneous_stage_are_refused():
    g = Game("sim", "")
    a = g.parameter("a", "positive")
    (x,) = g.move("A", 1, {"x": "[0, oo)"}, options={"out": {"A": 0, "B": 0}})
    (y,) = g.move("B", 1, {"y": "[0, oo)"})
    g.payoff("A", a * x - x ** 2)
    g.payoff("B", a * y - y ** 2)
    with pytest.raises(GameError, match="alone at its stage"):
        g.validate()
