"""Stopping criteria of Hochreiter & Schmidhuber (1997): Table 11's "stopping criterion" column and
the test-based rules of Section 5.3.

On-line rules are fed one training sequence's result at a time, ``rule.update(correct, errors)``,
where ``correct`` is ``task.correct(outputs, seq)`` and ``errors`` is ``task.errors(outputs, seq)``;
``update`` returns whether the rule holds after that sequence (it is not latched: the caller
stops training the first time it returns True). Each update costs O(1): ring buffers and running
counts over the window.

- `ST3` (Exps 4, 6): average training error below beta and the 2000 most recent sequences
  processed correctly.
- `NSeq` (Exp 5): fewer than n_seq of the 2000 most recent sequences have absolute error > 0.04.
- `FixedBudget` (Exp 2): stop after 5 million training sequences.
- `st1`, `st2` (Exp 3): test-set rules, judged on an `Exp3Evaluation` of 256 test sequences.
- `abs_criterion` : ABS(beta), the per-sequence success criterion of Table 11.
"""
from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence as Seq

import numpy as np

from .spec import check_choice
from .tasks.base import Sequence, Task, check_int

WINDOW = 2000  # "the 2000 most recent sequences" (ST3, Exp 5)


def abs_criterion(beta: float, key: str = "abs_end") -> Callable[[Mapping[str, float]], bool]:
    """ABS(beta) (Table 11): "absolute error of all output units at sequence end is below beta".

    Returns a function of a `Task.errors` dict. ``key="abs_max"`` gives the every-step version of
    Task 2a (maximal absolute error of all outputs at every step below beta).
    """
    beta = _positive("beta", beta)
    return lambda errors: errors[key] < beta


class StoppingRule(ABC):
    """An on-line stopping rule; ``n_seen`` counts the training sequences fed so far."""

    def __init__(self):
        self.n_seen = 0

    @abstractmethod
    def update(self, correct: bool, errors: Mapping[str, float]) -> bool:
        """Record one training sequence; whether the rule holds now."""


class _Window:
    """The last ``size`` values of a stream: their sum and how many were flagged, in O(1)."""

    def __init__(self, size: int):
        self.size = size
        self.values = [0.0] * size
        self.flags = [False] * size
        self.total = 0.0
        self.n_flagged = 0
        self.count = 0  # values pushed so far

    def push(self, value: float, flag: bool) -> None:
        i = self.count % self.size
        self.total += value - self.values[i]
        self.n_flagged += int(flag) - int(self.flags[i])
        self.values[i], self.flags[i] = value, flag
        self.count += 1
        if self.count % self.size == 0:  # cancel the rounding drift of the running sum
            self.total = math.fsum(self.values)

    @property
    def full(self) -> bool:
        return self.count >= self.size

    @property
    def mean(self) -> float:
        """Mean of the values in the window (NaN before the first push)."""
        return self.total / min(self.count, self.size) if self.count else math.nan


class ST3(StoppingRule):
    """ST3(beta) (Table 11; Exp 4 with beta = 0.01, Exps 6a/6b with beta = 0.1): "average training
    error below beta, and the 2000 most recent sequences were processed correctly".

    The paper does not define the average. Default reading (``measure="mse"``): the mean, over the
    same ``window`` most recent training sequences, of eq. 16's error at the sequence end,
    sum_k (t_k - y_k)^2 (``errors["sq_end"]``; for one output unit the squared error). Option
    ``measure="mae"``: the mean over the window of the mean absolute error of the output units at
    the end (``errors["mean_abs_end"]``). Both comparisons are strict (< beta). The rule needs
    ``window`` sequences before it can hold.

    Consequence worth knowing: with one output and correct meaning |error| < 0.04 (Exp 4),
    every squared error is below 0.0016, so under the "mse" reading ST3(0.01) reduces to "2000
    correct in a row"; under "mae" the average condition still binds. For 6a/6b (ABS(0.3) over 4
    or 8 outputs) the summed squared error can reach 4 * 0.09 = 0.36 > 0.1, so it binds there.
    """

    measures = {"mse": "sq_end", "mae": "mean_abs_end"}

    def __init__(self, beta: float, window: int = WINDOW, measure: str = "mse"):
        super().__init__()
        check_choice("measure", measure, self.measures)
        self.beta = _positive("beta", beta)
        self.measure = measure
        self.window = _Window(check_int("window", window))

    def update(self, correct: bool, errors: Mapping[str, float]) -> bool:
        self.n_seen += 1
        self.window.push(errors[self.measures[self.measure]], not correct)
        return self.window.full and self.window.n_flagged == 0 and self.window.mean < self.beta

    @property
    def average_error(self) -> float:
        """The windowed average error the rule compares with beta."""
        return self.window.mean

    def __repr__(self) -> str:
        return f"ST3(beta={self.beta}, window={self.window.size}, measure={self.measure!r})"


