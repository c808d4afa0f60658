"""Mutations of a model's bytes and sizes (see ``generate``): deep nesting (of
expressions and of TOML itself), bytes that are not UTF-8, NUL and control
characters, Unicode look-alikes, very long strings and very large files."""
from __future__ import annotations

from .tomlemit import dumps

CHEAP = ("stackelberg", "cournot", "fine-tuning", "three-firms", "capacity")


def nesting(c):
    for base in ("stackelberg", "fine-tuning", "openness"):
        d0 = c.data(base)
        player, expr = next(iter(d0["payoffs"].items()))
        var = next(iter(d0["moves"][0]["choose"]))
        first = next(iter(d0["parameters"]))
        exprs = [("parens-150", "(" * 150 + expr + ")" * 150, "any"),
                 ("unary-5000", "-" * 5000 + f"({expr})", "any"), ("invert-3000", "~" * 3000 + first, "any"),
                 ("sqrt-120", "sqrt(" * 120 + first + ")" * 120, "any"),
                 ("piecewise-60", "Piecewise((" * 60 + first + ", True))" * 60, "any"),
                 ("pow-tower", "**".join([first] * 400), "any"), ("call-chain", f"sqrt({first})" + "(1)" * 50, "any")]
        if base in CHEAP:
            exprs += [("parens-40", "(" * 40 + expr + ")" * 40, "equal"),
                      ("minmax-nest-30", "Min(" * 30 + f"{var}" + f", {first})" * 30, "any"),
                      ("exp-log-20", "exp(log(" * 10 + f"({expr}) + 1000" + "))" * 10 + " - 1000", "any")]
        for name, e, expect in exprs:
            d = c.data(base)
            d["payoffs"][player] = e
            c.add("nesting:expression", base, dumps(d), expect, name=name)
        text = c.text(base)
        for name, extra in [("array-100000", "deep = " + "[" * 100000 + "]" * 100000 + "\n"),
                            ("array-500", "deep = " + "[" * 500 + "]" * 500 + "\n"),
                            ("inline-table-5000", "deep = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n"),
                            ("dotted-key-3000", "deep." + ".".join(["a"] * 3000) + " = 1\n"),
                            ("assume-nested", "assume = " + "[" * 300 + '"a > c"' + "]" * 300 + "\n")]:
            c.add("nesting:toml", base, extra + text, name=name)
        d = c.data(base)
        d["parameters"][first] = "(" + "(" * 200 + "0" + ")" * 200 + ", 1)"
        c.add("nesting:domain", base, dumps(d), name="bound-parens-200")


_BAD_BYTES = [("ff", b"\xff"), ("fe-ff", b"\xfe\xff"), ("c3-28", b"\xc3\x28"), ("overlong", b"\xc0\xaf"),
              ("surrogate", b"\xed\xa0\x80"), ("continuation", b"\x80"), ("nul", b"\x00"), ("latin1-e", b"caf\xe9"),
              ("del", b"\x7f"), ("cr-alone", b"\r")]


