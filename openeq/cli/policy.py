"""``openeq policy MODEL [--json] [--for PARAM] [--objective openness|welfare|welfare-transfer|EXPR]``.

The policy analysis of a threshold-regulation game (``openeq.analyses.policy``): the
regulation detected in the payoffs, the regimes of the unregulated choice, per tier the
compliance cost, critical threshold and critical penalty with their validity
conditions (and the critical value of ``--for PARAM``), each region's role, effect and
Pareto status, and the regulator's choice for ``--objective`` from the engine's
regulator stage (or the engine's reason for not solving it).  A game without a
regulation says so and exits 0."""
from __future__ import annotations

from openeq.cli.common import UsageError, equilibrium, load_game, print_json

__all__ = ["add", "run"]


def _print(out):
    reg = out["regulation"]
    rel = ">=" if reg["direction"] == "min" else "<="
    print(f"regulation: {reg['player']}'s choice {reg['choice']} ({reg['direction']}imum standard)")
    for t in reg["tiers"]:
        print(f"  tier {t['tier']}: {reg['choice']} {rel} {t['threshold']}, penalty {t['penalty']}")
    for rg in out["regimes"]:
        print(f"regime {rg['index']} ({rg['position']}): {reg['choice']}_hat = {rg[reg['choice'] + '_hat']}")
        print(f"    where {rg['where']}")
        for pr in rg["pairs"]:
            print(f"  tier {pr['tier']} (comply: {pr['comply']}, defy: {pr['defy']}; complying saves {pr['saving']})")
            for key in ("compliance_cost", "critical_threshold", "critical_penalty"):
                v = pr[key]
                print(f"    {key.replace('_', ' ')} = {v['value']}\n        valid if {v['valid_if']}")
            for q, roots in pr["critical"].items():
                for r in roots or [{"value": "none", "valid_if": "-"}]:
                    print(f"    critical {q} = {r['value']}\n        valid if {r['valid_if']}")
    for r in out["regions"]:
        tier = f" (tier {r['tier']})" if r["tier"] else ""
        print(f"region {r['label']}: {r['role']}{tier}, regime {r['regime']}, effect {r['effect']}, "
              f"Pareto improvement on the uniform penalty: {r['pareto_vs_uniform']}")
    ch = out["regulator"]
    if ch["solved"]:
        for k, v in ch["policy"].items():
            print(f"regulator ({ch['objective']}): {k} = {v}")
    else:
        print(f"regulator ({ch['objective']}): not derived: the engine refused the regulator stage: {ch['refused']}")


def run(args):
    from openeq.analyses.policy import analysis, explain, find_regulations
    from openeq.analyses.policy.data import summary
    from openeq.analyses.policy.regulator import regulator

    game = load_game(args.model)
    if not find_regulations(game):
        msg = explain(game)
        if args.json:
            print_json({"model": game.name, "regulation": None, "note": msg})
        else:
            print(msg)
        return 0
    if args.param is not None and args.param not in game.parameters:
        raise UsageError(f"--for {args.param}: not a parameter of {game.name} (parameters: {', '.join(game.parameters)})")
    eq = equilibrium(args, game)
    an = analysis(eq)
    out = {"model": game.name, **summary(an, levers=[args.param] if args.param else [])}
    out["regulator"] = regulator(game, args.objective).to_json()
    if args.json:
        print_json(out)
    else:
        _print(out)
    return 0


def add(sub, model_cmd):
    p = model_cmd("policy", run, "policy analysis of a threshold regulation (critical values, effects, regulator)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--for", dest="param", metavar="PARAM", help="also the critical value of this parameter")
    p.add_argument("--objective", default="welfare", metavar="OBJ",
                   help="the regulator's objective: openness, welfare, welfare-transfer, or an expression")
