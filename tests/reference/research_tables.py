"""Exact regimes and thresholds of the safety-floors worked instances, and the data tables.

Instances: ``C0 = C1 = [[1, k], [k, 1]]``, ``r = (1, 1)``, ``theta_G = 0``, with
``delta in {1/4, 1/2, 3/4}`` and ``k in {-1/4, 0, 1/4}``.  ``delta = 1/2, k = 0`` is the
worked instance of RELATED.md.  ``python tests/reference/research_tables.py`` writes
``research_tables.json``.

How each closed form is obtained (sympy, exact arithmetic).  The sequence of regimes in
``theta_D`` is read off the numeric reference (``research_safety.safety_floors``), as the
structure (regime, D's active set, G's binding constraints) on a grid of ``theta_D``,
refined by bisection.  Each regime's strategies then come from its own first-order
system:

* ``free``: both interior, ``gamma0 = delta/2 C0^{-1} r``, ``gamma1 - gamma0 = (1 - delta)/2 C1^{-1} r``;
* ``floor``: D's ``beta_binds`` (``b1 = theta_D``, ``x = (rho - 2 k m)/2``) and G's FOC
  (with ``b0 = 0`` when G's floor binds);
* ``participation``: ``a0`` solved from ``U_D = 0`` (linear in ``a0``), then
  ``dU_G/db0 = 0`` along the curve -- a cubic in ``b0`` (or ``m = theta_D - b0``), whose
  relevant factor is solved in radicals when its degree is at most 2;
* ``abstain``: both 0.

A threshold between two regimes solves one polynomial equation, eliminated by resultants:
equal payoffs of G where G's choice jumps (``free -> floor``, or between two points of the
participation boundary), ``U_D = 0`` at the floor regime's point (``floor ->
participation``, continuous), ``U_G = 0`` at the participation point (``-> abstain``).
The root is the real root of that polynomial nearest the bisected value (checked to
``1e-7``); it is printed in radicals for degree <= 2, else as the root of the polynomial.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reference.research_safety import safety_floors  # noqa: E402

__all__ = ["INSTANCES", "instance_table", "TABLE_PATH"]

TABLE_PATH = Path(__file__).with_name("research_tables.json")
INSTANCES = [(sp.Rational(d), sp.Rational(k)) for d in ("1/4", "1/2", "3/4") for k in ("-1/4", "0", "1/4")]
SAMPLE_THETAS = (0.0, 0.2, 0.3, 0.4, 0.45, 0.6, 0.8, 1.0, 1.5, 2.0, 2.5, 3.0)
TH, A0, B0, V = sp.symbols("theta_D alpha0 beta0 v", real=True)


def _structure(d, k, th):
    r = safety_floors({"delta": float(d), "k": float(k), "theta_D": float(th)})
    return (r["regime"], r["D_active"], tuple(r["G_binds"])), r


def regime_sequence(d, k, top=4.0, steps=400):
    """[(theta_from, structure)] in theta_D on [0, top], transitions bisected to 1e-12."""
    grid = [top * i / steps for i in range(steps + 1)]
    keys = [_structure(d, k, t)[0] for t in grid]
    out = [(0.0, keys[0])]
    for i in range(1, len(grid)):
        if keys[i] != keys[i - 1]:
            lo, hi = grid[i - 1], grid[i]
            while hi - lo > 1e-12:
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if _structure(d, k, mid)[0] == keys[i - 1] else (lo, mid)
            if out and hi - out[-1][0] < 1e-7:  # a regime of zero length (a single point)
                out[-1] = (out[-1][0], keys[i])
            else:
                out.append((hi, keys[i]))
    return out


def _d_piece(name, d, k, m):
    rho = 1 - d
    return {"interior": (rho / (2 * (1 + k)), rho / (2 * (1 + k))), "beta_binds": ((rho - 2 * k * m) / 2, m),
            "both_bind": (sp.Integer(0), m), "alpha_binds": (sp.Integer(0), rho / 2)}[name]


def regime_system(struct, d, k):
    """(unknown, polynomial in it or None, a0 and b0 as expressions, U_G, U_D) of a regime."""
    regime, piece, binds = struct
    if regime == "abstain":
        return None
    rho = 1 - d
    m = TH - B0
    x, y = _d_piece(piece, d, k, m)
    UG = d * (A0 + x + B0 + y) - (A0 ** 2 + 2 * k * A0 * B0 + B0 ** 2)
    UD = rho * (A0 + x + B0 + y) - (x ** 2 + 2 * k * x * y + y ** 2)
    if "participation" in binds:
        a0 = sp.solve(UD, A0)[0]
        if "beta0=theta_G" in binds:
            return None, None, a0.subs(B0, 0), sp.Integer(0), UG, UD
        N = sp.numer(sp.together(sp.diff(UG.subs(A0, a0), B0)))
        return B0, sp.Poly(sp.expand(N), B0), a0, B0, UG, UD
    eqs = [sp.diff(UG, A0)] + ([] if "beta0=theta_G" in binds else [sp.diff(UG, B0)])
    sol = sp.solve(eqs, [A0] + ([] if "beta0=theta_G" in binds else [B0]), dict=True)[0]
    a0 = sp.Integer(0) if "alpha0=0" in binds else sol[A0]
    b0 = sp.Integer(0) if "beta0=theta_G" in binds else sol.get(B0, sp.Integer(0))
    return None, None, sp.simplify(a0), sp.simplify(b0), UG, UD


def _root_near(poly_expr, var, target):
    """The real root of poly_expr nearest target: (closed form or None, factor, value)."""
    best = None
    for f, _ in sp.factor_list(sp.expand(poly_expr), var)[1]:
        P = sp.Poly(f, var)
        if P.degree() < 1:
            continue
        for r in P.real_roots():
            val = float(r.evalf(30))
            if best is None or abs(val - target) < abs(best[2] - target):
                best = (r, P, val)
    r, P, val = best
    exact = sp.radsimp(r) if P.degree() <= 2 else None
    return exact, P, val


def _isolating(P, val):
    """A rational interval around the root val of P that holds no other root."""
    for (lo, hi), _ in P.intervals(eps=sp.Rational(1, 10 ** 12)):
        if lo - 1e-9 <= val <= hi + 1e-9:
            return [str(lo), str(hi)]
    raise AssertionError(f"no isolating interval for {val}")


def _value_poly(system):
    """R(v, theta): G's equilibrium payoff v of a regime satisfies R = 0."""
    if system is None:
        return V
    var, N, a0, b0, UG, _ = system
    u = UG.subs({A0: a0}).subs({B0: b0}) if var is None else UG.subs(A0, a0)
    R = sp.numer(sp.together(u - V))
    return R if var is None else sp.resultant(sp.expand(R), N.as_expr(), B0)


