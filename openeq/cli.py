"""The ``openeq`` command line.

    openeq models
    openeq solve MODEL [--json]
    openeq eval MODEL name=value ... [--json]
    openeq eval MODEL --points FILE.json [--json]
    openeq verify MODEL [--samples N] [--seed S]

MODEL is a built-in name (``openeq models``) or a path to a ``.toml`` model file.
Bad input exits with status 2 and one line naming what was wrong.
"""
from __future__ import annotations

import argparse
import json
import sys

__all__ = ["main"]


class UsageError(ValueError):
    pass


def _load(model):
    from .modelfile import resolve_model

    return resolve_model(model)


def _equilibrium(args, game):
    from .cache import solve_cached

    return solve_cached(game, progress=getattr(args, "progress", False))


def _print_json(obj, indent=2):
    json.dump(obj, sys.stdout, indent=indent, sort_keys=False, allow_nan=False)
    sys.stdout.write("\n")


def cmd_models(args):
    from .modelfile import builtin_models, load_model

    rows = []
    for name, path in sorted(builtin_models().items()):
        g = load_model(path)
        rows.append({"name": name, "title": g.title or "", "path": str(path)})
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            print(f"{r['name']:<22} {r['title']}")


def cmd_solve(args):
    from .serialize import equilibrium_json

    game = _load(args.model)
    eq = _equilibrium(args, game)
    data = equilibrium_json(eq)
    from .solver.claims import status_notes, status_text

    for line in status_notes(eq):  # every region that is not proved, on stderr
        print(line, file=sys.stderr)
    if args.json:
        _print_json(data)
        return
    print(f"{game.title or game.name}: {len(eq.regions)} regions")
    for r, region in zip(data["regions"], eq.regions):
        print(f"\n[{r['label']}] {r['case']}\n  if {r['condition']}")
        for v, e in r["strategies"].items():
            print(f"  {v} = {e}")
        for p, e in r["payoffs"].items():
            print(f"  U_{p} = {e}")
        print(f"  status: {status_text(region)}")


def _parse_assignments(items):
    point = {}
    for it in items:
        if "=" not in it:
            raise UsageError(f"argument {it!r}: expected name=value")
        k, v = it.split("=", 1)
        point[k.strip()] = v.strip()
    return point


def cmd_eval(args):
    from .analysis_hooks import enrich
    from .evaluate import check_point, check_points
    from .fastpath import evaluate_columns

    game = _load(args.model)
    eq = _equilibrium(args, game)
    if args.points:
        try:
            with open(args.points, encoding="utf-8") as fh:
                pts = json.load(fh)
        except OSError as e:
            raise UsageError(f"--points {args.points}: {e.strerror}") from None
        except json.JSONDecodeError as e:
            raise UsageError(f"--points {args.points}: invalid JSON ({e.msg} at line {e.lineno})") from None
        if not isinstance(pts, list) or not all(isinstance(p, dict) for p in pts):
            raise UsageError(f"--points {args.points}: expected a JSON list of parameter dictionaries")
        cols = check_points(game, pts)
        out = evaluate_columns(eq, cols) if pts else None  # compiled C, numpy as the fallback
        results = []
        for i, p in enumerate(pts):
            results.append({
                "model": game.name,
                "parameters": {n: float(p[n]) for n in game.parameters},
                "strategies": {v: float(a[i]) for v, a in out["strategies"].items()},
                "payoffs": {q: float(a[i]) for q, a in out["payoffs"].items()},
                "regime": str(out["regime"][i]),
            })
        results = enrich(eq, results, cols if pts else {})
        if args.json:
            _print_json(results, indent=2 if len(results) <= 100 else None)
        else:
            for r in results:
                print(json.dumps(r))
        return
    point = _parse_assignments(args.assignments)
    check_point(game, point)
    import numpy as np

    cols = {n: np.array([float(point[n])]) for n in game.parameters}
    out = evaluate_columns(eq, cols, fast=False)  # one point: numpy, no compile
    res = {
        "model": game.name,
        "parameters": {n: float(point[n]) for n in game.parameters},
        "strategies": {v: float(a[0]) for v, a in out["strategies"].items()},
        "payoffs": {q: float(a[0]) for q, a in out["payoffs"].items()},
        "regime": str(out["regime"][0]),
    }
    res = enrich(eq, [res], cols)[0]
    if args.json:
        _print_json(res)
    else:
        for k, v in res.items():
            print(f"{k}: {v}")


def cmd_verify(args):
    from .verify.check import run_verification

    game = _load(args.model)
    eq = _equilibrium(args, game)
    passed, failed = run_verification(eq, samples=args.samples, seed=args.seed, stream=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def build_parser():
    ap = argparse.ArgumentParser(prog="openeq", description="Closed-form subgame-perfect equilibria of sequential games.")
    ap.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("models", help="list the built-in models")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)

    def model_cmd(name, func, help_):
        p = sub.add_parser(name, help=help_)
        p.add_argument("model", help="a built-in model name or a path to a .toml model file")
        p.add_argument("--no-cache", action="store_true", help="derive afresh, ignoring the cache")
        p.add_argument("--progress", action="store_true", help="show the solver's progress")
        p.set_defaults(func=func)
        return p

    p = model_cmd("solve", cmd_solve, "derive the subgame-perfect equilibrium")
    p.add_argument("--json", action="store_true")
    p = model_cmd("eval", cmd_eval, "evaluate the equilibrium at parameter points")
    p.add_argument("assignments", nargs="*", metavar="name=value")
    p.add_argument("--points", metavar="FILE.json")
    p.add_argument("--json", action="store_true")
    p = model_cmd("verify", cmd_verify, "check the closed forms against a brute-force numeric solution")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    for extra in _EXTRA_COMMANDS:
        extra(sub, model_cmd)
    return ap


_EXTRA_COMMANDS = []  # analyses and exporters register their sub-commands here


def register(fn):
    _EXTRA_COMMANDS.append(fn)
    return fn


def main(argv=None) -> int:
    from . import commands  # noqa: F401  (registers the analysis/exporter commands)

    ap = build_parser()
    args, rest = ap.parse_known_args(argv)
    # name=value assignments may come after options (openeq plot ... --x alpha0 p=0.1)
    if rest and hasattr(args, "assignments") and all("=" in r and not r.startswith("-") for r in rest):
        args.assignments = list(args.assignments) + rest
    elif rest:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        if getattr(args, "no_cache", False):
            from .cache import disabled

            with disabled():  # nothing this command derives comes from, or goes to, the cache
                rc = args.func(args)
        else:
            rc = args.func(args)
        return int(rc or 0)
    except Exception as e:  # one line, never a traceback
        if args.debug:
            raise
        from .evaluate import InputError
        from .modelfile import ModelFileError

        known = (InputError, ModelFileError, UsageError)
        try:
            from .solver import SolverError
            from .game import GameError
            from .domains import DomainError

            known += (SolverError, GameError, DomainError)
        except ImportError:
            pass
        msg = " ".join(str(e).split())
        if isinstance(e, known):
            print(f"openeq: error: {msg}", file=sys.stderr)
            return 2
        print(f"openeq: internal error: {type(e).__name__}: {msg} (run with --debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # run the package's module, so that registered commands share it
    from openeq import cli as _cli

    sys.exit(_cli.main())
