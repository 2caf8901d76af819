"""Acceptance, generalisation and counter traces for the formal languages of Gers & Schmidhuber (2001).

A network *accepts* a string when at every step every legal next symbol's output is above 0.5 and
every other output below 0.5 (:meth:`lstm_repro.tasks.formal.FormalLanguageTask.correct`).  Its
*generalisation limit* N is the largest level such that every string of every level up to N is
accepted (level n: the string a^n b^n (c^n); for a^n b^m B^m A^n all (n, m) with max(n, m) = n, so
that "up to N" means all n, m <= N).  :func:`generalisation` measures it on every level up to a
maximum and records how many levels beyond N are still accepted; :func:`counter_trace` opens the
cells of a trained net over one string (states, gates, the peephole terms of the gates' net
inputs), the data of the chapter's "cells as counters" plots.

``net`` is anything with ``forward_sequences(seqs) -> list[(T, K) array]`` (the engine's
:class:`~lstm_repro.engine.Network`, the PyTorch reference, the DEKF learner).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .tasks.formal import FormalLanguageTask, generalisation_limit

CHUNK_STEPS = 200_000  # time steps per forward call while testing levels (bounds the memory used)


def accepted(net, task: FormalLanguageTask, seqs) -> list[bool]:
    """Whether ``net`` accepts each sequence of ``seqs`` (the acceptance rule above)."""
    outs = net.forward_sequences(list(seqs))
    return [task.correct(y, s) for y, s in zip(outs, seqs)]


def learned(net, task: FormalLanguageTask) -> bool:
    """Whether ``net`` accepts every string of the task's training set."""
    return all(accepted(net, task, task.training_set))


def level_acceptance(net, task: FormalLanguageTask, n_max: int) -> np.ndarray:
    """(n_max - min_level + 1,) bool: whether every string of each level min_level .. n_max is
    accepted.  Levels are run in chunks of about ``CHUNK_STEPS`` time steps."""
    levels = range(task.min_level, n_max + 1)
    ok = np.zeros(len(levels), dtype=bool)
    batch, owners, steps = [], [], 0

    def flush():
        results = accepted(net, task, batch)
        per_level: dict[int, bool] = {}
        for i, r in zip(owners, results):
            per_level[i] = per_level.get(i, True) and r
        for i, r in per_level.items():
            ok[i] = r
        batch.clear()
        owners.clear()

    for i, level in enumerate(levels):
        for seq in task.strings_at(level):
            batch.append(seq)
            owners.append(i)
            steps += seq.length
        if steps >= CHUNK_STEPS:
            flush()
            steps = 0
    if batch:
        flush()
    return ok


def generalisation(net, task: FormalLanguageTask, n_max: int | None = None) -> dict:
    """The generalisation of ``net`` on ``task``, tested on every level up to ``n_max`` (default
    the task's ``test_max``).

    Returns ``N`` (the largest level such that every level up to it is accepted; min_level - 1 when
    the first fails), ``tested_up_to`` (n_max), ``first_failure`` (N + 1, or None when every level
    passed), ``accepted_levels`` (how many of the tested levels are accepted, beyond N too),
    ``train_max`` (the largest training n: N above it is generalisation) and ``accepted_range``
    ([lo, hi], the longest run of consecutive accepted levels that holds ``train_max``; None when
    that level is rejected): for a training set such as n in {20, 21}, whose N stays below 20
    when the short strings are not learned."""
    n_max = task.test_max if n_max is None else int(n_max)
    ok = level_acceptance(net, task, n_max)
    lo = task.min_level
    N = generalisation_limit(lambda n: bool(ok[n - lo]), n_max, n_min=lo)
    top = max(task.train_n)
    return {"N": int(N), "tested_up_to": n_max, "first_failure": None if N == n_max else int(N + 1),
            "accepted_levels": int(ok.sum()), "train_max": int(top),
            "accepted_range": accepted_run(ok, top - lo, lo)}


def accepted_run(ok: np.ndarray, i: int, offset: int = 0) -> list[int] | None:
    """[lo, hi] + ``offset``: the run of True entries of ``ok`` around index ``i`` (None when
    ``ok[i]`` is False or ``i`` lies outside ``ok``)."""
    if not 0 <= i < len(ok) or not ok[i]:
        return None
    lo = hi = i
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    while hi + 1 < len(ok) and ok[hi + 1]:
        hi += 1
    return [int(lo + offset), int(hi + offset)]


