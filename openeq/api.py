r"""The researcher's API: ``openeq.solve(game)`` and the equilibrium it returns.

A subgame-perfect equilibrium of a game with parameters :math:`\theta \in \Theta`
(the product of the declared domains, cut by the declared assumptions) is a
partition :math:`\Theta = R_1 \cup \dots \cup R_n` into regions and, on each
region :math:`R_k`, closed forms for the on-path strategies
:math:`x^*(\theta) = x_k(\theta)` and payoffs :math:`u_i(\theta) = u_{i,k}(\theta)`
(``openeq.core.equilibrium``).  Read per variable, the equilibrium is one
piecewise function

.. math::  x^*(\theta) = x_k(\theta) \quad \text{if } \theta \in R_k,

which :meth:`Equilibrium.piecewise` returns as a sympy ``Piecewise`` whose
conditions are the regions' conditions, in the parameters.

:class:`Equilibrium` is the core's equilibrium with what a notebook user expects
on top of it: a short ``repr`` and a ``summary()``, LaTeX (``latex()``,
``to_latex()``, the notebook display), evaluation over arrays or DataFrames,
comparative statics as a DataFrame, and :func:`appendix` for a LaTeX appendix
with a user's own propositions.  The API sits above every other layer but the
command line.

Entry points: ``solve(game)`` (a ``Game`` built in Python), ``solve_model(name or
path)`` (a built-in model or a ``.toml`` model file, through the disk cache),
``load(name or path)`` (the ``Game`` alone), ``Equilibrium.of(eq)`` (wrap what
``openeq.solver.cached.solve_cached`` or ``openeq.solver.backward.solve`` returns).
"""
from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import sympy as sp

from openeq.core import equilibrium as core
from openeq.solver import backward

__all__ = ["Equilibrium", "solve", "solve_model", "load", "appendix", "Columns"]

AUTO_COMPILE = 10_000  # from this many points, evaluate() uses the compiled kernel (openeq.evaluate.compiled)


class Columns(dict):
    """The dict ``Equilibrium.evaluate`` returns: keys are names (``"q1"``, ``"U_L"``,
    ``"regime"``); a parameter's or strategy's sympy Symbol works as a key too."""

    def __getitem__(self, key):
        return super().__getitem__(str(key) if isinstance(key, sp.Symbol) else key)

    def __contains__(self, key):
        return super().__contains__(str(key) if isinstance(key, sp.Symbol) else key)

    def get(self, key, default=None):
        return super().get(str(key) if isinstance(key, sp.Symbol) else key, default)


