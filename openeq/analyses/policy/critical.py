"""Compliance costs and critical values of one tier in one regime, with validity conditions.

For tier ``k`` in a regime whose unregulated choice ``x_hat`` lies in cell ``j`` (``k > j``),
with ``C`` the engine's region complying with the tier (``x = b_k``), ``F`` the defying
one (``x = x_hat``) and ``P_j``, ``P_k`` the penalties paid in them:

* compliance cost ``Delta = U_i(F) + P_j - U_i(C) - P_k``, checked against
  ``U_i(F) + P_j = U_i^unregulated`` and against the engine's comparison bound in ``C``
  (``S >= Delta`` with the saving ``S = P_j - P_k``; when ``S`` is one parameter, the
  engine's form of ``Delta`` is the one kept);
* critical threshold: the roots of ``Delta = S`` in the threshold's parameter whose
  threshold level lies on the non-compliant side of ``x_hat`` (``sign * (b_k - x_hat) > 0``),
  decided by proof under the regime's bounds and ``S > 0`` (else certified at sampled
  points, and the pair is marked not proved);
* critical value of any parameter ``q``: the roots of ``Delta = S`` in ``q`` that do not
  violate ``C``'s other bounds; the bounds left undecided are the root's validity
  condition (rewritten in ``S`` where ``S`` is a parameter and the bound is monotone in it).
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses import statics
from openeq.analyses.policy import tables
from openeq.analyses.regimes import _in_p, _satisfies, _violates, identically_zero
from openeq.analyses.statics import prove_sign, prover_for
from openeq.core.conditions import Bound, isolate
from openeq.core.equilibrium import Step
from openeq.core.relations import FLIP, holds
from openeq.core.simplify import nice, tidy

__all__ = ["pair", "roots", "implied", "cell_of", "select"]


def implied(game, b, facts) -> bool:
    """Whether ``facts`` imply bound ``b``: the same relation, or proved from all facts or from one."""
    canon = lambda x: (x.op, sp.cancel(x.subject - x.bound))  # noqa: E731
    flip = lambda x: (FLIP[x.op], sp.cancel(x.bound - x.subject))  # noqa: E731  (the same relation)
    if any(canon(f) in (canon(b), flip(b)) for f in facts):
        return True
    for sub, rest in tables.on_equalities(game, facts):  # an equality fact: decide b on it
        d = sp.cancel((b.subject - b.bound).xreplace(sub))
        if d.is_number:
            return bool(holds(d, b.op))
        if prover_for(game, rest).truth(d, b.op, 0) is True:
            return True
    for f in facts:  # transitivity: S < t and t <= 1 give S < 1
        if sp.cancel(f.subject - b.subject) != 0 or (f.op[0] in "<") != (b.op[0] in "<") or f.op == "==":
            continue
        strict = b.op in ("<", ">") and f.op not in ("<", ">")
        op = ("<" if strict else "<=") if b.op[0] == "<" else (">" if strict else ">=")
        if prover_for(game, facts).truth(f.bound, op, b.bound) is True:
            return True
    for fs in [facts] + [[f] for f in facts]:
        if prover_for(game, fs).truth(b.subject, b.op, b.bound) is True:
            return True
    return False


def cell_of(an, x_hat, region):
    """x_hat's cell (the number of tiers it complies with) under ``region``'s bounds, or None."""
    s, cell = an.spec.sign, 0
    eqs = {b.subject: b.bound for b in region.bounds if b.op == "==" and isinstance(b.subject, sp.Symbol)}
    for t in an.tiers:
        gap = (s * (x_hat - t.threshold)).xreplace(eqs)
        if gap.is_number:
            complies = gap >= 0 if t.closed else gap > 0
            cell += bool(complies)
            if not complies:
                break
            continue
        yes = Bound(gap, ">=" if t.closed else ">", 0)
        no = Bound(gap, "<" if t.closed else "<=", 0)
        if implied(an.game, yes, region.bounds):
            cell += 1
        elif implied(an.game, no, region.bounds):
            break
        else:
            return None
    return cell


def select(game, roots, gap, facts):
    """Roots whose ``gap`` is not proved <= 0 under ``facts``; proved iff every decision was."""
    keep, proved = [], True
    prover = prover_for(game, facts)
    for x in roots:
        s = prove_sign(prover, gap(x))
        if s is None:
            cols = statics.sample(game, facts, n=300)
            s = statics.numeric_sign(statics._fn(gap(x), cols))
            proved = False
        if s in ("+", "+0"):
            keep.append(x)
    return keep, proved


def _regions(an, rg, cell):
    return [r for k, r in enumerate(an.eq.regions) if an.region_regime[k] == rg.index and an.region_cell[k] == cell]


def _indifference(an, c, saving, delta):
    """The index of ``c``'s bound equivalent to ``saving >= delta`` (a positive multiple), or None."""
    target = saving - delta
    for i, b in enumerate(c.bounds):
        if b.op not in (">=", "<=", ">", "<"):
            continue
        try:
            ratio = sp.cancel((b.subject - b.bound) / target)
        except (sp.PolynomialError, TypeError):
            continue
        if ratio.free_symbols & set(an.game.variables):
            continue
        if ratio.is_number:
            s = "+" if ratio > 0 else "-" if ratio < 0 else None
        else:
            s = prove_sign(prover_for(an.game, c.bounds), ratio)
        if (s == "+" and b.op[0] == ">") or (s == "-" and b.op[0] == "<"):
            return i
    return None


