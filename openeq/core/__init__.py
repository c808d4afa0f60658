"""Layer 1, the core data: domains, games, bounds and conditions, equilibria, results.

Nothing here imports another layer of openeq.
"""

from openeq.core import canonical as _canonical  # noqa: E402,F401  (makes sympy's factor() deterministic)
