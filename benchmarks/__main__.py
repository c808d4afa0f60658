"""``python -m benchmarks [--json] [--quick]``: run the benchmarks, print one JSON object.

Run from the repository root.  Progress goes to stderr; a full (not ``--quick``)
run also writes ``benchmarks/RESULTS.md`` (atomically: temp file, then rename).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openeq.io.atomic import write_atomic

ROOT = Path(__file__).resolve().parent.parent
MODEL = "openness"

FULL = {"eval": 10**6, "numeric": 1000, "verify": 50, "derive_runs": 3, "eval_runs": 5,
        "batch": 10**6, "batch_runs": 3, "batch_baseline": 200}
QUICK = {"eval": 10**4, "numeric": 20, "verify": 5, "derive_runs": 1, "eval_runs": 3,
         "batch": 2000, "batch_runs": 1, "batch_baseline": 5}

SOLVE = "import sys; from openeq.cli import main; sys.exit(main({argv!r}))"


def say(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _env(cache_dir):
    env = dict(os.environ)
    env["OPENEQ_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _timed(cmd, env, cwd=None, timeout=1800):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd or ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)
    dt = time.perf_counter() - t0
    return dt, proc


def _check(proc, what):
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise RuntimeError(f"{what} failed (exit {proc.returncode}): {' | '.join(tail)}")


# ------------------------------------------------------------------ machine
def machine() -> dict:
    import numpy
    import scipy
    import sympy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    from openeq.core.parallel import usable_cores

    usable = usable_cores()
    cc = None
    from openeq.evaluate.compiled import compiler

    cmd = compiler()
    if cmd:
        try:
            out = subprocess.run([*cmd, "--version"], capture_output=True, text=True, timeout=30).stdout
            cc = out.splitlines()[0].strip() if out else cmd[0]
        except (OSError, subprocess.TimeoutExpired):
            cc = cmd[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "sympy": sympy.__version__,
        "c_compiler": cc,
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


# ------------------------------------------------------------------ derivation
DERIVE = ["derive", MODEL, "--only", "R1,R2,R3"]  # the SPE and R1 to R3
SOLVE_ONLY = ["solve", MODEL]  # the SPE alone, for comparison


def _cold_warm(argv, runs, tmp, what):
    """Median wall times of ``openeq ARGV`` in fresh processes: with --no-cache (and an
    empty cache directory), then with a cache primed by one run."""
    cold_env = _env(Path(tmp) / f"cold-{what}")
    cold = []
    for i in range(runs):
        say(f"{what}, cold cache ({i + 1}/{runs})")
        dt, proc = _timed([sys.executable, "-c", SOLVE.format(argv=argv + ["--no-cache"])], cold_env)
        _check(proc, f"{what} (cold)")
        cold.append(dt)
    warm_env = _env(Path(tmp) / f"warm-{what}")
    say(f"{what}: priming a temporary cache")
    _, proc = _timed([sys.executable, "-c", SOLVE.format(argv=argv)], warm_env)
    _check(proc, f"{what} (priming the cache)")
    warm = []
    for i in range(runs):
        say(f"{what}, warm cache ({i + 1}/{runs})")
        dt, proc = _timed([sys.executable, "-c", SOLVE.format(argv=argv)], warm_env)
        _check(proc, f"{what} (warm)")
        warm.append(dt)
    return statistics.median(cold), statistics.median(warm)


def bench_derive(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="openeq-bench-") as tmp:
        cold, warm = _cold_warm(DERIVE, runs, tmp, f"derive {MODEL} R1-R3")
        solve_cold, solve_warm = _cold_warm(SOLVE_ONLY, runs, tmp, f"solve {MODEL}")
        say("  import only (python -c 'import openeq.cli')")
        imp, proc = _timed([sys.executable, "-c", "import openeq.cli, openeq.cache"], _env(Path(tmp) / "imp"))
    return {"derive_openness_cold_s": cold, "derive_openness_warm_s": warm,
            "solve_openness_cold_s": solve_cold, "solve_openness_warm_s": solve_warm, "import_s": imp}


# ------------------------------------------------------------------ paper


def bench_paper(notes: list, run: bool = True):
    """Wall times of ``python -m openeq.cli appendix openness -o DIR --pdf``: from a cold
    cache (the main job on a fresh machine), then again with the cache it left."""
    with tempfile.TemporaryDirectory(prefix="openeq-bench-paper-") as tmp:
        env = _env(Path(tmp) / "cache")
        prefix = [sys.executable, "-m", "openeq.cli"]
        if not run:
            notes.append("paper_s: not run with --quick (the PDF build takes tens of seconds)")
            return None, None
        times = []
        for state in ("cold", "warm"):
            say(f"paper: openeq appendix openness --pdf ({state} cache)")
            out = Path(tmp) / f"out-{state}"
            dt, proc = _timed([*prefix, "appendix", MODEL, "-o", str(out), "--pdf"], env)
            if proc.returncode != 0:
                tail = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
                notes.append(f"paper_s: `appendix {MODEL} --pdf` failed: {tail[0]}")
                return None, None
            times.append(dt)
        return tuple(times)


# ------------------------------------------------------------------ evaluation
def bench_eval(eq, n: int, runs: int) -> dict:
    import numpy as np

    from openeq.evaluate import compiled as fastpath
    from openeq.evaluate.vectorized import Vectorized

    from .points import random_columns

    cols = random_columns(eq.game, n, seed=1)
    say("eval: compiling the equilibrium (fastpath)")
    t0 = time.perf_counter()
    ev = fastpath.compile_equilibrium(eq)
    build = time.perf_counter() - t0
    backend = "compiled" if isinstance(ev, fastpath.CompiledEquilibrium) else "numpy (no C compiler)"
    ev(random_columns(eq.game, 1000, seed=2))  # warm up (threads, pages)
    times = []
    for i in range(runs):
        say(f"eval: {n} points, {backend} ({i + 1}/{runs})")
        t0 = time.perf_counter()
        out = fastpath.evaluate_columns(eq, cols)
        times.append(time.perf_counter() - t0)
    res = {
        "eval_points_per_s": n / min(times),
        "eval_points_per_s_median": n / statistics.median(times),
        "eval_backend": backend,
        "fastpath_build_s": build,
    }
    if isinstance(ev, fastpath.CompiledEquilibrium):
        kt = []
        for _ in range(runs):
            t0 = time.perf_counter()
            _, _, _, _, doubtful = ev.raw(cols)
            kt.append(time.perf_counter() - t0)
        res["eval_kernel_points_per_s"] = n / min(kt)
        res["eval_doubtful_points"] = int(doubtful)
    m = min(n, 10**5)
    sub = {k: v[:m] for k, v in cols.items()}
    say(f"eval: {m} points with numpy (openeq.evaluate.Vectorized), for comparison")
    vec = Vectorized(eq)  # lambdifying is set-up, not evaluation
    t0 = time.perf_counter()
    ref = vec(sub)
    res["vectorized_points_per_s"] = m / (time.perf_counter() - t0)
    res["eval_region_mismatch_vs_vectorized"] = int(np.count_nonzero(ref["region"] != out["region"][:m]))
    return res


def bench_numeric(eq, n: int, eval_rate: float) -> dict:
    import numpy as np

    from openeq.evaluate.compiled import evaluate_columns

    from .numeric import NumericBI
    from .points import random_columns

    cols = random_columns(eq.game, n, seed=3)
    nb = NumericBI(eq.game)
    say(f"numeric: scipy backward induction on {n} points")
    t0 = time.perf_counter()
    xs, _ = nb.solve_columns(cols, n)
    dt = time.perf_counter() - t0
    closed = evaluate_columns(eq, cols)["strategies"][str(nb.x)]
    err = np.abs(np.asarray(xs) - closed)
    rate = n / dt
    return {
        "numeric_points_per_s": rate,
        "speedup_vs_numeric": eval_rate / rate,
        "max_abs_error_numeric": float(err.max()),
    }


def bench_verify(eq, n: int) -> dict:
    from openeq.analyses.crosscheck import compare_point
    from openeq.verify.sampling import random_points

    pts = random_points(eq.game, n, seed=0)
    say(f"verify: compare_point on {n} points")
    failed = 0
    t0 = time.perf_counter()
    for pt in pts:
        ok, _ = compare_point(eq, pt)
        failed += not ok
    dt = time.perf_counter() - t0
    return {"verify_cases_per_s": n / dt, "verify_failures": failed}


# ------------------------------------------------------------------ report
def _fmt(v, unit=""):
    """3 significant figures; powers of ten from a million up."""
    if v is None:
        return "n/a"
    if isinstance(v, float):
        if v >= 1e6:
            mant, exp = f"{v:.2e}".split("e")
            return f"{mant}e{int(exp)}{unit}"
        if v >= 1000:
            return f"{v:,.0f}{unit}"
        return f"{v:.2e}{unit}" if v < 1e-3 else f"{v:.3g}{unit}"
    return f"{v}{unit}"


def write_results(res: dict, path: Path) -> None:
    m = res["machine"]
    rows = [
        ("derive openness SPE + R1-R3, cold (fresh process, cache off)", _fmt(res["derive_openness_cold_s"], " s")),
        ("derive openness SPE + R1-R3, warm (fresh process, cache hit)", _fmt(res["derive_openness_warm_s"], " s")),
        ("  the SPE alone (`solve openness`), cold / warm",
         f"{_fmt(res['solve_openness_cold_s'], ' s')} / {_fmt(res['solve_openness_warm_s'], ' s')}"),
        ("paper: `appendix openness --pdf`, cold cache (the main job)", _fmt(res["paper_s"], " s")),
        ("  again, warm cache", _fmt(res.get("paper_warm_s"), " s")),
        (f"evaluate, {res['sizes']['eval']:,} points ({res['eval_backend']})", _fmt(res["eval_points_per_s"], " points/s")),
        ("  of which the compiled kernel alone", _fmt(res.get("eval_kernel_points_per_s"), " points/s")),
        ("  numpy `Vectorized`, for comparison", _fmt(res["vectorized_points_per_s"], " points/s")),
        (f"numeric backward induction (scipy), {res['sizes']['numeric']:,} points", _fmt(res["numeric_points_per_s"], " points/s")),
        ("speedup of the closed form over the numeric solution", _fmt(res["speedup_vs_numeric"], "x")),
        ("largest error of the numeric solution in omega", _fmt(res["max_abs_error_numeric"])),
        (f"verify (`compare_point`), {res['sizes']['verify']} points", _fmt(res["verify_cases_per_s"], " cases/s")),
    ]
    lines = [
        "# Benchmarks",
        "",
        f"`python -m benchmarks --json` on {res['date']}.",
        "",
        "| what | figure |",
        "|---|---|",
        *[f"| {a} | {b} |" for a, b in rows],
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable)",
        f"- {m['os']}; Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}, sympy {m['sympy']}",
        f"- C compiler: {m['c_compiler'] or 'none'}",
        f"- load average (1 min) when the run started: {m.get('load_average_1min')} -- other jobs share this machine,"
        " so wall times vary from run to run",
        "",
        "## Method",
        "",
        "- Derivation times are wall times of a fresh `python -c` running `openeq derive openness --only R1,R2,R3`"
        " (the SPE, then R1 to R3; `--no-cache` for cold) and `openeq solve openness`"
        f" (median of {res['sizes']['derive_runs']}), Python start-up and imports included"
        f" ({_fmt(res['import_s'], ' s')} of it is the import alone).",
        "- The paper time is the main job (`make paper`) without the installation, from a cold cache; the warm"
        " figure re-runs it with the cache the first run left (derived results, statics, verification kept).",
        "- Parts of the derivation and of the appendix run on all usable cores (`openeq.parallel`; `OPENEQ_JOBS=1`"
        " runs them serially, with the same output).",
        "- Evaluation: `openeq.fastpath.evaluate_columns` (C generated from the equilibrium, built once and cached,"
        " both cores) over random points inside the domains (`benchmarks/points.py`), returning the same arrays as"
        f" `openeq.evaluate.Vectorized`; best of {res['sizes']['eval_runs']} runs"
        f" (median {_fmt(res['eval_points_per_s_median'], ' points/s')}). Building the kernel took"
        f" {_fmt(res['fastpath_build_s'], ' s')} (once per machine and equilibrium).",
        "- The numeric baseline (`benchmarks/numeric.py`): scipy `minimize_scalar(method=\"bounded\")` for D's"
        " alpha1 nested in G's bounded search over omega, run on each side of the penalty's breakpoint theta,"
        " with theta and the domain ends evaluated and compared. Its error is against the closed form.",
        "",
    ]
    if res.get("scaling"):
        from .scaling import markdown

        lines += markdown(res["scaling"])
    if "batch_points" in res:
        from .batch import section

        lines += [section(res), ""]
    if res.get("notes"):
        lines += ["## Notes", "", *[f"- {n}" for n in res["notes"]], ""]
    write_atomic(path, "\n".join(lines))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description="openeq performance benchmarks")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object (the default output)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test (RESULTS.md is not written)")
    ap.add_argument("--results", default=str(Path(__file__).resolve().parent / "RESULTS.md"),
                    help="where a full run writes its report")
    args = ap.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    notes = []
    res = {"quick": args.quick, "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "sizes": sizes}
    res["machine"] = machine()
    res.update(bench_derive(sizes["derive_runs"]))
    res["paper_s"], res["paper_warm_s"] = bench_paper(notes, run=not args.quick)

    # in-process benchmarks use their own temporary cache (the kernel is built there)
    tmp_cache = tempfile.mkdtemp(prefix="openeq-bench-cache-")
    os.environ["OPENEQ_CACHE_DIR"] = tmp_cache
    try:
        from openeq.solver.cached import solve_cached
        from openeq.io.modelfile import resolve_model

        say(f"solving {MODEL} (in process)")
        eq = solve_cached(resolve_model(MODEL))
        res.update(bench_eval(eq, sizes["eval"], sizes["eval_runs"]))
        res.update(bench_numeric(eq, sizes["numeric"], res["eval_points_per_s"]))
        res.update(bench_verify(eq, sizes["verify"]))
        from .scaling import bench_scaling  # solve time against stages, players and tiers

        res["scaling"] = bench_scaling(sizes["derive_runs"], quick=args.quick, say=say)
    finally:
        shutil.rmtree(tmp_cache, ignore_errors=True)
    from .batch import bench_batch

    res.update(bench_batch(sizes["batch"], sizes["batch_runs"], sizes["batch_baseline"]))
    if not args.quick:  # `verify --samples 200` for every built-in and example model (minutes)
        from .verify_speed import bench_verify_speed

        res.update(bench_verify_speed(stream=sys.stderr))
    res["notes"] = notes
    order = ["derive_openness_cold_s", "derive_openness_warm_s", "paper_s", "paper_warm_s", "eval_points_per_s",
             "numeric_points_per_s",
             "speedup_vs_numeric", "max_abs_error_numeric", "verify_cases_per_s", "machine"]
    out = {k: res[k] for k in order}
    out.update({k: v for k, v in res.items() if k not in out})
    if not args.quick:
        write_results(res, Path(args.results))
        say(f"wrote {args.results}")
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
