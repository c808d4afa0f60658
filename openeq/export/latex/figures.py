"""Figures of the appendix (matplotlib, Agg), byte-identical across runs.

* any model: the equilibrium strategies along one parameter, the others fixed;
* the openness model (parameters ``alpha0``, ``theta``, ``p``; regimes ``comply`` and
  ``defy``): the regime map over (alpha0, theta), and openness and fine-tuning
  against alpha0 with and without regulation.

Each function returns ``(filename, pdf_bytes, caption, label)``; the caller
writes the files (atomically).  Determinism: fixed rcParams, no creation date or
producer in the PDF metadata, ``svg.hashsalt`` fixed.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from openeq.core.relations import holds
from openeq.export.figstyle import PALETTE, pdf_bytes, pyplot

__all__ = ["make_figures", "reference_point", "broken_at_jumps", "OPENNESS_POINT"]

OPENNESS_POINT = {"alpha0": 1.0, "delta": 0.5, "c": 1.0, "epsilon": 0.6, "gamma": 0.5, "theta": 0.5, "p": 0.05}
RC = {
    "font.family": "serif", "mathtext.fontset": "cm", "font.size": 9, "axes.titlesize": 9,
    "axes.labelsize": 9, "legend.fontsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8,
    "figure.dpi": 100, "savefig.dpi": 100, "pdf.compression": 6, "pdf.fonttype": 3,
    "svg.hashsalt": "openeq", "path.simplify": True, "axes.grid": False, "lines.linewidth": 1.4,
}
COLORS = PALETTE[:6]


def _tex(game, name, suffix=""):
    from openeq.export.latex.printer import game_names

    return "$" + game_names(game)[name] + suffix + "$"


def reference_point(game) -> dict:
    """Round parameter values in the domains that satisfy the game's relations."""
    from openeq.analyses.points import typical_point

    return typical_point(game)


