"""The readings of Experiment 1 (lstm_repro.reber_study): tasks, protocols, diagnosis, command."""
import dataclasses
import json

import numpy as np
import pytest

from lstm_repro import reber_study as rs
from lstm_repro.protocols import get_protocol
from lstm_repro.runner import run_trial
from lstm_repro.tasks import make_task
from lstm_repro.tasks.reber import INDEX, SYMBOLS


def strings(seqs):
    return [s.meta["string"] for s in seqs]


@pytest.fixture(scope="module")
def package_task():
    return rs.ReadingTask(rs.READINGS["package"], data_seed=1)


def test_package_reading_is_the_package_task(package_task):
    task = make_task("reber", data_seed=1)
    assert strings(package_task.training_set) == strings(task.training_set)
    assert strings(package_task.test_set(None)) == strings(task.test_set(None))
    for a, b in zip(package_task.training_set, task.training_set):
        assert np.array_equal(a.onehot, b.onehot) and np.array_equal(a.targets, b.targets)
        assert np.array_equal(a.meta["legal"], b.targets == 1.0)


def test_package_reading_reproduces_the_runner():
    """Same seed, same trial: the study's run is the runner's run, record for record."""
    budget = 1000
    expected, _ = run_trial(dataclasses.replace(get_protocol("1-5", "paper"), budget=budget), 3,
                            3)
    got = rs.run_reading("1-5", rs.READINGS["package"], trial=3, budget=budget, base_seed=0)
    assert got["seed"] == 3
    for key in ("success", "sequences", "curve"):
        assert got[key] == expected[key]
    assert set(got["diagnosis"]) >= {"branch", "train_correct", "test_correct"}


def test_next_symbol_targets_are_one_hot_and_judged_on_legal_sets():
    task = rs.ReadingTask(rs.READINGS["next-symbol targets"], data_seed=1)
    seq = task.training_set[0]
    s = seq.meta["string"]
    assert np.array_equal(seq.targets.argmax(axis=1), [INDEX[c] for c in s[1:]])
    assert np.all(seq.targets.sum(axis=1) == 1.0)
    # outputs equal to the one-hot targets miss a legal successor where there are two
    assert seq.meta["legal"].sum(axis=1).max() == 2
    assert not task.correct(seq.targets.copy(), seq)
    assert task.correct(seq.meta["legal"].astype(float), seq)


def test_package_sets_repeat_short_strings_and_keep_test_apart():
    task = rs.ReadingTask(rs.READINGS["package"], data_seed=0)
    train, test = strings(task.training_set), strings(task.test_set(None))
    assert len(train) == len(test) == 256
    assert len(set(train)) < 256                              # repeats
    assert np.mean([len(s) == 9 for s in train]) > 0.15        # about a quarter have length 9
    assert not set(train) & set(test)


def test_distinct_sets_reading_is_the_earlier_package_task():
    task = rs.ReadingTask(rs.READINGS["distinct sets"], data_seed=2)
    old = make_task("reber", data_seed=2, sets="distinct")
    assert strings(task.training_set) == strings(old.training_set)
    assert strings(task.test_set(None)) == strings(old.test_set(None))
    assert len(set(strings(task.training_set))) == 256
    # readings run before the switch keep the distinct sets they ran with
    assert all(r.sets == "distinct" for r in rs.READINGS.values()
               if r.question not in ("-", "targets + data sets", "targets + data sets + update timing"))


def test_no_first_b_starts_on_the_branch_symbol():
    task = rs.ReadingTask(rs.READINGS["no first B"], data_seed=0)
    for seq in task.training_set[:20]:
        s = seq.meta["string"]
        assert seq.length == len(s) - 2
        assert SYMBOLS[seq.onehot[0]] == s[1]
        assert seq.meta["legal"][0, INDEX["B"]] and seq.meta["legal"][0].sum() == 1


