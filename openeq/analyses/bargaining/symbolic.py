"""Bargaining in closed form: no point given, a single-region equilibrium.

The closed-form roots of the defining equation (``solutions.closed_roots``) are matched
against the numeric solution at sampled parameter points (``openeq.analyses.points``);
the root that matches at every sample is the closed form (its SOC and the ends are
checked at those samples).  KS ideals that change form across parameters give a
Piecewise, each branch condition derived (``u > 0`` for a critical point in
``u = x/(1 - x)``) and checked the same way."""
from __future__ import annotations

import itertools

import sympy as sp

from openeq.analyses.bargaining.numeric import SOLUTIONS, Bargain, _disagreement, _solve_numeric, problem_at
from openeq.analyses.bargaining.solutions import (DIGITS, BargainError, _tidy, closed_roots, maximise,
                                                  mpf_of)
from openeq.core.conditions import Bound, conjunction, isolate, negate, to_sympy
from openeq.prove.prover import Prover

__all__ = []


# ----------------------------------------------------------------------- symbolic
def _samples(eq, x, subs, n, seed):
    from openeq.analyses.points import points

    game, out = eq.game, []
    for pt in points(game, 4 * n, seed=seed, decades=2):  # the bulk of the domain: 0.1 to 10
        p = {game.parameters[k].symbol: sp.Rational(f"{v:.3g}") for k, v in pt.items() if k != str(x)}
        p.update(subs)
        if all(bool(r.xreplace(p).xreplace({x: sp.Rational(1, 2)})) for r in game.relations):
            out.append(p)
        if len(out) == n:
            break
    return out


def _at(expr, sample):
    try:
        return mpf_of(sp.sympify(expr).xreplace(sample))
    except (BargainError, TypeError, ValueError, ZeroDivisionError):
        return None


def _match(cands, samples, truth, key=lambda c: c.x):
    """Per sample, the index of the first candidate equal to the numeric truth (or None)."""
    picks = []
    for s in samples:
        t = key(truth(s))
        hits = [k for k, c in enumerate(cands) if (v := _at(c, s)) is not None and abs(v - t) <= 1e-20 * (1 + abs(t))]
        picks.append(hits[0] if hits else None)
    return picks


def _sample_str(s):
    return ", ".join(f"{k}={v}" for k, v in sorted(s.items(), key=lambda kv: str(kv[0])))


def _truth(eq, x, solution):
    cache = {}

    def run(s, what=solution):
        key = (what, tuple(sorted((str(k), v) for k, v in s.items())))
        if key not in cache:
            try:
                cache[key] = _solve_numeric(problem_at(eq, x, s), what) if what in SOLUTIONS else \
                    maximise(problem_at(eq, x, s), lambda g: g[what], f"the gain of {what}")
            except BargainError as e:
                raise BargainError(f"at {_sample_str(s)}: {e}") from None
        return cache[key]
    return run


def _unique(picks, cands, what):
    if picks and None not in picks and len(set(picks)) == 1:
        return cands[picks[0]]
    raise BargainError(f"no closed form for the {what} matched the numeric solution at every sampled point; "
                       "give name=value for the other parameters to get a certified numeric value")


def _branch(prover, u_expr):
    """Bounds for ``u > 0`` (a critical point inside the interval), simplified by the prover."""
    num, den = sp.fraction(sp.factor(u_expr))
    sn, sd = prover.sign(num), prover.sign(den)
    e = den if sn == "+" else -den if sn == "-" else num if sd == "+" else -num if sd == "-" else num * den
    return conjunction([isolate(Bound(e, ">", 0), prover)], prover)


def _symbolic(eq, x, solution, subs, n, seed):
    game = eq.game
    reg = eq.regions[0]
    players = [p for p in game.players if p in reg.payoffs]
    gains = {p: sp.cancel((reg.payoffs[p] - _disagreement(game, p)).xreplace(subs)) for p in players}
    samples = _samples(eq, x, subs, n, seed)
    truth = _truth(eq, x, solution)
    steps = [f"equilibrium payoffs from the engine: one region ({reg.label!r}, condition {reg.condition}); "
             + ", ".join(f"U_{p} = {sp.sstr(reg.payoffs[p])}" for p in players),
             "disagreement point " + ", ".join(f"d_{p} = {_disagreement(game, p)}" for p in players)]
    conditions = [] if reg.condition == sp.true else [str(reg.condition)]
    ideals = {}
    if solution == "nash":
        f = sp.Mul(*gains.values())
        steps.append(f"Nash product N = {sp.sstr(sp.factor(f))}; FOC: dN/d{x} = 0")
        value = _closed(f.diff(x), x, samples, truth, steps, "Nash solution")
        soc = [_at(sp.diff(f, x, 2).xreplace({x: value}), s) for s in samples]
        if any(v is None or v >= 0 for v in soc):
            raise BargainError("the FOC root fails the SOC at a sampled point")
        steps.append(f"SOC N'' < 0 and N above its limits at {x} -> 0 and {x} -> 1 at all {len(samples)} sampled points")
    elif solution == "egalitarian":
        p1, p2 = _two_players(players)
        steps.append(f"equal gains: g_{p1} - g_{p2} = {sp.sstr(sp.factor(gains[p1] - gains[p2]))} = 0")
        value = _closed(gains[p1] - gains[p2], x, samples, truth, steps, "egalitarian solution")
    else:
        value, ideals, conditions = _ks_symbolic(game, x, gains, players, samples, truth, steps, conditions)
    payoffs = {p: _tidy(sp.piecewise_fold(reg.payoffs[p].xreplace(subs).xreplace({x: value}))) for p in players}
    numeric = mpf_of(value) if not value.free_symbols else None
    method = (f"closed form (sympy) of the defining equation, selected by agreement to 20 digits with the "
              f"30-digit numeric solution at {len(samples)} sampled parameter points (seed {seed})")
    return Bargain(game.name, str(x), solution, value, numeric, payoffs, steps, conditions,
                   {str(k): v for k, v in subs.items()}, {"digits": DIGITS, "method": method, "samples": len(samples)},
                   reg.label, ideals)


