"""Why Experiment 1 (embedded Reber grammar, Section 5.1, Table 1) does not reproduce: readings.

Section 5.1 of Hochreiter & Schmidhuber (1997) leaves several choices open (reference sheet,
Section 5.1 and Section 8).  A :class:`Reading` fixes one answer to each; :data:`READINGS` holds the
package's reading (``"package"``, what :mod:`lstm_repro.protocols` runs) and one variant per open
question, plus a few *diagnostic* variants that break the paper on purpose (a target at the
long-range step only, biases on all units, soft targets, a forget gate, a smaller learning rate)
to locate the mechanism of the failure; they are marked ``paper=False``.

The package drew 256 *distinct* strings per set until it switched to Section 5.1's independent
draws (:mod:`lstm_repro.tasks.reber`); the study was run before that.  Its records keep what they
ran with: the readings varying one other question keep ``sets="distinct"`` (each differs from the
reading "distinct sets", the earlier baseline, in that question only), and the stored records of
the earlier "package" and "iid sets" readings carry the names "distinct sets" and "package"
(``renamed_from`` says so).

A reading is run through the runner's own code path: :class:`ReadingProtocol` is a
:class:`~lstm_repro.protocols.Protocol` whose task, network and learning rate follow the reading,
and :func:`run_reading` hands it to :func:`lstm_repro.runner.run_trial` (so ``"package"`` reproduces
the stored rows bit for bit), then measures what went wrong (:func:`diagnose`).

Command line (one process; results appended to ``data/reber_study/readings.json``, or with
``--full-gradient`` :func:`gradient_comparison` written to
``data/reber_study/full_gradient.json``)::

    python -m lstm_repro.reber_study --rows 1-2 1-5 --trials 0 10 20 --budget 30000
    python -m lstm_repro.reber_study --full-gradient --rows 1-2 1-5 --trials 0
"""
from __future__ import annotations

import argparse
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .engine import Network
from .paths import DATA_DIR
from .protocols import PROTOCOLS, Protocol, get_protocol
from .provenance import collect
from .results import write_json
from .rows import Row, get_row
from .runner import run_trial, trial_seed, trial_streams
from .spec import SQUASHERS, check_choice, layout
from .tasks.base import Sequence
from .tasks.reber import INDEX, SYMBOLS, ReberTask, draw_sets, string_sequence

STUDY_PATH = DATA_DIR / "reber_study" / "readings.json"
GRADIENT_PATH = DATA_DIR / "reber_study" / "full_gradient.json"
TARGETS = ("legal", "next", "soft", "branch")   # multi-hot legal successors | one-hot actual next
#   symbol | legal successors 0.9, others 0.1 | only the long-range step (the last two: diagnostics)
SETS = ("iid", "distinct")            # 256 independent draws (repeats) | 256 distinct strings
CRITERIA = ("all", "top")             # every legal unit above every illegal one | argmax is legal


@dataclass(frozen=True)
class Reading:
    """One answer to each open question of Section 5.1 (defaults: the package's answers)."""
    name: str
    question: str                     # which question it answers differently
    description: str
    targets: str = "legal"            # training targets (the criterion always uses legal sets)
    sets: str = "iid"                 # how the 256 training and 256 test strings are drawn
    first_b: bool = True              # is the string's first B presented as an input?
    criterion: str = "all"            # what "the most active" output unit(s) means
    update: str = "step"              # weight-update timing (engine: "step" | "sequence")
    lr_factor: float = 1.0            # multiplies Table 10's alpha
    igb_range: float | None = None    # "r" input-gate biases from [-x, x] (None: init range)
    spec: dict = field(default_factory=dict)   # NetworkSpec fields changed (diagnostics)
    paper: bool = True                # False: breaks the paper on purpose (a diagnostic)

    def __post_init__(self):
        for name, value, valid in (("targets", self.targets, TARGETS), ("sets", self.sets, SETS),
                                   ("criterion", self.criterion, CRITERIA)):
            check_choice(name, value, valid)


