"""Hand-derived yardsticks for the textbook games in examples/.

* ``closed_forms``: the subgame-perfect equilibrium of each game, derived by hand (the
  derivation is in each function's docstring), as plain Python on float parameters;
* ``brute``: an independent numeric backward induction (dense grids, local zooming,
  fixed points of best-response maps) that uses neither openeq nor the closed forms;
* ``sampling``: seeded draws from each game's declared parameter domains;
* ``crosscheck``: closed forms against the brute force (``python -m tests.reference.crosscheck``).

Nothing here imports openeq: these modules are the yardstick the engine is measured by.
"""
