"""lstm_repro.noise_analysis on constructed data and on a hand-set latching net."""
import numpy as np
import pytest

from lstm_repro import noise_analysis as na
from lstm_repro.engine import Network
from lstm_repro.protocols import get_protocol
from lstm_repro.tasks import make_task


def test_separation_is_d_prime():
    labels = np.array([1, 1, 1, 2, 2, 2])
    values = np.array([[1.0, 0.0], [2.0, 5.0], [3.0, -5.0], [11.0, 0.0], [12.0, 5.0], [13.0, -5.0]])
    sep = na.separation(values, labels)
    assert sep[0] == pytest.approx(10.0) and sep[1] == pytest.approx(0.0)
    exact = np.array([[1.0, 5.0], [1.0, 5.0 + 1e-15], [-1.0, 5.0], [-1.0, 5.0]])
    assert list(na.separation(exact, [1, 1, 2, 2])) == [np.inf, 0.0]   # no spread
    with pytest.raises(ValueError, match="two sequences of each class"):
        na.separation(values[:4], labels[:4])


def latch_net():
    """The 3a net with hand-set weights.  Block 2 is a clock: its gates wide open and its cell
    input biased, so its cell output is about 0 at t = 1 and near 1 from t = 2 on.  Block 1's
    input gate is open (bias 10) until the clock shuts it (weight -400 from cell 2), so cell 1
    takes in only the first input; block 3 is shut."""
    spec = get_protocol("3a-T100-N3").network.spec
    net = Network(spec, seed=0)
    w, lay = net.weights, net.layout
    w.wh[...] = 0.0
    w.wo[...] = 0.0
    x, bias = 0, lay.n_src - 1
    cell2 = spec.n_inputs + lay.cell + 1                # column of cell 2's output in z
    w.wh[lay.in_gate, bias] = 10.0
    w.wh[lay.in_gate, cell2] = -400.0
    w.wh[lay.out_gate, bias] = 10.0
    w.wh[lay.cell, x] = 2.0                             # cell 1 takes in the input
    w.wh[lay.in_gate + 1, bias] = w.wh[lay.out_gate + 1, bias] = 50.0
    w.wh[lay.cell + 1, bias] = 10.0
    w.wh[lay.in_gate + 2, bias] = -50.0
    return net


def test_storage_reads_states_and_gates_where_it_says():
    net = latch_net()
    task = make_task("noise_3a", T=50, N=1)
    seqs = task.test_set(np.random.default_rng(0), 40)
    st = na.storage(net, seqs, N=1)
    # cell 1 holds the sign of the first input: classes far apart at t = N and still at the end
    assert st["sep_n"][0] > 10 and st["sep_end"][0] > 3
    assert st["gate_prefix"][0] > 0.99 and st["gate_noise"][0] < 0.1
    tr = net.trace(seqs[0].inputs)
    assert st["state_n"].shape == (3,) and st["gate_prefix"].shape == (3,)
    assert abs(tr["states"][0, 0]) > 0.9                # the state after t = 1 is what storage reads
    assert st["drift"][0] < st["state_n"][0]
    # the latch's state does not move after t = 1 (its gate is shut): the change tells nothing
    assert st["sep_change"][0] < 1.0
    changes = np.array([net.trace(s.inputs)["states"][-1] - net.trace(s.inputs)["states"][0]
                        for s in seqs])
    assert np.allclose(st["sep_change"], na.separation(changes, [s.meta["class"] for s in seqs]),
                       equal_nan=True)
    assert st["gate_prefix"][2] < 1e-6 and st["gate_noise"][1] > 0.99   # shut block, clock


def test_end_by_class_compares_outputs_with_targets():
    net = latch_net()
    task = make_task("noise_3c", T=20, N=1)
    seqs = task.test_set(np.random.default_rng(1), 400)
    out = na.end_by_class(net, seqs)
    assert out[1]["clean_target"] == 0.2 and out[2]["clean_target"] == 0.8
    for c in (1, 2):        # the noisy targets: clean +- sqrt(0.1)
        assert out[c]["target_mean"] == pytest.approx(out[c]["clean_target"], abs=0.06)
        assert out[c]["target_std"] == pytest.approx(np.sqrt(0.1), rel=0.15)
    assert out[1]["output_mean"] == pytest.approx(0.5, abs=1e-9)   # output weights are zero