def _two_players(players):
    if len(players) != 2:
        raise BargainError(f"this solution is defined for two players; the game has {len(players)}")
    return players


def _closed(expr, x, samples, truth, steps, what):
    cands, _, notes = closed_roots(expr, x, sp.S.Zero, sp.S.One)
    steps += notes
    if cands is None:
        raise BargainError(f"no closed form for the {what} ({notes[-1]}); give name=value for the "
                           "other parameters to get a certified numeric value")
    xs = [c for c, _ in cands]
    picks = _match(xs, samples, lambda s: truth(s)[0])
    if None in picks or len(set(picks)) > 1:  # the trigonometric form failed somewhere: try Cardano's
        _, more, _ = closed_roots(expr, x, sp.S.Zero, sp.S.One, cardano=True)
        xs += [c for c, _ in more]
        picks = _match(xs, samples, lambda s: truth(s)[0])
    k = _unique(picks, xs, what)
    steps.append(f"{what}: {x} = {sp.sstr(k)} (the root that matches the numeric solution at all {len(samples)} samples)")
    return k


def _ks_symbolic(game, x, gains, players, samples, truth, steps, conditions):
    p1, p2 = _two_players(players)
    domains = {p.symbol: p.domain for p in game.parameters.values()}
    prover = Prover(domains, game.relations)
    branches = {}
    for p in (p1, p2):
        cands, _, notes = closed_roots(gains[p].diff(x), x, sp.S.Zero, sp.S.One)
        if cands is None:
            raise BargainError(f"no closed form for the ideal point of {p}; give name=value for the other parameters")
        opts = [(sp.cancel(gains[p].xreplace({x: c})), u) for c, u in cands]
        opts += [(sp.limit(gains[p], x, end, side), None) for end, side in ((0, "+"), (1, "-"))]
        picks = _match([v for v, _ in opts], samples, lambda s: truth(s, p), key=lambda c: c.value)
        if None in picks:
            raise BargainError(f"the ideal point of {p} has no closed form matching the numeric one at every sample")
        used = sorted(set(picks), key=lambda k: opts[k][1] is None)  # interior points first
        if sum(opts[k][1] is None for k in used) > 1:
            raise BargainError(f"the ideal point of {p} sits at both ends for different parameters: give name=value")
        brs, rest = [], []
        for k in used:
            if opts[k][1] is None:
                brs.append((opts[k][0], rest))
            else:
                b = _branch(prover, opts[k][1])
                brs.append((opts[k][0], (b or []) + rest))
                rest = rest + negate(b[0]) if b and len(b) == 1 else rest
        for s, k in zip(samples, picks):  # the derived conditions must pick the matched branch
            first = next(i for i, (_, bs) in enumerate(brs) if all(bd.holds(s) for bd in bs))
            if abs(_at(brs[first][0], s) - _at(opts[k][0], s)) > 1e-20 * (1 + abs(_at(opts[k][0], s))):
                raise BargainError(f"the ideal point of {p} changes form across parameters in a way not derived here; give name=value")
        branches[p] = brs
        steps.append(f"ideal point of {p}: " + "; ".join(
            f"I_{p} = {sp.sstr(v)}" + (f" if {to_sympy(bs)}" if bs else "") for v, bs in brs))
    pieces, ideals = [], {}
    for (v1, b1), (v2, b2) in itertools.product(branches[p1], branches[p2]):
        bounds = conjunction(b1 + b2, prover)
        if bounds is None:
            continue
        inside = [s for s in samples if all(bd.holds(s) for bd in bounds)]
        on = {bd.subject: bd.bound for bd in bounds if bd.op == "==" and isinstance(bd.subject, sp.Symbol)}
        if not inside and on:  # a case on a surface (c0 = c1): sample on it
            inside = [t for s in samples if all(bd.holds(t := {**s, **{k: v.xreplace(s) for k, v in on.items()}})
                                                 for bd in bounds)]
        if not inside:
            continue
        h = (gains[p1] * v2 - gains[p2] * v1).xreplace(on)
        k = _closed(h, x, inside, lambda s: truth(s), steps, f"KS solution{' if ' + str(to_sympy(bounds)) if bounds else ''}")
        pieces.append((k, to_sympy(bounds)))
    ideals = {p: sp.Piecewise(*[(v, to_sympy(bs)) for v, bs in branches[p]]) if len(branches[p]) > 1
              else branches[p][0][0] for p in (p1, p2)}
    if len(pieces) == 1 and pieces[0][1] == sp.true:
        return pieces[0][0], ideals, conditions
    conditions = conditions + [str(c) for _, c in pieces]
    return sp.Piecewise(*pieces), ideals, conditions
