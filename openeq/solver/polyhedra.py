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
  atoms that involve the mover's variables (``x + d*y < a - c - e``), affine in
  ``x``, or *curved* (``Curved``): polynomial in the mover's (at most two) variables
  and linear in one of them with a numeric coefficient, such as a later mover's
  participation boundary ``U_D* = 0``, the parabola ``alpha0 = g(beta0)`` of the
  safety game.  Its gradient never vanishes, so KKT holds on it; ``kkt.py`` takes the
  stationary points on the curve in radicals or refuses.  A condition that is a
  product of affine factors (the boundary of a fixed game, ``(b - 1)(b - 3) >= 0``) is
  the union of its factors' sign patterns: one piece per pattern.

A *piece* is the polyhedron of the box and declared constraints, one later branch's
own conditions, and one truth value for every Piecewise atom (an atom's negation,
the complement of a half-space, is again a half-space; that of an equality is two).
The pieces of all branches and truth values partition the choice set (a piece cut
by a curve is a polyhedron only where the curve is affine); on each the payoffs are
smooth (``kkt.py`` finds the candidates).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from openeq.core.constraints import split_constraint
from openeq.core.errors import GameError
from openeq.core.relations import OP_OF
from openeq.core.roots import real_roots
from openeq.solver.budget import MAX_CURVED_TERMS, BudgetError

