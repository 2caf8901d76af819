"""The task registry, `Sequence`, and what every task must satisfy (shapes, one-hot,
determinism)."""
import numpy as np
import pytest

from lstm_repro.tasks import TASKS, Sequence, all_correct, count_correct, make_task, task_parameters

# small but valid parameters, so the generic checks stay fast
SMALL = {"long_lag_2a": {"p": 10}, "long_lag_2b": {"p": 10}, "long_lag_2c": {"q": 10, "p": 10},
         "noise_3a": {"T": 20}, "noise_3b": {"T": 20}, "noise_3c": {"T": 20},
         "adding": {"T": 20}, "multiplication": {"T": 20},
         "reber": {"train_size": 32, "test_size": 32}}


def draw(name, seed, n=20):
    task = make_task(name, **SMALL.get(name, {}))
    rng = np.random.default_rng(seed)
    return task, [task.sample(rng) for _ in range(n)]


@pytest.mark.parametrize("name", list(TASKS))
def test_shapes_and_onehot(name):
    task, seqs = draw(name, 0)
    assert task.name == name
    assert make_task(name, **task.params).params == task.params
    for seq in seqs:
        T = seq.length
        assert seq.targets.shape == (T, task.n_outputs) and seq.targets.dtype == np.float64
        assert seq.inputs.shape == (T, task.n_inputs) and seq.inputs.dtype == np.float64
        assert seq.n_inputs == task.n_inputs
        assert not np.isnan(seq.targets[-1]).all(), "every task has a target at the last step"
        if seq.onehot is not None:
            assert seq.onehot.dtype == np.int64
            assert ((seq.onehot >= 0) & (seq.onehot < task.n_inputs)).all()
            assert (seq.inputs.sum(axis=1) == 1).all()
            assert (seq.inputs.argmax(axis=1) == seq.onehot).all()
        assert task.alphabet is None or len(task.alphabet) == task.n_inputs
        assert task.output_alphabet is None or len(task.output_alphabet) == task.n_outputs


@pytest.mark.parametrize("name", list(TASKS))
def test_same_seed_same_sequences(name):
    (_, a), (_, b), (_, c) = draw(name, 7), draw(name, 7), draw(name, 8)
    for x, y in zip(a, b):
        assert np.array_equal(x.inputs, y.inputs)
        assert np.array_equal(x.targets, y.targets, equal_nan=True)
    differs = any(x.length != z.length or not np.array_equal(x.inputs, z.inputs)
                  for x, z in zip(a, c))
    if name != "long_lag_2a":  # 2a has only two sequences
        assert differs


@pytest.mark.parametrize("name", list(TASKS))
def test_perfect_output_correct_and_wrong_output_not(name):
    task, seqs = draw(name, 1)
    for seq in seqs:
        ideal = np.nan_to_num(seq.targets, nan=0.5)
        if name == "noise_3c":
            ideal[-1, 0] = seq.meta["clean_target"]
        assert task.correct(ideal, seq)
        errors = task.errors(ideal, seq)
        assert errors["abs_end"] == 0.0 or name == "noise_3c"
        flipped = ideal.copy()
        end = np.nan_to_num(seq.targets[-1], nan=0.5)
        # symbolic targets swap 0 <-> 1 at the end; real-valued ones are missed by 0.5
        flipped[-1] = 1.0 - end if task.output_alphabet else end + 0.5
        if name == "noise_3c":
            flipped[-1, 0] = seq.meta["clean_target"] + 0.5
        assert not task.correct(flipped, seq)


@pytest.mark.parametrize("name", list(TASKS))
def test_score_many_equals_errors_and_correct_one_by_one(name):
    """The runner's batch judging: bit for bit the per-sequence methods, on outputs near the
    targets (some correct, some not) and far from them."""
    task, seqs = draw(name, 3, n=40)
    rng = np.random.default_rng(4)
    for spread in (0.05, 0.5):
        outs = [np.clip(np.nan_to_num(s.targets, nan=0.5) + rng.normal(0, spread, s.targets.shape),
                        0, 1) for s in seqs]
        errs, oks = task.score_many(outs, seqs)
        assert oks == [bool(task.correct(y, s)) for y, s in zip(outs, seqs)]
        one_by_one = [task.errors(y, s) for y, s in zip(outs, seqs)]
        assert set(errs) == set(one_by_one[0])
        for key, values in errs.items():
            assert values == [e[key] for e in one_by_one], key        # exact, not approximate
    if spread == 0.05 and task.end_abs_below is not None:
        assert 0 < sum(oks) < len(oks), "the constructed outputs should test both sides"
    assert task.score_many([], []) == ({k: [] for k in errs}, [])
    with pytest.raises(ValueError, match="outputs have shape"):
        task.score_many([np.zeros((1, task.n_outputs))] + outs[1:], seqs)


