"""Bargaining over a share ``x`` of a game (MODEL.md, R9): ``bargain(eq, "delta", "nash")``.

The share is a parameter with domain ``(0, 1)``.  For each ``x`` the engine's
equilibrium gives payoffs ``U_i(x)`` (region by region); the disagreement point ``d``
is the model's ``[disagreement]`` table (0 when absent).  The solutions are defined in
``bargaining.solutions`` on the gains ``g_i = U_i - d_i``:

* ``nash``: argmax of ``prod_i g_i`` over the feasible set;
* ``egalitarian``: ``g_1 = g_2`` (two players);
* ``ks`` (Kalai-Smorodinsky): ``g_1 / I_1 = g_2 / I_2``, ``I_i = sup g_i`` (two players).

Two modes:

* numeric -- every other parameter is given: the gains are piecewise in ``x``, cut at
  the region breakpoints; the solution is certified at 30 digits (``solutions``) and
  given in closed form when it is rational or quadratic;
* symbolic -- no point, single-region equilibrium: the closed-form roots of the
  defining equation (``solutions.closed_roots``) are matched against the numeric
  solution at sampled parameter points; the root that matches at every sample is
  the closed form (its SOC and the ends are checked at those samples).  KS ideals
  that change form across parameters give a Piecewise, each branch condition
  derived (``u > 0`` for a critical point in ``u = x/(1 - x)``) and checked the same way.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import mpmath as mp
import sympy as sp

from ..conditions import Bound, conjunction, isolate, negate, to_sympy
from ..prover import Prover
from .solutions import (DIGITS, TOL, BargainError, Piece, Problem, Root, _tidy, closed_roots, egalitarian,
                        exact_form, kalai_smorodinsky, maximise, mp_eval, mpf_of, nash, numden, roots_in)

__all__ = ["BargainError", "Bargain", "bargain", "problem_at", "SOLUTIONS"]

SOLUTIONS = {"nash": "Nash", "egalitarian": "egalitarian", "ks": "Kalai-Smorodinsky"}
_OPS = {"<": lambda d: d < 0, "<=": lambda d: d <= 0, ">": lambda d: d > 0, ">=": lambda d: d >= 0,
        "==": lambda d: d == 0}


@dataclass
class Bargain:
    model: str
    over: str
    solution: str
    value: object  # closed form (sympy) or None
    numeric: object  # mpf, or None when the value depends on free parameters
    payoffs: dict  # player -> sympy expression or mpf
    derivation: list
    conditions: list = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    certified: dict = field(default_factory=dict)
    region: str | None = None
    ideal: dict = field(default_factory=dict)
    algebraic: object = None  # numeric mode: the exact root (CRootOf or radicals), when known

    def to_json(self) -> dict:
        def out(v):
            if v is None:
                return None
            if isinstance(v, (mp.mpf, float, int)):
                return float(v)
            return sp.sstr(v)

        return {"model": self.model, "over": self.over, "solution": self.solution,
                "value": None if self.value is None else sp.sstr(self.value),
                "algebraic": None if self.algebraic is None else sp.sstr(self.algebraic),
                "numeric": None if self.numeric is None else float(self.numeric),
                "numeric_digits": None if self.numeric is None else mp.nstr(self.numeric, DIGITS),
                "certified": self.certified, "payoffs": {p: out(v) for p, v in self.payoffs.items()},
                "region": self.region, "ideal": {p: out(v) for p, v in self.ideal.items()},
                "derivation": list(self.derivation), "conditions": list(self.conditions),
                "parameters": {k: float(v) for k, v in self.parameters.items()}}


# ----------------------------------------------------------------------- input
def check_over(game, over):
    if over not in game.parameters:
        raise BargainError(f"--over {over!r}: not a parameter of {game.name} "
                           f"(parameters: {', '.join(game.parameters)})")
    d = game.parameters[over].domain
    if not (d.lo == 0 and d.hi == 1 and d.lo_open and d.hi_open):
        raise BargainError(f"--over {over!r}: its domain is {d}; only a share with domain (0, 1) can be bargained over")
    return game.parameters[over].symbol


def check_point(game, over, point):
    """``point``: name -> number or numeric string; returns symbol -> Rational."""
    out = {}
    for name, v in point.items():
        if name == over:
            raise BargainError(f"parameter {over!r} is bargained over: do not assign it")
        if name not in game.parameters:
            raise BargainError(f"unknown parameter {name!r}; the parameters of {game.name} are {', '.join(game.parameters)}")
        par = game.parameters[name]
        try:
            r = sp.Rational(str(v).strip())
        except (TypeError, ValueError, SyntaxError):
            raise BargainError(f"parameter {name!r}: {v!r} is not a number; expected {par.domain.expected()}") from None
        if not par.domain.contains(r):
            raise BargainError(f"parameter {name!r} = {v}: outside its domain {par.domain}; expected {par.domain.expected()}")
        out[par.symbol] = r
    return out


# ----------------------------------------------------------------------- numeric problems
def _disagreement(game, player):
    return sp.sympify(game.disagreement.get(player, 0))


def _bounds_at(bounds, x, point):
    """The bounds at ``point`` as ``(expr in x, op)``; None if one fails without ``x``."""
    out = []
    for subject, op, bound in bounds:
        e = sp.sympify(subject - bound).xreplace(point)
        if not e.has(x):
            if not _OPS[op](mpf_of(e) if abs(mpf_of(e)) > TOL else 0):
                return None
            continue
        out.append((e, op))
    return out


def _holds(bounds, x, at):
    """Whether all ``(e, op)`` hold at ``at`` (a ``Root``; a zero of a numerator counts as 0 exactly)."""
    for e, op in bounds:
        num, _ = numden(e, x)
        d = 0 if at.zero_of(num, x) else mp_eval(e, x, at.approx)
        if not _OPS[op](d):
            return False
    return True


def problem_at(eq, x, point) -> Problem:
    """The gains piecewise in ``x`` at ``point`` (symbol -> Rational for every other parameter)."""
    game = eq.game
    players = [p for p in game.players if p in eq.regions[0].payoffs]
    rels = [(r.lhs, r.rel_op, r.rhs) for r in game.relations]
    constraints = _bounds_at(rels, x, point)
    if constraints is None:
        raise BargainError("the parameters violate the model's assumptions " + ", ".join(map(str, game.relations)))
    regions = []
    for reg in eq.regions:
        b = _bounds_at([(bd.subject, bd.op, bd.bound) for bd in reg.bounds], x, point)
        if b is not None:
            gains = {p: sp.cancel((reg.payoffs[p] - _disagreement(game, p)).xreplace(point)) for p in players}
            regions.append((reg.label, b, gains))
    lo, hi = Root.of(0), Root.of(1)
    cuts = {}
    for label, bs in [("assumption", constraints)] + [(lab, bs) for lab, bs, _ in regions]:
        for e, op in bs:
            for part in numden(e, x):
                for r in roots_in(part, x, lo, hi) if part.has(x) else []:
                    r.note = f"{sp.sstr(sp.factor(e))} {op} 0 ({label})"
                    cuts.setdefault(mp.nstr(r.approx, DIGITS - 5), r)
    cuts = sorted(cuts.values(), key=lambda r: r.approx)

    def region_at(at, strict=True):
        if not _holds(constraints, x, at):
            return None
        hits = [reg for reg in regions if _holds(reg[1], x, at)]
        if not hits and strict:  # (at a breakpoint alone a gap only loses that point)
            raise BargainError(f"no region of the equilibrium holds at {x} = {mp.nstr(at.approx, 15)} (engine bug?)")
        return hits[0] if hits else None

    ends, pieces, points = [lo] + cuts + [hi], [], []
    for k, (s, t) in enumerate(zip(ends, ends[1:])):
        reg = region_at(Root((s.approx + t.approx) / 2))
        if reg is None:
            continue
        if pieces and pieces[-1].b is s and pieces[-1].label == reg[0] and points and points[-1][0] is s \
                and points[-1][1] == reg[0] and pieces[-1].gains == reg[2]:
            pieces[-1].b, pieces[-1].open_b = t, k == len(ends) - 2  # the same region goes on: merge
            points.pop()
        else:
            pieces.append(Piece(s, t, reg[0], reg[2], k == 0, k == len(ends) - 2))
        if k < len(ends) - 2:
            at = region_at(t, strict=False)
            if at is not None:
                points.append((t, at[0], {p: e.xreplace({x: t.exact}) if t.exact is not None else
                                         e.xreplace({x: sp.Float(t.approx, DIGITS + 10)}) for p, e in at[2].items()}))
    if not pieces:
        raise BargainError(f"no {x} in (0, 1) meets the model's assumptions at this point")
    return Problem(x, sp.S.Zero, sp.S.One, players, pieces, points)


def _describe(problem):
    x, out = problem.x, []
    for pc in problem.pieces:
        rng = f"{mp.nstr(pc.a.approx, 10)} < {x} < {mp.nstr(pc.b.approx, 10)}"
        out.append(f"on {rng}: region {pc.label!r}, gains " +
                   ", ".join(f"g_{p} = {sp.sstr(g)}" for p, g in pc.gains.items()))
    return out


def _solve_numeric(problem, solution):
    """(candidate, ideals) for the solution on a numeric problem."""
    if solution == "nash":
        return nash(problem), None
    if solution == "egalitarian":
        return egalitarian(problem), None
    return kalai_smorodinsky(problem)


def _numeric(eq, x, solution, point):
    game = eq.game
    problem = problem_at(eq, x, point)
    c, ideals = _solve_numeric(problem, solution)
    value = exact_form(c.root) if c.attained else None
    steps = [f"equilibrium payoffs from the engine ({len(eq.regions)} regions), disagreement point "
             + ", ".join(f"d_{p} = {_disagreement(game, p)}" for p in problem.players)]
    steps += _describe(problem)
    if ideals:
        steps.append("ideal point: " + ", ".join(
            f"I_{p} = {mp.nstr(i.value, 15)} ({'limit as ' + str(x) + ' -> ' + mp.nstr(i.x, 6) if not i.attained else 'at ' + str(x) + ' = ' + mp.nstr(i.x, 15)})"
            for p, i in zip(problem.players, ideals)))
    steps.append(f"{SOLUTIONS[solution]} solution: {x} = {mp.nstr(c.x, 20)} ({c.kind}, region {c.label!r})"
                 + (f" = {sp.sstr(value)}" if value is not None else ""))
    algebraic = None
    if c.attained and c.root is not None and c.root.exact is not None and c.root.poly is not None:
        algebraic = c.root.exact if value is None else value
        steps.append(f"exactly, {x} = {sp.sstr(algebraic)}, a root of the irreducible polynomial "
                     f"{sp.sstr(c.root.poly.as_expr().subs(c.root.poly.gen, x))}"
                     + (f"; the breakpoint {c.root.note}" if c.kind == "breakpoint" and c.root.note else ""))
    if solution == "nash" and c.kind == "interior":
        pc = next(pc for pc in problem.pieces if pc.a.approx < c.x < pc.b.approx)
        soc = mp_eval(sp.diff(sp.Mul(*pc.gains.values()), x, 2), x, c.x)
        steps.append(f"SOC: N''({x}) = {mp.nstr(soc, 8)} {'< 0' if soc < 0 else '>= 0 (not a strict local maximum)'}")
    if solution == "nash":
        steps.append("checked against the one-sided limits at every breakpoint and at the ends 0 and 1")
    payoffs = {p: c.gains[p] + mpf_of(_disagreement(game, p).xreplace(point).xreplace({x: sp.Float(c.x, DIGITS + 10)}))
               for p in problem.players}
    method = ("exact real-root isolation of the numerators (rational coefficients), mpmath findroot "
              "(Anderson-Bjorck) bracketed by the isolating interval, compared with the breakpoints and the ends")
    return Bargain(game.name, str(x), solution, value, c.x, payoffs, steps, [],
                   {str(k): v for k, v in point.items()}, {"digits": DIGITS, "method": method}, c.label,
                   {p: i.value for p, i in zip(problem.players, ideals)} if ideals else {}, algebraic)


# ----------------------------------------------------------------------- symbolic
def _samples(eq, x, subs, n, seed):
    from ..verify.sampling import random_points

    game, out = eq.game, []
    for pt in random_points(game, 4 * n, seed=seed):
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


# ----------------------------------------------------------------------- driver
def bargain(eq, over, solution="nash", point=None, samples=16, seed=0) -> Bargain:
    """Bargain over the parameter ``over`` of the game solved in ``eq`` (see the module docstring)."""
    game = eq.game
    if solution not in SOLUTIONS:
        raise BargainError(f"--solution {solution!r}: expected one of {', '.join(SOLUTIONS)}")
    if not isinstance(samples, int) or samples < 1:
        raise BargainError(f"--samples {samples!r}: expected a positive integer")
    x = check_over(game, over)
    subs = check_point(game, over, point or {})
    missing = [n for n in game.parameters if n != over and game.parameters[n].symbol not in subs]
    with mp.workdps(DIGITS):
        if not missing:
            return _numeric(eq, x, solution, subs)
        if len(eq.regions) > 1:
            raise BargainError(f"{game.name} has {len(eq.regions)} regions: bargaining needs a parameter point; "
                               f"give name=value for {', '.join(missing)}")
        return _symbolic(eq, x, solution, subs, samples, seed)
