"""The committed appendix (latex/openness) is what the code generates now.

Regenerate with:  PYTHONPATH=. .venv/bin/python -m openeq.cli appendix openness -o latex/openness --pdf
(main.pdf and LaTeX's by-products are not compared; refs.bib is.)
"""
from __future__ import annotations

from pathlib import Path

import pytest

COMMITTED = Path(__file__).resolve().parents[1] / "latex" / "openness"
REGENERATE = "PYTHONPATH=. .venv/bin/python -m openeq.cli appendix openness -o latex/openness --pdf"


def _generated(d: Path) -> dict:
    names = sorted(p.name for p in [*d.glob("*.tex"), *d.glob("*.bib")]) + [f"figures/{p.name}" for p in sorted((d / "figures").glob("*.pdf"))]
    return {n: (d / n).read_bytes() for n in names}


@pytest.mark.skipif(not COMMITTED.is_dir(), reason="latex/openness is not present")
def test_committed_appendix_is_fresh(openness_appendix):
    old, new = _generated(COMMITTED), _generated(openness_appendix[0])
    assert sorted(old) == sorted(new), f"file lists differ; regenerate: {REGENERATE}"
    stale = [n for n in new if old[n] != new[n]]
    assert not stale, f"latex/openness is stale ({', '.join(stale)}); regenerate: {REGENERATE}"
