"""The connectivity presets between G and B (lstm_repro.spec.CONNECTIVITY "G-cells", "G-gates"):
their masks are what the comment says, and the older presets are unchanged."""
from dataclasses import replace

import numpy as np
import pytest

from lstm_repro.rows2001 import formal_spec
from lstm_repro.spec import CONNECTIVITY, describe, layout


def masks(language, connectivity, **kw):
    spec = replace(formal_spec(language), connectivity=connectivity, **kw)
    lay = layout(spec)
    I, C, S = spec.n_inputs, spec.n_blocks, spec.block_size
    cell_cols = list(range(I + lay.cell, I + lay.hidden))     # y_c(t-1) in z = [x | y_h | 1]
    gate_rows = list(range(lay.cell))                          # input, output, forget gates
    cell_rows = list(range(lay.cell, lay.cell + C * S))
    return spec, lay, cell_cols, gate_rows, cell_rows


@pytest.mark.parametrize("language,block_size", [("anbn", 1), ("anbncn", 1), ("anbncn", 2)])
def test_between_G_and_B_the_cell_outputs_feed_only_the_named_units(language, block_size):
    _, g, cols, gates, cells = masks(language, "G", block_size=block_size)
    _, b, *_ = masks(language, "B", block_size=block_size)
    _, gc, *_ = masks(language, "G-cells", block_size=block_size)
    _, gg, *_ = masks(language, "G-gates", block_size=block_size)
    assert g.mask_h[:, cols].all() and not b.mask_h[:, cols].any()
    assert gc.mask_h[np.ix_(cells, cols)].all() and not gc.mask_h[np.ix_(gates, cols)].any()
    assert gg.mask_h[np.ix_(gates, cols)].all() and not gg.mask_h[np.ix_(cells, cols)].any()
    other = np.ones(g.mask_h.shape[1], dtype=bool)
    other[cols] = False
    for lay in (gc, gg):                       # inputs, bias, outputs, peepholes: those of G
        assert np.array_equal(lay.mask_h[:, other], g.mask_h[:, other])
        assert np.array_equal(lay.mask_o, g.mask_o) and np.array_equal(lay.mask_p, g.mask_p)


def test_weight_counts_lie_between_B_and_G_and_the_old_presets_are_unchanged():
    count = {c: replace(formal_spec("anbncn"), connectivity=c).weight_count()
             for c in CONNECTIVITY}
    # 2 blocks of 1 cell, 3 gates each: 8 hidden units, 4 inputs, 4 outputs; G = B + 8 * 2
    assert (count["B"], count["G"]) == (74, 90)
    assert count["G-cells"] == 74 + 2 * 2 and count["G-gates"] == 74 + 6 * 2
    assert formal_spec("anbn").weight_count() == 38


def test_describe_names_the_restriction():
    spec = replace(formal_spec("anbn"), connectivity="G-cells")
    assert "cells (to cells only)" in describe(spec)["connectivity"]
