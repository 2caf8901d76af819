"""The formal-language study: the runner's keep-training option on a constructed learner, the
study's protocols and records."""
import dataclasses
import json
import threading
import time

import numpy as np
import pytest
from conftest import Killed, kill_after

from lstm_repro import formal_study, runner
from lstm_repro.formal_eval import generalisation
from lstm_repro.formal_study import StudyConfig, study_protocol
from lstm_repro.protocols import get_protocol
from lstm_repro.results import ResultsError
from lstm_repro.runner import run_trial


class StubLearner:
    """Answers every string exactly (accepts all) once it has seen ``learn_after`` strings, and
    then accepts every level up to ``reach(strings seen)``; rejects everything before.  Records
    how many strings it was trained on."""

    def __init__(self, learn_after, reach):
        self.seen, self.learn_after, self.reach = 0, learn_after, reach

    def train_sequences(self, seqs, *, lr, momentum=0.0, update="step", outputs="all"):
        self.seen += len(seqs)
        return [np.full(s.targets.shape, 0.5) for s in seqs]

    def forward_sequences(self, seqs):
        ok = self.seen >= self.learn_after
        limit = self.reach(self.seen)
        return [s.targets if ok and s.meta["counts"][0] <= limit else 1.0 - s.targets
                for s in seqs]

    @property
    def weights(self):
        return None


class StubProtocol(formal_study.StudyProtocol):
    def make_learner(self, rng):
        return StubLearner(25, lambda seen: 10 + seen // 10)


def stub_protocol(**stop):
    base = get_protocol("2001-anbn")
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    fields.update(stop_params={"test_max": 200, **stop}, budget=1000)
    return StubProtocol(**fields)


def test_without_keep_training_the_trial_stops_at_the_first_learned_epoch():
    rec, net = run_trial(stub_protocol(), 0, 0)
    assert rec["success"] and rec["sequences"] == 30 == net.seen      # 3 epochs of 10 strings
    assert rec["generalisation"]["N"] == 13                            # 10 + 30 // 10
    assert "generalisation_curve" not in rec and "learned_at" not in rec["events"]


def test_keep_training_trains_exactly_that_many_strings_and_records_the_curve():
    rec, net = run_trial(stub_protocol(keep_training=45, test_every=20), 0, 0)
    assert rec["success"] and rec["sequences"] == 30                   # strings until learned
    assert rec["events"]["learned_at"] == 30
    assert rec["events"]["strings_trained"] == net.seen == 75          # 30 + 45 (last epoch cut)
    assert rec["events"]["learned_at_end"] is True
    assert rec["generalisation_at_learned"]["N"] == 13
    assert rec["generalisation"]["N"] == 17                            # the final net: 10 + 7
    assert rec["generalisation_curve"] == [[50, 15], [70, 17], [75, 17]]


def test_keep_training_is_skipped_when_the_training_set_is_never_learned():
    p = dataclasses.replace(stub_protocol(keep_training=50, test_every=10), budget=20)
    rec, net = run_trial(p, 0, 0)
    assert not rec["success"] and rec["sequences"] == 20 == net.seen
    assert "generalisation_curve" not in rec


def test_bad_keep_training_is_named():
    with pytest.raises(ValueError, match="keep_training"):
        run_trial(stub_protocol(keep_training=-1), 0, 0)


def test_study_protocols_change_only_what_the_config_names():
    base = study_protocol(StudyConfig("x", "-"), "anbncn")
    dekf = get_protocol("2003-dekf-anbncn")
    assert base.learner == "dekf" and base.learner_params == dekf.learner_params
    assert base.network.spec == dekf.network.spec and base.lr == dekf.lr
    assert base.budget == dekf.budget and base.momentum == 0.0
    b = study_protocol(StudyConfig("x", "-", spec={"connectivity": "B", "forget_gate_bias": 20.0},
                                   filter={"q_final": 1e-4}), "anbncn")
    assert b.network.spec == dataclasses.replace(dekf.network.spec, connectivity="B",
                                                 forget_gate_bias=(20.0, 20.0))
    assert b.learner_params == {**dekf.learner_params, "q_final": 1e-4}
    gd = study_protocol(StudyConfig("x", "-", learner="engine", lr=1e-4), "anbn")
    assert gd.learner == "engine" and gd.learning_rate == 1e-4 and gd.momentum == 0.99
    assert gd.network.spec == get_protocol("2001-anbn").network.spec
    with pytest.raises(ValueError, match="valid values"):
        study_protocol(StudyConfig("x", "-"), "anbmBmAn")
    with pytest.raises(ValueError, match="learner='dekf'"):
        StudyConfig("x", "-", learner="engine", filter={"p0": 1.0})


def test_package_config_reproduces_the_dekf_row_trial():
    """Config "dekf" is row 2003-dekf-anbncn: the same trial, the same numbers."""
    row = get_protocol("2003-dekf-anbncn")
    row = dataclasses.replace(row, stop_params={"test_max": 30})
    want, want_net = run_trial(row, 1, 1)
    cfg = dataclasses.replace(formal_study.CONFIGS["dekf"], test_max=30)
    got, weights = formal_study.run_config(cfg, "anbncn", 1)
    for name in ("wh", "wo", "wp"):
        assert np.array_equal(getattr(weights, name), getattr(want_net.weights, name))
    assert got["seed"] == want["seed"] == 1
    assert got["learned"] == want["success"] and got["learned_at"] == want["sequences"]
    assert got["N_final"] == got["N_at_learned"] == want["generalisation"]["N"]


def test_run_study_appends_records_with_provenance_and_skips_stored_ones(tmp_path):
    cfg = StudyConfig("tiny", "-", keep_training=20, test_every=10, test_max=15)
    path = tmp_path / "records.json"
    new = formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs={"tiny": cfg})
    assert len(new) == 1 and new[0]["config"] == "tiny" and "provenance" in new[0]
    assert new[0]["strings_trained"] >= new[0]["learned_at"] + 20
    assert len(new[0]["curve"]) >= 2
    assert formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs={"tiny": cfg}) == []
    stored = json.loads(path.read_text())["records"]
    assert len(stored) == 1
    (row,) = formal_study.summary(stored, {"tiny": cfg})
    assert row["trials"] == [0] and row["N_final"] == [new[0]["N_final"]]
    with pytest.raises(KeyError, match="valid"):
        formal_study.run_study(["nope"], path=path)


