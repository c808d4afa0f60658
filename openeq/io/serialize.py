"""JSON forms of games and equilibria (the contract of ``openeq solve --json``).

Expressions and conditions are strings in sympy's syntax over the record's names
(its parameters and choice variables; conditions use ``&``, ``|``, ``Eq``, ``Ne``).
``read_expression(text, record_names(record))`` reads one back safely, through the
whitelisted parser: a name such as ``I``, ``E``, ``S`` or ``gamma`` comes back as the
symbol of that name, and nothing in the text is executed.  (``sympy.sympify`` would
read those names as sympy's constants and functions, and it evaluates Python.)
"""
from __future__ import annotations

import sympy as sp

__all__ = ["expr_str", "equilibrium_json", "json_safe", "result_json", "read_expression", "record_names"]


def expr_str(e) -> str:
    return sp.sstr(e, order="lex")


def record_names(record: dict) -> list:
    """The names an ``equilibrium_json`` or ``eval`` record's expressions are written in:
    its parameters, then its choice variables (strategies and best responses)."""
    names = list(record.get("parameters", {}))
    for region in record.get("regions", [record]):
        for field in ("strategies", "best_responses"):
            names += [n for n in region.get(field, {}) if n not in names]
    return names


def read_expression(text: str, names, *, kind: str = "value"):
    """The sympy form of one expression (``kind="condition"``: one condition) of openeq's
    JSON output, over plain symbols named ``names``; ``ModelFileError`` if ``text`` is not
    one.  ``oo`` is infinity.

    >>> read_expression("I*gamma + E", ["I", "gamma", "E"]).free_symbols == set(sp.symbols("I gamma E"))
    True
    """
    from openeq.io.expressions import parse_expression

    namespace = {str(n): sp.Symbol(str(n)) for n in names}
    namespace.setdefault("oo", sp.oo)
    return parse_expression(text, namespace, where=kind, kind=kind, filename="<json>", printed=True)


def equilibrium_json(eq) -> dict:
    game = eq.game
    return {
        "model": game.name,
        "parameters": {n: str(p.domain) for n, p in game.parameters.items()},
        "assumptions": [expr_str(r) for r in game.relations],
        "regions": [
            {
                "label": r.label,
                "case": r.case,
                "condition": expr_str(r.condition),
                "strategies": {str(v): expr_str(e) for v, e in r.strategies.items()},
                "payoffs": {p: expr_str(e) for p, e in r.payoffs.items()},
                "best_responses": {str(v): expr_str(e) for v, e in r.best_responses.items()},
                "unproven": list(r.unproven),
                "status": r.status,
                "samples": r.samples,
            }
            for r in eq.regions
        ],
        "method": eq.method,
    }


def json_safe(x):
    """JSON-safe form: sympy objects as sympy-parsable strings."""
    if isinstance(x, (sp.Basic, sp.logic.boolalg.Boolean)):
        return expr_str(x)
    if isinstance(x, dict):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set)):
        return [json_safe(v) for v in x]
    if isinstance(x, (bool, int, str)) or x is None:
        return x
    if isinstance(x, float):
        return x if x == x and abs(x) != float("inf") else str(x)
    return str(x)


def result_json(res) -> dict:
    """The JSON form of a derived result (``openeq.core.result.Result``)."""
    js = json_safe
    return {
        "key": res.key, "title": res.title, "statement": res.statement,
        "expressions": {k: js(v) for k, v in res.expressions.items()},
        "conditions": [{"text": t, "condition": js(c)} for t, c in res.conditions],
        "claims": [{"text": c.text, "expr": js(c.expr), "sign": c.sign, "proved": c.proved,
                    "samples": c.samples, "max_violation": c.max_violation} for c in res.claims],
        "steps": [{"kind": s.kind, "player": s.player, "text": s.text, "expr": js(s.expr), "proved": s.proved}
                  for s in res.steps],
        "data": js(res.data),
    }
