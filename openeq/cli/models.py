"""``openeq models [--json]``: the built-in models."""
from __future__ import annotations

from openeq.cli.common import print_json

__all__ = ["add", "run"]


def run(args):
    from openeq.io.modelfile import builtin_models, load_model

    rows = []
    for name, path in sorted(builtin_models().items()):
        g = load_model(path)
        rows.append({"name": name, "title": g.title or "", "path": str(path), "solve": g.solve_mode})
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            print(f"{r['name']:<22} {r['title']}" + (" (solved per point)" if r["solve"] == "per point" else ""))


def add(sub, model_cmd):
    p = sub.add_parser("models", help="list the built-in models")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)
