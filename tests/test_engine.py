"""The engine against PyTorch autograd (float64), the micrograd way.

For random networks of every Table 10 row and of the forget-gate / peephole variants, on sequences
with targets at every step and only at the end, the engine's weight change must equal the one the
PyTorch reference computes with autograd and the same stop-gradients (relative error <= 1e-9).
"""
import zlib
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from lstm_repro.engine import Network
from lstm_repro.reference import ReferenceLSTM
from lstm_repro.rows import ROWS
from lstm_repro.spec import NetworkSpec, Weights, init_weights

TOL = 1e-9

EXTENSIONS = {
    "forget": NetworkSpec(n_inputs=3, n_outputs=2, n_blocks=2, block_size=2, forget_gate=True,
                          connectivity="G", bias="all", in_gate_bias=None,
                          forget_gate_bias=(1.0, 2.0)),
    "forget+peep": NetworkSpec(n_inputs=3, n_outputs=3, n_blocks=2, block_size=1, forget_gate=True,
                               peepholes=True, connectivity="G", bias="all", in_gate_bias=None),
    "peep, no forget": NetworkSpec(n_inputs=2, n_outputs=1, n_blocks=2, block_size=2, peepholes=True,
                                   in_gate_bias=None),
    "hidden units": NetworkSpec(n_inputs=3, n_outputs=2, n_blocks=1, block_size=2, n_hidden=3,
                                in_gate_bias=None),
    "forget+peep, F, ga": NetworkSpec(n_inputs=4, n_outputs=2, n_blocks=2, block_size=2,
                                      forget_gate=True, peepholes=True, connectivity="F", bias="ga",
                                      in_gate_bias=None),
}


def random_case(spec, seed, T, every_step, onehot):
    """Weights drawn from a wider interval than the paper's (so every path carries a visible
    gradient; the gate biases stay the row's), a random sequence (one-hot if asked) and targets at
    every step or only at the last."""
    rng = np.random.default_rng(seed)
    w = init_weights(replace(spec, init_range=1.0), rng)
    if onehot:
        idx = rng.integers(0, spec.n_inputs, T)
        x = np.eye(spec.n_inputs)[idx]
    else:
        idx, x = None, rng.normal(size=(T, spec.n_inputs))
    targets = rng.uniform(size=(T, spec.n_outputs))
    if not every_step:
        targets[:-1] = np.nan
    return w, x, idx, targets


def engine_and_reference(spec, w, x, idx, targets, lr, update, momentum=0.0, truncate=True,
                         n_sequences=1):
    net = Network(spec, w.copy())
    ref = ReferenceLSTM(spec, w.copy(), truncate=truncate)
    vel = [np.zeros_like(a) for a in (w.wh, w.wo, w.wp)]
    for _ in range(n_sequences):
        if idx is not None:
            out = net.train_sequence(targets=targets, onehot=idx, lr=lr, update=update,
                                     momentum=momentum)
        else:
            out = net.train_sequence(x, targets, lr=lr, update=update, momentum=momentum)
        ref_out = ref.train_sequence(x, targets, lr=lr, update=update, momentum=momentum,
                                     velocity=vel)
    engine_and_reference.velocity = np.concatenate([v.ravel() for v in vel])
    return net, ref, out, ref_out


