"""Empty and single-point domains are refused when the model is read, and assumptions
that contradict each other or the domains are refused before solving -- never solved
over an empty parameter space (issue 10: it was solved, or crashed with 0**0)."""
from pathlib import Path

import pytest

from openeq.core.domains import DomainError, parse_domain
from openeq.io.modelfile import ModelFileError, builtin_models, loads_model
from openeq.prove.emptiness import contradiction
from openeq.solver.backward import SolverError, solve

STACKELBERG = (Path(__file__).resolve().parents[1] / "examples" / "stackelberg.toml").read_text()
OPENNESS = builtin_models()["openness"].read_text()


@pytest.mark.parametrize("text", ["(0, 0)", "[1, 1)", "(1, 1]", "[1, 1]", "(2, 1)", "(sqrt(2), sqrt(2))"])
def test_empty_or_single_point_intervals_are_refused(text):
    with pytest.raises(DomainError):
        parse_domain(text)


@pytest.mark.parametrize("text", ["(0, 1)", "[0, 0.5]", "(1, 1 + 10**-400)", "[-1, oo)", "real"])
def test_proper_intervals_are_accepted(text):
    parse_domain(text)


@pytest.mark.parametrize("old, new, field", [
    ('a = "positive"', 'a = "(0, 0)"', "parameters.a"),
    ('a = "positive"', 'a = "(0, 1e-400)"', "parameters.a"),  # 1e-400 is 0.0: the interval is empty
    ('q2 = "[0, oo)"', 'q2 = "[a, a)"', "moves[1].choose.q2"),
    ('q2 = "[0, oo)"', 'q2 = "(a, a - 1)"', "moves[1].choose.q2"),
])
def test_the_loader_names_the_empty_domain(old, new, field):
    assert old in STACKELBERG
    with pytest.raises(ModelFileError) as e:
        loads_model(STACKELBERG.replace(old, new), "m.toml")
    assert str(e.value).startswith(f"m.toml: {field}: ")


@pytest.mark.parametrize("rels", [["a > c", "c > a"], ["a > 2*c", "a < c"], ["a > c", "c > b", "b > a"]])
def test_contradicting_assumptions_are_refused_before_solving(rels):
    game = loads_model(STACKELBERG.replace('assume = ["a > c"]', f"assume = {rels!r}".replace("'", '"')))
    with pytest.raises(SolverError) as e:
        solve(game)
    assert str(e.value).startswith("assume: ") and "contradicts" in str(e.value)


def test_an_assumption_outside_a_bounded_domain_is_refused():
    game = loads_model(OPENNESS.replace('name = "openness"', 'name = "openness"\nassume = ["delta > 1"]'))
    with pytest.raises(SolverError, match="contradicts"):
        solve(game)


@pytest.mark.parametrize("rels", [["a > c", "a > 0"], ["a >= c", "a <= c"], ["a > c", "b > c"]])
def test_consistent_or_undecided_assumptions_are_not_refused(rels):
    game = loads_model(STACKELBERG.replace('assume = ["a > c"]', f"assume = {rels!r}".replace("'", '"')))
    domains = {p.symbol: p.domain for p in game.parameters.values()}
    assert contradiction(domains, game.relations) is None
