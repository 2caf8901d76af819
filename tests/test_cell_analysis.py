"""Measurements on the memory cell (Section 4, Appendix A): equations, truncated gradient, A.2
factors, drift, abuse, cost.  Each test also shows that the measurement can come out the other way."""
from dataclasses import replace

import numpy as np
import pytest

import lstm_repro.cell_analysis as ca
from lstm_repro.engine import Network
from lstm_repro.reference import ReferenceLSTM
from lstm_repro.rows import ROWS
from lstm_repro.spec import NetworkSpec, init_weights, layout
from lstm_repro.tasks import make_task

SPEC = ROWS["4-1"].spec


def case(spec=SPEC, seed=0, T=30, scale=1.0):
    """Weights drawn from [-scale, scale] (the row's gate biases kept), random inputs and targets."""
    rng = np.random.default_rng(seed)
    w = init_weights(replace(spec, init_range=scale), rng)
    x = rng.uniform(-1.0, 1.0, size=(T, spec.n_inputs))
    targets = rng.uniform(size=(T, spec.n_outputs))
    return w, x, targets


def test_net_inputs_and_equations_match_an_independent_trace():
    w, x, _ = case()
    net = Network(SPEC, w)
    nets = ca.net_inputs(net, x)                                          # (T, U)
    ref = ReferenceLSTM(SPEC, w).trace(x)["units"]                        # (T, U)
    y_in = ref[:, :SPEC.n_blocks]
    assert np.abs(nets[:, :SPEC.n_blocks] - np.log(y_in / (1 - y_in))).max() < 1e-9
    res = ca.equation_residuals(net, x)
    assert set(res) == {"input gate", "output gate", "CEC", "cell output"}
    assert max(res.values()) < 1e-13


def test_equation_residuals_see_a_wrong_squasher(monkeypatch):
    w, x, _ = case()
    net = Network(SPEC, w)
    monkeypatch.setitem(ca.SQUASHERS, "g2", (2.0, 1.0, "h1 instead of g2"))
    assert ca.equation_residuals(net, x)["CEC"] > 1e-3


@pytest.mark.parametrize("row", ["4-1", "1-2"])
def test_engine_equals_autograd_with_stop_gradients(row):
    spec = ROWS[row].spec
    w, x, targets = case(spec, seed=1, T=15)
    d = ca.engine_vs_autograd(spec, w, x, targets, lr=0.5)
    assert d["max_change"] > 1e-4
    assert d["rel_diff"] < 1e-9


def test_engine_differs_from_the_full_gradient(monkeypatch):
    full = lambda spec, weights, truncate=True: ReferenceLSTM(spec, weights, truncate=False)
    monkeypatch.setattr(ca, "ReferenceLSTM", full)
    w, x, targets = case(seed=1, T=15)
    assert ca.engine_vs_autograd(SPEC, w, x, targets, lr=0.5)["rel_diff"] > 1e-3


def test_truncation_leaves_output_weights_and_changes_the_rest():
    w, x, targets = case(seed=2, T=20)
    trunc = ca.gradient(SPEC, w, x, targets, truncate=True)
    full = ca.gradient(SPEC, w, x, targets, truncate=False)
    agree = ca.gradient_agreement(SPEC, trunc, full)
    assert set(agree) == {"output units", "input gates", "output gates", "cells", "all"}
    assert agree["output units"]["rel_diff"] == 0.0            # outputs feed nothing back
    for group in ("input gates", "output gates", "cells"):
        assert agree[group]["rel_diff"] > 1e-4
        assert -1.0 <= agree[group]["cosine"] <= 1.0
    same = ca.gradient_agreement(SPEC, trunc, trunc)
    assert same["all"]["rel_diff"] == 0.0 and same["all"]["cosine"] == pytest.approx(1.0)


def test_state_jacobian_is_the_identity_only_under_truncation():
    w, x, _ = case(seed=3, T=25)
    J = ca.state_jacobian(SPEC, w, x, truncate=True)                      # (T, CS, CS)
    assert J.shape == (25, 4, 4)
    assert np.array_equal(J, np.broadcast_to(np.eye(4), J.shape))
    Jf = ca.state_jacobian(SPEC, w, x, truncate=False)
    assert np.abs(np.diagonal(Jf[-1]) - 1.0).max() > 1e-6


