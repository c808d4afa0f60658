"""Wall time of ``openeq verify MODEL --samples N`` for every built-in and example model.

``bench_verify_speed()`` returns ``{"verify_speed": {model: {"seconds", "cpu_seconds",
"passed", "failed", "points_per_s"}}, "verify_speed_max_s": ..., "verify_speed_failures": ...}``
(the lead wires it into ``benchmarks/__main__.py``).  Each model is timed in a fresh
process, after one ``openeq solve MODEL`` has primed a temporary cache, so the figure
is the verification alone (brute force and comparison), not the derivation.
``OPENEQ_JOBS`` is passed through (set it to 1 to compare runs on a shared machine);
``cpu_seconds`` (user + system time of the process) varies less with the machine's
load than the wall time ``seconds``.

Standalone: ``python -m benchmarks.verify_speed [--samples N] [--pythonpath DIR]
[MODEL ...]``; ``--pythonpath`` times another checkout of openeq (a baseline) with the
same interpreter.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ["openness", "openness-endogenous", "fine-tuning"]
TARGET_S = 60.0
RUN = "import sys; from openeq.cli import main; sys.exit(main(sys.argv[1:]))"


def default_models() -> list:
    """The built-in models, examples/*.toml and the test models tests/models/*.toml."""
    files = sorted((ROOT / "examples").glob("*.toml")) + sorted((ROOT / "tests" / "models").glob("*.toml"))
    return BUILTIN + [str(p) for p in files]


def _env(cache_dir, pythonpath=None):
    env = dict(os.environ, OPENEQ_CACHE_DIR=str(cache_dir))
    path = str(pythonpath or ROOT)
    env["PYTHONPATH"] = path + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _child_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def time_verify(model, samples=200, seed=0, pythonpath=None, timeout=3600) -> dict:
    """Seconds, passed and failed of one ``openeq verify`` run (a fresh, primed cache)."""
    with tempfile.TemporaryDirectory(prefix="openeq-verify-speed-") as tmp:
        env = _env(tmp, pythonpath)
        subprocess.run([sys.executable, "-c", RUN, "solve", model], env=env, cwd=tmp,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
        t0, c0 = time.perf_counter(), _child_cpu()
        try:
            proc = subprocess.run([sys.executable, "-c", RUN, "verify", model, "--samples", str(samples),
                                   "--seed", str(seed)], env=env, cwd=tmp, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired as e:
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            done = re.findall(r": (\d+)/\d+ \((\d+) failed", err)
            return {"seconds": None, "cpu_seconds": _child_cpu() - c0, "passed": None, "failed": None,
                    "timeout_s": timeout, "points_done": int(done[-1][0]) if done else 0,
                    "failed_so_far": int(done[-1][1]) if done else 0}
        dt, cpu = time.perf_counter() - t0, _child_cpu() - c0
    m = re.search(r"(\d+) passed, (\d+) failed", proc.stdout)
    out = {"seconds": dt, "cpu_seconds": cpu, "passed": int(m.group(1)) if m else None, "failed": int(m.group(2)) if m else None,
           "points_per_s": samples / dt, "exit": proc.returncode}
    if not m:
        out["error"] = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
    return out


def bench_verify_speed(models=None, samples=200, seed=0, pythonpath=None, stream=sys.stderr, timeout=3600) -> dict:
    res = {}
    for model in models or default_models():
        model = str(Path(model).resolve()) if model.endswith(".toml") else model
        name = Path(model).stem if model.endswith(".toml") else model
        if stream is not None:
            print(f"[bench] verify {name} --samples {samples}", file=stream, flush=True)
        res[name] = time_verify(model, samples, seed, pythonpath, timeout)
    secs = [r["seconds"] for r in res.values()]
    return {"verify_speed": res,
            "verify_speed_max_s": None if None in secs else max(secs),
            "verify_speed_failures": sum(r["failed"] or 0 for r in res.values()),
            "verify_speed_target_s": TARGET_S}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.verify_speed")
    ap.add_argument("models", nargs="*")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pythonpath", help="time another openeq checkout (e.g. a baseline)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per model (then: points done so far)")
    args = ap.parse_args(argv)
    out = bench_verify_speed(args.models or None, args.samples, args.seed, args.pythonpath, timeout=args.timeout)
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
