"""A small TOML writer for the hostile-model generator (the standard library reads TOML only).

``dumps(data)`` writes a model-shaped table: scalars and arrays of scalars first, then
sub-tables as ``[name]`` sections and arrays of tables as ``[[name]]``; tables inside
an array of tables are written inline (``choose = { q1 = "[0, oo)" }``).  Strings are
TOML basic strings: JSON's escapes are TOML's, plus ``\\u007f`` for DEL.  A lone
surrogate cannot be encoded as UTF-8 and is written as the escape ``\\udXXX`` (which
TOML refuses), so ``dumps`` always returns text that encodes.
"""
from __future__ import annotations

import datetime as _dt
import json
import re

__all__ = ["dumps", "key", "value"]

_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")


def _string(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")
    return "".join(f"\\u{ord(ch):04x}" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in out)


def key(k) -> str:
    k = str(k)
    return k if _BARE.match(k) else _string(k)


def value(v) -> str:
    """A TOML value; floats keep ``repr`` (``inf``/``nan`` as TOML spells them)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return "nan"
        if v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _is_table_array(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps(data: dict, *, comments: bool = False, spacing: str = " ") -> str:
    """``comments``: a comment line before every entry and section (they must not matter)."""
    eq = f"{spacing}={spacing}"
    lines, later = [], []
    note = (lambda where: lines.append(f"# hostile: a comment about {where}")) if comments else (lambda where: None)
    for k, v in data.items():
        if isinstance(v, dict) and v:
            later.append(("table", k, v))
        elif _is_table_array(v):
            later.append(("array", k, v))
        else:
            note(k)
            lines.append(f"{key(k)}{eq}{value(v)}")
    for kind, k, v in later:
        lines.append("")
        note(k)
        items = [v] if kind == "table" else v
        for item in items:
            lines.append(f"[{key(k)}]" if kind == "table" else f"[[{key(k)}]]")
            for kk, vv in item.items():
                note(f"{k}.{kk}")
                lines.append(f"{key(kk)}{eq}{value(vv)}")
            if kind == "array":
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"
