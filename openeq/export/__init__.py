"""Layer 7, exporters: the LaTeX appendix (``latex``) and figures (``plots``)."""
