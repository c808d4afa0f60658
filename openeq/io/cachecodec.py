"""Cache entries as data: JSON that names only whitelisted constructors -- nothing in an
entry can run code.

``dumps(value)`` writes a value as JSON bytes, ``loads(blob)`` reads it back.  The
entry is ``{"nodes": [...], "value": v}``: ``nodes`` lists the distinct sympy
expressions of the value, each once, children first, as

==============================  ==========================================
node                            expression
==============================  ==========================================
``["Symbol", name, assum]``     ``Symbol(name, **assum)`` (boolean assumptions)
``["Dummy", name, i, assum]``   ``Dummy(name, dummy_index=i, **assum)``
``["Integer", n]``              ``Integer(n)``
``["Rational", p, q]``          ``Rational(p, q)``
``["Float", s, m, e, b, prec]`` the Float with mpmath value ``(s, m, e, b)``
``["Const", name]``             ``true false oo -oo zoo nan pi E I EulerGamma``
``[F, i, j, ...]``              ``F(nodes[i], nodes[j], ...)`` for ``F`` in ``CALLS``
==============================  ==========================================

``CALLS`` are the constructors that equilibria and their analyses use: Add, Mul, Pow,
Piecewise, ExprCondPair, the relationals, And, Or, Not, ITE, Max, Min, exp, log, Abs,
sign, the trigonometric functions of cubic roots, CRootOf, Tuple.  Building a node
evaluates it as unpickling does (``type(e)(*e.args)``), so a value read back prints as
the one written.

``v`` is JSON for None, bool, int, str and finite floats, and otherwise a one-key
object: ``{"$e": i}`` (the expression ``nodes[i]``), ``{"$float": "nan"}``,
``{"$tuple": [...]}`` (``$set``, ``$frozenset``), ``{"$dict": [[k, v], ...]}`` (any
keys, order kept), ``{"$np": dtype, "v": x}`` and ``{"$ndarray": [dtype, shape,
flat]}`` (numeric numpy only), ``{"$obj": ["module:Class", {field: v}]}`` -- a
dataclass of openeq's, rebuilt without calling any of its code (a bare instance whose
fields are set, as pickle does), and only if it is one of ``DATACLASS_MODULES`` or of
a module of openeq or derivations already imported: an entry can name no other
class, call nothing, import nothing.  Anything else raises ``CodecError``.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import math
import re
import sys

import sympy as sp

__all__ = ["dumps", "loads", "CodecError", "CALLS", "DATACLASS_MODULES"]

DATACLASS_MODULES = ("openeq.core.equilibrium", "openeq.core.conditions", "openeq.core.result", "openeq.core.domains",
                     "openeq.core.game")
_PACKAGES = ("openeq.", "derivations.")
MAX_INT_BITS = 100_000
_r = sp.core.relational
CALLS = {
    "Add": sp.Add, "Mul": sp.Mul, "Pow": sp.Pow, "Piecewise": sp.Piecewise,
    "ExprCondPair": sp.functions.elementary.piecewise.ExprCondPair,
    "StrictLessThan": _r.StrictLessThan, "LessThan": _r.LessThan, "StrictGreaterThan": _r.StrictGreaterThan,
    "GreaterThan": _r.GreaterThan, "Equality": _r.Equality, "Unequality": _r.Unequality,
    "And": sp.And, "Or": sp.Or, "Not": sp.Not, "ITE": sp.ITE, "Max": sp.Max, "Min": sp.Min,
    "exp": sp.exp, "log": sp.log, "Abs": sp.Abs, "sign": sp.sign, "Tuple": sp.Tuple,
    "cos": sp.cos, "sin": sp.sin, "tan": sp.tan, "acos": sp.acos, "asin": sp.asin, "atan": sp.atan,
    "ComplexRootOf": sp.CRootOf,
}
_CONSTS = {"true": sp.true, "false": sp.false, "oo": sp.oo, "-oo": -sp.oo, "zoo": sp.zoo, "nan": sp.nan,
           "pi": sp.pi, "E": sp.E, "I": sp.I, "EulerGamma": sp.EulerGamma}
_CONST_NAME = {v: k for k, v in _CONSTS.items()}
_ASSUMPTIONS = frozenset(sys.modules["sympy.core.assumptions"]._assume_defined)


class CodecError(ValueError):
    """A value that cannot be written as data, or data that is not a cache entry's."""


