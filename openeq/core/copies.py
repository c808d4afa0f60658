"""Copies of a mover: n symmetric players moving simultaneously at one stage.

A move with ``copies = n`` stands for players ``D_1 .. D_n`` who move simultaneously
at its stage.  Copy ``i`` chooses the move's variables ``x_i`` in the move's domain
and has its own values ``theta_i`` of the *per-copy* parameters (``per = "D"``).
Its payoff is the move's player's payoff ``u_D(x_i, theta_i, h)``, where ``h`` are
earlier choices.  Every other player ``P`` sees the copies only through sums

    Sum(e) = sum_{i=1}^{n} e(x_i, theta_i, h),

and a copy's option ``o`` (``abstain``) gives copy ``i`` the payoff ``u_D^o`` and puts
the option's term ``e_P^o`` in place of copy ``i``'s term ``e_i`` in each ``Sum`` of
``P``'s payoff.  ``Others(e)`` is the sum without the copy itself.

*Separable copies.*  When ``u_D`` uses no other copy's choice (no ``Sum`` or
``Others`` in it), every copy's best response depends on earlier choices only, so the
stage's equilibrium is the profile of the individual best responses.

*Symbolic n* (``copies = "n"``, ``n`` an integer parameter).  The per-copy parameters
are one symbol each: the copies are alike, and with a deterministic tie rule their
best responses coincide, so the stage's equilibrium is symmetric and unique.  The
engine solves one representative copy ``D`` with

    u_P  ->  u_P[Sum(e) := n e],      option o  ->  terminal, paying u_D^o to D and
                                                     u_P[Sum(e) := n e_P^o] to P,

which is exact when the copies' stage is the last one (all copies taking the option
ends the game).  ``n`` is a real parameter ``>= 1`` inside the closed forms.

*Literal n* (``copies = 3``).  The copies are expanded: players ``D_1 .. D_n`` at the
stage, variables ``x_1 .. x_n``, parameters ``theta_1 .. theta_n`` and sums written out.
The stage is then an ordinary simultaneous stage (Nash equilibrium of the copies).
Options of literal copies do not end the game (``Move.per_copy``): each copy's table pays
it ``u_D^o`` and gives each summing player's term ``e_P^o``; a summing player's payoff is
kept as a template ``F(SUM)`` with the terms ``e_1 .. e_n`` (``Copies.sums``).  Such
copies must be separable and at the last stage; ``openeq.solver.copies`` solves them one
by one and combines the profiles.

This module is the data side only: it rewrites a game's moves, parameters and
payoffs, and is shared by the engine and the numeric verifier as core data.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from openeq.core.domains import Domain
from openeq.core.errors import GameError

__all__ = ["CopySum", "CopyOthers", "Copies", "apply_copies", "COPY_FUNCTIONS", "MAX_LITERAL_COPIES"]

CopySum = sp.Function("Sum")  # placeholders, replaced before the game is solved
SUM = sp.Symbol("Sum_of_copies_terms", real=True)  # a summing player's total in its payoff's template
CopyOthers = sp.Function("Others")
COPY_FUNCTIONS = {"Sum": CopySum, "Others": CopyOthers}
MAX_LITERAL_COPIES = 12


@dataclass(frozen=True)
class Copies:
    """The copies of ``player``'s move: ``count`` (an int, or the symbol of an integer
    parameter) and the names of the per-copy parameters."""

    player: str
    count: object
    per: tuple = ()
    # literal copies with options: per summing player P, (template in SUM, (e_1 .. e_n))
    sums: tuple = ()

    def subs(self, mapping) -> "Copies":
        return Copies(self.player, self.count, self.per,
                      tuple((p, t.xreplace(mapping), tuple(e.xreplace(mapping) for e in es)) for p, t, es in self.sums))

    def names(self) -> list:
        return [] if self.symbolic else [f"{self.player}_{i}" for i in range(1, self.count + 1)]

    @property
    def symbolic(self) -> bool:
        return isinstance(self.count, sp.Symbol)


def _sums(expr):
    return sorted(expr.atoms(CopySum, CopyOthers), key=sp.srepr)


def _copy_symbols(game, spec, move):
    return set(move.variables) | {game.parameters[p].symbol for p in spec.per}


def _check_sight(game, spec, move):
    """Other players see the copies only inside Sum; the copy's own payoff has none (symbolic n)."""
    own = _copy_symbols(game, spec, move)
    for p, u in game.payoffs.items():
        outside = u.replace(CopySum, lambda *a: sp.S.Zero).replace(CopyOthers, lambda *a: sp.S.Zero)
        if p != spec.player:
            bad = sorted(s.name for s in outside.free_symbols & own)
            if bad:
                raise GameError(f"payoffs.{p}: uses {bad[0]!r} of the copies of {spec.player} outside Sum(...); "
                                f"other players see the copies only through Sum(...)")
            if any(a.func == CopyOthers for a in _sums(u)):
                raise GameError(f"payoffs.{p}: Others(...) is only meaningful in the copies' own payoff {spec.player}")
        for a in _sums(u):
            if len(a.args) != 1:
                raise GameError(f"payoffs.{p}: {a.func}() takes exactly 1 argument")
            if _sums(a.args[0]):
                raise GameError(f"payoffs.{p}: Sum and Others may not be nested")


