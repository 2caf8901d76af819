"""The reproduction scorecard: each row's stored trials summarised beside the paper's numbers, and a
verdict by the rules below.

How the paper averages.  Every "success after", "ST1"/"ST2" and "stop" column of Tables 1-9 is a
mean over the row's trials (Table 1: 30, Tables 2 and 2b: 18, Table 3: 20, Tables 4-8: 10,
Table 9: 20 and 10).  Where some trials failed (Tables 1, 2) the mean is presumably over the
successful trials only (unverified; reference sheet section 8, item 9).  Tables 3-9 print no
success rate: their means are read as "every trial reached the stopping criterion" (100 %).
Test-set columns (wrong of 2560, misclassified fraction, MSE, average difference) are means over
the same trials, measured after training stopped.  Ours are summarised the same way: sequences
and test errors over the trials that reached the criterion; a trial that ran out of budget is a
failure, listed with its budget and never averaged in.

Verdict rules (applied by :func:`summarize` and :func:`verdict`; the numbers are the constants
of this module)

| check | holds when |
|---|---|
| success rate | our success count is consistent with the paper's: Fisher exact p >= 0.05 (note 1) |
| sequences | our mean sequences until success is within a factor 2 of the paper's mean (note 2) |
| test error | our mean test error is at most max(3 of 2560, 3 x the paper's) (note 3) |

| verdict | when |
|---|---|
| reproduced | every check that applies holds |
| partly | some, not all, hold |
| not reproduced | none holds |
| not run | no trial is stored |
| no paper number | trials are stored, but the paper gives no number to check |

Notes to the checks:

1. Two-sided, on the 2x2 table of our successes/failures and the paper's (its % of its trial
   count; 100 % where a table prints means but no rate).  The paper's rate is itself an estimate
   from 10-30 trials, so it is not treated as exact; our 95 % Wilson interval is shown beside it.
2. Mean against mean: ours over the trials that reached the criterion, as the paper averages.
   The distributions are heavy-tailed (one slow trial of ten can hold most of a mean), so ours is
   shown with its 95 % percentile-bootstrap interval (10,000 resamples of the trials, a fixed
   seed) and our median; they inform, the check uses the mean.  The paper's own mean has a spread
   of the same kind, which it does not print; the factor 2 is the allowance for it.  (An earlier
   version compared our median with the paper's mean; the median and the mean of a skewed
   distribution differ by more than the tolerance, in either direction, so that was not like
   with like.)
   In Experiment 3 both ST1 and ST2.  Needs at least one success.
3. Only where the paper reports test errors: the floor applies to wrong of 2560 and misclassified
   fractions; MSE and average difference must be at most 3 x the paper's.  Ours is the mean over
   the successful trials; needs at least one.
4. Table 8's column "MSE" (0.0223 for n_seq = 140, 0.0139 for 13) is compared with our mean
   per-trial root mean squared error, and our MSE is shown beside it.  Read as a mean squared
   error it would be an RMSE of 0.15 (0.12), three to ten times the 0.04 that counts a sequence as
   wrong, while the text bounds every trial's "average test set error" by 0.026 (0.013) and the
   wrong sequences by 170 (15) of 2560; read as an RMSE it agrees with both.  As an MSE bound the
   check would also hold trivially for any trained net.

Gers & Schmidhuber (2001) and Perez-Ortiz et al. (2003).  The paper's column holds only the
verified claims (``lstm_repro.paper.GERS2001_CLAIMS``).  Ours: the % of trials that learned the
training set (every training string accepted), the training strings until then, and each trial's
generalisation limit N (every string with n <= N accepted; for a^n b^m B^m A^n every n, m <= N).

| row | check | holds when |
|---|---|---|
| 2001-anbn, 2001-anbncn (claim: learned) | learns and generalises | at least half of the trials learn the training set, and the best of them accepts every string up to an N above the largest training n |
| 2003-dekf-anbncn (n up to 1000 and more) | generalisation | the best trial's N is at least 1000 |

The 2001 check is a weak reading of the claims: it asks that LSTM learns the language (beyond
its training strings), not that it does better than earlier recurrent nets ("outperforms
traditional RNNs") or by how much; the abstracts give no number to compare with.  A "reproduced"
here says no more than that.

The other 2001 rows (the palindrome, whose use by the paper is secondary, and our variants with
other training ranges) have nothing of the paper to check: "no paper number".

A row with fewer stored trials than its protocol's (at paper scale the paper's count; where the
paper gives none, ours) is marked "(n of N trials)".  The text's per-trial
bounds and ranges ("never more than 3 incorrectly processed sequences") are checked and shown
with :meth:`lstm_repro.paper.Reported.admits` but do not enter the verdict.  Competitor rows (RTRL,
BPTT, ELM, RCC, CH) are shown as the paper's reference only, never with a verdict; Gers &
Schmidhuber (2001) rows carry no verified number, so stored trials of them get "no paper number".
"""
from __future__ import annotations