__all__ = ["Constraint", "Curved", "PolyPiece", "condition", "condition_alternatives", "curved", "affine", "box_constraints", "relation_constraints", "poly_pieces",
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

    def normal(self, x):
        """``d h / d x``, a constant."""
        return dict(self.coeffs).get(x, sp.S.Zero)

    curved = False

    def flipped(self, sign, op):
        return Constraint(self.name, tuple((x, sign * a) for x, a in self.coeffs), sign * self.const, op, self.kind)

    def __str__(self):
        return f"{self.name}: {self.h()} {self.op} 0"


@dataclass(frozen=True)
class Curved:
    """``expr op 0`` with ``expr`` polynomial, not affine, in the mover's variables: a later
    mover's switching boundary (``U_D* = 0``) or a breakpoint that is a curve.  It is
    linear in some variable with a nonzero numeric coefficient, so its gradient never
    vanishes (see :func:`curved`)."""

    name: str
    expr: sp.Expr
    op: str
    kind: str = "break"
    coeffs = None
    curved = True

    def h(self):
        return self.expr

    def normal(self, x):
        return sp.diff(self.expr, x)

    def flipped(self, sign, op):
        return Curved(self.name, sign * self.expr, op, self.kind)

    def __str__(self):
        return f"{self.name}: {self.expr} {self.op} 0"


MAX_CURVED_VARIABLES = 2  # a curved face is solved for moves of at most this many variables


def curved(lhs, op, rhs, xs, name, kind):
    """The ``Curved`` constraint of ``lhs op rhs``, or ``PolyError`` naming why not."""
    g = sp.expand(lhs - rhs)
    why = None
    if len(xs) > MAX_CURVED_VARIABLES:
        why = f"curved conditions are supported for moves of at most {MAX_CURVED_VARIABLES} variables"
    elif not g.is_polynomial(*xs):
        why = "the condition is not polynomial in them"
    elif not any(sp.degree(g, x) == 1 and g.coeff(x).is_number and g.coeff(x) != 0
                 and not (g - g.coeff(x) * x).has(x) for x in xs):
        why = "the condition is linear in none of them with a numeric coefficient (its gradient may vanish)"
    if why:
        raise PolyError(f"condition {lhs} {op} {rhs} is not affine in {', '.join(map(str, xs))}, and {why}")
    terms = len(sp.Add.make_args(g))
    if terms > MAX_CURVED_TERMS:
        raise BudgetError(f"the curved condition {short(g)} >= 0 in {', '.join(map(str, xs))} has {terms} terms once "
                          f"expanded, beyond the engine's bound of {MAX_CURVED_TERMS} for a curved boundary; fix some "
                          "parameters (openeq.core.transform.fix) to solve an instance")
    sign, norm = _NORMAL[op]
    return Curved(name, sign * g, norm, kind)


def short(e, limit=160):
    """``e`` as text, cut at ``limit`` characters (for messages)."""
    text = str(e)
    return text if len(text) <= limit else text[:limit] + " ..."


def condition(lhs, op, rhs, xs, name, kind):
    """``affine`` where the condition is affine, else ``curved``."""
    try:
        return affine(lhs, op, rhs, xs, name, kind)
    except PolyError:
        return curved(lhs, op, rhs, xs, name, kind)


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
    """Declared constraints from one relation (``openeq.core.constraints``: ``Max``/``Min``
    on the far side split it)."""
    try:
        parts = split_constraint(name, rel)
    except GameError as exc:
        raise PolyError(str(exc)) from None
    return [affine(big, op, small, xs, part, "declared") for part, big, small, op in parts]


def needs_polyhedra(move, branches):
    """Whether the move needs this module: declared constraints, or a condition in
    two or more of its variables."""
    if move.constraints:
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


def poly_pieces(branches, move, declared, switches=()):
    """The polyhedral pieces (see the module docstring).  ``switches``: ``(name, e)``, a
    later mover's switching boundary ``e = 0`` (its value less an option's); a branch
    condition proportional to ``e`` is named ``name`` (``on D's participation boundary``)."""
    xs = list(move.variables)
    base = box_constraints(move.variables) + list(declared)
    out = []
    for br in branches:
        owns = [condition_alternatives(b.subject, b.op, b.bound, xs, _name(b, switches) or f"case {k + 1}", "break")
                for k, b in enumerate(bd for bd in br.bounds if bd.free_symbols & set(xs))]
        atoms = sorted({a for u in br.payoffs.values() for a in sp.sympify(u).atoms(sp.core.relational.Relational)
                        if a.free_symbols & set(xs)}, key=sp.default_sort_key)
        for own in itertools.product(*owns):
            for truths in itertools.product(*[_alternatives(a, xs) for a in atoms]):
                mapping = {a: (sp.true if t else sp.false) for a, (t, _) in zip(atoms, truths)}
                cons = base + [c for cs in own for c in cs] + [c for _, cs in truths for c in cs]
                payoffs = {p: sp.sympify(u).xreplace(mapping) for p, u in br.payoffs.items()}
                out.append(PolyPiece(br, cons, payoffs))
    return out


MAX_SIGN_PATTERNS = 8  # a condition that is a union of more sign patterns is refused


def condition_alternatives(lhs, op, rhs, xs, name, kind):
    r"""The condition ``lhs op rhs`` as a union: lists of constraints, one of which holds
    exactly where it does.  An affine or curved condition is one list of one.  One that is
    neither but factors as :math:`c \prod_i f_i^{e_i}`, with a nonzero number :math:`c`
    and distinct affine :math:`f_i`, is the union of sign patterns (at most
    ``MAX_SIGN_PATTERNS``): for ``==``, :math:`f_i = 0` for each :math:`i`; for ``>=``,
    :math:`s_i f_i \ge 0` over the odd factors for each :math:`s \in \{\pm 1\}` with
    :math:`\operatorname{sign}(c) \prod_i s_i = 1`, and :math:`f_j = 0` for each even
    factor; for ``>``, the same with strict signs, and each even factor :math:`\ne 0`
    (:math:`f_j > 0` or :math:`f_j < 0`).  Otherwise ``PolyError``."""
    try:
        return [[condition(lhs, op, rhs, xs, name, kind)]]
    except PolyError:
        patterns = _sign_patterns(lhs - rhs, op, xs, name, kind)
        if patterns is None or len(patterns) > MAX_SIGN_PATTERNS:
            raise
        return patterns


def _sign_patterns(g, op, xs, name, kind):
    sign, op = _NORMAL[op]
    try:
        const, factors = sp.factor_list(sp.expand(sign * g), *xs)
        const, factors = _split_numeric(const, factors, xs)
    except sp.PolynomialError:
        return None
    if not (const.is_number and const != 0) or any(sp.Poly(f, *xs).total_degree() != 1 for f, _ in factors):
        return None

    def lin(f, o):
        return affine(f, o, sp.S.Zero, xs, name, kind)

    odd = [f for f, e in factors if e % 2]
    even = [f for f, e in factors if not e % 2]
    if op == "==":
        return [[lin(f, "==")] for f, _ in factors]
    out = []
    for signs in itertools.product((1, -1), repeat=len(odd)):
        if (1 if const > 0 else -1) * sp.prod(signs) != 1:
            continue
        base = [lin(s * f, op) for s, f in zip(signs, odd)]
        if op == ">=":
            out.append(base)
        else:  # each even factor nonzero
            out += [base + [lin(t * f, ">") for t, f in zip(ts, even)]
                    for ts in itertools.product((1, -1), repeat=len(even))]
    return out + ([[lin(f, "==")] for f in even] if op == ">=" else [])


def _split_numeric(const, factors, xs):
    """Each factor of degree 2 or more in one variable ``x`` with numeric coefficients (a
    fixed game's) as ``lc * prod (x - r_j)`` over its real roots ``r_j`` (exact: radicals
    or certified roots; an irreducible factor's are distinct, and the rest of it, with
    complex roots only, has the sign of ``lc``)."""
    out = []
    for f, e in factors:
        own = [x for x in xs if f.has(x)]
        poly = sp.Poly(f, *own) if len(own) == 1 else None
        if poly is None or poly.total_degree() < 2 or not (poly.domain.is_QQ or poly.domain.is_ZZ):
            out.append((f, e))
            continue
        const *= poly.LC() ** e
        out += [(own[0] - r, e) for r in real_roots(poly)]
    return const, out


def _name(bound, switches):
    g = sp.expand(bound.subject - bound.bound)
    for name, e in switches:
        ratio = sp.cancel(g / e) if e != 0 else None
        if ratio is not None and ratio.is_number and ratio != 0:
            return name
    return None


def _alternatives(atom, xs):
    """``(truth, constraints)`` for an atom true, and for each half-space of its negation."""
    c = condition(atom.lhs, OP_OF[type(atom)], atom.rhs, xs, str(atom), "break")
    yes = [(True, [c])]
    no = [(False, [c.flipped(s, op)]) for s, op in _NEG[c.op]]
    return yes + no
