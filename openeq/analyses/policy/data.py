"""What figures and appendices draw, for any regulation game (they draw; this computes).

All closed forms are the policy analysis's (``analysis``), so every curve is one the
engine derived:

* ``roles(an)``         -- the regulation's symbols by role, and field names;
* ``boundaries(an)``    -- per tier, the regime boundaries as expressions in the
  parameters: ``x_hat = b`` (the threshold starts to bind) and ``S = Delta`` (comply
  against defy), each with the unregulated regime where it applies;
* ``lever_curve(an, q)``-- the critical value of parameter ``q`` that separates
  complying from defying, as pieces ``[(root, validity condition)]`` (a Piecewise for
  ``sympy.Piecewise(*pieces)``): ``alpha0*(theta, p)`` in the openness game;
* ``curves(an, cols)``  -- ``x_hat`` and, per tier, the critical threshold and penalty,
  evaluated over columns (what a regime map overlays);
* ``summary(an)``       -- plain data for ``openeq policy --json``.
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.policy.fields import names

__all__ = ["roles", "boundaries", "lever_curve", "curves", "summary"]


def roles(an) -> dict:
    spec = an.spec
    return {"player": spec.player, "choice": str(spec.choice), "direction": spec.direction,
            "others": list(an.others),
            "tiers": [{"tier": t.index, "threshold": str(t.threshold), "penalty": str(t.penalty),
                       "threshold_parameter": str(an.threshold_parameter(t.index) or ""),
                       "closed": t.closed} for t in spec.tiers],
            "fields": names(spec)}


def boundaries(an, tier=1) -> list:
    """[{kind, expr, where}]: ``expr = 0`` on the boundary, in the regime whose condition is ``where``."""
    out = []
    t = an.tiers[tier - 1]
    for rg in an.regimes:
        cond = rg.region.condition
        out.append({"kind": "binds", "regime": rg.index, "expr": rg.choice_hat - t.threshold, "where": cond})
        for pr in rg.pairs:
            if pr.tier == tier and pr.delta is not None:
                out.append({"kind": "comply_defy", "regime": rg.index, "cell": pr.cell,
                            "expr": pr.saving - pr.delta, "where": cond})
    return out


def lever_curve(an, name, tier=1) -> list:
    """Pieces ``[(critical value of name, validity condition)]``, regime by regime."""
    return [(root, cond) for _, _, roots in an.critical(name, tier) for root, cond in roots]


def curves(an, cols) -> dict:
    """name -> array over ``cols``: ``<x>_hat`` and, per tier, ``<b>_star``, ``<P>_star``."""
    f, nm = an.columns(cols), names(an.spec)
    out = {nm["choice_hat"]: f["choice_hat"]}
    for k, (ts, ps) in enumerate(nm["tiers"]):
        suffix = "" if len(nm["tiers"]) == 1 else f"[{k + 1}]"
        out[ts + suffix] = f["threshold_star"][k]
        out[ps + suffix] = f["penalty_star"][k]
    return out


def _s(e):
    return None if e is None else str(e)


def summary(an, levers=()) -> dict:
    """Plain data (strings for expressions) of the whole analysis."""
    regimes = []
    for rg in an.regimes:
        pairs = []
        for pr in rg.pairs:
            pairs.append({"tier": pr.tier, "cell": pr.cell, "comply": pr.comply.label, "defy": pr.defy.label,
                          "saving": _s(pr.saving), "compliance_cost": _s(pr.delta),
                          "threshold_star": _s(pr.threshold_star), "proved": pr.proved,
                          "validity": _s(sp.And(rg.region.condition, pr.saving > 0)),
                          "critical": {q: [{"value": _s(r), "valid_if": _s(c)} for r, c in pr.critical.get(q, [])]
                                       for q in levers}})
        regimes.append({"index": rg.index, "position": rg.position, f"{an.choice}_hat": _s(rg.choice_hat),
                        "where": _s(rg.region.condition), "pairs": pairs})
    regions = []
    for k, r in enumerate(an.eq.regions):
        regions.append({"label": r.label, "role": an.role(r), "tier": an.tier_of(r) if an.role(r) == "bunch" else None,
                        "regime": an.region_regime[k], "effect": an.effects[k][0], "pareto_vs_uniform": an.pareto[k][0]})
    return {"regulation": roles(an), "regimes": regimes, "regions": regions}
