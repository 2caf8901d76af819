"""Sequential network construction: memory-cell blocks are added only once the training error has
stopped decreasing (Hochreiter & Schmidhuber 1997, Section 4, "abuse problem", remedy 1, after
Fahlman 1991; used in Experiment 2, Section 5.2: "memory cell and input gate are added once the
error has stopped decreasing").

:class:`Construction` wraps an :class:`~lstm_repro.engine.Network` whose blocks start *held back*:
a held-back block's weights are the ones drawn at initialisation, put aside; in the network they
are zero and frozen, so the block has no influence on any other unit or on the outputs, and the
net is the net without that block (for Task 2a: the 101 x 101 input-to-output weights alone).
When the error stops decreasing, the next held-back block is added with its put-aside initial
weights and trained from then on.  The paper does not define "stopped decreasing"; our rule
(:meth:`Construction.observe`): the mean training error per sequence over a window of ``window``
sequences is not below ``1 - tol`` times that of the previous window.  The error of a sequence is
eq. (16) summed over its steps (``Task.errors(...)["sq_sum"]``).

Mechanism: the engine applies every update through connection masks (``Network.layout``); the
held-back entries are removed from a copy of those masks, and the full masks are put back when the
block is added.  The weight count and the compiled kernel are those of the full network.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .engine import Network
from .spec import check_choice
from .tasks.base import check_int

# weights from an added block's cells to the output units: "initial", the values drawn at
# initialisation (the block arrives as a random unit); "zero", the block starts with no influence
# on the outputs (as a unit installed by cascade-correlation, Fahlman 1991, before its output
# weights are trained)
NEW_OUTPUTS = ("initial", "zero")


def block_units(net: Network, j: int) -> list[int]:
    """Indices (in the hidden layer) of block ``j``'s gates and cells."""
    lay, spec = net.layout, net.spec
    S = spec.block_size
    units = [lay.in_gate + j]
    if spec.output_gate:
        units.append(lay.out_gate + j)
    if spec.forget_gate:
        units.append(lay.forget_gate + j)
    return units + list(range(lay.cell + j * S, lay.cell + (j + 1) * S))


class Construction:
    """A network grown block by block (Section 4, remedy 1): all blocks start held back and are
    added one at a time, in order, each when the training error has stopped decreasing.

    ``window``: sequences per window of the plateau rule; ``tol``: the relative decrease below
    which the error counts as no longer decreasing.  ``added`` lists the number of training
    sequences seen when each block was added.
    """

    def __init__(self, net: Network, window: int = 100, tol: float = 0.01,
                 new_outputs: str = "initial"):
        if not isinstance(net, Network):
            raise TypeError("sequential construction needs the engine's Network (learner='engine'); "
                             f"got {type(net).__name__}")
        self.window = check_int("window", window)
        if not 0.0 <= tol < 1.0:
            raise ValueError(f"tol={tol!r} is not valid; it must lie in [0, 1)")
        self.tol = float(tol)
        check_choice("new_outputs", new_outputs, NEW_OUTPUTS)
        self.new_outputs = new_outputs
        self.net = net
        self._full = net.layout                          # masks of the full network
        self._initial = net.weights.copy()               # every block's initial weights
        self.held = list(range(net.spec.n_blocks))       # blocks not yet added, in order
        self.added: list[int] = []
        self._errs: list[float] = []
        self._previous: float | None = None
        self._apply()

    # ------------------------------------------------------------------------------------
    def _entries(self, j: int):
        """Boolean masks (wh, wo, wp shapes) of the weights that belong to block j: into its units,
        out of its units (recurrent columns and cell-to-output columns), its peepholes."""
        lay, spec = self._full, self.net.spec
        I, S = spec.n_inputs, spec.block_size
        units = block_units(self.net, j)
        mh = np.zeros(lay.mask_h.shape, dtype=bool)     # (U, NZ)
        mh[units, :] = True
        mh[:, [I + u for u in units]] = True
        mo = np.zeros(lay.mask_o.shape, dtype=bool)     # (K, NO)
        mo[:, I + j * S:I + (j + 1) * S] = True
        mp = np.zeros(lay.mask_p.shape, dtype=bool)     # (C, 3, S)
        mp[j] = True
        return mh, mo, mp

    def _apply(self) -> None:
        """Masks and weights for the current set of held-back blocks."""
        lay, w = self._full, self.net.weights
        masks = [lay.mask_h.copy(), lay.mask_o.copy(), lay.mask_p.copy()]
        for j in self.held:
            for mask, array, entries in zip(masks, (w.wh, w.wo, w.wp), self._entries(j)):
                mask[entries] = 0.0
                array[entries] = 0.0
        self.net.layout = replace(lay, mask_h=masks[0], mask_o=masks[1], mask_p=masks[2])

    def add_block(self) -> int:
        """Add the next held-back block with its initial weights; returns its index."""
        if not self.held:
            raise ValueError("every block has already been added")
        j = self.held.pop(0)
        w, initial = self.net.weights, self._initial
        for array, start, entries in zip((w.wh, w.wo, w.wp), (initial.wh, initial.wo, initial.wp),
                                         self._entries(j)):
            array[entries] = start[entries]
        if self.new_outputs == "zero":
            S, I = self.net.spec.block_size, self.net.spec.n_inputs
            w.wo[:, I + j * S:I + (j + 1) * S] = 0.0
        self._apply()              # entries shared with a block still held back stay zero
        return j

    def observe(self, errors, n: int) -> bool:
        """Feed the errors of the training sequences just learned, in order (``n``: the count of
        training sequences after them); adds a block (and returns True) when the error has
        stopped decreasing.  ``added`` records the count at the sequence that closed the window."""
        if not self.held:
            return False
        grew = False
        errors = list(errors)
        for i, e in enumerate(errors):
            self._errs.append(float(e))
            if len(self._errs) < self.window:
                continue
            mean = float(np.mean(self._errs))
            self._errs.clear()
            if self._previous is not None and mean > (1.0 - self.tol) * self._previous:
                self.add_block()
                self.added.append(n - len(errors) + i + 1)
                grew = True
                self._previous = None            # the new net's error starts a fresh comparison
                if not self.held:
                    break
            else:
                self._previous = mean
        return grew
