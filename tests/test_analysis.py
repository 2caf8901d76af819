"""Measurements behind the chapters of Experiments 4-6: learning curves, the ST3 streak, which cell
stores which value, temporal-order states, binning.  Hand-built nets with known behaviour, and each
check shown to come out the other way when the behaviour is not there."""
import numpy as np
import pytest

from lstm_repro import analysis as an
from lstm_repro.engine import Network
from lstm_repro.protocols import get_protocol
from lstm_repro.results import trial_path, write_json, write_weights
from lstm_repro.rows import ROWS
from lstm_repro.spec import Weights, layout
from lstm_repro.tasks import make_task


def record(points, success=True):
    return {"row": "6a", "trial": 0, "success": success, "sequences": 0, "budget": 1, "curve": points}


def test_curve_and_first_reaching():
    rec = record([[1000, 0.5, 0.2], [2000, 0.1, 0.9], [3000, 0.05, 0.95], [4000, 0.01, 0.85]])
    assert an.curve(rec).shape == (4, 3)
    assert an.first_reaching(rec, 0.9) == 2000
    assert an.first_reaching(rec, 0.95) == 3000
    assert an.first_reaching(rec, 0.99) is None
    assert an.curve(record([])).shape == (0, 3)
    with pytest.raises(ValueError, match="fraction correct"):
        an.first_reaching(rec, 90)


def test_first_below_and_plateau_rate():
    rec = record([[1000, 0.5, 0.5], [2000, 0.05, 0.99], [3000, 0.04, 0.995], [4000, 0.03, 0.993],
                  [5000, 0.02, 1.0], [5500, 0.01, 1.0]])
    rec["sequences"] = 5500
    assert an.first_below(rec, 0.1) == 2000 and an.first_below(rec, 0.001) is None
    assert an.plateau_rate(rec, window=1000) == pytest.approx(0.006)        # points 3000 and 4000
    assert an.plateau_rate({**rec, "success": False}, window=1000) == pytest.approx(0.003)  # to 5500
    assert an.plateau_rate(rec, window=1000, level=1.0) is None             # nothing after 5000
    assert an.plateau_rate(record([[1000, 0.5, 0.5]])) is None              # never reached 99 %


def test_readings_markdown_summarises_each_row_of_trials():
    fast = [{**record([[1000, 0.1, 0.95], [2000, 0.01, 0.995], [3000, 0.01, 0.99], [4000, 0.0, 1.0]]),
             "sequences": n} for n in (5000, 7000)]
    slow = [{**record([[1000, 0.5, 0.5], [2000, 0.1, 0.92]], success=False), "sequences": 9000},
            {**record([[1000, 0.5, 0.9], [2000, 0.1, 0.99], [3000, 0.0, 0.98]]), "sequences": 6000}]
    text = an.readings_markdown({"a": fast, "b": slow, "c": []}, plateau_window=1000)
    head, rule, a, b, c = text.splitlines()
    assert head.count("|") == rule.count("|") == a.count("|") == b.count("|") == c.count("|") == 7
    assert a.startswith("| a | 2 of 2 | 6,000 [5,000-7,000] | 1,000 (2 trials) | 2,000 (2 trials) | 0.50 % |")
    assert b.startswith("| b | 1 of 2 | 6,000 [6,000-6,000] | 1,500 (2 trials) | 2,000 (1 trials) | 2.00 % |")
    assert c == "| c | not run | - | - | - | - |"
    one = an.readings_markdown({"b": slow}, levels=(0.99,))
    assert one.splitlines()[0].count("|") == 5 and "never" not in one
    assert "| never |" in an.readings_markdown({"x": [record([[1000, 0.5, 0.5]], success=False)]})


def test_streak_wait_matches_simulation():
    p, n = 0.2, 5
    assert an.streak_wait(p, n) == pytest.approx(((1 - p) ** -n - 1) / p)
    rng = np.random.default_rng(0)
    waits = []
    for _ in range(20000):
        run = steps = 0
        while run < n:
            steps += 1
            run = 0 if rng.random() < p else run + 1
        waits.append(steps)
    assert np.mean(waits) == pytest.approx(an.streak_wait(p, n), rel=0.03)
    assert abs(np.mean(waits) - an.streak_wait(0.3, n)) > 5        # the formula depends on p


