"""``openeq eval MODEL name=value ... [--json]`` and ``openeq eval MODEL --points FILE [-o OUT] [--json]``.

Strategies, payoffs and regime at parameter points; for a regulation game also the
regulation fields (``openeq.analyses.regulation_fields``).  ``--points`` reads a
``.csv``, ``.npz`` or ``.json`` file and ``-o`` writes one (the format is the
extension; docs/batch-eval.md), in chunks: memory stays bounded however many points
there are.  Without ``-o`` the records go to stdout, one JSON object per line
(``--json``: one JSON list).  Every JSON record carries ``"schema": 1``.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

from openeq.cli.common import UsageError, equilibrium, load_game, parse_assignments, print_json

__all__ = ["add", "run", "regulation_columns"]

SCHEMA = 1


def regulation_columns(eq):
    """``extra(cols, result) -> [Column]`` with a regulation game's policy fields, named
    as ``openeq.analyses.regulation_fields.enrich`` names them (None for other games)."""
    from openeq.analyses.policy import analysis
    from openeq.analyses.policy.fields import applies, names
    from openeq.evaluate.batchio import Column

    if not applies(eq):
        return None, ()
    an = analysis(eq)
    nm = names(an.spec)
    tiers = nm["tiers"]
    crit = [(f"{ts}" if len(tiers) == 1 else f"critical_{k + 1}_{ts}",
             f"{ps}" if len(tiers) == 1 else f"critical_{k + 1}_{ps}", ts, ps) for k, (ts, ps) in enumerate(tiers)]

    def extra(cols, res):
        f = an.columns(cols)
        effects, codes = _codes(f["effect"])
        out = [Column(nm["choice_hat"], np.asarray(f["choice_hat"], dtype=float)),
               Column("effect", codes, effects),
               Column("pareto_vs_uniform", np.asarray(f["pareto_vs_uniform"], dtype=bool)),
               Column("welfare", np.asarray(f["welfare"], dtype=float))]
        for k, (c_t, c_p, ts, ps) in enumerate(crit):
            one = len(crit) == 1
            out += [Column(c_t, np.asarray(f["threshold_star"][k], dtype=float), path=("critical", ts) if one else ()),
                    Column(c_p, np.asarray(f["penalty_star"][k], dtype=float), path=("critical", ps) if one else ())]
        return out

    fields = [nm["choice_hat"], "effect", "pareto_vs_uniform", "welfare"] + [c for t in crit for c in t[:2]]
    return extra, tuple(fields)


def _codes(values):
    """(labels, int64 codes) of an array of a few distinct strings (faster than np.unique)."""
    values = np.asarray(values, dtype=object)
    labels = sorted(set(values.tolist()), key=str)
    codes = np.zeros(values.shape, dtype=np.int64)
    for k, lab in enumerate(labels[1:], 1):
        codes[values == lab] = k
    return [str(x) for x in labels], codes


def _bar(args, what):
    from openeq.core.progress import bar

    return bar(desc=what, unit="B", unit_scale=True)


def _to_file(args, game, eq):
    from openeq.evaluate.batch import evaluate_file

    if os.path.abspath(args.output) == os.path.abspath(args.points):
        raise UsageError(f"-o {args.output}: the same file as --points")
    extra, names = regulation_columns(eq)
    if getattr(eq, "pointwise", False):  # derived point by point: a bar of points, moved per point
        from openeq.core.progress import bar

        with bar(desc=f"eval {game.name}", unit="pt") as eq.progress:
            n = evaluate_file(eq, args.points, args.output, extra=extra, extra_names=names)
    else:
        with _bar(args, f"eval {game.name}") as progress:
            n = evaluate_file(eq, args.points, args.output, extra=extra, extra_names=names, progress=progress)
    print(f"openeq eval: {n} points -> {args.output}", file=sys.stderr)


def _to_stdout(args, game, eq):
    from openeq.evaluate.batch import evaluate_chunks
    from openeq.evaluate.batchio import read_points
    from openeq.evaluate.writers import records

    extra, _ = regulation_columns(eq)
    _, _, chunks = read_points(args.points, game)
    names = list(game.parameters)
    if args.json:
        out = [r for chunk, cols in evaluate_chunks(eq, chunks, extra) for r in records(game.name, names, chunk, cols)]
        print_json(out, indent=2 if len(out) <= 100 else None)
        return
    for chunk, cols in evaluate_chunks(eq, chunks, extra):
        sys.stdout.write("".join(json.dumps(r, allow_nan=False) + "\n" for r in records(game.name, names, chunk, cols)))


def _non_finite(record, prefix=""):
    """(dotted name, value) of the first non-finite number in a JSON-bound record, or None;
    the output is then refused whole (JSON has no NaN), never written half-way."""
    for k, v in record.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            hit = _non_finite(v, name + ".")
            if hit:
                return hit
        elif isinstance(v, float) and not np.isfinite(v):
            return name, v
    return None


def _one(args, game, eq):
    from openeq.analyses.regulation_fields import enrich
    from openeq.evaluate.compiled import evaluate_columns
    from openeq.evaluate.exact import check_point

    point = check_point(game, parse_assignments(args.assignments))
    cols = {n: np.array([float(point[n])]) for n in game.parameters}
    if getattr(eq, "pointwise", False):
        out = eq.evaluate(point)
        out = {"strategies": {v: [x] for v, x in out["strategies"].items()},
               "payoffs": {q: [x] for q, x in out["payoffs"].items()}, "regime": [out["regime"]]}
    else:
        out = evaluate_columns(eq, cols, fast=False)  # one point: numpy, no compile
    res = {"schema": SCHEMA, "model": game.name, "parameters": {n: float(point[n]) for n in game.parameters},
           "strategies": {v: float(a[0]) for v, a in out["strategies"].items()},
           "payoffs": {q: float(a[0]) for q, a in out["payoffs"].items()}, "regime": str(out["regime"][0])}
    res = enrich(eq, [res], cols)[0]
    bad = _non_finite(res)
    if bad:
        raise UsageError(f"{bad[0]} is not finite ({bad[1]}) at " + ", ".join(f"{n}={point[n]}" for n in game.parameters))
    if args.json:
        print_json(res)
    else:
        for k, v in res.items():
            if k != "schema":
                print(f"{k}: {v}")


def run(args):
    from openeq.evaluate.batchio import format_of

    if args.points:
        format_of(args.points)
        if args.assignments:
            raise UsageError("give either --points FILE or name=value assignments, not both")
        if args.output:
            format_of(args.output, "-o")
    elif args.output:
        raise UsageError("-o needs --points FILE (a single point goes to stdout)")
    game = load_game(args.model)
    eq = equilibrium(args, game, pointwise=True)
    if not args.points:
        return _one(args, game, eq)
    return _to_file(args, game, eq) if args.output else _to_stdout(args, game, eq)


def add(sub, model_cmd):
    p = model_cmd("eval", run, "evaluate the equilibrium at parameter points")
    p.add_argument("assignments", nargs="*", metavar="name=value")
    p.add_argument("--points", metavar="FILE", help="points to evaluate: a .csv, .npz or .json file")
    p.add_argument("-o", "--output", metavar="OUT", help="write the results to OUT (.csv, .npz or .json)")
    p.add_argument("--json", action="store_true")
