"""Shared figures of the scorecard and the chapters (matplotlib; each function returns the Figure).

- :func:`sequences_plot`: training sequences until success per row, ours (every trial a dot,
  failures marked at their budget) against the paper's mean, log scale, with the factor-2 band of
  the scorecard's "sequences" rule (:mod:`lstm_repro.scorecard`).
- :func:`learning_curves`: the learning curves stored in trial records (``curve``: rows of
  [sequences, average training error, fraction correct] every ``curve_every`` sequences);
  :func:`curve_grid`: one such panel per set of records, in rows of ``ncols``.
- :data:`KILO`: axis ticks in thousands (10k, 20k, ...), for counts of training sequences.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from .scorecard import SPEED_FACTOR, Summary, mean_interval
from .spec import check_choice

OURS, FAILED, PAPER = "tab:blue", "tab:red", "black"


def _thousands(v: float, _pos=None) -> str:
    """An axis tick in thousands: 25000 -> "25k", 2500 -> "2.5k", 0 -> "0"."""
    k = v / 1000
    if k == 0:
        return "0"
    return f"{round(k):,}k" if abs(k - round(k)) < 1e-9 else f"{round(k, 3):g}k"


KILO = FuncFormatter(_thousands)   # axis ticks in thousands, for counts of training sequences


def _paper_mean(s: Summary) -> float | None:
    """The paper's sequences until success (ST2 in Experiment 3), None where it prints none."""
    rep = s.row.reported
    key = "st2_sequences" if "st2_sequences" in rep else "sequences_mean"
    return rep[key].value if key in rep and rep[key].kind in ("mean", "value") else None


def _spread(n: int, width: float = 0.5) -> np.ndarray:
    """Deterministic horizontal offsets for n dots of one row."""
    return np.zeros(1) if n == 1 else np.linspace(-width / 2, width / 2, n)


def sequences_plot(summaries: list[Summary], ax=None, title: str | None = None):
    """Sequences until success per row: our trials (dots; failures as crosses at their budget), our
    mean (blue bar) with its 95 % bootstrap interval (thin blue line), the paper's mean (black diamond) and the factor-2 band around it (grey)."""
    rows = [s for s in summaries if not s.row.competitor and (_paper_mean(s) or s.trials)]
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(rows) + 2), 4.5))
    fig = ax.figure
    for i, s in enumerate(rows):
        ref = _paper_mean(s)
        if ref is not None:
            ax.fill_between([i - 0.4, i + 0.4], ref / SPEED_FACTOR, ref * SPEED_FACTOR,
                            color="0.9", zorder=0)
            ax.plot(i, ref, "D", color=PAPER, mfc="none", mew=1.5, ms=7, zorder=3)
        if s.sequences:
            ax.plot(i + _spread(len(s.sequences)), s.sequences, "o", color=OURS, ms=4, alpha=0.7,
                    zorder=2)
            mean, lo, hi = mean_interval(s.sequences)
            ax.plot([i - 0.3, i + 0.3], [mean] * 2, "-", color=OURS, lw=2, zorder=2)
            ax.plot([i, i], [lo, hi], "-", color=OURS, lw=1, zorder=2)
        if s.failures:
            ax.plot(i + _spread(len(s.failures), 0.3), [f["budget"] for f in s.failures], "x",
                    color=FAILED, ms=6, zorder=2)
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)), [s.row.id for s in rows], rotation=90)
    ax.set_xlim(-0.7, len(rows) - 0.3)
    ax.set_ylabel("training sequences until success")
    ax.set_title(title or "Sequences until success: ours vs the paper")
    handles = [
        plt.Line2D([], [], ls="", marker="o", color=OURS, label="ours: a successful trial"),
        plt.Line2D([], [], ls="-", color=OURS, lw=2, label="ours: mean, 95 % interval"),
        plt.Line2D([], [], ls="", marker="x", color=FAILED, label="ours: failed (at its budget)"),
        plt.Line2D([], [], ls="", marker="D", color=PAPER, mfc="none", mew=1.5,
                   label="paper: mean"),
        plt.Rectangle((0, 0), 1, 1, color="0.9", label=f"within a factor {SPEED_FACTOR:g}"),
    ]
    ax.legend(handles=handles, fontsize="small", loc="best")
    ax.grid(axis="y", which="major", alpha=0.3)
    fig.tight_layout()
    return fig


def learning_curves(records: list[dict], ax=None, measure: str = "error", title: str | None = None):
    """The stored learning curves of ``records`` (one line per trial; a dot where a trial stopped
    at its criterion).  ``measure``: "error" (average training error, log scale) or "correct"
    (fraction of training sequences processed correctly)."""
    columns = {"error": 1, "correct": 2}
    check_choice("measure", measure, columns)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 4))
    fig = ax.figure
    col = columns[measure]
    for r in records:
        curve = np.asarray(r.get("curve") or [], dtype=float).reshape(-1, 3)  # (points, 3)
        if not len(curve):
            continue
        (line,) = ax.plot(curve[:, 0], curve[:, col], lw=1, alpha=0.8)
        if r["success"]:
            ax.plot(curve[-1, 0], curve[-1, col], "o", color=line.get_color(), ms=4)
    if measure == "error":
        ax.set_yscale("log")
    ax.set_xlabel("training sequences")
    ax.set_ylabel("average training error" if measure == "error" else "fraction correct")
    rows = sorted({r["row"] for r in records})
    ax.set_title(title or f"Learning curves: {', '.join(rows)} ({len(records)} trials)")
    fig.tight_layout()
    return fig


def curve_grid(panels: list[tuple[str, list[dict]]], measure: str = "error", ncols: int = 3,
               size: tuple[float, float] = (4.2, 3.3), sharey: bool = False):
    """:func:`learning_curves` of each ``(title, records)`` in ``panels``, ``ncols`` panels to a
    row (fewer if there are fewer panels), each ``size`` inches, x ticks in thousands.  Returns
    the figure and the axes of the panels, in order, for the caller to add thresholds."""
    if not panels:
        raise ValueError("curve_grid needs at least one panel")
    ncols = min(ncols, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows),
                             squeeze=False, sharey=sharey)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    shown = list(axes.flat[:len(panels)])
    for ax, (title, records) in zip(shown, panels):
        learning_curves(records, ax=ax, measure=measure, title=title)
        ax.xaxis.set_major_formatter(KILO)
    return fig, shown
