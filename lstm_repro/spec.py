"""What a network is: memory-cell blocks, gates, connectivity, biases, squashing functions.

A :class:`NetworkSpec` describes the architecture of Section 4 of Hochreiter & Schmidhuber (1997)
with the parameters of its Table 10, plus the extensions of Gers et al. (2000, forget gates) and
Gers & Schmidhuber (2000/2002, peephole connections). :func:`layout` turns a spec into the index
tables and connection masks that the engine (:mod:`lstm_repro.engine`) and the PyTorch reference
(:mod:`lstm_repro.reference`) share, and :func:`init_weights` draws the initial weights.

Unit order of the hidden layer (the "recurrent vector" y_h):
``[input gates (C) | output gates (C, if any) | forget gates (C, if any) | cells (C*S) | hidden (H)]``,
with the cells of block j at ``cells[j*S:(j+1)*S]``.

Source vector of every hidden unit at time t (paper Section 5, "order of computation": inputs of
step t, recurrent activations of step t-1): ``z(t) = [x(t) (I) | y_h(t-1) (U) | 1]``.
Source vector of the output units: ``zo(t) = [x(t) (I) | y_c(t) (C*S) | y_hid(t) (H) | 1]``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

# Squashing functions, written y = a * logistic(x) - b (identity: y = x).  Appendix A eqs. (3)-(5):
#   "h1": h(x) = 2/(1+e^-x) - 1 in [-1, 1];  "g2": g(x) = 4/(1+e^-x) - 2 in [-2, 2];
#   "g1": the logistic sigmoid in [0, 1] (Experiments 2a/2b);  "id": identity (2a/2b's h; Gers 2001).
# Table 10's legend swaps the ranges of h1 and g2; we follow the text and the appendix.
SQUASHERS = {
    "h1": (2.0, 1.0, "2/(1+exp(-x)) - 1, range [-1, 1]"),
    "g2": (4.0, 2.0, "4/(1+exp(-x)) - 2, range [-2, 2]"),
    "g1": (1.0, 0.0, "1/(1+exp(-x)), range [0, 1]"),
    "id": (0.0, 0.0, "identity"),
}

# Connectivity presets (Table 10 column "c"): which source groups feed the hidden layer and the outputs.
CONNECTIVITY = {
    # F: outputs from memory cells (and conventional hidden units) only; cells and gates from inputs,
    #    cells and gates (a fully connected hidden layer, self-connections included).
    "F": (("input", "gates", "cells", "hidden"), ("cells", "hidden")),
    # B: each layer receives connections from all layers below (Exp 2a/2b): no recurrence besides the CEC.
    "B": (("input",), ("input", "cells", "hidden")),
    # G: Gers & Schmidhuber (2001): inputs to gates, cells and outputs; cell outputs recurrent to gates
    #    and cells, and to the outputs.
    "G": (("input", "cells"), ("input", "cells")),
    # Between G and B (not Gers & Schmidhuber's; lstm_repro.formal_study): inputs to gates, cells and
    # outputs; the recurrent cell outputs feed only the cell inputs ("G-cells") or only the gates
    # ("G-gates").  A hidden source written (group, kinds) feeds only those kinds of hidden unit
    # ("gates", "cells", "hidden"); a plain group feeds every hidden unit.
    "G-cells": (("input", ("cells", ("cells",))), ("input", "cells")),
    "G-gates": (("input", ("cells", ("gates",))), ("input", "cells")),
}

# Bias sets (Table 10 column "bias"): which units have a bias weight.
BIASES = {
    "none": (),
    "ga": ("gates",),                             # only gate units
    "b1": ("gates", "cells", "hidden"),           # all hidden units
    "all": ("gates", "cells", "hidden", "output"),  # all non-input units
}

UPDATE_MODES = ("step", "sequence")
# Which outputs a learner's train_sequences returns: those of every step, or (the runner's choice)
# at least those of the steps with a target; the engine then computes no others (NaN there)
OUTPUT_MODES = ("all", "targets")
# The output error a learner descends: "mse", eq. 19's e_k = f'(net_k) (t_k - y_k) (the paper's), or
# "cross-entropy", e_k = t_k - y_k (an option for the 2001 languages; lstm_repro.engine)
ERRORS = ("mse", "cross-entropy")


def check_choice(name: str, value, valid) -> None:
    """A ValueError naming the field ``name`` and the ``valid`` values unless ``value`` is one."""
    if value not in valid:
        raise ValueError(f"{name}={value!r} is not valid; valid values: {', '.join(map(repr, valid))}")


@dataclass(frozen=True)
class NetworkSpec:
    """The architecture of one network (Section 4; Table 10 columns b, s, in, out, c, bias, h, g).

    Gate-bias lists give each block's initial bias; ``None`` means random like every other weight
    (Table 10's "r").  The defaults are Experiment 4's adding net (Table 10 row 4-1).
    """
    n_inputs: int = 2                     # Table 10 "in"
    n_outputs: int = 1                    # Table 10 "out"
    n_blocks: int = 2                     # Table 10 "b"
    block_size: int = 2                   # Table 10 "s"
    n_hidden: int = 0                     # conventional hidden units (none in the 1997 experiments)
    output_gate: bool = True              # False for Exp 2a/2b ("no og")
    forget_gate: bool = False             # Gers et al. (2000); the 1997 cell has none
    peepholes: bool = False               # Gers & Schmidhuber (2000, 2002)
    connectivity: str = "F"               # Table 10 "c": F, B; G for Gers & Schmidhuber (2001)
    bias: str = "all"                     # Table 10 "bias": none, ga, b1, all
    g: str = "g2"                         # cell input squasher, [-2, 2]
    h: str = "h1"                         # cell output squasher, [-1, 1]
    init_range: float = 0.1               # weights uniform in [-init_range, init_range] (Table 11)
    in_gate_bias: tuple | None = (-3.0, -6.0)   # Table 10 "igb" (row 4-1: -3, -6)
    out_gate_bias: tuple | None = None          # Table 10 "ogb" ("r")
    forget_gate_bias: tuple | None = None       # Gers et al. (2000): positive, "remember" at start

    def __post_init__(self):
        for name in ("n_inputs", "n_outputs", "n_blocks", "block_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}={value!r} is not valid; it must be an integer >= 1")
        if isinstance(self.n_hidden, bool) or not isinstance(self.n_hidden, int) or self.n_hidden < 0:
            raise ValueError(f"n_hidden={self.n_hidden!r} is not valid; it must be an integer >= 0")
        check_choice("connectivity", self.connectivity, tuple(CONNECTIVITY))
        check_choice("bias", self.bias, tuple(BIASES))
        check_choice("g", self.g, tuple(SQUASHERS))
        check_choice("h", self.h, tuple(SQUASHERS))
        if not self.init_range > 0:
            raise ValueError(f"init_range={self.init_range!r} is not valid; it must be > 0")
        for name, present in (("in_gate_bias", True), ("out_gate_bias", self.output_gate),
                              ("forget_gate_bias", self.forget_gate)):
            value = getattr(self, name)
            if value is None:
                continue
            if not present:
                raise ValueError(f"{name}={value!r} given, but the network has no such gate")
            if len(value) != self.n_blocks:
                raise ValueError(f"{name} has {len(value)} values; it needs one per block "
                                 f"(n_blocks={self.n_blocks})")
            if "gates" not in BIASES[self.bias]:
                raise ValueError(f"{name} given, but bias={self.bias!r} gives gates no bias weight; "
                                 f"use one of {[b for b, s in BIASES.items() if 'gates' in s]}")

    @property
    def n_cells(self) -> int:
        return self.n_blocks * self.block_size

    @property
    def gates_per_block(self) -> int:
        return 1 + int(self.output_gate) + int(self.forget_gate)

    @property
    def n_units(self) -> int:
        """Units of the hidden layer: gates, cells and conventional hidden units (U)."""
        return self.n_blocks * self.gates_per_block + self.n_cells + self.n_hidden

    def weight_count(self) -> int:
        """Trainable weights, as Table 10 column "w" counts them (the CEC's fixed 1.0 is not one)."""
        lay = layout(self)
        return int(lay.mask_h.sum() + lay.mask_o.sum() + lay.mask_p.sum())

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Layout:
    """Index tables and connection masks derived from a spec (see the module docstring)."""
    spec: NetworkSpec
    n_src: int                    # NZ = I + U + 1: length of the hidden units' source vector z
    n_osrc: int                   # NO = I + C*S + H + 1: length of the outputs' source vector zo
    in_gate: int                  # first index of each unit kind in the hidden layer
    out_gate: int
    forget_gate: int
    cell: int
    hidden: int
    mask_h: np.ndarray = field(repr=False)   # (U, NZ) 1.0 where a connection exists
    mask_o: np.ndarray = field(repr=False)   # (K, NO)
    mask_p: np.ndarray = field(repr=False)   # (C, 3, S) peepholes to [input, forget, output] gate


def layout(spec: NetworkSpec) -> Layout:
    """Masks and offsets of ``spec``: which weight exists, in the engine's array layout."""
    I, K, C, S, H = spec.n_inputs, spec.n_outputs, spec.n_blocks, spec.block_size, spec.n_hidden
    U = spec.n_units
    in_gate = 0
    out_gate = C
    forget_gate = out_gate + C * int(spec.output_gate)
    cell = forget_gate + C * int(spec.forget_gate)
    hidden = cell + C * S
    n_src, n_osrc = I + U + 1, I + C * S + H + 1

    # source columns of z = [x | y_h(t-1) | 1] by group
    groups = {
        "input": range(0, I),
        "gates": range(I, I + cell),
        "cells": range(I + cell, I + hidden),
        "hidden": range(I + hidden, I + U),
    }
    hidden_sources, output_sources = CONNECTIVITY[spec.connectivity]
    biased = BIASES[spec.bias]
    mask_h = np.zeros((U, n_src))
    kinds = ["gates"] * cell + ["cells"] * (C * S) + ["hidden"] * H
    for source in hidden_sources:
        group, targets = source if isinstance(source, tuple) else (source, ("gates", "cells", "hidden"))
        rows = [u for u, kind in enumerate(kinds) if kind in targets]
        mask_h[np.ix_(rows, list(groups[group]))] = 1.0
    for u, kind in enumerate(kinds):
        if kind in biased:
            mask_h[u, n_src - 1] = 1.0

    ogroups = {"input": range(0, I), "cells": range(I, I + C * S),
               "hidden": range(I + C * S, I + C * S + H)}
    mask_o = np.zeros((K, n_osrc))
    for group in output_sources:
        mask_o[:, list(ogroups[group])] = 1.0
    if "output" in biased:
        mask_o[:, n_osrc - 1] = 1.0

    mask_p = np.zeros((C, 3, S))
    if spec.peepholes:
        mask_p[:, 0, :] = 1.0
        mask_p[:, 1, :] = float(spec.forget_gate)
        mask_p[:, 2, :] = float(spec.output_gate)
    return Layout(spec, n_src, n_osrc, in_gate, out_gate, forget_gate, cell, hidden,
                  mask_h, mask_o, mask_p)


@dataclass
class Weights:
    """The trainable weights, in the engine's layout (zero where the mask says no connection)."""
    wh: np.ndarray   # (U, NZ)    hidden-layer units: gates, cells, conventional hidden units
    wo: np.ndarray   # (K, NO)    output units
    wp: np.ndarray   # (C, 3, S)  peepholes: block j, gate [in, forget, out], from cell v of block j

    def copy(self) -> "Weights":
        return Weights(self.wh.copy(), self.wo.copy(), self.wp.copy())

    def flat(self) -> np.ndarray:
        return np.concatenate([self.wh.ravel(), self.wo.ravel(), self.wp.ravel()])


def init_weights(spec: NetworkSpec, rng: np.random.Generator) -> Weights:
    """Initial weights: uniform in [-init_range, init_range] (Section 5; Table 11), then the gate
    biases that Table 10 lists (ogb, igb; "r" keeps the random value)."""
    lay = layout(spec)
    r = spec.init_range
    wh = rng.uniform(-r, r, size=lay.mask_h.shape) * lay.mask_h
    wo = rng.uniform(-r, r, size=lay.mask_o.shape) * lay.mask_o
    wp = rng.uniform(-r, r, size=lay.mask_p.shape) * lay.mask_p
    bias_col = lay.n_src - 1
    for offset, values in ((lay.in_gate, spec.in_gate_bias), (lay.out_gate, spec.out_gate_bias),
                           (lay.forget_gate, spec.forget_gate_bias)):
        if values is not None:
            wh[offset:offset + spec.n_blocks, bias_col] = values
    return Weights(np.ascontiguousarray(wh), np.ascontiguousarray(wo), np.ascontiguousarray(wp))


def _source(source) -> str:
    """A hidden-layer source of :data:`CONNECTIVITY` in words: "cells" or "cells (to cells only)"."""
    return source if isinstance(source, str) else f"{source[0]} (to {', '.join(source[1])} only)"


def describe(spec: NetworkSpec) -> dict:
    """A plain description of a spec: blocks, cells, units, connectivity, biases, squashers, count."""
    hs, os_ = CONNECTIVITY[spec.connectivity]
    gates = ["input"] + (["output"] if spec.output_gate else []) + (["forget"] if spec.forget_gate else [])
    return {
        "blocks": spec.n_blocks,
        "block_size": spec.block_size,
        "cells": spec.n_cells,
        "gates_per_block": gates,
        "peepholes": spec.peepholes,
        "conventional_hidden_units": spec.n_hidden,
        "inputs": spec.n_inputs,
        "outputs": spec.n_outputs,
        "connectivity": f"{spec.connectivity}: hidden layer <- {', '.join(map(_source, hs))}; "
                        f"outputs <- {', '.join(os_)}",
        "biases": f"{spec.bias}: {', '.join(BIASES[spec.bias]) or 'no unit'}",
        "g": f"{spec.g}: {SQUASHERS[spec.g][2]}",
        "h": f"{spec.h}: {SQUASHERS[spec.h][2]}",
        "init_range": spec.init_range,
        "in_gate_bias": spec.in_gate_bias if spec.in_gate_bias is not None else "r",
        "out_gate_bias": (spec.out_gate_bias if spec.out_gate_bias is not None else "r")
        if spec.output_gate else "no output gate",
        "forget_gate_bias": (spec.forget_gate_bias if spec.forget_gate_bias is not None else "r")
        if spec.forget_gate else "no forget gate",
        "weights": spec.weight_count(),
    }
