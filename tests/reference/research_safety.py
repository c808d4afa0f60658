"""Reference SPE of the safety-floors game (the Backfiring paper, arXiv 2503.20848).

Derived by hand from the model as ``/work/shared/papers/RELATED.md`` states it; it
shares no code with openeq.

The game
--------
A technology is ``gamma = (alpha, beta)`` (performance, safety).  The regulator's
floors ``theta_G, theta_D`` are parameters.  G abstains or chooses
``gamma0 = (a0, b0)`` with ``a0 >= 0``, ``b0 >= theta_G``; D then abstains or chooses
``gamma1 = (a1, b1)`` with ``a1 >= a0``, ``b1 >= max(b0, theta_D)``::

    U_G = delta r'gamma1 - gamma0' C0 gamma0
    U_D = (1 - delta) r'gamma1 - (gamma1 - gamma0)' C1 (gamma1 - gamma0)

and an abstention by either player gives both 0.  ``C = [[c_aa, c_ab], [c_ab, c_bb]]``
with ``c_aa, c_bb > 0`` and ``c_ab > -sqrt(c_aa c_bb)`` (the form is then positive on
the orthant, where every investment lies); ``r_a, r_b > 0``; ``0 < delta < 1``.
Conventions: an indifferent D plays (so G's optimum on D's participation boundary
is attained); an indifferent G plays; a D indifferent between two investments takes
the one G prefers; a G indifferent between two investments takes the larger b0.

D's best response (KKT with active sets)
----------------------------------------
Write ``rho = 1 - delta``, ``C1 = [[p, q], [q, s]]``, the increments ``x = a1 - a0 >= 0``,
``y = b1 - b0 >= m`` with ``m = max(0, theta_D - b0)``.  Then
``U_D = rho r'gamma0 + f(x, y)`` with ``f = rho (r_a x + r_b y) - (p x^2 + 2q x y + s y^2)``:
D's increments depend on gamma0 only through ``m``.  The maximum of ``f`` over the
quadrant ``{x >= 0, y >= m}`` lies at the stationary point of one face:

* ``interior``   ``(x, y) = rho/2 C1^{-1} r = rho/(2(ps - q^2)) (s r_a - q r_b, p r_b - q r_a)``
  (only when ``C1`` is positive definite), valid if ``x >= 0`` and ``y >= m``;
* ``beta_binds`` ``y = m``, ``x = (rho r_a - 2 q m)/(2p)``, valid if ``x >= 0``;
* ``alpha_binds`` ``x = 0``, ``y = rho r_b/(2s)``, valid if ``y >= m``;
* ``both_bind``  ``(x, y) = (0, m)``.

D's response is the best valid candidate (for ``C1`` positive definite the problem is
strictly concave and exactly one candidate satisfies KKT).  Its value is
``V_D = rho r'gamma0 + f*(m)``; D plays iff ``V_D >= 0``.  ``beta_binds`` with
``m > 0`` is "D meets the floor": ``b1 = theta_D``.

G's problem and its candidates
------------------------------
On ``m``, D's active set is constant between breakpoints (where a candidate becomes
valid or invalid, or two candidates' values cross), and each candidate is affine in
``m``.  With ``m = theta_D - b0`` for ``b0 < theta_D`` and ``m = 0`` above, G's
``b0``-axis splits into pieces; on a piece ``U_G`` is a quadratic in ``(a0, b0)`` with
Hessian ``-2 C0`` and ``V_D`` is linear in ``a0`` (slope ``rho r_a > 0``) and quadratic
in ``b0``.  So D plays iff ``a0 >= g(b0)``, a parabola: D's participation boundary
``U_D = 0``.  For fixed ``b0``, ``U_G`` is concave in ``a0`` (``c0_aa > 0``), so G's
optimal ``a0`` is ``max(a0u(b0), 0, g(b0))`` with ``a0u = (delta r_a - 2 c0_ab b0)/(2 c0_aa)``.
G's candidates on a piece are therefore:

* G's own active sets: the stationary point of ``U_G`` (both FOCs), the best ``b0`` on
  ``a0 = 0``, and ``b0 = theta_G`` (the floor of G binds);
* the points on D's participation boundary: ``a0 = g(b0)`` substituted into ``U_G``
  gives a quartic in ``b0``, whose stationary points are the real roots of a cubic
  (at most three points: the paper's "up to three"); in the worked instance the cubic
  factors and the point has a closed form (see ``research_tables.py``);
* the kinks: where ``a0u``, ``0`` and ``g`` cross (linear and quadratic equations),
  and the ends of the piece.

The SPE is the candidate with the largest ``U_G`` (evaluated with D's true response),
or abstention if that is negative.

The paper's statements, restated (numbering inferred from issue 14; check the paper)
-------------------------------------------------------------------------------------
* Prop. 4.1 / 4.4 (D's best response, without / with floors): D's optimum is one of
  ``gamma0 + (1 - delta)/2 C1^{-1} r`` (interior), the stationary point on each binding
  constraint (``a1 = a0``: ``beta_binds`` is the other one), the corner
  ``(a0, max(b0, theta_D))``, or abstention (iff its best payoff is negative).  Checked:
  the brute force's optimum is always one of these points
  (``test_d_best_response_is_in_the_candidate_set``).
* Prop. 4.2 / 4.5 (G's best response): G's optimum is one of its own active-set points
  (interior, ``a0 = 0``, ``b0 = theta_G``), a kink of D's response, or one of at most
  three points per piece on D's participation boundary ``U_D = 0`` (the real roots of a
  cubic), or abstention.  Checked against the brute force's optimum
  (``test_g_optimum_is_in_the_candidate_set``).
* Remark 4.3 (interior investment): with no floors, G's ``gamma0`` has both entries
  positive iff ``c0_ab < min(sqrt(c0_aa c0_bb), c0_aa r_b/r_a, c0_bb r_a/r_b)``, and D's
  increments iff the same holds for C1 (``gamma0 = delta/2 C0^{-1} r`` resp.
  ``(1 - delta)/2 C1^{-1} r`` are positive exactly then; beyond it, or for a non-convex
  form, the optimum is a corner).  The ``sqrt`` term is implied by the other two: their
  product is ``c_aa c_bb``.  Checked at 300 random points (``test_remark_4_3_...``).
* Backfiring: with ``theta_G = 0`` and ``C0 = C1 = [[1, k], [k, 1]]``, ``r = (1, 1)``, G's
  point in the floor regime is ``(delta/2, 0)`` (its FOC, exactly), so
  ``U_G = delta^2/4 + delta rho/2 + delta (1 - k) theta_D`` against the unregulated
  ``delta (2 - delta)/(2 (1 + k))``: the floor regime starts at
  ``t1 = (2 - delta)/(4 (1 + k))``, and total safety ``b1 = theta_D`` is below the
  unregulated ``1/(2 (1 + k))`` on ``(t1, 1/(2 (1 + k)))``.  D's participation binds from
  ``t2 = [rho (1-k) + sqrt(rho^2 (1-k)^2 + (1-k^2) rho (1+delta))] / (2 (1-k^2))`` (the root
  of ``U_D(delta/2, 0) = 0``); G then sits on ``U_D = 0`` with ``m = theta_D - b0`` a root of
  ``4 (1-k^2) m^3 - rho ((3 delta - 1) + 4 theta_D (1 - k)) m - 2 rho^2 theta_D = 0``.  Both
  formulas hold for the nine instances of ``research_tables.json`` (tested), where no
  other regime intervenes below ``t2``; for ``k > 0`` and large ``theta_D`` D stops
  adding performance (``both_bind``) before both abstain.  (RELATED.md says "theta_D just below the unregulated beta0"; in the
  worked instance the interval is ``(3/8, 1/2)``, just below the unregulated *total*
  safety ``beta1 = 1/2``, not ``beta0 = 1/4``.)

Regimes (``regime`` in the result)
----------------------------------
``abstain`` (G abstains, both 0); ``participation`` (G sits on ``U_D = 0``);
``floor`` (D meets the floor: ``b1 = theta_D > b0``); ``free`` (the floor binds
no one's best response).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["safety_params", "d_response", "safety_floors", "unregulated"]

EPS = 1e-12


@dataclass(frozen=True)
class SafetyParams:
    delta: float
    theta_G: float
    theta_D: float
    ra: float
    rb: float
    C0: tuple  # (c_aa, c_ab, c_bb)
    C1: tuple


def safety_params(p: dict) -> SafetyParams:
    """Read a parameter dict: the six entries ``c0_aa c0_ab c0_bb c1_aa c1_ab c1_bb``,
    or ``k`` (unit diagonals, both cross terms ``k``); ``r_a, r_b`` default to 1."""
    if "k" in p:
        C0 = C1 = (1.0, float(p["k"]), 1.0)
    else:
        C0 = tuple(float(p[f"c0_{e}"]) for e in ("aa", "ab", "bb"))
        C1 = tuple(float(p[f"c1_{e}"]) for e in ("aa", "ab", "bb"))
    P = SafetyParams(float(p["delta"]), float(p.get("theta_G", 0.0)), float(p.get("theta_D", 0.0)),
                     float(p.get("r_a", 1.0)), float(p.get("r_b", 1.0)), C0, C1)
    for c in (P.C0, P.C1):
        if not (c[0] > 0 and c[2] > 0 and c[1] > -math.sqrt(c[0] * c[2])):
            raise ValueError(f"cost matrix {c} is not copositive (c_aa, c_bb > 0, c_ab > -sqrt(c_aa c_bb))")
    if not (0 < P.delta < 1 and P.ra > 0 and P.rb > 0):
        raise ValueError("need 0 < delta < 1 and r_a, r_b > 0")
    return P


# ------------------------------------------------------------------ D's problem
def _d_affine(P: SafetyParams):
    """D's candidates as affine maps of m: name -> (x0, x1, y0, y1), x = x0 + x1 m, y = y0 + y1 m."""
    rho = 1 - P.delta
    p, q, s = P.C1
    out = {}
    det = p * s - q * q
    if det > 0:
        out["interior"] = (rho * (s * P.ra - q * P.rb) / (2 * det), 0.0,
                           rho * (p * P.rb - q * P.ra) / (2 * det), 0.0)
    out["beta_binds"] = (rho * P.ra / (2 * p), -q / p, 0.0, 1.0)
    out["alpha_binds"] = (0.0, 0.0, rho * P.rb / (2 * s), 0.0)
    out["both_bind"] = (0.0, 0.0, 0.0, 1.0)
    return out


