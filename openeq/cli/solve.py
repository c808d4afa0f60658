"""``openeq solve MODEL [--json]``: the subgame-perfect equilibrium, region by region."""
from __future__ import annotations

from openeq.cli.common import equilibrium, load_game, print_json

__all__ = ["add", "run"]


def run(args):
    from openeq.io.serialize import equilibrium_json

    game = load_game(args.model)
    eq = equilibrium(args, game)
    data = equilibrium_json(eq)
    if args.json:
        print_json(data)
        return
    print(f"{game.title or game.name}: {len(eq.regions)} regions")
    for r in data["regions"]:
        print(f"\n[{r['label']}] {r['case']}\n  if {r['condition']}")
        for v, e in r["strategies"].items():
            print(f"  {v} = {e}")
        for p, e in r["payoffs"].items():
            print(f"  U_{p} = {e}")


def add(sub, model_cmd):
    p = model_cmd("solve", run, "derive the subgame-perfect equilibrium")
    p.add_argument("--json", action="store_true")
