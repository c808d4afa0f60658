"""Figures drawn from an equilibrium (matplotlib, Agg): regime maps, strategies and
welfare along a parameter, and the lever curve.  See ``openeq plot --help``."""
from .figures import KINDS, plot

__all__ = ["KINDS", "plot"]
