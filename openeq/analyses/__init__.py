"""Analyses built on the engine's equilibria.

* ``statics``    -- signs (proved, else certified numerically) and comparative statics for any game;
* ``regulation`` -- the openness regulation analysis (R3-R8 closed forms) and its ``openeq eval`` hook;
* ``cli``        -- the sub-commands ``openeq derive`` and ``openeq statics``.

Importing the package registers the eval hook of the openness model.
"""
from . import regulation, statics  # noqa: F401  (regulation registers the "openness" eval hook)

__all__ = ["regulation", "statics"]
