"""Progress bars (openeq.core.progress): on stderr, with an ETA, only on a terminal."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from openeq.core import progress

ROOT = Path(__file__).resolve().parents[1]


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_bar_shows_on_a_terminal_only(monkeypatch):
    monkeypatch.delenv("OPENEQ_PROGRESS", raising=False)
    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        with progress.bar(total=4, desc="work", stream=stream) as b:
            for _ in range(4):
                b.update(1)
            progress.say(b, "a line", stream)
    assert "work" in tty.getvalue() and "4/4" in tty.getvalue() and "<" in tty.getvalue()  # elapsed<remaining
    assert pipe.getvalue() == "a line\n"
    monkeypatch.setenv("OPENEQ_PROGRESS", "0")
    assert not progress.enabled(tty)
    monkeypatch.setenv("OPENEQ_PROGRESS", "1")
    assert progress.enabled(pipe)


def run(*argv, **env):
    e = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    e.pop("OPENEQ_PROGRESS", None) if not env else None
    return subprocess.run([sys.executable, "-m", "openeq.cli", *map(str, argv)], capture_output=True, text=True,
                          env=e, cwd=ROOT, timeout=600)


def test_verify_bar_on_stderr_and_silent_when_captured():
    quiet = run("verify", "examples/stackelberg.toml", "--samples", "5")
    assert quiet.returncode == 0 and quiet.stdout == "5 passed, 0 failed\n" and quiet.stderr == ""
    shown = run("verify", "examples/stackelberg.toml", "--samples", "5", OPENEQ_PROGRESS="1")
    assert shown.stdout == quiet.stdout  # the bar never reaches stdout
    assert "verify stackelberg" in shown.stderr and "5/5" in shown.stderr


def test_eval_bar(tmp_path):
    (tmp_path / "p.csv").write_text("a,b,c\n3,1,1\n4,1,1\n")
    shown = run("eval", "examples/stackelberg.toml", "--points", tmp_path / "p.csv", "-o", tmp_path / "o.csv",
                OPENEQ_PROGRESS="1")
    assert shown.returncode == 0 and "eval stackelberg" in shown.stderr and "B/s" in shown.stderr
