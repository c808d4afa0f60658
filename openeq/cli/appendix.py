"""``openeq appendix MODEL -o DIR [--pdf]``: write the paper appendix for a model."""
from __future__ import annotations

import sys
from pathlib import Path

from openeq.cli.common import UsageError, derivations, equilibrium, load_game

__all__ = ["add", "run"]


def run(args):
    from openeq.export.latex.appendix import VERIFY_SAMPLES, write_appendix

    if args.samples < 1:
        raise UsageError("--samples must be at least 1")
    game = load_game(args.model)
    eq = equilibrium(args, game)
    path = Path(args.model) if str(args.model).endswith(".toml") else None
    out = write_appendix(eq, args.output, pdf=args.pdf, paper=derivations(), samples=args.samples or VERIFY_SAMPLES,
                         stream=sys.stderr, model_path=path)
    print(out["pdf"] or Path(args.output) / "main.tex")
    return 0


def add(sub, model_cmd):
    p = model_cmd("appendix", run, "write the paper appendix (LaTeX, figures; --pdf compiles it)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory")
    p.add_argument("--pdf", action="store_true", help="compile DIR/main.pdf with latexmk")
    p.add_argument("--samples", type=int, default=50, help="points of the numeric verification (default 50)")
