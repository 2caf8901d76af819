"""Random weight guessing (lstm_repro.guessing): weight draws, the sequential screen, the search
judged by ST1/ST2 on the LSTM trial's test set, the budget, and the results store."""
import numpy as np
import pytest

from lstm_repro import criteria
from lstm_repro import guessing as g
from lstm_repro.engine import Network
from lstm_repro.protocols import get_protocol
from lstm_repro.results import ResultsError


class _Echo:
    """A stand-in net whose outputs are its inputs: ``forward_sequences`` returns the list."""
    calls = 0

    def forward_sequences(self, seqs):
        _Echo.calls += 1
        return list(seqs)


class _Flags:
    """A stand-in task: sequence s is classified correctly iff s is True."""
    def correct(self, y, s):
        return bool(s)


def test_draw_weights_fills_every_connection_uniformly():
    spec = get_protocol("3a-T100-N3").network.spec
    net = Network(spec, seed=0)
    g.draw_weights(net, np.random.default_rng(1), 100.0)
    lay, w = net.layout, net.weights
    for a, mask in ((w.wh, lay.mask_h), (w.wo, lay.mask_o), (w.wp, lay.mask_p)):
        assert np.all(a[mask == 0] == 0.0) and np.all(np.abs(a) <= 100.0)
    drawn = np.concatenate([w.wh[lay.mask_h == 1], w.wo[lay.mask_o == 1]])
    assert drawn.size == spec.weight_count() == 102
    # the gate biases are guessed too (not the row's -1, -3, -5 / -2, -4, -6)
    bias = w.wh[:2 * spec.n_blocks, lay.n_src - 1]
    assert not np.allclose(bias, [-1, -3, -5, -2, -4, -6])
    big = [np.abs(Network(spec, seed=0).weights.wh).max()]
    for seed in range(20):
        g.draw_weights(net, np.random.default_rng(seed), 100.0)
        big.append(np.abs(net.weights.wh).max())
    assert max(big) > 90.0          # the whole interval is used, not the init range 0.1


def test_screen_counts_sequences_up_to_the_rejecting_one():
    flags = [True] * 5 + [False] + [True] * 10 + [False] + [True] * 20
    outs, ran = g.screen(_Echo(), _Flags(), flags, max_wrong=0)
    assert outs is None and ran == 6
    outs, ran = g.screen(_Echo(), _Flags(), flags, max_wrong=1)
    assert outs is None and ran == 17
    outs, ran = g.screen(_Echo(), _Flags(), flags, max_wrong=2)
    assert outs == flags and ran == len(flags)
    _Echo.calls = 0
    g.screen(_Echo(), _Flags(), [True] * 256, max_wrong=0)
    assert _Echo.calls < 12         # chunks of 1, 1, 2, 4, ..., 64: not one call per sequence


def test_guessing_solves_3a_judged_on_the_lstm_trials_test_set():
    protocol = g.guess_protocol("3a-T100-N3", "quick")
    record, net = g.run_guess_trial(protocol, trial=0, seed=5)
    assert record["success"] and record["learner"] == "guess"
    ev = record["events"]
    assert ev["st2_guess"] == ev["guesses"] and ev["st1_guess"] <= ev["st2_guess"]
    assert ev["st1"] <= ev["st2"] == record["sequences"] <= protocol.budget + 256
    # the solving guess meets ST2 on the 256 test sequences the LSTM trial of seed 5 uses
    base = get_protocol("3a-T100-N3", "quick")
    task = base.make_task(0)
    test_rng = np.random.default_rng(5).spawn(3)[2]
    test256 = task.test_set(test_rng, 256)
    assert criteria.st2(criteria.Exp3Evaluation.of(task, net.forward_sequences(test256), test256))
    assert record["test"]["n"] == base.test_size
    again, _ = g.run_guess_trial(protocol, trial=0, seed=5)
    assert {k: again[k] for k in ("sequences", "events")} == \
        {k: record[k] for k in ("sequences", "events")}


def test_guessing_fails_on_3c_within_a_small_budget():
    protocol = g.guess_protocol("3c-T100-N3", "quick", budget=2000)
    record, _ = g.run_guess_trial(protocol, trial=0, seed=0)
    assert not record["success"] and record["stopped"] == "budget"
    assert 2000 <= record["sequences"] < 2000 + 256
    assert record["events"]["guesses"] > 500        # most guesses fail on the first sequences
    assert "test" not in record and record["events"]["best_reach"] < 256


def test_protocol_checks_its_arguments():
    p = g.guess_protocol("3a-T100-N1", "paper")
    assert p.budget == g.GUESS_BUDGET and p.weight_range == 100.0 and p.trials == 10
    assert p.task_params == {"T": 100, "N": 1} and p.results_name == "3a-T100-N1--guess"
    with pytest.raises(ValueError, match="Experiment 3 rows"):
        g.guess_protocol("6a")
    with pytest.raises(ValueError, match="scale"):
        g.guess_protocol("3a-T100-N3", "huge")
    with pytest.raises(ValueError, match="weight_range"):
        g.guess_protocol("3a-T100-N3", weight_range=0.0)


def test_rows_are_stored_resumed_and_checked(tmp_path):
    records = g.run_guess_row("3a-T100-N3", "quick", trials=2, root=tmp_path)
    assert [r["trial"] for r in records] == [0, 1]
    folder = tmp_path / "quick" / "3a-T100-N3--guess"
    assert (folder / "trial-001.npz").is_file() and (folder / "config.json").is_file()
    assert g.load_guess_records("3a-T100-N3", "quick", tmp_path) == records
    again = g.run_guess_row("3a-T100-N3", "quick", trials=2, root=tmp_path)   # resumes: nothing
    assert [r["wall_seconds"] for r in again] == [r["wall_seconds"] for r in records]
    s = g.summary(records)
    assert s["trials"] == 2 and s["guesses"] == sum(r["events"]["guesses"] for r in records)
    assert s["successes"] == 2 and 2 <= s["st1_guesses"] <= s["guesses"]   # the solving guesses met ST1
    with pytest.raises(ResultsError, match="different configuration"):
        g.run_guess_row("3a-T100-N3", "quick", trials=2, root=tmp_path, budget=123)
    assert g.load_guess_records("3c-T100-N3", "quick", tmp_path) == []
