"""Linear constraints of a move: relations that tie its variables to each other and
to earlier choices.

A move choosing ``x = (x_1, ..., x_n)`` from its box may also be bound by named
relations ``lhs op rhs`` with ``op`` one of ``<= >= ==``.  Each must be *affine* in the
move's own variables,

    a . x + c  op  0,

with ``a`` and ``c`` expressions in the parameters and in the choices of earlier
stages.  The feasible set of the move is then a polyhedron: the box cut by the
half-spaces (and hyperplanes) of the constraints.

``Max`` and ``Min`` are read as the intersections they are:
``beta1 >= Max(beta0, theta_D)`` is the two constraints ``beta1 >= beta0`` (named
``floor.1``) and ``beta1 >= theta_D`` (``floor.2``), and ``x <= Min(a, b)`` likewise.
``x >= Min(a, b)`` is a union of half-spaces, not a polyhedron, and is refused; so are
strict relations, which have no maximiser on their boundary.

This module is the data side (parsing and checking, :func:`parse_constraints`, and
the split, :func:`split_constraint`); the solver (``openeq.solver.polyhedra``) and the
verifier (``openeq.verify.model``) each read the stored relations their own way.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.errors import GameError

__all__ = ["parse_constraints", "split_constraint"]

_OPS = {sp.GreaterThan: ">=", sp.LessThan: "<=", sp.Equality: "=="}


def split_constraint(name: str, rel) -> list:
    """``[(name, big, small, op)]``: ``rel`` as relations ``big op small`` (``op`` in
    ``>= ==``), a ``Max`` on the small side or a ``Min`` on the big side split into one
    relation per argument, named ``name.1``, ``name.2``, ...  Raises ``GameError`` for
    a strict or non-convex relation."""
    if isinstance(rel, (sp.StrictGreaterThan, sp.StrictLessThan)):
        raise GameError(f"constraints.{name}: strict constraints have no maximiser on their boundary; use <= or >=")
    if type(rel) not in _OPS:
        raise GameError(f"constraints.{name}: expected a relation 'lhs <= rhs', 'lhs >= rhs' or 'lhs == rhs', "
                        f"got {rel}")
    op = _OPS[type(rel)]
    big, small = (rel.rhs, rel.lhs) if op == "<=" else (rel.lhs, rel.rhs)
    op = "==" if op == "==" else ">="
    parts = None
    if op == ">=" and isinstance(small, sp.Max):
        parts = [(big, a) for a in small.args]
    elif op == ">=" and isinstance(big, sp.Min):
        parts = [(a, small) for a in big.args]
    if parts is None:
        if rel.has(sp.Max, sp.Min):
            raise GameError(f"constraints.{name}: '{rel}' is not convex (a union of half-spaces); write two models "
                            "or use Piecewise")
        return [(name, big, small, op)]
    if any(b.has(sp.Max, sp.Min) or s.has(sp.Max, sp.Min) for b, s in parts):
        raise GameError(f"constraints.{name}: '{rel}' nests Max or Min; write one constraint per bound")
    return [(f"{name}.{k + 1}", b, s, op) for k, (b, s) in enumerate(parts)]


def parse_constraints(game, player, stage, variables, constraints) -> dict:
    """``{name: Relational}`` from a table ``{name: relation}`` or a list (named ``c1``,
    ``c2``, ...); strings are the Python API's (see ``Game.assume``)."""
    if constraints is None:
        return {}
    if isinstance(constraints, (list, tuple)):
        constraints = {f"c{k + 1}": c for k, c in enumerate(constraints)}
    if not isinstance(constraints, dict):
        raise GameError(f"constraints of {player!r}: expected a table {{name = relation}} or a list of relations, "
                        f"got {type(constraints).__name__}")
    if constraints and not variables:
        raise GameError(f"constraints of {player!r}: a move without variables has nothing to constrain")
    own = set(variables)
    earlier = {v for m in game.moves if m.stage < stage for v in m.variables}
    params = {p.symbol for p in game.parameters.values()}
    out = {}
    for name, rel in constraints.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            raise GameError(f"constraints: name {name!r} must be an identifier (letters, digits, '_')")
        if isinstance(rel, str):
            # safe: the Python API's string, written by the programmer in their own code; the
            # model-file loader passes relations built by openeq.io.expressions
            rel = sp.sympify(rel, locals={**game.namespace, **{v.name: v for v in variables}})
        for _, big, small, _op in split_constraint(name, rel):
            _check_affine(name, big - small, own, earlier, params)
        out[name] = rel
    return out


def _check_affine(name, g, own, earlier, params):
    syms = g.free_symbols
    for s in sorted(syms - own - earlier - params, key=lambda s: s.name):
        raise GameError(f"constraints.{name}: uses {s.name!r}, which is neither a parameter, nor a choice of an "
                        "earlier stage, nor one of the move's own variables")
    if not syms & own:
        raise GameError(f"constraints.{name}: involves none of the move's variables "
                        f"({', '.join(sorted(v.name for v in own))}); a condition on parameters belongs in 'assume'")
    xs = sorted(syms & own, key=lambda s: s.name)
    g = sp.expand(g)
    if not g.is_polynomial(*xs):
        raise GameError(f"constraints.{name}: '{g} >= 0' is not polynomial in {', '.join(map(str, xs))}; "
                        "constraints must be affine in the move's variables")
    degree = sp.Poly(g, *xs).total_degree()
    if degree > 1:
        raise GameError(f"constraints.{name}: degree {degree} in {', '.join(map(str, xs))}; constraints must be "
                        "affine in the move's variables")
