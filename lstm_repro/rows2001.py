"""The networks of Gers & Schmidhuber (2001) for a^n b^n, a^n b^n c^n and a^n b^m B^m A^n.

The paper's full text could not be checked (``shared/reference/gers2001.md``), so every field below
is a choice of this reproduction, stated in the chapter; what is secondary [S] or recollected [R]
is marked.

- The cell: forget gate (Gers, Schmidhuber & Cummins 2000) and peepholes in the 2002 order (input
  and forget gates see s_c(t-1), the output gate sees s_c(t)); one cell per block.
- Blocks [S: Suzgun et al. 2019 citing the paper]: 1 for a^n b^n, 2 for a^n b^n c^n; for
  a^n b^m B^m A^n 1, the smallest: in our probes (learning rate 1e-4, momentum 0.99) one block
  learned the training strings n, m <= 10 in 2 of 2 trials, two blocks in 1 of 2.
- Connectivity "G" (:data:`lstm_repro.spec.CONNECTIVITY`): inputs to gates, cells and outputs;
  cell outputs recurrent to gates and cells, and to the outputs.  Biases on every non-input unit.
- Squashers: no output squashing, h = identity (y_c = y_out s_c) [S]; the cell input g also the
  identity [R] (a counter adds and subtracts the same amount at every symbol).
- Initial weights uniform in [-0.1, 0.1]; initial gate biases: input gates -1, output gates -2
  (closed at first, as in the 1997 experiments), forget gates +5 ("open": the cell remembers,
  y_fg = 0.993, Gers et al. 2000).  In unstored probes (2 trials each, learning rate 1e-4) a
  forget-gate bias of +2 (y_fg = 0.88) let a^n b^n learn as well but a^n b^n c^n fail in both,
  where +5 learned in both.
- Learning rate 1e-5 (with momentum 0.99, :mod:`lstm_repro.protocols`): the value the
  reimplementation literature cites [S/R].
"""
from __future__ import annotations

from .rows import Row
from .spec import NetworkSpec, check_choice
from .tasks import make_task

LR_2001 = 1e-5          # the learning rate cited for the paper [S/R]
MOMENTUM_2001 = 0.99    # the momentum cited for the paper [S/R]
IN_GATE_BIAS = -1.0     # our choice: closed at first
OUT_GATE_BIAS = -2.0    # our choice: closed at first
FORGET_GATE_BIAS = 5.0  # our choice: positive, the forget gate starts open ("remember")
BLOCKS = {"anbn": 1, "anbncn": 2, "anbmBmAn": 1}


def formal_spec(language: str, blocks: int | None = None, connectivity: str = "G") -> NetworkSpec:
    """The 2001 network for ``language`` (a task name: anbn, anbncn, anbmBmAn) with ``blocks``
    blocks of one cell (default :data:`BLOCKS`) and ``connectivity`` (default "G"; "B": gates and
    cell inputs see the inputs only, the variant rows ``2001-<language>-B``)."""
    check_choice("language", language, BLOCKS)
    task = make_task(language)
    b = BLOCKS[language] if blocks is None else blocks
    return NetworkSpec(n_inputs=task.n_inputs, n_outputs=task.n_outputs, n_blocks=b, block_size=1,
                       forget_gate=True, peepholes=True, connectivity=connectivity, bias="all",
                       g="id", h="id", init_range=0.1,
                       in_gate_bias=(IN_GATE_BIAS,) * b, out_gate_bias=(OUT_GATE_BIAS,) * b,
                       forget_gate_bias=(FORGET_GATE_BIAS,) * b)


ROWS2001: dict[str, Row] = {
    f"2001-{language}": Row(f"2001-{language}", formal_spec(language), LR_2001, "Gers 2001")
    for language in BLOCKS
}
# Not the paper's (our variant, lstm_repro.protocols.FORMAL_VARIANTS "-B-keep"): connectivity B, so
# a symbol's step on the cell state cannot depend on the count through the recurrent cell output
# (data/formal_study: with B or G-gates, not with G or G-cells, a^n b^n generalises far beyond
# n = 10).
ROWS2001.update({
    f"2001-{language}-B": Row(f"2001-{language}-B", formal_spec(language, connectivity="B"),
                              LR_2001, "variant of Gers 2001")
    for language in ("anbn", "anbncn")
})
