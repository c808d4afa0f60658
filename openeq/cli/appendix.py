"""``openeq appendix MODEL -o DIR [--pdf] [--force]``: write the paper appendix for a model.

The output directory is checked before anything is computed: a file given as ``-o``
is refused, and so is a ``main.tex`` in DIR that openeq did not write (``--force``
replaces it); with ``--pdf``, a missing latexmk is refused with the install hint."""
from __future__ import annotations

import sys
from pathlib import Path

from openeq.cli.common import check_samples, derivations, equilibrium, load_game

__all__ = ["add", "run"]


def run(args):
    from openeq.export.latex.appendix import _latexmk, check_output_dir, write_appendix

    if args.samples is not None:
        check_samples(args.samples)
    check_output_dir(args.output, args.force)
    if args.pdf:
        _latexmk()
    game = load_game(args.model)
    eq = equilibrium(args, game, pointwise=True)
    path = Path(args.model) if str(args.model).endswith(".toml") else None
    out = write_appendix(eq, args.output, pdf=args.pdf, paper=derivations(), samples=args.samples,
                         stream=sys.stderr, model_path=path, force=args.force)
    print(out["pdf"] or Path(args.output) / "main.tex")
    return 0


def add(sub, model_cmd):
    p = model_cmd("appendix", run, "write the paper appendix (LaTeX, figures; --pdf compiles it)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory")
    p.add_argument("--pdf", action="store_true", help="compile DIR/main.pdf with latexmk")
    p.add_argument("--force", action="store_true", help="overwrite a main.tex that openeq did not write")
    p.add_argument("--samples", type=int, default=None,
                   help="points of the numeric verification (default 50; a model solved per point: 6)")
