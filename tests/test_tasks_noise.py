"""Experiment 3 (Section 5.3): tasks 3a, 3b and 3c against the paper's definitions."""
import numpy as np
import pytest

from lstm_repro.tasks import make_task


def draw(name, n=3000, seed=0, **params):
    task = make_task(name, **params)
    rng = np.random.default_rng(seed)
    return task, [task.sample(rng) for _ in range(n)]


@pytest.mark.parametrize("name", ["noise_3a", "noise_3b", "noise_3c"])
def test_lengths_classes_and_noise(name):
    T, N = 25, 3
    task, seqs = draw(name, T=T, N=N)
    lengths = {s.length for s in seqs}
    assert lengths == {25, 26, 27}  # uniform over T .. T + T//10
    classes = np.array([s.meta["class"] for s in seqs])
    assert set(classes) == {1, 2} and abs(np.mean(classes == 1) - 0.5) < 0.04
    sign = np.where(classes == 1, 1.0, -1.0)[:, None]
    prefix = np.array([s.inputs[:N, 0] for s in seqs])  # (n, N)
    rest = np.concatenate([s.inputs[N:, 0] for s in seqs])
    assert abs(rest.mean()) < 0.01 and rest.var() == pytest.approx(0.2, rel=0.03)
    if name == "noise_3b":  # noise of variance 0.2 on the informative elements too
        noise = prefix - sign
        assert abs(noise.mean()) < 0.02 and noise.var() == pytest.approx(0.2, rel=0.06)
    else:
        assert np.array_equal(prefix, np.broadcast_to(sign, prefix.shape))
    for s in seqs:
        assert np.isnan(s.targets[:-1]).all() and not np.isnan(s.targets[-1, 0])


def test_targets_3a_3b():
    for name in ("noise_3a", "noise_3b"):
        _, seqs = draw(name, n=200, T=10, N=1)
        for s in seqs:
            assert s.targets[-1, 0] == (1.0 if s.meta["class"] == 1 else 0.0)
            assert s.meta["clean_target"] == s.targets[-1, 0]


def test_targets_3c_noisy_with_clean_in_meta():
    _, seqs = draw("noise_3c", n=4000, T=10, N=1)
    clean = np.array([s.meta["clean_target"] for s in seqs])
    classes = np.array([s.meta["class"] for s in seqs])
    assert np.array_equal(clean, np.where(classes == 1, 0.2, 0.8))
    noise = np.array([s.targets[-1, 0] for s in seqs]) - clean
    assert abs(noise.mean()) < 0.02 and noise.var() == pytest.approx(0.1, rel=0.06)


def test_correct_3a_abs_below_02():
    task, seqs = draw("noise_3a", n=2, T=10, N=1)
    for s in seqs:
        out = np.zeros((s.length, 1))
        out[-1] = abs(s.targets[-1] - 0.199)
        assert task.correct(out, s)
        out[-1] = abs(s.targets[-1] - 0.2)
        assert not task.correct(out, s)


def test_correct_3c_uses_the_noise_free_target():
    task, seqs = draw("noise_3c", n=50, T=10, N=1)
    for s in seqs:
        out = np.zeros((s.length, 1))
        out[-1] = s.meta["clean_target"] + 0.0999  # within 0.1: not misclassified
        assert task.correct(out, s)
        out[-1] = s.meta["clean_target"] - 0.1001
        assert not task.correct(out, s)
        out[-1] = s.targets[-1]  # the noisy target itself counts only through its distance
        assert task.correct(out, s) == (abs(s.targets[-1, 0] - s.meta["clean_target"]) <= 0.1)
        assert task.errors(out, s)["abs_end_clean"] == pytest.approx(
            abs(s.targets[-1, 0] - s.meta["clean_target"]))
