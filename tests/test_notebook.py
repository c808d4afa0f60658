"""examples/gallery.ipynb runs from top to bottom (nbclient, the ipykernel of this Python)
and shows what it promises: the equilibrium as LaTeX, a statics table, a plot of a
parameter sweep, and an appendix written with a proposition of its own."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "gallery.ipynb"


def _outputs(cell):
    kinds, text = set(), []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            kinds.add("stream")
            text.append(o.text)
        elif "data" in o:
            kinds |= set(o["data"])
            text.append(str(o["data"].get("text/plain", "")))
    return kinds, "\n".join(text)


def test_stored_notebook_is_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code), "commit the notebook without outputs"


def test_gallery_runs_and_shows_everything(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_PROGRESS", "0")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    cells = [_outputs(c) for c in nb.cells if c.cell_type == "code"]
    kinds = set().union(*(k for k, _ in cells))
    text = "\n".join(t for _, t in cells)
    assert "text/latex" in kinds  # the equilibrium displayed as LaTeX (_repr_latex_)
    assert "text/html" in kinds  # the statics table (a DataFrame)
    assert "image/png" in kinds  # the sweep, plotted
    assert "<Equilibrium of 'price-cap'" in text and r"\begin{aligned}" in text
    assert "w = wbar (bound)" in text and "w interior" in text  # the sweep reaches both regimes
    assert "'main.tex'" in text and r"raises output and joint surplus]\label{prop:P1}" in text  # our proposition
    assert "True" in text  # the proposition's claims are proved
