"""The papers' reported numbers as data: the only place a paper number is typed in this project.

Hochreiter & Schmidhuber (1997), "Long Short-Term Memory", Neural Computation 9(8):1735-1780:
every row of Tables 1-9 (plus the text-only result of Task 2b), and Tables 10-11 (experimental
conditions) verbatim.  Gers & Schmidhuber (2001) and its follow-up Perez-Ortiz et al. (2003): only
the claims that were read in a public source (tag [V] of ``shared/reference/gers2001.md``).

Where the numbers come from
---------------------------
Two independent text extractions of the preprint (the ~30-page layout of
``bioinf.jku.at/publications/older/2604.pdf``), called S1 and S5 in
``shared/reference/hochreiter1997.md``: S1 (``tamnd/papers``, ``content/en/hochreiter-1997-lstm/``,
Section 5 with Tables 1-11) was re-read line by line for this module; S5 agrees with it.  The table
numbers should equal the typeset journal article's; page numbers into it are not verified.

How a row is written
--------------------
``PAPER_ROWS`` holds one :class:`PaperRow` per table row, in the paper's order.  A row's ``reported``
maps a key of :data:`REPORTED_KEYS` to a :class:`Reported` (value, the paper's text, kind).  ``text``
is the table cell exactly as printed; for result sentences it is the paper's sentence (ellipses mark
cuts).  ``kind`` (:data:`KINDS`) says how to read ``value``: a mean over trials, a single figure, a
min-max range, a bound ("always below 0.01" is kind ``"below"``), or words only (value ``None``).
Quantitative result sentences ("never more than 3 incorrect") are stored as bound entries of the
rows they speak about, so the scorecard can check them like any other number; qualitative sentences
go into ``notes``.

Ambiguities that affect a comparison (reference sheet section 8)
----------------------------------------------------------------
* "Success after" (Tables 1, 2) is presumably averaged over the successful trials only (unverified);
  with 0 % success the paper prints a lower bound (kind ``"above"``).
* Weight-update timing (every step or at the sequence end) is not stated for the per-step-target
  tasks (Experiments 1, 2a, 2b).
* "Average training error" of ST3 (Experiments 4, 6) is not defined (squared or absolute, window).
* Output-gate biases: Section 4 cites Experiments 1, 3, 4, 5, 6 for the negative output-gate bias,
  Table 10 prints "r" for 4, 5, 6; Experiment 5's input-gate bias is "r" too.
* The Table 10 legend's "r" = [-0.1, 0.1] contradicts Experiment 1's [-0.2, 0.2] initialisation.
* The Table 10 legend swaps the ranges of h1 and g2 (see :data:`TABLE10_NOTES`).
* Task 2c: index range "<= q" (probably p); the expected length q + 14 evaluates to q + 13.
* Competitor details (biases of the RTRL/CH nets; the original papers' criteria for RTRL, ELM, RCC)
  are not given; Table 1's competitor weight counts are the authors' estimates.
* Experiment 5: the text bounds the "average test set error" by 0.013 for n_seq = 13 while Table 8's
  mean MSE is 0.0139, so that "test set error" is not the MSE column (found while building this
  module; see the row notes).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

# ---------------------------------------------------------------------------------------------
# Reported values
# ---------------------------------------------------------------------------------------------

KINDS = {
    "mean": "mean over the paper's trials",
    "value": "a single figure (a count, a percentage, a weight count), not an average",
    "approx": "the authors' estimate, printed with '≈'",
    "range": "(min, max), over trials or as printed",
    "below": "bound: the quantity is < value",
    "at_most": "bound: the quantity is <= value",
    "above": "bound: the quantity is > value",
    "at_least": "bound: the quantity is >= value",
    "text": "words only; value is None",
}

BOUND_KINDS = ("below", "at_most", "above", "at_least")

REPORTED_KEYS = {
    "success_pct": "% of trials that succeeded",
    "sequences_mean": "training sequences until success / the stopping criterion "
                      "(column 'success after' or 'stop'); a bound where no trial succeeded",
    "sequences_range": "(min, max) training sequences until success over the trials",
    "trials_above_700000": "number of trials that needed more than 700,000 training sequences",
    "st1_sequences": "training sequences until stopping criterion ST1 (Tables 4, 5)",
    "st2_sequences": "training sequences until stopping criterion ST2 (Tables 4, 5)",
    "misclassified_frac": "fraction of the 2560 post-training test sequences misclassified",
    "avg_diff": "average |output - expected (noise-free) target| (Table 6)",
    "wrong_of_2560": "number of wrongly processed sequences of the 2560-sequence test set",
    "wrong_of_2560_max": "largest number of wrong test sequences in any trial",
    "test_error_max": "largest average test-set error of any trial (error measure not defined)",
    "mse": "mean squared error on the test set (Table 8)",
    "weights": "the table's '# weights' column",
    "train_exemplars": "number of training exemplars (Perez-Ortiz et al. 2003)",
    "generalised_n_max": "largest n handled correctly after training (Perez-Ortiz et al. 2003)",
    "claim": "a verified qualitative claim (kind 'text')",
}


@dataclass(frozen=True)
class Reported:
    """One number as the paper reports it.

    ``value``: a float (kinds mean, value, approx and the bounds), a ``(min, max)`` tuple of floats
    (kind range), or ``None`` (kind text).  ``text``: exactly as printed.  ``kind``: see :data:`KINDS`.
    """
    value: float | tuple[float, float] | None
    text: str
    kind: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} is not valid; valid kinds: {', '.join(KINDS)}")
        if self.kind == "text":
            if self.value is not None:
                raise ValueError(f"a 'text' entry has value None, got {self.value!r} ({self.text!r})")
        elif self.kind == "range":
            lo, hi = (float(v) for v in self.value)
            if lo > hi:
                raise ValueError(f"range {self.value!r} has min > max ({self.text!r})")
            object.__setattr__(self, "value", (lo, hi))
        else:
            if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
                raise ValueError(f"kind {self.kind!r} needs a number, got {self.value!r} ({self.text!r})")
            object.__setattr__(self, "value", float(self.value))

    def admits(self, x: float) -> bool:
        """Whether ``x`` satisfies this entry, for bounds and ranges (e.g. a reproduction's number)."""
        if self.kind == "below":
            return x < self.value
        if self.kind == "at_most":
            return x <= self.value
        if self.kind == "above":
            return x > self.value
        if self.kind == "at_least":
            return x >= self.value
        if self.kind == "range":
            return self.value[0] <= x <= self.value[1]
        raise ValueError(f"admits() needs a bound or a range; this entry is of kind {self.kind!r}; "
                         f"valid kinds: {', '.join(BOUND_KINDS)}, range")


# ---------------------------------------------------------------------------------------------
# Table 10 (Part I) and Table 11 (Part II): experimental conditions, verbatim (Section 5.7)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table10Row:
    """One row of Table 10 ("Summary of experimental conditions for LSTM, Part I"), verbatim.

    Gate biases are a tuple (one per block), or the strings "r" (random), "none", "no og" (no output
    gate).  ``bias``: "ga" (gate units only), "b1" (all hidden units), "all" (all non-input units),
    "none".  ``h``: "h1" or "id"; ``g``: "g1" or "g2" (see :data:`TABLE10_NOTES` on their ranges).
    """
    row: str
    p: int
    lag: int
    blocks: int
    block_size: int
    n_in: int
    n_out: int
    weights: int
    connectivity: str
    out_gate_bias: tuple[float, ...] | str
    in_gate_bias: tuple[float, ...] | str
    bias: str
    h: str
    g: str
    lr: float


TABLE10_LEGEND = {
    "p": "minimal sequence length p",
    "lag": "minimal number of steps between most recent relevant input information and teacher signal",
    "blocks": "number of cell blocks b",
    "block_size": "block size s",
    "n_in": "number of input units in",
    "n_out": "number of output units out",
    "weights": "number of weights w",
    "connectivity": "c describes connectivity: “F” means “output layer receives connections from memory "
                    "cells; memory cells and gate units receive connections from input units, memory "
                    "cells and gate units”; “B” means “each layer receives connections from all layers "
                    "below”",
    "out_gate_bias": "initial output gate bias ogb, where “r” stands for “randomly chosen from the "
                     "interval [−0.1,0.1]” and “no og” means “no output gate used”",
    "in_gate_bias": "initial input gate bias igb (see 10th column)",
    "bias": "which units have bias weights? “b1” stands for “all hidden units”, “ga” for “only gate "
            "units”, and “all” for “all non-input units”",
    "h": "the function h, where “id” is identity function, “h1” is logistic sigmoid in [−2,2]",
    "g": "the logistic function g, where “g1” is sigmoid in [0,1], “g2” in [−1,1]",
    "lr": "learning rate α",
}

TABLE10_NOTES = (
    "The legend gives h1 the range [-2, 2] and g2 the range [-1, 1]; Sections 5.1, 5.2 (2c), 5.3, "
    "5.4, 5.6 and Appendix eqs. (4)-(5) give h in [-1, 1] and g in [-2, 2].  The legend's ranges are "
    "swapped; the text and the appendix are followed (lstm_repro.spec.SQUASHERS).",
    "The legend's 'r' means random from [-0.1, 0.1], but Experiment 1 initialises all weights in "
    "[-0.2, 0.2] (Section 5.1, Table 11); which interval Exp 1's 'r' input-gate biases use is open.",
    "Rows 2c-6 to 2c-9: p and lag are 1000 (the time lag q); the number of distractor symbols is "
    "in - 4 (Table 3's p).  The text gives the minimal lag of 2c as q + 1.",
    "Section 5.1 gives Exp 1's output-gate biases as -1, -2, -3; the 4-block rows add -4.",
    "Section 4 cites Experiments 1, 3, 4, 5, 6 for the negative output-gate bias; rows 4-x, 5, 6a, 6b "
    "print 'r'.  Section 4 cites Experiments 4 and 5 for the input-gate bias; row 5 prints 'r'.",
)


_TABLE10_ROWS = (
    Table10Row("1-1", 9, 9, 4, 1, 7, 7, 264, "F", (-1.0, -2.0, -3.0, -4.0), "r", "ga", "h1", "g2", 0.1),
    Table10Row("1-2", 9, 9, 3, 2, 7, 7, 276, "F", (-1.0, -2.0, -3.0), "r", "ga", "h1", "g2", 0.1),
    Table10Row("1-3", 9, 9, 3, 2, 7, 7, 276, "F", (-1.0, -2.0, -3.0), "r", "ga", "h1", "g2", 0.2),
    Table10Row("1-4", 9, 9, 4, 1, 7, 7, 264, "F", (-1.0, -2.0, -3.0, -4.0), "r", "ga", "h1", "g2", 0.5),
    Table10Row("1-5", 9, 9, 3, 2, 7, 7, 276, "F", (-1.0, -2.0, -3.0), "r", "ga", "h1", "g2", 0.5),
    Table10Row("2a", 100, 100, 1, 1, 101, 101, 10504, "B", "no og", "none", "none", "id", "g1", 1.0),
    Table10Row("2b", 100, 100, 1, 1, 101, 101, 10504, "B", "no og", "none", "none", "id", "g1", 1.0),
    Table10Row("2c-1", 50, 50, 2, 1, 54, 2, 364, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("2c-2", 100, 100, 2, 1, 104, 2, 664, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("2c-3", 200, 200, 2, 1, 204, 2, 1264, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("2c-4", 500, 500, 2, 1, 504, 2, 3064, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("2c-5", 1000, 1000, 2, 1, 1004, 2, 6064, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("2c-6", 1000, 1000, 2, 1, 504, 2, 3064, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("2c-7", 1000, 1000, 2, 1, 204, 2, 1264, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("2c-8", 1000, 1000, 2, 1, 104, 2, 664, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("2c-9", 1000, 1000, 2, 1, 54, 2, 364, "F", "none", "none", "none", "h1", "g2", 0.01),
    Table10Row("3a", 100, 100, 3, 1, 1, 1, 102, "F", (-2.0, -4.0, -6.0), (-1.0, -3.0, -5.0), "b1", "h1", "g2", 1.0),
    Table10Row("3b", 100, 100, 3, 1, 1, 1, 102, "F", (-2.0, -4.0, -6.0), (-1.0, -3.0, -5.0), "b1", "h1", "g2", 1.0),
    Table10Row("3c", 100, 100, 3, 1, 1, 1, 102, "F", (-2.0, -4.0, -6.0), (-1.0, -3.0, -5.0), "b1", "h1", "g2", 0.1),
    Table10Row("4-1", 100, 50, 2, 2, 2, 1, 93, "F", "r", (-3.0, -6.0), "all", "h1", "g2", 0.5),
    Table10Row("4-2", 500, 250, 2, 2, 2, 1, 93, "F", "r", (-3.0, -6.0), "all", "h1", "g2", 0.5),
    Table10Row("4-3", 1000, 500, 2, 2, 2, 1, 93, "F", "r", (-3.0, -6.0), "all", "h1", "g2", 0.5),
    Table10Row("5", 100, 50, 2, 2, 2, 1, 93, "F", "r", "r", "all", "h1", "g2", 0.1),
    Table10Row("6a", 100, 40, 2, 2, 8, 4, 156, "F", "r", (-2.0, -4.0), "all", "h1", "g2", 0.5),
    Table10Row("6b", 100, 24, 3, 2, 8, 8, 308, "F", "r", (-2.0, -4.0, -6.0), "all", "h1", "g2", 0.1),
)

TABLE10: dict[str, Table10Row] = {r.row: r for r in _TABLE10_ROWS}


@dataclass(frozen=True)
class Table11Row:
    """One row of Table 11 ("Summary of experimental conditions for LSTM, Part II"), verbatim.

    ``test_size`` is ``None`` where the table prints "no test set" (Task 2a).
    """
    task: str
    select: str
    init_interval: tuple[float, float]
    test_size: int | None
    stopping: str
    success: str


TABLE11_LEGEND = {
    "select": "training exemplar selection, where “t1” stands for “randomly chosen from training set”, "
              "“t2” for “randomly chosen from 2 classes”, and “t3” for “randomly generated on-line”",
    "init_interval": "weight initialization interval",
    "test_size": "test set size",
    "stopping": "stopping criterion for training, where “ST3(β)” stands for “average training error "
                "below β and the 2000 most recent sequences were processed correctly”",
    "success": "success (correct classification) criterion, where “ABS(β)” stands for “absolute error "
               "of all output units at sequence end is below β”",
}

_WIDE, _NARROW = (-0.2, 0.2), (-0.1, 0.1)
_TABLE11_ROWS = (
    Table11Row("1", "t1", _WIDE, 256, "training & test correctly pred.", "see text"),
    Table11Row("2a", "t1", _WIDE, None, "after 5 million exemplars", "ABS(0.25)"),
    Table11Row("2b", "t2", _WIDE, 10000, "after 5 million exemplars", "ABS(0.25)"),
    Table11Row("2c", "t2", _WIDE, 10000, "after 5 million exemplars", "ABS(0.2)"),
    Table11Row("3a", "t3", _NARROW, 2560, "ST1 and ST2 (see text)", "ABS(0.2)"),
    Table11Row("3b", "t3", _NARROW, 2560, "ST1 and ST2 (see text)", "ABS(0.2)"),
    Table11Row("3c", "t3", _NARROW, 2560, "ST1 and ST2 (see text)", "see text"),
    Table11Row("4", "t3", _NARROW, 2560, "ST3(0.01)", "ABS(0.04)"),
    Table11Row("5", "t3", _NARROW, 2560, "see text", "ABS(0.04)"),
    Table11Row("6a", "t3", _NARROW, 2560, "ST3(0.1)", "ABS(0.3)"),
    Table11Row("6b", "t3", _NARROW, 2560, "ST3(0.1)", "ABS(0.3)"),
)

TABLE11: dict[str, Table11Row] = {r.task: r for r in _TABLE11_ROWS}


# ---------------------------------------------------------------------------------------------
# Result rows of Tables 1-9 (and the text-only Task 2b)
# ---------------------------------------------------------------------------------------------

METHODS = ("LSTM", "RTRL", "BPTT", "ELM", "RCC", "CH")


@dataclass(frozen=True)
class PaperRow:
    """One reported result: a table row, or a result the paper states only in its text.

    ``id``: LSTM rows use Table 10's ids, extended where Table 10 merges rows ("3a-T100-N3",
    "5-nseq140"); competitor rows are "<task>-<method>[-<params>]" ("1-RTRL-3", "2a-BPTT-p100").
    ``config_row``: the Table 10 row of the network (None for competitors and for the Gers rows).
    ``task_params``: the task parameters the row prints (T, N, p, q, q/p, minimal lag, n_seq).
    ``setup``: the architecture/learning-rate columns the results table prints for this row
    (Tables 1 and 2), e.g. {"hidden_units": 3, "lr": 0.05}; ranges as (min, max) tuples.
    ``trials``: the paper's trial count (None where not stated).  ``stopping``, ``success``: the
    paper's words.  ``test_size``: test-set size (None: no test set, or not stated).
    ``source``: bibliography key (book/references.bib) of the paper that reports the numbers.
    """
    id: str
    table: str
    method: str
    competitor: bool
    config_row: str | None
    task_params: dict
    trials: int | None
    stopping: str
    success: str
    test_size: int | None
    reported: dict[str, Reported]
    notes: str = ""
    setup: dict = field(default_factory=dict)
    source: str = "hochreiter1997"

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"row {self.id}: method={self.method!r} is not valid; "
                             f"valid methods: {', '.join(METHODS)}")
        unknown = sorted(set(self.reported) - set(REPORTED_KEYS))
        if unknown:
            raise ValueError(f"row {self.id}: unknown reported keys {unknown}; "
                             f"valid keys: {', '.join(REPORTED_KEYS)}")


# Stopping and success criteria, in the paper's words (Section 5; Table 11 in brackets).
_EXP1_STOP = "training & test correctly pred. [Table 11]"
_EXP1_SUCCESS = ("A trial is considered successful if all string symbols of all sequences in both test "
                 "set and training set are predicted correctly — that is, if the output unit(s) "
                 "corresponding to the possible next symbol(s) is(are) always the most active ones.")
_EXP1_COMPETITOR = "not given in this paper (results taken from {})"
_EXP2_STOP = ("Due to limited computation time, training is stopped after 5 million sequence "
              "presentations. [after 5 million exemplars]")
_EXP2A_SUCCESS = ("after training, during 10,000 successive, randomly chosen input sequences, the "
                  "maximal absolute error of all output units is always below 0.25. [ABS(0.25)]")
_EXP2B_SUCCESS = ("after training, during 10,000 successive, randomly chosen input sequences, the "
                  "maximal absolute error of all output units is below 0.25 at sequence end. [ABS(0.25)]")
_EXP2C_SUCCESS = ("“prediction error (for final sequence element) of both output units always below 0.2, "
                  "for 10,000 successive, randomly chosen input sequences” [ABS(0.2)]")
_EXP2C_STOP = "after 5 million exemplars [Table 11; the Task 2c text does not restate the budget]"
_EXP3A_STOP = ("ST1: none of 256 sequences from a randomly chosen test set is misclassified. ST2: ST1 is "
               "satisfied, and mean absolute test set error is below 0.01.")
_EXP3B_STOP = ("ST1: less than 6 out of 256 sequences from a randomly chosen test set are misclassified. "
               "ST2: ST1 is satisfied, and mean absolute test set error is below 0.04.")
_EXP3AB_SUCCESS = "“absolute output error at sequence end below 0.2” [ABS(0.2)]"
_EXP3C_STOP = ("none of 256 sequences from a randomly chosen test set is misclassified, and mean absolute "
               "difference between noise free target and output is below 0.015")
_EXP3C_SUCCESS = ("Misclassification is defined as “absolute difference between output and noise-free "
                  "target (0.2 for class 1 and 0.8 for class 2) > 0.1.”")
_EXP4_STOP = ("Training is stopped once the average training error is below 0.01, and the 2000 most "
              "recent sequences were processed correctly. [ST3(0.01)]")
_EXP45_SUCCESS = ("A sequence is processed correctly if the absolute error at the sequence end is below "
                  "0.04. [ABS(0.04)]")
_EXP5_STOP = ("We test performance twice: as soon as less than n_seq of the 2000 most recent training "
              "sequences lead to absolute errors exceeding 0.04, where n_seq = 140, and n_seq = 13.")
_EXP6_STOP = ("Training is stopped once the average training error falls below 0.1 and the 2000 most "
              "recent sequences were classified correctly. [ST3(0.1)]")
_EXP6_SUCCESS = ("The sequence is classified correctly if the final absolute error of all output units is "
                 "below 0.3. [ABS(0.3)]")

_TABLE1_CAPTION = ("Table 1 caption: “Weight numbers in the first 4 rows are estimates — the corresponding "
                   "papers do not provide all the technical details. Only LSTM almost always learns to "
                   "solve the task (only two failures out of 150 trials).”")
_TABLE1_LSTM = ("Mean of 30 trials (3 training/test-set pairs x 10 initialisations). The text says LSTM "
                "“always learns to solve the task”; the 97 % rows and the caption (“only two failures "
                "out of 150 trials”) say otherwise.  'Success after' presumably averages the successful "
                "trials only (unverified).")
_EXP2A_NOTES = ("Success criterion and the 5-million budget hold for all methods (“In all cases, weights "
                "are initialized in [-0.2,0.2]”).  Table 2 caption: “Table entries refer to means of 18 "
                "trials.”  'Success after' presumably averages the successful trials only (unverified).")
_EXP4_BOUNDS = {
    "test_error_max": Reported(0.01, "the average test set error was always below 0.01", "below"),
    "wrong_of_2560_max": Reported(3, "there were never more than 3 incorrectly processed sequences",
                                  "at_most"),
}
_EXP6_BOUNDS = {
    "test_error_max": Reported(0.1, "the average test set error was always below 0.1", "below"),
    "wrong_of_2560_max": Reported(3, "there were never more than 3 incorrectly classified sequences",
                                  "at_most"),
}
_OGB_NOTE = ("Output-gate bias 'r' in Table 10, although Section 4 cites this experiment for the "
             "negative output-gate bias.")
_TABLE3_NOTES = ("Caption: “The rightmost column lists the number of training sequences required by "
                 "LSTM (BPTT, RTRL and the other competitors have no chance of solving this task).”  "
                 "Text: “20 trials were made for all tested pairs (p, q). Table 3 lists the mean”.  "
                 "The paper's index range “1 <= i <= q” is probably p; its expected length q + 14 "
                 "evaluates to q + 13.  Table 10 prints p = lag = q; the text's minimal lag is q + 1.")
_TABLE4_NOTES = ("Caption: “All values are means of 10 trials.”  The misclassified fraction is measured "
                 "on 2560 sequences after ST2 (“with absolute error > 0.2”).  The paper stresses that "
                 "random weight guessing solves this task faster than LSTM.")
_TABLE5_NOTES = ("Text: “The results represent means of 10 trials with different weight "
                 "initializations.”  As 3a, with Gaussian noise (mean 0, variance 0.2) added to the "
                 "information-conveying elements.")
_TABLE6_NOTES = ("Text: “The results represent means of 10 trials”.  The column 'stop' is stored as "
                 "sequences_mean (the task has one stopping criterion); 'av. difference to mean' as "
                 "avg_diff.  Table 11 prints “ST1 and ST2 (see text)”, the text one criterion.")
_TABLE7_NOTES = ("Caption: “All values are means of 10 trials.”  The bounds come from the text and hold "
                 "for every T.  'Average training error' (ST3) is not defined.  " + _OGB_NOTE)
_TABLE8_NOTES = ("Caption: “All values are means of 10 trials.”  The text's bounds read “For n_seq = 140 "
                 "(n_seq = 13)”: the figure in brackets belongs to n_seq = 13.  Input- and output-gate "
                 "biases are 'r' in Table 10, although Section 4 cites Experiments 4 and 5 for the "
                 "input-gate bias.")
_TABLE9_NOTES = ("“# wrong predictions” counts sequences with error > 0.3 for at least one output unit.  "
                 "The bounds come from the text and hold for 6a and 6b.  'Average training error' "
                 "(ST3) is not defined.  " + _OGB_NOTE)


_ROWS_1997 = (
    # --- Table 1: Experiment 1, embedded Reber grammar (Section 5.1) ---------------------------
    PaperRow(
        id="1-RTRL-3", table="Table 1", method="RTRL", competitor=True, config_row=None,
        task_params={}, setup={"hidden_units": 3, "lr": 0.05}, trials=None,
        stopping=_EXP1_COMPETITOR.format("Smith and Zipser 1989"),
        success=_EXP1_COMPETITOR.format("Smith and Zipser 1989"), test_size=None,
        reported={
            "weights": Reported(170, "≈ 170", "approx"),
            "success_pct": Reported(None, "“some fraction”", "text"),
            "sequences_mean": Reported(173000, "173,000", "value"),
        },
        notes="Results taken from Smith and Zipser (1989), “where only the few successful trials are "
              "listed”; they “make the task easier by increasing the probability of short time lag "
              "exemplars”. " + _TABLE1_CAPTION),
    PaperRow(
        id="1-RTRL-12", table="Table 1", method="RTRL", competitor=True, config_row=None,
        task_params={}, setup={"hidden_units": 12, "lr": 0.1}, trials=None,
        stopping=_EXP1_COMPETITOR.format("Smith and Zipser 1989"),
        success=_EXP1_COMPETITOR.format("Smith and Zipser 1989"), test_size=None,
        reported={
            "weights": Reported(494, "≈ 494", "approx"),
            "success_pct": Reported(None, "“some fraction”", "text"),
            "sequences_mean": Reported(25000, "25,000", "value"),
        },
        notes="Results taken from Smith and Zipser (1989), “where only the few successful trials are "
              "listed”. " + _TABLE1_CAPTION),
    PaperRow(
        id="1-ELM", table="Table 1", method="ELM", competitor=True, config_row=None,
        task_params={}, setup={"hidden_units": 15}, trials=None,
        stopping=_EXP1_COMPETITOR.format("Cleeremans et al. 1989"),
        success=_EXP1_COMPETITOR.format("Cleeremans et al. 1989"), test_size=None,
        reported={
            "weights": Reported(435, "≈ 435", "approx"),
            "success_pct": Reported(0, "0", "value"),
            "sequences_mean": Reported(200000, ">200,000", "above"),
        },
        notes="“Elman nets trained by Elman's training procedure”, results taken from Cleeremans et "
              "al. (1989); no learning rate printed. " + _TABLE1_CAPTION),
    PaperRow(
        id="1-RCC", table="Table 1", method="RCC", competitor=True, config_row=None,
        task_params={}, setup={"hidden_units": (7, 9)}, trials=None,
        stopping=_EXP1_COMPETITOR.format("Fahlman 1991"),
        success=_EXP1_COMPETITOR.format("Fahlman 1991"), test_size=None,
        reported={
            "weights": Reported((119, 198), "≈ 119-198", "range"),
            "success_pct": Reported(50, "50", "value"),
            "sequences_mean": Reported(182000, "182,000", "value"),
        },
        notes="Fahlman's Recurrent Cascade-Correlation, results taken from Fahlman (1991); 7-9 hidden "
              "units; no learning rate printed. " + _TABLE1_CAPTION),
    PaperRow(
        id="1-1", table="Table 1", method="LSTM", competitor=False, config_row="1-1",
        task_params={}, setup={"blocks": 4, "block_size": 1, "lr": 0.1}, trials=30,
        stopping=_EXP1_STOP, success=_EXP1_SUCCESS, test_size=256,
        reported={
            "weights": Reported(264, "264", "value"),
            "success_pct": Reported(100, "100", "value"),
            "sequences_mean": Reported(39740, "39,740", "mean"),
        },
        notes=_TABLE1_LSTM),
    PaperRow(
        id="1-2", table="Table 1", method="LSTM", competitor=False, config_row="1-2",
        task_params={}, setup={"blocks": 3, "block_size": 2, "lr": 0.1}, trials=30,
        stopping=_EXP1_STOP, success=_EXP1_SUCCESS, test_size=256,
        reported={
            "weights": Reported(276, "276", "value"),
            "success_pct": Reported(100, "100", "value"),
            "sequences_mean": Reported(21730, "21,730", "mean"),
        },
        notes=_TABLE1_LSTM),
    PaperRow(
        id="1-3", table="Table 1", method="LSTM", competitor=False, config_row="1-3",
        task_params={}, setup={"blocks": 3, "block_size": 2, "lr": 0.2}, trials=30,
        stopping=_EXP1_STOP, success=_EXP1_SUCCESS, test_size=256,
        reported={
            "weights": Reported(276, "276", "value"),
            "success_pct": Reported(97, "97", "value"),
            "sequences_mean": Reported(14060, "14,060", "mean"),
        },
        notes=_TABLE1_LSTM),
    PaperRow(
        id="1-4", table="Table 1", method="LSTM", competitor=False, config_row="1-4",
        task_params={}, setup={"blocks": 4, "block_size": 1, "lr": 0.5}, trials=30,
        stopping=_EXP1_STOP, success=_EXP1_SUCCESS, test_size=256,
        reported={
            "weights": Reported(264, "264", "value"),
            "success_pct": Reported(97, "97", "value"),
            "sequences_mean": Reported(9500, "9,500", "mean"),
        },
        notes=_TABLE1_LSTM),
    PaperRow(
        id="1-5", table="Table 1", method="LSTM", competitor=False, config_row="1-5",
        task_params={}, setup={"blocks": 3, "block_size": 2, "lr": 0.5}, trials=30,
        stopping=_EXP1_STOP, success=_EXP1_SUCCESS, test_size=256,
        reported={
            "weights": Reported(276, "276", "value"),
            "success_pct": Reported(100, "100", "value"),
            "sequences_mean": Reported(8440, "8,440", "mean"),
            "sequences_range": Reported((3800, 24100), "the number of required training examples in "
                                        "the bottom row varies between 3,800 and 24,100", "range"),
        },
        notes=_TABLE1_LSTM + " The range is from the Table 1 caption."),

    # --- Table 2: Task 2a, noise-free sequences with long time lags (Section 5.2) --------------
    PaperRow(
        id="2a-RTRL-p4-lr1", table="Table 2", method="RTRL", competitor=True, config_row=None,
        task_params={"p": 4}, setup={"lr": 1.0}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2A_SUCCESS, test_size=None,
        reported={
            "weights": Reported(36, "36", "value"),
            "success_pct": Reported(78, "78", "value"),
            "sequences_mean": Reported(1043000, "1,043,000", "mean"),
        },
        notes="RTRL: one self-recurrent hidden unit, p+1 non-recurrent output units, each layer "
              "connected to all layers below, logistic units.  The text's “Using RTRL and a short 4 "
              "time step delay (p = 4), 7/9 of all trials were successful” matches this row (78 %) but "
              "not the three p = 4 rows together.  " + _EXP2A_NOTES),
    PaperRow(
        id="2a-RTRL-p4-lr4", table="Table 2", method="RTRL", competitor=True, config_row=None,
        task_params={"p": 4}, setup={"lr": 4.0}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2A_SUCCESS, test_size=None,
        reported={
            "weights": Reported(36, "36", "value"),
            "success_pct": Reported(56, "56", "value"),
            "sequences_mean": Reported(892000, "892,000", "mean"),
        },
        notes=_EXP2A_NOTES),
    PaperRow(
        id="2a-RTRL-p4-lr10", table="Table 2", method="RTRL", competitor=True, config_row=None,
        task_params={"p": 4}, setup={"lr": 10.0}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2A_SUCCESS, test_size=None,
        reported={
            "weights": Reported(36, "36", "value"),
            "success_pct": Reported(22, "22", "value"),
            "sequences_mean": Reported(254000, "254,000", "mean"),
        },
        notes=_EXP2A_NOTES),
    PaperRow(
        id="2a-RTRL-p10", table="Table 2", method="RTRL", competitor=True, config_row=None,
        task_params={"p": 10}, setup={"lr": (1.0, 10.0)}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2A_SUCCESS, test_size=None,
        reported={
            "weights": Reported(144, "144", "value"),
            "success_pct": Reported(0, "0", "value"),
            "sequences_mean": Reported(5000000, "> 5,000,000", "above"),
        },
        notes="Learning rate printed as “1.0-10.0”.  Text: “No trial was successful with p = 10”.  "
              + _EXP2A_NOTES),
    PaperRow(
        id="2a-RTRL-p100", table="Table 2", method="RTRL", competitor=True, config_row=None,
        task_params={"p": 100}, setup={"lr": (1.0, 10.0)}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2A_SUCCESS, test_size=None,
        reported={
            "weights": Reported(10404, "10404", "value"),
            "success_pct": Reported(0, "0", "value"),
            "sequences_mean": Reported(5000000, "> 5,000,000", "above"),
        },
        notes="Learning rate printed as “1.0-10.0”.  " + _EXP2A_NOTES),
    PaperRow(
        id="2a-BPTT-p100", table="Table 2", method="BPTT", competitor=True, config_row=None,
        task_params={"p": 100}, setup={"lr": (1.0, 10.0)}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2A_SUCCESS, test_size=None,
        reported={
            "weights": Reported(10404, "10404", "value"),
            "success_pct": Reported(0, "0", "value"),
            "sequences_mean": Reported(5000000, "> 5,000,000", "above"),
        },
        notes="Same architecture as RTRL's.  Learning rate printed as “1.0-10.0”.  " + _EXP2A_NOTES),
    PaperRow(
        id="2a-CH", table="Table 2", method="CH", competitor=True, config_row=None,
        task_params={"p": 100}, setup={"lr": 1.0}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2A_SUCCESS, test_size=None,
        reported={
            "weights": Reported(10506, "10506", "value"),
            "success_pct": Reported(33, "33", "value"),
            "sequences_mean": Reported(32400, "32,400", "mean"),
        },
        notes="2-net Neural Sequence Chunker (Schmidhuber 1992b): two RTRL-like nets, one with an "
              "additional output predicting the other's hidden unit; its weight count is not "
              "derivable from this description.  Text: “With p = 100, the 2-net sequence chunker "
              "solved the task in only 1/3 of all trials.”  " + _EXP2A_NOTES),
    PaperRow(
        id="2a", table="Table 2", method="LSTM", competitor=False, config_row="2a",
        task_params={"p": 100}, setup={"lr": 1.0}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2A_SUCCESS, test_size=None,
        reported={
            "weights": Reported(10504, "10504", "value"),
            "success_pct": Reported(100, "100", "value"),
            "sequences_mean": Reported(5040, "5,040", "mean"),
        },
        notes="One memory cell and one input gate (no output gate), added “once the error has "
              "stopped decreasing” (abuse-problem solution 1).  Table 11: “no test set”; success is "
              "judged on 10,000 successive random sequences.  " + _EXP2A_NOTES),

    # --- Section 5.2 text: Task 2b, no local regularities ------------------------------------
    PaperRow(
        id="2b", table="Section 5.2 text", method="LSTM", competitor=False, config_row="2b",
        task_params={"p": 100}, trials=18,
        stopping=_EXP2_STOP, success=_EXP2B_SUCCESS, test_size=10000,
        reported={
            "success_pct": Reported(100, "LSTM, however, was always successful.", "value"),
            "sequences_mean": Reported(5680, "On average (mean of 18 trials), success for p = 100 "
                                       "was achieved after 5,680 sequence presentations.", "mean"),
        },
        notes="Text only, no table.  “As expected, the chunker failed to solve this task (so did "
              "BPTT and RTRL, of course).”  No numbers are given for the competitors."),

    # --- Table 3: Task 2c, very long time lags, no local regularities (Section 5.2) -------------
    PaperRow(
        id="2c-1", table="Table 3", method="LSTM", competitor=False, config_row="2c-1",
        task_params={"q": 50, "p": 50, "q_over_p": 1}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(364, "364", "value"),
            "sequences_mean": Reported(30000, "30,000", "mean"),
        },
        notes=_TABLE3_NOTES),
    PaperRow(
        id="2c-2", table="Table 3", method="LSTM", competitor=False, config_row="2c-2",
        task_params={"q": 100, "p": 100, "q_over_p": 1}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(664, "664", "value"),
            "sequences_mean": Reported(31000, "31,000", "mean"),
        },
        notes=_TABLE3_NOTES),
    PaperRow(
        id="2c-3", table="Table 3", method="LSTM", competitor=False, config_row="2c-3",
        task_params={"q": 200, "p": 200, "q_over_p": 1}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(1264, "1264", "value"),
            "sequences_mean": Reported(33000, "33,000", "mean"),
        },
        notes=_TABLE3_NOTES),
    PaperRow(
        id="2c-4", table="Table 3", method="LSTM", competitor=False, config_row="2c-4",
        task_params={"q": 500, "p": 500, "q_over_p": 1}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(3064, "3064", "value"),
            "sequences_mean": Reported(38000, "38,000", "mean"),
        },
        notes=_TABLE3_NOTES),
    PaperRow(
        id="2c-5", table="Table 3", method="LSTM", competitor=False, config_row="2c-5",
        task_params={"q": 1000, "p": 1000, "q_over_p": 1}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(6064, "6064", "value"),
            "sequences_mean": Reported(49000, "49,000", "mean"),
        },
        notes=_TABLE3_NOTES),
    PaperRow(
        id="2c-6", table="Table 3", method="LSTM", competitor=False, config_row="2c-6",
        task_params={"q": 1000, "p": 500, "q_over_p": 2}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(3064, "3064", "value"),
            "sequences_mean": Reported(49000, "49,000", "mean"),
        },
        notes=_TABLE3_NOTES),
    PaperRow(
        id="2c-7", table="Table 3", method="LSTM", competitor=False, config_row="2c-7",
        task_params={"q": 1000, "p": 200, "q_over_p": 5}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(1264, "1264", "value"),
            "sequences_mean": Reported(75000, "75,000", "mean"),
        },
        notes=_TABLE3_NOTES),
    PaperRow(
        id="2c-8", table="Table 3", method="LSTM", competitor=False, config_row="2c-8",
        task_params={"q": 1000, "p": 100, "q_over_p": 10}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(664, "664", "value"),
            "sequences_mean": Reported(135000, "135,000", "mean"),
        },
        notes=_TABLE3_NOTES),
    PaperRow(
        id="2c-9", table="Table 3", method="LSTM", competitor=False, config_row="2c-9",
        task_params={"q": 1000, "p": 50, "q_over_p": 20}, trials=20,
        stopping=_EXP2C_STOP, success=_EXP2C_SUCCESS, test_size=10000,
        reported={
            "weights": Reported(364, "364", "value"),
            "sequences_mean": Reported(203000, "203,000", "mean"),
        },
        notes=_TABLE3_NOTES),

    # --- Table 4: Task 3a, Bengio et al.'s 2-sequence problem (Section 5.3) -------------------
    PaperRow(
        id="3a-T100-N3", table="Table 4", method="LSTM", competitor=False, config_row="3a",
        task_params={"T": 100, "N": 3}, trials=10,
        stopping=_EXP3A_STOP, success=_EXP3AB_SUCCESS, test_size=2560,
        reported={
            "st1_sequences": Reported(27380, "27,380", "mean"),
            "st2_sequences": Reported(39850, "39,850", "mean"),
            "weights": Reported(102, "102", "value"),
            "misclassified_frac": Reported(0.000195, "0.000195", "mean"),
        },
        notes=_TABLE4_NOTES),
    PaperRow(
        id="3a-T100-N1", table="Table 4", method="LSTM", competitor=False, config_row="3a",
        task_params={"T": 100, "N": 1}, trials=10,
        stopping=_EXP3A_STOP, success=_EXP3AB_SUCCESS, test_size=2560,
        reported={
            "st1_sequences": Reported(58370, "58,370", "mean"),
            "st2_sequences": Reported(64330, "64,330", "mean"),
            "weights": Reported(102, "102", "value"),
            "misclassified_frac": Reported(0.000117, "0.000117", "mean"),
        },
        notes=_TABLE4_NOTES),
    PaperRow(
        id="3a-T1000-N3", table="Table 4", method="LSTM", competitor=False, config_row="3a",
        task_params={"T": 1000, "N": 3}, trials=10,
        stopping=_EXP3A_STOP, success=_EXP3AB_SUCCESS, test_size=2560,
        reported={
            "st1_sequences": Reported(446850, "446,850", "mean"),
            "st2_sequences": Reported(452460, "452,460", "mean"),
            "weights": Reported(102, "102", "value"),
            "misclassified_frac": Reported(0.000078, "0.000078", "mean"),
        },
        notes=_TABLE4_NOTES + "  Table 10 row 3a lists only T = 100 (p = lag = 100)."),

    # --- Table 5: Task 3b, noise on the information-conveying elements too (Section 5.3) ------
    PaperRow(
        id="3b-T100-N3", table="Table 5", method="LSTM", competitor=False, config_row="3b",
        task_params={"T": 100, "N": 3}, trials=10,
        stopping=_EXP3B_STOP, success=_EXP3AB_SUCCESS, test_size=2560,
        reported={
            "st1_sequences": Reported(41740, "41,740", "mean"),
            "st2_sequences": Reported(43250, "43,250", "mean"),
            "weights": Reported(102, "102", "value"),
            "misclassified_frac": Reported(0.00828, "0.00828", "mean"),
        },
        notes=_TABLE5_NOTES),
    PaperRow(
        id="3b-T100-N1", table="Table 5", method="LSTM", competitor=False, config_row="3b",
        task_params={"T": 100, "N": 1}, trials=10,
        stopping=_EXP3B_STOP, success=_EXP3AB_SUCCESS, test_size=2560,
        reported={
            "st1_sequences": Reported(74950, "74,950", "mean"),
            "st2_sequences": Reported(78430, "78,430", "mean"),
            "weights": Reported(102, "102", "value"),
            "misclassified_frac": Reported(0.015, "0.01500", "mean"),
        },
        notes=_TABLE5_NOTES),
    PaperRow(
        id="3b-T1000-N1", table="Table 5", method="LSTM", competitor=False, config_row="3b",
        task_params={"T": 1000, "N": 1}, trials=10,
        stopping=_EXP3B_STOP, success=_EXP3AB_SUCCESS, test_size=2560,
        reported={
            "st1_sequences": Reported(481060, "481,060", "mean"),
            "st2_sequences": Reported(485080, "485,080", "mean"),
            "weights": Reported(102, "102", "value"),
            "misclassified_frac": Reported(0.01207, "0.01207", "mean"),
        },
        notes=_TABLE5_NOTES + "  Table 10 row 3b lists only T = 100 (p = lag = 100)."),

    # --- Table 6: Task 3c, noisy real-valued targets (Section 5.3) -----------------------------
    PaperRow(
        id="3c-T100-N3", table="Table 6", method="LSTM", competitor=False, config_row="3c",
        task_params={"T": 100, "N": 3}, trials=10,
        stopping=_EXP3C_STOP, success=_EXP3C_SUCCESS, test_size=2560,
        reported={
            "sequences_mean": Reported(269650, "269,650", "mean"),
            "weights": Reported(102, "102", "value"),
            "misclassified_frac": Reported(0.00558, "0.00558", "mean"),
            "avg_diff": Reported(0.014, "0.014", "mean"),
        },
        notes=_TABLE6_NOTES),
    PaperRow(
        id="3c-T100-N1", table="Table 6", method="LSTM", competitor=False, config_row="3c",
        task_params={"T": 100, "N": 1}, trials=10,
        stopping=_EXP3C_STOP, success=_EXP3C_SUCCESS, test_size=2560,
        reported={
            "sequences_mean": Reported(565640, "565,640", "mean"),
            "weights": Reported(102, "102", "value"),
            "misclassified_frac": Reported(0.00441, "0.00441", "mean"),
            "avg_diff": Reported(0.012, "0.012", "mean"),
        },
        notes=_TABLE6_NOTES),

    # --- Table 7: Experiment 4, adding problem (Section 5.4) ----------------------------------
    PaperRow(
        id="4-1", table="Table 7", method="LSTM", competitor=False, config_row="4-1",
        task_params={"T": 100, "min_lag": 50}, trials=10,
        stopping=_EXP4_STOP, success=_EXP45_SUCCESS, test_size=2560,
        reported={
            "weights": Reported(93, "93", "value"),
            "wrong_of_2560": Reported(1, "1 out of 2560", "mean"),
            "sequences_mean": Reported(74000, "74,000", "mean"),
            **_EXP4_BOUNDS,
        },
        notes=_TABLE7_NOTES),
    PaperRow(
        id="4-2", table="Table 7", method="LSTM", competitor=False, config_row="4-2",
        task_params={"T": 500, "min_lag": 250}, trials=10,
        stopping=_EXP4_STOP, success=_EXP45_SUCCESS, test_size=2560,
        reported={
            "weights": Reported(93, "93", "value"),
            "wrong_of_2560": Reported(0, "0 out of 2560", "mean"),
            "sequences_mean": Reported(209000, "209,000", "mean"),
            **_EXP4_BOUNDS,
        },
        notes=_TABLE7_NOTES),
    PaperRow(
        id="4-3", table="Table 7", method="LSTM", competitor=False, config_row="4-3",
        task_params={"T": 1000, "min_lag": 500}, trials=10,
        stopping=_EXP4_STOP, success=_EXP45_SUCCESS, test_size=2560,
        reported={
            "weights": Reported(93, "93", "value"),
            "wrong_of_2560": Reported(1, "1 out of 2560", "mean"),
            "sequences_mean": Reported(853000, "853,000", "mean"),
            "sequences_range": Reported((370000, 2020000), "For T = 1000 the number of required "
                                        "training examples varies between 370,000 and 2,020,000",
                                        "range"),
            "trials_above_700000": Reported(3, "exceeding 700,000 in only 3 cases", "value"),
            **_EXP4_BOUNDS,
        },
        notes=_TABLE7_NOTES + "  Range and count from the Table 7 caption."),

    # --- Table 8: Experiment 5, multiplication problem (Section 5.5) --------------------------
    PaperRow(
        id="5-nseq140", table="Table 8", method="LSTM", competitor=False, config_row="5",
        task_params={"T": 100, "min_lag": 50, "n_seq": 140}, trials=10,
        stopping=_EXP5_STOP, success=_EXP45_SUCCESS, test_size=2560,
        reported={
            "weights": Reported(93, "93", "value"),
            "wrong_of_2560": Reported(139, "139 out of 2560", "mean"),
            "mse": Reported(0.0223, "0.0223", "mean"),
            "sequences_mean": Reported(482000, "482,000", "mean"),
            "test_error_max": Reported(0.026, "the average test set error was always below 0.026 "
                                       "(0.013)", "below"),
            "wrong_of_2560_max": Reported(170, "there were never more than 170 (15) incorrectly "
                                          "processed sequences", "at_most"),
        },
        notes=_TABLE8_NOTES),
    PaperRow(
        id="5-nseq13", table="Table 8", method="LSTM", competitor=False, config_row="5",
        task_params={"T": 100, "min_lag": 50, "n_seq": 13}, trials=10,
        stopping=_EXP5_STOP, success=_EXP45_SUCCESS, test_size=2560,
        reported={
            "weights": Reported(93, "93", "value"),
            "wrong_of_2560": Reported(14, "14 out of 2560", "mean"),
            "mse": Reported(0.0139, "0.0139", "mean"),
            "sequences_mean": Reported(1273000, "1,273,000", "mean"),
            "test_error_max": Reported(0.013, "the average test set error was always below 0.026 "
                                       "(0.013)", "below"),
            "wrong_of_2560_max": Reported(15, "there were never more than 170 (15) incorrectly "
                                          "processed sequences", "at_most"),
        },
        notes=_TABLE8_NOTES + "  Here the mean MSE (0.0139) exceeds the text's bound on every "
              "trial's average test set error (0.013), so that error is not the MSE."),

    # --- Table 9: Experiment 6, temporal order (Section 5.6) ----------------------------------
    PaperRow(
        id="6a", table="Table 9", method="LSTM", competitor=False, config_row="6a",
        task_params={}, trials=20,
        stopping=_EXP6_STOP, success=_EXP6_SUCCESS, test_size=2560,
        reported={
            "weights": Reported(156, "156", "value"),
            "wrong_of_2560": Reported(1, "1 out of 2560", "mean"),
            "sequences_mean": Reported(31390, "31,390", "mean"),
            **_EXP6_BOUNDS,
        },
        notes=_TABLE9_NOTES + "  Task 6a: means of 20 trials."),
    PaperRow(
        id="6b", table="Table 9", method="LSTM", competitor=False, config_row="6b",
        task_params={}, trials=10,
        stopping=_EXP6_STOP, success=_EXP6_SUCCESS, test_size=2560,
        reported={
            "weights": Reported(308, "308", "value"),
            "wrong_of_2560": Reported(2, "2 out of 2560", "mean"),
            "sequences_mean": Reported(571100, "571,100", "mean"),
            **_EXP6_BOUNDS,
        },
        notes=_TABLE9_NOTES + "  Task 6b: means of 10 trials."),
)

