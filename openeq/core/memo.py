"""In-process memo tables, with one API.

A :class:`Memo` maps keys to values that are pure functions of the key (a
canonical form, a sign proof, a solved relation, a drawn point set).  It holds at
most ``limit`` entries and is emptied when full (the keys recur in bursts, so a
simple reset costs little and keeps memory bounded).  Every memo registers itself,
so that ``clear_all()`` empties them together (tests, and a long-lived notebook
session that wants its memory back).  The disk cache is ``openeq.io.cache``.
"""
from __future__ import annotations

__all__ = ["Memo", "clear_all", "memos"]

_ALL = []


class Memo:
    """A bounded memo table: ``get(key)``, ``put(key, value)``, ``lookup(key, compute)``."""

    _MISSING = object()

    def __init__(self, name: str, limit: int = 20_000):
        self.name, self.limit = name, limit
        self._data = {}
        _ALL.append(self)

    def get(self, key, default=None):
        return self._data.get(key, default)

    def __contains__(self, key) -> bool:
        return key in self._data

    def put(self, key, value):
        if key not in self._data and len(self._data) >= self.limit:
            self._data.clear()
        self._data[key] = value
        return value

    def setdefault(self, key, value):
        hit = self._data.get(key, self._MISSING)
        return self.put(key, value) if hit is self._MISSING else hit

    def lookup(self, key, compute):
        """The value for ``key``, computed by ``compute()`` the first time."""
        hit = self._data.get(key, self._MISSING)
        return hit if hit is not self._MISSING else self.put(key, compute())

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Memo({self.name!r}, {len(self)}/{self.limit})"


def memos() -> list:
    """Every memo table of the process."""
    return list(_ALL)


def clear_all() -> None:
    for m in _ALL:
        m.clear()
