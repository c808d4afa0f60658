"""R3. The regulated equilibrium: already open, comply, defy; the compliance cost.

The engine's regions carry the labels ``already_open`` (omega_hat >= theta),
``comply`` (omega = theta) and ``defy`` (omega = omega_hat, pays p).  In each
unregulated regime, comply and defy are split by one bound ``p >= Delta(theta)``;

    Delta(theta) = U_G(omega_hat) - U_G(theta)        (penalty excluded)

is read from that bound and checked against the regions' payoffs.  The
indifference curve ``Delta = p`` is solved (``sympy.solve``) for the critical
threshold ``theta*(alpha0, p)``, the critical penalty ``p*(alpha0, theta)`` and the
critical performance ``alpha0*(theta, p)``; roots are selected by proved signs.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.regulation import analysis, identically_zero
from openeq.analyses.statics import claim, word
from openeq.core.simplify import tidy as _tidy
from openeq.core.result import Claim, Result

COST = 0.5  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R3"


def derive(eq) -> Result:
    reg = analysis(eq)
    game, p, th, a0 = eq.game, reg.p, reg.theta, reg.alpha0
    exprs, claims, conditions, steps = {}, [], [], []
    for k, r in enumerate(eq.regions):
        kind = reg.regimes[reg.region_regime[k]].kind if reg.region_regime[k] is not None else "?"
        conditions.append((f"{r.label} (omega_hat {kind}): omega = {r.strategies[reg.omega]}", r.condition))
    signs = {}
    for rg in reg.regimes:
        if rg.delta is None:
            continue
        steps += rg.steps
        exprs[f"Delta(theta) [{rg.kind}]"] = rg.delta
        exprs[f"theta*(alpha0, p) [{rg.kind}]"] = rg.theta_star
        # the least penalty that makes the generalist comply: the root of p = Delta in p, which is
        # Delta itself when Delta does not depend on p (the regulation analysis requires that)
        exprs[f"p*(alpha0, theta) [{rg.kind}]"] = sp.solve(sp.Eq(rg.delta, p), p)[0] if p in rg.delta.free_symbols else rg.delta
        for root, cond in rg.alpha0_star:
            exprs[f"alpha0*(theta, p) [{rg.kind}]"] = root
            conditions.append((f"alpha0* [{rg.kind}] valid", cond))
        facts = [b for b in rg.comply.bounds if p not in b.free_symbols]
        for name, e in (("Delta", rg.delta), ("d Delta/d theta", sp.diff(rg.delta, th)),
                        ("d Delta/d alpha0", sp.diff(rg.delta, a0))):
            c = claim(game, name, _tidy(e), facts, where=f"{rg.kind}, theta > omega_hat")
            claims.append(c)
            signs[name, rg.kind] = c.sign
        if rg.theta_star is not None:
            zero = identically_zero(rg.delta.xreplace({th: rg.theta_star}) - p)
            claims.append(Claim(f"Delta(theta*) - p = 0 ({rg.kind})", rg.delta.xreplace({th: rg.theta_star}) - p,
                                "0" if zero else "?", zero))
    exprs["Delta(theta)"] = reg.delta()
    kinds = [rg.kind for rg in reg.regimes if rg.delta is not None]
    up = all(signs.get(("d Delta/d theta", k)) == "+" for k in kinds)
    pos = all(signs.get(("Delta", k)) == "+" for k in kinds)
    a_up = all(signs.get(("d Delta/d alpha0", k)) == "+" for k in kinds)
    return Result(
        KEY, "The regulated equilibrium",
        f"The engine finds {len(eq.regions)} regions in {len(eq.labels)} regimes ({', '.join(eq.labels)}).  "
        "Above omega_hat, the generalist complies (omega = theta) iff the penalty covers its compliance cost, "
        "p >= Delta(theta) = U_G(omega_hat) - U_G(theta), and otherwise defies (keeps omega_hat and pays p).  "
        f"Delta is {'positive' if pos else 'not proved positive'} and {word('+' if up else '?')} in theta above "
        f"omega_hat, and "
        f"{word('+' if a_up else '?')} in alpha0: compliance is costlier for better models.  The indifference "
        "curve p = Delta gives theta*(alpha0, p), p*(alpha0, theta) = Delta(theta) and alpha0*(theta, p).",
        expressions=exprs, conditions=conditions, claims=claims, steps=steps,
        data={"labels": eq.labels, "regions": [(r.label, r.case) for r in eq.regions]})
