"""Fourier--Motzkin emptiness proofs: a proof of emptiness must never meet a point."""
import random

import sympy as sp
from hypothesis import given, settings, strategies as st

from openeq.core.domains import parse_domain
from openeq.prove import Prover
from openeq.prove.linear import linear_infeasible

a, b, c, cL = sp.symbols("a b c cL")
DOMAINS = {a: parse_domain("positive"), b: parse_domain("positive"),
           c: parse_domain("nonnegative"), cL: parse_domain("nonnegative")}


def test_three_bounds_no_pair_contradicts():
    """a + 2c < 3cL and (a - c)(c - cL)/b > 0 contradict a > c only together."""
    p = Prover(DOMAINS, [a > c])
    rels = [(a + 2 * c - 3 * cL) / (2 * b) < 0, (a - c) * (c - cL) / b > 0]
    assert p.empty(rels)
    assert not p.empty(rels[:1]) and not p.empty(rels[1:])
    assert not Prover(DOMAINS).empty(rels)  # without a > c there are points: a = 0.1, c = 1, cL = 0.5


def test_strictness_matters():
    x, y = sp.symbols("x y")
    assert linear_infeasible([x + y > 0, x + y < 0], lambda e: None)
    assert linear_infeasible([x >= y, y > x], lambda e: None)
    assert not linear_infeasible([x >= y, y >= x], lambda e: None)


coef = st.integers(-3, 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(coef, coef, coef, st.booleans()), min_size=2, max_size=5), st.integers(0, 10**6))
def test_a_proved_empty_system_has_no_point(rows, seed):
    x, y = sp.symbols("x y")
    rels = [(p * x + q * y + r > 0) if strict else (p * x + q * y + r >= 0) for p, q, r, strict in rows]
    rels = [r for r in rels if isinstance(r, sp.core.relational.Relational)]
    if not linear_infeasible(rels, lambda e: None):
        return
    rng = random.Random(seed)
    for _ in range(300):
        pt = {x: sp.Rational(rng.randint(-40, 40), rng.randint(1, 8)),
              y: sp.Rational(rng.randint(-40, 40), rng.randint(1, 8))}
        assert not all(bool(r.xreplace(pt)) for r in rels), (rels, pt)
