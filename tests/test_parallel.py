"""openeq.parallel: jobs on forked workers, answered in order, failures handed back."""
from __future__ import annotations

import os
import threading

import pytest

from openeq.core.parallel import run_jobs, worker_count


def _jobs():
    big = list(range(1000))  # a closure over the caller's data: inherited by the fork, never pickled
    return [
        ("sum", lambda: sum(big)),
        ("pid", os.getpid),
        ("fails", lambda: 1 / 0),
        ("unpicklable", lambda: threading.Lock()),
        ("square", lambda: [x * x for x in big[:5]]),
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_answers_come_back_in_order_with_failures(workers):
    out = run_jobs(_jobs(), workers=workers)
    assert [ok for ok, _ in out] == [True, True, False, False, True]
    assert out[0][1] == sum(range(1000))
    assert out[4][1] == [0, 1, 4, 9, 16]
    assert isinstance(out[2][1], ZeroDivisionError)
    assert isinstance(out[3][1], RuntimeError) and "unpicklable" in str(out[3][1])
    ran_here = out[1][1] == os.getpid()
    assert ran_here == (workers == 1)  # two workers: the jobs really ran in other processes


def test_progress_is_a_bar_naming_the_jobs(capsys, monkeypatch):
    """The bar (openeq.core.progress) counts the jobs and names the last one done; it is
    silent when stderr is not a terminal (as under pytest), shown with OPENEQ_PROGRESS=1."""
    import sys

    monkeypatch.delenv("OPENEQ_PROGRESS", raising=False)
    run_jobs(_jobs()[:2], workers=2, stream=sys.stderr, prefix="> ")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("OPENEQ_PROGRESS", "1")
    run_jobs(_jobs()[:2], workers=2, stream=sys.stderr, prefix="> ")
    err = capsys.readouterr().err
    assert "2/2" in err and ("sum" in err or "pid" in err)


def test_worker_count_reads_the_environment(monkeypatch):
    monkeypatch.setenv("OPENEQ_JOBS", "3")
    assert worker_count() == 3
    assert worker_count(1) == 1
    monkeypatch.setenv("OPENEQ_JOBS", "0")
    assert worker_count() == 1
    monkeypatch.setenv("OPENEQ_JOBS", "many")
    with pytest.raises(ValueError, match="OPENEQ_JOBS='many'"):
        worker_count()


def test_appendix_on_two_cores_is_the_serial_appendix(monkeypatch, tmp_path):
    """The appendix computes its parts on all cores; the document must not change."""
    from pathlib import Path

    from openeq.solver.cached import solve_cached
    from openeq.export.latex.appendix import build_document
    from openeq.export.latex.tables import clear_memo
    from openeq.io.modelfile import resolve_model

    model = Path(__file__).resolve().parents[1] / "examples" / "stackelberg.toml"
    bodies = []
    for jobs in ("1", "2"):  # each run from scratch: its own empty disk cache, no memo, a fresh solve
        monkeypatch.setenv("OPENEQ_JOBS", jobs)
        monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path / f"cache-{jobs}"))
        clear_memo()
        eq = solve_cached(resolve_model(str(model)))
        body, figures, _ = build_document(eq, samples=5)
        assert any((tmp_path / f"cache-{jobs}").iterdir())
        bodies.append((body, [(name, data) for name, data, _, _ in figures]))
    clear_memo()
    assert bodies[0] == bodies[1]


def test_a_worker_killed_by_the_system_is_an_error_not_a_hang():
    """A worker that dies (here it kills itself as the kernel's OOM killer would) ends the run
    with an error naming the job it left unanswered; multiprocessing.Pool used to replace
    the worker and wait for the answer forever (seen on an appendix whose job took 24 GB)."""
    import signal

    from openeq.core.errors import OpeneqError

    jobs = [("killed", lambda: os.kill(os.getpid(), signal.SIGKILL)), ("sum", lambda: sum(range(10)))]
    with pytest.raises(OpeneqError, match="worker process died.*killed"):
        run_jobs(jobs, workers=2)
    assert run_jobs(jobs[1:] * 2, workers=2) == [(True, 45), (True, 45)]
