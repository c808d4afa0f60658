"""Independent numeric checks of equilibria (no code shared with ``openeq.solver``)."""
from .numeric import NumericSolveError, foc_residual, soc_value, solve_numeric

__all__ = ["solve_numeric", "foc_residual", "soc_value", "NumericSolveError"]
