"""The DEKF learner (lstm_repro.dekf) against independent computations.

- Its truncated Jacobian dy_k(t)/dw equals PyTorch autograd through the reference network with the
  paper's stop-gradients (float64, relative error <= 1e-9), for every output and step.
- A plain-numpy DEKF (the equations of the module docstring, written out with dense matrices) is
  first checked on a linear measurement model, where one Kalman group with Q = 0 must give the
  batch regularised least-squares solution (the filter is then recursive least squares); then the
  compiled learner's weights, covariances and outputs after on-line training must equal that
  numpy filter driven by autograd Jacobians.
- state/restore is exact; bad input raises errors naming the valid choices.
"""
from dataclasses import replace

import numpy as np
import pytest
import torch

from lstm_repro.dekf import DEKFLearner, FilterParams, weight_groups
from lstm_repro.engine import Network
from lstm_repro.reference import ReferenceLSTM
from lstm_repro.spec import NetworkSpec, init_weights, layout
from lstm_repro.tasks.base import Sequence

TOL = 1e-9

SPECS = {
    "formal (2 blocks of 1, forget, peep, G)": NetworkSpec(
        n_inputs=4, n_outputs=4, n_blocks=2, block_size=1, forget_gate=True, peepholes=True,
        connectivity="G", bias="all", g="id", h="id", in_gate_bias=None,
        forget_gate_bias=(1.0, 2.0)),
    "blocks of 2, forget, peep, squashers": NetworkSpec(
        n_inputs=3, n_outputs=3, n_blocks=2, block_size=2, forget_gate=True, peepholes=True,
        connectivity="G", bias="all", in_gate_bias=None),
    "F connectivity, hidden units, ga": NetworkSpec(
        n_inputs=3, n_outputs=2, n_blocks=2, block_size=2, n_hidden=2, forget_gate=True,
        peepholes=True, connectivity="F", bias="ga", in_gate_bias=None),
    "1997 cell (no forget gate), peepholes": NetworkSpec(
        n_inputs=2, n_outputs=2, n_blocks=2, block_size=1, peepholes=True, in_gate_bias=None),
}


def random_case(spec, seed, T, missing=False):
    """Weights from a wide interval (every path carries a visible derivative), dense random
    inputs and random targets (some missing if asked)."""
    rng = np.random.default_rng(seed)
    w = init_weights(replace(spec, init_range=1.0), rng)
    x = rng.normal(size=(T, spec.n_inputs))
    targets = rng.uniform(size=(T, spec.n_outputs))
    if missing:
        targets[rng.uniform(size=targets.shape) < 0.3] = np.nan
        targets[1] = np.nan                                    # one step with no target at all
    return w, Sequence.dense(x, targets, {})


def flat(groups, arrays):
    """The three weight-shaped arrays (wh, wo, wp) as the filter's flat vector."""
    return np.array([arrays[a][i, j] if a < 2 else arrays[2][i, j, v]
                     for a, i, j, v in groups.inv])


def autograd_jacobian(ref, base, x_t, yh, s, weights, groups):
    """Outputs y(t), new y_h, s and the Jacobian (W, K) of every output w.r.t. ``base``."""
    y, yh, s = ref.step(x_t, yh, s, *weights)
    cols = []
    for k in range(y.shape[0]):
        g = torch.autograd.grad(y[k], base, retain_graph=True, allow_unused=True)
        g = [np.zeros(tuple(p.shape)) if gi is None else gi.numpy() for gi, p in zip(g, base)]
        cols.append(flat(groups, g))
    return y, yh, s, np.stack(cols, axis=1)


