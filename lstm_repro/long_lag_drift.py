"""Why Task 2c's net can learn and then forget: what the two memory cells do over training
(Hochreiter & Schmidhuber 1997, Section 5.2 Task 2c; Section 4, "internal state drift").

A 2c row's protocol net (Table 10: 2 blocks of 1 cell, input and output gates, no biases,
connectivity F, learning rate 0.01) is trained on-line exactly as the row trains it
(``net.train_sequences(..., lr, update)``), in blocks of ``block`` sequences; after each block
:func:`probe_readout` measures the net on a fixed probe set of sequences drawn once:

- ``abs_s_end`` (C,): mean |s_c| at the last step (the step that reads the trigger e);
- ``class_gap`` (C,): mean s_c at the end after an x sequence minus after a y sequence (what the
  cell stores about the class);
- ``in_gate`` (C,): mean input-gate activation over the steps after the class symbol (t >= 2);
- ``out_gate_end`` (C,): mean output gate at the last step;
- ``h_prime_end`` (C,): mean h'(s_c) at the last step: the factor by which error entering the cell
  at the end is scaled (Appendix A.2: y^out h'(s_c) ...), small when the state has drifted;
- ``feedback`` (C,): mean over steps t >= 1 of the net input that the cell receives from the
  cell outputs of step t - 1 (sum_v w[c, v] y^{c_v}(t-1)), i.e. the recurrent cell -> cell-input path;
- ``w_out_max``: max |w| of the cell -> output weights; ``w_cc`` (C, C): cell -> cell-input weights;
- ``correct``: fraction of probe sequences with both end errors below 0.2 (ABS(0.2)).

Per block the training outputs give ``train_correct`` (fraction of the block's sequences right by
ABS(0.2)) and ``train_end_error`` (mean over the block of the largest absolute end error);
``wh_step`` and ``wo_step`` are the largest absolute changes of a hidden-layer (gates, cells) and
of an output weight over the block (how much error still reaches each part of the net).

:func:`initial_readouts` reads the nets that a row's trials start from, before any update: with
Table 10's 2c net the cells' states at the end of a q = 1000 sequence are already tens of units
from zero, so h'(s_c) and with it the error reaching the cells start out vanishingly small.

:data:`VARIANTS` are the runs of the chapter: 2c-1 and 2c-2 with Table 10's nets, and diagnostic
2c-2 and 2c-4 nets with a negative initial input-gate bias (Section 4's remedy for drift; this
departs from Table 10, which gives 2c no biases).  Each (variant, seed) is stored with its
provenance in ``data/long_lag_study/2c-drift/VARIANT-seedN.json`` (resumable).

Command line (one process)::

    python -m lstm_repro.long_lag_drift                   # every variant, seeds 0 1 2 3 4
    python -m lstm_repro.long_lag_drift 2c-2 --seeds 1
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .cell_analysis import squash
from .engine import Network
from .long_lag_study import IGB, STUDY_DIR, with_spec
from .protocols import Protocol, get_protocol
from .provenance import collect
from .results import read_json, write_json
from .runner import trial_seed, trial_streams
from .tasks.base import Sequence, check_int

DRIFT_DIR = STUDY_DIR / "2c-drift"
SEEDS = (0, 1, 2, 3, 4)
# variant: (row, NetworkSpec changes (none: Table 10's net), training sequences, block, what it is)
VARIANTS = {
    "2c-1": ("2c-1", {}, 400_000, 2_500, "Table 10's net, q = p = 50"),
    "2c-2": ("2c-2", {}, 600_000, 2_500, "Table 10's net, q = p = 100"),
    # diagnostic (not Table 10): gate bias weights (input and output gates, Table 10 "ga") with the
    # input gates' initial biases -2, -4 (Table 10 row 6a's igb, its 2-block net); output-gate
    # biases random. Section 4: a negative input-gate bias counters internal state drift.
    "2c-2-igb": ("2c-2", IGB, 600_000, 2_500,
                 "diagnostic: 2c-2 with gate biases, input-gate biases -2, -4 at the start"),
    # the same remedy at q = p = 500 (long_lag_study's 2c-4-igb trials sit at an end error of 0.5
    # for a long time before they learn): what the cells and output weights do on that plateau
    "2c-4-igb": ("2c-4", IGB, 600_000, 10_000,
                 "diagnostic: 2c-4 with gate biases, input-gate biases -2, -4 at the start"),
}
PROBE_SIZE = 200


def probe_readout(net: Network, seqs: list[Sequence]) -> dict:
    """What the cells of a 2c net do on ``seqs`` (see the module docstring for each key); the
    sequences need ``meta["class"]`` ("x" or "y") and an end target."""
    spec, lay = net.spec, net.layout
    if not spec.output_gate or spec.block_size != 1:
        raise ValueError("probe_readout reads 2c nets: blocks of one cell with an output gate")
    I, C = spec.n_inputs, spec.n_cells
    w_cc = net.weights.wh[lay.cell:lay.cell + C, I + lay.cell:I + lay.cell + C]   # (C, C)
    s_end, gates, og_end, feedback, right = [], [], [], [], []
    cls = np.array([seq.meta["class"] for seq in seqs])
    if not {"x", "y"} <= set(cls):
        raise ValueError("probe_readout needs sequences of both classes (x and y)")
    for seq in seqs:
        tr = net.trace(onehot=seq.onehot)
        s_end.append(tr["states"][-1])                                # (C,)
        gates.append(tr["input_gates"][2:].mean(axis=0))              # (C,) after the class symbol
        og_end.append(tr["output_gates"][-1])                         # (C,)
        feedback.append((tr["cell_outputs"][:-1] @ w_cc.T).mean(axis=0))   # (C,) steps t >= 1
        err = np.abs(tr["outputs"][-1] - seq.targets[-1])             # (K,)
        right.append(bool(err.max() < 0.2))
    s_end = np.asarray(s_end)                                         # (N, C)
    return {
        "abs_s_end": np.abs(s_end).mean(axis=0).tolist(),
        "class_gap": (s_end[cls == "x"].mean(axis=0) - s_end[cls == "y"].mean(axis=0)).tolist(),
        "in_gate": np.mean(gates, axis=0).tolist(),
        "out_gate_end": np.mean(og_end, axis=0).tolist(),
        "h_prime_end": squash(spec.h, s_end)[1].mean(axis=0).tolist(),
        "feedback": np.mean(feedback, axis=0).tolist(),
        "w_out_max": float(np.abs(net.weights.wo[:, I:I + C]).max()),
        "w_cc": w_cc.tolist(),
        "correct": float(np.mean(right)),
    }


def initial_readouts(protocol: Protocol, seqs: list[Sequence], trials: int,
                     base_seed: int = 0) -> list[dict]:
    """:func:`probe_readout` of the nets that trials 0 ... ``trials`` - 1 of ``protocol`` start
    from (before their first update): the runner's initial weights of each trial (seed
    ``trial_seed(base_seed, t)``).  Where the end states have drifted far from zero, h'(s_c) is
    tiny and the truncated error reaching the cells and gates from the end vanishes with it
    (Section 4, internal state drift)."""
    return [probe_readout(protocol.make_learner(trial_streams(trial_seed(base_seed, t))[0]), seqs)
            for t in range(trials)]


def variant_protocol(variant: str, variants: dict | None = None) -> Protocol:
    """The paper protocol of ``variant``'s row, its network changed as the variant says."""
    variants = VARIANTS if variants is None else variants
    if variant not in variants:
        raise KeyError(f"unknown variant {variant!r}; valid variants: {', '.join(variants)}")
    row, changes = variants[variant][:2]
    p = get_protocol(row)
    return with_spec(p, **changes) if changes else p


