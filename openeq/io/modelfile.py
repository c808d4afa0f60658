"""Load a game from a declarative TOML model file -- data only, never code.

A model file names the parameters (with domains), the moves (player, stage, the
variables chosen and their intervals) and the payoffs (expressions in parameters
and choices); see ``openeq/models/openness.toml`` and docs/model-format.md.
Top-level keys: ``name`` (required), ``title``, ``description``, ``assume``,
``parameters``, ``latex``, ``moves`` (required), ``payoffs`` (required),
``labels``, ``tie_break``, ``disagreement``, ``source`` (the paper the model comes
from: ``openeq.io.citation``), ``solve`` (``"symbolic"``, the default, or ``"per point"``:
the SPE is derived at each evaluated point, ``openeq.solver.pointwise``).

Expressions are read by :func:`openeq.io.expressions.parse_expression`, the
whitelisting parser; nothing in a file is ever evaluated as Python.  Every fault
raises :class:`ModelFileError`, whose message is one line: ``file: field: fault``.
"""
from __future__ import annotations

import json
import keyword
import re
from contextlib import contextmanager
from pathlib import Path

import sympy as sp

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from openeq.core.copies import COPY_FUNCTIONS
from openeq.core.domains import NAMED, DomainError, parse_domain
from openeq.core.game import Game, GameError
from openeq.io.citation import CitationError, parse_source
from openeq.io.files import read_capped
from openeq.io.expressions import FUNCTIONS, ModelFileError, _one_line, parse_expression
from openeq.io.latexsafe import check_latex_name

__all__ = ["ModelFileError", "load_model", "loads_model", "parse_expression",
           "builtin_models", "resolve_model"]

MAX_FILE = 1_000_000
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

_TOP = ("name", "title", "description", "assume", "parameters", "latex", "moves", "payoffs",
        "labels", "tie_break", "disagreement", "source", "solve")
_SOLVE_MODES = ("symbolic", "per point")
_MOVE = ("stage", "player", "choose")
_MOVE_OPTIONAL = ("options", "on_tie", "play", "constraints", "copies")
_PARAM_KEYS = ("domain", "integer", "per")
_GAME_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}\Z")
_INTERVAL = re.compile(r"\s*([\[(])(.*)([\])])\s*\Z", re.S)


def _key(k: str) -> str:
    return k if _IDENT.match(k) else json.dumps(k)