@pytest.mark.parametrize("name", SPECS)
def test_jacobian_equals_autograd_with_truncation(name):
    spec = SPECS[name]
    w, seq = random_case(spec, 1, T=9)
    learner = DEKFLearner(spec, w.copy())
    out, H = learner.jacobians(seq)                           # (T, K), (T, W, K)
    ref = ReferenceLSTM(spec, w.copy(), truncate=True)
    yh = torch.zeros(spec.n_units, dtype=torch.float64)
    s = torch.zeros(spec.n_cells, dtype=torch.float64)
    x = torch.tensor(seq.inputs)
    worst = 0.0
    for t in range(seq.length):
        y, yh, s, J = autograd_jacobian(ref, ref.params, x[t], yh, s, ref.params, learner.groups)
        assert np.allclose(out[t], y.detach().numpy(), rtol=0, atol=1e-14)
        for k in range(spec.n_outputs):
            assert np.abs(J[:, k]).max() > 0
            worst = max(worst, np.abs(H[t, :, k] - J[:, k]).max() / np.abs(J[:, k]).max())
    assert worst <= TOL, worst


def test_jacobian_is_not_the_full_gradient():
    """The truncation matters on this net: the full (BPTT) Jacobian differs, so the test above
    can tell the two apart."""
    spec = SPECS["formal (2 blocks of 1, forget, peep, G)"]
    w, seq = random_case(spec, 2, T=6)
    _, H = DEKFLearner(spec, w.copy()).jacobians(seq)
    ref = ReferenceLSTM(spec, w.copy(), truncate=False)
    yh = torch.zeros(spec.n_units, dtype=torch.float64)
    s = torch.zeros(spec.n_cells, dtype=torch.float64)
    x = torch.tensor(seq.inputs)
    groups = weight_groups(spec)
    for t in range(seq.length):
        _, yh, s, J = autograd_jacobian(ref, ref.params, x[t], yh, s, ref.params, groups)
    assert np.abs(H[-1] - J).max() > 1e-3 * np.abs(J).max()


# ---------------------------------------------------------------------------- the filter itself

def numpy_dekf_update(w, P, groups, H, xi, r, q):
    """One DEKF step written out with dense matrices: w (W,), P list of (n_g, n_g), H (W, K'),
    xi = d - y (K',), r the measurement noise (a number, or (K',) one per output).  Returns the
    new w and P."""
    start = groups.start
    Hs = [H[start[g]:start[g + 1]] for g in range(len(P))]
    A = np.linalg.inv(np.diag(np.broadcast_to(r, (H.shape[1],)))
                      + sum(h.T @ p @ h for h, p in zip(Hs, P)))
    w, P = w.copy(), [p.copy() for p in P]
    for g, (h, p) in enumerate(zip(Hs, P)):
        K = p @ h @ A
        w[start[g]:start[g + 1]] += K @ xi
        P[g] = p - K @ h.T @ p + q * np.eye(len(p))
    return w, P


def test_numpy_filter_is_recursive_least_squares_on_a_linear_model():
    """One group, Q = 0, constant R, measurements y = H w: the filter's estimate after every step
    is the minimiser of (w - w0)^T P0^-1 (w - w0) + sum |d - H^T w|^2 / R."""
    rng = np.random.default_rng(3)
    W, K, steps, p0, r = 5, 2, 12, 10.0, 0.5
    groups = type("G", (), {"start": np.array([0, W])})()
    w_true, w0 = rng.normal(size=W), rng.normal(size=W)
    w, P = w0.copy(), [p0 * np.eye(W)]
    info, rhs = np.eye(W) / p0, w0 / p0
    for _ in range(steps):
        H = rng.normal(size=(W, K))
        d = H.T @ w_true + 0.1 * rng.normal(size=K)
        w, P = numpy_dekf_update(w, P, groups, H, d - H.T @ w, r, 0.0)
        info, rhs = info + H @ H.T / r, rhs + H @ d / r
        assert np.allclose(w, np.linalg.solve(info, rhs), rtol=1e-10, atol=1e-12)
        assert np.allclose(P[0], np.linalg.inv(info), rtol=1e-9, atol=1e-12)


