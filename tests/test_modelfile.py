"""Tests for openeq.modelfile: the built-in models, a Stackelberg file, and every fault."""
from __future__ import annotations

import json
import re

import pytest
import sympy as sp

from openeq.core.game import Game
from openeq.io.modelfile import ModelFileError, builtin_models, load_model, loads_model, resolve_model
from openeq.io.expressions import parse_expression

STACKELBERG = '''
name = "stackelberg"
title = "Stackelberg duopoly"
assume = ["a > c"]

[parameters]
a = "positive"
b = "positive"
c = "positive"

[latex]
a = 'a'

[[moves]]
stage = 1
player = "L"
choose = { q1 = "[0, oo)" }

[[moves]]
stage = 2
player = "F"
choose = { q2 = "[0, oo)" }

[payoffs]
L = "(a - b*(q1 + q2) - c)*q1"
F = "(a - b*(q1 + q2) - c)*q2"
'''


def test_builtins_are_listed():
    assert {"openness", "openness-endogenous", "fine-tuning"} <= set(builtin_models())


@pytest.mark.parametrize("name", ["openness", "openness-endogenous", "fine-tuning"])
def test_builtin_loads(name):
    game = resolve_model(name)
    assert isinstance(game, Game) and game.name == name
    assert game.players == ["G", "D"] and game.stages == [1, 2]
    assert json.loads(game.source)["name"] == name
    game.validate()


def test_openness_model():
    g = resolve_model("openness")
    ns = g.namespace
    alpha0, delta, c, eps, gamma, theta, p, omega, alpha1 = (ns[n] for n in (
        "alpha0", "delta", "c", "epsilon", "gamma", "theta", "p", "omega", "alpha1"))
    assert alpha0.is_positive and delta.is_positive and p.is_nonnegative
    assert str(g.parameters["delta"].domain) == "(0, 1)"
    assert str(g.parameters["theta"].domain) == "[0, 1]"
    assert g.latex_names["alpha0"] == r"\alpha_0" and g.latex_names["epsilon"] == r"\varepsilon"
    d_alpha1 = g.variables[alpha1][1]
    assert d_alpha1.lo == alpha0 and d_alpha1.hi == sp.oo and not d_alpha1.lo_open
    want_d = (1 - delta * (1 - omega)) * alpha1 - c / 2 * (alpha1 - alpha0) ** 2
    want_g = (delta * (1 - omega) * alpha1 + eps * omega - gamma / 2 * omega ** 2
              - sp.Piecewise((p, omega < theta), (0, True)))
    assert sp.simplify(g.payoffs["D"] - want_d) == 0
    assert sp.simplify(g.payoffs["G"] - want_g) == 0
    assert g.labels == {"free": "already_open", "bunch": "comply", "jump": "defy"}
    assert g.tie_break == {"G": "max", "D": "max"}


def test_endogenous_and_fine_tuning():
    g = resolve_model("openness-endogenous")
    assert "alpha0" not in g.parameters and "c0" in g.parameters
    assert [v.name for v in g.moves[0].symbols] == ["omega", "alpha0"]
    assert len(g.relations) == 1
    f = resolve_model("fine-tuning")
    assert set(f.parameters) == {"delta", "c0", "c1"}
    assert f.disagreement == {"G": 0, "D": 0}


def test_stackelberg_from_text_and_file(tmp_path):
    g = loads_model(STACKELBERG)
    q1, q2 = g.namespace["q1"], g.namespace["q2"]
    a, b, c = (g.namespace[n] for n in "abc")
    assert g.payoffs["L"] == (a - b * (q1 + q2) - c) * q1
    assert g.relations == [a > c]
    path = tmp_path / "stack.toml"
    path.write_text(STACKELBERG)
    for arg in (path, str(path)):
        assert load_model(arg).structure_key() == g.structure_key()
        assert resolve_model(arg).name == "stackelberg"
    assert load_model(STACKELBERG).name == "stackelberg"
    assert g.source == load_model(path).source


