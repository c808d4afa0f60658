"""Load a game from a declarative TOML model file -- data only, never code.

A model file names the parameters (with domains), the moves (player, stage, the
variables chosen and their intervals) and the payoffs (expressions in parameters
and choices); see ``openeq/models/openness.toml``.  Top-level keys: ``name``
(required), ``title``, ``description``, ``assume``, ``parameters``, ``latex``,
``moves`` (required), ``payoffs`` (required), ``labels``, ``tie_break``,
``disagreement``.

Expressions are read by :func:`parse_expression`: it parses the text with
:mod:`ast`, checks every node against a whitelist (numbers, declared names,
``+ - * / **``, comparisons and ``& | ~`` in conditions, calls of ``Piecewise Min
Max sqrt exp log Abs``) and only then builds the sympy expression itself from the
tree.  Nothing in a file is ever evaluated as Python.  Every fault raises
:class:`ModelFileError`, whose message is one line: ``file: field: fault``.
"""
from __future__ import annotations

import ast
import json
import keyword
import operator
import re
from contextlib import contextmanager
from pathlib import Path

import sympy as sp

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .domains import NAMED, DomainError, parse_domain
from .game import Game, GameError

__all__ = ["ModelFileError", "load_model", "loads_model", "parse_expression",
           "builtin_models", "resolve_model"]

MAX_LENGTH, MAX_DEPTH, MAX_EXPONENT, MAX_BITS, MAX_ARGS = 10_000, 100, 1000, 10_000, 100
MAX_ROOT_BITS, MAX_MINMAX = 512, 40  # sympy's roots of big numbers and Min/Max are slow
MAX_FILE = 1_000_000
MODELS_DIR = Path(__file__).parent / "models"


class ModelFileError(ValueError):
    """A model file that cannot be loaded; ``str()`` is ``"file: field: fault"``."""

    def __init__(self, file, field, fault):
        self.file, self.field, self.fault = (_one_line(x) for x in (file, field, fault))
        super().__init__(f"{self.file}: {self.field}: {self.fault}")


def _one_line(text, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------ expressions
_FUNCS = {"Piecewise": sp.Piecewise, "Min": sp.Min, "Max": sp.Max, "sqrt": sp.sqrt,
          "exp": sp.exp, "log": sp.log, "Abs": sp.Abs}
_UNARY_FUNCS = ("sqrt", "exp", "log", "Abs")
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow}
_LOGIC = {ast.BitAnd: sp.And, ast.BitOr: sp.Or}
_CMP = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq}
_NODES = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Call, ast.Tuple, ast.Name, ast.Constant)
_REFUSED = {  # node or operator type -> why it is refused
    ast.Attribute: "attribute access ('.')", ast.Subscript: "subscripts ('[...]')",
    ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.JoinedStr: "f-strings",
    ast.List: "lists", ast.Set: "sets", ast.Dict: "dicts", ast.NamedExpr: "assignments (':=')",
    ast.Starred: "starred arguments", ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.MatMult: "'@'",
    ast.LShift: "'<<'", ast.RShift: "'>>'", ast.Is: "'is'", ast.IsNot: "'is not'", ast.In: "'in'",
    ast.NotIn: "'not in'", ast.NotEq: "'!='",
    ast.BoolOp: "'and'/'or' not allowed: use & and | between parenthesised comparisons",
    ast.IfExp: "'x if c else y' not allowed: use Piecewise",
    ast.Not: "'not' not allowed: use ~ in conditions", ast.BitXor: "'^' not allowed: use ** for powers",
}
_TOO_DEEP = f"expression is nested too deeply (more than {MAX_DEPTH} levels)"
_NOT_COND = "a condition must be a comparison, True/False, or conditions joined by & | ~"


def _refused(thing) -> str:
    why = _REFUSED.get(type(thing), type(thing).__name__)
    return why if "not allowed" in why else f"{why} not allowed"


