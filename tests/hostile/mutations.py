"""Structural mutations of the project's models (see ``generate``): cosmetic rewrites,
dropped and duplicated keys, wrong types, bad and degenerate domains, contradictory
assumptions, huge numbers, deep nesting, bad bytes, long strings.

Each step is ``step(corpus)`` and adds its cases with ``corpus.add``.  Steps on the
expensive bases (the openness games) add only what is refused when the file is read,
or what leaves the model's data unchanged (the derivation cache answers those), so
that the whole corpus runs in CI.
"""
from __future__ import annotations

import datetime as dt
import re

from .tomlemit import dumps

CHEAP = ("stackelberg", "cournot", "fine-tuning", "three-firms", "capacity")


def _expr_fields(d):
    """(container, key) of every expression string of a model's data."""
    for k in d.get("parameters", {}):
        yield d["parameters"], k
    for mv in d.get("moves", []):
        for k in mv.get("choose", {}):
            yield mv["choose"], k
    for k in d.get("payoffs", {}):
        yield d["payoffs"], k
    for k in d.get("disagreement", {}):
        yield d["disagreement"], k
    for i in range(len(d.get("assume", []))):
        yield d["assume"], i


def rename(d, old, new):
    """``d`` with the name ``old`` (a parameter, choice or player) called ``new`` throughout."""
    word = re.compile(rf"\b{re.escape(old)}\b")
    for box, k in list(_expr_fields(d)):
        if isinstance(box[k], str):
            box[k] = word.sub(new, box[k])
    for table in ("parameters", "latex", "payoffs", "tie_break", "disagreement"):
        if table in d:
            d[table] = {new if k == old else k: v for k, v in d[table].items()}
    for mv in d.get("moves", []):
        mv["choose"] = {new if k == old else k: v for k, v in mv["choose"].items()}
        if mv.get("player") == old:
            mv["player"] = new
    return d


def _reversed(v):
    if isinstance(v, dict):
        return {k: _reversed(x) for k, x in reversed(list(v.items()))}
    return v


def cosmetic(c):
    for base in c.bases:
        d, text = c.data(base), c.text(base)
        c.add("cosmetic:reemit", base, dumps(d), "equal")
        c.add("cosmetic:comments", base, dumps(d, comments=True), "equal")
        c.add("cosmetic:crlf", base, text.replace("\n", "\r\n"), "equal")
        c.add("cosmetic:reorder-keys", base, dumps({k: _reversed(v) for k, v in reversed(list(d.items()))}), "equal")
        c.add("cosmetic:trailing", base, text + "\n\n# the end\n   \n", "equal")
        c.add("cosmetic:bom", base, "\ufeff" + text, "same")
        if base in CHEAP:
            c.add("cosmetic:spacing", base, dumps(d, spacing="   "), "equal")
            d2 = c.data(base)
            for box, k in _expr_fields(d2):
                box[k] = "  " + box[k].replace(",", " , ").replace("(", "( ") + "  "
            c.add("cosmetic:spaces-in-strings", base, dumps(d2), "equal")
            d3 = c.data(base)
            d3["moves"] = d3["moves"][::-1]
            c.add("cosmetic:moves-reversed", base, dumps(d3), "equal")


_OPTIONAL_EQUAL = ("title", "description", "latex")  # presentation only: the answer must not change


def drop(c):
    for base in c.bases:
        d0 = c.data(base)
        cheap = base in CHEAP
        for k in d0:
            if k in ("name", "moves", "payoffs", "parameters") or cheap:
                d = c.data(base)
                del d[k]
                c.add("drop:top", base, dumps(d), "equal" if k in _OPTIONAL_EQUAL else "any", name=k)
        for table in ("parameters", "payoffs", "latex", "labels", "tie_break", "disagreement"):
            for k in d0.get(table, {}):
                if table in ("parameters", "payoffs") or cheap:
                    d = c.data(base)
                    del d[table][k]
                    c.add(f"drop:{table}", base, dumps(d), "equal" if table == "latex" else "any", name=k)
        for i, mv in enumerate(d0.get("moves", [])):
            for k in ("stage", "player", "choose"):
                d = c.data(base)
                del d["moves"][i][k]
                c.add("drop:move-key", base, dumps(d), name=f"{i}.{k}")
            if cheap:
                d = c.data(base)
                del d["moves"][i]
                c.add("drop:move", base, dumps(d), name=str(i))
        if d0.get("assume") and cheap:
            d = c.data(base)
            d["assume"] = []
            c.add("drop:assume-all", base, dumps(d))