def apply_copies(game, spec: Copies, move, options: dict, on_tie: str) -> None:
    """Rewrite ``game`` in place: the representative copy (symbolic n) or the expanded
    copies (literal n).  ``move`` is the copies' move, registered without its
    ``options`` (name -> {player: term}) and ``on_tie``."""
    _check_sight(game, spec, move)
    later = [m for m in game.moves if m.stage > move.stage]
    alone = [m for m in game.moves if m.stage == move.stage and m is not move]
    if alone:
        raise GameError(f"moves: the copies of {spec.player} must be alone at stage {move.stage} "
                        f"(it also has {', '.join(m.player for m in alone)})")
    if spec.symbolic:
        _symmetric(game, spec, move, later, options, on_tie)
    else:
        spec = _expand(game, spec, move, options, on_tie, later)
    game.copies[spec.player] = spec


def _symmetric(game, spec, move, later, options, on_tie):
    n = spec.count
    if _sums(game.payoffs[spec.player]):
        raise GameError(f"payoffs.{spec.player}: a copy's payoff that depends on the other copies (Sum or Others) "
                        f"is not solved for symbolic {n}; write a number of copies, e.g. copies = 3")
    if options and later:
        raise GameError(f"moves: options of the copies of {spec.player} need their stage to be the last one "
                        f"(stage {later[0].stage} follows)")
    original = dict(game.payoffs)
    summing = [p for p, u in original.items() if p != spec.player and u.has(CopySum)]

    def all_take(p, term):  # P's payoff when every copy takes the option: Sum(e) := n e_P^o
        return original[p].replace(CopySum, lambda *a: n * term)

    game.payoffs = {p: (u if p == spec.player else u.replace(CopySum, lambda e: n * e)) for p, u in original.items()}
    tables = {name: _option_payoffs(spec, name, table, summing, all_take) for name, table in options.items()}
    game.moves[game.moves.index(move)] = type(move)(move.player, move.stage, move.variables,
                                              game._options(move.player, move.stage, move.variables, tables),
                                              on_tie, move.play, move.constraints)


def _option_payoffs(spec, name, table, summing, value_of):
    """An option's table: the copy's own payoff, and each summing player's payoff given the term."""
    out = {}
    for p, e in table.items():
        if p != spec.player and p not in summing:
            raise GameError(f"options.{name}.{p}: {p}'s payoff has no Sum(...), so a copy's option cannot change "
                            f"it; give {spec.player} and the players whose payoffs sum over the copies")
        out[p] = e if p == spec.player else value_of(p, e)
    for p in summing:
        if p not in table:
            raise GameError(f"options.{name}: missing {p}, the term in {p}'s Sum(...) of a copy that takes {name!r}")
    return out