def test_streak_wait_edges_and_arrays():
    assert an.streak_wait(0.0, 2000) == 2000.0
    assert an.streak_wait(1.0, 3) == np.inf
    waits = an.streak_wait(np.array([0.0, 1e-4, 1e-3, 5e-3]))
    assert waits.shape == (4,) and np.all(np.diff(waits) > 0)
    assert waits[3] > 1e6 > waits[2]          # 0.5 % wrong: millions of sequences; 0.1 %: thousands
    for bad in (-0.1, 1.5, np.nan):
        with pytest.raises(ValueError, match="probability"):
            an.streak_wait(bad)
    with pytest.raises(ValueError, match="n="):
        an.streak_wait(0.1, 0)


def test_streak_rate_inverts_streak_wait():
    for p, n in ((1e-5, 2000), (1e-3, 2000), (0.01, 2000), (0.3, 20)):
        assert an.streak_rate(an.streak_wait(p, n), n) == pytest.approx(p, rel=1e-6)
    assert an.streak_rate(2000, 2000) == 0.0
    assert an.streak_rate(74_000) < an.streak_rate(400_000)      # a longer wait allows more errors
    with pytest.raises(ValueError, match="at least n"):
        an.streak_rate(100, 2000)


def test_marked_sorts_the_pairs_in_time():
    task = make_task("adding", T=20)
    seqs = task.test_set(np.random.default_rng(3), 200)
    pos, val = an.marked(seqs)
    assert np.all(pos[:, 0] < pos[:, 1])
    for s, p, v in zip(seqs, pos, val):
        np.testing.assert_array_equal(s.inputs[p, 1], 1.0)
        np.testing.assert_array_equal(s.inputs[p, 0], v)
    raw = np.array([s.meta["positions"] for s in seqs])
    assert np.any(raw[:, 0] > raw[:, 1])      # the paper's X2 sometimes comes first: sorting matters


def adder(open_on=1.0):
    """An adding net (row 4-1) whose block 1 input gate opens when the marker equals ``open_on``
    and whose first cell takes in the value; every other weight is 0."""
    spec = ROWS["4-1"].spec
    lay = layout(spec)
    wh = np.zeros_like(lay.mask_h)
    bias = lay.n_src - 1
    wh[lay.in_gate, 1] = 20.0 * open_on          # marker -> input gate of block 1
    wh[lay.in_gate, bias] = -10.0                # open (net 10) only at the chosen marker
    wh[lay.in_gate + 1, bias] = -30.0            # block 2 closed
    wh[lay.cell, 0] = 1.0                        # value -> first cell
    wh[lay.cell + 2, 0] = 1.0                    # value -> a cell of the closed block
    wo = np.zeros_like(lay.mask_o)
    wo[0, spec.n_inputs] = 1.0
    return Network(spec, Weights(wh, wo, np.zeros_like(lay.mask_p)))


def test_cell_roles_finds_the_cell_that_stores_the_values():
    seqs = make_task("adding", T=30).test_set(np.random.default_rng(0), 150)
    roles = an.cell_roles(adder(), seqs)
    assert roles["r_first"][0] > 0.99 and roles["r_second"][0] > 0.99
    assert 0.8 < roles["slope_first"][0] < 1.0              # g'(0) = 1, flatter towards |x| = 1
    assert roles["drift"][0] < 1e-3                          # the gate is shut between the marks
    assert roles["r2_target"][0] > 0.99                      # final state ~ g(X1) + g(X2)
    np.testing.assert_allclose(roles["slope_first"][1:], 0.0, atol=1e-9)   # nothing enters
    np.testing.assert_allclose(roles["final"][:, 1], 0.0)
    assert roles["jump_first"].shape == (150, 4)
    assert roles["gate_marked"][0] > 0.99 and roles["gate_unmarked"][0] < 1e-3   # opens at the marks only
    assert roles["gate_marked"][1] < 1e-9


def test_cell_roles_sees_a_net_that_stores_nothing():
    seqs = make_task("adding", T=30).test_set(np.random.default_rng(0), 150)
    roles = an.cell_roles(adder(open_on=-1.0), seqs)        # opens on the first / last pair instead
    assert abs(roles["slope_first"][0]) < 1e-3 and abs(roles["slope_second"][0]) < 1e-3
    assert roles["r2_target"][0] < 0.2
    assert roles["gate_marked"][0] < 1e-3                    # shut at the marks