READINGS: dict[str, Reading] = {r.name: r for r in [
    Reading("package", "-", "the package: multi-hot legal targets, independent draws (test "
            "strings never training strings), per-step updates, B presented, igb r in "
            "[-0.2, 0.2]"),
    Reading("next-symbol targets", "targets", "one-hot target: the symbol that actually comes "
            "next (Smith & Zipser 1989, Cleeremans et al. 1989)", targets="next",
            sets="distinct"),
    Reading("distinct sets", "data sets", "256 distinct strings per set, drawn by rejection "
            "(the package's earlier reading: short strings far rarer than the grammar makes "
            "them)", sets="distinct"),
    Reading("per-string updates", "update timing", "weights change once per string, by the "
            "summed contributions (Appendix A)", update="sequence",
            sets="distinct"),
    Reading("igb r in [-0.1, 0.1]", "igb range", "Table 10 legend: 'r' gate biases from "
            "[-0.1, 0.1]", igb_range=0.1,
            sets="distinct"),
    Reading("alpha x 2", "learning-rate convention", "alpha on the gradient of "
            "sum (t - y)^2 (eq. 16 without the 1/2)", lr_factor=2.0,
            sets="distinct"),
    Reading("legend squashers", "h and g", "Table 10 legend: g in [-1, 1], h in [-2, 2]",
            spec={"g": "h1", "h": "g2"},
            sets="distinct"),
    Reading("argmax criterion", "criterion", "a step is right when the most active unit is a "
            "legal successor (where two are legal, the other may rank below an illegal one)",
            criterion="top",
            sets="distinct"),
    Reading("no first B", "presentation", "the first B is not an input (the net starts on the "
            "branch symbol)", first_b=False,
            sets="distinct"),
    Reading("next targets, iid sets", "targets + data sets", "one-hot next-symbol targets "
            "with the package's independent draws",
            targets="next", sets="iid"),
    Reading("all units biased", "diagnostic", "cells and output units get a bias too (Table "
            "10 'all'; not the paper: 289/277 weights)", spec={"bias": "all"}, paper=False,
            sets="distinct"),
    Reading("branch target only", "diagnostic", "a target only at the long-range step (the "
            "branch symbol after the inner E), none elsewhere: can the learner store the branch "
            "when nothing else is asked?", targets="branch", paper=False,
            sets="distinct"),
    Reading("soft targets", "diagnostic", "targets 0.9 for legal successors and 0.1 for the "
            "others, which keeps the logistic outputs off their flat ends", targets="soft",
            paper=False,
            sets="distinct"),
    Reading("next targets, iid sets, per-string updates", "targets + data sets + update timing",
            "the best two readings, with weights changed once per string", targets="next",
            sets="iid", update="sequence"),
    Reading("h = identity", "diagnostic", "the cell output is not squashed (h(x) = x), so a "
            "large state does not shut the error out of the cell (Section 4: the drift remedy "
            "the paper rejects)", spec={"h": "id"}, paper=False,
            sets="distinct"),
    Reading("alpha / 10", "diagnostic", "a ten times smaller learning rate", lr_factor=0.1,
            paper=False,
            sets="distinct"),
    Reading("forget gate", "diagnostic", "a forget gate and biases on all units (Gers et al. "
            "2000; not the 1997 cell)", spec={"forget_gate": True, "bias": "all"}, paper=False,
            sets="distinct"),
]}


def get_reading(name: str) -> Reading:
    """The reading ``name``; an unknown name raises a KeyError listing the valid ones."""
    try:
        return READINGS[name]
    except KeyError:
        raise KeyError(f"unknown reading {name!r}; valid readings: {', '.join(READINGS)}") from None


def steps_correct(outputs: np.ndarray, legal: np.ndarray, criterion: str = "all") -> np.ndarray:
    """(T,) whether each step is predicted correctly: ``"all"``: every legal unit's output exceeds
    every illegal unit's output (the package's tie rule); ``"top"``: the most active unit is legal.
    ``outputs`` (T, K), ``legal`` (T, K) bool."""
    if criterion == "top":
        return legal[np.arange(len(outputs)), outputs.argmax(axis=1)]
    lowest_legal = np.where(legal, outputs, np.inf).min(axis=1)  # (T,)
    highest_illegal = np.where(legal, -np.inf, outputs).max(axis=1)  # (T,)
    return lowest_legal > highest_illegal


def next_symbol_targets(string: str) -> np.ndarray:
    """One-hot targets (T, 7): at step t the symbol that follows the t-th symbol of ``string``."""
    targets = np.zeros((len(string) - 1, len(SYMBOLS)))  # (T, 7)
    targets[np.arange(len(string) - 1), [INDEX[s] for s in string[1:]]] = 1.0
    return targets


