"""The hand-derived closed forms against the brute force, at seeded random points.

``python -m tests.reference.crosscheck [GAME ...] [--points N] [--seed S]`` prints, per
game, the number of points, the largest error in the strategies and in the payoffs
(relative: |ref - brute| / (1 + |ref|)) and every point where they disagree; exit 1 if
any does.  Agreement: every payoff within PAY_TOL, and every strategy within STRAT_TOL
unless the two strategy profiles give every player the same payoff (a tie, judged on
payoffs); a simultaneous first stage must have exactly one equilibrium.
"""
from __future__ import annotations

import argparse
import sys
import time

from . import brute, closed_forms, sampling

PAY_TOL = 1e-6
STRAT_TOL = 1e-4


def _err(a, b):
    return abs(a - b) / (1.0 + abs(a))


def compare(game: str, points: list, chunk: int = 50) -> dict:
    """Max errors and the failing points of ``game`` at ``points``."""
    ref = [closed_forms.REFERENCES[game](p) for p in points]
    num = []
    for i in range(0, len(points), chunk):
        num += brute.solve(game, points[i:i + chunk])
    strat_err = pay_err = 0.0
    failures, ties, regions = [], [], {}
    for p, r, b in zip(points, ref, num):
        regions[r["region"]] = regions.get(r["region"], 0) + 1
        pe = max(_err(r["payoffs"][k], b["payoffs"][k]) for k in r["payoffs"])
        se = max(_err(r["strategies"][k], b["strategies"][k]) for k in r["strategies"])
        pay_err = max(pay_err, pe)
        if se > STRAT_TOL and pe <= PAY_TOL:  # different strategies, same payoffs: a tie
            ties.append({"point": p, "reference": r, "brute": b})
        else:
            strat_err = max(strat_err, se)
        if pe > PAY_TOL or b["equilibria"] != 1:
            failures.append({"point": p, "reference": r, "brute": b})
    return {"points": len(points), "max_strategy_error": strat_err, "max_payoff_error": pay_err,
            "failures": failures, "ties": ties, "regions": regions}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.reference.crosscheck")
    ap.add_argument("games", nargs="*", default=list(closed_forms.REFERENCES))
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    bad = 0
    for game in args.games:
        t0 = time.perf_counter()
        res = compare(game, sampling.points(game, args.points, args.seed))
        dt = time.perf_counter() - t0
        print(f"{game}: {res['points']} points, max strategy error {res['max_strategy_error']:.1e}, "
              f"max payoff error {res['max_payoff_error']:.1e}, {len(res['failures'])} failure(s), "
              f"{len(res['ties'])} tie(s), "
              f"{dt:.0f} s; regions {res['regions']}", flush=True)
        for f in res["failures"][:5] + res["ties"][:3]:
            print("   ", f, flush=True)
        bad += bool(res["failures"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
