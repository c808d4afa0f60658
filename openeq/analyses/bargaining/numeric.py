"""Bargaining at a point: every parameter but the share given, the solution certified at 30 digits.

The gains ``g_i(x) = U_i(x) - d_i`` are piecewise in the share ``x``, cut at the breakpoints
of the engine's regions; ``problem_at`` builds that problem and the solutions of
``openeq.analyses.bargaining.solutions`` solve it."""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath as mp
import sympy as sp

from openeq.analyses.bargaining.solutions import (DIGITS, TOL, BargainError, Piece, Problem, Root,
                                                  egalitarian, exact_form, kalai_smorodinsky, mp_eval,
                                                  mpf_of, nash, numden, roots_in)
from openeq.core.relations import holds

__all__ = ["SOLUTIONS", "Bargain", "problem_at"]


SOLUTIONS = {"nash": "Nash", "egalitarian": "egalitarian", "ks": "Kalai-Smorodinsky"}


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


# ----------------------------------------------------------------------- numeric problems
def _disagreement(game, player):
    return sp.sympify(game.disagreement.get(player, 0))


def _bounds_at(bounds, x, point):
    """The bounds at ``point`` as ``(expr in x, op)``; None if one fails without ``x``."""
    out = []
    for subject, op, bound in bounds:
        e = sp.sympify(subject - bound).xreplace(point)
        if not e.has(x):
            if not holds(mpf_of(e) if abs(mpf_of(e)) > TOL else 0, op):
                return None
            continue
        out.append((e, op))
    return out


def _holds(bounds, x, at):
    """Whether all ``(e, op)`` hold at ``at`` (a ``Root``; a zero of a numerator counts as 0 exactly)."""
    for e, op in bounds:
        num, _ = numden(e, x)
        d = 0 if at.zero_of(num, x) else mp_eval(e, x, at.approx)
        if not holds(d, op):
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
                    r.note, r.region = f"{sp.sstr(sp.factor(e))} {op} 0", label
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
                     + (f"; at this breakpoint the bound of region {c.root.region!r} binds: {c.root.note}"
                        if c.kind == "breakpoint" and c.root.note else ""))
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
