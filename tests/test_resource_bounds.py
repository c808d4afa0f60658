"""The engine's own resource bounds (``solver.budget``, issue 10): each input below once
ran for minutes (or crashed with NotImplementedError) and must now be refused with a
message naming the stage, the expression and the bound, decided by counting.

The same attacks run as model files, under a CPU-time limit, in the hostile corpus
(``tests/hostile``, group ``resource:``; the slow tier runs it whole).
"""
from __future__ import annotations

import pytest
import sympy as sp

from openeq import Game
from openeq.core.domains import parse_domain
from openeq.solver import SolverError, solve
from openeq.solver.budget import MAX_NUMBER_BITS, MAX_ROOT_ORDER, check, BudgetError


def stackelberg(leader=None, follower=None, bound="[0, oo)"):
    g = Game("attack")
    a, b, c = (g.parameter(n, "positive") for n in "abc")
    (q1,) = g.move("L", stage=1, choose={"q1": bound})
    (q2,) = g.move("F", stage=2, choose={"q2": "[0, oo)"})
    g.payoff("L", leader(q1, a) if leader else (a - b * (q1 + q2) - c) * q1)
    g.payoff("F", follower(q1, q2, a) if follower else (a - b * (q1 + q2) - c) * q2)
    return g


def cournot(second):
    g = Game("attack")
    a, b, c = (g.parameter(n, "positive") for n in "abc")
    (q1,) = g.move("A", stage=1, choose={"q1": "[0, oo)"})
    (q2,) = g.move("B", stage=1, choose={"q2": "[0, oo)"})
    g.payoff("A", (a - b * (q1 + q2) - c) * q1)
    g.payoff("B", second(q1, q2, a))
    return g


def nested_sqrt(x, depth=50):
    e = x + 1
    for _ in range(depth):
        e = sp.sqrt(e)
    return e


def kinked(x, n):
    """A leader's payoff with ``n - 1`` kinks at 1, ..., n - 1: their order against the
    follower's breakpoint (a - c)/b is open, so the stage splits on it again and again."""
    return sp.Piecewise(*[(k * x, x < k) for k in range(1, n)], (0, True)) - x**2


ATTACKS = {
    "huge-number": (lambda: stackelberg(leader=lambda x, a: sp.Integer(10) ** 900 / 3 * x - x**2),
                    r"u_L holds a number of 2990 bits \(more than 1024\)"),
    "sqrt-nest-50": (lambda: stackelberg(leader=lambda x, a: nested_sqrt(x) - x),
                     r"u_L holds a root of order 1125899906842624 \(more than 60\)"),
    "bound-pow-1000": (lambda: stackelberg(bound="[0, (a + 1)**1000]"),
                       r"stage 1 \(L\): the upper bound of q1 has degree 1000 \(more than 60\)"),
    "pow-1000": (lambda: stackelberg(leader=lambda x, a: -(x + 1) ** 1000 + a * x), r"u_L has degree 1000"),
    "max-20": (lambda: stackelberg(leader=lambda x, a: sp.Max(*[k * x - k * a for k in range(20)]) - x**2),
               r"u_L: .*have 20 arguments in all \(more than 12 pieces\)"),
    "piecewise-40": (lambda: stackelberg(leader=lambda x, a: kinked(x, 40)),
                     r"stage 1 \(L\): 41 conditions on q1 .*\(.*more than 32\)"),
    "piecewise-16-splits": (lambda: stackelberg(leader=lambda x, a: kinked(x, 16)),
                            r"stage 1 \(L\): splitting the parameters again and again on the order of 17 breakpoints "
                            r"\(68 conditions over the stage's splits, more than 64\)"),
    "nested-exp": (lambda: stackelberg(leader=lambda x, a: -sp.exp(sp.exp(sp.exp(x))) + a * x),
                   r"stage 1 \(L\): sympy cannot solve the first-order conditions in q1"),
    "cubic-simultaneous": (lambda: cournot(lambda x, y, a: a * y - y**3 + x**3 * y**2),
                           r"stage 1: the first-order condition in q2 is a polynomial of degree 4 "
                           r"with a factor of degree 3 or more; no closed form"),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_refused_with_its_bound(name):
    build, message = ATTACKS[name]
    with pytest.raises(SolverError, match=message):
        solve(build())


def test_a_domain_bound_is_not_expanded_at_load():
    """(a + 1)**1000 as a bound: the emptiness check reads it unexpanded (is positive)."""
    a = sp.Symbol("a", positive=True)
    d = parse_domain("[0, (a + 1)**1000]", namespace={"a": a})
    assert d.hi == (a + 1) ** 1000


@pytest.mark.parametrize("e,ok", [(sp.Integer(2) ** MAX_NUMBER_BITS - 1, True), (sp.Integer(2) ** MAX_NUMBER_BITS, False),
                                  (sp.Symbol("x") ** sp.Rational(1, MAX_ROOT_ORDER), True),
                                  (sp.Symbol("x") ** sp.Rational(1, MAX_ROOT_ORDER + 1), False)])
def test_number_and_root_bounds_are_exact(e, ok):
    if ok:
        check(e, "e")
    else:
        with pytest.raises(BudgetError):
            check(e, "e")


def test_a_factorable_simultaneous_system_still_solves():
    """Cournot with a quadratic cost for B: the elimination of q1 leaves a linear q2."""
    g = cournot(lambda x, y, a: (a - x - y) * y - y**2)
    eq = solve(g)
    q1, q2 = (g.namespace[n] for n in ("q1", "q2"))
    a, b, c = (g.namespace[n] for n in "abc")
    pt = {a: 7, b: 1, c: 1}  # interior: A's FOC a - c - 2 b q1 - b q2 = 0, B's a - q1 - 4 q2 = 0
    region = next(r for r in eq.regions if bool(r.condition.xreplace(pt)))
    sol = sp.solve([a - c - 2 * b * q1 - b * q2, a - q1 - 4 * q2], [q1, q2], dict=True)[0]
    for v in (q1, q2):
        assert sp.simplify(region.strategies[v].xreplace(pt) - sol[v].xreplace(pt)) == 0
