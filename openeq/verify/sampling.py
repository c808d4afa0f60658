"""Parameter points drawn from a game's declared domains, corners included.

Draws mix the bulk of a domain with its edges: exact zeros of nonnegative
parameters, both ends of closed intervals, very small and very large positive
values (``alpha0`` up to 10^3); an integer parameter (a number of copies) is rounded.  Relations among parameters (``a > c``) are
met by rejection.  ``random_points`` is seeded (``openeq verify --seed``);
``points_strategy`` is the same law as a hypothesis strategy for the tests.
"""
from __future__ import annotations

import math
import random

__all__ = ["random_points", "points_strategy", "satisfies"]


def _draw(dom, rnd: random.Random) -> float:
    lo, hi = float(dom.lo), float(dom.hi)
    u = rnd.random()
    if math.isinf(hi):
        base = 0.0 if math.isinf(lo) else lo
        if not dom.lo_open and not math.isinf(lo) and u < 0.12:
            return base
        if math.isinf(lo):
            return rnd.gauss(0.0, 5.0)
        r = rnd.random()
        if r < 0.08:
            x = 10 ** rnd.uniform(-3, -1)
        elif r < 0.16:
            x = 10 ** rnd.uniform(1.3, 3)
        else:
            x = 10 ** rnd.uniform(-1, 1.3)
        return base + x
    if not dom.lo_open and u < 0.1:
        return lo
    if not dom.hi_open and u > 0.9:
        return hi
    eps = (hi - lo) * 1e-3
    return rnd.uniform(lo + (eps if dom.lo_open else 0), hi - (eps if dom.hi_open else 0))


def _integral(par, x):
    """An integer parameter's draw (a number of copies) rounded into its domain."""
    if not par.integer:
        return x
    k = max(math.ceil(float(par.domain.lo)), min(round(x), 1000))
    return k if par.domain.contains(k) else k + 1


def satisfies(game, point) -> bool:
    subs = {game.parameters[n].symbol: v for n, v in point.items()}
    return all(bool(r.subs(subs)) for r in game.relations)


def random_points(game, n: int, seed: int = 0) -> list:
    rnd = random.Random(seed)
    out = []
    while len(out) < n:
        for _ in range(10_000):
            pt = {name: _integral(p, round(_draw(p.domain, rnd), 6)) for name, p in game.parameters.items()}
            pt = {k: (v if game.parameters[k].domain.contains(v) else float(game.parameters[k].domain.lo) + 0.5) for k, v in pt.items()}
            if satisfies(game, pt):
                break
        else:
            raise ValueError(f"could not draw a point satisfying {game.relations}")
        out.append(pt)
    return out


def points_strategy(game):
    """A hypothesis strategy of parameter dicts from the declared domains."""
    from hypothesis import strategies as st

    def one(dom):
        lo, hi = float(dom.lo), float(dom.hi)
        parts = []
        if math.isinf(hi):
            base = 0.0 if math.isinf(lo) else lo
            if not math.isinf(lo) and not dom.lo_open:
                parts.append(st.just(base))
            if math.isinf(lo):
                parts.append(st.floats(-50, 50))
            else:
                parts += [st.floats(1e-3, 20).map(lambda x, b=base: b + x), st.floats(20, 1000).map(lambda x, b=base: b + x)]
        else:
            if not dom.lo_open:
                parts.append(st.just(lo))
            if not dom.hi_open:
                parts.append(st.just(hi))
            eps = (hi - lo) * 1e-3
            parts.append(st.floats(lo + eps, hi - eps))
        return st.one_of(*parts).map(lambda x: round(x, 6))

    names = list(game.parameters)
    base = st.fixed_dictionaries({n: one(game.parameters[n].domain).map(lambda x, p=game.parameters[n]: _integral(p, x))
                                  for n in names})
    return base.filter(lambda pt: all(game.parameters[k].domain.contains(v) for k, v in pt.items()) and satisfies(game, pt))
