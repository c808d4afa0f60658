"""Figures of an equilibrium, evaluated on grids with the compiled evaluator.

* ``regimes``    -- the region label at each point of an (x, y) grid; where the
  model's analysis supplies them (openness), the curves ``omega_hat(x)`` and
  ``theta*(x)`` are drawn over it;
* ``strategies`` -- every equilibrium strategy along x (``--baseline p=0`` adds the
  same curves at the baseline, dashed: "with and without regulation");
* ``welfare``    -- W = sum of payoffs along x (and at the baseline);
* ``lever``      -- in the (theta, alpha0) plane (or any --x/--y), the boundaries
  between regions: for openness, the curve alpha0*(theta, p) that splits the models a
  higher threshold moves from those only a larger penalty moves.

Output is deterministic: fixed rcParams, no dates in the PDF metadata.
"""
from __future__ import annotations

import io
import os

import numpy as np

from openeq.export.figstyle import PALETTE, pdf_bytes, pyplot
from openeq.io.atomic import write_atomic

__all__ = ["KINDS", "plot"]

KINDS = ("regimes", "strategies", "welfare", "lever")
COLORS = PALETTE


class PlotError(ValueError):
    pass


def _columns(game, fixed, grids):
    n = next(iter(grids.values())).size
    cols = {}
    for name in game.parameters:
        if name in grids:
            cols[name] = grids[name].ravel()
        elif name in fixed:
            cols[name] = np.full(n, float(fixed[name]))
        else:
            raise PlotError(f"parameter {name!r} needs a value (name=value) or --x/--y")
    return cols


def _range(game, name, lo=None, hi=None):
    if name not in game.parameters:
        raise PlotError(f"--x/--y {name!r} is not a parameter of {game.name} ({', '.join(game.parameters)})")
    d = game.parameters[name].domain
    a = float(d.lo) if d.lo.is_finite else 0.0
    b = float(d.hi) if d.hi.is_finite else a + 3.0
    pad = (b - a) * 1e-3
    return (lo if lo is not None else a + (pad if d.lo_open else 0.0), hi if hi is not None else b - (pad if d.hi_open else 0.0))


def _evaluate(eq, cols):
    from openeq.evaluate.compiled import evaluate_columns

    return evaluate_columns(eq, cols)


def _plt():
    plt = pyplot()[1]
    plt.rcParams.update({"font.family": "serif", "font.size": 9, "svg.hashsalt": "openeq", "pdf.fonttype": 42})
    return plt


def plot(eq, kind, x, y=None, fixed=None, baseline=None, n=300):
    """Draw one figure; returns the matplotlib Figure."""
    game, fixed, plt = eq.game, dict(fixed or {}), _plt()
    if kind not in KINDS:
        raise PlotError(f"unknown figure kind {kind!r}; expected one of {', '.join(KINDS)}")
    fig, ax = plt.subplots(figsize=(4.6, 3.2))
    if kind in ("regimes", "lever"):
        if y is None:
            raise PlotError(f"figure {kind!r} needs --y")
        xs, ys = np.linspace(*_range(game, x), n), np.linspace(*_range(game, y), n)
        X, Y = np.meshgrid(xs, ys)
        out = _evaluate(eq, _columns(game, fixed, {x: X, y: Y}))
        labels = [lab for lab in eq.labels]
        idx = np.array([labels.index(str(s)) for s in out["regime"]]).reshape(X.shape)
        if kind == "regimes":
            from matplotlib.colors import ListedColormap

            ax.pcolormesh(X, Y, idx, cmap=ListedColormap(COLORS[: len(labels)]), vmin=-0.5, vmax=len(labels) - 0.5, shading="auto", rasterized=True)
            for k, lab in enumerate(labels):
                ax.plot([], [], "s", color=COLORS[k], label=lab.replace("_", " "))
            _overlay_curves(eq, ax, x, y, xs, fixed)
        else:
            ax.contour(X, Y, idx, levels=np.arange(len(labels)) + 0.5, colors="k", linewidths=1.2)
            for k, lab in enumerate(labels):  # name each side of the curves
                sel = idx == k
                if sel.any():
                    ax.annotate(lab.replace("_", " "), (float(np.median(X[sel])), float(np.median(Y[sel]))), ha="center", fontsize=8)
        ax.set_ylabel(y)
        ax.set_ylim(ys[0], ys[-1])
    else:
        xs = np.linspace(*_range(game, x), n)
        runs = [("", fixed)] + ([(" (baseline)", {**fixed, **baseline})] if baseline else [])
        for style, (suffix, point) in zip(("-", "--"), runs):
            out = _evaluate(eq, _columns(game, point, {x: xs}))
            if kind == "strategies":
                for k, (v, vals) in enumerate(out["strategies"].items()):
                    ax.plot(xs, vals, style, color=COLORS[k], label=v + suffix)
            else:
                ax.plot(xs, sum(out["payoffs"].values()), style, color=COLORS[0], label="W" + suffix)
        ax.set_ylabel("equilibrium value")
    ax.set_xlabel(x)
    ax.set_xlim(xs[0], xs[-1])
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", frameon=kind == "regimes", framealpha=0.9)
    fig.tight_layout()
    return fig


def _overlay_curves(eq, ax, x, y, xs, fixed):
    """omega_hat(x) and theta*(x) from the model's analysis fields, when y is theta."""
    from openeq.analyses.regulation_fields import enrich

    if y != "theta":
        return
    cols = _columns(eq.game, fixed, {x: xs, "theta": np.full(xs.size, 0.5)})
    out = _evaluate(eq, cols)
    rows = [{"strategies": {v: float(a[i]) for v, a in out["strategies"].items()},
             "payoffs": {p: float(a[i]) for p, a in out["payoffs"].items()},
             "regime": str(out["regime"][i]), "parameters": {k: float(c[i]) for k, c in cols.items()}}
            for i in range(xs.size)]
    rows = enrich(eq, rows, cols)
    if rows and "omega_hat" in rows[0]:
        ax.plot(xs, [r["omega_hat"] for r in rows], "k--", lw=1.2, label="unregulated openness")
    if rows and "critical" in rows[0]:
        ax.plot(xs, [r["critical"]["theta_star"] for r in rows], "k-", lw=1.2, label="critical threshold")


def save(fig, path):
    """Write PDF or PNG atomically (temp file, then rename)."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".pdf", ".png"):
        raise PlotError(f"-o {path}: expected a .pdf or .png file name")
    if ext == ".pdf":
        data = pdf_bytes(fig)
    else:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        data = buf.getvalue()
    write_atomic(path, data)
