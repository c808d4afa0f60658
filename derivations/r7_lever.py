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

from openeq.analyses.policy import analysis
from openeq.analyses.policy.data import lever_curve
from openeq.analyses.statics import claim, word
from openeq.core.result import Result
from openeq.core.simplify import tidy as _tidy
from openeq.derivations.roles import roles

COST = 0.2  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R7"


def derive(eq) -> Result:
    reg, ro = analysis(eq), roles(eq.game)
    game, p, th, a0, w = eq.game, reg.penalty, reg.threshold_parameter(), ro.performance, reg.choice
    claims, exprs, slopes = [], {}, {}
    for k, r in enumerate(eq.regions):
        u = reg.region_regime[k]
        tag = f"{r.label}, {reg.regimes[u].kind if u is not None else '?'}"
        for x in (th, p):
            c = claim(game, f"d {w}/d {x}", _tidy(sp.diff(r.strategies[w], x)), r.bounds, where=tag)
            claims.append(c)
            slopes.setdefault((reg.role(r), r.label, str(x)), set()).add(c.sign)
    pieces = lever_curve(reg, a0.name) if a0 is not None else []
    for rg in reg.regimes:
        if rg.comply is None:
            continue
        facts = [b for b in rg.comply.bounds if p not in b.free_symbols]
        jump = _tidy(rg.comply.strategies[w] - rg.defy.strategies[w])
        exprs[f"jump of {w} at {p} = {p}* [{rg.kind}]"] = jump
        claims.append(claim(game, f"{w}(comply) - {w}(defy)", jump, facts, where=f"{rg.kind}, {th} > {w}_hat"))
        if a0 is not None:
            claims.append(claim(game, f"d Delta/d {a0}", _tidy(sp.diff(rg.delta, a0)), facts, where=rg.kind))
        for root, _ in rg.pair().critical.get(str(a0), []):
            exprs[f"{a0}*({th}, {p}) [{rg.kind}]"] = root
    lever = sp.Piecewise(*pieces) if pieces else None
    if lever is not None:
        exprs[f"{a0}*({th}, {p})"] = lever
    one = {s for (role, _, x), v in slopes.items() if role == "bunch" and x == str(th) for s in v}
    flat = {s for (role, _, x), v in slopes.items() if role != "bunch" or x != str(th) for s in v}
    jumps = [c.sign for c in claims if c.text.startswith(f"{w}(comply) - {w}(defy)")]
    grow = [c.sign for c in claims if c.text.startswith(f"d Delta/d {a0}")]
    unit = one == {"+"} and all(sp.diff(r.strategies[w], th) == 1 for r in eq.regions if reg.role(r) == "bunch")
    return Result(
        KEY, "The lever curve",
        f"Within regions openness moves with {th} only where the generalist complies (d {w}/d {th} "
        f"{'= 1' if unit else 'signs ' + str(sorted(one))}"
        f"), and {'nowhere' if flat == {'0'} else 'not only'} else with {th} or {p}; at {p} = {p}*({th}) it jumps up by "
        f"{th} - {w}_hat{' > 0' if jumps and set(jumps) == {'+'} else ''}.  The compliance cost "
        f"{word(grow[0] if grow and len(set(grow)) == 1 else None)} in {a0}, so the lever curve {a0}*({th}, {p}) "
        f"splits the models: at or below it they comply and raising {th} raises openness; above it they defy and "
        f"only raising {p} past {p}* changes the release.",
        expressions=exprs, conditions=[(f"piece {i}", c) for i, (_, c) in enumerate(pieces)], claims=claims,
        steps=[s for rg in reg.regimes for s in rg.steps],
        data={"slopes": {f"{lab}|{x}": sorted(v) for (_, lab, x), v in slopes.items()}})