def _f(P, x, y):
    p, q, s = P.C1
    return (1 - P.delta) * (P.ra * x + P.rb * y) - (p * x * x + 2 * q * x * y + s * y * y)


def _valid(x, y, m, scale=1.0):
    tol = 1e-13 * scale
    return x >= -tol and y >= m - tol


def d_response(P: SafetyParams, m: float):
    """D's optimal increments at ``m``: (name, x, y, f*) -- best valid candidate, ties to G."""
    best = None
    for name, (x0, x1, y0, y1) in _d_affine(P).items():
        x, y = x0 + x1 * m, y0 + y1 * m
        if not _valid(x, y, m):
            continue
        x, y = max(x, 0.0), max(y, m)
        key = (_f(P, x, y), P.ra * x + P.rb * y)
        if best is None or key[0] > best[0][0] + EPS * (1 + abs(key[0])) or (
                abs(key[0] - best[0][0]) <= EPS * (1 + abs(key[0])) and key[1] > best[0][1]):
            best = (key, name, x, y)
    return best[1], best[2], best[3], best[0][0]


def _m_breakpoints(P: SafetyParams, m_max: float) -> list:
    """Values of m in (0, m_max) where D's active set may change."""
    cands = _d_affine(P)
    pts = []
    for x0, x1, y0, y1 in cands.values():  # validity: x = 0 or y = m
        if x1 != 0:
            pts.append(-x0 / x1)
        if y1 != 1:
            pts.append(y0 / (1 - y1))
    names = list(cands)
    for i, a in enumerate(names):  # value crossings: f_a(m) = f_b(m), a quadratic in m
        for b in names[i + 1:]:
            ca = _f_poly(P, cands[a])
            cb = _f_poly(P, cands[b])
            diff = (ca - cb).trim(1e-15)
            if diff.degree() >= 1:
                pts += [r.real for r in diff.roots() if abs(r.imag) < 1e-12]
    return sorted({t for t in pts if 1e-14 < t < m_max - 1e-14})


