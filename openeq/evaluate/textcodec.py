"""Numbers in CSV text, both ways, at C speed (``openeq.evaluate.textcodec_c``).

* ``parse_rows(buf, ncols)`` reads the rows of a block of CSV text (whole lines,
  ``ncols`` comma-separated numbers each; blank lines skipped) into ``ncols``
  float64 columns, each number read as the double nearest to it (as ``strtod``
  and ``float()`` do); it also returns where each row's text lies, so that the
  row can be echoed into the output unchanged.
* ``format_rows(fields, echo=...)`` writes rows of numbers (the shortest of 15,
  16 or 17 significant digits that reads back as the same double; Python's
  ``repr`` layout) and labels (integer codes into a table of strings).

Both split the rows between the usable cores (ctypes releases the GIL).  The C
library is built once by the kernel builder (``openeq.evaluate.build``); without a
C compiler the same functions run in Python (``float`` and ``repr``), slower,
and say so once on stderr.
"""
from __future__ import annotations

import ctypes
import re
import threading

import numpy as np

from openeq.core.errors import InputError
from openeq.core.parallel import usable_cores

__all__ = ["parse_rows", "format_rows", "format_parts", "CsvSyntaxError", "codec", "NUMBER"]

MIN_SPLIT = 1 << 20  # bytes (parsing) below which one thread does it all
NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?i:infinity|inf|nan))")


class CsvSyntaxError(InputError):
    """A row that is not ``ncols`` comma-separated numbers: ``offset`` of its line in the
    block, ``field`` (0-based; ``ncols`` for a row with too many fields)."""

    def __init__(self, offset, field):
        super().__init__(f"bad row at byte {offset}, field {field}")
        self.offset, self.field = offset, field


_LIB = None
_LIB_LOCK = threading.Lock()
_P = ctypes.POINTER


def codec():
    """The loaded C library, or None (no compiler, or a failed build: noted once)."""
    global _LIB
    with _LIB_LOCK:
        if _LIB is None:
            _LIB = _load()
        return _LIB or None


def _load():
    from openeq.evaluate.build import build, note_once
    from openeq.evaluate.codegen import FastpathUnavailable
    from openeq.evaluate.textcodec_c import source

    try:
        src = source()
        try:
            lib = ctypes.CDLL(str(build(src)))
        except OSError:
            lib = ctypes.CDLL(str(build(src, rebuild=True)))
    except (FastpathUnavailable, OSError) as e:
        note_once(f"compiled CSV reading and writing unavailable ({e}); using Python (slower)")
        return False
    i64, vp = ctypes.c_int64, ctypes.c_void_p
    lib.openeq_parse_rows.restype = i64
    lib.openeq_parse_rows.argtypes = [vp, i64, i64, i64, vp, vp, vp, vp]
    lib.openeq_format_rows.restype = i64
    lib.openeq_format_rows.argtypes = [i64, i64, i64, vp, vp, vp, vp, vp, vp, vp, vp, vp]
    lib.openeq_format_one.restype = i64
    lib.openeq_format_one.argtypes = [ctypes.c_double, ctypes.c_char_p]
    lib.openeq_parse_one.restype = i64
    lib.openeq_parse_one.argtypes = [ctypes.c_char_p, _P(ctypes.c_double)]
    lib.openeq_codec_long_double.restype = i64
    return lib


def _pool():
    from openeq.evaluate.compiled import _pool as pool

    return pool()


def _address(buf: bytes) -> int:
    """The address of a bytes object's data (kept alive by the caller)."""
    return np.frombuffer(buf, dtype=np.uint8).ctypes.data if buf else 0


def _ptrs(arrays):
    return (ctypes.c_void_p * max(1, len(arrays)))(*[a.ctypes.data for a in arrays])


