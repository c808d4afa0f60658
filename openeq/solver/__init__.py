"""Solvers.  ``BackwardInduction`` is the default (and so far only) solver class."""
from openeq.solver.backward import BackwardInduction, SolverError, solve

__all__ = ["BackwardInduction", "SolverError", "solve"]