def broken_at_jumps(xs, ys):
    """``(xs, ys)`` with a NaN between two neighbours where the curve jumps, so that no
    vertical connector is drawn across a discontinuity: a step larger than 8 times the median
    step and than 2% of the curve's range counts as a jump (the grids are fine, and a
    continuous curve's steps are alike)."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if ys.size < 3:
        return xs, ys
    dy = np.abs(np.diff(ys))
    finite = dy[np.isfinite(dy)]
    if not finite.size:
        return xs, ys
    span = np.nanmax(ys) - np.nanmin(ys)
    jump = np.nonzero(dy > max(8 * np.median(finite), 0.02 * span, 1e-12))[0]
    if not jump.size:
        return xs, ys
    at = jump + 1
    return np.insert(xs, at, np.nan), np.insert(ys, at, np.nan)


def _strategies_along(eq, plt):
    from openeq.evaluate.vectorized import Vectorized

    game = eq.game
    ref = reference_point(game)
    used = set().union(*[e.free_symbols for r in eq.regions for e in r.strategies.values()]) if eq.regions else set()
    xname = next((n for n in game.parameters if game.parameters[n].symbol in used), next(iter(game.parameters)))
    dom = game.parameters[xname].domain
    lo = float(dom.lo) if dom.lo != -sp.oo else ref[xname] - 2
    hi = float(dom.hi) if dom.hi != sp.oo else max(3 * ref[xname], lo + 2)
    xs = np.linspace(lo, hi, 401)[1:-1]
    cols = {n: np.full_like(xs, v) for n, v in ref.items()}
    cols[xname] = xs
    ok = np.ones_like(xs, dtype=bool)
    syms = [game.parameters[n].symbol for n in game.parameters]
    for rel in game.relations:
        f = sp.lambdify(syms, rel.lhs - rel.rhs, "numpy")
        d = np.broadcast_to(f(*[cols[n] for n in game.parameters]), xs.shape)
        ok &= holds(d, rel.rel_op)
    out = Vectorized(eq)({n: c[ok] for n, c in cols.items()})
    fig, ax = plt.subplots(figsize=(4.6, 2.8))
    for k, (v, ys) in enumerate(out["strategies"].items()):
        ax.plot(*broken_at_jumps(xs[ok], ys), color=COLORS[k % len(COLORS)], label=_tex(game, v, "^*"))
    ax.set_xlabel(_tex(game, xname))
    ax.legend(frameon=False)
    fixed = ", ".join(f"{_tex(game, n, f' = {v:g}')}" for n, v in ref.items() if n != xname)
    fig.tight_layout()
    data = pdf_bytes(fig)
    plt.close(fig)
    caption = f"Equilibrium strategies against {_tex(game, xname)}; other parameters: {fixed}."
    return "strategies.pdf", data, caption, "fig:strategies"


def _is_openness(eq):
    """The openness figures need the openness parameters, and a value for each of them."""
    game = eq.game
    params = set(game.parameters)
    return ({"alpha0", "theta", "p"} <= params <= set(OPENNESS_POINT)
            and {"omega", "alpha1"} <= set(game.namespace) and {"comply", "defy"} <= set(eq.labels))


def _regime_map(eq, plt, mpl):
    from openeq.evaluate.vectorized import Vectorized

    game, ref = eq.game, dict(OPENNESS_POINT)
    a = np.linspace(0.0, 2.5, 251)[1:]
    t = np.linspace(0.0, 1.0, 201)
    A, T = np.meshgrid(a, t)
    cols = {n: np.full(A.size, v) for n, v in ref.items()}
    cols["alpha0"], cols["theta"] = A.ravel(), T.ravel()
    regime = Vectorized(eq)(cols)["regime"]
    order = [lab for lab in ("already_open", "comply", "defy") if lab in eq.labels]
    order += [lab for lab in eq.labels if lab not in order]
    code = np.array([order.index(r) for r in regime], dtype=float).reshape(A.shape)
    cmap = mpl.colors.ListedColormap(["#DCE9F5", "#BFE3C0", "#F4C7B8", "#E0D4EE"][: len(order)])
    fig, ax = plt.subplots(figsize=(4.6, 3.0))
    ax.imshow(code, origin="lower", extent=(a[0], a[-1], t[0], t[-1]), aspect="auto", interpolation="nearest",
              cmap=cmap, vmin=-0.5, vmax=len(order) - 0.5)
    ax.contour(A, T, code, levels=np.arange(len(order)) + 0.5, colors="k", linewidths=0.6)
    handles = [mpl.patches.Patch(facecolor=cmap(k), edgecolor="k", linewidth=0.4, label=lab.replace("_", " "))
               for k, lab in enumerate(order)]
    ax.legend(handles=handles, loc="upper right", frameon=True, framealpha=0.9)
    ax.set_xlabel(_tex(game, "alpha0"))
    ax.set_ylabel(_tex(game, "theta"))
    fig.tight_layout()
    data = pdf_bytes(fig)
    plt.close(fig)
    fixed = ", ".join(f"{_tex(game, n, f' = {v:g}')}" for n, v in ref.items() if n not in ("alpha0", "theta"))
    return "regimes.pdf", data, f"Equilibrium regimes over {_tex(game, 'alpha0')} and the threshold {_tex(game, 'theta')}; {fixed}.", "fig:regimes"


def _openness_curves(eq, plt):
    from openeq.evaluate.vectorized import Vectorized
    from openeq.export.latex.printer import game_names

    game, ref = eq.game, dict(OPENNESS_POINT)
    a = np.linspace(0.0, 2.5, 501)[1:]
    fig, axes = plt.subplots(1, 2, figsize=(6.2, 2.6))
    for k, (p, style, label) in enumerate(((ref["p"], "-", "regulated"), (0.0, "--", "no regulation ($p = 0$)"))):
        cols = {n: np.full(a.size, v) for n, v in ref.items()}
        cols["alpha0"], cols["p"] = a, np.full(a.size, p)
        s = Vectorized(eq)(cols)["strategies"]
        axes[0].plot(*broken_at_jumps(a, s["omega"]), style, color=COLORS[k], label=label)
        axes[1].plot(*broken_at_jumps(a, s["alpha1"] - a), style, color=COLORS[k], label=label)
    fine = _tex(game, "alpha1", "^* - " + game_names(game)["alpha0"])
    axes[0].set_ylabel(_tex(game, "omega", "^*"))
    axes[1].set_ylabel(fine)
    for ax in axes:  # a legend on every panel
        ax.set_xlabel(_tex(game, "alpha0"))
        ax.legend(frameon=False, loc="lower left")  # (the curves fall from the upper left)
    fig.tight_layout()
    data = pdf_bytes(fig)
    plt.close(fig)
    fixed = ", ".join(f"{_tex(game, n, f' = {v:g}')}" for n, v in ref.items() if n != "alpha0")
    cap = (f"Openness {_tex(game, 'omega', '^*')} and fine-tuning {fine} against {_tex(game, 'alpha0')}, "
           f"regulated ({fixed}) and unregulated ($p = 0$).")
    return "openness.pdf", data, cap, "fig:openness"


def make_figures(eq) -> list:
    """Draw the figures; returns [(filename, pdf bytes, caption, label)]."""
    mpl, plt = pyplot()
    with mpl.rc_context(RC):
        if _is_openness(eq):
            return [_regime_map(eq, plt, mpl), _openness_curves(eq, plt)]
        return [_strategies_along(eq, plt)]