def dumps(value) -> bytes:
    """The JSON bytes of ``value`` (``CodecError`` if it is not data of the kinds above)."""
    enc = _Encoder()
    v = enc.value(value)
    return json.dumps({"nodes": enc.nodes, "value": v}, separators=(",", ":"), allow_nan=False).encode()


def loads(blob: bytes):
    """The value that ``dumps`` wrote; ``CodecError`` for anything else."""
    try:
        data = json.loads(blob)
    except (ValueError, RecursionError):
        raise CodecError("not JSON") from None
    if not (isinstance(data, dict) and set(data) == {"nodes", "value"} and isinstance(data["nodes"], list)):
        raise CodecError("not a cache entry")
    dec = _Decoder()
    try:
        for node in data["nodes"]:
            dec.nodes.append(dec.node(node))
        return dec.value(data["value"])
    except CodecError:
        raise
    except RecursionError:
        raise CodecError("nested too deeply") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, IndexError, KeyError, sp.PolynomialError) as e:
        raise CodecError(f"malformed entry ({type(e).__name__})") from None


# ------------------------------------------------------------------ writing
class _Encoder:
    def __init__(self):
        self.nodes, self.index = [], {}

    def value(self, v):
        if v is None or isinstance(v, (bool, str)) or type(v) is int:
            return v
        if type(v) is float:
            return v if math.isfinite(v) else {"$float": repr(v)}
        if isinstance(v, sp.Basic):
            return {"$e": self.expr(v)}
        if type(v) is list:
            return [self.value(x) for x in v]
        if type(v) in (tuple, set, frozenset):
            return {"$" + type(v).__name__: [self.value(x) for x in v]}
        if type(v) is dict:
            return {"$dict": [[self.value(k), self.value(x)] for k, x in v.items()]}
        np = sys.modules.get("numpy")
        if np is not None and isinstance(v, np.generic) and v.dtype.kind in "biuf":
            return {"$np": v.dtype.str, "v": self.value(v.item())}
        if np is not None and isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
            return {"$ndarray": [v.dtype.str, list(v.shape), [self.value(x) for x in v.ravel().tolist()]]}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            cls = type(v)
            if _dataclass(cls.__module__, cls.__qualname__) is not cls:
                raise CodecError(f"cannot store a {cls.__module__}.{cls.__qualname__}")
            fields = {f.name: self.value(v.__dict__[f.name]) for f in dataclasses.fields(cls)}
            return {"$obj": [f"{cls.__module__}:{cls.__qualname__}", fields]}
        raise CodecError(f"cannot store a {type(v).__module__}.{type(v).__qualname__}")

    def expr(self, e) -> int:
        """The index of the node of ``e`` (children first, each distinct expression once)."""
        key = (type(e), e)  # (2 == 2.0 in Python, but not here)
        hit = self.index.get(key)
        if hit is not None:
            return hit
        self.nodes.append(self.node(e))
        self.index[key] = k = len(self.nodes) - 1
        return k

    def node(self, e):
        name = type(e).__name__
        if e in _CONST_NAME and type(e) is type(_CONSTS[_CONST_NAME[e]]):
            return ["Const", _CONST_NAME[e]]
        if isinstance(e, sp.Dummy):
            return ["Dummy", e.name, e.dummy_index, _assumptions(e)]
        if isinstance(e, sp.Symbol) and type(e) is sp.Symbol:
            return ["Symbol", e.name, _assumptions(e)]
        if isinstance(e, sp.Integer):
            return ["Integer", int(e)]
        if isinstance(e, sp.Rational):
            return ["Rational", int(e.p), int(e.q)]
        if isinstance(e, sp.Float):
            return ["Float", *[int(x) for x in e._mpf_], int(e._prec)]
        if name in CALLS and type(e) is CALLS[name]:
            return [name, *[self.expr(a) for a in e.args]]
        raise CodecError(f"cannot store the sympy {name} {str(e)[:60]}")


def _assumptions(sym) -> dict:
    given = getattr(sym, "_assumptions_orig", None)
    return dict(given if given is not None else sym.assumptions0)


