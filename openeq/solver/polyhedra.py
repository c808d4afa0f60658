"""A vector choice over a polyhedron: affine constraints and the pieces they cut.

A move choosing ``x = (x_1, ..., x_n)`` may be tied by *affine constraints*
``h(x) = a . x + c  op  0`` (``op`` in ``>= > ==``, after writing ``<=`` as
``-h >= 0``), whose coefficients ``a`` and constant ``c`` are expressions in the
parameters and earlier choices:

* the box of each variable, ``x_i >= lo`` and ``x_i <= hi`` (named ``x_i.lo``,
  ``x_i.hi``; open ends give strict constraints);
* the move's declared ``constraints`` (``beta1 >= Max(beta0, theta_D)`` is the two
  constraints ``beta1 >= beta0`` and ``beta1 >= theta_D``, ``floor.1`` and ``floor.2``);
* the conditions of the later movers' branches and of the payoffs' Piecewise
  atoms that involve the mover's variables (``x + d*y < a - c - e``), which must be
  affine in ``x``.

A *piece* is the polyhedron of the box and declared constraints, one later branch's
own conditions, and one truth value for every Piecewise atom (an atom's negation,
the complement of a half-space, is again a half-space; that of an equality is two).
The pieces of all branches and truth values partition the choice set; on each the
payoffs are smooth (``kkt.py`` finds the candidates).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from openeq.core.relations import OP_OF

__all__ = ["Constraint", "PolyPiece", "affine", "box_constraints", "relation_constraints", "poly_pieces",
           "PolyError", "needs_polyhedra"]

_NORMAL = {">=": (1, ">="), ">": (1, ">"), "<=": (-1, ">="), "<": (-1, ">"), "==": (1, "==")}
_NEG = {">=": [(-1, ">")], ">": [(-1, ">=")], "==": [(1, ">"), (-1, ">")]}


class PolyError(ValueError):
    pass


@dataclass(frozen=True)
class Constraint:
    """``coeffs . x + const  op  0`` with ``op`` in ``>= > ==``; ``kind``: box, declared or break."""

    name: str
    coeffs: tuple  # ((x, a_x), ...) in the move's variable order
    const: sp.Expr
    op: str
    kind: str = "declared"

    def h(self):
        return sum((a * x for x, a in self.coeffs), sp.S.Zero) + self.const

    def flipped(self, sign, op):
        return Constraint(self.name, tuple((x, sign * a) for x, a in self.coeffs), sign * self.const, op, self.kind)

    def __str__(self):
        return f"{self.name}: {self.h()} {self.op} 0"


@dataclass
class PolyPiece:
    """A polyhedral piece: ``constraints`` (all hold), its later ``branch``, smooth ``payoffs``."""

    branch: object
    constraints: list
    payoffs: dict
    var = None  # (the one-variable pieces' attribute; not a one-variable piece)


def affine(lhs, op, rhs, xs, name, kind):
    """The ``Constraint`` of ``lhs op rhs``, which must be affine in ``xs``."""
    g = sp.expand(lhs - rhs)
    coeffs = []
    for x in xs:
        if not g.is_polynomial(x) or sp.degree(g, x) > 1:
            raise PolyError(f"condition {lhs} {op} {rhs} is not affine in {', '.join(map(str, xs))}; "
                            "a choice of several variables supports affine conditions only")
        a = g.coeff(x)
        if a.free_symbols & set(xs):
            raise PolyError(f"condition {lhs} {op} {rhs} has a product of the choices {', '.join(map(str, xs))}; "
                            "only affine conditions are supported")
        coeffs.append((x, a))
    const = sp.expand(g - sum(a * x for x, a in coeffs))
    sign, norm = _NORMAL[op]
    return Constraint(name, tuple((x, sign * a) for x, a in coeffs), sign * const, norm, kind)


def box_constraints(move_vars):
    out = []
    for x, d in move_vars.items():
        xs = list(move_vars)
        if d.lo != -sp.oo:
            out.append(affine(x, ">" if d.lo_open else ">=", d.lo, xs, f"{x}.lo", "box"))
        if d.hi != sp.oo:
            out.append(affine(x, "<" if d.hi_open else "<=", d.hi, xs, f"{x}.hi", "box"))
    return out


def relation_constraints(name, rel, xs):
    """Declared constraints from one relation; ``Max``/``Min`` on the far side split it."""
    op = OP_OF[type(rel)]
    if op in ("<", ">"):
        raise PolyError(f"constraints.{name}: strict constraints have no maximiser on their boundary; use <= or >=")
    lhs, rhs = rel.lhs, rel.rhs
    if op == "<=":
        lhs, rhs, op = rhs, lhs, ">="  # rhs >= lhs: read as "big >= small"
    parts = []
    for side, fn, other in ((rhs, sp.Max, lhs), (lhs, sp.Min, rhs)):  # big >= Max(..), Min(..) >= small
        if isinstance(side, fn) and op == ">=":
            parts = [(other, a) if fn is sp.Max else (a, other) for a in side.args]
            break
    if not parts:
        if rel.has(sp.Max, sp.Min):
            raise PolyError(f"constraints.{name}: '{rel}' is not convex (a union of half-spaces); write two "
                            "models or use Piecewise")
        parts = [(lhs, rhs)]
    if len(parts) == 1:
        return [affine(parts[0][0], op, parts[0][1], xs, name, "declared")]
    return [affine(big, op, small, xs, f"{name}.{k + 1}", "declared") for k, (big, small) in enumerate(parts)]


def needs_polyhedra(move, branches):
    """Whether the move needs this module: declared constraints, or a condition in
    two or more of its variables."""
    if getattr(move, "constraints", None):
        return True
    xs = set(move.variables)
    if len(xs) < 2:
        return False
    for br in branches:
        for bd in br.bounds:
            if len(bd.free_symbols & xs) > 1:
                return True
        for u in br.payoffs.values():
            for a in sp.sympify(u).atoms(sp.core.relational.Relational):
                if len(a.free_symbols & xs) > 1:
                    return True
    return False


def poly_pieces(branches, move, declared):
    """The polyhedral pieces (see the module docstring)."""
    xs = list(move.variables)
    base = box_constraints(move.variables) + list(declared)
    out = []
    for br in branches:
        own = [affine(b.subject, b.op, b.bound, xs, f"case {k + 1}", "break")
               for k, b in enumerate(bd for bd in br.bounds if bd.free_symbols & set(xs))]
        atoms = sorted({a for u in br.payoffs.values() for a in sp.sympify(u).atoms(sp.core.relational.Relational)
                        if a.free_symbols & set(xs)}, key=sp.default_sort_key)
        for truths in itertools.product(*[_alternatives(a, xs) for a in atoms]):
            mapping = {a: (sp.true if t else sp.false) for a, (t, _) in zip(atoms, truths)}
            cons = base + own + [c for _, cs in truths for c in cs]
            payoffs = {p: sp.sympify(u).xreplace(mapping) for p, u in br.payoffs.items()}
            out.append(PolyPiece(br, cons, payoffs))
    return out


def _alternatives(atom, xs):
    """``(truth, constraints)`` for an atom true, and for each half-space of its negation."""
    c = affine(atom.lhs, OP_OF[type(atom)], atom.rhs, xs, str(atom), "break")
    yes = [(True, [c])]
    no = [(False, [c.flipped(s, op)]) for s, op in _NEG[c.op]]
    return yes + no
