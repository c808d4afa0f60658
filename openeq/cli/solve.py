"""``openeq solve MODEL [--json]``: the subgame-perfect equilibrium, region by region."""
from __future__ import annotations

import sys

from openeq.cli.common import equilibrium, load_game, print_json

__all__ = ["add", "run"]


def run(args):
    from openeq.io.serialize import equilibrium_json
    from openeq.solver.claims import status_notes, status_text

    game = load_game(args.model)
    eq = equilibrium(args, game)
    data = equilibrium_json(eq)
    for line in status_notes(eq):  # every region that is not proved, on stderr
        print(line, file=sys.stderr)
    if args.json:
        print_json(data)
        return
    print(f"{game.title or game.name}: {len(eq.regions)} regions")
    for r, region in zip(data["regions"], eq.regions):
        print(f"\n[{r['label']}] {r['case']}\n  if {r['condition']}")
        for v, e in r["strategies"].items():
            print(f"  {v} = {e}")
        for p, e in r["payoffs"].items():
            print(f"  U_{p} = {e}")
        print(f"  status: {status_text(region)}")


def add(sub, model_cmd):
    p = model_cmd("solve", run, "derive the subgame-perfect equilibrium")
    p.add_argument("--json", action="store_true")
