r"""LaTeX that comes from model files: checked against a whitelist, never trusted.

The ``[latex]`` table of a model file gives a symbol's name in math mode
(``alpha0 = '\alpha_0'``); the appendix writes it into the document as it is.  A
name is therefore accepted only if it is built from this grammar (anything else --
another control sequence, ``%``, ``#``, ``&``, ``$``, ``~``, ``\\``, ``^^``, a
non-ASCII or control character, unbalanced braces -- is refused):

.. code-block:: text

    name   := atom+                        (spaces between tokens are allowed)
    atom   := base script*                 (at most one '_' and one '^' or prime per atom)
    base   := LETTER | DIGIT | GREEK | "\prime" | "{" name? "}"
            | ACCENT arg | FONT arg
    script := "_" arg | "^" arg | "'"
    arg    := LETTER | DIGIT | GREEK | "\prime" | "{" name? "}"
    GREEK  := \alpha ... \omega, \varepsilon \vartheta \varpi \varrho \varsigma \varphi,
              \Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Upsilon \Phi \Psi \Omega
              and their \var forms (\varGamma ...)
    ACCENT := \tilde | \bar | \hat          FONT := \mathrm | \mathit

The grammar also keeps out what LaTeX itself refuses (``x_1_2``, a dangling ``_``),
so an accepted name compiles.  ``check_latex_name(text)`` raises ``LatexNameError``
(a ``ValueError`` whose message says what is wrong and what is allowed).
"""
from __future__ import annotations

import re

__all__ = ["check_latex_name", "LatexNameError", "GREEK", "MAX_NAME"]

MAX_NAME = 200
_LOWER = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon "
          "phi chi psi omega varepsilon vartheta varpi varrho varsigma varphi").split()
_UPPER = "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
GREEK = frozenset(_LOWER + _UPPER + ["var" + g for g in _UPPER])
_ACCENTS = frozenset(("tilde", "bar", "hat"))
_FONTS = frozenset(("mathrm", "mathit"))
_ALLOWED = ("letters, digits, '_', '^', braces, Greek letters (\\alpha ... \\omega, \\Gamma ..., \\var...), "
            "\\tilde, \\bar, \\hat, \\mathrm, \\mathit, \\prime and '")
_TOKEN = re.compile(r"\\[A-Za-z]+|[A-Za-z0-9]|[_^{}']| +|.", re.S)


class LatexNameError(ValueError):
    """A ``[latex]`` value outside the whitelist."""


def _fail(text, what):
    raise LatexNameError(f"{what} in the LaTeX name {text[:60]!r}; allowed: {_ALLOWED}")


def check_latex_name(text) -> None:
    """Refuse ``text`` unless it is a math-mode name of the grammar above."""
    if not isinstance(text, str):
        raise LatexNameError(f"expected a LaTeX string, got {type(text).__name__}")
    if not text.strip():
        raise LatexNameError("empty LaTeX name")
    if len(text) > MAX_NAME:
        raise LatexNameError(f"LaTeX name is too long ({len(text)} characters, at most {MAX_NAME})")
    toks = [t for t in _TOKEN.findall(text) if t.strip(" ")]
    for t in toks:
        if t.startswith("\\") and len(t) > 1 and t[1:] not in GREEK | _ACCENTS | _FONTS | {"prime"}:
            _fail(text, f"the control sequence {t!r} is not allowed")
        if len(t) == 1 and not (t.isascii() and (t.isalnum() or t in "_^{}'")):
            _fail(text, f"the character {t!r} is not allowed")
    _Parser(text, toks).name(top=True)


class _Parser:
    """Recursive descent over the tokens; the nesting is bounded by ``MAX_NAME``."""

    def __init__(self, text, toks):
        self.text, self.toks, self.i = text, toks, 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def name(self, top=False):
        count = 0
        while self.peek() is not None and self.peek() != "}":
            self.atom()
            count += 1
        if top and self.peek() == "}":
            _fail(self.text, "an unbalanced '}'")
        return count

    def atom(self):
        t = self.peek()
        if t in ("_", "^", "'"):
            _fail(self.text, f"{t!r} without a symbol before it")
        self.base()
        sub = sup = False
        while self.peek() in ("_", "^", "'"):
            t = self.take()
            if (t == "_" and sub) or (t != "_" and sup):
                _fail(self.text, "a double subscript or superscript")
            sub, sup = sub or t == "_", sup or t != "_"
            if t != "'":
                self.arg()

    def base(self):
        t = self.peek()
        if t is not None and t[1:] in _ACCENTS | _FONTS and t.startswith("\\"):
            self.take()
            self.arg()
            return
        self.arg()

    def arg(self):
        t = self.take()
        if t is None or t == "}":
            _fail(self.text, "a missing argument (after '_', '^', an accent or a font)")
        if t == "{":
            self.name()
            if self.take() != "}":
                _fail(self.text, "an unbalanced '{'")
            return
        if t in ("_", "^", "'") or (t.startswith("\\") and t[1:] in _ACCENTS | _FONTS):
            _fail(self.text, f"{t!r} where a symbol or a group was expected")
