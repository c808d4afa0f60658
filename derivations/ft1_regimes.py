"""FT1. The regimes of the fine-tuning game with n alike specialists, and G's response to n.

From the engine's symmetric SPE of ``fine-tuning-n`` (``openeq.core.copies``): every
region's regime -- G's choice of ``alpha0`` (interior, or on the specialists'
participation boundary ``U_D*(alpha0) = 0``) and the specialists' (contributors
``alpha* > alpha0``, free-riders ``alpha* = alpha0``, abstainers) -- with G's investment
``alpha0*`` and G's value ``U_G*`` in closed form, and in each regime the sign of

    d alpha0* / d n   and   d U_G* / d n,

proved by the prover where it can (else certified numerically, and marked so).  The
paper's regimes (arXiv 2308.04399): every specialist contributes, free-rides or abstains;
more specialists raise G's investment where G is interior (``alpha0* = n delta / c0``)
and leave it at the participation threshold where G sits on the boundary.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.statics import claim, word
from openeq.core.result import Result
from openeq.core.simplify import tidy

MODEL = "fine-tuning-n"
KEY = "FT1"
COST = 5.0  # seconds (the claims' proofs over the regions)


def derive(eq) -> Result:
    game = eq.game
    (spec,) = [c for c in game.copies.values() if c.symbolic]
    n, first = spec.count, game.moves[0]
    (a0,) = list(first.variables)
    G = first.player
    regimes = {}
    for r in eq.regions:  # one region per regime and form of alpha0*; edges (an equality) belong to their neighbours
        if not any(b.op == "==" for b in r.bounds):
            regimes.setdefault((r.label, sp.srepr(r.strategies[a0])), r)
    expressions, conditions, claims, grows, flat = {}, [], [], [], []
    for k, ((label, _), r) in enumerate(regimes.items(), 1):
        x, u = tidy(r.strategies[a0]), tidy(r.payoffs[G])
        expressions[f"{a0}* ({k}: {label})"] = x
        expressions[f"U_{G}* ({k}: {label})"] = u
        conditions.append((f"({k}) {label}", r.condition))
        c = claim(game, f"d {a0}*/d {n}", tidy(sp.diff(x, n)), bounds=r.bounds, where=f"{k}: {label}")
        claims += [c, claim(game, f"d U_{G}*/d {n}", tidy(sp.diff(u, n)), bounds=r.bounds, where=f"{k}: {label}")]
        (grows if c.sign in ("+", "+0") and x.has(n) else flat if c.sign == "0" else []).append(label)
    labels = list(dict.fromkeys(label for label, _ in regimes))

    def names(ls):
        return ", ".join(f"'{x.removeprefix('symmetric: ')}'" for x in dict.fromkeys(ls))

    statement = (f"The symmetric equilibrium has {len(labels)} regimes: {names(labels)}.  "
                 f"G's investment {a0}* {word('+0' if grows else '?')} with the number {n} of specialists "
                 f"in {names(grows) or 'no regime'}"
                 + (f", and does not change with {n} in {names(flat)}" if flat else "") + ".")
    return Result(KEY, "Regimes of the fine-tuning game with n specialists", statement, expressions=expressions,
                  conditions=conditions, claims=claims, data={"regimes": labels, "regions": len(eq.regions)})
