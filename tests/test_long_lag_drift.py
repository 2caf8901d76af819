"""The Task 2c drift study: the probe readout on a hand-set net, the block-wise training run,
the summary, and storage."""
from dataclasses import replace

import numpy as np
import pytest

from lstm_repro.cell_analysis import squash
from lstm_repro.engine import Network
from lstm_repro.long_lag_drift import (
    VARIANTS,
    drift_run,
    initial_readouts,
    load_drift,
    probe_readout,
    run_variants,
    summary,
    variant_protocol,
)
from lstm_repro.long_lag_study import IGB, with_spec
from lstm_repro.protocols import get_protocol
from lstm_repro.runner import _Trial, trial_seed
from lstm_repro.spec import SQUASHERS
from lstm_repro.tasks import make_task


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_the_squasher_derivative_it_reads_matches_finite_differences():
    x = np.linspace(-6, 6, 25)
    for name, (a, b, _) in SQUASHERS.items():
        f = (lambda v: v) if a == 0.0 else (lambda v, a=a, b=b: a * _logistic(v) - b)
        numeric = (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
        assert np.allclose(squash(name, x)[1], numeric, atol=1e-7), name
    with pytest.raises(ValueError, match="valid values"):
        squash("tanh", x)


def _hand_set_net(task, w_b=1.5, v=2.0):
    """A 2c-1 net for ``task`` with every weight zero except: cell 0's input from the start
    symbol b (w_b) and cell 1's input from cell 0's output (v); output weights 0.3 and -0.7.
    All gates sit at 0.5; cell 0 stores 0.5 g(w_b) at t = 0 and keeps it; cell 1 receives
    v * 0.5 h(s_0) at every step t >= 1 and drifts linearly."""
    spec = replace(get_protocol("2c-1").network.spec, n_inputs=task.n_inputs)
    net = Network(spec, seed=0)
    lay, w, I = net.layout, net.weights, spec.n_inputs
    w.wh[:] = 0.0
    w.wh[lay.cell, task.b] = w_b
    w.wh[lay.cell + 1, I + lay.cell] = v
    w.wo[:] = 0.0
    w.wo[:, I:I + 2] = [[0.3, -0.7], [0.3, -0.7]]
    return net


def test_probe_readout_on_a_hand_set_net():
    task = make_task("long_lag_2c", q=5, p=4)
    seqs = [task.sample(np.random.default_rng([3, k])) for k in range(20)]
    assert {s.meta["class"] for s in seqs} == {"x", "y"}
    w_b, v = 1.5, 2.0
    out = probe_readout(_hand_set_net(task, w_b, v), seqs)
    g = lambda x: 4 * _logistic(x) - 2   # Table 10 g2
    h = lambda x: 2 * _logistic(x) - 1   # h1
    s0 = 0.5 * g(w_b)
    drive = v * 0.5 * h(s0)                          # cell 1's net input from cell 0, t >= 1
    s1 = np.array([0.5 * g(drive) * (len(s.onehot) - 1) for s in seqs])   # (N,) cell 1 at the end
    assert out["abs_s_end"] == pytest.approx([s0, s1.mean()])
    xs = np.array([s.meta["class"] == "x" for s in seqs])
    assert out["class_gap"][1] == pytest.approx(s1[xs].mean() - s1[~xs].mean())
    assert out["class_gap"][0] == pytest.approx(0.0, abs=1e-12)
    assert out["in_gate"] == pytest.approx([0.5, 0.5]) and out["out_gate_end"] == pytest.approx([0.5, 0.5])
    hp = lambda x: 2 * _logistic(x) * (1 - _logistic(x))
    assert out["h_prime_end"] == pytest.approx([hp(s0), hp(s1).mean()])
    # feedback averages over steps t >= 1 (the cell outputs of t - 1): cell 0's output is 0.5 h(s0)
    # at every step, so cell 1's feedback is v * 0.5 h(s0) there; cell 0 receives none
    assert out["feedback"] == pytest.approx([0.0, drive])
    assert out["w_out_max"] == pytest.approx(0.7) and out["w_cc"] == [[0.0, 0.0], [v, 0.0]]
    # outputs 0.3 y_c0 - 0.7 y_c1 are far from the one-hot targets: nothing right
    assert out["correct"] == 0.0
    with pytest.raises(ValueError, match="both classes"):
        probe_readout(_hand_set_net(task), [s for s in seqs if s.meta["class"] == "x"])


def test_drift_run_trains_as_the_row_and_the_probe_changes_nothing():
    p = replace(get_protocol("2c-1"), task_params={"q": 5, "p": 50})
    blocks, net = drift_run(p, seed=4, sequences=250, block=100, probe=10)
    assert [b["sequences"] for b in blocks] == [100, 200, 250]
    # the same training without probes, in one call: identical weights
    ref = p.make_learner(np.random.default_rng(4))
    task, rng = p.make_task(0), np.random.default_rng([4, 1])
    seqs = [task.sample(rng) for _ in range(250)]
    outs = ref.train_sequences(seqs, lr=p.learning_rate, update=p.update)
    assert np.array_equal(ref.weights.wh, net.weights.wh) and np.array_equal(ref.weights.wo, net.weights.wo)
    err = np.array([np.abs(o[-1] - s.targets[-1]).max() for o, s in zip(outs, seqs)])
    assert blocks[-1]["train_end_error"] == pytest.approx(err[200:].mean())
    assert blocks[0]["train_correct"] == pytest.approx(np.mean(err[:100] < 0.2))
    assert 0.0 < blocks[0]["wh_step"] and 0.0 < blocks[0]["wo_step"]
    frozen = replace(p, lr=0.0)
    assert drift_run(frozen, seed=4, sequences=100, block=100, probe=10)[0][0]["wh_step"] == 0.0
    again, _ = drift_run(p, seed=4, sequences=250, block=100, probe=10)
    assert again == blocks
    with pytest.raises(ValueError, match="block=0"):
        drift_run(p, seed=4, sequences=250, block=0)


def test_summary_finds_peak_and_collapse():
    base = {k: 0.0 for k in ("abs_s_end", "in_gate", "out_gate_end", "h_prime_end", "feedback",
                             "w_out_max", "class_gap")}
    curve = [0.0, 0.3, 0.9, 0.99, 0.7, 0.5, 0.95]
    blocks = [{**base, "sequences": 10 * (i + 1), "train_correct": c} for i, c in enumerate(curve)]
    s = summary(blocks)
    assert s["peak"]["sequences"] == 40 and s["collapse_at"] == 60 and s["last"]["train_correct"] == 0.95
    assert summary(blocks[:5])["collapse_at"] is None
    with pytest.raises(ValueError, match="at least one"):
        summary([])


def test_variants_store_resume_and_load(tmp_path):
    assert variant_protocol("2c-2").network.spec == get_protocol("2c-2").network.spec
    igb = variant_protocol("2c-2-igb").network.spec
    assert igb.in_gate_bias == (-2.0, -4.0) and igb.bias == "ga"
    assert igb.weight_count() == get_protocol("2c-2").network.spec.weight_count() + 4
    with pytest.raises(KeyError, match="valid variants"):
        variant_protocol("2c-9")
    tiny = {"2c-1": ("2c-1", {}, 40, 20, "tiny")}
    run_variants(seeds=(0,), root=tmp_path, table=tiny)
    path = tmp_path / "2c-1-seed0.json"
    stamp = path.stat().st_mtime_ns
    run_variants(seeds=(0,), root=tmp_path, table=tiny)          # resumes: nothing redone
    assert path.stat().st_mtime_ns == stamp
    loaded = load_drift(tmp_path)
    assert set(loaded) == set(VARIANTS) and loaded["2c-2"] == {}
    run = loaded["2c-1"][0]
    assert [b["sequences"] for b in run["blocks"]] == [20, 40]
    assert run["provenance"]["params"] == {"variant": "2c-1", "seed": 0}
    with pytest.raises(ValueError, match="another configuration"):
        run_variants(seeds=(0,), root=tmp_path, table={"2c-1": ("2c-1", {}, 60, 20, "tiny")})


def test_initial_readouts_read_the_nets_the_runners_trials_start_from():
    p = get_protocol("2c-1")
    task = p.make_task(0)
    rng = np.random.default_rng(5)
    seqs = [task.sample(rng) for _ in range(6)]
    got = initial_readouts(p, seqs, trials=2, base_seed=3)
    for t, readout in enumerate(got):
        start = _Trial(p, t, trial_seed(3, t)).net        # the runner's trial before any update
        assert readout == probe_readout(start, seqs)
    assert got[0] != got[1]                                 # each trial its own weights


def test_initial_state_drift_grows_with_the_lag_and_the_input_gate_bias_curbs_it():
    """Table 10's 2c net has no biases: the gates' constant activations (about 0.5) reach the
    cell inputs through the recurrent weights, so the state drifts by about the same amount at
    every step and its end value grows with q.  Section 4's remedy (IGB) keeps the gate shut."""
    def end_state(row, **changes):
        p = with_spec(get_protocol(row), **changes) if changes else get_protocol(row)
        task = p.make_task(0)
        rng = np.random.default_rng(0)
        seqs = [task.sample(rng) for _ in range(10)]
        return np.median([max(r["abs_s_end"]) for r in initial_readouts(p, seqs, trials=3)])
    short, long = end_state("2c-1"), end_state("2c-5")
    assert long > 10 * short
    assert end_state("2c-5", **IGB) < long / 4
