"""openeq plot: the four figures are written, deterministically, and bad input is one line."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXED = ["delta=0.5", "c=1", "epsilon=1", "gamma=1"]


def run(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "openeq.cli", "plot", "openness", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_figures_written_and_deterministic(tmp_path):
    jobs = {
        "regimes.pdf": ["regimes", "--x", "alpha0", "--y", "theta", *FIXED, "p=0.05"],
        "lever.png": ["lever", "--x", "theta", "--y", "alpha0", *FIXED, "p=0.05"],
        "strategies.pdf": ["strategies", "--x", "alpha0", *FIXED, "theta=0.5", "p=0.05", "--baseline", "p=0"],
        "welfare.png": ["welfare", "--x", "theta", *FIXED, "alpha0=0.5", "p=0.05", "--baseline", "p=0"],
    }
    for name, args in jobs.items():
        r = run(*args, "-o", str(tmp_path / name))
        assert r.returncode == 0, r.stderr
        assert (tmp_path / name).stat().st_size > 1000
    again = tmp_path / "again.pdf"
    assert run(*jobs["regimes.pdf"], "-o", str(again)).returncode == 0
    assert again.read_bytes() == (tmp_path / "regimes.pdf").read_bytes()


def test_bad_plot_input(tmp_path):
    r = run("regimes", "--x", "alpha0", "--y", "theta", *FIXED, "-o", str(tmp_path / "x.pdf"))  # p missing
    assert r.returncode == 2 and "'p'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("regimes", "--x", "nope", "--y", "theta", *FIXED, "p=1", "-o", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and "nope" in r.stderr


def test_no_connector_across_a_jump():
    """A curve that jumps gets a NaN between the two sides (no vertical line is drawn); a
    continuous one, however steep in places, is drawn as it is."""
    import numpy as np

    from openeq.export.latex.figures import broken_at_jumps

    x = np.linspace(0.0, 2.0, 401)
    step = np.where(x < 0.9, 0.5, 0.0) + 0.1 * x
    bx, by = broken_at_jumps(x, step)
    gap = np.nonzero(np.isnan(by))[0]
    assert gap.size == 1 and bx[gap[0] - 1] < 0.9 <= bx[gap[0] + 1] and np.isnan(bx[gap[0]])
    kinked = np.maximum(0.0, 1.0 - x) ** 2 + np.sin(3 * x)
    assert broken_at_jumps(x, kinked)[1].size == x.size
