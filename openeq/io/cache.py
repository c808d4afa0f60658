"""A cache of derived equilibria and of what is derived from them.

``cache_key(game)``: sha256 of the model's normalised text (or the Game's
structure), the versions of openeq and sympy, and a hash of the engine's source
files (``openeq.solver.cached.solve_cached`` keeps equilibria under it).  ``cached(kind, eq, compute)``: results derived from an equilibrium (a
proposition, the comparative statics, the appendix's verification), keyed by the
model's key, the kind and a hash of *all* of openeq's and the derivations' source.
``cache.disabled()`` (the CLI's ``--no-cache``) turns both off.

Entries live in ``$OPENEQ_CACHE_DIR`` or
``$XDG_CACHE_HOME/openeq`` (default ``~/.cache/openeq``).  An entry is written
to a temporary file and renamed into place (atomic, safe under concurrent
runs); it stores its key and a sha256 of its payload, so a stale or corrupt
entry is detected and re-derived, never trusted.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from contextlib import contextmanager
from pathlib import Path

import sympy as sp

from openeq._version import __version__
from openeq.io.atomic import write_atomic

__all__ = ["cache_dir", "cache_key", "cached", "disabled", "enabled", "load_entry", "store_entry"]

FORMAT = 1
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # openeq/


def cache_dir() -> Path:
    env = os.environ.get("OPENEQ_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "openeq"


_ENGINE_PACKAGES = ("core", "prove", "solver")  # the code an equilibrium is derived by


def _engine_digest() -> str:
    """A hash of the engine's own source: an entry from other solver code is stale
    even when the version number did not change (a development checkout)."""
    h = hashlib.sha256()
    root = _PACKAGE_ROOT
    for pkg in _ENGINE_PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def cache_key(game) -> str:
    text = game.source if game.source is not None else game.structure_key()
    h = hashlib.sha256()
    for part in (f"format={FORMAT}", f"openeq={__version__}", f"engine={_engine_digest()}",
                 f"sympy={sp.__version__}", text):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


_DISABLED = False  # inside cache.disabled() (--no-cache): every lookup misses, nothing is written


def enabled() -> bool:
    return not _DISABLED


@contextmanager
def disabled():
    """The cache off inside the block (``--no-cache`` for one command), as before after it."""
    global _DISABLED
    before, _DISABLED = _DISABLED, True
    try:
        yield
    finally:
        _DISABLED = before


_CODE_DIGEST = None


def _code_digest() -> str:
    """A hash of every source file of openeq and of the ``derivations`` package
    beside it: an analysis's result may depend on any of them."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        h = hashlib.sha256()
        here = _PACKAGE_ROOT
        roots = [here, here.parent / "derivations"]  # (a wheel holds the derivations inside openeq/)
        for root in roots:
            for path in sorted(root.rglob("*.py")) if root.is_dir() else ():
                h.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes())
        _CODE_DIGEST = h.hexdigest()
    return _CODE_DIGEST


def cached(kind: str, eq, compute, *, parts=(), use_cache=True):
    """``compute()`` for the equilibrium ``eq``, kept in the disk cache.

    The key is the model's (``cache_key``), ``kind`` and ``parts``, and a hash of all
    of openeq's and the derivations' source (``_code_digest``), so any code change
    re-derives.  A fresh value is handed back as a cached one would be (through
    pickle), so output does not depend on the state of the cache."""
    if not (use_cache and enabled()):
        return compute()
    h = hashlib.sha256()
    for part in (cache_key(eq.game), kind, repr(tuple(parts)), _code_digest()):
        h.update(part.encode())
        h.update(b"\0")
    key = h.hexdigest()
    path = cache_dir() / f"{kind.split(':')[0]}-{key[:32]}.pkl"
    hit = load_entry(path, key)
    if hit is not None:
        return hit[0]
    value = compute()
    try:
        store_entry(path, key, (value,))
    except OSError as e:
        print(f"openeq: note: cache not written ({e.strerror})", file=sys.stderr)
    return pickle.loads(pickle.dumps((value,), protocol=pickle.HIGHEST_PROTOCOL))[0]


def load_entry(path: Path, key: str):
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, _, payload = blob.partition(b"\n")
    try:
        stored_key, digest = head.decode().split()
    except ValueError:
        return None
    if stored_key != key or hashlib.sha256(payload).hexdigest() != digest:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # corrupt or from an incompatible build: re-derive
        return None


def store_entry(path: Path, key: str, obj) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(path, f"{key} {hashlib.sha256(payload).hexdigest()}\n".encode() + payload)
