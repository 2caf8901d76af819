"""Gers & Schmidhuber (2001): a^n b^n, a^n b^n c^n, a^n b^m B^m A^n as next-symbol prediction."""
import numpy as np
import pytest

from lstm_repro.tasks import generalisation_limit, make_task

def members(name, k, include_empty):
    """Every word of the language (without S and T) whose counts n (and m) are at most k."""
    lo = 0 if include_empty else 1
    if name == "anbmBmAn":
        return ["a" * n + "b" * m + "B" * m + "A" * n
                for n in range(1, k + 1) for m in range(1, k + 1)]
    letters = {"anbn": "ab", "anbncn": "abc"}[name]
    return ["".join(c * n for c in letters) for n in range(lo, k + 1)]


@pytest.mark.parametrize("name, include_empty", [("anbn", False), ("anbn", True),
                                                 ("anbncn", False), ("anbncn", True),
                                                 ("anbmBmAn", False)])
def test_targets_are_the_legal_next_symbols(name, include_empty):
    """Target at each step = the symbols that continue the prefix inside the language (T when the
    prefix is a complete word), read off the words of the language with counts up to level + 2."""
    params = {"include_empty": include_empty} if name != "anbmBmAn" else {}
    task = make_task(name, **params)
    levels = 3
    words = members(name, levels + 2, include_empty)
    seqs = task.strings_up_to(levels)
    assert sorted(s.meta["string"][1:-1] for s in seqs) == sorted(w for w in words
                                                                  if _level(name, w) <= levels)
    for s in seqs:
        string = s.meta["string"]
        assert string[0] == "S" and string[-1] == "T" and s.length == len(string) - 1
        assert "".join(task.alphabet[i] for i in s.onehot) == string[:-1]
        for t in range(s.length):
            prefix = string[1:t + 1]
            legal = {w[len(prefix)] for w in words if w.startswith(prefix) and len(w) > len(prefix)}
            if prefix in words:
                legal.add("T")
            got = {task.output_alphabet[k] for k in np.flatnonzero(s.targets[t])}
            assert got == legal, (string, t)


def _level(name, w):
    return max(w.count("a"), w.count("b")) if name == "anbmBmAn" else w.count("a")


def test_empty_string_choice():
    plain, empty = make_task("anbn"), make_task("anbn", include_empty=True)
    assert plain.strings_up_to(1)[0].meta["string"] == "SabT"
    assert [s.meta["string"] for s in empty.strings_up_to(1)] == ["ST", "SabT"]
    after_s = {empty.output_alphabet[k] for k in np.flatnonzero(empty.training_set[3].targets[0])}
    assert after_s == {"a", "T"}
    assert make_task("anbn", train_n=[0, 2], include_empty=True).training_set[0].meta["string"] \
        == "ST"


def test_training_set_and_sampling():
    task = make_task("anbncn", train_n=[21, 20])
    assert task.params["train_n"] == [20, 21]
    assert [s.meta["counts"] for s in task.training_set] == [(20,), (21,)]
    rng = np.random.default_rng(0)
    drawn = [task.sample(rng).meta["counts"][0] for _ in range(2000)]
    assert abs(drawn.count(20) - 1000) < 90  # uniform over the training strings
    pal = make_task("anbmBmAn", train_n=range(1, 4), train_m=[2])
    assert sorted(s.meta["counts"] for s in pal.training_set) == [(1, 2), (2, 2), (3, 2)]
    assert make_task("anbn").test_size == 1000 and len(make_task("anbn").test_set(None, 7)) == 7


def test_palindrome_levels():
    task = make_task("anbmBmAn")
    assert sorted(s.meta["counts"] for s in task.strings_at(3)) == \
        [(1, 3), (2, 3), (3, 1), (3, 2), (3, 3)]
    assert len(task.strings_up_to(6)) == 36  # all (n, m) with n, m <= 6


def test_accepts_thresholds_at_05():
    task = make_task("anbn")
    seq = task.strings_up_to(4)[-1]
    legal = seq.targets == 1.0
    out = np.where(legal, 0.51, 0.49)
    assert task.correct(out, seq)
    out[5][~legal[5]] = 0.5  # an illegal output not below 0.5
    assert not task.correct(out, seq)
    out = np.where(legal, 0.51, 0.49)
    out[-1][legal[-1]] = 0.5  # the T output not above 0.5 at the end
    assert not task.correct(out, seq)


def test_generalisation_limit():
    assert generalisation_limit(lambda n: n <= 37 or n == 40, 100) == 37
    assert generalisation_limit(lambda n: True, 50) == 50
    assert generalisation_limit(lambda n: n > 1, 50) == 0
    assert generalisation_limit(lambda n: n != 0, 50, n_min=0) == -1


@pytest.mark.parametrize("name,counts", [("anbn", (3,)), ("anbncn", (4,)), ("anbmBmAn", (2, 3))])
def test_block_slices_are_where_each_letter_is_read(name, counts):
    task = make_task(name)
    seq = task.string_sequence(*counts)
    read = seq.meta["string"][:-1]                      # the input at step t is symbol t
    slices = task.block_slices(*counts)
    assert list(slices) == list(task.letters)
    for letter, sl in slices.items():
        assert set(read[sl]) == {letter} and read.count(letter) == sl.stop - sl.start
    assert read[0] == "S" and min(sl.start for sl in slices.values()) == 1
    assert max(sl.stop for sl in slices.values()) == seq.length
