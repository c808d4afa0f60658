"""A deterministic corpus of hostile model files (``generate(seed)``).

Every case is a mutation of one of the project's models (``openeq/models/*.toml``,
``examples/*.toml``, the *base*), with

* ``group`` -- ``category:detail`` (``payload:description:python``); the test's list
  of known failures names groups by prefix;
* ``expect`` -- what a correct openeq does with it:
  ``equal`` (accept, and answer as the base does, after ``rename``),
  ``same`` (if accepted, answer as the base does; a clean error is fine too),
  ``any`` (accepted or a clean error; the answer is not checked);
* ``appendix`` -- whether the case belongs to the sample run through ``appendix``.

The same seed gives the same bytes (the random choices are a ``random.Random(seed)``
stream, consumed in a fixed order).  ``python -m tests.hostile.generate DIR`` writes
the corpus as files (``@SCRATCH@`` is left as it is: the runner fills it in).
"""
from __future__ import annotations

import copy
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from . import attacks as A
from . import mutations as M
from . import textual as T
from .tomlemit import dumps

__all__ = ["Case", "generate", "bases", "CHEAP"]

ROOT = Path(__file__).resolve().parents[2]
CHEAP = ("stackelberg", "cournot", "fine-tuning", "three-firms", "capacity")  # solve in well under a second
EXPENSIVE = ("openness", "openness-user", "openness-endogenous")


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    base: str
    data: bytes
    expect: str = "any"
    rename: tuple = ()  # ((name in the case, name in the base), ...)
    appendix: bool = False
    leaks: tuple = ()  # regexes that must not match the generated .tex
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def category(self) -> str:
        return self.group.split(":")[0]


def bases() -> dict:
    """name -> (text, data) of the project's models, in a fixed order."""
    paths = sorted((ROOT / "openeq" / "models").glob("*.toml")) + sorted((ROOT / "examples").glob("*.toml"))
    out = {}
    for p in paths:
        text = p.read_text(encoding="utf-8")
        out[p.stem] = (text, tomllib.loads(text))
    return out


class _Corpus:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.cases, self.ids = [], set()
        self.bases = bases()

    def add(self, group, base, content, expect="any", *, rename=(), appendix=False, leaks=(), name="", **meta):
        if isinstance(content, dict):
            content = dumps(content)
        data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else bytes(content)
        cid = f"{group}@{base}" + (f"/{name}" if name else "")
        k, base_id = 2, cid
        while cid in self.ids:
            cid, k = f"{base_id}#{k}", k + 1
        self.ids.add(cid)
        self.cases.append(Case(cid, group, base, data, expect, tuple(rename), appendix, tuple(leaks), meta))

    def data(self, base):
        return copy.deepcopy(self.bases[base][1])

    def text(self, base):
        return self.bases[base][0]


STEPS = (M.cosmetic, M.drop, M.dup, M.wrong_types, M.domains, M.assumptions, M.numbers, T.nesting, T.byte_level,
         T.escapes, T.long_strings, A.payload_fields, A.resources, A.sympy_names)


def generate(seed: int = 0, full: bool = False) -> list:
    """The corpus: a list of ``Case`` (at least 1,000), the same for the same seed.

    ``full=True``: the whole enumeration (3,250 files).  By default, the part of it that
    runs in CI (``in_ci``): the same cases, byte for byte, less those whose cost is
    mostly solving again what other cases solve."""
    c = _Corpus(seed)
    for step in STEPS:
        step(c)
    return c.cases if full else [case for case in c.cases if in_ci(case)]


SLOW = ("three-firms", "capacity", "openness-endogenous")  # a second or more per solve


def in_ci(case: Case) -> bool:
    """Whether a case of the full enumeration is in the CI corpus: not the third wrong
    type per field, nor the second parameter's domains, nor the mutations of the slower
    models that are accepted and solved (their refusals stay)."""
    if case.meta.get("draw", 0) >= (2 if case.category == "type" else 1):
        return False
    return not (case.base in SLOW and case.category in ("assume", "cosmetic", "drop", "domain", "number"))


def _main(argv):
    import argparse

    ap = argparse.ArgumentParser(description="write the hostile-model corpus as files")
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--full", action="store_true", help="the whole enumeration, not the CI corpus")
    a = ap.parse_args(argv)
    out = Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    cases = generate(a.seed, full=a.full)
    for i, case in enumerate(cases):
        (out / f"{i:05d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', case.id)[:120]}.toml").write_bytes(case.data)
    groups = {}
    for case in cases:
        groups[case.category] = groups.get(case.category, 0) + 1
    print(f"{len(cases)} cases in {out}: " + ", ".join(f"{k} {v}" for k, v in sorted(groups.items())))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