def rel_err(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


CASES = [(row, every, update) for row in ROWS for every in (True, False)
         for update in ("step", "sequence")]


@pytest.mark.parametrize("row,every_step,update", CASES)
def test_engine_update_equals_autograd_for_every_table10_row(row, every_step, update):
    spec = ROWS[row].spec
    T = 8 if spec.n_inputs > 200 else 12
    onehot = row.startswith("2")       # Experiment 2's inputs are one-hot: exercise that path
    seed = zlib.crc32(row.encode()) % 1000     # not hash(row): str hashes change per process
    w, x, idx, targets = random_case(spec, seed=seed, T=T, every_step=every_step,
                                     onehot=onehot)
    net, ref, out, ref_out = engine_and_reference(spec, w, x, idx, targets, lr=0.5, update=update)
    d_engine = net.weights.flat() - w.flat()
    d_ref = ref.weights().flat() - w.flat()
    assert np.abs(d_ref).max() > 1e-6, "degenerate case: the update is ~0"
    assert rel_err(d_engine, d_ref) <= TOL
    assert np.abs(out - ref_out).max() <= 1e-12


@pytest.mark.parametrize("name", list(EXTENSIONS))
@pytest.mark.parametrize("every_step", [True, False])
def test_extensions_equal_autograd_with_momentum(name, every_step):
    spec = EXTENSIONS[name]
    w, x, idx, targets = random_case(spec, seed=7, T=10, every_step=every_step, onehot=False)
    net, ref, _, _ = engine_and_reference(spec, w, x, idx, targets, lr=0.3, update="step",
                                          momentum=0.9, n_sequences=3)
    d_engine, d_ref = net.weights.flat() - w.flat(), ref.weights().flat() - w.flat()
    assert np.abs(d_ref).max() > 1e-6
    assert rel_err(d_engine, d_ref) <= TOL
    assert rel_err(net.velocity.flat(), engine_and_reference.velocity) <= TOL


@pytest.mark.parametrize("row,every_step", [("2c-1", False), ("2a", True), ("1-2", True)])
def test_onehot_path_equals_dense_path(row, every_step):
    """One-hot inputs take the sparse paths (one input column read; per-step updates without
    momentum touch only the output weights that can carry a gradient); dense inputs take the
    full ones.  Weights, outputs and the momentum buffers must agree, also when a training call
    with momentum follows (it reads the buffers the sparse updates kept)."""
    spec = ROWS[row].spec
    w, x, idx, targets = random_case(spec, seed=3, T=12 if spec.n_inputs > 200 else 20,
                                     every_step=every_step, onehot=True)
    a, b = Network(spec, w.copy()), Network(spec, w.copy())
    for momentum in (0.0, 0.0, 0.9):
        out_a = a.train_sequence(targets=targets, onehot=idx, lr=0.5, momentum=momentum)
        out_b = b.train_sequence(x, targets, lr=0.5, momentum=momentum)
        assert np.abs(out_a - out_b).max() <= 1e-14
        assert rel_err(a.weights.flat() - w.flat(), b.weights.flat() - w.flat()) <= 1e-12
        assert np.abs(a.velocity.flat() - b.velocity.flat()).max() <= 1e-14


def test_a_wrong_weight_is_detected():
    """The comparison can fail: perturbing one weight of the engine's copy breaks the equality."""
    spec = ROWS["4-1"].spec
    w, x, idx, targets = random_case(spec, seed=1, T=12, every_step=True, onehot=False)
    bad = w.copy()
    bad.wh[0, 0] += 1e-3
    net = Network(spec, bad)
    net.train_sequence(x, targets, lr=0.5)
    ref = ReferenceLSTM(spec, w.copy())
    ref.train_sequence(x, targets, lr=0.5)
    assert rel_err(net.weights.flat() - bad.flat(), ref.weights().flat() - w.flat()) > TOL


def full_gradient_by_finite_differences(spec, w, x, targets, eps=1e-6):
    """-dE/dw of E = 1/2 sum (t - y)^2 over the sequence, by central differences on every weight."""
    ref = ReferenceLSTM(spec, w, truncate=False)
    flat = [p.detach().clone() for p in ref.params]
    tgt = torch.tensor(targets)
    have = ~torch.isnan(tgt)

    def loss(params):
        yh = torch.zeros(spec.n_units, dtype=torch.float64)
        s = torch.zeros(spec.n_cells, dtype=torch.float64)
        E = 0.0
        for t in range(x.shape[0]):
            y, yh, s = ref.step(torch.tensor(x[t]), yh, s, *params)
            E += 0.5 * float(((tgt[t] - y)[have[t]] ** 2).sum())
        return E

    grads = []
    for i, p in enumerate(flat):
        g = torch.zeros_like(p)
        for j in range(p.numel()):
            plus = [q.clone() for q in flat]
            minus = [q.clone() for q in flat]
            plus[i].view(-1)[j] += eps
            minus[i].view(-1)[j] -= eps
            g.view(-1)[j] = -(loss(plus) - loss(minus)) / (2 * eps)
        grads.append(g.numpy() * ref.masks[i].numpy())
    return np.concatenate([g.ravel() for g in grads])


def test_full_gradient_option_equals_plain_derivative_and_differs_from_truncated():
    spec = NetworkSpec(n_inputs=2, n_outputs=1, n_blocks=2, block_size=1, in_gate_bias=None)
    w, x, _, targets = random_case(spec, seed=5, T=6, every_step=True, onehot=False)
    lr = 1.0
    full = ReferenceLSTM(spec, w.copy(), truncate=False)
    full.train_sequence(x, targets, lr=lr, update="sequence")
    d_full = full.weights().flat() - w.flat()
    d_fd = lr * full_gradient_by_finite_differences(spec, w, x, targets)
    assert rel_err(d_full, d_fd) < 1e-7
    trunc = ReferenceLSTM(spec, w.copy(), truncate=True)
    trunc.train_sequence(x, targets, lr=lr, update="sequence")
    assert rel_err(trunc.weights().flat() - w.flat(), d_fd) > 1e-3, "truncation cut nothing"


def states_with_grad(spec, w, x, truncate):
    """Run the reference and return the list of cell-state tensors s(t) (graph kept)."""
    ref = ReferenceLSTM(spec, w, truncate=truncate)
    yh = torch.zeros(spec.n_units, dtype=torch.float64)
    s = torch.zeros(spec.n_cells, dtype=torch.float64)
    states = []
    for t in range(x.shape[0]):
        s = s.detach().requires_grad_(True) if t == 0 else s
        _, yh, s = ref.step(torch.tensor(x[t]), yh, s, *ref.params)
        states.append(s)
    return states


@pytest.mark.parametrize("q", [1, 5, 20, 60])
def test_cec_carries_error_unchanged_under_truncation(q):
    """Appendix A.2: with the truncation, ds(t)/ds(t-q) = 1 for the cell itself and 0 across cells,
    whatever q; without it, the recurrent paths make it differ from 1."""
    spec = ROWS["4-1"].spec
    w, x, _, _ = random_case(spec, seed=2, T=q + 3, every_step=True, onehot=False)
    states = states_with_grad(spec, w, x, truncate=True)
    for c in range(spec.n_cells):
        (jac,) = torch.autograd.grad(states[-1][c], states[-1 - q], retain_graph=True)
        expected = np.zeros(spec.n_cells)
        expected[c] = 1.0
        assert np.array_equal(jac.numpy(), expected)
    full = states_with_grad(spec, w, x, truncate=False)
    (jac,) = torch.autograd.grad(full[-1][0], full[-1 - q], retain_graph=True)
    assert abs(jac[0].item() - 1.0) > 1e-6


def test_scaling_factors_do_not_depend_on_the_lag():
    """Appendix A.2: an error reaching s(t) arrives at net_c(t-q) scaled by g'(net_c(t-q)) y_in(t-q)
    and at net_in(t-q) by g(net_c(t-q)) f'_in(net_in(t-q)), for every lag q."""
    spec = NetworkSpec(n_inputs=2, n_outputs=1, n_blocks=1, block_size=1, in_gate_bias=None)
    rng = np.random.default_rng(0)
    w = init_weights(spec, rng)
    w = Weights(w.wh * 5, w.wo * 5, w.wp)
    T = 40
    x = rng.normal(size=(T, 2))
    ref = ReferenceLSTM(spec, w, truncate=True)
    lay = ref.layout
    # re-run the step with the net inputs exposed as leaves
    yh = torch.zeros(spec.n_units, dtype=torch.float64)
    s = torch.zeros(spec.n_cells, dtype=torch.float64)
    wh, wo, wp = ref.params
    seen = []
    for t in range(T):
        z = torch.cat([torch.tensor(x[t]), yh.detach(), torch.ones(1, dtype=torch.float64)])
        net = (wh @ z).detach().requires_grad_(True)
        y_in = torch.sigmoid(net[lay.in_gate])
        g = 4 * torch.sigmoid(net[lay.cell]) - 2
        s = s + y_in * g
        y_out = torch.sigmoid(net[lay.out_gate])
        yh = torch.stack([y_in, y_out, (y_out * (2 * torch.sigmoid(s) - 1)).reshape(())])
        seen.append(net)
    final = s.sum()
    grads = torch.autograd.grad(final, seen)
    for q in (1, 10, 39):
        t = T - 1 - q
        n = seen[t].detach()
        sig_c, sig_in = torch.sigmoid(n[lay.cell]), torch.sigmoid(n[lay.in_gate])
        to_cell = 4 * sig_c * (1 - sig_c) * sig_in                # g'(net_c) y_in
        to_gate = (4 * sig_c - 2) * sig_in * (1 - sig_in)          # g(net_c) f'_in(net_in)
        assert torch.isclose(grads[t][lay.cell], to_cell, rtol=1e-13)
        assert torch.isclose(grads[t][lay.in_gate], to_gate, rtol=1e-13)


def test_same_seed_same_result_bit_for_bit():
    spec = ROWS["6a"].spec
    rng = np.random.default_rng(11)
    seqs = [(rng.normal(size=(30, 8)), rng.uniform(size=(30, 4))) for _ in range(5)]

    def train(seed):
        net = Network(spec, seed=seed)
        for x, t in seqs:
            net.train_sequence(x, t, lr=0.5)
        return net.weights.flat()

    assert np.array_equal(train(4), train(4))
    assert not np.array_equal(train(4), train(5))


def test_forward_leaves_weights_and_trace_matches_reference():
    spec = EXTENSIONS["forget+peep"]
    w, x, _, _ = random_case(spec, seed=9, T=15, every_step=True, onehot=False)
    net = Network(spec, w.copy())
    tr = net.trace(x)
    assert np.array_equal(net.weights.flat(), w.flat())
    ref = ReferenceLSTM(spec, w.copy()).trace(x)
    assert np.abs(tr["outputs"] - ref["outputs"]).max() < 1e-13
    assert np.abs(tr["states"] - ref["states"]).max() < 1e-13
    assert tr["forget_gates"].shape == (15, spec.n_blocks)


@pytest.mark.parametrize("kwargs,field", [
    (dict(block_size=0), "block_size"),
    (dict(n_blocks=2, in_gate_bias=(-1.0,)), "in_gate_bias"),
    (dict(g="tanh"), "g"),
    (dict(h="relu"), "h"),
    (dict(connectivity="X"), "connectivity"),
    (dict(bias="some"), "bias"),
    (dict(output_gate=False, out_gate_bias=(-1.0, -2.0)), "out_gate_bias"),
    (dict(bias="none", in_gate_bias=(-1.0, -2.0)), "in_gate_bias"),
])
def test_invalid_specs_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        NetworkSpec(**kwargs)


def test_invalid_squasher_lists_valid_values():
    with pytest.raises(ValueError, match="'g2'"):
        NetworkSpec(g="tanh")


def test_bad_update_mode_and_shapes():
    net = Network(ROWS["4-1"].spec, seed=0)
    with pytest.raises(ValueError, match="update"):
        net.train_sequence(np.zeros((3, 2)), np.zeros((3, 1)), lr=0.1, update="batch")
    with pytest.raises(ValueError, match="inputs must have shape"):
        net.forward(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="onehot"):
        net.forward(onehot=np.array([0, 2]))


@pytest.mark.parametrize("name", ["4-1", "2c-1", "forget+peep"])
def test_outputs_at_target_steps_only_learn_the_same(name):
    """train_sequences(outputs="targets"): the same weights bit for bit and the same outputs
    at the steps with a target, NaN at the others; a sequence with targets at every step is
    untouched."""
    spec = EXTENSIONS[name] if name in EXTENSIONS else ROWS[name].spec
    onehot = name == "2c-1"
    seqs = []
    for seed in range(4):
        _, x, idx, t = random_case(spec, seed, T=12, every_step=seed == 3, onehot=onehot)
        t[4] = np.nan if seed == 3 else t[4]             # one step without a target
        if seed == 1:
            t[5, 0] = 0.3                                # a target in the middle, one unit only
        seqs.append(SimpleNamespace(targets=t, onehot=idx, inputs=x))
    nets = [Network(spec, seed=2) for _ in range(2)]
    every = nets[0].train_sequences(seqs, lr=0.5, momentum=0.5)
    judged = nets[1].train_sequences(seqs, lr=0.5, momentum=0.5, outputs="targets")
    assert np.array_equal(nets[0].weights.flat(), nets[1].weights.flat())
    for seq, a, b in zip(seqs, every, judged):
        rows = ~np.isnan(seq.targets).all(axis=1)
        assert np.array_equal(a[rows], b[rows])
        assert np.isnan(b[~rows]).all() and not np.isnan(a).any()
    assert not rows.all() and rows.sum() > 1                 # the last case has both kinds
    with pytest.raises(ValueError, match="outputs='last' is not valid; valid values: 'all', 'targets'"):
        nets[0].train_sequences(seqs, lr=0.5, outputs="last")
