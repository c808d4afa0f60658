"""The policy analysis of a threshold regulation, read off the engine's equilibria.

Let ``x`` be the regulated choice of mover ``i`` (``detect``), with tiers ``k = 1..m``
(threshold ``b_k``, tier penalty ``p_k``) and cells ``0..m`` of ``x`` numbered from the
worst (every penalty paid, ``P_0``) to the compliant one (``P_m = 0``).

* **No regulation.**  ``games.unregulated`` solved by the engine; its regions are the
  *regimes* of the unregulated choice ``x_hat``, by its position in ``x``'s domain
  (``lower``, ``interior``, ``upper``).
* **Roles of regions** come from the solver's tag for mover ``i`` (``Region.tags``):
  ``free`` (no comparison: the regulation does not bind), ``bunch`` (``x`` sits at a
  threshold: *comply*), ``jump`` (a comparison was made and ``x`` stays off the
  thresholds: *defy*).  Labels are for display only.
* **Location.**  Each region lies in one regime (sampled, then proved from the
  bounds); ``x_hat``'s cell there is proved from the region's bounds.
* **Pairs.**  In a regime, with ``x_hat`` in cell ``j``, tier ``k > j`` pairs the region
  complying with it (``x = b_k``) with the defying one (``x = x_hat``).  Complying saves
  ``S = P_j - P_k`` and costs

      Delta_k = U_i(defy) + P_j - (U_i(comply) + P_k)      (penalties excluded),

  checked to equal ``U_i(x_hat) - U_i(b_k)`` from the unregulated payoffs, and checked
  against the engine's own comparison bound ``S >= Delta_k`` (read from it when ``S``
  is one parameter).
* **Critical values** (``critical``): the root of ``Delta_k = S`` in the threshold's
  parameter on the non-compliant side of ``x_hat`` (the critical threshold), ``Delta_k``
  itself (the critical saving, i.e. the critical penalty of one tier), and, for any
  parameter ``q``, the roots of ``Delta_k = S`` in ``q`` satisfying the comply region's
  other bounds, each with its validity condition.

The per-region tables (effects, Pareto flags) are in ``tables``, the per-point fields
in ``columns``.  ``analysis(eq)`` keeps the result on ``eq`` and in the disk cache.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sympy as sp

from openeq.analyses import statics
from openeq.analyses.policy import critical, detect, games, tables
from openeq.analyses.regimes import _each, identically_zero
from openeq.analyses.statics import prover_for
from openeq.core.conditions import Bound
from openeq.core.equilibrium import Step
from openeq.evaluate.vectorized import Vectorized
from openeq.solver.cached import solve_cached

__all__ = ["Pair", "Regime", "PolicyAnalysis", "analysis", "VERSION"]

KIND = {"lower": "closed", "interior": "interior", "upper": "open"}


@dataclass
class Pair:
    """Tier ``tier`` (1-based) against defiance in one regime, with ``x_hat`` in ``cell``."""

    tier: int
    cell: int
    comply: object = None  # Region
    defy: object = None  # Region
    saving: sp.Expr = None  # S = P_cell - P_tier: what complying saves
    delta: sp.Expr = None  # compliance cost
    threshold_root: sp.Expr = None  # critical value of the threshold's parameter
    threshold_star: sp.Expr = None  # the critical threshold (level of b_k)
    proved: bool = True
    steps: list = field(default_factory=list)
    critical: dict = field(default_factory=dict)  # parameter name -> [(root, validity condition)]


@dataclass
class Regime:
    """One regime of the unregulated game and its pairs."""

    index: int
    region: object  # the unregulated region
    position: str  # lower | interior | upper: x_hat at its domain's lower end, inside, upper end
    choice_hat: sp.Expr
    pairs: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The position in the openness paper's words: closed, interior, open."""
        return KIND[self.position]

    def pair(self, tier=1, cell=None):
        hits = [p for p in self.pairs if p.tier == tier and (cell is None or p.cell == cell)]
        return hits[0] if hits else None

    # one-tier shorthands (the openness paper's)
    comply = property(lambda self: getattr(self.pair(), "comply", None))
    defy = property(lambda self: getattr(self.pair(), "defy", None))
    delta = property(lambda self: getattr(self.pair(), "delta", None))
    theta_star = property(lambda self: getattr(self.pair(), "threshold_star", None))
    steps = property(lambda self: list(getattr(self.pair(), "steps", [])))
    omega_hat = property(lambda self: self.choice_hat)


