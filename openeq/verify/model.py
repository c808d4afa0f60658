"""The game's data, lambdified for the brute-force verifier (numpy and mpmath).

Only the game *data* is read: parameters, moves (player, stage, variables and their
box bounds), payoffs and ``tie_break``.  Nothing here solves or differentiates.

Layout.  A *context* is one column of a real array ``V`` whose rows are the
parameters followed by every choice variable in stage order (row ``P + i`` holds
variable ``i``); every lambdified function takes the rows of ``V`` as arguments,
so many contexts (several parameter points, several earlier choices) are evaluated
in one numpy call.

A *move* is one player's choice of one or more variables at a stage; the moves of
a stage are simultaneous.  For each variable ``x`` of a move whose owner has payoff
``u``, the *breakpoints* are the relations ``lhs ? rhs`` appearing in the
conditions of ``u``'s Piecewise (and Heaviside) terms that move with ``x``: the
payoff may jump where ``lhs - rhs`` changes sign.  A kink counts as well: ``a - b``
for two arguments of a ``Min`` or ``Max``, the argument of an ``Abs``.  A breakpoint is *direct* when it
reads ``x ? e`` with ``e`` free of ``x`` and of later choices (its zero is ``e``).

A move's *constraints* (relations among its variables and earlier choices) are read
here as data: one that bounds a single variable, ``a x + e >= 0`` with a number
``a != 0``, tightens that variable's box (``lo = max(lo, -e/a)``); one in several of
the move's variables is a *mask*: the mover's payoff is ``-inf`` where it is violated
by more than ``MASK_TOL``.  An equality in several variables has no grid points and
is refused.
"""
from __future__ import annotations

from types import SimpleNamespace as _Ns

import sympy as sp

from openeq.core.memo import Memo

__all__ = ["Model", "model", "MASK_TOL"]

MASK_TOL = 1e-12  # a constraint h >= 0 of several variables counts as violated where h < -MASK_TOL (1 + |scale|)


class Model:
    """Lambdified payoffs, bounds and breakpoints of a game (see the module docstring)."""

    def __init__(self, game):
        game.validate()
        self.params = [p.symbol for p in game.parameters.values()]
        self.param_names = [s.name for s in self.params]
        self.vars = [v for m in game.moves for v in m.variables]
        self.P = len(self.params)
        args = self.params + self.vars
        self._args = args
        self.players = list(game.payoffs)
        self.pay_np = {pl: self.lam(e, "numpy") for pl, e in game.payoffs.items()}
        self.pay_mp = {pl: self.lam(e, "mpmath") for pl, e in game.payoffs.items()}
        self.stages, self.info = [], [None] * len(self.vars)
        self._extra_bounds = {}  # variable -> ([lower bounds], [upper bounds]) from the constraints
        for k, s in enumerate(game.stages):
            moves = []
            for m in game.moves_at(s):
                idx = [self.vars.index(v) for v in m.variables]
                tie = 1.0 if game.tie_break.get(m.player, "max") == "max" else -1.0
                bounds, masks = _constraints(m)
                moves.append(_Ns(player=m.player, idx=idx, rows=[self.P + i for i in idx], tie=tie,
                                 masks=[(self.lam(h, "numpy"), self.lam(sc, "numpy"), name) for name, h, sc in masks],
                                 uses=set(game.payoffs[m.player].free_symbols).union(*[h.free_symbols for _, h, _ in masks])))
                self._extra_bounds.update(bounds)
            self.stages.append(moves)
        self.stage_vars = [[i for mv in moves for i in mv.idx] for moves in self.stages]
        self.stage_of = {i: k for k, idx in enumerate(self.stage_vars) for i in idx}
        for k, moves in enumerate(self.stages):
            known = set(self.params) | {self.vars[i] for kk in range(k + 1) for i in self.stage_vars[kk]}
            for mv in moves:
                for i in mv.idx:
                    self.info[i] = self._var_info(game, mv, i, known)
                    mv.uses |= self.info[i].bound_syms
        self.separable = [self._separable(k) for k in range(len(self.stages))]

    def _separable(self, k) -> bool:
        """Whether the simultaneous moves of stage ``k`` are independent: it is the last stage,
        and no mover's payoff, box or constraints involves another mover's variables there.
        Then each mover's best response is the same whatever the others do, and one best
        response each is the stage's Nash equilibrium."""
        moves = self.stages[k]
        if len(moves) < 2 or k + 1 < len(self.stages):
            return False
        return all(not mv.uses & {self.vars[i] for o in moves if o is not mv for i in o.idx} for mv in moves)

    def lam(self, expr, module):
        return sp.lambdify(self._args, expr, modules=module)

    def _var_info(self, game, mv, i, known):
        x = self.vars[i]
        d = next(m for m in game.moves if x in m.variables).variables[x]
        breaks = []
        for rel in _relations(game.payoffs[mv.player]):
            h = rel.lhs - rel.rhs
            if x not in h.free_symbols and not h.free_symbols - known:
                continue  # does not move with x
            direct = None
            for a, b in ((rel.lhs, rel.rhs), (rel.rhs, rel.lhs)):
                if a == x and b.free_symbols <= known - {x}:
                    direct = b
            breaks.append(_Ns(h_np=self.lam(h, "numpy"), h_mp=self.lam(h, "mpmath"),
                              later=bool(h.free_symbols - known),
                              direct_np=None if direct is None else self.lam(direct, "numpy"),
                              direct_mp=None if direct is None else self.lam(direct, "mpmath")))
        los, his = self._extra_bounds.get(x, ([], []))
        lo = sp.Max(*([d.lo] if d.lo != -sp.oo else []), *los) if los or d.lo != -sp.oo else -sp.oo
        hi = sp.Min(*([d.hi] if d.hi != sp.oo else []), *his) if his or d.hi != sp.oo else sp.oo
        return _Ns(owner=mv.player, tie=mv.tie, row=self.P + i, name=x.name, bound_syms=lo.free_symbols | hi.free_symbols,
                   lo_fin=lo != -sp.oo, hi_fin=hi != sp.oo,
                   lo_np=self.lam(lo, "numpy"), hi_np=self.lam(hi, "numpy"),
                   lo_mp=self.lam(lo, "mpmath"), hi_mp=self.lam(hi, "mpmath"), breaks=breaks)

    @property
    def dims(self) -> int:
        """Number of choice variables (each counts as one search dimension)."""
        return len(self.vars)