def first_error(outputs: np.ndarray, seq) -> dict | None:
    """The first step at which ``outputs`` (T, K) break the acceptance rule on ``seq``: the step
    (0-based; the input at that step is symbol ``step`` of the string), the symbol read, and the
    output units that are on the wrong side of 0.5.  None when the string is accepted."""
    legal = seq.targets == 1.0                                        # (T, K)
    wrong = np.where(legal, outputs <= 0.5, outputs >= 0.5)           # (T, K)
    bad = np.flatnonzero(wrong.any(axis=1))
    if bad.size == 0:
        return None
    t = int(bad[0])
    return {"step": t, "symbol": seq.meta["string"][t], "units": np.flatnonzero(wrong[t]).tolist()}


def counter_trace(net, seq) -> dict:
    """Every quantity of the cells over one sequence, from an engine
    :class:`~lstm_repro.engine.Network` with forget gates and peepholes (2002 order).

    Returns (T rows each): ``states`` s_c(t) (T, C*S); ``input_gates``, ``forget_gates``,
    ``output_gates`` (T, C); ``peep_in``, ``peep_forget`` (T, C): the peephole terms
    sum_v w_peep * s_v(t-1) of the input and forget gates' net inputs, ``peep_out`` (T, C) the
    output gate's sum_v w_peep * s_v(t); ``cell_outputs`` (T, C*S); ``outputs`` (T, K)."""
    spec = net.spec
    if not (spec.forget_gate and spec.peepholes and spec.output_gate):
        raise ValueError("counter_trace needs a network with forget gates, output gates and "
                         "peepholes (a Gers & Schmidhuber 2001 network)")
    tr = net.trace(onehot=seq.onehot) if seq.onehot is not None else net.trace(seq.inputs)
    C, S = spec.n_blocks, spec.block_size
    s = tr["states"].reshape(-1, C, S)                                # (T, C, S)
    s_prev = np.concatenate([np.zeros((1, C, S)), s[:-1]])            # (T, C, S): s(t-1), s(0) = 0
    wp = net.weights.wp                                               # (C, 3, S): [in, forget, out]
    return {**tr,
            "peep_in": np.einsum("tcs,cs->tc", s_prev, wp[:, 0, :]),
            "peep_forget": np.einsum("tcs,cs->tc", s_prev, wp[:, 1, :]),
            "peep_out": np.einsum("tcs,cs->tc", s, wp[:, 2, :])}


SATURATING_WEIGHT = 10.0   # a squashed g's hand-wired cell input: g2(10) = 1.99982, h1(10) = 0.99991
HAND_WIRED_G = ("id", "g2", "h1")   # the cell input squashers the hand-wired nets are built for


def _hand_wired_frame(language: str, g: str):
    """(spec, layout, cell input weight) of a hand-wired net: the 2001 network of ``language``
    with cell input squasher ``g`` (:data:`HAND_WIRED_G`), and the weight whose g is one step:
    1 for the identity, :data:`SATURATING_WEIGHT` for a squasher (saturated)."""
    from .rows2001 import formal_spec
    from .spec import check_choice, layout

    check_choice("g", g, HAND_WIRED_G)
    spec = dataclasses.replace(formal_spec(language), g=g)
    return spec, layout(spec), 1.0 if g == "id" else SATURATING_WEIGHT


def hand_wired_anbn(b_step: float = -1.0, gate_bias: float = 20.0, g: str = "id"):
    """A network of the 2001 a^n b^n architecture (:func:`lstm_repro.rows2001.formal_spec`, its
    cell input squasher ``g`` changed if asked) with weights set by hand: the cell adds 1 on a and
    ``b_step`` on b (gates held open by ``gate_bias``, no peepholes used), so s = #a - #b when
    ``b_step`` = -1; the outputs read the input symbol and the count: a after S or a; b after a,
    and after b while s > 0.5; T after b when s < 0.5.  With ``b_step`` = -1 it accepts every
    a^n b^n up to n of several thousand; with |b_step| != 1 the count drifts by (1 + b_step) per
    symbol pair and the first rejected level is the first n with n |1 + b_step| >= 0.5.  A
    reference for what one cell can do, and a constructed case for the generalisation test.

    ``g``: "id" (the rows' reading), or a squasher symmetric about 0, "g2" ([-2, 2], the 1997
    cell input) or "h1" ([-1, 1]); then the cell input weights are :data:`SATURATING_WEIGHT` and
    ``b_step`` times it, so g saturates and the steps are g(10) = 1.99982 (g2) or 0.99991 (h1)
    on a and g(10 b_step) on b: equal and opposite for ``b_step`` = -1, whatever the weights
    near them do to the cell input (g'(10) = 1.8e-4)."""
    from .engine import Network
    from .spec import Weights

    spec, lay, w_cell = _hand_wired_frame("anbn", g)
    I, U = spec.n_inputs, spec.n_units                     # inputs S, a, b; units in, out, fg, cell
    S_, A_, B_ = range(I)
    bias, bias_o = lay.n_src - 1, lay.n_osrc - 1
    wh = np.zeros_like(lay.mask_h)                         # (U, I + U + 1)
    wh[[lay.in_gate, lay.out_gate, lay.forget_gate], bias] = gate_bias
    wh[lay.cell, A_], wh[lay.cell, B_] = w_cell, w_cell * b_step   # s += g(.) on a and on b
    wo = np.zeros_like(lay.mask_o)                         # (K, I + C + 1); outputs a, b, T
    cell = I                                               # the cell output's column in zo
    wo[0, [S_, A_, B_]] = 5.0, 5.0, -5.0                   # a: after S or a
    wo[1, [S_, A_, cell, bias_o]] = -10.0, 10.0, 10.0, -5.0   # b: after a; after b while s > 0.5
    wo[2, [B_, cell, bias_o]] = 10.0, -10.0, -5.0          # T: after b when s < 0.5
    assert U == 4
    return Network(spec, Weights(wh, wo, np.zeros_like(lay.mask_p)))


