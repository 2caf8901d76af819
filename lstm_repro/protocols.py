"""How each row of the paper is run: task, stopping rule, test, trial count, budget.

A :class:`Protocol` joins a paper row (:mod:`lstm_repro.paper`: its trial count, task parameters
and test-set size) with its network and learning rate (:mod:`lstm_repro.rows`) and the stopping and
success rules of Section 5 / Table 11.  ``PROTOCOLS[row_id]`` is the paper-scale protocol;
:meth:`Protocol.at_scale` gives the reduced "quick" version (shorter sequences, fewer trials, small
budgets; the same code path) that CI and the notebooks run.

Stopping kinds:

- ``"online"``: an on-line rule fed every training sequence (ST3 for Exps 4 and 6, n_seq for
  Exp 5); the trial succeeds when the rule holds within the budget, then the test set is measured.
- ``"solved"`` (Exp 1): every ``check_every`` sequences, every string of the training and the test
  set must be predicted correctly (Section 5.1).
- ``"abs_test"`` (Exp 2): success when the ABS criterion holds for every one of ``confirm`` fresh
  random sequences (Table 11: 10,000); that test is run once the last ``streak`` training sequences
  were all correct (a cheap gate; the count until success is the count at that test).
- ``"exp3"`` (Exp 3): every ``check_every`` sequences, the ST1/ST2 rules on a 256-sequence test set
  drawn once per trial (Section 5.3); ST1's and ST2's counts are both recorded.
- ``"formal"`` (Gers & Schmidhuber 2001): epochs over the training strings, each in a fresh random
  order; after each epoch every training string is tested, and the trial succeeds ("learned the
  training set") when all are accepted.  Then, and for a failed trial too, the generalisation
  limit N is measured on every level up to ``test_max`` (:mod:`lstm_repro.formal_eval`).

The 2001 rows (ids ``2001-<language>[-<variant>]``, :data:`FORMAL_VARIANTS`) train the networks of
:mod:`lstm_repro.rows2001` with momentum; ``2003-dekf-anbncn`` trains the a^n b^n c^n network with
the decoupled extended Kalman filter of :mod:`lstm_repro.dekf` (learner ``"dekf"``).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace, asdict

from . import paper
from .provenance import SCALES
from .rows import READINGS, ROWS, Row
from .rows2001 import MOMENTUM_2001, ROWS2001
from .spec import check_choice
from .tasks import make_task, task_parameters


@dataclass(frozen=True)
class Protocol:
    row: str                      # paper row id (lstm_repro.paper), e.g. "3a-T100-N1"
    config_row: str               # Table 10 row: network and learning rate
    task: str                     # lstm_repro.tasks name
    task_params: dict             # task parameters (the paper's row)
    trials: int                   # the paper's trial count
    budget: int                   # training sequences before a trial is recorded as failed
    stop: str                     # "online", "solved", "abs_test", "exp3"
    stop_params: dict = field(default_factory=dict)
    test_size: int | None = 2560  # sequences of the final test (None: no final test)
    update: str = "step"          # weight-update timing for per-step targets (see engine)
    learner: str = "engine"       # "engine" (truncated gradient, numba) or "full-gradient" (BPTT)
    curve_every: int = 1000       # record the learning curve every this many sequences
    scale: str = "paper"
    lr: float | None = None       # learning rate; None: the network row's (Table 10 alpha)
    momentum: float = 0.0         # momentum of the updates (none in 1997; 0.99 for the 2001 rows)
    learner_params: dict = field(default_factory=dict)   # e.g. the DEKF's filter parameters;
    #                               the engine's output error ({"error": "cross-entropy"}; none: eq. 19)
    construction: dict = field(default_factory=dict)     # sequential network construction
    #                               (Exp 2a/2b; lstm_repro.construction): {"window", "tol"}; {} none

    @property
    def network(self) -> Row:
        for rows in (ROWS, READINGS, ROWS2001):
            if self.config_row in rows:
                return rows[self.config_row]
        raise KeyError(f"unknown network row {self.config_row!r}")

    @property
    def learning_rate(self) -> float:
        """The learning rate the trials use: ``lr`` if given, else the network row's."""
        return self.network.lr if self.lr is None else self.lr

    @property
    def results_name(self) -> str:
        """The folder name of this protocol's results: the row id, plus the learner if not the
        row's own (the full-gradient ablation is stored beside the paper's gradient, never over it)."""
        own = PROTOCOLS[self.row].learner if self.row in PROTOCOLS else "engine"
        return self.row if self.learner == own else f"{self.row}--{self.learner}"

    def make_learner(self, rng):
        """A fresh network of this row, initialised from ``rng``, trained by ``learner``."""
        if self.learner == "engine":
            from .engine import Network
            return Network(self.network.spec, rng=rng, **self.learner_params)   # e.g. error=
        if self.learner == "dekf":
            from .dekf import DEKFLearner
            return DEKFLearner(self.network.spec, rng=rng, **self.learner_params)
        from .reference import TorchLearner
        return TorchLearner(self.network.spec, rng=rng, truncate=False)

    def make_task(self, trial: int = 0):
        params = dict(self.task_params)
        if self.task == "reber":
            # Section 5.1: 3 different training/test set pairs, 10 initialisations on each
            params["data_seed"] = trial // 10
        return make_task(self.task, **params)

    def to_dict(self) -> dict:
        d = asdict(self)
        for key, default in (("learner", "engine"), ("lr", None), ("momentum", 0.0),
                             ("learner_params", {}), ("construction", {})):
            if d[key] == default:         # the defaults; stored configs from before these fields
                del d[key]                # existed must still match
        d["network"] = {"spec": self.network.spec.to_dict(), "lr": self.learning_rate}
        return d

    def at_scale(self, scale: str) -> "Protocol":
        """This protocol at ``scale``: "paper" as is, "quick" reduced to run in seconds."""
        check_choice("scale", scale, SCALES)
        if scale == "paper":
            return self
        stop = {**self.stop_params, **_QUICK_STOP.get(self.stop, {})}
        if "n_seq" in stop:     # Exp 5: keep the rule's fraction of the (shorter) window
            stop["n_seq"] = max(1, round(self.stop_params["n_seq"] * stop["window"] / 2000))
        if self.stop == "formal":
            stop["test_max"] = min(self.stop_params["test_max"], _QUICK_TEST_MAX[self.task])
            if stop.get("keep_training"):                   # the "-B-keep" rows: a tenth
                stop["keep_training"] = stop["keep_training"] // 10
        return replace(self, scale="quick", **_QUICK.get(self.task, {}),
                       task_params={**self.task_params, **_QUICK_TASK.get(self.task, {})},
                       stop_params=stop, trials=2, curve_every=100)


