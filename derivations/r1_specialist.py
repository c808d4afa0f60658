"""R1. The specialist's best response and value; openness encourages fine-tuning.

From the engine's stage-2 solution (``eq.best_responses``), for the follower of the
regulated mover (``derivations.roles``):

    alpha1*(omega) = argmax_{alpha1 >= alpha0} U_D(omega, alpha1),
    U_D*(omega)    = U_D(omega, alpha1*(omega)),

and the signs of ``d alpha1*/d omega`` and ``d U_D*/d omega`` on ``omega in [0, 1]``,
proved by the prover (or certified numerically where it cannot).
"""
from __future__ import annotations

import sympy as sp

from openeq.analyses.statics import claim, word
from openeq.core.result import Result
from openeq.core.simplify import tidy
from openeq.derivations.roles import roles

COST = 0.1  # seconds to derive on the openness game, after derivations.prepare; openeq appendix starts the slow ones first

KEY = "R1"


def derive(eq) -> Result:
    game = eq.game
    ro = roles(game)
    omega, alpha1, alpha0, D = ro.choice, ro.follower_choice, ro.baseline, ro.follower
    pieces = eq.best_responses[alpha1]
    br = pieces[0][1] if len(pieces) == 1 and not pieces[0][0] else sp.Piecewise(
        *[(e, sp.And(*[b.sympy() for b in bs])) for bs, e in pieces])
    value = tidy(game.payoffs[D].xreplace({alpha1: br}))
    d_br, d_value = tidy(sp.diff(br, omega)), tidy(sp.diff(value, omega))
    effort = tidy(br - alpha0)
    c_br = claim(game, f"d {alpha1}*/d {omega}", d_br)
    c_value = claim(game, f"d U_{D}*/d {omega}", d_value)
    c_effort = claim(game, f"{alpha1}* - {alpha0}", effort)
    soc = [s for s in eq.regions[0].steps if s.player == D and s.kind == "soc"]
    steps = [s for s in eq.regions[0].steps if s.player == D]
    dom = game.variables[omega][1]
    return Result(
        KEY, "The specialist's best response",
        f"For every openness {omega} the specialist fine-tunes to {alpha1}*({omega}) (first-order condition"
        f"{', strictly concave payoff' if soc and soc[0].proved else ''}); the fine-tuning effort {alpha1}* - {alpha0} "
        f"is {'positive' if c_effort.sign == '+' else 'of sign ' + c_effort.sign}.  With openness, {alpha1}*({omega}) "
        f"{word(c_br.sign)} and the specialist's value U_{D}*({omega}) {word(c_value.sign)}"
        f"{': openness encourages fine-tuning' if c_br.sign == '+' and c_value.sign == '+' else ''}.",
        expressions={f"{alpha1}*({omega})": br, f"U_{D}*({omega})": value, f"d {alpha1}*/d {omega}": d_br,
                     f"d U_{D}*/d {omega}": d_value, f"{alpha1}* - {alpha0}": effort},
        conditions=[(f"{omega} in [{dom.lo}, {dom.hi}]", sp.And(omega >= dom.lo, omega <= dom.hi))],
        claims=[c_br, c_value, c_effort], steps=steps, data={"best_response_pieces": len(pieces)})
