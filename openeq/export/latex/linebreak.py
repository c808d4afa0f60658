"""Long displayed forms broken over lines.

A sum wider than the line is set in an ``aligned`` block, broken before top-level ``+``
and ``-`` signs; a fraction whose numerator is such a sum is written ``(1/D)`` times the
broken numerator, because a numerator cannot break inside ``\\frac``.  The round-trip
parser (texparse) reads both forms back.
"""
from __future__ import annotations

__all__ = ["broken"]


def _fraction_parts(tex: str):
    """``(sign, numerator, denominator)`` when ``tex`` is one ``[-]\\frac{N}{D}``, else None."""
    sign, body = ("- ", tex[1:].lstrip()) if tex.startswith("-") else ("", tex)
    if not body.startswith(r"\frac{"):
        return None
    from openeq.export.latex.texparse import RoundTripError, _group

    parts, i = [], len(r"\frac")
    for _ in range(2):
        if i >= len(body) or body[i] != "{":
            return None
        try:
            j = _group(body, i)
        except RoundTripError:  # unbalanced: not one fraction
            return None
        parts.append(body[i + 1:j - 1])
        i = j
    return (sign, *parts) if i == len(body) else None


def _broken_fraction(tex: str, width: int):
    """A fraction whose numerator is a long sum, as ``\\frac{1}{D}\\bigl(N\\bigr)`` with ``N``
    broken over lines: a numerator cannot break inside ``\\frac``.  None when it does not apply."""
    from openeq.export.latex.doc import visible

    parts = _fraction_parts(tex)
    if parts is None or visible(parts[1]) <= width or visible(parts[2]) > width:
        return None
    numerator = broken(parts[1], max(width - visible(parts[2]), width // 2))  # (after the factor 1/D)
    if numerator == parts[1]:
        return None
    return rf"{parts[0]}\frac{{1}}{{{parts[2]}}}\bigl({numerator}\bigr)"


def broken(tex: str, width: int = 62) -> str:
    """A long sum broken over lines (``aligned``) at top-level ``+``/``-`` signs, each line at
    most about ``width`` visible characters; ``tex`` itself when it fits.  A fraction with a
    long numerator becomes ``(1/D)`` times the broken numerator."""
    from openeq.export.latex.doc import visible

    if visible(tex) <= width:
        return tex
    fraction = _broken_fraction(tex, width)
    if fraction is not None:
        return fraction
    cuts, depth = [], 0
    for i, ch in enumerate(tex):
        depth += (ch in "{(") - (ch in "})")
        if depth == 0 and (tex.startswith(" + ", i) or tex.startswith(" - ", i)):
            cuts.append(i)
    if not cuts or r"\begin{" in tex:
        return tex
    lines, start, last = [], 0, 0
    for c in cuts + [len(tex)]:
        if visible(tex[start:c]) > width and last > start:
            lines.append(tex[start:last])
            start = last
        last = c
    lines.append(tex[start:])
    if len(lines) == 1:
        return tex
    return r"\begin{aligned}[t] &" + r" \\ &\quad ".join(x.strip() for x in lines) + r" \end{aligned}"
