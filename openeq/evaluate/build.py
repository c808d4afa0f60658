"""Building the compiled kernel: the system C compiler, a kernel directory, the shared library.

``build(src)`` returns the path of the shared library for the C source ``src``,
from the kernel directory (keyed by a hash of the source, the compiler, its flags
and the CPU) or built there (in a temporary directory, then installed with its
sha256).  The kernel directory is private, never a shared path, and a kernel is
loaded only after its owner, permissions and checksum are checked
(``openeq.evaluate.kernelstore``).
"""
from __future__ import annotations

import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from openeq.evaluate.codegen import FastpathUnavailable
from openeq.evaluate.kernelstore import install, kernel_dir

__all__ = ["build", "compiler", "kernel_digest", "note_once", "CFLAGS", "NATIVE"]

# IEEE arithmetic (no -ffast-math: NaN and infinity must behave as in numpy); no FMA contraction
CFLAGS = ["-O3", "-fPIC", "-shared", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"]
NATIVE = ["-march=native"]  # dropped when the compiler refuses it; the cache key names the CPU

_NOTE_LOCK = threading.Lock()
_NOTED = set()


def note_once(msg):
    with _NOTE_LOCK:
        if msg in _NOTED:
            return
        _NOTED.add(msg)
    print(f"openeq: note: {msg}", file=sys.stderr, flush=True)


def compiler():
    """The C compiler command (a list), or None: ``$CC`` if set, else cc, gcc or clang."""
    env = os.environ.get("CC")
    if env:
        cmd = shlex.split(env)
        return cmd if cmd and shutil.which(cmd[0]) else None
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path:
            return [path]
    return None


def _cpu_id() -> str:
    """What ``-march=native`` depends on: the CPU model and flags."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            lines = [ln for ln in fh.read().splitlines() if ln.split(":")[0].strip() in ("model name", "flags", "Features", "CPU part")]
        return "\n".join(dict.fromkeys(lines))
    except OSError:
        return platform.processor() or platform.machine()


def _compile(cc, flags, c_file, so_file):
    try:
        proc = subprocess.run([*cc, *flags, "-o", so_file, c_file, "-lm"], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "timed out"
    if proc.returncode != 0:
        err = (proc.stderr or proc.stdout).strip().splitlines()
        return err[0] if err else f"exit status {proc.returncode}"
    return None


def kernel_digest(src: str, cc) -> str:
    """What names a kernel: its source, the compiler and flags, and the machine."""
    h = hashlib.sha256()
    for part in (src, " ".join(cc), " ".join(CFLAGS + NATIVE), platform.machine(), platform.system(), _cpu_id()):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def build(src: str, rebuild=False) -> Path:
    """The shared library for ``src``: the one in the kernel directory, or built there (to a
    temporary file, installed with its checksum).  The directory is private
    (``openeq.evaluate.kernelstore``); the library is checked again when it is loaded."""
    cc = compiler()
    if cc is None:
        raise FastpathUnavailable("no C compiler found (set CC)")
    where = kernel_dir()  # never a shared path
    lib = where / f"kernel-{kernel_digest(src, cc)}.so"
    if lib.exists() and not rebuild:
        return lib
    try:
        tmpdir = tempfile.mkdtemp(dir=where, prefix=".build-")
    except OSError as e:
        raise FastpathUnavailable(f"no writable directory to build the kernel in ({e})") from None
    try:
        c_file = os.path.join(tmpdir, "kernel.c")
        so_tmp = os.path.join(tmpdir, "kernel.so")
        with open(c_file, "w", encoding="utf-8") as fh:
            fh.write(src)
        err = _compile(cc, CFLAGS + NATIVE, c_file, so_tmp)
        if err is not None:  # e.g. a compiler without -march=native
            err = _compile(cc, CFLAGS, c_file, so_tmp)
        if err is not None:
            raise FastpathUnavailable(f"the C compiler failed: {err}")
        install(so_tmp, lib)
        return lib
    except OSError as e:
        raise FastpathUnavailable(f"building the kernel failed: {e}") from None
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
