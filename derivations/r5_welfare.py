"""R5. The welfare effect of a policy against no regulation.

At each point the policy (theta, p) is compared with the same point at p = 0 (the
engine's solution of ``fix(game, p=0)``).  In every engine region, with ``p > 0``:

    d omega = omega - omega_hat,  dU_i = U_i - U_i(p = 0),  dW = dU_G + dU_D,

signed by the prover under the region's bounds.  The effect is a *utility shift*
where ``d omega > 0``, a *deadweight loss* where nothing moves but ``dU_G < 0``, and
*no effect* where nothing changes (also everywhere at ``p = 0``).  ``W`` counts the
penalty as a loss; the transfer variant adds the revenue ``-p * dU_G/dp`` (G's
payoff is linear in p: its second p-derivative is checked to vanish).  In
``comply`` the sign of ``dW`` depends on theta: ``dW`` is concave in theta (proved)
with roots ``omega_hat`` and ``theta_0`` (``sympy.solve``), positive between them.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.policy import analysis
from openeq.analyses.statics import claim
from openeq.core.conditions import Bound
from openeq.core.result import Claim, Result
from openeq.core.simplify import tidy as _tidy

COST = 3.4  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R5"


def derive(eq) -> Result:
    reg = analysis(eq)
    game, p, w = eq.game, reg.penalty, reg.choice
    G, D, th = reg.player, reg.others[0], reg.threshold_parameter()
    claims, exprs, conditions, effects = [], {}, [], {}
    shapes = []  # per comply region: (concave proved, theta_0 found)
    for k, r in enumerate(eq.regions):
        u = reg.region_regime[k]
        if u is None:
            continue
        rg, base = reg.regimes[u], reg.regimes[u].region
        tag = f"{r.label}, {rg.kind}"
        effects.setdefault(r.label, set()).add(reg.effects[k][0])
        facts = [Bound(p, ">", 0)]
        d_g = _tidy(r.payoffs[G] - base.payoffs[G])
        d_d = _tidy(r.payoffs[D] - base.payoffs[D])
        d_w = _tidy(d_g + d_d)
        linear = sp.diff(r.payoffs[G], p, 2) == 0
        revenue = _tidy(-p * sp.diff(r.payoffs[G], p))
        d_wt = _tidy(d_w + revenue)
        claims += [claim(game, f"d {w}", _tidy(r.strategies[w] - rg.choice_hat), r.bounds, facts, where=tag),
                   claim(game, f"dU_{G}", d_g, r.bounds, facts, where=tag),
                   claim(game, f"dU_{D}", d_d, r.bounds, facts, where=tag)]
        cw = claim(game, "dW", d_w, r.bounds, facts, where=tag)
        claims += [cw, claim(game, "dW (penalty as transfer)", d_wt, r.bounds, facts, where=tag)]
        claims.append(Claim(f"d^2 U_{G}/d {p}^2 = 0 ({tag}): the penalty enters linearly", sp.diff(r.payoffs[G], p, 2),
                            "0" if linear else "?", linear))
        exprs[f"dW [{tag}]"] = d_w
        exprs[f"dW transfer [{tag}]"] = d_wt
        if reg.role(r) == "bunch" and cw.sign == "?":
            more = _comply_welfare(game, reg, r, rg, d_w, tag, exprs, conditions)
            shapes.append(more[0].sign == "-" and len(more) == 3)
            claims += more
        if reg.role(r) == "jump":
            shapes.append(sp.simplify(d_w + p) == 0 and d_d == 0)
    eff = {lab: sorted(e for e in v if e) for lab, v in effects.items()}
    return Result(
        KEY, "Welfare effect of a policy",
        f"Against the same point without regulation, with {p} > 0: "
        + "; ".join(f"{lab} regions have effect {'/'.join(v) or 'undecided'}" for lab, v in eff.items())
        + ".  A utility shift raises openness and fine-tuning, the generalist loses and the specialist gains"
        + (f"; a deadweight loss leaves every choice and {D}'s payoff unchanged and costs the generalist (and W) "
           f"exactly {p}, which the transfer variant nets out.  In comply the welfare change is concave in {th}, "
           f"positive for {w}_hat < {th} < {th}_0 and negative beyond" if shapes and all(shapes) else "")
        + f".  At {p} = 0 nothing changes.",
        expressions=exprs, conditions=conditions, claims=claims, steps=reg.steps,
        data={"effects": {lab: list(v) for lab, v in eff.items()},
              "effect_by_region": [(eq.regions[k].label, e) for k, e in enumerate(reg.effects)]})


def _comply_welfare(game, reg, r, rg, d_w, tag, exprs, conditions):
    """dW in comply: concave in theta, zero at omega_hat and at theta_0."""
    th = reg.threshold_parameter()
    out = [claim(game, f"d^2 dW/d {th}^2", _tidy(sp.diff(d_w, th, 2)), r.bounds, where=tag)]
    roots = [x for x in sp.solve(d_w, th) if sp.simplify(x - rg.choice_hat) != 0]
    if len(roots) == 1:
        theta0 = _tidy(roots[0])
        exprs[f"{th}_0 [{tag}]"] = theta0
        conditions.append((f"dW > 0 in {tag} iff {th} < {th}_0", th < theta0))
        inside = [b for b in r.bounds if reg.penalty not in b.free_symbols]
        out.append(claim(game, "dW", d_w, inside, [Bound(th, "<", theta0)], where=f"{tag}, {th} < {th}_0"))
        out.append(claim(game, "dW", d_w, inside, [Bound(th, ">", theta0)], where=f"{tag}, {th} > {th}_0"))
    return out
