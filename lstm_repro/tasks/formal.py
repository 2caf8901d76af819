"""Gers & Schmidhuber (2001): next-symbol prediction on a^n b^n, a^n b^n c^n and a^n b^m B^m A^n.

Protocol (reference sheet gers2001.md, "Task and protocol"; each point is a choice of this
reproduction, since the paper's full text could not be checked):

- Every string is wrapped as ``S <string> T``. Inputs are one-hot over ``S`` and the letters, in
  that order (``alphabet``); T ends the string and has no successor, so it is never an input and a
  string of L symbols (S and T included) gives T = L - 1 steps. Outputs: one unit per symbol that
  can follow, the letters then ``T`` (``output_alphabet``).
- Targets at every step: multi-hot over the symbols that may legally come next given the prefix
  (1.0 legal, 0.0 otherwise). For a^n b^n: after S {a}; after a {a, b}; after the j-th b {b} for
  j < n and {T} for j = n. a^n b^n c^n continues with the c block the same way. For a^n b^m B^m A^n:
  after S {a}; after a {a, b}; after b {b, B}; then the B and A blocks are determined.
- ``include_empty`` (default False) decides whether n = 0, the string ``S T``, is in the language
  of a^n b^n and a^n b^n c^n; with it, T is legal after S in every string (targets {a, T}). The
  default follows the usual training range n >= 1; the flag exists to show that the choice does
  not change the conclusion. For a^n b^m B^m A^n, n >= 1 and m >= 1 always.
- A string is accepted when at every step every legal symbol's output is above 0.5 and every other
  output is below 0.5.
- Training: ``train_n`` lists the n of the training strings (default n = 1 .. 10; an explicit
  set such as [20, 21] is allowed); for a^n b^m B^m A^n the training strings are all (n, m) with
  n in ``train_n`` and m in ``train_m`` (default: ``train_n``). `sample` draws uniformly from
  the training strings (t1).
- Test: strings are grouped by level N (the string with n = N; for a^n b^m B^m A^n all (n, m) with
  max(n, m) = N); `strings_up_to` enumerates levels, `generalisation_limit` gives the largest N
  such that every level <= N is accepted.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from .base import Sequence, Task, check_int


class FormalLanguageTask(Task):
    """A language S x_1^{c_1} ... x_r^{c_r} T whose first ``n_free`` block lengths are chosen freely
    (each >= 1; n = 0, the string S T, only with ``include_empty``) and whose later block lengths
    follow from them; subclasses define the blocks."""

    letters: tuple[str, ...]
    n_free: int  # the leading blocks whose length is not yet determined while they are read
    select = "t1"
    test_max = 1000  # default highest test level (gers2001.md: test up to at least n = 1000)

    def __init__(self, train_n: Iterable[int] = range(1, 11), include_empty: bool = False):
        if not isinstance(include_empty, bool):
            raise ValueError(f"include_empty={include_empty!r} is not valid; use True or False")
        self.include_empty = include_empty
        self.min_level = 0 if include_empty else 1
        self.train_n = _levels("train_n", train_n, self.min_level)
        self.alphabet = ("S",) + self.letters
        self.output_alphabet = self.letters + ("T",)
        self.n_inputs = len(self.alphabet)
        self.n_outputs = len(self.output_alphabet)
        self._input_index = np.full(128, -1, dtype=np.int64)  # ASCII code -> input unit
        self._input_index[[ord(s) for s in self.alphabet]] = np.arange(self.n_inputs)
        self.training_set = [self.string_sequence(*c) for c in self.training_counts()]

    @property
    def test_size(self) -> int:
        return sum(len(self.counts_at(level)) for level in range(self.min_level, self.test_max + 1))

    @property
    def params(self) -> dict:
        return {"train_n": list(self.train_n), "include_empty": self.include_empty}

    def training_counts(self) -> list[tuple[int, ...]]:
        """The free block lengths of every training string."""
        return [(n,) for n in self.train_n]

    def counts_at(self, level: int) -> list[tuple[int, ...]]:
        """The free block lengths of the test strings of level ``level``."""
        return [(level,)]

    def blocks(self, *counts: int) -> list[tuple[str, int]]:
        """The (letter, length) blocks of the string with free lengths ``counts``."""
        return [(letter, counts[0]) for letter in self.letters]

    def block_slices(self, *counts: int) -> dict[str, slice]:
        """The time steps at which each block of the string with free lengths ``counts`` is read,
        {letter: slice}: step 0 reads S, so a^n b^n c^n reads a at 1 .. n, b at n + 1 .. 2n and c
        at 2n + 1 .. 3n."""
        out, t = {}, 1
        for letter, c in self.blocks(*counts):
            out[letter] = slice(t, t + c)
            t += c
        return out

    def string(self, *counts: int) -> str:
        """The string with free block lengths ``counts``, wrapped as S ... T."""
        return "S" + "".join(letter * c for letter, c in self.blocks(*counts)) + "T"

    def legal_successors(self, *counts: int) -> list[str]:
        """For each symbol of `string` (counts) but the final T, the symbols that may follow it."""
        blocks = [(letter, c) for letter, c in self.blocks(*counts) if c > 0]
        first = self.letters[0] + ("T" if self.include_empty else "")
        legal = [first]  # after S
        for b, (letter, c) in enumerate(blocks):
            after = blocks[b + 1][0] if b + 1 < len(blocks) else "T"
            if b < self.n_free:  # length still open: the block may go on or end after each letter
                legal += [letter + after] * c
            else:  # length determined: the block goes on until it is complete
                legal += [letter] * (c - 1) + [after]
        return legal

    def string_sequence(self, *counts: int) -> Sequence:
        """The sequence of the string with free block lengths ``counts``."""
        string, legal = self.string(*counts), self.legal_successors(*counts)
        kinds = list(dict.fromkeys(legal))  # the distinct legal sets, a handful per language
        table = np.array([[float(s in kind) for s in self.output_alphabet] for kind in kinds])
        code = {kind: i for i, kind in enumerate(kinds)}
        targets = table[np.fromiter((code[kind] for kind in legal), np.int64, len(legal))]  # (T, K)
        indices = self._input_index[np.frombuffer(string[:-1].encode(), np.uint8)]  # (T,)
        return Sequence.from_onehot(indices, self.n_inputs, targets,
                                    {"string": string, "counts": counts})

    def sample(self, rng: np.random.Generator) -> Sequence:
        """A string drawn uniformly from the training strings (t1)."""
        return self.training_set[rng.integers(len(self.training_set))]

    def strings_at(self, level: int) -> list[Sequence]:
        """The test sequences of level ``level``."""
        return [self.string_sequence(*c) for c in self.counts_at(level)]

    def strings_up_to(self, level: int) -> list[Sequence]:
        """The test sequences of every level from the smallest up to ``level``, in level order."""
        check_int("level", level, minimum=self.min_level)
        return [s for n in range(self.min_level, level + 1) for s in self.strings_at(n)]

    def test_set(self, rng: np.random.Generator, n: int | None = None) -> list[Sequence]:
        """The first ``n`` test strings in level order (default: every level up to ``test_max``);
        ``rng`` is unused."""
        n = self.test_size if n is None else check_int("n", n)
        out, level = [], self.min_level
        while len(out) < n:
            out += self.strings_at(level)
            level += 1
        return out[:n]

    def correct(self, outputs: np.ndarray, seq: Sequence) -> bool:
        """Accepted: at every step legal symbols' outputs are > 0.5 and all others < 0.5."""
        self._check_shape(outputs, seq)
        legal = seq.targets == 1.0  # (T, K)
        return bool(np.all(np.where(legal, outputs > 0.5, outputs < 0.5)))


