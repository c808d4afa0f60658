"""R3. The regulated equilibrium: already open, comply, defy; the compliance cost.

The engine's regions carry the solver's tags for the generalist: ``free`` (displayed
``already_open``: omega_hat >= theta), ``bunch`` (``comply``: omega = theta) and ``jump``
(``defy``: omega = omega_hat, pays p).  In each unregulated regime, comply and defy are
split by one bound ``p >= Delta(theta)``;

    Delta(theta) = U_G(omega_hat) - U_G(theta)        (penalty excluded)

is read from that bound and checked against the regions' payoffs.  The indifference
curve ``Delta = p`` is solved (``sympy.solve``) for the critical threshold
``theta*(alpha0, p)``, the critical penalty ``p*(alpha0, theta)`` and the critical
performance ``alpha0*(theta, p)``; roots are selected by proved signs.  All of it is
the policy analysis's (``openeq.analyses.policy``); this module states it.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.policy import analysis
from openeq.analyses.regimes import identically_zero
from openeq.analyses.statics import claim, word
from openeq.core.result import Claim, Result
from openeq.core.simplify import tidy
from openeq.derivations.roles import roles

COST = 0.5  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R3"


def derive(eq) -> Result:
    reg, ro = analysis(eq), roles(eq.game)
    game, p, th, a0, w = eq.game, reg.penalty, reg.threshold_parameter(), ro.performance, reg.choice
    exprs, claims, conditions, steps = {}, [], [], []
    lever = {id(pr): roots for _, pr, roots in reg.critical(a0.name)} if a0 is not None else {}
    for k, r in enumerate(eq.regions):
        kind = reg.regimes[reg.region_regime[k]].kind if reg.region_regime[k] is not None else "?"
        conditions.append((f"{r.label} ({w}_hat {kind}): {w} = {r.strategies[w]}", r.condition))
    signs = {}
    for rg in reg.regimes:
        pr = rg.pair()
        if pr is None or pr.delta is None:
            continue
        steps += pr.steps
        exprs[f"Delta({th}) [{rg.kind}]"] = pr.delta
        exprs[f"{th}*({a0}, {p}) [{rg.kind}]"] = pr.threshold_star
        # the least penalty that makes the generalist comply: the root of p = Delta in p, which is
        # Delta itself when Delta does not depend on p
        exprs[f"{p}*({a0}, {th}) [{rg.kind}]"] = sp.solve(sp.Eq(pr.delta, p), p)[0] if p in pr.delta.free_symbols else pr.delta
        for root, cond in lever.get(id(pr), []):
            exprs[f"{a0}*({th}, {p}) [{rg.kind}]"] = root
            conditions.append((f"{a0}* [{rg.kind}] valid", cond))
        facts = [b for b in pr.comply.bounds if p not in b.free_symbols]
        for name, e in (("Delta", pr.delta), (f"d Delta/d {th}", sp.diff(pr.delta, th)),
                        (f"d Delta/d {a0}", sp.diff(pr.delta, a0) if a0 is not None else None)):
            if e is None:
                continue
            c = claim(game, name, tidy(e), facts, where=f"{rg.kind}, {th} > {w}_hat")
            claims.append(c)
            signs[name.split(" ")[-1] if name != "Delta" else name, rg.kind] = c.sign
        if pr.threshold_star is not None:
            gap = pr.delta.xreplace({th: pr.threshold_star}) - p
            zero = identically_zero(gap)
            claims.append(Claim(f"Delta({th}*) - {p} = 0 ({rg.kind})", gap, "0" if zero else "?", zero))
    exprs[f"Delta({th})"] = reg.delta()
    kinds = [rg.kind for rg in reg.regimes if rg.delta is not None]
    up = all(signs.get((str(th), k)) == "+" for k in kinds)
    pos = all(signs.get(("Delta", k)) == "+" for k in kinds)
    a_up = all(signs.get((str(a0), k)) == "+" for k in kinds)
    return Result(
        KEY, "The regulated equilibrium",
        f"The engine finds {len(eq.regions)} regions in {len(eq.labels)} regimes ({', '.join(eq.labels)}).  "
        f"Above {w}_hat, the generalist complies ({w} = {th}) iff the penalty covers its compliance cost, "
        f"{p} >= Delta({th}) = U_{reg.player}({w}_hat) - U_{reg.player}({th}), and otherwise defies (keeps {w}_hat and "
        f"pays {p}).  Delta is {'positive' if pos else 'not proved positive'} and {word('+' if up else '?')} in {th} "
        f"above {w}_hat, and "
        f"{word('+' if a_up else '?')} in {a0}: compliance is costlier for better models.  The indifference "
        f"curve {p} = Delta gives {th}*({a0}, {p}), {p}*({a0}, {th}) = Delta({th}) and {a0}*({th}, {p}).",
        expressions=exprs, conditions=conditions, claims=claims, steps=steps,
        data={"labels": eq.labels, "regions": [(r.label, r.case) for r in eq.regions]})
