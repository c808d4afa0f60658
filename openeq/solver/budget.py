"""Deterministic resource bounds: what the engine attempts is decided by counting,
never by a clock, so the same input gives the same output under any load.

Two measures of an expression ``e``, both computed on the expression tree without
expanding it:

* ``tree_size(e)``: the number of nodes of ``e``'s tree (``sp.preorder_traversal``),
  counted up to a cap;
* ``degree_bound(e, xs)``: an upper bound on the total degree of ``e`` in the symbols
  ``xs`` read from the tree: ``deg(a + b) = max``, ``deg(a*b) = sum``,
  ``deg(b**n) = |n| deg(b)`` for an integer ``n`` (numerator and denominator of a
  rational function alike), ``deg = INF`` for any other function of ``xs`` that is
  not a polynomial.  ``(q + 1)**1000`` has degree bound 1000 although its tree has
  five nodes; expanding it is what would take the time;
* ``expanded_terms(e)``: an upper bound on the number of terms of ``expand(e)``:
  ``terms(a + b) = terms(a) + terms(b)``, ``terms(a*b) = terms(a) terms(b)``,
  ``terms(b**k) = C(terms(b) + k - 1, k)`` (the monomials of degree ``k`` in
  ``terms(b)`` terms) for an integer ``k`` (numerators and denominators alike).

* ``largest_number(e)`` and ``root_order(e)``: the most bits of a numerator or
  denominator in ``e``, and the largest ``q`` of a power ``b**(p/q)`` in it.

``check(e, what, xs)`` raises ``BudgetError`` when ``e`` has more than ``MAX_NODES``
nodes, a degree bound above ``MAX_TOTAL_DEGREE`` in its symbols, more than
``MAX_TERMS`` terms once expanded, a number of more than ``MAX_NUMBER_BITS`` bits or a
root of order above ``MAX_ROOT_ORDER``; a move whose variables have more than
``MAX_ACTIVE_SETS`` KKT active sets is refused, and so is a curved condition (a later
mover's switching boundary) of more than ``MAX_CURVED_TERMS`` terms.  The solver checks every choice's bounds and
every payoff before a stage, and a stationary-point equation of degree above
``MAX_DEGREE`` in the mover's variable is refused.  ``within(e)`` is the same test
as a truth value (for optional work such as tidying or a sign proof, which is then
skipped: a proof not attempted is no proof).
"""
from __future__ import annotations

import sympy as sp

__all__ = ["BudgetError", "MAX_DEGREE", "MAX_NODES", "MAX_TERMS", "MAX_TOTAL_DEGREE", "PROOF_MAX_OPS",
           "MAX_NUMBER_BITS", "MAX_ROOT_ORDER", "tree_size", "degree_bound", "expanded_terms", "largest_number",
           "root_order", "MAX_ACTIVE_SETS", "MAX_KINK_PIECES", "MAX_SPLIT_CONDITIONS", "MAX_SPLIT_WEIGHT", "MAX_CURVED_TERMS", "check", "within", "describe", "budget_record"]

MAX_DEGREE = 12  # of a stationary-point equation in the mover's variable
MAX_TOTAL_DEGREE = 60  # of any expression in all of its symbols (parameters included)
MAX_NODES = 40000  # nodes of any expression the solver manipulates
MAX_TERMS = 20000  # terms of any expression once expanded
MAX_NUMBER_BITS = 1024  # of a numerator or denominator: a larger one is no float (and slows Wang's factoring)
MAX_ROOT_ORDER = 60  # of a radical x**(p/q): q; sqrt nested 50 deep is x**(1/2**50)
MAX_ACTIVE_SETS = 729  # KKT active sets of the variables chosen at once (3**6: each a system to solve)
MAX_SPLIT_CONDITIONS = 32  # distinct conditions on one mover's variable that split its domain into pieces
MAX_SPLIT_WEIGHT = 64  # the splits on breakpoints' order, each weighing its number of conditions, per stage
MAX_KINK_PIECES = 12  # arguments of all the Max/Min/Abs of choice variables in one payoff
MAX_CURVED_TERMS = 16  # terms of a curved condition in a mover's variables (a later mover's switching boundary)
PROOF_MAX_OPS = 400  # sp.count_ops of an expression whose sign an analysis tries to prove
INF = float("inf")


class BudgetError(ValueError):
    """An expression beyond the engine's resource bounds (the message gives its size)."""


def tree_size(e, cap=MAX_NODES + 1) -> int:
    n = 0
    for _ in sp.preorder_traversal(e):
        n += 1
        if n >= cap:
            break
    return n


def degree_bound(e, xs=None):
    """An upper bound on the total degree of ``e`` in ``xs`` (default: its symbols)."""
    xs = set(e.free_symbols if xs is None else xs)
    memo = {}

    def deg(a):
        if a in memo:
            return memo[a]
        if not (a.free_symbols & xs):
            d = 0
        elif a.is_Symbol:
            d = 1
        elif a.is_Add:
            d = max(deg(t) for t in a.args)
        elif a.is_Mul:
            d = sum(deg(t) for t in a.args)
        elif a.is_Pow and a.exp.is_Integer:
            d = abs(int(a.exp)) * deg(a.base)
        else:
            d = INF
        memo[a] = d
        return d

    return deg(sp.sympify(e))


