"""Run the hostile-model corpus through ``openeq`` and classify every outcome.

    python -m tests.hostile.run [--seed 0] [--jobs 2] [--mode fork|exec] [--cpu 10]
                                [--appendix all|sample|none] [--pdf] [--edges] [--json FILE]

Every case is run through ``openeq solve FILE --json``; a sample also through ``eval``
and ``appendix -o DIR`` (with ``--pdf`` when latexmk exists).  Each command runs in a
scratch directory of its own, with a CPU-time limit (``procs``).  Classes:

``accepted``       exit 0 and a correct answer (for a case that must answer as its base
                   does, the same answer as the unmutated model: ``oracle.agree``)
``clean-error``    exit 2 and exactly one line on stderr, starting ``openeq: error:``
                   (the appendix's progress lines ``openeq appendix: ...`` aside)
``refused``        a clean error for a file that is valid and must be accepted
``unclean``        exit 2, but not one ``openeq: error:`` line
``wrong``          exit 0 with an answer that is not JSON, not finite, or differs from the base's
``roundtrip``      exit 0 with an answer that the documented reader (docs/json.md:
                   ``read_expression``) does not read back, name for name
``crash``          a traceback, ``internal error`` (exit 1), any other status, or a signal
``hang``           the harness's CPU-time or wall-clock limit was hit
``code-executed``  a file named ``oeq-sentinel*`` appeared in the scratch directory
``leak``           a LaTeX payload reached the ``.tex`` unescaped, or latexmk read a file
                   outside the TeX tree and the output directory (``main.fls``), or the
                   leak token is in the PDF
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
import zlib

import sympy
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python tests/hostile/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.hostile"

from . import oracle, payloads, procs  # noqa: E402
from .generate import ROOT, Case, bases, generate  # noqa: E402

__all__ = ["Harness", "Result", "classify", "CLASSES", "FAILURES", "summary"]

CLASSES = ("accepted", "clean-error", "refused", "unclean", "wrong", "roundtrip", "crash", "hang", "code-executed",
           "leak")
FAILURES = CLASSES[2:]
ROOT_MODELS = {p.stem: p for p in sorted((ROOT / "openeq" / "models").glob("*.toml")) + sorted((ROOT / "examples").glob("*.toml"))}


@dataclass
class Result:
    case: str
    group: str
    command: str  # solve, eval, appendix, pdf, or an edge's name
    cls: str
    detail: str
    cpu: float


def _roundtrip_problem(answer: dict):
    """A problem with reading the answer back the documented way (docs/json.md:
    ``read_expression`` over ``record_names``), or None: every expression must parse,
    and every name in it must come back as the symbol of that name."""
    from openeq.io.serialize import read_expression, record_names

    names = record_names(answer)
    for r in answer.get("regions", []):
        texts = [(r.get("condition", "True"), "condition")] + [
            (t, "value") for f in ("strategies", "payoffs", "best_responses") for t in r.get(f, {}).values()]
        for text, kind in texts:
            try:
                e = read_expression(text, names, kind=kind)
            except Exception as err:  # noqa: BLE001 -- any failure is the finding
                return f"{text[:60]!r} does not read back: {err}"[:300]
            odd = sorted(str(s) for s in e.free_symbols if not (isinstance(s, sympy.Symbol) and str(s) in names))
            if odd:
                return f"name {odd[0]!r} does not survive the round trip"
    return None


def _finite_json(text: str):
    def refuse(token):
        raise ValueError(f"non-finite number {token} in the JSON")
    return json.loads(text, parse_constant=refuse)


def _error_lines(stderr: str) -> list:
    return [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("openeq appendix:")]


def classify(case: Case, command: str, out: procs.Outcome, scratch: Path, base_answer=None, rename=None,
             base_refusal=None):
    """(class, detail) of one command's outcome (see the module docstring); ``base_refusal``:
    the error line of a base model the engine refuses (a file that must answer as its base
    does then must give that same refusal)."""
    hits = sorted(str(p.relative_to(scratch)) for p in scratch.rglob(payloads.SENTINEL + "*"))
    if hits:
        return "code-executed", f"{hits[0]} appeared"
    if out.limit:
        return "hang", f"{out.limit} limit hit after {out.cpu:.1f} s CPU"
    err = out.stderr.decode("utf-8", "replace")
    leak = _leak(case, scratch) if command in ("appendix", "pdf") else None
    if leak:
        return "leak", leak
    if out.signal is not None:
        return "crash", f"killed by signal {out.signal}"
    lines = _error_lines(err)
    if "Traceback (most recent call last)" in err:
        return "crash", next((ln for ln in reversed(err.splitlines()) if ln.strip()), "traceback")[:300]
    if out.rc == 2:
        if len(lines) == 1 and lines[0].startswith("openeq: error:"):
            if case.expect == "equal" and lines[0] != base_refusal:
                return "refused", lines[0][:300]
            return "clean-error", lines[0][:300]
        return "unclean", f"{len(lines)} lines: " + " | ".join(lines)[:300]
    if out.rc != 0:
        return "crash", f"exit {out.rc}: " + (" | ".join(lines)[:300] or "no message")
    return _check_answer(case, command, out, base_answer, rename)


def _check_answer(case, command, out, base_answer, rename):
    if command not in ("solve", "eval"):
        return "accepted", ""
    try:
        answer = _finite_json(out.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return "wrong", f"output is not valid JSON: {e}"[:300]
    if command == "solve":
        if case.expect in ("equal", "same") and base_answer is not None:
            diff = oracle.agree(base_answer, answer, rename)
            if diff:
                return "wrong", diff[:300]
        problem = _roundtrip_problem(answer)
        return ("roundtrip", problem) if problem else ("accepted", "")
    if case.expect in ("equal", "same") and base_answer is not None:
        back = dict(rename or {})
        for part in ("strategies", "payoffs"):
            mine = {back.get(k, k): v for k, v in answer.get(part, {}).items()}
            for k, v in base_answer[part].items():
                w = mine.get(k)
                if not isinstance(w, (int, float)) or not math.isclose(w, v, rel_tol=1e-9, abs_tol=1e-12):
                    return "wrong", f"eval {part} {k} = {w} vs {v}"
    return "accepted", ""


_TEX_TREE = ("/usr/share/texlive", "/usr/share/texmf", "/usr/local/texlive", "/var/lib/texmf", "/etc/texmf",
             "/usr/share/fonts", "/usr/share/texlive/", "/var/cache/fonts")


def _leak(case: Case, scratch: Path):
    out = scratch / "out"
    if not out.is_dir():
        return None
    for tex in sorted(out.rglob("*.tex")):
        text = tex.read_text(encoding="utf-8", errors="replace")
        for rx in case.leaks:
            if re.search(rx, text):
                return f"{tex.name} holds the payload unescaped (/{rx}/)"
    fls = out / "main.fls"
    if fls.is_file():
        for line in fls.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("INPUT "):
                path = os.path.normpath(os.path.join(out, line[6:].strip()))
                if not path.startswith(_TEX_TREE) and not path.startswith(str(out)):
                    return f"latexmk read {path}"
    pdf = out / "main.pdf"
    if pdf.is_file() and payloads.LEAK_TOKEN in _pdf_text(pdf.read_bytes()):
        return "the leak token is in the PDF"
    return None


def _pdf_text(blob: bytes) -> str:
    """The PDF's text, roughly: the strings of its (deflated) content streams, joined."""
    chunks = [blob]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", blob, re.S):
        try:
            chunks.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    strings = re.findall(rb"\(((?:[^()\\]|\\.)*)\)", b"\n".join(chunks))
    return b"".join(strings).decode("latin-1")


