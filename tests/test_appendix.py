"""The paper appendix: written for openness and for a game built through the API,
byte-identical across runs, one proposition per derived result, and it compiles."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from openeq.solver.cached import solve_cached
from openeq.io.modelfile import resolve_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from test_latex_roundtrip import stackelberg  # noqa: E402


def _files(d: Path) -> dict:
    """The generated files (not LaTeX's by-products): name -> bytes."""
    names = ["main.tex", "appendix.tex"] + [f"figures/{p.name}" for p in sorted((d / "figures").glob("*.pdf"))]
    return {n: (d / n).read_bytes() for n in names}


@pytest.fixture(scope="module")
def openness_dirs(openness_appendix, tmp_path_factory):
    """Two runs: the Python API from an empty disk cache (the session's
    ``openness_appendix``), then the command line reading the cache it left, with the
    in-process memo of the appendix's numbers cleared -- so what the second run prints
    comes back through the cache's format."""
    from openeq.cli import main
    from openeq.export.latex.tables import clear_memo

    a, cache = openness_appendix[:2]
    b = tmp_path_factory.mktemp("appendix-b")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPENEQ_CACHE_DIR", str(cache))
        clear_memo()
        assert main(["appendix", "openness", "-o", str(b)]) == 0
    clear_memo()
    return a, b


def test_openness_appendix_is_written(openness_dirs):
    a, _ = openness_dirs
    main_tex = (a / "main.tex").read_text()
    for pkg in ("amsmath", "amsthm", "booktabs", "lmodern"):
        assert pkg in main_tex
    assert r"\input{appendix}" in main_tex and r"\pdftrailerid{}" in main_tex
    body = (a / "appendix.tex").read_text()
    assert r"\begin{cases}" in body and r"\toprule" in body and r"\label{prop:spe}" in body
    assert r"\section{Numerical verification}" in body and "Passed & 50" in body
    assert sorted(p.name for p in (a / "figures").glob("*.pdf")) == ["openness.pdf", "regimes.pdf"]
    assert not list(a.glob(".tmp-*")) and not list((a / "figures").glob(".tmp-*"))


def test_two_runs_are_byte_identical(openness_dirs):
    a, b = openness_dirs
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    assert [n for n in fa if fa[n] != fb[n]] == []


def test_openness_has_a_proposition_per_result(openness_dirs):
    try:
        from openeq import derivations  # noqa: F401
    except ImportError:
        pytest.skip("package 'openeq.derivations' (R1..R8) is not present: only the engine's equilibrium is stated")
    body = (openness_dirs[0] / "appendix.tex").read_text()
    assert body.count(r"\begin{proposition}") >= 8
    for k in range(1, 9):
        assert rf"\label{{prop:R{k}}}" in body


STACKELBERG = """
import sys
sys.path.insert(0, {tests!r})
from test_latex_roundtrip import stackelberg
from openeq.solver.cached import solve_cached
from openeq.export.latex.appendix import write_appendix
write_appendix(solve_cached(stackelberg()), {out!r}, stream=None, samples=10)
"""


def test_stackelberg_appendix_is_identical_across_processes(tmp_path):
    """A game built through the API (Python-function payoffs, via latexify); the second run is
    another process with another hash seed."""
    from openeq.export.latex.appendix import write_appendix

    a, b = tmp_path / "a", tmp_path / "b"
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(ROOT))
    code = STACKELBERG.format(tests=str(Path(__file__).parent), out=str(b))
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
    write_appendix(solve_cached(stackelberg()), a, stream=None, samples=10)
    assert proc.wait(timeout=300) == 0
    body = (a / "appendix.tex").read_text()
    assert r"\label{prop:spe}" in body and "U_{L}" in body
    assert (a / "figures" / "strategies.pdf").exists()
    fa, fb = _files(a), _files(b)
    assert [n for n in fa if fa.get(n) != fb.get(n)] == [] and sorted(fa) == sorted(fb)


def test_appendix_compiles(openness_dirs, tmp_path):
    from openeq.export.latex.appendix import compile_pdf

    if shutil.which("latexmk") is None:
        if os.environ.get("OPENEQ_REQUIRE_LATEX"):
            pytest.fail("OPENEQ_REQUIRE_LATEX is set but latexmk is not installed")
        pytest.skip("latexmk not installed (set OPENEQ_REQUIRE_LATEX to make this a failure)")
    d = tmp_path / "build"
    shutil.copytree(openness_dirs[0], d)
    pdf = compile_pdf(d, stream=None)
    assert pdf is not None and pdf.exists()
    log = (d / "main.log").read_text(errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert errors == [], errors
    assert "undefined references" not in log and "Reference `" not in log
    assert "Citation `" not in log
