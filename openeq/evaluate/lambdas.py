"""``numpy_function(args, expr)``: ``sympy.lambdify(args, expr, "numpy")`` without its import cost.

``lambdify(..., "numpy")`` fills its namespace with ``from numpy import *``, which
imports numpy's lazily loaded submodules (``numpy.testing``, ``numpy.f2py``,
``numpy.ma``, ...): about a tenth of a second, paid by every command that evaluates
anything.  Here the same printer (sympy's ``NumPyPrinter``) writes the same code with
fully qualified names (``numpy.sqrt``, ``functools.reduce``), run in a namespace of
just ``numpy`` and ``functools``, so the function computes exactly what lambdify's
does.
"""
from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from openeq.core.roots import numeric

__all__ = ["numpy_function"]


def numpy_function(args, expr):
    from sympy.printing.numpy import NumPyPrinter

    printer = NumPyPrinter({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": True,
                            "user_functions": {}})
    return sp.lambdify(args, numeric(expr), modules=[{"numpy": np, "functools": functools}], printer=printer)
