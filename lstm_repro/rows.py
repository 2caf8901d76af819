"""Each Table 10 row's network and learning rate, as the paper gives them.

``ROWS[row_id]`` is a :class:`Row`: the :class:`~lstm_repro.spec.NetworkSpec` of that row (Table 10
columns b, s, in, out, c, ogb, igb, bias, h, g; init interval from Table 11) and its learning rate
(column alpha).  The weight count of every row must equal Table 10's column w; the tests compare it
with :data:`lstm_repro.paper.TABLE10`, which holds the paper's own numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .spec import NetworkSpec


@dataclass(frozen=True)
class Row:
    """One Table 10 row: the network and the learning rate it was trained with."""
    row: str
    spec: NetworkSpec
    lr: float                 # Table 10 column alpha
    experiment: str           # paper section


def _reber(row, blocks, size, ogb, lr):
    # Section 5.1: 7 inputs/outputs one-hot; F; only gates biased; weights in [-0.2, 0.2];
    # output-gate biases -1, -2, -3 (-4); input-gate biases "r".
    return Row(row, NetworkSpec(n_inputs=7, n_outputs=7, n_blocks=blocks, block_size=size,
                                connectivity="F", bias="ga", init_range=0.2,
                                in_gate_bias=None, out_gate_bias=ogb), lr, "5.1")


def _long_lag_2c(row, n_inputs):
    # Section 5.2, task 2c: 2 blocks of size 1, p+4 inputs, 2 outputs, F, no biases, no gate biases,
    # weights in [-0.2, 0.2], alpha = 0.01.
    return Row(row, NetworkSpec(n_inputs=n_inputs, n_outputs=2, n_blocks=2, block_size=1,
                                connectivity="F", bias="none", init_range=0.2,
                                in_gate_bias=None, out_gate_bias=None), 0.01, "5.2")


def _long_lag_2ab(row):
    # Section 5.2, tasks 2a/2b: p = 100, 101 inputs/outputs, connectivity B, one cell with an input
    # gate only, h identity, g logistic in [0, 1], no biases, weights in [-0.2, 0.2], alpha = 1.0.
    return Row(row, NetworkSpec(n_inputs=101, n_outputs=101, n_blocks=1, block_size=1,
                                output_gate=False, connectivity="B", bias="none", g="g1", h="id",
                                init_range=0.2, in_gate_bias=None), 1.0, "5.2")


def _noise(row, lr):
    # Section 5.3: 1 input, 1 output, 3 blocks of size 1, F, hidden units biased (b1), weights in
    # [-0.1, 0.1]; input-gate biases -1, -3, -5; output-gate biases -2, -4, -6.
    return Row(row, NetworkSpec(n_inputs=1, n_outputs=1, n_blocks=3, block_size=1,
                                connectivity="F", bias="b1", init_range=0.1,
                                in_gate_bias=(-1.0, -3.0, -5.0),
                                out_gate_bias=(-2.0, -4.0, -6.0)), lr, "5.3")


def _adding(row, igb, lr, section):
    # Sections 5.4/5.5: 2 inputs, 1 output, 2 blocks of size 2, F, all non-input units biased,
    # weights in [-0.1, 0.1]; output-gate biases "r".
    return Row(row, NetworkSpec(n_inputs=2, n_outputs=1, n_blocks=2, block_size=2,
                                connectivity="F", bias="all", init_range=0.1,
                                in_gate_bias=igb, out_gate_bias=None), lr, section)


def _temporal(row, blocks, n_out, igb, lr):
    # Section 5.6: 8 inputs, 2 or 3 blocks of size 2, F, all non-input units biased,
    # weights in [-0.1, 0.1]; input-gate biases -2, -4 (-6); output-gate biases "r".
    return Row(row, NetworkSpec(n_inputs=8, n_outputs=n_out, n_blocks=blocks, block_size=2,
                                connectivity="F", bias="all", init_range=0.1,
                                in_gate_bias=igb, out_gate_bias=None), lr, "5.6")


_ALL = [
    _reber("1-1", 4, 1, (-1.0, -2.0, -3.0, -4.0), 0.1),
    _reber("1-2", 3, 2, (-1.0, -2.0, -3.0), 0.1),
    _reber("1-3", 3, 2, (-1.0, -2.0, -3.0), 0.2),
    _reber("1-4", 4, 1, (-1.0, -2.0, -3.0, -4.0), 0.5),
    _reber("1-5", 3, 2, (-1.0, -2.0, -3.0), 0.5),
    _long_lag_2ab("2a"),
    _long_lag_2ab("2b"),
    # Table 3 / Table 10 rows 2c-1 ... 2c-9: inputs p + 4 with p = 50 ... 1000 distractors
    *[_long_lag_2c(f"2c-{i}", p + 4)
      for i, p in enumerate((50, 100, 200, 500, 1000, 500, 200, 100, 50), start=1)],
    _noise("3a", 1.0),
    _noise("3b", 1.0),
    _noise("3c", 0.1),
    _adding("4-1", (-3.0, -6.0), 0.5, "5.4"),
    _adding("4-2", (-3.0, -6.0), 0.5, "5.4"),
    _adding("4-3", (-3.0, -6.0), 0.5, "5.4"),
    _adding("5", None, 0.1, "5.5"),
    _temporal("6a", 2, 4, (-2.0, -4.0), 0.5),
    _temporal("6b", 3, 8, (-2.0, -4.0, -6.0), 0.1),
]
ROWS: dict[str, Row] = {r.row: r for r in _ALL}


def _reading(base: str, suffix: str, **spec_changes) -> Row:
    row = ROWS[base]
    return replace(row, row=base + suffix, spec=replace(row.spec, **spec_changes))


# The other readings of Table 10.  Its "r" gate biases (hochreiter1997.md, open ambiguity 5):
# Section 4 names Experiments 1 and 3-6 for the negative output-gate bias (remedy 2 of the abuse
# problem) and Experiments 4 and 5 for the negative input-gate bias (the drift remedy), where
# Table 10 prints "r".
# The values are our choice: Experiment 3's output-gate biases -2, -4 (-6), the only experiment
# that states both, and Experiment 4's input-gate biases -3, -6.  Everything else is the row's.
READINGS: dict[str, Row] = {r.row: r for r in (
    _reading("4-1", "-ogb", out_gate_bias=(-2.0, -4.0)),
    _reading("6a", "-ogb", out_gate_bias=(-2.0, -4.0)),
    _reading("6b", "-ogb", out_gate_bias=(-2.0, -4.0, -6.0)),
    _reading("5", "-igb", in_gate_bias=(-3.0, -6.0)),
    # The other reading of Table 10's squashers (open ambiguity 7): its legend gives h1 the range
    # [-2, 2] and g2 the range [-1, 1], the text (Section 5.2, Task 2c) and Appendix eqs. (4)-(5)
    # the reverse, which Table 10's rows follow here.  Under the legend Task 2c's cell input g is
    # the logistic in [-1, 1] (SQUASHERS "h1") and its cell output h the one in [-2, 2] ("g2").
    *(_reading(row, "-legend", g="h1", h="g2") for row in (f"2c-{i}" for i in range(1, 10))),
)}


def get_row(row_id: str) -> Row:
    """The Table 10 row ``row_id`` (or its other reading, :data:`READINGS`); an unknown id raises a
    KeyError listing the valid ones."""
    try:
        return ROWS[row_id] if row_id in ROWS else READINGS[row_id]
    except KeyError:
        valid = ", ".join([*ROWS, *READINGS])
        raise KeyError(f"unknown row {row_id!r}; valid rows: {valid}") from None
