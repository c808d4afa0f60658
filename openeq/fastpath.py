"""Compiled evaluation of an equilibrium: one fused C loop over the points.

``compile_equilibrium(eq)`` generates C for the whole equilibrium -- every
region's condition, the region that holds, and its strategies and payoffs, in
one branch-free loop body that gcc vectorises -- with sympy's C printer
(common subexpressions shared by ``sympy.cse``), builds it
with the system C compiler as a shared library (cached under
``openeq.cache.cache_dir()/fastpath``, keyed by a hash of the source; built to a
temporary file and renamed into place), loads it with ctypes and runs it over
numpy arrays, split across the cores (ctypes releases the GIL).  Without a
working compiler it falls back to ``openeq.evaluate.Vectorized`` and says so
once on stderr.

Same results as ``Vectorized``:

* for every condition ``subject op bound`` the kernel evaluates
  ``d = subject - bound`` in floating point *and* a bound ``M`` on the
  magnitudes that enter it (the expression with every term replaced by its
  absolute value; quotients by their first-order sensitivity), so the rounding
  error of ``d`` is far below ``TOL * M``.  A condition with ``|d| <= TOL * M``
  (``d`` within rounding of zero) is *doubtful*; a region is decided when one
  of its conditions is false for sure or all of them are true for sure;
* a point where some region is undecided, or where not exactly one region
  holds, is re-evaluated exactly, the way ``Vectorized`` does it for the
  points it doubts (``openeq.evaluate.evaluate``).  Every other point lies
  clearly inside one region, where ``Vectorized`` finds the same one.
  ``==`` conditions use ``Vectorized``'s test ``|d| <= 1e-12``.

``evaluate_columns(eq, cols, fast=True)`` is the entry point: the same return
format as ``Vectorized(eq)(cols)``.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import weakref
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.printing.c import C99CodePrinter

from .parallel import usable_cores

__all__ = ["compile_equilibrium", "evaluate_columns", "CompiledEquilibrium", "generate_source",
           "compiler", "FastpathUnavailable", "TOL"]

TOL = 1e-10  # a condition with |d| <= TOL * M is within rounding of its boundary
EQ_TOL = 1e-12  # Vectorized's test for "==" conditions
CODEGEN_VERSION = 1
# IEEE arithmetic (no -ffast-math: NaN and infinity must behave as in numpy); no FMA contraction
CFLAGS = ["-O3", "-fPIC", "-shared", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"]
NATIVE = ["-march=native"]  # dropped when the compiler refuses it; the cache key names the CPU
MIN_CHUNK = 32_768  # points per thread below which one thread does it all


class FastpathUnavailable(RuntimeError):
    """No compiled kernel: no compiler, a failed build, or an expression C cannot express."""


# --------------------------------------------------------------------------- codegen
class _Printer(C99CodePrinter):
    """C99 with small integer powers written as products (exact, and no libm call)."""

    def _print_Pow(self, expr):
        b, e = expr.args
        if e.is_Integer and 1 <= abs(int(e)) <= 8:
            n = abs(int(e))
            base = self.parenthesize(b, 100)  # always wrap compound bases
            prod = "*".join([base] * n)
            return f"({prod})" if e > 0 else f"(1.0/({prod}))"
        return super()._print_Pow(expr)


def _ccode(expr, printer=_Printer()):
    return printer.doprint(sp.sympify(expr))


def _mag(e, mags, params):
    """A sympy expression bounding the magnitudes that enter ``e``'s evaluation."""
    if e.is_Number:
        return sp.Abs(e)
    if e in mags:
        return mags[e]
    if e in params:
        return sp.Abs(e)
    if e.is_Add:
        return sp.Add(*[_mag(a, mags, params) for a in e.args])
    if e.is_Mul:
        return sp.Mul(*[_mag(a, mags, params) for a in e.args])
    if e.is_Pow:
        b, n = e.args
        mb = _mag(b, mags, params)
        if n.is_Integer and n > 0:
            return mb ** n
        if n.is_Integer and n < 0:  # |n| M(b) / |b|^(|n|+1): first-order sensitivity of b^n
            return abs(int(n)) * mb / sp.Abs(b) ** (abs(int(n)) + 1)
        if n.is_Rational:
            return sp.Abs(e) * (1 + abs(n) * mb / sp.Abs(b))
        raise FastpathUnavailable(f"power with a symbolic exponent in a condition: {e}")
    if isinstance(e, sp.Abs):
        return _mag(e.args[0], mags, params)
    if isinstance(e, (sp.Max, sp.Min)):
        return sp.Max(*[_mag(a, mags, params) for a in e.args])
    if isinstance(e, sp.Function) and all(a.is_Number or a.free_symbols for a in e.args):
        if isinstance(e, (sp.Piecewise,)):
            raise FastpathUnavailable("a Piecewise inside a region condition")
        return sp.Abs(e) * (1 + sp.Add(*[_mag(a, mags, params) for a in e.args]))
    raise FastpathUnavailable(f"cannot bound the rounding error of {type(e).__name__} in {e}")