class AnBn(FormalLanguageTask):
    """a^n b^n, context-free (Gers & Schmidhuber 2001)."""

    name = "anbn"
    letters = ("a", "b")
    n_free = 1


class AnBnCn(FormalLanguageTask):
    """a^n b^n c^n, context-sensitive (Gers & Schmidhuber 2001)."""

    name = "anbncn"
    letters = ("a", "b", "c")
    n_free = 1


class AnBmBmAn(FormalLanguageTask):
    """a^n b^m B^m A^n with n, m >= 1, palindrome-like context-free (Rodriguez & Wiles 1998)."""

    name = "anbmBmAn"
    letters = ("a", "b", "B", "A")
    n_free = 2
    test_max = 30  # levels hold 2N - 1 strings each, so N^2 strings up to level N

    def __init__(self, train_n: Iterable[int] = range(1, 11), train_m: Iterable[int] | None = None):
        self.train_m = _levels("train_m", train_n if train_m is None else train_m, 1)
        super().__init__(train_n, include_empty=False)

    @property
    def params(self) -> dict:
        return {"train_n": list(self.train_n), "train_m": list(self.train_m)}

    def training_counts(self) -> list[tuple[int, ...]]:
        return [(n, m) for n in self.train_n for m in self.train_m]

    def counts_at(self, level: int) -> list[tuple[int, ...]]:
        """Every (n, m) with max(n, m) = level."""
        return [(level, m) for m in range(1, level + 1)] + [(n, level) for n in range(1, level)]

    def blocks(self, *counts: int) -> list[tuple[str, int]]:
        n, m = counts
        return [("a", n), ("b", m), ("B", m), ("A", n)]


def generalisation_limit(accepts: Callable[[int], bool], n_max: int, n_min: int = 1) -> int:
    """The largest N <= n_max such that ``accepts(n)`` holds for every n in n_min .. N
    (n_min - 1 when ``accepts(n_min)`` fails). ``accepts(n)`` judges every string of level n."""
    for n in range(n_min, n_max + 1):
        if not accepts(n):
            return n - 1
    return n_max


def _levels(name: str, values: Iterable[int], minimum: int) -> tuple[int, ...]:
    """``values`` as a sorted tuple of distinct integers >= ``minimum``, else a ValueError."""
    try:
        levels = tuple(sorted({check_int(name, v, minimum) for v in values}))
    except TypeError:
        raise ValueError(f"{name}={values!r} is not valid; give an iterable of integers "
                         f">= {minimum}, e.g. range(1, 11) or [20, 21]") from None
    if not levels:
        raise ValueError(f"{name} is empty; give at least one integer >= {minimum}")
    return levels
