"""The command line: list, sample, evaluate, report (with a stored quick-scale network), and the
faults of run: bad arguments, corrupt files, config mismatch and --force."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from lstm_repro import paper
from lstm_repro.__main__ import main
from lstm_repro.engine import Network
from lstm_repro.protocols import get_protocol
from lstm_repro.results import read_weights
from lstm_repro.tasks import TASKS, make_task


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One quick-scale trial of row 6a, stored by the real command line."""
    root = tmp_path_factory.mktemp("results")
    proc = subprocess.run([sys.executable, "-m", "lstm_repro", "run", "6a", "--scale", "quick",
                           "--trials", "1", "--out", str(root), "--no-progress"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "6a (quick)" in proc.stdout
    return root


def run_cli(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def lines(out):
    return [json.loads(line) for line in out.splitlines()]


# --- sample ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["adding", "multiplication", "noise_3c", "temporal_order_6b",
                                  "reber", "long_lag_2a", "long_lag_2c", "anbn", "4-3", "2c-9"])
def test_sample_writes_one_parsable_sequence_per_line(capsys, name):
    rc, out, _ = run_cli(capsys, "sample", name, "--n", 3, "--seed", 1)
    assert rc == 0
    records = lines(out)
    assert len(records) == 3
    for rec in records:
        inputs = np.array(rec["inputs"])
        assert inputs.ndim == 2 and len(rec["targets"]) == inputs.shape[0]
        assert any(t is not None for t in rec["targets"]) and isinstance(rec["meta"], dict)


def test_sample_is_the_tasks_own_sequences(capsys):
    rc, out, _ = run_cli(capsys, "sample", "adding", "--n", 2, "--seed", 7)
    rng = np.random.default_rng(7)
    task = make_task("adding")
    for rec in lines(out):
        seq = task.sample(rng)
        assert np.array_equal(np.array(rec["inputs"]), seq.inputs)
        assert rec["targets"][:-1] == [None] * (seq.length - 1)
        assert rec["targets"][-1] == [seq.targets[-1, 0]]
        assert rec["meta"] == {"positions": list(seq.meta["positions"]),
                               "values": list(seq.meta["values"])}


def test_sample_symbolic_meta_has_string_and_alphabet(capsys):
    _, out, _ = run_cli(capsys, "sample", "temporal_order_6a", "--n", 1)
    (rec,) = lines(out)
    meta = rec["meta"]
    assert meta["alphabet"] == ["E", "B", "a", "b", "c", "d", "X", "Y"]
    assert meta["class"] in meta["output_alphabet"] and len(meta["string"]) == len(rec["inputs"])
    decoded = "".join(meta["alphabet"][int(np.argmax(x))] for x in rec["inputs"])
    assert decoded == meta["string"]
    _, out, _ = run_cli(capsys, "sample", "long_lag_2a", "--n", 1)
    meta = lines(out)[0]["meta"]
    assert meta["string"].split()[0] == meta["string"].split()[-1] == meta["class"]


def test_sample_row_uses_the_rows_task_parameters(capsys):
    _, out, _ = run_cli(capsys, "sample", "4-3", "--n", 1)
    assert 1000 <= len(lines(out)[0]["inputs"]) <= 1100            # Table 7: T = 1000
    _, out, _ = run_cli(capsys, "sample", "4-3", "--n", 1, "--scale", "quick")
    assert len(lines(out)[0]["inputs"]) <= 22                         # quick: T = 20


@pytest.mark.parametrize("argv, message", [
    (["sample", "bogus"], "valid tasks: " + ", ".join(TASKS)),
    (["sample", "bogus"], "valid rows: 1-1, 1-2"),
    (["sample", "adding", "--n", "0"], "--n=0 is not valid"),
    (["sample", "adding", "--seed", "-1"], "--seed=-1 is not valid"),
])
def test_sample_bad_input(capsys, argv, message):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and out == "" and message in err


# --- evaluate -------------------------------------------------------------------------------

def test_sample_round_trips_through_evaluate(capsys, quick_run, tmp_path):
    weights = quick_run / "quick" / "6a" / "trial-000.npz"
    rc, out, _ = run_cli(capsys, "sample", "6a", "--n", 3, "--seed", 5)
    assert rc == 0
    (tmp_path / "seqs.jsonl").write_text(out)
    rc, out, err = run_cli(capsys, "evaluate", weights, "--input", tmp_path / "seqs.jsonl")
    assert rc == 0, err
    results = lines(out)
    net = Network(get_protocol("6a").network.spec, read_weights(weights))
    task, rng = make_task("temporal_order_6a"), np.random.default_rng(5)
    for i, res in enumerate(results):
        seq = task.sample(rng)
        expected = net.forward(onehot=seq.onehot)                      # (T, 4)
        assert res["sequence"] == i and res["row"] == "6a"
        assert res["steps"] == [seq.length - 1]                        # the only target step
        np.testing.assert_allclose(res["outputs"], expected[-1:], rtol=0, atol=1e-12)
        err_expected = np.abs(seq.targets[-1] - expected[-1]).max()
        assert res["max_abs_error"] == pytest.approx(err_expected, abs=1e-12)


def test_evaluate_without_targets_prints_every_step(capsys, quick_run, tmp_path):
    weights = quick_run / "quick" / "6a" / "trial-000.npz"
    one_hot = np.eye(8)[[0, 2, 6, 1]].tolist()
    (tmp_path / "in.jsonl").write_text(json.dumps({"inputs": one_hot}) + "\n")
    rc, out, _ = run_cli(capsys, "evaluate", weights, "--input", tmp_path / "in.jsonl")
    (res,) = lines(out)
    assert rc == 0 and res["steps"] == [0, 1, 2, 3] and np.array(res["outputs"]).shape == (4, 4)


@pytest.mark.parametrize("content, message", [
    ('{"inputs": [[1, 0]]}\n', "line 1: inputs[0] must be 8 numbers; got 2 entries"),
    ('\n{"inputs": [[0,0,0,0,0,0,0,1]]}\n{oops\n', "line 3: not valid JSON"),
    ('{"inputs": [[0,0,0,0,0,0,0,1]], "targets": [null, null]}\n',
     "line 1: 1 input steps but 2 target steps"),
    ('{"inputs": [[0,0,0,0,0,0,0,1]], "targets": [[1, 0]]}\n', "targets[0] must be 4 numbers"),
    ('{"inputs": [[0,0,0,0,0,0,0,"a"]]}\n', "inputs[0] must be 8 numbers"),
    ('{"inputs": []}\n', "inputs must be a list of T >= 1 rows of 8 numbers"),
    ('[1, 2]\n', 'line 1: expected an object {"inputs"'),
    ('\n\n', "holds no sequence"),
])
def test_evaluate_bad_input_names_the_line(capsys, quick_run, tmp_path, content, message):
    weights = quick_run / "quick" / "6a" / "trial-000.npz"
    (tmp_path / "bad.jsonl").write_text(content)
    rc, out, err = run_cli(capsys, "evaluate", weights, "--input", tmp_path / "bad.jsonl")
    assert rc == 2 and out == "" and message in err and "bad.jsonl" in err


def test_evaluate_finds_the_row_or_says_why_not(capsys, quick_run, tmp_path):
    src = quick_run / "quick" / "6a"
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(src / "trial-000.npz", lone / "trial-000.npz")
    seqs = tmp_path / "in.jsonl"
    seqs.write_text(json.dumps({"inputs": np.eye(8)[[0, 1]].tolist()}) + "\n")
    rc, _, err = run_cli(capsys, "evaluate", lone / "trial-000.npz", "--input", seqs)
    assert rc == 2 and "config.json" in err and "unknown" in err
    shutil.copy(src / "trial-000.json", lone / "trial-000.json")       # the trial record suffices
    rc, out, _ = run_cli(capsys, "evaluate", lone / "trial-000.npz", "--input", seqs)
    assert rc == 0 and lines(out)[0]["row"] == "6a"
    (lone / "trial-000.npz").write_bytes(b"not a zip")
    rc, _, err = run_cli(capsys, "evaluate", lone / "trial-000.npz", "--input", seqs)
    assert rc == 2 and "trial-000.npz cannot be read" in err
    rc, _, err = run_cli(capsys, "evaluate", tmp_path / "none.npz", "--input", seqs)
    assert rc == 2 and "no weights file" in err


# --- list and report ------------------------------------------------------------------------

def test_list_shows_every_row_and_its_stored_trials(capsys, quick_run):
    rc, out, _ = run_cli(capsys, "list", "--scale", "quick", "--root", quick_run)
    assert rc == 0
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert listed == list(paper.ALL_ROWS)
    row6a = next(line for line in out.splitlines() if line.startswith("6a "))
    planned = get_protocol("6a", "quick").trials      # a quick row is planned with fewer trials
    assert f" 1/{planned} " in row6a and f"(1 of {planned} trials)" in row6a
    assert "not run" in next(line for line in out.splitlines() if line.startswith("6b "))
    competitor = next(line for line in out.splitlines() if line.startswith("2a-CH "))
    assert "paper's reference" in competitor


def test_list_and_report_refuse_a_missing_results_root(capsys, tmp_path):
    for verb in ("list", "report"):
        rc, out, err = run_cli(capsys, verb, "--root", tmp_path / "nowhere")
        assert rc == 2 and out == "" and "nowhere is not a folder" in err


def test_describe_takes_the_row_ids_of_run(capsys):
    rc, out, _ = run_cli(capsys, "describe", "3a-T100-N3")
    assert rc == 0 and "row 3a-T100-N3 (network of row 3a): 102 weights" in out
    rc, out, _ = run_cli(capsys, "describe", "2001-anbn-B-keep", "--json")     # its own rate
    rec = json.loads(out)
    assert rc == 0 and rec["learning_rate"] == get_protocol("2001-anbn-B-keep").learning_rate
    rc, out, err = run_cli(capsys, "describe")
    assert rc == 2 and out == "" and "one ROW or --all" in err
    rc, _, err = run_cli(capsys, "describe", "3a-T100-N9")
    assert rc == 2 and "unknown row '3a-T100-N9'" in err and "3a-T100-N3" in err


def test_output_into_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "lstm_repro", "sample", "reber", "--n", "3000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()                                  # as `| head -1` does
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and b"Traceback" not in err, err.decode()


def test_study_modules_name_bad_arguments(capsys):
    from lstm_repro import formal_study, guessing, long_lag_study, reber_study
    for module, argv, message in ((long_lag_study, [], "give VARIANT names or --all"),
                                  (long_lag_study, ["nosuch"], "variant='nosuch' is not valid"),
                                  (long_lag_study, ["2c-4-igb", "--trials", "0"], "--trials=0 is not valid"),
                                  (formal_study, ["--configs", "nosuch"], "invalid choice: 'nosuch'"),
                                  (reber_study, ["--rows", "nosuch"], "invalid choice: 'nosuch'"),
                                  (guessing, ["nosuch"], "'nosuch' is not one")):
        with pytest.raises(SystemExit) as exc:
            module.main(argv)
        err = capsys.readouterr().err
        assert exc.value.code == 2 and message in err and "Traceback" not in err


def test_report_md_and_json(capsys, quick_run):
    rc, md, _ = run_cli(capsys, "report", "--scale", "quick", "--root", quick_run)
    assert rc == 0 and md.startswith("# Scorecard (quick scale)")
    for row in paper.lstm_rows():
        assert f"\n| {row.id} |" in md
    assert "quick-scale runs" in md and "## Rules" in md
    rc, js, _ = run_cli(capsys, "report", "6a", "4-1", "--format", "json", "--scale", "quick",
                        "--root", quick_run)
    data = json.loads(js)
    assert rc == 0 and [r["row"] for r in data["rows"]] == ["6a", "4-1"]
    assert data["rows"][0]["ours"]["trials"] == 1 and data["rows"][1]["verdict"] == "not run"


def test_report_of_the_paper_scale_store_runs(capsys):
    rc, md, _ = run_cli(capsys, "report")
    assert rc == 0 and "# Scorecard (paper scale)" in md


def test_report_unknown_row_lists_valid_ones(capsys, tmp_path):
    rc, _, err = run_cli(capsys, "report", "9z", "--root", tmp_path)
    assert rc == 2 and "no paper row '9z'" in err and "valid ids: 1-RTRL-3" in err


def test_report_names_a_corrupt_results_file(capsys, quick_run, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(quick_run, root)
    (root / "quick" / "6a" / "trial-000.json").write_text("{not json")
    for verb in ("report", "list"):
        rc, out, err = run_cli(capsys, verb, "--scale", "quick", "--root", root)
        assert rc == 2 and out == "" and "trial-000.json is corrupt" in err


# --- run faults -----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--trials", "0"], "--trials 0 is not valid"),
    (["--seed", "-1"], "--seed -1 is not valid"),
])
def test_run_bad_arguments(capsys, tmp_path, argv, message):
    rc, _, err = run_cli(capsys, "run", "6a", "--scale", "quick", "--out", tmp_path, *argv)
    assert rc == 2 and message in err
    assert not (tmp_path / "quick").exists()


