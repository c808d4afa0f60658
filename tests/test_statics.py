"""Comparative statics: rows for any game, every proved sign checked by finite
differences of the engine's solution at points drawn inside the region."""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from openeq.analyses.statics import comparative_statics, numeric_sign, prove_sign, prover_for
from openeq.solver.cached import solve_cached
from openeq.cli import main
from openeq.core.equilibrium import Equilibrium
from openeq.evaluate.vectorized import Vectorized
from openeq.io.modelfile import resolve_model
from openeq.verify.sampling import points_strategy, random_points

OPEN = solve_cached(resolve_model("openness"))
FINE = solve_cached(resolve_model("fine-tuning"))
FAST = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
MONOPOLY = """
name = "monopoly"
[parameters]
a = "positive"
k = "positive"
[[moves]]
stage = 1
player = "M"
choose = { q = "[0, oo)" }
[payoffs]
M = "(a - q)*q - k*q**2/2"
"""


@pytest.fixture(scope="module")
def rows():
    """Openness statics on three regions (comply, defy, already open: the interior regime)."""
    part = Equilibrium(OPEN.game, OPEN.regions[3:6], OPEN.best_responses, OPEN.method)
    return part, comparative_statics(part, extra_quantities=lambda r: [])


def _quantity(eq, out, name):
    if name == "W":
        return sum(out["payoffs"].values())
    if name.startswith("U_"):
        return out["payoffs"][name[2:]]
    return out["strategies"][name]


def check_finite_differences(eq, rows, pt):
    """At a point of region k, perturb each parameter of each proved row of region k within the
    region (up, or down where up leaves the region or the domain): the change has the proved sign.

    Returns (checked, candidates): how many rows were checked and how many proved rows region k
    has; None when the point lies in no region of ``eq``.  A candidate row is unchecked only when
    both steps leave the region or the domain (the point is within 1e-6 of a boundary)."""
    vec = Vectorized(eq)
    base = {n: np.array([float(v)]) for n, v in pt.items()}
    k = int(vec.region_index(base)[0][0])
    if k < 0:
        return None
    out0 = vec(base)
    checked = candidates = 0
    for row in rows:
        if row["region"] != k or not row["proved"] or row["parameter"] not in pt:
            continue
        candidates += 1
        x = row["parameter"]
        for h in (1e-6 * (1 + abs(pt[x])), -1e-6 * (1 + abs(pt[x]))):
            step = {**base, x: base[x] + h}
            if vec.region_index(step)[0][0] == k and eq.game.parameters[x].domain.contains(float(step[x][0])):
                break
        else:
            continue  # both steps leave the region (or the domain)
        fd = (_quantity(eq, vec(step), row["quantity"])[0] - _quantity(eq, out0, row["quantity"])[0]) / h
        t = 1e-4 * (1 + abs(_quantity(eq, out0, row["quantity"])[0]))
        assert {"+": fd > -t, "-": fd < t, "0": abs(fd) <= t, "+0": fd >= -t, "-0": fd <= t}[row["sign"]], (row, fd)
        checked += 1
    return checked, candidates


def _check_inside(eq, rows, pt):
    """The finite-difference check at a point drawn inside a region: it must check something."""
    res = check_finite_differences(eq, rows, pt)
    assume(res is not None)  # outside the regions under test: hypothesis draws another point
    checked, candidates = res
    assert candidates > 0, f"region at {pt} has no proved row to check"
    assert checked > 0, f"no proved row checked at {pt} ({candidates} candidates: every step left the region)"


def test_rows_have_the_contract(rows):
    _, rs = rows
    assert rs and all(set(r) >= {"quantity", "parameter", "region", "derivative", "sign", "proved"} for r in rs)
    assert all(r["sign"] in ("+", "-", "0", "+0", "-0", "?") for r in rs)
    assert {r["quantity"] for r in rs} >= {"omega", "alpha1", "U_G", "U_D", "W"}
    assert sum(r["proved"] for r in rs) > len(rs) / 2
    # a few signs every reader of MODEL.md expects, derived here
    sign = {(r["label"], r["quantity"], r["parameter"]): r["sign"] for r in rs}
    assert sign["comply", "omega", "theta"] == "+" and sign["defy", "U_G", "p"] == "-"


@FAST
@given(points_strategy(OPEN.game))
def test_proved_signs_hold_by_finite_differences(rows, pt):
    eq, rs = rows
    _check_inside(eq, rs, pt)


def test_finite_differences_reach_every_region(rows):
    """Seeded points: in each region under test most proved rows are checked (a check that
    silently checks nothing fails here)."""
    eq, rs = rows
    done, total = {}, {}
    for pt in random_points(eq.game, 300, seed=1):
        res = check_finite_differences(eq, rs, pt)
        if res is not None:
            k = int(Vectorized(eq).region_index({n: np.array([float(v)]) for n, v in pt.items()})[0][0])
            done[k], total[k] = done.get(k, 0) + res[0], total.get(k, 0) + res[1]
    assert sorted(done) == [0, 1, 2], done  # comply, defy, already open
    assert all(total[k] > 0 and done[k] >= 0.9 * total[k] for k in done), (done, total)


@FAST
@given(st.data())
def test_fine_tuning_statics(data):
    rs = _fine_rows()
    pt = data.draw(points_strategy(FINE.game))
    _check_inside(FINE, rs, pt)


_CACHE = {}


def _fine_rows():
    if "fine" not in _CACHE:
        _CACHE["fine"] = comparative_statics(FINE)
    return _CACHE["fine"]


def test_numeric_certificate_when_unproved():
    rs = _fine_rows()
    unproved = [r for r in rs if not r["proved"]]
    assert unproved and all(r["sign"] == "?" or r["sign"] in ("+", "-", "0", "+0", "-0") for r in unproved)
    assert numeric_sign([1.0, 2.0]) == "+" and numeric_sign([1.0, -1.0]) is None and numeric_sign([]) is None


def test_square_root_rule():
    game = OPEN.game
    c, p = game.symbol("c"), game.symbol("p")
    pr = prover_for(game, [p > 0])
    assert prove_sign(pr, sp.sqrt(c * p) - 0) == "+"
    assert prove_sign(pr, -1 + sp.sqrt(1 + c * p)) == "+"  # a < 0 < sqrt(r): sign of r - a**2
    assert prove_sign(pr, 1 - sp.sqrt(1 + c * p)) == "-"


def test_cli_statics_json_for_a_builtin_and_a_file(tmp_path, capsys):
    assert main(["statics", "fine-tuning", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out and {"quantity", "parameter", "region", "derivative", "sign", "proved"} <= set(out[0])
    f = tmp_path / "monopoly.toml"
    f.write_text(MONOPOLY)
    assert main(["statics", str(f), "--json", "--no-cache"]) == 0
    out = json.loads(capsys.readouterr().out)
    dq = {r["parameter"]: r["sign"] for r in out if r["quantity"] == "q"}
    assert dq == {"a": "+", "k": "-"} and all(r["proved"] for r in out if r["quantity"] == "q")


def test_cli_derive(capsys):
    assert main(["derive", "fine-tuning"]) == 0
    assert "no derivations" in capsys.readouterr().out