PAPER_ROWS: dict[str, PaperRow] = {r.id: r for r in _ROWS_1997}

# Rows of this reproduction beside a 1997 row: the same row, run under the other reading of Table
# 10's "r" gate bias (open ambiguity 5) or of its legend's squasher ranges (open ambiguity 7; the
# networks: lstm_repro.rows.READINGS).  The paper reports one result per row, whichever reading it
# ran, so a reading row is compared with its base row's numbers.
READINGS_1997 = (   # (base row, suffix, the reading)
    ("4-1", "-ogb", "output-gate biases -2, -4 (Section 4 cites Experiment 4 for the negative "
                    "output-gate bias; Table 10: r)"),
    ("5-nseq140", "-igb", "input-gate biases -3, -6 (Section 4: the drift remedy is “confirmed by "
                          "Experiments 4 and 5”; Table 10: r)"),
    ("5-nseq13", "-igb", "input-gate biases -3, -6 (Section 4: the drift remedy is “confirmed by "
                         "Experiments 4 and 5”; Table 10: r)"),
    ("6a", "-ogb", "output-gate biases -2, -4 (Section 4 cites Experiment 6 for the negative "
                   "output-gate bias; Table 10: r)"),
    ("6b", "-ogb", "output-gate biases -2, -4, -6 (Section 4 cites Experiment 6 for the negative "
                   "output-gate bias; Table 10: r)"),
    *((row, "-legend", "the squasher ranges of Table 10's legend: g in [-1, 1], h in [-2, 2] (Section "
                       "5.2's text and Appendix eqs. (4)-(5): g in [-2, 2], h in [-1, 1])")
      for row in (f"2c-{i}" for i in range(1, 10))),
)
READING_ROWS: dict[str, PaperRow] = {
    base + suffix: replace(PAPER_ROWS[base], id=base + suffix,
                           table=f"{PAPER_ROWS[base].table}, other reading",
                           notes=f"Not a row of the paper: row {base} with {reading}; the paper's "
                                 f"numbers are those of row {base}.  " + PAPER_ROWS[base].notes)
    for base, suffix, reading in READINGS_1997}

