"""The errors openeq reports to its users.

Every error that a user's input can cause derives from :class:`OpeneqError`;
its message is one line naming the bad input and what was expected.  The
command line prints it as ``openeq: error: <message>`` and exits with status 2.
Anything else that escapes is a bug in openeq (exit 1, "internal error").
"""
from __future__ import annotations

__all__ = ["OpeneqError", "GameError", "InputError"]


class OpeneqError(ValueError):
    """Base class of the errors caused by a user's input (exit status 2)."""


class GameError(OpeneqError):
    """A game that is ill-formed; the message names the offending part."""


class InputError(OpeneqError):
    """Bad parameter input; the message is one line naming the parameter."""
