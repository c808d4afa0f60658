"""R7. The lever curve alpha0*(theta, p) and the marginal responses of openness.

In every engine region, ``d omega/d theta`` and ``d omega/d p`` are sympy derivatives
of the region's strategy.  Across the comply/defy boundary ``p = p*(theta)`` openness
jumps by ``omega(comply) - omega(defy) = theta - omega_hat`` (signed by the prover).
Since ``Delta`` increases in ``alpha0`` (proved, R3), the indifference curve solved
for ``alpha0`` (``sympy.solve``, root chosen by the pair's bounds) splits the models:
``alpha0 <= alpha0*(theta, p)`` comply, so raising theta raises openness one for
one; above it they defy, and only a penalty raised past ``p*`` changes the release.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.regulation import analysis
from openeq.analyses.statics import claim, word
from openeq.core.simplify import tidy as _tidy
from openeq.core.result import Result

COST = 0.2  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R7"


def derive(eq) -> Result:
    reg = analysis(eq)
    game, p, th, a0, w = eq.game, reg.p, reg.theta, reg.alpha0, reg.omega
    claims, exprs, slopes = [], {}, {}
    for k, r in enumerate(eq.regions):
        u = reg.region_regime[k]
        tag = f"{r.label}, {reg.regimes[u].kind if u is not None else '?'}"
        for x in (th, p):
            c = claim(game, f"d omega/d {x}", _tidy(sp.diff(r.strategies[w], x)), r.bounds, where=tag)
            claims.append(c)
            slopes.setdefault((r.label, str(x)), set()).add(c.sign)
    pieces = []
    for rg in reg.regimes:
        if rg.comply is None:
            continue
        facts = [b for b in rg.comply.bounds if p not in b.free_symbols]
        jump = _tidy(rg.comply.strategies[w] - rg.defy.strategies[w])
        exprs[f"jump of omega at p = p* [{rg.kind}]"] = jump
        claims.append(claim(game, "omega(comply) - omega(defy)", jump, facts, where=f"{rg.kind}, theta > omega_hat"))
        claims.append(claim(game, "d Delta/d alpha0", _tidy(sp.diff(rg.delta, a0)), facts, where=rg.kind))
        for root, cond in rg.alpha0_star:
            pieces.append((root, cond))
            exprs[f"alpha0*(theta, p) [{rg.kind}]"] = root
    lever = sp.Piecewise(*pieces) if pieces else None
    if lever is not None:
        exprs["alpha0*(theta, p)"] = lever
    one = {s for lab, x in slopes if lab == "comply" and x == str(th) for s in slopes[lab, x]}
    flat = {s for (lab, x), v in slopes.items() if lab != "comply" or x != str(th) for s in v}
    jumps = [c.sign for c in claims if c.text.startswith("omega(comply) - omega(defy)")]
    grow = [c.sign for c in claims if c.text.startswith("d Delta/d alpha0")]
    return Result(
        KEY, "The lever curve",
        f"Within regions openness moves with theta only where the generalist complies (d omega/d theta "
        f"{'= 1' if one == {'+'} and all(sp.diff(r.strategies[w], th) == 1 for r in eq.regions if r.label == 'comply') else 'signs ' + str(sorted(one))}"
        f"), and {'nowhere' if flat == {'0'} else 'not only'} else with theta or p; at p = p*(theta) it jumps up by "
        f"theta - omega_hat{' > 0' if jumps and set(jumps) == {'+'} else ''}.  The compliance cost "
        f"{word(grow[0] if grow and len(set(grow)) == 1 else None)} in alpha0, so the lever curve alpha0*(theta, p) "
        "splits the models: at or below it they comply and raising theta raises openness; above it they defy and "
        "only raising p past p* changes the release.",
        expressions=exprs, conditions=[(f"piece {i}", c) for i, (_, c) in enumerate(pieces)], claims=claims,
        steps=[s for rg in reg.regimes for s in rg.steps], data={"slopes": {f"{a}|{b}": sorted(v) for (a, b), v in slopes.items()}})
