"""Reading parameter points from, and writing results to, CSV, NPZ and JSON files, in
chunks, so that memory stays bounded however many points a file holds.

Input (``read_points(path, game)``; the format is the file's extension):

* ``.csv`` -- a header naming the parameters (any order, each once), then one row
  of numbers per point; blank lines are skipped; numbers are read exactly
  (``openeq.evaluate.textcodec``).  Read in blocks of ``BLOCK`` bytes.
* ``.npz`` -- one one-dimensional numeric array per parameter, named by it (as
  ``numpy.savez(path, alpha0=..., ...)`` writes); no pickled objects are read.
  Read ``ROWS`` rows at a time.
* ``.json`` -- a list of objects ``{"name": number, ...}``, one per point (read whole:
  JSON is for small batches).

Each chunk is a ``Chunk``: columns by parameter name (float64), the number of
points, ``where(i)`` naming point ``i`` in the file (``--points F line 7``), and
for CSV the block of text and where each row lies in it (rows are echoed into a
CSV output unchanged).

Output (``open_writer(path, ...)``): ``.csv`` (header, then a row per point:
the input's columns -- a CSV input's rows as they were -- then the outputs),
``.npz`` (one array per column; labels as fixed-width unicode, flags as bool) and
``.json`` (a list of records), each written to a temporary file and renamed into
place at the end, so an interrupted run leaves no truncated output.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from openeq.core.errors import InputError
from openeq.io.files import open_regular

__all__ = ["Chunk", "Column", "read_points", "open_writer", "FORMATS", "format_of", "BLOCK", "ROWS"]

FORMATS = (".csv", ".npz", ".json")
BLOCK = 1 << 24  # CSV bytes per chunk
ROWS = 1 << 18  # NPZ/JSON points per chunk
MAX_LINE = 1 << 20  # a CSV line longer than this is refused


@dataclass
class Chunk:
    cols: dict  # parameter name -> float64 array
    n: int
    where: object  # i -> text naming point i
    echo: bytes | None = None  # CSV: the block of text
    starts: np.ndarray | None = None
    lens: np.ndarray | None = None
    done: int = 0  # progress: bytes (CSV) or points read so far


@dataclass
class Column:
    """One output column: float64 ``values``; int64 codes into ``labels``; or bool."""

    name: str  # CSV header, NPZ key
    values: np.ndarray
    labels: list | None = None
    path: tuple = ()  # where it goes in a JSON record (default: (name,))


def format_of(path, option="--points") -> str:
    suffix = Path(str(path)).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{option} {path}: expected a .csv, .npz or .json file (the format is the extension)")
    return suffix


def _open_regular(path, option="--points"):
    """The file opened for reading; a FIFO, device or directory is refused (``io.files``)."""
    try:
        return open_regular(path)
    except OSError as e:
        raise InputError(f"{option} {path}: {e.strerror or e}") from None


def read_points(path, game):
    """(input column names in file order, size for progress, iterator of ``Chunk``)."""
    kind = format_of(path)
    return {".csv": _csv, ".npz": _npz, ".json": _json}[kind](path, game)


# ------------------------------------------------------------------ CSV in
def _header(fh, path):
    line = fh.readline(MAX_LINE)
    if line and not line.endswith(b"\n") and len(line) >= MAX_LINE:
        raise InputError(f"--points {path}: the header line is longer than {MAX_LINE} bytes")
    try:
        text = line.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError(f"--points {path} line 1: the header is not UTF-8 text") from None
    if not text.strip():
        raise InputError(f"--points {path}: empty file; expected a header naming the parameters")
    names = [f.strip().strip('"').strip() for f in text.split(",")]
    return text, names


def _csv(path, game):
    from openeq.evaluate.columns import column_names

    fh = _open_regular(path)
    try:
        header, names = _header(fh, path)
        try:
            column_names(game, names)
        except InputError as e:
            raise InputError(f"--points {path} line 1: {e}") from None
    except BaseException:
        fh.close()
        raise
    size = os.fstat(fh.fileno()).st_size
    return names, size, _csv_chunks(fh, path, names, header)


def _csv_error(path, block, e, line0, names):
    line = line0 + block.count(b"\n", 0, e.offset)
    end = block.find(b"\n", e.offset)
    text = block[e.offset:end].rstrip(b"\r").decode("utf-8", errors="replace")
    fields = text.split(",")
    where = f"--points {path} line {line}"
    if e.field >= len(names):
        return InputError(f"{where}: more than the header's {len(names)} fields")
    if e.field >= len(fields):
        return InputError(f"{where}: {len(fields)} fields; expected {len(names)} ({', '.join(names)})")
    shown = fields[e.field].strip()
    shown = shown if len(shown) <= 40 else shown[:40] + "..."
    return InputError(f"{where}: column {names[e.field]!r}: {shown!r} is not a number")


def _csv_chunks(fh, path, names, header):
    from openeq.evaluate.textcodec import CsvSyntaxError, parse_rows

    line0 = 2  # the first data line's number
    done = len(header.encode("utf-8")) + 1
    carry = b""
    try:
        while True:
            data = fh.read(BLOCK)
            block = carry + data
            if not data:
                if not block:
                    return
                if not block.endswith(b"\n"):
                    block += b"\n"
                carry = b""
            else:
                cut = block.rfind(b"\n") + 1
                if cut == 0:
                    if len(block) > MAX_LINE:
                        raise InputError(f"--points {path} line {line0}: longer than {MAX_LINE} bytes")
                    carry = block
                    continue
                block, carry = block[:cut], block[cut:]
            try:
                cols, starts, lens, lines = parse_rows(block, len(names))
            except CsvSyntaxError as e:
                raise _csv_error(path, block, e, line0, names) from None
            done += len(block)
            first = line0

            def where(i, block=block, starts=starts, first=first):
                line = first + block.count(b"\n", 0, int(starts[i]))
                return f"--points {path} line {line}"

            yield Chunk(dict(zip(names, cols)), len(starts), where, block, starts, lens, done)
            line0 += lines
            if not data:
                return
    finally:
        fh.close()


# ------------------------------------------------------------------ NPZ in
def _npz(path, game):
    from openeq.evaluate.columns import column_names

    _open_regular(path).close()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"--points {path}: not an NPZ file ({e})") from None
    try:
        members = {m[:-4]: m for m in zf.namelist() if m.endswith(".npy")}
        if len(members) != len(zf.namelist()):
            raise InputError(f"--points {path}: holds entries that are not .npy arrays")
        try:
            column_names(game, list(members))
        except InputError as e:
            raise InputError(f"--points {path}: {e}") from None
        heads = {name: _npy_head(zf, m, path, name) for name, m in members.items()}
        sizes = {name: h[1] for name, h in heads.items()}
        if len(set(sizes.values())) > 1:
            raise InputError(f"--points {path}: arrays of different lengths ({', '.join(f'{k}: {v}' for k, v in sizes.items())})")
    except BaseException:
        zf.close()
        raise
    n = next(iter(sizes.values()), 0)
    return list(members), n, _npz_chunks(zf, members, heads, n, path)


def _npy_head(zf, member, path, name):
    from numpy.lib import format as npf

    with zf.open(member) as fh:
        try:
            version = npf.read_magic(fh)
            shape, fortran, dtype = (npf.read_array_header_1_0(fh) if version == (1, 0) else
                                     npf.read_array_header_2_0(fh))
        except ValueError as e:
            raise InputError(f"--points {path}: array {name!r} is not a .npy array ({e})") from None
        offset = fh.tell()
    if dtype.hasobject or dtype.kind not in "fiu" or dtype.fields is not None:
        raise InputError(f"--points {path}: array {name!r} has dtype {dtype}; expected numbers")
    if len(shape) != 1:
        raise InputError(f"--points {path}: array {name!r} has shape {shape}; expected one dimension")
    return dtype, shape[0], offset


def _npz_chunks(zf, members, heads, n, path):
    handles = {}
    try:
        for name, m in members.items():
            fh = zf.open(m)
            fh.read(heads[name][2])
            handles[name] = fh
        for a in range(0, n, ROWS):
            k = min(ROWS, n - a)
            cols = {}
            for name, fh in handles.items():
                dtype = heads[name][0]
                raw = fh.read(k * dtype.itemsize)
                if len(raw) != k * dtype.itemsize:
                    raise InputError(f"--points {path}: array {name!r} is truncated")
                cols[name] = np.frombuffer(raw, dtype=dtype).astype(np.float64)
            yield Chunk(cols, k, lambda i, a=a: f"--points {path} point {a + i}", done=a + k)
    finally:
        for fh in handles.values():
            fh.close()
        zf.close()


# ------------------------------------------------------------------ JSON in
def _json(path, game):
    fh = _open_regular(path)
    try:
        pts = json.loads(fh.read().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(f"--points {path}: not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise InputError(f"--points {path}: invalid JSON ({e.msg} at line {e.lineno})") from None
    except RecursionError:
        raise InputError(f"--points {path}: JSON nested too deeply") from None
    finally:
        fh.close()
    if not isinstance(pts, list) or not all(isinstance(p, dict) for p in pts):
        raise InputError(f"--points {path}: expected a JSON list of parameter dictionaries")
    names = list(game.parameters)
    return names, len(pts), _json_chunks(pts, names, path, game)


def _json_chunks(pts, names, path, game):
    from openeq.evaluate.exact import check_point

    for a in range(0, len(pts), ROWS):
        part = pts[a:a + ROWS]
        rows = []
        for i, pt in enumerate(part):
            try:
                ok = set(pt) == set(names) and all(type(v) in (int, float) for v in pt.values())
                rows.append([float(pt[n]) for n in names] if ok else None)
            except OverflowError:
                rows.append(None)
            if rows[-1] is None:  # checked one by one: a value given as text ("1/4") is read exactly
                try:
                    exact = check_point(game, pt)
                except (InputError, OverflowError) as e:
                    raise InputError(f"--points {path} point {a + i}: {e}") from None
                rows[-1] = [float(exact[n]) for n in names]
        arr = np.array(rows, dtype=float).reshape(len(rows), len(names))
        cols = {n: np.ascontiguousarray(arr[:, j]) for j, n in enumerate(names)}
        yield Chunk(cols, len(rows), lambda i, a=a: f"--points {path} point {a + i}", done=a + len(rows))


# ------------------------------------------------------------------ writers
def open_writer(path, model, in_names, header=None):
    """A writer for ``path`` (by extension): ``write(chunk, columns)``, then ``close()``
    (renames into place) or ``abort()``.  ``in_names``: the input columns (echoed)."""
    from openeq.evaluate.writers import CsvWriter, JsonWriter, NpzWriter

    kind = format_of(path, "-o")
    out = Path(path)
    if out.is_dir():
        raise InputError(f"-o {path}: is a directory; expected a file name ending in {kind}")
    cls = {".csv": CsvWriter, ".npz": NpzWriter, ".json": JsonWriter}[kind]
    return cls(out, model, in_names)


def temporary_beside(path: Path, suffix=""):
    """An open binary temporary file next to ``path`` (same file system: one rename moves it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix + ".tmp")
    return os.fdopen(fd, "wb"), Path(tmp)
