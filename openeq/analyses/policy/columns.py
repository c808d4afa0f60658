"""The policy fields at parameter points, vectorised over columns.

At each point, with ``x_hat`` the unregulated choice (its regime and cell read off the
unregulated game's regions) and ``s = +1`` for a minimum standard, ``-1`` for a maximum:

* ``effect`` and ``pareto_vs_uniform``: the region's proved flags (``tables``) where
  every tier penalty is ``> 0``, ``no_effect`` / ``False`` where every penalty is 0, the
  numeric comparison at the point otherwise or where a flag is undecided;
* ``welfare``: the sum of the players' payoffs (the penalty a loss);
* per tier ``k``, ``threshold_star``: the critical threshold of the pair in the point's
  regime whose cell is ``x_hat``'s at that critical threshold (several tiers may share a
  parameter; the tier's adjacent cell when ``x_hat`` already complies),
  ``x_hat`` where the saving is 0, clamped to ``[x_hat, hi]`` (``s = +1``) or ``[lo, x_hat]``;
  ``penalty_star``: the compliance cost ``Delta_k`` of the pair of the point's own cell
  where ``x_hat`` does not comply with the tier, else 0 (the least saving that makes the
  threshold bind).
"""
from __future__ import annotations

import numpy as np

from openeq.analyses.policy import tables
from openeq.evaluate.compiled import compile_equilibrium, compile_forms
from openeq.evaluate.lambdas import numpy_function

__all__ = ["columns"]


def _lam(syms, e):
    return None if e is None else numpy_function(syms, e)


def _prepare(an):
    """The compiled evaluators: the three equilibria, the pairs' forms (one kernel) and the tiers' levels."""
    vec = getattr(an, "_colvec", None)
    if vec is None:
        syms = [p.symbol for p in an.game.parameters.values()]
        keys = [(rg.index, pr.tier, pr.cell) for rg in an.regimes for pr in rg.pairs]
        exprs = [e for rg in an.regimes for pr in rg.pairs
                 for e in (pr.threshold_star, pr.delta, pr.saving, pr.threshold_root)]
        vec = (compile_equilibrium(an.eq), compile_equilibrium(an.unregulated), compile_equilibrium(an.uniform),
               keys, compile_forms(an.game, exprs),
               [_lam(syms, t.threshold) for t in an.tiers], [_lam(syms, t.penalty) for t in an.tiers])
        an._colvec = vec
    return vec


def _pair_forms(keys, run, full):
    """(tier's pair key) -> (threshold_star, delta, saving, threshold_root) arrays over the points."""
    vals = run(full)
    return {key: tuple(vals[4 * j: 4 * j + 4]) for j, key in enumerate(keys)}


def _at(f, args, n):
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(f(*args), dtype=float), (n,))


def _cells(an, what, levels):
    """x_hat's cell: the number of tiers it complies with (tiers are ordered by strictness)."""
    s = an.spec.sign
    complies = [s * (what - b) >= 0 if t.closed else s * (what - b) > 0 for t, b in zip(an.tiers, levels)]
    return np.sum(complies, axis=0) if complies else np.zeros(len(what), dtype=int)


def columns(an, cols) -> dict:
    """All per-point fields as arrays over the columns ``cols`` (name -> array)."""
    vec, vun, vuni, keys, run, f_thr, f_pen = _prepare(an)
    names = list(an.game.parameters)
    n = np.broadcast(*[np.asarray(cols[x], dtype=float) for x in names]).size
    args = [np.broadcast_to(np.asarray(cols[x], dtype=float), (n,)) for x in names]
    full = dict(zip(names, args))
    out, un, uni = vec(full), vun({x: full[x] for x in vun.names}), vuni(full)
    forms = _pair_forms(keys, run, full)
    s, xn = an.spec.sign, str(an.choice)
    w, what = out["strategies"][xn], un["strategies"][xn]
    levels = [_at(f, args, n) for f in f_thr]
    pens = [_at(f, args, n) for f in f_pen]
    cell = _cells(an, what, levels)
    stars, crit = [], []
    for t in an.tiers:
        lo, hi = (float(e) for e in an.threshold_range(t.index))
        ts, ps = np.full(n, hi if s > 0 else lo), np.zeros(n)
        saving = np.zeros(n)
        q = an.threshold_parameter(t.index)
        for rg in an.regimes:
            for c in range(t.index):
                f = forms.get((rg.index, t.index, c))
                sel = (un["region"] == rg.index) & (np.minimum(cell, t.index - 1) == c)
                if f is not None and sel.any():  # at the point: the saving of complying, and its cost
                    ps[sel] = np.where(cell[sel] < t.index, f[1][sel], 0.0)
                if f is None or f[0] is None or f[3] is None:
                    continue
                # the critical threshold of the pair whose cell x_hat is in at the critical threshold itself
                at_root = [np.where(np.isfinite(f[3]), f[3], a) if nm == str(q) else a
                           for nm, a in zip(names, args)]
                c_root = np.minimum(_cells(an, what, [_at(g, at_root, n) for g in f_thr]), t.index - 1)
                sel = (un["region"] == rg.index) & (c_root == c)
                if sel.any():
                    ts[sel] = f[0][sel]
                    saving[sel] = f[2][sel]
        ts = np.where(saving > 0, ts, what)  # with nothing saved the critical threshold is x_hat (no sqrt rounding)
        ts = np.minimum(np.maximum(ts, what), hi) if s > 0 else np.maximum(np.minimum(ts, what), lo)
        stars.append(ts)
        crit.append(ps)
    pos = np.all([p > 0 for p in pens], axis=0)
    zero = np.all([p <= 0 for p in pens], axis=0)
    paid = un["payoffs"][an.player] - out["payoffs"][an.player]
    gains = [out["payoffs"][q] - uni["payoffs"][q] for q in an.players]  # numeric fallback only
    eff, par = np.empty(n, dtype=object), np.zeros(n, dtype=bool)
    for k in range(len(an.eq.regions)):
        sel = out["region"] == k
        for which, mask in ((0, sel & pos), (1, sel & zero), (None, sel & ~pos & ~zero)):
            if not mask.any():
                continue
            e, f = (an.effects[k][which], an.pareto[k][which]) if which is not None else (None, None)
            eff[mask] = e if e is not None else tables.effect_numeric(s, w[mask], what[mask], paid[mask])
            par[mask] = f if f is not None else tables.pareto_numeric([g[mask] for g in gains])
    welfare = sum(out["payoffs"][q] for q in an.players)
    return {"choice_hat": what, "effect": eff, "pareto_vs_uniform": par, "welfare": welfare,
            "threshold_star": stars, "penalty_star": crit, "regime": out["regime"], "choice": w}