def numpy_dekf_on_lstm(spec, w, seqs, params, eta):
    """The DEKF with autograd Jacobians: on-line weights base + delta (delta constant), so that
    the derivative w.r.t. base accumulates every earlier step at the weights then in force."""
    groups = weight_groups(spec, params.decoupling)
    ref = ReferenceLSTM(spec, w.copy(), truncate=True)
    base = ref.params
    sizes = groups.sizes
    P = [params.p0 * np.eye(n) for n in sizes]
    count, outputs = 0, []
    for seq in seqs:
        delta = np.zeros(groups.inv.shape[0])
        yh = torch.zeros(spec.n_units, dtype=torch.float64)
        s = torch.zeros(spec.n_cells, dtype=torch.float64)
        x = torch.tensor(seq.inputs)
        out = np.zeros(seq.targets.shape)
        for t in range(seq.length):
            arrays = [np.zeros(tuple(p.shape)) for p in base]
            for (a, i, j, v), d in zip(groups.inv, delta):
                arrays[a][(i, j) if a < 2 else (i, j, v)] = d
            current = [b + torch.as_tensor(d) for b, d in zip(base, arrays)]
            y, yh, s, H = autograd_jacobian(ref, base, x[t], yh, s, current, groups)
            out[t] = y.detach().numpy()
            have = ~np.isnan(seq.targets[t])
            if not have.any():
                continue
            r, q = params.noise(count)
            if params.noise_model == "bernoulli":      # R y (1 - y) per output, floored
                r = r * np.maximum(out[t][have] * (1.0 - out[t][have]), params.bernoulli_floor)
            count += 1
            w_flat = flat(groups, [b.detach().numpy() for b in base]) + delta
            new, P = numpy_dekf_update(w_flat, P, groups, H[:, have],
                                       seq.targets[t][have] - out[t][have], r / eta, q)
            delta += new - w_flat
        outputs.append(out)
        with torch.no_grad():
            for (a, i, j, v), d in zip(groups.inv, delta):
                base[a][(i, j) if a < 2 else (i, j, v)] += d
    return ref.weights(), P, outputs


@pytest.mark.parametrize("name,decoupling,noise_model,shape",
                         [(n, "block", "constant", "linear") for n in SPECS]
                         + [("formal (2 blocks of 1, forget, peep, G)", "none", "constant", "linear"),
                            ("formal (2 blocks of 1, forget, peep, G)", "block", "bernoulli", "linear"),
                            ("formal (2 blocks of 1, forget, peep, G)", "block", "bernoulli",
                             "geometric")])
def test_learner_equals_numpy_filter_with_autograd_jacobians(name, decoupling, noise_model, shape):
    spec = SPECS[name]
    kw = {"p0": 5.0, "r_init": 2.0, "r_final": 0.5, "q_init": 1e-2, "q_final": 1e-4,
          "anneal": 7, "decoupling": decoupling, "noise_model": noise_model, "anneal_shape": shape}
    params = FilterParams(**kw)
    w, s1 = random_case(spec, 4, T=6, missing=True)
    _, s2 = random_case(spec, 5, T=5)
    learner = DEKFLearner(spec, w.copy(), **kw)
    outs = learner.train_sequences([s1, s2], lr=0.7)
    w_ref, P_ref, outs_ref = numpy_dekf_on_lstm(spec, w, [s1, s2], params, eta=0.7)
    got, want = learner.weights.flat(), w_ref.flat()
    assert np.abs(got - w.flat()).max() > 1e-3                 # the filter did move the weights
    assert np.abs(got - want).max() <= TOL * np.abs(want).max()
    for g, n in enumerate(learner.groups.sizes):
        assert np.abs(learner.P[g, :n, :n] - P_ref[g]).max() <= TOL * np.abs(P_ref[g]).max()
    for a, b in zip(outs, outs_ref):
        assert np.abs(a - b).max() <= 1e-12
    assert learner.count[0] == sum(int((~np.isnan(s.targets)).any(axis=1).sum()) for s in (s1, s2))


def test_noise_schedule_is_linear_then_constant():
    p = FilterParams(r_init=100.0, r_final=3.0, q_init=1e-2, q_final=1e-6, anneal=10)
    assert p.noise(0) == (100.0, 1e-2)
    assert np.allclose(p.noise(5), (51.5, 0.5 * (1e-2 + 1e-6)))
    assert p.noise(10) == p.noise(10_000) == (3.0, 1e-6)
    assert FilterParams(anneal=0).noise(0) == (3.0, 1e-6)