def test_a_trial_another_run_stored_meanwhile_is_not_stored_twice(tmp_path, monkeypatch):
    """Two study runs given the same trials: the one that finishes second adds no record."""
    cfg = StudyConfig("tiny", "-", test_max=12)
    path = tmp_path / "records.json"
    original = formal_study.run_config

    def and_another_run_stores_it(*args, **kwargs):
        rec, weights = original(*args, **kwargs)
        theirs = {**rec, "provenance": {"by": "the other run"}}
        formal_study.write_json(path, {"about": "-", "records": [theirs]})
        return rec, weights

    monkeypatch.setattr(formal_study, "run_config", and_another_run_stores_it)
    assert formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs={"tiny": cfg}) == []
    (stored,) = json.loads(path.read_text())["records"]
    assert stored["provenance"] == {"by": "the other run"}
    assert not formal_study.net_path(path, "tiny", "anbn", 0).exists()    # the other run's to keep


def test_run_study_keeps_each_final_net_and_load_net_gives_it_back(tmp_path):
    cfg = StudyConfig("tiny", "-", keep_training=20, test_every=10, test_max=15)
    path = tmp_path / "records.json"
    (rec,) = formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs={"tiny": cfg})
    net, about = formal_study.load_net("tiny", "anbn", 0, path, {"tiny": cfg})
    assert formal_study.net_path(path, "tiny", "anbn", 0).parent == tmp_path / "nets"
    assert about["provenance"] == rec["provenance"] and about["N_final"] == rec["N_final"]
    task = study_protocol(cfg, "anbn").make_task(0)
    assert generalisation(net, task, 15)["N"] == rec["N_final"]
    other = dataclasses.replace(cfg, keep_training=30)
    with pytest.raises(ResultsError, match="other settings"):
        formal_study.load_net("tiny", "anbn", 0, path, {"tiny": other})
    with pytest.raises(ResultsError, match="no stored net.*--nets"):
        formal_study.load_net("tiny", "anbn", 1, path, {"tiny": cfg})


