"""Bargaining solutions over one parameter ``x`` (the share ``delta``) of a game.

Setting.  ``x`` ranges over an open interval ``(lo, hi)``; for each ``x`` the engine's
equilibrium gives payoffs ``U_i(x)``; ``d_i`` is the disagreement payoff.  The gains are
``g_i(x) = U_i(x) - d_i`` and the feasible (individually rational) set is
``F = {x in (lo, hi) : g_i(x) >= 0 for every i}``.

* Nash: ``x`` maximises ``N(x) = prod_i g_i(x)`` over ``F`` (it must be attained).
* Egalitarian (two players): ``g_1(x) = g_2(x)`` on ``F``; the largest common gain.
* Kalai-Smorodinsky (two players): ideals ``I_i = sup_{x in F} g_i(x)`` (a limit at an
  open end of ``(lo, hi)`` counts; an unbounded sup means there is none);
  ``g_1(x) I_2 = g_2(x) I_1`` on ``F``, with the largest ``g_1/I_1``.

Numeric (``Problem``: every other parameter fixed).  The gains are piecewise in ``x``,
one piece per region.  Roots (region breakpoints, zeros of the gains, of ``N'``, of
``g_1 - g_2``) come from exact real-root isolation of numerators with rational
coefficients, each refined by ``mpmath.findroot`` (Anderson-Bjorck) bracketed by its
isolating interval at 30 digits and checked against the exact root; numerators with
inexact coefficients use ``mpmath.polyroots``, others a bracketing scan.  The
candidates are the critical points, the breakpoints (valued in the region holding
there) and the one-sided limits at the ends of every piece.

Closed forms (``closed_roots``).  Zeros of a numerator in ``x`` are solved in
``u = (x - lo)/(hi - x)`` (``x in (lo, hi)`` iff ``u > 0``): linear and quadratic
factors by ``sympy.solve``; cubics in trigonometric form (three real roots), then
Cardano.  The caller selects the root that matches the numeric solution.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath as mp
import sympy as sp

from openeq.core.simplify import short as _tidy

from openeq.evaluate.exact import InputError

__all__ = ["DIGITS", "BargainError", "Root", "Piece", "Problem", "Candidate", "nash",
           "egalitarian", "kalai_smorodinsky", "maximise", "closed_roots", "mobius",
           "mpf_of", "mp_eval", "exact_form"]

DIGITS = 30
TOL = mp.mpf(10) ** (-(DIGITS - 6))


class BargainError(InputError):
    """No bargaining solution (or a problem that cannot be set up); one line.  An ``InputError``,
    so the command line reports it in one line with exit status 2."""


def mpf_of(value):
    """A real sympy number as an mpf, evaluated at ``DIGITS + 10`` digits."""
    v = sp.N(sp.sympify(value), DIGITS + 10)
    if v.has(sp.zoo, sp.nan) or v.is_finite is False:
        raise BargainError(f"value {value} is not finite")
    re, im = v.as_real_imag()
    if abs(im) > 10 ** (-DIGITS):
        raise BargainError(f"value {value} is not real")
    with mp.workdps(DIGITS + 10):
        return mp.mpf(sp.Float(re, DIGITS + 10)._mpf_)


def mp_eval(expr, x, at):
    """``expr`` at ``x = at`` (an mpf), with mpmath at ``DIGITS + 10`` digits."""
    with mp.workdps(DIGITS + 10):
        try:
            v = mp.mpmathify(sp.lambdify(x, expr, "mpmath")(mp.mpf(at)))
        except (ZeroDivisionError, TypeError, ValueError, NameError):
            return mpf_of(sp.sympify(expr).xreplace({x: sp.Float(at, DIGITS + 10)}))
        if isinstance(v, mp.mpc):
            v = v.real if abs(v.imag) <= TOL else mp.nan
        return v


def numden(expr, x):
    num, den = sp.fraction(sp.cancel(sp.together(sp.sympify(expr))))
    return sp.expand(num), sp.expand(den)


# --------------------------------------------------------------------- roots
@dataclass
class Root:
    """A real number met on the way: ``approx`` (mpf), ``exact`` (sympy or None), and
    ``poly``, the irreducible rational polynomial it is a root of (or None)."""

    approx: object
    exact: object = None
    poly: object = None
    note: str = ""  # where it came from (e.g. a region's bound, ``expr >= 0``)
    region: str = ""  # the label of the region whose bound it is

    @classmethod
    def of(cls, value):
        value = sp.sympify(value)
        poly = sp.Poly(sp.Dummy("x") - value) if value.is_Rational else None
        return cls(mpf_of(value), value, poly)

    def zero_of(self, num, x) -> bool:
        """Whether this number is a zero of the polynomial ``num`` in ``x`` (exactly when possible)."""
        if self.poly is not None and num.is_polynomial(x) and num.free_symbols <= {x}:
            return sp.rem(sp.Poly(num, x), sp.Poly(self.poly.as_expr().subs(self.poly.gen, x), x)).is_zero
        return abs(mp_eval(num, x, self.approx)) <= TOL


def _between(r, a, b) -> bool:
    try:
        return bool(r.exact > a.exact) and bool(r.exact < b.exact)
    except (TypeError, AttributeError):
        return a.approx + TOL < r.approx < b.approx - TOL


def roots_in(expr, x, a, b) -> list:
    """Real zeros of the numerator of ``expr`` strictly inside ``(a, b)`` (``Root`` ends)."""
    num, _ = numden(expr, x)
    if num.is_zero:
        raise BargainError(f"{x} is not determined: an expression vanishes on a whole interval")
    if not num.has(x):
        return []
    if num.is_polynomial(x) and num.free_symbols == {x}:
        P = sp.Poly(num, x)
        found = _exact_roots(P) if all(c.is_Rational for c in P.all_coeffs()) else _poly_roots(P)
    else:
        found = _scan_roots(num, x, a, b)
    return sorted((r for r in found if _between(r, a, b)), key=lambda r: r.approx)


def _exact_roots(P) -> list:
    out = []
    for fac, _ in P.factor_list()[1]:
        if fac.degree() < 1:
            continue
        f = sp.lambdify(fac.gen, fac.as_expr(), "mpmath")
        for r, ((l, h), _) in zip(fac.real_roots(), fac.intervals()):
            exact = mpf_of(r)
            with mp.workdps(DIGITS + 10):
                lo, hi = (mp.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in (l, h))
                approx = exact
                if lo < hi:
                    try:
                        approx = mp.findroot(f, (lo, hi), solver="anderson")
                    except (ValueError, ZeroDivisionError):
                        pass
                if not lo <= approx <= hi or abs(approx - exact) > TOL * (1 + abs(exact)):
                    approx = exact  # findroot left its bracket: the exact root stands
            out.append(Root(approx, r, fac))
    return out


def _poly_roots(P) -> list:
    with mp.workdps(DIGITS + 20):
        coeffs = [mpf_of(c) for c in P.all_coeffs()]
        roots = mp.polyroots(coeffs, maxsteps=400, extraprec=200)
        return [Root(mp.mpf(r.real)) for r in roots if abs(mp.im(r)) <= TOL * (1 + abs(r))]


def _scan_roots(num, x, a, b, n=400) -> list:
    f = sp.lambdify(x, num, "mpmath")
    out = []
    with mp.workdps(DIGITS + 10):
        grid = [a.approx + (b.approx - a.approx) * (k + mp.mpf(1) / 2) / n for k in range(n)]
        vals = [mp.re(f(t)) for t in grid]
        for t0, t1, v0, v1 in zip(grid, grid[1:], vals, vals[1:]):
            if v0 == 0:
                out.append(Root(t0))
            elif v0 * v1 < 0:
                out.append(Root(mp.findroot(f, (t0, t1), solver="anderson")))
    return out


# --------------------------------------------------------------------- problems
@dataclass
class Piece:
    """On the open interval ``(a, b)`` (``Root`` ends) region ``label`` holds; gains ``gains``."""

    a: Root
    b: Root
    label: str
    gains: dict  # player -> expr in x
    open_a: bool = False  # a is the open end lo of the domain: a limit, never attained
    open_b: bool = False


@dataclass
class Problem:
    """Gains piecewise in ``x`` over ``(lo, hi)``: ``pieces`` and the ``points`` between them."""

    x: sp.Symbol
    lo: object
    hi: object
    players: list
    pieces: list  # of Piece, in order
    points: list = field(default_factory=list)  # of (Root, label, {player: exact gain})


@dataclass
class Candidate:
    x: object  # mpf
    value: object  # mpf
    gains: dict  # player -> mpf
    label: str
    attained: bool = True
    kind: str = "interior"  # interior | breakpoint | limit (at lo or hi) | boundary | flat
    root: Root | None = None
    expr: object = None  # the objective on its piece (a number at a breakpoint)
    side: str | None = None  # "+"/"-": the value is a one-sided limit of expr
    interval: tuple | None = None  # kind "flat": the objective is constant on this interval

    def exact_value(self, x):
        """The value in exact arithmetic, when the root is exact."""
        if self.expr is None or self.root is None or self.root.exact is None:
            return None
        e = sp.sympify(self.expr)
        if not e.has(x):
            return e
        if self.side is not None and self.root.zero_of(numden(e, x)[1], x):
            return sp.limit(e, x, self.root.exact, self.side)
        return sp.cancel(e.xreplace({x: self.root.exact}))


def _feasible(problem):
    """Each piece cut at the zeros of its gains: the parts ``(s, t)`` where all gains >= 0."""
    x = problem.x
    for pc in problem.pieces:
        cuts = {}
        for g in pc.gains.values():
            for e in numden(g, x):
                for r in roots_in(e, x, pc.a, pc.b) if e.has(x) else []:
                    cuts[mp.nstr(r.approx, DIGITS)] = r
        ends = [pc.a] + sorted(cuts.values(), key=lambda r: r.approx) + [pc.b]
        for k, (s, t) in enumerate(zip(ends, ends[1:])):
            if all(mp_eval(g, x, (s.approx + t.approx) / 2) >= 0 for g in pc.gains.values()):
                kinds = ("limit" if pc.open_a else "breakpoint") if k == 0 else "boundary", \
                        ("limit" if pc.open_b else "breakpoint") if k == len(ends) - 2 else "boundary"
                yield pc, s, t, kinds


def _limit(expr, x, root, side):
    """One-sided limit of ``expr`` at ``root`` (mpf, +-inf when it diverges)."""
    _, den = numden(expr, x)
    if not den.has(x) or not root.zero_of(den, x):
        return mp_eval(expr, x, root.approx)
    at = root.exact if root.exact is not None else sp.Float(root.approx, DIGITS)
    lim = sp.limit(expr, x, at, side)
    if lim in (sp.oo, -sp.oo):
        return mp.inf if lim == sp.oo else -mp.inf
    return mpf_of(lim)


def _exact_gains(gains):
    return {p: sp.sympify(v) for p, v in gains.items()}


def maximise(problem, objective, what):
    """The candidate maximising ``objective(gains) -> expr`` over the feasible set."""
    x, cands = problem.x, []
    for pc, s, t, kinds in _feasible(problem):
        f = objective(pc.gains)
        if not f.has(x):  # constant on (s, t): every point there attains it
            mid = (s.approx + t.approx) / 2
            g = {p: mp_eval(e, x, mid) for p, e in pc.gains.items()}
            cands.append(Candidate(mid, mpf_of(f), g, pc.label, True, "flat", None, f, None, (s.approx, t.approx)))
        for r in roots_in(sp.diff(f, x), x, s, t) if f.has(x) else []:
            g = {p: mp_eval(e, x, r.approx) for p, e in pc.gains.items()}
            cands.append(Candidate(r.approx, mp_eval(f, x, r.approx), g, pc.label, True, "interior", r, f))
        for end, side, kind in ((s, "+", kinds[0]), (t, "-", kinds[1])):
            g = {p: _limit(e, x, end, side) for p, e in pc.gains.items()}
            cands.append(Candidate(end.approx, _limit(f, x, end, side), g, pc.label,
                                   kind == "boundary", kind, end, f, side))
    for r, label, gains in problem.points:
        g = {p: mpf_of(v) for p, v in gains.items()}
        if all(v >= -TOL for v in g.values()):
            v = objective(_exact_gains(gains))
            cands.append(Candidate(r.approx, mpf_of(v), g, label, True, "breakpoint", r, v))
    if not cands:
        raise BargainError("no value of the share gives every player at least its disagreement payoff")
    best = max(c.value for c in cands)
    if best == mp.inf:
        raise BargainError(f"{what} is unbounded above: it has no maximum")
    with mp.workdps(DIGITS + 10):  # the values carry DIGITS + 10 digits: compare at that precision
        top = [c for c in cands if c.value >= best - TOL * (1 + abs(best))]
    return sorted(top, key=lambda c: (not c.attained, c.kind == "limit", c.kind == "flat"))[0]


def _flat(c, x, what):
    lo, hi = (mp.nstr(v, 10) for v in c.interval)
    return BargainError(f"{what} is constant ({mp.nstr(c.value, 10)}) for {lo} < {x} < {hi} (region {c.label!r}): "
                        "the solution is not unique")


def _zeros(problem, h, score):
    """The feasible zeros of ``h(gains)``, best ``score(gains)`` first."""
    x, cands = problem.x, []
    for pc, s, t, _ in _feasible(problem):
        if numden(h(pc.gains), x)[0].is_zero:
            raise BargainError(f"every {x} in ({mp.nstr(s.approx, 10)}, {mp.nstr(t.approx, 10)}) solves it "
                               f"(region {pc.label!r}): the solution is not unique")
        for r in roots_in(h(pc.gains), x, s, t):
            g = {p: mp_eval(e, x, r.approx) for p, e in pc.gains.items()}
            cands.append(Candidate(r.approx, score(g), g, pc.label, True, "interior", r))
    for r, label, gains in problem.points:
        g = {p: mpf_of(v) for p, v in gains.items()}
        if all(v >= -TOL for v in g.values()) and abs(mpf_of(h(_exact_gains(gains)))) <= TOL:
            cands.append(Candidate(r.approx, score(g), g, label, True, "breakpoint", r))
    return sorted(cands, key=lambda c: -c.value)


# --------------------------------------------------------------------- solutions
def nash(problem):
    c = maximise(problem, lambda g: sp.Mul(*g.values()), "the Nash product")
    if c.kind == "flat":
        raise _flat(c, problem.x, "the Nash product")
    if not c.attained:
        where = f"as {problem.x} -> {mp.nstr(c.x, 12)}" + (f", where {c.root.note} ({c.root.region}) stops holding" if c.root.note else "")
        raise BargainError(f"the Nash product has no maximum: its supremum {mp.nstr(c.value, 12)} "
                           f"is approached {where}, but not attained")
    if c.value <= TOL:
        raise BargainError("no value of the share gives every player a positive gain: the Nash solution is undefined")
    return c


def _two(problem):
    if len(problem.players) != 2:
        raise BargainError(f"this solution is defined for two players; the game has {len(problem.players)}")
    return problem.players


def _jumps(problem, h, name):
    """Where ``h`` jumps across 0 between two regions (a reason for a missing zero)."""
    x, out = problem.x, []
    for left, right in zip(problem.pieces, problem.pieces[1:]):
        if left.b is right.a:
            hl, hr = (_limit(h(pc.gains), x, left.b, side) for pc, side in ((left, "-"), (right, "+")))
            if hl * hr < 0:
                out.append(f"{name} jumps from {mp.nstr(hl, 6)} to {mp.nstr(hr, 6)} at {x} = "
                           f"{mp.nstr(left.b.approx, 12)} ({left.label} -> {right.label})")
    return f" ({'; '.join(out)})" if out else ""


def egalitarian(problem):
    p1, p2 = _two(problem)
    h = lambda g: g[p1] - g[p2]  # noqa: E731
    cands = _zeros(problem, h, lambda g: g[p1])
    if not cands:
        raise BargainError(f"no feasible {problem.x} gives {p1} and {p2} equal gains: no egalitarian solution"
                           + _jumps(problem, h, f"g_{p1} - g_{p2}"))
    return cands[0]


def ideal(problem, player):
    """``I_i = sup g_i`` over the feasible set; ``attained`` is False for a one-sided limit."""
    try:
        return maximise(problem, lambda g: g[player], f"the gain of {player}")
    except BargainError as e:
        raise BargainError(f"the ideal point of {player} does not exist: {e}") from None


def kalai_smorodinsky(problem):
    """(solution, (ideal_1, ideal_2))."""
    p1, p2 = _two(problem)
    i1, i2 = ideal(problem, p1), ideal(problem, p2)
    for p, i in ((p1, i1), (p2, i2)):
        if i.value <= TOL:
            raise BargainError(f"the ideal gain of {p} is not positive: no Kalai-Smorodinsky solution")
    k = [i.exact_value(problem.x) for i in (i1, i2)]
    if not all(v is not None and v.is_Rational for v in k):  # exact roots need rational coefficients
        k = [sp.Float(i.value, DIGITS + 10) for i in (i1, i2)]
    h = lambda g: g[p1] * k[1] - g[p2] * k[0]  # noqa: E731
    cands = _zeros(problem, h, lambda g: g[p1] / i1.value)
    if not cands:
        raise BargainError(f"no feasible {problem.x} gives gains proportional to the ideal point "
                           f"(I_{p1} = {mp.nstr(i1.value, 10)}, I_{p2} = {mp.nstr(i2.value, 10)}): no Kalai-Smorodinsky "
                           "solution" + _jumps(problem, h, f"g_{p1} I_{p2} - g_{p2} I_{p1}"))
    return cands[0], (i1, i2)


def exact_form(root):
    """A closed form of a ``Root``: rationals and roots of rational polynomials of degree <= 2."""
    if root is None or root.exact is None:
        return None
    if root.exact.is_Rational or (root.poly is not None and root.poly.degree() <= 2):
        return sp.nsimplify(root.exact) if root.exact.is_Float else root.exact
    return None


# --------------------------------------------------------------------- closed forms
def mobius(lo, hi, u):
    """``x`` for ``u = (x - lo)/(hi - x)``: maps ``u in (0, oo)`` onto ``x in (lo, hi)``."""
    return (lo + hi * u) / (1 + u)


def _cubic_trig(a3, a2, a1, a0):
    """The roots of ``a3 u^3 + a2 u^2 + a1 u + a0`` in trigonometric form (valid with three real roots):
    ``u_k = -a2/(3 a3) + 2 m cos(acos(-q/(2 m^3))/3 - 2 pi k/3)``, ``m = sqrt(-p/3)``."""
    p = sp.factor((3 * a3 * a1 - a2 ** 2) / (3 * a3 ** 2))
    q = sp.factor((2 * a2 ** 3 - 9 * a3 * a2 * a1 + 27 * a3 ** 2 * a0) / (27 * a3 ** 3))
    m = sp.sqrt(sp.factor(-p / 3))
    arg = sp.factor(-q / (2 * sp.factor(-p / 3))) / m
    return [sp.factor(-a2 / (3 * a3)) + 2 * m * sp.cos(sp.acos(arg) / 3 - 2 * sp.pi * k / 3) for k in range(3)]


def closed_roots(expr, x, lo, hi, cardano=False):
    """Closed-form candidates for the zeros of ``expr`` (its numerator) in ``x``.

    Returns ``(candidates, fallback, notes)``: lists of ``(x_expr, u_expr)`` -- ``fallback``
    holds the cubics' Cardano roots, built only when ``cardano`` -- or ``None`` when the
    numerator is not polynomial or has a factor of degree above 3.
    """
    u = sp.Symbol("u", positive=True)
    num, _ = numden(expr, x)
    if not num.has(x):
        return [], [], []
    if not num.is_polynomial(x):
        return None, None, [f"the numerator is not polynomial in {x}"]
    q, _ = numden(num.subs(x, mobius(lo, hi, u)), u)
    notes, out, fallback = [], [], []
    var = f"u = ({x} - {lo})/({hi} - {x})" if lo != 0 or hi != 1 else f"u = {x}/(1 - {x})"
    for fac, _ in sp.factor_list(q, u)[1]:
        if not fac.has(u):
            continue
        P = sp.Poly(fac, u)
        deg = P.degree()
        if deg > 3:
            return None, None, notes + [f"a factor of degree {deg} in {var}: no closed form"]
        name = {1: "linear", 2: "quadratic", 3: "cubic (trigonometric form)"}[deg]
        notes.append(f"{name} factor in {var}: {sp.sstr(P.as_expr())} = 0")
        if deg == 3:
            out += [(_tidy(mobius(lo, hi, r)), r) for r in _cubic_trig(*P.all_coeffs())]
            fallback += [(mobius(lo, hi, r), r) for r in sp.solve(fac, u)] if cardano else []
        else:
            out += [(_tidy(mobius(lo, hi, r)), r) for r in sp.solve(fac, u)]
    return out, fallback, notes
