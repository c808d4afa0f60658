"""The engine on the other built-in models, against the brute-force solver."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openeq.solver.cached import solve_cached
from openeq.io.modelfile import resolve_model
from openeq.analyses.crosscheck import compare_point
from openeq.verify.sampling import random_points


@pytest.mark.parametrize("name,n", [("fine-tuning", 15), ("openness-endogenous", 25)])
def test_builtin_model_agrees_with_brute_force(name, n):
    game = resolve_model(name)
    eq = solve_cached(game)

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, 10**6))
    def check(seed):
        (pt,) = random_points(game, 1, seed)
        ok, detail = compare_point(eq, pt)
        assert ok, (pt, detail)

    check()
