r"""Subgame-perfect equilibria of the textbook games in examples/, derived by hand.

Each function takes a parameter dict (name -> float, names as in the model file) and
returns ``{"region": str, "strategies": {variable: float}, "payoffs": {player: float}}``:
the equilibrium path (first-stage choices and the later choices they induce) and the
payoffs on it.  Where two regions meet, the tie-breaking rule of the model file decides
the strategy; the payoffs agree there.  Notation: :math:`\operatorname{clamp}(x, l, h) =
\min(\max(x, l), h)`.  The derivations are in the docstrings; ``brute.py`` checks them.
"""
from __future__ import annotations

import math

__all__ = ["REFERENCES", "clamp", "double_marginalisation", "entry_deterrence", "hotelling",
           "openness_tiers", "public_good", "rd_cournot", "tullock", "two_product_leader"]


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def _out(region, strategies, payoffs):
    return {"region": region, "strategies": strategies, "payoffs": payoffs}


def hotelling(p):
    r"""Hotelling, quadratic transport cost :math:`t d^2`, firm 1 at :math:`l_1`, firm 2 at :math:`1 - l_2`.

    Stage 2.  With :math:`\Delta = 1 - l_1 - l_2 > 0` the consumer indifferent between the
    firms sits at :math:`\tilde x = (1 + l_1 - l_2)/2 + (p_2 - p_1)/(2t\Delta)`, firm 1 sells
    :math:`\tilde x`, firm 2 sells :math:`1 - \tilde x`.  The profits are concave in the own
    price; the first-order conditions :math:`2u_1 - u_2 = t\Delta(1 + l_1 - l_2)`,
    :math:`2u_2 - u_1 = t\Delta(1 - l_1 + l_2)` (:math:`u_i = p_i - c`; best responses of
    slope 1/2, so the equilibrium is unique) give :math:`p_1 = c + t\Delta(3 + l_1 - l_2)/3`,
    :math:`p_2 = c + t\Delta(3 - l_1 + l_2)/3`, demands :math:`(3 \pm (l_1 - l_2))/6 \in (0, 1)`
    and :math:`\pi_1 = t\Delta(3 + l_1 - l_2)^2/18`.

    Stage 1.  :math:`\partial\pi_1/\partial l_1 = -(t/18)(3 + l_1 - l_2)(1 + 3l_1 + l_2) < 0`
    for every :math:`l_2`: moving to the centre loses more through the price than it gains
    in demand.  Each firm's dominant choice is the end: :math:`l_1 = l_2 = 0`,
    :math:`p_1 = p_2 = c + t`, profits :math:`t/2` (maximal differentiation, one region).
    """
    t, c = p["t"], p["c"]
    return _out("maximal differentiation", {"l1": 0.0, "l2": 0.0, "p1": c + t, "p2": c + t},
                {"F1": t / 2, "F2": t / 2})


def rd_cournot(p):
    r"""R&D (cost :math:`c - x_i` at :math:`\gamma x_i^2/2`, :math:`x_i \in [0, c]`), then Cournot.

    Stage 2 (:math:`A = a - c`).  Cournot with costs :math:`c - x_i`: both produce,
    :math:`q_i = (A + 2x_i - x_j)/(3b)`, :math:`\pi_i = b q_i^2`, when both numerators are
    positive; if :math:`A + 2x_i - x_j \le 0` firm i is out and j is a monopolist,
    :math:`q_j = (A + x_j)/(2b)`.

    Stage 1, firm i's best response to :math:`x_j` (:math:`g = b\gamma > 4/3`):
    on the duopoly piece :math:`D(x) = (A + 2x - x_j)^2/(9b) - \gamma x^2/2` is concave
    (:math:`g > 8/9`) with peak :math:`4(A - x_j)/(9g - 8)`; on the monopoly piece
    (:math:`x \ge A + 2x_j`) :math:`M(x) = (A + x)^2/(4b) - \gamma x^2/2` peaks at
    :math:`A/(2g - 1) < A`, left of the piece, so driving the rival out never pays; for
    :math:`x_j > A` staying out (:math:`x = 0`, profit 0) beats the duopoly piece, whose peak
    is negative.  Hence :math:`R(x_j) = \operatorname{clamp}(4(A - x_j)/(9g - 8), 0, c)`,
    Lipschitz with constant :math:`4/(9g - 8) < 1`: a contraction, so the equilibrium is
    unique, and symmetric.  Its fixed point is :math:`x_s = 4A/(9g - 4) \in (0, A)` if
    :math:`x_s \le c`; otherwise :math:`x = c` (then :math:`4(A - c)/(9g - 8) \ge c`).

    * :math:`x_s \le c`: :math:`x_i = x_s`, :math:`q_i = 3\gamma A/(9b\gamma - 4)`,
      :math:`\pi_i = \gamma A^2 (9b\gamma - 8)/(9b\gamma - 4)^2`;
    * :math:`x_s > c`: :math:`x_i = c`, :math:`q_i = a/(3b)`, :math:`\pi_i = a^2/(9b) - \gamma c^2/2`.
    """
    a, b, c, gm = p["a"], p["b"], p["c"], p["gamma"]
    A, g = a - c, b * gm
    xs = 4 * A / (9 * g - 4)
    if xs <= c:
        x, region = xs, "interior R&D"
        q, u = 3 * gm * A / (9 * g - 4), gm * A ** 2 * (9 * g - 8) / (9 * g - 4) ** 2
    else:
        x, region = c, "R&D at the bound c"
        q, u = a / (3 * b), a ** 2 / (9 * b) - gm * c ** 2 / 2
    return _out(region, {"x1": x, "x2": x, "q1": q, "q2": q}, {"F1": u, "F2": u})