def gap(rel):
    """``h`` with ``rel`` read as ``h >= 0`` (``h == 0`` for an equality)."""
    return (rel.rhs - rel.lhs) if isinstance(rel, sp.LessThan) else (rel.lhs - rel.rhs)


def _constraints(move):
    """``({x: ([lower], [upper])}, [(name, h, scale)])``: the move's constraints as bounds of one
    variable, and the rest as masks ``h >= 0`` (see the module docstring)."""
    from .search import NumericSolveError

    own, bounds, masks = set(move.variables), {}, []
    for name, rel in move.constraints.items():
        h = sp.expand(gap(rel))
        xs = h.free_symbols & own
        if len(xs) == 1:
            (x,) = xs
            a = h.coeff(x)
            if a.is_number and a != 0 and not (h - a * x).free_symbols & own:
                e = -(h - a * x) / a
                lows, ups = bounds.setdefault(x, ([], []))
                if isinstance(rel, sp.Equality):
                    lows.append(e), ups.append(e)
                else:
                    (lows if a > 0 else ups).append(e)
                continue
        if isinstance(rel, sp.Equality):
            raise NumericSolveError(f"constraint {name}: an equality in several variables ({rel}) has no grid; "
                                    "the verifier cannot check this move")
        masks.append((name, h, sum((abs(t) for t in sp.Add.make_args(h)), sp.S.Zero)))
    return bounds, masks


def _relations(expr):
    seen, out = set(), []
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            rels = [cond] if isinstance(cond, sp.core.relational.Relational) else \
                cond.atoms(sp.core.relational.Relational)
            out += [r for r in rels if r.lhs - r.rhs not in seen and not seen.add(r.lhs - r.rhs)]
    kinks = [hv.args[0] for hv in expr.atoms(sp.Heaviside)] + [ab.args[0] for ab in expr.atoms(sp.Abs)]
    for mm in expr.atoms(sp.Min, sp.Max):  # the payoff kinks where two arguments cross
        kinks += [a - b for j, a in enumerate(mm.args) for b in mm.args[j + 1:]]
    for h in kinks:
        if h not in seen:
            seen.add(h)
            out.append(sp.Lt(h, 0, evaluate=False))
    return out


_CACHE = Memo("verify.models", limit=32)


def model(game) -> Model:
    """The lambdified model of ``game`` (memoised on the game's data)."""
    key = (tuple((n, q.symbol, q.domain) for n, q in game.parameters.items()),
           tuple((m.player, m.stage, tuple(m.variables.items())) for m in game.moves),
           tuple(game.payoffs.items()), tuple(sorted(game.tie_break.items())))
    return _CACHE.lookup(key, lambda: Model(game))
