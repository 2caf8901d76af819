"""Acceptance, generalisation limit and counter traces (lstm_repro.formal_eval), on constructed
cases: a stand-in network with chosen outputs, and a hand-wired counter whose first rejected level
follows from its weights."""
import numpy as np
import pytest

from lstm_repro import formal_eval
from lstm_repro.engine import Network
from lstm_repro.rows2001 import formal_spec
from lstm_repro.tasks import make_task


class Scripted:
    """A stand-in network: the outputs are the targets (every legal output 1, others 0, so every
    string is accepted), except that the strings whose counts are in ``bad`` get one illegal
    output raised to 0.6 at step ``at`` (or at the last step)."""

    def __init__(self, bad=(), at=-1):
        self.bad, self.at, self.calls = set(bad), at, 0

    def forward_sequences(self, seqs):
        self.calls += 1
        outs = []
        for s in seqs:
            y = s.targets.copy()
            if tuple(s.meta["counts"]) in self.bad:
                t = self.at
                y[t, np.flatnonzero(s.targets[t] == 0.0)[0]] = 0.6
            outs.append(y)
        return outs


def test_generalisation_limit_on_constructed_outputs():
    task = make_task("anbn")
    g = formal_eval.generalisation(Scripted({(38,), (40,), (41,)}), task, 100)
    assert g == {"N": 37, "tested_up_to": 100, "first_failure": 38, "accepted_levels": 97,
                 "train_max": 10, "accepted_range": [1, 37]}
    assert formal_eval.generalisation(Scripted(), task, 50)["first_failure"] is None
    assert formal_eval.generalisation(Scripted({(1,)}), task, 20)["N"] == 0
    # a training set of n = 20, 21 only, rejecting n = 3 and n = 25: the run around 21 is 4..24
    g = formal_eval.generalisation(Scripted({(3,), (25,)}), make_task("anbn", train_n=[20, 21]), 30)
    assert g["N"] == 2 and g["accepted_range"] == [4, 24]
    g = formal_eval.generalisation(Scripted({(21,)}), make_task("anbn", train_n=[20, 21]), 30)
    assert g["accepted_range"] is None


def test_palindrome_limit_means_all_n_m_up_to_N():
    """Rejecting the one string (n, m) = (3, 7) makes level 7 fail: N = 6."""
    task = make_task("anbmBmAn")
    assert formal_eval.generalisation(Scripted({(3, 7)}), task, 12)["N"] == 6
    assert formal_eval.generalisation(Scripted({(7, 3)}), task, 12)["N"] == 6
    assert formal_eval.generalisation(Scripted(), task, 12)["N"] == 12


def test_empty_string_level_counts_from_zero():
    task = make_task("anbncn", include_empty=True)
    assert formal_eval.generalisation(Scripted({(0,)}), task, 10)["N"] == -1
    assert formal_eval.generalisation(Scripted({(5,)}), task, 10)["N"] == 4


def test_levels_are_tested_in_chunks(monkeypatch):
    monkeypatch.setattr(formal_eval, "CHUNK_STEPS", 500)
    net = Scripted({(300,)})
    g = formal_eval.generalisation(net, make_task("anbn"), 400)
    assert g["N"] == 299 and g["accepted_levels"] == 399 and net.calls > 10


def test_first_error_names_the_step_and_units():
    task = make_task("anbn")
    seq = task.strings_at(4)[0]                       # S a a a a b b b b T
    y = Scripted().forward_sequences([seq])[0]
    assert formal_eval.first_error(y, seq) is None
    y[6, 2] = 0.7                                     # T on after the 2nd b (step 6 reads b)
    y[7, 1] = 0.4                                     # b off after the 3rd b
    err = formal_eval.first_error(y, seq)
    assert err == {"step": 6, "symbol": "b", "units": [2]}


def test_hand_wired_counter_generalises_as_its_weights_say():
    """s = #a - #b exactly: every level up to 1000 accepted.  With b adding -0.997 the count at
    the end of a^n b^n is 0.003 n, and T needs s < 0.5: the first rejected level is 167; with
    -1.003 the b before the last needs s > 0.5, 1 - 0.003 (n - 1) > 0.5: first rejected 168."""
    task = make_task("anbn")
    assert formal_eval.generalisation(formal_eval.hand_wired_anbn(), task, 1000)["N"] == 1000
    assert formal_eval.generalisation(formal_eval.hand_wired_anbn(-0.997), task, 400)["N"] == 166
    assert formal_eval.generalisation(formal_eval.hand_wired_anbn(-1.003), task, 400)["N"] == 167
    net = formal_eval.hand_wired_anbn(-0.997)
    seq = task.strings_at(167)[0]
    err = formal_eval.first_error(net.forward_sequences([seq])[0], seq)
    assert err["step"] == 2 * 167 and err["symbol"] == "b"     # the last b: T not above 0.5


