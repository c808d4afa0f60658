"""Layer 1, the core data: domains, games, bounds and conditions, equilibria, results.

Nothing here imports another layer of openeq.
"""
