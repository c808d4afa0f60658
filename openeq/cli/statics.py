"""``openeq statics MODEL [--json] [--samples N]``: comparative statics of every region."""
from __future__ import annotations

import sys

from openeq.cli.common import check_samples, equilibrium, load_game, print_json

__all__ = ["add", "run"]


def run(args):
    from openeq.analyses import regulation_fields
    from openeq.analyses.statics import comparative_statics
    from openeq.io.serialize import expr_str

    check_samples(args.samples)
    game = load_game(args.model)
    eq = equilibrium(args, game)
    rows = comparative_statics(eq, extra_quantities=regulation_fields.statics_extras(eq), samples=args.samples,
                               progress=sys.stderr)  # a bar on a terminal only
    if args.json:
        print_json([{**r, "derivative": expr_str(r["derivative"])} for r in rows])
        return 0
    for r in rows:
        mark = "proved" if r["proved"] else "numeric"
        print(f"[{r['region']}:{r['label']}] d {r['quantity']}/d {r['parameter']}: {r['sign']} ({mark})")
    sys.stdout.flush()
    return 0


def add(sub, model_cmd):
    p = model_cmd("statics", run, "comparative statics of every region (signs proved or certified)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--samples", type=int, default=400, help="sampled points per region for numeric certificates")
