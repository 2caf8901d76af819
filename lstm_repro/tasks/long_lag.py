"""Experiment 2: noise-free and noisy sequences with long time lags (Hochreiter & Schmidhuber 1997,
Section 5.2, Tables 2, 3 and 11).

Common coding choice: a symbol string of L elements gives a sequence of T = L - 1 steps. The input
at step t is the t-th symbol (one-hot); the final symbol is never presented as an input, because
it is what the net must predict. All sequences are one-hot: `Sequence.onehot` holds the indices.

2a (t1, no test set; success ABS(0.25) at every step). Alphabet of p+1 symbols (p >= 2)
``a_1 .. a_{p-1}, x = a_p, y = a_{p+1}`` = input/output units ``0 .. p-2, p-1, p``. Two fixed
strings, each drawn with probability 0.5: (y, a_1, ..., a_{p-1}, y) and (x, a_1, ..., a_{p-1}, x).
The target at every step is the next symbol (one-hot over all p+1 outputs). Correct: the maximal
absolute error of all outputs at every step is below 0.25. The "test set" is the two strings (the
paper's 10,000 successive random sequences can only be these two).

2b (t2, test set 10,000; success ABS(0.25) at the end). As 2a, but the middle is p-1 symbols drawn
independently and uniformly from a_1 .. a_{p-1}. Targets: the next symbol at every step (only the
final x/y is predictable). Correct: the maximal absolute error of all p+1 outputs at the last step
is below 0.25.

2c (t2, test set 10,000; success ABS(0.2) at the end). Alphabet of p+4 symbols: distractors
``a_1 .. a_p`` = input units ``0 .. p-1``, then ``e`` (trigger) = p, ``b`` (start) = p+1,
``x`` = p+2, ``y`` = p+3. A string is b, x|y (probability 0.5 each), q distractors, then repeatedly
a distractor with probability 9/10 or e with probability 1/10, then the same x|y again. Distractors
are uniform over a_1 .. a_p: the paper writes "1 <= i_1 ... i_{q+k} <= q", read here as p (the
distractors are a_1 .. a_p). Two output units: unit 0 = x, unit 1 = y; the only target is at the
last step (input e): the final symbol, one-hot over (x, y); NaN elsewhere. Correct: both outputs'
absolute errors at the end are below 0.2.

2c length bookkeeping. With k ~ Geometric (P(k) = (1/10)(9/10)^k, k >= 0) extra distractors, a
string has L = q + 4 + k symbols (b, x|y, q + k distractors, e, x|y), minimum q + 4, so
E[L] = q + 4 + E[k] = q + 13 and each distractor appears (q + 9)/p times on average. The paper
evaluates the same sum 4 + sum_k (1/10)(9/10)^k (q + k) as q + 14 (and (q + 10)/p): off by one.
The sequence has T = L - 1 steps (the final x|y is the target, not an input), so E[T] = q + 12.
"""
from __future__ import annotations

import numpy as np

from .base import Sequence, Task, check_int, end_targets


class _NextSymbol(Task):
    """Tasks 2a and 2b: p+1 one-hot symbols, next-symbol targets at every step (p >= 2)."""

    def __init__(self, p: int = 100):
        self.p = check_int("p", p, minimum=2)
        self.n_inputs = self.n_outputs = self.p + 1
        self.alphabet = self.output_alphabet = (
            tuple(f"a{i}" for i in range(1, self.p)) + ("x", "y"))
        self.x, self.y = self.p - 1, self.p

    @property
    def params(self) -> dict:
        return {"p": self.p}

    def _string_sequence(self, symbols: np.ndarray) -> Sequence:
        """The string ``symbols`` (L,) as a sequence of L-1 steps with next-symbol targets."""
        targets = np.zeros((symbols.shape[0] - 1, self.n_outputs))  # (T, K)
        targets[np.arange(symbols.shape[0] - 1), symbols[1:]] = 1.0
        end = "x" if symbols[-1] == self.x else "y"
        return Sequence.from_onehot(symbols[:-1], self.n_inputs, targets,
                                    {"symbols": symbols, "class": end})


class LongLag2a(_NextSymbol):
    """Task 2a: two fixed strings, the first symbol must be stored for p steps (Table 2)."""

    name = "long_lag_2a"
    select = "t1"
    test_size = 2

    def __init__(self, p: int = 100):
        super().__init__(p)
        middle = np.arange(self.p - 1)  # a_1 .. a_{p-1}
        self.training_set = [self._string_sequence(np.concatenate(([end], middle, [end])))
                             for end in (self.y, self.x)]

    def sample(self, rng: np.random.Generator) -> Sequence:
        """One of the two strings, each with probability 0.5 (t1)."""
        return self.training_set[rng.integers(2)]

    def test_set(self, rng: np.random.Generator, n: int | None = None) -> list[Sequence]:
        """No test set (Table 11): by default the two strings; ``n`` draws them at random."""
        return list(self.training_set) if n is None else super().test_set(rng, n)

    def correct(self, outputs: np.ndarray, seq: Sequence) -> bool:
        """ABS(0.25) at every step: every output's absolute error is below 0.25 at every step."""
        return bool(np.max(np.abs(self._diff(outputs, seq))) < 0.25)


class LongLag2b(_NextSymbol):
    """Task 2b: as 2a with a random middle of p-1 symbols from a_1 .. a_{p-1} (Section 5.2)."""

    name = "long_lag_2b"
    select = "t2"
    end_abs_below = 0.25    # Table 11: ABS(0.25) at the end (Task.correct)
    test_size = 10_000

    def sample(self, rng: np.random.Generator) -> Sequence:
        """A class (x or y) with probability 0.5, then a uniform random middle (t2)."""
        end = (self.y, self.x)[rng.integers(2)]
        middle = rng.integers(0, self.p - 1, size=self.p - 1)
        return self._string_sequence(np.concatenate(([end], middle, [end])))


class LongLag2c(Task):
    """Task 2c: very long lags with q + k distractors before the trigger e (Table 3)."""

    name = "long_lag_2c"
    select = "t2"
    end_abs_below = 0.2     # Table 11: ABS(0.2) at the end (Task.correct)
    test_size = 10_000
    n_outputs = 2
    output_alphabet = ("x", "y")
    p_distractor = 0.9  # probability of appending another distractor instead of e

    def __init__(self, q: int = 50, p: int = 50):
        self.q = check_int("q", q, minimum=0)
        self.p = check_int("p", p)
        self.n_inputs = self.p + 4
        self.alphabet = tuple(f"a{i}" for i in range(1, self.p + 1)) + ("e", "b", "x", "y")
        self.e, self.b, self.x, self.y = self.p, self.p + 1, self.p + 2, self.p + 3

    @property
    def params(self) -> dict:
        return {"q": self.q, "p": self.p}

    def sample(self, rng: np.random.Generator) -> Sequence:
        """b, x|y, q + k distractors (k extra with P(k) = 0.1 * 0.9^k), e; the target is the x|y."""
        cls = rng.integers(2)  # 0: x, 1: y
        extra = rng.geometric(1.0 - self.p_distractor) - 1  # k >= 0
        indices = np.empty(self.q + extra + 3, dtype=np.int64)  # (T,) = b, x|y, distractors, e
        indices[0] = self.b
        indices[1] = self.x + cls
        indices[2:-1] = rng.integers(0, self.p, size=self.q + extra)
        indices[-1] = self.e
        target = np.zeros(2)
        target[cls] = 1.0
        return Sequence.from_onehot(indices, self.n_inputs, end_targets(indices.shape[0], target),
                                    {"class": "xy"[cls], "extra": int(extra)})