def summary(results: list, command=None) -> Counter:
    return Counter(r.cls for r in results if command is None or r.command == command)


class Harness:
    """The corpus's runs in a scratch directory (``root``), with one derivation cache."""

    def __init__(self, root=None, *, jobs=2, mode="fork", cpu=10, progress=None):
        self.root = Path(root or tempfile.mkdtemp(prefix="openeq-hostile-"))
        self.cache = self.root / "cache"
        self.jobs, self.mode, self.cpu, self.progress = jobs, mode, cpu, progress
        self.base_solve, self.base_eval, self.points, self.base_refusal, self.base_cpu = {}, {}, {}, {}, {}
        self.counter = 0
        if mode == "fork":
            procs.warm_up()

    def env(self):
        return {"OPENEQ_CACHE_DIR": str(self.cache), "OPENEQ_JOBS": "1", "PYTHONHASHSEED": "0",
                "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "MPLBACKEND": "Agg"}

    def workdir(self, case: Case) -> Path:
        self.counter += 1
        d = self.root / "cases" / f"{self.counter:05d}"
        d.mkdir(parents=True)
        (d / "model.toml").write_bytes(case.data.replace(b"@SCRATCH@", str(d).encode()))
        (d / "oeq-leak.tex").write_text(payloads.LEAK_TOKEN + "\n")
        return d

    def task(self, argv, cwd, cpu=None, **kw):
        cpu = cpu or self.cpu
        return procs.Task(list(argv), str(cwd), cpu=cpu, wall=max(300, 30 * cpu), env=self.env(), mode=self.mode, **kw)

    def run(self, items):
        """``items``: (case, command, argv, cpu); returns Results in order."""
        dirs = [self.workdir(case) for case, _, _, _ in items]
        tasks = [self.task(argv, d, cpu) for (_, _, argv, cpu), d in zip(items, dirs)]
        outs = procs.run_all(tasks, self.jobs, self.progress)
        results = []
        for (case, command, _, _), d, out in zip(items, dirs, outs):
            rename = {new: old for new, old in case.rename}
            base = (self.base_solve if command == "solve" else self.base_eval).get(case.base)
            cls, detail = classify(case, command, out, d, base, rename, self.base_refusal.get(case.base))
            results.append(Result(case.id, case.group, command, cls, detail, out.cpu))
            shutil.rmtree(d, ignore_errors=True)
        return results

    def prepare(self, names=None):
        """The unmutated models' answers (solve, and eval at one point of each).

        In fork mode the bases are first solved here, in this process (they are the
        project's own models): the children inherit the solver's memory of them, and
        the cache holds them, so a mutation that changes little costs little."""
        texts = bases()
        names = [n for n in texts if names is None or n in names]
        cases = [Case(f"base@{n}", "base", n, texts[n][0].encode()) for n in names]
        if self.mode == "fork":
            self._warm([ROOT_MODELS[n] for n in names])
        solved = self._raw(cases, lambda c: ["solve", "model.toml", "--json"], refusable=True)
        self.base_refusal.update({c.base: _error_lines(r.stderr.decode("utf-8", "replace"))[0]
                                  for c, r in zip(cases, solved) if r.rc == 2})
        cases = [c for c, r in zip(cases, solved) if r.rc == 0]  # a base the engine refuses is no oracle
        for case, r in zip(cases, [r for r in solved if r.rc == 0]):
            self.base_solve[case.base] = json.loads(r.stdout)
            self.points[case.base] = {k: float(v) for k, v in oracle.sample_points(self.base_solve[case.base], 1)[0].items()}
        for case, r in zip(cases, self._raw(cases, lambda c: ["eval", "model.toml", *self.assign(c), "--json"])):
            self.base_eval[case.base] = json.loads(r.stdout)

    def _warm(self, paths):
        from openeq.core.errors import OpeneqError
        from openeq.io.modelfile import load_model
        from openeq.solver.cached import solve_cached

        before = os.environ.get("OPENEQ_CACHE_DIR")
        os.environ["OPENEQ_CACHE_DIR"] = str(self.cache)
        try:
            for path in paths:
                t0 = time.process_time()
                try:
                    solve_cached(load_model(path))
                except OpeneqError:  # a base model the engine refuses: its mutations must be refused too
                    pass
                self.base_cpu[path.stem] = time.process_time() - t0
        finally:
            if before is None:
                del os.environ["OPENEQ_CACHE_DIR"]
            else:
                os.environ["OPENEQ_CACHE_DIR"] = before

    def _raw(self, cases, argv_of, refusable=False):
        dirs = [self.workdir(c) for c in cases]
        # (a base's first eval derives its policy fields into the cache: 4 min for openness-tiers3)
        outs = procs.run_all([self.task(argv_of(c), d, cpu=900) for c, d in zip(cases, dirs)], self.jobs)
        for c, o in zip(cases, outs):
            if o.rc != 0 and not (refusable and o.rc == 2):
                raise RuntimeError(f"{c.id}: the unmutated model fails (exit {o.rc}, signal {o.signal}, "
                                   f"{o.cpu:.0f} s CPU, limit {o.limit}): {o.stderr.decode()[-500:]}")
        return outs

    def assign(self, case: Case) -> list:
        """name=value for the case's base point, in the case's own names."""
        to_case = {old: new for new, old in case.rename}
        return [f"{to_case.get(k, k)}={v!r}" for k, v in self.points[case.base].items()]

    def solve(self, cases, cpu=None):
        """``openeq solve`` of each case.  A mutation that changes the game (a stage
        renumbered) misses the cache and solves cold: its CPU limit is at least twice its
        base's cold solve (openness-endogenous: 20 s)."""
        return self.run([(c, "solve", ["solve", "model.toml", "--json"],
                          max(cpu or self.cpu, math.ceil(2 * self.base_cpu.get(c.base, 0)))) for c in cases])

    def evaluate(self, cases, cpu=None):
        cases = [c for c in cases if c.base in self.points]  # (a base that was not prepared: no point)
        return self.run([(c, "eval", ["eval", "model.toml", *self.assign(c), "--json"], cpu) for c in cases])

    def appendix(self, cases, pdf=False, cpu=None):
        argv = ["appendix", "model.toml", "-o", "out", "--samples", "2"] + (["--pdf"] if pdf else [])
        return self.run([(c, "pdf" if pdf else "appendix", argv, cpu) for c in cases])


def needed(cases) -> set:
    """The bases whose answers the cases are compared with."""
    return {c.base for c in cases if c.expect in ("equal", "same")}


def stratified(cases, results, per_group, rng, accepted_only=True):
    """Up to ``per_group`` cases of each group (accepted by ``solve``, if asked), chosen by ``rng``."""
    ok = {r.case for r in results if r.cls == "accepted"}
    groups = {}
    for c in cases:
        if not accepted_only or c.id in ok:
            groups.setdefault(c.group, []).append(c)
    out = []
    for g in sorted(groups):
        out += rng.sample(groups[g], min(per_group, len(groups[g])))
    return out


def report(results, title="") -> str:
    lines = [title] if title else []
    for command in sorted({r.command for r in results}):
        n = summary(results, command)
        lines.append(f"{command:>9}: {sum(n.values()):5d} cases  " + "  ".join(f"{k} {n[k]}" for k in CLASSES if n[k]))
    bad = Counter((r.group, r.command, r.cls) for r in results if r.cls in FAILURES)
    for (group, command, cls), k in sorted(bad.items()):
        example = next(r for r in results if (r.group, r.command, r.cls) == (group, command, cls))
        lines.append(f"  {cls:<13} {k:4d}  {command:<8} {group:<38} e.g. {example.case}: {example.detail[:110]}")
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse
    import random
    import time

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--mode", choices=("fork", "exec"), default="fork")
    ap.add_argument("--cpu", type=int, default=10, help="CPU seconds per command (default 10)")
    ap.add_argument("--appendix", choices=("all", "sample", "none"), default="sample")
    ap.add_argument("--pdf", action="store_true", help="also compile the appendix sample (needs latexmk)")
    ap.add_argument("--edges", action="store_true", help="also run the command-line edge cases")
    ap.add_argument("--full", action="store_true", help="the whole enumeration (3,250 files), not the CI corpus")
    ap.add_argument("--only", default="", help="run the groups starting with these prefixes only (comma-separated)")
    ap.add_argument("--json", metavar="FILE", help="write every result to FILE")
    a = ap.parse_args(argv)
    t0 = time.time()
    h = Harness(jobs=a.jobs, mode=a.mode, cpu=a.cpu,
                progress=lambda k, n: print(f"\r{k}/{n}", end="", file=sys.stderr, flush=True) if k % 50 == 0 or k == n else None)
    cases = [c for c in generate(a.seed, full=a.full) if c.group.startswith(tuple(a.only.split(",")))]
    h.prepare(needed(cases))
    results = h.solve(cases)
    rng = random.Random(a.seed)
    results += h.evaluate(stratified(cases, results, 2, rng))
    sample = [c for c in cases if c.appendix] if a.appendix == "all" else \
        [c for c in cases if c.appendix][::4] if a.appendix == "sample" else []
    results += h.appendix(sample, cpu=60)
    if a.pdf and shutil.which("latexmk"):
        results += h.appendix([c for c in sample if c.group.endswith(":latex")], pdf=True, cpu=60)
    if a.edges:
        from .edges import run_edges

        results += run_edges(h)
    print(file=sys.stderr)
    print(report(results, f"{len(cases)} cases (seed {a.seed}, mode {a.mode}) in {time.time() - t0:.0f} s"))
    if a.json:
        Path(a.json).write_text(json.dumps([r.__dict__ for r in results], indent=1))
    shutil.rmtree(h.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
