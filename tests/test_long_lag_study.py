"""The Experiment 2 chapter's measurements: spec variants and the cell readout."""
from dataclasses import replace

import numpy as np
import pytest

from lstm_repro.engine import Network
from lstm_repro.long_lag_study import (
    IGB_STUDY,
    STUDY,
    cell_readout,
    load_study,
    run_study,
    study_protocol,
    with_spec,
)
from lstm_repro.protocols import get_protocol
from lstm_repro.runner import run_trial
from lstm_repro.tasks import make_task


def test_with_spec_changes_only_the_network():
    base = get_protocol("2a", "quick")
    v = with_spec(base, g="h1")
    assert v.network.spec.g == "h1" and base.network.spec.g == "g1"
    assert v.network.lr == base.network.lr and v.construction == base.construction
    assert v.to_dict()["network"]["spec"]["g"] == "h1" and "spec_changes" not in v.to_dict()
    rec, net = run_trial(replace(v, budget=20), 0, 0)
    assert net.spec.g == "h1" and rec["sequences"] == 20
    with pytest.raises(ValueError, match="g="):
        with_spec(base, g="tanh")
    with pytest.raises(ValueError, match="at least one"):
        with_spec(base)


def test_cell_readout_on_a_hand_set_latch():
    """A 2a net (p = 6) whose gate opens only for x and y, whose cell input is 1 for x and 0 for
    y: the state is 1 after x and 0 after y and stays there (no drift)."""
    task = make_task("long_lag_2a", p=6)
    spec = get_protocol("2a").network.spec
    spec = replace(spec, n_inputs=7, n_outputs=7, g="id")
    net = Network(spec, seed=0)
    lay, w = net.layout, net.weights
    w.wh[:] = 0.0
    w.wh[lay.in_gate, :7] = -50.0                  # gate shut for a_1 .. a_5
    w.wh[lay.in_gate, [task.x, task.y]] = 50.0     # open for x and y
    w.wh[lay.cell, task.x] = 1.0                   # g = identity: cell input 1 for x, 0 for y
    w.wo[:, 7] = 0.5
    w.wo[task.x, 7], w.wo[task.y, 7] = 3.0, -3.0
    out = cell_readout(net, task.test_set(None), task.x, task.y)
    assert out["x"]["start"] == pytest.approx(1.0) and out["y"]["start"] == pytest.approx(0.0)
    assert out["end_difference"] == pytest.approx(1.0)
    assert abs(out["x"]["drift"]) < 1e-12 and out["x"]["gate_after"] < 1e-20
    assert (out["w_out_x"], out["w_out_y"]) == (3.0, -3.0)
    assert out["w_out_mean"] == pytest.approx(np.mean(w.wo[:, 7]))
    with pytest.raises(ValueError, match="both classes"):
        cell_readout(net, task.test_set(None)[:1], task.x, task.y)


def test_study_variants_runs_and_resumes(tmp_path):
    assert study_protocol("constructed").construction and not study_protocol("full").construction
    assert study_protocol("constructed-g-centred").network.spec.g == "h1"
    assert study_protocol("full").network.spec == get_protocol("2a").network.spec
    assert all(study_protocol(v).budget == STUDY[v][4] for v in STUDY)
    assert study_protocol("2b-constructed").task == "long_lag_2b"
    with pytest.raises(KeyError, match="valid variants"):
        study_protocol("nope")
    tiny = {"full": ("2a", {}, {"construction": {}}, 2, 30),
            "full-g-centred": ("2a", {"g": "h1"}, {"construction": {}}, 1, 30)}
    run_study(root=tmp_path, study=tiny, trials=1)            # breadth first: trial 0 of each
    assert [p.parent.name for p in sorted(tmp_path.glob("*/trial-*.json"))] == \
        ["full", "full-g-centred"]
    with pytest.raises(ValueError, match="trials=0"):
        run_study(root=tmp_path, study=tiny, trials=0)
    run_study(root=tmp_path, study=tiny)
    recs = sorted(tmp_path.glob("*/trial-*.json"))
    assert [p.parent.name for p in recs] == ["full", "full", "full-g-centred"]
    assert not list(tmp_path.glob("*/*.checkpoint"))        # removed once a trial is stored
    stamp = recs[0].stat().st_mtime_ns
    run_study(root=tmp_path, study=tiny)                      # resumes: nothing redone
    assert recs[0].stat().st_mtime_ns == stamp
    loaded = load_study(tmp_path)
    assert len(loaded["full"]) == 2 and loaded["constructed"] == []
    assert loaded["full"][0]["sequences"] == 30 and loaded["full"][0]["variant"] == "full"
    changed = {"full": ("2a", {}, {"construction": {}}, 2, 40)}
    with pytest.raises(ValueError, match="another configuration"):
        run_study(root=tmp_path, study=changed)


def test_igb_variants_change_only_the_gate_biases_of_the_2c_rows():
    assert sorted(IGB_STUDY) == sorted(f"2c-{i}-igb" for i in range(1, 10))
    for variant, (row, *_rest) in IGB_STUDY.items():
        base, v = get_protocol(row), study_protocol(variant)
        spec, table10 = v.network.spec, base.network.spec
        assert replace(spec, bias="none", in_gate_bias=None) == table10, variant
        assert (spec.bias, spec.in_gate_bias) == ("ga", (-2.0, -4.0))
        assert spec.weight_count() == table10.weight_count() + 4      # one bias per gate
        assert (v.budget, v.task_params, v.stop_params, v.learning_rate) == \
            (base.budget, base.task_params, base.stop_params, base.learning_rate)
    net = study_protocol("2c-1-igb").make_learner(np.random.default_rng(0))
    lay = net.layout
    assert list(net.weights.wh[lay.in_gate:lay.in_gate + 2, lay.n_src - 1]) == [-2.0, -4.0]


def test_command_line_runs_into_root_breadth_first(tmp_path, monkeypatch, capsys):
    import lstm_repro.long_lag_study as study
    tiny = {"full": ("2a", {}, {"construction": {}}, 3, 20)}
    monkeypatch.setattr(study, "STUDIES", tiny)
    study.main(["full", "--trials", "2", "--root", str(tmp_path)])
    assert sorted(p.name for p in (tmp_path / "full").glob("trial-*.json")) == \
        ["trial-000.json", "trial-001.json"]
    assert "full trial 1: no success after 20 sequences" in capsys.readouterr().out


def test_igb_learning_rate_variants_change_only_the_learning_rate():
    from lstm_repro.long_lag_study import IGB_LR_STUDY
    base = study_protocol("2c-4-igb")
    assert sorted(IGB_LR_STUDY) == ["2c-4-igb-lr0.03", "2c-4-igb-lr0.1", "2c-4-igb-lr0.3"]
    for variant in IGB_LR_STUDY:
        v = study_protocol(variant)
        assert v.learning_rate == float(variant.split("lr")[1]) != base.learning_rate
        assert replace(v, lr=base.lr) == base