def test_floats_are_exact_and_functions_work():
    x, y = sp.symbols("x y", real=True)
    ns = {"x": x, "y": y}
    assert parse_expression("0.1*x", ns, where="t") == x / 10
    assert parse_expression("1e3", ns, where="t") == 1000
    e = parse_expression("Min(x, y) + Max(x, 1) + sqrt(2) + exp(x) + log(2) + Abs(y)", ns, where="t")
    assert e == sp.Min(x, y) + sp.Max(x, 1) + sp.sqrt(2) + sp.exp(x) + sp.log(2) + sp.Abs(y)
    pw = parse_expression("Piecewise((x, (x < y) & ~(y >= 1) | (x == 0)), (-y, True))", ns, where="t")
    assert pw == sp.Piecewise((x, ((x < y) & ~(y >= 1)) | sp.Eq(x, 0)), (-y, True))
    assert parse_expression("0 < x <= y", ns, where="t", kind="condition") == sp.And(sp.Lt(0, x), sp.Le(x, y))
    assert parse_expression("-x**2 + +y", ns, where="t") == -x ** 2 + y


def _replace(old, new, text=STACKELBERG):
    assert old in text
    return text.replace(old, new, 1)


FAULTS = [  # (model text, field, fault fragment)
    ("a = [\nb = 1\n", "toml", "at line 2"),
    ("title = 'x'", "name", "missing"),
    (_replace('name = "stackelberg"', 'name = "stack elberg"'), "name", "letters"),
    (_replace('name = "stackelberg"', "name = 3"), "name", "expected a string"),
    (_replace('F = "(a - b*(q1 + q2) - c)*q2"', ""), "payoffs.F", "no payoff"),
    (_replace("- c)*q1", "- c)*q3"), "payoffs.L", "unknown symbol 'q3' (known: a, b, c, q1, q2)"),
    (_replace('c = "positive"', 'c = "positivee"'), "parameters.c", "unknown domain"),
    (_replace('c = "positive"', 'c = "[0, a]"'), "parameters.c", "unknown symbol 'a'"),
    (_replace('q1 = "[0, oo)"', 'q1 = "[0, q2]"'), "moves[0].choose.q1", "later stage"),
    (_replace('q2 = "[0, oo)"', 'q2 = "[0, oo)", q3 = "[0, q2]"'), "moves[1].choose.q3", "same stage"),
    (_replace('q2 = "[0, oo)"', 'q2 = "[0, __import__]"'), "moves[1].choose.q2", "double underscores"),
    (_replace("- c)*q2", "- c)*q2.real"), "payoffs.F", "attribute access"),
    (_replace('"a > c"', '"a.b > c"'), "assume[0]", "attribute access"),
    (_replace('"a > c"', '"a + c"'), "assume[0]", "condition"),
    (_replace('"a > c"', '"q1 > c"'), "assume[0]", "parameters only"),
    (_replace("stage = 2", "stage = 2.0"), "moves[1].stage", "positive integer"),
    (_replace("stage = 2", 'stage = "2"'), "moves[1].stage", "positive integer"),
    (_replace("stage = 2", "stage = true"), "moves[1].stage", "positive integer"),
    (_replace("stage = 2", "stage = 0"), "moves[1].stage", "positive integer"),
    (_replace('choose = { q2 = "[0, oo)" }', 'choose = "q2"'), "moves[1].choose", "table"),
    (_replace('choose = { q2 = "[0, oo)" }', "choose = {}"), "moves[1].choose", "at least one"),
    (_replace('choose = { q2 = "[0, oo)" }', 'choose = { q1 = "[0, oo)" }'), "moves[1].choose.q1", "twice"),
    (_replace('choose = { q2 = "[0, oo)" }', 'choose = { b = "[0, oo)" }'), "moves[1].choose.b", "twice"),
    (_replace('player = "F"', 'player = "L"\nstage = 1').replace("stage = 2\n", "", 1),
     "moves[1].player", "already moves"),
    (re.sub(r"\[\[moves\]\]\nstage = \d\nplayer = \"\w\"\nchoose = [^\n]*\n", "", STACKELBERG),
     "moves", "no moves"),
    ("foo = 1\n" + STACKELBERG, "foo", "unknown key 'foo'"),
    (_replace("player = \"F\"", "player = \"F\"\nwho = 1"), "moves[1].who", "unknown key"),
    (_replace("[latex]\na = 'a'", "[latex]\nz = 'z'"), "latex.z", "unknown name"),
    (STACKELBERG + '\n[tie_break]\nL = "up"\n', "tie_break.L", "'max' or 'min'"),
    (STACKELBERG + '\n[tie_break]\nX = "max"\n', "tie_break.X", "unknown player"),
    (STACKELBERG + '\n[disagreement]\nL = "zz"\n', "disagreement.L", "unknown symbol 'zz'"),
    (STACKELBERG + '\n[labels]\nfree = 1\n', "labels.free", "expected a string"),
    (_replace('c = "positive"', 'c = "(1, 0)"'), "parameters.c", "empty"),
    (_replace('c = "positive"', 'c = "[0, 1, 2]"'), "parameters.c", "two bounds"),
    (_replace('c = "positive"', 'lambda = "positive"'), "parameters.lambda", "identifier"),
    (_replace('c = "positive"', 'sqrt = "positive"'), "parameters.sqrt", "identifier"),
    (_replace('"a > c"', '"a > 0"').replace('assume = ["a > 0"]', 'assume = ["a < 0"]'), "assume[0]", "contradicts"),
    (_replace('"a > c"', '"a > c', ), "toml", "invalid TOML"),
    (_replace('L = "(a', 'L = "1/0 + (a'), "payoffs.L", "undefined"),
    (_replace('L = "(a', 'L = "a**5000 + (a'), "payoffs.L", "too large"),
    (_replace('L = "(a', 'L = "Piecewise((a, a)) + (a'), "payoffs.L", "condition must be"),
    (_replace('L = "(a', 'L = "Piecewise((a, sqrt(-1) < a)) + (a'), "payoffs.L", "cannot build"),
]


