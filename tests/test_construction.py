"""Sequential network construction (Section 4, abuse problem, remedy 1; Section 5.2, Task 2a)."""
from dataclasses import replace

import numpy as np
import pytest

from lstm_repro.construction import Construction, block_units
from lstm_repro.engine import Network
from lstm_repro.protocols import CONSTRUCTION_2AB, get_protocol
from lstm_repro.rows import ROWS
from lstm_repro.runner import run_trial
from lstm_repro.spec import NetworkSpec
from lstm_repro.tasks import make_task


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_held_back_cell_leaves_the_input_to_output_net():
    """Before the cell is added, the 2a net is the 101 x 101 input-to-output net: outputs
    logistic(W x(t)), learning changes only those weights, the cell's stay zero."""
    spec = replace(ROWS["2a"].spec, n_inputs=7, n_outputs=7)
    net = Network(spec, seed=1)
    initial = net.weights.copy()
    grow = Construction(net)
    I = spec.n_inputs
    assert grow.held == [0] and not net.weights.wh.any() and not net.weights.wo[:, I].any()
    task = make_task("long_lag_2a", p=6)
    seq = task.test_set(None)[0]
    w_in_out = net.weights.wo[:, :I].copy()
    expected = _logistic(w_in_out[:, seq.onehot].T)                  # (T, K)
    np.testing.assert_allclose(net.forward(onehot=seq.onehot), expected, rtol=1e-12)
    net.train_sequences(task.test_set(None) * 5, lr=1.0)
    assert not net.weights.wh.any() and not net.weights.wo[:, I].any()
    assert np.abs(net.weights.wo[:, :I] - w_in_out).max() > 0.1       # the outputs did learn
    j = grow.add_block()
    assert j == 0 and grow.held == []
    np.testing.assert_array_equal(net.weights.wh, initial.wh)          # the cell's initial weights
    np.testing.assert_array_equal(net.weights.wo[:, I], initial.wo[:, I])
    before = net.weights.wh.copy()
    net.train_sequences(task.test_set(None), lr=1.0)
    assert np.abs(net.weights.wh - before).max() > 0                    # now the cell learns too
    with pytest.raises(ValueError, match="already been added"):
        grow.add_block()


def test_blocks_are_added_in_order_and_shared_weights_wait_for_both():
    """F connectivity (Task 2c's net): block 0 added first; the weights between block 0 and the
    still held-back block 1 stay zero and frozen until block 1 is added."""
    spec = NetworkSpec(n_inputs=5, n_outputs=2, n_blocks=2, block_size=1, connectivity="F",
                       bias="none", init_range=0.2, in_gate_bias=None)
    net = Network(spec, seed=2)
    initial = net.weights.copy()
    grow = Construction(net)
    I = spec.n_inputs
    u0, u1 = block_units(net, 0), block_units(net, 1)
    assert not net.weights.wh.any() and not net.weights.wo.any()
    grow.add_block()
    wh = net.weights.wh
    np.testing.assert_array_equal(wh[np.ix_(u0, [I + u for u in u0])],
                                  initial.wh[np.ix_(u0, [I + u for u in u0])])
    assert not wh[np.ix_(u0, [I + u for u in u1])].any() and not wh[u1].any()
    seqs = [make_task("long_lag_2c", q=3, p=1).sample(np.random.default_rng(i)) for i in range(20)]
    net.train_sequences(seqs, lr=0.5)
    assert not net.weights.wh[np.ix_(u0, [I + u for u in u1])].any()
    assert not net.weights.wo[:, I + 1].any()
    grow.add_block()
    np.testing.assert_array_equal(net.weights.wh[u1], initial.wh[u1])
    np.testing.assert_array_equal(net.layout.mask_h, Network(spec, seed=0).layout.mask_h)


def test_plateau_rule_adds_the_block_when_the_window_mean_stops_falling():
    net = Network(ROWS["2a"].spec, seed=0)
    grow = Construction(net, window=10, tol=0.05)
    errors = [10.0] * 10 + [8.0] * 10 + [7.7] * 10    # -20 %, then -3.75 % (< 5 %): stopped
    assert not grow.observe(errors[:20], 20)
    assert grow.observe(errors[20:], 30)
    assert grow.added == [30] and grow.held == []
    assert not grow.observe([1.0] * 50, 80)            # nothing left to add
    grow2 = Construction(Network(ROWS["2a"].spec, seed=0), window=10, tol=0.05)
    assert not grow2.observe([10.0] * 10 + [9.0] * 10 + [8.0] * 10, 30)   # still falling
    # the count recorded is the sequence that closed the window, inside a longer batch
    grow3 = Construction(Network(ROWS["2a"].spec, seed=0), window=10, tol=0.05)
    assert grow3.observe([5.0] * 25, 25) and grow3.added == [20]


@pytest.mark.parametrize("kw, message", [({"tol": 1.0}, "tol"), ({"window": 0}, "window")])
def test_bad_parameters_are_named(kw, message):
    with pytest.raises(ValueError, match=message):
        Construction(Network(ROWS["2a"].spec, seed=0), **kw)
    with pytest.raises(TypeError, match="engine"):
        Construction(object())
    with pytest.raises(ValueError, match="new_outputs"):
        Construction(Network(ROWS["2a"].spec, seed=0), new_outputs="small")


def test_new_outputs_zero_adds_the_cell_without_influence_on_the_outputs():
    spec = replace(ROWS["2a"].spec, n_inputs=7, n_outputs=7)
    net = Network(spec, seed=3)
    initial = net.weights.copy()
    grow = Construction(net, new_outputs="zero")
    seq = make_task("long_lag_2a", p=6).test_set(None)[1]
    before = net.forward(onehot=seq.onehot)
    grow.add_block()
    np.testing.assert_array_equal(net.weights.wh, initial.wh)
    assert not net.weights.wo[:, spec.n_inputs].any()
    np.testing.assert_array_equal(net.forward(onehot=seq.onehot), before)
    assert net.layout.mask_o[:, spec.n_inputs].all()    # but they are trained from now on


def test_protocol_field_and_runner_hook():
    assert "construction" not in get_protocol("2c-1").to_dict()   # other rows' configs unchanged
    assert get_protocol("2a").construction == get_protocol("2b").construction == CONSTRUCTION_2AB
    base = replace(get_protocol("2a", "quick"), construction={})
    assert "construction" not in base.to_dict()
    grown = replace(base, construction={"window": 20, "tol": 0.5}, budget=200,
                    stop_params={"confirm": 10, "streak": 10_000})
    assert grown.to_dict()["construction"] == {"window": 20, "tol": 0.5}
    rec, net = run_trial(grown, 0, 0)
    added = rec["events"]["blocks_added"]
    assert len(added) == 1 and added[0] % 20 == 0 and 40 <= added[0] < 200   # a window's end
    assert net.weights.wh.any()
    with pytest.raises(ValueError, match="online"):
        run_trial(replace(get_protocol("6a", "quick"), construction={"window": 10}), 0, 0)
