r"""Relational operators, in one table.

A relation ``a op b`` is stored with ``op`` one of ``< <= > >= == !=``.

* ``FLIP[op]``: the same relation read the other way round, ``a op b <=> b FLIP[op] a``;
* ``NEGATE[op]``: the complement, ``not (a op b) <=> a NEGATE[op] b``;
* ``SYMPY[op]``: the sympy class (``sp.Lt`` ...), ``OP_OF[cls]`` its inverse;
* ``holds(d, op)``: whether ``d op 0``, for a number or elementwise for a numpy array;
* ``SIGNS_TRUE[op]`` / ``SIGNS_FALSE[op]``: the proved signs of ``d`` (``'+'``,
  ``'-'``, ``'0'``, ``'+0'``, ``'-0'``, as :class:`openeq.prove.Prover` returns them)
  under which ``d op 0`` is true / false;
* ``SIGN_OP[sign]``: the relation ``d op 0`` a sign states (``'+0'`` -> ``'>='``);
* ``LATEX[op]``: the operator in LaTeX (``'<='`` -> ``\le``).
"""
from __future__ import annotations

import operator

import sympy as sp

__all__ = ["OPS", "FLIP", "NEGATE", "SYMPY", "OP_OF", "holds", "op_of", "SIGNS_TRUE", "SIGNS_FALSE", "truth",
           "SIGN_OP", "LATEX"]

OPS = ("<", "<=", ">", ">=", "==", "!=")
FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
SYMPY = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}
OP_OF = {sp.StrictLessThan: "<", sp.LessThan: "<=", sp.StrictGreaterThan: ">", sp.GreaterThan: ">=",
         sp.Equality: "==", sp.Unequality: "!="}
_PY = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}

SIGN_OP = {"+": ">", "-": "<", "0": "==", "+0": ">=", "-0": "<="}
LATEX = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge", "==": "=", "!=": r"\neq"}

SIGNS_TRUE = {"<": {"-"}, "<=": {"-", "0", "-0"}, ">": {"+"}, ">=": {"+", "0", "+0"}, "==": {"0"},
              "!=": {"+", "-"}}
SIGNS_FALSE = {"<": {"+", "0", "+0"}, "<=": {"+"}, ">": {"-", "0", "-0"}, ">=": {"-"}, "==": {"+", "-"},
               "!=": {"0"}}


def holds(d, op: str):
    """``d op 0``: a bool for a number, a boolean array for a numpy array."""
    return _PY[op](d, 0)


def op_of(rel) -> str:
    """The operator of a sympy relational (``x < 1`` -> ``'<'``)."""
    return OP_OF[type(rel)]


def truth(sign, op: str):
    """True / False / None for ``d op 0`` given the proved ``sign`` of ``d`` (None: unknown)."""
    if sign in SIGNS_TRUE[op]:
        return True
    if sign in SIGNS_FALSE[op]:
        return False
    return None