# The Table 1 caption's count over the five LSTM rows (5 x 30 trials).
TABLE1_CAPTION_FAILURES = Reported(2, "only two failures out of 150 trials", "value")
TABLE1_CAPTION_TRIALS = Reported(150, "only two failures out of 150 trials", "value")


# ---------------------------------------------------------------------------------------------
# Gers & Schmidhuber (2001) and Perez-Ortiz et al. (2003): verified claims only
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourcedClaim:
    """A claim read in a public source; ``source`` names it and ends with the tag "[V]"."""
    text: str
    source: str


GERS2001_CLAIMS = (
    SourcedClaim("LSTM outperforms traditional RNNs on context-free language (CFL) benchmarks for RNNs, "
                 "and works even better than previous hardwired or highly specialized architectures.",
                 "Gers & Schmidhuber (2001), abstract [V]"),
    SourcedClaim("LSTM variants are, to the authors' knowledge, the first RNNs to learn a simple "
                 "context-sensitive language (CSL), a^n b^n c^n.",
                 "Gers & Schmidhuber (2001), abstract [V]"),
    SourcedClaim("The languages include a^n b^n (a CFL) and a^n b^n c^n (a CSL).",
                 "shared/reference/gers2001.md, 'The languages' [V]"),
    SourcedClaim("LSTM trained with a decoupled extended Kalman filter (DEKF) needs only the 10 shortest "
                 "exemplars of a^n b^n c^n to deal correctly with n up to 1000 and more.",
                 "Perez-Ortiz, Gers, Eck & Schmidhuber (2003), Neural Networks, and the ICANN 2002 "
                 "version, abstract [V]"),
    SourcedClaim("Second-order sequential cascaded networks also learn a^n b^n c^n.",
                 "Boden & Wiles (2002), IEEE TNN comment paper, abstract [V]"),
    SourcedClaim("In peephole LSTM with forget gates the input and forget gates see s_c(t-1); the output "
                 "gate is computed after the cell update and sees s_c(t).",
                 "Gers' own pseudo-code for 'Peephole LSTM with Forget Gates' [V]"),
)