def dup(c):
    for base in c.bases:
        text, d = c.text(base), c.data(base)
        c.add("dup:top-key", base, f'name = "{d["name"]}-2"\n' + text)
        first = next(iter(d["parameters"]))
        c.add("dup:parameter", base, text.replace("[parameters]\n", f'[parameters]\n{first} = "positive"\n', 1))
        c.add("dup:table", base, text + '\n[parameters]\nzz = "positive"\n')
        player = d["moves"][0]["player"]
        c.add("dup:payoff-quoted", base, text + f'\n[payoffs.extra]\n"{player}" = "0"\n')
        mv = d["moves"][0]
        var = next(iter(mv["choose"]))
        dumped = dumps(d)
        c.add("dup:inline-key", base, dumped.replace(f"{{ {var} = ", f'{{ {var} = "[0, 1]", {var} = ', 1))
        d2 = c.data(base)
        d2["moves"].append(dict(d2["moves"][0]))
        c.add("dup:move", base, dumps(d2))
        d3 = c.data(base)
        d3["moves"].append({"stage": 9, "player": "Z", "choose": dict(mv["choose"])})
        d3["payoffs"]["Z"] = "0"
        c.add("dup:variable-twice", base, dumps(d3))


_WRONG = [1, 1.5, True, [], {}, ["x", 1], {"a": 1}, dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.timezone.utc),
          "", " ", -1, 10**30, float("nan"), float("inf")]


def _type_fields(d):
    """(field name, setter) for every value of a model, the tables themselves included."""
    def at(*path):
        def put(dd, v):
            box = dd
            for p in path[:-1]:
                box = box[p]
            box[path[-1]] = v
        return ".".join(map(str, path)), put
    out = [at(k) for k in d]
    for table in ("parameters", "latex", "payoffs", "labels", "tie_break", "disagreement"):
        out += [at(table, k) for k in list(d.get(table, {}))[:2]]
    for i, mv in enumerate(d.get("moves", [])[:2]):
        out += [at("moves", i), at("moves", i, "stage"), at("moves", i, "player"), at("moves", i, "choose")]
        out += [at("moves", i, "choose", k) for k in list(mv["choose"])[:1]]
    out += [at("assume", 0)] if d.get("assume") else []
    return out


def wrong_types(c):
    for base in c.bases:
        for where, put in _type_fields(c.data(base)):
            values = c.rng.sample(_WRONG, 3)
            for k, v in enumerate(values):
                if base not in CHEAP and (where in ("title", "description") or where.startswith(("payoffs.", "labels.", "latex."))):
                    continue  # accepted (a constant payoff, an empty title): too slow on the openness games
                d = c.data(base)
                put(d, v)
                c.add("type:" + where.split(".")[0], base, dumps(d), name=f"{where}={type(v).__name__}:{str(v)[:12]}",
                      draw=k)


_PARAM_DOMAINS = ["(1, 0)", "(0, 0)", "[1, 1)", "(1, 1]", "[1, 1]", "[0, 0]", "(oo, 0)", "(-oo, -oo)", "(oo, oo)",
                  "[0, nan]", "(0, zoo)", "(0, 1e-400)", "(0, 1e400)", "(0, 1e-300)", "[-0.0, 0.0]", "[2, 1]",
                  "positiv", "(0 1)", "(0,,1)", "(0, 1, 2)", "[0, 1", "0, 1", "(a, b)", "(0, I)", "(0, E)",
                  "(sqrt(2), sqrt(2))", "(1, 1 + 10**-400)", "(0, 10**400)", "(0, oo]", "[-oo, oo]", "()", "(,)",
                  "(0, 1)) or (2, 3", "(-1, -2)"]
_SAFE_ON_EXPENSIVE = {"(1, 0)", "(0, 0)", "[1, 1)", "(1, 1]", "(oo, 0)", "(-oo, -oo)", "(oo, oo)", "[0, nan]",
                      "(0, zoo)", "(0, 1e-400)", "(0, 1e400)", "[2, 1]", "positiv", "(0 1)", "(0,,1)", "(0, 1, 2)",
                      "[0, 1", "0, 1", "(a, b)", "(0, I)", "()", "(,)", "(0, 1)) or (2, 3", "(-1, -2)"}


def domains(c):
    for base in c.bases:
        d0 = c.data(base)
        params = list(d0.get("parameters", {}))
        for k, pname in enumerate(params[:2] if base in CHEAP else params[:1]):
            for dom in _PARAM_DOMAINS:
                if base not in CHEAP and dom not in _SAFE_ON_EXPENSIVE:
                    continue
                d = c.data(base)
                d["parameters"][pname] = dom.replace("(a, b)", f"({params[-1]}, {params[0]})")
                c.add("domain:parameter", base, dumps(d), name=f"{pname}={dom}", draw=k)
        for i, mv in enumerate(d0["moves"][:2]):
            var = next(iter(mv["choose"]))
            earlier = [p for p in params][:1]
            for dom in ["[1, 0]", "[0, 0)", "(0, 0]", "[0, 0]", "(5, 5)", f"[{earlier[0]}, {earlier[0]})" if earlier else "[2, 1]",
                        f"({earlier[0]}, {earlier[0]} - 1)" if earlier else "[3, 1]", "(oo, oo)", "[0, zoo)", f"[{var}, oo)",
                        "[0, 1e400)", "[-oo, -oo]"]:
                d = c.data(base)
                d["moves"][i]["choose"][var] = dom
                c.add("domain:choice", base, dumps(d), name=f"{var}={dom}")


