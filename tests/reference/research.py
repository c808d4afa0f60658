"""Reference solutions of the two games of the research line (issue 14), independent of openeq.

* ``safety_floors(params)`` -- the two-attribute game of "The Backfiring Effect of Weak
  AI Safety Regulation" (arXiv 2503.20848); derivation in ``research_safety.py``.
* ``fine_tuning_n(params)`` -- the generalist and n specialists of "Fine-Tuning Games"
  (arXiv 2308.04399); ``fine_tuning_symmetric(params)`` its closed form in symbolic n.

Both are derived from the models as ``/work/shared/papers/RELATED.md`` and issue 14 state
them, and are cross-checked against the grid brute force of ``research_brute.py``
(``research_crosscheck.py``).  Parameters are dicts of floats; results are dicts.

The fine-tuning game with n specialists
---------------------------------------
G chooses ``alpha0 >= 0`` at cost ``(c0/2) alpha0^2``.  Then the specialists ``i = 1..n``
simultaneously either abstain (payoff 0, and no revenue from domain i) or choose
``alpha_i >= alpha0``; revenue ``alpha_i`` in domain i is split ``delta_i : 1 - delta_i``::

    U_i = (1 - delta_i) alpha_i - kappa_i (alpha_i - alpha0) - (c_i/2)(alpha_i - alpha0)^2 - F_i
    U_G = sum over participating i of delta_i alpha_i  -  (c0/2) alpha0^2

The model of the issue is ``kappa_i = F_i = 0`` (the defaults).  ``kappa_i >= 0`` (a
marginal cost of the first unit of adaptation) and ``F_i >= 0`` (a fixed cost of
entering) are our extension: without them the regimes degenerate (below).  G's cost is
sunk when specialists abstain.  Ties: an indifferent specialist plays; an indifferent G
takes the larger alpha0.

*Specialist i.*  ``U_i`` depends on nobody else's choice, so the simultaneous stage's
equilibrium is the profile of individual best responses.  With ``t = alpha_i - alpha0 >= 0``
the FOC ``1 - delta_i - kappa_i - c_i t = 0`` gives ``t_i = max(0, (1 - delta_i - kappa_i)/c_i)``
and the value ``(1 - delta_i) alpha0 + c_i t_i^2/2 - F_i``.  So i plays iff
``alpha0 >= tau_i = (F_i - c_i t_i^2/2)/(1 - delta_i)`` (for ``delta_i = 1``: iff ``F_i = 0``), and
is a *contributor* (``alpha_i > alpha0``) iff ``1 - delta_i > kappa_i``, else a *free-rider*
(``alpha_i = alpha0``); otherwise an *abstainer*.

*G.*  ``U_G(alpha0) = sum_{i: alpha0 >= tau_i} delta_i (alpha0 + t_i) - (c0/2) alpha0^2`` is concave
between consecutive thresholds ``tau_(j)`` and jumps up at each (``delta_i >= 0``).  On the
interval where the set S plays, the stationary point is ``sum_S delta_i / c0``.  G's
candidates are each interval's left end (``0`` and the ``tau_i > 0``: G raises alpha0
just enough to bring specialist i in -- the specialists' participation boundary) and
each interval's stationary point when it lies inside.

*The issue's model* (``kappa = F = 0``): every ``tau_i <= 0``, so all play;
``alpha0 = sum_i delta_i / c0``, ``alpha_i = alpha0 + (1 - delta_i)/c_i``,
``U_G = (sum delta_i)^2/(2 c0) + sum delta_i (1 - delta_i)/c_i``,
``U_i = (1 - delta_i) alpha0 + (1 - delta_i)^2/(2 c_i)``: every specialist contributes when
``delta_i < 1``, free-rides at ``delta_i = 1`` and never strictly prefers to abstain.  For
``n = 1`` this is the SPE of ``openeq/models/fine-tuning.toml`` (``alpha0 = delta/c0``,
``alpha1 = delta/c0 + (1 - delta)/c1``), whose ``[disagreement]`` is only the bargaining
threat point: that model has no abstain option, and D never uses it here.

*Symmetric game, symbolic n* (all specialists alike: ``delta, c, kappa, F``).  With
``t = max(0, (1 - delta - kappa)/c)``, ``tau = (F - c t^2/2)/(1 - delta)`` and
``n1 = c0 tau/delta``, ``n2 = c0 tau^2/(2 delta (tau + t))``:

* ``n >= n1`` (always when ``tau <= 0``): ``alpha0 = n delta/c0``, all play,
  ``U_G = n^2 delta^2/(2 c0) + n delta t``, ``U_i = (1 - delta) n delta/c0 + c t^2/2 - F``;
* ``n2 <= n < n1``: G on the participation boundary, ``alpha0 = tau``, ``U_i = 0``,
  ``U_G = n delta (tau + t) - c0 tau^2/2``;
* ``n < n2``: all abstain, ``alpha0 = 0``, ``U_G = U_i = 0``.
"""
from __future__ import annotations