@pytest.mark.parametrize("name, beta", [("adding", 0.04), ("multiplication", 0.04),
                                        ("long_lag_2b", 0.25), ("long_lag_2c", 0.2),
                                        ("noise_3a", 0.2), ("noise_3b", 0.2), ("noise_3c", None),
                                        ("temporal_order_6a", 0.3), ("temporal_order_6b", 0.3)])
def test_end_abs_threshold_is_table11s(name, beta):
    assert make_task(name, **SMALL.get(name, {})).end_abs_below == beta


@pytest.mark.parametrize("name", ["adding", "long_lag_2c", "temporal_order_6a", "noise_3a"])
def test_default_criterion_is_abs_beta_at_the_end(name):
    """Task.correct's default: every output's error at the last step below end_abs_below,
    whatever the outputs before the end."""
    task, seqs = draw(name, 5, n=1)
    seq, beta = seqs[0], task.end_abs_below
    out = np.nan_to_num(seq.targets, nan=7.0)         # far off before the end: not judged
    out[-1] = seq.targets[-1] - beta / 2
    assert task.correct(out, seq)
    out[-1, -1] = seq.targets[-1, -1] - 1.01 * beta    # one output just above beta
    assert not task.correct(out, seq)


def test_a_task_without_a_criterion_says_so():
    class NoCriterion(type(make_task("adding", T=20))):
        end_abs_below = None
    task = NoCriterion(T=20)
    seq = task.sample(np.random.default_rng(0))
    with pytest.raises(NotImplementedError, match="NoCriterion sets no end_abs_below"):
        task.correct(np.zeros_like(seq.targets), seq)


def test_errors_measures():
    task = make_task("temporal_order_6a")
    seq = task.sample(np.random.default_rng(0))
    out = np.nan_to_num(seq.targets, nan=0.0)
    out[-1] += np.array([0.1, -0.2, 0.0, 0.3])
    out[0] = 5.0  # no targets before the end: ignored
    e = task.errors(out, seq)
    assert e["abs_end"] == pytest.approx(0.3)
    assert e["sq_end"] == pytest.approx(0.01 + 0.04 + 0.09)
    assert e["mean_abs_end"] == pytest.approx(0.6 / 4)
    assert e["abs_max"] == pytest.approx(0.3) and e["sq_sum"] == pytest.approx(0.14)
    with pytest.raises(ValueError, match="shape"):
        task.errors(out[:-1], seq)


def test_sequence_constructors_and_readonly():
    seq = Sequence.from_onehot(np.array([2, 0]), 3, np.zeros((2, 1)), {})
    assert seq.length == 2 and np.array_equal(seq.inputs, [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError):
        seq.inputs[0, 0] = 1.0
    dense = Sequence.dense(np.ones((4, 2)), np.zeros((4, 1)), {"k": 1})
    assert dense.onehot is None and dense.n_inputs == 2
    with pytest.raises(ValueError, match="shape"):
        Sequence.dense(np.ones((4, 2)), np.zeros((3, 1)), {})


def test_judging_helpers():
    task, seqs = draw("adding", 2, n=5)
    perfect = lambda s: np.nan_to_num(s.targets, nan=0.0)  # noqa: E731
    assert all_correct(task, perfect, seqs) and count_correct(task, perfect, seqs) == 5
    off = lambda s: perfect(s) + 0.05  # noqa: E731
    assert not all_correct(task, off, seqs) and count_correct(task, off, seqs) == 0


def test_registry_errors_name_the_choices():
    with pytest.raises(ValueError, match="unknown task 'addition'.*adding.*anbmBmAn"):
        make_task("addition")
    with pytest.raises(ValueError, match="no parameter 'N'.*valid parameters: T"):
        make_task("adding", N=3)
    assert task_parameters("long_lag_2c") == {"q": 50, "p": 50}
    assert task_parameters("noise_3b") == {"T": 100, "N": 3}
    assert task_parameters("temporal_order_6a") == {}


@pytest.mark.parametrize("name, params", [
    ("adding", {"T": 0}), ("adding", {"T": -5}), ("adding", {"T": 9}), ("adding", {"T": 10.5}),
    ("multiplication", {"T": True}), ("noise_3a", {"T": 0}), ("noise_3a", {"N": 0}),
    ("noise_3b", {"T": 10, "N": 11}), ("long_lag_2a", {"p": 0}), ("long_lag_2b", {"p": 1}),
    ("long_lag_2c", {"p": 0}), ("long_lag_2c", {"q": -1}), ("reber", {"train_size": 0}),
    ("anbn", {"train_n": [0, 1]}), ("anbn", {"train_n": []}), ("anbn", {"train_n": 5}),
    ("anbn", {"include_empty": "yes"}), ("anbmBmAn", {"train_m": [0]}),
])
def test_bad_parameters_raise(name, params):
    with pytest.raises(ValueError, match="not valid|empty"):
        make_task(name, **params)