# ------------------------------------------------------------------ parsing
def _pieces(buf: bytes, k: int):
    """``k`` spans of ``buf`` that end at line ends."""
    cuts = [0]
    for j in range(1, k):
        at = buf.find(b"\n", len(buf) * j // k)
        if at < 0 or at + 1 <= cuts[-1]:
            continue
        cuts.append(at + 1)
    cuts.append(len(buf))
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _parse_piece(lib, buf, a, b, ncols):
    cap = buf.count(b"\n", a, b)
    cols = [np.empty(cap) for _ in range(ncols)]
    starts, lens = np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64)
    err = np.zeros(2, dtype=np.int64)
    n = lib.openeq_parse_rows(_address(buf) + a, b - a, ncols, cap, _ptrs(cols), starts.ctypes.data,
                              lens.ctypes.data, err.ctypes.data)
    if n < 0:
        raise CsvSyntaxError(int(err[0]) + a, int(err[1]))
    return [c[:n] for c in cols], starts[:n] + a, lens[:n], cap


def parse_rows(buf: bytes, ncols: int):
    """(columns, starts, lens, lines) of the rows in ``buf`` (bytes ending with a newline);
    ``lines``: the number of lines in ``buf``, blank ones included.

    Raises ``CsvSyntaxError`` for the first bad row (its byte offset and field)."""
    if buf and not buf.endswith(b"\n"):
        raise ValueError("parse_rows: the block must end with a newline")
    lib = codec()
    if lib is None:
        return _parse_python(buf, ncols)
    k = min(usable_cores(), max(1, len(buf) // MIN_SPLIT))
    spans = _pieces(buf, k)
    if len(spans) <= 1:
        return _parse_piece(lib, buf, 0, len(buf), ncols) if buf else ([np.empty(0)] * ncols, np.empty(0, np.int64),
                                                                        np.empty(0, np.int64), 0)
    futs = [_pool().submit(_parse_piece, lib, buf, a, b, ncols) for a, b in spans[1:]]
    parts = [_parse_piece(lib, buf, *spans[0], ncols)] + [f.result() for f in futs]
    cols = [np.concatenate([p[0][j] for p in parts]) for j in range(ncols)]
    return (cols, np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]),
            sum(p[3] for p in parts))


def _parse_python(buf: bytes, ncols: int):
    rows, starts, lens = [], [], []
    pos = 0
    for line in buf.split(b"\n")[:-1]:
        text = line.rstrip(b"\r")
        if text.strip(b" \t"):
            fields = text.split(b",")
            for j, f in enumerate(fields[: ncols + 1]):
                if j >= ncols or not NUMBER.fullmatch(f.strip(b" \t").decode("latin-1")):
                    raise CsvSyntaxError(pos, j)
            if len(fields) < ncols:
                raise CsvSyntaxError(pos, len(fields))
            rows.append([float(f) for f in fields])
            starts.append(pos)
            lens.append(len(text.rstrip(b" \t")))
        pos += len(line) + 1
    arr = np.array(rows, dtype=float).reshape(len(rows), ncols)
    return ([np.ascontiguousarray(arr[:, j]) for j in range(ncols)], np.array(starts, dtype=np.int64),
            np.array(lens, dtype=np.int64), buf.count(b"\n"))


# ------------------------------------------------------------------ writing
class _Field:
    """One output field: float64 values, or int64 codes into labels."""

    def __init__(self, values, labels=None):
        self.labels = None if labels is None else [str(x) for x in labels]
        self.values = np.ascontiguousarray(values, dtype=np.int64 if labels is not None else np.float64)
        if labels is not None:
            text = [_csv_text(x).encode("utf-8") for x in self.labels]
            self.text = b"".join(text)
            self.offsets = np.cumsum([0] + [len(t) for t in text]).astype(np.int64)
            self.width = max([len(t) for t in text] + [0])
        else:
            self.width = 24


def _csv_text(s: str) -> str:
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s


def field(values, labels=None):
    """A column to write: float values, or integer codes into ``labels``."""
    return _Field(values, labels)


