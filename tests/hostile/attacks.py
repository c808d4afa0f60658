"""Attacks (see ``generate``): escape payloads in every field, resource attacks on the
solver, and names that collide with sympy's and Python's own."""
from __future__ import annotations

from . import payloads as P
from .mutations import rename
from .tomlemit import dumps, value

# the sample of payloads run through ``appendix`` (one of a kind, per text field)
APPENDIX_SAMPLE = {"py-system-pow", "py-open-pow", "sympy-bomb", "sympy-names", "tex-input", "tex-protect-input",
                   "tex-input-token", "tex-openout", "tex-def", "tex-brace-close", "tex-percent", "tex-control-chars"}


def _fields(d):
    """field name -> edit(d, payload) for a Stackelberg-shaped model ``d``."""
    first = next(iter(d["parameters"]))
    var = next(iter(d["moves"][-1]["choose"]))
    player = d["moves"][-1]["player"]

    def put(*path):
        def edit(dd, s):
            box = dd
            for p in path[:-1]:
                box = box.setdefault(p, {})
            box[path[-1]] = s
        return edit

    def key_of(table, old):
        def edit(dd, s):
            dd[table] = {(s if k == old else k): v for k, v in dd[table].items()}
        return edit

    return {
        "title": put("title"), "description": put("description"), "label": put("labels", "free"),
        "label-key": put("labels", None), "latex": put("latex", first), "latex-key": put("latex", None),
        "name": put("name"), "parameter-name": key_of("parameters", first), "parameter-domain": put("parameters", first),
        "player": lambda dd, s: dd["moves"][-1].__setitem__("player", s),
        "choice-name": lambda dd, s: dd["moves"][-1].__setitem__("choose", {s: "[0, oo)"}),
        "choice-domain": lambda dd, s: dd["moves"][-1]["choose"].__setitem__(var, s),
        "payoff": put("payoffs", player),
        "payoff-term": lambda dd, s: dd["payoffs"].__setitem__(player, f"{dd['payoffs'][player]} + {s}"),
        "payoff-key": put("payoffs", None), "assume": lambda dd, s: dd.__setitem__("assume", [s]),
        "tie-break": put("tie_break", player), "disagreement": put("disagreement", player),
        "unknown-key": put(None),
    }


_TEXT_FIELDS = ("title", "description", "label", "comment")


def payload_fields(c):
    base = "stackelberg"
    for kind, name, text, leaks in P.ALL:
        for field, edit in _fields(c.data(base)).items():
            d = c.data(base)
            if field.endswith("-key") or field == "unknown-key":
                fixed = {"label-key": ("labels", "x"), "latex-key": ("latex", "x"), "payoff-key": ("payoffs", "0")}
                if field == "unknown-key":
                    d[text] = 1
                else:
                    table, v = fixed[field]
                    d.setdefault(table, {})[text] = v
            else:
                edit(d, text)
            expect = "equal" if field in ("title", "description") else "any"
            c.add(f"payload:{field}:{kind}", base, dumps(d), expect, name=name, leaks=leaks,
                  appendix=field in _TEXT_FIELDS + ("latex",) and name in APPENDIX_SAMPLE)
        # a parameter's comment: the appendix prints it as the parameter's meaning
        d = c.data(base)
        first = next(iter(d["parameters"]))
        lines = dumps(d).splitlines()
        k = lines.index(f"{first} = {value(d['parameters'][first])}")
        lines[k] += "  # " + " ".join("".join(ch if ch >= " " and ch != "\x7f" else " " for ch in text).split())
        c.add(f"payload:comment:{kind}", base, "\n".join(lines) + "\n", "equal", name=name, leaks=leaks,
              appendix=name in APPENDIX_SAMPLE)
    # the labels of a game with pieces (openness: 'free', 'bunch', 'jump' name its regimes)
    for kind, name, text, leaks in P.ALL:
        if name in APPENDIX_SAMPLE:
            d = c.data("openness")
            d["labels"]["jump"] = text
            c.add(f"payload:label:{kind}", "openness", dumps(d), "any", name=f"{name}-regime", leaks=leaks)


