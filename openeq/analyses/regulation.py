"""The regulation analysis of the openness game (docs/model.md, R3-R8) and its eval hook.

Everything here is read off engine output:

* ``omega_hat`` -- the engine's solution of the *unregulated* game ``fix(game, p=0)``;
  its regions are the unregulated regimes (closed, interior, open).
* The penalty's counterfactual "every model bears p" is the game with the
  penalty's condition replaced by ``True`` (``transform.substitute``), also solved
  by the engine.
* In each unregulated regime, the engine's ``comply`` and ``defy`` regions are
  split by one bound ``p >= Delta(theta)``: ``Delta`` is G's compliance cost, and
  it is checked to equal ``U_G(omega_hat) - U_G(theta)`` computed from the two
  regions' payoffs (``U_G^defy + p - U_G^comply``).
* ``theta*`` solves ``Delta(theta) = p`` (``sympy.solve``); of its roots the one
  with ``theta* > omega_hat`` is kept, the others being proved (or certified) to
  lie at or below ``omega_hat``.  ``alpha0*`` solves the same equation for ``alpha0``;
  a root is kept where it satisfies the pair's other bounds.

Per point (``openeq eval openness``), vectorised over columns:

* ``effect``: against the same point with ``p = 0``, per engine region,
  ``utility_shift`` when openness is proved to rise, ``deadweight_loss`` when the
  strategies and D's payoff are proved unchanged and G's payoff falls (``p > 0``),
  ``no_effect`` when nothing changes;
* ``pareto_vs_uniform``: against the penalty borne by every model, both players
  at least as well off and one strictly better (signs proved per region);
* ``critical.theta_star = min(max(theta*, omega_hat), 1)``: the largest threshold
  met or complied with; ``critical.p_star = Delta(theta)`` if ``theta > omega_hat``,
  else 0.

Where a per-region sign is not proved, the flag falls back to a numeric comparison
at the point.  The symbolic part takes ~20 s; ``analysis(eq)`` keeps it on ``eq`` and
in the openeq disk cache (key: the game, the engine's regions and ``VERSION``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp

from openeq.solver.cached import solve_cached
from openeq.core.conditions import Bound, isolate
from openeq.core.equilibrium import Step
from openeq.evaluate.vectorized import Vectorized
from openeq.core.parallel import worker_count
from openeq.core.transform import fix, substitute
from openeq.analyses import statics
from openeq.analyses.statics import prove_sign, prover_for
from openeq.analyses.regimes import _classify, _each, _effect_numeric, _in_p, _pareto_flag, _pareto_numeric, _satisfies, _tidy, _violates, identically_zero

__all__ = ["Regime", "Regulation", "analysis", "identically_zero"]

NAMES = {"penalty": "p", "threshold": "theta", "openness": "omega", "performance": "alpha0",
         "generalist": "G", "specialist": "D"}


@dataclass
class Regime:
    """One regime of the unregulated game, with its comply/defy pair."""

    index: int
    region: object  # the unregulated region
    kind: str  # closed | interior | open (omega at its lower end, inside, upper end)
    omega_hat: sp.Expr
    comply: object = None
    defy: object = None
    delta: sp.Expr = None  # Delta(theta): compliance cost, from comply's bound p >= Delta
    theta_star: sp.Expr = None  # root of Delta = p above omega_hat
    alpha0_star: list = field(default_factory=list)  # [(root, validity condition)]
    proved: bool = True  # root selections and checks proved (else certified numerically)
    steps: list = field(default_factory=list)


class Regulation:
    """Symbolic regulation analysis of ``eq`` (an openness-type game)."""

    def __init__(self, eq, state=None):
        self.eq, game = eq, eq.game
        self.game = game
        ns = game.namespace
        self.p, self.theta = ns[NAMES["penalty"]], ns[NAMES["threshold"]]
        self.omega, self.alpha0 = ns[NAMES["openness"]], ns[NAMES["performance"]]
        self.G, self.D = NAMES["generalist"], NAMES["specialist"]
        self.theta_hi = game.parameters[NAMES["threshold"]].domain.hi
        self.unregulated = solve_cached(fix(game, **{NAMES["penalty"]: 0}))
        self._uniform = self._uniform_of = None  # the uniform-penalty game: solved when first asked for
        self._vec = None
        self._effects = self._pareto_flags = None  # per-region tables, computed when first asked for
        self.on_tables = None  # called after they are computed (analysis() stores them in the disk cache)
        if state is not None:
            self._restore(state)
            return
        self.steps = [Step("note", "", "unregulated game fix(game, p=0) solved by the engine: "
                           f"{len(self.unregulated.regions)} regimes"),
                      Step("note", "", "uniform-penalty game (penalty condition replaced by True) solved by the engine"),
                      Step("note", "", "at p = 0 the policy, the unregulated game and the uniform penalty coincide: "
                           "effect no_effect, no Pareto improvement")]
        self.regimes = [self._regime(k, u) for k, u in enumerate(self.unregulated.regions)]
        # regions are located, then regimes paired, independently of each other: on all cores,
        # after what every job needs (the sample pool, the unregulated game's evaluator) is built once
        statics.sample(self.game, (), n=1)
        self._unregulated_vec()
        located = _each([(f"locate region {k}", lambda r=r: self._locate(r)) for k, r in enumerate(eq.regions)])
        self.region_regime = [k for k, _ in located]
        self.steps += [note for _, note in located if note is not None]
        if worker_count() < 2:  # one process: both parts of a regime at once, its prologue once
            for reg in self.regimes:
                self._pair(reg)
            return
        big_first = sorted(self.regimes, key=lambda reg: -sp.count_ops(reg.region.payoffs[self.G]))  # longest jobs first
        jobs = [(f"{part} of regime {reg.index}", lambda reg=reg, part=part: self._paired(reg, part))
                for reg in big_first for part in ("theta*", "alpha0*")]
        paired = _each(jobs)
        for k, reg in enumerate(big_first):
            self._apply(reg, paired[2 * k], paired[2 * k + 1])

    # ------------------------------------------ the uniform penalty (lazy)
    @property
    def uniform(self):
        """The game with the penalty's condition replaced by True, solved by the engine."""
        if self._uniform is None:
            self._uniform = solve_cached(self._uniform_game())
        return self._uniform

    @property
    def uniform_of(self) -> list:
        """Per unregulated regime: the index of the uniform-penalty region with the same bounds."""
        if self._uniform_of is None:
            self._uniform_of = [self._same_bounds(reg.region, self.uniform.regions) for reg in self.regimes]
            self._tables_done()
        return self._uniform_of

    # ------------------------------------------------ per-region tables (lazy)
    @property
    def effects(self) -> list:
        """Per region: (effect when p > 0, effect at p = 0); R5 and the eval fields read it."""
        if self._effects is None:
            self._effects = [(self._effect(k, r), "no_effect") for k, r in enumerate(self.eq.regions)]
            self._tables_done()
        return self._effects

    @property
    def pareto(self) -> list:
        """Per region: (Pareto improvement on the uniform penalty when p > 0, at p = 0)."""
        if self._pareto_flags is None:
            self._pareto_flags = [(self._pareto(k, r), False) for k, r in enumerate(self.eq.regions)]
            self._tables_done()
        return self._pareto_flags

    def _tables_done(self):
        """A lazily computed table is ready: let the owner keep it (the disk cache)."""
        if self.on_tables is not None:
            self.on_tables(self)

    # -------------------------------------------------------- (de)serialise
    def state(self) -> dict:
        """Plain data (no engine objects) for the disk cache; the per-region tables
        only if they have been computed."""
        regions = self.eq.regions
        idx = lambda r: None if r is None else regions.index(r)  # noqa: E731
        regs = [{k: v for k, v in vars(reg).items() if k not in ("region", "comply", "defy")}
                | {"comply": idx(reg.comply), "defy": idx(reg.defy)} for reg in self.regimes]
        return {"regimes": regs, "uniform_of": self._uniform_of, "region_regime": self.region_regime,
                "effects": self._effects, "pareto": self._pareto_flags, "steps": self.steps}

    def _restore(self, st):
        regions = self.eq.regions
        self.regimes = []
        for d in st["regimes"]:
            d = dict(d)
            c, f = d.pop("comply"), d.pop("defy")
            reg = Regime(region=self.unregulated.regions[d["index"]], **d)
            reg.comply = None if c is None else regions[c]
            reg.defy = None if f is None else regions[f]
            self.regimes.append(reg)
        for k in ("region_regime", "steps"):
            setattr(self, k, st[k])
        self._uniform_of = st.get("uniform_of")
        self._effects, self._pareto_flags = st.get("effects"), st.get("pareto")

    # ------------------------------------------------------------ building
    def _uniform_game(self):
        pen = [pw for pw in self.game.payoffs[NAMES["generalist"]].atoms(sp.Piecewise)
               if self.p in pw.free_symbols]
        mapping = {pw.args[0].cond: sp.true for pw in pen}
        return substitute(self.game, mapping, name=f"{self.game.name}[uniform penalty]")

    @staticmethod
    def _same_bounds(region, regions):
        def key(r):
            return sorted((b.op, str(sp.cancel(b.subject - b.bound))) for b in r.bounds)

        hits = [i for i, r in enumerate(regions) if key(r) == key(region)]
        return hits[0] if len(hits) == 1 else None

    def _regime(self, k, u):
        w = u.strategies[self.omega]
        dom = self.game.variables[self.omega][1]
        kind = "closed" if identically_zero(w - dom.lo) else "open" if identically_zero(w - dom.hi) else "interior"
        return Regime(k, u, kind, w)

    def _locate(self, r):
        """(index of the unregulated regime containing region ``r``, note or None):
        sampled points of r name a candidate, whose bounds are then proved under r's
        bounds (else certified, and the note says so)."""
        cols = statics.sample(self.game, r.bounds, n=300)
        idx, hits, _ = self._unregulated_vec().region_index({x: cols[x] for x in self.unregulated.game.parameters})
        found = set(idx[hits == 1].tolist())
        cands = list(found) if len(found) == 1 else [reg.index for reg in self.regimes] if not found else []
        for k in cands:
            if all(self._implied(b, r.bounds) for b in self.regimes[k].region.bounds):
                return k, None
        if len(found) == 1:
            return cands[0], Step("note", "", f"region {r.case!r} lies in unregulated regime {cands[0]} "
                                  f"(certified at {len(idx)} sampled points, not proved)", None, False)
        return None, None

    def _unregulated_vec(self):
        if getattr(self, "_uvec", None) is None:
            self._uvec = Vectorized(self.unregulated)
        return self._uvec

    _PAIRED = ("delta", "theta_star", "proved", "steps")

    def _paired(self, reg, part) -> dict:
        """``_pair`` on a copy of ``reg``, for one part ("theta*" or "alpha0*"), as
        plain data: the parts are independent, so they may run in other processes."""
        work = replace(reg, steps=list(reg.steps), alpha0_star=list(reg.alpha0_star))
        start = self._pair(work, part)
        regions = self.eq.regions
        if part == "alpha0*":
            return {"alpha0_star": work.alpha0_star, "steps": work.steps[start:]}
        out = {k: getattr(work, k) for k in self._PAIRED}
        out["comply"] = None if work.comply is None else regions.index(work.comply)
        out["defy"] = None if work.defy is None else regions.index(work.defy)
        return out

    def _apply(self, reg, theta_part, alpha0_part):
        """Merge the two parts of ``_pair`` into ``reg``, steps in the serial order."""
        regions = self.eq.regions
        for k in self._PAIRED:
            setattr(reg, k, theta_part[k])
        reg.comply = None if theta_part["comply"] is None else regions[theta_part["comply"]]
        reg.defy = None if theta_part["defy"] is None else regions[theta_part["defy"]]
        reg.alpha0_star = alpha0_part["alpha0_star"]
        reg.steps = reg.steps + alpha0_part["steps"]

    def _implied(self, b, facts):
        """Whether ``facts`` imply bound ``b``: the same relation, or proved from all facts or from one."""
        canon = lambda x: (x.op, sp.cancel(x.subject - x.bound))  # noqa: E731
        if any(canon(f) == canon(b) for f in facts):
            return True
        for f in facts:  # transitivity: S < t and t <= 1 give S < 1
            if sp.cancel(f.subject - b.subject) != 0 or (f.op[0] in "<") != (b.op[0] in "<") or f.op == "==":
                continue
            strict = b.op in ("<", ">") and f.op not in ("<", ">")
            op = ("<" if strict else "<=") if b.op[0] == "<" else (">" if strict else ">=")
            if prover_for(self.game, facts).truth(f.bound, op, b.bound) is True:
                return True
        for fs in [facts] + [[f] for f in facts]:
            if prover_for(self.game, fs).truth(b.subject, b.op, b.bound) is True:
                return True
        return False

    def _pair(self, reg, part="both"):
        """Find the comply/defy regions in ``reg`` split by ``p >= Delta``; solve Delta = p
        for theta* (``part`` "theta*"), for alpha0* ("alpha0*") or both.  Returns the
        number of steps recorded before the parts."""
        game, p, th = self.game, self.p, self.theta
        regions = [(r, self.region_regime[i]) for i, r in enumerate(self.eq.regions)]
        comply = [r for r, k in regions if k == reg.index and r.label == "comply"]
        defy = [r for r, k in regions if k == reg.index and r.label == "defy"]
        if not comply or not defy:
            return len(reg.steps)
        c, d = comply[0], defy[0]
        reg.comply, reg.defy = c, d
        pb = [b for b in c.bounds if p in b.free_symbols]
        b = isolate(pb[0], prover_for(game), prefer=(p,)) if pb else None
        if b is None or b.subject != p or b.op != ">=" or p in b.bound.free_symbols:
            return len(reg.steps)
        reg.delta = b.bound
        from_payoffs = d.payoffs[self.G].xreplace({p: 0}) - c.payoffs[self.G]
        ok = (identically_zero(reg.delta - from_payoffs)
              and identically_zero(d.payoffs[self.G].xreplace({p: 0}) - reg.region.payoffs[self.G]))
        reg.proved &= ok
        reg.steps.append(Step("compare", self.G, f"comply iff {b}: Delta(theta) read from the engine's comparison "
                              f"equals U_G(omega_hat) - U_G(theta) from the region payoffs ({'checked' if ok else 'MISMATCH'})",
                              reg.delta, ok))
        start = len(reg.steps)
        if part in ("both", "theta*"):
            self._theta_star(reg)
        if part in ("both", "alpha0*"):
            self._alpha0_star(reg, c)
        return start

    def _theta_star(self, reg):
        """theta*: the root of Delta(theta) = p above omega_hat."""
        p = self.p
        facts = list(reg.region.bounds) + [Bound(p, ">", 0)]
        roots = sp.solve(sp.Eq(reg.delta, p), self.theta)
        keep, proved = self._select(roots, lambda x: x - reg.omega_hat, facts)
        reg.proved &= proved
        if len(keep) == 1:
            root = keep[0]
            alt = reg.omega_hat + _tidy(root - reg.omega_hat)
            reg.theta_star = alt if sp.count_ops(alt) < sp.count_ops(root) and identically_zero(alt - root) else root
            reg.steps.append(Step("solution", "", "theta*: root of Delta(theta) = p above omega_hat "
                                  f"({'proved' if proved else 'certified numerically'})", reg.theta_star, proved))

    def _alpha0_star(self, reg, c):
        """alpha0*: the roots of Delta = p in alpha0 that satisfy the comply region's bounds."""
        game, p = self.game, self.p
        others = [bb for bb in c.bounds if p not in bb.free_symbols and self.alpha0 in bb.free_symbols]
        rest = [bb for bb in c.bounds if not bb.free_symbols & {p, self.alpha0}]
        prover = prover_for(game, [Bound(p, ">", 0)] + rest)
        for root in sp.solve(sp.Eq(reg.delta, p), self.alpha0):
            conds = [Bound(_tidy((bb.subject - bb.bound).xreplace({self.alpha0: root})), bb.op, 0) for bb in others]
            truth = [prove_sign(prover, bb.subject) for bb in conds]
            if any(_violates(bb.op, s) for bb, s in zip(conds, truth)):
                continue
            open_ = [_in_p(bb, p, prover) for bb, s in zip(conds, truth) if not _satisfies(bb.op, s)]
            reg.alpha0_star.append((root, sp.And(*[bb.sympy() for bb in open_ + rest])))
        reg.steps.append(Step("solution", "", "alpha0*: roots of Delta = p in alpha0 satisfying the pair's bounds",
                              [r for r, _ in reg.alpha0_star]))

    def _select(self, roots, gap, facts):
        """Roots whose ``gap`` is not proved <= 0 under ``facts``; proved iff every decision was."""
        keep, proved = [], True
        prover = prover_for(self.game, facts)
        for x in roots:
            s = prove_sign(prover, gap(x))
            if s is None:
                cols = statics.sample(self.game, facts, n=300)
                s = statics.numeric_sign(statics._fn(gap(x), cols))
                proved = False
            if s in ("+", "+0"):
                keep.append(x)
        return keep, proved

    # ---------------------------------------------------- per-region tables
    def _diffs(self, r, k, target):
        """(d omega, d alpha1, dU_G, dU_D) of region r against ``target`` region."""
        out = [r.strategies[v] - target.strategies[v] for v in r.strategies]
        out += [r.payoffs[q] - target.payoffs[q] for q in (self.G, self.D)]
        return out

    def _signs(self, r, exprs):
        """Signs of ``exprs`` in r with p > 0 (at p = 0 nothing differs: see the steps)."""
        pos = prover_for(self.game, list(r.bounds) + [Bound(self.p, ">", 0)])
        return [prove_sign(pos, e) for e in exprs]

    def _effect(self, k, r):
        """The effect in region r when p > 0 (None where not proved)."""
        u = self.region_regime[k]
        return None if u is None else _classify(self._signs(r, self._diffs(r, k, self.regimes[u].region)))

    def _pareto(self, k, r):
        """Whether region r is a Pareto improvement on the uniform penalty when p > 0 (None: undecided)."""
        u = self.region_regime[k]
        if u is None or self.uniform_of[u] is None:
            return None
        target = self.uniform.regions[self.uniform_of[u]]
        return _pareto_flag(self._signs(r, [r.payoffs[q] - target.payoffs[q] for q in (self.G, self.D)]))

    # ------------------------------------------------------------- closed forms
    def omega_hat(self):
        return sp.Piecewise(*[(reg.omega_hat, reg.region.condition) for reg in self.regimes])

    def delta(self):
        return sp.Piecewise(*[(reg.delta, reg.region.condition) for reg in self.regimes if reg.delta is not None],
                            (0, True))

    def theta_star(self):
        return sp.Piecewise(*[(sp.Min(reg.theta_star, self.theta_hi), reg.region.condition)
                              for reg in self.regimes if reg.theta_star is not None], (self.theta_hi, True))

    # ----------------------------------------------------------- vectorised
    def _vectorized(self):
        if self._vec is None:
            syms = [p.symbol for p in self.game.parameters.values()]
            lam = lambda e: sp.lambdify(syms, e, "numpy") if e is not None else None  # noqa: E731
            self._vec = (Vectorized(self.eq), Vectorized(self.unregulated), Vectorized(self.uniform), syms,
                         [(lam(reg.theta_star), lam(reg.delta)) for reg in self.regimes])
        return self._vec

    def columns(self, cols) -> dict:
        """All per-point fields as arrays over the columns ``cols`` (name -> array)."""
        vec, vun, vuni, syms, forms = self._vectorized()
        names = list(self.game.parameters)
        n = np.broadcast(*[np.asarray(cols[x], dtype=float) for x in names]).size
        args = [np.broadcast_to(np.asarray(cols[x], dtype=float), (n,)) for x in names]
        full = dict(zip(names, args))
        out = vec(full)
        un = vun({x: full[x] for x in vun.names})
        uni = vuni(full)
        w = out["strategies"][str(self.omega)]
        what = un["strategies"][str(self.omega)]
        p, theta = full[str(self.p)], full[str(self.theta)]
        ts, ps = np.full(n, float(self.theta_hi)), np.zeros(n)
        for k, (f_ts, f_d) in enumerate(forms):
            sel = un["region"] == k
            if not sel.any() or f_ts is None:
                continue
            sub = [a[sel] for a in args]
            with np.errstate(all="ignore"):
                ts[sel] = np.broadcast_to(f_ts(*sub), (sel.sum(),))
                ps[sel] = np.where(theta[sel] > what[sel], np.broadcast_to(f_d(*sub), (sel.sum(),)), 0.0)
        ts = np.where(p > 0, ts, what)  # at p = 0 theta* = omega_hat (R4; avoids sqrt rounding)
        ts = np.minimum(np.maximum(ts, what), float(self.theta_hi))
        gain = {q: out["payoffs"][q] - uni["payoffs"][q] for q in (self.G, self.D)}  # numeric fallback only
        eff = np.empty(n, dtype=object)
        par = np.zeros(n, dtype=bool)
        for k in range(len(self.eq.regions)):
            sel = out["region"] == k
            for which, mask in ((0, sel & (p > 0)), (1, sel & (p <= 0))):
                if not mask.any():
                    continue
                e, f = self.effects[k][which], self.pareto[k][which]  # (p > 0, p = 0)
                eff[mask] = e if e is not None else _effect_numeric(w[mask], what[mask], un, out, mask, self.G)
                par[mask] = f if f is not None else _pareto_numeric(gain, mask)
        return {"omega_hat": what, "effect": eff, "pareto_vs_uniform": par,
                "welfare": out["payoffs"][self.G] + out["payoffs"][self.D], "theta_star": ts, "p_star": ps,
                "regime": out["regime"], "omega": w}