class _Loader:
    def __init__(self, filename: str):
        self.file = filename

    def fail(self, field, fault):
        raise ModelFileError(self.file, field, fault)

    @contextmanager
    def at(self, field):
        """Report errors of game.py, domains.py and sympy as faults of ``field``."""
        try:
            yield
        except ModelFileError:
            raise
        except (GameError, DomainError, TypeError, ValueError, ArithmeticError, RecursionError) as e:
            raise ModelFileError(self.file, field, e) from None

    def typed(self, value, types, field, what):
        if not isinstance(value, types) or (isinstance(value, bool) and types is not bool):
            self.fail(field, f"expected {what}, got {type(value).__name__} {_one_line(repr(value), 60)}")
        return value

    def table(self, data, key, required=False):
        if key not in data:
            return self.fail(key, "missing") if required else {}
        return self.typed(data[key], dict, key, "a table")

    def ident(self, name, field, what):
        if not _IDENT.match(name) or keyword.iskeyword(name) or "__" in name \
                or name in FUNCTIONS or name in COPY_FUNCTIONS or name == "oo":
            self.fail(field, f"{what} name {name!r} must be an identifier (ASCII letters, digits, "
                             "'_'), not a keyword, a function name or 'oo'")
        return name

    def expr(self, value, ns, field, kind="value", calls=None):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = repr(value)  # payoff = 0 is as good as payoff = "0"
        return parse_expression(self.typed(value, str, field, "an expression string"), ns,
                                where=field, kind=kind, filename=self.file, calls=calls)

    def domain(self, text, ns, field):
        """A named domain or an interval, its bounds read by the safe parser."""
        self.typed(text, str, field, "a domain string")
        if text.strip().lower() in NAMED:
            lb, lo, hi, rb = NAMED[text.strip().lower()]
            text = f"{lb}{lo}, {hi}{rb}"
        m = _INTERVAL.match(text)
        if not m:
            self.fail(field, f"unknown domain {_one_line(repr(text), 60)}: expected positive, "
                             "nonnegative, real or an interval like '(0, 1)' or '[0, oo)'")
        lb, inner, rb = m.groups()
        depth, cuts = 0, []  # split at the top-level comma: "[Max(a, b), 1]"
        for i, ch in enumerate(inner):
            depth += (ch in "([{") - (ch in ")]}")
            cuts += [i] if ch == "," and depth == 0 else []
        if len(cuts) != 1:
            self.fail(field, f"interval {_one_line(repr(text), 60)} must have two bounds, like '[0, oo)'")
        lo, hi = (self.expr(b, {**ns, "oo": sp.oo}, field) for b in (inner[:cuts[0]], inner[cuts[0] + 1:]))
        for b in (lo, hi):
            if b.is_number and b.is_extended_real is False:
                self.fail(field, f"bound {b} is not a real number")
        try:
            with self.at(field):  # domains.py checks the order of the bounds
                return parse_domain(f"{lb}L, H{rb}", parse_bound={"L": lo, "H": hi}.__getitem__)
        except ModelFileError as e:
            self.fail(field, e.fault.replace(f"'{lb}L, H{rb}'", _one_line(repr(text), 60)))

    def load(self, text: str) -> Game:
        if len(text) > MAX_FILE:
            self.fail("file", f"file is too large ({len(text)} characters, at most {MAX_FILE})")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            self.fail("toml", f"invalid TOML: {e}")
        except RecursionError:
            self.fail("toml", "invalid TOML: nested too deeply")
        for key in data:
            if key not in _TOP:
                self.fail(_key(key), f"unknown key {key!r} (allowed: {', '.join(_TOP)})")
        if "name" not in data:
            self.fail("name", 'missing: every model needs name = "..."')
        name = self.typed(data["name"], str, "name", "a string")
        if not _GAME_NAME.match(name):
            self.fail("name", f"{name!r} must be 1-100 letters, digits, '-' or '_'")
        game = Game(name, self.typed(data.get("title"), (str, type(None)), "title", "a string"))
        game.description = self.typed(data.get("description", ""), str, "description", "a string") or None
        game.solve_mode = self.typed(data.get("solve", "symbolic"), str, "solve", "a string")
        if game.solve_mode not in _SOLVE_MODES:
            self.fail("solve", f"{_one_line(repr(game.solve_mode), 60)}: expected one of "
                               + ", ".join(repr(m) for m in _SOLVE_MODES))
        latex = self.table(data, "latex")
        for k, v in latex.items():
            with self.at(f"latex.{_key(k)}"):  # math-mode markup from a whitelist only
                check_latex_name(self.typed(v, str, f"latex.{_key(k)}", "a LaTeX string"))
        for pname, dom in self.table(data, "parameters").items():
            field = f"parameters.{_key(pname)}"
            self.ident(pname, field, "parameter")
            extra = {}
            if isinstance(dom, dict):  # { domain = "...", integer = true, per = "D" }
                dom, extra = self.parameter_table(dom, field)
            d = self.domain(dom, {}, field)
            with self.at(field):
                game.parameter(pname, d, latex.get(pname), **extra)
        self.moves(game, data)
        for k, v in latex.items():
            if k not in game.namespace:
                self.fail(f"latex.{_key(k)}", f"unknown name {k!r} (known: {', '.join(sorted(game.namespace))})")
            game.latex_names[k] = v
        self.payoffs(game, data)
        try:  # the copies' payoffs and options (openeq.core.copies); each fault names its field
            game.apply_copies()
            game.check_per()
        except GameError as e:
            field, _, fault = str(e).partition(": ")
            self.fail(field, fault)
        self.assumptions(game, data)
        for k, v in self.table(data, "labels").items():
            game.labels[k] = self.typed(v, str, f"labels.{_key(k)}", "a string")
        for player, tb in self.table(data, "tie_break").items():
            field = self.player(game, player, "tie_break")
            if tb not in ("max", "min"):
                self.fail(field, f"expected 'max' or 'min', got {_one_line(repr(tb), 60)}")
            game.tie_break[player] = tb
        for player, value in self.table(data, "disagreement").items():
            field = self.player(game, player, "disagreement")
            game.disagreement[player] = self.expr(value, game.namespace, field)
        with self.at("moves"):
            game.validate()
        if "source" in data:
            try:
                game.citation = parse_source(data["source"])
            except CitationError as e:
                self.fail("source", str(e))
        game.source = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return game

    def parameter_table(self, table, field):
        """A parameter written as a table: its domain, and ``integer`` / ``per`` (copies)."""
        for key in table:
            if key not in _PARAM_KEYS:
                self.fail(f"{field}.{_key(key)}", f"unknown key {key!r} (allowed: {', '.join(_PARAM_KEYS)})")
        if "domain" not in table:
            self.fail(f"{field}.domain", 'missing: a parameter table needs domain = "..."')
        extra = {"integer": self.typed(table.get("integer", False), bool, f"{field}.integer", "true or false")}
        if "per" in table:
            extra["per"] = self.ident(self.typed(table["per"], str, f"{field}.per", "a player's name"),
                                      f"{field}.per", "player")
        return table["domain"], extra

    def player(self, game, player, table):
        field = f"{table}.{_key(player)}"
        if player not in game.players:
            self.fail(field, f"unknown player {player!r} (players: {', '.join(game.players)})")
        return field

    def moves(self, game, data):
        moves = self.typed(data.get("moves", []), list, "moves", "an array of [[moves]] tables")
        if not moves:
            self.fail("moves", "no moves: add at least one [[moves]] table")
        stage_of, symbols, seen = {}, {}, {}
        for i, mv in enumerate(moves):  # first pass: types, names, duplicates
            where = f"moves[{i}]"
            self.typed(mv, dict, where, "a table with stage, player, choose")
            for key in [*_MOVE, *mv]:
                if key not in mv or key not in _MOVE + _MOVE_OPTIONAL:
                    self.fail(f"{where}.{_key(key)}", "missing" if key not in mv else
                              f"unknown key {key!r} (allowed: {', '.join(_MOVE + _MOVE_OPTIONAL)})")
            stage = self.typed(mv["stage"], int, f"{where}.stage", "a positive integer")
            if stage < 1:
                self.fail(f"{where}.stage", f"expected a positive integer, got {stage}")
            player = self.ident(self.typed(mv["player"], str, f"{where}.player", "a string"),
                                f"{where}.player", "player")
            if (player, stage) in seen:
                self.fail(f"{where}.player", f"player {player!r} already moves at stage {stage} "
                                             f"({seen[player, stage]}); put all its variables in one move")
            seen[player, stage] = where
            choose = self.typed(mv["choose"], dict, f"{where}.choose", "a table {variable = interval}")
            if not choose and "options" not in mv:
                self.fail(f"{where}.choose", "a move must choose at least one variable (or offer options)")
            for v in choose:
                field = f"{where}.choose.{_key(v)}"
                if self.ident(v, field, "choice variable") in game.parameters or v in stage_of:
                    self.fail(field, f"name {v!r} is declared twice")
                stage_of[v], symbols[v] = stage, sp.Symbol(v, real=True)  # as Game.move makes it
        ns = {**{n: p.symbol for n, p in game.parameters.items()}, **symbols}
        for i in sorted(range(len(moves)), key=lambda j: moves[j]["stage"]):
            stage, domains = moves[i]["stage"], {}
            for v, text in moves[i]["choose"].items():
                field = f"moves[{i}].choose.{_key(v)}"
                domains[v] = d = self.domain(text, ns, field)
                for s in sorted(d.lo.free_symbols | d.hi.free_symbols, key=str):
                    if stage_of.get(s.name, 0) >= stage:
                        when = "the same" if stage_of[s.name] == stage else "a later"
                        self.fail(field, f"bound uses {s.name!r}, chosen at {when} stage ({stage_of[s.name]}); "
                                         "bounds may use parameters and choices of earlier stages only")
            extra = self.move_options(moves[i], ns, f"moves[{i}]")
            with self.at(f"moves[{i}]"):
                game.move(moves[i]["player"], stage, domains, **extra)

    def move_options(self, mv, ns, where):
        """``options``, ``on_tie`` and ``play`` of a move, its payoffs read by the safe parser."""
        extra = {}
        if "options" in mv:
            table = self.typed(mv["options"], dict, f"{where}.options", "a table {name = {player = payoff}}")
            opts = {}
            for name, payoffs in table.items():
                field = f"{where}.options.{_key(name)}"
                self.typed(payoffs, dict, field, "a table {player = payoff}")
                opts[name] = {who: self.expr(v, ns, f"{field}.{_key(who)}") for who, v in payoffs.items()}
            extra["options"] = opts
        if "constraints" in mv:
            extra["constraints"] = self.move_constraints(mv["constraints"], ns, f"{where}.constraints")
        for key in ("on_tie", "play"):
            if key in mv:
                extra[key] = self.typed(mv[key], str, f"{where}.{key}", "a name")
        if "copies" in mv:
            extra["copies"] = self.typed(mv["copies"], (int, str), f"{where}.copies",
                                         "a number of copies or an integer parameter's name")
        return extra

    def move_constraints(self, raw, ns, where):
        """``constraints``: a table {name = "relation"} or an array of relations (named c1, c2, ...),
        each read by the safe parser as a condition."""
        if isinstance(raw, list):
            raw = {f"c{k + 1}": text for k, text in enumerate(raw)}
        table = self.typed(raw, dict, where, 'a table {name = "lhs <= rhs"} or an array of relations')
        out = {}
        for name, text in table.items():
            field = f"{where}.{_key(name)}"
            rel = self.expr(self.typed(text, str, field, 'a relation such as "beta1 >= theta_D"'), ns, field,
                            kind="condition")
            if not isinstance(rel, sp.core.relational.Relational):
                self.fail(field, f"expected one relation 'lhs <= rhs', 'lhs >= rhs' or 'lhs == rhs', got {text!r}")
            out[name] = rel
        return out

    def payoffs(self, game, data):
        payoffs = self.table(data, "payoffs", required=True)
        calls = {**FUNCTIONS, **COPY_FUNCTIONS} if game.pending_copies else None
        for player, text in payoffs.items():
            field = f"payoffs.{_key(player)}"
            self.ident(player, field, "player")
            expr = self.expr(text, game.namespace, field, calls=calls)
            with self.at(field):
                game.payoff(player, expr)
        for m in game.moves:
            if m.player not in payoffs:
                self.fail(f"payoffs.{m.player}", f"missing: player {m.player!r} moves at stage "
                                                 f"{m.stage} but has no payoff")

    def assumptions(self, game, data):
        for i, text in enumerate(self.typed(data.get("assume", []), list, "assume", "an array of strings")):
            field = f"assume[{i}]"
            rel = self.expr(text, game.namespace, field, kind="condition")
            choices = sorted(s.name for s in rel.free_symbols if s.name not in game.parameters)
            if choices:
                self.fail(field, f"assumptions may use parameters only, not the choice {choices[0]!r}")
            for r in rel.args if isinstance(rel, sp.And) else (rel,):
                if r == sp.false:
                    self.fail(field, f"{text!r} contradicts the parameter domains")
                if r != sp.true:  # (true: already implied by the domains)
                    if not isinstance(r, sp.core.relational.Relational):
                        self.fail(field, f"expected a relation such as 'a > c' (or several joined by &), got {r}")
                    with self.at(field):
                        game.assume(r)


