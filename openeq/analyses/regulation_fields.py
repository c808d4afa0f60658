"""What the regulation analysis adds to other commands: the per-point fields of
``openeq eval`` and the extra quantities of the comparative statics."""
from __future__ import annotations

import sympy as sp

from openeq.analyses.regulation import analysis

__all__ = ["applies", "enrich", "statics_extras"]


def applies(eq) -> bool:
    """Whether the regulation analysis applies to ``eq``'s game (today: the openness game)."""
    return eq.game.name == "openness"


def enrich(eq, results, cols):
    """Regulation fields for ``openeq eval``: omega_hat, effect, pareto_vs_uniform, welfare,
    critical; ``results`` unchanged for a game the analysis does not apply to."""
    if not results or not cols or not applies(eq):
        return results
    f = analysis(eq).columns(cols)
    for i, res in enumerate(results):
        res["omega_hat"] = float(f["omega_hat"][i])
        res["effect"] = str(f["effect"][i])
        res["pareto_vs_uniform"] = bool(f["pareto_vs_uniform"][i])
        res["welfare"] = float(f["welfare"][i])
        res["critical"] = {"theta_star": float(f["theta_star"][i]), "p_star": float(f["p_star"][i])}
    return results


def statics_extras(eq):
    """Extra quantities for comparative statics: omega_hat, theta_star, p_star, alpha1(omega);
    None for a game the analysis does not apply to."""
    if not applies(eq):
        return None
    reg = analysis(eq)

    def extras(region):
        k = reg.eq.regions.index(region)
        u = reg.region_regime[k]
        out = []
        if u is not None:
            rg = reg.regimes[u]
            out.append(("omega_hat", rg.omega_hat, None))
            if rg.theta_star is not None:
                out.append(("theta_star", rg.theta_star, None))
            pstar = rg.delta if (region.label != "already_open" and rg.delta is not None) else sp.S.Zero
            out.append(("p_star", pstar, None))
        for v, br in region.best_responses.items():
            out.append((f"{v}(omega)", br, [reg.omega]))
        return out

    return extras
