"""Cross-check of an equilibrium's closed forms against the brute-force solver.

At each point the engine's strategies and payoffs (from the region whose condition
holds, ``evaluate``) are checked by ``deviation.check_paths``: the claimed payoffs
are the payoffs at the claimed strategies, and no mover gains by deviating against
the brute force's solution of the later stages (payoffs compared with a tolerance
derived from the numeric noise and confirmed in mpmath, so flat optima and ties
never fail).  The outcome of a point:

* ``"agree"``: passes, and every action is the brute force's maximiser to
  ``STRATEGY_TOL * (1 + |x|)``;
* ``"tie"``: passes, but some action differs from the brute force's maximiser (a
  tie or a flat optimum: equal payoffs, different actions);
* otherwise a failure, with the stage, the deviation and both payoffs, or the reason
  the brute force found no equilibrium.

Points are checked in batches of ``BATCH`` (one vectorised brute force per batch); an
equilibrium derived per point (``openeq.solver.pointwise``) one point at a time, since
its games are the large ones and the brute force's memory grows with the batch.
"""
from __future__ import annotations

import sys

from openeq.evaluate.exact import evaluate
from openeq.verify.deviation import PAYOFF_TOL, STRATEGY_TOL, check_paths
from openeq.verify.numeric import NumericSolveError, solve_numeric_many
from openeq.verify.sampling import random_points

__all__ = ["compare_point", "compare_points", "run_verification", "summary", "STRATEGY_TOL", "PAYOFF_TOL"]

BATCH = 20


def compare_points(eq, points) -> list:
    """(ok, detail) for each point (an equilibrium derived per point is derived at each)."""
    mine = [eq.evaluate(pt) if getattr(eq, "pointwise", False) else evaluate(eq, pt) for pt in points]
    return check_paths(eq.game, points, [m["strategies"] for m in mine], [m["payoffs"] for m in mine])


def compare_point(eq, point) -> tuple:
    """(ok, detail) for one point."""
    return compare_points(eq, [point])[0]


def _batch(eq) -> int:
    """Points per brute-force batch: one for an equilibrium derived per point (its games are
    the large ones, and the brute force's memory grows with the batch)."""
    return 1 if getattr(eq, "pointwise", False) else BATCH


def _bar(stream, total, desc):
    """A progress bar on ``stream`` (silent when it is None or not a terminal)."""
    from openeq.core.progress import bar

    return bar(total=total, desc=desc, unit="pt", stream=stream, show=False if stream is None else None)


def run_verification(eq, samples=200, seed=0, stream=sys.stderr) -> tuple:
    """(passed, failed) at ``samples`` seeded points; each failure is printed on ``stream``."""
    from openeq.core.progress import say

    points = random_points(eq.game, samples, seed)
    passed = failed = 0
    size = _batch(eq)
    with _bar(stream, samples, f"verify {eq.game.name}") as b:
        for start in range(0, len(points), size):
            batch = points[start:start + size]
            for pt, (ok, detail) in zip(batch, compare_points(eq, batch)):
                if ok:
                    passed += 1
                else:
                    failed += 1
                    if stream is not None:
                        say(b, f"FAIL at {pt}: {detail}", stream)
            b.update(len(batch))
            b.set_postfix_str(f"{failed} failed")
    return passed, failed


def summary(eq, n=50, seed=0, stream=None) -> dict:
    """The verification table of the appendix: at ``n`` seeded points, how many pass
    (ties counted apart), the largest differences between the engine's strategies (where
    they are not a tie) and payoffs and the brute force's, and the regimes seen.  For an equilibrium derived per
    point also ``points``: each point with its strategies, payoffs, regime and status."""
    pts = random_points(eq.game, n, seed=seed)
    passed = ties = 0
    regimes = {}
    worst_s = worst_u = 0.0
    pointwise = getattr(eq, "pointwise", False)
    rows = []
    b = _bar(stream, n, "verify")
    size = _batch(eq)
    for start in range(0, len(pts), size):
        batch = pts[start:start + size]
        refs = solve_numeric_many(eq.game, batch)
        for pt, ref, (ok, detail) in zip(batch, refs, compare_points(eq, batch)):
            passed += ok
            ties += detail == "tie"
            mine = eq.evaluate(pt) if pointwise else evaluate(eq, pt)
            if pointwise:
                region = eq.region_at(pt)
                rows.append({"point": pt, **mine, "status": region.status, "agrees": bool(ok)})
            regimes[mine["regime"]] = regimes.get(mine["regime"], 0) + 1
            if isinstance(ref, NumericSolveError):
                continue
            if detail != "tie":  # (at a tie the actions differ by definition; the payoffs agree)
                worst_s = max([worst_s] + [abs(mine["strategies"][k] - ref["strategies"][k]) for k in mine["strategies"]])
            worst_u = max([worst_u] + [abs(mine["payoffs"][k] - ref["payoffs"][k]) for k in mine["payoffs"]])
        b.update(len(batch))
    b.close()
    out = {"samples": n, "seed": seed, "passed": passed, "ties": ties, "max_strategy_error": worst_s,
           "max_payoff_error": worst_u, "strategy_tol": STRATEGY_TOL, "payoff_tol": PAYOFF_TOL,
           "regimes": regimes}
    return {**out, "points": rows} if pointwise else out
