"""Batch evaluation: ``openeq eval MODEL --points FILE -o OUT`` with CSV, NPZ and JSON,
in chunks; the text codec against Python's own float() and repr(); clean errors."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from openeq.core.errors import InputError
from openeq.evaluate import batchio, textcodec
from openeq.evaluate.batch import evaluate_file
from openeq.evaluate.exact import evaluate
from openeq.verify.numeric import solve_numeric
from openeq.verify.sampling import random_points

ROOT = Path(__file__).resolve().parents[1]
CAPACITY = ROOT / "examples" / "capacity.toml"


def cli(*argv):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "openeq.cli", "eval", *map(str, argv)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def capacity():
    import openeq

    return openeq.solve_model(CAPACITY)


def write_csv(path, game, pts, sep=",", newline="\n"):
    names = list(game.parameters)
    lines = [sep.join(names)] + [sep.join(repr(p[n]) for n in names) for p in pts]
    path.write_bytes((newline.join(lines) + newline).encode())
    return path


# ------------------------------------------------------------------ the codec
def special_doubles():
    rng = np.random.default_rng(7)
    bits = rng.integers(0, 2**63, size=20000, dtype=np.uint64)
    xs = bits.view(np.float64)
    xs = xs[np.isfinite(xs)]
    return np.concatenate([xs, -xs[:500], rng.uniform(0, 1, 5000), 10 ** rng.uniform(-8, 8, 5000),
                           [0.1, 0.5, 1.0, 1e16, 1e-5, 1e23, 5e-324, 2.2250738585072014e-308,
                            1.7976931348623157e308, 9007199254740993.0, 0.3, 2 / 3]])


@pytest.mark.parametrize("python", [False, True])
def test_codec_round_trips_and_reads_like_float(python, monkeypatch):
    if python:
        monkeypatch.setattr(textcodec, "codec", lambda: None)
    elif textcodec.codec() is None:
        pytest.skip("no C compiler")
    xs = special_doubles()
    same = 0
    for x in xs:
        s = textcodec.format_number(x)
        assert float(s) == x, (repr(x), s)  # every written number reads back exactly
        same += s == repr(float(x))
        for text in (repr(float(x)), "%.17g" % x, "%.25e" % x, "%.4g" % x):
            assert textcodec.parse_number(text) == float(text), text
    assert same >= 0.99 * len(xs)  # and is Python's shortest repr nearly always
    for bad in ("", "abc", "1e", "0x10", "1_0", "1.5.5", "--1", "."):
        assert textcodec.parse_number(bad) is None, bad
    assert textcodec.parse_number("1" + "0" * 400) == float("inf")
    assert textcodec.parse_number("-0") == 0.0 and str(textcodec.parse_number("-0")) == "-0.0"


def test_format_and_parse_rows_with_echo():
    cols = [np.array([0.1, 2.0, -3e-7]), np.array([1e300, 5.0, 0.0])]
    text = textcodec.format_rows([textcodec.field(c) for c in cols], 3)
    assert text == b"0.1,1e+300\n2.0,5.0\n-3e-07,0.0\n"
    back, starts, lens, lines = textcodec.parse_rows(b" 1, 2 \r\n\n3,4\n", 2)
    assert [list(c) for c in back] == [[1.0, 3.0], [2.0, 4.0]] and lines == 3
    rows = textcodec.format_rows([textcodec.field(np.array([7, 8.5])), textcodec.field([1, 0], ["a,b", "c"])], 2,
                                 echo=b" 1, 2 \r\n\n3,4\n", starts=starts, lens=lens)
    assert rows == b' 1, 2,7.0,c\n3,4,8.5,"a,b"\n'
    with pytest.raises(textcodec.CsvSyntaxError) as e:
        textcodec.parse_rows(b"1,2\n3,x\n", 2)
    assert (e.value.offset, e.value.field) == (4, 1)


# ------------------------------------------------------------------ files
def test_csv_to_csv_echoes_rows_and_matches_the_verifier(capacity, tmp_path):
    g = capacity.game
    pts = random_points(g, 40, seed=11)
    src = write_csv(tmp_path / "p.csv", g, pts)
    r = cli(CAPACITY, "--points", src, "-o", tmp_path / "o.csv")
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "o.csv").read_text().splitlines()
    inp = src.read_text().splitlines()
    assert lines[0] == inp[0] + ",q1,q2,U_L,U_F,regime"
    for i, (line, pt) in enumerate(zip(lines[1:], pts)):
        assert line.startswith(inp[i + 1] + ",")  # the input row, unchanged
        fields = line.split(",")
        q1, q2, ul, uf = map(float, fields[4:8])
        exact = evaluate(capacity, pt)
        assert fields[8] == exact["regime"]
        assert np.isclose(q1, exact["strategies"]["q1"], rtol=1e-12) and np.isclose(uf, exact["payoffs"]["F"], rtol=1e-12)
        if i < 8:  # the independent brute-force solver
            ref = solve_numeric(g, pt)
            assert abs(q2 - ref["strategies"]["q2"]) <= 1e-4 * (1 + abs(q2))
            assert abs(ul - ref["payoffs"]["L"]) <= 1e-6 * (1 + abs(ul))


def test_formats_agree(capacity, tmp_path):
    g = capacity.game
    pts = random_points(g, 30, seed=12)
    (tmp_path / "p.json").write_text(json.dumps(pts))
    write_csv(tmp_path / "p.csv", g, pts)
    np.savez(tmp_path / "p.npz", **{n: np.array([p[n] for p in pts]) for n in g.parameters})
    for src in ("p.json", "p.csv", "p.npz"):
        for dst in ("json", "npz", "csv"):
            assert evaluate_file(capacity, tmp_path / src, tmp_path / f"{src}.{dst}") == 30
    ref = json.loads((tmp_path / "p.json.json").read_text())
    assert ref[0]["schema"] == 1 and set(ref[0]) == {"schema", "model", "parameters", "strategies", "payoffs", "regime"}
    for src in ("p.csv", "p.npz"):
        assert json.loads((tmp_path / f"{src}.json").read_text()) == ref
    stdout = cli(CAPACITY, "--points", tmp_path / "p.json", "--json")
    assert json.loads(stdout.stdout) == ref
    z = np.load(tmp_path / "p.csv.npz")
    assert list(z.keys()) == list(g.parameters) + ["q1", "q2", "U_L", "U_F", "regime"]
    assert z["regime"].dtype.kind == "U" and list(z["regime"]) == [r["regime"] for r in ref]
    assert np.array_equal(z["q1"], [r["strategies"]["q1"] for r in ref])
    csv_from_npz = (tmp_path / "p.npz.csv").read_text().splitlines()
    assert csv_from_npz[0] == ",".join(list(g.parameters) + ["q1", "q2", "U_L", "U_F", "regime"])
    assert [float(x) for x in csv_from_npz[1].split(",")[:4]] == [pts[0][n] for n in g.parameters]


def test_chunks_give_the_same_output(capacity, tmp_path, monkeypatch):
    g = capacity.game
    pts = random_points(g, 3000, seed=13)
    src = write_csv(tmp_path / "p.csv", g, pts)
    evaluate_file(capacity, src, tmp_path / "whole.csv")
    evaluate_file(capacity, src, tmp_path / "whole.npz")
    monkeypatch.setattr(batchio, "BLOCK", 997)  # many blocks, cut mid-line
    monkeypatch.setattr(batchio, "ROWS", 101)
    evaluate_file(capacity, src, tmp_path / "chunked.csv")
    assert (tmp_path / "chunked.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    np.savez(tmp_path / "p.npz", **{n: np.array([p[n] for p in pts]) for n in g.parameters})
    evaluate_file(capacity, tmp_path / "p.npz", tmp_path / "chunked.npz")
    a, b = np.load(tmp_path / "whole.npz"), np.load(tmp_path / "chunked.npz")
    assert all(np.array_equal(a[k], b[k]) for k in a.keys())
    # a bad point far into the file is named by its line, across block boundaries
    lines = src.read_text().splitlines()
    lines[2500] = lines[2500].replace(lines[2500].split(",")[1], "-1", 1)  # b = -1: outside (0, oo)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"bad\.csv line 2501: .*'b'"):
        evaluate_file(capacity, bad, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv")]  # no temporary left behind


def test_crlf_blank_lines_and_spaces(capacity, tmp_path):
    g = capacity.game
    pts = random_points(g, 5, seed=14)
    src = write_csv(tmp_path / "p.csv", g, pts, sep=" , ", newline="\r\n")
    src.write_bytes(src.read_bytes().replace(b"\r\n", b"\r\n\r\n", 2))
    assert evaluate_file(capacity, src, tmp_path / "o.json") == 5
    got = json.loads((tmp_path / "o.json").read_text())
    assert [r["parameters"] for r in got] == [{n: p[n] for n in g.parameters} for p in pts]


def test_columns_in_any_order_and_symbol_free_header(capacity, tmp_path):
    g = capacity.game
    pts = random_points(g, 4, seed=15)
    names = list(reversed(list(g.parameters)))
    (tmp_path / "p.csv").write_text(",".join(f'"{n}"' for n in names) + "\n" +
                                    "\n".join(",".join(repr(p[n]) for n in names) for p in pts) + "\n")
    evaluate_file(capacity, tmp_path / "p.csv", tmp_path / "o.json")
    got = json.loads((tmp_path / "o.json").read_text())
    assert np.allclose([r["strategies"]["q1"] for r in got], [evaluate(capacity, p)["strategies"]["q1"] for p in pts],
                       rtol=1e-12, atol=0)


@pytest.mark.parametrize("text, message", [
    ("a,b,c,K\n3,1,1,1\n3,1,oops,1\n", r"line 3: column 'c': 'oops' is not a number"),
    ("a,b,c,K\n3,1,1\n", r"line 2: 3 fields; expected 4"),
    ("a,b,c,K\n3,1,1,1,9\n", r"line 2: more than the header's 4 fields"),
    ("a,b,c\n3,1,1\n", r"line 1: missing parameter 'K'"),
    ("a,b,c,K,z\n", r"line 1: unknown parameter 'z'"),
    ("a,b,c,K\n1,1,2,1\n", r"line 2: parameters violate the assumption a > c"),
    ("a,b,c,K\n3,nan,1,1\n", r"line 2: parameter 'b': .*not finite"),
    ("", r"empty file"),
])
def test_bad_csv_exits_2_with_one_line(tmp_path, text, message):
    (tmp_path / "p.csv").write_text(text)
    r = cli(CAPACITY, "--points", tmp_path / "p.csv", "-o", tmp_path / "o.csv")
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("openeq: error: --points ")
    assert re.search(message, lines[0]), lines[0]
    assert not (tmp_path / "o.csv").exists()


def test_bad_files_and_options(tmp_path):
    (tmp_path / "p.csv").write_text("a,b,c,K\n3,1,1,1\n")
    (tmp_path / "p.npz").write_bytes(b"not a zip")
    (tmp_path / "dir.csv").mkdir()
    os.mkfifo(tmp_path / "fifo.csv")
    np.savez(tmp_path / "obj.npz", a=np.array([[1.0]]), b=np.ones(1), c=np.ones(1), K=np.ones(1))
    cases = [
        (["--points", tmp_path / "p.txt"], "expected a .csv, .npz or .json file"),
        (["--points", tmp_path / "p.csv", "-o", tmp_path / "o.xlsx"], "-o .*expected a .csv, .npz or .json"),
        (["--points", tmp_path / "p.csv", "-o", tmp_path / "p.csv"], "the same file as --points"),
        (["--points", tmp_path / "p.csv", "-o", tmp_path / "dir.csv"], "is a directory"),
        (["--points", tmp_path / "dir.csv", "-o", tmp_path / "o.csv"], "not a regular file|Is a directory"),
        (["--points", tmp_path / "fifo.csv", "-o", tmp_path / "o.csv"], "not a regular file"),
        (["--points", tmp_path / "p.npz", "-o", tmp_path / "o.csv"], "not an NPZ file"),
        (["--points", tmp_path / "obj.npz", "-o", tmp_path / "o.csv"], "expected one dimension"),
        (["a=1", "-o", tmp_path / "o.csv"], "-o needs --points"),
    ]
    for argv, message in cases:
        r = cli(CAPACITY, *argv)
        assert r.returncode == 2, (argv, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and re.search(message, r.stderr), (argv, r.stderr)


def test_non_finite_results_are_refused(tmp_path):
    from openeq import Game, solve

    g = Game("huge")
    a = g.parameter("a", "positive")
    (q,) = g.move("M", stage=1, choose={"q": "[0, oo)"})
    g.payoff("M", (a - q) * q * 10 ** 300)
    eq = solve(g)
    (tmp_path / "p.csv").write_text("a\n2\n1e10\n")
    with pytest.raises(InputError, match=r"p\.csv line 3: U_M is not finite \(inf\) at a=10000000000\.0"):
        evaluate_file(eq, tmp_path / "p.csv", tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()


def test_regulation_fields_in_csv_match_json(tmp_path, openness_eq):
    pts = random_points(openness_eq.game, 25, seed=16)
    (tmp_path / "p.json").write_text(json.dumps(pts))
    r = cli("openness", "--points", tmp_path / "p.json", "-o", tmp_path / "o.csv")
    assert r.returncode == 0, r.stderr
    js = json.loads(cli("openness", "--points", tmp_path / "p.json", "--json").stdout)
    header, *rows = (tmp_path / "o.csv").read_text().splitlines()
    cols = header.split(",")
    assert cols[-6:] == ["omega_hat", "effect", "pareto_vs_uniform", "welfare", "theta_star", "p_star"]
    for row, rec in zip(rows, js):
        d = dict(zip(cols, row.split(",")))
        assert float(d["omega"]) == rec["strategies"]["omega"] and d["effect"] == rec["effect"]
        assert d["pareto_vs_uniform"] == ("true" if rec["pareto_vs_uniform"] else "false")
        assert float(d["p_star"]) == rec["critical"]["p_star"] and float(d["welfare"]) == rec["welfare"]
