"""Solve time against the size of a game (``python -m benchmarks.scaling [--json] [--quick]``).

Three families of games, generated as model files (TOML text, the format of examples/):

* ``sequential stages`` -- k = 2..6 quantity-setting firms entering one after the other
  (a chain of Stackelberg followers; examples/three-firms.toml is k = 3);
* ``simultaneous players`` -- n = 2..5 Cournot firms in one stage (examples/cournot.toml is n = 2);
* ``penalty tiers`` -- the openness game with 1..3 penalty tiers,
  ``pen(omega) = sum_k p_k [omega < theta_k]``, theta_1 < ... < theta_n
  (examples/openness-tiers2.toml and -tiers3.toml are n = 2, 3).

Each case is solved in a fresh Python process (so no case inherits another's sympy caches);
the time is that of ``openeq.solver.solve`` alone, the median of ``runs``.  Wall times on a
shared machine are noisy, so each row also gives its ratio to the smallest case of its
family that was solved in the same run.  A case the engine refuses is reported as
``refused: <reason>``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["FAMILIES", "bench_scaling", "chain", "cournot", "tiers", "markdown"]


def _firms(players, stage_of):
    q = " + ".join(f"q{i}" for i in players)
    moves = "".join(f'\n[[moves]]\nstage = {stage_of(i)}\nplayer = "F{i}"\nchoose = {{ q{i} = "[0, oo)" }}\n'
                    for i in players)
    pays = "".join(f'F{i} = "(a - b*({q}) - c)*q{i}"\n' for i in players)
    return ('assume = ["a > c"]\n\n[parameters]\na = "positive"\nb = "positive"\nc = "positive"\n'
            f"{moves}\n[payoffs]\n{pays}")


def chain(k: int) -> str:
    """k firms choosing quantities in k sequential stages."""
    return f'name = "chain{k}"\n' + _firms(range(1, k + 1), lambda i: i)


def cournot(n: int) -> str:
    """n firms choosing quantities in one simultaneous stage."""
    return f'name = "cournot{n}"\n' + _firms(range(1, n + 1), lambda i: 1)


def tiers(n: int) -> str:
    """The openness game with n penalty tiers (n = 1 is the built-in ``openness``)."""
    pen = ", ".join("(" + " + ".join(f"p{j}" for j in range(k, n + 1)) + f", omega < theta{k})"
                    for k in range(1, n + 1))
    assume = ", ".join(f'"theta{k} < theta{k + 1}"' for k in range(1, n))
    params = "".join(f'theta{k} = "[0, 1]"\np{k} = "nonnegative"\n' for k in range(1, n + 1))
    return f'''name = "openness-tiers{n}"
assume = [{assume}]
tie_break = {{ D = "max", G = "max" }}

[parameters]
alpha0 = "positive"
delta = "(0, 1)"
c = "positive"
epsilon = "nonnegative"
gamma = "nonnegative"
{params}
[[moves]]
stage = 1
player = "G"
choose = {{ omega = "[0, 1]" }}

[[moves]]
stage = 2
player = "D"
choose = {{ alpha1 = "[alpha0, oo)" }}

[payoffs]
D = "(1 - delta*(1 - omega))*alpha1 - c/2*(alpha1 - alpha0)**2"
G = "delta*(1 - omega)*alpha1 + epsilon*omega - gamma/2*omega**2 - Piecewise({pen}, (0, True))"
'''


FAMILIES = {  # family -> (sizes, generator, what the size counts)
    "sequential stages": (range(2, 7), chain, "stages"),
    "simultaneous players": (range(2, 6), cournot, "players"),
    "penalty tiers": (range(1, 4), tiers, "tiers"),
}

RUNNER = """
import json, sys, time
from openeq.io.modelfile import loads_model
from openeq.solver import SolverError, solve
game = loads_model(sys.stdin.read(), filename="<scaling>")
t0 = time.perf_counter()
try:
    eq = solve(game)
except SolverError as e:
    print(json.dumps({"status": "refused", "reason": " ".join(str(e).split()), "seconds": time.perf_counter() - t0}))
else:
    print(json.dumps({"status": "solved", "regions": len(eq.regions), "seconds": time.perf_counter() - t0}))
"""


def _run(text: str, env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", RUNNER], input=text, env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        return {"status": "error", "reason": tail[0]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_scaling(runs: int = 3, quick: bool = False, say=None) -> list:
    """One row per case: family, size, status, seconds (median), ratio to the family's smallest solved case."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="openeq-scaling-") as tmp:
        env = dict(os.environ, OPENEQ_CACHE_DIR=tmp)
        env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        for family, (sizes, make, unit) in FAMILIES.items():
            base = None
            for size in list(sizes)[:1] if quick else sizes:
                if say:
                    say(f"scaling: {family}, {size} {unit}")
                results = [_run(make(size), env) for _ in range(1 if quick else runs)]
                row = {"family": family, "size": size, "unit": unit, "status": results[0]["status"]}
                if row["status"] == "solved":
                    row["seconds"] = statistics.median(r["seconds"] for r in results)
                    row["regions"] = results[0]["regions"]
                    base = base or row["seconds"]
                    row["ratio"] = row["seconds"] / base
                else:
                    row["reason"] = results[0]["reason"]
                rows.append(row)
    return rows


def describe(row: dict) -> str:
    if row["status"] == "solved":
        return f"{row['seconds']:.3g} s ({row['ratio']:.2f}x), {row['regions']} region(s)"
    return f"{row['status']}: {row['reason']}"


def markdown(rows: list) -> list:
    """The rows as a Markdown section (lines)."""
    lines = ["## Scaling", "",
             "Solve time (`openeq.solver.solve`, fresh process, median) against the size of the game;"
             " the ratio is to the smallest solved case of the family in the same run"
             " (`python -m benchmarks.scaling`).", "",
             "| family | size | solve time (ratio) |", "|---|---|---|"]
    lines += [f"| {r['family']} | {r['size']} {r['unit'] if r['size'] != 1 else r['unit'][:-1]} | {describe(r)} |"
              for r in rows]
    return lines + [""]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the rows as JSON (default: a Markdown table)")
    ap.add_argument("--quick", action="store_true", help="the smallest size of each family, one run (a smoke test)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    rows = bench_scaling(args.runs, args.quick, say=lambda m: print(f"[bench] {m}", file=sys.stderr, flush=True))
    print(json.dumps(rows, indent=2) if args.json else "\n".join(markdown(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
