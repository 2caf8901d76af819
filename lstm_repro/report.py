"""The scorecard as text: Markdown tables, JSON and the one-line-per-row listing of ``list``.

Rows are :class:`lstm_repro.scorecard.Summary` objects; the chapters show their own rows with
:func:`lstm_table` (e.g. ``lstm_table(summarize_rows(["4-1", "4-2", "4-3"]))``).
"""
from __future__ import annotations

import json

from .paper import PaperRow
from .scorecard import Summary, rules_markdown

DASH = "—"


def _fmt_seq(x: float) -> str:
    return f"{x:,.0f}"


def paper_success(row: PaperRow) -> str:
    rep = row.reported.get("success_pct")
    trials = f" of {row.trials}" if row.trials else ""
    if rep is None:
        return f"(100 %{trials})" if row.trials and not row.competitor else DASH
    return rep.text if rep.value is None else f"{rep.value:.0f} %{trials}"


def paper_sequences(row: PaperRow) -> str:
    rep = row.reported
    if "st2_sequences" in rep:
        return f"ST1 {rep['st1_sequences'].text}; ST2 {rep['st2_sequences'].text}"
    parts = [rep["sequences_mean"].text] if "sequences_mean" in rep else []
    if "sequences_range" in rep:
        lo, hi = rep["sequences_range"].value
        parts.append(f"range {lo:,.0f}-{hi:,.0f}")
    return "; ".join(parts) or DASH


_PAPER_TEST = (("wrong_of_2560", "wrong {:g} of 2560"),
               ("misclassified_frac", "misclassified {:g}"),
               ("mse", "MSE {:g}"), ("avg_diff", "avg diff {:g}"))


def paper_test(row: PaperRow) -> str:
    parts = [label.format(row.reported[key].value) for key, label in _PAPER_TEST
             if key in row.reported]
    return "; ".join(parts) or DASH


def our_success(s: Summary) -> str:
    if not s.trials:
        return DASH
    lo, hi = s.success_ci
    return (f"{s.successes}/{s.trials} = {100 * s.successes / s.trials:.0f} % "
            f"[{100 * lo:.0f}-{100 * hi:.0f}]")


def our_sequences(s: Summary) -> str:
    if not s.trials:
        return DASH
    parts = []
    for label, values in (("ST1", s.st1), ("ST2" if s.st1 else "", s.sequences)):
        st = s.stats(values)
        if st:
            prefix = f"{label} " if label else ""
            parts.append(f"{prefix}median {_fmt_seq(st['median'])} (mean {_fmt_seq(st['mean'])}; "
                         f"{_fmt_seq(st['min'])}-{_fmt_seq(st['max'])})")
    if s.failures:
        budgets = sorted({f["budget"] for f in s.failures})
        parts.append(f"{len(s.failures)} failed at {', '.join(map(_fmt_seq, budgets))}")
    return "; ".join(parts)


def our_test(s: Summary) -> str:
    g = s.generalisation_stats()
    if g is not None:      # the 2001 rows: generalisation instead of a test set
        return (f"generalises to N: median {g['N_median']:g}, best {g['N_best']} "
                f"(tested up to {g['tested_up_to']}; trained up to {g['train_max']})")
    if not s.test:
        return DASH
    t = s.test
    parts = [f"wrong {t['wrong_of_2560']:.1f} of 2560",
             f"misclassified {t['misclassified_frac']:.5f}", f"MSE {t['mse']:.4f}"]
    if "avg_diff" in t:
        parts.append(f"avg diff {t['avg_diff']:.4f}")
    return "; ".join(parts) + (f" ({t['n']} per test)" if t["n"] != 2560 else "")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def lstm_table(summaries: list[Summary]) -> str:
    """Markdown table of LSTM rows: the paper's numbers, ours, and the verdict."""
    header = ["Row", "Source", "Paper: success", "Paper: sequences until success", "Paper: test",
              "Ours: success [95 % CI]", "Ours: sequences until success", "Ours: test", "Verdict"]
    rows = [[s.row.id, s.row.table, paper_success(s.row), paper_sequences(s.row),
             paper_test(s.row), our_success(s), our_sequences(s), our_test(s),
             f"**{s.verdict_text}**"]
            for s in summaries if not s.row.competitor]
    return _table(header, rows) + IMPLIED_NOTE


