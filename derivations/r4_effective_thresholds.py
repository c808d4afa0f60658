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

from openeq.analyses.regulation import analysis
from openeq.analyses.statics import claim, word
from openeq.core.conditions import Bound
from openeq.core.simplify import tidy as _tidy
from openeq.core.result import Result

COST = 1.3  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R4"


def derive(eq) -> Result:
    reg = analysis(eq)
    p, th, a0 = reg.p, reg.theta, reg.alpha0
    claims, signs = [], {}
    for rg in reg.regimes:
        if rg.theta_star is None:
            continue
        facts = list(rg.region.bounds) + [Bound(p, ">", 0)]
        width = _tidy(rg.theta_star - rg.omega_hat)
        for name, e in (("theta* - omega_hat", width), ("d theta*/d p", sp.diff(rg.theta_star, p)),
                        ("d theta*/d alpha0", sp.diff(rg.theta_star, a0)),
                        ("d (theta* - omega_hat)/d alpha0", sp.diff(width, a0))):
            c = claim(eq.game, name, _tidy(e), facts, where=f"{rg.kind}, p > 0")
            claims.append(c)
            signs[name, rg.kind] = c.sign
        claims.append(claim(eq.game, "(theta* - omega_hat) at p = 0", width.xreplace({p: 0}), rg.region.bounds,
                            where=rg.kind))
    omega_hat = reg.omega_hat()
    pstar = sp.Piecewise((reg.delta(), th > omega_hat), (0, True))
    kinds = [rg.kind for rg in reg.regimes if rg.theta_star is not None]
    wide = all(signs.get(("theta* - omega_hat", k)) == "+" for k in kinds)
    s_p = "+" if all(signs.get(("d theta*/d p", k)) == "+" for k in kinds) else "?"
    s_a = {k: signs.get(("d theta*/d alpha0", k)) for k in kinds}
    s_w = {k: signs.get(("d (theta* - omega_hat)/d alpha0", k)) for k in kinds}
    return Result(
        KEY, "Effective thresholds",
        "For each alpha0, the thresholds that raise openness are exactly (omega_hat, min(theta*, 1)]"
        f"{', a non-empty range whenever p > 0' if wide else ''} and empty when p = 0.  theta* {word(s_p)} with "
        "the penalty; with alpha0 it " + "; ".join(f"{word(s_a[k])} ({k} regime)" for k in kinds)
        + ", while the width theta* - omega_hat " + "; ".join(f"{word(s_w[k])} ({k})" for k in kinds)
        + ".  The least penalty making theta bind is p*(theta) = Delta(theta) above omega_hat, 0 below.",
        expressions={"lower end: omega_hat": omega_hat, "upper end: min(theta*, 1)": reg.theta_star(),
                     "p*(theta)": pstar},
        conditions=[(f"{rg.kind}", rg.region.condition) for rg in reg.regimes],
        claims=claims, steps=[s for rg in reg.regimes for s in rg.steps if s.kind == "solution"],
        data={"signs": {f"{a} [{b}]": s for (a, b), s in signs.items()}})
