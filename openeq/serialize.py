"""JSON forms of games and equilibria (the contract of ``openeq solve --json``).

Expressions and conditions are sympy-parsable strings in the parameters' names:
``sympy.sympify(text)`` reads them back (conditions use ``&``, ``|``, ``Eq``).
"""
from __future__ import annotations

import sympy as sp

__all__ = ["expr_str", "equilibrium_json"]


def expr_str(e) -> str:
    return sp.sstr(e, order="lex")


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
                "status": getattr(r, "status", "proved"),
                "samples": getattr(r, "samples", 0),
            }
            for r in eq.regions
        ],
        "method": eq.method,
    }