class NSeq(StoppingRule):
    """Exp 5 (Section 5.5): holds as soon as fewer than ``n_seq`` of the ``window`` (2000) most
    recent training sequences have absolute error at the end > ``threshold`` (0.04); the paper uses
    n_seq = 140 and n_seq = 13. Reads ``errors["abs_end"]``; needs ``window`` sequences first."""

    def __init__(self, n_seq: int, window: int = WINDOW, threshold: float = 0.04):
        super().__init__()
        self.n_seq = check_int("n_seq", n_seq)
        self.threshold = _positive("threshold", threshold)
        self.window = _Window(check_int("window", window))

    def update(self, correct: bool, errors: Mapping[str, float]) -> bool:
        self.n_seen += 1
        self.window.push(0.0, errors["abs_end"] > self.threshold)
        return self.window.full and self.window.n_flagged < self.n_seq

    @property
    def n_wrong(self) -> int:
        """Sequences in the window with absolute error above the threshold."""
        return self.window.n_flagged

    def __repr__(self) -> str:
        return f"NSeq(n_seq={self.n_seq}, window={self.window.size}, threshold={self.threshold})"


class FixedBudget(StoppingRule):
    """Exp 2 (Table 11): training stops "after 5 million exemplars"; holds once n sequences were
    fed. Success is then judged on a test set (Section 5.2), not by this rule."""

    def __init__(self, n: int = 5_000_000):
        super().__init__()
        self.n = check_int("n", n)

    def update(self, correct: bool, errors: Mapping[str, float]) -> bool:
        self.n_seen += 1
        return self.n_seen >= self.n

    def __repr__(self) -> str:
        return f"FixedBudget(n={self.n})"


@dataclass(frozen=True)
class Exp3Rule:
    """Section 5.3's test-set thresholds for one task: ST1 allows at most ``max_wrong``
    misclassified of ``n_test`` sequences; ST2 adds mean(``error_key``) < ``mean_abs``."""

    max_wrong: int
    mean_abs: float
    error_key: str
    n_test: int = 256


EXP3_RULES = {
    # 3a: ST1 none of 256 misclassified; ST2 ST1 and mean absolute test error < 0.01
    "noise_3a": Exp3Rule(max_wrong=0, mean_abs=0.01, error_key="abs_end"),
    # 3b: ST1 fewer than 6 of 256 misclassified; ST2 ST1 and mean absolute test error < 0.04
    "noise_3b": Exp3Rule(max_wrong=5, mean_abs=0.04, error_key="abs_end"),
    # 3c: a single criterion: none misclassified (|output - noise-free target| > 0.1) and mean
    # absolute difference to the noise-free target < 0.015; here ST1 is its first half, ST2 all
    "noise_3c": Exp3Rule(max_wrong=0, mean_abs=0.015, error_key="abs_end_clean"),
}


@dataclass(frozen=True)
class Exp3Evaluation:
    """One evaluation of a test set for the Exp 3 rules."""

    task: str
    n: int
    n_wrong: int  # misclassified sequences (task.correct is False)
    mean_abs: float  # mean over the sequences of errors[EXP3_RULES[task].error_key]

    @classmethod
    def of(cls, task: Task, outputs: Seq[np.ndarray], seqs: Seq[Sequence]) -> "Exp3Evaluation":
        """Evaluate ``outputs[i]`` (T_i, 1) on ``seqs[i]`` for every test sequence."""
        rule = _exp3_rule(task.name)
        if len(outputs) != len(seqs):
            raise ValueError(f"{len(outputs)} outputs for {len(seqs)} sequences")
        wrong = sum(not task.correct(y, s) for y, s in zip(outputs, seqs))
        mean_abs = float(np.mean([task.errors(y, s)[rule.error_key]
                                  for y, s in zip(outputs, seqs)]))
        return cls(task.name, len(seqs), wrong, mean_abs)


def st1(evaluation: Exp3Evaluation) -> bool:
    """ST1 (Section 5.3): 3a none, 3b fewer than 6, 3c none of 256 test sequences misclassified."""
    rule = _exp3_rule(evaluation.task)
    if evaluation.n != rule.n_test:
        raise ValueError(f"ST1/ST2 are defined on {rule.n_test} test sequences; "
                         f"the evaluation has {evaluation.n}")
    return evaluation.n_wrong <= rule.max_wrong


def st2(evaluation: Exp3Evaluation) -> bool:
    """ST2 (Section 5.3): ST1 and mean absolute test error below 0.01 (3a) or 0.04 (3b); for 3c
    ST1 and mean absolute difference to the noise-free target below 0.015."""
    return st1(evaluation) and evaluation.mean_abs < _exp3_rule(evaluation.task).mean_abs


def _exp3_rule(task: str) -> Exp3Rule:
    if task not in EXP3_RULES:
        raise ValueError(f"ST1/ST2 are Experiment 3's rules; task {task!r} has none "
                         f"(valid tasks: {', '.join(EXP3_RULES)})")
    return EXP3_RULES[task]


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name}={value!r} is not valid; {name} must be a positive number")
    return float(value)