def resources(c):
    """Expressions that are cheap to write and dear to solve."""
    for base in ("stackelberg", "cournot"):
        d0 = c.data(base)
        moves = d0["moves"]
        leader, follower = moves[0]["player"], moves[-1]["player"]
        x = next(iter(moves[0]["choose"]))
        y = next(iter(moves[-1]["choose"]))
        many = ", ".join(f"{k}*{x} - {k}*a" for k in range(1, 9))
        attacks = {
            "max-8": (leader, f"Max({many}) - {x}**2"),
            "max-20": (leader, "Max(" + ", ".join(f"{k}*{x} - b*{k}" for k in range(20)) + f") - {x}**2"),
            "min-40": (leader, "Min(" + ", ".join(f"{x} - {k}" for k in range(40)) + ")"),
            "pow-1000": (leader, f"-({x} + 1)**1000 + a*{x}"),
            "pow-500-param": (leader, f"-(a*{x} + b)**500 + c*{x}"),
            "degree-900": (leader, " + ".join(f"{(-1) ** k}*{x}**{k}/{k + 1}" for k in range(0, 901, 3))),
            "high-degree-foc": (follower, f"a*{y} - {y}**7/7 - b*{x}*{y}**5"),
            "nested-exp": (leader, f"-exp(exp(exp({x}))) + a*{x}"),
            "nested-log": (leader, f"log(log(log({x} + 3))) - {x}"),
            "exp-log-mix": (leader, f"exp({x})*log({x} + 1) - a*{x}**2"),
            "abs-choice": (leader, f"-Abs({x} - a) - {x}**2"),
            "max-choice": (leader, f"Max({x}, a) - {x}**2"),
            "min-choice": (follower, f"Min({y}, b)*a - {y}**2"),
            "abs-both": (follower, f"-Abs({y} - {x}) + a*{y} - {y}**2"),
            "sqrt-nest-50": (leader, "sqrt(" * 50 + f"{x} + 1" + ")" * 50 + f" - {x}"),
            "fractional-power": (leader, f"{x}**(1/3) - c*{x}"),
            "symbolic-exponent": (leader, f"{x}**a - c*{x}"),
            "exponent-in-choice": (leader, f"a**{x} - {x}**2"),
            "piecewise-100": (leader, "Piecewise(" + ", ".join(f"({k}*{x}, {x} < {k})" for k in range(1, 100)) + f", (0, True)) - {x}**2"),
            "sum-3000": (leader, " + ".join(f"{x}/{k}" for k in range(1, 3000)) + f" - {x}**2"),
            "product-60": (leader, "-" + "*".join(f"({x} + {k})" for k in range(1, 61))),
            "huge-rational": (leader, f"(10**900/3)*{x} - {x}**2"),
            "cubic-both": (follower, f"a*{y} - {y}**3 + {x}**3*{y}**2"),
        }
        for name, (player, expr) in attacks.items():
            d = c.data(base)
            d["payoffs"][player] = expr
            c.add("resource:payoff", base, dumps(d), name=name)
        for name, dom in [("bound-pow-1000", f"[0, (a + 1)**1000]"), ("bound-max-40", "[0, Max(" + ", ".join(f"a*{k}" for k in range(1, 40)) + ")]"),
                          ("bound-nested-exp", "[0, exp(exp(exp(a)))]")]:
            d = c.data(base)
            d["moves"][0]["choose"][x] = dom
            c.add("resource:domain", base, dumps(d), name=name)


SYMPY_NAMES = ["I", "E", "S", "N", "O", "Q", "pi", "oo", "zoo", "nan", "gamma", "beta", "zeta", "Symbol", "Integer",
               "Float", "Rational", "Function", "Lambda", "Matrix", "Eq", "Ne", "Add", "Mul", "Pow", "Max", "sqrt",
               "Piecewise", "sin", "diff", "integrate", "solve", "sympify", "lambda", "print", "exec", "eval", "open",
               "True", "None", "true", "false", "lambda_", "E1", "_", "x__y"]


def sympy_names(c):
    for base, names in (("stackelberg", SYMPY_NAMES), ("fine-tuning", SYMPY_NAMES[::3])):
        d0 = c.data(base)
        param = list(d0["parameters"])[-1]
        var = next(iter(d0["moves"][-1]["choose"]))
        player = d0["moves"][-1]["player"]
        for what, old in (("parameter", param), ("choice", var), ("player", player)):
            for new in names if what != "player" else names[::2]:
                d = rename(c.data(base), old, new)
                c.add(f"names:{what}", base, dumps(d), "same", rename=((new, old),), name=new)
