"""A policy's effect and Pareto status per engine region, from proved signs.

In region ``R`` (in unregulated regime ``u``), with every tier penalty ``> 0``, the
differences against the unregulated region ``u`` are signed by the prover under
``R``'s bounds:

    d x (oriented: sign * (x - x_hat), so that + is towards compliance),
    d y for every other choice y,   d U_i (the regulated mover),   d U_q (every other player);

the effect is ``utility_shift`` where ``d x > 0`` (the regulation moves the choice),
``deadweight_loss`` where every choice and every other player's payoff are unchanged
and ``d U_i < 0`` (the penalty is paid and nothing else happens), ``no_effect`` where
nothing changes, and undecided (None) otherwise.  Against the uniform-penalty region
with the same bounds, the policy is a *Pareto improvement* where every player's gain
is ``>= 0`` and one is ``> 0`` (None: undecided).  Where a flag is undecided, the
per-point fields fall back to the numeric comparison at the point.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from openeq.analyses.statics import prove_sign, prover_for
from openeq.core.conditions import Bound

__all__ = ["sign_under", "same_bounds", "effect", "pareto", "classify", "pareto_flag", "effect_numeric", "pareto_numeric",
           "penalty_facts"]


def same_bounds(region, regions):
    """The index of the region of ``regions`` with the same bounds as ``region`` (or None)."""
    def key(r):
        return sorted((b.op, str(sp.cancel(b.subject - b.bound))) for b in r.bounds)

    hits = [i for i, r in enumerate(regions) if key(r) == key(region)]
    return hits[0] if len(hits) == 1 else None


def penalty_facts(an):
    """Every tier penalty positive (the analysis's case ``p > 0``)."""
    return [Bound(t.penalty, ">", 0) for t in an.tiers]


_FACT_SIGN = {">": "+", ">=": "+0", "<": "-", "<=": "-0", "==": "0"}
_TIMES = {("+", "+"): "+", ("+", "-"): "-", ("+0", "+"): "+0", ("+0", "-"): "-0", ("-", "+"): "-",
          ("-", "-"): "+", ("-0", "+"): "-0", ("-0", "-"): "+0", ("0", "+"): "0", ("0", "-"): "0"}


def on_equalities(game, facts):
    """[(substitution, other facts)]: each equality fact ``E == B`` solved for a parameter it
    is linear in (a proof over the substituted expression covers every point of the
    equality, so it is a proof there: sound)."""
    params = {p.symbol for p in game.parameters.values()}
    out = []
    for f in facts:
        if f.op != "==":
            continue
        num = sp.fraction(sp.cancel(f.subject - f.bound))[0]
        for x in sorted(num.free_symbols & params, key=lambda y: y.name):
            if not num.is_polynomial(x) or sp.degree(num, x) != 1:
                continue
            a = num.coeff(x)
            if x in a.free_symbols:
                continue
            sub = {x: sp.cancel(-(num - a * x) / a)}
            out.append((sub, [ff.subs(sub) for ff in facts if ff is not f]))
    return out


def sign_under(game, facts, e):
    """The sign of ``e`` where ``facts`` hold: the prover's if strict (or zero), else read off
    a fact ``F op 0`` of which ``e`` is a multiple ``lambda * F`` with ``lambda`` of proved
    sign (the prover substitutes a fact only for a symbol with a positive coefficient,
    which ``e_I > s`` with ``e_I = 1 - h*m/k`` lacks), else proved on an equality fact
    (``on_equalities``), else proved under no fact or one fact alone; else the prover's
    weak sign or None."""
    s = prove_sign(prover_for(game, facts), e)
    if s in ("+", "-", "0"):
        return s
    weak = s
    for f in facts:
        d = f.subject - f.bound
        try:
            ratio = sp.cancel(sp.sympify(e) / d)
        except (sp.PolynomialError, TypeError, ZeroDivisionError):
            continue
        if ratio == 0 or ratio.has(sp.zoo, sp.nan):
            continue
        k = ("+" if ratio > 0 else "-") if ratio.is_number else prove_sign(prover_for(game), ratio)
        if k in ("+", "-") and f.op in _FACT_SIGN:
            return _TIMES[_FACT_SIGN[f.op], k]
    for sub, rest in on_equalities(game, facts):
        d = sp.cancel(sp.sympify(e).xreplace(sub))
        s = _number(d) if d.is_number else prove_sign(prover_for(game, rest), d)
        if s in ("+", "-", "0"):
            return s
    for fs in [[]] + [[f] for f in facts if f.op != "=="]:  # fewer facts: a sign on a superset holds here
        s = prove_sign(prover_for(game, fs), e)  # (the prover's substitutions of many facts can hide one)
        if s in ("+", "-", "0"):
            return s
    return weak


def _number(d):
    return "+" if d > 0 else "-" if d < 0 else "0"


def _signs(an, r, exprs):
    facts = list(r.bounds) + penalty_facts(an)
    return [sign_under(an.game, facts, e) for e in exprs]


def classify(d_choice, d_others, d_mover, d_players):
    """Effect from the signs of the oriented choice change, the other choices' changes, the
    regulated mover's payoff change and the other players' payoff changes."""
    if d_choice == "+":
        return "utility_shift"
    if d_choice == "0" and all(s == "0" for s in d_others) and all(s == "0" for s in d_players):
        return "no_effect" if d_mover == "0" else "deadweight_loss" if d_mover == "-" else None
    return None


def effect(an, k, r):
    """The effect in region ``r`` (index ``k``) with every penalty > 0 (None where not proved)."""
    u = an.region_regime[k]
    if u is None:
        return None
    base = an.regimes[u].region
    x = an.choice
    exprs = [an.spec.sign * (r.strategies[x] - base.strategies[x])]
    exprs += [r.strategies[v] - base.strategies[v] for v in r.strategies if v != x]
    exprs += [r.payoffs[q] - base.payoffs[q] for q in [an.player] + an.others]
    s = _signs(an, r, exprs)
    n = len(r.strategies)
    return classify(s[0], s[1:n], s[n], s[n + 1:])


def pareto_flag(signs):
    """Pareto improvement from the signs of the players' gains (None: undecided)."""
    if any(s is None for s in signs):
        return None
    if "-" in signs:
        return False
    if all(s in ("+", "+0", "0") for s in signs):
        return True if "+" in signs else False if all(s == "0" for s in signs) else None
    return None


def pareto(an, k, r):
    """Whether region ``r`` is a Pareto improvement on the uniform penalty (None: undecided)."""
    u = an.region_regime[k]
    if u is None or an.uniform_of[u] is None:
        return None
    target = an.uniform.regions[an.uniform_of[u]]
    return pareto_flag(_signs(an, r, [r.payoffs[q] - target.payoffs[q] for q in an.players]))


def effect_numeric(sign, w, what, paid, tol=1e-9):
    """The effect at points: the choice moved towards compliance, else the penalty paid, else none."""
    return np.where(sign * (w - what) > tol, "utility_shift", np.where(paid > tol, "deadweight_loss", "no_effect"))


def pareto_numeric(gains, tol=1e-9):
    """Pareto improvement at points from the players' gains (a list of arrays)."""
    ok = np.ones(len(gains[0]), dtype=bool)
    some = np.zeros(len(gains[0]), dtype=bool)
    for g in gains:
        ok &= g >= -tol
        some |= g > tol
    return ok & some
