"""Policy analysis of any threshold-regulation game, derived by the engine.

* ``detect``    -- the regulation read off the payoffs' structure (any names, either
  orientation, several tiers, penalties that are expressions);
* ``games``     -- counterfactual games (no regulation, a uniform penalty, a regulator
  stage), built by choosing branches of the regulation and solved by the engine;
* ``analysis``  -- regimes (from the solver's region tags), compliance costs, critical
  values with their validity conditions (``critical``), effects and Pareto flags
  (``tables``), the per-point fields (``columns``);
* ``regulator`` -- the regulator's choice: the regulator stage solved by the engine;
* ``fields``    -- the fields of ``openeq eval`` and the extras of ``openeq statics``;
* ``data``      -- what figures and appendices draw: regime boundaries, lever curves.
"""
from openeq.analyses.policy.analysis import PolicyAnalysis, analysis
from openeq.analyses.policy.detect import NoRegulation, Regulation, Tier, explain, find_regulations, regulation_of
from openeq.analyses.policy.games import PolicyError

__all__ = ["PolicyAnalysis", "analysis", "NoRegulation", "Regulation", "Tier", "explain", "find_regulations",
           "regulation_of", "PolicyError"]
