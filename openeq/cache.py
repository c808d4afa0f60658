"""A cache of derived equilibria and of what is derived from them.

``solve_cached``: key = sha256 of the model's normalised text (or the Game's
structure), the versions of openeq and sympy, and a hash of the engine's source
files.  ``cached(kind, eq, compute)``: results derived from an equilibrium (a
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

from . import __version__
from .atomic import write_atomic
from .equilibrium import Equilibrium
from .solver import solve

__all__ = ["cache_dir", "cache_key", "solve_cached", "cached", "disabled", "enabled"]

FORMAT = 1


def cache_dir() -> Path:
    env = os.environ.get("OPENEQ_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "openeq"


_ENGINE_FILES = ("prover.py", "canonical.py", "conditions.py", "equilibrium.py", "game.py", "domains.py")


def _engine_digest() -> str:
    """A hash of the engine's own source: an entry from other solver code is stale
    even when the version number did not change (a development checkout)."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    solver = sorted(str(p.relative_to(here)) for p in (here / "solver").glob("*.py"))
    for rel in solver + list(_ENGINE_FILES):
        h.update((here / rel).read_bytes())
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
        here = Path(__file__).parent
        roots = [here, here.parent / "derivations"]
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
    hit = _load(path, key)
    if hit is not None:
        return hit[0]
    value = compute()
    try:
        _store(path, key, (value,))
    except OSError as e:
        print(f"openeq: note: cache not written ({e.strerror})", file=sys.stderr)
    return pickle.loads(pickle.dumps((value,), protocol=pickle.HIGHEST_PROTOCOL))[0]


def _load(path: Path, key: str):
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


def _store(path: Path, key: str, obj) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(path, f"{key} {hashlib.sha256(payload).hexdigest()}\n".encode() + payload)


def solve_cached(game, *, use_cache=True, progress=False) -> Equilibrium:
    """``solve(game)``, reusing a cached derivation when its key matches."""
    if not (use_cache and enabled()):
        return solve(game, progress=progress)
    key = cache_key(game)
    path = cache_dir() / f"{key[:32]}.pkl"
    hit = _load(path, key)
    if hit is not None:
        regions, brs, steps, method = hit
        return Equilibrium(game, regions, brs, steps, method, from_cache=True)
    eq = solve(game, progress=progress)
    record = (eq.regions, eq.best_responses, eq.steps, eq.method)
    try:
        _store(path, key, record)
    except OSError as e:  # an unwritable cache never stops a derivation
        print(f"openeq: note: cache not written ({e.strerror})", file=sys.stderr)
    # hand back what a later run reads from the cache: unpickling rebuilds sympy
    # objects (evaluate=True), which can print differently, and output must not
    # depend on whether the cache was warm
    regions, brs, steps, method = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    return Equilibrium(game, regions, brs, steps, method)