class ReadingTask(ReberTask):
    """The embedded Reber task as ``reading`` presents it.

    Every sequence keeps its legal-successor mask in ``meta["legal"]`` (T, 7): the criterion of
    Section 5.1 ("the output unit(s) of the possible next symbol(s) are the most active") is judged
    on it, whatever the training targets are.
    """

    def __init__(self, reading: Reading, data_seed: int = 0):
        self.reading = reading
        self.train_size = self.test_size = 256
        self.data_seed = data_seed
        train, test = draw_sets(np.random.default_rng(data_seed), 256, 256, reading.sets)
        self.training_set = [self._sequence(s) for s in train]
        self._test = [self._sequence(s) for s in test]

    def _sequence(self, string: str) -> Sequence:
        legal = string_sequence(string).targets                      # (T, 7) multi-hot
        if self.reading.targets == "legal":
            targets = legal
        elif self.reading.targets == "next":
            targets = next_symbol_targets(string)
        elif self.reading.targets == "soft":
            targets = 0.1 + 0.8 * legal
        else:                                                        # "branch"
            targets = np.full(legal.shape, np.nan)
            targets[len(string) - 3] = next_symbol_targets(string)[len(string) - 3]
        indices = np.array([INDEX[s] for s in string[:-1]])          # (T,)
        start = 0 if self.reading.first_b else 1
        return Sequence.from_onehot(indices[start:], len(SYMBOLS), targets[start:],
                                    {"string": string, "legal": legal[start:] == 1.0})

    @property
    def params(self) -> dict:
        return {"reading": self.reading.name, "data_seed": self.data_seed}

    def errors(self, outputs: np.ndarray, seq: Sequence) -> dict[str, float]:
        """As :meth:`Task.errors`; with branch targets only (no target at the last step) just the
        measures over the whole sequence, ``sq_sum`` and ``abs_max``."""
        if self.reading.targets != "branch":
            return super().errors(outputs, seq)
        diff = self._diff(outputs, seq)
        every = diff[~np.isnan(diff)]
        return {"sq_sum": float(np.sum(every * every)), "abs_max": float(np.max(np.abs(every)))}

    def correct(self, outputs: np.ndarray, seq: Sequence) -> bool:
        """Section 5.1's criterion at every step, judged on the legal successors (``steps_correct``
        with the reading's criterion)."""
        self._check_shape(outputs, seq)
        return bool(steps_correct(outputs, seq.meta["legal"], self.reading.criterion).all())


@dataclass(frozen=True)
class ReadingProtocol(Protocol):
    """A row's Experiment 1 protocol under ``reading`` (what :func:`run_trial` needs)."""
    reading: Reading = READINGS["package"]

    @property
    def network(self) -> Row:
        row = get_row(self.config_row)
        return Row(row.row, dataclasses.replace(row.spec, **self.reading.spec),
                   row.lr * self.reading.lr_factor, row.experiment)

    def make_task(self, trial: int = 0) -> ReadingTask:
        return ReadingTask(self.reading, data_seed=trial // 10)   # as Protocol.make_task

    def make_learner(self, rng) -> Network:
        net = Network(self.network.spec, rng=rng)
        if self.reading.igb_range is not None and self.network.spec.in_gate_bias is None:
            lay = net.layout   # uniform [-r, r] scaled to [-x, x]: the same random stream
            bias = net.weights.wh[lay.in_gate:lay.in_gate + net.spec.n_blocks, lay.n_src - 1]
            bias *= self.reading.igb_range / net.spec.init_range
            net.weights.wh[lay.in_gate:lay.in_gate + net.spec.n_blocks, lay.n_src - 1] = bias
        return net


def reading_protocol(row: str, reading: Reading, budget: int | None = None) -> ReadingProtocol:
    """Row ``row``'s paper protocol under ``reading`` (budget: the paper's unless given)."""
    base = get_protocol(row, "paper")
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(Protocol)}
    fields.update(update=reading.update, budget=base.budget if budget is None else budget)
    return ReadingProtocol(**fields, reading=reading)


def _tracer(net):
    """A function seq -> (outputs (T, K), states (T, C*S), output gates (T, C)) for the engine
    or the autograd learner (:class:`~lstm_repro.reference.TorchLearner`)."""
    if isinstance(net, Network):
        def trace(seq):
            tr = net.trace(onehot=seq.onehot)
            return tr["outputs"], tr["states"], tr["output_gates"]
        return trace
    C = net.spec.n_blocks

    def trace(seq):
        tr = net.reference.trace(seq.inputs)
        return tr["outputs"], tr["states"], tr["units"][:, C:2 * C]   # gate order: in, out
    return trace