# quick scale: fewer sequences and shorter sequences, same code path
_QUICK = {name: {"budget": 3000, "test_size": 256} for name in
          ("adding", "multiplication", "temporal_order_6a", "temporal_order_6b",
           "noise_3a", "noise_3b", "noise_3c", "long_lag_2b", "long_lag_2c")}
_QUICK.update({"reber": {"budget": 3000}, "long_lag_2a": {"budget": 3000}})
_QUICK_TASK = {"adding": {"T": 20}, "multiplication": {"T": 20}, "noise_3a": {"T": 20},
               "noise_3b": {"T": 20}, "noise_3c": {"T": 20}, "long_lag_2c": {"q": 10}}
# (2a/2b keep p = 100 and 2c keeps p: p fixes the network's input layer)
_QUICK_STOP = {"online": {"window": 200}, "abs_test": {"confirm": 500, "streak": 50},
               "exp3": {"check_every": 200}, "solved": {"check_every": 200}}
_QUICK.update({name: {"budget": 20_000} for name in ("anbn", "anbncn", "anbmBmAn")})
_QUICK_TEST_MAX = {"anbn": 100, "anbncn": 100, "anbmBmAn": 20}


# Exp 2a/2b's plateau rule (the paper does not define "stopped decreasing"): the mean error per
# sequence over 100 sequences fell by less than 1 % from the previous 100.
CONSTRUCTION_2AB = {"window": 100, "tol": 0.01}


def _task_params(row: paper.PaperRow, task: str) -> dict:
    valid = task_parameters(task)
    return {k: v for k, v in row.task_params.items() if k in valid}


def _protocol(row_id: str, task: str, budget: int, stop: str, **kw) -> Protocol:
    prow = paper.get(row_id)
    return Protocol(row=row_id, config_row=prow.config_row, task=task,
                    task_params=_task_params(prow, task), trials=prow.trials, budget=budget,
                    stop=stop, test_size=kw.pop("test_size", prow.test_size), **kw)


