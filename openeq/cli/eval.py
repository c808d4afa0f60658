"""``openeq eval MODEL name=value ... [--json]`` and ``openeq eval MODEL --points FILE.json``.

Strategies, payoffs and regime at parameter points; for a regulation game also the
regulation fields (``openeq.analyses.regulation_fields.enrich``)."""
from __future__ import annotations

import json

from openeq.cli.common import UsageError, equilibrium, load_game, parse_assignments, print_json

__all__ = ["add", "run"]


def _read_points(path):
    try:
        with open(path, encoding="utf-8") as fh:
            pts = json.load(fh)
    except OSError as e:
        raise UsageError(f"--points {path}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"--points {path}: invalid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(pts, list) or not all(isinstance(p, dict) for p in pts):
        raise UsageError(f"--points {path}: expected a JSON list of parameter dictionaries")
    return pts


def _record(game, out, i, parameters):
    return {
        "model": game.name,
        "parameters": parameters,
        "strategies": {v: float(a[i]) for v, a in out["strategies"].items()},
        "payoffs": {q: float(a[i]) for q, a in out["payoffs"].items()},
        "regime": str(out["regime"][i]),
    }


def _points(args, game, eq):
    from openeq.analyses.regulation_fields import enrich
    from openeq.evaluate.compiled import evaluate_columns
    from openeq.evaluate.exact import check_points

    pts = _read_points(args.points)
    cols = check_points(game, pts)
    out = evaluate_columns(eq, cols) if pts else None  # compiled C, numpy as the fallback
    results = [_record(game, out, i, {n: float(p[n]) for n in game.parameters}) for i, p in enumerate(pts)]
    results = enrich(eq, results, cols if pts else {})
    if args.json:
        print_json(results, indent=2 if len(results) <= 100 else None)
    else:
        for r in results:
            print(json.dumps(r))


def run(args):
    import numpy as np

    from openeq.analyses.regulation_fields import enrich
    from openeq.evaluate.compiled import evaluate_columns
    from openeq.evaluate.exact import check_point

    game = load_game(args.model)
    eq = equilibrium(args, game)
    if args.points:
        return _points(args, game, eq)
    point = parse_assignments(args.assignments)
    check_point(game, point)
    cols = {n: np.array([float(point[n])]) for n in game.parameters}
    out = evaluate_columns(eq, cols, fast=False)  # one point: numpy, no compile
    res = enrich(eq, [_record(game, out, 0, {n: float(point[n]) for n in game.parameters})], cols)[0]
    if args.json:
        print_json(res)
    else:
        for k, v in res.items():
            print(f"{k}: {v}")


def add(sub, model_cmd):
    p = model_cmd("eval", run, "evaluate the equilibrium at parameter points")
    p.add_argument("assignments", nargs="*", metavar="name=value")
    p.add_argument("--points", metavar="FILE.json")
    p.add_argument("--json", action="store_true")
