"""Shared by the test modules: the engine against the brute-force verifier at points that
hypothesis draws from the game's declared domains."""
from hypothesis import HealthCheck, given, settings

from openeq.analyses.crosscheck import compare_point
from openeq.verify.sampling import points_strategy


def agrees_at_drawn_points(eq, n):
    """``n`` drawn points; each must pass the verifier's check of the engine's claim."""

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck))
    @given(points_strategy(eq.game))
    def check(pt):
        ok, detail = compare_point(eq, pt)
        assert ok, (pt, detail)

    check()