_ALL = [
    # Exp 1 (Section 5.1, Table 1): success = all training and test strings predicted correctly.
    # Budget 100,000 sequences (the slowest LSTM trial in Table 1 took 24,100).
    # Data sets: independent draws, test strings never training strings (Section 5.1).
    *[replace(_protocol(r, "reber", 100_000, "solved", stop_params={"check_every": 100},
                        test_size=None), task_params={"sets": "iid"})
      for r in ("1-1", "1-2", "1-3", "1-4", "1-5")],
    # Exp 2 (Section 5.2, Tables 2-3, 11): training stops after 5 million exemplars; success when
    # ABS(0.25) (2a, 2b) / ABS(0.2) (2c) holds for 10,000 successive random sequences.
    # 2a/2b: the cell and its input gate are added once the error has stopped decreasing
    # (sequential construction, Section 4 remedy 1; lstm_repro.construction); the 10,000-sequence
    # test runs after 20 (2a) / 100 (2b) correct training sequences in a row.
    _protocol("2a", "long_lag_2a", 5_000_000, "abs_test",
              stop_params={"confirm": 10_000, "streak": 20}, test_size=None,
              construction=dict(CONSTRUCTION_2AB)),
    _protocol("2b", "long_lag_2b", 5_000_000, "abs_test",
              stop_params={"confirm": 10_000, "streak": 100}, test_size=None,
              construction=dict(CONSTRUCTION_2AB)),
    *[_protocol(f"2c-{i}", "long_lag_2c", 5_000_000, "abs_test",
                stop_params={"confirm": 10_000, "streak": 1000}, test_size=None)
      for i in range(1, 10)],
    # Exp 3 (Section 5.3, Tables 4-6): ST1 then ST2 on a 256-sequence test set; then the fraction
    # misclassified on 2560 further sequences.  Budget: 5 million sequences.  Checked every 100
    # sequences: every mean in Tables 4-6 (10 trials) is a multiple of 10 and none of 100, so the
    # paper's counts were multiples of 100 (or finer), not of 1000.
    *[_protocol(r, f"noise_{r[:2]}", 5_000_000, "exp3", stop_params={"check_every": 100})
      for r in ("3a-T100-N3", "3a-T100-N1", "3a-T1000-N3", "3b-T100-N3", "3b-T100-N1",
                "3b-T1000-N1", "3c-T100-N3", "3c-T100-N1")],
    # Exp 4 (Section 5.4, Table 7): ST3(0.01), test 2560.  Budget 10 million (Table 7's longest
    # trial needed 2,020,000).
    *[_protocol(r, "adding", 10_000_000, "online", stop_params={"rule": "st3", "beta": 0.01})
      for r in ("4-1", "4-2", "4-3")],
    # Exp 5 (Section 5.5, Table 8): fewer than n_seq of the 2000 most recent sequences with
    # absolute error > 0.04; test 2560.  Budget 10 million.
    _protocol("5-nseq140", "multiplication", 10_000_000, "online",
              stop_params={"rule": "nseq", "n_seq": 140}),
    _protocol("5-nseq13", "multiplication", 10_000_000, "online",
              stop_params={"rule": "nseq", "n_seq": 13}),
    # Exp 6 (Section 5.6, Table 9): ST3(0.1), test 2560.  Budget 5 million.
    _protocol("6a", "temporal_order_6a", 5_000_000, "online",
              stop_params={"rule": "st3", "beta": 0.1}),
    _protocol("6b", "temporal_order_6b", 5_000_000, "online",
              stop_params={"rule": "st3", "beta": 0.1}),
]

# The other reading of a gate bias or of the squashers (paper.READINGS_1997): the base row's
# protocol with the network of that reading (lstm_repro.rows.READINGS: the base's Table 10 row + the
# same suffix).
_BASES = {p.row: p for p in _ALL}
_ALL += [replace(_BASES[base], row=base + suffix, config_row=_BASES[base].config_row + suffix)
         for base, suffix, _ in paper.READINGS_1997]


