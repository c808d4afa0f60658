"""Signs with proofs or certificates, and comparative statics for any game.

A sign is *proved* by the engine's ``Prover`` under a set of facts (a region's
bounds), extended here by one sound rule for a single square root:

    a product is signed factor by factor (an even power is >= 0);
    e = a + b*sqrt(r),  r >= 0.
    If a and b have one sign, so has e.  If a < 0 <= b (or a > 0 >= b), then
    e * (b*sqrt(r) - a) = b**2*r - a**2 with the second factor > 0, so
    sign(e) = sign(b**2*r - a**2)  (resp. sign(a**2 - b**2*r)).

A sign that is not proved is *certified numerically*: parameter points are drawn
with ``openeq.analyses.points`` (the symbolic path's own sampler), kept when every bound holds (numpy),
and the expression is evaluated there.  The observed sign is reported with
``proved=False``; mixed signs or no points give ``"?"``.

``comparative_statics(eq)`` differentiates, in every region, each strategy, each
payoff and ``W = sum of payoffs`` (plus any extra quantities) with respect to
each parameter, and signs the derivative under the region's bounds.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from openeq.analyses import points
from openeq.core.memo import Memo
from openeq.core.relations import holds
from openeq.core.result import Claim
from openeq.core.simplify import factored as _tidy
from openeq.prove.prover import Prover, combine_signs
from openeq.solver.budget import PROOF_MAX_OPS, within

__all__ = ["prover_for", "prove_sign", "sample", "holds_mask", "numeric_sign", "sign_of",
           "claim", "word", "REL", "comparative_statics"]



class _RegionProver(Prover):
    """The engine's prover, sharing its sign on the whole domain with every region.

    (Its depth is bounded by the prover's own guard, ``Prover.MAX_DEPTH``; a re-entry
    counter kept here never fired: the endpoint slices are new provers.)"""

    def __init__(self, domains, relations=(), base=None):
        super().__init__(domains, relations)
        self.base = base  # the prover without the facts (a sign on the whole domain holds on any part)

    def with_facts(self, facts):
        return _RegionProver(self.domains, self.relations + list(facts), base=self.base or self)

    def sign_any(self, expr):
        """On the whole domain (shared, cached) if strict there, else under the facts."""
        if self.base is None:
            return self.sign(expr)
        s = self.base.sign(expr)
        if s in ("+", "-", "0"):
            return s
        return self.sign(expr) or s

    def sign(self, expr):
        s = super().sign(expr)
        if s in ("+0", "-0") and self.base is not None:
            # sympy's assumptions answered weakly (p >= 0); the facts (p > 0) may make it strict
            try:
                strict = self._certificate(sp.cancel(sp.together(sp.sympify(expr))))
            except (sp.PolynomialError, TypeError):
                strict = None
            if strict == s[0]:
                s = strict
        return s


_BASE = Memo("analyses.statics.provers")


def prover_for(game, facts=()) -> Prover:
    """The solver's prover: parameter and choice domains, the game's relations, ``facts``.

    The prover without facts is shared per game, so its cache serves every region."""
    def base():
        domains = {p.symbol: p.domain for p in game.parameters.values()}
        domains.update({v: d for v, (m, d) in game.variables.items()})
        return _RegionProver(domains, game.relations)
    pr = _BASE.lookup((id(game), game.structure_key()), base)
    return pr.with_facts([_rel(f) for f in facts]) if facts else pr


def _rel(f):
    return f.sympy() if hasattr(f, "sympy") and not isinstance(f, sp.Basic) else f


def prove_sign(prover, expr, simplify=True, max_ops=PROOF_MAX_OPS):
    """``prover.sign``, extended by the rules of the module docstring; ``None`` if not
    proved.  The budget is deterministic (``openeq.solver.budget``): an expression of
    more than ``max_ops`` operations, or beyond the engine's size and degree bounds, is
    not attempted (a proof not attempted is no proof), so the answer never depends on
    the machine's load."""
    expr = sp.sympify(expr)
    if not within(expr, max_ops):
        return None
    try:
        return _prove_sign(prover, expr, simplify)
    except RecursionError:  # Python's own stack limit, a last resort: "not proved"
        return None


def _factor_sign(prover, f, depth):
    """Sign of a product from its factors' signs (even powers are >= 0)."""
    out = "+"
    for a in sp.Mul.make_args(f):
        base, e = a.as_base_exp()
        if e.is_Integer and e != 1:
            sb = _prove_sign(prover, base, False, depth + 1) if base.free_symbols else _sign_number(base)
            if e % 2 == 0:
                s = "+" if sb in ("+", "-") else ("+0" if e > 0 else None)
            else:
                s = sb if (e > 0 or sb in ("+", "-")) else None
        elif e.is_Rational and e != 1:  # a (reciprocal) root of a base >= 0
            sb = _sign_any(prover, base)
            s = {"+": "+", "0": "0", "+0": "+0"}.get(sb) if e > 0 else ("+" if sb == "+" else None)
        else:
            s = _prove_sign(prover, a, False, depth + 1) if a.free_symbols else _sign_number(a)
        out = combine_signs(out, s, "*")
        if out is None:
            return None
    return out