# ------------------------------------------------------------------ reading
class _Decoder:
    def __init__(self):
        self.nodes = []

    def node(self, n):
        if not (isinstance(n, list) and n and isinstance(n[0], str)):
            raise CodecError("a malformed expression node")
        kind, args = n[0], n[1:]
        if kind == "Const" and len(args) == 1 and args[0] in _CONSTS:
            return _CONSTS[args[0]]
        if kind == "Symbol" and len(args) == 2:
            return sp.Symbol(_str(args[0]), **_assum(args[1]))
        if kind == "Dummy" and len(args) == 3:
            return sp.Dummy(_str(args[0]), dummy_index=_int(args[1]), **_assum(args[2]))
        if kind == "Integer" and len(args) == 1:
            return sp.Integer(_int(args[0]))
        if kind == "Rational" and len(args) == 2:
            return sp.Rational(_int(args[0]), _int(args[1]))
        if kind == "Float" and len(args) == 5:
            s, m, e, b, prec = (_int(x) for x in args)
            if s not in (0, 1) or not (0 <= b <= MAX_INT_BITS and 1 <= prec <= MAX_INT_BITS and abs(e) < 10**9):
                raise CodecError("a malformed Float")
            return sp.Float._new((s, m, e, b), prec)
        if kind in CALLS:
            sub = [self.nodes[_int(i)] if 0 <= _int(i) < len(self.nodes) else _bad("a forward reference") for i in args]
            if kind == "Pow" and len(sub) == 2 and sub[0].is_Number and sub[1].is_Integer and abs(sub[1]) > 10_000:
                raise CodecError("a power too large for a cached expression")
            return CALLS[kind](*sub)
        raise CodecError(f"{kind!r} is not allowed in a cached expression")

    def value(self, v):
        if v is None or isinstance(v, (bool, str, int, float)):
            return v
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if not (isinstance(v, dict) and len(v) in (1, 2)):
            raise CodecError("not a cache value")
        tag, body = next(iter(v.items()))
        if len(v) == 2 and not (tag == "$np" and set(v) == {"$np", "v"}):
            raise CodecError("not a cache value")
        if tag == "$e":
            i = _int(body)
            return self.nodes[i] if 0 <= i < len(self.nodes) else _bad("an unknown expression")
        if tag == "$float" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag in ("$tuple", "$set", "$frozenset") and isinstance(body, list):
            return {"$tuple": tuple, "$set": set, "$frozenset": frozenset}[tag](self.value(x) for x in body)
        if tag == "$dict" and isinstance(body, list):
            if not all(isinstance(p, list) and len(p) == 2 for p in body):
                raise CodecError("a malformed dict")
            return {self.value(k): self.value(x) for k, x in body}
        if tag == "$np":
            return _numpy().dtype(_dtype(body)).type(self.value(v["v"]))
        if tag == "$ndarray" and isinstance(body, list) and len(body) == 3:
            dtype, shape, flat = body
            if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape) and isinstance(flat, list)):
                raise CodecError("a malformed array")
            return _numpy().array([self.value(x) for x in flat], dtype=_dtype(dtype)).reshape(shape)
        if tag == "$obj" and isinstance(body, list) and len(body) == 2 and isinstance(body[1], dict):
            return self.instance(_str(body[0]), body[1])
        raise CodecError(f"unknown cache value {tag!r}")

    def instance(self, name, fields):
        module, _, qualname = name.partition(":")
        cls = _dataclass(module, qualname)
        if cls is None:
            raise CodecError(f"class {name!r} is not one of openeq's dataclasses")
        names = [f.name for f in dataclasses.fields(cls)]
        if sorted(fields) != sorted(names):
            raise CodecError(f"{name}: fields {sorted(fields)} are not {sorted(names)}")
        obj = object.__new__(cls)  # no __init__, no __post_init__: the fields as they were written
        for k in names:
            object.__setattr__(obj, k, self.value(fields[k]))
        return obj


def _bad(what):
    raise CodecError(what)


def _str(x):
    return x if isinstance(x, str) else _bad("a name that is not text")


def _int(x):
    if type(x) is not int or abs(x).bit_length() > MAX_INT_BITS:
        raise CodecError("a malformed integer")
    return x


def _assum(d):
    if not (isinstance(d, dict) and all(k in _ASSUMPTIONS and type(v) is bool for k, v in d.items())):
        raise CodecError("malformed assumptions")
    return d


def _numpy():
    import numpy

    return numpy


def _dtype(text):
    if not (isinstance(text, str) and re.fullmatch(r"[<>|=]?[biuf][1248]", text)):
        raise CodecError(f"unknown numeric type {text!r}")
    return text


def _dataclass(module: str, qualname: str):
    """The dataclass ``module:qualname`` if it is one of openeq's (see the docstring), else None."""
    if module in DATACLASS_MODULES:
        importlib.import_module(module)  # a fixed list of openeq's own modules
    elif not (module.startswith(_PACKAGES) and module in sys.modules):
        return None
    cls = getattr(sys.modules[module], qualname, None) if qualname.isidentifier() else None
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module:
        return cls
    return None