def diagnose(net, task: ReadingTask, limit: int | None = None) -> dict:
    """What a trained net gets right and wrong on the 512 strings of ``task``.

    ``train_correct`` / ``test_correct``: fractions of strings predicted correctly;
    ``branch``: fraction of strings whose branch symbol (T or P) is the more active of the two at
    the step whose input is the inner E (the long-range step); ``other_steps_wrong``: fraction of
    strings with a wrong step elsewhere; ``state_at_inner_e``: mean |s_c| over the strings at that
    step, per cell; ``slope_at_inner_e``: mean h'(s_c) there, per cell (0.5 at s = 0, ~1e-4 at
    |s| = 10); ``entry_at_inner_e``: mean y_out h'(s_c) there, per cell: the factor by which the
    error reaching a cell's output enters its state (eq. 26), so the weights that could store the
    branch learn from that step only in proportion to it;
    ``saturated_outputs``: fraction of outputs below 0.01 or above 0.99.
    """
    seqs = task.training_set + task.test_set(None)
    n_train = len(task.training_set)
    T, P = INDEX["T"], INDEX["P"]
    trace = _tracer(net)
    a, _, _ = SQUASHERS[net.spec.h]
    slope = (lambda s: np.ones_like(s)) if a == 0.0 else \
        (lambda s: a / (2.0 + 2.0 * np.cosh(s)))                      # h' = a sig (1 - sig)
    ok, branch, other, states, entry, sat = [], [], [], [], [], []
    for seq in seqs:
        y, s_c, y_out = trace(seq)
        legal, string = seq.meta["legal"], seq.meta["string"]
        t_e = len(string) - 3 - (0 if task.reading.first_b else 1)  # input: the inner E
        right = steps_correct(y, legal, task.reading.criterion)    # (T,)
        ok.append(right.all())
        branch.append(bool(y[t_e, T] > y[t_e, P]) == (string[1] == "T"))
        other.append(not np.delete(right, t_e).all())
        states.append(np.abs(s_c[t_e]))
        entry.append(np.repeat(y_out[t_e], net.spec.block_size) * slope(s_c[t_e]))
        sat.append(np.mean((y < 0.01) | (y > 0.99)))
    return {"train_correct": float(np.mean(ok[:n_train])),
            "test_correct": float(np.mean(ok[n_train:])),
            "branch": float(np.mean(branch)), "other_steps_wrong": float(np.mean(other)),
            "state_at_inner_e": np.mean(states, axis=0).round(3).tolist(),
            "slope_at_inner_e": np.mean(slope(np.array(states)), axis=0).tolist(),
            "entry_at_inner_e": np.mean(entry, axis=0).tolist(),
            "saturated_outputs": float(np.mean(sat))}


def run_reading(row: str, reading: Reading, trial: int, budget: int, base_seed: int = 0) -> dict:
    """One trial of ``row`` under ``reading`` (the runner's seed for ``trial``) with diagnostics."""
    protocol = reading_protocol(row, reading, budget)
    record, net = run_trial(protocol, trial, trial_seed(base_seed, trial))
    record.update(reading=reading.name, diagnosis=diagnose(net, protocol.make_task(trial)))
    return record


def plain_forward(spec, weights, onehot: np.ndarray) -> np.ndarray:
    """Outputs (T, K) of a 1997 memory-cell net (no forget gate, peepholes or conventional hidden
    units), transcribed from Section 4 and Section 5's order of computation with numpy alone: a
    check of the engine's forward pass that shares nothing with it but the weight layout.

    At step t: input x(t); gates and cells from [x(t), y_h(t-1), 1]; s(t) = s(t-1) + y_in g(net_c);
    y_c = y_out h(s); outputs from [x(t), y_c(t), 1].  ``onehot`` (T,) input indices."""
    if spec.forget_gate or spec.peepholes or spec.n_hidden or not spec.output_gate:
        raise ValueError("plain_forward covers the 1997 cell with input and output gates only")
    lay, C, S = layout(spec), spec.n_blocks, spec.block_size
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))
    squash = {name: (lambda x, a=a, b=b: a * sig(x) - b) for name, (a, b, _) in SQUASHERS.items()}
    yh = np.zeros(spec.n_units)                                          # y_h(t-1): reset
    s = np.zeros(spec.n_cells)                                           # s_c(0) = 0
    out = []
    for i in onehot:
        x = np.eye(spec.n_inputs)[i]                                     # (I,)
        net = weights.wh @ np.concatenate([x, yh, [1.0]])                # (U,)
        y_in, y_out = sig(net[:C]), sig(net[lay.out_gate:lay.out_gate + C])      # (C,)
        s = s + np.repeat(y_in, S) * squash[spec.g](net[lay.cell:lay.hidden])    # (C*S,)
        y_c = np.repeat(y_out, S) * squash[spec.h](s)                    # (C*S,)
        yh = np.concatenate([y_in, y_out, y_c])
        out.append(sig(weights.wo @ np.concatenate([x, y_c, [1.0]])))    # (K,)
    return np.array(out)