def test_store_net_trains_a_stored_trial_again_and_keeps_its_net_only_if_it_matches(tmp_path):
    cfg = StudyConfig("tiny", "-", keep_training=20, test_every=10, test_max=15)
    configs = {"tiny": cfg}
    path = tmp_path / "records.json"
    formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs=configs)
    npz = formal_study.net_path(path, "tiny", "anbn", 0)
    first, _ = formal_study.load_net("tiny", "anbn", 0, path, configs)
    npz.unlink()
    assert formal_study.store_net("tiny", "anbn", 0, path=path, configs=configs) == npz
    again, _ = formal_study.load_net("tiny", "anbn", 0, path, configs)
    for name in ("wh", "wo", "wp"):
        assert np.array_equal(getattr(again.weights, name), getattr(first.weights, name))
    npz.unlink()
    records = json.loads(path.read_text())
    records["records"][0]["N_final"] += 1            # a stored record the run does not give
    formal_study.write_json(path, records)
    with pytest.raises(ResultsError, match="differs from its stored record in N_final"):
        formal_study.store_net("tiny", "anbn", 0, path=path, configs=configs)
    assert not npz.exists()
    with pytest.raises(ResultsError, match="no record"):
        formal_study.store_net("tiny", "anbn", 1, path=path, configs=configs)


def test_a_dirty_tree_record_is_unchecked_until_a_clean_rerun_reproduces_it(tmp_path,
                                                                           monkeypatch):
    cfg = StudyConfig("tiny", "-", test_max=12)
    configs = {"tiny": cfg}
    path = tmp_path / "records.json"
    tree = {"dirty": True}
    real = formal_study.collect
    monkeypatch.setattr(formal_study, "collect", lambda params=None: {**real(params), **tree})
    (rec,) = formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs=configs)
    assert rec["provenance"]["dirty"]
    assert formal_study.unchecked(path) == [rec]        # its own net is no check
    npz = formal_study.net_path(path, "tiny", "anbn", 0)
    npz.unlink()
    formal_study.store_net("tiny", "anbn", 0, path=path, configs=configs)    # still dirty
    assert formal_study.unchecked(path) == [rec]
    tree["dirty"] = False
    npz.unlink()
    formal_study.store_net("tiny", "anbn", 0, path=path, configs=configs)
    assert formal_study.unchecked(path) == []
    about = json.loads(npz.with_suffix(".json").read_text())
    assert about["reproduces"]["time"] == rec["provenance"]["time"]
    records = json.loads(path.read_text())
    records["records"][0]["provenance"]["time"] = "another"     # a record the net did not check
    formal_study.write_json(path, records)
    assert len(formal_study.unchecked(path)) == 1


def test_nets_option_keeps_the_missing_nets_of_stored_trials(tmp_path, monkeypatch):
    path = tmp_path / "records.json"
    cfg = StudyConfig("tiny", "-", test_max=12)
    monkeypatch.setitem(formal_study.CONFIGS, "tiny", cfg)
    formal_study.run_study(["tiny"], ["anbn"], [0], path=path)
    npz = formal_study.net_path(path, "tiny", "anbn", 0)
    npz.unlink()
    formal_study.main(["--configs", "tiny", "--languages", "anbn", "--trials", "0", "--out",
                       str(path), "--nets"])
    assert npz.exists() and len(formal_study.load(path)) == 1


def test_nets_option_reports_a_trial_it_cannot_keep_and_goes_on(tmp_path, monkeypatch, capsys):
    path = tmp_path / "records.json"
    cfg = StudyConfig("tiny", "-", test_max=12)
    monkeypatch.setitem(formal_study.CONFIGS, "tiny", cfg)
    formal_study.run_study(["tiny"], ["anbn"], [0, 1], path=path)
    records = json.loads(path.read_text())
    records["records"][0]["N_final"] += 1             # trial 0's record: not what a run gives
    formal_study.write_json(path, records)
    for trial in (0, 1):
        formal_study.net_path(path, "tiny", "anbn", trial).unlink()
    with pytest.raises(SystemExit, match="1 net"):
        formal_study.main(["--configs", "tiny", "--languages", "anbn", "--trials", "0", "1",
                           "--out", str(path), "--nets"])
    assert "trial 0 of 'tiny' on anbn trained again differs" in capsys.readouterr().err
    assert not formal_study.net_path(path, "tiny", "anbn", 0).exists()
    assert formal_study.net_path(path, "tiny", "anbn", 1).exists()