def test_geometric_anneal_is_linear_in_the_logarithm_then_constant():
    p = FilterParams(r_init=100.0, r_final=0.01, q_init=1e-2, q_final=1e-6, anneal=10,
                     anneal_shape="geometric")
    assert np.allclose(p.noise(0), (100.0, 1e-2))
    assert np.allclose(p.noise(5), (1.0, 1e-4))                  # halfway in log: sqrt(start end)
    assert np.allclose(p.noise(9), (100.0 * 1e-4 ** 0.9, 1e-2 * 1e-4 ** 0.9))
    assert np.allclose(p.noise(10), (0.01, 1e-6)) and p.noise(10) == p.noise(10_000)
    with pytest.raises(ValueError, match="q_final > 0"):
        FilterParams(q_final=0.0, anneal_shape="geometric")


# ---------------------------------------------------------------------------- groups, forward

def test_groups_cover_every_weight_once_and_follow_the_blocks():
    spec = SPECS["F connectivity, hidden units, ga"]
    lay, groups = layout(spec), weight_groups(spec)
    n_masked = int(lay.mask_h.sum() + lay.mask_o.sum() + lay.mask_p.sum())
    assert groups.inv.shape[0] == n_masked == spec.weight_count()
    assert sorted(np.concatenate([groups.idx_h[groups.idx_h >= 0], groups.idx_o[groups.idx_o >= 0],
                                  groups.idx_p[groups.idx_p >= 0]])) == list(range(n_masked))
    # ga: output units have no bias and F gives them no input connections -> 4 cells + 2 hidden
    assert groups.names == ("block 0", "block 1", "hidden unit 0", "hidden unit 1",
                            "output unit 0", "output unit 1")
    assert list(groups.sizes[-2:]) == [6, 6]
    units_of_block1 = {lay.in_gate + 1, lay.out_gate + 1, lay.forget_gate + 1, lay.cell + 2,
                       lay.cell + 3}
    for a, i, j, v in groups.inv[groups.start[1]:groups.start[2]]:
        assert (a == 0 and i in units_of_block1) or (a == 2 and i == 1)
    assert weight_groups(spec, "none").names == ("all weights",)


def test_forward_equals_engine_and_leaves_weights_alone():
    spec = SPECS["blocks of 2, forget, peep, squashers"]
    w, seq = random_case(spec, 6, T=12)
    learner = DEKFLearner(spec, w.copy())
    before = learner.state()
    out = learner.forward_sequences([seq, seq])
    assert np.abs(out[0] - Network(spec, w.copy()).forward(seq.inputs)).max() <= 1e-13
    assert np.array_equal(out[0], out[1])
    after = learner.state()
    assert np.array_equal(before[0].flat(), after[0].flat()) and np.array_equal(before[1], after[1])


def test_state_restore_is_exact():
    spec = SPECS["formal (2 blocks of 1, forget, peep, G)"]
    seqs = [random_case(spec, s, T=8)[1] for s in range(6)]
    learner = DEKFLearner(spec, rng=np.random.default_rng(0), anneal=20)
    learner.train_sequences(seqs[:2], lr=1.0)
    saved = learner.state()
    first = learner.train_sequences(seqs[2:], lr=1.0)
    end = learner.state()
    learner.restore(saved)
    assert learner.count[0] == saved[2][0]
    again = learner.train_sequences(seqs[2:], lr=1.0)
    for a, b in zip(first, again):
        assert np.array_equal(a, b)
    final = learner.state()
    assert np.array_equal(final[0].flat(), end[0].flat())
    assert np.array_equal(final[1], end[1]) and np.array_equal(final[2], end[2])
    assert not np.array_equal(saved[1], end[1])               # P did change in between
    # the snapshot is a copy: training after state() does not change it
    assert not np.array_equal(saved[0].flat(), end[0].flat())


