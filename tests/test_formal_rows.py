"""The Gers & Schmidhuber (2001) rows: networks, protocols, runs through the runner, scorecard."""
import json
from dataclasses import replace

import numpy as np
import pytest

from lstm_repro import paper, report, scorecard
from lstm_repro.protocols import FORMAL_RANGE_VARIANTS, FORMAL_VARIANTS, PROTOCOLS, get_protocol
from lstm_repro.rows2001 import ROWS2001, formal_spec
from lstm_repro.runner import run_row, run_trial
from lstm_repro.spec import layout

GERS = [k for k in PROTOCOLS if k.startswith(("2001-", "2003-"))]


@pytest.mark.parametrize("language, blocks, weights", [
    # hidden units (3 gates per block + 1 cell) x (inputs + cells + bias) + outputs x (inputs +
    # cells + bias) + 3 peepholes per block
    ("anbn", 1, 4 * (3 + 1 + 1) + 3 * (3 + 1 + 1) + 3),           # 38
    ("anbncn", 2, 8 * (4 + 2 + 1) + 4 * (4 + 2 + 1) + 6),         # 90
    ("anbmBmAn", 1, 4 * (5 + 1 + 1) + 5 * (5 + 1 + 1) + 3),       # 66
])
def test_weight_counts(language, blocks, weights):
    spec = formal_spec(language)
    assert spec.n_blocks == blocks and spec.block_size == 1
    assert spec.weight_count() == weights
    assert spec.forget_gate and spec.peepholes and spec.connectivity == "G"
    assert all(b > 0 for b in spec.forget_gate_bias)          # the forget gate starts open
    lay = layout(spec)
    assert lay.mask_p.sum() == 3 * blocks                      # one peephole per gate


def test_every_gers_protocol_has_a_row_and_the_other_way_round():
    assert set(GERS) == set(paper.GERS2001_ROWS)
    for row_id in GERS:
        p = PROTOCOLS[row_id]
        assert p.stop == "formal" and p.trials >= 10, row_id
        assert p.network.spec == ROWS2001[p.config_row].spec
        assert p.task_params["train_n"] == sorted(p.task_params["train_n"])
    assert PROTOCOLS["2001-anbn"].task_params["train_n"] == list(range(1, 11))
    assert PROTOCOLS["2001-anbn-only20-21"].task_params["train_n"] == [20, 21]
    assert all(f"2001-anbncn{s}" in PROTOCOLS for s in FORMAL_VARIANTS)
    assert PROTOCOLS["2001-anbn"].learning_rate == 1e-5 and PROTOCOLS["2001-anbn"].momentum == 0.99
    dekf = PROTOCOLS["2003-dekf-anbncn"]
    assert dekf.learner == "dekf" and dekf.results_name == "2003-dekf-anbncn"
    assert len(dekf.make_task().training_set) == 10                   # the 10 shortest strings
    assert [s.meta["counts"] for s in dekf.make_task().training_set] == [(n,) for n in range(1, 11)]


def test_the_palindrome_rows_train_n_and_m_on_each_range_and_test_beyond_it():
    """a^n b^m B^m A^n: the training-range variants (both n and m in the range), tested on every
    n, m up to 50 or up to twice the largest training n; no "-B-keep" (no B network)."""
    rows = [r for r in GERS if r.startswith("2001-anbmBmAn")]
    assert rows == [f"2001-anbmBmAn{s}" for s in FORMAL_RANGE_VARIANTS]
    for row_id in rows:
        p = PROTOCOLS[row_id]
        task = p.make_task()
        assert task.train_m == task.train_n == tuple(p.task_params["train_n"])
        assert sorted(task.training_counts()) == sorted((n, m) for n in task.train_n
                                                        for m in task.train_n)
        assert p.stop_params["test_max"] >= 50 and p.stop_params["test_max"] >= 2 * max(task.train_n)
    assert [PROTOCOLS[r].stop_params["test_max"] for r in rows] == [50, 50, 80, 50]
    assert len(PROTOCOLS["2001-anbmBmAn-only20-21"].make_task().training_set) == 4
    assert paper.GERS2001_ROWS["2001-anbmBmAn-r1-20"].table == "variant of 2001-anbmBmAn: n, m = 1..20"


def test_the_connectivity_B_rows():
    """'-B-keep': network 2001-<language>-B (connectivity B: gates and cell inputs see the inputs
    only), lr 1e-4, 300,000 strings on after learning (a tenth at quick scale)."""
    for language in ("anbn", "anbncn"):
        p = PROTOCOLS[f"2001-{language}-B-keep"]
        spec = p.network.spec
        assert p.config_row == f"2001-{language}-B" and spec.connectivity == "B"
        assert spec == replace(formal_spec(language), connectivity="B")
        assert spec.weight_count() < formal_spec(language).weight_count()   # no y_c -> gates
        assert p.learning_rate == 1e-4 and p.momentum == 0.99
        assert p.stop_params["keep_training"] == 300_000
        assert get_protocol(p.row, "quick").stop_params["keep_training"] == 30_000
        assert p.task_params["train_n"] == list(range(1, 11))