def pair(an, rg, tier, cell):
    """The ``Pair`` of ``tier`` in regime ``rg`` with x_hat in ``cell``, or None if either side is missing."""
    from openeq.analyses.policy.analysis import Pair

    game, pl, x = an.game, an.player, an.choice
    here = _regions(an, rg, cell)
    comply = [r for r in here if an.role(r) == "bunch" and an.tier_of(r) == tier.index]
    defy = [r for r in here if an.role(r) == "jump" and identically_zero(r.strategies[x] - rg.choice_hat)]
    if not comply or not defy:
        return None
    c, d = comply[0], defy[0]
    p_cell = an.spec.cells[cell][0]
    p_at = tier.paid_above if tier.closed else tier.paid_below
    saving = nice(p_cell - p_at)
    pr = Pair(tier.index, cell, c, d, saving)
    from_payoffs = d.payoffs[pl] + p_cell - c.payoffs[pl] - p_at
    b = None
    if isinstance(saving, sp.Symbol):
        pb = [bb for bb in c.bounds if saving in bb.free_symbols]
        b = isolate(pb[0], prover_for(game), prefer=(saving,)) if len(pb) == 1 else None
        if b is not None and (b.subject != saving or b.op != ">=" or saving in b.bound.free_symbols):
            b = None
    if b is not None:
        pr.delta = b.bound
        found = True
    else:
        pr.delta = nice(from_payoffs)
        i = _indifference(an, c, saving, pr.delta)
        found = i is not None
        b = c.bounds[i] if found else Bound(saving, ">=", pr.delta)
    ok = found and identically_zero(pr.delta - from_payoffs) and identically_zero(
        d.payoffs[pl] + p_cell - rg.region.payoffs[pl])
    pr.proved &= ok
    thr = tier.threshold
    pr.steps.append(Step("compare", pl, f"comply iff {b}: Delta({thr}) read from the engine's comparison "
                         f"equals U_{pl}({x}_hat) - U_{pl}({thr}) from the region payoffs "
                         f"({'checked' if ok else 'MISMATCH'})", pr.delta, ok))
    _threshold_star(an, rg, pr, tier)
    return pr


def _threshold_star(an, rg, pr, tier):
    """The critical threshold: the root of Delta = S on the non-compliant side of x_hat."""
    q = an.threshold_parameter(tier.index)
    if q is None:
        pr.steps.append(Step("note", "", f"no critical threshold: {tier.threshold} has no single parameter to solve for"))
        return
    facts = list(rg.region.bounds) + [Bound(pr.saving, ">", 0)]
    level = lambda r: tier.threshold.xreplace({q: r})  # noqa: E731
    found = sp.solve(sp.Eq(pr.delta, pr.saving), q)
    keep, proved = select(an.game, found, lambda r: an.spec.sign * (level(r) - rg.choice_hat), facts)
    pr.proved &= proved
    if len(keep) == 1:
        pr.threshold_root = keep[0]
        lv = level(keep[0])
        alt = rg.choice_hat + tidy(lv - rg.choice_hat)
        pr.threshold_star = alt if sp.count_ops(alt) < sp.count_ops(lv) and identically_zero(alt - lv) else lv
        side = "above" if an.spec.sign > 0 else "below"
        pr.steps.append(Step("solution", "", f"{q}*: root of Delta({q}) = {pr.saving} {side} {an.choice}_hat "
                             f"({'proved' if proved else 'certified numerically'})", pr.threshold_star, proved))


def roots(an, rg, pr, name):
    """([(root, validity condition)], step): the roots of Delta = S in parameter ``name``
    that do not violate the comply region's other bounds."""
    game, c, S = an.game, pr.comply, pr.saving
    q = game.parameters[name].symbol
    ind = _indifference(an, c, S, pr.delta)
    if ind is None:
        ind = next((i for i, bb in enumerate(c.bounds) if S in bb.free_symbols), None)
    rest_all = [bb for i, bb in enumerate(c.bounds) if i != ind]
    others = [bb for bb in rest_all if q in bb.free_symbols]
    rest = [bb for bb in rest_all if q not in bb.free_symbols]
    prover = prover_for(game, [Bound(S, ">", 0)] + rest)
    out = []
    for root in sp.solve(sp.Eq(pr.delta, S), q):
        conds = [Bound(tidy((bb.subject - bb.bound).xreplace({q: root})), bb.op, 0) for bb in others]
        truth = [prove_sign(prover, bb.subject) for bb in conds]
        if any(_violates(bb.op, s) for bb, s in zip(conds, truth)):
            continue
        left = [bb for bb, s in zip(conds, truth) if not _satisfies(bb.op, s)]
        open_ = [_in_p(bb, S, prover) for bb in left] if isinstance(S, sp.Symbol) and S != q else left
        out.append((root, sp.And(*[bb.sympy() for bb in open_ + rest])))
    step = Step("solution", "", f"{name}*: roots of Delta = {S} in {name} satisfying the pair's bounds",
                [r for r, _ in out])
    return out, step
