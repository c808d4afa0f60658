"""R8. The regulator's threshold for a given penalty: most openness, most welfare.

Openness as a function of theta (regions of the engine): omega_hat for theta <=
omega_hat (already open), theta for omega_hat < theta <= theta* (comply, d omega/d
theta = 1), omega_hat for theta > theta* (defy).  Hence the openness-maximising
threshold is ``theta_O = min(theta*, 1)``.

Welfare W = U_G + U_D (penalty a loss).  In comply, ``W_C(theta)`` is the sum of
the comply region's payoffs; it is concave in theta (proved) with stationary
point ``theta_W0`` (``sympy.solve(dW_C/dtheta = 0)``).  At theta = omega_hat it
equals unregulated welfare (checked); defying costs ``p`` (``W_defy - W_0 = -p``).
So the welfare-maximising threshold is the projection

    theta_W = min(max(theta_W0, omega_hat), min(theta*, 1)),

any theta <= omega_hat being equivalent when theta_W = omega_hat.  Both are
certified numerically against a grid of thresholds at sampled points.

The engine's own regulator stage (``openeq.analyses.policy.regulator``: theta chosen
at a new first stage to maximise omega, or W) is not attempted here: on this game it
refuses (G's comply/defy boundary is quadratic in the regulator's choice, with a
radical the prover cannot sign) after about 40 s per objective.  ``openeq policy``
runs it on request.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from openeq.analyses.policy import analysis
from openeq.analyses.statics import claim, sample
from openeq.core.equilibrium import Step
from openeq.core.result import Claim, Result
from openeq.core.simplify import tidy as _tidy
from openeq.derivations.roles import roles
from openeq.evaluate.vectorized import Vectorized

COST = 1.1  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R8"
GRID = 101


def derive(eq) -> Result:
    reg, ro = analysis(eq), roles(eq.game)
    game, p, th, a0, w = eq.game, reg.penalty, reg.threshold_parameter(), ro.performance, reg.choice
    hi = reg.threshold_range()[1]
    claims, exprs, pieces_o, pieces_w, steps = [], {}, [], [], []
    cap = lambda e: sp.Min(e, hi)  # noqa: E731
    for rg in reg.regimes:
        if rg.comply is None:
            pieces_o.append((hi, rg.region.condition))
            pieces_w.append((hi, rg.region.condition))
            continue
        w_c = sp.Add(*rg.comply.payoffs.values())
        w_0 = sp.Add(*rg.region.payoffs.values())
        w_d = sp.Add(*rg.defy.payoffs.values())
        inside = [b for b in rg.comply.bounds if p not in b.free_symbols]
        concave = claim(game, f"d^2 W_C/d {th}^2", _tidy(sp.diff(w_c, th, 2)), inside, where=rg.kind)
        cont = sp.simplify(w_c.xreplace({th: rg.choice_hat}) - w_0) == 0
        claims += [concave, Claim(f"W_C({w}_hat) - W_0 = 0 ({rg.kind})", w_c.xreplace({th: rg.choice_hat}) - w_0,
                                  "0" if cont else "?", cont),
                   claim(game, "W_defy - W_0", _tidy(w_d - w_0), rg.defy.bounds, where=rg.kind)]
        roots = sp.solve(sp.diff(w_c, th), th)
        if concave.sign != "-" or len(roots) != 1:
            continue
        tw0 = _tidy(roots[0])
        exprs[f"{th}_W0 [{rg.kind}]"] = tw0
        claims += [claim(game, f"{th}_W0 - {w}_hat", _tidy(tw0 - rg.choice_hat), rg.region.bounds, where=rg.kind),
                   claim(game, f"d {th}_W0/d {a0}", _tidy(sp.diff(tw0, a0)), rg.region.bounds, where=rg.kind)]
        steps.append(Step("solution", "regulator", f"{th}_W0 [{rg.kind}]: d W_C/d {th} = 0", tw0, True))
        pieces_o.append((cap(rg.theta_star), rg.region.condition))
        pieces_w.append((sp.Min(sp.Max(tw0, rg.choice_hat), cap(rg.theta_star)), rg.region.condition))
    theta_o, theta_w = sp.Piecewise(*pieces_o), sp.Piecewise(*pieces_w)
    flat = {c.sign for c in claims if c.text.startswith(f"d {th}_W0/d {a0}")}
    above = {c.sign for c in claims if c.text.startswith(f"{th}_W0 - {w}_hat")}
    exprs.update({f"{th}_O({a0}, {p})": theta_o, f"{th}_W({a0}, {p})": theta_w})
    claims += _certify(eq, reg, theta_o, theta_w)
    return Result(
        KEY, "The regulator's threshold",
        f"For a given penalty {p}, the threshold that maximises openness is {th}_O = min({th}*, {hi}): openness "
        f"rises one for one with {th} up to {th}* and falls back to {w}_hat beyond.  The threshold that "
        f"maximises welfare is {th}_W = min(max({th}_W0, {w}_hat), {th}_O), where {th}_W0 maximises the "
        f"(concave) welfare of a complying generalist; both are closed forms in {a0} for each regime of {w}_hat."
        + (f" {th}_W0 does not depend on {a0}" if flat == {"0"} else "")
        + (f" and lies above {w}_hat, so the welfare-maximising threshold always binds ({th}_W > {w}_hat) "
           f"whenever {p} > 0" if above == {"+"} else "") + ("." if flat == {"0"} or above == {"+"} else ""),
        expressions=exprs, conditions=[(f"{rg.kind}", rg.region.condition) for rg in reg.regimes],
        claims=claims, steps=steps)


def _certify(eq, reg, theta_o, theta_w, n=300):
    """Grid check at sampled points: no threshold beats theta_O (openness) or theta_W (welfare)."""
    game = eq.game
    cols = sample(game, (), n=n, seed=1)
    m = len(next(iter(cols.values())))
    names = list(game.parameters)
    syms = [game.parameters[x].symbol for x in names]
    args = [cols[x] for x in names]
    t_o = np.broadcast_to(sp.lambdify(syms, theta_o, "numpy")(*args), (m,)).astype(float)
    t_w = np.broadcast_to(sp.lambdify(syms, theta_w, "numpy")(*args), (m,)).astype(float)
    lo, hi = (float(e) for e in reg.threshold_range())
    grid = np.linspace(lo, hi, GRID)
    th = str(reg.threshold_parameter())
    big = {x: np.repeat(cols[x], GRID) for x in names}
    big[th] = np.tile(grid, m)
    out = Vectorized(eq)(big)
    omega = out["strategies"][str(reg.choice)].reshape(m, GRID)
    welfare = sum(out["payoffs"][q] for q in reg.players).reshape(m, GRID)
    best = {}
    for name, t in (("omega", t_o), ("W", t_w)):  # value at the claimed optimum, from the comply closed forms
        at = {x: cols[x] for x in names}
        at[th] = t
        best[name] = _value_at(eq, reg, at, name)
    v_o = float(np.max(omega.max(axis=1) - best["omega"]))
    v_w = float(np.max((welfare.max(axis=1) - best["W"]) / (1 + np.abs(best["W"]))))
    tol = 1e-9
    x = reg.choice
    return [Claim(f"{x}({th}_O) >= {x}({th}) for {th} on a grid [numeric]", None, "+0" if v_o <= tol else "?",
                  False, samples=m * GRID, max_violation=max(v_o, 0.0)),
            Claim(f"W({th}_W) >= W({th}) for {th} on a grid [numeric]", None, "+0" if v_w <= tol else "?",
                  False, samples=m * GRID, max_violation=max(v_w, 0.0))]


def _value_at(eq, reg, at, name):
    """omega or W at theta = theta_O / theta_W: the comply closed form where theta > omega_hat, else unregulated."""
    names = list(eq.game.parameters)
    syms = [eq.game.parameters[x].symbol for x in names]
    un = Vectorized(reg.unregulated)({x: at[x] for x in reg.unregulated.game.parameters})
    what = un["strategies"][str(reg.choice)]
    base = what if name == "omega" else sum(un["payoffs"][q] for q in reg.players)
    out = base.copy()
    for rg in reg.regimes:
        if rg.comply is None:
            continue
        e = rg.comply.strategies[reg.choice] if name == "omega" else sp.Add(*rg.comply.payoffs.values())
        f = sp.lambdify(syms, e, "numpy")
        sel = (un["region"] == rg.index) & (at[str(reg.threshold_parameter())] > what)
        if sel.any():
            out[sel] = np.broadcast_to(f(*[np.asarray(at[x])[sel] for x in names]), (sel.sum(),))
    return out
