"""Layer 6, analyses built on the engine's equilibria.

* ``statics``     -- signs (proved, else certified numerically) and comparative statics for any game;
* ``policy``      -- the policy analysis of any threshold regulation (detected from the payoffs:
  regimes, critical values with validity conditions, effects, Pareto, the regulator stage);
* ``regulation``  -- its former name (re-exports ``policy``);
* ``bargaining``  -- bargaining solutions over a share parameter;
* ``crosscheck``  -- the engine's closed forms against the independent verifier.
"""