def _f_poly(P, aff):
    x0, x1, y0, y1 = aff
    x, y = np.polynomial.Polynomial([x0, x1]), np.polynomial.Polynomial([y0, y1])
    p, q, s = P.C1
    return (1 - P.delta) * (P.ra * x + P.rb * y) - (p * x * x + 2 * q * x * y + s * y * y)


# ------------------------------------------------------------------ G's problem
Poly = np.polynomial.Polynomial


def _real_roots(poly, lo, hi) -> list:
    c = poly.coef
    big = max(1.0, float(np.max(np.abs(c)))) if len(c) else 1.0
    poly = poly.trim(1e-14 * big)
    if poly.degree() < 1:
        return []
    out = []
    for r in poly.roots():
        if abs(r.imag) <= 1e-9 * (1 + abs(r.real)):
            t = r.real
            for _ in range(3):  # Newton polish of the (possibly ill-conditioned) root
                d = poly.deriv()(t)
                if d != 0:
                    t -= poly(t) / d
            if lo - 1e-12 <= t <= hi + 1e-12:
                out.append(min(max(t, lo), hi))
    return out


def _pieces(P: SafetyParams):
    """G's b0-pieces [lo, hi] with D's affine increments there, as polynomials in b0."""
    cuts = [P.theta_G]
    if P.theta_D > P.theta_G:
        cuts += [P.theta_D - mu for mu in reversed(_m_breakpoints(P, P.theta_D - P.theta_G))] + [P.theta_D]
    cuts = sorted(set(cuts)) + [math.inf]
    b = Poly([0.0, 1.0])
    for lo, hi in zip(cuts, cuts[1:]):
        mid = lo + 1.0 if hi == math.inf else 0.5 * (lo + hi)
        name = d_response(P, max(0.0, P.theta_D - mid))[0]
        x0, x1, y0, y1 = _d_affine(P)[name]
        if mid >= P.theta_D:  # m = 0
            x, y = Poly([x0]), Poly([y0])
        else:  # m = theta_D - b0
            x, y = Poly([x0 + x1 * P.theta_D, -x1]), Poly([y0 + y1 * P.theta_D, -y1])
        yield lo, hi, x, y, b


