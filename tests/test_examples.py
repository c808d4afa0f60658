"""The example model files, solved through the command line, against known closed forms."""
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
R = sp.Rational


def cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "openeq.cli", *args], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@functools.lru_cache(maxsize=None)
def solve(name):
    return cli("solve", str(name), "--json")


@functools.lru_cache(maxsize=None)
def parsed(name):
    """The solved example with its region conditions and closed forms read back by sympy."""
    data = solve(name)
    ns = {n: sp.Symbol(n) for n in data["parameters"]}
    read = lambda e: sp.sympify(e, locals=ns)  # noqa: E731
    regions = [(r, read(r["condition"]), {v: read(e) for v, e in r["strategies"].items()},
                {p: read(e) for p, e in r["payoffs"].items()}) for r in data["regions"]]
    return data, ns, regions


def at(name, point):
    """The one region whose condition holds at ``point`` (name -> Rational): its strategies and payoffs."""
    _, ns, regions = parsed(name)
    subs = {ns[k]: v for k, v in point.items()}
    hits = [h for h in regions if bool(h[1] if isinstance(h[1], bool) else h[1].subs(subs))]
    assert len(hits) == 1, (point, [h[0]["condition"] for h in hits])
    r, _, strategies, payoffs = hits[0]
    return {v: e.subs(subs) for v, e in strategies.items()}, {p: e.subs(subs) for p, e in payoffs.items()}, r


POINTS = [dict(a=R(10), b=R(1), c=R(2)), dict(a=R(7, 2), b=R(3, 4), c=R(1, 3)), dict(a=R(100), b=R(9), c=R(99))]


@pytest.mark.parametrize("point", POINTS)
def test_stackelberg(point):
    a, b, c = point["a"], point["b"], point["c"]
    s, u, _ = at(EX / "stackelberg.toml", point)
    assert s == {"q1": (a - c) / (2 * b), "q2": (a - c) / (4 * b)}
    assert u["L"] == (a - c) ** 2 / (8 * b) and u["F"] == (a - c) ** 2 / (16 * b)


@pytest.mark.parametrize("point", POINTS)
def test_cournot(point):
    a, b, c = point["a"], point["b"], point["c"]
    s, u, _ = at(EX / "cournot.toml", point)
    assert s == {"q1": (a - c) / (3 * b), "q2": (a - c) / (3 * b)}
    assert u["A"] == u["B"] == (a - c) ** 2 / (9 * b)


@pytest.mark.parametrize("point", [dict(p, K=k) for p in POINTS for k in (R(1, 10), R(3), R(50))])
def test_capacity(point):
    a, b, c, K = point["a"], point["b"], point["c"], point["K"]
    s, _, region = at(EX / "capacity.toml", point)
    q1 = min((a - c) / (2 * b), K)
    assert s == {"q1": q1, "q2": (a - c - b * q1) / (2 * b)}
    if K < (a - c) / (2 * b):
        assert "bound" in region["case"]  # the corner region: capacity binds


@pytest.mark.parametrize("point", POINTS)
def test_three_firms(point):
    a, b, c = point["a"], point["b"], point["c"]
    s, _, _ = at(EX / "three-firms.toml", point)
    assert s == {"q1": (a - c) / (2 * b), "q2": (a - c) / (4 * b), "q3": (a - c) / (8 * b)}


def test_eval_on_example_files(tmp_path):
    d = cli("eval", str(EX / "stackelberg.toml"), "a=10", "b=1", "c=2", "--json")
    assert d["strategies"] == pytest.approx({"q1": 4.0, "q2": 2.0}, abs=1e-12)
    pts = [dict(a=10, b=1, c=2, K=k) for k in (1, 3, 5)]
    f = tmp_path / "pts.json"
    f.write_text(json.dumps(pts))
    out = cli("eval", str(EX / "capacity.toml"), "--points", str(f), "--json")
    assert [o["strategies"]["q1"] for o in out] == pytest.approx([1.0, 3.0, 4.0], abs=1e-12)
    assert [o["strategies"]["q2"] for o in out] == pytest.approx([3.5, 2.5, 2.0], abs=1e-12)
    d = cli("eval", str(EX / "three-firms.toml"), "a=18", "b=2", "c=2", "--json")
    assert d["strategies"] == pytest.approx({"q1": 4.0, "q2": 2.0, "q3": 1.0}, abs=1e-12)


def test_fine_tuning_spe_by_hand():
    """By hand: D's FOC (1 - delta) - c1 (alpha1 - alpha0) = 0 gives alpha1 = alpha0 + (1 - delta)/c1;
    then U_G = delta (alpha0 + (1 - delta)/c1) - c0/2 alpha0^2, whose FOC delta - c0 alpha0 = 0
    gives alpha0 = delta/c0 (both concave; alpha1 >= alpha0 and alpha0 >= 0 hold)."""
    data = solve("fine-tuning")
    assert len(data["regions"]) == 1 and data["regions"][0]["condition"] == "True"
    ns = {n: sp.Symbol(n, positive=True) for n in data["parameters"]}
    delta, c0, c1 = ns["delta"], ns["c0"], ns["c1"]
    alpha0 = delta / c0
    alpha1 = alpha0 + (1 - delta) / c1
    uG = delta * alpha1 - c0 / 2 * alpha0 ** 2
    uD = (1 - delta) * alpha1 - c1 / 2 * (alpha1 - alpha0) ** 2
    reg = data["regions"][0]
    got = {k: sp.sympify(v, locals=ns) for k, v in {**reg["strategies"], **reg["payoffs"]}.items()}
    for k, v in {"alpha0": alpha0, "alpha1": alpha1, "G": uG, "D": uD}.items():
        assert sp.simplify(got[k] - v) == 0, k


def test_user_openness_file_same_as_builtin():
    mine, ref = solve(EX / "openness-user.toml"), solve("openness")
    assert mine["parameters"] == ref["parameters"]
    assert sorted(r["label"] for r in mine["regions"]) == sorted(r["label"] for r in ref["regions"])
    import random

    rnd = random.Random(1)
    for _ in range(40):
        pt = dict(alpha0=R(rnd.randint(1, 300), 100), delta=R(rnd.randint(1, 99), 100), c=R(rnd.randint(1, 300), 100),
                  epsilon=R(rnd.randint(0, 200), 100), gamma=R(rnd.randint(0, 200), 100),
                  theta=R(rnd.randint(0, 10), 10), p=R(rnd.randint(0, 100), 100))
        (s1, u1, r1), (s2, u2, r2) = at(EX / "openness-user.toml", pt), at("openness", pt)
        assert (s1, u1, r1["label"]) == (s2, u2, r2["label"]), pt
