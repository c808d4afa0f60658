"""The case split of a stage: solve under facts, split where the prover cannot decide.

A stage is solved under a conjunction of *facts* (bounds on parameters and earlier
choices).  Where the solver meets a bound ``b`` whose truth the prover cannot decide
(a breakpoint's position against the domain, the order of two breakpoints, a
second-order condition, a leading coefficient), it raises ``SplitUndecided(b)``; the
stage is then solved again under ``facts + [b]`` and under ``facts + [not b]`` (one
case per alternative of the negation).  The cases form a binary tree whose leaves
partition the region of ``facts``.

* *Pruning.*  A case whose facts are proved contradictory (``conjunction`` is
  ``None``) is never solved, so the cost grows with the number of *feasible*
  cases, not with ``2^depth``.
* *No loop.*  A bound raised again under a case that already holds it (or its
  negation) means that the prover cannot use the fact: the engine refuses, naming
  the bound, instead of splitting on it forever.
* *Factors.*  Where the prover cannot use such a fact whole, e.g.
  ``(delta + kappa - 1)**2/(c*(delta - 1)) < 0``, the stage splits instead on the first
  factor of it whose sign is not proved, ``delta + kappa - 1 > 0``; the tree below that
  split decides the fact's sign case by case.
* *Budget.*  At most ``MAX_CASES`` cases are solved per stage, and the splits on
  breakpoints' positions weigh at most ``MAX_SPLIT_WEIGHT`` in all, a split on ``n``
  conditions weighing ``n`` (a payoff with thirty kinks whose order against a parameter
  is open would need some sixty cases, each ordering all the kinks again).  The worked
  models weigh at most 20.  Both are counts, never a time;
  past one the engine refuses, naming the count.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.conditions import Bound, conjunction, negate
from openeq.solver.budget import MAX_SPLIT_WEIGHT, BudgetError
from openeq.solver.pieces import SplitUndecided

__all__ = ["MAX_CASES", "solve_cases"]

MAX_CASES = 4096  # cases solved per stage


class _Counter:
    def __init__(self):
        self.n = 0
        self.weight = 0

    def split(self, u):
        """Count the split ``u``'s breakpoints against the budget."""
        self.weight += u.breakpoints
        if self.weight > MAX_SPLIT_WEIGHT:
            raise BudgetError(f"splitting the parameters again and again on the order of {u.breakpoints} "
                              f"breakpoints ({self.weight} conditions over the stage's splits, more than "
                              f"{MAX_SPLIT_WEIGHT}); beyond the engine's resource bound")


def solve_cases(solve_given, prover_for, base, where, facts=(), narrow=frozenset(), counter=None):
    """Branches of ``solve_given(prover)`` over the feasible cases below ``facts``.

    ``prover_for(facts, narrow)``: the prover knowing the facts; ``base``: the prover
    without them (for the pruning); ``where``: the stage, for messages."""
    counter = counter or _Counter()
    counter.n += 1
    if counter.n > MAX_CASES:
        raise BudgetError(f"more than {MAX_CASES} cases of undecided breakpoints or second-order "
                          "conditions; beyond the engine's resource bound")
    prover = prover_for(facts, narrow) if facts else base
    try:
        out = solve_given(prover)
    except SplitUndecided as u:
        counter.split(u)
        alts = [u.bound] + negate(u.bound)
        if any(a in facts for a in alts):
            factor = _factor_split(u.bound, prover, facts)
            if factor is None and _empty_case(facts, base):
                return []  # a case the decision procedure proves empty (e.g. f <= 0, f >= 0, f**2 < 0)
            if factor is None:
                raise BudgetError(f"the prover cannot use the fact {u.bound} (or its negation), which it "
                                  "needs to decide it; add an assumption") from None
            alts = [factor] + negate(factor)
        out = []
        for alt in alts:
            if conjunction(list(facts) + [alt], base) is not None:
                out += solve_cases(solve_given, prover_for, base, where, tuple(facts) + (alt,),
                                   narrow | ({alt} if u.narrow else set()), counter)
        return out
    if facts:
        kept = []
        for b in out:
            region = conjunction(list(facts) + b.bounds, base)
            if region is not None:
                b.bounds = region
                kept.append(b)
        out = kept
    return out


def _factor_split(bound, prover, facts):
    """``f > 0`` (or ``f < 0``) for the first factor ``f`` of ``bound``'s two sides' difference whose sign
    the prover does not know strictly and that no fact already splits on; else None."""
    from openeq.solver.signs import _plain_rational

    if not _plain_rational(bound.subject - bound.bound):
        return None  # (factoring a radical or a huge power costs more than the refusal)
    expr = sp.together(bound.subject - bound.bound)
    for part in sp.fraction(expr):
        _, factors = sp.factor_list(part)
        for f, _ in factors:
            if not f.free_symbols or prover.sign(f) in ("+", "-"):
                continue
            for b in (Bound(f, ">", 0), Bound(f, "<", 0)):  # (under f <= 0: f < 0 or f == 0)
                if b != bound and not any(a in facts for a in [b] + negate(b)):
                    return b
    return None


def _empty_case(facts, base):
    """Whether the decision procedure (``openeq.prove.decide``, optional) proves the case's
    facts, with the known relations, empty -- asked only where two facts pin one factor to
    0 (``f <= 0`` and ``f >= 0``, the prover's blind spot): as a last resort everywhere, z3
    made refusals of the policy analysis's regulator stages take minutes, not seconds."""
    from openeq.prove.decide import decide_empty

    subjects = {}
    for f in facts:
        e = sp.expand(f.subject - f.bound)
        key, flip = (-e, True) if e.could_extract_minus_sign() else (e, False)
        subjects.setdefault(key, set()).add({"<=": "-0", ">=": "+0"}.get(f.op, f.op) if not flip else
                                            {"<=": "+0", ">=": "-0"}.get(f.op, f.op))
    if not any({"-0", "+0"} <= ops for ops in subjects.values()):
        return False
    return decide_empty([f.sympy() for f in facts] + list(base.relations), base.domains) is True
