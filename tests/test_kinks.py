"""Kinks: ``Max``, ``Min`` and ``Abs`` of a choice variable in a payoff (issue 10).

The solver rewrites each as a ``Piecewise`` (``solver.pieces.as_pieces``), so its kink
becomes a breakpoint; before, the derivative's ``Heaviside`` terms made ``factor`` run
for minutes (``Max`` of 8 terms) or ``solve`` raise NotImplementedError.  Each game
below is checked at points drawn from its declared domains against the closed form
derived by hand (in its docstring) and against the independent verifier
(``openeq.verify``, which reads the kinks itself, ``verify.model._relations``).
"""
from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from openeq import Game, solve
from openeq.verify.deviation import check_paths

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)
POS = st.floats(0.01, 5.0, allow_nan=False)


def max_of_choice():
    """max_q Max(q, a) - q**2 on [0, oo): on q < a the best is q = 0 (value a); on q >= a
    it is q = max(a, 1/2) (value 1/4 when a <= 1/2, else a - a**2).  So q = 1/2 when
    a < 1/4, and q = 0 when a > 1/4."""
    g = Game("max-of-choice")
    a = g.parameter("a", "positive")
    (q,) = g.move("M", stage=1, choose={"q": "[0, oo)"})
    g.payoff("M", sp.Max(q, a) - q**2)
    return g, lambda a: {"q": 0.5 if a < 0.25 else 0.0}


def abs_of_choice():
    """max_q -|q - a| - q**2 on [0, oo): slope 1 - 2q below a, -1 - 2q above; so
    q = min(a, 1/2)."""
    g = Game("abs-of-choice")
    a = g.parameter("a", "positive")
    (q,) = g.move("M", stage=1, choose={"q": "[0, oo)"})
    g.payoff("M", -sp.Abs(q - a) - q**2)
    return g, lambda a: {"q": min(a, 0.5)}


def min_follower():
    """Stackelberg with a follower capped at b: u_F = a Min(q2, b) - q2**2 gives
    q2 = min(a/2, b) whatever q1; the leader's reply is q1 = max(0, (a - c - b q2)/(2b))."""
    g = Game("min-follower")
    a, b, c = (g.parameter(n, "positive") for n in "abc")
    (q1,) = g.move("L", stage=1, choose={"q1": "[0, oo)"})
    (q2,) = g.move("F", stage=2, choose={"q2": "[0, oo)"})
    g.payoff("L", (a - b * (q1 + q2) - c) * q1)
    g.payoff("F", a * sp.Min(q2, b) - q2**2)

    def closed(a, b, c):
        y = min(a / 2, b)
        return {"q1": max(0.0, (a - c - b * y) / (2 * b)), "q2": y}
    return g, closed


GAMES = {"max-of-choice": max_of_choice, "abs-of-choice": abs_of_choice, "min-follower": min_follower}
_SOLVED = {}


def solved(name):
    if name not in _SOLVED:
        game, closed = GAMES[name]()
        _SOLVED[name] = game, closed, solve(game)
    return _SOLVED[name]


def _engine(eq, point):
    region = eq.region_at(point)
    subs = {eq.game.parameters[k].symbol: sp.Rational(repr(v)) for k, v in point.items()}
    strat = {str(v): float(e.subs(subs)) for v, e in region.strategies.items()}
    return strat, {p: float(e.subs(subs)) for p, e in region.payoffs.items()}


@pytest.mark.parametrize("name", sorted(GAMES))
def test_every_region_is_proved(name):
    _, _, eq = solved(name)
    assert eq.regions and all(r.status == "proved" for r in eq.regions)


def _check(name, point):
    _, closed, eq = solved(name)
    strat, pay = _engine(eq, point)
    want = closed(**point)
    assert strat == pytest.approx(want, rel=1e-9, abs=1e-12), (point, strat, want)
    (ok, why), = check_paths(eq.game, [point], [strat], [pay])
    assert ok, why


@SETTINGS
@given(a=POS.filter(lambda a: abs(a - 0.25) > 1e-6))
def test_max_of_choice(a):
    _check("max-of-choice", {"a": a})


@SETTINGS
@given(a=POS)
def test_abs_of_choice(a):
    _check("abs-of-choice", {"a": a})


@SETTINGS
@given(a=POS, b=POS, c=POS)
def test_min_follower(a, b, c):
    _check("min-follower", {"a": a, "b": b, "c": c})


def test_a_wrong_reply_at_the_kink_fails_the_verifier():
    """The verifier must see the follower's kink: q2 a little below b is not a best reply."""
    game, closed, _ = solved("min-follower")
    pt = {"a": 0.380792, "b": 0.115535, "c": 0.001511}
    s = closed(**pt)
    bad = {"q1": s["q1"], "q2": s["q2"] * 0.97}
    a, b, c = pt["a"], pt["b"], pt["c"]
    pay = {"L": (a - b * (bad["q1"] + bad["q2"]) - c) * bad["q1"], "F": a * min(bad["q2"], b) - bad["q2"] ** 2}
    (ok, _), = check_paths(game, [pt], [bad], [pay])
    assert not ok


@pytest.mark.parametrize("pt", [{"a": 0.380792, "b": 0.115535, "c": 0.001511},
                                {"a": 0.372805, "b": 0.113503, "c": 0.006452}])
def test_the_closed_form_passes_where_the_verifier_missed_the_kink(pt):
    """At these points the verifier once polished the follower's reply through the kink
    of Min(q2, b) (a findroot of a derivative that jumps) and failed the right answer."""
    _check("min-follower", pt)
