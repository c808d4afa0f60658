"""The safe expression parser: the only way from text to sympy expressions.

``parse_expression(text, namespace, where=...)`` parses ``text`` with :mod:`ast`,
checks every node against a whitelist -- numbers, declared names, ``+ - * / **``,
comparisons and ``& | ~`` in conditions, calls of ``Piecewise Min Max sqrt exp
log Abs`` (and, in openeq's own printed output, ``Eq Ne`` and ``CRootOf(p, k)``, a
polynomial ``p`` in ``x`` alone and a real root's index) -- and only then builds the
sympy expression itself from the tree.
Nothing is ever evaluated as Python: ``sympify`` and ``parse_expr`` evaluate
their input and must never see text from a model file, a cache entry or a user.

Limits (deterministic, checked before anything is built): ``MAX_LENGTH``
characters, ``MAX_DEPTH`` levels of nesting, exponents up to ``MAX_EXPONENT``,
numbers up to ``MAX_BITS`` bits, ``MAX_MINMAX`` Min/Max arguments.  Every fault
raises :class:`ModelFileError`, whose message is one line: ``file: field: fault``.
"""
from __future__ import annotations

import ast
import operator

import sympy as sp

from openeq.core.errors import OpeneqError

__all__ = ["ModelFileError", "parse_expression", "FUNCTIONS"]

MAX_LENGTH, MAX_DEPTH, MAX_EXPONENT, MAX_BITS, MAX_ARGS = 10_000, 100, 1000, 10_000, 100
MAX_ROOT_BITS, MAX_MINMAX = 512, 40  # sympy's roots of big numbers and Min/Max are slow


class ModelFileError(OpeneqError):
    """A model file that cannot be loaded; ``str()`` is ``"file: field: fault"``."""

    def __init__(self, file, field, fault):
        self.file, self.field, self.fault = (_one_line(x) for x in (file, field, fault))
        super().__init__(f"{self.file}: {self.field}: {self.fault}")


