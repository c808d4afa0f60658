"""Whole-process batch evaluation: ``openeq eval openness --points FILE.csv -o OUT.csv``.

``python -m benchmarks.batch [--points N] [--runs R] [--baseline M]`` (run from the
repository root) writes N random points of the openness game's domains
(``benchmarks/points.py``, seed 1) to a CSV file, primes a temporary cache with one
small run (the derivation and the compiled kernels are kept there: the figure is
that of a user's second and later runs), then times R runs of

    openeq eval openness --points N.csv -o out.csv

each a fresh subprocess, end to end (Python start-up, imports, reading the
equilibrium from the cache, parsing, checking, evaluating, the regulation fields,
writing), and reads each run's peak resident memory from ``wait4``.  In the same
run it measures the scipy baseline (``benchmarks.numeric``: a numeric backward
induction at M points, in process), so that the two speeds share the machine's load.

It prints one JSON object and, unless ``--no-write``, puts its section into
``benchmarks/RESULTS.md`` (between the ``batch`` markers).  ``benchmarks/__main__``
runs it too.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = "openness"
BEGIN, END = "<!-- batch: begin -->", "<!-- batch: end -->"
TARGET_RATE, TARGET_MB = 1e6, 500  # whole process, 10^6 points (issue 17)

__all__ = ["bench_batch", "rows", "method", "section"]


def say(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _write_points(path, n):
    from openeq.evaluate.textcodec import field, format_rows
    from openeq.io.modelfile import resolve_model

    from .points import random_columns

    game = resolve_model(MODEL)
    names = list(game.parameters)
    with open(path, "wb") as fh:
        fh.write((",".join(names) + "\n").encode())
        for a in range(0, n, 1 << 18):
            cols = random_columns(game, min(1 << 18, n - a), seed=1 + a)
            fh.write(format_rows([field(cols[k]) for k in names], len(cols[names[0]])))


def _run(argv, env):
    """(wall seconds, peak RSS in bytes, stderr) of one subprocess."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} failed (exit {proc.returncode}): {err.decode(errors='replace')[-400:]}")
    return dt, usage.ru_maxrss * 1024, err


def baseline(m):
    """Points per second of the scipy backward induction (in process)."""
    from openeq.io.modelfile import resolve_model

    from .numeric import NumericBI
    from .points import random_columns

    game = resolve_model(MODEL)
    cols = random_columns(game, m, seed=3)
    nb = NumericBI(game)
    t0 = time.perf_counter()
    nb.solve_columns(cols, m)
    return m / (time.perf_counter() - t0)


def bench_batch(n=10**6, runs=3, m=200) -> dict:
    with tempfile.TemporaryDirectory(prefix="openeq-bench-batch-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, OPENEQ_CACHE_DIR=str(tmp / "cache"))
        env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.pop("OPENEQ_PROGRESS", None)
        points, out = tmp / f"{n}.csv", tmp / "out.csv"
        say(f"batch: writing {n:,} points to {points.name}")
        _write_points(points, n)
        cmd = [sys.executable, "-m", "openeq.cli", "eval", MODEL, "--points"]
        small = tmp / "small.csv"
        _write_points(small, 10)
        say("batch: priming the cache (derivation, kernels)")
        _run(cmd + [str(small), "-o", str(tmp / "small-out.csv")], env)
        fixed, _, _ = _run(cmd + [str(small), "-o", str(tmp / "small-out.csv")], env)
        times, rss = [], []
        for i in range(runs):
            say(f"batch: openeq eval {MODEL} --points {points.name} -o out.csv ({i + 1}/{runs})")
            dt, mem, _ = _run(cmd + [str(points), "-o", str(out)], env)
            times.append(dt)
            rss.append(mem)
        size_in, size_out = points.stat().st_size, out.stat().st_size
        with open(out, "rb") as fh:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b""))
        if lines != n + 1:
            raise RuntimeError(f"out.csv has {lines} lines; expected {n + 1}")
        say(f"batch: scipy baseline at {m} points (same run)")
        base = baseline(m)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    best, med = min(times), statistics.median(times)
    return {"batch_points": n, "batch_runs": runs, "batch_seconds": times, "batch_points_per_s": n / med,
            "batch_points_per_s_best": n / best, "batch_peak_rss_mb": max(rss) / 2**20,
            "batch_fixed_s": fixed, "batch_input_mb": size_in / 2**20, "batch_output_mb": size_out / 2**20,
            "batch_baseline_points": m, "batch_baseline_points_per_s": base,
            "batch_speedup_vs_baseline": (n / med) / base, "batch_load_average_after": load}


def rows(res) -> list:
    n = res["batch_points"]
    return [
        (f"`openeq eval {MODEL} --points {n:.0e}.csv -o out.csv`, whole process (median of {res['batch_runs']})",
         f"{res['batch_points_per_s']:.3g} points/s"),
        ("  its peak resident memory", f"{res['batch_peak_rss_mb']:.0f} MB"),
        (f"  scipy baseline in the same run ({res['batch_baseline_points']} points)",
         f"{res['batch_baseline_points_per_s']:.3g} points/s ({res['batch_speedup_vs_baseline']:,.0f}x slower)"),
        (f"  target: at least {TARGET_RATE:.0e} points/s, peak memory under {TARGET_MB} MB",
         ("met" if res["batch_points_per_s"] >= TARGET_RATE and res["batch_peak_rss_mb"] < TARGET_MB else "**not met**")
         + f" ({res['batch_points_per_s'] / TARGET_RATE:.2f} of the speed, {res['batch_peak_rss_mb'] / TARGET_MB:.2f} of the memory)"),
    ]


def method(res) -> str:
    return (f"- Batch evaluation: `benchmarks/batch.py`. {res['batch_points']:,} random points of the domains"
            f" ({res['batch_input_mb']:.0f} MB of CSV in, {res['batch_output_mb']:.0f} MB out: the input row, the"
            " strategies, payoffs, regime and regulation fields), timed end to end as a subprocess with a primed cache"
            f" (runs: {', '.join(f'{t:.2f} s' for t in res['batch_seconds'])}; best"
            f" {res['batch_points_per_s_best']:.3g} points/s; a 10-point run takes {res['batch_fixed_s']:.2f} s,"
            " the fixed cost of start-up and loading); peak RSS from `wait4`. The scipy baseline"
            " (`benchmarks/numeric.py`) ran in the same run, so both share the machine's load"
            f" (1-min load average after the run: {res['batch_load_average_after']}).")


def section(res) -> str:
    lines = [BEGIN, "## Batch evaluation", "", "| what | figure |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows(res)] + ["", method(res), END]
    return "\n".join(lines)


def update_results(res, path):
    from openeq.io.atomic import write_atomic

    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = section(res)
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    write_atomic(path, text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=float, default=1e6)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", type=int, default=200, help="points of the scipy baseline")
    ap.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    res = bench_batch(int(args.points), args.runs, args.baseline)
    if not args.no_write:
        update_results(res, ROOT / "benchmarks" / "RESULTS.md")
    json.dump(res, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
