"""Optimality claims and the status of a region.

Every answer the solver gives rests on claims.  Most are discharged by proof while
the stage is solved: a second-order condition proved on a piece (the clamp), a
comparison made part of the region's condition, a limit decided.  A claim that is
*not* proved is recorded here: that a mover's chosen point is a global best
response although the candidate set could not be proved complete (a first-order
condition ``sympy.solve`` solved but that is not polynomial; an unbounded choice
set of several variables without proved concavity; a simultaneous mover whose
payoff is not proved concave in its own variables).

A region's ``status`` is

* ``proved``: no unproven claim;
* ``certified``: every unproven claim was checked at ``N > 0`` sampled points
  (``certify.py``, mpmath), ``N`` the smallest count;
* ``unproven``: some claim could not be checked (no sampled point met its region).

A claim that *fails* at a sampled point is never reported: ``certify`` raises.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Claim", "BestResponseCheck", "stage_claims", "nash_claims", "region_status", "status_text", "status_notes"]


@dataclass
class BestResponseCheck:
    """``u(x) <= value`` for every ``x`` in ``domains`` wherever ``bounds`` hold.

    ``pieces``: ``[(bounds, payoff)]``, the mover's payoff as a function of its own
    variables (the first piece whose bounds hold applies); ``bounds`` and ``value``
    are in the parameters and earlier choices."""

    domains: dict  # Symbol -> Domain (the mover's variables)
    pieces: list
    bounds: list
    value: object


@dataclass
class Claim:
    stage: int
    player: str
    text: str
    proved: bool
    check: BestResponseCheck | None = None
    samples: int = 0
    certified: bool = field(default=False, compare=False)


def stage_claims(stage, player, move, branches, per_piece):
    """Claim makers ``(region, point, value) -> Claim`` for one mover's stage: one
    unproven best-response claim when some candidate set is not proved complete."""
    notes = sorted({n for entry in per_piece for t in entry for n in t[3].incomplete})
    if not notes:
        return []
    pieces = [(list(br.bounds), br.payoffs[player]) for br in branches]

    def make(region, point, value):
        text = f"stage {stage} ({player}): {'; '.join(notes)}, so the chosen point is a best response"
        return Claim(stage, player, text, False, BestResponseCheck(dict(move.variables), pieces, list(region), value))

    return [make]


def nash_claims(stage, moves, payoffs, point, region, values):
    """Unproven claims that each simultaneous mover's part of ``point`` is a best
    response to the others' (its payoff is not proved concave in its own variables)."""
    out = []
    for m in moves:
        others = {v: e for v, e in point.items() if v not in m.variables}
        u = payoffs[m.player].xreplace(others)
        text = (f"stage {stage} ({m.player}): {', '.join(map(str, m.variables))} is a best response to the others' "
                "choices (concavity not proved)")
        out.append(Claim(stage, m.player, text, False,
                         BestResponseCheck(dict(m.variables), [([], u)], list(region), values[m.player])))
    return out


def region_status(claims, game, certify):
    """``(status, samples, unproven texts)`` of a region from its claims; ``certify``
    checks one claim numerically (raising where it fails) and returns its sample count."""
    open_claims = [c for c in claims if not c.proved]
    if not open_claims:
        return "proved", 0, []
    counts = []
    for c in open_claims:
        if not c.certified:
            c.samples = certify(c, game)
            c.certified = True
        counts.append(c.samples)
    texts = sorted({c.text for c in open_claims})
    if min(counts) > 0:
        return "certified", min(counts), texts
    return "unproven", 0, texts


def status_text(region) -> str:
    """``proved``, ``certified at N sampled points`` or ``unproven``."""
    st = getattr(region, "status", "proved")
    return f"certified at {region.samples} sampled points" if st == "certified" else st


def status_notes(eq) -> list:
    """One line per region that is not proved, naming it and what is not proved."""
    out = []
    for k, r in enumerate(eq.regions, 1):
        if getattr(r, "status", "proved") != "proved":
            what = "; ".join(r.unproven) or "an optimality claim"
            out.append(f"openeq: note: region {k} [{r.label}] is {status_text(r)}, not proved: {what}")
    return out
