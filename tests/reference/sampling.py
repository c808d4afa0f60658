"""Seeded random parameter points inside each game's declared domains and assumptions.

``points(game, n, seed)`` returns ``n`` dicts (name -> float).  Each game's drawer maps
uniform draws onto its declared domain (open ends are kept open) and onto its assumptions
(``a > c`` is drawn as ``a = c + A`` with ``A > 0``); the ranges are chosen so that every
region of the closed form is hit.  Unbounded domains are sampled on a finite range: a
sampled point is a point of the declared domain, not a claim about the whole of it.
"""
from __future__ import annotations

import random

__all__ = ["DRAWERS", "points"]


def _pos(rng, hi):
    """Uniform on (0, hi]: never 0."""
    return hi * (1.0 - rng.random())


def _open01(rng):
    """Uniform on the open interval (0, 1)."""
    u = rng.random()
    while u == 0.0:
        u = rng.random()
    return u


def _hotelling(rng):
    return {"t": _pos(rng, 5), "c": 5 * rng.random()}


def _rd_cournot(rng):
    c, b = _pos(rng, 5), 0.2 + 2.8 * rng.random()
    return {"a": c + _pos(rng, 10), "b": b, "c": c, "gamma": (4 / 3 + _pos(rng, 4)) / b}


def _entry(rng):
    c, b, A = _pos(rng, 5), 0.2 + 2.8 * rng.random(), _pos(rng, 10)
    F = A ** 2 / b * 10 ** (-3 + 2.3 * rng.random())  # regions at A^2/b = 0.0054 and 0.0625
    return {"a": c + A, "b": b, "c": c, "F": F}


def _two_product(rng):
    c, A = _pos(rng, 5), _pos(rng, 10)
    return {"a": c + A, "c": c, "e": 0.8 * A * rng.random(), "d": _open01(rng)}


def _tullock(rng):
    return {"V1": _pos(rng, 10), "V2": _pos(rng, 10)}


def _public_good(rng):
    return {"v1": _pos(rng, 6), "v2": _pos(rng, 6), "w1": _pos(rng, 4), "w2": _pos(rng, 4)}


def _double_marg(rng):
    c = _pos(rng, 5)
    return {"a": c + _pos(rng, 10), "b": 0.2 + 2.8 * rng.random(), "c": c}


def _openness(n):
    def draw(rng):
        while True:
            th = sorted(rng.random() for _ in range(n))
            if all(x < y for x, y in zip(th, th[1:])):
                break
        pt = {"alpha0": _pos(rng, 2), "delta": _open01(rng), "c": _pos(rng, 5),
              "epsilon": 2 * rng.random(), "gamma": 2 * rng.random()}
        for k in range(n):
            pt[f"theta{k + 1}"] = th[k]
            pt[f"p{k + 1}"] = 0.3 * rng.random()
        return pt
    return draw


DRAWERS = {
    "hotelling": _hotelling,
    "rd-cournot": _rd_cournot,
    "entry-deterrence": _entry,
    "two-product-leader": _two_product,
    "tullock": _tullock,
    "public-good": _public_good,
    "double-marginalisation": _double_marg,
    "openness-tiers2": _openness(2),
    "openness-tiers3": _openness(3),
}


def points(game: str, n: int = 200, seed: int = 0) -> list:
    rng = random.Random(f"{game}/{seed}")
    return [DRAWERS[game](rng) for _ in range(n)]
