"""Detecting a threshold regulation in a game's payoffs, from their structure alone.

A *threshold regulation* of mover ``i``'s choice ``x`` is a part of ``u_i`` that is
piecewise in ``x`` with conditions ``x op b_k`` (``b_k`` an expression in the
parameters only, a *threshold*) such that, on the cells of the real line cut at the
ordered thresholds ``b_1 <= ... <= b_m``,

    u_i(x) = v(x) - P_j      for x in cell j,  j = 0, ..., m,

with ``v`` the same smooth expression on every cell and the *penalties* ``P_j`` free
of every choice variable, ``P_j >= 0``, ``P_c = 0`` on one end cell ``c`` (the
*compliant* cell) and ``P_j`` weakly decreasing towards it.  When the compliant cell
is the top one, the standard is a *minimum* (comply iff ``x >= b``: an open-source
threshold); when it is the bottom one, a *maximum* (comply iff ``x <= b``: an
emissions cap).  Crossing ``b_k`` towards compliance saves the *tier penalty*
``P_{j} - P_{j+1}``; tiers are numbered from the least strict (the first crossed
from the worst cell) to the strictest.  Whether the threshold itself complies
(``x >= b`` or ``x > b``) is read from the value on the point cell ``{b_k}``.

Nothing here depends on names or on how the Piecewise is written: the cells'
values are computed by replacing each condition with its truth value on the cell,
so ``Piecewise((p, x < t), (0, True))`` and ``Piecewise((0, x >= t), (p, True))`` are
the same regulation.  The conditions must be linear in ``x`` with a coefficient of
proved sign; thresholds are ordered, and penalties signed, by the prover under the
game's domains and relations.  A candidate that fails a test is not a regulation;
``explain(game)`` says which test it failed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from openeq.core.errors import OpeneqError
from openeq.core.relations import OP_OF, SYMPY
from openeq.core.simplify import nice

__all__ = ["Tier", "Regulation", "NoRegulation", "find_regulations", "regulation_of", "explain"]


class NoRegulation(OpeneqError):
    """The game has no threshold regulation (the message says what was looked for)."""


@dataclass(frozen=True)
class Tier:
    """Tier ``index`` (1: least strict): threshold ``threshold``, tier penalty ``penalty``."""

    index: int
    threshold: sp.Expr
    penalty: sp.Expr  # what crossing the threshold towards compliance saves
    paid_below: sp.Expr  # penalty paid on the non-compliant side of the threshold
    paid_above: sp.Expr  # penalty paid on its compliant side
    closed: bool  # the threshold itself complies (x >= b for a minimum standard)


@dataclass
class Regulation:
    """A detected regulation of ``player``'s choice ``choice``."""

    player: str
    choice: sp.Symbol
    direction: str  # "min": comply iff choice >= threshold; "max": comply iff choice <= threshold
    tiers: list
    atoms: tuple  # the conditions of the regulation (sympy relationals)
    compliant: dict  # atom -> its truth value on the compliant cell
    worst: dict  # atom -> its truth value on the worst cell (every penalty paid)
    cells: list = field(default_factory=list)  # [(penalty paid, {atom: truth})], worst cell first

    @property
    def sign(self) -> int:
        """+1 for a minimum standard, -1 for a maximum: ``sign * (x - b) >= 0`` complies."""
        return 1 if self.direction == "min" else -1

    @property
    def penalty_total(self) -> sp.Expr:
        return self.cells[0][0]

    def paid(self):
        """The penalty paid as a function of the choice (a Piecewise over the cells)."""
        x, pieces = self.choice, []
        for k, t in enumerate(self.tiers):  # from the worst cell towards compliance
            op = ("<" if t.closed else "<=") if self.sign > 0 else (">" if t.closed else ">=")
            pieces.append((t.paid_below, SYMPY[op](x, t.threshold)))
        return sp.Piecewise(*pieces, (0, True))

    def describe(self) -> str:
        rel = ">=" if self.sign > 0 else "<="
        tiers = "; ".join(f"tier {t.index}: {self.choice} {rel} {t.threshold} saves {t.penalty}" for t in self.tiers)
        return f"{self.player}'s choice {self.choice} ({'minimum' if self.sign > 0 else 'maximum'} standard; {tiers})"


def _prover(game):
    from openeq.analyses.statics import prover_for

    return prover_for(game)


def _linear(atom, x, choices, prover):
    """``(op, b)`` with ``atom <=> x op b`` and ``b`` in parameters only, or a reason it is not."""
    if not isinstance(atom, sp.core.relational.Relational) or type(atom) not in OP_OF:
        return None, f"{atom} is not a comparison"
    op = OP_OF[type(atom)]
    if op in ("==", "!="):
        return None, f"{atom} is an equality, not a threshold"
    g = sp.expand(atom.lhs - atom.rhs)
    if (g.free_symbols & set(choices)) - {x}:
        return None, f"{atom} involves other choice variables"
    if not g.is_polynomial(x) or sp.degree(g, x) != 1:
        return None, f"{atom} is not linear in {x}"
    a = g.coeff(x)
    s = prover.sign(a)
    if s not in ("+", "-"):
        return None, f"the sign of {a}, the coefficient of {x} in {atom}, is not proved"
    b = nice(-(g - a * x) / a)
    flip = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
    return (op if s == "+" else flip[op], b), None


def _order(points, prover):
    """The thresholds in weakly increasing order (proved), or None."""
    out = []
    for b in points:
        pos = 0
        for q in out:
            t = prover.truth(b, ">=", q)
            if t is None and prover.truth(b, "<=", q) is not True:
                return None
            pos += bool(t)
        out.insert(pos, b)
    return out