def order_net():
    """A temporal-order net (row 6a) whose block 1 input gate opens on X and Y, and whose first
    cell adds +2 for X and -2 for Y (net input of g); every other weight is 0."""
    spec = ROWS["6a"].spec
    lay = layout(spec)
    wh = np.zeros_like(lay.mask_h)
    bias = lay.n_src - 1
    wh[lay.in_gate, [6, 7]] = 20.0
    wh[lay.in_gate, bias] = -10.0
    wh[lay.in_gate + 1, bias] = -30.0
    wh[lay.cell, 6], wh[lay.cell, 7] = 2.0, -2.0
    return Network(spec, Weights(wh, np.zeros_like(lay.mask_o), np.zeros_like(lay.mask_p)))


def test_event_states_and_class_means_of_a_counting_cell():
    seqs = make_task("temporal_order_6a").test_set(np.random.default_rng(1), 200)
    ev = an.event_states(order_net(), seqs)
    assert ev["states"].shape == (200, 3, 4) and ev["input_gates"].shape == (200, 3, 2)
    assert ev["before"].shape == (200, 2, 4)
    g2 = 4 / (1 + np.exp(-2.0)) - 2                          # g(2), Appendix eq. (4)
    first = np.array([s.meta["class"] in "QR" for s in seqs])   # X at t1
    np.testing.assert_allclose(ev["states"][first, 0, 0], g2, atol=1e-3)
    np.testing.assert_allclose(ev["states"][~first, 0, 0], -g2, atol=1e-3)
    np.testing.assert_allclose(ev["before"][:, 0, 0], 0.0, atol=1e-3)     # nothing stored before t1
    classes, means = an.class_means(ev["states"][:, 2, 0], [s.meta["class"] for s in seqs])
    assert classes == ["Q", "R", "S", "U"]
    np.testing.assert_allclose(means, [2 * g2, 0.0, 0.0, -2 * g2], atol=1e-3)
    assert np.all(ev["input_gates"][:, :2, 0] > 0.99) and np.all(ev["input_gates"][:, 2, 0] < 1e-3)


def test_symbol_signs_and_weights():
    seqs = make_task("temporal_order_6b").test_set(np.random.default_rng(4), 300)
    signs = an.symbol_signs(seqs)
    assert signs.shape == (300, 3) and set(np.unique(signs)) == {-1.0, 1.0}
    for s, row in zip(seqs, signs):
        assert "".join("X" if v > 0 else "Y" for v in row) == "".join(
            s.meta["string"][t - 1] for t in s.meta["positions"])
    values = np.column_stack([2 * signs[:, 0] + signs[:, 1] - 0.5 * signs[:, 2] + 3,
                              signs[:, 0] + signs[:, 1] + signs[:, 2]])
    np.testing.assert_allclose(an.symbol_weights(values, signs), [[2, 1, -0.5], [1, 1, 1]], atol=1e-12)
    # the order net's counting cell weighs X and Y at t1 and t2 alike: it cannot tell XY from YX
    seqs = make_task("temporal_order_6a").test_set(np.random.default_rng(1), 200)
    final = an.event_states(order_net(), seqs)["states"][:, 2, :1]
    w = an.symbol_weights(final, an.symbol_signs(seqs))[0]
    assert w[0] == pytest.approx(w[1], rel=1e-3) and w[0] > 0.5


def test_class_holder():
    seqs = make_task("temporal_order_6a").test_set(np.random.default_rng(1), 200)
    held = an.class_holder(order_net(), seqs)
    assert held["block"] == 0 and held["accuracy"].shape == (2,)
    assert held["accuracy"][0] < 0.8                       # a counter: R and S look alike
    assert held["weight_ratio"] == pytest.approx(1.0, rel=1e-3)
    assert held["gate_spread"] < 1e-3                      # the gate opens alike for every class


