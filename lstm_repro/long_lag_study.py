"""The measurements behind the Experiment 2 chapter (Hochreiter & Schmidhuber 1997, Section 5.2):
diagnostic variants of a row's network, and what the single memory cell of Tasks 2a/2b holds.

- :func:`with_spec`: a row's protocol with its network changed (e.g. a cell input squasher g
  centred on zero instead of Table 10's logistic in [0, 1]); for diagnostics only, never a paper row.
- :func:`cell_readout`: for a 2a/2b net, the cell's state and input gate over each sequence, the
  difference the first symbol leaves in the state at the end, the drift over the sequence, and
  the weights from the cell to the x and y outputs.
- :data:`STUDY`, :func:`run_study`, :func:`load_study`: Task 2a with and without sequential
  construction, with Table 10's cell input squasher g (logistic in [0, 1]) and with one centred
  on zero (in [-1, 1]), and Task 2b constructed with either g; each variant a set of trials of
  the row's protocol (2a or 2b) with a study budget
  (not the paper's 5 million); stored as one JSON record per trial under
  ``data/long_lag_study/VARIANT/`` (resumable).
- :data:`IGB_STUDY`: rows 2c-1 ... 2c-9 with Section 4's remedy for internal state drift, a
  negative initial input-gate bias (:data:`IGB`), everything else the row's paper protocol (its
  5-million-sequence budget included).  A diagnostic: Table 10's weight counts give Task 2c no
  bias weights at all.  :data:`IGB_LR_STUDY`: row 2c-4's such net with larger learning rates.

Command line (one process)::

    python -m lstm_repro.long_lag_study --all          # every variant of STUDIES (many hours)
    python -m lstm_repro.long_lag_study constructed    # one
    python -m lstm_repro.long_lag_study 2c-4-igb 2c-5-igb   # the 2c remedy, one row each
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from .engine import Network
from .paths import DATA_DIR
from .protocols import Protocol, get_protocol
from .provenance import collect
from .results import checkpoint_path, read_json, trial_path, write_json
from .rows import Row
from .runner import run_trial, trial_seed
from .spec import check_choice
from .tasks.base import Sequence, check_int

STUDY_DIR = DATA_DIR / "long_lag_study"
# variant: (row, changes to its network spec, changes to its protocol, trials, budget)
STUDY = {
    "full": ("2a", {}, {"construction": {}}, 6, 50_000),
    "constructed": ("2a", {}, {}, 6, 50_000),
    "full-g-centred": ("2a", {"g": "h1"}, {"construction": {}}, 6, 50_000),
    "constructed-g-centred": ("2a", {"g": "h1"}, {}, 18, 100_000),
    "2b-constructed": ("2b", {}, {}, 3, 50_000),
    "2b-constructed-g-centred": ("2b", {"g": "h1"}, {}, 6, 100_000),
}
# Section 4 ("internal state drift"): bias the input gates negatively at the start.  Gate bias
# weights (Table 10's "ga") with the input gates' initial biases -2, -4: Table 10 row 6a's igb, its
# 2-block net.  Output-gate biases random (Table 10's legend "r").  Not Table 10's 2c net.
IGB = {"bias": "ga", "in_gate_bias": (-2.0, -4.0)}
IGB_TRIALS = 10
IGB_STUDY = {f"{row}-igb": (row, IGB, {}, IGB_TRIALS, 5_000_000)
             for row in (f"2c-{i}" for i in range(1, 10))}
# The same net at q = p = 500 with 3, 10 and 30 times Table 10's learning rate (0.01): does the
# step size set how long the trials sit at an end error of 0.5?  Not the paper's learning rate.
IGB_LR_STUDY = {f"2c-4-igb-lr{lr:g}": ("2c-4", IGB, {"lr": lr}, 3, 5_000_000)
                for lr in (0.03, 0.1, 0.3)}
STUDIES = {**STUDY, **IGB_STUDY, **IGB_LR_STUDY}     # every variant, for the command line


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


def study_protocol(variant: str, study: dict | None = None) -> Protocol:
    """The row's paper protocol changed as ``study[variant]`` says (default :data:`STUDIES`)."""
    study = STUDIES if study is None else study
    if variant not in study:
        raise KeyError(f"unknown variant {variant!r}; valid variants: {', '.join(study)}")
    row, spec_changes, changes, _, budget = study[variant]
    p = replace(get_protocol(row), budget=budget, **changes)
    return with_spec(p, **spec_changes) if spec_changes else p