class Equilibrium(core.Equilibrium):
    """A subgame-perfect equilibrium: regions with closed forms (see the module docstring)."""

    @classmethod
    def of(cls, eq: core.Equilibrium) -> "Equilibrium":
        """The API's view of a core equilibrium (e.g. ``solve_cached(game)``'s answer)."""
        if isinstance(eq, cls):
            return eq
        return cls(eq.game, eq.regions, eq.best_responses, eq.method)

    # ------------------------------------------------------------- reading
    @property
    def variables(self) -> list:
        """The strategy variables (sympy Symbols), in the game's order."""
        return list(self.regions[0].strategies) if self.regions else []

    @property
    def players(self) -> list:
        return list(self.regions[0].payoffs) if self.regions else []

    def __repr__(self) -> str:
        g = self.game
        n = len(self.regions)
        labels = ", ".join(self.labels)
        return (f"<Equilibrium of {g.name!r}: {n} region{'s' if n != 1 else ''} ({labels}); "
                f"strategies {', '.join(map(str, self.variables))}; parameters {', '.join(g.parameters)}>")

    def summary(self) -> str:
        """A plain-text account: parameters and assumptions, then each region's
        condition, strategies, payoffs and anything not proved."""
        from openeq.io.serialize import expr_str

        g = self.game
        out = [f"{g.title or g.name}: subgame-perfect equilibrium in {len(self.regions)} region(s)"]
        out.append("parameters: " + ", ".join(f"{n} in {_interval(p.domain)}" for n, p in g.parameters.items()))
        if g.relations:
            out.append("assuming: " + ", ".join(expr_str(r) for r in g.relations))
        for k, r in enumerate(self.regions, 1):
            out.append(f"\n({k}) {r.label}" + (f": {r.case}" if r.case else ""))
            out.append(f"    if {expr_str(r.condition) if r.bounds else 'always'}")
            out += [f"    {v}* = {expr_str(e)}" for v, e in r.strategies.items()]
            out += [f"    U_{p} = {expr_str(e)}" for p, e in r.payoffs.items()]
            if r.unproven:
                out.append("    not proved (certified numerically): " + "; ".join(map(str, r.unproven)))
        return "\n".join(out)

    # --------------------------------------------------------------- LaTeX
    def latex(self) -> str:
        r"""The equilibrium in LaTeX math mode, as the appendix prints it: an ``aligned``
        block with each strategy as ``cases`` over the regions (amsmath)."""
        from openeq.export.latex.printer import equilibrium_latex

        return equilibrium_latex(self)

    def to_latex(self, path_or_buf=None):
        r"""A display-math block ``\[ ... \]`` of :meth:`latex`, pandas style: returned as
        a string when ``path_or_buf`` is None, else written to that path (atomically)
        or file-like object and None returned."""
        text = "\\[\n" + self.latex() + "\n\\]\n"
        if path_or_buf is None:
            return text
        if hasattr(path_or_buf, "write"):
            path_or_buf.write(text)
            return None
        from openeq.io.atomic import write_atomic

        write_atomic(Path(path_or_buf), text)
        return None

    def _repr_latex_(self):
        return "$\\displaystyle " + self.latex() + "$"

    # ---------------------------------------------------------- piecewise
    def _forms(self, var):
        """Per region, the closed form of ``var``: a strategy (Symbol or name), a player's
        payoff (``"U_G"`` or ``"G"``) or ``"W"`` (the sum of the payoffs)."""
        names = {str(v): v for v in self.variables}
        key = str(var)
        if key in names:
            return [r.strategies[names[key]] for r in self.regions]
        player = key[2:] if key.startswith("U_") and key[2:] in self.players else key
        if player in self.players:
            return [r.payoffs[player] for r in self.regions]
        if key == "W":
            return [sp.Add(*r.payoffs.values()) for r in self.regions]
        raise KeyError(f"{key!r} is not a strategy ({', '.join(names)}), a payoff "
                       f"({', '.join('U_' + p for p in self.players)}) or W")

    def piecewise(self, var, domain=False) -> sp.Piecewise:
        r"""``var``'s equilibrium value as ``Piecewise((x_1, c_1), ..., (x_n, c_n))``, where
        :math:`c_k` is region :math:`R_k`'s condition in the parameters.

        The conditions presume the parameters in their declared domains and
        assumptions (outside them no condition need hold); ``domain=True`` adds
        those constraints to every condition.  ``var``: a strategy (Symbol or name),
        a payoff (``"U_<player>"``) or ``"W"``.  An equilibrium of one region with no
        condition gives the closed form itself (sympy folds ``Piecewise((e, True))``)."""
        forms = self._forms(var)
        extra = self._domain_conditions() if domain else []
        pairs = [(e, sp.And(r.condition, *extra) if extra else r.condition) for e, r in zip(forms, self.regions)]
        return sp.Piecewise(*pairs, evaluate=False)

    def _domain_conditions(self):
        out = []
        for p in self.game.parameters.values():
            d, s = p.domain, p.symbol
            if d.lo != -sp.oo:
                out.append(sp.Gt(s, d.lo) if d.lo_open else sp.Ge(s, d.lo))
            if d.hi != sp.oo:
                out.append(sp.Lt(s, d.hi) if d.hi_open else sp.Le(s, d.hi))
        return out + list(self.game.relations)

    # ---------------------------------------------------------- evaluation
    def evaluate(self, points, fast=None):
        """The equilibrium at parameter points.

        ``points``: a dict (parameter name or Symbol -> array or number) or a pandas
        DataFrame with a column per parameter.  Returns the same kind: the parameters,
        each strategy (``"q1"``), each payoff (``"U_L"``) and ``"regime"`` (the label
        of the region whose condition holds), one entry per point; a dict of numbers
        for a dict of numbers.  Every point is checked against the domains and
        assumptions first (``openeq.evaluate.columns``; a bad point raises
        ``InputError`` naming it).  Points within rounding of a region boundary are
        decided in exact arithmetic.  ``fast``: use the compiled kernel (default: from
        10,000 points on)."""
        from openeq.evaluate.columns import check_columns
        from openeq.evaluate.compiled import evaluate_columns

        frame = _is_frame(points)
        if frame:
            cols = {c: points[c].to_numpy() for c in points.columns}
        elif isinstance(points, Mapping):
            cols = dict(points)
        else:
            raise TypeError("points: expected a dict of arrays (parameter -> values) or a pandas DataFrame")
        scalar = not frame and bool(cols) and all(np.ndim(v) == 0 for v in cols.values())
        checked = check_columns(self.game, cols)
        n = len(next(iter(checked.values()))) if checked else 0
        fast = n >= AUTO_COMPILE if fast is None else fast
        res = evaluate_columns(self, checked, fast=fast) if n else None
        out = Columns(checked)
        for v in self.variables:
            out[str(v)] = res["strategies"][str(v)] if n else np.empty(0)
        for p in self.players:
            out[f"U_{p}"] = res["payoffs"][p] if n else np.empty(0)
        out["regime"] = np.asarray(res["regime"], dtype=str) if n else np.empty(0, dtype=str)
        if frame:
            import pandas as pd

            return pd.DataFrame(dict(out), index=points.index)
        if scalar:
            return Columns({k: (str(v[0]) if k == "regime" else float(v[0])) for k, v in out.items()})
        return out

    # ---------------------------------------------------------------- statics
    def statics(self, samples=400, seed=0, as_frame=None):
        """Comparative statics: in every region, the sign of the derivative of each
        strategy, each payoff, ``W`` (and a regulation game's derived thresholds)
        with respect to each parameter, proved by the sign prover or else certified
        numerically at up to ``samples`` points of the region (``proved`` says which).

        Returns a pandas DataFrame (columns region, label, quantity, parameter, sign,
        proved, derivative) when pandas is installed (``pip install openeq[pandas]``),
        else a list of records (dicts); ``as_frame`` forces one or the other.
        Signs: ``+``, ``-``, ``0``, ``+0`` (>= 0), ``-0`` (<= 0), ``?`` (mixed or unknown)."""
        from openeq.analyses import regulation_fields
        from openeq.analyses.statics import comparative_statics

        rows = comparative_statics(self, extra_quantities=regulation_fields.statics_extras(self), samples=samples,
                                   seed=seed)
        order = ["region", "label", "quantity", "parameter", "sign", "proved", "derivative"]
        rows = [{k: r[k] for k in order} for r in rows]
        if as_frame is False or (as_frame is None and not _have_pandas()):
            return rows
        import pandas as pd

        return pd.DataFrame(rows, columns=order)

    def claim(self, name, expr, region=None, samples=600, seed=0):
        """A ``Claim`` on the sign of ``expr`` (called ``name``) in ``region`` (its label or
        index; default: wherever the game's domains and assumptions hold): proved by the
        sign prover, else certified numerically (``proved=False``).  For propositions of
        your own (see :func:`appendix`)."""
        from openeq.analyses.statics import claim

        bounds, where = (), ""
        if region is not None:
            r = self.regions[region] if isinstance(region, int) else next(
                (x for x in self.regions if x.label == region), None)
            if r is None:
                raise KeyError(f"no region {region!r}; the regions are {', '.join(self.labels)}")
            bounds, where = r.bounds, r.label
        return claim(self.game, name, sp.sympify(expr), bounds, n=samples, seed=seed, where=where)


