"""Stopping criteria (Table 11, Sections 5.2-5.5) on constructed result streams."""
import numpy as np
import pytest

from lstm_repro.criteria import (ST3, Exp3Evaluation, FixedBudget, NSeq, abs_criterion, st1, st2)
from lstm_repro.tasks import make_task


def errs(sq=0.0, mean_abs=0.0, abs_end=0.0):
    return {"sq_end": sq, "mean_abs_end": mean_abs, "abs_end": abs_end}


def feed(rule, stream):
    """Feed (correct, errors) pairs; the 1-based index of each update at which the rule held."""
    return [i for i, (c, e) in enumerate(stream, start=1) if rule.update(c, e)]


def test_st3_needs_a_full_window_of_correct_sequences():
    rule = ST3(0.01)
    held = feed(rule, [(True, errs(0.001))] * 1999)
    assert held == [] and rule.n_seen == 1999
    assert rule.update(True, errs(0.001))  # the 2000th correct sequence


def test_st3_one_wrong_sequence_blocks_for_a_whole_window():
    rule = ST3(0.1, window=10)
    stream = [(True, errs(0.0))] * 5 + [(False, errs(0.0))] + [(True, errs(0.0))] * 12
    assert feed(rule, stream) == [16, 17, 18]  # the wrong one (6th) leaves the window after 16


def test_st3_average_error_is_strict_and_windowed():
    rule = ST3(0.01, window=4)
    assert feed(rule, [(True, errs(0.01))] * 6) == []  # average == beta is not below beta
    assert rule.average_error == pytest.approx(0.01)
    assert rule.update(True, errs(0.0))  # window (0.01, 0.01, 0.01, 0.0): mean 0.0075
    rule = ST3(0.01, window=4)
    stream = [(True, errs(1.0))] + [(True, errs(0.0))] * 4
    assert feed(rule, stream) == [5]  # the large error counts until it leaves the window


def test_st3_measure_option():
    mse, mae = ST3(0.01, window=3), ST3(0.01, window=3, measure="mae")
    stream = [(True, errs(sq=0.0004, mean_abs=0.02))] * 3  # |e| = 0.02: e^2 = 0.0004
    assert feed(mse, stream) == [3] and feed(mae, stream) == []
    with pytest.raises(ValueError, match="measure='rmse'.*'mse', 'mae'"):
        ST3(0.01, measure="rmse")
    with pytest.raises(ValueError, match="beta"):
        ST3(0.0)


def test_st3_running_sum_does_not_drift():
    rng = np.random.default_rng(0)
    rule = ST3(1.0, window=50)
    values = rng.uniform(0, 1e3, size=10_049).tolist() + [1e-6] * 50
    for v in values:
        rule.update(True, errs(v))
    assert rule.average_error == pytest.approx(1e-6, rel=1e-6)


def test_nseq_counts_errors_above_004_in_the_window():
    rule = NSeq(3, window=10)
    bad, good = (True, errs(abs_end=0.05)), (True, errs(abs_end=0.04))  # 0.04 is not > 0.04
    assert feed(rule, [bad] * 3 + [good] * 9) == [11, 12]  # 3 bad in the first 10: not fewer
    assert rule.n_wrong == 1
    assert NSeq(1, window=5).update(True, errs()) is False  # needs a full window
    assert feed(NSeq(1, window=5), [good] * 5) == [5]


def test_fixed_budget():
    rule = FixedBudget(3)
    assert feed(rule, [(False, {})] * 4) == [3, 4]
    assert FixedBudget().n == 5_000_000
    with pytest.raises(ValueError, match="n=0"):
        FixedBudget(0)


def test_abs_criterion():
    ok = abs_criterion(0.04)
    assert ok({"abs_end": 0.0399}) and not ok({"abs_end": 0.04})
    every_step = abs_criterion(0.25, key="abs_max")
    assert not every_step({"abs_end": 0.0, "abs_max": 0.3})


def test_exp3_rules_on_constructed_outputs():
    rng = np.random.default_rng(0)
    for name, wrong_allowed, mean_bound in (("noise_3a", 0, 0.01), ("noise_3b", 5, 0.04),
                                            ("noise_3c", 0, 0.015)):
        task = make_task(name, T=10, N=1)
        seqs = task.test_set(rng, 256)
        clean = [np.full((s.length, 1), s.meta["clean_target"]) for s in seqs]

        def shifted(k, by):  # the first k outputs off by 0.3, all others off by ``by``
            return [y + (0.3 if i < k else by) for i, y in enumerate(clean)]
        ev = Exp3Evaluation.of(task, shifted(0, 0.0), seqs)
        assert ev.n == 256 and ev.n_wrong == 0 and ev.mean_abs == 0.0
        assert st1(ev) and st2(ev)
        ev = Exp3Evaluation.of(task, shifted(wrong_allowed, 0.0), seqs)
        assert st1(ev) and ev.n_wrong == wrong_allowed
        assert not st1(Exp3Evaluation.of(task, shifted(wrong_allowed + 1, 0.0), seqs))
        # ST2 adds the mean absolute error bound, strictly
        assert st2(Exp3Evaluation.of(task, shifted(0, 0.9 * mean_bound), seqs))
        assert not st2(Exp3Evaluation.of(task, shifted(0, 1.1 * mean_bound), seqs))
    with pytest.raises(ValueError, match="256 test sequences"):
        st1(Exp3Evaluation.of(task, clean[:10], seqs[:10]))
    with pytest.raises(ValueError, match="noise_3a, noise_3b, noise_3c"):
        st1(Exp3Evaluation("adding", 256, 0, 0.0))


def test_exp3c_measures_distance_to_the_noise_free_target():
    task = make_task("noise_3c", T=10, N=1)
    seqs = task.test_set(np.random.default_rng(1), 256)
    noisy = [np.full((s.length, 1), s.targets[-1, 0]) for s in seqs]  # echo the noisy target
    ev = Exp3Evaluation.of(task, noisy, seqs)
    assert ev.mean_abs == pytest.approx(np.sqrt(0.1) * np.sqrt(2 / np.pi), rel=0.15)  # E|noise|
    assert not st1(ev)
