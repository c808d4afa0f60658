"""Where compiled kernels are kept, and which of them may be loaded.

A kernel is a shared library: loading it runs its code, so a kernel is loaded only if

* its directory is *private*: owned by this user and writable by no one else (checked
  on the open directory, ``fstat``, so that no rename of a path component can swap it);
* the file itself is a regular file owned by this user and writable by no one else;
* its sha256 equals the one recorded beside it when it was built
  (``kernel-<digest>.so.sha256``): a truncated or corrupt kernel is rebuilt, never
  loaded.

The bytes are hashed from an open descriptor, and the library is loaded through that
same descriptor (``/proc/self/fd/N``), so what is loaded is what was checked.  The
directory is ``openeq.io.cache.cache_dir()/fastpath`` (created with mode 0700); when that
cannot be had, a private directory made by ``tempfile.mkdtemp`` for this process
(removed at exit).  A fixed path in a shared temporary directory is never used.
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

__all__ = ["kernel_dir", "install", "loadable", "KernelRejected"]

_LOCK = threading.Lock()
_PRIVATE = None  # this process's mkdtemp directory, once made
_KEEP_OPEN = []  # descriptors of loaded kernels: their /proc/self/fd names must never be reused


class KernelRejected(OSError):
    """A kernel (or its directory) that must not be loaded; the caller rebuilds it."""


def _uid():
    return os.getuid() if hasattr(os, "getuid") else None


def _check(st, what, kind):
    if not kind(st.st_mode):
        raise KernelRejected(f"{what} is not a {'directory' if kind is stat.S_ISDIR else 'regular file'}")
    if _uid() is not None and st.st_uid != _uid():
        raise KernelRejected(f"{what} is owned by uid {st.st_uid}, not by this user")
    if st.st_mode & 0o022:
        raise KernelRejected(f"{what} is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})")


def _open_dir(path: Path) -> int:
    """A descriptor of the private directory ``path`` (see the module docstring)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0))
    try:
        _check(os.fstat(fd), f"kernel directory {path}", stat.S_ISDIR)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _private_tmp() -> Path:
    global _PRIVATE
    with _LOCK:
        if _PRIVATE is None or not os.path.isdir(_PRIVATE):
            _PRIVATE = tempfile.mkdtemp(prefix="openeq-fastpath-")  # mode 0700, a fresh name
            atexit.register(shutil.rmtree, _PRIVATE, True)
        return Path(_PRIVATE)


def kernel_dir() -> Path:
    """The private directory for kernels: the cache's, else this process's own temporary one."""
    from openeq.io.cache import cache_dir

    where = cache_dir() / "fastpath"
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(_open_dir(where))
        probe = tempfile.mkdtemp(dir=where, prefix=".probe-")  # writable by us, too
        os.rmdir(probe)
        return where
    except OSError:
        return _private_tmp()


def _read(name: str, dir_fd: int, what: str):
    """(descriptor, bytes) of the file ``name`` in the directory ``dir_fd``, checked."""
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=dir_fd)
    try:
        _check(os.fstat(fd), what, stat.S_ISREG)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return fd, b"".join(chunks)
    except BaseException:
        os.close(fd)
        raise


def _write(dir_fd: int, name: str, data: bytes, mode: int) -> None:
    """Write ``name`` in the directory ``dir_fd`` atomically (a temporary name, then a rename)."""
    tmp = f".tmp-{os.getpid()}-{threading.get_ident()}-{name}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except OSError:
            pass
        raise


def install(built: str, lib: Path) -> None:
    """Put the library built at ``built`` in place as ``lib``, with its sha256 beside it."""
    with open(built, "rb") as fh:
        data = fh.read()
    dfd = _open_dir(lib.parent)
    try:
        _write(dfd, lib.name + ".sha256", (hashlib.sha256(data).hexdigest() + "\n").encode(), 0o644)
        _write(dfd, lib.name, data, 0o755)
    finally:
        os.close(dfd)


def loadable(lib: Path) -> str:
    """A name to ``dlopen`` the kernel ``lib`` by, after the checks of the module docstring;
    ``KernelRejected`` (an ``OSError``) if it fails any of them."""
    lib = Path(lib)
    dfd = _open_dir(lib.parent)
    try:
        try:
            sfd, recorded = _read(lib.name + ".sha256", dfd, f"checksum of {lib}")
            os.close(sfd)
        except FileNotFoundError:
            raise KernelRejected(f"kernel {lib} has no recorded checksum") from None
        fd, data = _read(lib.name, dfd, f"kernel {lib}")
    finally:
        os.close(dfd)
    if hashlib.sha256(data).hexdigest() != recorded.decode("ascii", "replace").strip():
        os.close(fd)
        raise KernelRejected(f"kernel {lib} does not match its checksum (truncated or altered)")
    if not os.path.isdir("/proc/self/fd"):  # no descriptor names: the checked path itself
        os.close(fd)
        return str(lib)
    with _LOCK:
        _KEEP_OPEN.append(fd)
    return f"/proc/self/fd/{fd}"