import json
import statistics
from dataclasses import MISSING, dataclass, field, fields
from math import comb, sqrt
from pathlib import Path

import numpy as np

from . import paper
from .protocols import PROTOCOLS, Protocol, get_protocol
from .provenance import SCALES
from .results import ResultsError, default_root, read_json, row_dir
from .spec import check_choice

ALPHA = 0.05          # level of the success-rate test
Z95 = 1.959963984540054   # standard normal 97.5 % quantile: the 95 % Wilson interval
SPEED_FACTOR = 2.0    # our mean within [paper / 2, paper * 2]
BOOT_RESAMPLES = 10_000   # bootstrap resamples for the interval shown beside our mean (note 2)
BOOT_SEED = 0             # ... drawn from this seed, so a verdict is the same on every run
TEST_FACTOR = 3.0     # our mean test error at most 3 x the paper's ...
TEST_FLOOR = 3        # ... or 3 wrong of 2560, whichever is larger (counts and fractions)
TEST_N = 2560         # the paper's test-set size (Tables 4-9)

VERDICTS = ("reproduced", "partly", "not reproduced", "not run", "no paper number")
REFERENCE = "paper's reference"     # the "verdict" column of competitor rows
REQUIRED_KEYS = ("row", "trial", "success", "sequences", "budget")


def rules_markdown() -> str:
    """The averaging note and the verdict rules of this module's docstring, as Markdown."""
    start = __doc__.index("How the paper averages")
    return __doc__[start:].replace(":func:", "").replace(":meth:", "").strip()


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------

