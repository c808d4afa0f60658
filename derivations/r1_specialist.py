"""R1. The specialist's best response and value; openness encourages fine-tuning.

From the engine's stage-2 solution (``eq.best_responses``):

    alpha1*(omega) = argmax_{alpha1 >= alpha0} U_D(omega, alpha1),
    U_D*(omega)    = U_D(omega, alpha1*(omega)),

and the signs of ``d alpha1*/d omega`` and ``d U_D*/d omega`` on ``omega in [0, 1]``,
proved by the prover (or certified numerically where it cannot).
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.regulation import NAMES
from openeq.analyses.statics import claim, word
from openeq.core.simplify import tidy as _tidy
from openeq.core.result import Result

COST = 0.1  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R1"


def derive(eq) -> Result:
    game = eq.game
    omega, alpha1, alpha0 = (game.symbol(n) for n in (NAMES["openness"], "alpha1", NAMES["performance"]))
    pieces = eq.best_responses[alpha1]
    br = pieces[0][1] if len(pieces) == 1 and not pieces[0][0] else sp.Piecewise(
        *[(e, sp.And(*[b.sympy() for b in bs])) for bs, e in pieces])
    value = _tidy(game.payoffs[NAMES["specialist"]].xreplace({alpha1: br}))
    d_br, d_value = _tidy(sp.diff(br, omega)), _tidy(sp.diff(value, omega))
    effort = _tidy(br - alpha0)
    c_br = claim(game, "d alpha1*/d omega", d_br)
    c_value = claim(game, "d U_D*/d omega", d_value)
    c_effort = claim(game, "alpha1* - alpha0", effort)
    soc = [s for s in eq.regions[0].steps if s.player == NAMES["specialist"] and s.kind == "soc"]
    steps = [s for s in eq.regions[0].steps if s.player == NAMES["specialist"]]
    return Result(
        KEY, "The specialist's best response",
        f"For every openness omega the specialist fine-tunes to alpha1*(omega) (first-order condition"
        f"{', strictly concave payoff' if soc and soc[0].proved else ''}); the fine-tuning effort alpha1* - alpha0 "
        f"is {'positive' if c_effort.sign == '+' else 'of sign ' + c_effort.sign}.  With openness, alpha1*(omega) "
        f"{word(c_br.sign)} and the specialist's value U_D*(omega) {word(c_value.sign)}"
        f"{': openness encourages fine-tuning' if c_br.sign == '+' and c_value.sign == '+' else ''}.",
        expressions={"alpha1*(omega)": br, "U_D*(omega)": value, "d alpha1*/d omega": d_br,
                     "d U_D*/d omega": d_value, "alpha1* - alpha0": effort},
        conditions=[("omega in [0, 1]", sp.And(omega >= 0, omega <= 1))],
        claims=[c_br, c_value, c_effort], steps=steps, data={"best_response_pieces": len(pieces)})