def format_rows(fields, n, echo=None, starts=None, lens=None) -> bytes:
    """``n`` CSV rows: each ``echo[starts[i]:starts[i] + lens[i]]`` (when ``echo`` is
    given) then the ``fields`` (from ``field(...)``), comma-separated."""
    return b"".join(format_parts(fields, n, echo, starts, lens))


def format_parts(fields, n, echo=None, starts=None, lens=None) -> list:
    """``format_rows`` as a list of bytes-like parts, in order (no joining copy)."""
    lib = codec()
    if lib is None:
        return [_format_python(fields, n, echo, starts, lens)]
    k = min(usable_cores(), max(1, n // 65536))
    cuts = [n * j // k for j in range(k + 1)]
    args, keep = _format_args(fields, echo, starts, lens)  # noqa: F841 (keep: alive during the calls)
    width = sum(f.width + 1 for f in fields) + 1

    def part(r0, r1):
        size = (int(lens[r0:r1].sum()) if echo is not None else 0) + (r1 - r0) * width
        out = np.empty(size + 1, dtype=np.uint8)
        m = lib.openeq_format_rows(r0, r1, len(fields), *args, out.ctypes.data)
        return memoryview(out)[:m]

    if k == 1:
        return [part(0, n)]
    futs = [_pool().submit(part, a, b) for a, b in zip(cuts[1:-1], cuts[2:])]
    return [part(cuts[0], cuts[1])] + [f.result() for f in futs]


def _format_args(fields, echo, starts, lens):
    kinds = np.array([0 if f.labels is None else 1 for f in fields], dtype=np.int64)
    cols = _ptrs([f.values for f in fields])
    texts = (ctypes.c_char_p * max(1, len(fields)))(*[f.text if f.labels is not None else None for f in fields])
    offs = _ptrs([f.offsets if f.labels is not None else kinds for f in fields])
    nlab = np.array([len(f.labels) if f.labels is not None else 0 for f in fields], dtype=np.int64)
    if echo is not None:
        starts, lens = np.ascontiguousarray(starts, dtype=np.int64), np.ascontiguousarray(lens, dtype=np.int64)
    keep = (kinds, cols, texts, offs, nlab, fields, echo, starts, lens)
    e = _address(echo) if echo is not None else None
    st = starts.ctypes.data if echo is not None else None
    ln = lens.ctypes.data if echo is not None else None
    return (kinds.ctypes.data, ctypes.cast(cols, ctypes.c_void_p), ctypes.cast(texts, ctypes.c_void_p),
            ctypes.cast(offs, ctypes.c_void_p), nlab.ctypes.data, e, st, ln), keep


def _format_python(fields, n, echo, starts, lens) -> bytes:
    cols = []
    for f in fields:
        if f.labels is None:
            cols.append([repr(float(x)) for x in f.values.tolist()])
        else:
            table = [_csv_text(x) for x in f.labels]
            cols.append([table[c] for c in f.values.tolist()])
    lines = []
    for i in range(n):
        head = [echo[starts[i]:starts[i] + lens[i]].decode("utf-8")] if echo is not None else []
        lines.append(",".join(head + [c[i] for c in cols]) + "\n")
    return "".join(lines).encode("utf-8")


def format_number(x: float) -> str:
    """One number as ``format_rows`` writes it (the test hook of the C code)."""
    lib = codec()
    if lib is None:
        return repr(float(x))
    buf = ctypes.create_string_buffer(40)
    n = lib.openeq_format_one(float(x), buf)
    return buf.raw[:n].decode()


def parse_number(s: str) -> float | None:
    """One number as ``parse_rows`` reads it (None: not a number of the grammar)."""
    lib = codec()
    if lib is None:
        return float(s) if NUMBER.fullmatch(s) else None
    out = ctypes.c_double()
    raw = s.encode() + b"\n"
    n = lib.openeq_parse_one(raw, ctypes.byref(out))
    return out.value if n == len(s) else None
