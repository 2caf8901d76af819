"""The configurations of the formal-language study (:mod:`lstm_repro.formal_study`): what each
changes in the protocol of Gers & Schmidhuber (2001) or of the DEKF row (Pérez-Ortiz et al. 2003).

A :class:`StudyConfig` names one set of choices; :data:`CONFIGS` holds every configuration the
study ran, in the order the chapters list them.  Configs with ``paper=False`` are diagnostics that
depart from every reading of the papers (the 1997 cell, hand-wired starts, cross-entropy, ...).
A stored record is matched to its config by the config's settings, so a config's fields are
never changed once it has records: a new choice is a new config.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .spec import ERRORS, check_choice

LEARNERS = ("dekf", "engine")
INITS = ("random", "hand-wired")   # the start: the row's random weights, or the hand-wired counter


@dataclass(frozen=True)
class StudyConfig:
    """One set of choices; defaults: the package's rows (2003-dekf-anbncn for the filter,
    2001-<language> for gradient descent) with ``keep_training`` = 0."""
    name: str
    description: str
    learner: str = "dekf"           # "dekf" (row 2003-dekf-anbncn's filter) | "engine" (2001 rows)
    spec: dict = field(default_factory=dict)       # NetworkSpec fields changed; a gate bias may
    #                                                be one number for every block
    filter: dict = field(default_factory=dict)     # FilterParams fields changed (dekf)
    lr: float | None = None         # None: the row's (1.0 for the filter, 1e-5 for the engine)
    momentum: float | None = None   # None: the row's (0 for the filter, 0.99 for the engine)
    keep_training: int = 0          # training strings after the training set is learned
    test_every: int = 0             # strings between the curve's generalisation tests (0: none)
    budget: int | None = None       # strings to learn the training set; None: the row's
    test_max: int = 1000            # N tested on every level up to this
    curve_test_max: int | None = None   # the curve's levels (None: test_max)
    paper: bool = True              # False: a diagnostic that departs from every reading
    init: str = "random"            # "hand-wired": start from formal_eval.HAND_WIRED[language]
    error: str = "mse"              # the engine's output error (lstm_repro.spec.ERRORS)

    def __post_init__(self):
        check_choice("learner", self.learner, LEARNERS)
        check_choice("init", self.init, INITS)
        check_choice("error", self.error, ERRORS)
        if self.error != "mse" and self.learner != "engine":
            raise ValueError(f"config {self.name!r}: error={self.error!r} needs learner='engine'")
        if self.filter and self.learner != "dekf":
            raise ValueError(f"config {self.name!r}: filter parameters need learner='dekf'")


KEEP = 50_000    # strings after learning in the filter's keep-training configs
EVERY = 10_000   # ... and between the curve's tests
GD_KEEP = 300_000   # the same for gradient descent
GD_EVERY = 100_000

# (name prefix, what it does, StudyConfig fields): the two learners' keep-training settings, and
# gradient descent's at the row's learning rate
_LEARNER_KEEP = (
    ("dekf-keep", f"the filter, {KEEP:,} strings on", {"keep_training": KEEP, "test_every": EVERY}),
    ("gd-lr1e-4-keep", f"lr 1e-4, {GD_KEEP:,} strings on",
     {"learner": "engine", "lr": 1e-4, "keep_training": GD_KEEP,
      "test_every": GD_EVERY}),
)
_CEC = {"peepholes": False, "forget_gate": False, "forget_gate_bias": None}   # the 1997 cell
_CELL_1997 = {**_CEC, "g": "g2", "h": "h1"}   # ... with its squashers: g in [-2, 2], h in [-1, 1]
_CELL_1997_B = {**_CELL_1997, "connectivity": "B"}   # ... gates and cell inputs see the inputs only
_ROW_LR_KEEP = ("gd-keep", f"lr 1e-5 (the row's), {GD_KEEP:,} strings on",
                {"learner": "engine", "keep_training": GD_KEEP})

CONFIGS: dict[str, StudyConfig] = {c.name: c for c in [
    # --- the filter (row 2003-dekf-anbncn's learner)
    StudyConfig("dekf", "the package's DEKF row: stop as soon as the training set is learned"),
    StudyConfig("dekf-keep", f"the same, then {KEEP:,} more training strings (the R / Q anneal "
                "runs over 10,000 filter updates; stopping at once ends it midway)",
                keep_training=KEEP, test_every=EVERY),
    StudyConfig("dekf-keep-bernoulli", "keep training, measurement noise R y (1 - y) per output "
                "(the filter's reading of a cross-entropy error)",
                filter={"noise_model": "bernoulli"}, keep_training=KEEP, test_every=EVERY),
    StudyConfig("dekf-keep-B", "keep training; connectivity B: gates and cell inputs see the "
                "inputs only (no recurrent cell outputs; peepholes kept), so a symbol's step "
                "cannot depend on the count through y_c",
                spec={"connectivity": "B"}, keep_training=KEEP, test_every=EVERY),
    StudyConfig("dekf-keep-g2h1", "keep training; squashed cell input g in [-2, 2] and output "
                "h in [-1, 1] (the 1997 squashers)", spec={"g": "g2", "h": "h1"},
                keep_training=KEEP, test_every=EVERY),
    StudyConfig("dekf-keep-g2-B", "keep training; squashed cell input g in [-2, 2] (the 1997 g: "
                "a step saturates at +-2, the same size for every symbol, once its weight is "
                "large), h identity, connectivity B", spec={"g": "g2", "connectivity": "B"},
                keep_training=KEEP, test_every=EVERY),
    # the filter setting that took the 1997-cell diagnostic furthest (below), on this network
    StudyConfig("dekf-keep-bernoulli-r0.0003-q1e-3-long", "keep training, measurement noise "
                "R y (1 - y) per output, R annealed to 0.0003 and Q to 0.001 (the setting of "
                f"dekf-keep-g2-B-cec-h1-bernoulli-r0.0003-q1e-3-long), {10 * KEEP:,} strings on",
                filter={"noise_model": "bernoulli", "r_final": 0.0003, "q_final": 1e-3},
                keep_training=10 * KEEP, test_every=2 * KEEP),
    # the constant noise model with a smaller final R than the row's 3: the filter trusts each
    # output more (how small R may get before the filter loses the training set on this network)
    *[StudyConfig(f"dekf-keep-r{r:g}", f"keep training, R annealed to {r:g} instead of 3",
                  filter={"r_final": r}, keep_training=KEEP, test_every=EVERY)
      for r in (0.3, 0.003)],
    # ... R and Q annealed geometrically (linear in their logarithms): they shrink by the same
    # factor in every update of the anneal instead of passing most of their range at its end,
    # where the linear anneal made the filter lose the training set
    StudyConfig("dekf-keep-r0.003-geo", "keep training, R annealed to 0.003 instead of 3, R and Q "
                "annealed geometrically", filter={"r_final": 0.003, "anneal_shape": "geometric"},
                keep_training=KEEP, test_every=EVERY),
    StudyConfig("dekf-keep-bernoulli-r0.0003-q1e-3-geo-long", "as "
                "dekf-keep-bernoulli-r0.0003-q1e-3-long, R and Q annealed geometrically",
                filter={"noise_model": "bernoulli", "r_final": 0.0003, "q_final": 1e-3,
                        "anneal_shape": "geometric"},
                keep_training=10 * KEEP, test_every=2 * KEEP),
    # ... with the floor on y (1 - y) ten times higher (0.01, not 0.001): a smaller step through
    # a saturated wrong output (see the diagnostic of the same name below)
    StudyConfig("dekf-keep-bernoulli-r0.0003-q1e-3-floor0.01-long", "as "
                "dekf-keep-bernoulli-r0.0003-q1e-3-long, the floor on y (1 - y) in the "
                "measurement noise 0.01 instead of 0.001",
                filter={"noise_model": "bernoulli", "r_final": 0.0003, "q_final": 1e-3,
                        "bernoulli_floor": 0.01},
                keep_training=10 * KEEP, test_every=2 * KEEP),
    # --- gradient descent (the 2001 rows' learner)
    StudyConfig("gd", "the package's 2001 row: lr 1e-5, momentum 0.99, stop when learned",
                learner="engine"),
    StudyConfig("gd-keep", f"the same, then {GD_KEEP:,} more training strings",
                learner="engine", keep_training=GD_KEEP, test_every=GD_EVERY),
    StudyConfig("gd-lr1e-4-keep", f"lr 1e-4, then {GD_KEEP:,} more training strings",
                learner="engine", lr=1e-4, keep_training=GD_KEEP, test_every=GD_EVERY),
    StudyConfig("gd-lr1e-4-B-keep", f"lr 1e-4, connectivity B, then {GD_KEEP:,} more strings",
                learner="engine", lr=1e-4, spec={"connectivity": "B"},
                keep_training=GD_KEEP, test_every=GD_EVERY),
    # --- between G and B; two cells per block (both learners, training on as above)
    *[StudyConfig(f"{pre}-G{part}", f"{what}; connectivity G-{part}: the recurrent cell outputs "
                  f"feed the {'cell inputs' if part == 'cells' else 'gates'} only",
                  spec={"connectivity": f"G-{part}"}, **kw)
      for part in ("cells", "gates") for pre, what, kw in _LEARNER_KEEP],
    *[StudyConfig(f"{pre}-s2{'-B' if c == 'B' else ''}", f"{what}; two cells per block"
                  + (", connectivity B" if c == "B" else ""),
                  spec={"block_size": 2, "connectivity": c}, **kw)
      for c in ("G", "B") for pre, what, kw in _LEARNER_KEEP],
    # --- the engine's cross-entropy error (e_k = t_k - y_k; the public reimplementations' loss)
    StudyConfig("gd-keep-xent", f"lr 1e-5 (the row's), cross-entropy error, {GD_KEEP:,} strings "
                "on", learner="engine", error="cross-entropy", keep_training=GD_KEEP,
                test_every=GD_EVERY),
    StudyConfig("gd-B-keep-xent", f"lr 1e-5 (the row's), cross-entropy error, connectivity B, "
                f"{GD_KEEP:,} strings on", learner="engine", error="cross-entropy",
                spec={"connectivity": "B"}, keep_training=GD_KEEP, test_every=GD_EVERY),
    StudyConfig("gd-keep-xent-g2h1", f"lr 1e-5 (the row's), cross-entropy error, squashed cell "
                f"input g in [-2, 2] and output h in [-1, 1] (as the public reimplementation's "
                f"tanh), {GD_KEEP:,} strings on", learner="engine", error="cross-entropy",
                spec={"g": "g2", "h": "h1"}, keep_training=GD_KEEP, test_every=GD_EVERY),
    StudyConfig("gd-lr1e-4-keep-xent", f"lr 1e-4, cross-entropy error, {GD_KEEP:,} strings on",
                learner="engine", lr=1e-4, error="cross-entropy", keep_training=GD_KEEP,
                test_every=GD_EVERY),
    StudyConfig("gd-lr1e-4-B-keep-xent", f"lr 1e-4, cross-entropy error, connectivity B, "
                f"{GD_KEEP:,} strings on", learner="engine", lr=1e-4, error="cross-entropy",
                spec={"connectivity": "B"}, keep_training=GD_KEEP, test_every=GD_EVERY),
    StudyConfig("gd-lr1e-4-B-keep-xent-long", f"as gd-lr1e-4-B-keep-xent, ten times longer: "
                f"{10 * GD_KEEP:,} strings on (does N keep growing?)", learner="engine", lr=1e-4,
                error="cross-entropy", spec={"connectivity": "B"}, keep_training=10 * GD_KEEP,
                test_every=5 * GD_EVERY),
    # --- diagnostics: start from the hand-wired counter (N >= 1000) and train it on n <= 10
    #     (g2: the counter with a squashed cell input, saturated: formal_eval.hand_wired_anbn)
    *[StudyConfig(f"{pre}-hand{'-g2' if g2 else ''}{'-B' if c == 'B' else ''}",
                  "diagnostic: start from the hand-wired counter (N >= 1000)"
                  + (" with g in [-2, 2], saturated (steps +-1.9998)" if g2 else "")
                  + f", {what}" + (", connectivity B" if c == "B" else ""),
                  spec={"connectivity": c, **({"g": "g2"} if g2 else {})}, init="hand-wired",
                  paper=False, **{**kw, "test_every": kw["keep_training"] // 5})
      for g2 in (False, True)
      for pre, what, kw in (_LEARNER_KEEP[0], _ROW_LR_KEEP, _LEARNER_KEEP[1])
      for c in ("G", "B")],
    # --- diagnostics: does a cell that cannot leak count better?  No peepholes (the gates are
    #     functions of the symbol alone under B), and also no forget gate (the 1997 CEC: s only
    #     adds), from random weights
    *[StudyConfig(f"dekf-keep-g2-B-{part}", f"diagnostic: as dekf-keep-g2-B, {what}",
                  spec={"g": "g2", "connectivity": "B", **changes}, paper=False,
                  keep_training=keep, test_every=keep // 5)
      for part, what, changes, keep in (
          ("nopeep", "no peepholes", {"peepholes": False}, KEEP),
          ("cec", "no peepholes and no forget gate (the 1997 cell)", _CEC, KEEP),
          ("cec-long", f"no peepholes and no forget gate, {10 * KEEP:,} strings on", _CEC,
           10 * KEEP),
          # the cell output squashed too (h in [-1, 1], the 1997 h): a weight from a cell output
          # into an output unit then adds at most its own size, whatever the count
          ("h1", "cell output h in [-1, 1]", {"h": "h1"}, KEEP),
          ("cec-h1", "the whole 1997 cell: no peepholes, no forget gate, h in [-1, 1]",
           _CELL_1997, KEEP),
          ("cec-h1-long", f"the whole 1997 cell, {10 * KEEP:,} strings on", _CELL_1997,
           10 * KEEP))],
    # ... the whole 1997 cell with the Bernoulli noise model (the filter's cross-entropy: the
    # gain does not vanish where an output saturates, so the margins keep being pushed)
    *[StudyConfig(f"dekf-keep-g2-B-cec-h1-bernoulli-{suffix}", "diagnostic: the whole 1997 cell "
                  "(as dekf-keep-g2-B-cec-h1), measurement noise R y (1 - y) per output, "
                  f"{keep:,} strings on", spec=_CELL_1997_B,
                  filter={"noise_model": "bernoulli"}, paper=False, keep_training=keep,
                  test_every=every)
      for suffix, keep, every in (("long", 10 * KEEP, 2 * KEEP), ("2M", 40 * KEEP, 5 * KEEP))],
    # ... and with a final measurement noise a thousand times smaller (R anneals to 0.003, not 3):
    # the filter trusts each output more, so the small errors of n <= 10 move the weights more
    StudyConfig("dekf-keep-g2-B-cec-h1-bernoulli-r0.003-long", "diagnostic: as "
                "dekf-keep-g2-B-cec-h1-bernoulli-long, R annealed to 0.003 instead of 3",
                spec=_CELL_1997_B, filter={"noise_model": "bernoulli", "r_final": 0.003},
                paper=False, keep_training=10 * KEEP, test_every=2 * KEEP),
    # ... and with more process noise after the anneal (Q ends at 1e-4 or 1e-3, not 1e-6): P
    # stays larger, so the filter keeps moving the weights as far per string as early on; the
    # last also anneals R ten times lower still (0.0003)
    *[StudyConfig(f"dekf-keep-g2-B-cec-h1-bernoulli-{tag}-long", "diagnostic: as "
                  f"dekf-keep-g2-B-cec-h1-bernoulli-r0.003-long, R annealed to {r:g} and Q to "
                  f"{q:g} (not 1e-06)", spec=_CELL_1997_B,
                  filter={"noise_model": "bernoulli", "r_final": r, "q_final": q},
                  paper=False, keep_training=10 * KEEP, test_every=2 * KEEP)
      for tag, r, q in (("r0.003-q1e-4", 0.003, 1e-4), ("r0.003-q1e-3", 0.003, 1e-3),
                        ("r0.0003-q1e-3", 0.0003, 1e-3))],
    # ... and the last with the floor on y (1 - y) ten times higher (0.01): R y (1 - y) no
    # smaller than R / 100.  Where an output is saturated and wrong, a filter with R this small
    # corrects it almost fully in one step, a change of net input of about 1 / y (1 - y): the
    # floor bounds that step (half of those trials blew up their weights as the anneal ended)
    StudyConfig("dekf-keep-g2-B-cec-h1-bernoulli-r0.0003-q1e-3-floor0.01-long", "diagnostic: as "
                "dekf-keep-g2-B-cec-h1-bernoulli-r0.0003-q1e-3-long, the floor on y (1 - y) in "
                "the measurement noise 0.01 instead of 0.001", spec=_CELL_1997_B,
                filter={"noise_model": "bernoulli", "r_final": 0.0003, "q_final": 1e-3,
                        "bernoulli_floor": 0.01},
                paper=False, keep_training=10 * KEEP, test_every=2 * KEEP),
    # ... and the same with R and Q annealed geometrically (linear in their logarithms) instead
    StudyConfig("dekf-keep-g2-B-cec-h1-bernoulli-r0.0003-q1e-3-geo-long", "diagnostic: as "
                "dekf-keep-g2-B-cec-h1-bernoulli-r0.0003-q1e-3-long, R and Q annealed "
                "geometrically", spec=_CELL_1997_B,
                filter={"noise_model": "bernoulli", "r_final": 0.0003, "q_final": 1e-3,
                        "anneal_shape": "geometric"},
                paper=False, keep_training=10 * KEEP, test_every=2 * KEEP),
    # ... with connectivity G-gates: the bounded cell outputs feed the gates too, so a cell can
    # open or shut its input gate by the phase of the string that the other cell's output shows
    *[StudyConfig(f"dekf-keep-g2-Ggates-cec-h1{suffix}", "diagnostic: the whole 1997 cell (as "
                  "dekf-keep-g2-B-cec-h1), connectivity G-gates: the cell outputs feed the gates"
                  + (f", {keep:,} strings on" if suffix else ""),
                  spec={**_CELL_1997, "connectivity": "G-gates"}, paper=False,
                  keep_training=keep, test_every=keep // 5)
      for suffix, keep in (("", KEEP), ("-long", 10 * KEEP))],
    # the same cell (g in [-2, 2], h in [-1, 1], no peepholes, no forget gate, connectivity B)
    # trained by gradient descent, with the paper's squared error and with cross-entropy
    *[StudyConfig(f"gd-lr1e-4-B-keep{'-xent' if error != 'mse' else ''}-cec-g2h1",
                  f"diagnostic: lr 1e-4, {'cross-entropy error, ' if error != 'mse' else ''}"
                  f"the whole 1997 cell (g in [-2, 2], h in [-1, 1], no peepholes, no forget "
                  f"gate), connectivity B, {GD_KEEP:,} strings on",
                  learner="engine", lr=1e-4, error=error,
                  spec=_CELL_1997_B, paper=False,
                  keep_training=GD_KEEP, test_every=GD_EVERY)
      for error in ("mse", "cross-entropy")],
    *[StudyConfig(f"gd-keep-hand{'-B' if c == 'B' else ''}-xent",
                  f"diagnostic: start from the hand-wired counter (N >= 1000), lr 1e-5, "
                  f"cross-entropy error, {GD_KEEP:,} strings on"
                  + (", connectivity B" if c == "B" else ""),
                  learner="engine", error="cross-entropy", spec={"connectivity": c},
                  init="hand-wired", paper=False, keep_training=GD_KEEP,
                  test_every=GD_KEEP // 5)
      for c in ("G", "B")],
]}