_GERS_UNVERIFIED = "not verified: the full text of the paper could not be checked (gers2001.md)"
_GERS_NOTES = ("No number of this paper is verified.  The reproduction's protocol choices (cell, "
               "training set, acceptance rule, learning rate) are stated in its chapter; recollected "
               "[R] and secondary [S] values of gers2001.md are never the paper's value.")

_ROWS_GERS = (
    PaperRow(
        id="2001-anbn", table="Gers & Schmidhuber (2001), abstract", method="LSTM", competitor=False,
        config_row=None, task_params={"language": "a^n b^n"}, trials=None,
        stopping=_GERS_UNVERIFIED, success=_GERS_UNVERIFIED, test_size=None,
        reported={"claim": Reported(None, GERS2001_CLAIMS[0].text, "text")},
        notes="LSTM with forget gates and peephole connections.  " + _GERS_NOTES, source="gers2001"),
    PaperRow(
        id="2001-anbncn", table="Gers & Schmidhuber (2001), abstract", method="LSTM", competitor=False,
        config_row=None, task_params={"language": "a^n b^n c^n"}, trials=None,
        stopping=_GERS_UNVERIFIED, success=_GERS_UNVERIFIED, test_size=None,
        reported={"claim": Reported(None, GERS2001_CLAIMS[1].text, "text")},
        notes="LSTM with forget gates and peephole connections.  " + _GERS_NOTES, source="gers2001"),
    PaperRow(
        id="2001-anbmBmAn", table="Gers & Schmidhuber (2001), abstract", method="LSTM",
        competitor=False, config_row=None, task_params={"language": "a^n b^m B^m A^n"}, trials=None,
        stopping=_GERS_UNVERIFIED, success=_GERS_UNVERIFIED, test_size=None,
        reported={},
        notes="That the paper uses this palindrome-like CFL (Rodriguez & Wiles 1998) is a secondary "
              "[S] statement; no claim about it is verified, so nothing is reported.  " + _GERS_NOTES,
        source="gers2001"),
    PaperRow(
        id="2003-dekf-anbncn", table="Perez-Ortiz et al. (2003), abstract", method="LSTM",
        competitor=False, config_row=None, task_params={"language": "a^n b^n c^n"}, trials=None,
        stopping=_GERS_UNVERIFIED, success=_GERS_UNVERIFIED, test_size=None,
        reported={
            "train_exemplars": Reported(10, "the 10 shortest exemplars", "value"),
            "generalised_n_max": Reported(1000, "n up to 1000 and more", "at_least"),
        },
        notes="LSTM trained by a decoupled extended Kalman filter (DEKF), not by gradient descent.  "
              "The reference sheet reads the 10 shortest exemplars as n <= 10 (n = 1..10 if n starts "
              "at 1).", source="perezortiz2003"),
)