def _continuous_condition(sa, sb, A, B, d, k):
    """The equation that holds where regime A turns continuously into B (A's point)."""
    var, N, a0, b0, UG, UD = A
    conds = []
    if "participation" in sb[2] and "participation" not in sa[2]:
        conds.append(UD.subs({A0: a0}).subs({B0: b0}))
    if sa[1] == "beta_binds" and sb[1] == "both_bind":
        conds.append((1 - d) - 2 * k * (TH - b0))
    if "beta0=theta_G" in sb[2] and "beta0=theta_G" not in sa[2]:
        conds.append(b0)
    if "beta0=theta_G" in sa[2] and "beta0=theta_G" not in sb[2]:
        _, Nb, _, _, _, _ = B
        conds.append(Nb.as_expr().subs(B0, 0) if Nb is not None else B[3])
    if not conds:  # (D's participation, when it starts to bind, decides: it comes first)
        raise NotImplementedError(f"transition {sa} -> {sb}")
    c = sp.numer(sp.together(conds[0]))
    return c if var is None else sp.resultant(sp.expand(c), N.as_expr(), B0)


def _threshold(sa, sb, A, B, d, k, numeric):
    below = _structure(d, k, numeric - 1e-7)[1]
    above = _structure(d, k, numeric + 1e-7)[1]
    jump = sb[0] == "abstain" or max(abs(u - w) for u, w in zip(below["gamma0"], above["gamma0"])) > 1e-4
    if jump:
        eq = sp.resultant(_value_poly(A), _value_poly(B), V) if B is not None else _value_poly(A).subs(V, 0)
    else:
        eq = _continuous_condition(sa, sb, A, B, d, k)
    exact, P, val = _root_near(eq, TH, numeric)
    if abs(val - numeric) > 1e-7:
        raise AssertionError(f"threshold {sa}->{sb}: root {val} is not the bisected {numeric}")
    return {"value": val, "exact": None if exact is None else str(exact),
            "polynomial": str(P.as_expr()), "kind": "jump" if jump else "continuous",
            **({} if exact is not None else {"interval": _isolating(P, val)})}