def _outputs(eq):
    first = eq.regions[0]
    return [str(v) for v in first.strategies], list(first.payoffs)


def generate_source(eq):
    """C source of the kernel and its layout: (source, names, strategy names, payoff names).

    The loop body is straight-line code (no branches: every distinct closed form is
    computed and the chosen region's is selected), so the compiler vectorises it."""
    game = eq.game
    names = list(game.parameters)
    syms = [game.parameters[n].symbol for n in names]
    P = sp.symbols(f"p0:{len(names)}", real=True)
    rename = dict(zip(syms, P))
    snames, pnames = _outputs(eq)
    for r in eq.regions:
        if [str(v) for v in r.strategies] != snames or list(r.payoffs) != pnames:
            raise FastpathUnavailable("regions disagree on their strategies or payoffs")

    def plain(e, what):
        e = sp.sympify(e).xreplace(rename)
        if e.has(sp.Piecewise) or e.atoms(sp.core.relational.Relational):
            raise FastpathUnavailable(f"{what} {e} is not a plain expression")
        if e.free_symbols - set(P):
            raise FastpathUnavailable(f"{what} {e} depends on {', '.join(map(str, e.free_symbols - set(P)))}")
        return e

    # conditions: one expression d = subject - bound per distinct (d, op)
    conds, cond_ix, region_conds = [], {}, []
    for r in eq.regions:
        mine = []
        for b in r.bounds:
            key = (plain(b.subject - b.bound, "condition"), b.op)
            if key not in cond_ix:
                cond_ix[key] = len(conds)
                conds.append(key)
            mine.append(cond_ix[key])
        region_conds.append(mine)
    dexprs = list(dict.fromkeys(d for d, _ in conds))
    # outputs: the distinct closed forms of each output, with the regions that use them
    nout = len(snames) + len(pnames)
    forms = []  # per output: list of (expr, [region indices])
    for j in range(nout):
        seen = {}
        for k, r in enumerate(eq.regions):
            e = list(r.strategies.values())[j] if j < len(snames) else list(r.payoffs.values())[j - len(snames)]
            seen.setdefault(plain(e, "closed form"), []).append(k)
        forms.append(list(seen.items()))
    oexprs = list(dict.fromkeys(e for fj in forms for e, _ in fj))
    allx = dexprs + oexprs
    temps, reduced = sp.cse(allx, symbols=sp.numbered_symbols("t", real=True), order="none")
    red = dict(zip(allx, reduced))
    pset = set(P)
    mags, body = {}, []
    for t, e in temps:  # magnitudes of temporaries no condition needs are dead code to the compiler
        m = sp.Symbol(f"m_{t}", positive=True)
        body.append(f"    const double {t} = {_ccode(e)};")
        body.append(f"    const double {m} = {_ccode(_mag(e, mags, pset))};")
        mags[t] = m
    dnum = {}
    for k, d in enumerate(dexprs):
        dnum[d] = k
        body.append(f"    const double d{k} = {_ccode(red[d])};")
        body.append(f"    const double md{k} = {_ccode(_mag(red[d], mags, pset))};")
    # truth (h) and certainty (s) of each condition, as 0/1 integers
    for j, (d, op) in enumerate(conds):
        k = dnum[d]
        if op == "==":
            body.append(f"    const int64_t h{j} = fabs(d{k}) <= {EQ_TOL!r};")
            body.append(f"    const int64_t s{j} = (d{k} == 0.0) | ((fabs(d{k}) > {2 * EQ_TOL!r}) & (fabs(d{k}) > TOL * md{k}));")
        else:
            body.append(f"    const int64_t h{j} = d{k} {op} 0.0;")
            body.append(f"    const int64_t s{j} = (fabs(d{k}) > TOL * md{k}) | ((d{k} == 0.0) & (md{k} == 0.0));")
    hits, unsure = [], []
    for k, cj in enumerate(region_conds):
        holds = " & ".join(f"h{j}" for j in cj) or "1"
        surely_false = " | ".join(f"((1 - h{j}) & s{j})" for j in cj) or "0"
        all_sure = " & ".join(f"s{j}" for j in cj) or "1"
        body.append(f"    const int64_t r{k} = {holds};")
        body.append(f"    const int64_t q{k} = (1 - ({surely_false})) & (1 - ({all_sure}));")
        hits.append(f"r{k}")
        unsure.append(f"q{k}")
    # the first region that holds, without branches (a vectorisable select chain)
    body.append("    int64_t first = -1;")
    for k in reversed(range(len(eq.regions))):
        body.append(f"    first += (-r{k}) & ({k} - first);")
    body.append(f"    const int64_t bad = (({' | '.join(unsure) or '0'}) | (({' + '.join(hits) or '0'}) != 1)) != 0;")
    body.append("    region[i] = bad ? -2 - first : first;")
    body.append("    doubtful += bad;")
    # one flat select per closed form, on a double copy of ``first`` (nested ?: and chains of
    # integer == tests, which gcc turns into a switch, defeat its vectoriser)
    body.append("    const double fd = (double) first;")
    for j, fj in enumerate(forms):
        body.append(f"    double v{j} = NAN;")
        for e, ks in reversed(fj):
            test = " | ".join(f"(fd == {k}.0)" for k in ks)
            body.append(f"    v{j} = ({test}) ? {_ccode(red[e])} : v{j};")
        body.append(f"    o{j}[i] = v{j};")
    nin = len(names)
    loads = [f"    const double {P[j]} = in{j}[i];" for j in range(nin)]
    params = ", ".join([f"const double *restrict in{j}" for j in range(nin)] + ["int64_t *restrict region"]
                       + [f"double *restrict o{j}" for j in range(nout)])
    call = ", ".join([f"in[{j}]" for j in range(nin)] + ["region"] + [f"out[{j}]" for j in range(nout)])
    src = "\n".join([
        f"/* openeq fastpath kernel, codegen {CODEGEN_VERSION}: model {game.name}, {len(eq.regions)} regions */",
        "#include <math.h>",
        "#include <stdint.h>",
        f"#define TOL {TOL!r}",
        "",
        "static int64_t kernel(int64_t start, int64_t stop, " + params + ") {",
        "  int64_t doubtful = 0;",
        "  for (int64_t i = start; i < stop; i++) {",
        *loads, *body,
        "  }",
        "  return doubtful;",
        "}",
        "",
        "/* Points start..stop-1 of the contiguous columns in[0..]: region[i] = the index of the",
        "   region that holds, or -2 - (the first region that holds in floating point, -1 if none)",
        "   when the point is within rounding of a boundary; out[j][i] = strategies then payoffs.",
        "   Returns the number of points within rounding of a boundary. */",
        "int64_t openeq_eval(int64_t start, int64_t stop, const double *const *in, int64_t *region, double *const *out) {",
        f"  return kernel(start, stop, {call});",
        "}",
        "",
    ])
    return src, names, snames, pnames


