"""Split a mover's problem into smooth pieces along one choice variable.

A payoff may jump where a Piecewise condition on the mover's variable flips
(a penalty ``p`` when ``omega < theta``), and a later mover's best response may
change form where its own case condition flips (``q2 = 0`` once ``q1`` is large).
Each such condition is linear in the variable, ``x op b``; the *breakpoints*
``b_1 < ... < b_m`` (ordered by proof) cut the variable's domain into
elementary cells ``[lo, b_1), {b_1}, (b_1, b_2), ..., (b_m, hi]``, on which
every condition has a fixed truth value.  Adjacent cells with the same truth
values merge into *pieces*; on each piece every payoff is smooth.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from openeq.core.relations import FLIP, OP_OF

__all__ = ["Piece", "linear_condition", "split_pieces", "SplitError", "SplitUndecided"]


class SplitError(ValueError):
    pass


class SplitUndecided(Exception):
    """A breakpoint whose position against the domain is not decided: split on ``bound``.
    ``narrow``: a split made by the optimality analysis (a second-order condition, a
    leading coefficient); such a fact ``s op number`` also narrows ``s``'s domain."""

    def __init__(self, bound, narrow=False):
        super().__init__(str(bound))
        self.bound = bound
        self.narrow = narrow


@dataclass
class Piece:
    branch: object
    var: sp.Symbol | None
    lo: sp.Expr
    hi: sp.Expr
    lo_open: bool
    hi_open: bool
    lo_break: bool  # the lower end is a breakpoint, not the domain's bound
    hi_break: bool
    payoffs: dict  # player -> smooth expression on this piece


def linear_condition(lhs, op, rhs, variables, prover):
    """Write ``lhs op rhs`` as ``(x, op', b)`` with ``b`` free of the variables."""
    g = sp.expand(lhs - rhs)
    present = [x for x in variables if x in g.free_symbols]
    if len(present) != 1:
        raise SplitError(f"condition {lhs} {op} {rhs} involves {len(present)} choice variables; one is supported")
    x = present[0]
    if not g.is_polynomial(x) or sp.degree(g, x) != 1:
        raise SplitError(f"condition {lhs} {op} {rhs} is not linear in {x}")
    a = g.coeff(x)
    r = g - a * x
    s = prover.sign(a)
    if s not in ("+", "-"):
        raise SplitError(f"cannot prove the sign of {a}, the coefficient of {x} in {lhs} {op} {rhs}")
    b = sp.cancel(-r / a)
    return x, (op if s == "+" else FLIP[op]), b


_OPS = OP_OF


def _atoms(expr, variables):
    out = []
    for a in sp.sympify(expr).atoms(sp.core.relational.Relational):
        if a.free_symbols & set(variables):
            out.append(a)
    return out


