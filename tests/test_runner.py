"""The trial runner: determinism, resumption after a kill, atomic files, stopping rules."""
import json
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lstm_repro.protocols import PROTOCOLS, get_protocol
from lstm_repro.results import ResultsError, load_trials, open_row, read_weights
from lstm_repro.runner import run_row, run_trial

REPO = Path(__file__).resolve().parents[1]


def test_every_lstm_paper_row_has_a_protocol_with_the_papers_trial_count():
    from lstm_repro import paper
    lstm = {k: r for k, r in paper.PAPER_ROWS.items() if not r.competitor}
    assert set(PROTOCOLS) == set(lstm) | set(paper.READING_ROWS) | set(paper.GERS2001_ROWS)
    #                                                        2001: tests/test_formal_rows.py
    for row_id, prot in ((k, p) for k, p in PROTOCOLS.items() if k in lstm):
        assert prot.trials == lstm[row_id].trials
        assert prot.config_row == lstm[row_id].config_row


def test_a_reading_row_changes_only_its_gate_biases_or_its_squashers():
    from lstm_repro import paper
    for row_id in paper.READING_ROWS:
        base = PROTOCOLS[row_id.rsplit("-", 1)[0]]
        reading = PROTOCOLS[row_id]
        a, b = base.to_dict(), reading.to_dict()
        assert {k for k in a if a[k] != b[k]} == {"row", "config_row", "network"}
        sa, sb = a["network"]["spec"], b["network"]["spec"]
        changed = {k for k in sa if sa[k] != sb[k]}
        assert changed in ({"out_gate_bias"}, {"in_gate_bias"}, {"g", "h"})
        assert reading.network.spec.weight_count() == base.network.spec.weight_count()
        if changed == {"g", "h"}:                                     # the legend's ranges
            assert (sa["g"], sa["h"], sb["g"], sb["h"]) == ("g2", "h1", "h1", "g2")
            continue
        (key,) = changed
        assert sa[key] is None and all(v < 0 for v in sb[key])       # Table 10's "r" -> negative
        assert len(sb[key]) == reading.network.spec.n_blocks


@pytest.mark.parametrize("row_id", ["1-2", "2a", "2c-1", "3a-T100-N3", "5-nseq13", "6a"])
def test_quick_trial_runs_and_is_deterministic(row_id):
    prot = replace(get_protocol(row_id, "quick"), budget=400)
    a, net_a = run_trial(prot, trial=1, seed=7)
    b, net_b = run_trial(prot, trial=1, seed=7)
    a.pop("wall_seconds"), b.pop("wall_seconds")
    assert a == b
    assert np.array_equal(net_a.weights.flat(), net_b.weights.flat())
    assert a["sequences"] <= 400 and a["stopped"] in ("criterion", "budget")
    assert a["success"] == (a["stopped"] == "criterion")


def test_a_successful_online_trial_stops_at_the_rule():
    """6a at paper scale learns in a few tens of thousands of sequences; with a window of 50 the
    ST3 rule must stop it early, with a test of 2560 sequences recorded."""
    prot = get_protocol("6a", "paper")
    prot = replace(prot, stop_params={**prot.stop_params, "window": 50}, test_size=200)
    rec, _ = run_trial(prot, trial=0, seed=0)
    assert rec["success"] and rec["stopped"] == "criterion"
    assert rec["sequences"] < prot.budget
    assert rec["test"]["n"] == 200


def test_budget_exhausted_is_recorded_as_failure():
    prot = replace(get_protocol("4-1", "quick"), budget=30)
    rec, _ = run_trial(prot, trial=0, seed=0)
    assert rec == {**rec, "success": False, "stopped": "budget", "sequences": 30, "budget": 30}


def test_run_row_stores_trials_with_provenance_and_resumes(tmp_path):
    records = run_row("6a", scale="quick", trials=2, root=tmp_path, progress=False)
    assert [r["trial"] for r in records] == [0, 1]
    directory = tmp_path / "quick" / "6a"
    first = (directory / "trial-000.json").stat().st_mtime_ns
    stored = json.loads((directory / "trial-000.json").read_text())
    assert {"commit", "dirty", "numpy", "torch", "numba", "cpu"} <= set(stored["provenance"])
    assert read_weights(directory / "trial-000.npz").wh.shape == (8, 17)   # 6a: 2 blocks x (2 gates + 2 cells); 8 inputs + 8 + bias
    again = run_row("6a", scale="quick", trials=3, root=tmp_path, progress=False)
    assert [r["trial"] for r in again] == [0, 1, 2]
    assert (directory / "trial-000.json").stat().st_mtime_ns == first   # not redone