def _interval(d) -> str:
    return f"{'(' if d.lo_open else '['}{d.lo}, {d.hi}{')' if d.hi_open else ']'}"


def _is_frame(obj) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("pandas") and hasattr(obj, "columns") and hasattr(obj, "index")


def _have_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------ entry points
def solve(game, progress=False) -> Equilibrium:
    """The subgame-perfect equilibrium of ``game`` by backward induction (``openeq.solver``).

    Stages are solved from the last: each mover's first-order conditions with
    corners (KKT candidates) on each smooth piece of its payoff, compared by
    payoff; where the comparison depends on the parameters, the parameter space is
    split into regions.  Returns an :class:`Equilibrium`."""
    return Equilibrium.of(backward.solve(game, progress=progress))


def load(model):
    """The ``Game`` of a built-in model (``openeq models``) or a ``.toml`` model file
    (see docs/model-format.md)."""
    from openeq.io.modelfile import resolve_model

    return resolve_model(model)


def solve_model(model, use_cache=True, progress=False):
    """The equilibrium of a built-in model or ``.toml`` model file, through openeq's disk
    cache (``openeq.solver.cached.solve_cached``; ``use_cache=False`` derives afresh).

    A model solved per point (``solve = "per point"``) gives an
    ``openeq.solver.pointwise.PointwiseEquilibrium``: ``eq.evaluate(point)`` and
    ``eq.at(point)`` derive the equilibrium at a point; ``openeq.fix(game, name=value)``
    gives an instance to ``solve``."""
    from openeq.solver.cached import solve_cached

    game = load(model) if not hasattr(model, "parameters") else model
    if game.solve_mode == "per point":
        from openeq.solver.pointwise import PointwiseEquilibrium

        return PointwiseEquilibrium(game)
    return Equilibrium.of(solve_cached(game, use_cache=use_cache, progress=progress))


def appendix(eq, directory, results=None, *, pdf=False, samples=None, force=False, progress=False) -> dict:
    r"""Write a LaTeX appendix for ``eq`` into ``directory``: ``main.tex`` (a standalone
    article), ``appendix.tex`` (the body, to ``\input``) and ``figures/``.

    It states the model, the equilibrium as a proposition with its proof, one
    proposition per result in ``results``, the comparative statics, figures and a
    numeric verification against the brute-force solver at ``samples`` points.

    ``results``: your own propositions, a list of ``openeq.Result``:

        Result(key="P1", title="...", statement="In words ...",
               expressions={"name": sympy expression, ...},
               conditions=[("description", sympy condition), ...],
               claims=[eq.claim("q1 - q2", q1_star - q2_star, region="interior"), ...])

    ``None`` (default): the results openeq derives itself for a built-in model
    (R1-R9 for ``openness``; none for your own games).  ``pdf=True`` compiles
    ``main.pdf`` with latexmk.  An existing ``main.tex`` that openeq did not write is
    kept unless ``force``.  Returns {"files", "pdf", "registry"}."""
    from openeq import derivations as paper
    from openeq.export.latex.appendix import write_appendix

    eq = eq if getattr(eq, "pointwise", False) else Equilibrium.of(eq)
    stream = sys.stderr if progress else None
    return write_appendix(eq, directory, pdf=pdf, results=None if results is None else list(results),
                          paper=paper if results is None else None, samples=samples, stream=stream, force=force)
