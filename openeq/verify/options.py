"""Discrete options as a switch variable, for the brute force (game data only).

The brute force maximises over boxes of real variables.  A move with options
``o_1 .. o_r`` at stage ``k`` is preceded by a *switch* move of the same player, at a
stage of its own (stages are renumbered: the switch at ``2k``, the move's variables
at ``2k + 1``; with ``m`` copies with options, ``(m + 1) k`` and so on), choosing ``s`` in ``[0, r]``: ``s`` rounds to an alternative (``play`` or
an option), and every payoff becomes

    u_j = Piecewise((u_j^{o_1}, s < 1/2), ..., (u_j^{o_r}, s < r - 1/2), (u_j, True))

with later moves' options nested inside (an option ends the game, so an earlier
mover's switch is the outer one).  In each player's option payoff the variables that
player chooses at this stage or later (not played once the option is taken) get a
pull ``-(x - x_0)^2`` towards a point ``x_0`` of their domain (the lower end; the
upper end, or 0, where that is infinite): its maximum over ``x`` is the option's
value, attained at one point, so the brute force neither sees a flat (seemingly
unbounded) direction nor changes any value.  The alternatives are laid out so that the one an
indifferent mover takes (``on_tie``: ``play`` by default) sits at the end of
``[0, r]`` that the mover's ``tie_break`` prefers (``max``: the largest ``s``), and
among the options the first listed is nearer to it.  Payoffs are constant in the
other variables when an option is taken, so the brute force's choice of them there
is ``x_0``: compare the games on payoffs, not on those variables.

The switch comes first so that the brute force compares an option with the *polished*
best value of playing (the variables' stage solved and refined before the switch is
decided), not with a grid value.  A claimed path names no alternative:
:func:`switched_paths` reads it off the claimed payoffs.

Nothing here uses the symbolic solver; the transformed game has no options.
"""
from __future__ import annotations

import sympy as sp

from openeq.core.domains import Domain
from openeq.core.game import Game, Move

from .model import _constraints, gap

__all__ = ["as_switches", "switch_name", "switched_paths"]


def switch_name(game, move) -> str:
    base = f"{move.player}_alternative"
    name, k = base, 1
    while name in game.namespace:
        k += 1
        name = f"{base}{k}"
    return name


def _layout(move, tie):
    """The alternatives (``None`` = play) from ``s = 0`` up to ``s = r``: by priority on a
    tie, ``on_tie`` first, then play, then the options as listed (the solver's order),
    the highest priority at the end that ``tie`` prefers."""
    first = None if move.on_tie == "play" else move.on_tie
    priority = [first] + ([None] if first is not None else []) + [o for o in move.options if o != first]
    return priority[::-1] if tie == "max" else priority


def _anchor(move, x):
    """A feasible value of ``x`` (its lower end, else its upper end, else 0), the move's
    constraints of one variable counted (``model._constraints``): where the box end is
    infeasible, the pull of a not-played variable could not reach 0."""
    d = move.variables[x]
    lows, ups = _constraints(move)[0].get(x, ([], []))
    lows = ([d.lo] if d.lo != -sp.oo else []) + lows
    ups = ([d.hi] if d.hi != sp.oo else []) + ups
    if lows:
        return sp.Max(*lows)
    return sp.Min(*ups) if ups else sp.S.Zero


