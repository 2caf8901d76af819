"""Experiments 4 and 5: the adding and multiplication problems (Hochreiter & Schmidhuber 1997,
Sections 5.4 and 5.5, Tables 7, 8 and 11).

Each step is a pair (value, marker); 2 real inputs in that order, 1 output; generated on-line (t3).

- Length: uniform over the integers T .. T + T//10 (T//10 when T is not a multiple of 10).
- Values: uniform in [-1, 1] (adding) or [0, 1] (multiplication).
- Markers: exactly two pairs carry marker 1.0. X1's position is uniform over the first 10 pairs;
  X2's is uniform over the first T//2 - 1 pairs that are still unmarked (the j-th unmarked pair,
  j uniform in 0 .. T//2 - 2, so it may come before X1). The first and the last pair carry marker
  -1.0 unless marked; every other marker is 0.0. X2 lies within the first T//2 pairs, so the last
  pair is never marked and the minimal lag is about T/2.
- X1 and X2 are the first components (values) of the two marked pairs, and the target is a
  function of them: 0.5 + (X1 + X2)/4 (adding; the sum scaled into [0, 1]) or X1 * X2
  (multiplication, not rescaled), given at the last step only.
- "In the rare case where the first pair gets marked, X1 is set to 0" (adding; 1.0 for
  multiplication). Reading chosen here: the *input value* of the first pair is replaced by 0
  (resp. 1.0), whichever of the two selections marked it, so the target stays the sum (product) of
  the two marked values the net sees. (The paper calls it X1 because X1, drawn from the first 10
  pairs, is the one that usually lands there, with probability 1/10; X2 lands there with
  probability about 1/(T/2 - 1).) ``meta`` holds the 0-based positions and the values used.
- Correct: the absolute error at the end is below 0.04 (ABS(0.04), Table 11).
"""
from __future__ import annotations

import numpy as np

from .base import Sequence, Task, check_int, end_targets


class AddingTask(Task):
    """Experiment 4, the adding problem (Section 5.4, Table 7)."""

    name = "adding"
    n_inputs = 2
    n_outputs = 1
    select = "t3"
    end_abs_below = 0.04    # Table 11: ABS(0.04) at the end (Task.correct)
    test_size = 2560
    value_range = (-1.0, 1.0)
    first_marked_value = 0.0  # the value of a marked first pair (the neutral element of +)
    x1_window = 10  # X1 is one of the first 10 pairs

    def __init__(self, T: int = 100):
        self.T = check_int("T", T, minimum=self.x1_window)
        self.x2_window = self.T // 2 - 1  # X2 is one of the first T//2 - 1 unmarked pairs

    @property
    def params(self) -> dict:
        return {"T": self.T}

    def target(self, x1: float, x2: float) -> float:
        """0.5 + (X1 + X2)/4: the sum of the marked values scaled into [0, 1]."""
        return 0.5 + (x1 + x2) / 4.0

    def sample(self, rng: np.random.Generator) -> Sequence:
        """One sequence generated on-line (t3)."""
        length = rng.integers(self.T, self.T + self.T // 10 + 1)
        inputs = np.zeros((length, 2))  # (T, 2): value, marker
        inputs[:, 0] = rng.uniform(*self.value_range, size=length)
        i1 = rng.integers(self.x1_window)
        j = rng.integers(self.x2_window)
        i2 = j + (j >= i1)  # the j-th pair that is not X1's
        inputs[0, 1] = inputs[-1, 1] = -1.0
        inputs[(i1, i2), 1] = 1.0
        if i1 == 0 or i2 == 0:
            inputs[0, 0] = self.first_marked_value
        x1, x2 = float(inputs[i1, 0]), float(inputs[i2, 0])
        return Sequence.dense(inputs, end_targets(length, self.target(x1, x2)),
                              {"positions": (int(i1), int(i2)), "values": (x1, x2)})


class MultiplicationTask(AddingTask):
    """Experiment 5, the multiplication problem (Section 5.5, Table 8): values in [0, 1],
    a marked first pair has value 1.0, target X1 * X2."""

    name = "multiplication"
    value_range = (0.0, 1.0)
    first_marked_value = 1.0  # the neutral element of *

    def target(self, x1: float, x2: float) -> float:
        """X1 * X2, not rescaled."""
        return x1 * x2