def drift_run(protocol: Protocol, seed: int, sequences: int, block: int,
              probe: int = PROBE_SIZE) -> tuple[list[dict], Network]:
    """Train ``protocol``'s net (initial weights from ``default_rng(seed)``, training sequences
    from ``default_rng([seed, 1])``, the probe set of ``probe`` sequences from
    ``default_rng([seed, 2])``) for ``sequences`` sequences in blocks of ``block``; one record per
    block (``sequences`` so far, ``train_correct``, ``train_end_error``, and
    :func:`probe_readout`'s keys).  Returns the records and the trained net."""
    for name, value in (("sequences", sequences), ("block", block), ("probe", probe)):
        check_int(name, value)
    net = protocol.make_learner(np.random.default_rng(seed))
    task = protocol.make_task(0)
    data_rng, probe_rng = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 2])
    probe_set = [task.sample(probe_rng) for _ in range(probe)]
    records, n = [], 0
    while n < sequences:
        seqs = [task.sample(data_rng) for _ in range(min(block, sequences - n))]
        wh, wo = net.weights.wh.copy(), net.weights.wo.copy()
        outs = net.train_sequences(seqs, lr=protocol.learning_rate, update=protocol.update)
        end_err = np.array([np.abs(o[-1] - s.targets[-1]).max() for o, s in zip(outs, seqs)])
        n += len(seqs)
        records.append({"sequences": n, "train_correct": float(np.mean(end_err < 0.2)),
                        "train_end_error": float(end_err.mean()),
                        "wh_step": float(np.abs(net.weights.wh - wh).max()),
                        "wo_step": float(np.abs(net.weights.wo - wo).max()),
                        **probe_readout(net, probe_set)})
    return records, net