# Gers & Schmidhuber (2001).  Nothing of the protocol is verified (gers2001.md): every row is our
# choice, stated in the chapter.  Budget 2 million training strings; 10 trials per row; online
# updates after every step (every step has a target), momentum 0.99.  Generalisation tested on
# every level up to n = 1000 (a^n b^n, a^n b^n c^n) and up to n, m <= 50 (a^n b^m B^m A^n, whose
# test grows as N^2), or up to twice the largest training n where that is further.
FORMAL_BUDGET = 2_000_000
FORMAL_TRIALS = 10
FORMAL_TEST_MAX = {"anbn": 1000, "anbncn": 1000, "anbmBmAn": 50}

FORMAL_KEEP = 300_000   # "-B-keep": training strings after the training set is learned

# Row id suffix: (what it changes, task parameters, protocol fields, stopping parameters).
# "-rA-B": training on n = A..B (every integer between); "-onlyA-B": only on n = A and n = B;
# "-B-keep": network 2001-<language>-B (connectivity B, lstm_repro.rows2001), learning rate 1e-4,
# and FORMAL_KEEP more training strings once the training set is learned (N of the final net;
# in the study data/formal_study, keeping the recurrent cell output out of the cell input -
# connectivity B or G-gates - is what lets a^n b^n generalise far beyond n = 10).
FORMAL_VARIANTS = {
    "": ("training on n = 1..10, learning rate 1e-5", {"train_n": list(range(1, 11))}, {}, {}),
    "-r1-20": ("training on n = 1..20", {"train_n": list(range(1, 21))}, {}, {}),
    "-r1-40": ("training on n = 1..40", {"train_n": list(range(1, 41))}, {}, {}),
    "-only20-21": ("training only on n = 20 and 21", {"train_n": [20, 21]}, {}, {}),
    "-B-keep": (f"connectivity B, learning rate 1e-4, {FORMAL_KEEP:,} strings on after learning",
                {"train_n": list(range(1, 11))}, {"lr": 1e-4, "network": "-B"},
                {"keep_training": FORMAL_KEEP}),
}


def _formal(language: str, suffix: str) -> Protocol:
    _, params, fields_, stop = FORMAL_VARIANTS[suffix]
    fields_ = dict(fields_)
    network = fields_.pop("network", "")
    test_max = max(FORMAL_TEST_MAX[language], 2 * max(params["train_n"]))
    return Protocol(row=f"2001-{language}{suffix}", config_row=f"2001-{language}{network}",
                    task=language, task_params=dict(params), trials=FORMAL_TRIALS,
                    budget=FORMAL_BUDGET, stop="formal",
                    stop_params={"test_max": test_max, **stop}, test_size=None,
                    momentum=MOMENTUM_2001, **fields_)


_ALL += [_formal(language, suffix) for language in ("anbn", "anbncn")
         for suffix in FORMAL_VARIANTS]
# a^n b^m B^m A^n: the training ranges (n and m both in the range), not "-B-keep" (no B network).
FORMAL_RANGE_VARIANTS = ("", "-r1-20", "-r1-40", "-only20-21")
_ALL += [_formal("anbmBmAn", suffix) for suffix in FORMAL_RANGE_VARIANTS]
# Perez-Ortiz, Gers, Eck & Schmidhuber (2003): the a^n b^n c^n network trained by a DEKF on the 10
# shortest strings (n = 1..10), no momentum; the filter's learning rate eta = 1 and the filter
# parameters of lstm_repro.dekf.FilterParams (our choices; the paper's could not be checked).
_ALL.append(replace(_formal("anbncn", ""), row="2003-dekf-anbncn", learner="dekf", lr=1.0,
                    momentum=0.0, budget=100_000))

PROTOCOLS: dict[str, Protocol] = {p.row: p for p in _ALL}


LEARNERS = ("engine", "full-gradient", "dekf")


def get_protocol(row_id: str, scale: str = "paper", learner: str | None = None) -> Protocol:
    """The protocol of ``row_id`` at ``scale``, trained by ``learner`` (default: the row's own,
    the engine except for the DEKF row); unknown ids raise a KeyError listing valid ones."""
    if row_id not in PROTOCOLS:
        raise KeyError(f"unknown row {row_id!r}; valid rows: {', '.join(PROTOCOLS)}")
    if learner is not None:
        check_choice("learner", learner, LEARNERS)
    protocol = PROTOCOLS[row_id].at_scale(scale)
    if learner is None or learner == protocol.learner:
        return protocol
    return replace(protocol, learner=learner, learner_params={})
