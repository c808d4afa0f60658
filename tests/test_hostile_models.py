"""The hostile-model corpus (``tests/hostile``) in CI: a small deterministic part of it.

The generator writes 3,871 mutated and malicious model files (``generate(SEED)``);
running all of them takes many minutes, so CI runs the cases that test issue 10's
security fixes -- code in a model file never runs, LaTeX payloads never reach the
document, degenerate domains and contradicting assumptions are refused cleanly --
on the cheapest base model (``QUICK``), each through ``openeq solve FILE --json`` in
a forked child of this warm interpreter under a CPU-time limit
(``tests/hostile/procs.py``), and the issue's reproducer (Python in the
description) through ``appendix``.  The whole corpus, with the classes of every
outcome: ``python -m tests.hostile.run [--full] [--edges]``; the files:
``python -m tests.hostile.generate DIR``.
"""
from __future__ import annotations

import os
import shutil

import pytest

from tests.hostile import procs
from tests.hostile.generate import generate
from tests.hostile.run import FAILURES, Harness, needed, report

pytestmark = pytest.mark.xdist_group("hostile-quick")  # the module fixture runs once, on one worker
SEED = 0
CPU = int(os.environ.get("OPENEQ_HOSTILE_CPU", "8"))  # seconds of CPU per command (a limit of the harness)
BASE = "stackelberg"
# group prefixes of the quick run: one case per group, the first of the corpus on BASE
QUICK = ("payload:description:", "payload:title:", "payload:label:", "payload:latex:",
         "payload:parameter-domain:", "bytes:escape:", "domain:", "assume:contradiction",
         "assume:degenerate", "type:latex")
APPENDIX = ("payload:description:python", "payload:latex:latex")  # the first case of each, through appendix


def quick(corpus):
    seen, out = set(), []
    for c in corpus:
        if c.base == BASE and c.group.startswith(QUICK) and c.group not in seen:
            seen.add(c.group)
            out.append(c)
    return out


@pytest.fixture(scope="module")
def corpus():
    return generate(SEED)


@pytest.fixture(scope="module")
def results(corpus, tmp_path_factory):
    h = Harness(tmp_path_factory.mktemp("hostile"), jobs=2, cpu=CPU)
    cases = quick(corpus)
    h.prepare(needed(cases))
    out = h.solve(cases)
    app = [next(c for c in corpus if c.base == BASE and c.group == g and c.appendix) for g in APPENDIX]
    out += h.appendix(app, cpu=4 * CPU)
    shutil.rmtree(h.root, ignore_errors=True)
    return out


def test_corpus_is_large_and_varied(corpus):
    assert len(corpus) >= 1000
    assert len({c.id for c in corpus}) == len(corpus)
    for category in ("payload", "resource", "names", "bytes", "domain", "assume", "type", "drop", "dup", "cosmetic"):
        assert any(c.category == category for c in corpus), category


def test_quick_part_covers_every_payload_kind(corpus):
    groups = {c.group for c in quick(corpus)}
    for field in ("description", "title", "label", "latex"):
        for kind in ("python", "sympy", "latex"):
            assert f"payload:{field}:{kind}" in groups
    assert len(groups) >= 25


@pytest.mark.parametrize("cls", FAILURES)
def test_no_failures(results, cls):
    bad = [r for r in results if r.cls == cls]
    assert not bad, f"{len(bad)} cases {cls}:\n" + report(bad)


def test_the_appendix_ran(results):
    assert [r.cls for r in results if r.command == "appendix"] and \
        all(r.cls in ("accepted", "clean-error") for r in results if r.command == "appendix")


def test_the_harness_sees_a_crash_a_hang_and_executed_code(tmp_path):
    """The instrument itself: a signal, a CPU limit and a sentinel file are detected."""
    import sys

    from tests.hostile.generate import Case
    from tests.hostile.run import classify

    case = Case("probe", "probe", "-", b"")
    for code, expect in (("import os; os.kill(os.getpid(), 9)", "crash"), ("while True: pass", "hang"),
                         ("open('oeq-sentinel', 'w')", "code-executed"),
                         ("import sys; print('openeq: error: x', file=sys.stderr); sys.exit(2)", "clean-error")):
        task = procs.Task(["-c", code], str(tmp_path), cpu=1, mode="exec", program=(sys.executable,))
        out = procs.run_all([task], 1)[0]
        assert classify(case, "solve", out, tmp_path)[0] == expect, (code, out)
        for p in tmp_path.glob("oeq-sentinel*"):
            p.unlink()