def test_covariances_stay_symmetric_positive_definite():
    spec = SPECS["formal (2 blocks of 1, forget, peep, G)"]
    learner = DEKFLearner(spec, rng=np.random.default_rng(1))
    learner.train_sequences([random_case(spec, s, T=20)[1] for s in range(20)], lr=1.0)
    for g, n in enumerate(learner.groups.sizes):
        P = learner.P[g, :n, :n]
        assert np.array_equal(P, P.T)
        assert np.linalg.eigvalsh(P).min() > 0


def test_bad_input_names_the_valid_choices():
    spec = SPECS["formal (2 blocks of 1, forget, peep, G)"]
    learner = DEKFLearner(spec, seed=0)
    seq = random_case(spec, 0, T=3)[1]
    with pytest.raises(ValueError, match="'step'"):
        learner.train_sequences([seq], lr=1.0, update="sequence")
    with pytest.raises(ValueError, match="lr"):
        learner.train_sequences([seq], lr=0.0)
    with pytest.raises(ValueError, match="'block', 'none'"):
        DEKFLearner(spec, seed=0, decoupling="layer")
    with pytest.raises(ValueError, match="p0"):
        DEKFLearner(spec, seed=0, p0=-1.0)
    with pytest.raises(ValueError, match="'constant', 'bernoulli'"):
        DEKFLearner(spec, seed=0, noise_model="entropy")
    with pytest.raises(ValueError, match="'linear', 'geometric'"):
        DEKFLearner(spec, seed=0, anneal_shape="cosine")
    for floor in (0.0, 0.3):
        with pytest.raises(ValueError, match=r"bernoulli_floor=.*\(0, 0.25\]"):
            DEKFLearner(spec, seed=0, noise_model="bernoulli", bernoulli_floor=floor)
    with pytest.raises(TypeError):
        DEKFLearner(spec, seed=0, learning_rate=1.0)
    with pytest.raises(ValueError, match="inputs"):
        learner.forward_sequences([random_case(SPECS["1997 cell (no forget gate), peepholes"],
                                               0, T=3)[1]])


def test_bernoulli_floor_of_a_quarter_is_the_constant_model_with_a_quarter_of_r():
    """y (1 - y) <= 1/4, so the floor 1/4 replaces it at every output: R y (1 - y) becomes R / 4,
    the constant model's noise with R a quarter as large (a smaller floor differs)."""
    spec = SPECS["formal (2 blocks of 1, forget, peep, G)"]
    w, s1 = random_case(spec, 4, T=6, missing=True)
    kw = {"p0": 5.0, "r_init": 2.0, "r_final": 0.5, "q_init": 1e-2, "q_final": 1e-4, "anneal": 7}
    quarter = {k: v / 4 if k.startswith("r_") else v for k, v in kw.items()}
    got = {}
    for name, params in (("floor 1/4", {**kw, "noise_model": "bernoulli", "bernoulli_floor": 0.25}),
                         ("constant R/4", {**quarter, "noise_model": "constant"}),
                         ("floor 1e-3", {**kw, "noise_model": "bernoulli"})):
        learner = DEKFLearner(spec, w.copy(), **params)
        learner.train_sequences([s1], lr=1.0)
        got[name] = learner.weights.flat()
    assert np.abs(got["floor 1/4"] - got["constant R/4"]).max() <= 1e-12
    assert np.abs(got["floor 1/4"] - got["floor 1e-3"]).max() > 1e-6


def test_reference_jacobians_helper_agrees_with_the_test_oracle():
    """The package's autograd helper (used by the chapter's checks) equals the learner too."""
    from lstm_repro.dekf import reference_jacobians
    spec = SPECS["formal (2 blocks of 1, forget, peep, G)"]
    w, seq = random_case(spec, 7, T=5)
    _, H = DEKFLearner(spec, w.copy()).jacobians(seq)
    J = reference_jacobians(spec, w, seq)
    assert np.abs(H - J).max() <= TOL * np.abs(J).max()
