"""Compiled evaluation of an equilibrium: one fused C loop over the points.

``compile_equilibrium(eq)`` generates C for the whole equilibrium (``codegen``) -- every
region's condition, the region that holds, and its strategies and payoffs, in
one branch-free loop body that gcc vectorises -- with sympy's C printer
(common subexpressions shared by ``sympy.cse``), builds it
with the system C compiler as a shared library (``build``; cached under
``openeq.io.cache.cache_dir()/fastpath``, keyed by a hash of the source; built to a
temporary file and installed with its sha256 in a private directory, see
``openeq.evaluate.kernelstore``), loads it with ctypes -- only after checking its
owner, permissions and checksum -- and runs it over
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
import os
import threading
import weakref
from pathlib import Path

import numpy as np
import sympy as sp

from openeq.core.parallel import usable_cores
from openeq.evaluate.build import build, compiler, note_once
from openeq.evaluate.codegen import TOL, FastpathUnavailable, generate_source
from openeq.evaluate.kernelstore import loadable

__all__ = ["compile_equilibrium", "compile_forms", "evaluate_columns", "CompiledEquilibrium", "generate_source",
           "compiler", "FastpathUnavailable", "TOL"]

MIN_CHUNK = 32_768  # points per thread below which one thread does it all


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
        self._lib = ctypes.CDLL(loadable(self.library))  # checked: owner, mode, sha256
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
        from openeq.evaluate.exact import evaluate

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


_COMPILED = {}  # id(eq) -> (weakref to eq, evaluator): not a core.memo.Memo, as an entry goes when its equilibrium does
_COMPILED_LOCK = threading.Lock()


def _view(eq):
    """A copy of ``eq`` sharing its data, so that a memoised evaluator does not keep ``eq`` alive."""
    from openeq.core.equilibrium import Equilibrium

    if type(eq) is not Equilibrium:
        return eq
    return Equilibrium(eq.game, eq.regions, eq.best_responses, eq.method)


def _forget(key):
    def drop(_ref):
        if _COMPILED is None or _COMPILED_LOCK is None:  # interpreter shutdown: the module is gone
            return
        with _COMPILED_LOCK:
            hit = _COMPILED.get(key)
            if hit is not None and hit[0]() is None:
                del _COMPILED[key]
    return drop


def compile_equilibrium(eq, quiet=False):
    """A callable ``cols -> dict`` for ``eq``: the compiled kernel, or ``Vectorized`` when
    no kernel can be built (said once on stderr unless ``quiet``).  Memoised per equilibrium object."""
    with _COMPILED_LOCK:
        hit = _COMPILED.get(id(eq))
        if hit is not None and hit[0]() is eq:
            return hit[1]
    try:
        from openeq.evaluate.sourcecache import kernel_source

        src, names, snames, pnames = kernel_source(eq)  # generate_source(eq), from the disk cache
        lib = build(src)
        try:
            ev = CompiledEquilibrium(eq, lib, names, snames, pnames)
        except OSError:  # an unloadable cached library: build it afresh
            ev = CompiledEquilibrium(eq, build(src, rebuild=True), names, snames, pnames)
    except (FastpathUnavailable, OSError) as e:
        from openeq.evaluate.vectorized import Vectorized

        if not quiet:
            note_once(f"compiled evaluation unavailable ({e}); using numpy (slower)")
        ev = Vectorized(_view(eq))
    try:
        ref = weakref.ref(eq, _forget(id(eq)))
    except TypeError:
        return ev
    with _COMPILED_LOCK:
        _COMPILED[id(eq)] = (ref, ev)
    return ev


def compile_forms(game, exprs):
    """A callable ``cols -> [array or None]``: each expression of ``exprs`` (in ``game``'s
    parameters; None stays None) at every point of the columns.

    The expressions are the payoffs of a one-region equilibrium with no conditions, so
    they run in one compiled kernel (common subexpressions shared, the source cached as
    ``compile_equilibrium``'s is).  When C cannot express one of them (a Piecewise, say),
    all of them run in numpy (``Vectorized``), quietly: the results are the same."""
    from openeq.core.equilibrium import Equilibrium, Region

    slots = [k for k, e in enumerate(exprs) if e is not None]
    region = Region("forms", [], {}, {f"f{k}": sp.sympify(exprs[k]) for k in slots}, {})
    ev = compile_equilibrium(Equilibrium(game, [region], {}), quiet=True)

    def run(cols):
        out = ev(cols)["payoffs"] if slots else {}
        return [out.get(f"f{k}") for k in range(len(exprs))]
    return run


def evaluate_columns(eq, cols: dict, fast: bool = True) -> dict:
    """Evaluate ``eq`` over columns (name -> array); the format of ``Vectorized.__call__``.

    ``fast=True``: the compiled kernel (``Vectorized`` when no compiler is available);
    ``fast=False``: ``Vectorized``."""
    if fast:
        return compile_equilibrium(eq)(cols)
    from openeq.evaluate.vectorized import Vectorized

    return Vectorized(eq)(cols)