def split_pieces(branches, variables, domains, prover):
    """Pieces of the mover's problem over ``branches`` (each: ``.bounds``, ``.payoffs``).

    ``domains``: var -> Domain (bounds already in parameters / earlier choices).
    """
    conds = []  # (owner branch index or None, atom or Bound, x, op, b)
    for i, br in enumerate(branches):
        for bd in br.bounds:
            if bd.free_symbols & set(variables):
                conds.append((i, bd, *linear_condition(bd.subject, bd.op, bd.bound, variables, prover)))
        for player, u in br.payoffs.items():
            for atom in _atoms(u, variables):
                conds.append((None, atom, *linear_condition(atom.lhs, _OPS[type(atom)], atom.rhs, variables, prover)))
    xs = {c[2] for c in conds}
    if len(xs) > 1:
        raise SplitError(f"payoffs are piecewise in several variables ({', '.join(sorted(map(str, xs)))}); one is supported")
    if not xs:
        return [Piece(br, None, None, None, False, False, False, False, dict(br.payoffs)) for br in branches]
    (x,) = xs
    dom = domains[x]
    points = []
    for c in conds:
        b = c[4]
        if not any(sp.simplify(b - q) == 0 for q in points):
            points.append(b)
    outside = {}  # breakpoints proved to lie beyond the domain: their conditions are constant
    for b in points:
        for end, op, side in ((dom.lo, "<", "below"), (dom.hi, ">", "above")):
            if end in (sp.oo, -sp.oo):
                continue
            t = _truth(prover, b, op, end)
            if t is True:
                outside[b] = side
            elif t is None and _truth(prover, b, "<=" if op == ">" else ">=", end) is not True:
                from openeq.core.conditions import Bound

                raise SplitUndecided(Bound(b, op, end))
    points = _sort([b for b in points if b not in outside], prover, x)
    m = len(points)

    def truth(cell, op, k):
        kind, i = cell  # ('open', i): (b_i, b_{i+1}) with b_0 = lo; ('point', i): {b_i}, 1-based
        if kind == "open":
            below = i < k  # whole cell lies below b_k
            return {"<": below, "<=": below, ">": not below, ">=": not below, "==": False}[op]
        return {"<": i < k, "<=": i <= k, ">": i > k, ">=": i >= k, "==": i == k}[op]

    def index(b):
        for q, side in outside.items():
            if sp.simplify(b - q) == 0:
                return -0.5 if side == "below" else m + 0.5  # a virtual position beyond the ends
        return next(k + 1 for k, q in enumerate(points) if sp.simplify(b - q) == 0)

    cells = []
    for i in range(m + 1):
        cells.append(("open", i))
        if i < m:
            cells.append(("point", i + 1))
    pieces = []
    for bi, br in enumerate(branches):
        runs = []
        for cell in cells:
            ok = all(truth(cell, op, index(b)) for (owner, _, _, op, b) in conds if owner == bi)
            if not ok:
                runs.append(None)
                continue
            key = tuple(truth(cell, op, index(b)) for (owner, _, _, op, b) in conds if owner is None)
            runs.append(key)
        j = 0
        while j < len(cells):
            if runs[j] is None:
                j += 1
                continue
            k = j
            while k + 1 < len(cells) and runs[k + 1] == runs[j]:
                k += 1
            first, last = cells[j], cells[k]
            mapping = {c[1]: truth(first, c[3], index(c[4])) for c in conds if c[0] is None}
            payoffs = {p: sp.sympify(u).xreplace({a: sp.true if v else sp.false for a, v in mapping.items()}) for p, u in br.payoffs.items()}
            lo, lo_open, lo_break = _lower_end(first, points, dom)
            hi, hi_open, hi_break = _upper_end(last, points, dom)
            pieces.append(Piece(br, x, lo, hi, lo_open, hi_open, lo_break, hi_break, payoffs))
            j = k + 1
    return pieces


def _truth(prover, lhs, op, rhs):
    """``prover.truth``, also reading the region's facts directly (``signs.known_sign``):
    a breakpoint split on ``b < lo`` must see that fact on its next pass."""
    from openeq.core.relations import truth
    from openeq.solver.signs import known_sign

    t = prover.truth(lhs, op, rhs)
    return t if t is not None else truth(known_sign(sp.sympify(lhs) - rhs, prover), op)


def _lower_end(cell, points, dom):
    kind, i = cell
    if kind == "point":
        return points[i - 1], False, True
    if i == 0:
        return dom.lo, dom.lo_open, False
    return points[i - 1], True, True


def _upper_end(cell, points, dom):
    kind, i = cell
    if kind == "point":
        return points[i - 1], False, True
    if i == len(points):
        return dom.hi, dom.hi_open, False
    return points[i], True, True


def _sort(points, prover, x):
    out = []
    for b in points:
        pos = 0
        for q in out:
            t = _truth(prover, b, ">", q)
            if t is None:
                raise SplitError(f"cannot order the breakpoints {x} = {b} and {x} = {q}; add an assumption")
            if t:
                pos += 1
        out.insert(pos, b)
    return out