def entry_deterrence(p):
    r"""Incumbent :math:`q_1`, then an entrant who pays F if it produces (ties: stays out).

    Stage 2 (:math:`A = a - c`).  Producing, the entrant's best is
    :math:`q_2 = (A - bq_1)/(2b)` with profit :math:`(A - bq_1)^2/(4b) - F`; it enters iff this
    is positive and :math:`bq_1 < A`, i.e. iff :math:`q_1 < q_L = (A - 2\sqrt{bF})/b`
    (the limit quantity; the condition :math:`F \ge (A - bq_1)^2/(4b)` for staying out is
    non-linear in :math:`q_1`).

    Stage 1.  Accommodating (:math:`q_1 < q_L`) the incumbent earns :math:`(A - bq_1)q_1/2`,
    best at the Stackelberg :math:`A/(2b)`, worth :math:`A^2/(8b)`.  Deterring
    (:math:`q_1 \ge q_L`) it is a monopolist; its monopoly output :math:`A/(2b)` deters by
    itself iff :math:`q_L \le A/(2b) \iff F \ge A^2/(16b)` (blockaded entry).  Otherwise the
    best deterring output is :math:`q_L` itself, worth :math:`s(A - s)/b` with
    :math:`s = 2\sqrt{bF} < A/2`; it beats accommodation iff
    :math:`s^2 - As + A^2/8 \le 0 \iff s \ge A(2 - \sqrt 2)/4 \iff F \ge F_d = A^2(3 - 2\sqrt 2)/(32b)`
    (at equality the incumbent's "max" tie-break deters).

    * :math:`F \ge A^2/(16b)`: blockaded, :math:`q_1 = A/(2b)`, :math:`q_2 = 0`, :math:`A^2/(4b)`, 0;
    * :math:`F_d \le F < A^2/(16b)`: deterred, :math:`q_1 = q_L`, :math:`q_2 = 0`, :math:`s(A - s)/b`, 0;
    * :math:`F < F_d`: accommodated, :math:`q_1 = A/(2b)`, :math:`q_2 = A/(4b)`,
      :math:`A^2/(8b)`, :math:`A^2/(16b) - F`.
    """
    a, b, c, F = p["a"], p["b"], p["c"], p["F"]
    A = a - c
    Fd = A ** 2 * (3 - 2 * math.sqrt(2)) / (32 * b)
    if F >= A ** 2 / (16 * b):
        return _out("blockaded", {"q1": A / (2 * b), "q2": 0.0}, {"I": A ** 2 / (4 * b), "E": 0.0})
    if F >= Fd:
        s = 2 * math.sqrt(b * F)
        return _out("deterred", {"q1": (A - s) / b, "q2": 0.0}, {"I": s * (A - s) / b, "E": 0.0})
    return _out("accommodated", {"q1": A / (2 * b), "q2": A / (4 * b)},
                {"I": A ** 2 / (8 * b), "E": A ** 2 / (16 * b) - F})


