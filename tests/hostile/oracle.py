"""Is a mutated model's answer the unmutated model's answer?  (An oracle independent of openeq.)

``openeq solve --json`` prints the equilibrium as expressions in Python/sympy syntax.
Two answers *agree* when, at every sampled parameter point ``theta`` (drawn from the
declared domains, kept if it satisfies the assumptions), exactly one region of each
holds at ``theta`` and its strategies and payoffs are equal there (relative error
below ``1e-9``, in 50-digit arithmetic).  Region labels and the printed forms may
differ; the partition into closed forms may not.

The expressions are evaluated by walking their ``ast`` with mpmath (numbers, names,
``+ - * / **``, comparisons, ``& | ~``, and calls of Piecewise, Max, Min, sqrt, exp,
log, Abs, Eq, Ne): nothing is evaluated as Python and nothing of openeq is used.
"""
from __future__ import annotations

import ast
import json
import random
import re

import mpmath

__all__ = ["agree", "sample_points", "evaluate", "OracleError"]

mpmath.mp.dps = 50
_TOL = mpmath.mpf("1e-9")


class OracleError(ValueError):
    """An answer the oracle cannot read (which is itself a wrong answer)."""


_CALLS = {"sqrt": mpmath.sqrt, "exp": mpmath.exp, "log": mpmath.log, "Abs": abs,
          "Max": lambda *a: max(a), "Min": lambda *a: min(a)}
_BIN = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b,
        ast.BitAnd: lambda a, b: bool(a) and bool(b), ast.BitOr: lambda a, b: bool(a) or bool(b)}
_CMP = {ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
        ast.GtE: lambda a, b: a >= b, ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b}


def evaluate(text: str, point: dict):
    """The value (mpf or bool) of an answer's expression at ``point`` (name -> mpf)."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError) as e:
        raise OracleError(f"not an expression: {text[:80]!r} ({e})") from None
    return _eval(tree.body, point)


def _eval(node, point):
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float)):
        return node.value if isinstance(node.value, bool) else mpmath.mpf(node.value)
    if isinstance(node, ast.Name):
        if node.id in point:
            return point[node.id]
        if node.id == "oo":
            return mpmath.inf
        raise OracleError(f"unknown name {node.id!r}")
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, point)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.Invert):
            return not v
        return v
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        a, b = _eval(node.left, point), _eval(node.right, point)
        if isinstance(node.op, ast.Div) and b == 0:
            raise OracleError("division by zero")
        return _BIN[type(node.op)](a, b)
    if isinstance(node, ast.Compare):
        vals = [_eval(x, point) for x in [node.left, *node.comparators]]
        return all(_CMP[type(op)](a, b) for op, a, b in zip(node.ops, vals, vals[1:]))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn = node.func.id
        if fn == "Piecewise":
            for arg in node.args:
                if _eval(arg.elts[1], point):
                    return _eval(arg.elts[0], point)
            raise OracleError("no piece holds")
        args = [_eval(a, point) for a in node.args]
        if fn in ("Eq", "Ne"):
            return (args[0] == args[1]) == (fn == "Eq")
        if fn in _CALLS:
            return _CALLS[fn](*args)
    raise OracleError(f"cannot evaluate {ast.dump(node)[:80]}")


_DOMAIN = re.compile(r"\s*([\[(])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\])])\s*\Z")
_NAMED = {"positive": ("(", "0", "oo", ")"), "nonnegative": ("[", "0", "oo", ")"), "real": ("(", "-oo", "oo", ")")}


def _draw(domain: str, rng):
    lb, lo, hi, rb = _NAMED.get(domain) or _DOMAIN.match(domain).groups()
    lo_v = -mpmath.mpf(5) if lo == "-oo" else mpmath.mpf(evaluate(lo, {}))
    hi_v = lo_v + 5 if hi == "oo" else mpmath.mpf(evaluate(hi, {}))
    return lo_v + (hi_v - lo_v) * mpmath.mpf(rng.randrange(1, 10**6)) / 10**6


def sample_points(answer: dict, n: int = 12, seed: int = 0) -> list:
    """``n`` points of the parameter space of ``answer`` (its domains and assumptions)."""
    rng = random.Random(seed)
    out, tries = [], 0
    while len(out) < n and tries < 200 * n:
        tries += 1
        point = {k: _draw(dom, rng) for k, dom in answer["parameters"].items()}
        if all(evaluate(a, point) for a in answer["assumptions"]):
            out.append(point)
    return out


def _holding(answer, point):
    return [r for r in answer["regions"] if evaluate(r["condition"], point)]


def _close(a, b):
    return abs(a - b) <= _TOL * max(1, abs(a), abs(b))


def _renamed(answer: dict, rename: dict) -> dict:
    """The answer in the base's names: ``rename`` maps a case's name to the base's."""
    if not rename:
        return answer
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, rename)) + r")\b")
    text = json.dumps(answer)
    return json.loads(pattern.sub(lambda m: rename[m.group(1)], text))


def agree(base: dict, case: dict, rename=None, n: int = 12):
    """None if the answers agree, else the first difference (a sentence)."""
    try:
        case = _renamed(case, dict(rename or {}))
        if case.get("parameters") != base["parameters"]:
            return f"parameters differ: {case.get('parameters')} vs {base['parameters']}"
        for point in sample_points(base, n):
            if not all(evaluate(a, point) for a in case["assumptions"]):
                return f"the case's assumptions exclude a point of the base's parameter space: {point}"
            mine, theirs = _holding(case, point), _holding(base, point)
            if len(mine) != 1 or len(theirs) != 1:
                return f"{len(mine)} regions hold at {_fmt(point)} (the base: {len(theirs)})"
            for part in ("strategies", "payoffs"):
                a, b = mine[0][part], theirs[0][part]
                if set(a) != set(b):
                    return f"{part} name {sorted(a)} vs {sorted(b)}"
                for k in b:
                    va, vb = evaluate(a[k], point), evaluate(b[k], point)
                    if not _close(va, vb):
                        return f"{part} {k} = {mpmath.nstr(va, 8)} vs {mpmath.nstr(vb, 8)} at {_fmt(point)}"
    except (OracleError, KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError) as e:
        return f"unreadable answer: {type(e).__name__}: {e}"
    return None


def _fmt(point):
    return "{" + ", ".join(f"{k}={mpmath.nstr(v, 6)}" for k, v in point.items()) + "}"
