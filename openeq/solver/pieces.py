"""Split a mover's problem into smooth pieces along one choice variable.

A payoff may jump where a Piecewise condition on the mover's variable flips
(a penalty ``p`` when ``omega < theta``), and a later mover's best response may
change form where its own case condition flips (``q2 = 0`` once ``q1`` is large).
Each such condition ``g(x) op 0`` has a sign structure (``crossings.py``):
``sign g = s * prod_j sign(x - r_j)**m_j`` with real roots ``r_j`` in closed form
(``x op b`` for an affine ``g``; the roots of a quadratic ``F >= (a - b q)**2/(4b)``;
``sqrt(x)`` through ``x = u**2``).  The *breakpoints* ``b_1 < ... < b_m`` (all the
roots inside the domain, ordered by proof; an order not proved splits the region)
cut the variable's domain into elementary cells ``[lo, b_1), {b_1}, (b_1, b_2), ...,
(b_m, hi]``, on which every condition has a fixed truth value.  Adjacent cells with
the same truth values merge into *pieces*; on each piece every payoff is smooth.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from openeq.core.conditions import Bound
from openeq.core.relations import OP_OF
from openeq.solver.budget import MAX_KINK_PIECES, MAX_SPLIT_CONDITIONS, BudgetError
from openeq.solver.crossings import CrossingError, crossing, truth_at

__all__ = ["Piece", "split_pieces", "SplitError", "SplitUndecided", "as_pieces"]


def as_pieces(u, variables):
    """``u`` with every ``Max``, ``Min`` and ``Abs`` whose arguments involve a choice
    variable rewritten as a ``Piecewise`` (``Max(x, a) = x`` where ``x >= a``, else ``a``):
    their kinks become breakpoints that ``split_pieces`` cuts the domain at, instead of
    the ``Heaviside`` and ``sign`` terms their derivatives would bring in.  Those of the
    parameters alone stay as they are.  More than ``MAX_KINK_PIECES`` arguments in all
    is refused (``BudgetError``): each pair of arguments is a condition to decide."""
    xs = set(variables)

    def is_kink(a):
        return isinstance(a, (sp.Max, sp.Min, sp.Abs)) and bool(a.free_symbols & xs)
    kinks = [a for a in sp.preorder_traversal(u) if is_kink(a)]
    if not kinks:
        return u
    pieces = sum(len(a.args) for a in kinks)
    if pieces > MAX_KINK_PIECES:
        raise BudgetError(f"its Max, Min and Abs of choice variables have {pieces} arguments in all (more than "
                          f"{MAX_KINK_PIECES} pieces); beyond the engine's resource bound")
    return u.replace(is_kink, lambda a: a.rewrite(sp.Piecewise))


class SplitError(ValueError):
    pass


class SplitUndecided(Exception):
    """A breakpoint whose position against the domain is not decided: split on ``bound``.
    ``narrow``: a split made by the optimality analysis (a second-order condition, a
    leading coefficient); such a fact ``s op number`` also narrows ``s``'s domain."""

    def __init__(self, bound, narrow=False, breakpoints=0):
        super().__init__(str(bound))
        self.bound = bound
        self.narrow = narrow
        self.breakpoints = breakpoints  # (the conditions of the split that raised it, for the case budget)


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


def _atoms(expr, variables):
    out = []
    for a in sp.sympify(expr).atoms(sp.core.relational.Relational):
        if a.free_symbols & set(variables):
            out.append(a)
    return out


def _conditions(branches, variables, domains, prover):
    """``(owner, atom, Crossing)`` for every condition on the mover's variables: a
    branch's own bounds (``owner``: the branch's index) and the payoffs' Piecewise
    conditions (``owner`` None)."""
    raw = []
    for i, br in enumerate(branches):
        raw += [(i, bd, bd.subject, bd.op, bd.bound) for bd in br.bounds if bd.free_symbols & set(variables)]
        for u in br.payoffs.values():
            raw += [(None, a, a.lhs, OP_OF[type(a)], a.rhs) for a in _atoms(u, variables)]
    conds = []
    for owner, atom, lhs, op, rhs in raw:
        present = [x for x in variables if x in (lhs - rhs).free_symbols]
        if len(present) != 1:
            raise SplitError(f"condition {lhs} {op} {rhs} involves {len(present)} choice variables; one is supported")
        x = present[0]
        try:
            conds.append((owner, atom, crossing(lhs, op, rhs, x, domains[x], prover)))
        except CrossingError as e:
            raise SplitError(str(e)) from None
    xs = {c.x for _, _, c in conds}
    if len(xs) > 1:
        raise SplitError(f"payoffs are piecewise in several variables ({', '.join(sorted(map(str, xs)))}); one is supported")
    return conds


def _same(b, q, prover):
    """``b == q`` proved: identical after expansion, or by ``simplify`` or the prover.
    Two distinct numbers differ outright (no simplify: breakpoints are compared pairwise)."""
    d = sp.expand(b - q)
    if d == 0:
        return True
    if d.is_Number:
        return False
    return sp.simplify(d) == 0 or prover.truth(b, "==", q) is True


