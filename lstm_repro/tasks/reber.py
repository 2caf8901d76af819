"""Experiment 1: the embedded Reber grammar (Hochreiter & Schmidhuber 1997, Section 5.1, Table 1).

Grammar. The paper draws the grammar only as figures (Figs. 3 and 4); this module uses the standard
transition table (reference sheet, Section 5.1): after the initial B, state 1: T->2, P->3;
state 2: S->2, X->4; state 3: T->3, V->5; state 4: X->3, S->6; state 5: P->4, V->6; state 6: E.
Every choice is taken with probability 0.5. The embedded string is
``B (T|P) <Reber string, B ... E> (the same T|P) E``; the shortest has 9 symbols (BTBPVVETE).

Coding. 7 input and 7 output units, one-hot over ``SYMBOLS = (B, T, P, S, X, V, E)`` in that order.
At step t the input is the t-th symbol and the target is multi-hot over the symbols that may legally
come next (1.0 for each legal successor, 0.0 for every other unit); every unit has a target at
every step. The final E has no successor, so it is not presented as an input: a string of L
symbols gives a sequence of T = L - 1 steps.

Data sets (Section 5.1, following Fahlman 1991). 256 training strings and 256 test strings, drawn
from the grammar with a data-set seed ``data_seed`` when the task is built. Section 5.1: "The
training set is generated randomly; training exemplars are picked randomly from the training set.
Test sequences are generated randomly, too, but sequences already used in the training set are
not used for testing." So (``sets="iid"``, the default) the training set is 256 independent draws
from the grammar (repeats allowed: the 4 strings of length 9 make up about a quarter of it), and
the test set is 256 further draws with every string of the training set rejected (the only
exclusion the paper states). ``sets="distinct"`` (the package's earlier reading) draws 256
distinct strings for each set by rejection, which makes the short strings far rarer than the
grammar makes them. Training sequences are drawn uniformly from the training set (t1, Table 11).

Criterion (Section 5.1). A string is predicted correctly when at every step "the output unit(s) of
the possible next symbol(s) are the most active". Tie rule chosen here: every legal unit's output
strictly exceeds every illegal unit's output. A trial succeeds when every string of both the
training and the test set is predicted correctly (`ReberTask.solved`).
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from ..spec import check_choice
from .base import Sequence, Task, check_int

SYMBOLS = ("B", "T", "P", "S", "X", "V", "E")
INDEX = {s: i for i, s in enumerate(SYMBOLS)}

# The Reber grammar after its initial B: state -> its two (symbol, next state) edges;
# state 6 emits E.
REBER_EDGES = {
    1: (("T", 2), ("P", 3)),
    2: (("S", 2), ("X", 4)),
    3: (("T", 3), ("V", 5)),
    4: (("X", 3), ("S", 6)),
    5: (("P", 4), ("V", 6)),
}
_END = 6

# The same language as a regular expression (state 3 to the end, then the whole string).
_FROM_3 = "(?:T*VPX)*T*V(?:V|PS)"
REBER_RE = f"B(?:TS*X(?:S|X{_FROM_3})|P{_FROM_3})E"
EMBEDDED_RE = re.compile(f"B([TP]){REBER_RE}\\1E")


def reber_string(rng: np.random.Generator) -> str:
    """One Reber string B ... E, each choice taken with probability 0.5."""
    out, state = ["B"], 1
    while state != _END:
        symbol, state = REBER_EDGES[state][rng.integers(2)]
        out.append(symbol)
    out.append("E")
    return "".join(out)


def embedded_string(rng: np.random.Generator) -> str:
    """One embedded Reber string B (T|P) <Reber string> (same T|P) E."""
    branch = "TP"[rng.integers(2)]
    return "B" + branch + reber_string(rng) + branch + "E"


def legal_successors(string: str) -> list[str]:
    """For each symbol of ``string`` but the last, the symbols that may legally follow it.

    Raises ValueError if ``string`` is not an embedded Reber string.
    """
    if not EMBEDDED_RE.fullmatch(string):
        raise ValueError(f"{string!r} is not an embedded Reber string")
    branch, inner = string[1], string[2:-2]
    legal = ["TP", "B"]  # after the outer B; after the branch symbol
    state = 1  # after the inner B
    for symbol in inner[1:-1]:
        legal.append("".join(s for s, _ in REBER_EDGES[state]))
        state = dict(REBER_EDGES[state])[symbol]
    # the symbol that led to state 6 is followed by E, the inner E by the branch symbol, and the
    # repeated branch symbol by the final E (which has no successor)
    return legal + ["E", branch, "E"]


def string_sequence(string: str) -> Sequence:
    """The sequence of ``string``: inputs are all symbols but the final E; targets multi-hot."""
    legal = legal_successors(string)
    targets = np.zeros((len(legal), len(SYMBOLS)))  # (T, 7)
    for t, symbols in enumerate(legal):
        targets[t, [INDEX[s] for s in symbols]] = 1.0
    indices = np.array([INDEX[s] for s in string[:-1]])  # (T,)
    return Sequence.from_onehot(indices, len(SYMBOLS), targets, {"string": string})


SETS = ("iid", "distinct")   # how the two data sets are drawn (see the module docstring)


def iid_sets(rng: np.random.Generator, n_train: int, n_test: int) -> tuple[list[str], list[str]]:
    """Section 5.1's data sets: ``n_train`` independent draws, then ``n_test`` draws that are not
    training strings (test strings may repeat each other)."""
    train = [embedded_string(rng) for _ in range(n_train)]
    seen, test = frozenset(train), []
    while len(test) < n_test:
        s = embedded_string(rng)
        if s not in seen:
            test.append(s)
    return train, test


def distinct_strings(rng: np.random.Generator, n: int, exclude=frozenset(),
                     max_draws: int = 1_000_000) -> list[str]:
    """``n`` distinct embedded Reber strings, none in ``exclude``, in the order they were drawn."""
    seen, out = set(exclude), []
    for _ in range(max_draws):
        if len(out) == n:
            return out
        s = embedded_string(rng)
        if s not in seen:
            seen.add(s)
            out.append(s)
    raise RuntimeError(f"found only {len(out)} of {n} distinct strings in {max_draws} draws")


def draw_sets(rng: np.random.Generator, n_train: int, n_test: int,
              sets: str = "iid") -> tuple[list[str], list[str]]:
    """The training and test strings, drawn as ``sets`` says (see the module docstring)."""
    if sets == "iid":
        return iid_sets(rng, n_train, n_test)
    train = distinct_strings(rng, n_train)
    return train, distinct_strings(rng, n_test, exclude=frozenset(train))


class ReberTask(Task):
    """Embedded Reber grammar, Experiment 1 (Section 5.1; Table 11: t1, test set 256).

    Parameters
    ----------
    train_size, test_size : sizes of the two fixed sets (paper: 256 each, after Fahlman 1991).
    data_seed : seed of the data sets; the paper uses 3 different training/test pairs per row.
    sets : "iid" (independent draws; test strings never training strings) or "distinct" (256
        distinct strings per set); see the module docstring.
    """

    name = "reber"
    n_inputs = n_outputs = len(SYMBOLS)
    alphabet = output_alphabet = SYMBOLS
    select = "t1"

    def __init__(self, train_size: int = 256, test_size: int = 256, data_seed: int = 0,
                 sets: str = "iid"):
        self.train_size = check_int("train_size", train_size)
        self.test_size = check_int("test_size", test_size)
        self.data_seed = check_int("data_seed", data_seed, minimum=0)
        check_choice("sets", sets, SETS)
        self.sets = sets
        train, test = draw_sets(np.random.default_rng(self.data_seed), self.train_size,
                                self.test_size, sets)
        self.training_set = [string_sequence(s) for s in train]
        self._test = [string_sequence(s) for s in test]

    @property
    def params(self) -> dict:
        return {"train_size": self.train_size, "test_size": self.test_size,
                "data_seed": self.data_seed, "sets": self.sets}

    def sample(self, rng: np.random.Generator) -> Sequence:
        """A string drawn uniformly from the fixed training set (t1)."""
        return self.training_set[rng.integers(self.train_size)]

    def test_set(self, rng: np.random.Generator, n: int | None = None) -> list[Sequence]:
        """The fixed test set drawn at construction (``rng`` is unused)."""
        if n is not None and n != self.test_size:
            raise ValueError(f"reber: the test set is fixed at construction with {self.test_size} "
                             f"strings; pass test_size={n} to make_task to change it")
        return list(self._test)

    def correct(self, outputs: np.ndarray, seq: Sequence) -> bool:
        """At every step every legal next symbol's output exceeds every illegal symbol's output."""
        self._check_shape(outputs, seq)
        legal = seq.targets == 1.0  # (T, 7)
        lowest_legal = np.where(legal, outputs, np.inf).min(axis=1)  # (T,)
        highest_illegal = np.where(legal, -np.inf, outputs).max(axis=1)  # (T,)
        return bool(np.all(lowest_legal > highest_illegal))

    def solved(self, predict: Callable[[Sequence], np.ndarray]) -> bool:
        """Section 5.1's trial success: every string of the training and the test set is correct."""
        return all(self.correct(predict(seq), seq) for seq in self.training_set + self._test)