def byte_level(c):
    for base in c.bases:
        raw = c.text(base).encode("utf-8")
        for name, bad in _BAD_BYTES:
            for _ in range(2):
                at = c.rng.randrange(len(raw) + 1)
                c.add("bytes:raw", base, raw[:at] + bad + raw[at:], name=f"{name}@{at}")
        c.add("bytes:encoding", base, c.text(base).encode("utf-16"), name="utf-16-bom")
        c.add("bytes:encoding", base, c.text(base).encode("utf-16-le"), name="utf-16-le")
        c.add("bytes:encoding", base, c.text(base).encode("utf-32"), name="utf-32")
        c.add("bytes:encoding", base, b"\x00" * 64 + raw, name="leading-nul")
        c.add("bytes:encoding", base, raw[: len(raw) // 2], name="truncated")
        c.add("bytes:encoding", base, b"", name="empty")
        c.add("bytes:encoding", base, raw.replace(b"\n", b"\r"), name="cr-only")


_ESCAPES = [("nul", "a\x00b"), ("ansi", "\x1b[2J\x1b[31mred"), ("bell", "x\x07\x08\x0c"), ("rtl", "ab\u202ecd"),
            ("zero-width", "a\u200bb"), ("cyrillic-a", "\u0430"), ("fullwidth", "\uff41\uff12"),
            ("ligature", "\ufb01x"), ("emoji", "\U0001F600"), ("combining", "a\u0301"), ("nbsp", "a\u00a0b"),
            ("line-sep", "a\u2028b"), ("surrogate-escape", "\udc80")]


def escapes(c):
    """Control and look-alike characters in every kind of field (written as TOML escapes)."""
    for base in ("stackelberg", "cournot"):
        d0 = c.data(base)
        first = next(iter(d0["parameters"]))
        var = next(iter(d0["moves"][0]["choose"]))
        player = d0["moves"][0]["player"]
        for name, s in _ESCAPES:
            edits = {
                "title": lambda d: d.__setitem__("title", f"T{s}T"),
                "description": lambda d: d.__setitem__("description", f"D{s}D"),
                "name": lambda d: d.__setitem__("name", f"n{s}"),
                "parameter": lambda d: _rename_key(d["parameters"], first, first + s),
                "choice": lambda d: _rename_key(d["moves"][0]["choose"], var, var + s),
                "player": lambda d: d["moves"][0].__setitem__("player", player + s),
                "expression": lambda d: d["payoffs"].__setitem__(player, d["payoffs"][player] + f" + {s}"),
                "domain": lambda d: d["parameters"].__setitem__(first, f"(0{s}, 1)"),
                "label": lambda d: d.__setitem__("labels", {"free": f"L{s}"}),
            }
            for where, edit in edits.items():
                d = c.data(base)
                edit(d)
                expect = "equal" if where in ("title", "description") and name != "surrogate-escape" else "any"
                c.add(f"bytes:escape:{where}", base, dumps(d), expect, name=name,
                      appendix=where in ("title", "description", "label") and name in ("nul", "ansi", "rtl", "bell"))


def _rename_key(table, old, new):
    items = list(table.items())
    table.clear()
    table.update({(new if k == old else k): v for k, v in items})


def long_strings(c):
    for base in ("stackelberg", "fine-tuning"):
        d0 = c.data(base)
        player, expr = next(iter(d0["payoffs"].items()))
        first = next(iter(d0["parameters"]))
        cases = [("title-900k", "title", "T" * 900_000, "equal"), ("description-900k", "description", "word " * 180_000, "equal"),
                 ("name-10k", "name", "n" * 10_000, "any"), ("title-1.1M", "title", "T" * 1_100_000, "any")]
        for name, key, value, expect in cases:
            d = c.data(base)
            d[key] = value
            c.add("long:string", base, dumps(d), expect, name=name)
        for name, mutate in [
            ("parameter-name-10k", lambda d: d["parameters"].__setitem__("p" * 10_000, "positive")),
            ("unused-parameters-1000", lambda d: d["parameters"].update({f"u{i}": "positive" for i in range(1000)})),
            ("labels-5000", lambda d: d.__setitem__("labels", {f"t{i}": f"l{i}" for i in range(5000)})),
            ("payoff-9990-chars", lambda d: d["payoffs"].__setitem__(player, f"({expr})" + f" + 0*{first}" * ((9990 - len(expr)) // (4 + len(first))))),
            ("payoff-10001-chars", lambda d: d["payoffs"].__setitem__(player, f"({expr})" + " " * 0 + "+0" * 5000)),
            ("key-100k", lambda d: d.__setitem__("k" * 100_000, 1)),
            ("players-300", lambda d: (d["moves"].extend({"stage": 3 + i, "player": f"P{i}", "choose": {f"x{i}": "[0, 1]"}} for i in range(300)),
                                       d["payoffs"].update({f"P{i}": f"-x{i}**2" for i in range(300)}))),
            ("variables-60", lambda d: d["moves"][0]["choose"].update({f"y{i}": "[0, 1]" for i in range(60)})),
        ]:
            d = c.data(base)
            mutate(d)
            c.add("long:structure", base, dumps(d), name=name)
        c.add("long:file", base, c.text(base) + "#" * 1_000_001 + "\n", name="comment-1M")