def test_run_unknown_row_or_scale(capsys, tmp_path):
    rc, _, err = run_cli(capsys, "run", "9z", "--scale", "quick", "--out", tmp_path)
    assert rc == 2 and "unknown row '9z'" in err and "valid rows: 1-1" in err
    with pytest.raises(SystemExit) as exc:
        main(["run", "6a", "--scale", "huge"])
    assert exc.value.code == 2 and "invalid choice: 'huge'" in capsys.readouterr().err


def test_run_names_a_corrupt_trial_file(capsys, quick_run, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(quick_run, root)
    bad = root / "quick" / "6a" / "trial-000.json"
    bad.write_text('{"row": "6a", "tr')
    rc, _, err = run_cli(capsys, "run", "6a", "--scale", "quick", "--trials", "1", "--out", root,
                         "--no-progress")
    assert rc == 2 and str(bad) in err and bad.read_text() == '{"row": "6a", "tr'


def test_run_config_mismatch_needs_force_and_force_keeps_a_backup(capsys, quick_run, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(quick_run, root)
    directory = root / "quick" / "6a"
    config = json.loads((directory / "config.json").read_text())
    config["protocol"]["budget"] = 12345
    (directory / "config.json").write_text(json.dumps(config))
    rc, _, err = run_cli(capsys, "run", "6a", "--scale", "quick", "--trials", "1", "--out", root,
                         "--no-progress")
    assert rc == 2 and "config.json" in err and "--force" in err
    rc, out, _ = run_cli(capsys, "run", "6a", "--scale", "quick", "--trials", "1", "--out", root,
                         "--no-progress", "--force")
    assert rc == 0
    backups = list((root / "quick").glob("6a.bak-*"))
    assert len(backups) == 1
    assert json.loads((backups[0] / "config.json").read_text())["protocol"]["budget"] == 12345
    assert json.loads((directory / "config.json").read_text())["protocol"]["budget"] != 12345
    assert (directory / "trial-000.json").is_file()


def test_evaluate_reads_sequences_from_a_pipe(tmp_path):
    from lstm_repro.cli_io import read_sequences
    line = json.dumps({"inputs": np.eye(8)[[0, 1]].tolist()}) + "\n"
    r, w = os.pipe()                                     # what bash's <(...) hands over
    os.write(w, line.encode())
    os.close(w)
    try:
        (lineno, inputs, targets), = read_sequences(f"/dev/fd/{r}", 8, 7)
    finally:
        os.close(r)
    assert lineno == 1 and inputs.shape == (2, 8) and targets is None
    with pytest.raises(ValueError, match="no input file"):
        read_sequences(tmp_path, 8, 7)                   # a folder is not an input file