def _gers_variant(base: str, suffix: str, training: str) -> PaperRow:
    """A row of this reproduction beside Gers row ``base``: the same language, another training
    range or another choice (lstm_repro.protocols.FORMAL_VARIANTS); nothing of the paper to
    compare with."""
    row = next(r for r in _ROWS_GERS if r.id == base)
    return PaperRow(
        id=base + suffix, table=f"variant of {base}: {training}", method="LSTM", competitor=False,
        config_row=None, task_params=dict(row.task_params), trials=None,
        stopping=_GERS_UNVERIFIED, success=_GERS_UNVERIFIED, test_size=None,
        reported={},
        notes=f"Not a row of the paper: {training}, to show how generalisation depends on that "
              f"choice; the verified claim is that of {base}.  " + _GERS_NOTES,
        source="gers2001")


_GERS_VARIANTS = {   # base row: (suffix, what changes), as lstm_repro.protocols.FORMAL_VARIANTS
    **{base: (("-r1-20", "n = 1..20"), ("-r1-40", "n = 1..40"), ("-only20-21", "only n = 20, 21"),
              ("-B-keep", "connectivity B, lr 1e-4, 300,000 strings on after learning"))
       for base in ("2001-anbn", "2001-anbncn")},
    "2001-anbmBmAn": (("-r1-20", "n, m = 1..20"), ("-r1-40", "n, m = 1..40"),
                      ("-only20-21", "only n, m = 20, 21")),
}
_ROWS_GERS = tuple(v for r in _ROWS_GERS for v in (r, *(
    _gers_variant(r.id, suffix, training) for suffix, training in _GERS_VARIANTS.get(r.id, ()))))