def test_a_killed_study_trial_resumes_from_its_checkpoint_and_removes_it(tmp_path, monkeypatch):
    cfg = StudyConfig("tiny", "-", keep_training=20, test_every=10, test_max=15)
    (whole,) = formal_study.run_study(["tiny"], ["anbn"], [0], path=tmp_path / "whole.json",
                                      configs={"tiny": cfg})
    path = tmp_path / "records.json"
    keep = runner._Trial.keep_checkpoints

    def at_every_chance(self, ck, every=None, provenance=None):
        keep(self, ck, 0, provenance)

    with monkeypatch.context() as m:
        m.setattr(runner._Trial, "keep_checkpoints", at_every_chance)
        at = kill_after(m, 5)
        with pytest.raises(Killed):
            formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs={"tiny": cfg})
    ck = formal_study.checkpoint_for(path, "tiny", "anbn", 0)
    assert ck.exists() and not path.exists()
    (again,) = formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs={"tiny": cfg})
    assert not ck.exists()
    assert [r["sequences"] for r in again["resumed"]] == [at[-1]] and 0 < at[-1]
    assert at[-1] < whole["strings_trained"] and "resumed" not in whole

    def same(r):
        return {k: v for k, v in r.items() if k not in ("wall_seconds", "resumed", "provenance")}
    assert same(again) == same(whole)
    assert json.loads(path.read_text())["records"][0]["resumed"] == again["resumed"]


def test_run_study_keeps_records_another_process_stored_during_a_trial(tmp_path, monkeypatch):
    """Two studies writing one file: a record stored while a trial runs is not overwritten."""
    path = tmp_path / "records.json"
    other = {"config": "other", "language": "anbn", "trial": 0, "settings": {}}
    real = formal_study.run_config

    def run_while_another_writes(*args):
        formal_study.write_json(path, {"about": "-", "records": [other]})
        return real(*args)

    monkeypatch.setattr(formal_study, "run_config", run_while_another_writes)
    cfg = StudyConfig("tiny", "-", test_max=12)
    formal_study.run_study(["tiny"], ["anbn"], [0], path=path, configs={"tiny": cfg})
    assert [r["config"] for r in json.loads(path.read_text())["records"]] == ["other", "tiny"]


def test_run_study_waits_while_another_study_holds_the_records_lock(tmp_path, monkeypatch):
    """Another study has read the records file under the lock and is about to write it: run_study
    waits for the lock, then appends to what that study wrote (without the lock it would write
    first and the other study's write would drop its record)."""
    path = tmp_path / "records.json"
    other = {"config": "other", "language": "anbn", "trial": 0, "settings": {}}
    trial_done = threading.Event()
    real = formal_study.run_config

    def run_and_signal(*args):
        rec = real(*args)
        trial_done.set()
        return rec

    monkeypatch.setattr(formal_study, "run_config", run_and_signal)
    cfg = StudyConfig("tiny", "-", test_max=12)
    study = threading.Thread(target=formal_study.run_study, args=(["tiny"], ["anbn"], [0]),
                             kwargs={"path": path, "configs": {"tiny": cfg}})
    with formal_study.records_lock(path):
        records = formal_study.load(path)          # the other study reads ...
        study.start()
        assert trial_done.wait(120)
        time.sleep(0.5)                             # ... while run_study tries to store its trial
        assert not path.exists()
        formal_study.write_json(path, {"about": "-", "records": records + [other]})
    study.join(120)
    assert [r["config"] for r in json.loads(path.read_text())["records"]] == ["other", "tiny"]


@pytest.mark.parametrize("learner,connectivity,g", [("engine", "G", "id"), ("dekf", "G", "id"),
                                                     ("engine", "B", "id"), ("dekf", "B", "g2")])
def test_hand_wired_start_copies_the_counter_into_the_learner(learner, connectivity, g):
    from lstm_repro.formal_eval import hand_wired_anbn
    cfg = StudyConfig("x", "-", learner=learner, init="hand-wired",
                      spec={"connectivity": connectivity, "g": g})
    net = study_protocol(cfg, "anbn").make_learner(np.random.default_rng(0))
    assert net.spec.g == g
    assert np.array_equal(net.weights.flat(), hand_wired_anbn(g=g).weights.flat())
    assert type(net).__name__ == ("Network" if learner == "engine" else "DEKFLearner")
    rand = study_protocol(dataclasses.replace(cfg, init="random"), "anbn")
    assert not np.array_equal(rand.make_learner(np.random.default_rng(0)).weights.flat(),
                              net.weights.flat())


