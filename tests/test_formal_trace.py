"""lstm_repro.formal_trace: what a formal-language study's learner does along the way."""
import dataclasses

import numpy as np
import pytest

from lstm_repro import formal_study, formal_trace


def test_hand_wired_drift_starts_from_the_exact_counter_and_records_the_learners_steps():
    cfg = formal_study.CONFIGS["gd-keep-hand"]
    drift = formal_trace.hand_wired_drift(cfg, strings=20, every=10, test_max=30)
    assert [d["strings"] for d in drift] == [0, 10, 20]
    start = drift[0]
    assert abs(start["step_a"] - 1) < 1e-6 and abs(start["step_b"] + 1) < 1e-6
    assert start["imbalance"] < 1e-6 and start["spread"] < 1e-6 and start["N"] == 30
    assert drift[-1]["step_a"] != start["step_a"]          # the learner moved the counter
    with pytest.raises(ValueError, match="hand-wired"):
        formal_trace.hand_wired_drift(formal_study.CONFIGS["gd-keep"], 10, 10)


@pytest.mark.parametrize("name,language,trial", [("dekf-keep", "anbn", 1), ("gd", "anbn", 0)])
def test_weight_trace_retraces_the_studys_trial(name, language, trial):
    """The trace trains the trial as the study does: it first accepts the training set after
    the strings the record says, with the weights the study's net has then."""
    cfg = dataclasses.replace(formal_study.CONFIGS[name], keep_training=0, test_every=0)
    rec, weights = formal_study.run_config(cfg, language, trial)
    trace = formal_trace.weight_trace(cfg, language, trial, rec["learned_at"])
    assert trace[0]["strings"] == 0 and trace[0]["moved"] == 0.0 and not trace[0]["learned"]
    first = next(t for t in trace if t["learned"])
    assert first is trace[-1] and first["strings"] == rec["learned_at"]
    assert first["w_out"] == np.abs(weights.wo).max()
    assert all(t["moved"] > 0 for t in trace[1:])
    assert all(t["learned"] == (t["wrong"] == 0) for t in trace)
    assert trace[0]["wrong"] > 0 and trace[0]["wrong_saturated"] == 0   # random outputs near 0.5
    start = formal_trace.weight_trace(cfg, language, trial, 0, saturated=0.26)   # y (1 - y) <= 1/4
    assert start == [{**trace[0], "wrong_saturated": trace[0]["wrong"]}]
    assert (first["updates"] is None) == (cfg.learner == "engine")
    if cfg.learner == "dekf":        # one filter update per target step of the strings so far
        assert first["updates"] > first["strings"]