def as_switches(game) -> Game:
    """``game`` with every move's options replaced by a switch variable (see above)."""
    if not any(m.options for m in game.moves):
        return game
    g = Game(f"{game.name}[switches]", game.title)
    g.parameters, g.relations = dict(game.parameters), list(game.relations)
    g.latex_names, g.labels = dict(game.latex_names), dict(game.labels)
    g.tie_break, g.disagreement = dict(game.tie_break), dict(game.disagreement)
    payoffs = dict(game.payoffs)
    copies = [m for m in game.moves if m.per_copy]
    width = 1 + max(1, len(copies))  # stage k: switches at width*k (+ j for copy j), variables at width*k + width - 1
    if copies:
        payoffs = _copy_switches(game, g, copies, payoffs, width)
    for m in sorted(game.moves, key=lambda m: -m.stage):  # the last stage innermost
        if m.variables:
            g.moves.append(Move(m.player, width * m.stage + width - 1, dict(m.variables),
                                constraints=dict(m.constraints)))
        if m.options and not m.per_copy:
            s = sp.Symbol(switch_name(game, m), real=True)
            alts = _layout(m, game.tie_break.get(m.player, "max"))
            g.moves.append(Move(m.player, width * m.stage,
                                {s: Domain(sp.S.Zero, sp.Integer(len(alts) - 1), False, False)}))
            for p in payoffs:
                pull = -sum(((x - _anchor(mm, x)) ** 2 for mm in game.moves if mm.player == p and mm.stage >= m.stage
                             for x, d in mm.variables.items()), sp.S.Zero)

                def value(a):
                    return payoffs[p] if a is None else m.options[a][p] + pull
                pieces = [(value(a), s < sp.Rational(2 * k + 1, 2)) for k, a in enumerate(alts[:-1])]
                payoffs[p] = sp.Piecewise(*pieces, (value(alts[-1]), True))
    g.moves.sort(key=lambda m: m.stage)
    g.payoffs = payoffs
    g.validate()
    return g


def _copy_switches(game, g, copies, payoffs, width):
    """Switches of copies whose options do not end the game (``openeq.core.copies``): copy
    ``i``'s switch ``s_i`` selects its own payoff (the option's, with the pull on its own
    variables) and, in a summing player's ``F(Sum(e))``, its term ``e_i`` or the option's
    ``e_P^o``.  Such copies are separable (``copies.py`` checks it), so their switches may
    be decided one after another, each at a stage of its own before the copies' variables:
    the brute force's rounds of a simultaneous stage do not settle on discrete switches."""
    spec = next(c for c in game.copies.values() if copies[0].player in c.names())
    terms = {p: [] for p, _, _ in spec.sums}
    for j, m in enumerate(copies):
        s = sp.Symbol(switch_name(game, m), real=True)
        alts = _layout(m, game.tie_break.get(m.player, "max"))
        g.moves.append(Move(m.player, width * m.stage + j,
                            {s: Domain(sp.S.Zero, sp.Integer(len(alts) - 1), False, False)}))
        pull = -sum(((x - _anchor(m, x)) ** 2 for x in m.variables), sp.S.Zero)
        payoffs[m.player] = _switched(s, alts, lambda a: payoffs[m.player] if a is None else m.options[a][m.player] + pull)
        k = len(terms[spec.sums[0][0]]) if spec.sums else 0
        for p, _, es in spec.sums:
            terms[p].append(_switched(s, alts, lambda a, e=es[k]: e if a is None else m.options[a][p]))
    from openeq.core.copies import SUM

    for p, template, _ in spec.sums:
        payoffs[p] = template.xreplace({SUM: sp.Add(*terms[p])})
    return payoffs


def _switched(s, alts, value):
    pieces = [(value(a), s < sp.Rational(2 * k + 1, 2)) for k, a in enumerate(alts[:-1])]
    return sp.Piecewise(*pieces, (value(alts[-1]), True))


def _alternatives(game):
    """Per move with options, in stage order: (move, switch symbol, layout)."""
    out = []
    for m in sorted((m for m in game.moves if m.options), key=lambda m: m.stage):
        out.append((m, sp.Symbol(switch_name(game, m), real=True), _layout(m, game.tie_break.get(m.player, "max"))))
    return out


