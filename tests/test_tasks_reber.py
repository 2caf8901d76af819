"""Experiment 1 (Section 5.1): the embedded Reber grammar, checked against the transition table."""
from collections import defaultdict

import numpy as np
import pytest

from lstm_repro.tasks import make_task
from lstm_repro.tasks.reber import SYMBOLS, legal_successors

# The transition table of the reference sheet (Section 5.1), written out again as the oracle.
TABLE = {1: {"T": 2, "P": 3}, 2: {"S": 2, "X": 4}, 3: {"T": 3, "V": 5},
         4: {"X": 3, "S": 6}, 5: {"P": 4, "V": 6}}


def is_reber(s):
    if len(s) < 2 or s[0] != "B" or s[-1] != "E":
        return False
    state = 1
    for c in s[1:-1]:
        if state not in TABLE or c not in TABLE[state]:
            return False
        state = TABLE[state][c]
    return state == 6


def is_embedded(s):
    return len(s) >= 5 and s[0] == "B" and s[1] in "TP" and s[-2] == s[1] and s[-1] == "E" \
        and is_reber(s[2:-2])


def all_embedded(max_len):
    """Every embedded Reber string of at most max_len symbols."""
    out, stack = [], [("B", 1)]
    while stack:
        s, state = stack.pop()
        if len(s) + 5 > max_len:  # + the inner E and the outer B, branch, branch, E
            continue
        if state == 6:
            out += [b + "B" + s[1:] + "E" + b for b in "TP"]
            continue
        stack += [(s + c, nxt) for c, nxt in TABLE[state].items()]
    return ["B" + s + "E" for s in out]


@pytest.fixture(scope="module")
def task():
    return make_task("reber")


def strings(seqs):
    return [s.meta["string"] for s in seqs]


def test_sets_are_independent_draws_and_disjoint(task):
    """Section 5.1: training strings drawn at random (repeats allowed); test strings drawn at
    random but never a training string."""
    train, test = strings(task.training_set), strings(task.test_set(None))
    assert task.sets == "iid" and len(train) == len(test) == 256
    assert not set(train) & set(test)
    for s in train + test:
        assert is_embedded(s), s
        assert s[1] == s[-2]
    assert len(set(train)) < 200  # repeats, as independent draws from the grammar give
    # the inner strings BPVVE and BTXSE have probability 1/8 each, so the 4 embedded strings of
    # length 9 together 1/4 (distinct sets would hold at most 4 of 256)
    short = np.mean([len(s) == 9 for s in train])
    assert 0.15 < short < 0.35, short


def test_distinct_sets_option(task):
    t = make_task("reber", data_seed=0, sets="distinct")
    train, test = strings(t.training_set), strings(t.test_set(None))
    assert len(set(train)) == 256 and len(set(test)) == 256 and not set(train) & set(test)
    with pytest.raises(ValueError, match="'iid', 'distinct'"):
        make_task("reber", sets="unique")


def test_enough_distinct_strings_exist():
    counts = [len(all_embedded(n)) for n in (9, 10, 20)]
    assert counts == [4, 10, 1036]  # 512 distinct strings need lengths beyond 18


def test_targets_are_the_legal_successors(task):
    """Targets at step t = the next symbols of all grammatical strings sharing the prefix."""
    nxt = defaultdict(set)
    for s in all_embedded(26):
        for t in range(1, len(s)):
            nxt[s[:t]].add(s[t])
    for seq in task.training_set + task.test_set(None):
        s = seq.meta["string"]
        if len(s) > 16:  # the enumeration reaches every continuation of prefixes this short
            continue
        assert seq.length == len(s) - 1  # the final E is not an input
        assert "".join(SYMBOLS[i] for i in seq.onehot) == s[:-1]
        for t in range(seq.length):
            legal = {SYMBOLS[k] for k in np.flatnonzero(seq.targets[t])}
            assert legal == nxt[s[:t + 1]], (s, t)
            assert set(seq.targets[t]) <= {0.0, 1.0}


def test_sampling_is_uniform_over_the_training_set(task):
    rng = np.random.default_rng(3)
    drawn = [task.sample(rng).meta["string"] for _ in range(5000)]
    assert set(drawn) == set(strings(task.training_set))  # every string, and only those


def test_data_seed_fixes_the_sets():
    a, b, c = (make_task("reber", train_size=20, test_size=20, data_seed=s) for s in (1, 1, 2))
    assert strings(a.training_set) == strings(b.training_set)
    assert strings(a.test_set(None)) == strings(b.test_set(None))
    assert strings(a.training_set) != strings(c.training_set)
    with pytest.raises(ValueError, match="fixed"):
        a.test_set(None, 10)


def test_correct_ranks_legal_above_illegal(task):
    seq = next(s for s in task.training_set if s.meta["string"].startswith("BT"))
    legal = seq.targets == 1.0
    ranked = np.where(legal, 0.45, 0.40)  # below 0.5 but legal units on top: correct
    assert task.correct(ranked, seq)
    tie = ranked.copy()
    tie[0, ~legal[0]] = 0.45  # an illegal unit as active as the legal ones: not correct
    assert not task.correct(tie, seq)
    swapped = ranked.copy()
    t = seq.length - 2  # the step after the inner E: only the branch symbol T is legal
    assert legal[t].sum() == 1 and legal[t, SYMBOLS.index("T")]
    swapped[t, SYMBOLS.index("P")] = 0.46  # the other branch symbol beats it
    assert not task.correct(swapped, seq)


def test_solved_needs_every_training_and_test_string(task):
    perfect = lambda s: s.targets.copy()
    assert task.solved(perfect)
    victim = task.test_set(None)[-1].meta["string"]

    def one_miss(s):
        out = s.targets.copy()
        if s.meta["string"] == victim:
            out[-2] = 1.0 - out[-2]
        return out
    assert not task.solved(one_miss)


def test_legal_successors_rejects_bad_strings():
    assert legal_successors("BTBPVVETE") == ["TP", "B", "TP", "TV", "PV", "E", "T", "E"]
    for bad in ("BTBPVVEPE", "BTBPVETE", "BTBTSSE TE"):
        with pytest.raises(ValueError, match="not an embedded Reber string"):
            legal_successors(bad)
