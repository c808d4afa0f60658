"""Textbook games through the Python API, against their known closed forms."""
import sympy as sp

from openeq import Game, solve


def duopoly(simultaneous=False, capacity=False):
    g = Game("duopoly")
    a, b, c = (g.parameter(n, "positive") for n in "abc")
    g.assume("a > c")
    K = g.parameter("K", "positive") if capacity else None
    (q1,) = g.move("L", 1, {"q1": "[0, K]" if capacity else "[0, oo)"})
    (q2,) = g.move("F", 1 if simultaneous else 2, {"q2": "[0, oo)"})
    g.payoff("L", (a - b * (q1 + q2) - c) * q1)
    g.payoff("F", (a - b * (q1 + q2) - c) * q2)
    return g, (a, b, c, K, q1, q2)


def test_stackelberg():
    g, (a, b, c, _, q1, q2) = duopoly()
    eq = solve(g)
    assert len(eq.regions) == 1
    r = eq.regions[0]
    assert sp.simplify(r.strategies[q1] - (a - c) / (2 * b)) == 0
    assert sp.simplify(r.strategies[q2] - (a - c) / (4 * b)) == 0
    assert sp.simplify(r.payoffs["L"] - (a - c) ** 2 / (8 * b)) == 0
    assert r.status == "proved"  # both payoffs strictly concave in their own choice: nothing left unproven


def test_cournot():
    g, (a, b, c, _, q1, q2) = duopoly(simultaneous=True)
    eq = solve(g)
    assert len(eq.regions) == 1
    assert sp.simplify(eq.regions[0].strategies[q1] - (a - c) / (3 * b)) == 0
    assert eq.regions[0].status == "proved"


def test_capacity_corner():
    g, (a, b, c, K, q1, q2) = duopoly(capacity=True)
    eq = solve(g)
    pt = {a: 10, b: 1, c: 2, K: 3}  # unconstrained leader would make 4 > K
    r = [r for r in eq.regions if r.holds(pt)]
    assert len(r) == 1
    assert r[0].strategies[q1].subs(pt) == 3
    assert r[0].strategies[q2].subs(pt) == sp.Rational(5, 2)
    pt = {a: 10, b: 1, c: 2, K: 5}
    (r,) = [r for r in eq.regions if r.holds(pt)]
    assert r.strategies[q1].subs(pt) == 4


def test_python_function_payoff_is_traced():
    g = Game("monopoly")
    g.parameter("a", "positive")
    g.move("M", 1, {"q": "[0, oo)"})

    def profit(a, q):
        return (a - q) * q

    g.payoff("M", profit)
    assert g.payoff_sources["M"] is profit
    eq = solve(g)
    assert eq.regions[0].strategies[g.symbol("q")] == g.symbol("a") / 2


def test_readme_runs_as_doctest():
    import doctest
    from pathlib import Path

    readme = Path(__file__).resolve().parents[1] / "README.md"
    res = doctest.testfile(str(readme), module_relative=False)
    assert res.failed == 0 and res.attempted >= 10
