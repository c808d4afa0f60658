"""Text from a model file reaches LaTeX as text: the [latex] table is checked against a
whitelist when the file is read, prose is escaped, and nothing is ever evaluated."""
import os

import pytest

from openeq.export.latex.printer import _text
from openeq.export.latex.prose import text_latex
from openeq.io.latexsafe import LatexNameError, check_latex_name
from openeq.io.modelfile import ModelFileError, loads_model

BASE = open(os.path.join(os.path.dirname(__file__), "..", "examples", "stackelberg.toml")).read()

GOOD = [r"\alpha_0", r"\delta", "c", r"\varepsilon", "c_0", r"\tilde{\omega}", r"\hat \omega", r"\mathrm{closed}",
        "x'", r"\bar{p}_{1}", r"x^\prime", r"\varGamma", "q_{12}", r"\mathit{TFP}", r"\alpha_{\mathrm{c}}", r"\Omega"]
BAD = [r"c\protect\input{/etc/hostname}", r"\input{/etc/hostname}", r"\immediate\write18{touch x}", r"\catcode`\%=12",
       r"\def\x{y}", r"\csname input\endcsname", "^^5cinput", "x}", "{x", "x_1_2", "x_", "%", "#", "&", "$x$", "~",
       r"\\", "é", "", " ", "a\nb", r"\Alpha", r"\mathrm{\input}", r"\verb|x|", "x^{*}", "a" * 201]


@pytest.mark.parametrize("tex", GOOD)
def test_whitelisted_latex_names_are_accepted(tex):
    check_latex_name(tex)


@pytest.mark.parametrize("tex", BAD)
def test_other_latex_is_refused(tex):
    with pytest.raises(LatexNameError):
        check_latex_name(tex)


def test_the_loader_refuses_a_latex_payload_naming_the_key():
    text = BASE.replace("[parameters]", "[latex]\nc = 'c\\protect\\input{/etc/hostname}'\n\n[parameters]")
    with pytest.raises(ModelFileError) as e:
        loads_model(text, "m.toml")
    msg = str(e.value)
    assert msg.startswith("m.toml: latex.c: ") and "\\protect" in msg and "\n" not in msg


SENTINEL = "oeq-prose-sentinel"
PAYLOADS = [f"See __import__('os').system('touch {SENTINEL}')**2",
            f"x*open('{SENTINEL}', 'w').write('x')**2",
            f"(lambda: __import__('os').system('touch {SENTINEL}'))()**2",
            "9**9**9*a**2", r"\input{/etc/hostname} 50% #1 & $x$ }{ ~ ^",
            "a\x00b\x1b[2J"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_description_is_free_text(payload, tmp_path, monkeypatch):
    """The description is escaped text, never read as a formula (issue 10: it ran code)."""
    monkeypatch.chdir(tmp_path)
    game = loads_model(BASE.replace('title = "', f'description = """{_toml(payload)}"""\ntitle = "'))
    tex = text_latex(" ".join(game.description.split()), game)
    assert not (tmp_path / SENTINEL).exists()
    assert r"\input{" not in tex and "\x00" not in tex and "\x1b" not in tex
    for ch in "%#&":
        assert ch not in tex.replace("\\" + ch, "")


def test_engine_formulas_are_still_typeset():
    """The engine's own notes keep their formulas (read by the safe parser)."""
    game = loads_model(BASE)
    assert text_latex("the leader sets q1 = (a - c)/(2*b)", game).endswith(r"$q_{1} = \frac{a - c}{2 b}$")
    assert text_latex("d U_L/d q1 = a - 2*b*q1 - c**2", game).count("$") >= 2


def test_escaped_text_has_no_control_characters():
    assert _text("a\x00b\x1b[2J\x07c") == "ab[2Jc"
    assert _text("\\input{x} 50% #1 & ~^_$") == (r"\textbackslash{}input\{x\} 50\% \#1 \& "
                                                r"\textasciitilde{}\textasciicircum{}\_\$")
    assert _text("café \u2013 \U0001F600 \u202e") == "café \u2013 ? "


def _toml(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\u0000").replace("\x1b", "\\u001b")