def summary(blocks: list[dict], collapse_below: float = 0.6) -> dict:
    """The peak of a run's training correctness (``train_correct``), where it was reached, the
    first block after it whose correctness fell below ``collapse_below`` (``collapse_at``; None if
    none), and the probe readings at the peak, at the collapse and at the last block."""
    if not blocks:
        raise ValueError("summary needs at least one block")
    correct = np.array([b["train_correct"] for b in blocks])
    i = int(np.argmax(correct))
    after = np.nonzero(correct[i:] < collapse_below)[0]
    j = i + int(after[0]) if after.size else None
    keys = ("sequences", "train_correct", "abs_s_end", "in_gate", "out_gate_end", "h_prime_end",
            "feedback", "w_out_max", "class_gap")
    pick = lambda b: {k: b[k] for k in keys}
    return {"peak": pick(blocks[i]), "collapse_at": None if j is None else blocks[j]["sequences"],
            "collapse": None if j is None else pick(blocks[j]), "last": pick(blocks[-1])}


def run_variants(variants=None, seeds=SEEDS, root: Path = DRIFT_DIR,
                 table: dict | None = None) -> None:
    """Run (or resume) ``variants`` x ``seeds``, one file ``root/VARIANT-seedN.json`` each; a
    stored file made with another configuration raises."""
    table = VARIANTS if table is None else table
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for variant in (list(table) if variants is None else variants):
        protocol = variant_protocol(variant, table)
        _, _, sequences, block, about = table[variant]
        for seed in seeds:
            config = {"variant": variant, "about": about, "protocol": protocol.to_dict(),
                      "seed": seed, "sequences": sequences, "block": block, "probe": PROBE_SIZE}
            path = root / f"{variant}-seed{seed}.json"
            if path.exists():
                if read_json(path)["config"] != json.loads(json.dumps(config)):
                    raise ValueError(f"{path} holds another configuration; remove it to rerun")
                continue
            blocks, _ = drift_run(protocol, seed, sequences, block)
            write_json(path, {"config": config, "blocks": blocks,
                              "provenance": collect({"variant": variant, "seed": seed})})
            s = summary(blocks)
            print(f"{variant} seed {seed}: peak {s['peak']['train_correct']:.1%} at "
                  f"{s['peak']['sequences']:,}, last {s['last']['train_correct']:.1%}", flush=True)


def load_drift(root: Path = DRIFT_DIR) -> dict[str, dict[int, dict]]:
    """The stored runs: ``{variant: {seed: {"config", "blocks", "provenance"}}}`` (variants of
    :data:`VARIANTS` only; empty dicts where nothing is stored)."""
    out = {v: {} for v in VARIANTS}
    for path in sorted(Path(root).glob("*-seed*.json")) if Path(root).is_dir() else []:
        data = read_json(path)
        if data["config"]["variant"] in out:
            out[data["config"]["variant"]][data["config"]["seed"]] = data
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*", help=f"default: all of {', '.join(VARIANTS)}")
    ap.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    a = ap.parse_args(argv)
    run_variants(a.variants or None, a.seeds)


if __name__ == "__main__":
    main()
