"""``openeq verify MODEL [--samples N] [--seed S]``: closed forms against brute force."""
from __future__ import annotations

import sys

from openeq.cli.common import check_samples, equilibrium, load_game

__all__ = ["add", "run"]


def run(args):
    from openeq.analyses.crosscheck import run_verification

    check_samples(args.samples)
    game = load_game(args.model)
    eq = equilibrium(args, game, pointwise=True)
    passed, failed = run_verification(eq, samples=args.samples, seed=args.seed, stream=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def add(sub, model_cmd):
    p = model_cmd("verify", run, "check the closed forms against a brute-force numeric solution")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
