"""Progress bars for long commands (verify, appendix, statics, big evaluations).

``bar(total, desc)`` is a ``tqdm`` bar with an ETA on stderr.  It is silent when
stderr is not a terminal (a log file, a pipe, CI, the test suite), so that output
captured from openeq never holds progress noise; ``OPENEQ_PROGRESS=1`` shows it
anyway and ``OPENEQ_PROGRESS=0`` hides it everywhere.  A bar never writes to
stdout, and nothing an answer depends on goes through it.
"""
from __future__ import annotations

import os
import sys

__all__ = ["bar", "enabled", "say"]


def enabled(stream=None) -> bool:
    """Whether a bar on ``stream`` (default stderr) is shown."""
    env = os.environ.get("OPENEQ_PROGRESS", "").strip()
    if env in ("0", "1"):
        return env == "1"
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class _Silent:
    """What ``bar`` returns when it shows nothing: the same methods, doing nothing."""

    n = 0

    def update(self, k=1):
        self.n += k

    def reset(self, total=None):
        self.n = 0

    def set_postfix_str(self, *_a, **_k):
        pass

    def set_description_str(self, *_a, **_k):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def bar(total=None, desc="", unit="it", unit_scale=False, stream=None, show=None):
    """A progress bar (``update(k)``, ``set_postfix_str(s)``, ``close()``; a context
    manager).  ``show``: force it on or off; default ``enabled(stream)``."""
    stream = sys.stderr if stream is None else stream
    if not (enabled(stream) if show is None else show):
        return _Silent()
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is a dependency; a broken install just loses the bar
        return _Silent()
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, file=stream, leave=False,
                dynamic_ncols=True, mininterval=0.25, smoothing=0.1)


def say(b, msg, stream=None):
    """Print the line ``msg`` on ``stream`` (default stderr) without tearing the bar ``b``."""
    stream = sys.stderr if stream is None else stream
    if hasattr(b, "write") and not isinstance(b, _Silent):
        b.write(msg, file=stream)
    else:
        print(msg, file=stream, flush=True)
