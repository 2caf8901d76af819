"""Section 3 of Hochreiter & Schmidhuber (1997): error flow (eqs. 1-2), its bound, the naive CEC, the conflicts.

PyTorch forward-mode autodiff of the forward dynamics is the oracle for the backward recursion of eq. (1).
"""
import numpy as np
import pytest

from lstm_repro import errorflow as ef


def driven(n, scale, seed, T=40, activation="logistic"):
    rng = np.random.default_rng(seed)
    net = ef.random_net(n, scale, rng, activation=activation)
    x, nets = ef.driven_run(net, T, rng)
    return net, x, nets


def rel_err(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


@pytest.mark.parametrize("scale, activation", [(0.5, "logistic"), (3.0, "logistic"), (0.3, "linear")])
def test_recursion_equals_autograd(scale, activation):
    net, x, nets = driven(6, scale, seed=1, activation=activation)
    t = 40
    oracles = ef.flow_autograd(net, x, t, 30)                        # (q, n, n) [q-1, v, u]
    for q in (1, 2, 7, 30):
        oracle = oracles[q - 1]
        for u in (0, 3, 5):
            rec = ef.flow_recursion(net, nets, t, u, q)[q - 1]      # (n,) over v
            assert rel_err(rec, oracle[:, u]) < 1e-12
        assert rel_err(ef.flow_matrices(net, nets, t, q)[q - 1], oracle) < 1e-12
    assert ef.local_flow(net, nets, t, 2, 4, 1) == pytest.approx(net.W[2, 4] * net.f_prime(nets[t - 1, 4]), rel=1e-15)


def test_autograd_detects_a_perturbed_weight_or_operating_point():
    net, x, nets = driven(6, 1.0, seed=2)
    t, q = 40, 5
    J = ef.flow_matrices(net, nets, t, q)[q - 1]
    W = net.W.copy()
    W[1, 2] += 1e-6
    bumped = ef.RecurrentNet(W, net.W_in, net.b, net.activation)
    assert rel_err(ef.flow_autograd(bumped, x, t, q)[q - 1], J) > 1e-9
    shifted = ef.flow_matrices(net, nets + 1e-4, t, q)[q - 1]       # derivatives at the wrong net(t)
    assert rel_err(shifted, ef.flow_autograd(net, x, t, q)[q - 1]) > 1e-8


def test_path_sum_of_eq2_equals_recursion():
    net, _, nets = driven(3, 2.0, seed=3, T=10)
    M = ef.flow_matrices(net, nets, 10, 5)
    for q in (1, 3, 5):
        for u, v in [(0, 0), (0, 2), (2, 1)]:
            assert ef.flow_paths(net, nets, 10, u, v, q) == pytest.approx(M[q - 1, v, u], rel=1e-12, abs=1e-300)
    with pytest.raises(ValueError, match="max_paths"):
        ef.flow_paths(net, nets, 10, 0, 0, 10, max_paths=100)


@pytest.mark.parametrize("scale", [0.1, 1.0, 10.0])
def test_measured_flow_below_both_bounds(scale):
    net, _, nets = driven(8, scale, seed=4)
    q = np.arange(1, 31)
    M = ef.flow_matrices(net, nets, 40, 30)                          # (q, n, n)
    assert np.all(ef.max_flow(M) <= ef.weak_bound(net, q))
    for m in (2, 10, 30):
        for u, v in [(0, 1), (7, 7)]:
            pb = ef.path_bound(net, u, v, m)
            assert abs(M[m - 1, v, u]) <= pb <= ef.weak_bound(net, m)


def test_bound_is_tight_for_one_linear_unit_and_tau_gives_decay():
    unit = ef.self_connected_unit(1.3, "linear")
    flow, _ = ef.self_flow(unit, 20)
    assert np.allclose(flow, ef.weak_bound(unit, np.arange(1, 21)), rtol=1e-14)
    net, _, nets = driven(10, 0.09, seed=5)                          # w_max < 4.0 / n = 0.4 -> tau < 1
    tau = ef.decay_factor(net)
    assert tau == pytest.approx(10 * np.abs(net.W).max() / 4.0) and tau < 1.0
    M = ef.flow_matrices(net, nets, 40, 30)
    assert np.all(ef.max_flow(M) <= 10 * tau ** np.arange(1, 31))


def test_logistic_derivative_maximum_and_best_weight():
    grid = np.linspace(-20, 20, 400_001)
    assert ef.logistic_prime(grid).max() == pytest.approx(0.25, abs=1e-12)
    assert ef.RecurrentNet(np.eye(2), np.zeros((2, 1)), np.zeros(2)).f_prime_max == 0.25
    x = ef.best_net()
    assert x * np.tanh(x / 2) == pytest.approx(1.0, abs=1e-12)
    for y in (0.3, 0.7, 1.0):                                        # argmax_w |f'(wy) w| = coth(net/2) / y
        w = np.linspace(0.01, 40, 400_001)
        assert w[np.argmax(ef.logistic_gain(w, y))] == pytest.approx(1 / (y * np.tanh(x / 2)), abs=1e-3)
        assert ef.logistic_gain(np.linspace(-4, 4, 1001), y).max() < 1.0   # |w| < 4.0: gain below one


def test_cec_keeps_error_constant_and_nothing_else_does():
    flow, y = ef.self_flow(ef.self_connected_unit(1.0, "linear"), 1000, net0=0.7)
    assert np.all(flow == 1.0) and np.all(y == 0.7)
    grow, _ = ef.self_flow(ef.self_connected_unit(1.01, "linear"), 200)
    assert grow[-1] == pytest.approx(1.01 ** 200)
    sig, _ = ef.self_flow(ef.self_connected_unit(1.0, "logistic"), 50)
    assert np.all(np.abs(sig) <= 0.25 ** np.arange(1, 51))


def test_learning_rate_does_not_change_long_to_short_ratio():
    net, _, nets = driven(8, 1.0, seed=6, T=60)
    error = np.random.default_rng(0).normal(size=8)
    ratios = ef.update_ratios(net, nets, 60, error, 30, alphas=[0.01, 1.0, 100.0])   # (3, 30)
    assert np.all(np.abs(ratios - ratios[1]) <= 1e-13 * ratios[1])
    assert ratios[0, 0] == 1.0 and ratios[0, -1] < 1e-6


def test_per_step_contributions_match_the_naive_units_gradient():
    rng = np.random.default_rng(7)
    params = ef.init_conflict_params(False, rng, scale=0.5)
    inputs, targets, t_w = ef.conflict_batch(6, 4, rng)
    E, steps = ef.conflict_gradients(params, inputs, targets, gated=False)
    s = np.cumsum(inputs @ params["w_j"], axis=1)                    # (B, T): the CEC's state
    err = targets - params["w_kj"][0] * s                            # (B, T)
    assert E == pytest.approx(0.5 * (err ** 2).sum(1).mean())
    # -dE/dw_kj at step t is (d(t) - y(t)) s(t) / B; -dE/dw_jx at step tau is sum_{t >= tau} (d - y) w_kj x(tau) / B
    assert np.allclose(steps["w_kj"][:, :, 0], err * s / 4, rtol=1e-12)
    later = np.cumsum(err[:, ::-1], axis=1)[:, ::-1]
    assert np.allclose(steps["w_j"][:, :, 0], later * params["w_kj"][0] * inputs[:, :, 0] / 4, rtol=1e-12)


def test_naive_unit_shows_the_conflicts_and_gates_resolve_them():
    naive, h = ef.train_conflict(False, T=6, n_updates=300, batch=16, alpha=1.0, rng=np.random.default_rng(8))
    late = slice(150, None)
    assert h["store"][late].mean() > 0 > h["ignore"][late].mean()      # input weight conflict
    assert h["read"][late].mean() > 0 > h["quiet"][late].mean()        # output weight conflict
    gated, _ = ef.train_conflict(True, T=6, n_updates=300, batch=16, alpha=4.0, rng=np.random.default_rng(8))
    rng = np.random.default_rng(9)
    assert ef.conflict_errors(naive, False, 6, 500, rng)[0] > 0.8
    assert ef.conflict_errors(gated, True, 6, 500, rng)[0] < 0.1


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="valid values: 'logistic', 'linear'"):
        ef.self_connected_unit(1.0, "tanh")
    net, x, nets = driven(3, 1.0, seed=0, T=5)
    with pytest.raises(ValueError, match="1 <= q <= t"):
        ef.flow_recursion(net, nets, 5, 0, 6)
    with pytest.raises(ValueError, match="inconsistent shapes"):
        ef.RecurrentNet(np.eye(3), np.zeros((2, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="T >= 2"):
        ef.conflict_batch(1, 4, np.random.default_rng(0))
