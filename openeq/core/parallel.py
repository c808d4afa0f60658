"""Independent jobs on several cores, answered in a fixed order.

``run_jobs(jobs, workers=None, stream=None)`` runs ``jobs``, a list of
``(label, fn)`` with ``fn()`` taking no arguments, and returns one ``(ok, value)``
per job, in the order given: ``(True, fn())`` or ``(False, exception)``.

Workers are *forked* (POSIX), so a job may be any closure over the caller's
objects (an ``Equilibrium``, say): nothing is pickled on the way in, only each
job's value on the way back.  A job's value does not depend on which worker ran
it or when, so the answers are the same as a serial run's; that is what makes
output built from them deterministic.  Jobs are handed out in the order given,
so put the long ones first.

The number of workers is ``workers``, else the environment variable
``OPENEQ_JOBS``, else the usable cores; it is capped by the number of jobs.  One
worker, a platform without ``fork``, a job list of one, or a caller that is itself
a pool's worker (jobs that start jobs) runs serially in this process.  Calls may
nest (a job may call ``run_jobs``), and workers die with their parent.  A worker that
dies (the system's out-of-memory killer, say) is an ``OpeneqError`` naming the jobs left
unanswered, never a wait without end.  With a
``stream``, progress is a bar on it (``openeq.core.progress``: only on a terminal).
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time

from openeq.core.errors import OpeneqError

__all__ = ["run_jobs", "worker_count", "usable_cores"]

_JOBS = {}  # token -> the job list of a run_jobs call under way, inherited by forked workers
_NEXT = [0]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def worker_count(requested=None) -> int:
    """``requested``, else ``$OPENEQ_JOBS``, else the usable cores (at least 1)."""
    if requested is None:
        env = os.environ.get("OPENEQ_JOBS", "").strip()
        if env:
            try:
                requested = int(env)
            except ValueError:
                raise OpeneqError(f"OPENEQ_JOBS={env!r}: expected a whole number of workers") from None
    if requested is None:
        requested = usable_cores()
    return max(1, int(requested))


def _call(task):
    token, i = task
    label, fn = _JOBS[token][i]
    t0 = time.perf_counter()
    try:
        value = fn()
        ok = True
    except Exception as e:  # handed back to the caller, which decides
        value, ok = e, False
    dt = time.perf_counter() - t0
    try:  # an exception or value that cannot be pickled still comes back, as text
        import pickle

        pickle.dumps(value)
    except Exception as e:
        value, ok = RuntimeError(f"{label}: result could not be sent back ({type(e).__name__}: {e})"), False
    return i, ok, value, dt


def run_jobs(jobs, workers=None, stream=None, prefix="") -> list:
    jobs = list(jobs)
    n = min(worker_count(workers), len(jobs))
    out = [None] * len(jobs)
    fork = "fork" in multiprocessing.get_all_start_methods() and sys.platform != "win32"
    fork = fork and not _IN_WORKER[0] and not multiprocessing.current_process().daemon
    token = _NEXT[0] = _NEXT[0] + 1  # each call its own entry: run_jobs may be called from a job
    _JOBS[token] = jobs
    tasks = [(token, i) for i in range(len(jobs))]
    from openeq.core.progress import bar

    desc = prefix.strip().rstrip(":") or "jobs"
    b = bar(total=len(jobs), desc=desc, unit="job", stream=stream, show=False if stream is None else None)
    try:
        for i, ok, value, dt in (map(_call, tasks) if n <= 1 or not fork else _forked(tasks, n, jobs)):
            out[i] = (ok, value)
            b.update(1)
            b.set_postfix_str(f"{jobs[i][0]}{'' if ok else ' failed'}")
    finally:
        b.close()
        del _JOBS[token]
    return out


def _forked(tasks, n, jobs):
    """The answers of ``tasks`` from ``n`` forked workers, as they come.  A worker that dies
    (killed by the system, out of memory) is an error naming the jobs left unanswered; a
    ``multiprocessing.Pool`` would replace the worker and wait for its answer forever."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=_worker_init)
    futures = {pool.submit(_call, t): t[1] for t in tasks}
    done = set()
    try:
        for f in as_completed(futures):
            yield f.result()
            done.add(futures[f])
    except BrokenProcessPool:
        left = ", ".join(jobs[i][0] for i in sorted(set(futures.values()) - done))
        raise OpeneqError(f"a worker process died (killed by the system, perhaps out of memory) while "
                          f"computing: {left}") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_IN_WORKER = [False]  # set in a forked worker: jobs that start jobs run serially there


def _worker_init():
    _IN_WORKER[0] = True
    _die_with_parent()


def _die_with_parent():
    """In a worker: end when the parent process dies (Linux), so that a killed run
    leaves no workers behind writing cache entries."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own cleanup is all there is
        pass
