"""Experiment 6 (Section 5.6): temporal order, tasks 6a and 6b."""
import numpy as np
import pytest

from lstm_repro.tasks import make_task

CASES = {
    "temporal_order_6a": (((10, 20), (50, 60)),
                          {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"}),
    "temporal_order_6b": (((10, 20), (33, 43), (66, 76)),
                          {"XXX": "Q", "XXY": "R", "XYX": "S", "XYY": "U",
                           "YXX": "V", "YXY": "A", "YYX": "B", "YYY": "C"}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_sequences_follow_the_paper(name):
    ranges, classes = CASES[name]
    task = make_task(name)
    assert task.alphabet == ("E", "B", "a", "b", "c", "d", "X", "Y")
    assert task.output_alphabet == tuple(classes.values())  # the paper's class order
    assert task.n_inputs == 8 and task.n_outputs == len(classes)
    rng = np.random.default_rng(0)
    seqs = [task.sample(rng) for _ in range(2000)]
    seen_positions = [set() for _ in ranges]
    for s in seqs:
        string = "".join(task.alphabet[i] for i in s.onehot)
        assert string == s.meta["string"]
        assert 100 <= s.length <= 110 and string[0] == "E" and string[-1] == "B"
        relevant = [t for t, c in enumerate(string, start=1) if c in "XY"]  # 1-based
        assert tuple(relevant) == s.meta["positions"]
        for t, (lo, hi), seen in zip(relevant, ranges, seen_positions):
            assert lo <= t <= hi
            seen.add(t)
        assert set(string[1:-1]) - set("XY") <= set("abcd")
        order = "".join(string[t - 1] for t in relevant)
        assert s.meta["class"] == classes[order]
        assert np.isnan(s.targets[:-1]).all()
        assert s.targets[-1].tolist() == [float(c == classes[order]) for c in classes.values()]
    for (lo, hi), seen in zip(ranges, seen_positions):
        assert seen == set(range(lo, hi + 1))
    assert {s.length for s in seqs} == set(range(100, 111))
    counts = {c: sum(s.meta["class"] == c for s in seqs) for c in classes.values()}
    assert min(counts.values()) > 0.75 * len(seqs) / len(classes)


def test_correct_abs_03_on_every_output():
    task = make_task("temporal_order_6a")
    seq = task.sample(np.random.default_rng(1))
    out = np.zeros((seq.length, 4))
    out[-1] = np.abs(seq.targets[-1] - 0.299)
    assert task.correct(out, seq)
    out[-1, np.argmin(seq.targets[-1])] = 0.3  # one wrong class unit at 0.3
    assert not task.correct(out, seq)