def _sign_any(prover, e):
    return prover.sign_any(e) if hasattr(prover, "sign_any") else prover.sign(e)


def _sign_number(x):
    return "+" if x.is_positive else "-" if x.is_negative else "0" if x.is_zero else None


MAX_RULE_DEPTH = 3  # levels of products the rules tidy and split (the prover's own guard: Prover.MAX_DEPTH)


def _prove_sign(prover, expr, simplify, depth=0):
    f = _tidy(expr) if depth < MAX_RULE_DEPTH else expr
    if depth < MAX_RULE_DEPTH and (f.is_Mul or (f.is_Pow and f.exp.is_Integer)):
        s = _factor_sign(prover, f, depth)
        if s is not None:
            return s
    s = _sign_any(prover, expr)
    if s is not None:
        return s
    roots = [a for a in expr.atoms(sp.Pow) if a.exp == sp.S.Half and a.base.free_symbols]
    if len(roots) != 1:
        if not simplify:
            return None
        simpler = sp.simplify(expr)
        return _sign_any(prover, simpler) if simpler != expr else None
    root = roots[0]
    r = root.base
    parts = sp.collect(sp.expand(expr), root, evaluate=False)
    a, b = parts.get(sp.S.One, sp.S.Zero), parts.get(root, sp.S.Zero)
    if set(parts) - {sp.S.One, root} or root in (a + b).atoms(sp.Pow):
        return None

    def sg(x):
        return _prove_sign(prover, x, False, depth + 1)

    sr = sg(r)
    if sr not in ("+", "+0", "0"):
        return None
    sa, sb = sg(a), sg(b)
    if sr == "0" or sb == "0":
        return sa
    if sa == "0":
        return sb if sr == "+" else (sb[0] + "0" if sb else None)
    if sa is None or sb is None:
        return None
    if sa[0] == sb[0]:
        strict = sa in "+-" or (sb in "+-" and sr == "+")
        return sa[0] if strict else sa[0] + "0"
    if sa == "-":  # a < 0 <= b*sqrt(r)
        return sg(b**2 * r - a**2)
    if sa == "+":  # a > 0 >= b*sqrt(r)
        return sg(a**2 - b**2 * r)
    return None


# ------------------------------------------------------------ numeric side
def _free_draws(game, n, rnd):
    """Uniform draws for choice variables with numeric domains (e.g. omega in [0, 1])."""
    out = {}
    for v, (m, d) in game.variables.items():
        if d.lo.is_number and d.hi.is_number and d.lo.is_finite and d.hi.is_finite:
            out[v.name] = rnd.uniform(float(d.lo), float(d.hi), n)
    return out


_POOLS = Memo("analyses.statics.pools")


def _pool(game, draws, seed):
    """``openeq.analyses.points.columns`` (plus choice variables), drawn once per game and
    seed; the region bounds are applied as a filter (``sample``)."""
    def draw():
        cols = dict(points.columns(game, draws, seed))
        m = len(next(iter(cols.values()))) if cols else draws
        cols.update(_free_draws(game, m, np.random.default_rng(seed)))
        return cols
    return _POOLS.lookup((game.structure_key(), draws, seed), draw)


def sample(game, bounds=(), n=600, seed=0, draws=3000) -> dict:
    """Columns (name -> array) of up to ``n`` points of the game where all ``bounds`` hold."""
    cols = _pool(game, draws, seed)
    mask = holds_mask(list(game.relations) + list(bounds), cols)
    return {k: v[mask][:n] for k, v in cols.items()}


def _fn(expr, cols):
    syms = sorted(sp.sympify(expr).free_symbols, key=lambda s: s.name)
    missing = [s.name for s in syms if s.name not in cols]
    if missing:
        raise KeyError(f"no values for {missing}")
    f = sp.lambdify(syms, expr, "numpy")
    n = len(next(iter(cols.values()))) if cols else 0
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(f(*[cols[s.name] for s in syms]), dtype=float), (n,))


def holds_mask(bounds, cols, tol=1e-12):
    """Numpy truth of a conjunction of bounds (``Bound`` or sympy relationals)."""
    n = len(next(iter(cols.values()))) if cols else 0
    mask = np.ones(n, dtype=bool)
    for b in bounds:
        if isinstance(b, sp.Basic):
            lhs, rhs, op = b.lhs, b.rhs, b.rel_op
        else:
            lhs, rhs, op = b.subject, b.bound, b.op
        d = _fn(lhs - rhs, cols)
        mask &= (np.abs(d) <= tol * (1 + np.abs(_fn(lhs, cols)))) if op == "==" else holds(d, op)
    return mask