def run_study(variants=None, root: Path = STUDY_DIR, seed: int = 0, study: dict | None = None,
              trials: int | None = None) -> None:
    """Run (or resume) the trials of ``variants`` (default: all of ``study``, default
    :data:`STUDIES`), one record per trial in ``root/VARIANT/trial-NNN.json``; a stored config
    that differs from the variant's raises.  ``trials``: only trials 0 ... ``trials`` - 1 (at
    most the variant's count), so that several variants can be filled breadth first."""
    study = STUDIES if study is None else study
    if trials is not None:
        check_int("trials", trials)
    for variant in (list(study) if variants is None else variants):
        protocol = study_protocol(variant, study)
        directory = Path(root) / variant
        directory.mkdir(parents=True, exist_ok=True)
        config = {"protocol": protocol.to_dict(), "seed": seed}
        stored = directory / "config.json"
        if stored.exists() and read_json(stored) != _as_json(config):
            raise ValueError(f"{stored} holds another configuration; remove the folder to rerun")
        write_json(stored, config)
        for t in range(study[variant][3] if trials is None else min(trials, study[variant][3])):
            path = trial_path(directory, t)
            if path.exists():
                continue
            ck, prov = checkpoint_path(directory, t), collect({"variant": variant, "seed": seed})
            record, _ = run_trial(protocol, t, trial_seed(seed, t), ck, provenance=prov)
            record["variant"] = variant
            record["provenance"] = prov
            write_json(path, record)
            ck.unlink(missing_ok=True)             # a trial in progress resumes from ck
            print(f"{variant} trial {t}: {'success' if record['success'] else 'no success'} after "
                  f"{record['sequences']:,} sequences ({record['wall_seconds']:.0f} s)", flush=True)


def _as_json(data: dict) -> dict:
    """``data`` as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(data))


def load_study(root: Path = STUDY_DIR, study: dict | None = None) -> dict[str, list[dict]]:
    """The stored records of each variant of ``study`` (default :data:`STUDY`; empty lists where
    none is stored)."""
    out = {}
    for variant in (STUDY if study is None else study):
        directory = Path(root) / variant
        out[variant] = [read_json(p) for p in sorted(directory.glob("trial-*.json"))] \
            if directory.is_dir() else []
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m lstm_repro.long_lag_study",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*", metavar="VARIANT",
                    help=f"variants to run or resume: {', '.join(STUDIES)}")
    ap.add_argument("--all", action="store_true", help="every variant (many hours)")
    ap.add_argument("--trials", type=int, metavar="K",
                    help="only trials 0 ... K-1 of each variant (default: all of them)")
    ap.add_argument("--root", type=Path, default=STUDY_DIR, metavar="DIR",
                    help="where the variants' folders are (default: data/long_lag_study)")
    a = ap.parse_args(argv)
    if a.all == bool(a.variants):
        ap.error(f"give VARIANT names or --all (not both); variants: {', '.join(STUDIES)}")
    try:                          # not argparse's choices: with nargs="*" it rejects no VARIANT
        for v in a.variants:
            check_choice("variant", v, STUDIES)
        if a.trials is not None:
            check_int("--trials", a.trials)
    except ValueError as exc:
        ap.error(str(exc))
    run_study(None if a.all else a.variants, root=a.root, trials=a.trials)


if __name__ == "__main__":
    main()
