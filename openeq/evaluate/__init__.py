"""Layer 5, evaluation of equilibria at parameter points.

* ``exact``      -- input checks and exact evaluation at one point;
* ``vectorized`` -- numpy evaluation over columns of points;
* ``compiled``   -- one fused C loop over the points (the fast path), numpy as its fallback.
"""
from openeq.evaluate.exact import InputError, check_point, check_points, evaluate
from openeq.evaluate.vectorized import Vectorized

__all__ = ["InputError", "check_point", "check_points", "evaluate", "Vectorized"]