def _truth(op, b_index, cell):
    """Truth of ``x op b_k`` on ``cell``: ("open", j) is (b_j, b_{j+1}); ("point", k) is {b_k}."""
    kind, j = cell
    k = b_index
    if kind == "open":
        below = j < k
        return {"<": below, "<=": below, ">": not below, ">=": not below}[op]
    return {"<": j < k, "<=": j <= k, ">": j > k, ">=": j >= k}[op]


def _candidate(game, player, x, atoms, prover):
    """The regulation formed by ``atoms`` (conditions on x) in ``player``'s payoff, or a reason."""
    choices = list(game.variables)
    lin = {}
    for a in atoms:
        form, why = _linear(a, x, choices, prover)
        if form is None:
            return None, why
        lin[a] = form
    points = []
    for op, b in lin.values():
        if not any(sp.cancel(b - q) == 0 for q in points):
            points.append(b)
    order = _order(points, prover)
    if order is None:
        return None, f"the thresholds {', '.join(map(str, points))} of {x} cannot be ordered (add an assumption)"
    index = {a: next(k + 1 for k, q in enumerate(order) if sp.cancel(b - q) == 0) for a, (op, b) in lin.items()}
    u, m = game.payoffs[player], len(order)

    def value(cell):
        return u.xreplace({a: sp.true if _truth(op, index[a], cell) else sp.false for a, (op, b) in lin.items()})

    opens = [value(("open", j)) for j in range(m + 1)]
    base = opens[0]
    gaps = [nice(base - v) for v in opens]  # P_j - P_0
    if any(g.free_symbols & set(choices) for g in gaps):
        return None, f"{player}'s payoff differs across the thresholds of {x} by terms in the choices"
    top = [prover.sign(g - gaps[-1]) for g in gaps]  # compliant on top: P_j - P_m >= 0
    bottom = [prover.sign(g - gaps[0]) for g in gaps]
    if all(s in ("+", "0", "+0") for s in top) and prover.sign(gaps[-1] - gaps[0]) != "0":
        direction, comp = "min", m
    elif all(s in ("+", "0", "+0") for s in bottom) and prover.sign(gaps[-1] - gaps[0]) != "0":
        direction, comp = "max", 0
    else:
        return None, f"no end cell of {x} is proved to bear the least penalty"
    paid = [nice(g - gaps[comp]) for g in gaps]  # P_j
    seq = paid if direction == "min" else paid[::-1]  # worst cell first
    if any(prover.sign(seq[j] - seq[j + 1]) not in ("+", "0", "+0") for j in range(m)):
        return None, f"the penalties on {x} do not fall towards compliance"
    thresholds = order if direction == "min" else order[::-1]
    tiers = []
    for k, b in enumerate(thresholds):
        kpt = order.index(b) + 1
        at = nice(base - value(("point", kpt)) - gaps[comp])
        closed = sp.cancel(at - seq[k + 1]) == 0
        if not closed and sp.cancel(at - seq[k]) != 0:
            return None, f"the penalty at {x} = {b} is neither side's"
        tiers.append(Tier(k + 1, b, nice(seq[k] - seq[k + 1]), seq[k], seq[k + 1], closed))
    worst_cell = ("open", 0) if direction == "min" else ("open", m)
    comp_cell = ("open", m) if direction == "min" else ("open", 0)
    cells = []
    for j in (range(m + 1) if direction == "min" else range(m, -1, -1)):
        cells.append((paid[j], {a: _truth(op, index[a], ("open", j)) for a, (op, b) in lin.items()}))
    reg = Regulation(player, x, direction, tiers, tuple(atoms),
                     {a: _truth(op, index[a], comp_cell) for a, (op, b) in lin.items()},
                     {a: _truth(op, index[a], worst_cell) for a, (op, b) in lin.items()}, cells)
    if any(sp.cancel(t.penalty) == 0 for t in tiers):
        return None, f"a threshold of {x} carries no penalty"
    return reg, None


def _scan(game):
    """[(Regulation or None, reason)] for every (mover, own choice) with conditions on it."""
    prover = _prover(game)
    out = []
    for move in game.moves:
        u = game.payoffs.get(move.player)
        if u is None:
            continue
        rels = [a for pw in sp.sympify(u).atoms(sp.Piecewise) for _, c in pw.args
                for a in (c.atoms(sp.core.relational.Relational) if isinstance(c, sp.Basic) else ())]
        for x in move.variables:
            atoms = sorted({a for a in rels if x in a.free_symbols}, key=sp.default_sort_key)
            if atoms:
                out.append(_candidate(game, move.player, x, atoms, prover))
    return out


def find_regulations(game) -> list:
    """Every threshold regulation in ``game``, in move order."""
    return [r for r, _ in _scan(game) if r is not None]


def explain(game) -> str:
    """Why ``game`` has no regulation (or which it has), in one line."""
    scan = _scan(game)
    found = [r for r, _ in scan if r is not None]
    if found:
        return "; ".join(r.describe() for r in found)
    if not scan:
        return (f"game {game.name!r} has no threshold regulation: no mover's payoff is piecewise in its own "
                "choice (a regulation is a Piecewise term whose condition compares the mover's choice with a "
                "threshold in the parameters and whose branches differ by a penalty)")
    return f"game {game.name!r} has no threshold regulation: " + "; ".join(why for _, why in scan)


def regulation_of(game, index: int = 0) -> Regulation:
    """The ``index``-th regulation of ``game``; ``NoRegulation`` (with the reason) if there is none."""
    found = find_regulations(game)
    if not found:
        raise NoRegulation(explain(game))
    if not 0 <= index < len(found):
        raise NoRegulation(f"game {game.name!r} has {len(found)} regulation(s); no regulation number {index + 1}")
    return found[index]