def test_1997_configs_are_unchanged_by_the_new_fields():
    d = PROTOCOLS["6a"].to_dict()
    assert not {"lr", "momentum", "learner_params"} & set(d)
    assert d["network"]["lr"] == 0.5
    assert json.loads(json.dumps(PROTOCOLS["2001-anbn"].to_dict()))["momentum"] == 0.99


def test_learner_choice():
    assert get_protocol("2001-anbn", learner="full-gradient").results_name == \
        "2001-anbn--full-gradient"
    assert get_protocol("2003-dekf-anbncn").learner == "dekf"
    assert get_protocol("2003-dekf-anbncn", learner="engine").results_name == \
        "2003-dekf-anbncn--engine"
    with pytest.raises(ValueError, match="valid values: 'engine', 'full-gradient', 'dekf'"):
        get_protocol("2001-anbn", learner="adam")


def test_momentum_reaches_the_learner():
    prot = replace(get_protocol("2001-anbn", "quick"), budget=300, lr=1e-3)
    _, net_a = run_trial(prot, trial=0, seed=1)
    _, net_b = run_trial(replace(prot, momentum=0.0), trial=0, seed=1)
    assert not np.allclose(net_a.weights.flat(), net_b.weights.flat())


@pytest.mark.parametrize("row_id", [r for r in GERS if r != "2003-dekf-anbncn"])
def test_quick_run_of_each_row(row_id):
    prot = replace(get_protocol(row_id, "quick"), budget=60)
    rec, _ = run_trial(prot, trial=0, seed=3)
    again, _ = run_trial(prot, trial=0, seed=3)
    rec.pop("wall_seconds"), again.pop("wall_seconds")
    assert rec == again
    n_train = len(prot.make_task().training_set)
    assert rec["sequences"] <= 60 and rec["events"]["epochs"] == -(-rec["sequences"] // n_train)
    g = rec["generalisation"]
    assert g["tested_up_to"] == prot.stop_params["test_max"] <= 100
    assert -1 <= g["N"] <= g["tested_up_to"]


def test_a_row_learns_with_a_larger_rate_and_its_record_holds_the_generalisation(tmp_path):
    """a^n b^n with learning rate 1e-3 and momentum 0.9 learns n = 1..10 in well under 100,000
    strings; the generalisation limit is at least the training range."""
    prot = replace(get_protocol("2001-anbn", "quick"), budget=100_000, lr=1e-3, momentum=0.9)
    rec, _ = run_trial(prot, trial=0, seed=0)
    assert rec["success"] and rec["generalisation"]["N"] >= 10
    assert rec["sequences"] == 10 * rec["events"]["epochs"]


def test_dekf_row_runs_through_the_runner(tmp_path):
    pytest.importorskip("lstm_repro.dekf")
    records = run_row("2003-dekf-anbncn", scale="quick", trials=1, root=tmp_path, progress=False)
    assert records[0]["learner"] == "dekf" and "generalisation" in records[0]
    assert (tmp_path / "quick" / "2003-dekf-anbncn" / "trial-000.npz").is_file()


def _record(row, trial, success, N, train_max=10, tested=1000):
    return {"row": row, "trial": trial, "success": success, "sequences": 1000 + trial,
            "budget": 2_000_000, "events": {},
            "generalisation": {"N": N, "tested_up_to": tested, "train_max": train_max,
                               "first_failure": N + 1, "accepted_levels": N,
                               "accepted_range": [1, N]}}


def test_scorecard_verdicts_of_the_2001_rows():
    wins = [_record("2001-anbn", t, True, N) for t, N in enumerate([12, 40, 300])]
    s = scorecard.summarize("2001-anbn", wins + [_record("2001-anbn", 3, False, 3)])
    assert s.verdict == "reproduced" and s.checks[0].name == "learns and generalises"
    assert s.generalisation_stats()["N_best"] == 300
    assert "median 26, best 300" in report.our_test(s)
    # fewer than half learned: not reproduced
    s = scorecard.summarize("2001-anbn", [_record("2001-anbn", t, t == 0, 50) for t in range(3)])
    assert s.verdict == "not reproduced"
    # learned, but no generalisation beyond the training range
    s = scorecard.summarize("2001-anbn", [_record("2001-anbn", 0, True, 10)])
    assert s.verdict == "not reproduced"
    # the DEKF claim: n up to 1000 and more
    ok = scorecard.summarize("2003-dekf-anbncn", [_record("2003-dekf-anbncn", 0, True, 1000)])
    short = scorecard.summarize("2003-dekf-anbncn", [_record("2003-dekf-anbncn", 0, True, 999)])
    assert ok.verdict == "reproduced" and short.verdict == "not reproduced"
    # our variants carry nothing of the paper
    s = scorecard.summarize("2001-anbn-r1-20", [_record("2001-anbn-r1-20", 0, True, 60, 20)])
    assert s.verdict == "no paper number" and s.to_dict()["ours"]["generalisation"]["N"] == [60]


def test_describe_a_2001_network(capsys):
    from lstm_repro.__main__ import main
    assert main(["describe", "2001-anbncn"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("row 2001-anbncn (Gers 2001): 90 weights") and "forget" in out
