"""The verifier at followers' corners: a kink of the leader's payoff where the follower's
reply vanishes (Tullock), a follower flat to 1e-11 near its bound (public good), and a
leader's payoff constant on an unbounded piece (double marginalisation).  At each point
below the engine's answer once failed the brute force; the answer is the closed form
derived by hand (examples/*.toml), and a claim a little off it must still fail."""
from math import log, sqrt
from pathlib import Path

import pytest

from openeq.io.modelfile import resolve_model
from openeq.verify.deviation import check_paths

EX = Path(__file__).resolve().parents[1] / "examples"


def tullock(V1, V2, x=None):
    """V1 >= 2*V2: pre-emption at x = V2 (or the leader's effort x, the follower replying)."""
    x = V2 if x is None else x
    y = max(0.0, sqrt(V2 * x) - x)
    return {"x": x, "y": y}, {"L": V1 * x / (x + y) - x, "F": V2 * y / (x + y) - y}


def public_good(v1, v2, w1, w2, g1=None):
    g1 = v2 - w2 - 1 if g1 is None else g1
    g2 = min(w2, max(0.0, v2 - 1 - g1))
    s = 1 + g1 + g2
    return {"g1": g1, "g2": g2}, {"P1": w1 - g1 + v1 * log(s), "P2": w2 - g2 + v2 * log(s)}


def marginalisation(a, b, c, w=None):
    w = (a + c) / 2 if w is None else w
    q = max(0.0, (a - w) / (2 * b))
    return {"w": w, "q": q}, {"M": (w - c) * q, "R": (a - b * q - w) * q}


CASES = [
    ("tullock", tullock, [dict(V1=17.801044, V2=2.003955), dict(V1=5.444201, V2=0.968319),
                          dict(V1=0.427846, V2=0.151087), dict(V1=0.66451, V2=0.255446)], "x"),
    ("public-good", public_good, [dict(v1=2.391819, v2=1.590283, w1=1.552213, w2=0.227377)], "g1"),
    ("double-marginalisation", marginalisation, [dict(a=6.894214, b=3.683959, c=6.406562),
                                                 dict(a=0.005858, b=1.507792, c=0.001667),
                                                 dict(a=1.494822, b=11.488406, c=1.442076)], "w"),
]


@pytest.mark.parametrize("name,closed,points,var", CASES, ids=[c[0] for c in CASES])
def test_closed_form_passes_where_it_once_failed(name, closed, points, var):
    game = resolve_model(str(EX / f"{name}.toml"))
    paths, pays = zip(*(closed(**pt) for pt in points))
    out = check_paths(game, points, list(paths), list(pays))
    assert all(ok for ok, _ in out), out


@pytest.mark.parametrize("name,closed,points,var", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("shift", [-1e-2, 1e-2])
def test_a_leader_off_its_optimum_still_fails(name, closed, points, var, shift):
    """The leader's choice moved by 1 % (the followers replying to it) is not an equilibrium."""
    game = resolve_model(str(EX / f"{name}.toml"))
    bad = []
    for pt in points:
        x = closed(**pt)[0][var]
        bad.append(closed(**pt, **{var: x * (1 + shift)}))
    out = check_paths(game, points, [p for p, _ in bad], [u for _, u in bad])
    assert not any(ok for ok, _ in out), out
    assert all("gains by deviating" in why for _, why in out), out


def test_a_wrong_corner_claim_on_a_grid_point_fails():
    """A leader's claim at a grid point (its lower bound) when the optimum lies strictly
    between the first two grid points: the claim joins the grid without a duplicate point,
    so the refinement still climbs to the optimum and the claim fails."""
    game = resolve_model(str(EX / "capacity.toml"))
    pt = dict(a=0.121279, b=12.826802, c=0.108016, K=2.108512)
    q2 = (pt["a"] - pt["c"]) / (2 * pt["b"])
    claim = ({"q1": 0.0, "q2": q2}, {"L": 0.0, "F": (pt["a"] - pt["b"] * q2 - pt["c"]) * q2})
    (ok, why), = check_paths(game, [pt], [claim[0]], [claim[1]])
    assert not ok and "stage 1: L gains" in why, why
