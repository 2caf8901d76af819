"""Checkpoints of trials in progress: a killed trial resumes where it was, with the same results
bit for bit (lstm_repro.runner, lstm_repro.results)."""
from dataclasses import replace

import numpy as np
import pytest
from conftest import Killed, kill_after

from lstm_repro import formal_study, runner
from lstm_repro.protocols import get_protocol
from lstm_repro.results import ResultsError, checkpoint_path
from lstm_repro.runner import run_row, run_trial


def _same(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("wall_seconds", "resumed")}


def _always_correct(monkeypatch) -> None:
    """Every training sequence judged correct: Exp 2's streak of correct sequences then reaches
    its length again and again, so the streak and the test stream are live state at a kill."""
    note = runner._Trial.note
    monkeypatch.setattr(runner._Trial, "note", lambda self, seqs, outs, key: [
        True for _ in note(self, seqs, outs, key)])


# (protocol, every training sequence correct?): one per stopping rule that checkpoints
CASES = {
    "abs_test (2c-1)": (replace(get_protocol("2c-1", "quick"), budget=600,
                                stop_params={"streak": 25, "confirm": 20}), True),
    "abs_test with construction (2a)": (replace(get_protocol("2a", "quick"), budget=600), False),
    "exp3 (3a-T100-N1)": (replace(get_protocol("3a-T100-N1", "quick"), budget=600), False),
    # the rule holds once its window of 100 is full: 100 sequences after the rule was made
    "online (4-1)": (replace(get_protocol("4-1", "quick"), budget=300, stop_params={
        "rule": "nseq", "n_seq": 101, "window": 100}), False),
    "solved (1-1)": (replace(get_protocol("1-1", "quick"), budget=500,
                             stop_params={"check_every": 100}), False),
    "formal (2001-anbn)": (replace(get_protocol("2001-anbn", "quick"), budget=300), False),
}


def _formal_keep_protocol():
    """A formal-language trial with a DEKF learner that learns its training set and trains on
    (keep_training) with a generalisation curve."""
    cfg = formal_study.CONFIGS["dekf-keep-g2-B-cec-h1-bernoulli-long"]
    protocol = formal_study.study_protocol(cfg, "anbncn")
    return replace(protocol, stop_params={**protocol.stop_params, "keep_training": 300,
                                          "test_every": 100, "test_max": 30})


@pytest.mark.parametrize("case", CASES)
def test_a_killed_trial_resumes_with_the_same_results_bit_for_bit(case, tmp_path, monkeypatch):
    protocol, correct = CASES[case]
    if correct:
        _always_correct(monkeypatch)
    whole, whole_net = run_trial(protocol, 0, 7)
    path = tmp_path / "trial-000.checkpoint"
    with monkeypatch.context() as m:
        kill_after(m, 3)
        with pytest.raises(Killed):
            run_trial(protocol, 0, 7, checkpoint=path, checkpoint_every=0)
    assert path.exists()
    resumed, net = run_trial(protocol, 0, 7, checkpoint=path, checkpoint_every=None)
    assert _same(resumed) == _same(whole)
    for name in ("wh", "wo", "wp"):
        assert np.array_equal(getattr(net.weights, name), getattr(whole_net.weights, name))
    assert [r["sequences"] for r in resumed["resumed"]] == [resumed["resumed"][0]["sequences"]]
    assert 0 < resumed["resumed"][0]["sequences"] < whole["sequences"]
    assert "resumed" not in whole
    if case.startswith("online"):
        assert whole["success"] and whole["sequences"] == 100
    if correct:
        assert whole["events"]["tests_run"] > 3


