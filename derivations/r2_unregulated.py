"""R2. Unregulated openness omega_hat and its corner regions.

The unregulated game is the game with the regulation's compliant branch chosen
everywhere (``openeq.analyses.policy.games.unregulated``), solved by the engine.
Its regions are the regimes of ``omega_hat``: *closed* (omega at the lower end of
[0, 1]), *interior* (the first-order condition omega_I) and *open* (upper end).
The corners are written in ``alpha0`` by solving ``omega_I = 0`` and ``omega_I = 1``
for ``alpha0`` (``sympy.solve``); since ``d omega_I / d alpha0`` has a
proved sign, each corner is one side of its threshold.  Comparative statics:
``d omega_hat / d alpha0`` and ``d omega_hat / d epsilon`` in every regime.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.policy import analysis
from openeq.analyses.statics import claim, word
from openeq.core.result import Result
from openeq.core.simplify import tidy as _tidy
from openeq.derivations.roles import roles

COST = 0.1  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R2"


def derive(eq) -> Result:
    reg, ro = analysis(eq), roles(eq.game)
    game, un, w = eq.game, reg.unregulated, reg.choice
    a0, eps = ro.performance, ro.reputation
    dom = game.variables[w][1]
    exprs = {f"{w}_hat": reg.choice_hat()}
    claims, conditions, steps = [], [], list(reg.steps[:1])
    interior = [r for r in reg.regimes if r.kind == "interior"]
    for r in reg.regimes:
        conditions.append((f"{r.kind}: {w}_hat = {r.choice_hat}", r.region.condition))
        steps += [s for s in r.region.steps if s.player == reg.player][-2:]
        for x in (a0, eps):
            if x is not None:
                claims.append(claim(un.game, f"d {w}_hat/d {x}", _tidy(sp.diff(r.choice_hat, x)), r.region.bounds,
                                    where=r.kind))
    thresholds = {}
    if interior and a0 is not None:
        wi = interior[0].choice_hat
        slope = claim(un.game, f"d {w}_I/d {a0}", _tidy(sp.diff(wi, a0)))
        claims.append(slope)
        for end, name in ((dom.lo, "closed"), (dom.hi, "open")):
            roots = sp.solve(sp.Eq(wi, end), a0)
            if len(roots) == 1:
                thresholds[name] = _tidy(roots[0])
                exprs[f"{a0} where {w}_I = {end} ({name} corner)"] = thresholds[name]
        if slope.sign == "-" and len(thresholds) == 2:
            conditions += [(f"closed iff {a0} > {a0}_closed", a0 > thresholds["closed"]),
                           (f"open iff {a0} <= {a0}_open", a0 <= thresholds["open"])]
    sign_a = next((c.sign for c in claims if c.text.startswith(f"d {w}_hat/d {a0} ") and "interior" in c.text), None)
    sign_e = next((c.sign for c in claims if c.text.startswith(f"d {w}_hat/d {eps} ") and "interior" in c.text), None)
    return Result(
        KEY, "Unregulated openness",
        f"Without regulation ({reg.penalty} = 0) the generalist's openness {w}_hat has {len(reg.regimes)} regimes "
        f"({', '.join(r.kind for r in reg.regimes)}).  In the interior regime {w}_hat {word(sign_a)} with the "
        f"baseline performance {a0} and {word(sign_e)} with the reputational benefit {eps}; at the corners "
        "it does not move."
        + (f" Better models are released less openly: fully closed above {a0}_closed, fully open at or below "
           f"{a0}_open." if sign_a == "-" and len(thresholds) == 2 else ""),
        expressions=exprs, conditions=conditions, claims=claims, steps=steps,
        data={"regimes": [r.kind for r in reg.regimes], "alpha0_thresholds": thresholds})