def parse_expression(text, namespace: dict, *, where: str, kind: str = "value",
                     filename: str = "<expression>"):
    """Parse ``text`` safely into a sympy expression over the symbols in ``namespace``.

    ``kind="condition"`` parses a relation or a boolean combination of relations
    (``a > c``, ``(x < 1) & (y > 0)``).  ``where`` names the field in errors;
    ``"oo"`` in ``namespace`` (mapped to ``sympy.oo``) allows infinity.
    """
    def fail(fault):
        raise ModelFileError(filename, where, fault)

    if kind not in ("value", "condition"):
        raise ValueError(f"kind must be 'value' or 'condition', got {kind!r}")
    if not isinstance(text, str):
        fail(f"expected an expression in a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        fail(f"expression is too long ({len(text)} characters, at most {MAX_LENGTH})")
    text = " ".join(text.split())  # multi-line TOML strings are fine
    if not text:
        fail("empty expression")
    if not text.isascii():  # (also keeps Python's NFKC folding of names out of play)
        fail(f"non-ASCII character {next(ch for ch in text if not ch.isascii())!r} not allowed")
    depth = deepest = 0
    for ch in text:
        depth += (ch in "([{") - (ch in ")]}")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        fail(_TOO_DEEP)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        fail(f"syntax error: {e.msg}" + (f" (column {e.offset})" if e.offset else ""))
    except (RecursionError, MemoryError, ValueError):
        fail(_TOO_DEEP)
    _check_tree(tree.body, namespace, fail)  # the whitelist first: nothing is built yet
    try:
        result = _Builder(namespace, fail).build(tree.body, kind == "condition")
        bad = result.has(sp.zoo, sp.nan, sp.I) or ("oo" not in namespace and result.has(sp.oo))
    except ModelFileError:
        raise
    except Exception as e:  # sympy refusing a well-formed tree, e.g. comparing with I
        fail(f"cannot build expression: {type(e).__name__}: {e}")
    if bad:
        fail(f"expression {text!r} is undefined or not real (division by zero?)")
    return result


def _check_tree(root, namespace, fail) -> None:
    """Walk the tree iteratively and refuse any node outside the whitelist."""
    stack = [(root, 1, False)]  # (node, nesting depth, is an argument of Piecewise)
    minmax = 0
    while stack:
        node, depth, pw_arg = stack.pop()
        if depth > MAX_DEPTH:
            fail(_TOO_DEEP)
        if not isinstance(node, _NODES):
            fail(_refused(node))
        if isinstance(node, ast.Name):
            if "__" in node.id:
                fail(f"names with double underscores are not allowed: {node.id!r}")
            if node.id not in namespace:
                if node.id in _FUNCS:
                    fail(f"{node.id!r} is a function: call it as {node.id}(...)")
                fail(f"unknown symbol {node.id!r} (known: {', '.join(sorted(namespace)) or 'none'})")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                fail("strings are not allowed")
            if not isinstance(node.value, (int, float)):  # bool is an int
                fail(f"constant {node.value!r} not allowed")
        elif isinstance(node, ast.Call):
            fn = node.func
            if not (isinstance(fn, ast.Name) and fn.id in _FUNCS):
                what = f"of {fn.id!r} is" if isinstance(fn, ast.Name) else "of an expression is"
                fail(f"call {what} not allowed (allowed: {', '.join(_FUNCS)})")
            if node.keywords:
                fail("keyword arguments are not allowed")
            most = 1 if fn.id in _UNARY_FUNCS else MAX_ARGS
            if not 1 <= len(node.args) <= most:
                fail(f"{fn.id}() takes {'exactly 1 argument' if most == 1 else f'1 to {most} arguments'}")
            minmax += len(node.args) if fn.id in ("Min", "Max") else 0
            if minmax > MAX_MINMAX:
                fail(f"too many Min/Max arguments (at most {MAX_MINMAX} in one expression)")
            stack += [(a, depth + 1, fn.id == "Piecewise") for a in node.args]
        elif isinstance(node, ast.Tuple):
            if not pw_arg or len(node.elts) != 2:
                fail("tuples are only allowed as Piecewise arguments: (value, condition)")
            stack += [(e, depth + 1, False) for e in node.elts]
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _ARITH and type(node.op) not in _LOGIC:
                fail(_refused(node.op))
            exponent = node.right.operand if isinstance(node.right, ast.UnaryOp) else node.right
            if isinstance(node.op, ast.Pow) and isinstance(exponent, ast.Constant) \
                    and isinstance(exponent.value, (int, float)) and abs(exponent.value) > MAX_EXPONENT:
                fail(f"exponent {exponent.value!r} is too large (at most {MAX_EXPONENT} in absolute value)")
            # a left-leaning chain a + b + c + ... is not nesting
            stack += [(node.left, depth if isinstance(node.left, ast.BinOp) else depth + 1, False),
                      (node.right, depth + 1, False)]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)):
                fail(_refused(node.op))
            stack.append((node.operand, depth + 1, False))
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _CMP:
                    fail(_refused(op))
            stack += [(c, depth + 1, False) for c in [node.left, *node.comparators]]


