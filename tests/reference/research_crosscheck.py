"""Cross-check the reference solutions against the brute force at random points.

``python tests/reference/research_crosscheck.py [N] [SEED]`` prints the agreement
figures.  A point *agrees* when the leader's payoffs agree within ``PAY_TOL`` and either the
strategies and the followers' payoffs agree within ``STRAT_TOL`` (both scaled by
``1 + |value|``), or the two solvers found two optima that each values as optimal (a tie).
The strategy tolerance is wider because a grid locates a flat maximum less precisely than
it evaluates it.  The regime names are compared too (the tests require them to agree).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reference.research import fine_tuning_n, fine_tuning_symmetric  # noqa: E402
from tests.reference.research_brute import brute_fine_tuning, brute_safety  # noqa: E402
from tests.reference.research_safety import safety_floors  # noqa: E402

PAY_TOL, STRAT_TOL = 1e-8, 1e-4


def sample_safety(rng) -> dict:
    """A random point: C1 positive definite, C0 copositive (one in five not convex)."""
    p = {"delta": rng.uniform(0.05, 0.95), "r_a": rng.uniform(0.3, 2.0), "r_b": rng.uniform(0.3, 2.0)}
    for c, hi in (("c0", 1.6 if rng.random() < 0.2 else 0.9), ("c1", 0.9)):
        aa, bb = rng.uniform(0.3, 2.0), rng.uniform(0.3, 2.0)
        p.update({f"{c}_aa": aa, f"{c}_bb": bb, f"{c}_ab": rng.uniform(-0.9, hi) * math.sqrt(aa * bb)})
    scale = p["r_b"] * (p["delta"] / (2 * p["c0_bb"]) + (1 - p["delta"]) / (2 * p["c1_bb"]))
    p["theta_G"] = rng.uniform(0.0, 1.2) * scale if rng.random() < 0.5 else 0.0
    p["theta_D"] = rng.uniform(0.0, 5.0) * scale
    return p


def sample_safety_k(rng) -> dict:
    """The one-cross-term family (unit diagonals, C0 = C1), r = (1, 1) in half the points."""
    p = {"delta": rng.uniform(0.05, 0.95), "k": rng.uniform(-0.9, 0.9)}
    if rng.random() < 0.5:
        p.update(r_a=rng.uniform(0.3, 2.0), r_b=rng.uniform(0.3, 2.0))
    p["theta_G"] = 0.0 if rng.random() < 0.7 else rng.uniform(0.0, 0.5)
    p["theta_D"] = rng.uniform(0.0, 3.0)
    return p


def sample_safety_nonconvex(rng) -> dict:
    """C1 copositive but not convex (c_ab > sqrt(c_aa c_bb)): D invests in one attribute."""
    p = sample_safety(rng)
    aa, bb = p["c1_aa"], p["c1_bb"]
    p["c1_ab"] = rng.uniform(1.02, 2.0) * math.sqrt(aa * bb)
    return p


def sample_fine_tuning(rng) -> dict:
    """A random point with n in {1, 2, 3}; half of them with the kappa / F extension."""
    n = int(rng.integers(1, 4))
    p = {"n": n, "c0": rng.uniform(0.3, 3.0)}
    ext = rng.random() < 0.5
    for i in range(1, n + 1):
        p[f"delta_{i}"] = 1.0 if rng.random() < 0.05 else rng.uniform(0.02, 0.98)
        p[f"c_{i}"] = rng.uniform(0.3, 3.0)
        if ext:
            p[f"kappa_{i}"] = rng.uniform(0.0, 0.8) if rng.random() < 0.6 else 0.0
            p[f"F_{i}"] = rng.uniform(0.0, 0.6) if rng.random() < 0.7 else 0.0
    return p


def sample_symmetric(rng) -> dict:
    """A symmetric point (unsuffixed keys) with n in 1..6."""
    p = {"n": int(rng.integers(1, 7)), "c0": rng.uniform(0.3, 6.0), "delta": rng.uniform(0.02, 0.98),
         "c": rng.uniform(0.3, 3.0)}
    if rng.random() < 0.7:
        p.update(kappa=rng.uniform(0.0, 0.8) if rng.random() < 0.5 else 0.0, F=rng.uniform(0.0, 0.8))
    return p


def _close(u, v, tol):
    return abs(u - v) <= tol * (1 + abs(u) + abs(v))


def _strat_close(s, t):
    if s is None or t is None:
        return s is None and t is None
    return all(abs(a - b) <= STRAT_TOL * (1 + abs(a)) for a, b in zip(np.ravel(s), np.ravel(t)))


def compare_safety(p) -> dict:
    ref, bf = safety_floors(p), brute_safety(p)
    pay = _close(ref["U_G"], bf["U_G"], PAY_TOL)
    strat = (_strat_close(ref["gamma0"], bf["gamma0"]) and _strat_close(ref["gamma1"], bf["gamma1"])
             and _close(ref["U_D"], bf["U_D"], STRAT_TOL))
    tie = False
    if pay and not strat and ref["gamma0"] is not None and bf["gamma0"] is not None:
        # two optima: each solver values the other's b0 as optimal too
        mine = _ref_value_at(p, bf["gamma0"][1])
        theirs = float(_brute_h(p, [ref["gamma0"][1]])[0])
        tie = _close(mine, ref["U_G"], PAY_TOL) and _close(theirs, bf["U_G"], PAY_TOL)
    return {"agree": pay and (strat or tie), "payoff": pay, "strategy": strat, "tie": tie,
            "regime": ref["regime"] == bf["regime"], "ref": ref, "brute": bf}


def _ref_value_at(p, b0):
    from tests.reference.research_safety import _evaluate, safety_params
    c = _evaluate(safety_params(p), b0)
    return c["U_G"] if c["U_D"] >= -1e-10 else 0.0


def _brute_h(p, b0s):
    from tests.reference.research_brute import _h, brute_bounds
    return _h(p, np.asarray(b0s, dtype=float), brute_bounds(p))[0]


def compare_fine_tuning(p) -> dict:
    ref, bf = fine_tuning_n(p), brute_fine_tuning(p)
    pay = _close(ref["U_G"], bf["U_G"], PAY_TOL) and all(
        _close(a, b, STRAT_TOL) for a, b in zip(ref["U_D"], bf["U_D"]))
    strat = _close(ref["alpha0"], bf["alpha0"], STRAT_TOL) and all(
        (a is None and b is None) or (a is not None and b is not None and _close(a, b, STRAT_TOL))
        for a, b in zip(ref["alpha"], bf["alpha"]))
    return {"agree": pay and strat, "payoff": pay, "strategy": strat,
            "regime": ref["regimes"] == bf["regimes"], "ref": ref, "brute": bf}


def compare_symmetric(p) -> dict:
    """The closed form in n against the brute force of the n-specialist game."""
    ref, bf = fine_tuning_symmetric(p), brute_fine_tuning(p)
    pay = _close(ref["U_G"], bf["U_G"], PAY_TOL) and all(_close(ref["U_D"], b, STRAT_TOL) for b in bf["U_D"])
    strat = _close(ref["alpha0"], bf["alpha0"], STRAT_TOL) and all(
        (ref["alpha"] is None and b is None) or (ref["alpha"] is not None and b is not None
                                                 and _close(ref["alpha"], b, STRAT_TOL)) for b in bf["alpha"])
    return {"agree": pay and strat, "payoff": pay, "strategy": strat,
            "regime": all(ref["regime"] == r for r in bf["regimes"]), "ref": ref, "brute": bf}


KINDS = {"safety": (sample_safety, compare_safety), "safety-k": (sample_safety_k, compare_safety),
         "safety-nonconvex": (sample_safety_nonconvex, compare_safety),
         "fine-tuning": (sample_fine_tuning, compare_fine_tuning),
         "fine-tuning-symmetric": (sample_symmetric, compare_symmetric)}


def _deviation(r):
    return abs(r["ref"]["U_G"] - r["brute"]["U_G"])


def run(kind: str, n: int = 200, seed: int = 0) -> dict:
    """Compare at n random points of ``kind`` (a key of KINDS); counts and the failures."""
    rng = np.random.default_rng(seed)
    sample, compare = KINDS[kind]
    rows = [(p, compare(p)) for p in (sample(rng) for _ in range(n))]
    count = {k: sum(bool(r.get(k)) for _, r in rows) for k in ("agree", "payoff", "strategy", "tie", "regime")}
    regimes = {}
    for _, r in rows:
        ref = r["ref"]
        key = ref.get("regime") if "regimes" not in ref else "/".join(ref["regimes"])
        regimes[key] = regimes.get(key, 0) + 1
    return {"n": n, **count, "regimes": regimes, "max_dU_G": max(_deviation(r) for _, r in rows),
            "failures": [(p, r) for p, r in rows if not r["agree"]]}


if __name__ == "__main__":
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    for kind in (sys.argv[3].split(",") if len(sys.argv) > 3 else KINDS):
        res = run(kind, N, SEED)
        print(f"{kind}: {res['agree']}/{res['n']} agree (payoffs {res['payoff']}, strategies "
              f"{res['strategy']}, ties {res['tie']}, regime names {res['regime']}; "
              f"max |dU_G| {res['max_dU_G']:.1e}); regimes seen {res['regimes']}")
        for p, r in res["failures"][:5]:
            print("  FAIL", p, "\n   ref", r["ref"], "\n   bf ", r["brute"])
