"""The performance work must not change answers: each fast path against the slow one.

* the prover's ring certificate against sympy's ``cancel`` on the substituted expression;
* ``Domain.contains``'s float path against exact rational comparison;
* ``identically_zero`` against ``simplify``;
* the regulation analysis's lazy tables, kept in the disk cache once computed;
* ``openeq derive --only``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from openeq.prove import prover as P
from openeq.core.domains import parse_domain

ROOT = Path(__file__).resolve().parents[1]
a, b, t = sp.symbols("a b t")
DOMAINS = {a: parse_domain("(0, 1)"), b: parse_domain("[0, oo)"), t: parse_domain("[0, 1]")}


def _cancel_sign(expr, subs, pos, nonneg):
    """The certificate before the ring: cancel the substituted expression, read signs."""
    e = expr.xreplace(subs) if subs else expr
    num, den = sp.fraction(sp.cancel(sp.together(e)))
    return P.combine_signs(P._poly_sign(num, pos, nonneg), P._poly_sign(den, pos, nonneg), "/")


monomials = st.tuples(st.integers(-3, 3), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2))


def _poly(terms):
    return sum((c * a ** i * b ** j * t ** k for c, i, j, k in terms), sp.Integer(0))


@settings(max_examples=60, deadline=None)
@given(st.lists(monomials, min_size=1, max_size=4), st.lists(monomials, min_size=1, max_size=2),
       st.sampled_from([(), (sp.Gt(b, a),), (sp.Ge(t, a),), (sp.Gt(b, a), sp.Ge(t, a))]))
def test_ring_certificate_agrees_with_cancel(num_terms, den_terms, facts):
    num, den = _poly(num_terms), _poly(den_terms)
    if den == 0:
        return
    expr = sp.cancel(sp.together(num / den))
    if expr.is_number:
        return
    pr = P.Prover(DOMAINS, list(facts))
    subs, pos, nonneg = pr._reparametrisation(expr)[:3]
    ring = P._substituted_sign(expr, subs, pos, nonneg)
    if ring is P._UNSUPPORTED:
        return
    assert ring == _cancel_sign(expr, subs, pos, nonneg), (expr, facts)


def test_ring_certificate_proves_and_refuses():
    pr = P.Prover(DOMAINS, [sp.Gt(b, a)])
    assert pr.sign(b - a) == "+"
    assert pr.sign((b - a) * (1 + t) / (2 - a)) == "+"
    assert pr.sign(a - b / 2) is None  # true sign undecided: never claimed
    assert pr.sign(-(b - a) ** 3 - t) == "-"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["(0, 1)", "[0, 1]", "positive", "nonnegative", "real", "(1/3, 5/2]", "[-1/10, oo)"]),
       st.one_of(st.floats(-3, 3, allow_nan=False), st.integers(-3, 3),
                 st.sampled_from([0.1, 1 / 3, 0.3333333333333333, 2.5, -0.1, 1.0, 0.0])))
def test_domain_contains_fast_path_is_exact(text, value):
    dom = parse_domain(text)
    exact = sp.Rational(repr(value)) if isinstance(value, float) else sp.Integer(value)
    assert dom.contains(value) == dom.contains(exact)


def test_identically_zero():
    from openeq.analyses.regulation import identically_zero

    x, y = sp.symbols("x y", positive=True)
    r = sp.sqrt(x + y)
    assert identically_zero((r + x) ** 2 - x ** 2 - 2 * x * r - x - y)
    assert identically_zero(x / (x + y) + y / (x + y) - 1)
    assert not identically_zero(r - sp.sqrt(x) - sp.sqrt(y))
    assert not identically_zero(x - y)


def test_regulation_tables_are_lazy_and_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    from openeq.analyses.regulation import analysis
    from openeq.solver.cached import solve_cached
    from openeq.io.modelfile import resolve_model

    eq = solve_cached(resolve_model("openness"))
    reg = analysis(eq)
    assert reg._effects is None and reg._pareto_flags is None and reg._uniform is None
    effects, pareto = reg.effects, reg.pareto
    assert len(effects) == len(pareto) == len(eq.regions)
    again = analysis(solve_cached(resolve_model("openness")))  # a fresh equilibrium: read from disk
    assert again is not reg
    assert again._effects == effects and again._pareto_flags == pareto


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "openeq.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=600)


def test_derive_only():
    r = _cli("derive", "openness", "--only", "r1,R3", "--json")
    assert r.returncode == 0, r.stderr
    assert [res["key"] for res in json.loads(r.stdout)["results"]] == ["R1", "R3"]
    bad = _cli("derive", "openness", "--only", "R1,R10")
    assert bad.returncode == 2 and "R10" in bad.stderr and "known: R1" in bad.stderr
    assert "Traceback" not in bad.stderr
