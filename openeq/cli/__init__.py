"""Layer 9, the ``openeq`` command line.

    openeq models
    openeq solve MODEL [--json]
    openeq eval MODEL name=value ... [--json]
    openeq eval MODEL --points FILE.json [--json]
    openeq verify MODEL [--samples N] [--seed S]
    openeq derive MODEL [--only R1,R3] [--json]
    openeq statics MODEL [--json]
    openeq policy MODEL [--json] [--for PARAM] [--objective openness|welfare|welfare-transfer|EXPR]
    openeq plot MODEL KIND --x NAME [--y NAME] name=value ... -o FILE
    openeq appendix MODEL -o DIR [--pdf]
    openeq bargain MODEL --over NAME [--solution nash|egalitarian|ks] [--json]

MODEL is a built-in name (``openeq models``) or a path to a ``.toml`` model file.
Each sub-command is one module of this package, listed in ``COMMANDS``.  Bad
input exits with status 2 and one line naming what was wrong.
"""
from __future__ import annotations

import argparse
import sys

from openeq.cli import appendix, bargain, derive, models, plot, policy, solve, statics, verify
from openeq.cli import eval as eval_
from openeq._version import __version__
from openeq.cli.common import UsageError
from openeq.core.errors import OpeneqError

__all__ = ["main", "build_parser", "COMMANDS", "UsageError"]

COMMANDS = (models, solve, eval_, verify, derive, statics, policy, plot, appendix, bargain)  # in --help order


def build_parser():
    ap = argparse.ArgumentParser(prog="openeq", description="Closed-form subgame-perfect equilibria of sequential games.")
    ap.add_argument("--debug", action="store_true", help="show tracebacks")
    ap.add_argument("--version", action="version", version=f"openeq {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    def model_cmd(name, func, help_):
        p = sub.add_parser(name, help=help_)
        p.add_argument("model", help="a built-in model name or a path to a .toml model file")
        p.add_argument("--no-cache", action="store_true", help="derive afresh, ignoring the cache")
        p.add_argument("--progress", action="store_true", help="show the solver's progress")
        p.set_defaults(func=func)
        return p

    for command in COMMANDS:
        command.add(sub, model_cmd)
    return ap


def _run(args):
    if getattr(args, "no_cache", False):
        from openeq.io.cache import disabled

        with disabled():  # nothing this command derives comes from, or goes to, the cache
            return args.func(args)
    return args.func(args)


def _closed_pipe() -> int:
    """Silence the rest of the output for a reader that closed the pipe; status 141 as a shell's."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError:
        pass
    return 141


def main(argv=None) -> int:
    ap = build_parser()
    args, rest = ap.parse_known_args(argv)
    # name=value assignments may come after options (openeq plot ... --x alpha0 p=0.1)
    if rest and hasattr(args, "assignments") and all("=" in r and not r.startswith("-") for r in rest):
        args.assignments = list(args.assignments) + rest
    elif rest:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        rc = int(_run(args) or 0)
        sys.stdout.flush()
        return rc
    except BrokenPipeError:  # the reader went away (openeq solve ... | head): end quietly
        return _closed_pipe()
    except Exception as e:  # one line, never a traceback
        if args.debug:
            raise
        msg = " ".join(str(e).split())
        if isinstance(e, OpeneqError):
            print(f"openeq: error: {msg}", file=sys.stderr)
            return 2
        print(f"openeq: internal error: {type(e).__name__}: {msg} (run with --debug for details)", file=sys.stderr)
        return 1
