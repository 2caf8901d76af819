"""The engine's cross-entropy option (``Network(error="cross-entropy")``: e_k = t_k - y_k) against
PyTorch autograd (float64) on E = -sum [t ln y + (1 - t) ln(1 - y)] with the paper's
stop-gradients; and the default is still the paper's squared error."""
from dataclasses import replace

import numpy as np
import pytest

from lstm_repro.engine import Network
from lstm_repro.reference import ReferenceLSTM
from lstm_repro.rows2001 import formal_spec
from lstm_repro.spec import NetworkSpec, init_weights

TOL = 1e-9

SPECS = {
    "2001 a^n b^n c^n (forget gates, peepholes, G)": formal_spec("anbncn"),
    "2001 a^n b^n, two cells per block, G-cells": replace(formal_spec("anbn"), block_size=2,
                                                          connectivity="G-cells"),
    "1997 cell, squashers, hidden units": NetworkSpec(n_inputs=3, n_outputs=2, n_blocks=2,
                                                      block_size=2, n_hidden=2, in_gate_bias=None),
}


def case(spec, seed, T=12, every_step=True):
    rng = np.random.default_rng(seed)
    w = init_weights(replace(spec, init_range=1.0), rng)
    idx = rng.integers(0, spec.n_inputs, T)
    x = np.eye(spec.n_inputs)[idx]
    targets = rng.integers(0, 2, size=(T, spec.n_outputs)).astype(float)   # multi-hot, as 2001
    targets[rng.uniform(size=targets.shape) < 0.2] = np.nan                # some outputs free
    if not every_step:
        targets[:-1] = np.nan
    return w, x, idx, targets


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("update,momentum,every_step", [("step", 0.0, True), ("step", 0.9, True),
                                                        ("sequence", 0.0, True),
                                                        ("step", 0.0, False)])
def test_cross_entropy_update_equals_autograd(name, update, momentum, every_step):
    spec = SPECS[name]
    w, x, idx, targets = case(spec, seed=3, every_step=every_step)
    net = Network(spec, w.copy(), error="cross-entropy")
    ref = ReferenceLSTM(spec, w.copy())
    vel = [np.zeros_like(a) for a in (w.wh, w.wo, w.wp)]
    for _ in range(2):
        out = net.train_sequence(targets=targets, onehot=idx, lr=0.3, update=update,
                                 momentum=momentum)
        ref_out = ref.train_sequence(x, targets, lr=0.3, update=update, momentum=momentum,
                                     velocity=vel, error="cross-entropy")
    d_engine, d_ref = net.weights.flat() - w.flat(), ref.weights().flat() - w.flat()
    assert np.abs(d_ref).max() > 1e-6, "degenerate case: the update is ~0"
    assert np.abs(d_engine - d_ref).max() / np.abs(d_ref).max() <= TOL
    assert np.abs(out - ref_out).max() <= 1e-12
    # and it is not the squared error's update (the option changes something)
    mse = ReferenceLSTM(spec, w.copy())
    mse.train_sequence(x, targets, lr=0.3, update=update)
    assert np.abs(mse.weights().flat() - w.flat() - d_ref).max() > 1e-3 * np.abs(d_ref).max()


def test_default_error_is_the_papers_squared_error():
    spec = SPECS["2001 a^n b^n c^n (forget gates, peepholes, G)"]
    w, x, idx, targets = case(spec, seed=5)
    a, b = Network(spec, w.copy()), Network(spec, w.copy(), error="mse")
    ref = ReferenceLSTM(spec, w.copy())
    for net in (a, b):
        net.train_sequence(targets=targets, onehot=idx, lr=0.3, momentum=0.9)
    ref.train_sequence(x, targets, lr=0.3, momentum=0.9, velocity=[np.zeros_like(v) for v in
                                                                  (w.wh, w.wo, w.wp)])
    assert np.array_equal(a.weights.flat(), b.weights.flat())
    d_ref = ref.weights().flat() - w.flat()
    assert np.abs(a.weights.flat() - w.flat() - d_ref).max() / np.abs(d_ref).max() <= TOL


def test_a_bad_error_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="error='bce'.*'mse', 'cross-entropy'|mse, cross-entropy"):
        Network(SPECS["2001 a^n b^n c^n (forget gates, peepholes, G)"], seed=0, error="bce")
