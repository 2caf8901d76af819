"""What a trained Experiment 3 net does (Hochreiter & Schmidhuber 1997, Section 5.3): how its memory
cells hold the class of the first N inputs over the T noisy steps that follow, and (task 3c) how
its output estimates the noise-free target from noisy ones.

- :func:`separation`: how far apart two classes lie, in units of their spread (d').
- :func:`storage`: per cell, the state right after the informative prefix (t = N) and at the end,
  how well each separates the classes, the input gate during the prefix and during the noise, and
  how much noise the state takes in between.
- :func:`end_by_class`: per class, the outputs at the end against the noise-free and the noisy
  targets (3c: the net should output the conditional expectation, Section 5.3).
"""
from __future__ import annotations

import numpy as np

from .engine import Network
from .tasks.base import Sequence


def _labels(seqs: list[Sequence]) -> np.ndarray:
    return np.array([s.meta["class"] for s in seqs])                    # (N,) 1 or 2


def separation(values: np.ndarray, labels) -> np.ndarray:
    """|mean of class 1 - mean of class 2| / pooled standard deviation, per column of ``values``
    (N, k) (d'; large: the classes do not overlap).  Without spread (at rounding level) it is
    inf where the class means differ and 0 where they do not.  Both classes must occur twice at
    least."""
    values, labels = np.asarray(values, dtype=float), np.asarray(labels)
    values = values.reshape(len(values), -1)                            # (N, k)
    a, b = values[labels == 1], values[labels == 2]
    if len(a) < 2 or len(b) < 2:
        raise ValueError("separation needs at least two sequences of each class")
    pooled = np.sqrt((a.var(axis=0, ddof=1) + b.var(axis=0, ddof=1)) / 2)   # (k,)
    diff = np.abs(a.mean(axis=0) - b.mean(axis=0))                          # (k,)
    tiny = 1e-9 * (1.0 + np.abs(a.mean(axis=0)) + np.abs(b.mean(axis=0)))   # rounding level
    with np.errstate(divide="ignore", invalid="ignore"):
        # no spread within the classes: inf where the means differ, 0 where they do not
        return np.where(pooled > tiny, diff / pooled, np.where(diff > tiny, np.inf, 0.0))


def storage(net: Network, seqs: list[Sequence], N: int) -> dict[str, np.ndarray]:
    """Per memory cell (arrays of length cells, or blocks for the gates), over ``seqs``:

    ``state_n``/``state_end``: mean |s_c| right after the N informative inputs and at the end;
    ``sep_n``/``sep_end``: :func:`separation` of the classes by s_c at those two moments;
    ``drift``: the standard deviation, within each class (pooled), of s_c(end) - s_c(N), the noise
    the state took in; ``sep_change``: :func:`separation` of the classes by that change (large:
    after the prefix the state keeps moving, in a direction set by the class, e.g. driven by the
    cell's own output through its recurrent input); ``gate_prefix``/``gate_noise``: the block's
    mean input gate during the prefix (t <= N) and during the noisy inputs (t > N).
    """
    labels = _labels(seqs)
    at_n, at_end, g_pre, g_noise = [], [], [], []
    for seq in seqs:
        tr = net.trace(seq.inputs)
        at_n.append(tr["states"][N - 1])                                # (cells,) at t = N
        at_end.append(tr["states"][-1])
        g_pre.append(tr["input_gates"][:N].mean(axis=0))                # (blocks,)
        g_noise.append(tr["input_gates"][N:].mean(axis=0))
    at_n, at_end = np.array(at_n), np.array(at_end)                     # (N_seq, cells)
    change = at_end - at_n
    within = np.sqrt(np.mean([change[labels == c].var(axis=0, ddof=1) for c in (1, 2)], axis=0))
    return {"state_n": np.abs(at_n).mean(axis=0), "state_end": np.abs(at_end).mean(axis=0),
            "sep_n": separation(at_n, labels), "sep_end": separation(at_end, labels),
            "drift": within, "sep_change": separation(change, labels),
            "gate_prefix": np.mean(g_pre, axis=0),
            "gate_noise": np.mean(g_noise, axis=0)}


def end_by_class(net: Network, seqs: list[Sequence]) -> dict[int, dict[str, float]]:
    """Per class (1, 2): the mean and standard deviation of the output at the end, the noise-free
    target, and the mean and standard deviation of the (noisy) targets of ``seqs``."""
    labels = _labels(seqs)
    outs = np.array([y[-1, 0] for y in net.forward_sequences(seqs)])    # (N,)
    targets = np.array([s.targets[-1, 0] for s in seqs])                # (N,)
    clean = np.array([s.meta["clean_target"] for s in seqs])
    return {c: {"output_mean": float(outs[labels == c].mean()),
                "output_std": float(outs[labels == c].std()),
                "clean_target": float(clean[labels == c][0]),
                "target_mean": float(targets[labels == c].mean()),
                "target_std": float(targets[labels == c].std())} for c in (1, 2)}
