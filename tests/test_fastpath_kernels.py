"""Planted and corrupt kernels are never loaded (issue 10): not from the cache, not from the old
shared fallback path, not from a directory others can write, not when truncated."""
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from openeq.evaluate import build, kernelstore
from openeq.evaluate import compiled as fastpath
from openeq.evaluate.vectorized import Vectorized
from openeq.io.modelfile import resolve_model
from openeq.solver.cached import solve_cached

pytestmark = pytest.mark.skipif(fastpath.compiler() is None, reason="no C compiler")

EVIL = r"""
#include <stdio.h>
#include <stdint.h>
__attribute__((constructor)) static void pwn(void) { FILE *f = fopen("%s", "w"); if (f) fclose(f); }
int64_t openeq_eval(int64_t a, int64_t b, const double *const *in, int64_t *r, double *const *o) { return 0; }
"""


@pytest.fixture
def eq(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(fastpath, "_COMPILED", {})
    monkeypatch.setattr(build, "_NOTED", set())
    return solve_cached(resolve_model(Path(__file__).resolve().parents[1] / "examples" / "stackelberg.toml"))


def _evil_kernel(tmp_path, sentinel) -> bytes:
    c = tmp_path / "evil.c"
    c.write_text(EVIL % sentinel)
    so = tmp_path / "evil.so"
    subprocess.run([*fastpath.compiler(), "-shared", "-fPIC", "-o", str(so), str(c)], check=True)
    return so.read_bytes()


def _digest(eq):
    return build.kernel_digest(fastpath.generate_source(eq)[0], fastpath.compiler())


def _check_eval(eq):
    cols = {"a": np.array([3.0, 5.0]), "b": np.array([1.0, 2.0]), "c": np.array([1.0, 0.5])}
    out = fastpath.evaluate_columns(eq, cols)
    want = Vectorized(eq)(cols)
    np.testing.assert_allclose(out["strategies"]["q1"], want["strategies"]["q1"])
    return fastpath.compile_equilibrium(eq)


def test_planted_kernel_in_the_cache_is_not_loaded(eq, tmp_path):
    sentinel = tmp_path / "pwned"
    lib = tmp_path / "cache" / "fastpath" / f"kernel-{_digest(eq)}.so"
    lib.parent.mkdir(parents=True)
    evil = _evil_kernel(tmp_path, sentinel)
    for checksum in (None, "0" * 64):  # no checksum, a wrong one
        fastpath._COMPILED.clear()
        lib.unlink(missing_ok=True)  # (never rewrite a loaded library in place)
        lib.write_bytes(evil)
        sums = Path(str(lib) + ".sha256")
        if checksum is None:
            sums.unlink(missing_ok=True)
        else:
            sums.write_text(checksum)
        ev = _check_eval(eq)
        assert isinstance(ev, fastpath.CompiledEquilibrium) and not sentinel.exists()
        assert lib.read_bytes() != evil  # rebuilt in place


def test_old_shared_fallback_path_is_never_used(eq, tmp_path, monkeypatch):
    sentinel = tmp_path / "pwned"
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    shared = Path(tempfile.gettempdir()) / f"openeq-fastpath-{os.getuid()}"
    made = not shared.exists()
    shared.mkdir(exist_ok=True)
    planted = shared / f"kernel-{_digest(eq)}.so"
    existed = planted.exists()
    try:
        planted.write_bytes(_evil_kernel(tmp_path, sentinel))
        Path(str(planted) + ".sha256").write_text(__import__("hashlib").sha256(planted.read_bytes()).hexdigest())
        ev = _check_eval(eq)
        assert not sentinel.exists()
        assert isinstance(ev, fastpath.CompiledEquilibrium)
        assert ev.library.parent != shared and ev.library.parent.name.startswith("openeq-fastpath-")
        assert (ev.library.parent.stat().st_mode & 0o077) == 0  # a private mkdtemp directory
    finally:
        if not existed:
            planted.unlink(missing_ok=True)
            Path(str(planted) + ".sha256").unlink(missing_ok=True)
        if made:
            shared.rmdir()


def test_kernel_directory_writable_by_others_is_not_used(eq, tmp_path):
    sentinel = tmp_path / "pwned"
    where = tmp_path / "cache" / "fastpath"
    where.mkdir(parents=True)
    lib = where / f"kernel-{_digest(eq)}.so"
    lib.write_bytes(_evil_kernel(tmp_path, sentinel))
    Path(str(lib) + ".sha256").write_text(__import__("hashlib").sha256(lib.read_bytes()).hexdigest())
    where.chmod(0o777)
    ev = _check_eval(eq)
    assert not sentinel.exists() and ev.library.parent != where
    with pytest.raises(kernelstore.KernelRejected):
        kernelstore.loadable(lib)


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to make a file another user's")
def test_kernel_owned_by_another_user_is_not_loaded(eq, tmp_path):
    sentinel = tmp_path / "pwned"
    lib = tmp_path / "cache" / "fastpath" / f"kernel-{_digest(eq)}.so"
    lib.parent.mkdir(parents=True)
    lib.write_bytes(_evil_kernel(tmp_path, sentinel))
    Path(str(lib) + ".sha256").write_text(__import__("hashlib").sha256(lib.read_bytes()).hexdigest())
    os.chown(lib, 65534, 65534)
    _check_eval(eq)
    assert not sentinel.exists()


def test_truncated_kernel_is_rebuilt(eq, tmp_path):
    ev = _check_eval(eq)
    lib = ev.library
    data = lib.read_bytes()
    lib.unlink()  # (never rewrite a loaded library in place)
    lib.write_bytes(data[: len(data) // 3])  # what a killed copy or a full disk leaves
    with pytest.raises(kernelstore.KernelRejected):
        kernelstore.loadable(lib)
    fastpath._COMPILED.clear()
    ev2 = _check_eval(eq)
    assert isinstance(ev2, fastpath.CompiledEquilibrium) and ev2.library == lib
    assert len(lib.read_bytes()) == len(data)
    kernelstore.loadable(lib)  # its checksum matches again
