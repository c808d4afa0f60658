r"""Evaluating an equilibrium over a file of parameter points, chunk by chunk.

``evaluate_file(eq, points, output)`` reads the points (``batchio.read_points``:
CSV, NPZ or JSON by extension), and for each chunk

1. checks every point against the domains and assumptions, column-wise
   (``openeq.evaluate.columns.check_columns``; the first bad point is named by its
   line or index in the file);
2. evaluates the equilibrium with the compiled kernel (``openeq.evaluate.compiled``:
   the region :math:`R_k \ni \theta` and its closed forms :math:`x_k(\theta)`,
   :math:`u_{i,k}(\theta)`; points within rounding of a boundary decided exactly), or,
   for an equilibrium derived per point (``openeq.solver.pointwise``), derives it there;
3. adds the caller's ``extra`` columns (a regulation game's fields, say);
4. refuses a non-finite result, naming the output and the point;
5. hands the columns to the writer (``batchio.open_writer``).

Memory is bounded by the chunk size, whatever the number of points.  The output
columns, in order: each strategy (its name), each payoff (``U_<player>``), ``regime``
(the region's label), then the extras.
"""
from __future__ import annotations

import numpy as np

from openeq.core.errors import InputError
from openeq.evaluate.batchio import Column, format_of, open_writer, read_points

__all__ = ["evaluate_file", "evaluate_chunks", "output_names"]


def _outputs(eq):
    """(strategy variables, players) in output order."""
    if getattr(eq, "pointwise", False):  # openeq.solver.pointwise
        return eq.variables, eq.players
    first = eq.regions[0]
    return list(first.strategies), list(first.payoffs)


def output_names(eq) -> list:
    xs, players = _outputs(eq)
    return [str(v) for v in xs] + [f"U_{p}" for p in players] + ["regime"]


def _columns(eq, res, labels):
    xs, players = _outputs(eq)
    cols = [Column(str(v), res["strategies"][str(v)], path=("strategies", str(v))) for v in xs]
    cols += [Column(f"U_{p}", res["payoffs"][p], path=("payoffs", p)) for p in players]
    cols.append(Column("regime", np.asarray(res["region"], dtype=np.int64), labels, path=("regime",)))
    return cols


def _finite(cols, chunk, game):
    for c in cols:
        if c.labels is None and c.values.dtype.kind == "f":
            ok = np.isfinite(c.values)
            if not ok.all():
                i = int(np.argmin(ok))
                at = ", ".join(f"{n}={float(chunk.cols[n][i])!r}" for n in game.parameters)
                raise InputError(f"{chunk.where(i)}: {c.name} is not finite ({c.values[i]}) at {at}")


def evaluate_chunks(eq, chunks, extra=None):
    """For each chunk of points: (chunk, output columns), checked and evaluated."""
    from openeq.evaluate.columns import check_columns
    from openeq.evaluate.compiled import compile_equilibrium

    game = eq.game
    if getattr(eq, "pointwise", False):  # derived at each point; its labels grow as they appear
        run, labels = eq.run, eq.labels
    else:
        run, labels = compile_equilibrium(eq), [r.label for r in eq.regions]
    for chunk in chunks:
        if chunk.n == 0:
            continue
        chunk.cols = check_columns(game, chunk.cols, where=chunk.where)
        res = run(chunk.cols)
        cols = _columns(eq, res, labels)
        if extra is not None:
            cols += extra(chunk.cols, res)
        _finite(cols, chunk, game)
        yield chunk, cols


class _Background:
    """Writes chunks on a thread of its own, so that formatting and writing one chunk
    overlaps reading and evaluating the next (the C calls release the GIL).  At most
    ``depth`` chunks wait, which bounds the memory."""

    def __init__(self, writer, depth=2):
        import queue
        import threading

        self.writer, self.error = writer, None
        self.q = queue.Queue(maxsize=depth)
        self.t = threading.Thread(target=self._run, name="openeq-writer", daemon=True)
        self.t.start()

    def _run(self):
        while True:
            item = self.q.get()
            if item is None:
                return
            if self.error is None:
                try:
                    self.writer.write(*item)
                except BaseException as e:  # handed to the main thread
                    self.error = e

    def put(self, chunk, cols):
        if self.error is not None:
            raise self.error
        self.q.put((chunk, cols))

    def finish(self):
        self.q.put(None)
        self.t.join()
        if self.error is not None:
            raise self.error


def evaluate_file(eq, points, output, extra=None, extra_names=(), progress=None) -> int:
    """Evaluate ``eq`` at the points of the file ``points``; write ``output`` (by its
    extension).  ``extra(cols, result) -> [Column]``; ``extra_names``: their names (for an
    empty input).  ``progress``: a bar (``openeq.core.progress.bar``) or None.
    Returns the number of points."""
    game = eq.game
    out_kind = format_of(output, "-o")
    names, size, chunks = read_points(points, game)
    in_names = names if format_of(points) == ".csv" and out_kind == ".csv" else list(game.parameters)
    writer = open_writer(output, game.name, in_names)
    total = 0
    background = _Background(writer)
    try:
        if progress is not None:
            progress.reset(total=size)
        for chunk, cols in evaluate_chunks(eq, chunks, extra):
            background.put(chunk, cols)
            total += chunk.n
            if progress is not None:
                progress.update(chunk.done - progress.n)
        background.finish()
        writer.close(output_names(eq) + list(extra_names))
    except BaseException:
        background.error = background.error or RuntimeError("stopped")
        try:
            background.finish()
        except BaseException:
            pass
        writer.abort()
        raise
    return total
