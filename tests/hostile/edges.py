"""Edges of the command line that are not model files: device files and FIFOs, a closed
stdout, non-finite and huge values, malformed ``--points`` files, output directories
left behind by killed runs, parameters outside their domains in every command.

Each edge is ``(name, argv, setup, expect)``; ``setup(d)`` prepares the scratch
directory ``d``; ``expect`` is ``"error"`` (exit 2 with one line), ``"ok"`` (exit 0),
``"either"``, ``"pipe"`` (stdout's reader is gone: exit 0 or 141 and nothing on
stderr) or ``"keep-main"`` (the user's ``out/main.tex`` survives, or exit 2).  The
argv of each is the reproducer: ``openeq`` followed by it, in the scratch directory.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from . import procs
from .generate import Case
from .run import Result, _finite_json, classify

BIG = "1" + "2345678901" * 40
STACKELBERG = str(Path(__file__).resolve().parents[2] / "examples" / "stackelberg.toml")
OPENNESS = ["alpha0=1", "delta=0.5", "c=1", "epsilon=0.1", "gamma=0.2", "theta=0.5", "p=0.1"]
STACK = ["a=2", "b=1", "c=1"]


def _write(name, data):
    def setup(d):
        Path(d, name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return setup


def _fifo(name):
    return lambda d: os.mkfifo(Path(d, name))


def _poisoned(d):
    out = Path(d, "out")
    out.mkdir()
    (out / "main.aux").write_bytes(b"")
    (out / "main.pdf").write_bytes(b"%PDF-1.5\n%truncated")
    (out / "main.fdb_latexmk").write_bytes(b"# Fdb version 3\n[\"pdflatex\"] 0 \"main.tex\" \"main.pdf\"")


def _points(obj):
    return _write("pts.json", obj if isinstance(obj, (bytes, str)) else json.dumps(obj))


def _own_main(d):
    Path(d, "out").mkdir()
    Path(d, "out", "main.tex").write_text("% my own paper\n")


EDGES = [
    ("solve-dev-zero", ["solve", "/dev/zero"], None, "error"),
    ("solve-symlink-dev-zero", ["solve", "z.toml"], lambda d: os.symlink("/dev/zero", Path(d, "z.toml")), "error"),
    ("solve-fifo", ["solve", "f.toml"], _fifo("f.toml"), "error"),
    ("solve-directory", ["solve", "dir.toml"], lambda d: Path(d, "dir.toml").mkdir(), "error"),
    ("solve-missing", ["solve", "missing.toml"], None, "error"),
    ("solve-broken-pipe", ["solve", "openness", "--json"], None, "pipe"),
    ("solve-text-broken-pipe", ["solve", STACKELBERG], None, "pipe"),
    ("eval-overflow", ["eval", "openness", "alpha0=1e300", "c=1e-300", *OPENNESS[1:2], *OPENNESS[3:], "--json"], None, "either"),
    ("eval-400-digits", ["eval", STACKELBERG, f"a={BIG}", "b=1", "c=1", "--json"], None, "either"),
    ("eval-nan", ["eval", STACKELBERG, "a=nan", "b=1", "c=1", "--json"], None, "error"),
    ("eval-inf", ["eval", STACKELBERG, "a=inf", "b=1", "c=1", "--json"], None, "error"),
    ("eval-1e309", ["eval", STACKELBERG, "a=1e309", "b=1", "c=1", "--json"], None, "error"),
    ("eval-bad-bytes", ["eval", STACKELBERG, "a=2\udcff", "b=1", "c=1", "--json"], None, "error"),
    ("eval-outside-domain", ["eval", STACKELBERG, "a=-2", "b=1", "c=1", "--json"], None, "error"),
    ("eval-subnormal", ["eval", STACKELBERG, "a=2", "b=5e-324", "c=1", "--json"], None, "either"),
    ("points-huge", ["eval", STACKELBERG, "--points", "pts.json", "--json"], _points(f'[{{"a": {BIG}, "b": 1, "c": 1}}]'), "either"),
    ("points-1e400", ["eval", STACKELBERG, "--points", "pts.json", "--json"], _points('[{"a": 1e400, "b": 1, "c": 1}]'), "error"),
    ("points-nan", ["eval", STACKELBERG, "--points", "pts.json", "--json"], _points('[{"a": NaN, "b": 1, "c": 1}]'), "error"),
    ("points-deep", ["eval", STACKELBERG, "--points", "pts.json", "--json"], _points("[" * 100000 + "]" * 100000), "error"),
    ("points-bad-bytes", ["eval", STACKELBERG, "--points", "pts.json", "--json"], _points(b'[{"a": 2, "b": 1, "c": 1\xff}]'), "error"),
    ("points-strings", ["eval", STACKELBERG, "--points", "pts.json", "--json"], _points([{"a": "1e999", "b": 1, "c": 1}]), "error"),
    ("points-overflow", ["eval", "openness", "--points", "pts.json", "--json"],
     _points([{"alpha0": 1e300, "delta": 0.5, "c": 1e-300, "epsilon": 0.1, "gamma": 0.2, "theta": 0.5, "p": 0.1}]), "either"),
    ("points-dev-zero", ["eval", STACKELBERG, "--points", "/dev/zero", "--json"], None, "error"),
    ("points-fifo", ["eval", STACKELBERG, "--points", "p.fifo", "--json"], _fifo("p.fifo"), "error"),
    ("appendix-output-is-file", ["appendix", STACKELBERG, "-o", "out", "--samples", "2"], _write("out", "x"), "error"),
    ("appendix-output-dev-null", ["appendix", STACKELBERG, "-o", "/dev/null", "--samples", "2"], None, "error"),
    ("appendix-poisoned-dir", ["appendix", STACKELBERG, "-o", "out", "--samples", "2", "--pdf"], _poisoned, "ok"),
    ("appendix-own-main-tex", ["appendix", STACKELBERG, "-o", "out", "--samples", "2"], _own_main, "keep-main"),
    ("plot-outside-domain", ["plot", "openness", "strategies", "--x", "alpha0", "delta=2", "c=-1", "epsilon=0.1",
                             "gamma=0.2", "theta=0.5", "p=0.1", "-o", "fig.pdf"], None, "error"),
    ("statics-samples-negative", ["statics", STACKELBERG, "--samples", "-5", "--json"], None, "error"),
    ("verify-samples-zero", ["verify", STACKELBERG, "--samples", "0"], None, "error"),
    ("bargain-outside-domain", ["bargain", "fine-tuning", "--over", "delta", "c0=-1", "c1=1", "--json"], None, "error"),
]


def run_edges(h, names=None) -> list:
    """Run the edges (``names``: a subset) with the harness ``h``; a list of ``Result``."""
    edges = [e for e in EDGES if names is None or e[0] in names]
    dirs, tasks = [], []
    for name, argv, setup, expect in edges:
        case = Case(f"edge:{name}", "edge", "-", b"")
        d = h.workdir(case)
        if setup:
            setup(d)
        wall = 8 if "fifo" in name else 120
        tasks.append(procs.Task(argv, str(d), cpu=60, wall=wall, env=h.env(), mode=h.mode,
                                stdout_closed=(expect == "pipe")))
        dirs.append(d)
    outs = procs.run_all(tasks, h.jobs)
    results = []
    for (name, argv, _, expect), d, out in zip(edges, dirs, outs):
        case = Case(f"edge:{name}", f"edge:{name}", "-", b"")
        cls, detail = classify(case, "edge", out, d)
        cls, detail = _expected(expect, cls, detail, out, d)
        if cls == "accepted" and "--json" in argv and expect != "pipe":
            try:
                _finite_json(out.stdout.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                cls, detail = "wrong", f"output is not valid JSON: {e}"[:200]
        results.append(Result(case.id, case.group, "edge", cls, f"openeq {' '.join(argv)}: {detail}", out.cpu))
    return results


def _expected(expect, cls, detail, out, d):
    err = out.stderr.decode("utf-8", "replace").strip()
    if expect == "pipe":
        if (out.rc in (0, 141) or out.signal == 13) and not err:
            return "accepted", ""
        return "crash", f"exit {out.rc}: {err[-200:]}"
    if expect == "keep-main":
        main = Path(d, "out", "main.tex")
        if cls == "accepted" and main.read_text(errors="replace") != "% my own paper\n":
            return "wrong", "the user's out/main.tex was overwritten"
        return cls, detail
    if expect == "ok" and cls == "clean-error":
        return "refused", detail
    if expect == "error" and cls == "accepted":
        return "wrong", "exit 0 where an error was expected: " + out.stdout.decode("utf-8", "replace")[:150]
    return cls, detail