def expanded_terms(e, cap=10 ** 9):
    """An upper bound on the number of terms of ``expand(e)`` (capped at ``cap``)."""
    from math import comb

    memo = {}

    def terms(a):
        if a in memo:
            return memo[a]
        if not a.free_symbols:
            t = 1
        elif a.is_Add:
            t = sum(terms(x) for x in a.args)
        elif a.is_Mul:
            t = 1
            for x in a.args:
                t = min(cap, t * terms(x))
        elif a.is_Pow and a.exp.is_Integer:
            n, k = terms(a.base), abs(int(a.exp))
            t = cap if n > 1 and k > 10 ** 4 else min(cap, comb(n + k - 1, k))
        else:
            t = 1
        memo[a] = min(cap, t)
        return memo[a]

    return terms(sp.sympify(e))


def largest_number(e) -> int:
    """The most bits of a numerator or denominator of a rational number in ``e``."""
    return max((max(abs(a.p).bit_length(), a.q.bit_length()) for a in sp.preorder_traversal(e) if a.is_Rational),
               default=0)


def root_order(e) -> int:
    """The largest ``q`` of a power ``b**(p/q)`` in ``e`` (1 if none)."""
    return max((int(a.exp.q) for a in sp.preorder_traversal(e) if a.is_Pow and a.exp.is_Rational), default=1)


def describe(e) -> str:
    d = degree_bound(e)
    n = tree_size(e)
    return f"{n}{'+' if n > MAX_NODES else ''} nodes, degree {'unbounded' if d == INF else int(d)}"


def check(e, what, xs=None):
    """Raise ``BudgetError`` if ``e`` is beyond the bounds (see the module docstring)."""
    e = sp.sympify(e)
    n = tree_size(e)
    if n > MAX_NODES:
        raise BudgetError(f"{what} has more than {MAX_NODES} nodes; beyond the engine's resource bound")
    d = degree_bound(e)
    if d != INF and d > MAX_TOTAL_DEGREE:
        raise BudgetError(f"{what} has degree {int(d)} (more than {MAX_TOTAL_DEGREE}); beyond the engine's resource bound")
    bits = largest_number(e)
    if bits > MAX_NUMBER_BITS:
        raise BudgetError(f"{what} holds a number of {bits} bits (more than {MAX_NUMBER_BITS}); "
                          "beyond the engine's resource bound")
    q = root_order(e)
    if q > MAX_ROOT_ORDER:
        raise BudgetError(f"{what} holds a root of order {q} (more than {MAX_ROOT_ORDER}); "
                          "beyond the engine's resource bound")
    t = expanded_terms(e)
    if t > MAX_TERMS:
        raise BudgetError(f"{what} has about {t} terms once expanded (more than {MAX_TERMS}); "
                          "beyond the engine's resource bound")
    if xs is not None:
        dx = degree_bound(e, xs)
        if dx != INF and dx > MAX_DEGREE + 1:
            names = ", ".join(sorted(map(str, xs)))
            raise BudgetError(f"{what} has degree {int(dx)} in {names}: its stationary-point equation would have "
                              f"degree {int(dx) - 1} (more than {MAX_DEGREE}); beyond the engine's resource bound")


def within(e, max_ops=PROOF_MAX_OPS) -> bool:
    """Whether optional work on ``e`` (a proof, a tidy) is attempted: ``count_ops`` at
    most ``max_ops``, tree and degree within the bounds."""
    e = sp.sympify(e)
    if tree_size(e) > MAX_NODES:
        return False
    d = degree_bound(e)
    if d != INF and d > MAX_TOTAL_DEGREE or expanded_terms(e) > MAX_TERMS:
        return False
    if largest_number(e) > MAX_NUMBER_BITS or root_order(e) > MAX_ROOT_ORDER:
        return False
    return sp.count_ops(e) <= max_ops


def budget_record() -> dict:
    """The bounds, for the equilibrium's ``method``."""
    return {"max_stationary_degree": MAX_DEGREE, "max_total_degree": MAX_TOTAL_DEGREE,
            "max_nodes": MAX_NODES, "max_expanded_terms": MAX_TERMS, "max_number_bits": MAX_NUMBER_BITS,
            "max_root_order": MAX_ROOT_ORDER, "max_active_sets": MAX_ACTIVE_SETS, "proof_max_ops": PROOF_MAX_OPS,
            "max_cases_per_stage": _max_cases(), "max_split_weight": MAX_SPLIT_WEIGHT,
            "max_kink_pieces": MAX_KINK_PIECES, "max_split_conditions": MAX_SPLIT_CONDITIONS,
            "max_curved_terms": MAX_CURVED_TERMS}


def _max_cases():
    from openeq.solver.cases import MAX_CASES

    return MAX_CASES

