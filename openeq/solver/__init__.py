"""Solvers.  ``BackwardInduction`` is the default (and so far only) solver class."""
from .backward import BackwardInduction, SolverError, solve

__all__ = ["BackwardInduction", "SolverError", "solve"]