@pytest.mark.parametrize("text, field, fault", FAULTS)
def test_fault(text, field, fault):
    with pytest.raises(ModelFileError) as info:
        loads_model(text, filename="examples/bad.toml")
    err = info.value
    msg = str(err)
    assert "\n" not in msg and msg.startswith(f"examples/bad.toml: {field}: "), msg
    assert err.field == field and fault in err.fault, msg


REFUSED = ["__import__('os')", "().__class__", "open('x')", "lambda: 1", "[x for x in ()]",
           "a.b", "a[0]", "eval('1')", "f'{a}'", "'a'", "a if b else c", "a and b", "not a",
           "a // b", "a % b", "a ^ 2", "Min(a, key=b)", "Min(*a)", "9**9**9", "a**1001",
           "(" * 101 + "a" + ")" * 101, "a" + "+a" * 6000, "(a, b)", "{a: b}", "a < b",
           "True + a", "a & b", "~a", "sqrt(a, b)", "sqrt", "a @ b", "1j", "(x := 1)", "b; a", ""]


@pytest.mark.parametrize("text", REFUSED)
def test_refused_constructs(text):
    a, b, c = sp.symbols("a b c", positive=True)
    with pytest.raises(ModelFileError) as info:
        parse_expression(text, {"a": a, "b": b, "c": c}, where="payoffs.X")
    assert str(info.value).startswith("<expression>: payoffs.X: ")


def test_bound_may_use_earlier_choice_and_max():
    text = _replace('q2 = "[0, oo)"', 'q2 = "[Max(q1, a), 2*q1 + oo)"')
    g = loads_model(text)
    d = g.variables[g.namespace["q2"]][1]
    assert d.lo == sp.Max(g.namespace["q1"], g.namespace["a"]) and d.hi == sp.oo


def test_load_model_errors(tmp_path):
    with pytest.raises(ModelFileError, match="cannot read"):
        load_model(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"name = \"\xff\"\n")
    with pytest.raises(ModelFileError, match="UTF-8"):
        load_model(bad)
    with pytest.raises(ModelFileError) as info:
        resolve_model("no-such-model")
    assert "openness" in str(info.value) and "fine-tuning" in str(info.value)


def test_optional_fields_and_multiline_expressions():
    text = _replace('title = "Stackelberg duopoly"',
                    'title = "Stackelberg duopoly"\ndescription = "Quantity leadership."')
    text = _replace('L = "(a - b*(q1 + q2) - c)*q1"', 'L = """(a - b*(q1 + q2)\n     - c)*q1"""', text)
    text += '\n[labels]\nfree = "already_open"\n[tie_break]\nF = "min"\n[disagreement]\nL = 0\nF = "-c/2"\n'
    g = loads_model(text)
    a, b, c = (g.namespace[n] for n in "abc")
    q1, q2 = g.namespace["q1"], g.namespace["q2"]
    assert g.description == "Quantity leadership." and g.title == "Stackelberg duopoly"
    assert g.payoffs["L"] == (a - b * (q1 + q2) - c) * q1
    assert g.labels == {"free": "already_open"} and g.tie_break == {"F": "min"}
    assert g.disagreement == {"L": 0, "F": -c / 2}
    assert g.source != loads_model(STACKELBERG).source
