"""Run ``openeq`` commands in child processes under the harness's limits.

Each command runs in its own process group with ``RLIMIT_CPU`` (a CPU-time limit,
the same under any load), a cap on its address space and no core files; a process
that blocks without using CPU (a FIFO, a stuck pipe) is stopped after a generous
wall-clock limit.  These are limits of the *harness*: a case that reaches one is a
*hang* of openeq.

Two modes:

* ``fork``: the child is a fork of this (warm) interpreter and calls
  ``openeq.cli.main(argv)`` with file descriptors 0-2 redirected, exactly as the
  ``openeq`` script does, without paying for Python's start and sympy's import;
* ``exec``: the child runs the real ``openeq`` command (``python -m openeq.cli``).

``run_all(tasks, jobs)`` keeps ``jobs`` children running; results come back in the
order of ``tasks``.
"""
from __future__ import annotations

import io
import os
import resource
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field

__all__ = ["Task", "Outcome", "run_all", "warm_up"]

ADDRESS_SPACE_EXTRA = 3 << 30  # bytes a child may map beyond what the warm parent had


@dataclass
class Task:
    argv: list
    cwd: str
    cpu: int = 10  # seconds of CPU time
    wall: float = 120.0  # seconds, only for processes blocked without using CPU
    env: dict = field(default_factory=dict)
    mode: str = "fork"
    stdout_closed: bool = False  # stdout is a pipe whose reader has gone (BrokenPipe)
    stdin: str | None = None
    program: tuple = ()  # exec mode: the command before argv (default: python -m openeq.cli)


@dataclass
class Outcome:
    rc: int | None  # exit status, None if killed by a signal
    signal: int | None
    stdout: bytes
    stderr: bytes
    cpu: float  # seconds of CPU the child used
    limit: str | None = None  # "cpu" or "wall" when a harness limit stopped it


def warm_up() -> None:
    """Import what the commands import, once, before the children fork."""
    import openeq.cli  # noqa: F401
    for mod in ("openeq.io.cache", "openeq.solver.cached", "openeq.io.serialize", "openeq.evaluate",
                "openeq.evaluate.compiled", "openeq.api", "openeq.export.latex.appendix",
                "openeq.export.latex.sections", "openeq.export.latex.figures", "openeq.export.latex.tables",
                "openeq.verify.numeric", "openeq.derivations"):
        try:
            __import__(mod)
        except ImportError:
            pass


def _limits(cpu: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with open("/proc/self/statm") as fh:
        vsz = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = vsz + ADDRESS_SPACE_EXTRA
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _child(task: Task, out_path: str, err_path: str, pipe_w: int | None) -> None:
    """In the forked child: never returns."""
    rc = 1
    try:
        os.setpgid(0, 0)
        os.chdir(task.cwd)
        fd_in = os.open(task.stdin or "/dev/null", os.O_RDONLY)
        os.dup2(fd_in, 0)
        fd_out = pipe_w if task.stdout_closed else os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        fd_err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd_out, 1)
        os.dup2(fd_err, 2)
        os.environ.update(task.env)
        _limits(task.cpu)
        if task.mode == "exec":
            program = list(task.program) or [sys.executable, "-m", "openeq.cli"]
            os.execv(program[0], [*program, *task.argv])
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as the Python interpreter sets it
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                      line_buffering=True)
        sys.__stdout__, sys.__stderr__ = sys.stdout, sys.stderr
        sys.argv = ["openeq", *task.argv]
        from openeq import cli

        try:
            rc = cli.main(task.argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if not isinstance(e.code, (int, type(None))):
                print(e.code, file=sys.stderr)
        except BaseException:  # what the interpreter does with an uncaught exception
            traceback.print_exc()
            rc = 1
        try:
            sys.stdout.flush()
        except BaseException:
            print("Exception ignored while flushing sys.stdout", file=sys.stderr)
            rc = 120
        sys.stderr.flush()
    except BaseException:
        try:
            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:
            pass
    finally:
        os._exit(rc if isinstance(rc, int) else 1)


def _start(task: Task, k: int):
    base = os.path.join(task.cwd, f".harness-{k}")
    out_path, err_path = base + ".out", base + ".err"
    pipe_r = pipe_w = None
    if task.stdout_closed:
        pipe_r, pipe_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        if pipe_r is not None:
            os.close(pipe_r)
        _child(task, out_path, err_path, pipe_w)
    if pipe_r is not None:
        os.close(pipe_w)
        os.close(pipe_r)  # the reader goes away at once: every write is a broken pipe
    return pid, time.monotonic(), out_path, err_path


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        os.unlink(path)
        return data
    except OSError:
        return b""


def _finish(pid, status, usage, limit, out_path, err_path, cpu_limit) -> Outcome:
    try:
        os.killpg(pid, signal.SIGKILL)  # the child's own children (workers, latexmk)
    except (ProcessLookupError, PermissionError):
        pass
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    rc = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    cpu = usage.ru_utime + usage.ru_stime
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and limit is None and cpu >= cpu_limit):
        limit = limit or "cpu"
    return Outcome(rc, sig, _read(out_path), _read(err_path), cpu, limit)


def run_all(tasks: list, jobs: int = 2, progress=None) -> list:
    """Run ``tasks``, ``jobs`` at a time; a list of ``Outcome`` in the order of ``tasks``."""
    results = [None] * len(tasks)
    pending = list(enumerate(tasks))[::-1]
    running = {}  # pid -> (index, start, out, err, wall, limit)
    done = 0
    while pending or running:
        while pending and len(running) < jobs:
            k, task = pending.pop()
            pid, start, out, err = _start(task, k)
            running[pid] = [k, start, out, err, task, None]
        reaped = False
        for pid, info in list(running.items()):
            k, start, out, err, task, limit = info
            got, status, usage = os.wait4(pid, os.WNOHANG)
            if got == 0:
                if time.monotonic() - start > task.wall and limit is None:
                    info[5] = "wall"
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                continue
            results[k] = _finish(pid, status, usage, limit, out, err, task.cpu)
            del running[pid]
            done += 1
            reaped = True
            if progress:
                progress(done, len(tasks))
        if not reaped:
            time.sleep(0.002)
    return results
