"""The policy fields of ``openeq eval`` and the extra quantities of ``openeq statics``,
named from the game's own symbols.

For a game with a regulation of choice ``x`` (threshold ``b``, penalty ``P``), each
evaluated point gains

* ``<x>_hat`` -- the unregulated choice (``omega_hat`` in the openness game);
* ``effect`` -- ``no_effect`` | ``utility_shift`` | ``deadweight_loss`` (against no regulation);
* ``pareto_vs_uniform`` -- a Pareto improvement on the penalty borne by every choice;
* ``welfare`` -- the sum of the players' payoffs (the penalty a loss);
* ``critical`` -- ``{<b>_star, <P>_star}``: the critical threshold and the least penalty
  that makes the threshold bind (``theta_star``, ``p_star`` in the openness game).

A name is the symbol's own when the threshold (penalty) is one parameter, else the
role's: ``threshold_star`` (``penalty_star``).  With several tiers, ``critical`` is a
list with one such object per tier, from the least strict, each with its ``tier``
number.  Games without a regulation get no fields.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.policy import detect
from openeq.analyses.policy.analysis import analysis

__all__ = ["applies", "enrich", "statics_extras", "names"]


def applies(eq) -> bool:
    """Whether ``eq``'s game has a threshold regulation (and ``eq`` closed forms to analyse:
    an equilibrium derived per point has none)."""
    return not getattr(eq, "pointwise", False) and bool(detect.find_regulations(eq.game))


def _name(e, role):
    return e.name if isinstance(e, sp.Symbol) else role


def names(spec) -> dict:
    """Field names by role: choice_hat, and per tier (threshold_star, penalty_star)."""
    return {"choice_hat": f"{spec.choice.name}_hat",
            "tiers": [(f"{_name(t.threshold, 'threshold')}_star", f"{_name(t.penalty, 'penalty')}_star")
                      for t in spec.tiers]}


def enrich(eq, results, cols):
    """Add the policy fields to ``results`` (one dict per point of ``cols``); unchanged
    for a game without a regulation."""
    if not results or not cols or not applies(eq):
        return results
    an = analysis(eq)
    f, nm = an.columns(cols), names(an.spec)
    for i, res in enumerate(results):
        res[nm["choice_hat"]] = float(f["choice_hat"][i])
        res["effect"] = str(f["effect"][i])
        res["pareto_vs_uniform"] = bool(f["pareto_vs_uniform"][i])
        res["welfare"] = float(f["welfare"][i])
        crit = [{ts: float(f["threshold_star"][k][i]), ps: float(f["penalty_star"][k][i])}
                for k, (ts, ps) in enumerate(nm["tiers"])]
        res["critical"] = crit[0] if len(crit) == 1 else [{"tier": k + 1, **c} for k, c in enumerate(crit)]
    return results


def statics_extras(eq):
    """Extra quantities for comparative statics (``<x>_hat``, ``<b>_star``, ``<P>_star`` and the
    later movers' best responses in ``x``); None for a game without a regulation."""
    if not applies(eq):
        return None
    an = analysis(eq)
    nm = names(an.spec)
    x = an.choice

    def extras(region):
        k = an.eq.regions.index(region)
        u = an.region_regime[k]
        out = []
        if u is not None:
            rg = an.regimes[u]
            out.append((nm["choice_hat"], rg.choice_hat, None))
            for t, (ts, ps) in zip(an.tiers, nm["tiers"]):
                pr = rg.pair(t.index)
                if pr is not None and pr.threshold_star is not None:
                    out.append((ts, pr.threshold_star, None))
                binds = an.role(region) != "free" and pr is not None and pr.delta is not None
                out.append((ps, pr.delta if binds else sp.S.Zero, None))
        for v, br in region.best_responses.items():
            out.append((f"{v}({x})", br, [x]))
        return out

    return extras
