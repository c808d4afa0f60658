"""Cross-check of an equilibrium's closed forms against the brute-force solver.

At each point the engine's strategies and payoffs (from the region whose
condition holds) are compared with ``numeric.solve_numeric``:

* strategies agree to ``STRATEGY_TOL * (1 + |x|)`` and payoffs to
  ``PAYOFF_TOL * (1 + |u|)``: pass;
* strategies differ but every payoff agrees: a tie (the point is on an
  indifference curve, both actions optimal): pass, counted as a tie;
* otherwise: fail, with the point printed.
"""
from __future__ import annotations

import sys

from openeq.evaluate.exact import evaluate
from openeq.verify.numeric import NumericSolveError, solve_numeric
from openeq.verify.sampling import random_points

__all__ = ["compare_point", "run_verification", "summary", "STRATEGY_TOL", "PAYOFF_TOL"]

STRATEGY_TOL = 1e-4
PAYOFF_TOL = 1e-6


def compare_point(eq, point) -> tuple:
    """(ok, detail) for one point."""
    mine = evaluate(eq, point)
    try:
        ref = solve_numeric(eq.game, point)
    except NumericSolveError as e:
        return False, f"brute force found no equilibrium: {e}"
    pay_ok = all(abs(mine["payoffs"][p] - ref["payoffs"][p]) <= PAYOFF_TOL * (1 + abs(mine["payoffs"][p])) for p in mine["payoffs"])
    str_ok = all(abs(mine["strategies"][v] - ref["strategies"][v]) <= STRATEGY_TOL * (1 + abs(mine["strategies"][v])) for v in mine["strategies"])
    if pay_ok and str_ok:
        return True, "agree"
    if pay_ok:
        return True, "tie"
    return False, f"engine {mine} vs numeric {ref}"


def _bar(stream, total, desc):
    """A progress bar on ``stream`` (silent when it is None or not a terminal)."""
    from openeq.core.progress import bar

    return bar(total=total, desc=desc, unit="pt", stream=stream, show=False if stream is None else None)


def run_verification(eq, samples=200, seed=0, stream=sys.stderr) -> tuple:
    """(passed, failed) at ``samples`` seeded points; each failure is printed on ``stream``."""
    from openeq.core.progress import say

    points = random_points(eq.game, samples, seed)
    passed = failed = 0
    with _bar(stream, samples, f"verify {eq.game.name}") as b:
        for pt in points:
            ok, detail = compare_point(eq, pt)
            if ok:
                passed += 1
            else:
                failed += 1
                if stream is not None:
                    say(b, f"FAIL at {pt}: {detail}", stream)
            b.update(1)
            b.set_postfix_str(f"{failed} failed")
    return passed, failed


def summary(eq, n=50, seed=0, stream=None) -> dict:
    """The verification table of the appendix: at ``n`` seeded points, how many agree
    (ties counted apart), the largest strategy and payoff errors, and the regimes seen."""
    pts = random_points(eq.game, n, seed=seed)
    passed = ties = 0
    regimes = {}
    worst_s = worst_u = 0.0
    b = _bar(stream, n, "verify")
    for pt in pts:
        ok, detail = compare_point(eq, pt)
        passed += ok
        ties += detail == "tie"
        mine, ref = evaluate(eq, pt), solve_numeric(eq.game, pt)
        regimes[mine["regime"]] = regimes.get(mine["regime"], 0) + 1
        worst_s = max([worst_s] + [abs(mine["strategies"][k] - ref["strategies"][k]) for k in mine["strategies"]])
        worst_u = max([worst_u] + [abs(mine["payoffs"][k] - ref["payoffs"][k]) for k in mine["payoffs"]])
        b.update(1)
    b.close()
    return {"samples": n, "seed": seed, "passed": passed, "ties": ties, "max_strategy_error": worst_s,
            "max_payoff_error": worst_u, "strategy_tol": STRATEGY_TOL, "payoff_tol": PAYOFF_TOL,
            "regimes": regimes}
