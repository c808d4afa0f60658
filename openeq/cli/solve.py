"""``openeq solve MODEL [name=value ...] [--json]``: the subgame-perfect equilibrium, region
by region.  ``name=value`` fixes parameters (``openeq.core.transform.fix``): the
equilibrium of the game at those values, in the parameters left free (a model solved
per point needs them)."""
from __future__ import annotations

import sys

from openeq.cli.common import equilibrium, load_game, parse_assignments, print_json

__all__ = ["add", "run"]


def run(args):
    from openeq.io.serialize import equilibrium_json
    from openeq.solver.claims import status_notes, status_text

    game = _fixed(load_game(args.model), args.assignments)
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
    if any("CRootOf(" in e for r in data["regions"] for part in ("strategies", "payoffs") for e in r[part].values()):
        print("\nCRootOf(p, k) is the real root number k (from 0, in increasing order) of the polynomial p in x, "
              "isolated by exact arithmetic")


def _fixed(game, assignments):
    """``game`` with the parameters of ``name=value`` arguments fixed (each checked
    against its domain and the assumptions)."""
    if not assignments:
        return game
    from openeq.core.transform import fix
    from openeq.evaluate.exact import check_point

    return fix(game, **check_point(game, parse_assignments(assignments), partial=True))


def add(sub, model_cmd):
    p = model_cmd("solve", run, "derive the subgame-perfect equilibrium")
    p.add_argument("assignments", nargs="*", metavar="name=value", help="fix these parameters")
    p.add_argument("--json", action="store_true")