def two_product_leader(p):
    r"""Leader with products 1, 2 (:math:`x, y`), follower in product 1 (:math:`z`, cost :math:`c + e`).

    Stage 2 (:math:`A = a - c`, :math:`s = x + dy`): :math:`z = \max(A - e - s, 0)/2`; the
    breakpoint :math:`s = A - e` involves both of the leader's variables.

    Stage 1.  Where the follower produces (:math:`s \le A - e`) the leader's profit is
    :math:`\Pi_a = (A + e)x/2 - x^2/2 - dxy + (A(1 - d/2) + de/2)y - (1 - d^2/2)y^2`, concave
    (Hessian determinant :math:`2(1 - d^2) > 0`), with peak :math:`y = m = A/(2(1 + d))`,
    :math:`x = m + e/2`, where :math:`s = (A + e)/2`: inside the piece iff :math:`e \le A/3`.
    Where it is shut out (:math:`s \ge A - e`) the leader is a two-product monopolist,
    :math:`\Pi_m = A(x + y) - x^2 - y^2 - 2dxy`, concave, peak :math:`x = y = m` with
    :math:`s = A/2`: inside the piece iff :math:`e \ge A/2`.  Otherwise the best of
    :math:`\Pi_m` on the piece lies on the line :math:`s = A - e` (KKT: multiplier
    :math:`A - 2e \ge 0`): :math:`y = m`, :math:`x = A - e - dm > 0`, worth
    :math:`\Pi_l = Ae - e^2 + A^2(1 - d)/(4(1 + d))`.  Both profits agree on the line, so for
    :math:`A/3 < e < A/2` both pieces peak there; for :math:`e \le A/3`,
    :math:`\Pi_a^* - \Pi_l = (A - 3e)^2/8 \ge 0`: accommodating wins (ties at :math:`e = A/3`,
    where the two points coincide).

    * :math:`e \le A/3`: :math:`x = m + e/2`, :math:`y = m`, :math:`z = (A - 3e)/4`,
      :math:`\Pi_L = (3 - d)A^2/(8(1 + d)) + Ae/4 + e^2/8`, :math:`\Pi_F = (A - 3e)^2/16`;
    * :math:`A/3 < e < A/2`: :math:`x = A - e - dm`, :math:`y = m`, :math:`z = 0`, :math:`\Pi_l`, 0;
    * :math:`e \ge A/2`: :math:`x = y = m`, :math:`z = 0`, :math:`\Pi_L = A^2/(2(1 + d))`, 0.
    """
    a, c, e, d = p["a"], p["c"], p["e"], p["d"]
    A = a - c
    m = A / (2 * (1 + d))
    if e <= A / 3:
        return _out("accommodate", {"x": m + e / 2, "y": m, "z": (A - 3 * e) / 4},
                    {"L": (3 - d) * A ** 2 / (8 * (1 + d)) + A * e / 4 + e ** 2 / 8, "F": (A - 3 * e) ** 2 / 16})
    if e < A / 2:
        return _out("limit", {"x": A - e - d * m, "y": m, "z": 0.0},
                    {"L": A * e - e ** 2 + A ** 2 * (1 - d) / (4 * (1 + d)), "F": 0.0})
    return _out("blockaded", {"x": m, "y": m, "z": 0.0}, {"L": A ** 2 / (2 * (1 + d)), "F": 0.0})


def tullock(p):
    r"""Sequential Tullock contest: leader :math:`x > 0`, follower :math:`y \ge 0`, win odds :math:`x/(x + y)`.

    Stage 2.  :math:`V_2 y/(x + y) - y` is concave in y with derivative
    :math:`V_2 x/(x + y)^2 - 1`: :math:`y = \sqrt{V_2 x} - x` if :math:`x < V_2`, else
    :math:`y = 0`.

    Stage 1.  For :math:`x < V_2`, :math:`x + y = \sqrt{V_2 x}` and the leader gets
    :math:`V_1\sqrt{x/V_2} - x`, concave with peak :math:`x = V_1^2/(4V_2)`, inside iff
    :math:`V_1 < 2V_2`; for :math:`x \ge V_2` it wins for sure and gets :math:`V_1 - x`,
    best at :math:`x = V_2`.  The interior peak beats pre-emption by
    :math:`(V_1 - 2V_2)^2/(4V_2) \ge 0`; if :math:`V_1 \ge 2V_2` the first piece increases all
    the way to :math:`V_2`.

    * :math:`V_1 < 2V_2`: :math:`x = V_1^2/(4V_2)`, :math:`y = V_1(2V_2 - V_1)/(4V_2)`,
      :math:`U_L = V_1^2/(4V_2)`, :math:`U_F = (2V_2 - V_1)^2/(4V_2)`;
    * :math:`V_1 \ge 2V_2`: :math:`x = V_2`, :math:`y = 0`, :math:`U_L = V_1 - V_2`, :math:`U_F = 0`.
    """
    V1, V2 = p["V1"], p["V2"]
    if V1 < 2 * V2:
        return _out("both bid", {"x": V1 ** 2 / (4 * V2), "y": V1 * (2 * V2 - V1) / (4 * V2)},
                    {"L": V1 ** 2 / (4 * V2), "F": (2 * V2 - V1) ** 2 / (4 * V2)})
    return _out("pre-emption", {"x": V2, "y": 0.0}, {"L": V1 - V2, "F": 0.0})