def loads_model(text: str, filename: str = "<string>") -> Game:
    """Load a game from the text of a TOML model file; ``filename`` is used in errors."""
    if not isinstance(text, str):
        raise ModelFileError(filename, "file", f"expected text, got {type(text).__name__}")
    return _Loader(filename).load(text)


def load_model(path_or_text, *, name_hint: str | None = None) -> Game:
    """Load a game from a ``.toml`` file (a path), or from TOML text (a str with a newline).

    ``name_hint`` is how the file is named in error messages (default: the path as given).
    """
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return loads_model(path_or_text, filename=name_hint or "<string>")
    label = name_hint or str(path_or_text)
    try:
        text = read_capped(Path(path_or_text), MAX_FILE).decode("utf-8")
    except OSError as e:
        raise ModelFileError(label, "file", f"cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise ModelFileError(label, "file", f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    except (TypeError, ValueError) as e:  # not a path at all, or a NUL in it
        raise ModelFileError(label, "file", f"expected a path: {e}") from None
    return loads_model(text, filename=label)


def builtin_models() -> dict:
    """The models shipped in ``openeq/models``: name (the file stem) -> path."""
    return {p.stem: p for p in sorted(MODELS_DIR.glob("*.toml"))}


def resolve_model(name_or_path) -> Game:
    """Load a built-in model by name, or a model file by path."""
    builtins, text = builtin_models(), str(name_or_path)
    if not isinstance(name_or_path, Path) and text in builtins:
        return load_model(builtins[text])
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        return load_model(name_or_path)
    raise ModelFileError(text, "model", f"unknown model {text!r}: not a built-in "
                                        f"({', '.join(builtins) or 'none'}) nor a .toml file")
