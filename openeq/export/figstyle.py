"""What every openeq figure shares: matplotlib on the Agg back end, one palette, and PDF
metadata without dates or producer, so that the same figure is the same bytes on every
run (``openeq.export.plots`` for ``openeq plot``, ``openeq.export.latex.figures`` for the
appendix)."""
from __future__ import annotations

import io

__all__ = ["pyplot", "PALETTE", "PDF_METADATA", "pdf_bytes"]

PALETTE = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C"]
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}


def pyplot():
    """``(matplotlib, matplotlib.pyplot)`` on the non-interactive Agg back end."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return matplotlib, plt


def pdf_bytes(fig) -> bytes:
    """The figure as PDF bytes, without a date or producer."""
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf", metadata=PDF_METADATA)
    return buf.getvalue()
