"""Experiment 6: temporal order (Hochreiter & Schmidhuber 1997, Section 5.6, Tables 9 and 11).

Inputs: 8 one-hot units over ``SYMBOLS = (E, B, a, b, c, d, X, Y)`` in that order. A sequence of
length L (uniform over the integers 100 .. 110) starts with E and ends with the trigger B; every
other position holds a symbol drawn uniformly from {a, b, c, d}, except the relevant positions,
which hold X or Y (probability 0.5 each). Positions are 1-based as in the paper (E is at t = 1,
B at t = L):

- 6a: t1 uniform in 10 .. 20, t2 in 50 .. 60; 4 classes by the order of the two relevant
  symbols: XX -> Q, XY -> R, YX -> S, YY -> U.
- 6b: t1 in 10 .. 20, t2 in 33 .. 43, t3 in 66 .. 76; 8 classes: XXX -> Q, XXY -> R, XYX -> S,
  XYY -> U, YXX -> V, YXY -> A, YYX -> B, YYY -> C.

Every symbol, the final B included, is presented as an input. There is one output unit per class,
in the paper's class order above (so the class index is the X/Y string read as a binary number with
X = 0, Y = 1), with a one-hot target at the last step only (NaN elsewhere). Correct: the absolute
error of every output unit at the end is below 0.3 (ABS(0.3), Table 11). Generated on-line (t3).
"""
from __future__ import annotations

import numpy as np

from .base import Sequence, Task, end_targets

SYMBOLS = ("E", "B", "a", "b", "c", "d", "X", "Y")
_E, _B, _FIRST_DISTRACTOR, _X = 0, 1, 2, 6  # a .. d are units 2 .. 5; Y is unit 7
_CODES = np.frombuffer("".join(SYMBOLS).encode(), dtype=np.uint8)  # input unit -> ASCII code
LENGTH_RANGE = (100, 110)  # inclusive


class TemporalOrderTask(Task):
    """Tasks 6a and 6b (Section 5.6); the subclasses fix the relevant positions and classes."""

    n_inputs = len(SYMBOLS)
    alphabet = SYMBOLS
    select = "t3"
    end_abs_below = 0.3     # Table 11: ABS(0.3) at the end (Task.correct)
    test_size = 2560
    position_ranges: tuple[tuple[int, int], ...]  # 1-based, inclusive

    def __init__(self):
        self.n_outputs = len(self.output_alphabet)

    @property
    def params(self) -> dict:
        return {}

    def sample(self, rng: np.random.Generator) -> Sequence:
        """One sequence generated on-line (t3)."""
        length = rng.integers(LENGTH_RANGE[0], LENGTH_RANGE[1] + 1)
        indices = rng.integers(_FIRST_DISTRACTOR, _FIRST_DISTRACTOR + 4, size=length)  # (T,)
        indices[0], indices[-1] = _E, _B
        positions = np.array([rng.integers(lo, hi + 1) for lo, hi in self.position_ranges])
        bits = rng.integers(2, size=len(positions))  # 0: X, 1: Y
        indices[positions - 1] = _X + bits
        cls = int(bits @ (1 << np.arange(len(bits))[::-1]))
        target = np.zeros(self.n_outputs)
        target[cls] = 1.0
        meta = {"string": _CODES[indices].tobytes().decode(), "class": self.output_alphabet[cls],
                "positions": tuple(int(t) for t in positions)}
        return Sequence.from_onehot(indices, self.n_inputs, end_targets(length, target), meta)


class TemporalOrder6a(TemporalOrderTask):
    """Task 6a: two relevant symbols, 4 classes (Table 9)."""

    name = "temporal_order_6a"
    output_alphabet = ("Q", "R", "S", "U")
    position_ranges = ((10, 20), (50, 60))


class TemporalOrder6b(TemporalOrderTask):
    """Task 6b: three relevant symbols, 8 classes (Table 9)."""

    name = "temporal_order_6b"
    output_alphabet = ("Q", "R", "S", "U", "V", "A", "B", "C")
    position_ranges = ((10, 20), (33, 43), (66, 76))