class _Builder:
    """Build the sympy expression from a tree that :func:`_check_tree` accepted."""

    def __init__(self, namespace, fail):
        self.ns, self.fail = namespace, fail

    def build(self, node, cond: bool):
        """``cond``: whether a condition (True/False, relation, & | ~) is expected here."""
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            if not cond:
                self.fail("True/False are only allowed as conditions")
            return sp.true if node.value else sp.false
        if isinstance(node, ast.BinOp) and type(node.op) in _LOGIC:
            if not cond:
                self.fail("& and | join conditions only; parenthesise comparisons: (a < b) & (c < d)")
            return _LOGIC[type(node.op)](self.build(node.left, True), self.build(node.right, True))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            if not cond:
                self.fail("~ negates conditions only")
            return sp.Not(self.build(node.operand, True))
        if isinstance(node, ast.Compare):
            if not cond:
                self.fail("comparisons are only allowed in Piecewise conditions and assumptions")
            terms = [self.build(t, False) for t in [node.left, *node.comparators]]
            rels = [_CMP[type(op)](a, b) for op, a, b in zip(node.ops, terms, terms[1:])]
            return sp.And(*rels) if len(rels) > 1 else rels[0]
        if cond:
            self.fail(_NOT_COND)
        if isinstance(node, ast.Constant):
            return self.number(node.value)
        if isinstance(node, ast.Name):
            return self.ns[node.id]
        if isinstance(node, ast.UnaryOp):
            value = self.build(node.operand, False)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            chain = []  # unroll the left spine a + b + c + ... without recursion
            while isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
                chain.append(node)
                node = node.left
            acc = self.build(node, False)
            for b in reversed(chain):
                acc = self.arith(b.op, acc, self.build(b.right, False))
            return acc
        if isinstance(node, ast.Call) and node.func.id == "Piecewise":
            if not all(isinstance(a, ast.Tuple) for a in node.args):
                self.fail("Piecewise takes (value, condition) pairs")
            return sp.Piecewise(*((self.build(v, False), self.build(c, True)) for v, c in
                                  (a.elts for a in node.args)))
        if isinstance(node, ast.Call) and node.func.id == "sqrt":
            return self.arith(ast.Pow(), self.build(node.args[0], False), sp.S.Half)
        if isinstance(node, ast.Call):
            return _FUNCS[node.func.id](*(self.build(a, False) for a in node.args))
        self.fail(f"{type(node).__name__} is not allowed here")

    def number(self, value):
        if isinstance(value, float) and not abs(value) < float("inf"):
            self.fail("numbers must be finite")
        return self.checked(sp.Rational(repr(value)) if isinstance(value, float) else sp.Integer(value))

    def arith(self, op, a, b):
        if isinstance(op, ast.Pow) and b.is_number:  # refuse 9**9**9 before computing it
            size = abs(b) if b.is_Rational else abs(sp.N(b, 15))
            if not size.is_finite or size > MAX_EXPONENT:
                self.fail(f"exponent {b} is too large (at most {MAX_EXPONENT} in absolute value)")
            bits = max(abs(a.p).bit_length(), a.q.bit_length()) if a.is_Rational else 0
            if bits * size > MAX_BITS:
                self.fail(f"number {a}**{b} is too large")
            if bits > MAX_ROOT_BITS and not b.is_Integer:
                self.fail(f"number {a} is too large to take a root of (at most {MAX_ROOT_BITS} bits)")
        return self.checked(_ARITH[type(op)](a, b))

    def checked(self, value):
        if value.is_Rational and max(abs(value.p).bit_length(), value.q.bit_length()) > MAX_BITS:
            self.fail(f"number too large (more than {MAX_BITS} bits)")
        return value


# ------------------------------------------------------------------ model files
_TOP = ("name", "title", "description", "assume", "parameters", "latex", "moves", "payoffs",
        "labels", "tie_break", "disagreement")
_MOVE = ("stage", "player", "choose")
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
                or name in _FUNCS or name == "oo":
            self.fail(field, f"{what} name {name!r} must be an identifier (ASCII letters, digits, "
                             "'_'), not a keyword, a function name or 'oo'")
        return name

    def expr(self, value, ns, field, kind="value"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = repr(value)  # payoff = 0 is as good as payoff = "0"
        return parse_expression(self.typed(value, str, field, "an expression string"), ns,
                                where=field, kind=kind, filename=self.file)

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
        latex = self.table(data, "latex")
        for k, v in latex.items():
            self.typed(v, str, f"latex.{_key(k)}", "a LaTeX string")
        for pname, dom in self.table(data, "parameters").items():
            field = f"parameters.{_key(pname)}"
            self.ident(pname, field, "parameter")
            d = self.domain(dom, {}, field)
            with self.at(field):
                game.parameter(pname, d, latex.get(pname))
        self.moves(game, data)
        for k, v in latex.items():
            if k not in game.namespace:
                self.fail(f"latex.{_key(k)}", f"unknown name {k!r} (known: {', '.join(sorted(game.namespace))})")
            game.latex_names[k] = v
        self.payoffs(game, data)
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
        game.source = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return game

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
                if key not in mv or key not in _MOVE:
                    self.fail(f"{where}.{_key(key)}", "missing" if key not in mv else
                              f"unknown key {key!r} (allowed: {', '.join(_MOVE)})")
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
            if not choose:
                self.fail(f"{where}.choose", "a move must choose at least one variable")
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
            with self.at(f"moves[{i}]"):
                game.move(moves[i]["player"], stage, domains)

    def payoffs(self, game, data):
        payoffs = self.table(data, "payoffs", required=True)
        for player, text in payoffs.items():
            field = f"payoffs.{_key(player)}"
            self.ident(player, field, "player")
            expr = self.expr(text, game.namespace, field)
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
        path = Path(path_or_text)
        if path.stat().st_size > MAX_FILE:
            raise ModelFileError(label, "file", f"file is too large (at most {MAX_FILE} bytes)")
        text = path.read_bytes().decode("utf-8")
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