def public_good(p):
    r"""Sequential contributions :math:`g_1 \in [0, w_1]`, then :math:`g_2 \in [0, w_2]`; :math:`u_i = w_i - g_i + v_i\log(1 + G)`.

    Stage 2 (:math:`T_i = v_i - 1`, the total i would like): u_2 is concave in g_2 with
    peak :math:`1 + G = v_2`: :math:`g_2 = \operatorname{clamp}(T_2 - g_1, 0, w_2)`, so the
    total is :math:`G(g_1) = g_1 + w_2` for :math:`g_1 \le T_2 - w_2` (piece L), :math:`T_2`
    on :math:`[T_2 - w_2, T_2]` (piece M), :math:`g_1` for :math:`g_1 \ge T_2` (piece H).

    Stage 1, :math:`f(g_1) = -g_1 + v_1\log(1 + G(g_1))` on :math:`[0, w_1]`: concave on L with
    peak :math:`T_1 - w_2`, slope :math:`-1` on M, concave on H with peak :math:`T_1`.

    * :math:`v_1 \le v_2`: the peak on L lies left of M, and f falls on H
      (:math:`f' \le v_1/v_2 - 1 \le 0`): f is unimodal, :math:`g_1 = \operatorname{clamp}(T_1 - w_2, 0, w_1)`.
    * :math:`v_1 > v_2`: f rises on L, falls on M, rises on H up to :math:`T_1`.
      :math:`T_2 \le 0`: only H: :math:`g_1 = \operatorname{clamp}(T_1, 0, w_1)`.
      :math:`0 < T_2` and :math:`w_1 \le T_2`: H is out of reach,
      :math:`g_1 = \operatorname{clamp}(T_2 - w_2, 0, w_1)` (free-riding on 2).
      :math:`0 < T_2 < w_1`: compare :math:`g_L = \max(T_2 - w_2, 0)` (total :math:`T_2`, value
      :math:`-g_L + v_1\log v_2`) with :math:`g_H = \min(T_1, w_1)` (value
      :math:`-g_H + v_1\log(1 + g_H)`): :math:`g_1 = g_H` iff
      :math:`v_1\log((1 + g_H)/v_2) \ge g_H - g_L` (ties: the larger, "max").
    """
    v1, v2, w1, w2 = p["v1"], p["v2"], p["w1"], p["w2"]
    T1, T2 = v1 - 1, v2 - 1
    if v1 <= v2:
        g1, region = clamp(T1 - w2, 0.0, w1), "1 tops up"
    elif T2 <= 0:
        g1, region = clamp(T1, 0.0, w1), "1 alone"
    elif w1 <= T2:
        g1, region = clamp(T2 - w2, 0.0, w1), "1 free-rides"
    else:
        gL, gH = max(T2 - w2, 0.0), min(T1, w1)
        high = v1 * math.log((1 + gH) / v2) >= gH - gL
        g1, region = (gH, "1 pre-empts") if high else (gL, "1 free-rides")
    g2 = clamp(T2 - g1, 0.0, w2)
    G = math.log(1 + g1 + g2)
    return _out(region, {"g1": g1, "g2": g2}, {"P1": w1 - g1 + v1 * G, "P2": w2 - g2 + v2 * G})