GERS2001_ROWS: dict[str, PaperRow] = {r.id: r for r in _ROWS_GERS}

# Not the paper's: the public reimplementation the book must beat (gers2001.md, "Public
# reimplementations, for orientation only" [S]): npow/schmidhuber-problems, anbn-anbncn/ (peephole
# LSTM, full BPTT, Adam), trained on n <= 10, generalises to about these n.
REIMPLEMENTATION_2001 = {
    "anbn": Reported(65, "n ≈ 65 (npow/schmidhuber-problems: peephole LSTM, BPTT, Adam; n <= 10)",
                     "approx"),
    "anbncn": Reported(29, "n ≈ 29 (npow/schmidhuber-problems: peephole LSTM, BPTT, Adam; n <= 10)",
                       "approx"),
}

ALL_ROWS: dict[str, PaperRow] = {    # each reading row right after its base row
    **{k: r for row_id, row in PAPER_ROWS.items()
       for k, r in ((row_id, row), *((base + suffix, READING_ROWS[base + suffix])
                                     for base, suffix, _ in READINGS_1997 if base == row_id))},
    **GERS2001_ROWS}


# ---------------------------------------------------------------------------------------------
# Look-ups
# ---------------------------------------------------------------------------------------------

def get(row_id: str) -> PaperRow:
    """The row with id ``row_id`` (1997 or Gers); raises ``KeyError`` listing the valid ids."""
    if row_id not in ALL_ROWS:
        raise KeyError(f"no paper row {row_id!r}; valid ids: {', '.join(ALL_ROWS)}")
    return ALL_ROWS[row_id]


def rows_for_table(n: int) -> list[PaperRow]:
    """The rows of Table ``n`` (1-9) of Hochreiter & Schmidhuber (1997), in the paper's order."""
    if isinstance(n, bool) or n not in range(1, 10):
        raise ValueError(f"table {n!r} is not a results table; valid tables: 1, 2, ..., 9 "
                         f"(Task 2b's text-only row: get('2b'))")
    return [r for r in PAPER_ROWS.values() if r.table == f"Table {n}"]


def lstm_rows() -> list[PaperRow]:
    """The 1997 LSTM rows (tables and Task 2b's text), each with a Table 10 ``config_row``."""
    return [r for r in PAPER_ROWS.values() if not r.competitor]


def config(row_id: str) -> Table10Row:
    """The Table 10 row of the network behind LSTM row ``row_id``."""
    row = get(row_id)
    if row.config_row is None:
        lstm_ids = ", ".join(r.id for r in lstm_rows())
        raise KeyError(f"row {row_id!r} has no Table 10 configuration; rows that have one: {lstm_ids}")
    return TABLE10[row.config_row]
