"""``openeq derive MODEL [--only R1,R3] [--json]``: the numbered results of a model.

The results are the paper's (the repository's ``derivations/``, installed as
``openeq.derivations``); a model without derivations says so and exits 0.
"""
from __future__ import annotations

from openeq.cli.common import UsageError, derivations, equilibrium, load_game, print_json

__all__ = ["add", "run"]


def _print(results):
    from openeq.io.serialize import expr_str

    for r in results:
        print(f"{r.key}. {r.title}\n  {r.statement}")
        for name, e in r.expressions.items():
            print(f"    {name} = {expr_str(e)}")
        for c in r.claims:
            print(f"    [{'proved' if c.proved else 'numeric'}] {c.text}")
        print()


def run(args):
    from openeq.io.serialize import result_json

    paper = derivations()
    game = load_game(args.model)
    keys = [k.strip().upper() for k in args.only.split(",") if k.strip()] if args.only else None
    try:
        mods = paper.select(game, keys)
    except KeyError as e:
        raise UsageError(f"--only {args.only}: {e.args[0]}") from None
    if not mods:
        msg = (f"no derivations for model {game.name!r} (derived results exist for: openness, and for games "
               "with its structure; `openeq policy` analyses any regulation game)")
        if args.json:
            print_json({"model": game.name, "results": [], "note": msg})
        else:
            print(msg)
        return 0
    eq = equilibrium(args, game)
    results = [paper.derive(m, eq) for m in mods]
    if args.json:
        print_json({"model": game.name, "results": [result_json(r) for r in results]})
    else:
        _print(results)
    return 0


def add(sub, model_cmd):
    p = model_cmd("derive", run, "the derived results (numbered propositions) of a model")
    p.add_argument("--json", action="store_true")
    p.add_argument("--only", metavar="R1,R3", help="derive only these results (comma-separated keys)")