def double_marginalisation(p):
    r"""Manufacturer's wholesale price :math:`w \ge 0`, then the retailer's quantity :math:`q \ge 0`.

    Stage 2: :math:`(a - bq - w)q` is concave, :math:`q = \max(a - w, 0)/(2b)`.
    Stage 1: :math:`(w - c)(a - w)/(2b)` for :math:`w < a` (concave, peak :math:`(a + c)/2 \in (c, a)`,
    positive) and 0 on the unbounded piece :math:`w \ge a`.  One region:
    :math:`w = (a + c)/2`, :math:`q = (a - c)/(4b)`, :math:`U_M = (a - c)^2/(8b)`,
    :math:`U_R = (a - c)^2/(16b)`.
    """
    a, b, c = p["a"], p["b"], p["c"]
    return _out("interior", {"w": (a + c) / 2, "q": (a - c) / (4 * b)},
                {"M": (a - c) ** 2 / (8 * b), "R": (a - c) ** 2 / (16 * b)})


def openness_tiers(p, n=None):
    r"""The openness game with tiered penalties :math:`pen(\omega) = \sum_k p_k [\omega < \theta_k]`.

    (Piecewise((p1 + ... + pn, omega < theta1), ..., (pn, omega < thetan), (0, True)) with
    :math:`\theta_1 < \dots < \theta_n` is this sum.)  Stage 2: D's payoff is concave in
    :math:`\alpha_1` with peak :math:`\alpha_1 = \alpha_0 + \mu/c > \alpha_0`,
    :math:`\mu = 1 - \delta(1 - \omega) > 0`; :math:`U_D = \mu\alpha_0 + \mu^2/(2c)`.

    Stage 1: G maximises :math:`h(\omega) - pen(\omega)` with
    :math:`h(\omega) = \delta\alpha_0 + \delta(1 - \delta)/c + (\varepsilon - \delta\alpha_0
    - \delta(1 - 2\delta)/c)\omega - (\gamma/2 + \delta^2/c)\omega^2`, strictly concave, peak
    :math:`\hat\omega = \operatorname{clamp}((c(\varepsilon - \delta\alpha_0) - \delta(1 - 2\delta))
    /(c\gamma + 2\delta^2), 0, 1)`.  On each tier's interval :math:`[\theta_k, \theta_{k+1})`
    the best point is :math:`\hat\omega` if it lies there, :math:`\theta_k` if the interval
    lies above :math:`\hat\omega`; an interval below :math:`\hat\omega` has its supremum at
    :math:`\theta_{k+1}`, which the next interval attains with a lower penalty.  So the
    candidates are :math:`\hat\omega` (defy, or already open if :math:`\hat\omega \ge \theta_n`)
    and each :math:`\theta_k > \hat\omega` (comply with tier k); G takes the largest
    :math:`h - pen`, the larger :math:`\omega` on ties ("max").  Complying with tier k beats
    staying at :math:`\hat\omega` iff :math:`h(\hat\omega) - h(\theta_k) \le pen(\hat\omega) - pen(\theta_k)`.
    """
    n = n or sum(1 for k in p if k.startswith("theta"))
    al0, de, c, ep, gm = p["alpha0"], p["delta"], p["c"], p["epsilon"], p["gamma"]
    th = [p[f"theta{k}"] for k in range(1, n + 1)]
    pk = [p[f"p{k}"] for k in range(1, n + 1)]
    lin = ep - de * al0 - de * (1 - 2 * de) / c
    quad = gm / 2 + de ** 2 / c

    def pen(w):
        return sum(pj for tj, pj in zip(th, pk) if w < tj)

    def value(w):
        return de * al0 + de * (1 - de) / c + lin * w - quad * w ** 2 - pen(w)

    w_hat = clamp(lin / (2 * quad), 0.0, 1.0)
    region = "already open" if w_hat >= th[-1] else "defy"
    best, best_v = w_hat, value(w_hat)
    for k, tk in enumerate(th, 1):
        if tk > w_hat and value(tk) >= best_v:  # ascending thetas: ">=" gives ties to the larger
            best, best_v, region = tk, value(tk), f"comply with tier {k}"
    mu = 1 - de * (1 - best)
    alpha1 = al0 + mu / c
    uG = de * (1 - best) * alpha1 + ep * best - gm / 2 * best ** 2 - pen(best)
    uD = mu * alpha1 - c / 2 * (alpha1 - al0) ** 2
    return _out(region, {"omega": best, "alpha1": alpha1}, {"G": uG, "D": uD})


REFERENCES = {
    "hotelling": hotelling,
    "rd-cournot": rd_cournot,
    "entry-deterrence": entry_deterrence,
    "two-product-leader": two_product_leader,
    "tullock": tullock,
    "public-good": public_good,
    "double-marginalisation": double_marginalisation,
    "openness-tiers2": openness_tiers,
    "openness-tiers3": openness_tiers,
}