def _describe(struct, system, d, k, lo, hi):
    """The regime's closed forms; on D's participation boundary, beta0 is the root of one
    factor of the stationarity polynomial: the factor vanishing at the reference's beta0."""
    if system is None:
        return {"regime": "abstain", "U_G": "0", "U_D": "0"}
    var, N, a0, b0, UG, UD = system
    out = {"regime": struct[0], "D_active": struct[1], "G_binds": list(struct[2])}
    if var is not None:
        mid = (lo + hi) / 2 if hi < 99 else lo + 0.25
        ref_b0 = _structure(d, k, mid)[1]["gamma0"][1]
        f = min((f for f, _ in sp.factor_list(N.as_expr(), B0)[1] if f.has(B0)),
                key=lambda f: abs(float(f.subs({B0: ref_b0, TH: mid}))))
        out["beta0_factor"] = str(f)
        roots = sp.solve(f, B0) if sp.degree(f, B0) <= 2 else []
        near = [r for r in roots if abs(complex(r.subs(TH, mid)) - ref_b0) < 1e-7]
        if not near:
            out.update(beta0=None, alpha0=str(sp.simplify(a0)), U_D="0", U_G=str(sp.simplify(UG.subs(A0, a0))))
            return out
        b0 = near[0]
    out.update(alpha0=str(sp.simplify(a0.subs(B0, b0))), beta0=str(sp.simplify(b0)),
               U_G=str(sp.simplify(sp.factor(UG.subs({A0: a0}).subs({B0: b0})))),
               U_D=str(sp.simplify(sp.factor(UD.subs({A0: a0}).subs({B0: b0})))))
    return out


def instance_table(d, k, steps=400) -> dict:
    """The regimes in theta_D, their closed forms, the thresholds, backfiring and samples."""
    seq = regime_sequence(d, k, steps=steps)
    systems = [regime_system(st, d, k) for _, st in seq]
    thresholds = [_threshold(seq[i - 1][1], seq[i][1], systems[i - 1], systems[i], d, k, seq[i][0])
                  for i in range(1, len(seq))]
    ends = [0.0] + [t["value"] for t in thresholds] + [100.0]
    regimes = [{"from": ends[i], "to": ends[i + 1] if i + 1 < len(seq) else None,
                **_describe(st, sysm, d, k, ends[i], ends[i + 1])}
               for i, ((_, st), sysm) in enumerate(zip(seq, systems))]
    unreg = safety_floors({"delta": float(d), "k": float(k), "theta_D": 0.0})
    beta1u = 1 / (2 * (1 + k))  # the unregulated total safety (both interior)
    assert abs(unreg["gamma1"][1] - float(beta1u)) < 1e-12
    t_floor = next(t for t, r in zip(thresholds, regimes[1:]) if r["regime"] != "free")
    samples = []
    for th in SAMPLE_THETAS:
        r = safety_floors({"delta": float(d), "k": float(k), "theta_D": th})
        samples.append({"theta_D": th, "regime": r["regime"], "gamma0": r["gamma0"], "gamma1": r["gamma1"],
                        "U_G": r["U_G"], "U_D": r["U_D"]})
    return {"delta": str(d), "k": str(k), "r": [1, 1], "theta_G": 0,
            "unregulated": {"gamma0": unreg["gamma0"], "gamma1": unreg["gamma1"],
                            "U_G": unreg["U_G"], "U_D": unreg["U_D"]},
            "regimes": regimes, "thresholds": thresholds,
            "backfiring": {"from": t_floor, "to": {"value": float(beta1u), "exact": str(beta1u)},
                           "note": "beta1 = theta_D < unregulated beta1 on this interval"},
            "samples": samples}


