"""Column-wise input checks: parameter points given as columns (name -> array).

``check_columns(game, cols)`` validates a batch of points ``theta_i``, i = 0..n-1,
given as one array per parameter, with the checks ``check_point`` applies to one
point, at numpy speed:

* every key names a parameter (a name, or the parameter's sympy ``Symbol``), and
  every parameter has a column;
* every value is a finite real number;
* ``theta_i`` lies in each parameter's declared domain (open or closed ends);
* ``theta_i`` satisfies each declared relation ``lhs op rhs`` (``op`` one of
  ``< <= > >= == !=``), evaluated in floating point as ``lhs - rhs op 0``.

The first point that fails is re-checked exactly by ``check_point``, whose message
names the parameter and what was expected, prefixed by ``where(i)`` (``"point i"``
by default).  A point that passes exactly but not in floating point lies on an
edge within rounding and is refused as such.
"""
from __future__ import annotations

import numbers

import numpy as np
import sympy as sp

from openeq.core.errors import InputError
from openeq.core.memo import Memo
from openeq.core.relations import holds, op_of

__all__ = ["check_columns", "column_names", "valid_mask"]

_RELATIONS = Memo("evaluate.columns.relations")  # (id(game), structure key) -> [(numpy function, op)]


def column_names(game, keys) -> dict:
    """key -> parameter name, for keys that are names or the parameters' Symbols."""
    by_symbol = {p.symbol: n for n, p in game.parameters.items()}
    out = {}
    for k in keys:
        if isinstance(k, sp.Symbol) and k in by_symbol:
            name = by_symbol[k]
        elif isinstance(k, str) and k in game.parameters:
            name = k
        else:
            raise InputError(f"unknown parameter {str(k)!r}; the parameters of {game.name} are {', '.join(game.parameters)}")
        if name in out.values():
            raise InputError(f"parameter {name!r} is given twice")
        out[k] = name
    missing = [n for n in game.parameters if n not in out.values()]
    if missing:
        par = game.parameters[missing[0]]
        raise InputError(f"missing parameter {missing[0]!r}: expected {par.domain.expected()}")
    return out


def _relations(game):
    from openeq.evaluate.lambdas import numpy_function

    syms = [p.symbol for p in game.parameters.values()]
    return _RELATIONS.lookup((id(game), game.structure_key()), lambda: [
        (numpy_function(syms, rel.lhs - rel.rhs), op_of(rel)) for rel in game.relations])


def _as_column(name, values, par):
    if isinstance(values, (str, bytes)):
        raise InputError(f"parameter {name!r}: {values!r} is not a number; expected {par.domain.expected()}")
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        raise InputError(f"parameter {name!r}: expected an array of numbers") from None
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == object):
        raise InputError(f"parameter {name!r}: expected numbers, got an array of {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise InputError(f"parameter {name!r}: expected real numbers, got complex values")
    if arr.dtype == object:
        flat = arr.reshape(-1)
        bad = next((i for i, v in enumerate(flat) if isinstance(v, bool) or not isinstance(v, numbers.Real)), None)
        if bad is not None:
            raise InputError(f"parameter {name!r}, point {bad}: expected {par.domain.expected()}, got {flat[bad]!r}")
    if arr.ndim > 1:
        raise InputError(f"parameter {name!r}: expected a one-dimensional column, got shape {arr.shape}")
    return arr.astype(float, copy=False)


def valid_mask(game, cols: dict) -> np.ndarray:
    """Boolean array: which points (columns of floats by name) pass the checks in floating point."""
    names = list(game.parameters)
    n = len(cols[names[0]]) if names else 0
    ok = np.ones(n, dtype=bool)
    for name, par in game.parameters.items():
        d, x = par.domain, cols[name]
        ok &= np.isfinite(x)
        if d.lo != -sp.oo:
            ok &= (x > float(d.lo)) if d.lo_open else (x >= float(d.lo))
        if d.hi != sp.oo:
            ok &= (x < float(d.hi)) if d.hi_open else (x <= float(d.hi))
    if game.relations and n:
        args = [cols[nm] for nm in names]
        with np.errstate(all="ignore"):
            for f, op in _relations(game):
                gap = np.broadcast_to(np.asarray(f(*args), dtype=float), ok.shape)
                ok &= holds(gap, op)
    return ok


def check_columns(game, cols: dict, where=None) -> dict:
    """Validate columns of parameter values; returns name -> one-dimensional float array.

    Keys are parameter names or Symbols; values are arrays (or scalars, broadcast).
    ``where(i)``: how to name point ``i`` in an error (default ``"point i"``)."""
    from openeq.evaluate.exact import check_point

    names = column_names(game, cols)
    arrays = {names[k]: _as_column(names[k], v, game.parameters[names[k]]) for k, v in cols.items()}
    try:
        shaped = np.broadcast_arrays(*[arrays[n] for n in game.parameters])
    except ValueError:
        sizes = ", ".join(f"{n}: {np.size(a)}" for n, a in arrays.items())
        raise InputError(f"columns of different lengths ({sizes})") from None
    out = {n: np.ascontiguousarray(np.atleast_1d(a)) for n, a in zip(game.parameters, shaped)}
    ok = valid_mask(game, out)
    if ok.all():
        return out
    bad = int(np.argmin(ok))
    label = where(bad) if where is not None else f"point {bad}"
    try:
        check_point(game, {n: float(a[bad]) for n, a in out.items()})
    except InputError as e:
        raise InputError(f"{label}: {e}") from None
    raise InputError(f"{label}: parameters are at the edge of their domain or assumptions within rounding")