def assumptions(c):
    extra = {
        "contradiction": [["a > c", "c > a"], ["a > c", "a < c"], ["a > c", "a <= c"], ["a > 2*c", "a < c"],
                          ["a > c + 1", "a < c + 1"], ["a < 0"], ["a > c", "c > b", "b > a"], ["a*b < 0"],
                          ["a > 10**400", "a < 1"], ["(a > c) & (a < c)"], ["a < -c"], ["a + b + c < 0"],
                          ["a > c", "a - c < -1"], ["a**2 < -1"]],
        "degenerate": [["a >= c", "a <= c"], ["a > c", "Eq(a, c)"], ["a == c"], ["a > c", "a == c"]],
        "redundant": [["a > c", "a > c"], ["a > c", "a > 0"], ["c < a"], ["a - c > 0"], ["a > c", "b > 0", "c > 0"]],
        "bad": [["(a > c) | (a < c)"], ["a"], ["a > q1"], ["True"], ["False"], ["a != c"], ["a > c", 1], ["a >"],
                ["a > oo"], ["a < oo"], ["a > zz"]],
    }
    for base in ("stackelberg", "cournot", "capacity", "three-firms"):
        for kind, lists in extra.items():
            for rels in lists:
                d = c.data(base)
                d["assume"] = rels
                expect = "equal" if kind == "redundant" else "any"
                c.add(f"assume:{kind}", base, dumps(d), expect, name=" & ".join(map(str, rels)))
    for base in ("openness", "openness-endogenous", "openness-user", "fine-tuning"):
        first = next(iter(c.data(base)["parameters"]))
        for rels in (["delta > 1"], ["delta < 0"], ["delta > 1/2", "delta < 1/4"], [f"{first} < -1"],
                     ["c0 > 1", "c0 < 1"] if "c0" in c.data(base)["parameters"] else ["c > 1", "c < 1"]):
            d = c.data(base)
            d["assume"] = list(d.get("assume", [])) + rels
            c.add("assume:contradiction", base, dumps(d), name=" & ".join(rels))


BIG = "1" + "2345678901" * 40  # a 401-digit number


def numbers(c):
    for base in ("stackelberg", "cournot", "fine-tuning"):
        d0 = c.data(base)
        player, expr = next(iter(d0["payoffs"].items()))
        first = next(iter(d0["parameters"]))
        for name, new in [("coef-400-digits", f"{BIG}*({expr})"), ("coef-tiny", f"({expr})/{BIG}"),
                          ("float-max", f"1.7976931348623157e308*({expr})"), ("float-subnormal", f"5e-324*({expr})"),
                          ("float-overflow", f"1e309*({expr})"), ("float-400-decimals", f"0.{'3' * 400}*({expr})"),
                          ("power-999", f"10**999*({expr})"), ("power-too-big", f"10**10000*({expr})"),
                          ("digits-5000", f"{'9' * 5000}*({expr})"), ("neg-zero", f"-0.0 + ({expr})"),
                          ("param-400-digit-add", f"({expr}) + {BIG}*{first}")]:
            d = c.data(base)
            d["payoffs"][player] = new
            c.add("number:payoff", base, dumps(d), name=name)
        for name, dom in [("bound-400-digits", f"(0, {BIG})"), ("bound-tiny", f"(0, 1/{BIG})"),
                          ("bound-1e308", "(0, 1e308)"), ("bound-power", "(0, 10**999)")]:
            d = c.data(base)
            d["parameters"][first] = dom
            c.add("number:domain", base, dumps(d), name=name)
        for name, stage in [("stage-huge", 10**30), ("stage-int64", 2**63 - 1), ("stage-hex", 1), ("stage-zero", 0)]:
            d = c.data(base)
            d["moves"][-1]["stage"] = stage
            text = dumps(d).replace("stage = 1\n", "stage = 0x1\n") if name == "stage-hex" else dumps(d)
            c.add("number:stage", base, text, name=name)
        d = c.data(base)
        d["assume"] = list(d.get("assume", [])) + [f"{first} < {BIG}"]
        c.add("number:assume", base, dumps(d), name="huge-bound-assumption")
    for base in ("openness", "openness-endogenous"):
        d = c.data(base)
        d["payoffs"]["G"] = f"{'9' * 5000}*({d['payoffs']['G']})"
        c.add("number:payoff", base, dumps(d), name="digits-5000")