def switched_paths(game, sgame, points, paths, payoffs, tol):
    """The claimed paths of ``game`` as paths of ``sgame = as_switches(game)``.

    A claim names no alternative; the one taken is the first combination of switch
    values (each switch in its tie-break priority) whose payoffs at the path equal the
    claimed payoffs to ``tol``; where none does, every mover plays (and the claims check
    then fails, naming the payoff).  A variable whose move is not played (its own
    option, or an earlier one, was taken) is set to the anchor ``x_0`` of its domain:
    no payoff depends on it there."""
    import itertools

    alts = _alternatives(game)
    params = [p.symbol for p in game.parameters.values()]
    svars = [v for m in sgame.moves for v in m.variables]
    pay = {pl: sp.lambdify(params + svars, e, modules="math") for pl, e in sgame.payoffs.items()}
    priority = [sorted(range(len(lay)), key=lambda k: -k if game.tie_break.get(m.player, "max") == "max" else k)
                for m, _, lay in alts]
    out = []
    for pt, x, claim in zip(points, paths, payoffs):
        pvals = [float(pt[p.name]) for p in params]
        chosen = None
        for combo in itertools.product(*priority):
            path = _path(game, alts, combo, x, pt)
            if not _feasible(game, path, pt):
                continue  # (a play the claim's values cannot be: NOT_PLAYED outside a box)
            vals = [path[v.name] for v in svars]
            try:
                u = {pl: float(f(*pvals, *vals)) for pl, f in pay.items()}
            except (ValueError, ArithmeticError, TypeError):
                continue
            if all(abs(u[pl] - float(claim[pl])) <= tol * (1 + abs(u[pl])) for pl in claim):
                chosen = path
                break
        if chosen is None:
            chosen = _path(game, alts, [lay.index(None) for _, _, lay in alts], x, pt)
        out.append(chosen)
    return out


def _feasible(game, path, pt, tol=1e-9):
    """Whether every variable of ``path`` meets its box and its move's constraints."""
    values = {p.symbol: sp.Float(pt[n]) for n, p in game.parameters.items()}
    values.update({w: sp.Float(path[w.name]) for m in game.moves for w in m.variables if w.name in path})
    for m in game.moves:
        for v, d in m.variables.items():
            x = values.get(v)
            if x is None:
                continue
            if (d.lo != -sp.oo and x < sp.sympify(d.lo).xreplace(values) - tol * (1 + abs(x))) or \
                    (d.hi != sp.oo and x > sp.sympify(d.hi).xreplace(values) + tol * (1 + abs(x))):
                return False
        for rel in m.constraints.values():
            hv = sp.sympify(gap(rel)).xreplace(values)
            if not hv.is_number:
                continue
            if (hv < -tol * (1 + abs(hv))) or (isinstance(rel, sp.Equality) and abs(hv) > tol * (1 + abs(hv))):
                return False
    return True


def _path(game, alts, combo, x, pt):
    path = {k: float(v) for k, v in x.items()}
    ended = None  # the stage at which an option ends the game
    for (m, s, lay), k in zip(alts, combo):
        if ended is not None and m.stage > ended:
            path[s.name] = float(lay.index(None))
            continue
        path[s.name] = float(k)
        if lay[k] is not None and m.per_copy:  # a copy's option: its own variables only are not played
            values = {p.symbol: pt[n] for n, p in game.parameters.items()}
            values.update({w: path[w.name] for mm in game.moves for w in mm.variables if w.name in path})
            path.update({v.name: float(sp.sympify(_anchor(m, v)).xreplace(values)) for v in m.variables})
        elif lay[k] is not None:
            ended = m.stage
    if ended is not None:
        for m in sorted(game.moves, key=lambda m: m.stage):
            if m.stage >= ended:
                for v, d in m.variables.items():
                    values = {p.symbol: pt[n] for n, p in game.parameters.items()}
                    values.update({w: path[w.name] for mm in game.moves for w in mm.variables if w.name in path})
                    path[v.name] = float(sp.sympify(_anchor(m, v)).xreplace(values))
    return path
