"""Small algebra helpers of the policy analysis (``openeq.analyses.policy``).

* ``identically_zero(e)`` -- whether ``e`` is identically zero (cancel, a point off zero, simplify);
* ``_each(jobs)`` -- independent jobs on all cores, values in order;
* ``_in_p(b, p, prover)`` -- ``E op 0`` rewritten as ``p op' p_b`` when ``E`` is monotone in ``p``.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.simplify import tidy as _tidy
from openeq.core.conditions import Bound
from openeq.core.relations import FLIP, truth
from openeq.analyses.statics import prove_sign

__all__ = ['identically_zero']


def _each(jobs) -> list:
    """Run independent jobs (``openeq.parallel``) and return their values in order;
    a job's exception is raised here, as it would be in a loop."""
    from openeq.core.parallel import run_jobs

    out = []
    for ok, value in run_jobs(jobs):
        if not ok:
            raise value
        out.append(value)
    return out


def identically_zero(e) -> bool:
    """Whether ``e`` is identically zero.  ``cancel`` (radicals as generators) proves a
    zero; a value clearly off zero at one point of the sign-consistent orthant proves
    a nonzero; only what neither settles goes to ``simplify``."""
    e = sp.sympify(e)
    try:
        if sp.cancel(e) == 0:
            return True
    except (sp.PolynomialError, TypeError):
        pass
    syms = sorted(e.free_symbols, key=lambda s: s.name)
    for shift in (0, 1):
        point = {s: sp.Rational(1, 3 + 2 * i + shift) * (-1 if s.is_nonpositive else 1) for i, s in enumerate(syms)}
        v = e.xreplace(point).evalf(30)
        if v.is_number and v.is_finite and v != sp.nan and abs(complex(v)) > 1e-12:
            return False
    return sp.simplify(e) == 0


# ------------------------------------------------------------------ helpers
def _in_p(b, p, prover):
    """``E op 0`` rewritten as ``p op' p_b`` when E is monotone in p with one root p_b."""
    e = b.subject - b.bound
    roots = [x for x in sp.solve(e, p) if sp.simplify(e.xreplace({p: x})) == 0]
    s = prove_sign(prover, sp.diff(e, p))
    if len(roots) != 1 or s not in ("+", "-"):
        return b
    return Bound(p, b.op if s == "+" else FLIP[b.op], _tidy(roots[0]))


def _satisfies(op, s):
    return truth(s, op) is True


def _violates(op, s):
    return truth(s, op) is False