def _one_line(text, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


FUNCTIONS = {"Piecewise": sp.Piecewise, "Min": sp.Min, "Max": sp.Max, "sqrt": sp.sqrt,
          "exp": sp.exp, "log": sp.log, "Abs": sp.Abs}
_UNARYFUNCTIONS = ("sqrt", "exp", "log", "Abs", "Sum", "Others")
_PRINTED_RELATIONS = {"Eq": sp.Eq, "Ne": sp.Ne}  # as sympy prints = and != (printed=True only)
_PRINTED_ROOT = "CRootOf"  # a certified root as sympy prints it, CRootOf(p in x, k) (printed=True only)
MAX_ROOT_DEGREE = 64
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
                     filename: str = "<expression>", printed: bool = False, calls: dict | None = None):
    """Parse ``text`` safely into a sympy expression over the symbols in ``namespace``.

    ``kind="condition"`` parses a relation or a boolean combination of relations
    (``a > c``, ``(x < 1) & (y > 0)``).  ``where`` names the field in errors;
    ``"oo"`` in ``namespace`` (mapped to ``sympy.oo``) allows infinity.
    ``printed=True`` also reads relations as sympy prints them, ``Eq(a, b)`` and
    ``Ne(a, b)`` (openeq's JSON output; ``openeq.io.serialize.read_expression``).
    ``calls`` replaces the whitelist of functions (``FUNCTIONS`` plus ``Sum`` and
    ``Others`` in the payoffs of a game with copies, ``openeq.core.copies``).
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
    if calls is None:
        calls = {**FUNCTIONS, **_PRINTED_RELATIONS, _PRINTED_ROOT: None} if printed else FUNCTIONS
    _check_tree(tree.body, namespace, fail, calls)  # the whitelist first: nothing is built yet
    try:
        result = _Builder(namespace, fail, calls).build(tree.body, kind == "condition")
        bad = result.has(sp.zoo, sp.nan, sp.I) or ("oo" not in namespace and result.has(sp.oo))
    except ModelFileError:
        raise
    except Exception as e:  # sympy refusing a well-formed tree, e.g. comparing with I
        fail(f"cannot build expression: {type(e).__name__}: {e}")
    if bad:
        fail(f"expression {text!r} is undefined or not real (division by zero?)")
    return result


def _check_tree(root, namespace, fail, calls=FUNCTIONS) -> None:
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
                if node.id in FUNCTIONS:
                    fail(f"{node.id!r} is a function: call it as {node.id}(...)")
                fail(f"unknown symbol {node.id!r} (known: {', '.join(sorted(namespace)) or 'none'})")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                fail("strings are not allowed")
            if not isinstance(node.value, (int, float)):  # bool is an int
                fail(f"constant {node.value!r} not allowed")
        elif isinstance(node, ast.Call):
            fn = node.func
            if not (isinstance(fn, ast.Name) and fn.id in calls):
                what = f"of {fn.id!r} is" if isinstance(fn, ast.Name) else "of an expression is"
                fail(f"call {what} not allowed (allowed: {', '.join(calls) or 'none here'})")
            if node.keywords:
                fail("keyword arguments are not allowed")
            if fn.id == _PRINTED_ROOT:  # CRootOf(polynomial in x alone, index): checked on its own
                if len(node.args) != 2 or not (isinstance(node.args[1], ast.Constant) and type(node.args[1].value)
                                               is int and 0 <= node.args[1].value < MAX_ROOT_DEGREE):
                    fail(f"{_PRINTED_ROOT}() takes a polynomial in x and a root index 0 to {MAX_ROOT_DEGREE - 1}")
                _check_tree(node.args[0], {"x": None}, fail, {})
                continue
            least, most = (2, 2) if fn.id in _PRINTED_RELATIONS else (1, 1 if fn.id in _UNARYFUNCTIONS else MAX_ARGS)
            if not least <= len(node.args) <= most:
                fail(f"{fn.id}() takes {'exactly 1 argument' if most == 1 else f'{least} to {most} arguments'}")
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

    def __init__(self, namespace, fail, calls=FUNCTIONS):
        self.ns, self.fail, self.calls = namespace, fail, calls

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
        if isinstance(node, ast.Call) and node.func.id in _PRINTED_RELATIONS:
            if not cond:
                self.fail(f"{node.func.id}(...) is a condition; it is only allowed where one is expected")
            return _PRINTED_RELATIONS[node.func.id](*(self.build(a, False) for a in node.args))
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
        if isinstance(node, ast.Call) and node.func.id == _PRINTED_ROOT:
            return self.root(node)
        if isinstance(node, ast.Call) and node.func.id == "sqrt":
            return self.arith(ast.Pow(), self.build(node.args[0], False), sp.S.Half)
        if isinstance(node, ast.Call):
            return self.calls[node.func.id](*(self.build(a, False) for a in node.args))
        self.fail(f"{type(node).__name__} is not allowed here")

    def root(self, node):
        """``CRootOf(p, k)``: ``p`` a polynomial in ``x`` with rational coefficients, of degree
        at most ``MAX_ROOT_DEGREE``, and ``k`` the index of one of its real roots."""
        x = sp.Symbol("x")
        p = _Builder({"x": x}, self.fail, {}).build(node.args[0], False)
        k = node.args[1].value
        try:
            poly = sp.Poly(p, x)
        except sp.PolynomialError:
            self.fail(f"{_PRINTED_ROOT}: {p} is not a polynomial in x")
        if not (poly.domain.is_QQ or poly.domain.is_ZZ) or not 1 <= poly.degree() <= MAX_ROOT_DEGREE:
            self.fail(f"{_PRINTED_ROOT}: {p} must have rational coefficients and degree 1 to {MAX_ROOT_DEGREE}")
        if k >= sp.count_roots(poly):
            self.fail(f"{_PRINTED_ROOT}: {p} has no real root of index {k}")
        return sp.CRootOf(poly, k)

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
