"""Fuzz the model-file loader: malicious and mutated files load or raise ModelFileError.

Nothing in a model file may run code: while a file is loaded, ``eval``, ``exec``,
``open``, ``os.system``, ``subprocess.Popen`` and imports of anything but the
(already imported) sympy/mpmath internals raise, and a sentinel file must never appear.
"""
from __future__ import annotations

import builtins
import os
import random
import re
import subprocess
import sys
from contextlib import contextmanager

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openeq.io.modelfile import ModelFileError, builtin_models, loads_model
from openeq.io.expressions import parse_expression

SENTINEL = f"/tmp/openeq-pwned-{os.getpid()}"
BASE = builtin_models()["openness"].read_text()
VALID = [p.read_text() for p in builtin_models().values()]
FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

MALICIOUS = [
    f"__import__('os').system('touch {SENTINEL}')", "().__class__.__bases__[0].__subclasses__()",
    "().__class__", "open('x')", f"open('{SENTINEL}', 'w')", "lambda: 1", "(lambda: 1)()",
    "[x for x in ()]", "{x: 1 for x in ()}", "(x for x in ())", "a.b", "alpha0.func", "a[0]",
    "alpha0[0]", "eval('1')", "exec('1')", "getattr(alpha0, 'func')", "globals()", "locals()",
    "vars()", "dir()", "compile('1', '', 'eval')", "breakpoint()", "input()", "print(1)",
    "f'{alpha0}'", "f'{__import__(\"os\")}'", "'abc'", "b'abc'", "9**9**9", "2**10**10",
    "alpha0**(9**9)", "(10**1000)**1000", "10**1000*10**1000", "1e999", "-1e999", "1j",
    "(" * 150 + "1" + ")" * 150, "(" * 99 + "alpha0" + ")" * 99, "-" * 5000 + "1",
    "+".join(["alpha0"] * 3000), "alpha0" + "**alpha0" * 300, "~" * 3000 + "alpha0",
    "sqrt(" * 120 + "1" + ")" * 120, "Min(" + ",".join(["alpha0"] * 200) + ")",
    "__builtins__", "__import__", "_" * 5, "a__b", "alpha0.__class__", "Min.__globals__",
    "sqrt.__code__", "Piecewise((1, __import__('os')))", "Piecewise", "Piecewise(1)",
    "Piecewise((1,))", "Piecewise((1, 2, 3))", "Piecewise((1, alpha0))", "Piecewise((alpha0 < 1, True))",
    "Min()", "Max(key=1)", "sqrt(x=1)", "log(*[1])", "exp(**{})", "(x := 1)", "x if y else z",
    "alpha0 and delta", "not alpha0", "alpha0 is delta", "alpha0 in delta", "alpha0 // 2",
    "alpha0 % 2", "alpha0 @ delta", "alpha0 << 2", "alpha0 ^ 2", "await alpha0", "yield",
    "alpha0; import os", "import os", "alpha0\nimport os", "None", "...", "[]", "{}", "{1}",
    "(1, 2)", "alpha0 < delta < c", "True", "1/0", "0**-1", "log(0)", "sqrt(-1)", "oo", "-oo",
    "nan", "zoo", "E", "I", "pi", "\x00", "alpha0\x00", "\\", "#", "# comment", "", " ",
    "alpha0 +", "()", "((()))", "Abs", "Abs(1)(2)", "alpha0(1)", "alpha0()", "𝔞lpha0",
    "ａｌｐｈａ0", "＿＿import＿＿('os')", "sqrt(2)**1001", "exp(exp(exp(1000)))",
    "0.1" * 3000, "9" * 5000, "1" + "0" * 4000, "1.5e308*1e308", "1e-400",
]
PLACES = [  # (text in BASE, replacement: {e} is the expression, inside a TOML string)
    ('D = "(1 - delta', 'D = "{e} + (1 - delta'),
    ('alpha1 = "[alpha0, oo)"', 'alpha1 = "{e}"'),
    ('alpha1 = "[alpha0, oo)"', 'alpha1 = "[alpha0, {e})"'),
    ('delta = "(0, 1)"', 'delta = "({e}, 1)"'),
    ('name = "openness"', 'name = "openness"\nassume = ["{e}"]'),
    ('[tie_break]', '[disagreement]\nG = "{e}"\n\n[tie_break]'),
]


def _place(e: str, where: int) -> str:
    """BASE with ``e`` put at place ``where`` (control characters escaped for TOML)."""
    escaped = "".join(f"\\u{ord(ch):04x}" if ord(ch) < 32 or ch in '"\\\x7f' else ch for ch in e)
    old, new = PLACES[where]
    return BASE.replace(old, new.replace("{e}", escaped), 1)


_REAL_IMPORT = builtins.__import__


def _refuse(what):
    def refuse(*args, **kwargs):
        raise AssertionError(f"{what} called while loading a model file: {args[:1]!r}")
    return refuse


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.partition(".")[0]
    if level == 0 and not (top in ("sympy", "mpmath") and name in sys.modules):
        raise AssertionError(f"import of {name!r} while loading a model file")
    return _REAL_IMPORT(name, globals, locals, fromlist, level)