# --------------------------------------------------------------------------- build
_NOTE_LOCK = threading.Lock()
_NOTED = set()


def _note_once(msg):
    with _NOTE_LOCK:
        if msg in _NOTED:
            return
        _NOTED.add(msg)
    print(f"openeq: note: {msg}", file=sys.stderr, flush=True)


def compiler():
    """The C compiler command (a list), or None: ``$CC`` if set, else cc, gcc or clang."""
    env = os.environ.get("CC")
    if env:
        cmd = shlex.split(env)
        return cmd if cmd and shutil.which(cmd[0]) else None
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path:
            return [path]
    return None


def _library_dir() -> Path:
    from .cache import cache_dir

    return cache_dir() / "fastpath"


def _cpu_id() -> str:
    """What ``-march=native`` depends on: the CPU model and flags."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            lines = [ln for ln in fh.read().splitlines() if ln.split(":")[0].strip() in ("model name", "flags", "Features", "CPU part")]
        return "\n".join(dict.fromkeys(lines))
    except OSError:
        return platform.processor() or platform.machine()


def _compile(cc, flags, c_file, so_file):
    try:
        proc = subprocess.run([*cc, *flags, "-o", so_file, c_file, "-lm"], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "timed out"
    if proc.returncode != 0:
        err = (proc.stderr or proc.stdout).strip().splitlines()
        return err[0] if err else f"exit status {proc.returncode}"
    return None


def _build(src: str, rebuild=False) -> Path:
    """The shared library for ``src``: from the cache, or built (temp file, then renamed)."""
    cc = compiler()
    if cc is None:
        raise FastpathUnavailable("no C compiler found (set CC)")
    h = hashlib.sha256()
    for part in (src, " ".join(cc), " ".join(CFLAGS + NATIVE), platform.machine(), platform.system(), _cpu_id()):
        h.update(part.encode())
        h.update(b"\0")
    digest = h.hexdigest()[:32]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    for where in (_library_dir(), Path(tempfile.gettempdir()) / f"openeq-fastpath-{uid}"):
        lib = where / f"kernel-{digest}.so"
        if lib.exists() and not rebuild:
            return lib
        try:
            where.mkdir(parents=True, exist_ok=True)
            tmpdir = tempfile.mkdtemp(dir=where, prefix=".build-")
        except OSError:
            continue  # an unwritable cache: build in the temporary directory instead
        try:
            c_file = os.path.join(tmpdir, "kernel.c")
            so_tmp = os.path.join(tmpdir, "kernel.so")
            with open(c_file, "w", encoding="utf-8") as fh:
                fh.write(src)
            err = _compile(cc, CFLAGS + NATIVE, c_file, so_tmp)
            if err is not None:  # e.g. a compiler without -march=native
                err = _compile(cc, CFLAGS, c_file, so_tmp)
            if err is not None:
                raise FastpathUnavailable(f"the C compiler failed: {err}")
            os.replace(so_tmp, lib)
            return lib
        except OSError as e:
            raise FastpathUnavailable(f"building the kernel failed: {e}") from None
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
    raise FastpathUnavailable("no writable directory to build the kernel in")


# --------------------------------------------------------------------------- runtime
_POOL = None
_POOL_LOCK = threading.Lock()


def _pool():
    """The worker threads (made anew in a forked child, where the parent's are gone)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid():
            from concurrent.futures import ThreadPoolExecutor

            _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=usable_cores(), thread_name_prefix="openeq-fastpath"))
        return _POOL[1]