def _expand(game, spec, move, options, on_tie, later):
    n = spec.count
    if not isinstance(n, int) or not 1 <= n <= MAX_LITERAL_COPIES:
        raise GameError(f"copies of {spec.player}: expected 1 to {MAX_LITERAL_COPIES} copies, got {n!r}")
    names = [f"{spec.player}_{i}" for i in range(1, n + 1)]
    clash = [x for x in names if x in game.payoffs or x in game.namespace]
    if clash:
        raise GameError(f"copies of {spec.player}: the copy's name {clash[0]!r} is already taken")
    if options:
        _check_copy_options(game, spec, later)
    subs = [_copy_substitution(game, spec, move, i) for i in range(1, n + 1)]
    sums = []
    for p, u in list(game.payoffs.items()):
        if p != spec.player and options and u.has(CopySum):
            (atom,) = _sums(u)
            sums.append((p, u.xreplace({atom: SUM}), tuple(atom.args[0].xreplace(t) for t in subs)))
        game.payoffs[p] = u.replace(CopySum, lambda e: sp.Add(*[e.xreplace(t) for t in subs]))
    u_own = game.payoffs.pop(spec.player)
    for i, t in enumerate(subs):
        others = [o for j, o in enumerate(subs) if j != i]
        u = u_own.replace(CopyOthers, lambda e: sp.Add(*[e.xreplace(o) for o in others]))
        u = u.replace(CopySum, lambda e: sp.Add(*[e.xreplace(o) for o in subs]))
        game.payoffs[names[i]] = u.xreplace(t)
    k = game.moves.index(move)
    summing = {p for p, _, _ in sums}
    game.moves[k:k + 1] = [_copy_move(game, move, names[i], t, options, on_tie, summing) for i, t in enumerate(subs)]
    for p in spec.per:
        del game.parameters[p]
        game.latex_names.pop(p, None)
    if spec.player in game.tie_break:
        tb = game.tie_break.pop(spec.player)
        game.tie_break.update({x: tb for x in names})
    return Copies(spec.player, n, spec.per, tuple(sums))


def _check_copy_options(game, spec, later):
    """Options of a number of copies: the copies' payoffs independent of each other, the
    stage the last one, and one Sum in each summing player's payoff."""
    if _sums(game.payoffs[spec.player]):
        raise GameError(f"payoffs.{spec.player}: copies with options whose payoffs depend on each other (Sum or "
                        "Others) are not supported")
    if later:
        raise GameError(f"moves: options of the copies of {spec.player} need their stage to be the last one "
                        f"(stage {later[0].stage} follows)")
    for p, u in game.payoffs.items():
        if p != spec.player and len(_sums(u)) > 1:
            raise GameError(f"payoffs.{p}: with options of the copies, a payoff may hold one Sum(...) only")


def _copy_move(game, move, name, t, options, on_tie, summing):
    """Copy ``name``'s move; its options pay the copy ``u_D^o`` and put ``e_P^o`` in P's Sum."""
    tables = {}
    for o, table in options.items():
        for p in table:
            if p != move.player and p not in summing:
                raise GameError(f"options.{o}.{p}: {p}'s payoff has no Sum(...), so a copy's option cannot change "
                                f"it; give {move.player} and the players whose payoffs sum over the copies")
        missing = sorted(summing - set(table))
        if missing or move.player not in table:
            who = missing[0] if missing else move.player
            raise GameError(f"options.{o}: missing {who}, the payoff (or Sum term) of a copy that takes {o!r}")
        tables[o] = {(name if p == move.player else p): e.xreplace(t) for p, e in table.items()}
    variables = {t[v]: Domain(d.lo.xreplace(t), d.hi.xreplace(t), d.lo_open, d.hi_open) for v, d in move.variables.items()}
    opts = game._options(name, move.stage, variables, tables) if tables else {}
    return type(move)(name, move.stage, variables, opts, on_tie if tables else "play", move.play,
                      {c: r.xreplace(t) for c, r in move.constraints.items()}, bool(tables))


def _copy_substitution(game, spec, move, i):
    """Copy ``i``'s symbols: ``x -> x_i`` for the move's variables, ``theta -> theta_i`` for
    the per-copy parameters (declared here, with the parameter's domain)."""
    s = {}
    for v in move.variables:
        s[v] = sp.Symbol(f"{v.name}_{i}", real=True)
        tex = game.latex_names.get(v.name)
        game.latex_names[f"{v.name}_{i}"] = f"{tex or v.name}_{{{i}}}"
    for p in spec.per:
        par = game.parameters[p]
        sym = sp.Symbol(f"{p}_{i}", **par.domain.symbol_assumptions())
        game.parameters[f"{p}_{i}"] = type(par)(sym, par.domain, None, par.integer)
        tex = game.latex_names.get(p)
        game.latex_names[f"{p}_{i}"] = f"{tex or p}_{{{i}}}"
        s[par.symbol] = sym
    return s
