"""The committed appendix (latex/openness) is what the code generates now.

Regenerate with:  PYTHONPATH=. .venv/bin/python -m openeq.cli appendix openness -o latex/openness --pdf
(main.pdf and LaTeX's by-products are not compared.)
"""
from __future__ import annotations

from pathlib import Path

import pytest

from openeq.solver.cached import solve_cached
from openeq.io.modelfile import resolve_model

COMMITTED = Path(__file__).resolve().parents[1] / "latex" / "openness"
REGENERATE = "PYTHONPATH=. .venv/bin/python -m openeq.cli appendix openness -o latex/openness --pdf"


def _generated(d: Path) -> dict:
    names = sorted(p.name for p in d.glob("*.tex")) + [f"figures/{p.name}" for p in sorted((d / "figures").glob("*.pdf"))]
    return {n: (d / n).read_bytes() for n in names}


@pytest.mark.skipif(not COMMITTED.is_dir(), reason="latex/openness is not present")
def test_committed_appendix_is_fresh(tmp_path):
    from openeq.export.latex.appendix import write_appendix

    from openeq import derivations

    write_appendix(solve_cached(resolve_model("openness")), tmp_path, stream=None, paper=derivations)
    old, new = _generated(COMMITTED), _generated(tmp_path)
    assert sorted(old) == sorted(new), f"file lists differ; regenerate: {REGENERATE}"
    stale = [n for n in new if old[n] != new[n]]
    assert not stale, f"latex/openness is stale ({', '.join(stale)}); regenerate: {REGENERATE}"