def hand_wired_anbncn(g: str = "id", gate_bias: float = 20.0):
    """A network of the 2001 a^n b^n c^n architecture (two blocks of one cell; cell input
    squasher ``g`` as in :func:`hand_wired_anbn`) with weights set by hand, two counters: cell 1
    adds a step on a and removes it on b (s_1 = #a - #b steps), cell 2 adds on b and removes on c
    (s_2 = #b - #c steps).  The gates are held open by ``gate_bias`` but for three: each cell's
    input gate shuts (weight -2 gate_bias) on S and on the symbol the cell ignores (c for cell 1,
    a for cell 2), so that its state holds still there whatever its cell input, and cell 2's
    output gate opens only on c (bias -gate_bias, weight 2 gate_bias from c), so that the count
    of b's is read only in the c block.  Outputs: a after S or a; b after a, and after b while
    s_1 > 0.5; c after b when s_1 < 0.5, and after c while s_2 > 0.5; T after c when s_2 < 0.5.
    It accepts every a^n b^n c^n up to n of several thousand: a reference for what two cells
    can do."""
    from .engine import Network
    from .spec import Weights

    spec, lay, w = _hand_wired_frame("anbncn", g)
    S_, A_, B_, C_ = range(spec.n_inputs)                   # inputs S, a, b, c
    bias, bias_o = lay.n_src - 1, lay.n_osrc - 1
    wh = np.zeros_like(lay.mask_h)                          # (U, I + U + 1)
    for j in range(2):
        wh[[lay.in_gate + j, lay.out_gate + j, lay.forget_gate + j], bias] = gate_bias
    wh[lay.out_gate + 1, bias], wh[lay.out_gate + 1, C_] = -gate_bias, 2 * gate_bias
    wh[lay.in_gate, [S_, C_]] = -2 * gate_bias              # cell 1 shut on S and c
    wh[lay.in_gate + 1, [S_, A_]] = -2 * gate_bias          # cell 2 shut on S and a
    wh[lay.cell, A_], wh[lay.cell, B_] = w, -w              # cell 1: up on a, down on b
    wh[lay.cell + 1, B_], wh[lay.cell + 1, C_] = w, -w      # cell 2: up on b, down on c
    wo = np.zeros_like(lay.mask_o)                          # (K, I + C + 1); outputs a, b, c, T
    y1, y2 = spec.n_inputs, spec.n_inputs + 1               # the cell outputs' columns in zo
    wo[0, [S_, A_, B_, C_]] = 5.0, 5.0, -5.0, -5.0                      # a: after S or a
    wo[1, [S_, A_, C_, y1, bias_o]] = -10.0, 10.0, -10.0, 10.0, -5.0    # b: after a; while s_1 > 0.5
    wo[2, [S_, A_, B_, C_, y1, y2]] = -5.0, -5.0, 5.0, -5.0, -10.0, 10.0  # c: b block ends; while s_2
    wo[3, [S_, A_, B_, C_, y2]] = -5.0, -5.0, -5.0, 5.0, -10.0          # T: after c when s_2 < 0.5
    return Network(spec, Weights(wh, wo, np.zeros_like(lay.mask_p)))


HAND_WIRED = {"anbn": hand_wired_anbn, "anbncn": hand_wired_anbncn}


def best_stored_network(row_id: str, root=None):
    """(net, record) of the stored paper-scale trial of ``row_id`` that learned the training set
    and generalises furthest (largest N; the lowest trial number among equals); None when no
    stored trial learned it.  ``root``: the results root (default data/results)."""
    from .analysis import stored_networks

    wins = [(net, rec) for net, rec in stored_networks(row_id, root)
            if rec["success"] and "generalisation" in rec]
    if not wins:
        return None
    return max(wins, key=lambda w: (w[1]["generalisation"]["N"], -w[1]["trial"]))
