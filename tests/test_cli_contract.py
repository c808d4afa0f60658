"""The CLI's JSON contract and its handling of bad input."""
import json
import os
import subprocess
import sys
from pathlib import Path

import sympy as sp

from openeq.io.serialize import read_expression, record_names

ROOT = Path(__file__).resolve().parents[1]
OPEN = dict(alpha0="1", delta="0.5", c="1", epsilon="1", gamma="1", theta="0.7", p="0.1")


def run(*args, input=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "openeq.cli", *args], capture_output=True, text=True, cwd=ROOT, env=env, input=input, timeout=600)


def test_solve_json_contract():
    r = run("solve", "openness", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["model"] == "openness"
    assert set(data["parameters"]) == {"alpha0", "delta", "c", "epsilon", "gamma", "theta", "p"}
    names = record_names(data)
    assert names == [*data["parameters"], "omega", "alpha1"]
    ns = {n: sp.Symbol(n) for n in names}
    labels = {reg["label"] for reg in data["regions"]}
    assert labels == {"already_open", "comply", "defy"}
    conds = [read_expression(reg["condition"], names, kind="condition") for reg in data["regions"]]
    for reg in data["regions"]:
        assert set(reg) >= {"label", "condition", "strategies", "payoffs", "best_responses"}
        for e in list(reg["strategies"].values()) + list(reg["payoffs"].values()) + list(reg["best_responses"].values()):
            assert {str(s) for s in read_expression(e, names).free_symbols} <= set(names)
    import random

    rnd = random.Random(3)
    for _ in range(200):
        pt = {ns["alpha0"]: sp.Rational(rnd.randint(1, 300), 100), ns["delta"]: sp.Rational(rnd.randint(1, 99), 100),
              ns["c"]: sp.Rational(rnd.randint(1, 300), 100), ns["epsilon"]: sp.Rational(rnd.randint(0, 200), 100),
              ns["gamma"]: sp.Rational(rnd.randint(0, 200), 100), ns["theta"]: sp.Rational(rnd.randint(0, 10), 10),
              ns["p"]: sp.Rational(rnd.randint(0, 100), 100)}
        assert sum(bool(c.subs(pt)) for c in conds) == 1, pt


SYMPY_NAMED = """
name = "sympy-named"
[parameters]
I = "positive"
gamma = "positive"
E = "positive"
[[moves]]
stage = 1
player = "M"
choose = { S = "[0, oo)" }
[payoffs]
M = "(I - gamma*S)*S - E"
"""


def test_names_of_sympy_constants_read_back_as_symbols(tmp_path):
    """I, gamma, E and S are the game's own names in the JSON, and read back as such."""
    (tmp_path / "m.toml").write_text(SYMPY_NAMED)
    r = run("solve", str(tmp_path / "m.toml"), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    names = record_names(data)
    I, gamma, E = sp.symbols("I gamma E")
    (reg,) = data["regions"]
    assert read_expression(reg["strategies"]["S"], names) == I / (2 * gamma)
    assert sp.simplify(read_expression(reg["payoffs"]["M"], names) - (I**2 / (4 * gamma) - E)) == 0
    assert read_expression(reg["condition"], names, kind="condition") in (sp.true, True)


def test_eval_json():
    r = run("eval", "openness", *[f"{k}={v}" for k, v in OPEN.items()], "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["regime"] == "defy"
    assert abs(d["strategies"]["omega"] - 1 / 3) < 1e-12
    assert set(d) >= {"model", "parameters", "strategies", "payoffs", "regime"}


def test_eval_points_in_order(tmp_path):
    pts = [dict({k: float(v) for k, v in OPEN.items()}, theta=t) for t in (0.0, 0.2, 0.7, 1.0)]
    f = tmp_path / "pts.json"
    f.write_text(json.dumps(pts))
    r = run("eval", "openness", "--points", str(f), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [o["parameters"]["theta"] for o in out] == [0.0, 0.2, 0.7, 1.0]
    assert [o["regime"] for o in out][:3] == ["already_open", "already_open", "defy"]


def bad(*args):
    r = run(*args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_bad_input_is_one_line_exit_2(tmp_path):
    args = [f"{k}={v}" for k, v in OPEN.items()]
    assert "alpha0" in bad("eval", "openness", *[a for a in args if not a.startswith("alpha0")])
    assert "delta" in bad("eval", "openness", *[a for a in args if not a.startswith("delta")], "delta=1.5")
    assert "zeta" in bad("eval", "openness", *args, "zeta=1")
    assert "theta" in bad("eval", "openness", *[a for a in args if not a.startswith("theta")], "theta=abc")
    assert "p" in bad("eval", "openness", *[a for a in args if not a.startswith("p=")], "p=-1")
    assert "nan" in bad("eval", "openness", *[a for a in args if not a.startswith("p=")], "p=nan").lower()
    assert "no-such-model" in bad("solve", "no-such-model")
    f = tmp_path / "pts.json"
    f.write_text("[{\"alpha0\": 1}]")
    assert "delta" in bad("eval", "openness", "--points", str(f))
    for cmd in ("verify", "statics"):  # no sampled point would pass every check vacuously
        assert "--samples 0" in bad(cmd, "fine-tuning", "--samples", "0")
    (tmp_path / "fifo.toml").unlink(missing_ok=True)
    os.mkfifo(tmp_path / "fifo.toml")
    assert "not a regular file" in bad("solve", str(tmp_path / "fifo.toml"))
    assert "not a regular file" in bad("solve", "/dev/zero")
    assert "outside its domain" in bad("plot", "openness", "strategies", "--x", "alpha0", "delta=2",
                                       *[a for a in args if not a.startswith(("alpha0", "delta"))], "-o", str(tmp_path / "f.pdf"))


def test_verify_last_line():
    r = run("verify", "openness", "--samples", "12", "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "12 passed, 0 failed"
    assert "verify openness" not in r.stderr  # no progress noise when stderr is not a terminal (core.progress)
