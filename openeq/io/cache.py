"""A cache of derived equilibria and of what is derived from them.

``cache_key(game)``: sha256 of the model's normalised text (or the Game's
structure), the versions of openeq and sympy, and a hash of the engine's source
files (``openeq.solver.cached.solve_cached`` keeps equilibria under it).  ``cached(kind, eq, compute)``: results derived from an equilibrium (a
proposition, the comparative statics, the appendix's verification), keyed by the
model's key, the kind and a hash of *all* of openeq's and the derivations' source.
``cache.disabled()`` (the CLI's ``--no-cache``) turns both off.

Entries live in ``$OPENEQ_CACHE_DIR`` or
``$XDG_CACHE_HOME/openeq`` (default ``~/.cache/openeq``).  An entry is data, never
code: JSON in which sympy expressions are trees of whitelisted constructors, read
back by a whitelisting reader (``openeq.io.cachecodec``; no pickle, no ``eval``).
It is authenticated: its first line holds its key and an HMAC-SHA256 of key and
payload under a per-user secret, ``.hmac-key-<uid>`` in the cache directory
(created with mode 0600, and used only while it is a regular file owned by this
user that no one else can read or write).  An entry whose key or HMAC does not
match -- stale, corrupt, or written by anyone who cannot read the secret -- is
re-derived and overwritten, never trusted.  An entry is written to a temporary
file and renamed into place (atomic, safe under concurrent runs).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import sympy as sp

from openeq._version import __version__
from openeq.io.atomic import write_atomic
from openeq.io.cachecodec import CodecError, dumps, loads

__all__ = ["cache_dir", "cache_key", "cached", "disabled", "enabled", "load_entry", "store_entry", "as_stored"]

FORMAT = 2  # 1: pickles (never read: they could run code)
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
    re-derives.  A fresh value is handed back as a cached one would be (written and
    read back), so output does not depend on the state of the cache; a value that
    cannot be written as data is handed back as it is and not cached."""
    if not (use_cache and enabled()):
        return compute()
    h = hashlib.sha256()
    for part in (cache_key(eq.game), kind, repr(tuple(parts)), _code_digest()):
        h.update(part.encode())
        h.update(b"\0")
    key = h.hexdigest()
    path = cache_dir() / f"{kind.split(':')[0]}-{key[:32]}.json"
    hit = load_entry(path, key)
    if hit is not None:
        return hit[0]
    value = compute()
    try:
        payload = dumps((value,))
    except CodecError:
        return value
    _save(path, key, payload)
    return loads(payload)[0]


def as_stored(obj):
    """``obj`` as a later run reads it from the cache (written as data and read back:
    reading rebuilds sympy objects, evaluate=True, which can print differently), or
    ``obj`` itself if it cannot be written as data."""
    try:
        return loads(dumps(obj))
    except CodecError:
        return obj


def _secret():
    """This user's HMAC key (bytes), made on first use; None if it cannot be had safely."""
    if not hasattr(os, "getuid"):
        return None
    path = cache_dir() / f".hmac-key-{os.getuid()}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(path):  # written whole, then linked into place: never half a key
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-key-")  # mode 0600
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32))
                os.link(tmp, path)
            except FileExistsError:  # another process made it first
                pass
            finally:
                os.unlink(tmp)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "r") as fh:
            st = os.fstat(fh.fileno())
            text = fh.read(200).strip()
    except (OSError, ValueError):  # (ValueError: a key that is not text)
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077 or len(text) != 64:
        _note(f"cache key {path} is not this user's private file; the cache is not used")
        return None
    return text.encode()


_NOTED = set()


def _note(msg):
    if msg not in _NOTED:
        _NOTED.add(msg)
        print(f"openeq: note: {msg}", file=sys.stderr)


def _mac(secret: bytes, key: str, payload: bytes) -> str:
    return hmac.new(secret, key.encode() + b"\0" + payload, hashlib.sha256).hexdigest()


def load_entry(path: Path, key: str):
    """The value stored at ``path`` for ``key``, or None (missing, stale, forged, unreadable)."""
    secret = _secret()
    if secret is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, _, payload = blob.partition(b"\n")
    try:
        stored_key, mac = head.decode("ascii").split()
    except (UnicodeDecodeError, ValueError):
        return None
    if stored_key != key or not hmac.compare_digest(mac, _mac(secret, key, payload)):
        return None
    try:
        return loads(payload)
    except CodecError:  # from an incompatible build: re-derive
        return None


def store_entry(path: Path, key: str, obj) -> None:
    """Write ``obj`` as the entry for ``key`` at ``path``.  A value that is not data, or a
    cache without a usable key, is not written; ``OSError`` if the file cannot be."""
    try:
        payload = dumps(obj)
    except CodecError:
        return
    _write(path, key, payload)


def _write(path: Path, key: str, payload: bytes) -> None:
    secret = _secret()
    if secret is not None:
        write_atomic(path, f"{key} {_mac(secret, key, payload)}\n".encode() + payload)


def _save(path: Path, key: str, payload: bytes) -> None:
    try:
        _write(path, key, payload)
    except OSError as e:  # an unwritable cache never stops a derivation
        print(f"openeq: note: cache not written ({e.strerror})", file=sys.stderr)
