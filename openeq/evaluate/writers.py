"""Writers of evaluated points (``openeq.evaluate.batchio.open_writer``): CSV, NPZ, JSON.

Every writer takes chunks, ``write(chunk, columns)`` with ``columns`` a list of
``batchio.Column``, and writes to a temporary file beside the output; ``close()``
renames it into place, ``abort()`` removes it.

* CSV: a header, then per point its input columns (a CSV input's row text as it
  was; else the parameters, as the shortest decimals that read back exactly) and
  the output columns: numbers likewise, labels as text, flags as ``true``/``false``.
* NPZ: ``numpy.load(path)`` gives one array per column: parameters and numbers
  float64, flags bool, labels fixed-width unicode.  Each column is spooled to its
  own temporary file while the chunks come, then the archive is assembled from them.
* JSON: a list of records, one per line, ``{"schema": 1, "model": ..., "parameters":
  {...}, "strategies": {...}, "payoffs": {...}, "regime": ..., ...}`` (a column's
  ``path`` says where it goes).  ``records(...)`` builds them (also for stdout).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from openeq.evaluate.batchio import temporary_beside

__all__ = ["CsvWriter", "NpzWriter", "JsonWriter", "records", "SCHEMA"]

SCHEMA = 1  # the "schema" of openeq's JSON output (docs/json.md)


class _Writer:
    def __init__(self, path: Path, model: str, in_names):
        self.path, self.model, self.in_names = Path(path), model, list(in_names)
        self.fh, self.tmp = temporary_beside(self.path)
        self.rows = 0

    def close(self):
        self.fh.close()
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(self.tmp, 0o666 & ~mask)
        os.replace(self.tmp, self.path)

    def abort(self):
        try:
            self.fh.close()
        finally:
            self.tmp.unlink(missing_ok=True)


class CsvWriter(_Writer):
    def write(self, chunk, columns):
        from openeq.evaluate.textcodec import field, format_parts

        if self.rows == 0 and not getattr(self, "_headed", False):
            self._head(chunk, columns)
        fields = [_field(c, field) for c in columns]
        if chunk.echo is not None:
            parts = format_parts(fields, chunk.n, chunk.echo, chunk.starts, chunk.lens)
        else:
            ins = [field(chunk.cols[n]) for n in self.in_names]
            parts = format_parts(ins + fields, chunk.n)
        for data in parts:
            self.fh.write(data)
        self.rows += chunk.n

    def _head(self, chunk, columns):
        names = self.in_names + [c.name for c in columns]
        self.fh.write((",".join(_quote(n) for n in names) + "\n").encode("utf-8"))
        self._headed = True

    def close(self, columns=()):
        if not getattr(self, "_headed", False):  # no points: the header alone
            self.fh.write((",".join(_quote(n) for n in self.in_names + [c for c in columns]) + "\n").encode())
        super().close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"' if any(c in name for c in ',"\n\r') else name


def _field(col, field):
    if col.values.dtype == bool:
        return field(col.values.astype(np.int64), ["false", "true"])
    return field(col.values, col.labels)


class NpzWriter(_Writer):
    """Columns spooled to raw files in a temporary directory, zipped at the end."""

    def __init__(self, path, model, in_names):
        super().__init__(path, model, in_names)
        self.spool = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".d"))
        self.kinds = {}  # name -> (dtype, file)

    def _append(self, name, arr):
        if name not in self.kinds:
            self.kinds[name] = [arr.dtype, open(self.spool / f"{len(self.kinds)}.raw", "wb")]
        kind = self.kinds[name]
        if arr.dtype.kind == "U" and arr.dtype.itemsize > kind[0].itemsize:  # a longer label: widen what is spooled
            kind[1] = _widen(kind, arr.dtype, self.spool)
        kind[1].write(np.ascontiguousarray(arr.astype(kind[0], copy=False)).tobytes())

    def write(self, chunk, columns):
        for n in self.in_names:
            self._append(n, chunk.cols[n])
        for c in columns:
            if c.labels is not None:
                width = max([len(x) for x in c.labels] + [1])
                table = np.array(c.labels, dtype=f"U{width}")
                self._append(c.name, table[c.values])
            else:
                self._append(c.name, c.values)
        self.rows += chunk.n

    def close(self, columns=()):
        try:
            with zipfile.ZipFile(self.fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                for name, (dtype, fh) in self.kinds.items():
                    fh.close()
                    self._member(zf, name, dtype, Path(fh.name))
                for name in [n for n in self.in_names + list(columns) if n not in self.kinds]:
                    self._member(zf, name, np.dtype(float), None)
        finally:
            shutil.rmtree(self.spool, ignore_errors=True)
        super().close()

    def _member(self, zf, name, dtype, raw):
        from numpy.lib import format as npf

        with zf.open(f"{name}.npy", "w", force_zip64=True) as out:
            npf.write_array_header_1_0(out, {"descr": npf.dtype_to_descr(dtype), "fortran_order": False,
                                             "shape": (self.rows,)})
            if raw is not None:
                with open(raw, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 22)

    def abort(self):
        for _, fh in self.kinds.values():
            fh.close()
        shutil.rmtree(self.spool, ignore_errors=True)
        super().abort()


def _widen(kind, dtype, spool):
    """Re-spool a unicode column at a greater width."""
    old_dtype, fh = kind
    fh.close()
    data = np.fromfile(fh.name, dtype=old_dtype).astype(dtype)
    new = open(fh.name, "wb")
    new.write(data.tobytes())
    kind[0] = dtype
    return new


def records(model, in_names, chunk, columns):
    """The JSON records of a chunk (see the module docstring)."""
    lists = [("parameters", n, chunk.cols[n].tolist()) for n in in_names]
    out = [{"schema": SCHEMA, "model": model} for _ in range(chunk.n)]
    for group, name, vals in lists:
        for rec, v in zip(out, vals):
            rec.setdefault(group, {})[name] = v
    for c in columns:
        path = c.path or (c.name,)
        vals = [c.labels[k] for k in c.values.tolist()] if c.labels is not None else c.values.tolist()
        for rec, v in zip(out, vals):
            d = rec
            for p in path[:-1]:
                d = d.setdefault(p, {})
            d[path[-1]] = v
    return out


class JsonWriter(_Writer):
    def write(self, chunk, columns):
        recs = records(self.model, self.in_names, chunk, columns)
        text = ",\n".join(json.dumps(r, allow_nan=False) for r in recs)
        self.fh.write((("[\n" if self.rows == 0 else ",\n") + text).encode("utf-8"))
        self.rows += chunk.n

    def close(self, columns=()):
        self.fh.write(b"\n]\n" if self.rows else b"[]\n")
        super().close()