def test_a_checkpoint_from_before_scored_was_kept_resumes_bit_for_bit(tmp_path, monkeypatch):
    """Checkpoints written before _Trial had ``_scored`` (before 704960d) lack it; they resume
    as any other (a 2c-4 trial's did not: AttributeError in note)."""
    protocol, _ = CASES["abs_test (2c-1)"]
    _always_correct(monkeypatch)
    whole, _ = run_trial(protocol, 0, 7)
    path = tmp_path / "trial-000.checkpoint"
    state = runner._Trial.__getstate__
    with monkeypatch.context() as m:
        kill_after(m, 3)
        m.setattr(runner._Trial, "__getstate__", lambda self: {
            k: v for k, v in state(self).items() if k != "_scored"} | {"_old": True})
        with pytest.raises(Killed):
            run_trial(protocol, 0, 7, checkpoint=path, checkpoint_every=0)
    assert runner.read_checkpoint(path)["run"]._old      # the old-style state was written
    resumed, _ = run_trial(protocol, 0, 7, checkpoint=path, checkpoint_every=None)
    assert _same(resumed) == _same(whole) and resumed["resumed"]


def test_a_formal_trial_killed_after_it_learned_resumes_in_its_keep_training(tmp_path,
                                                                             monkeypatch):
    protocol = _formal_keep_protocol()
    whole, whole_net = run_trial(protocol, 0, 7)
    learned_at = whole["events"]["learned_at"]
    assert whole["success"] and len(whole["generalisation_curve"]) == 3
    path = tmp_path / "trial-000.checkpoint"
    with monkeypatch.context() as m:      # one checkpoint per epoch (10 strings) with every=0
        kill_after(m, learned_at // 10 + 15)
        with pytest.raises(Killed):
            run_trial(protocol, 0, 7, checkpoint=path, checkpoint_every=0)
    resumed, net = run_trial(protocol, 0, 7, checkpoint=path, checkpoint_every=None)
    assert learned_at + 100 < resumed["resumed"][0]["sequences"] < learned_at + 300
    assert _same(resumed) == _same(whole)
    for name in ("wh", "wo", "wp"):
        assert np.array_equal(getattr(net.weights, name), getattr(whole_net.weights, name))


def test_a_checkpoint_waits_for_its_interval(tmp_path):
    path = tmp_path / "trial-000.checkpoint"
    run_trial(CASES["online (4-1)"][0], 0, 7, checkpoint=path, checkpoint_every=3600)
    assert not path.exists()


def test_a_checkpoint_of_another_run_or_a_corrupt_one_is_named_and_left_alone(tmp_path,
                                                                             monkeypatch):
    protocol = CASES["online (4-1)"][0]
    path = tmp_path / "trial-000.checkpoint"
    kill_after(monkeypatch, 2)
    with pytest.raises(Killed):
        run_trial(protocol, 0, 7, checkpoint=path, checkpoint_every=0)
    monkeypatch.undo()
    stored = path.read_bytes()
    with pytest.raises(ResultsError, match="belongs to another run.*Delete it"):
        run_trial(protocol, 0, 8, checkpoint=path)
    with pytest.raises(ResultsError, match="belongs to another run"):
        run_trial(replace(protocol, lr=0.5), 0, 7, checkpoint=path)
    assert path.read_bytes() == stored
    path.write_bytes(b"not a pickle")
    with pytest.raises(ResultsError, match=f"checkpoint {path} cannot be used.*left untouched"):
        run_trial(protocol, 0, 7, checkpoint=path)
    assert path.read_bytes() == b"not a pickle"


def test_run_row_resumes_a_checkpoint_and_removes_it_once_the_trial_is_stored(tmp_path,
                                                                             monkeypatch):
    whole = run_row("6a", scale="quick", trials=1, root=tmp_path / "whole", progress=False)
    directory = tmp_path / "quick" / "6a"
    kill_after(monkeypatch, 4)
    with pytest.raises(Killed):     # what a killed worker leaves: the config and a checkpoint
        run_row("6a", scale="quick", trials=1, root=tmp_path, progress=False, jobs=1,
                checkpoint_every=0)
    monkeypatch.undo()
    assert checkpoint_path(directory, 0).exists()
    again = run_row("6a", scale="quick", trials=1, root=tmp_path, progress=False)
    assert not checkpoint_path(directory, 0).exists()
    assert again[0]["resumed"][0]["sequences"] > 0
    assert _same({**again[0], "provenance": None}) == _same({**whole[0], "provenance": None})
