"""The simplifications openeq applies to closed forms, in one module.

Each is a pure function of its argument, deterministic, and named for what it
returns:

* ``nice(e)``     -- the solver's canonical form: ``factor(cancel(e))`` or ``cancel(e)``,
  whichever reads shorter (fewest negated groups, then no leading minus, then
  length); numbers are exact, and a number in one certified root is a polynomial in
  it of degree below its defining polynomial's (``openeq.core.roots.reduced``).  Memoised.
* ``factored(e)`` -- ``factor(cancel(e))``: one rational function, factored.
* ``tidy(e)``     -- ``factored(e)``, except that an expression with radicals is first
  ``simplify``-ed (``cancel`` cannot combine radicals): the form derived results use.
* ``short(e)``    -- radicals and functions held as atoms while the rational shell
  around them is cancelled or factored, whichever has fewer operations (bargaining
  solutions, whose radicals ``simplify`` would expand).

Each returns its argument unchanged where sympy's polynomial algebra cannot hold it, and
none depends on ``PYTHONHASHSEED`` (``openeq.core.canonical`` fixes the generator order
where sympy's own order would).
"""
from __future__ import annotations

import sympy as sp

from openeq.core.canonical import canonical_cancel, canonical_factor, form_key
from openeq.core.memo import Memo
from openeq.core.roots import reduced

__all__ = ["nice", "factored", "tidy", "short"]

_NICE = Memo("simplify.nice")  # the solver asks again and again for the same forms


def nice(e):
    """A canonical, readable form: factored or cancelled, whichever reads shorter
    (fewest negated groups, then no leading minus, then length)."""
    e = sp.sympify(e)
    if e.is_number:
        return sp.Rational(repr(float(e))) if e.is_Float else reduced(e)
    hit = _NICE.get(e)
    if hit is not None:
        return hit
    try:  # generators in a fixed order: sympy's own order depends on PYTHONHASHSEED (canonical.py)
        c = canonical_cancel(e)
        forms = [canonical_factor(c), c]
    except (sp.PolynomialError, TypeError):
        return e
    texts = [str(f) for f in forms]
    out = forms[min(range(len(forms)), key=lambda k: (form_key(texts[k]), k))]
    _NICE.put(e, out)
    if not out.has(sp.Piecewise):  # a nice form is its own nice form (cancel(factor(c)) is c),
        _NICE.setdefault(out, out)  # which the solver asks for again; not so across Piecewise
    return out


def factored(e):
    """``factor(cancel(e))``; ``e`` itself where that is not defined."""
    try:
        return canonical_factor(canonical_cancel(e))
    except (sp.PolynomialError, TypeError):
        return e


def _radical(e) -> bool:
    return any(not a.exp.is_Integer for a in e.atoms(sp.Pow))


def tidy(e):
    """Factored form; an expression with radicals is simplified first."""
    e = sp.sympify(e)
    if not _radical(e):
        return factored(e)
    try:
        return sp.factor(sp.simplify(e))
    except (sp.PolynomialError, TypeError):
        return e


def short(e):
    """A short form: the radicals and functions are held as atoms while the rational shell
    around them is cancelled or factored (whichever has fewer operations)."""
    atoms = {a: sp.Dummy() for a in e.atoms(sp.Pow, sp.Function)
             if not (isinstance(a, sp.Pow) and a.exp.is_Integer)}
    shell, back = e.xreplace(atoms), {d: a for a, d in atoms.items()}
    forms = [shell]
    for f in (sp.cancel, sp.factor):
        try:
            forms.append(f(shell))
        except (sp.PolynomialError, TypeError, ValueError):
            pass
    return min(forms, key=sp.count_ops).xreplace(back)
