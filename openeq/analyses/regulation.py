"""The regulation analysis, by its former name: the openness game's analysis is now the
generic policy analysis of any threshold-regulation game (``openeq.analyses.policy``).

``analysis(eq)`` is ``openeq.analyses.policy.analysis(eq)``: regimes from the solver's
region tags, compliance costs and critical values with their validity conditions,
effects, Pareto flags and the per-point fields, for the game's (first) regulation.
"""
from __future__ import annotations

from openeq.analyses.policy.analysis import VERSION, Pair, PolicyAnalysis, Regime, analysis
from openeq.analyses.regimes import identically_zero

Regulation = PolicyAnalysis  # the former class name

__all__ = ["Pair", "Regime", "Regulation", "PolicyAnalysis", "analysis", "identically_zero", "VERSION"]
