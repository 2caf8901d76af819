"""What the learner of a formal-language study configuration does along the way: two traces.

:func:`hand_wired_drift` (chapters 10 and 11; in 11 "Does the filter keep a perfect
counter?"): start from the hand-wired a^n b^n counter and record the learner's changes to its
steps along the way.

:func:`weight_trace` (chapter 11, "Why the filter loses the training set"): some trials of the
filter with a small final measurement noise learn the training set, then lose it for good,
their output weights in the hundreds or thousands.  :func:`weight_trace` trains such a trial
again exactly as the study did (:func:`lstm_repro.formal_study.run_config`: the same seed,
initial weights and epochs of the training strings in the same order) and records, after each
epoch, how large the weights are, how far the epoch moved them and whether the training set is
still accepted, so that the moment and the manner of the loss can be read off.
"""
from __future__ import annotations

import numpy as np

from .engine import Network
from .formal_configs import StudyConfig
from .formal_eval import counter_trace, generalisation
from .formal_study import study_protocol
from .runner import _Trial, trial_seed


def weight_trace(cfg: StudyConfig, language: str, trial: int, strings: int,
                 seed: int = 0, saturated: float = 1e-3) -> list[dict]:
    """Train trial ``trial`` of ``cfg`` on ``language`` for (at least) ``strings`` training
    strings, in the study's epochs (each a fresh random order of the training set, from the
    trial's data stream), and return one dict per epoch boundary, the first before training:
    ``strings`` trained so far, ``updates`` (the filter's updates so far: R and Q reach their
    final values after ``FilterParams.anneal`` of them; None for gradient descent), ``w_out``
    (the largest |weight| into an output unit), ``w_hidden`` (the largest |weight| into a gate or
    cell input, peepholes included), ``moved`` (the largest change of any weight in the epoch;
    exactly 0.0 when the epoch left every weight as it was), ``learned`` (every training
    string accepted), ``wrong`` (the outputs on the wrong side of 0.5, counted over every step
    of every training string: what the acceptance rule rejects) and ``wrong_saturated`` (those
    of them with y (1 - y) below ``saturated``; 0 in floating point included).

    The learn and keep phases of the study train the same way (``keep_training`` only says
    how long), so the weights after ``k`` strings are those of the study's trial after ``k``."""
    protocol = study_protocol(cfg, language)
    run = _Trial(protocol, trial, trial_seed(seed, trial))
    train = run.task.training_set

    def row(before):
        w = run.net.weights
        flat = w.flat()
        count = getattr(run.net, "count", None)
        outs = run.net.forward_sequences(train)
        y = np.concatenate(outs)                                          # (T, K) every string
        legal = np.concatenate([seq.targets for seq in train]) == 1.0     # (T, K)
        wrong = np.where(legal, y <= 0.5, y >= 0.5)                       # (T, K)
        return {"strings": run.n, "updates": None if count is None else int(count[0]),
                "w_out": float(np.abs(w.wo).max()),
                "w_hidden": float(max(np.abs(w.wh).max(), np.abs(w.wp).max(initial=0.0))),
                "moved": 0.0 if before is None else float(np.abs(flat - before).max()),
                "learned": all(run.task.correct(o, seq) for o, seq in zip(outs, train)),
                "wrong": int(wrong.sum()),
                "wrong_saturated": int((wrong & (y * (1.0 - y) < saturated)).sum())}, flat

    out, before = [], None
    while True:
        rec, before = row(before)
        out.append(rec)
        if run.n >= strings:
            return out
        order = run.data_rng.permutation(len(train))
        run.learn([train[i] for i in order])


def hand_wired_drift(cfg: StudyConfig, strings: int, every: int, seed: int = 0,
                     n_show: int = 10, test_max: int = 300) -> list[dict]:
    """Train the hand-wired a^n b^n counter with ``cfg``'s learner (``init="hand-wired"``) on the
    training strings n = 1..10, in epochs of fresh random order, for ``strings`` strings; every
    ``every`` strings (and at 0) record the cell's mean step on a and on b of a^n_show b^n_show
    (the imbalance |step_a + step_b| / |step_a| makes the count drift by a whole step after about
    1 / imbalance symbols, as in the chapters' trained nets), the spread (the largest max - min of
    the steps within the a block or the b block: nonzero when a step depends on the count), and N
    tested up to ``test_max``.
    A diagnostic: does the learner keep a perfect counter?"""
    if cfg.init != "hand-wired":
        raise ValueError(f"config {cfg.name!r} does not start from the hand-wired counter")
    protocol = study_protocol(cfg, "anbn")
    data_rng, weight_rng = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 0])
    net, task = protocol.make_learner(weight_rng), protocol.make_task(0)
    train, seen, out = task.training_set, 0, []
    seq, blocks = task.string_sequence(n_show), task.block_slices(n_show)
    while True:
        if seen % every == 0:
            ds = np.diff(counter_trace(Network(protocol.network.spec, net.weights), seq)
                         ["states"][:, 0], prepend=0.0)                  # (T,) the cell's steps
            on_a, on_b = ds[blocks["a"]], ds[blocks["b"]]
            a, b = on_a.mean(), on_b.mean()
            out.append({"strings": seen, "step_a": float(a), "step_b": float(b),
                        "imbalance": float(abs(a + b) / abs(a)),
                        "spread": float(max(np.ptp(on_a), np.ptp(on_b))),
                        "N": generalisation(net, task, test_max)["N"]})
        if seen >= strings:
            return out
        order = data_rng.permutation(len(train))
        net.train_sequences([train[i] for i in order], lr=protocol.learning_rate,
                            momentum=protocol.momentum, update=protocol.update)
        seen += len(train)
