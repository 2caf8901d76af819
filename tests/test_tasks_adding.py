"""Experiments 4 and 5 (Sections 5.4, 5.5): the adding and multiplication problems."""
import numpy as np
import pytest

from lstm_repro.tasks import make_task

T = 40


@pytest.fixture(scope="module", params=["adding", "multiplication"])
def drawn(request):
    task = make_task(request.param, T=T)
    rng = np.random.default_rng(0)
    return task, [task.sample(rng) for _ in range(4000)]


def test_lengths_and_value_ranges(drawn):
    task, seqs = drawn
    assert {s.length for s in seqs} == set(range(T, T + T // 10 + 1))
    values = np.concatenate([s.inputs[1:, 0] for s in seqs])
    lo, hi = (-1.0, 1.0) if task.name == "adding" else (0.0, 1.0)
    assert values.min() >= lo and values.max() <= hi
    assert values.min() < lo + 0.01 and values.max() > hi - 0.01
    assert abs(values.mean() - (lo + hi) / 2) < 0.01


def test_markers(drawn):
    task, seqs = drawn
    x1_positions, x2_ranks = [], []
    for s in seqs:
        markers = s.inputs[:, 1]
        marked = np.flatnonzero(markers == 1.0)
        assert len(marked) == 2
        i1, i2 = s.meta["positions"]
        assert set(marked) == {i1, i2}
        assert i1 < 10  # X1: one of the first 10 pairs
        rank = i2 - (i1 < i2)  # X2's place among the pairs X1 left unmarked
        assert rank < T // 2 - 1  # one of the first T/2 - 1 still unmarked pairs
        x1_positions.append(i1)
        x2_ranks.append(rank)
        expected = np.zeros(s.length)
        expected[[0, -1]] = -1.0
        expected[marked] = 1.0  # the first and last marker are -1 unless marked
        assert np.array_equal(markers, expected)
    assert set(x1_positions) == set(range(10))
    assert set(x2_ranks) == set(range(T // 2 - 1))
    assert any(i2 < i1 for i1, i2 in (s.meta["positions"] for s in seqs))  # X2 may precede X1


def test_targets(drawn):
    task, seqs = drawn
    n_first = 0
    for s in seqs:
        assert np.isnan(s.targets[:-1]).all()
        x1, x2 = s.inputs[s.inputs[:, 1] == 1.0, 0]  # the two marked values the net sees
        i1, i2 = s.meta["positions"]
        assert s.meta["values"] == (s.inputs[i1, 0], s.inputs[i2, 0])
        want = 0.5 + (x1 + x2) / 4.0 if task.name == "adding" else x1 * x2
        assert s.targets[-1, 0] == pytest.approx(want, abs=1e-15)
        if s.inputs[0, 1] == 1.0:  # a marked first pair has value 0 (adding) or 1.0 (mult.)
            n_first += 1
            assert s.inputs[0, 0] == (0.0 if task.name == "adding" else 1.0)
    # P(first pair marked) = 1/10 (X1) + 9/10 * 1/(T/2 - 1) (X2)
    p_first = 0.1 + 0.9 / (T // 2 - 1)
    assert n_first / len(seqs) == pytest.approx(p_first, abs=0.02)


def test_correct_abs_004(drawn):
    task, seqs = drawn
    for s in seqs[:20]:
        out = np.full((s.length, 1), 0.5)
        out[-1] = s.targets[-1] + 0.039
        assert task.correct(out, s)
        out[-1] = s.targets[-1] - 0.0401
        assert not task.correct(out, s)
