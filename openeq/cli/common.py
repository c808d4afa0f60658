"""What every sub-command shares: loading a model, its equilibrium, JSON output,
``name=value`` arguments, and the one error class of bad command-line input."""
from __future__ import annotations

import json
import sys

from openeq.core.errors import OpeneqError

__all__ = ["UsageError", "load_game", "equilibrium", "print_json", "with_schema", "parse_assignments", "derivations",
           "check_samples", "SCHEMA", "RUN_DEPENDENT"]

SCHEMA = 1  # the version of openeq's JSON output (docs/json.md); bumped when a field changes meaning or goes
RUN_DEPENDENT = ("seconds", "cached")  # never in JSON output: timings go to stderr


class UsageError(OpeneqError):
    """Bad command-line usage; the message is one line naming the argument."""


def load_game(model):
    """A built-in model by name, or a model file by path (``openeq.io.modelfile``)."""
    from openeq.io.modelfile import resolve_model

    return resolve_model(model)


def equilibrium(args, game, *, pointwise=False):
    """The game's equilibrium, from the disk cache when it holds it.  A game that is
    solved per point (``solve = "per point"``) gives an ``openeq.solver.pointwise``
    equilibrium to a command that takes one (``pointwise=True``); any other command is
    refused with what to do instead."""
    from openeq.solver.cached import solve_cached

    if game.solve_mode == "per point":
        if pointwise:
            from openeq.solver.pointwise import PointwiseEquilibrium

            return PointwiseEquilibrium(game)
        raise UsageError(f"{game.name} is solved per point (its model says solve = \"per point\"): "
                         f"use openeq eval or openeq verify, or fix parameters with openeq solve {game.name} "
                         + " ".join(f"{n}=..." for n in game.parameters))
    return solve_cached(game, progress=getattr(args, "progress", False))


def with_schema(obj):
    """``obj`` with ``"schema": SCHEMA`` as its first key; for a list, in each object of it
    (every record is then self-describing, and a list stays a list)."""
    if isinstance(obj, dict):
        return {"schema": SCHEMA, **{k: v for k, v in obj.items() if k != "schema"}}
    if isinstance(obj, list):
        return [with_schema(x) if isinstance(x, dict) else x for x in obj]
    return obj


def print_json(obj, indent=2):
    """JSON on stdout, with the schema version (``with_schema``)."""
    json.dump(with_schema(obj), sys.stdout, indent=indent, sort_keys=False, allow_nan=False)
    sys.stdout.write("\n")


def check_samples(n) -> int:
    """``--samples N``: at least one point (none would make every check pass vacuously)."""
    if n < 1:
        raise UsageError(f"--samples {n}: expected at least 1 sampled point")
    return n


def parse_assignments(items) -> dict:
    """``["a=1", "b=2"]`` -> ``{"a": "1", "b": "2"}`` (values stay text; the caller checks them)."""
    point = {}
    for it in items:
        if "=" not in it:
            raise UsageError(f"argument {it!r}: expected name=value")
        k, v = it.split("=", 1)
        point[k.strip()] = v.strip()
    return point


def derivations():
    """The paper's derived results (the repository's ``derivations/`` folder), installed
    as ``openeq.derivations``; a user's own ``derivations/`` folder cannot shadow it."""
    from openeq import derivations as paper

    return paper