def mean_interval(values: list[int], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, lo, hi): the mean of ``values`` and its ``level`` percentile-bootstrap interval
    (:data:`BOOT_RESAMPLES` resamples with replacement, seed :data:`BOOT_SEED`; deterministic)."""
    x = np.asarray(values, dtype=float)                                  # (n,)
    if x.size == 0:
        raise ValueError("mean_interval needs at least one value")
    idx = np.random.default_rng(BOOT_SEED).integers(0, x.size, (BOOT_RESAMPLES, x.size))
    means = x[idx].mean(axis=1)                                          # (BOOT_RESAMPLES,)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(x.mean()), float(lo), float(hi)


def ratio_interval(base: list[int], other: list[int], level: float = 0.95
                   ) -> tuple[float, float, float]:
    """(ratio, lo, hi): mean(``other``) / mean(``base``) and its ``level`` percentile-bootstrap
    interval, each sample resampled on its own (independent trials; :data:`BOOT_RESAMPLES`,
    seed :data:`BOOT_SEED`).  Compares two sets of trials, e.g. a row and its other reading."""
    a, b = np.asarray(base, dtype=float), np.asarray(other, dtype=float)          # (n,), (m,)
    if a.size == 0 or b.size == 0:
        raise ValueError("ratio_interval needs at least one value in each sample")
    rng = np.random.default_rng(BOOT_SEED)
    ma = a[rng.integers(0, a.size, (BOOT_RESAMPLES, a.size))].mean(axis=1)      # (BOOT_RESAMPLES,)
    mb = b[rng.integers(0, b.size, (BOOT_RESAMPLES, b.size))].mean(axis=1)      # (BOOT_RESAMPLES,)
    lo, hi = np.quantile(mb / ma, [(1 - level) / 2, (1 + level) / 2])
    return float(b.mean() / a.mean()), float(lo), float(hi)


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion k/n (95 % by default), as fractions."""
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"wilson_interval needs 0 <= k <= n and n >= 1; got k={k}, n={n}")
    p, z2 = k / n, z * z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return (0.0 if k == 0 else center - half), (1.0 if k == n else center + half)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p of Fisher's exact test on the 2x2 table [[a, b], [c, d]].

    The sum of the hypergeometric probabilities of every table with the same margins that is no
    more likely than the observed one (the convention of R's ``fisher.test``).
    """
    if min(a, b, c, d) < 0:
        raise ValueError(f"a 2x2 table holds counts >= 0; got {[[a, b], [c, d]]}")
    row1, col1, n = a + b, a + c, a + b + c + d
    total = comb(n, row1)

    def prob(x: int) -> float:
        return comb(col1, x) * comb(n - col1, row1 - x) / total

    observed = prob(a)
    tables = range(max(0, row1 + col1 - n), min(row1, col1) + 1)
    return min(1.0, sum(p for p in map(prob, tables) if p <= observed * (1 + 1e-7)))


# ---------------------------------------------------------------------------------------------
# Loading stored trials
# ---------------------------------------------------------------------------------------------

def results_dir(row_id: str, root: Path | None = None, scale: str = "paper") -> Path:
    """Where the trials of ``row_id`` at ``scale`` are stored (see :mod:`lstm_repro.results`)."""
    paper.get(row_id)
    check_choice("scale", scale, SCALES)
    return row_dir(Path(root) if root is not None else default_root(scale), scale, row_id)


def load_records(row_id: str, root: Path | None = None, scale: str = "paper") -> list[dict]:
    """The stored trial records of ``row_id`` (paper scale under ``data/results`` by default).

    No folder: no trials.  A file that does not parse, a record without the keys a trial has, a
    record of another row, or a ``config.json`` that differs from the row's current protocol
    raises :class:`~lstm_repro.results.ResultsError` naming the file; nothing is skipped silently.
    """
    directory = results_dir(row_id, root, scale)
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("trial-*.json"))
    config = directory / "config.json"
    if files and row_id in PROTOCOLS:
        if not config.is_file():
            raise ResultsError(f"{directory} holds trials but no config.json, so the protocol they "
                               f"ran with is unknown; they are not scored")
        _check_config(config, row_id, scale)
    records = []
    for path in files:
        record = read_json(path)
        missing = [k for k in REQUIRED_KEYS if k not in record] if isinstance(record, dict) \
            else list(REQUIRED_KEYS)
        if missing:
            raise ResultsError(f"results file {path} is not a trial record (missing: "
                               f"{', '.join(missing)}); it was left untouched")
        if record["row"] != row_id:
            raise ResultsError(f"results file {path} holds row {record['row']!r}, not {row_id!r}")
        records.append(record)
    return records


def _check_config(path: Path, row_id: str, scale: str) -> None:
    """Raise unless ``path`` (a config.json) holds the row's current protocol.  A field added to
    :class:`~lstm_repro.protocols.Protocol` after the runs is no difference while the current
    protocol keeps its default."""
    stored = read_json(path).get("protocol") or {}
    current = json.loads(json.dumps(get_protocol(row_id, scale).to_dict()))
    defaults = {f.name: f.default for f in fields(Protocol) if f.default is not MISSING}

    def differs(key: str) -> bool:
        if key in stored:
            return key not in current or stored[key] != current[key]
        return key not in defaults or defaults[key] != current[key]

    keys = sorted(k for k in set(current) | set(stored) if differs(k))
    if keys:
        raise ResultsError(f"{path} was run with another protocol than row {row_id}'s current one "
                           f"(differs in: {', '.join(keys)}); its trials are not scored.  Rerun "
                           f"`python -m lstm_repro run {row_id} --scale {scale} --force` (a backup "
                           f"is kept) or restore the protocol")


# ---------------------------------------------------------------------------------------------
# Row summaries
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One comparison with the paper: what, ours, the paper's, the rule, and whether it holds."""
    name: str
    ours: str
    paper: str
    rule: str
    holds: bool


@dataclass
class Summary:
    """A row's stored trials summarised as the paper reports them, with the checks and verdict."""
    row: paper.PaperRow
    trials: int = 0
    successes: int = 0
    sequences: list[int] = field(default_factory=list)   # successful trials, trial order
    st1: list[int] = field(default_factory=list)         # Exp 3: ST1 of successful trials
    failures: list[dict] = field(default_factory=list)   # {"trial", "sequences", "budget"}
    test: dict = field(default_factory=dict)             # aggregated over successful trials
    checks: list[Check] = field(default_factory=list)
    bounds: list[Check] = field(default_factory=list)
    verdict: str = "not run"
    generalisation: list[dict] = field(default_factory=list)   # 2001 rows: per trial, trial order
    scale: str = "paper"                                 # of the stored trials

    @property
    def paper_trials(self) -> int | None:
        return self.row.trials

    @property
    def success_ci(self) -> tuple[float, float] | None:
        return wilson_interval(self.successes, self.trials) if self.trials else None

    @property
    def planned_trials(self) -> int | None:
        """The trial count of the row's protocol at the summary's scale (at paper scale the
        paper's, and where the paper gives none, as for the 2001 rows, ours); for a row without
        a protocol (competitors), the paper's."""
        if self.row.id in PROTOCOLS:
            return get_protocol(self.row.id, self.scale).trials
        return self.paper_trials

    @property
    def verdict_text(self) -> str:
        """The verdict, with "(n of N trials)" while fewer trials than planned are stored."""
        n, planned = self.trials, self.planned_trials
        if n and planned and n < planned and self.verdict != REFERENCE:
            return f"{self.verdict} ({n} of {planned} trials)"
        return self.verdict

    def stats(self, values: list[int]) -> dict | None:
        if not values:
            return None
        return {"mean": statistics.fmean(values), "median": statistics.median(values),
                "min": min(values), "max": max(values)}

    def generalisation_stats(self) -> dict | None:
        """2001 rows: the generalisation limit N over every trial and over the trials that
        learned the training set (median, best), with the highest level tested."""
        if not self.generalisation:
            return None
        every = [g["N"] for g in self.generalisation]
        learned = [g["N"] for g in self.generalisation if g["learned"]]
        return {"N_median": statistics.median(every), "N_best": max(every),
                "N_median_learned": statistics.median(learned) if learned else None,
                "tested_up_to": min(g["tested_up_to"] for g in self.generalisation),
                "train_max": self.generalisation[0]["train_max"], "N": every}

    def to_dict(self) -> dict:
        """A JSON-able record of the row: the paper's numbers, ours, the checks and the verdict."""
        r = self.row
        ci = self.success_ci
        return {
            "row": r.id, "table": r.table, "method": r.method, "competitor": r.competitor,
            "source": r.source, "task_params": r.task_params,
            "paper": {"trials": r.trials, **{k: {"value": v.value, "text": v.text, "kind": v.kind}
                                             for k, v in r.reported.items()}},
            "ours": None if not self.trials else {
                "trials": self.trials, "successes": self.successes,
                "success_pct": 100.0 * self.successes / self.trials,
                "success_ci95_pct": [100.0 * ci[0], 100.0 * ci[1]],
                "sequences": self.stats(self.sequences), "st1": self.stats(self.st1),
                "failures": self.failures, "test": self.test,
                "generalisation": self.generalisation_stats()},
            "checks": [vars(c) for c in self.checks], "bounds": [vars(c) for c in self.bounds],
            "verdict": self.verdict, "verdict_text": self.verdict_text,
        }


def paper_success_pct(row: paper.PaperRow) -> float | None:
    """The paper's success rate in %: printed, or 100 where a table prints means but no rate."""
    reported = row.reported.get("success_pct")
    if reported is not None:
        return reported.value          # None for "some fraction"
    if row.source == "hochreiter1997" and not row.competitor:
        return 100.0
    return None


def summarize(row_id: str, records: list[dict], scale: str = "paper") -> Summary:
    """The summary of ``records`` (trial records of ``row_id`` at ``scale``), its checks and
    verdict."""
    row = paper.get(row_id)
    s = Summary(row=row, trials=len(records), scale=scale)
    wins = sorted((r for r in records if r["success"]), key=lambda r: r["trial"])
    s.successes = len(wins)
    s.sequences = [int(r["sequences"]) for r in wins]
    s.st1 = [int(r["events"]["st1"]) for r in wins if "st1" in r.get("events", {})]
    s.failures = [{"trial": r["trial"], "sequences": r["sequences"], "budget": r["budget"]}
                  for r in sorted(records, key=lambda r: r["trial"]) if not r["success"]]
    s.test = _aggregate_tests([r["test"] for r in wins if "test" in r])
    s.generalisation = [{"trial": r["trial"], "learned": bool(r["success"]), **r["generalisation"]}
                        for r in sorted(records, key=lambda r: r["trial"]) if "generalisation" in r]
    if row.competitor:
        s.verdict = REFERENCE
        return s
    if not records:
        return s
    s.checks = [c for c in (_success_check(s), _speed_check(s), _test_check(s),
                            _generalisation_check(s)) if c is not None]
    s.bounds = _bound_checks(s)
    s.verdict = verdict(s.trials, [c.holds for c in s.checks])
    return s


def verdict(trials: int, holds: list[bool]) -> str:
    """The verdict from the number of stored trials and the outcome of each applicable check."""
    if trials == 0:
        return "not run"
    if not holds:
        return "no paper number"
    if all(holds):
        return "reproduced"
    return "partly" if any(holds) else "not reproduced"


def _aggregate_tests(tests: list[dict]) -> dict:
    if not tests:
        return {}
    frac = [t["wrong"] / t["n"] for t in tests]
    out = {"trials": len(tests), "n": tests[0]["n"],
           "wrong_of_2560": TEST_N * statistics.fmean(frac),
           "wrong_of_2560_max": TEST_N * max(frac),
           "misclassified_frac": statistics.fmean(frac),
           "mse": statistics.fmean(t["mse"] for t in tests),
           "rmse": statistics.fmean(sqrt(t["mse"]) for t in tests),
           "mean_abs": statistics.fmean(t["mean_abs"] for t in tests),
           "mean_abs_max": max(t["mean_abs"] for t in tests)}
    if all("mean_abs_clean" in t for t in tests):
        out["avg_diff"] = statistics.fmean(t["mean_abs_clean"] for t in tests)
    return out


def _success_check(s: Summary) -> Check | None:
    pct, paper_n = paper_success_pct(s.row), s.paper_trials
    if pct is None or not paper_n:
        return None
    paper_k = round(pct / 100 * paper_n)
    p = fisher_exact(s.successes, s.trials - s.successes, paper_k, paper_n - paper_k)
    lo, hi = s.success_ci
    printed = "success_pct" in s.row.reported
    return Check("success rate",
                 f"{s.successes}/{s.trials} = {100 * s.successes / s.trials:.0f} % "
                 f"[{100 * lo:.0f}-{100 * hi:.0f}], Fisher p = {p:.3f}",
                 f"{pct:.0f} % of {paper_n}" + ("" if printed else " (implied)"),
                 f"Fisher exact test p >= {ALPHA}", p >= ALPHA)


def _speed_targets(row: paper.PaperRow) -> list[tuple[str, str]]:
    """(label, reported key) of the paper's sequences-until-success numbers for this row."""
    if "st2_sequences" in row.reported:
        return [("ST1", "st1_sequences"), ("ST2", "st2_sequences")]
    rep = row.reported.get("sequences_mean")
    return [("sequences", "sequences_mean")] if rep and rep.kind in ("mean", "value") else []


def _speed_check(s: Summary) -> Check | None:
    targets = _speed_targets(s.row)
    if not targets:
        return None
    ours, theirs, holds = [], [], True
    for label, key in targets:
        values = s.st1 if label == "ST1" else s.sequences
        ref = s.row.reported[key].value
        prefix = f"{label} " if len(targets) > 1 else ""
        theirs.append(f"{prefix}mean {ref:,.0f}")
        if not values:
            ours.append(f"{prefix}no success")
            holds = False
            continue
        mean, lo, hi = mean_interval(values)
        ours.append(f"{prefix}mean {mean:,.0f} [{lo:,.0f}-{hi:,.0f}], "
                    f"median {statistics.median(values):,.0f}")
        holds &= ref / SPEED_FACTOR <= mean <= ref * SPEED_FACTOR
    return Check("sequences", "; ".join(ours), "; ".join(theirs),
                 f"mean within a factor {SPEED_FACTOR:g} of the paper's mean", holds)


_TEST_KEYS = {  # reported key: (label, floor in the key's unit, format)
    "wrong_of_2560": ("wrong/2560", TEST_FLOOR, ".1f"),
    "misclassified_frac": ("misclassified", TEST_FLOOR / TEST_N, ".5f"),
    "mse": ("MSE", 0.0, ".4f"),
    "avg_diff": ("avg diff", 0.0, ".4f"),
}


_MEASURED = {"mse": "rmse"}    # reported key -> our measure it is compared with (note 4)


def _test_check(s: Summary) -> Check | None:
    keys = [k for k in _TEST_KEYS if k in s.row.reported]
    if not keys:
        return None
    if not s.test:
        ours, holds = ["no successful trial with a test"], False
    else:
        ours = [f"{_TEST_KEYS[k][0]} {s.test[k]:{_TEST_KEYS[k][2]}}" for k in keys if k in s.test]
        if "mse" in keys:                     # note 4: Table 8's "MSE" read as an RMSE
            ours.append(f"RMSE {s.test['rmse']:.4f}")
        holds = all(k in s.test and s.test[_MEASURED.get(k, k)] <= max(
                    _TEST_KEYS[k][1], TEST_FACTOR * s.row.reported[k].value) for k in keys)
    theirs = [f"{_TEST_KEYS[k][0]} {s.row.reported[k].value:g}" for k in keys]
    return Check("test error", "; ".join(ours), "; ".join(theirs),
                 f"ours <= max({TEST_FLOOR} of {TEST_N}, {TEST_FACTOR:g} x paper) "
                 f"({'RMSE for the MSE' if 'mse' in keys else 'MSE'}, avg diff: <= {TEST_FACTOR:g} x paper)",
                 holds)


def _generalisation_check(s: Summary) -> Check | None:
    """The 2001 rows' checks (see the module docstring); None for rows without a claim or
    without generalisation records."""
    stats = s.generalisation_stats()
    if stats is None:
        return None
    learned = [g for g in s.generalisation if g["learned"]]
    best = max(learned, key=lambda g: g["N"], default=None)
    ours = (f"{len(learned)}/{s.trials} learned; N median {stats['N_median']:g}, best "
            f"{stats['N_best']} (tested up to {stats['tested_up_to']})")
    rep = s.row.reported.get("generalised_n_max")
    if rep is not None:
        return Check("generalisation", ours, rep.text, f"best trial's N {rep.kind} {rep.value:g}",
                     rep.admits(stats["N_best"]))
    if "claim" not in s.row.reported:
        return None
    holds = 2 * len(learned) >= s.trials and best is not None and best["N"] > best["train_max"]
    return Check("learns and generalises", ours, s.row.reported["claim"].text,
                 "at least half learn the training set; the best accepts every string up to an "
                 "N above the largest training n (the comparison with earlier nets is not checked)",
                 holds)


def _bound_checks(s: Summary) -> list[Check]:
    """The text's per-trial bounds and ranges, checked on our worst (or every) successful trial."""
    ours = {"wrong_of_2560_max": s.test.get("wrong_of_2560_max"),
            "test_error_max": s.test.get("mean_abs_max")}
    if s.sequences:
        ours["sequences_range"] = (min(s.sequences), max(s.sequences))
    out = []
    for key, value in ours.items():
        rep = s.row.reported.get(key)
        if rep is None or value is None:
            continue
        if key == "sequences_range":
            holds = rep.admits(value[0]) and rep.admits(value[1])
            text = f"{value[0]:,}-{value[1]:,}"
        else:
            holds, text = rep.admits(value), f"{value:.4g}"
        note = " (read as mean absolute error)" if key == "test_error_max" else ""
        out.append(Check(paper.REPORTED_KEYS[key], text + note, rep.text,
                         f"{rep.kind} {rep.value}", holds))
    return out


def summarize_rows(row_ids=None, root: Path | None = None, scale: str = "paper") -> list[Summary]:
    """Summaries of ``row_ids`` (default: every row of both papers, in the papers' order)."""
    ids = list(paper.ALL_ROWS) if row_ids is None else list(row_ids)
    return [summarize(i, [] if paper.get(i).competitor else load_records(i, root, scale), scale)
            for i in ids]
