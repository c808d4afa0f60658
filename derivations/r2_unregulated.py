"""R2. Unregulated openness omega_hat and its corner regions.

The unregulated game is ``fix(game, p=0)`` (``openeq.transform``), solved by the
engine.  Its regions are the regimes of ``omega_hat``: *closed* (omega at the lower
end of [0, 1]), *interior* (the first-order condition omega_I) and *open* (upper
end).  The corners are written in ``alpha0`` by solving ``omega_I = 0`` and
``omega_I = 1`` for ``alpha0`` (``sympy.solve``); since ``d omega_I / d alpha0`` has a
proved sign, each corner is one side of its threshold.  Comparative statics:
``d omega_hat / d alpha0`` and ``d omega_hat / d epsilon`` in every regime.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.regulation import NAMES, analysis
from openeq.analyses.statics import claim, word
from openeq.core.simplify import tidy as _tidy
from openeq.core.result import Result

COST = 0.1  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R2"


def derive(eq) -> Result:
    reg = analysis(eq)
    game, un = eq.game, reg.unregulated
    a0, eps = reg.alpha0, game.symbol("epsilon")
    dom = game.variables[reg.omega][1]
    exprs = {"omega_hat": reg.omega_hat()}
    claims, conditions, steps = [], [], list(reg.steps[:1])
    interior = [r for r in reg.regimes if r.kind == "interior"]
    for r in reg.regimes:
        conditions.append((f"{r.kind}: omega_hat = {r.omega_hat}", r.region.condition))
        steps += [s for s in r.region.steps if s.player == NAMES["generalist"]][-2:]
        for x in (a0, eps):
            claims.append(claim(un.game, f"d omega_hat/d {x}", _tidy(sp.diff(r.omega_hat, x)), r.region.bounds, where=r.kind))
    thresholds = {}
    if interior:
        w = interior[0].omega_hat
        slope = claim(un.game, "d omega_I/d alpha0", _tidy(sp.diff(w, a0)))
        claims.append(slope)
        for end, name in ((dom.lo, "closed"), (dom.hi, "open")):
            roots = sp.solve(sp.Eq(w, end), a0)
            if len(roots) == 1:
                thresholds[name] = _tidy(roots[0])
                exprs[f"alpha0 where omega_I = {end} ({name} corner)"] = thresholds[name]
        if slope.sign == "-" and len(thresholds) == 2:
            conditions += [("closed iff alpha0 > alpha0_closed", a0 > thresholds["closed"]),
                           ("open iff alpha0 <= alpha0_open", a0 <= thresholds["open"])]
    sign_a = next((c.sign for c in claims if c.text.startswith(f"d omega_hat/d {a0} ") and "interior" in c.text), None)
    sign_e = next((c.sign for c in claims if c.text.startswith(f"d omega_hat/d {eps} ") and "interior" in c.text), None)
    return Result(
        KEY, "Unregulated openness",
        f"Without regulation (p = 0) the generalist's openness omega_hat has {len(reg.regimes)} regimes "
        f"({', '.join(r.kind for r in reg.regimes)}).  In the interior regime omega_hat {word(sign_a)} with the "
        f"baseline performance alpha0 and {word(sign_e)} with the reputational benefit epsilon; at the corners "
        "it does not move."
        + (" Better models are released less openly: fully closed above alpha0_closed, fully open at or below "
           "alpha0_open." if sign_a == "-" and len(thresholds) == 2 else ""),
        expressions=exprs, conditions=conditions, claims=claims, steps=steps,
        data={"regimes": [r.kind for r in reg.regimes], "alpha0_thresholds": thresholds})