class PolicyAnalysis:
    """The policy analysis of ``eq`` for its ``which``-th regulation."""

    def __init__(self, eq, which=0, state=None):
        self.eq, self.game = eq, eq.game
        self.spec = detect.regulation_of(self.game, which)
        self.which = which
        self.player, self.choice, self.tiers = self.spec.player, self.spec.choice, self.spec.tiers
        self.players = [q for q in self.game.players if q in self.game.payoffs]
        self.others = [q for q in self.players if q != self.player]
        self.unregulated = solve_cached(games.unregulated(self.game, self.spec))
        self._uniform = self._uniform_of = self._effects = self._pareto_flags = self._uvec = None
        self.on_tables = None  # called when a lazily computed table is ready (the disk cache)
        if state is not None:
            self._restore(state)
            return
        self.steps = [Step("note", "", "unregulated game (the compliant branch of the regulation) solved by the "
                           f"engine: {len(self.unregulated.regions)} regimes"),
                      Step("note", "", "uniform-penalty game (the non-compliant branch everywhere) solved by the engine"),
                      Step("note", "", f"at {' = '.join(str(t.penalty) for t in self.tiers)} = 0 the policy, the "
                           "unregulated game and the uniform penalty coincide: effect no_effect, no Pareto improvement")]
        self.regimes = [self._regime(k, u) for k, u in enumerate(self.unregulated.regions)]
        statics.sample(self.game, (), n=1)  # the sample pool, built once before any job forks
        self._unregulated_vec()
        located = _each([(f"locate region {k}", lambda r=r: self._locate(r)) for k, r in enumerate(eq.regions)])
        self.region_regime = [k for k, _, _ in located]
        self.region_cell = [c for _, c, _ in located]
        self.steps += [note for _, _, note in located if note is not None]
        big_first = sorted(self.regimes, key=lambda rg: -sp.count_ops(rg.region.payoffs[self.player]))
        todo = [(rg, t, c) for rg in big_first for c in range(len(self.tiers)) for t in self.tiers if t.index > c]
        found = _each([(f"tier {t.index}, cell {c} of regime {rg.index}",
                        lambda rg=rg, t=t, c=c: critical.pair(self, rg, t, c)) for rg, t, c in todo])
        for (rg, _, _), pr in zip(todo, found):
            if pr is not None:
                rg.pairs.append(pr)
        for rg in self.regimes:
            rg.pairs.sort(key=lambda p: (p.cell, p.tier))

    # -------------------------------------------------------------- roles
    @property
    def penalty(self):
        """The first tier's penalty (the only one for a one-tier regulation)."""
        return self.tiers[0].penalty

    @property
    def threshold(self):
        return self.tiers[0].threshold

    def threshold_parameter(self, tier=1):
        """The parameter the critical threshold is solved for: the threshold itself, or its one parameter."""
        b = self.tiers[tier - 1].threshold
        names = [s for s in b.free_symbols if s.name in self.game.parameters]
        return names[0] if len(names) == 1 else None

    def threshold_range(self, tier=1):
        """(lo, hi) of the threshold's level: its parameter's domain, else the choice's."""
        b = self.tiers[tier - 1].threshold
        dom = self.game.parameters[b.name].domain if isinstance(b, sp.Symbol) else self.game.variables[self.choice][1]
        return dom.lo, dom.hi

    def role(self, region) -> str:
        """``free``, ``bunch`` or ``jump``: the solver's tag for the regulated mover in ``region``."""
        tags = [t for q, t in region.tags if q == self.player]
        return tags[-1] if tags else "free"

    def tier_of(self, region):
        """The tier a ``bunch`` region complies with (its strategy equals the threshold), else None."""
        x = region.strategies[self.choice]
        for t in self.tiers:
            if identically_zero(x - t.threshold):
                return t.index
        return None

    # ------------------------------------------------------ building blocks
    def _regime(self, k, u):
        w = u.strategies[self.choice]
        dom = self.game.variables[self.choice][1]
        pos = "lower" if identically_zero(w - dom.lo) else "upper" if identically_zero(w - dom.hi) else "interior"
        return Regime(k, u, pos, w)

    def _unregulated_vec(self):
        if self._uvec is None:
            self._uvec = Vectorized(self.unregulated)
        return self._uvec

    def _locate(self, r):
        """(regime index, x_hat's cell, note or None) of region ``r``: sampled points name a
        candidate regime, whose bounds are then proved under r's (else certified)."""
        cols = statics.sample(self.game, r.bounds, n=300)
        idx, hits, _ = self._unregulated_vec().region_index({x: cols[x] for x in self.unregulated.game.parameters})
        found = set(idx[hits == 1].tolist())
        cands = list(found) if len(found) == 1 else [reg.index for reg in self.regimes] if not found else []
        for k in cands:
            if all(critical.implied(self.game, b, r.bounds) for b in self.regimes[k].region.bounds):
                return k, critical.cell_of(self, self.regimes[k].choice_hat, r), None
        if len(found) == 1:
            k = cands[0]
            note = Step("note", "", f"region {r.case!r} lies in unregulated regime {k} "
                        f"(certified at {len(idx)} sampled points, not proved)", None, False)
            return k, critical.cell_of(self, self.regimes[k].choice_hat, r), note
        return None, None, None

    # ------------------------------------------------------ lazy tables
    @property
    def uniform(self):
        """The uniform-penalty game, solved by the engine."""
        if self._uniform is None:
            self._uniform = solve_cached(games.uniform(self.game, self.spec))
        return self._uniform

    @property
    def uniform_of(self) -> list:
        """Per regime: the index of the uniform-penalty region with the same bounds (or None)."""
        if self._uniform_of is None:
            self._uniform_of = [tables.same_bounds(rg.region, self.uniform.regions) for rg in self.regimes]
            self._tables_done()
        return self._uniform_of

    @property
    def effects(self) -> list:
        """Per region: (effect with every penalty > 0, effect with no penalty)."""
        if self._effects is None:
            self._effects = [(tables.effect(self, k, r), "no_effect") for k, r in enumerate(self.eq.regions)]
            self._tables_done()
        return self._effects

    @property
    def pareto(self) -> list:
        """Per region: (Pareto improvement on the uniform penalty with penalties > 0, with none)."""
        if self._pareto_flags is None:
            self._pareto_flags = [(tables.pareto(self, k, r), False) for k, r in enumerate(self.eq.regions)]
            self._tables_done()
        return self._pareto_flags

    def critical(self, name, tier=1) -> list:
        """[(regime, pair, [(root, validity condition)])]: the critical values of parameter ``name``."""
        if name not in self.game.parameters:
            raise games.PolicyError(f"--for {name!r} is not a parameter of {self.game.name} "
                                    f"(parameters: {', '.join(self.game.parameters)})")
        todo = [(rg, pr) for rg in self.regimes for pr in rg.pairs if pr.tier == tier and name not in pr.critical
                and pr.delta is not None]
        if todo:
            done = _each([(f"{name}* of regime {rg.index}", lambda rg=rg, pr=pr: critical.roots(self, rg, pr, name))
                          for rg, pr in todo])
            for (rg, pr), (roots, step) in zip(todo, done):
                pr.critical[name] = roots
                pr.steps.append(step)
            self._tables_done()
        return [(rg, pr, pr.critical[name]) for rg in self.regimes for pr in rg.pairs
                if pr.tier == tier and name in pr.critical]

    def _tables_done(self):
        if self.on_tables is not None:
            self.on_tables(self)

    # ------------------------------------------------------ closed forms
    def choice_hat(self):
        return sp.Piecewise(*[(rg.choice_hat, rg.region.condition) for rg in self.regimes])

    omega_hat = choice_hat  # the openness paper's name

    def delta(self, tier=1):
        return sp.Piecewise(*[(pr.delta, rg.region.condition) for rg in self.regimes for pr in rg.pairs
                              if pr.tier == tier and pr.delta is not None], (0, True))

    def threshold_star(self, tier=1):
        """The critical threshold, capped at the threshold's range."""
        lo, hi = self.threshold_range(tier)
        cap = (lambda e: sp.Min(e, hi)) if self.spec.sign > 0 else (lambda e: sp.Max(e, lo))  # noqa: E731
        end = hi if self.spec.sign > 0 else lo
        return sp.Piecewise(*[(cap(pr.threshold_star), rg.region.condition) for rg in self.regimes
                              for pr in rg.pairs if pr.tier == tier and pr.threshold_star is not None], (end, True))

    theta_star = threshold_star

    def columns(self, cols) -> dict:
        """Per-point fields over the columns ``cols`` (``openeq.analyses.policy.columns``)."""
        from openeq.analyses.policy.columns import columns

        return columns(self, cols)

    # ------------------------------------------------------ (de)serialise
    def state(self) -> dict:
        regions = self.eq.regions
        idx = lambda r: None if r is None else regions.index(r)  # noqa: E731
        regs = [{"index": rg.index, "position": rg.position, "choice_hat": rg.choice_hat,
                 "pairs": [{**{k: v for k, v in vars(pr).items() if k not in ("comply", "defy")},
                            "comply": idx(pr.comply), "defy": idx(pr.defy)} for pr in rg.pairs]}
                for rg in self.regimes]
        return {"regimes": regs, "region_regime": self.region_regime, "region_cell": self.region_cell,
                "steps": self.steps, "uniform_of": self._uniform_of, "effects": self._effects, "pareto": self._pareto_flags}

    def _restore(self, st):
        regions = self.eq.regions
        self.regimes = []
        for d in st["regimes"]:
            rg = Regime(d["index"], self.unregulated.regions[d["index"]], d["position"], d["choice_hat"])
            for pd in d["pairs"]:
                pd = dict(pd)
                c, f = pd.pop("comply"), pd.pop("defy")
                rg.pairs.append(Pair(**pd, comply=None if c is None else regions[c], defy=None if f is None else regions[f]))
            self.regimes.append(rg)
        self.region_regime, self.region_cell, self.steps = st["region_regime"], st["region_cell"], st["steps"]
        self._uniform_of, self._effects, self._pareto_flags = st.get("uniform_of"), st.get("effects"), st.get("pareto")


