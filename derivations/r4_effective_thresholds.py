"""R4. Effective thresholds and the least penalty that makes a threshold bind.

A threshold raises openness iff the generalist complies with it and it lies above
omega_hat.  Since ``Delta(theta)`` increases in ``theta`` above omega_hat (R3, proved),
``comply <=> theta <= theta*``; so for each ``alpha0`` the effective thresholds are

    (omega_hat, min(theta*, 1)],

empty iff ``p = 0``.  The least penalty making ``theta`` bind is
``p*(theta) = Delta(theta)`` for ``theta > omega_hat`` and 0 otherwise.  The signs of
``d theta*/d p``, ``d theta*/d alpha0`` and of the width ``theta* - omega_hat`` are
proved per regime (or certified numerically).
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.policy import analysis
from openeq.analyses.statics import claim, word
from openeq.core.conditions import Bound
from openeq.core.result import Result
from openeq.core.simplify import tidy as _tidy
from openeq.derivations.roles import roles

COST = 1.3  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R4"


def derive(eq) -> Result:
    reg, ro = analysis(eq), roles(eq.game)
    p, th, a0, w = reg.penalty, reg.threshold_parameter(), ro.performance, reg.choice
    hi = reg.threshold_range()[1]
    if a0 is not None:
        reg.critical(a0.name)  # its steps are part of the derivation (as R3 and R7 have them)
    claims, signs = [], {}
    for rg in reg.regimes:
        if rg.theta_star is None:
            continue
        facts = list(rg.region.bounds) + [Bound(p, ">", 0)]
        width = _tidy(rg.theta_star - rg.choice_hat)
        for name, e in ((f"{th}* - {w}_hat", width), (f"d {th}*/d {p}", sp.diff(rg.theta_star, p)),
                        (f"d {th}*/d {a0}", sp.diff(rg.theta_star, a0)),
                        (f"d ({th}* - {w}_hat)/d {a0}", sp.diff(width, a0))):
            c = claim(eq.game, name, _tidy(e), facts, where=f"{rg.kind}, {p} > 0")
            claims.append(c)
            signs[name, rg.kind] = c.sign
        claims.append(claim(eq.game, f"({th}* - {w}_hat) at {p} = 0", width.xreplace({p: 0}), rg.region.bounds,
                            where=rg.kind))
    omega_hat = reg.choice_hat()
    pstar = sp.Piecewise((reg.delta(), th > omega_hat), (0, True))
    kinds = [rg.kind for rg in reg.regimes if rg.theta_star is not None]
    wide = all(signs.get((f"{th}* - {w}_hat", k)) == "+" for k in kinds)
    s_p = "+" if all(signs.get((f"d {th}*/d {p}", k)) == "+" for k in kinds) else "?"
    s_a = {k: signs.get((f"d {th}*/d {a0}", k)) for k in kinds}
    s_w = {k: signs.get((f"d ({th}* - {w}_hat)/d {a0}", k)) for k in kinds}
    return Result(
        KEY, "Effective thresholds",
        f"For each {a0}, the thresholds that raise openness are exactly ({w}_hat, min({th}*, {hi})]"
        f"{f', a non-empty range whenever {p} > 0' if wide else ''} and empty when {p} = 0.  {th}* {word(s_p)} with "
        f"the penalty; with {a0} it " + "; ".join(f"{word(s_a[k])} ({k} regime)" for k in kinds)
        + f", while the width {th}* - {w}_hat " + "; ".join(f"{word(s_w[k])} ({k})" for k in kinds)
        + f".  The least penalty making {th} bind is {p}*({th}) = Delta({th}) above {w}_hat, 0 below.",
        expressions={f"lower end: {w}_hat": omega_hat, f"upper end: min({th}*, {hi})": reg.theta_star(),
                     f"{p}*({th})": pstar},
        conditions=[(f"{rg.kind}", rg.region.condition) for rg in reg.regimes],
        claims=claims, steps=[s for rg in reg.regimes for s in rg.steps if s.kind == "solution"],
        data={"signs": {f"{a} [{b}]": s for (a, b), s in signs.items()}})
