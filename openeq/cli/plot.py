"""``openeq plot MODEL KIND --x NAME [--y NAME] [--baseline name=value ...] name=value ... -o FILE``."""
from __future__ import annotations

import sys

from openeq.cli.common import UsageError, parse_assignments

__all__ = ["add", "run"]


def run(args):
    from openeq.solver.cached import solve_cached
    from openeq.io.modelfile import resolve_model
    from openeq.export.plots import PlotError, plot, save
    from openeq.evaluate.exact import check_point

    game = resolve_model(args.model)
    fixed = parse_assignments(args.assignments)
    baseline = parse_assignments(args.baseline or [])
    for values in (fixed, baseline):
        check_point(game, values, partial=True)  # each given value in its domain (InputError: exit 2)
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