IMPLIED_NOTE = ("\n\nA success rate in brackets is implied: the table prints means over that many "
                "trials and no rate.  Our sequences and test errors are over the successful "
                "trials.")


def competitor_table(summaries: list[Summary]) -> str:
    """Markdown table of the competitor rows: the paper's reference numbers only."""
    header = ["Row", "Source", "Method", "Setup", "Paper: success", "Paper: sequences"]
    rows = [[s.row.id, s.row.table, s.row.method,
             ", ".join(f"{k}={v}" for k, v in {**s.row.task_params, **s.row.setup}.items()) or DASH,
             paper_success(s.row), paper_sequences(s.row)]
            for s in summaries if s.row.competitor]
    return _table(header, rows)


def checks_table(summaries: list[Summary]) -> str:
    """Markdown table of every check and text bound of the rows that have stored trials."""
    header = ["Row", "Check", "Ours", "Paper", "Rule", "Holds", "In verdict"]
    rows = [[s.row.id, c.name, c.ours, c.paper, c.rule, "yes" if c.holds else "no", counted]
            for s in summaries for checks, counted in ((s.checks, "yes"), (s.bounds, "no"))
            for c in checks]
    return _table(header, rows) if rows else "No row has stored trials."


def counts(summaries: list[Summary]) -> dict[str, int]:
    """How many LSTM rows have each verdict."""
    out: dict[str, int] = {}
    for s in summaries:
        if not s.row.competitor:
            out[s.verdict] = out.get(s.verdict, 0) + 1
    return out


def markdown(summaries: list[Summary], scale: str = "paper") -> str:
    """The whole scorecard: tally, LSTM table, checks, competitor reference and the rules."""
    tally = ", ".join(f"{v}: {n}" for v, n in counts(summaries).items())
    note = "" if scale == "paper" else (
        f"\n\n*These are {scale}-scale runs (shorter sequences, small budgets): their verdicts say "
        f"nothing about the paper's claims.*")
    parts = [f"# Scorecard ({scale} scale)", f"Rows: {tally}.{note}",
             "## LSTM rows", lstm_table(summaries),
             "## Checks of the rows with stored trials", checks_table(summaries)]
    if any(s.row.competitor for s in summaries):
        parts += ["## Competitors (the paper's reference, no verdict)", competitor_table(summaries)]
    return "\n\n".join(parts + ["## Rules", rules_markdown()]) + "\n"


def to_json(summaries: list[Summary], scale: str = "paper") -> str:
    return json.dumps({"scale": scale, "counts": counts(summaries),
                       "rows": [s.to_dict() for s in summaries]}, indent=1)


def list_lines(summaries: list[Summary], scale: str = "paper") -> list[str]:
    """A header and one line per row: id, method, stored trials of the planned (the protocol's
    at ``scale``), verdict, source; each column as wide as its longest entry."""
    rows = [("row", "meth.", "trials", f"verdict ({scale} scale)", "source")]
    for s in summaries:
        r = s.row
        stored = "-" if r.competitor else f"{s.trials}" + (f"/{s.planned_trials}"
                                                          if s.planned_trials else "")
        rows.append((r.id, r.method, stored, s.verdict_text, r.table))
    w = [max(len(row[i]) for row in rows) for i in range(4)]
    return [f"{a:{w[0]}s} {b:{w[1]}s} {c:>{w[2]}s}  {d:{w[3]}s}  {e}" for a, b, c, d, e in rows]