def test_igb_range_scales_only_the_input_gate_biases():
    base = rs.reading_protocol("1-2", rs.READINGS["package"])
    narrow = rs.reading_protocol("1-2", rs.READINGS["igb r in [-0.1, 0.1]"])
    a = base.make_learner(np.random.default_rng(5))
    b = narrow.make_learner(np.random.default_rng(5))
    lay = a.layout
    col = lay.n_src - 1
    assert np.allclose(b.weights.wh[:3, col], a.weights.wh[:3, col] / 2)
    assert np.all(np.abs(b.weights.wh[:3, col]) <= 0.1)
    keep = np.ones_like(a.weights.wh, dtype=bool)
    keep[:3, col] = False
    assert np.array_equal(a.weights.wh[keep], b.weights.wh[keep])
    assert list(b.weights.wh[3:6, col]) == [-1.0, -2.0, -3.0]   # output-gate biases untouched


def test_reading_protocol_changes_network_lr_and_update():
    p = rs.reading_protocol("1-5", rs.READINGS["alpha x 2"], budget=500)
    assert p.network.lr == 1.0 and p.budget == 500 and p.update == "step"
    p = rs.reading_protocol("1-5", rs.READINGS["legend squashers"])
    assert (p.network.spec.g, p.network.spec.h) == ("h1", "g2") and p.budget == 100_000
    assert rs.reading_protocol("1-2", rs.READINGS["per-string updates"]).update == "sequence"
    assert rs.reading_protocol("1-2", rs.READINGS["all units biased"]).network.spec \
        .weight_count() == 276 + 6 + 7


class _Echo:
    """A stand-in learner (the TorchLearner interface: ``reference.trace(inputs)``) whose outputs
    are the legal mask, optionally with the branch swapped."""

    def __init__(self, task, swap_branch):
        self.seqs = task.training_set + task.test_set(None)
        self.swap = swap_branch
        self.reference = self
        self.spec = rs.reading_protocol("1-5", rs.READINGS["package"]).network.spec

    def trace(self, inputs):
        seq = next(s for s in self.seqs if np.array_equal(s.inputs, inputs))
        y = seq.meta["legal"].astype(float)
        if self.swap:
            t = len(seq.meta["string"]) - 3
            y[t, [INDEX["T"], INDEX["P"]]] = y[t, [INDEX["P"], INDEX["T"]]]
        return {"outputs": y, "states": np.zeros((len(y), 6)), "units": np.full((len(y), 12), 0.5)}


def test_diagnose_separates_the_branch_step_from_the_others():
    task = rs.ReadingTask(rs.READINGS["package"], data_seed=0)
    task.training_set, task._test = task.training_set[:8], task._test[:8]
    good = rs.diagnose(_Echo(task, False), task)
    assert good["train_correct"] == good["test_correct"] == good["branch"] == 1.0
    assert good["other_steps_wrong"] == 0.0
    assert np.allclose(good["slope_at_inner_e"], 0.5)
    assert np.allclose(good["entry_at_inner_e"], 0.25)
    bad = rs.diagnose(_Echo(task, True), task)
    assert bad["branch"] == 0.0 and bad["train_correct"] == 0.0 and bad["other_steps_wrong"] == 0.0


def test_bad_names_are_refused():
    with pytest.raises(KeyError, match="valid readings"):
        rs.get_reading("nonsense")
    with pytest.raises(ValueError, match="valid values"):
        rs.Reading("x", "-", "-", targets="onehot")


def test_command_appends_and_skips_done_trials(tmp_path):
    out = tmp_path / "study.json"
    args = ["--rows", "1-5", "--readings", "package", "--trials", "0", "--budget", "200",
            "--out", str(out)]
    rs.main(args)
    rs.main(args)
    stored = json.loads(out.read_text())
    assert len(stored["records"]) == 1 and "provenance" in stored
    assert rs.load_study(out)[0]["reading"] == "package"
    assert rs.load_study(tmp_path / "none.json") == []


