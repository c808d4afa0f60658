"""LaTeX export: openeq's printer, the paper appendix, and its round-trip check."""
