"""Formulas inside prose, read without evaluating anything.

The engine's notes carry small formulas in sympy syntax (``q1 = (a - c)/(2*b)``,
``d U_L/d q1 = a - 2*b*q1``).  ``read_formula(text, namespace)`` builds the sympy
expression from the text's :mod:`ast` by a whitelist -- numbers, names,
``+ - * / **``, one comparison ``< <= > >=``, calls of ``CALLS`` -- and returns
None for anything else.  Nothing is evaluated as Python (``sympy.parse_expr``,
which read these texts before, evaluates its input).

It reads what ``parse_expr`` read here: a name in ``namespace`` is the game's
symbol, a name the game does not declare is a plain symbol (``U_G``,
``theta_W0``), ``E I pi oo`` are sympy's constants, and any other name of
sympy's or Python's makes the text prose.  Limits (deterministic): ``MAX_TEXT``
characters, ``MAX_DEPTH`` levels of nesting, numeric exponents up to
``MAX_EXPONENT``.
"""
from __future__ import annotations

import ast
import builtins
import operator

import sympy as sp

__all__ = ["read_formula", "CALLS"]

CALLS = {"sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "Abs": sp.Abs, "Min": sp.Min, "Max": sp.Max,
         "cos": sp.cos, "sin": sp.sin, "tan": sp.tan, "acos": sp.acos, "asin": sp.asin, "atan": sp.atan,
         "CRootOf": sp.CRootOf}
_CONSTANTS = {"E": sp.E, "I": sp.I, "pi": sp.pi, "oo": sp.oo}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.Pow: operator.pow}
_RELATION = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}
MAX_TEXT, MAX_DEPTH, MAX_EXPONENT, MAX_ARGS = 10_000, 100, 1000, 40


class _NotAFormula(Exception):
    pass


def read_formula(text, namespace):
    """``text`` as a formula in sympy syntax, or None (see the module docstring)."""
    if len(text) > MAX_TEXT:
        return None
    src = text.strip()
    try:
        tree = ast.parse(src, mode="eval")
        return _build(tree.body, namespace, src, 0)
    except (_NotAFormula, SyntaxError, ValueError, TypeError, ArithmeticError, RecursionError, MemoryError,
            sp.PolynomialError, NotImplementedError):
        return None


def _name(node, ns):
    if node.id in ns:
        return ns[node.id]
    if node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if "__" in node.id or hasattr(sp, node.id) or hasattr(builtins, node.id):
        raise _NotAFormula
    return sp.Symbol(node.id)


def _build(node, ns, src, depth):
    if depth > MAX_DEPTH:
        raise _NotAFormula
    sub = lambda n: _build(n, ns, src, depth + 1)  # noqa: E731
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        token = ast.get_source_segment(src, node) or repr(node.value)
        return sp.Integer(node.value) if type(node.value) is int else sp.Float(token)
    if isinstance(node, ast.Name):
        return _name(node, ns)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = sub(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        a, b = sub(node.left), sub(node.right)
        if isinstance(node.op, ast.Pow) and b.is_number and not abs(b) <= MAX_EXPONENT:
            raise _NotAFormula  # 9**9**9 is not worth a formula
        return _ARITH[type(node.op)](a, b)
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _RELATION:
        return _RELATION[type(node.ops[0])](sub(node.left), sub(node.comparators[0]))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS \
            and not node.keywords and 1 <= len(node.args) <= MAX_ARGS:
        return CALLS[node.func.id](*[sub(a) for a in node.args])
    raise _NotAFormula
