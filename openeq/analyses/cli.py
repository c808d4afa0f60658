"""Sub-commands ``openeq derive MODEL [--only R1,R3] [--json]`` and ``openeq statics MODEL [--json]``.

``derive`` prints the numbered results (``derivations/``) that apply to MODEL; a
model without derivations says so and exits 0.  ``statics`` prints the
comparative statics of every region of any model (``analyses.statics``).
"""
from __future__ import annotations

import sys

import sympy as sp

from .. import analyses  # noqa: F401  (importing the package registers the eval hook)
from ..cli import UsageError, _equilibrium, _load, _print_json, register
from ..serialize import expr_str


def _js(x):
    """JSON-safe form: sympy objects as sympy-parsable strings."""
    if isinstance(x, (sp.Basic, sp.logic.boolalg.Boolean)):
        return expr_str(x)
    if isinstance(x, dict):
        return {str(k): _js(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set)):
        return [_js(v) for v in x]
    if isinstance(x, (bool, int, str)) or x is None:
        return x
    if isinstance(x, float):
        return x if x == x and abs(x) != float("inf") else str(x)
    return str(x)


def result_json(res) -> dict:
    return {
        "key": res.key, "title": res.title, "statement": res.statement,
        "expressions": {k: _js(v) for k, v in res.expressions.items()},
        "conditions": [{"text": t, "condition": _js(c)} for t, c in res.conditions],
        "claims": [{"text": c.text, "expr": _js(c.expr), "sign": c.sign, "proved": c.proved,
                    "samples": c.samples, "max_violation": c.max_violation} for c in res.claims],
        "steps": [{"kind": s.kind, "player": s.player, "text": s.text, "expr": _js(s.expr), "proved": s.proved}
                  for s in res.steps],
        "data": _js(res.data),
    }


def cmd_derive(args):
    try:
        import derivations
    except ModuleNotFoundError:
        derivations = None
    game = _load(args.model)
    keys = None
    if args.only:
        keys = [k.strip().upper() for k in args.only.split(",") if k.strip()]
    try:
        mods = derivations.select(game.name, keys) if derivations else []
    except KeyError as e:
        raise UsageError(f"--only {args.only}: {e.args[0]}") from None
    if not mods:
        msg = f"no derivations for model {game.name!r} (derived results exist for: openness)"
        if args.json:
            _print_json({"model": game.name, "results": [], "note": msg})
        else:
            print(msg)
        return 0
    eq = _equilibrium(args, game)
    results = [derivations.derive(m, eq) for m in mods]
    if args.json:
        _print_json({"model": game.name, "results": [result_json(r) for r in results]})
        return 0
    for r in results:
        print(f"{r.key}. {r.title}\n  {r.statement}")
        for name, e in r.expressions.items():
            print(f"    {name} = {expr_str(e)}")
        for c in r.claims:
            print(f"    [{'proved' if c.proved else 'numeric'}] {c.text}")
        print()
    return 0


def cmd_statics(args):
    from .statics import comparative_statics

    game = _load(args.model)
    eq = _equilibrium(args, game)
    rows = comparative_statics(eq, samples=args.samples, progress=sys.stderr if args.progress else None)
    if args.json:
        _print_json([{**r, "derivative": expr_str(r["derivative"])} for r in rows])
        return 0
    for r in rows:
        mark = "proved" if r["proved"] else "numeric"
        print(f"[{r['region']}:{r['label']}] d {r['quantity']}/d {r['parameter']}: {r['sign']} ({mark})")
    sys.stdout.flush()
    return 0


@register
def add(sub, model_cmd):
    p = model_cmd("derive", cmd_derive, "the derived results (numbered propositions) of a model")
    p.add_argument("--json", action="store_true")
    p.add_argument("--only", metavar="R1,R3", help="derive only these results (comma-separated keys)")
    p = model_cmd("statics", cmd_statics, "comparative statics of every region (signs proved or certified)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--samples", type=int, default=400, help="sampled points per region for numeric certificates")
