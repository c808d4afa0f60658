"""``openeq plot MODEL KIND --x NAME [--y NAME] [--baseline name=value ...] name=value ... -o FILE``."""
from __future__ import annotations

import sys

from openeq.cli.common import UsageError, parse_assignments

__all__ = ["add", "run"]


def run(args):
    from openeq.solver.cached import solve_cached
    from openeq.io.modelfile import resolve_model
    from openeq.export.plots import PlotError, plot, save

    game = resolve_model(args.model)
    fixed = parse_assignments(args.assignments)
    baseline = parse_assignments(args.baseline or [])
    for name, v in list(fixed.items()) + list(baseline.items()):
        if name not in game.parameters:
            raise UsageError(f"unknown parameter {name!r}; the parameters of {game.name} are {', '.join(game.parameters)}")
        try:
            float(v)
        except ValueError:
            raise UsageError(f"parameter {name!r}: {v!r} is not a number") from None
    eq = solve_cached(game, use_cache=not args.no_cache)
    try:
        fig = plot(eq, args.kind, args.x, args.y, fixed, baseline or None)
        save(fig, args.output)
    except PlotError as e:
        raise UsageError(str(e)) from None
    print(f"wrote {args.output}", file=sys.stderr)


def add(sub, model_cmd):
    from openeq.export.plots import KINDS

    p = model_cmd("plot", run, "draw a figure of the equilibrium")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("assignments", nargs="*", metavar="name=value")
    p.add_argument("--x", required=True)
    p.add_argument("--y")
    p.add_argument("--baseline", action="append", metavar="name=value", help="also draw the curves at these values, dashed")
    p.add_argument("-o", "--output", required=True)