VERSION = 7  # bump when the derivation changes: invalidates the disk cache


def analysis(eq, which=0, use_cache=True) -> PolicyAnalysis:
    """The policy analysis of ``eq`` (its ``which``-th regulation), kept on ``eq`` and on disk
    (keyed by the model, its regions and a hash of all of openeq's code)."""
    memo = eq.__dict__.setdefault("_policy", {})
    if which in memo:
        return memo[which]
    from openeq.io.cache import _code_digest, as_stored, cache_dir, cache_key, enabled, load_entry, store_entry

    use_cache = use_cache and enabled()
    detect.regulation_of(eq.game, which)  # a game without a regulation fails here, before any work
    regions = ";".join(f"{r.label}:{r.case}:{len(r.bounds)}" for r in eq.regions)
    key = hashlib.sha256(f"{cache_key(eq.game)}|policy|{which}|{VERSION}|{_code_digest()}|{regions}".encode()).hexdigest()
    path = cache_dir() / f"policy-{key[:32]}.json"
    state = load_entry(path, key) if use_cache else None
    if state is None:
        fresh = PolicyAnalysis(eq, which)
        if use_cache:
            try:
                store_entry(path, key, fresh.state())
            except OSError:
                pass
        state = as_stored(fresh.state())  # through the cache's format: fresh and cached analyses print alike
    reg = PolicyAnalysis(eq, which, state)
    if use_cache:
        def store(r, path=path, key=key):
            try:
                store_entry(path, key, r.state())
            except OSError:
                pass

        reg.on_tables = store
    memo[which] = reg
    return reg