def test_config_mismatch_is_reported_and_force_keeps_a_backup(tmp_path):
    run_row("6a", scale="quick", trials=1, root=tmp_path, progress=False)
    with pytest.raises(ResultsError, match="--force"):
        run_row("6a", scale="quick", trials=1, seed=3, root=tmp_path, progress=False)
    run_row("6a", scale="quick", trials=1, seed=3, root=tmp_path, force=True, progress=False)
    backups = list((tmp_path / "quick").glob("6a.bak-*"))
    assert len(backups) == 1 and (backups[0] / "trial-000.json").exists()


def test_corrupt_trial_file_is_named_and_left_alone(tmp_path):
    run_row("6a", scale="quick", trials=1, root=tmp_path, progress=False)
    bad = tmp_path / "quick" / "6a" / "trial-000.json"
    bad.write_text('{"row": "6a", "tri')
    with pytest.raises(ResultsError, match="trial-000.json is corrupt"):
        run_row("6a", scale="quick", trials=2, root=tmp_path, progress=False)
    assert bad.read_text() == '{"row": "6a", "tri'


def test_bad_arguments_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="--trials"):
        run_row("6a", scale="quick", trials=0, root=tmp_path)
    with pytest.raises(ValueError, match="--seed"):
        run_row("6a", scale="quick", seed=-1, root=tmp_path)
    with pytest.raises(ValueError, match="valid values: 'quick', 'paper'"):
        run_row("6a", scale="huge", root=tmp_path)
    with pytest.raises(KeyError, match="valid rows"):
        run_row("7-7", scale="quick", root=tmp_path)
    with pytest.raises(ValueError, match="--jobs"):
        run_row("6a", scale="quick", jobs=0, root=tmp_path)


def test_killed_run_resumes_without_redoing_finished_trials(tmp_path):
    """A real subprocess, killed (SIGKILL) once its first trial is stored, then started again:
    the finished trial is kept as it was, no partial file is left, every trial ends up stored."""
    cmd = [sys.executable, "-m", "lstm_repro", "run", "6a", "--scale", "quick", "--trials", "4",
           "--out", str(tmp_path), "--no-progress"]
    directory = tmp_path / "quick" / "6a"
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while not (directory / "trial-000.json").exists():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.time() < deadline
        time.sleep(0.05)
    workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                             text=True).stdout.split()
    assert workers, "the run has no worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(1.0)
    for pid in workers:                     # the workers die with their parent
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    kept = {p.name: p.stat().st_mtime_ns for p in directory.glob("trial-*.json")}
    assert "trial-000.json" in kept and len(kept) < 4
    assert all(json.loads((directory / name).read_text())["trial"] >= 0 for name in kept)
    res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    trials = load_trials(directory)
    assert sorted(trials) == [0, 1, 2, 3]
    for name, mtime in kept.items():
        assert (directory / name).stat().st_mtime_ns == mtime
    assert not [p for p in directory.iterdir() if p.name.endswith(".tmp")]
    assert "4 trials" in res.stdout or "/4 trials" in res.stdout


def test_open_row_writes_config_once(tmp_path):
    cfg = {"protocol": {"row": "x"}, "seed": 0}
    assert open_row(tmp_path / "r", cfg) == {}
    assert json.loads((tmp_path / "r" / "config.json").read_text()) == cfg
    assert open_row(tmp_path / "r", cfg) == {}


def test_blocked_online_training_equals_one_sequence_at_a_time(monkeypatch):
    """Blocks of sequences per kernel call, with the roll-back when the rule holds inside a
    block, give the very record that training one sequence per call gives."""
    import lstm_repro.runner as runner
    prot = get_protocol("6a", "paper")
    prot = replace(prot, stop_params={**prot.stop_params, "window": 100}, test_size=50,
                   budget=60_000)
    blocked, net_b = run_trial(prot, trial=0, seed=2)
    monkeypatch.setattr(runner, "ONLINE_BLOCK", 1)
    single, net_s = run_trial(prot, trial=0, seed=2)
    blocked.pop("wall_seconds"), single.pop("wall_seconds")
    assert blocked["success"] and blocked == single
    assert np.array_equal(net_b.weights.flat(), net_s.weights.flat())


