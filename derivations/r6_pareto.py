"""R6. Pareto improvements: against a uniform penalty and against a threshold above theta*.

*Uniform penalty*: every model bears p, with no open-source exemption; this is the
game with the penalty's condition replaced by ``True`` (``transform.substitute``),
solved by the engine.  In each engine region (``p > 0``) the gains
``dU_i = U_i(policy) - U_i(uniform)`` are signed by the prover; the policy is a
Pareto improvement where both are ``>= 0`` and one is ``> 0``.

*A threshold above theta*:* there ``Delta(theta') > p`` (Delta increases above
omega_hat, R3), so the generalist defies: the outcome is the engine's ``defy``
region of the same regime, whose payoffs are checked not to depend on theta and
to coincide with the uniform-penalty payoffs; the comparison is then the same.
At ``p = 0`` all three policies coincide: no Pareto improvement.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.policy import analysis
from openeq.analyses.statics import claim
from openeq.core.conditions import Bound
from openeq.core.result import Claim, Result
from openeq.core.simplify import tidy as _tidy

COST = 0.6  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R6"


def derive(eq) -> Result:
    reg = analysis(eq)
    game, p, th = eq.game, reg.penalty, reg.threshold_parameter()
    roles = set()
    claims, conditions, flags = [], [], []
    for k, r in enumerate(eq.regions):
        u = reg.region_regime[k]
        if u is None or reg.uniform_of[u] is None:
            continue
        rg, uni = reg.regimes[u], reg.uniform.regions[reg.uniform_of[u]]
        tag = f"{r.label}, {rg.kind}"
        for q in reg.players:
            claims.append(claim(game, f"U_{q} - U_{q}(uniform)", _tidy(r.payoffs[q] - uni.payoffs[q]), r.bounds,
                                [Bound(p, ">", 0)], where=tag))
        flag = reg.pareto[k][0]
        flags.append((r.label, rg.kind, flag))
        if flag is True:
            roles.add(reg.role(r))
        if flag:
            conditions.append((f"Pareto improvement on the uniform penalty ({tag}), {p} > 0", sp.And(r.condition, p > 0)))
    above = []
    for rg in reg.regimes:
        if rg.defy is None:
            continue
        uni = reg.uniform.regions[reg.uniform_of[rg.index]]
        for q in reg.players:
            free = sp.diff(rg.defy.payoffs[q], th) == 0
            same = sp.simplify(rg.defy.payoffs[q] - uni.payoffs[q]) == 0
            claims.append(Claim(f"d U_{q}(defy)/d {th} = 0 ({rg.kind})", sp.diff(rg.defy.payoffs[q], th), "0" if free else "?", free))
            claims.append(Claim(f"U_{q}(defy) - U_{q}(uniform) = 0 ({rg.kind})", rg.defy.payoffs[q] - uni.payoffs[q],
                                "0" if same else "?", same))
            above.append(free and same)
    same_as_uniform = bool(above) and all(above)
    yes = sorted({lab for lab, _, f in flags if f is True})
    no = sorted({lab for lab, _, f in flags if f is False} - set(yes))
    return Result(
        KEY, "Pareto improvements",
        f"With {p} > 0, against a penalty borne by every model, the open-source exemption is a Pareto improvement "
        f"in the {' and '.join(yes) or 'no'} regions"
        + (f" (comply: the specialist strictly gains and the generalist pays Delta <= {p} instead of {p}; already "
           f"open: the generalist saves {p})" if roles == {"free", "bunch"} else "")
        + f" and not in {' or '.join(no) or 'none'}"
        + (f".  A threshold above {th}* is defied, which gives exactly the uniform-penalty outcome, so the same "
           "regions are Pareto improvements on it." if same_as_uniform else ".")
        + f"  At {p} = 0 the policies coincide.",
        expressions={}, conditions=conditions, claims=claims, steps=reg.steps,
        data={"pareto_vs_uniform": flags, "above_theta_star_equals_uniform": same_as_uniform})