def test_nearest_mean_accuracy():
    rng = np.random.default_rng(0)
    labels = rng.integers(4, size=400)
    centres = np.array([[0, 0], [5, 0], [0, 5], [5, 5]])
    features = centres[labels] + rng.normal(0, 0.3, size=(400, 2))
    assert an.nearest_mean_accuracy(features, labels) == 1.0
    assert an.nearest_mean_accuracy(features, rng.permutation(labels)) < 0.5     # no information
    # the sum of the order net's two counts cannot tell R from S: at most 3 of 4 classes
    seqs = make_task("temporal_order_6a").test_set(np.random.default_rng(1), 200)
    final = an.event_states(order_net(), seqs)["states"][:, 2, :1]
    assert an.nearest_mean_accuracy(final, [s.meta["class"] for s in seqs]) < 0.8
    with pytest.raises(ValueError, match="n_fit"):
        an.nearest_mean_accuracy(features, labels, n_fit=400)
    with pytest.raises(ValueError, match="labels"):
        an.class_means(features, labels[:10])


def test_binned():
    centres, counts, means = an.binned([0.1, 0.2, 0.6, 1.0, 5.0], [1, 3, 10, 20, 99], [0, 0.5, 1.0])
    np.testing.assert_allclose(centres, [0.25, 0.75])
    np.testing.assert_array_equal(counts, [2, 2])            # 1.0 is in the last bin; 5.0 outside
    np.testing.assert_allclose(means, [2.0, 15.0])
    _, counts, means = an.binned([0.1], [1.0], [0, 0.5, 1.0])
    assert counts[1] == 0 and np.isnan(means[1])
    with pytest.raises(ValueError, match="shape"):
        an.binned([1, 2], [1], [0, 1])
    with pytest.raises(ValueError, match="increasing"):
        an.binned([1], [1], [1, 0])


def test_r_squared():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(300, 2))
    y = 2 * x[:, 0] - x[:, 1] + 0.5
    assert an.r_squared(x, y) == pytest.approx(1.0)
    assert an.r_squared(x[:, :1], y) < 0.9                    # one feature explains only part
    assert an.r_squared(x, rng.normal(size=300)) < 0.05
    assert an.r_squared(x, np.ones(300)) == 0.0                # nothing to explain


def test_end_outputs_and_targets():
    task = make_task("adding", T=20)
    seqs = task.test_set(np.random.default_rng(2), 5)
    net = adder()
    y = an.end_outputs(net, seqs)
    assert y.shape == (5, 1)
    np.testing.assert_allclose(y[:, 0], [net.forward(s.inputs)[-1, 0] for s in seqs])
    np.testing.assert_allclose(an.end_targets(seqs)[:, 0],
                               [task.target(*s.meta["values"]) for s in seqs])


def test_stored_networks_load_every_trial_and_the_first_successful_one(tmp_path):
    assert an.stored_network("6a", tmp_path) is None                      # nothing stored
    protocol = get_protocol("6a")
    directory = tmp_path / "paper" / "6a"
    write_json(directory / "config.json", {"protocol": protocol.to_dict(), "seed": 0})
    nets = {t: Network(protocol.network.spec, seed=t) for t in range(3)}
    for t, ok in ((0, False), (1, True), (2, True)):
        path = trial_path(directory, t)
        write_weights(path.with_suffix(".npz"), nets[t].weights)
        write_json(path, {**record([], ok), "trial": t})
    net, rec = an.stored_network("6a", tmp_path)
    assert rec["trial"] == 1
    every = list(an.stored_networks("6a", tmp_path))                     # all, in trial order
    assert [r["trial"] for _, r in every] == [0, 1, 2]
    for (n, _), t in zip(every, range(3)):
        np.testing.assert_array_equal(n.weights.wo, nets[t].weights.wo)
    np.testing.assert_array_equal(net.weights.wh, nets[1].weights.wh)
    for t in (1, 2):
        write_json(trial_path(directory, t), {**record([], False), "trial": t})
    assert an.stored_network("6a", tmp_path) is None                      # no success stored


def test_flat_spot_finds_when_a_curve_got_stuck_and_when_it_left():
    rec = {"curve": [[1000, 0.5, 0.0], [2000, 1.0, 0.0], [3000, 0.995, 0.0], [4000, 0.95, 0.0],
                     [5000, 0.3, 0.8]]}
    assert an.flat_spot(rec) == (2000, 5000)           # 0.5 before it is not "left": it came first
    assert an.flat_spot(rec, low=0.96) == (2000, 4000)
    assert an.flat_spot({"curve": rec["curve"][:4]}) == (2000, None)        # never left
    assert an.flat_spot({"curve": [[1000, 0.5, 0.0], [2000, 0.2, 1.0]]}) is None   # never stuck