def test_a2_factors_measured_equal_the_formula_and_not_for_the_full_gradient():
    w, x, _ = case(seed=4, T=30)
    terms = ca.a2_terms(Network(SPEC, w), x)
    for cell in (0, 3):
        m = ca.a2_measured(SPEC, w, x, cell=cell, truncate=True)
        src = 29 - m["q"]                                                  # time index T-1-q
        pred_c = terms["entry"][-1, cell] * terms["to_cell"][src, cell]
        pred_g = terms["entry"][-1, cell] * terms["to_gate"][src, cell]
        assert np.abs(m["to_cell"] - pred_c).max() <= 1e-12 * np.abs(pred_c).max()
        assert np.abs(m["to_gate"] - pred_g).max() <= 1e-12 * np.abs(pred_g).max()
        assert np.all(m["other_cells"] == 0.0)
    full = ca.a2_measured(SPEC, w, x, cell=0, truncate=False)
    pred = terms["entry"][-1, 0] * terms["to_cell"][29 - full["q"], 0]
    assert np.abs(full["to_cell"] / pred - 1.0).max() > 1e-3
    assert full["other_cells"].max() > 0.0


def test_drift_kills_h_prime_without_input_gate_bias():
    out = ca.drift_sweep(SPEC, {"0": (0.0, 0.0), "-3,-6": (-3.0, -6.0)},
                         lambda T: make_task("adding", T=T), lengths=[20, 1000], n_nets=3, seed=0)
    assert out["h_prime"].shape == (2, 2, 3, 4)
    med = {k: np.median(v, axis=(2, 3)) for k, v in out.items()}          # (settings, lengths)
    assert med["abs_state"][0, 1] > 10 * med["abs_state"][0, 0]            # drift grows with T
    assert med["h_prime"][0, 1] < 1e-3 < 0.2 < med["h_prime"][1, 1]
    assert med["factor"][1, 1] > 100 * med["factor"][0, 1]
    assert med["factor"][0, 0] > med["factor"][1, 0]                      # short T: the bias costs


def test_hand_wired_block_stores_the_marked_values():
    spec, w = ca.hand_wired_block()
    seq = make_task("adding", T=20).sample(np.random.default_rng(0))
    s_end = Network(spec, w).trace(seq.inputs)["states"][-1]               # (2,)
    x1, x2 = seq.meta["values"]
    stored = 2 * np.tanh(x1 / 2) + 2 * np.tanh(x2 / 2)                     # g(v) = 2 tanh(v / 2)
    assert 1e-6 < abs(s_end[0] - stored) < 0.1                              # the closed gate leaks
    assert abs(s_end[1] - 2 * 2 * np.tanh(0.5)) < 0.15                      # two openings, g(1) each


def test_bias_cells_are_the_constant_ones():
    spec, w = ca.hand_wired_block()
    task = make_task("adding", T=10)
    seqs = [task.sample(np.random.default_rng(i)) for i in range(30)]
    # cell 1 holds X1 + X2 (varies), cell 2 counts the two markers (the same in every sequence)
    assert ca.bias_cells(Network(spec, w), seqs).tolist() == [False, True]
    assert ca.bias_cells(Network(spec, w), seqs, rel_spread=1e-6).tolist() == [False, False]


def test_abuse_run_records_every_check():
    task = make_task("adding", T=10)
    test = [task.sample(np.random.default_rng(i)) for i in range(16)]
    spec = replace(SPEC, bias="b1", out_gate_bias=(0.0, 0.0))
    r = ca.abuse_run(spec, task, lr=0.5, n_sequences=300, check_every=100, test=test, seed=0)
    assert r["seen"].tolist() == [100, 200, 300]
    assert r["correct"].shape == (3,) and np.all((0 <= r["correct"]) & (r["correct"] <= 1))
    assert np.all((0 <= r["n_bias"]) & (r["n_bias"] <= 4))


def test_storage_bptt_grows_with_T_engine_does_not():
    w, _, _ = case()
    small = ca.autograd_saved_values(SPEC, w, 20, truncate=False)
    assert ca.autograd_saved_values(SPEC, w, 40, truncate=False) == 2 * small
    assert ca.autograd_saved_values(SPEC, w, 20, truncate=True) == small
    lay = layout(SPEC)
    store = ca.engine_storage(SPEC)
    assert store["state derivatives ds/dw (eqs. 25, 27)"] == 2 * 4 * lay.n_src + 2 * 4 * 2
    assert store["accumulated update"] >= SPEC.weight_count()
    assert sum(store.values()) < ca.autograd_saved_values(SPEC, w, 100, truncate=False)


def test_a_bigger_net_costs_more_per_step():
    small = NetworkSpec(n_inputs=2, n_outputs=2, n_blocks=1, block_size=2, in_gate_bias=None)
    big = NetworkSpec(n_inputs=16, n_outputs=16, n_blocks=8, block_size=2, in_gate_bias=None)
    t_small, t_big = ca.time_per_step(small, T=100), ca.time_per_step(big, T=100)
    assert 0 < t_small < t_big / 2


def test_forget_gates_are_refused():
    spec = NetworkSpec(forget_gate=True, in_gate_bias=None)
    with pytest.raises(ValueError, match="1997 memory cell"):
        ca.state_jacobian(spec, init_weights(spec, np.random.default_rng(0)), np.zeros((3, 2)), True)
