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
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from openeq.analyses.regulation import analysis
from openeq.analyses.statics import claim, sample
from openeq.evaluate.vectorized import Vectorized
from openeq.core.simplify import tidy as _tidy
from openeq.core.result import Claim, Result

COST = 1.1  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R8"
GRID = 101


def derive(eq) -> Result:
    reg = analysis(eq)
    game, p, th, a0 = eq.game, reg.p, reg.theta, reg.alpha0
    claims, exprs, pieces_o, pieces_w, steps = [], {}, [], [], []
    cap = lambda e: sp.Min(e, reg.theta_hi)  # noqa: E731
    for rg in reg.regimes:
        if rg.comply is None:
            pieces_o.append((reg.theta_hi, rg.region.condition))
            pieces_w.append((reg.theta_hi, rg.region.condition))
            continue
        w_c = sp.Add(*rg.comply.payoffs.values())
        w_0 = sp.Add(*rg.region.payoffs.values())
        w_d = sp.Add(*rg.defy.payoffs.values())
        inside = [b for b in rg.comply.bounds if p not in b.free_symbols]
        concave = claim(game, "d^2 W_C/d theta^2", _tidy(sp.diff(w_c, th, 2)), inside, where=rg.kind)
        cont = sp.simplify(w_c.xreplace({th: rg.omega_hat}) - w_0) == 0
        claims += [concave, Claim(f"W_C(omega_hat) - W_0 = 0 ({rg.kind})", w_c.xreplace({th: rg.omega_hat}) - w_0,
                                  "0" if cont else "?", cont),
                   claim(game, "W_defy - W_0", _tidy(w_d - w_0), rg.defy.bounds, where=rg.kind)]
        roots = sp.solve(sp.diff(w_c, th), th)
        if concave.sign != "-" or len(roots) != 1:
            continue
        tw0 = _tidy(roots[0])
        exprs[f"theta_W0 [{rg.kind}]"] = tw0
        claims += [claim(game, "theta_W0 - omega_hat", _tidy(tw0 - rg.omega_hat), rg.region.bounds, where=rg.kind),
                   claim(game, "d theta_W0/d alpha0", _tidy(sp.diff(tw0, a0)), rg.region.bounds, where=rg.kind)]
        steps.append(_step(rg.kind, tw0))
        pieces_o.append((cap(rg.theta_star), rg.region.condition))
        pieces_w.append((sp.Min(sp.Max(tw0, rg.omega_hat), cap(rg.theta_star)), rg.region.condition))
    theta_o, theta_w = sp.Piecewise(*pieces_o), sp.Piecewise(*pieces_w)
    flat = {c.sign for c in claims if c.text.startswith("d theta_W0/d alpha0")}
    above = {c.sign for c in claims if c.text.startswith("theta_W0 - omega_hat")}
    exprs.update({"theta_O(alpha0, p)": theta_o, "theta_W(alpha0, p)": theta_w})
    claims += _certify(eq, reg, theta_o, theta_w)
    return Result(
        KEY, "The regulator's threshold",
        "For a given penalty p, the threshold that maximises openness is theta_O = min(theta*, 1): openness "
        "rises one for one with theta up to theta* and falls back to omega_hat beyond.  The threshold that "
        "maximises welfare is theta_W = min(max(theta_W0, omega_hat), theta_O), where theta_W0 maximises the "
        "(concave) welfare of a complying generalist; both are closed forms in alpha0 for each regime of omega_hat."
        + (" theta_W0 does not depend on alpha0" if flat == {"0"} else "")
        + (" and lies above omega_hat, so the welfare-maximising threshold always binds (theta_W > omega_hat) "
           "whenever p > 0" if above == {"+"} else "") + ("." if flat == {"0"} or above == {"+"} else ""),
        expressions=exprs, conditions=[(f"{rg.kind}", rg.region.condition) for rg in reg.regimes],
        claims=claims, steps=steps)


def _step(kind, tw0):
    from openeq.core.equilibrium import Step

    return Step("solution", "regulator", f"theta_W0 [{kind}]: d W_C/d theta = 0", tw0, True)


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
    grid = np.linspace(0.0, 1.0, GRID)
    big = {x: np.repeat(cols[x], GRID) for x in names}
    big[str(reg.theta)] = np.tile(grid, m)
    out = Vectorized(eq)(big)
    omega = out["strategies"][str(reg.omega)].reshape(m, GRID)
    welfare = (out["payoffs"][reg.G] + out["payoffs"][reg.D]).reshape(m, GRID)
    best = {}
    for name, t in (("omega", t_o), ("W", t_w)):  # value at the claimed optimum, from the comply closed forms
        at = {x: cols[x] for x in names}
        at[str(reg.theta)] = t
        best[name] = _value_at(eq, reg, at, name)
    v_o = float(np.max(omega.max(axis=1) - best["omega"]))
    v_w = float(np.max((welfare.max(axis=1) - best["W"]) / (1 + np.abs(best["W"]))))
    tol = 1e-9
    return [Claim("omega(theta_O) >= omega(theta) for theta on a grid [numeric]", None, "+0" if v_o <= tol else "?",
                  False, samples=m * GRID, max_violation=max(v_o, 0.0)),
            Claim("W(theta_W) >= W(theta) for theta on a grid [numeric]", None, "+0" if v_w <= tol else "?",
                  False, samples=m * GRID, max_violation=max(v_w, 0.0))]


def _value_at(eq, reg, at, name):
    """omega or W at theta = theta_O / theta_W: the comply closed form where theta > omega_hat, else unregulated."""
    names = list(eq.game.parameters)
    syms = [eq.game.parameters[x].symbol for x in names]
    un = Vectorized(reg.unregulated)({x: at[x] for x in reg.unregulated.game.parameters})
    what = un["strategies"][str(reg.omega)]
    base = what if name == "omega" else un["payoffs"][reg.G] + un["payoffs"][reg.D]
    out = base.copy()
    for rg in reg.regimes:
        if rg.comply is None:
            continue
        e = rg.comply.strategies[reg.omega] if name == "omega" else sp.Add(*rg.comply.payoffs.values())
        f = sp.lambdify(syms, e, "numpy")
        sel = (un["region"] == rg.index) & (at[str(reg.theta)] > what)
        if sel.any():
            out[sel] = np.broadcast_to(f(*[np.asarray(at[x])[sel] for x in names]), (sel.sum(),))
    return out
