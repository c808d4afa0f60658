"""The researcher's API: ``openeq.solve(game)`` and the equilibrium it returns.

``solve`` is the engine's backward induction (``openeq.solver``); its answer is an
:class:`Equilibrium`, the core's equilibrium (``openeq.core.equilibrium``) with
what a notebook user expects on top of it, such as a LaTeX display that uses the
appendix's printer.  The API sits above every other layer but the command line.
"""
from __future__ import annotations

from openeq.core import equilibrium as core
from openeq.solver import backward

__all__ = ["Equilibrium", "solve"]


class Equilibrium(core.Equilibrium):
    """A subgame-perfect equilibrium: regions with closed forms (see ``openeq.core.equilibrium``)."""

    @classmethod
    def of(cls, eq: core.Equilibrium) -> "Equilibrium":
        return cls(eq.game, eq.regions, eq.best_responses, eq.method)

    def _repr_latex_(self):
        from openeq.export.latex.printer import equilibrium_latex

        return "$\\displaystyle " + equilibrium_latex(self) + "$"


def solve(game, progress=False) -> Equilibrium:
    """The subgame-perfect equilibrium of ``game`` by backward induction (``openeq.solver``)."""
    return Equilibrium.of(backward.solve(game, progress=progress))
