"""Exact evaluation of an equilibrium at one parameter point, and input checks.

* ``check_point(game, point)`` / ``check_points(game, points)`` -- validate
  parameter values against the declared domains and relations (one point
  exactly, or column-wise at numpy speed);
* ``evaluate(eq, point)`` -- one point, exact arithmetic (sympy Rationals for the
  inputs, 30-digit evaluation of the region conditions): strategies, payoffs and
  the label of the one region whose condition holds.
"""
from __future__ import annotations

import math
import re
import numbers

import numpy as np
import sympy as sp

from openeq.core.errors import InputError

__all__ = ["InputError", "check_point", "check_points", "evaluate"]


def _by_name(game, point: dict) -> dict:
    """``point`` with the parameters' Symbols as keys replaced by their names."""
    by_symbol = {p.symbol: n for n, p in game.parameters.items()}
    if not any(isinstance(k, sp.Symbol) for k in point):
        return point
    out = {}
    for k, v in point.items():
        name = by_symbol.get(k, str(k)) if isinstance(k, sp.Symbol) else k
        if name in out:
            raise InputError(f"parameter {name!r} is given twice")
        out[name] = v
    return out


def check_point(game, point: dict, *, allow_extra=False, partial=False) -> dict:
    """Validate ``point`` (name or Symbol -> number or numeric string); returns name -> Rational.

    ``partial=True``: ``point`` may leave parameters out (a plot's fixed values, whose
    swept axis is free); each given one must lie in its domain, and every assumption
    among given parameters only must hold."""
    point = _by_name(game, point)
    unknown = [k for k in point if k not in game.parameters]
    if unknown and not allow_extra:
        raise InputError(f"unknown parameter {unknown[0]!r}; the parameters of {game.name} are {', '.join(game.parameters)}")
    out = {}
    for name, par in game.parameters.items():
        if name in point:
            out[name] = _checked_value(name, par, point[name])
        elif not partial:
            raise InputError(f"missing parameter {name!r}: expected {par.domain.expected()}")
    subs = {game.parameters[n].symbol: v for n, v in out.items()}
    for rel in game.relations:
        if rel.free_symbols <= set(subs) and not bool(rel.xreplace(subs)):
            raise InputError(f"parameters violate the assumption {rel}: " + ", ".join(f"{s}={subs[s]}" for s in sorted(rel.free_symbols, key=str)))
    return out


_FRACTION = re.compile(r"\s*([+-]?\d{1,30})\s*/\s*(\d{1,30})\s*\Z")  # a fraction p/q, read exactly


def _checked_value(name, par, v):
    """The value ``v`` of parameter ``name`` as a Rational, checked against its domain."""
    given = v
    if isinstance(v, bool) or not isinstance(v, (numbers.Real, str)):
        raise InputError(f"parameter {name!r}: expected {par.domain.expected()}, got {v!r}")
    fraction = isinstance(v, str) and _FRACTION.match(v)
    if fraction:  # p/q: exact
        if int(fraction.group(2)) == 0:
            raise InputError(f"parameter {name!r}: {given!r} divides by zero; expected {par.domain.expected()}")
        v = sp.Rational(int(fraction.group(1)), int(fraction.group(2)))
    elif isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            raise InputError(f"parameter {name!r}: {given!r} is not a number; expected {par.domain.expected()}") from None
    if not fraction and not math.isfinite(v):
        raise InputError(f"parameter {name!r}: {given!r} is not finite; expected {par.domain.expected()}")
    r = v if fraction else sp.Rational(repr(v)) if isinstance(v, float) else sp.Rational(v)
    if not par.domain.contains(r):
        raise InputError(f"parameter {name!r} = {given}: outside its domain {par.domain}; expected {par.domain.expected()}")
    return r


def check_points(game, points: list) -> dict:
    """Validate a list of points at numpy speed; returns name -> float array.

    The same checks as ``check_point`` (names, numbers, finite, domain, relations),
    done column-wise; the first bad point is reported by ``check_point`` itself.
    """
    from openeq.evaluate.columns import valid_mask

    names = list(game.parameters)
    bad = None
    for i, pt in enumerate(points):
        if not isinstance(pt, dict) or set(pt) != set(names) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in pt.values()
        ):
            bad = i
            break
    if bad is None:
        cols = {n: np.array([float(pt[n]) for pt in points]) for n in names}
        ok = valid_mask(game, cols)
        if ok.all():
            return cols
        bad = int(np.argmin(ok))
    try:
        check_point(game, points[bad] if isinstance(points[bad], dict) else {})
    except InputError as e:
        raise InputError(f"point {bad}: {e}") from None
    raise InputError(f"point {bad}: parameters are at the edge of their domain or assumptions within rounding")


def evaluate(eq, point: dict, *, exact=False) -> dict:
    """Strategies, payoffs and regime at one point (floats unless ``exact``).

    ``point`` maps parameter names or Symbols to numbers."""
    game = eq.game
    vals = check_point(game, point)
    subs = {game.parameters[n].symbol: v for n, v in vals.items()}
    region = eq.region_at(subs)
    conv = (lambda e: e) if exact else (lambda e: float(sp.N(e, 30)))
    return {
        "strategies": {str(v): conv(e.xreplace(subs)) for v, e in region.strategies.items()},
        "payoffs": {p: conv(e.xreplace(subs)) for p, e in region.payoffs.items()},
        "regime": region.label,
    }
