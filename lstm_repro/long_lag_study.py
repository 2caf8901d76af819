"""The measurements behind the Experiment 2 chapter (Hochreiter & Schmidhuber 1997, Section 5.2):
diagnostic variants of a row's network, and what the single memory cell of Tasks 2a/2b holds.

- :func:`with_spec`: a row's protocol with its network changed (e.g. a cell input squasher g
  centred on zero instead of Table 10's logistic in [0, 1]); for diagnostics only, never a paper row.
- :func:`cell_readout`: for a 2a/2b net, the cell's state and input gate over each sequence, the
  difference the first symbol leaves in the state at the end, the drift over the sequence, and
  the weights from the cell to the x and y outputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from .engine import Network
from .protocols import Protocol
from .rows import Row
from .tasks.base import Sequence


@dataclass(frozen=True)
class SpecVariant(Protocol):
    """A protocol whose network is its Table 10 row's with ``spec_changes`` applied."""
    spec_changes: dict = field(default_factory=dict)

    @property
    def network(self) -> Row:
        row = super().network
        return replace(row, spec=replace(row.spec, **self.spec_changes))

    def to_dict(self) -> dict:
        d = super().to_dict()
        d.pop("spec_changes", None)       # already applied to d["network"]["spec"]
        return d


def with_spec(protocol: Protocol, **spec_changes) -> SpecVariant:
    """``protocol`` with its network's spec changed by ``spec_changes`` (NetworkSpec fields)."""
    if not spec_changes:
        raise ValueError("with_spec needs at least one NetworkSpec field to change")
    base = {f.name: getattr(protocol, f.name) for f in fields(Protocol)}
    variant = SpecVariant(**base, spec_changes=dict(spec_changes))
    variant.network.spec.weight_count()   # validates the changed spec (names the bad field)
    return variant


def cell_readout(net: Network, seqs: list[Sequence], x: int, y: int) -> dict:
    """What the first cell of a 2a/2b net holds over ``seqs``: per class ("x", "y") the mean
    state at t = 1 and at the end, the mean drift (end minus t = 1), the mean input gate after
    t = 1; the end-state difference x minus y; the weights from the cell to the outputs x and y
    (unit indices ``x``, ``y``) and their mean over all outputs."""
    I = net.spec.n_inputs
    per = {"x": [], "y": []}
    for seq in seqs:
        tr = net.trace(onehot=seq.onehot)
        s, gate = tr["states"][:, 0], tr["input_gates"][:, 0]          # (T,)
        per[seq.meta["class"]].append((s[0], s[-1], gate[1:].mean()))
    out = {}
    for cls, values in per.items():
        if not values:
            raise ValueError(f"cell_readout needs sequences of both classes; none of class {cls!r}")
        v = np.asarray(values)                                          # (N, 3)
        out[cls] = {"start": float(v[:, 0].mean()), "end": float(v[:, 1].mean()),
                    "drift": float((v[:, 1] - v[:, 0]).mean()), "gate_after": float(v[:, 2].mean())}
    wo = net.weights.wo[:, I]                                           # (K,) cell -> outputs
    out["end_difference"] = out["x"]["end"] - out["y"]["end"]
    out["w_out_x"], out["w_out_y"], out["w_out_mean"] = float(wo[x]), float(wo[y]), float(wo.mean())
    return out
