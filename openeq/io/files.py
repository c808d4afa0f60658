"""Reading an input file safely: only a regular file, and never more than a cap.

A FIFO without a writer would block ``open`` for ever, and ``/dev/zero`` would be read
until memory runs out. So the file is opened non-blocking, refused unless ``fstat``
says it is a regular file, and then read through the same descriptor (no race between
the check and the read).
"""
from __future__ import annotations

import os
import stat

__all__ = ["open_regular", "read_capped"]


def open_regular(path):
    """``path`` opened for binary reading; ``OSError`` (with ``strerror``) if it cannot be
    opened or is not a regular file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file (a directory, FIFO or device)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_capped(path, limit: int) -> bytes:
    """The bytes of the regular file ``path``; ``OSError`` if it holds more than ``limit``."""
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OSError(0, f"file is too large (at most {limit} bytes)")
    return data
