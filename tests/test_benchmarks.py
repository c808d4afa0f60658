"""Smoke test of the benchmarks, and the compiled evaluation against ``Vectorized``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent

KEYS = {
    "derive_openness_cold_s", "derive_openness_warm_s", "paper_s", "paper_warm_s", "eval_points_per_s",
    "numeric_points_per_s", "speedup_vs_numeric", "max_abs_error_numeric", "verify_cases_per_s", "machine",
    "solve_openness_cold_s", "solve_openness_warm_s",
}


@pytest.fixture
def eq(openness_eq):  # tests/conftest.py
    return openness_eq


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_benchmarks_quick_smoke(tmp_path):
    env = dict(os.environ, OPENEQ_CACHE_DIR=str(tmp_path / "cache"))
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    results = ROOT / "benchmarks" / "RESULTS.md"
    before = results.stat().st_mtime_ns if results.exists() else None
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--json", "--quick"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)  # exactly one JSON object on stdout
    assert KEYS <= set(data)
    for k in KEYS - {"paper_s", "paper_warm_s", "machine"}:
        assert isinstance(data[k], (int, float)) and data[k] >= 0, (k, data[k])
    assert data["paper_s"] is None or data["paper_s"] > 0
    assert data["paper_warm_s"] is None or data["paper_warm_s"] > 0
    assert data["max_abs_error_numeric"] < 1e-5
    assert data["verify_failures"] == 0
    assert data["eval_region_mismatch_vs_vectorized"] == 0
    assert {"cpu", "cores", "python", "numpy"} <= set(data["machine"])
    assert "[bench]" in proc.stderr  # progress on stderr
    # --quick never rewrites the report of a full run
    assert (results.stat().st_mtime_ns if results.exists() else None) == before


def _random_cols(game, n, seed):
    sys.path.insert(0, str(ROOT))
    from benchmarks.points import random_columns

    return random_columns(game, n, seed)


def _assert_same(a, b):
    np.testing.assert_array_equal(a["region"], b["region"])
    np.testing.assert_array_equal(a["regime"], b["regime"])
    assert a["region"].dtype == b["region"].dtype
    for group in ("strategies", "payoffs"):
        assert list(a[group]) == list(b[group])
        for k in a[group]:
            np.testing.assert_allclose(a[group][k], b[group][k], rtol=1e-9, atol=1e-12)


def test_fastpath_matches_vectorized(eq, cache_dir):
    from openeq.evaluate import compiled as fastpath
    from openeq.evaluate.vectorized import Vectorized

    if fastpath.compiler() is None:
        pytest.skip("no C compiler")
    ev = fastpath.compile_equilibrium(eq)
    assert isinstance(ev, fastpath.CompiledEquilibrium)
    assert ev.library.parent == cache_dir / "fastpath" and ev.library.exists()
    cols = _random_cols(eq.game, 10**4, seed=7)
    _assert_same(fastpath.evaluate_columns(eq, cols), Vectorized(eq)(cols))
    # a second compile of the same equilibrium reuses the cached library
    fastpath._COMPILED.clear()
    assert fastpath.compile_equilibrium(eq).library == ev.library


def test_fastpath_corners_and_constants(eq, cache_dir):
    """Domain corners (theta = 0, p = 0, ...) and constant (scalar) columns."""
    from openeq.evaluate import compiled as fastpath
    from openeq.evaluate.vectorized import Vectorized
    from openeq.verify.sampling import random_points

    if fastpath.compiler() is None:
        pytest.skip("no C compiler")
    pts = random_points(eq.game, 400, 3)
    cols = {n: np.array([p[n] for p in pts]) for n in eq.game.parameters}
    _assert_same(fastpath.evaluate_columns(eq, cols), Vectorized(eq)(cols))
    cols = {n: 0.5 for n in eq.game.parameters}
    cols["p"] = np.linspace(0.0, 1.0, 50)
    _assert_same(fastpath.evaluate_columns(eq, cols), Vectorized(eq)(cols))


def test_fastpath_boundary_points_decided_exactly(eq, cache_dir):
    """On the indifference curve p = Delta the kernel defers to the exact evaluation."""
    import sympy as sp

    from openeq.evaluate import compiled as fastpath
    from openeq.evaluate.exact import evaluate

    if fastpath.compiler() is None:
        pytest.skip("no C compiler")
    g = eq.game
    syms = [g.parameters[n].symbol for n in g.parameters]
    comply = next(r for r in eq.regions if r.label == "comply" and any(str(b.subject) == "p" for b in r.bounds)
                  and not any(str(b.subject) == "theta" and b.op == ">" for b in r.bounds))
    delta = next(b.bound for b in comply.bounds if str(b.subject) == "p")
    cols = {"alpha0": np.array([0.7, 1.3, 2.0]), "delta": np.array([0.3, 0.5, 0.8]), "c": np.array([1.5, 0.8, 2.0]),
            "epsilon": np.array([1.0, 1.2, 2.5]), "gamma": np.array([0.9, 1.1, 2.0]), "theta": np.array([0.9, 0.95, 0.99])}
    cols["p"] = sp.lambdify(syms, delta, "numpy")(*[cols.get(n, 0.0) for n in g.parameters])
    assert np.all(cols["p"] > 0)
    ev = fastpath.compile_equilibrium(eq)
    _, _, _, _, doubtful = ev.raw(cols)
    assert doubtful >= 1
    out = ev(cols)
    for i in range(3):
        exact = evaluate(eq, {n: float(cols[n][i]) for n in g.parameters})
        assert out["regime"][i] == exact["regime"]
        assert out["strategies"]["omega"][i] == pytest.approx(exact["strategies"]["omega"])


def test_fastpath_falls_back_without_compiler(eq, cache_dir, monkeypatch, capsys):
    from openeq.evaluate import build
    from openeq.evaluate import compiled as fastpath
    from openeq.evaluate.vectorized import Vectorized

    monkeypatch.setenv("CC", str(cache_dir / "no-such-compiler"))
    monkeypatch.setattr(fastpath, "_COMPILED", {})
    monkeypatch.setattr(build, "_NOTED", set())
    cols = _random_cols(eq.game, 200, seed=9)
    a = fastpath.evaluate_columns(eq, cols)
    b = fastpath.evaluate_columns(eq, cols)
    assert isinstance(fastpath.compile_equilibrium(eq), Vectorized)
    err = capsys.readouterr().err
    assert err.count("compiled evaluation unavailable") == 1
    _assert_same(a, Vectorized(eq)(cols))
    _assert_same(b, a)