FT_SYMMETRIC = [  # (label, delta, c, c0, kappa, F) as exact rationals
    ("issue model", "1/2", "1", "1", "0", "0"),
    ("contributors, entry cost", "1/2", "1", "4", "1/5", "3/10"),
    ("free-riders, entry cost", "1/2", "1", "4", "3/5", "3/10"),
]
FT_HETEROGENEOUS = [
    {"n": 2, "c0": 1.0, "delta_1": 0.5, "c_1": 1.0, "delta_2": 0.25, "c_2": 2.0},
    {"n": 3, "c0": 2.0, "delta_1": 0.5, "c_1": 1.0, "delta_2": 0.3, "c_2": 0.5, "delta_3": 1.0, "c_3": 1.0},
    {"n": 3, "c0": 2.0, "delta_1": 0.4, "c_1": 1.0, "kappa_1": 0.1, "F_1": 0.05,
     "delta_2": 0.5, "c_2": 1.0, "kappa_2": 0.6, "F_2": 0.2, "delta_3": 0.2, "c_3": 1.5, "F_3": 2.0},
]


def fine_tuning_tables() -> dict:
    """Closed forms in symbolic n (the reference's formulas, exact) and sample points."""
    from tests.reference.research import fine_tuning_n, fine_tuning_symmetric
    n = sp.Symbol("n", positive=True)
    out = []
    for label, *vals in FT_SYMMETRIC:
        d, c, c0, kap, F = (sp.Rational(v) for v in vals)
        t = sp.Max(0, (1 - d - kap) / c)
        tau = (F - c * t ** 2 / 2) / (1 - d)
        n1, n2 = c0 * tau / d, c0 * tau ** 2 / (2 * d * (tau + t)) if tau + t != 0 else sp.oo
        row = {"label": label, "delta": str(d), "c": str(c), "c0": str(c0), "kappa": str(kap), "F": str(F),
               "specialist": "contributor" if t > 0 else "free-rider",
               "interior": {"n_from": str(sp.Max(1, n1)), "alpha0": str(n * d / c0), "alpha": str(n * d / c0 + t),
                            "U_G": str(sp.expand(n ** 2 * d ** 2 / (2 * c0) + n * d * t)),
                            "U_D": str(sp.expand((1 - d) * n * d / c0 + c * t ** 2 / 2 - F))}}
        if n1 > 1:
            row["boundary"] = {"n_from": str(n2), "n_to": str(n1), "alpha0": str(tau), "alpha": str(tau + t),
                               "U_G": str(sp.expand(n * d * (tau + t) - c0 * tau ** 2 / 2)), "U_D": "0"}
            row["abstain"] = {"n_to": str(n2)}
        row["samples"] = [{"n": m, **fine_tuning_symmetric({"n": m, "delta": float(d), "c": float(c),
                                                            "c0": float(c0), "kappa": float(kap), "F": float(F)})}
                          for m in range(1, 7)]
        out.append(row)
    het = [{"params": p, **fine_tuning_n(p)} for p in FT_HETEROGENEOUS]
    return {"symmetric": out, "heterogeneous": het}


def main(path=TABLE_PATH):
    tables = [instance_table(d, k) for d, k in INSTANCES]
    path.write_text(json.dumps({"safety-floors": {"C0 = C1": "[[1, k], [k, 1]]", "instances": tables},
                                "fine-tuning-n": fine_tuning_tables()}, indent=1) + "\n")
    return tables


if __name__ == "__main__":
    for t in main():
        print(t["delta"], t["k"], [(th["exact"] or th["polynomial"], round(th["value"], 9)) for th in t["thresholds"]])
