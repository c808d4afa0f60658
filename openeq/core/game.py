"""The game: parameters with domains, players, moves grouped into stages, payoffs.

A *sequential game with continuous actions* is a tuple
``(Theta, N, (S_k)_{k=1..K}, (u_i)_{i in N})``:

* ``Theta`` -- the parameter space, a product of intervals (domains) cut down by
  extra relations among parameters (``a > c``);
* ``N`` -- the players;
* ``S_k`` -- stage ``k``: a set of *moves*; a move is a player choosing one or more
  real variables ``x`` from a box whose bounds may depend on parameters and on
  choices made at earlier stages.  Moves in the same stage are simultaneous; every
  stage observes all earlier stages (perfect information across stages);
* ``u_i(theta, x)`` -- player ``i``'s payoff, a sympy expression (Piecewise for
  penalties and indicators).

Tie-breaking is explicit: ``tie_break[player]`` is ``"max"`` (an indifferent player
takes the larger action) or ``"min"``.

*Options.*  A move may offer named discrete alternatives to its continuous choice:
``options[name][player]`` is every player's payoff when the mover takes option
``name`` (the game then ends; expressions in parameters and earlier choices only).
The mover's value is ``max(best continuous value, option values)``; an indifferent
mover plays (``on_tie = "play"``) unless ``on_tie`` names an option.  A move may
offer options and no variables at all (a pure decision: play on, or take an option);
``play`` names the play-on branch in labels.

*Constraints.*  ``constraints[name]`` is a relation ``lhs op rhs`` (``op`` in
``<= >= ==``) affine in the move's own variables, with coefficients in parameters
and earlier choices (``openeq.core.constraints``): the move chooses from the box cut
by these half-spaces, e.g. ``beta1 >= Max(beta0, theta_D)`` beside ``alpha1 >= alpha0``.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import sympy as sp

from openeq.core.constraints import parse_constraints
from openeq.core.copies import COPY_FUNCTIONS, Copies, CopyOthers, CopySum, apply_copies
from openeq.core.domains import Domain, parse_domain
from openeq.core.errors import GameError
from openeq.core.options import parse_options

__all__ = ["Game", "Move", "Parameter", "GameError"]


@dataclass(frozen=True)
class Parameter:
    symbol: sp.Symbol
    domain: Domain
    latex: str | None = None
    integer: bool = False  # an integer parameter (a number of copies): real inside the closed forms
    per: str | None = None  # the player whose copies each have their own value (openeq.core.copies)

    @property
    def name(self) -> str:
        return self.symbol.name


@dataclass(frozen=True)
class Move:
    """Player ``player`` chooses ``variables`` (symbol -> Domain) at ``stage``, or takes
    one of its ``options`` (name -> {player: payoff}); ``on_tie`` is ``"play"`` or an
    option name; ``play`` names the play-on branch; ``constraints`` (name -> relation)
    cut the box of its variables."""

    player: str
    stage: int
    variables: dict
    options: dict = field(default_factory=dict)
    on_tie: str = "play"
    play: str = "play"
    constraints: dict = field(default_factory=dict)
    per_copy: bool = False  # a copy's options: they do not end the game (openeq.core.copies)

    @property
    def symbols(self) -> tuple:
        return tuple(self.variables)


@dataclass
class Game:
    name: str
    title: str | None = None
    parameters: dict = field(default_factory=dict)  # name -> Parameter
    relations: list = field(default_factory=list)  # sympy relationals among parameters
    moves: list = field(default_factory=list)
    payoffs: dict = field(default_factory=dict)  # player -> Expr
    payoff_sources: dict = field(default_factory=dict)  # player -> python function (for latexify)
    latex_names: dict = field(default_factory=dict)  # name -> LaTeX
    labels: dict = field(default_factory=dict)  # structural tag -> regime label
    tie_break: dict = field(default_factory=dict)  # player -> "max" | "min"
    disagreement: dict = field(default_factory=dict)  # player -> Expr
    source: str | None = None  # normalised model-file text, if loaded from a file
    description: str | None = None  # free text from the model file, if any
    citation: dict | None = None  # the model's source paper (openeq.io.citation.parse_source), if any
    solve_mode: str = "symbolic"  # or "per point": the SPE is derived at each point (openeq.solver.pointwise)
    copies: dict = field(default_factory=dict)  # player -> openeq.core.copies.Copies, once applied
    pending_copies: list = field(default_factory=list)  # (Copies, Move) until every payoff is known

    # ----------------------------------------------------------------- parameters
    def parameter(self, name: str, domain="real", latex: str | None = None, *, integer: bool = False,
                  per: str | None = None) -> sp.Symbol:
        """Declare a parameter; returns its sympy symbol (carrying sign assumptions).

        ``integer=True`` marks a count (e.g. the number of copies ``n``); it stays a real
        symbol in the closed forms.  ``per="D"`` gives each copy of ``D`` its own value
        (``openeq.core.copies``)."""
        _check_name(name, "parameter")
        if name in self.parameters or name in self.variable_names:
            raise GameError(f"name {name!r} is declared twice")
        dom = parse_domain(domain)
        if not dom.numeric:
            raise GameError(f"parameter {name!r}: domain bounds must be numbers, got {dom}")
        if per is not None and not (isinstance(per, str) and per.isidentifier()):
            raise GameError(f"parameter {name!r}: per must name a player, got {per!r}")
        sym = sp.Symbol(name, **dom.symbol_assumptions())
        self.parameters[name] = Parameter(sym, dom, latex, bool(integer), per)
        if latex:
            self.latex_names[name] = latex
        return sym

    def parameters_(self, names: str, domain="real") -> tuple:
        return tuple(self.parameter(n, domain) for n in names.replace(",", " ").split())

    def assume(self, relation) -> None:
        """Add a relation among parameters, e.g. ``a > c``."""
        # safe: a string here is the Python API's, written by the programmer in their own
        # code; the model-file loader passes expressions built by openeq.io.expressions
        rel = sp.sympify(relation, locals=self.namespace) if isinstance(relation, str) else relation
        if not isinstance(rel, sp.core.relational.Relational):
            raise GameError(f"assumption {relation!r} is not a relation such as 'a > c'")
        unknown = {s.name for s in rel.free_symbols} - set(self.parameters)
        if unknown:
            raise GameError(f"assumption {relation!r} uses unknown names {sorted(unknown)}")
        self.relations.append(rel)

    # ---------------------------------------------------------------------- moves
    def move(self, player: str, stage: int, choose: dict, *, options=None, on_tie: str = "play",
             play: str = "play", constraints=None, copies=None) -> tuple:
        """Player ``player`` chooses the variables in ``choose`` (name -> domain) at ``stage``.

        Returns the variables' symbols.  Bounds may use parameters and choices of
        earlier stages.  ``options`` (name -> {player: payoff}) are discrete
        alternatives that end the game (see the module docstring); checked by
        :meth:`validate` once every payoff is known.  ``constraints`` (name ->
        relation, or a list named ``c1, c2, ...``) are affine relations among the move's
        variables, parameters and earlier choices, e.g. ``{"floor": "beta1 >= theta_D"}``.
        ``copies`` (an integer, or the name of an integer parameter) makes the move that of
        ``n`` copies of ``player`` (``openeq.core.copies``); other payoffs see them through
        :meth:`sum`.  The copies are built when the game is validated.
        """
        _check_name(player, "player")
        if not isinstance(stage, int) or stage < 1:
            raise GameError(f"move of {player!r}: stage must be a positive integer, got {stage!r}")
        variables = {}
        for name, dom in choose.items():
            _check_name(name, "choice variable")
            if name in self.parameters or name in self.variable_names:
                raise GameError(f"name {name!r} is declared twice")
            d = parse_domain(dom, namespace=self.namespace)
            for bound in (d.lo, d.hi):
                for s in bound.free_symbols:
                    if s.name in self.parameters:
                        continue
                    earlier = {v.name for m in self.moves if m.stage < stage for v in m.variables}
                    if s.name not in earlier:
                        raise GameError(
                            f"bound of {name!r} uses {s.name!r}, which is not a parameter nor a choice of an earlier stage"
                        )
            sym = sp.Symbol(name, real=True)
            variables[sym] = d
        if not variables and not options:
            raise GameError(f"move of {player!r} at stage {stage}: choose at least one variable or offer options")
        opts = self._options(player, stage, variables, options or {})
        for text, what in ((on_tie, "on_tie"), (play, "play")):
            if not isinstance(text, str) or not text.isidentifier():
                raise GameError(f"move of {player!r}: {what} must be a name, got {text!r}")
        if on_tie != "play" and on_tie not in opts:
            raise GameError(f"move of {player!r}: on_tie = {on_tie!r} is neither 'play' nor one of its options "
                            f"({', '.join(opts) or 'none'})")
        cons = parse_constraints(self, player, stage, variables, constraints)
        if copies is not None:
            return self._copies_move(player, stage, variables, opts, on_tie, play, cons, copies)
        self.moves.append(Move(player, stage, variables, opts, on_tie, play, cons))
        self.moves.sort(key=lambda m: m.stage)
        return tuple(variables)

    def _copies_move(self, player, stage, variables, options, on_tie, play, cons, copies):
        """Register the copies' move without its options (their payoffs are rewritten once
        every payoff is known, :meth:`apply_copies`)."""
        if isinstance(copies, bool) or not isinstance(copies, (int, str)):
            raise GameError(f"move of {player!r}: copies must be a number or an integer parameter's name, got {copies!r}")
        if isinstance(copies, str):
            par = self.parameters.get(copies)
            if par is None or not par.integer:
                raise GameError(f"move of {player!r}: copies = {copies!r} must name an integer parameter "
                                "(declared with integer = true)")
            count = par.symbol
        else:
            count = copies
        per = tuple(n for n, p in self.parameters.items() if p.per == player)
        move = Move(player, stage, variables, {}, "play", play, cons)
        self.moves.append(move)
        self.moves.sort(key=lambda m: m.stage)
        self.pending_copies.append((Copies(player, count, per), move, options, on_tie))
        return tuple(variables)

    def apply_copies(self) -> None:
        """Build the copies of every copies move (``openeq.core.copies.apply_copies``)."""
        applied = bool(self.pending_copies)
        while self.pending_copies:
            spec, move, options, on_tie = self.pending_copies.pop(0)
            apply_copies(self, spec, move, options, on_tie)
        if applied:
            self.check_per()

    def check_per(self) -> None:
        """Every per-copy parameter belongs to a player with copies."""
        for name, par in self.parameters.items():
            if par.per is not None and par.per not in self.copies:
                raise GameError(f"parameters.{name}: per = {par.per!r}, but {par.per!r} has no copies move")

    def sum(self, expr):
        """``Sum(expr)`` over the copies (``openeq.core.copies``)."""
        return CopySum(sp.sympify(expr))

    def others(self, expr):
        """``Others(expr)``: the sum over the other copies."""
        return CopyOthers(sp.sympify(expr))

    def _options(self, player, stage, variables, options) -> dict:
        """Parse an option table: name -> {player: Expr}, each in parameters and earlier choices."""
        return parse_options(self, player, stage, variables, options)

    def payoff(self, player: str, expr) -> sp.Expr:
        """Set ``player``'s payoff: a sympy expression, a string, or a Python function.

        A Python function is traced: it is called with the symbols named by its
        arguments, and its source is kept for latexify.
        """
        if callable(expr) and not isinstance(expr, sp.Basic):
            fn = expr
            args = [self.namespace[a] for a in inspect.signature(fn).parameters]
            self.payoff_sources[player] = fn
            expr = fn(*args)
        if isinstance(expr, str):  # safe: the Python API's string (see assume)
            expr = sp.sympify(expr, locals={**self.namespace, **self._copy_functions()})
        expr = sp.sympify(expr)
        unknown = {s.name for s in expr.free_symbols} - set(self.namespace)
        if unknown:
            raise GameError(f"payoff of {player!r} uses unknown names {sorted(unknown)}")
        self.payoffs[player] = expr
        return expr

    def _copy_functions(self) -> dict:
        return dict(COPY_FUNCTIONS) if self.pending_copies else {}

    # ------------------------------------------------------------------ queries
    @property
    def namespace(self) -> dict:
        ns = {n: p.symbol for n, p in self.parameters.items()}
        ns.update({v.name: v for m in self.moves for v in m.variables})
        return ns

    @property
    def variable_names(self) -> set:
        return {v.name for m in self.moves for v in m.variables}

    @property
    def players(self) -> list:
        seen = []
        for m in self.moves:
            if m.player not in seen:
                seen.append(m.player)
        for p in self.payoffs:
            if p not in seen:
                seen.append(p)
        return seen

    @property
    def stages(self) -> list:
        return sorted({m.stage for m in self.moves})

    def moves_at(self, stage: int) -> list:
        return [m for m in self.moves if m.stage == stage]

    @property
    def variables(self) -> dict:
        """All choice variables: symbol -> (Move, Domain), in stage order."""
        return {v: (m, d) for m in self.moves for v, d in m.variables.items()}

    def symbol(self, name: str) -> sp.Symbol:
        return self.namespace[name]

    def validate(self) -> None:
        """Check that the game is complete: every mover has a payoff, moves exist."""
        self.apply_copies()
        if not self.moves:
            raise GameError(f"game {self.name!r} has no moves")

        for m in self.moves:
            if m.player not in self.payoffs:
                raise GameError(f"player {m.player!r} moves at stage {m.stage} but has no payoff")
            for name, table in ({} if m.per_copy else m.options).items():  # (a copy's: its terms, copies.py)
                missing = [p for p in self.payoffs if p not in table]
                if missing:
                    raise GameError(f"options.{name}: missing payoff of player {missing[0]!r}")
                unknown = [p for p in table if p not in self.payoffs]
                if unknown:
                    raise GameError(f"options.{name}: {unknown[0]!r} is not a player with a payoff "
                                    f"({', '.join(self.payoffs)})")
            if m.options and not m.per_copy and len(self.moves_at(m.stage)) > 1:
                others = [o.player for o in self.moves_at(m.stage) if o is not m]
                raise GameError(f"options of {m.player!r}: options need the mover to be alone at its stage "
                                f"(stage {m.stage} also has {', '.join(others)})")
        for player, tb in self.tie_break.items():
            if tb not in ("max", "min"):
                raise GameError(f"tie_break for {player!r} must be 'max' or 'min', got {tb!r}")

    def structure_key(self) -> str:
        """A canonical text of the game's structure (used for cache keys)."""
        self.apply_copies()
        parts = [f"name={self.name}"]
        for n in sorted(self.parameters):
            parts.append(f"param {n} {self.parameters[n].domain}")
        parts += [f"assume {sp.srepr(r)}" for r in self.relations]
        for m in self.moves:
            parts.append(f"move {m.stage} {m.player} " + ";".join(f"{v}:{d}" for v, d in m.variables.items()))
            if m.options:  # (absent for a move without options: old keys unchanged)
                parts.append(f"options {m.on_tie} {m.play}{' per copy' if m.per_copy else ''} " + ";".join(
                    f"{o}:" + ",".join(f"{p}={sp.srepr(e)}" for p, e in sorted(t.items())) for o, t in m.options.items()))
            if m.constraints:  # (likewise absent without constraints)
                parts.append("constraints " + ";".join(f"{c}:{sp.srepr(r)}" for c, r in m.constraints.items()))
        for p in sorted(self.payoffs):
            parts.append(f"payoff {p} {sp.srepr(self.payoffs[p])}")
        parts += [f"copies {c.player} {c.count}" for c in self.copies.values()]  # (absent without copies)
        parts += [f"label {k}={v}" for k, v in sorted(self.labels.items())]
        parts += [f"tie {k}={v}" for k, v in sorted(self.tie_break.items())]
        return "\n".join(parts)


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
        raise GameError(f"{what} name {name!r} must be an identifier (letters, digits, '_')")