def _candidate_b0(P: SafetyParams) -> list:
    d, rho = P.delta, 1 - P.delta
    u, w, v = P.C0
    p, q, s = P.C1
    out = []
    for lo, hi, x, y, b in _pieces(P):
        a0u = (d * P.ra - 2 * w * b) / (2 * u)
        g = -(rho * (P.ra * x + P.rb * (b + y)) - (p * x * x + 2 * q * x * y + s * y * y)) / (rho * P.ra)
        top = hi if hi < math.inf else lo + 1e6
        out += [lo] + ([hi] if hi < math.inf else [])
        for poly in (a0u - g, a0u, g):  # the kinks of max(a0u, 0, g)
            out += _real_roots(poly, lo, top)
        for A in (a0u, Poly([0.0]), g):  # stationary points on each branch of a0(b0)
            U = d * P.ra * A + d * (P.ra * x + P.rb * (b + y)) - (u * A * A + 2 * w * A * b + v * b * b)
            out += _real_roots(U.deriv(), lo, top)
    return out


def _evaluate(P: SafetyParams, b0: float) -> dict:
    """G's best play at ``b0``: a0 = max(a0u, 0, g) with D's true response."""
    d, rho = P.delta, 1 - P.delta
    u, w, v = P.C0
    m = max(0.0, P.theta_D - b0)
    name, x, y, fstar = d_response(P, m)
    g = -(rho * P.rb * b0 + fstar) / (rho * P.ra)
    a0u = (d * P.ra - 2 * w * b0) / (2 * u)
    a0 = max(a0u, 0.0, g)
    a1, b1 = a0 + x, b0 + y
    UG = d * (P.ra * a1 + P.rb * b1) - (u * a0 * a0 + 2 * w * a0 * b0 + v * b0 * b0)
    UD = rho * (P.ra * a0 + P.rb * b0) + fstar
    a0, b0, a1, b1, UG, UD, m = (float(z) for z in (a0, b0, a1, b1, UG, UD, m))
    return {"gamma0": (a0, b0), "gamma1": (a1, b1), "U_G": UG, "U_D": UD, "D_active": name,
            "m": m, "on_boundary": abs(UD) <= 1e-10 * (1 + abs(UG))}


def safety_floors(params: dict) -> dict:
    """The SPE at ``params`` (see the module docstring): strategies, payoffs, regime."""
    P = safety_params(params)
    best = None
    for b0 in _candidate_b0(P):
        c = _evaluate(P, b0)
        if c["U_D"] < -1e-10 * (1 + abs(c["U_G"])):
            continue  # D would abstain: worth 0 to G, as G's own abstention
        if best is None or c["U_G"] > best["U_G"] + 1e-14 * (1 + abs(c["U_G"])) or (
                abs(c["U_G"] - best["U_G"]) <= 1e-14 * (1 + abs(c["U_G"])) and b0 > best["gamma0"][1]):
            best = c
    if best is None or best["U_G"] < -1e-12:
        return {"regime": "abstain", "G": "abstain", "D": "abstain", "U_G": 0.0, "U_D": 0.0,
                "gamma0": None, "gamma1": None, "D_active": None, "G_binds": []}
    a0, b0 = best["gamma0"]
    binds = [t for t, on in (("alpha0=0", a0 <= 1e-12), ("beta0=theta_G", b0 - P.theta_G <= 1e-12),
                             ("participation", best["on_boundary"])) if on]
    floor = best["D_active"] in ("beta_binds", "both_bind") and best["m"] > 1e-12
    regime = "participation" if best["on_boundary"] else ("floor" if floor else "free")
    return {**best, "regime": regime, "G": "invest", "D": "invest", "G_binds": binds}


def unregulated(params: dict) -> dict:
    """The SPE with both floors at 0 (for the backfiring comparison)."""
    return safety_floors({**params, "theta_G": 0.0, "theta_D": 0.0})