class CompiledEquilibrium:
    """``Vectorized``'s interface backed by the compiled kernel."""

    compiled = True

    def __init__(self, eq, lib_path: Path, names, snames, pnames):
        self.eq = _view(eq)
        self.game = eq.game
        self.names = names
        self.snames, self.pnames = snames, pnames
        self.library = Path(lib_path)
        self._lib = ctypes.CDLL(str(lib_path))
        fn = self._lib.openeq_eval
        fn.restype = ctypes.c_int64
        fn.argtypes = [ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        self._fn = fn
        self.labels = np.array([r.label for r in eq.regions], dtype=object)
        self.threads = usable_cores()

    def _inputs(self, cols):
        missing = [n for n in self.names if n not in cols]
        if missing:
            raise KeyError(missing[0])
        arrs = np.broadcast_arrays(*[np.asarray(cols[n], dtype=float) for n in self.names])
        if arrs and arrs[0].ndim > 1:
            raise ValueError("columns must be one-dimensional")
        ins = [np.ascontiguousarray(a.reshape(-1)) for a in arrs]
        return (ins[0].size if ins else 0), ins

    def raw(self, cols):
        """Run the kernel: (n, inputs, region codes, output arrays, doubtful count)."""
        n, ins = self._inputs(cols)
        region = np.empty(n, dtype=np.int64)
        outs = [np.empty(n) for _ in range(len(self.snames) + len(self.pnames))]
        if n == 0:
            return n, ins, region, outs, 0
        in_ptrs = (ctypes.c_void_p * max(1, len(ins)))(*[a.ctypes.data for a in ins])
        out_ptrs = (ctypes.c_void_p * max(1, len(outs)))(*[a.ctypes.data for a in outs])
        args = (in_ptrs, region.ctypes.data, out_ptrs)
        k = min(self.threads, max(1, n // MIN_CHUNK))
        if k <= 1:
            return n, ins, region, outs, self._fn(0, n, *args)
        # chunks handed out on demand to k threads (this one included): a thread that
        # loses its core to another process takes fewer chunks instead of holding the rest up
        m = min(4 * k, max(k, n // MIN_CHUNK))
        cuts = [n * j // m for j in range(m + 1)]
        chunks = iter(range(m))
        lock = threading.Lock()

        def work():
            total = 0
            while True:
                with lock:
                    j = next(chunks, None)
                if j is None:
                    return total
                total += self._fn(cuts[j], cuts[j + 1], *args)

        futs = [_pool().submit(work) for _ in range(k - 1)]
        doubtful = work()
        doubtful += sum(f.result() for f in futs)
        return n, ins, region, outs, doubtful

    def __call__(self, cols: dict) -> dict:
        """``cols``: name -> array.  Returns {'regime', 'region', 'strategies', 'payoffs'} like ``Vectorized``."""
        n, ins, region, outs, doubtful = self.raw(cols)
        strategies = dict(zip(self.snames, outs[: len(self.snames)]))
        payoffs = dict(zip(self.pnames, outs[len(self.snames):]))
        if doubtful:
            self._exact(np.flatnonzero(region < 0), ins, region, strategies, payoffs)
        return {"region": region, "regime": self.labels[region], "strategies": strategies, "payoffs": payoffs}

    def _exact(self, idx, ins, region, strategies, payoffs):
        """Points within rounding of a boundary: decided exactly, as ``Vectorized`` does."""
        from .evaluate import evaluate

        game = self.game
        for i in idx:
            point = {nm: float(a[i]) for nm, a in zip(self.names, ins)}
            res = evaluate(self.eq, point)
            exact = {game.parameters[nm].symbol: sp.Rational(repr(v)) for nm, v in point.items()}
            region[i] = next(k for k, r in enumerate(self.eq.regions) if r.label == res["regime"] and r.holds(exact))
            for v, x in res["strategies"].items():
                strategies[v][i] = x
            for p, x in res["payoffs"].items():
                payoffs[p][i] = x


_COMPILED = {}  # id(eq) -> (weakref to eq, evaluator); an entry goes when its equilibrium does
_COMPILED_LOCK = threading.Lock()


def _view(eq):
    """A copy of ``eq`` sharing its data, so that a memoised evaluator does not keep ``eq`` alive."""
    from .equilibrium import Equilibrium

    if type(eq) is not Equilibrium:
        return eq
    return Equilibrium(eq.game, eq.regions, eq.best_responses, eq.steps, eq.method)


def _forget(key):
    def drop(_ref):
        with _COMPILED_LOCK:
            hit = _COMPILED.get(key)
            if hit is not None and hit[0]() is None:
                del _COMPILED[key]
    return drop


def compile_equilibrium(eq):
    """A callable ``cols -> dict`` for ``eq``: the compiled kernel, or ``Vectorized`` when
    no kernel can be built (said once on stderr).  Memoised per equilibrium object."""
    with _COMPILED_LOCK:
        hit = _COMPILED.get(id(eq))
        if hit is not None and hit[0]() is eq:
            return hit[1]
    try:
        src, names, snames, pnames = generate_source(eq)
        lib = _build(src)
        try:
            ev = CompiledEquilibrium(eq, lib, names, snames, pnames)
        except OSError:  # an unloadable cached library: build it afresh
            ev = CompiledEquilibrium(eq, _build(src, rebuild=True), names, snames, pnames)
    except (FastpathUnavailable, OSError) as e:
        from .evaluate import Vectorized

        _note_once(f"compiled evaluation unavailable ({e}); using numpy (slower)")
        ev = Vectorized(_view(eq))
    try:
        ref = weakref.ref(eq, _forget(id(eq)))
    except TypeError:
        return ev
    with _COMPILED_LOCK:
        _COMPILED[id(eq)] = (ref, ev)
    return ev


def evaluate_columns(eq, cols: dict, fast: bool = True) -> dict:
    """Evaluate ``eq`` over columns (name -> array); the format of ``Vectorized.__call__``.

    ``fast=True``: the compiled kernel (``Vectorized`` when no compiler is available);
    ``fast=False``: ``Vectorized``."""
    if fast:
        return compile_equilibrium(eq)(cols)
    from .evaluate import Vectorized

    return Vectorized(eq)(cols)