def learning_course(row: str, reading: Reading, trial: int, strings: int, every: int,
                    limit: int | None = None) -> list[dict]:
    """Train as :func:`run_reading` does (same seed, same strings, no stopping) and diagnose the
    net every ``every`` strings: a list of ``{"sequences": n, **diagnose(...)}``."""
    protocol = reading_protocol(row, reading)
    task, lr = protocol.make_task(trial), protocol.network.lr
    streams = trial_streams(trial_seed(0, trial))
    net = protocol.make_learner(streams[0])
    course = []
    for n in range(every, strings + 1, every):
        net.train_sequences([task.sample(streams[1]) for _ in range(every)], lr=lr,
                            update=protocol.update)
        course.append({"sequences": n, **diagnose(net, task, limit)})
    return course


def gradient_comparison(row: str, trial: int, checkpoints=(100, 200, 400),
                        limit: int | None = None) -> list[dict]:
    """Truncated (the engine) vs full gradient (BPTT, :class:`~lstm_repro.reference.TorchLearner`)
    from the same initial weights on the same training strings of the package's reading: the
    diagnosis at each checkpoint (number of strings; ``limit`` as in :func:`diagnose`).  Slow: the
    full gradient runs in autograd."""
    from .reference import TorchLearner
    protocol = reading_protocol(row, READINGS["package"])
    task, spec, lr = protocol.make_task(trial), protocol.network.spec, protocol.network.lr
    out = []
    for learner in ("truncated", "full"):
        streams = trial_streams(trial_seed(0, trial))
        weights = Network(spec, rng=streams[0]).weights
        net = Network(spec, weights) if learner == "truncated" else \
            TorchLearner(spec, weights, truncate=False)
        n = 0
        for stop in checkpoints:
            net.train_sequences([task.sample(streams[1]) for _ in range(stop - n)], lr=lr)
            n = stop
            out.append({"row": row, "trial": trial, "learner": learner, "sequences": n,
                        "diagnosis": diagnose(net, task, limit)})
    return out


def load_study(path=STUDY_PATH) -> list[dict]:
    """The stored study records (an empty list when none were run)."""
    if not path.exists():
        return []
    return json.loads(path.read_text())["records"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lstm_repro.reber_study",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--rows", nargs="+", default=["1-2", "1-5"],
                        choices=[r for r, p in PROTOCOLS.items() if p.task == "reber"])
    parser.add_argument("--readings", nargs="+", default=list(READINGS), choices=list(READINGS))
    parser.add_argument("--trials", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--budget", type=int, default=30_000)
    parser.add_argument("--full-gradient", action="store_true",
                        help="compare truncated and full gradient on the first 400 strings instead")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if args.full_gradient:
        out = Path(args.out or GRADIENT_PATH)
        records = [r for row in args.rows for trial in args.trials
                   for r in gradient_comparison(row, trial)]
        write_json(out, {"provenance": collect({"study": "reber full gradient"}),
                         "records": records})
        return
    out = Path(args.out or STUDY_PATH)
    records = load_study(out)
    done = {(r["reading"], r["row"], r["trial"], r["budget"]) for r in records}
    for name in args.readings:
        for row in args.rows:
            for trial in args.trials:
                if (name, row, trial, args.budget) in done:
                    continue
                rec = run_reading(row, READINGS[name], trial, args.budget)
                records.append(rec)
                d = rec["diagnosis"]
                print(f"{name:24s} {row} trial {trial}: success={rec['success']} "
                      f"n={rec['sequences']} train={d['train_correct']:.3f} "
                      f"test={d['test_correct']:.3f} branch={d['branch']:.3f}", flush=True)
                write_json(out, {"provenance": collect({"study": "reber readings"}),
                                 "records": records})


if __name__ == "__main__":
    main()