def numeric_sign(values, rel_tol=1e-12):
    """The sign observed on an array: '+', '-', '0', '+0', '-0', or None (mixed / empty)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    tol = rel_tol * (1 + np.max(np.abs(v)))
    pos, neg, zero = (v > tol).any(), (v < -tol).any(), (np.abs(v) <= tol).any()
    if pos and neg:
        return None
    if pos:
        return "+0" if zero else "+"
    if neg:
        return "-0" if zero else "-"
    return "0"


def sign_of(game, expr, bounds=(), facts=(), n=600, seed=0):
    """(sign, proved, samples): proof under ``bounds``+``facts`` (the prover substitutes
    relations in order, so the other order is tried too), else a numeric certificate."""
    allb = list(bounds) + list(facts)
    s = prove_sign(prover_for(game, allb), expr)
    if s is None and bounds and facts:
        s = prove_sign(prover_for(game, list(facts) + list(bounds)), expr)
    if s is not None:
        return s, True, 0
    cols = sample(game, allb, n=n, seed=seed)
    k = len(next(iter(cols.values()))) if cols else 0
    return numeric_sign(_fn(expr, cols)) if k else None, False, k


REL = {"+": "> 0", "-": "< 0", "0": "= 0", "+0": ">= 0", "-0": "<= 0", "?": "has no definite sign"}


def claim(game, name, expr, bounds=(), facts=(), n=600, seed=0, where="") -> Claim:
    """A ``Claim`` that ``expr`` (called ``name``) has the sign found where ``bounds`` and
    ``facts`` hold; its text is written from the sign found, e.g. ``"d w/d t > 0 (comply)"``.
    The conditions are kept on the claim as ``claim.facts`` (for re-checking)."""
    s, proved, k = sign_of(game, expr, bounds, facts, n, seed)
    s = s if s is not None else "?"
    how = "" if proved else f" [numeric, {k} points]"
    c = Claim(f"{name} {REL[s]}{f' ({where})' if where else ''}{how}", expr, s, proved, samples=k)
    c.facts = list(bounds) + list(facts)
    return c


def word(sign, up="increases", down="decreases", flat="does not change", none="has no definite sign"):
    """A verb for a derived sign (statements are written from what was derived)."""
    return {"+": up, "+0": f"weakly {up}" if up[:1] != "(" else up, "-": down, "-0": f"weakly {down}",
            "0": flat}.get(sign, none)


# ------------------------------------------------------- comparative statics
TIDY_MAX_OPS = 4000  # derivatives above this size are signed as they are, untidied (deterministic)


def comparative_statics(eq, extra_quantities=None, samples=400, seed=0, proof_max_ops=PROOF_MAX_OPS,
                        progress=None) -> list:
    """Rows {quantity, parameter, region, label, derivative, sign, proved}.

    ``extra_quantities``: a callable ``region -> [(name, expr, against), ...]``
    (``against``: symbols to differentiate by, ``None`` for all parameters), or
    ``None`` for none (``openeq.analyses.regulation_fields.statics_extras`` supplies
    a regulation game's).  A proof is attempted
    for derivatives of at most ``proof_max_ops`` operations (a count, not a time: the
    rows do not depend on the machine's load); a sign not proved is certified
    numerically instead (``proved=False``).  ``progress``: a stream for a progress bar
    over the regions (shown only on a terminal).
    """
    from openeq.core.progress import bar

    game = eq.game
    params = [p.symbol for p in game.parameters.values()]
    pool = sample(game, (), n=10 ** 6, seed=seed)
    from openeq.evaluate.vectorized import Vectorized

    idx, hits, _ = Vectorized(eq).region_index({k: pool[k] for k in game.parameters})
    rows = []
    b = bar(total=len(eq.regions), desc="statics", unit="region", stream=progress,
            show=False if progress is None else None)
    for k, r in enumerate(eq.regions):
        quantities = [(str(v), e, None) for v, e in r.strategies.items()]
        quantities += [(f"U_{p}", e, None) for p, e in r.payoffs.items()]
        quantities.append(("W", sp.Add(*r.payoffs.values()), None))
        if extra_quantities is not None:
            quantities += list(extra_quantities(r))
        b.set_postfix_str(r.label)
        prover = prover_for(game, r.bounds)
        sel = (idx == k) & (hits == 1)
        cols = {name: v[sel][:samples] for name, v in pool.items()}
        have = bool(cols) and len(next(iter(cols.values()))) > 0
        for name, expr, against in quantities:
            for x in against or params:
                d = sp.diff(expr, x)
                if within(d, TIDY_MAX_OPS):
                    d = _tidy(d)
                observed = numeric_sign(_fn(d, cols)) if have else None
                # a sign seen to change on sampled points cannot be proved: skip the proof
                s = prove_sign(prover, d, simplify=False, max_ops=proof_max_ops) if (observed or not have) else None
                rows.append({"quantity": name, "parameter": str(x), "region": k, "label": r.label,
                             "derivative": d, "sign": s or observed or "?", "proved": s is not None})
        b.update(1)
    b.close()
    return rows
