"""The policy fields of ``openeq eval`` and the extras of ``openeq statics``, by their
former module name (``openeq.analyses.policy.fields``, which names them from the game's
own symbols)."""
from __future__ import annotations

from openeq.analyses.policy.fields import applies, enrich, names, statics_extras

__all__ = ["applies", "enrich", "statics_extras", "names"]
