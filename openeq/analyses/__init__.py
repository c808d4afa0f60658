"""Layer 6, analyses built on the engine's equilibria.

* ``statics``     -- signs (proved, else certified numerically) and comparative statics for any game;
* ``regulation``  -- the regulation analysis (regimes, critical policies, welfare, Pareto);
* ``bargaining``  -- bargaining solutions over a share parameter;
* ``crosscheck``  -- the engine's closed forms against the independent verifier.
"""
