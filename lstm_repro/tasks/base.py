"""What every task shares: a `Sequence` (inputs, targets, what defines it) and the `Task` interface.

A task draws training sequences the way Table 11 of Hochreiter & Schmidhuber (1997) says ("select":
t1 = drawn from a fixed training set, t2 = drawn from the two classes, t3 = generated on-line),
builds test sets, and judges one sequence with the paper's criterion for that experiment.
All randomness comes from the ``rng`` argument (a ``numpy.random.Generator``), so a seed fixes
every sequence bit for bit.

Targets use NaN where an output unit has no target at a step; the per-sequence error measures of
`Task.errors` (and so the stopping rules of `lstm_repro.criteria`) only look at the other entries.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Iterable

import numpy as np

def _frozen(a: np.ndarray) -> np.ndarray:
    """``a`` made read-only: sequences of fixed training sets are shared between draws."""
    a.setflags(write=False)
    return a


class Sequence:
    """One input sequence with its targets.

    Attributes
    ----------
    targets : (T, K) float64, NaN where output unit k has no target at step t.
    meta : dict, what defines the sequence (marked positions and values, the symbol string,
        the class).
    onehot : (T,) int64 index of the active input unit at each step when inputs are one-hot,
        else None.
    n_inputs : int, number of input units I.
    inputs : (T, I) float64 dense inputs; for one-hot sequences built on first access (an engine
        that handles one-hot inputs reads `onehot` and never builds it).
    """

    __slots__ = ("targets", "meta", "onehot", "n_inputs", "_inputs")

    def __init__(self, targets: np.ndarray, meta: dict, n_inputs: int,
                 onehot: np.ndarray | None = None, inputs: np.ndarray | None = None):
        if (onehot is None) == (inputs is None):
            raise ValueError("a Sequence needs exactly one of `onehot` (indices) or "
                             "`inputs` (dense)")
        self.targets = _frozen(np.asarray(targets, dtype=np.float64))  # (T, K)
        self.meta = meta
        self.n_inputs = int(n_inputs)
        self.onehot = (None if onehot is None  # (T,)
                       else _frozen(np.asarray(onehot, dtype=np.int64)))
        self._inputs = None if inputs is None else _frozen(np.asarray(inputs, dtype=np.float64))
        if self.targets.ndim != 2:
            raise ValueError(f"targets must be (T, K); got shape {self.targets.shape}")
        steps = self.targets.shape[0] if self.onehot is None else self.onehot.shape[0]
        if self._inputs is not None and self._inputs.shape != (steps, self.n_inputs):
            raise ValueError(f"inputs have shape {self._inputs.shape}; "
                             f"expected ({steps}, {n_inputs})")
        if steps != self.targets.shape[0]:
            raise ValueError(f"{steps} input steps but {self.targets.shape[0]} target steps")

    @classmethod
    def dense(cls, inputs: np.ndarray, targets: np.ndarray, meta: dict) -> "Sequence":
        """A sequence with real-valued inputs (T, I)."""
        inputs = np.asarray(inputs, dtype=np.float64)
        return cls(targets, meta, n_inputs=inputs.shape[1], inputs=inputs)

    @classmethod
    def from_onehot(cls, indices: np.ndarray, n_inputs: int, targets: np.ndarray,
                    meta: dict) -> "Sequence":
        """A sequence whose input at step t is the unit vector e_{indices[t]} of length n_inputs."""
        return cls(targets, meta, n_inputs=n_inputs, onehot=indices)

    @property
    def length(self) -> int:
        """Number of time steps T."""
        return self.targets.shape[0]

    @property
    def inputs(self) -> np.ndarray:
        if self._inputs is None:
            dense = np.zeros((self.length, self.n_inputs))  # (T, I)
            dense[np.arange(self.length), self.onehot] = 1.0
            self._inputs = _frozen(dense)
        return self._inputs

    def __repr__(self) -> str:
        kind = "one-hot" if self.onehot is not None else "dense"
        return f"Sequence(T={self.length}, I={self.n_inputs}, K={self.targets.shape[1]}, {kind})"


def end_targets(length: int, target: np.ndarray) -> np.ndarray:
    """(T, K) targets that are NaN everywhere except the last step, which holds ``target`` (K,)."""
    target = np.atleast_1d(np.asarray(target, dtype=np.float64))
    out = np.full((length, target.shape[0]), np.nan)  # (T, K)
    out[-1] = target
    return out


class Task(ABC):
    """A task of the paper: its units, how it draws sequences, and its per-sequence criterion.

    Subclasses set ``name``, ``n_inputs``, ``n_outputs``, ``select`` (Table 11: t1/t2/t3),
    ``test_size`` (Table 11: test set size) and, for symbolic tasks, ``alphabet`` (input symbols in
    input-unit order) and ``output_alphabet`` (output symbols in output-unit order).
    """

    name: str
    n_inputs: int
    n_outputs: int
    select: str
    test_size: int
    alphabet: tuple[str, ...] | None = None
    output_alphabet: tuple[str, ...] | None = None
    end_abs_below: float | None = None   # the criterion is ABS(beta) at the end: beta (else None)

    @property
    @abstractmethod
    def params(self) -> dict:
        """The parameters this task was made with: ``make_task(self.name, **self.params)``
        rebuilds it."""

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Sequence:
        """One training sequence, drawn as Table 11's "select" column says."""

    def test_set(self, rng: np.random.Generator, n: int | None = None) -> list[Sequence]:
        """``n`` test sequences (default: Table 11's test set size), drawn like training
        sequences."""
        n = self.test_size if n is None else check_int("n", n)
        return [self.sample(rng) for _ in range(n)]

    def correct(self, outputs: np.ndarray, seq: Sequence) -> bool:
        """The paper's criterion for one sequence; ``outputs`` (T, K) are the outputs at every
        step.  This default is ABS(beta) at the end (Table 11, beta = ``end_abs_below``): every
        output's absolute error at the last step is below beta.  Tasks with another criterion
        (Reber, 2a, 3c, the formal languages) override it."""
        if self.end_abs_below is None:
            raise NotImplementedError(f"{type(self).__name__} sets no end_abs_below (ABS(beta) "
                                      f"at the end) and does not define its own correct()")
        return self._end_abs(outputs, seq) < self.end_abs_below

    def errors(self, outputs: np.ndarray, seq: Sequence) -> dict[str, float]:
        """Per-sequence error measures, over the (step, unit) entries that have a target.

        ``abs_end``: max_k |t_k - y_k| at the last step (the quantity of ABS(beta), Table 11);
        ``sq_end``: sum_k (t_k - y_k)^2 at the last step (eq. 16's E(t) at the sequence end);
        ``mean_abs_end``: mean_k |t_k - y_k| at the last step;
        ``abs_max``: max |t_k(t) - y_k(t)| over every step and unit with a target;
        ``sq_sum``: sum of eq. 16's E(t) over the sequence.
        """
        diff = self._diff(outputs, seq)  # (T, K), NaN where no target
        end = diff[-1][~np.isnan(diff[-1])]  # (K_end,)
        every = diff[~np.isnan(diff)]
        return {
            "abs_end": float(np.max(np.abs(end))),
            "sq_end": float(np.sum(end * end)),
            "mean_abs_end": float(np.mean(np.abs(end))),
            "abs_max": float(np.max(np.abs(every))),
            "sq_sum": float(np.sum(every * every)),
        }

    def score_many(self, outputs: list[np.ndarray], seqs: list[Sequence]
                   ) -> tuple[dict[str, list[float]], list[bool]]:
        """:meth:`errors` and :meth:`correct` of many sequences at once: each measure as a list
        over the sequences, and their correctness; the same values as calling the two methods
        sequence by sequence.  Where the criterion is ABS(beta) at the end (``end_abs_below``)
        and every sequence has targets at its last step only, the measures are computed for all
        sequences in one array operation (the runner's per-sequence cost).  A task that adds
        measures to :meth:`errors` adds them here too (or gets the one-by-one version)."""
        beta = self.end_abs_below
        own_errors = type(self).errors is Task.errors or type(self).score_many is not Task.score_many
        if (beta is None or not own_errors or not seqs
                or not all(_end_only(s.targets) for s in seqs)):
            errs = [self.errors(y, s) for y, s in zip(outputs, seqs)]
            return ({k: [e[k] for e in errs] for k in (errs[0] if errs else ERROR_MEASURES)},
                    [bool(self.correct(y, s)) for y, s in zip(outputs, seqs)])
        for y, s in zip(outputs, seqs):
            self._check_shape(y, s)
        end = (np.array([s.targets[-1] for s in seqs])
               - np.array([y[-1] for y in outputs]))                      # (N, K)
        absolute = np.abs(end)                                             # (N, K)
        abs_end = absolute.max(axis=1)                                     # (N,)
        sq_end = (end * end).sum(axis=1).tolist()
        return ({"abs_end": abs_end.tolist(), "sq_end": sq_end,
                 "mean_abs_end": absolute.mean(axis=1).tolist(),
                 "abs_max": abs_end.tolist(), "sq_sum": sq_end},
                (abs_end < beta).tolist())

    def _check_shape(self, outputs: np.ndarray, seq: Sequence) -> None:
        if np.shape(outputs) != seq.targets.shape:
            raise ValueError(f"{self.name}: outputs have shape {np.shape(outputs)}; "
                             f"the sequence needs {seq.targets.shape} (T, K)")

    def _diff(self, outputs: np.ndarray, seq: Sequence) -> np.ndarray:
        """targets - outputs (T, K) after checking the shape."""
        self._check_shape(outputs, seq)
        return seq.targets - np.asarray(outputs, dtype=np.float64)

    def _end_abs(self, outputs: np.ndarray, seq: Sequence) -> float:
        """max_k |t_k - y_k| at the last step: ABS(beta)'s quantity."""
        diff = self._diff(outputs, seq)[-1]  # (K,)
        return float(np.max(np.abs(diff[~np.isnan(diff)])))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


ERROR_MEASURES = ("abs_end", "sq_end", "mean_abs_end", "abs_max", "sq_sum")   # Task.errors' keys


def _end_only(targets: np.ndarray) -> bool:
    """Whether (T, K) ``targets`` have a target for every output at the last step and none
    before."""
    return not np.isnan(targets[-1]).any() and np.isnan(targets[:-1]).all()


def all_correct(task: Task, predict: Callable[[Sequence], np.ndarray],
                seqs: Iterable[Sequence]) -> bool:
    """Whether ``task.correct`` holds for every sequence; ``predict(seq)`` gives the (T, K)
    outputs."""
    return all(task.correct(predict(seq), seq) for seq in seqs)


def count_correct(task: Task, predict: Callable[[Sequence], np.ndarray],
                  seqs: Iterable[Sequence]) -> int:
    """How many sequences ``task.correct`` accepts; ``predict(seq)`` gives the (T, K) outputs."""
    return sum(bool(task.correct(predict(seq), seq)) for seq in seqs)


def check_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int if it is an integer >= ``minimum``, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}={value!r} is not valid; {name} must be an integer >= {minimum}")
    return int(value)