def test_hand_wired_start_of_anbncn_holds_both_counters():
    from lstm_repro.formal_eval import hand_wired_anbncn
    cfg = StudyConfig("x", "-", init="hand-wired", spec={"connectivity": "B", "g": "g2"})
    net = study_protocol(cfg, "anbncn").make_learner(np.random.default_rng(0))
    assert net.spec.n_blocks == 2 and net.spec.g == "g2"
    assert np.array_equal(net.weights.flat(), hand_wired_anbncn(g="g2").weights.flat())


def test_hand_wired_start_refuses_nets_it_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        study_protocol(StudyConfig("x", "-", init="hand-wired", spec={"block_size": 2}),
                       "anbn").make_learner(np.random.default_rng(0))
    with pytest.raises(ValueError, match="init='x' is not valid"):
        StudyConfig("x", "-", init="x")


def test_cross_entropy_configs_reach_the_engine_and_default_settings_stay_as_stored():
    cfg = StudyConfig("x", "-", learner="engine", error="cross-entropy")
    p = study_protocol(cfg, "anbn")
    assert p.learner_params == {"error": "cross-entropy"}
    assert p.make_learner(np.random.default_rng(0)).error == "cross-entropy"
    assert study_protocol(StudyConfig("x", "-", learner="engine"), "anbn").learner_params == {}
    with pytest.raises(ValueError, match="needs learner='engine'"):
        StudyConfig("x", "-", error="cross-entropy")
    # fields added later appear in a record's settings only when not at their default, so
    # records stored before them still match their config
    assert "init" not in formal_study.settings(StudyConfig("x", "-"))
    assert "error" not in formal_study.settings(StudyConfig("x", "-"))
    assert formal_study.settings(cfg)["error"] == "cross-entropy"


@pytest.mark.parametrize("name", ["dekf-keep-g2-B-cec-h1", "dekf-keep-g2-B-cec-h1-long",
                                  "dekf-keep-g2-Ggates-cec-h1", "dekf-keep-g2-Ggates-cec-h1-long",
                                  "gd-lr1e-4-B-keep-cec-g2h1", "gd-lr1e-4-B-keep-xent-cec-g2h1",
                                  "dekf-keep-g2-B-cec-h1-bernoulli-long",
                                  "dekf-keep-g2-B-cec-h1-bernoulli-2M"])
def test_whole_1997_cell_configs_build_that_cell(name):
    """The 1997-cell diagnostics train the 1997 cell (g in [-2, 2], h in [-1, 1], neither
    peepholes nor forget gate) under the connectivity and with the learner their name says."""
    cfg = formal_study.CONFIGS[name]
    for language in formal_study.LANGUAGES:
        p = formal_study.study_protocol(cfg, language)
        spec = p.network.spec
        assert (spec.g, spec.h) == ("g2", "h1")
        assert spec.connectivity == ("G-gates" if "Ggates" in name else "B")
        assert not spec.peepholes and not spec.forget_gate
        assert p.learner == cfg.learner and not cfg.paper
        if "xent" in name:
            assert p.learner_params == {"error": "cross-entropy"}
        if "bernoulli" in name:
            assert p.learner_params == {"noise_model": "bernoulli"}


def test_h1_config_squashes_only_the_cell_output():
    """dekf-keep-g2-B-h1 is dekf-keep-g2-B with h in [-1, 1] (peepholes and forget gate kept)."""
    h1, base = formal_study.CONFIGS["dekf-keep-g2-B-h1"], formal_study.CONFIGS["dekf-keep-g2-B"]
    assert h1.spec == {**base.spec, "h": "h1"}


def test_every_stored_record_is_from_a_clean_tree_or_was_reproduced_from_one():
    """The study's records (data/formal_study/records.json) that ran from a dirty tree were each
    trained again from a clean clone (formal_study --nets), which gave the same record."""
    unchecked = formal_study.unchecked()
    assert not unchecked, (f"{len(unchecked)} records from a dirty tree not reproduced, e.g. "
                           f"{[(r['config'], r['language'], r['trial']) for r in unchecked[:5]]}; "
                           "from a clean clone, remove such a trial's net (if any) and run "
                           "python -m lstm_repro.formal_study --nets for it")
