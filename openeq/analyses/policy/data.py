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


def _pair_json(an, rg, pr, levers):
    t = an.tiers[pr.tier - 1]
    where = rg.region.condition
    unmet = an.spec.sign * (t.threshold - rg.choice_hat) > 0  # x_hat does not meet the threshold
    lo, hi = an.threshold_range(pr.tier)
    return {"tier": pr.tier, "cell": pr.cell, "comply": pr.comply.label, "defy": pr.defy.label,
            "saving": _s(pr.saving),
            "compliance_cost": {"value": _s(pr.delta), "valid_if": _s(sp.And(where, unmet))},
            "critical_threshold": {"value": _s(pr.threshold_star), "parameter": _s(an.threshold_parameter(pr.tier)),
                                   "valid_if": _s(sp.And(where, pr.saving > 0)),
                                   "capped_at": _s(hi if an.spec.sign > 0 else lo)},
            "critical_penalty": {"value": _s(pr.delta), "valid_if": _s(sp.And(where, unmet)),
                                 "otherwise": "0 (the threshold is met without a penalty)"},
            "critical": {q: [{"value": _s(r), "valid_if": _s(c)} for r, c in pr.critical.get(q, [])] for q in levers},
            "proved": pr.proved}


def summary(an, levers=()) -> dict:
    """Plain data (strings for expressions) of the whole analysis; ``levers``: parameters
    whose critical values to include (computed here if need be)."""
    for q in levers:
        for t in an.tiers:
            an.critical(q, t.index)
    regimes = [{"index": rg.index, "position": rg.position, f"{an.choice}_hat": _s(rg.choice_hat),
                "where": _s(rg.region.condition), "pairs": [_pair_json(an, rg, pr, levers) for pr in rg.pairs]}
               for rg in an.regimes]
    regions = []
    for k, r in enumerate(an.eq.regions):
        role = an.role(r)
        regions.append({"label": r.label, "role": role, "tier": an.tier_of(r) if role == "bunch" else None,
                        "regime": an.region_regime[k], "effect": an.effects[k][0],
                        "pareto_vs_uniform": an.pareto[k][0], "where": _s(r.condition)})
    return {"regulation": roles(an), "regimes": regimes, "regions": regions}