from tests.reference.research_safety import safety_floors, unregulated  # noqa: F401

__all__ = ["safety_floors", "unregulated", "fine_tuning_n", "fine_tuning_symmetric", "specialists"]


def specialists(p: dict) -> list:
    """[(delta_i, c_i, kappa_i, F_i)] for i = 1..n; unsuffixed keys apply to every i."""
    n = int(p["n"])
    out = []
    for i in range(1, n + 1):
        def get(k, default=None):
            v = p.get(f"{k}_{i}", p.get(k, default))
            if v is None:
                raise KeyError(f"missing {k}_{i}")
            return float(v)
        out.append((get("delta"), get("c"), get("kappa", 0.0), get("F", 0.0)))
    return out


def _specialist(delta, c, kappa, F):
    """(t_i, tau_i): the increment when playing, and the least alpha0 at which i plays."""
    t = max(0.0, (1 - delta - kappa) / c)
    w = c * t * t / 2
    if delta < 1:
        return t, (F - w) / (1 - delta)
    return t, (-float("inf") if F - w <= 0 else float("inf"))


def fine_tuning_n(p: dict) -> dict:
    """The SPE for given n: alpha0, alpha_i (None = abstains), regimes, payoffs."""
    c0 = float(p["c0"])
    sp_ = specialists(p)
    ts = [_specialist(*s) for s in sp_]
    cuts = sorted({0.0, *(tau for _, tau in ts if 0 < tau < float("inf"))})
    best = None
    for j, lo in enumerate(cuts):
        hi = cuts[j + 1] if j + 1 < len(cuts) else float("inf")
        S = [i for i, (_, tau) in enumerate(ts) if tau <= lo]
        stat = sum(sp_[i][0] for i in S) / c0
        for a0 in (lo, stat) if lo < stat < hi else (lo,):
            UG = sum(sp_[i][0] * (a0 + ts[i][0]) for i in S) - c0 * a0 * a0 / 2
            if best is None or UG > best[0] + 1e-13 * (1 + abs(UG)) or (
                    abs(UG - best[0]) <= 1e-13 * (1 + abs(UG)) and a0 > best[1]):
                best = (UG, a0, S)
    UG, a0, S = best
    alpha, regimes, UD = [], [], []
    for i, ((delta, c, kappa, F), (t, _)) in enumerate(zip(sp_, ts)):
        if i in S:
            alpha.append(a0 + t)
            regimes.append("contributor" if t > 0 else "free-rider")
            UD.append((1 - delta) * a0 + c * t * t / 2 - F)
        else:
            alpha.append(None)
            regimes.append("abstainer")
            UD.append(0.0)
    on_boundary = a0 > 0 and any(abs(a0 - ts[i][1]) <= 1e-12 * (1 + a0) for i in S)
    return {"alpha0": a0, "alpha": alpha, "regimes": regimes, "U_G": UG, "U_D": UD,
            "G_regime": "boundary" if on_boundary else ("interior" if a0 > 0 else "corner")}


def fine_tuning_symmetric(p: dict) -> dict:
    """The symmetric game's closed form (module docstring), n any real >= 1."""
    n, c0, delta, c = (float(p[k]) for k in ("n", "c0", "delta", "c"))
    kappa, F = float(p.get("kappa", 0.0)), float(p.get("F", 0.0))
    t, tau = _specialist(delta, c, kappa, F)
    who = "contributor" if t > 0 else "free-rider"
    if tau == float("inf"):
        return {"alpha0": 0.0, "alpha": None, "regime": "abstainer", "G_regime": "corner", "U_G": 0.0, "U_D": 0.0}
    if tau <= n * delta / c0:
        a0 = n * delta / c0
        return {"alpha0": a0, "alpha": a0 + t, "regime": who, "G_regime": "interior" if a0 > 0 else "corner",
                "U_G": n * n * delta * delta / (2 * c0) + n * delta * t,
                "U_D": (1 - delta) * a0 + c * t * t / 2 - F}
    UG = n * delta * (tau + t) - c0 * tau * tau / 2
    if UG >= 0:
        return {"alpha0": tau, "alpha": tau + t, "regime": who, "G_regime": "boundary", "U_G": UG, "U_D": 0.0}
    return {"alpha0": 0.0, "alpha": None, "regime": "abstainer", "G_regime": "corner", "U_G": 0.0, "U_D": 0.0}