def _breakpoints(conds, dom, prover):
    """The roots inside the domain, sorted, and those proved outside it (root -> side)."""
    points = []
    for _, _, c in conds:
        for b, _ in c.roots:
            if not any(_same(b, q, prover) for q in points):
                points.append(b)
    outside = {}  # breakpoints proved to lie beyond the domain: their conditions are constant
    for b in points:
        for end, op, side, is_open in ((dom.lo, "<", "below", dom.lo_open), (dom.hi, ">", "above", dom.hi_open)):
            if end in (sp.oo, -sp.oo):
                continue
            t = prover.truth(b, op, end)
            if t is True or (is_open and prover.truth(b, "==", end) is True):  # (at an open end: outside too)
                outside[b] = side
            elif t is None and prover.truth(b, "<=" if op == ">" else ">=", end) is not True:
                raise SplitUndecided(Bound(b, op, end))
    return _sort([b for b in points if b not in outside], prover), outside


def _cells(m):
    """``('open', i)``: ``(b_i, b_{i+1})`` with ``b_0 = lo``; ``('point', i)``: ``{b_i}``, 1-based."""
    cells = []
    for i in range(m + 1):
        cells.append(("open", i))
        if i < m:
            cells.append(("point", i + 1))
    return cells


def split_pieces(branches, variables, domains, prover):
    """Pieces of the mover's problem over ``branches`` (each: ``.bounds``, ``.payoffs``).

    ``domains``: var -> Domain (bounds already in parameters / earlier choices).
    """
    conds = _conditions(branches, variables, domains, prover)
    if not conds:
        return [Piece(br, None, None, None, False, False, False, False, dict(br.payoffs)) for br in branches]
    x = conds[0][2].x
    n = len({atom for _, atom, _ in conds})
    if n > MAX_SPLIT_CONDITIONS:
        raise BudgetError(f"{n} conditions on {x} (its payoffs' Piecewise conditions and its bounds; more than "
                          f"{MAX_SPLIT_CONDITIONS}); beyond the engine's resource bound")
    dom = domains[x]
    try:
        points, outside = _breakpoints(conds, dom, prover)
    except SplitUndecided as u:
        u.breakpoints = n  # (the case budget weighs the split by it)
        raise
    index = _indexer(points, outside, prover)

    def truth(cell, c):
        kind, i = cell
        if kind == "open":  # the whole cell lies above the roots at positions <= i
            return truth_at(c, lambda r: 1 if index(r) <= i else -1)
        return truth_at(c, lambda r: (index(r) < i) - (index(r) > i))

    cells = _cells(len(points))
    pieces = []
    for bi, br in enumerate(branches):
        pieces += _branch_pieces(br, bi, conds, cells, truth, points, dom, x)
    return pieces


def _indexer(points, outside, prover):
    m, memo = len(points), {}

    def index(b):
        if b not in memo:
            memo[b] = _index(b, points, outside, m, prover)
        return memo[b]
    return index


def _index(b, points, outside, m, prover):
    if b in points:  # (the same expression: no proof needed)
        return points.index(b) + 1
    for q, side in outside.items():
        if _same(b, q, prover):
            return -0.5 if side == "below" else m + 0.5  # a virtual position beyond the ends
    return next(k + 1 for k, q in enumerate(points) if _same(b, q, prover))


def _branch_pieces(br, bi, conds, cells, truth, points, dom, x):
    """The runs of adjacent cells where the branch's own bounds hold and the payoffs'
    conditions keep their truth values, each a piece."""
    runs = []
    for cell in cells:
        ok = all(truth(cell, c) for (owner, _, c) in conds if owner == bi)
        runs.append(tuple(truth(cell, c) for (owner, _, c) in conds if owner is None) if ok else None)
    out, j = [], 0
    while j < len(cells):
        if runs[j] is None:
            j += 1
            continue
        k = j
        while k + 1 < len(cells) and runs[k + 1] == runs[j]:
            k += 1
        first, last = cells[j], cells[k]
        mapping = {atom: truth(first, c) for owner, atom, c in conds if owner is None}
        payoffs = {p: sp.sympify(u).xreplace({a: sp.true if v else sp.false for a, v in mapping.items()})
                   for p, u in br.payoffs.items()}
        lo, lo_open, lo_break = _lower_end(first, points, dom)
        hi, hi_open, hi_break = _upper_end(last, points, dom)
        out.append(Piece(br, x, lo, hi, lo_open, hi_open, lo_break, hi_break, payoffs))
        j = k + 1
    return out


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


def _sort(points, prover):
    """Breakpoints in increasing order; an order the prover cannot decide splits the region
    (``b == q``, ``b < q`` and ``b > q`` are three cases)."""
    out = []
    for b in points:
        pos = 0
        for q in out:
            t = prover.truth(b, ">", q)
            if t is None:
                if prover.truth(b, "<", q) is not True:
                    raise SplitUndecided(Bound(b, "==", q))
                t = False
            if t:
                pos += 1
        out.insert(pos, b)
    return out