def test_full_gradient_learner_runs_beside_the_engine(tmp_path):
    """Section 6's ablation: the same protocol trained with BPTT through the PyTorch reference,
    stored in its own folder; truncated and full gradients give different weights."""
    prot = replace(get_protocol("4-1", "quick", learner="full-gradient"), budget=5, test_size=5)
    rec, net = run_trial(prot, trial=0, seed=1)
    assert rec["learner"] == "full-gradient" and rec["sequences"] == 5
    eng, net_e = run_trial(replace(prot, learner="engine"), trial=0, seed=1)
    assert not np.allclose(net.weights.flat(), net_e.weights.flat(), rtol=0, atol=1e-12)
    assert np.allclose(net.weights.flat(), net_e.weights.flat(), atol=1e-2)
    assert prot.results_name == "4-1--full-gradient"
    with pytest.raises(ValueError, match="valid values: 'engine', 'full-gradient'"):
        get_protocol("4-1", "quick", learner="adam")


def test_ctrl_c_stops_at_once_and_keeps_finished_trials(tmp_path):
    """SIGINT (Ctrl-C) to a paper-scale run: it stops within seconds (the running trial is not
    waited for), says how to resume, and every finished trial stays stored and loadable."""
    cmd = [sys.executable, "-m", "lstm_repro", "run", "6a", "--scale", "quick", "--trials", "1000",
           "--jobs", "2", "--out", str(tmp_path), "--no-progress"]
    directory = tmp_path / "quick" / "6a"
    # a shell without job control starts background jobs with SIGINT ignored, and Python then
    # never raises KeyboardInterrupt: give the run the default disposition a terminal gives it
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 300
    while not (directory / "trial-000.json").exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.time() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted" in out and "run the same command again to resume" in out
    trials = load_trials(directory)
    assert 1 <= len(trials) < 1000
    assert not [p for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_quick_scale_keeps_the_n_seq_rule_a_fraction_of_its_window():
    for row, paper_n in (("5-nseq140", 140), ("5-nseq13", 13)):
        quick = get_protocol(row, "quick").stop_params
        assert get_protocol(row, "paper").stop_params["n_seq"] == paper_n
        assert quick["n_seq"] / quick["window"] == pytest.approx(paper_n / 2000, abs=0.005)


def test_pass_fail_tests_stop_at_the_first_wrong_chunk_and_change_nothing(monkeypatch):
    """Exp 2's confirmation test evaluates TEST_CHUNK sequences at a time and stops at a chunk
    with a wrong one: the record (tests run, count at success, curve) and the weights are those
    of evaluating all of them, and far fewer test sequences are run."""
    import lstm_repro.runner as runner
    prot = replace(get_protocol("2c-1", "paper"), task_params={"q": 10, "p": 50},
                   stop_params={"confirm": 2000, "streak": 50}, budget=200_000)
    evaluated, evaluate = [], runner._evaluate

    def counting(net, task, seqs):
        evaluated.append(len(seqs))
        return evaluate(net, task, seqs)
    monkeypatch.setattr(runner, "_evaluate", counting)
    chunked, net_c = run_trial(prot, trial=0, seed=1)
    n_chunked = sum(evaluated)
    evaluated.clear()
    monkeypatch.setattr(runner, "TEST_CHUNK", 10**9)       # one chunk: every sequence of a test
    whole, net_w = run_trial(prot, trial=0, seed=1)
    chunked.pop("wall_seconds"), whole.pop("wall_seconds")
    assert chunked["success"] and chunked["events"]["tests_run"] > 3 and chunked == whole
    assert np.array_equal(net_c.weights.flat(), net_w.weights.flat())
    assert sum(evaluated) == 2000 * whole["events"]["tests_run"] and n_chunked < sum(evaluated) / 2


def test_all_correct_answers_as_all_of_them():
    import lstm_repro.runner as runner

    class Net:
        def forward_sequences(self, seqs):
            return list(seqs)

    class Task:
        def score_many(self, outs, seqs):
            return None, [bool(s) for s in seqs]
    for seqs in ([1] * 7, [1, 1, 0, 1, 1, 1, 1], [1] * 6 + [0], [0], []):
        for chunk in (1, 2, 3, 100):
            assert runner._all_correct(Net(), Task(), seqs, chunk) == all(seqs)