VERSION = 6  # bump when the derivation changes: invalidates the disk cache


def analysis(eq, use_cache=True) -> Regulation:
    """The regulation analysis of ``eq``, kept on ``eq`` and in the openeq disk cache."""
    reg = eq.__dict__.get("_regulation")
    if reg is not None:
        return reg
    from openeq.io.cache import as_stored, cache_dir, cache_key, enabled, load_entry, store_entry

    use_cache = use_cache and enabled()

    regions = ";".join(f"{r.label}:{r.case}:{len(r.bounds)}" for r in eq.regions)  # the state indexes regions
    key = hashlib.sha256(f"{cache_key(eq.game)}|regulation|{VERSION}|{regions}".encode()).hexdigest()
    path = cache_dir() / f"regulation-{key[:32]}.json"
    state = load_entry(path, key) if use_cache else None
    if state is None:
        fresh = Regulation(eq)
        if use_cache:
            try:
                store_entry(path, key, fresh.state())
            except OSError:
                pass
        # a round trip through the cache's format re-evaluates sympy trees: fresh and
        # cached analyses print alike
        state = as_stored(fresh.state())
    reg = Regulation(eq, state)
    if use_cache:  # the per-region tables are computed on demand: keep them once they are
        def store(r, path=path, key=key):
            try:
                store_entry(path, key, r.state())
            except OSError:
                pass

        reg.on_tables = store
    eq.__dict__["_regulation"] = reg
    return reg