def test_hand_wired_counter_with_a_saturated_g():
    """g in [-2, 2] with cell input weights 10 and 10 b_step: steps g2(10) = 1.99982 on a and
    g2(10 b_step) on b.  For b_step = -1 they cancel exactly (g2 is odd): N = 1000.  For
    b_step = -0.5 the b step is g2(-5) = -1.97323, the end count of a^n b^n is
    n (g2(10) - g2(5)) = 0.026590 n, and T needs it below 0.5: first rejected level 19."""
    task = make_task("anbn")
    net = formal_eval.hand_wired_anbn(g="g2")
    assert net.spec.g == "g2" and net.spec.h == "id"
    g2 = lambda x: 4 / (1 + np.exp(-x)) - 2
    states = formal_eval.counter_trace(net, task.strings_at(3)[0])["states"][:, 0]
    assert np.allclose(np.diff(states, prepend=0.0)[1:7],
                       [g2(10)] * 3 + [-g2(10)] * 3, atol=1e-7)   # S adds nothing, then the steps
    assert formal_eval.generalisation(net, task, 1000)["N"] == 1000
    first = int(np.ceil(0.5 / (g2(10) - g2(5))))
    assert first == 19
    assert formal_eval.generalisation(formal_eval.hand_wired_anbn(-0.5, g="g2"), task, 100)["N"] \
        == first - 1
    with pytest.raises(ValueError, match="g='g1' is not valid"):
        formal_eval.hand_wired_anbn(g="g1")


@pytest.mark.parametrize("g", ["id", "g2"])
def test_hand_wired_anbncn_counts_twice(g):
    """Cell 1 holds #a - #b steps, cell 2 #b - #c; every a^n b^n c^n up to 1000 is accepted,
    and the outputs switch to c and to T exactly when a count reaches zero, not one symbol
    earlier."""
    task = make_task("anbncn")
    net = formal_eval.hand_wired_anbncn(g=g)
    step = 1.0 if g == "id" else 4 / (1 + np.exp(-10.0)) - 2
    s = formal_eval.counter_trace(net, task.strings_at(2)[0])["states"]     # S a a b b c c
    assert np.allclose(s / step, [[0, 0], [1, 0], [2, 0], [1, 1], [0, 2], [0, 1], [0, 0]],
                       atol=1e-6)
    assert formal_eval.generalisation(net, task, 1000)["N"] == 1000
    ig = net.trace(onehot=task.strings_at(2)[0].onehot)["input_gates"]     # (7, 2)
    assert np.all(ig[[0, 5, 6], 0] < 1e-8) and np.all(ig[[0, 1, 2], 1] < 1e-8)  # shut: S, c / S, a
    bad = task.string_sequence(5)
    outputs = net.forward_sequences([bad])[0]
    for t, legal in ((2 * 5, "c"), (3 * 5, "T")):      # after the last b, after the last c
        k = task.output_alphabet.index(legal)
        assert outputs[t, k] > 0.5 and np.all(np.delete(outputs[t], k) < 0.5)
        assert outputs[t - 1, k] < 0.5                 # one symbol earlier it is not legal yet


def test_counter_trace_counts_and_peephole_terms():
    task = make_task("anbn")
    seq = task.strings_at(6)[0]
    ct = formal_eval.counter_trace(formal_eval.hand_wired_anbn(), seq)
    assert np.allclose(ct["states"][:, 0], [0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1, 0], atol=1e-6)
    net = Network(formal_spec("anbncn"), seed=3)
    seq = make_task("anbncn").strings_at(3)[0]
    ct = formal_eval.counter_trace(net, seq)
    s, wp = ct["states"], net.weights.wp                                # (T, 2), (2, 3, 1)
    s_prev = np.vstack([np.zeros((1, 2)), s[:-1]])
    assert np.allclose(ct["peep_in"], s_prev * wp[:, 0, 0])            # input gate: s(t-1)
    assert np.allclose(ct["peep_forget"], s_prev * wp[:, 1, 0])        # forget gate: s(t-1)
    assert np.allclose(ct["peep_out"], s * wp[:, 2, 0])                # output gate: s(t)
    # the input gate's net input: weights from the input, the previous cell outputs, bias, peephole
    lay, w = net.layout, net.weights.wh
    x = np.eye(4)[seq.onehot]                                           # (T, 4)
    yc_prev = np.vstack([np.zeros((1, 2)), ct["cell_outputs"][:-1]])
    net_in = (x @ w[:2, :4].T + yc_prev @ w[:2, 4 + lay.cell:4 + lay.cell + 2].T + w[:2, -1]
              + ct["peep_in"])
    assert np.allclose(ct["input_gates"], 1 / (1 + np.exp(-net_in)))


def test_counter_trace_needs_the_2001_cell():
    from lstm_repro.rows import ROWS
    with pytest.raises(ValueError, match="forget gates"):
        formal_eval.counter_trace(Network(ROWS["4-1"].spec, seed=0), make_task("anbn").strings_at(1)[0])


def test_learned_and_accepted():
    task = make_task("anbn", train_n=[2, 5])
    assert formal_eval.learned(Scripted(), task)
    assert not formal_eval.learned(Scripted({(5,)}), task)
    assert formal_eval.accepted(Scripted({(5,)}), task, task.training_set) == [True, False]
