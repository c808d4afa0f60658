"""The limit of a payoff at an unbounded end of a choice set.

For ``f = P/Q`` rational in ``x`` with leading coefficients ``p, q`` (those proved
zero dropped) and degrees ``dp, dq``, as ``x -> s*oo`` (``s = +-1``):

* ``dp > dq``: ``f -> sign(p q s^(dp - dq)) * oo`` -- the sign must be proved; if it
  is not, the region is split on it (``SplitUndecided``);
* ``dp = dq``: ``f -> p/q``;   ``dp < dq``: ``f -> 0``.

Otherwise ``sympy.limit`` (with the symbols' assumptions) is asked; an answer that
is not ``+-oo`` nor a finite expression free of ``x`` is refused.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.canonical import canonical_cancel
from openeq.core.conditions import nice
from openeq.solver.pieces import SplitUndecided
from openeq.solver.signs import known_sign, split_bound

__all__ = ["limit_at", "LimitError", "end_value"]


class LimitError(ValueError):
    pass


def limit_at(f, x, s, prover, what):
    """``('+oo', None)``, ``('-oo', None)`` or ``('finite', L)`` for ``f`` as ``x -> s*oo``."""
    num, den = sp.fraction(canonical_cancel(sp.together(f)))
    if num.is_polynomial(x) and den.is_polynomial(x):
        P, Q = _strip(sp.Poly(num, x).all_coeffs(), prover), _strip(sp.Poly(den, x).all_coeffs(), prover)
        dp, dq = len(P) - 1, len(Q) - 1
        if dp < dq:
            return "finite", sp.S.Zero
        if dp == dq:
            return "finite", nice(P[0] / Q[0])
        lead = nice(P[0] * Q[0] * s ** (dp - dq))
        sign = known_sign(lead, prover)
        if sign == "+":
            return "+oo", None
        if sign == "-":
            return "-oo", None
        raise SplitUndecided(split_bound(lead, sign), narrow=True)
    try:
        L = sp.limit(f, x, s * sp.oo)
    except (NotImplementedError, ValueError, TypeError):
        L = None
    if L == sp.oo:
        return "+oo", None
    if L == -sp.oo:
        return "-oo", None
    if L is not None and x not in L.free_symbols and not L.has(sp.Limit, sp.AccumBounds, sp.sign, sp.zoo, sp.nan, sp.oo):
        return "finite", nice(L)
    raise LimitError(f"cannot decide the limit of {what} as {x} -> {'' if s > 0 else '-'}oo")


def _strip(coeffs, prover):
    """Drop leading coefficients proved zero (under the facts); split where undecided."""
    out = list(coeffs)
    while len(out) > 1:
        s = known_sign(out[0], prover)
        if s == "0":
            out.pop(0)
            continue
        if s not in ("+", "-") and not out[0].is_number:
            raise SplitUndecided(split_bound(out[0], s), narrow=True)
        break
    return out


def end_value(f, x, b, side):
    """``f`` at a finite end ``b`` of a piece (the one-sided limit if ``f`` is not defined there)."""
    v = f.xreplace({x: b})
    if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        v = sp.limit(f, x, b, dir="+" if side == "lower" else "-")
    return nice(v)