def test_criteria_differ_where_a_legal_unit_ranks_below_an_illegal_one():
    legal = np.zeros((2, 7), dtype=bool)
    legal[0, [INDEX["T"], INDEX["P"]]] = True       # two legal successors
    legal[1, INDEX["E"]] = True                     # one
    y = np.full((2, 7), 0.05)
    y[0, [INDEX["T"], INDEX["P"], INDEX["S"]]] = 0.6, 0.1, 0.2   # P below the illegal S
    y[1, INDEX["E"]] = 0.5
    assert list(rs.steps_correct(y, legal, "all")) == [False, True]
    assert list(rs.steps_correct(y, legal, "top")) == [True, True]
    y[1, INDEX["B"]] = 0.9                          # an illegal unit on top
    assert list(rs.steps_correct(y, legal, "top")) == [True, False]
    task = rs.ReadingTask(rs.READINGS["argmax criterion"], data_seed=0)
    seq = task.training_set[0]
    assert task.correct(seq.meta["legal"] * 0.5 + 0.1, seq)


def test_gradient_comparison_starts_both_learners_alike():
    """Same weights, same strings: after one string the full gradient is close to the truncated
    one but not identical (BPTT also flows through the gates' and cells' recurrent inputs)."""
    res = rs.gradient_comparison("1-5", 0, checkpoints=(1, 2), limit=4)
    assert [(r["learner"], r["sequences"]) for r in res] == \
        [("truncated", 1), ("truncated", 2), ("full", 1), ("full", 2)]
    a = np.array(res[0]["diagnosis"]["state_at_inner_e"])
    b = np.array(res[2]["diagnosis"]["state_at_inner_e"])
    assert not np.array_equal(a, b)
    assert np.allclose(a, b, rtol=0.2, atol=0.05)


def test_branch_target_only_asks_for_the_branch_symbol_after_the_inner_e():
    task = rs.ReadingTask(rs.READINGS["branch target only"], data_seed=0)
    for seq in task.training_set[:20]:
        s = seq.meta["string"]
        have = ~np.isnan(seq.targets).all(axis=1)
        assert list(np.flatnonzero(have)) == [len(s) - 3]
        assert SYMBOLS[seq.targets[len(s) - 3].argmax()] == s[1] and np.nansum(seq.targets) == 1


def test_soft_targets_keep_the_legal_sets():
    task = rs.ReadingTask(rs.READINGS["soft targets"], data_seed=0)
    seq = task.training_set[0]
    assert set(np.unique(seq.targets)) == {0.1, 0.9}
    assert np.array_equal(seq.targets > 0.5, seq.meta["legal"])


@pytest.mark.parametrize("row", ["1-1", "1-5"])
def test_plain_forward_agrees_with_the_engine_on_reber_strings(row):
    from lstm_repro.engine import Network
    p = rs.reading_protocol(row, rs.READINGS["package"])
    net = Network(p.network.spec, seed=2)
    task = p.make_task(0)
    for seq in task.training_set[:5]:      # also after some learning: larger weights
        net.train_sequence(onehot=seq.onehot, targets=seq.targets, lr=0.5)
    for seq in task.training_set[5:10]:
        assert np.allclose(rs.plain_forward(net.spec, net.weights, seq.onehot),
                           net.forward(onehot=seq.onehot), atol=1e-12)


def test_plain_forward_refuses_other_cells():
    from lstm_repro.spec import NetworkSpec, init_weights
    spec = NetworkSpec(forget_gate=True)
    with pytest.raises(ValueError, match="1997 cell"):
        rs.plain_forward(spec, init_weights(spec, np.random.default_rng(0)), np.zeros(3, int))


def test_learning_course_follows_the_runner():
    """The course's net after n strings is the runner's net after n strings."""
    course = rs.learning_course("1-5", rs.READINGS["package"], trial=4, strings=200, every=100,
                                limit=16)
    assert [c["sequences"] for c in course] == [100, 200]
    p = dataclasses.replace(rs.reading_protocol("1-5", rs.READINGS["package"]), budget=200)
    _, net = run_trial(p, 4, 4)
    again = rs.diagnose(net, p.make_task(4), limit=16)
    assert again == {k: v for k, v in course[-1].items() if k != "sequences"}
    slope = np.array(again["slope_at_inner_e"])
    assert np.all((slope > 0) & (slope <= 0.5))          # h' of h1 lies in (0, 0.5]
