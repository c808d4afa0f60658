"""``openeq bargain MODEL [name=value ...] --over delta --solution nash|egalitarian|ks [--json]``.

Bargains over the share ``--over`` (a parameter with domain (0, 1)) with the equilibrium
payoffs the engine derives for MODEL; see ``openeq.analyses.bargaining`` for the definitions.
With every other parameter given the result is certified numerically at 30 digits
(and exact when rational or quadratic); with none given, for a single-region model,
it is a closed form.  Bad input, or a solution that does not exist, exits 2 with one line.
"""
from __future__ import annotations

import json

from openeq.cli.common import UsageError, equilibrium, load_game, parse_assignments, print_json

__all__ = ["add", "run"]


def run(args):
    from openeq.analyses.bargaining import SOLUTIONS, BargainError, bargain, check_over, check_point

    # errors are BargainError (an InputError): one line, exit 2
    if not args.over:
        raise BargainError("--over is required: the parameter to bargain over, e.g. --over delta")
    if args.solution not in SOLUTIONS:
        raise BargainError(f"--solution {args.solution!r}: expected one of {', '.join(SOLUTIONS)}")
    game = load_game(args.model)
    try:
        point = parse_assignments(args.assignments)
    except UsageError as e:
        raise BargainError(str(e)) from None
    check_over(game, args.over)
    check_point(game, args.over, point)
    eq = equilibrium(args, game)
    data = bargain(eq, args.over, args.solution, point, samples=args.samples, seed=args.seed).to_json()
    if args.json:
        print_json(data)
        return 0
    print(f"{data['model']}: {SOLUTIONS[args.solution]} bargaining over {data['over']}")
    print(f"  {data['over']} = {data['value'] if data['value'] is not None else data['numeric']}")
    if data["value"] is not None and data["numeric"] is not None:
        print(f"    = {data['numeric']!r}")
    for p, v in data["payoffs"].items():
        print(f"  U_{p} = {v}")
    for step in data["derivation"]:
        print(f"  - {step}")
    for c in data["conditions"]:
        print(f"  if {c}")
    print(f"  certified: {json.dumps(data['certified'])}")
    return 0


def add(sub, model_cmd):
    p = model_cmd("bargain", run, "bargaining solutions over a share parameter (Nash, egalitarian, Kalai-Smorodinsky)")
    p.add_argument("assignments", nargs="*", metavar="name=value", help="values of the other parameters")
    p.add_argument("--over", help="the parameter bargained over (domain (0, 1)), e.g. delta")
    p.add_argument("--solution", default="nash", help="nash (default), egalitarian or ks")
    p.add_argument("--samples", type=int, default=16, help="parameter points certifying a closed form")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
