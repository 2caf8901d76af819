"""Experiment 2 (Section 5.2): tasks 2a, 2b and 2c against the paper's definitions."""
import numpy as np
import pytest

from lstm_repro.tasks import make_task


def test_2a_two_fixed_strings_with_next_symbol_targets():
    p = 6
    task = make_task("long_lag_2a", p=p)
    assert task.n_inputs == task.n_outputs == p + 1
    assert task.alphabet == ("a1", "a2", "a3", "a4", "a5", "x", "y")
    x, y, middle = p - 1, p, list(range(p - 1))
    seqs = task.test_set(None)
    assert len(seqs) == 2
    for seq, end in zip(seqs, (y, x)):
        string = [end] + middle + [end]  # (y, a1 .. a_{p-1}, y) and (x, a1 .. a_{p-1}, x)
        assert seq.onehot.tolist() == string[:-1]
        assert (seq.targets.sum(axis=1) == 1).all()
        assert seq.targets.argmax(axis=1).tolist() == string[1:]
    rng = np.random.default_rng(0)
    ends = [task.sample(rng).meta["class"] for _ in range(4000)]
    assert abs(ends.count("x") - 2000) < 130  # probability 0.5 each (4 sigma)
    assert len(task.test_set(rng, 5)) == 5


def test_2a_correct_is_abs_025_at_every_step():
    task = make_task("long_lag_2a", p=6)
    seq = task.sample(np.random.default_rng(0))
    out = seq.targets.copy()
    out[2, 0] += 0.24
    assert task.correct(out, seq)
    out[2, 0] += 0.01  # 0.25 at a middle step is not below 0.25
    assert not task.correct(out, seq)


def test_2b_random_middle_and_end_criterion():
    p = 8
    task = make_task("long_lag_2b", p=p)
    rng = np.random.default_rng(1)
    seqs = [task.sample(rng) for _ in range(2000)]
    middles = np.concatenate([s.onehot[1:] for s in seqs])
    assert middles.min() == 0 and middles.max() == p - 2  # a1 .. a_{p-1}, uniformly
    assert np.bincount(middles).min() > 0.8 * len(middles) / (p - 1)
    for s in seqs[:50]:
        assert s.length == p and s.onehot[0] in (p - 1, p)
        assert s.targets[-1].argmax() == s.onehot[0]  # the final target repeats the first symbol
        assert (s.targets[:-1].argmax(axis=1) == s.onehot[1:]).all()
    classes = [s.meta["class"] for s in seqs]
    assert abs(classes.count("y") - 1000) < 90
    seq = seqs[0]
    out = seq.targets.copy()
    out[:-1] = 0.5  # unpredictable middle: errors there do not count
    out[-1] += 0.249
    assert task.correct(out, seq)
    out[-1, 0] = seq.targets[-1, 0] + 0.25
    assert not task.correct(out, seq)
    assert task.test_size == 10_000


def test_2c_structure_and_targets():
    q, p = 5, 10
    task = make_task("long_lag_2c", q=q, p=p)
    e, b, x, y = p, p + 1, p + 2, p + 3
    assert task.n_inputs == p + 4 and task.n_outputs == 2
    assert task.alphabet[p:] == ("e", "b", "x", "y") and task.output_alphabet == ("x", "y")
    rng = np.random.default_rng(2)
    seqs = [task.sample(rng) for _ in range(3000)]
    for s in seqs:
        assert s.onehot[0] == b and s.onehot[1] in (x, y) and s.onehot[-1] == e
        assert ((s.onehot[2:-1] >= 0) & (s.onehot[2:-1] < p)).all()
        assert s.length == q + 3 + s.meta["extra"]
        assert np.isnan(s.targets[:-1]).all()
        assert s.targets[-1].tolist() == ([1.0, 0.0] if s.onehot[1] == x else [0.0, 1.0])
        assert s.meta["class"] == ("x" if s.onehot[1] == x else "y")
    distractors = np.concatenate([s.onehot[2:-1] for s in seqs])
    # distractors range over a1 .. a_p (the paper's "<= q" would stop at a_q = a5)
    counts = np.bincount(distractors, minlength=p)
    assert counts.min() > 0.85 * counts.mean()
    # each distractor appears (q + 9)/p times per sequence on average
    assert counts.mean() / len(seqs) == pytest.approx((q + 9) / p, rel=0.05)


def test_2c_expected_length_is_q_plus_13():
    """String length L = q + 4 + k (b, x|y, q + k distractors, e, x|y), k ~ Geometric with
    P(k) = 0.1 * 0.9^k: E[L] = q + 13 (the paper prints q + 14). The sequence has T = L - 1 steps
    because the final x|y is the target, not an input. k has sd sqrt(90) = 9.5, so the mean of
    20,000 strings has sd 0.067 and the tolerance 0.3 separates q + 13 from q + 14."""
    q = 50
    task = make_task("long_lag_2c", q=q, p=50)
    rng = np.random.default_rng(3)
    lengths = np.array([task.sample(rng).length + 1 for _ in range(20_000)])
    assert lengths.min() == q + 4
    assert abs(lengths.mean() - (q + 13)) < 0.3
    assert np.mean(lengths == q + 4) == pytest.approx(0.1, abs=0.01)  # e right after the prefix


def test_2c_correct_is_abs_02_at_the_end():
    task = make_task("long_lag_2c", q=5, p=5)
    seq = task.sample(np.random.default_rng(4))
    out = np.nan_to_num(seq.targets, nan=0.7)  # no targets before the end
    out[-1] = np.abs(seq.targets[-1] - 0.19)
    assert task.correct(out, seq)
    out[-1] = np.abs(seq.targets[-1] - 0.2)
    assert not task.correct(out, seq)
