"""Canonical forms of rational expressions, independent of ``PYTHONHASHSEED``.

sympy orders the generators of a polynomial by a key ``(letter rank, letters,
index)`` read from each symbol's name, so ``c`` and ``c0`` tie (both ``("c", 0)``);
the tie is broken by the iteration order of a ``set``, which depends on the hash
seed.  The generator order fixes the sign convention of ``cancel`` (the
denominator's leading coefficient is made positive) and of ``factor`` (each
factor's leading coefficient is made positive), so ``(delta - 1)*(c0 - 2*c)`` and
its expansion came out depending on the seed, and ``nice`` picked one or the other.

Where two symbols of an expression tie in sympy's key, ``cancel`` and ``factor`` get
their generators explicitly: the symbols sorted by name in *descending* order and
then, by a stable sort, by sympy's own key, so among tied symbols the longer name
comes first (``c0`` before ``c``), the order most hash seeds produced, and the
printed forms of earlier runs are kept.  Without a tie sympy's own order is
deterministic and is used as it is (explicit generators would only cost time);
expressions that are not rational functions of their symbols are left to sympy.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.polys import factortools as _factortools
from sympy.polys.polyutils import _sort_gens


def _seeded_wang(f, u, K, mod=None, seed=None, _wang=_factortools.dmp_zz_wang):
    """Wang's multivariate factorisation with a fixed seed for its random evaluation
    points.  Unseeded (sympy's default) it draws them from an unseeded generator, so the
    same ``factor`` call took 0.1 s in one run and over ten minutes (coefficient growth
    in the Hensel lifting) in another; the factors themselves are unique either way."""
    return _wang(f, u, K, mod=mod, seed=0 if seed is None else seed)


if getattr(_factortools.dmp_zz_wang, "__name__", "") != "_seeded_wang":
    _factortools.dmp_zz_wang = _seeded_wang  # every factor() in the process, openeq's or the user's

__all__ = ["generators", "canonical_cancel", "canonical_factor", "form_key"]


def generators(e):
    """The symbols of ``e`` in a seed-independent order where sympy's key ties two of
    them, else ``None`` (sympy's own order, deterministic)."""
    syms = sorted(e.free_symbols, key=lambda s: s.name, reverse=True)
    keys = {_gen_key(s) for s in syms}
    if len(keys) == len(syms) or not e.is_rational_function(*syms):
        return None
    return list(_sort_gens(syms))


def _gen_key(sym):
    """sympy's ordering key of a generator (``polyutils._sort_gens``): letters and index."""
    name, index = re.match(r"^(.*?)(\d*)$", sym.name).groups()
    return name, int(index) if index else 0


def canonical_cancel(e):
    gens = generators(e)
    return sp.cancel(e, *gens) if gens else sp.cancel(e)


def canonical_factor(e):
    gens = generators(e)
    return sp.factor(e, *gens) if gens else sp.factor(e)


def form_key(text: str):
    """How well a printed form reads: fewest negated groups, no leading minus, shortest."""
    return (text.count("-("), text.startswith("-"), len(text))
