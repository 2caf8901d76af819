"""Experiment 3: noise and signal on the same channel (Hochreiter & Schmidhuber 1997, Section 5.3,
Tables 4-6 and 11; task 3a is Bengio et al.'s 1994 "2-sequence problem").

One real-valued input and one output; sequences are generated on-line (t3). A sequence belongs to
class 1 or class 2 with probability 0.5 each. Its length is drawn uniformly from the integers
T .. T + T//10 ("between T and T + T/10"; T//10 when T is not a multiple of 10).

- 3a: the first N inputs are +1.0 (class 1) or -1.0 (class 2); every later input is Gaussian with
  mean 0 and variance 0.2. Target at the end only: 1.0 (class 1) or 0.0 (class 2). Correct: the
  absolute error at the end is below 0.2.
- 3b: as 3a, and Gaussian noise (mean 0, variance 0.2) is added to the first N inputs too.
- 3c: as 3a (noise-free first N inputs), with targets 0.2 (class 1) and 0.8 (class 2) plus Gaussian
  target noise of mean 0 and variance 0.1 (standard deviation sqrt(0.1) = 0.316), drawn once per
  sequence and not clipped. ``meta["clean_target"]`` keeps the noise-free target. A sequence is
  misclassified when |output - noise-free target| > 0.1, so it is correct when it is <= 0.1.

The paper's runs use N in {1, 3}; any N with 1 <= N <= T is accepted here.
"""
from __future__ import annotations

import numpy as np

from .base import Sequence, Task, check_int, end_targets

NOISE_VARIANCE = 0.2  # of the uninformative inputs (3a-3c) and of the informative ones (3b)
TARGET_NOISE_VARIANCE = 0.1  # 3c


class NoiseTask(Task):
    """Tasks 3a, 3b and 3c (Section 5.3); the subclasses fix ``variant``."""

    variant: str
    n_inputs = n_outputs = 1
    select = "t3"
    end_abs_below = 0.2     # Table 11: ABS(0.2) (3a, 3b; 3c has its own rule)
    test_size = 2560  # Table 11; ST1/ST2 look at 256 sequences (lstm_repro.criteria)

    def __init__(self, T: int = 100, N: int = 3):
        self.T = check_int("T", T)
        self.N = check_int("N", N)
        if self.N > self.T:
            raise ValueError(f"N={N} is not valid; the informative prefix N must be <= T={T}")
        # targets of class 1 and class 2
        self.class_targets = (0.2, 0.8) if self.variant == "3c" else (1.0, 0.0)

    @property
    def params(self) -> dict:
        return {"T": self.T, "N": self.N}

    def sample(self, rng: np.random.Generator) -> Sequence:
        """A class with probability 0.5, then its inputs and end target (generated on-line, t3)."""
        length = rng.integers(self.T, self.T + self.T // 10 + 1)
        cls = 1 + rng.integers(2)  # 1 or 2
        inputs = rng.normal(0.0, np.sqrt(NOISE_VARIANCE), size=(length, 1))  # (T, 1)
        sign = 1.0 if cls == 1 else -1.0
        if self.variant == "3b":
            inputs[:self.N] += sign
        else:
            inputs[:self.N] = sign
        clean = self.class_targets[cls - 1]
        target = clean
        if self.variant == "3c":
            target += rng.normal(0.0, np.sqrt(TARGET_NOISE_VARIANCE))
        return Sequence.dense(inputs, end_targets(length, target),
                              {"class": int(cls), "clean_target": clean})

    def correct(self, outputs: np.ndarray, seq: Sequence) -> bool:
        """3a/3b: absolute error at the end < 0.2. 3c: |output - noise-free target| <= 0.1."""
        if self.variant == "3c":
            return self._clean_abs(outputs, seq) <= 0.1
        return super().correct(outputs, seq)

    def errors(self, outputs: np.ndarray, seq: Sequence) -> dict[str, float]:
        """`Task.errors`, plus ``abs_end_clean``: |noise-free target - output| at the end."""
        return {**super().errors(outputs, seq), "abs_end_clean": self._clean_abs(outputs, seq)}

    def score_many(self, outputs: list[np.ndarray], seqs: list[Sequence]
                   ) -> tuple[dict[str, list[float]], list[bool]]:
        """`Task.score_many`, with ``abs_end_clean`` where its batch version leaves it out."""
        errs, oks = super().score_many(outputs, seqs)
        if "abs_end_clean" not in errs:
            clean = np.array([s.meta["clean_target"] for s in seqs], dtype=np.float64)   # (N,)
            errs["abs_end_clean"] = np.abs(clean - np.array([y[-1, 0] for y in outputs],
                                                            dtype=np.float64)).tolist()
        return errs, oks

    def _clean_abs(self, outputs: np.ndarray, seq: Sequence) -> float:
        self._check_shape(outputs, seq)
        return float(abs(seq.meta["clean_target"] - outputs[-1, 0]))


class Noise3a(NoiseTask):
    """Task 3a: Bengio et al.'s 2-sequence problem, noise-free informative prefix (Table 4)."""

    name = "noise_3a"
    variant = "3a"


class Noise3b(NoiseTask):
    """Task 3b: Gaussian noise on the informative prefix too (Table 5)."""

    name = "noise_3b"
    variant = "3b"


class Noise3c(NoiseTask):
    """Task 3c: targets 0.2 / 0.8 with Gaussian target noise (Table 6)."""

    name = "noise_3c"
    end_abs_below = None    # 3c: |output - noise-free target| <= 0.1, not ABS at the end
    variant = "3c"