@contextmanager
def guarded():
    """Make every way of running code fail loudly while the block runs."""
    saved = [(builtins, n, getattr(builtins, n)) for n in ("eval", "exec", "open", "__import__")]
    saved += [(os, "system", os.system), (os, "popen", os.popen), (subprocess, "Popen", subprocess.Popen)]
    try:
        for obj, name, _ in saved:
            setattr(obj, name, _import if name == "__import__" else _refuse(name))
        yield
    finally:
        for obj, name, value in saved:
            setattr(obj, name, value)


def check(text: str) -> None:
    """Loading ``text`` gives a Game or a one-line ModelFileError, and runs no code."""
    try:
        with guarded():
            loads_model(text, filename="fuzz.toml")
    except ModelFileError as e:
        assert "\n" not in str(e) and str(e).startswith("fuzz.toml: ")
    assert not os.path.exists(SENTINEL)


@pytest.fixture(scope="module", autouse=True)
def warm_up():
    """Load everything once so sympy's lazy imports happen before the guard is on."""
    for text in VALID:
        loads_model(text)
    for e in ("Min(1, 2)", "Max(1, 2)", "sqrt(2)", "exp(1)", "log(2)", "Abs(-1)", "1/0", "log(0)",
              "Piecewise((1, 1 < 2), (0, True))", "sqrt(-1)", "2**0.5", "(-1)**0.5"):
        try:
            parse_expression(e, {}, where="warm-up")
        except ModelFileError:
            pass
    yield
    assert not os.path.exists(SENTINEL)


def test_guard_works():
    with pytest.raises(AssertionError), guarded():
        __import__("shutil")
    with pytest.raises(AssertionError), guarded():
        eval("1")


@pytest.mark.parametrize("where", range(len(PLACES)))
@pytest.mark.parametrize("expr", MALICIOUS, ids=range(len(MALICIOUS)))
def test_malicious_expression(expr, where):
    check(_place(expr, where))


@pytest.mark.parametrize("expr", MALICIOUS, ids=range(len(MALICIOUS)))
def test_malicious_direct(expr):
    namespace = {"alpha0": sympy.Symbol("alpha0", positive=True)}
    with guarded():
        try:
            parse_expression(expr, namespace, where="x")
        except ModelFileError:
            pass
    assert not os.path.exists(SENTINEL)


@FAST
@given(st.sampled_from(VALID), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                        min_size=1, max_size=6))
def test_byte_mutations(text, edits):
    data = bytearray(text.encode())
    for pos, byte in edits:
        data[pos % len(data)] = byte
    check(data.decode("utf-8", errors="replace"))


_LINE_EDITS = ["", "x = 1", "stage = -1", "stage = 1.5", 'player = ""', "choose = 3", "[[moves]]",
               "[parameters]", "[payoffs]", 'G = ""', "G = 1", "G = true", "G = [1]", "G = {a = 1}",
               'name = "x y"', "[latex]", "[labels]", "[tie_break]", "[disagreement]", "assume = 1",
               'assume = ["omega > 0"]', "[[payoffs]]", 'omega = "real"', 'alpha0 = "[alpha1, 1]"']


@FAST
@given(st.sampled_from(VALID), st.lists(st.tuples(st.integers(0, 200), st.sampled_from(_LINE_EDITS),
                                                  st.booleans()), min_size=1, max_size=4))
def test_line_edits(text, edits):
    """Remove, retype or insert whole lines (keys removed, values of the wrong type)."""
    lines = text.splitlines()
    for pos, new, insert in edits:
        i = pos % (len(lines) + 1)
        if insert or i == len(lines):
            lines.insert(i, new)
        else:
            key = lines[i].partition("=")[0].strip()
            lines[i] = new if not key or "=" not in new else f"{key} = {new.partition('=')[2].strip()}"
    check("\n".join(lines) + "\n")


_STRING = re.compile(r'"[^"\n\\]*"')
_CHARS = "abcdeiklmnopqrstwxyz01_.,()[]{}<>=+-*/%&|~^:;!@#' "


@FAST
@given(st.sampled_from(VALID), st.integers(0, 10**6),
       st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(_CHARS), st.sampled_from("rid")),
                min_size=1, max_size=6))
def test_string_mutations(text, which, edits):
    """Edit the inside of one quoted string, so that the TOML itself stays valid."""
    spans = [m.span() for m in _STRING.finditer(text)]
    lo, hi = spans[which % len(spans)]
    inner = list(text[lo + 1:hi - 1])
    for pos, ch, how in edits:
        i = pos % (len(inner) + 1)
        if how == "i" or i == len(inner):
            inner.insert(i, ch)
        elif how == "r":
            inner[i] = ch
        else:
            del inner[i]
    check(text[:lo + 1] + "".join(inner) + text[hi - 1:])


_TOKENS = ["alpha0", "delta", "omega", "alpha1", "1", "0.5", "2", "+", "-", "*", "/", "**", "(", ")",
           ",", "<", "<=", "==", "&", "|", "~", "True", "Piecewise", "Min", "Max", "sqrt", "exp",
           "log", "Abs", "oo", ".", "[", "]", "'", "lambda", ":", "__class__", "eval", " "]


@FAST
@given(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=25), st.integers(0, len(PLACES) - 1))
def test_random_expressions(tokens, where):
    check(_place("".join(tokens), where))


def test_random_text_fast():
    rng = random.Random(1)
    for _ in range(100):
        n = rng.randrange(1, len(BASE))
        check(BASE[:n] + "".join(rng.choice("[]{}=\"'\n,.()_ab1") for _ in range(5)) + BASE[n:])
