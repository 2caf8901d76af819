"""Command line: ``python -m lstm_repro COMMAND``.

describe ROW | --all [--json]   a row's architecture and weight count (Table 10; ROW may also
                                be a row id of `run`, e.g. 3a-T100-N3 or 2001-anbn-B-keep)
bench [--quick] [--json]        cost per time step, engine vs PyTorch (see lstm_repro.bench)
run ROW --scale quick|paper [--trials N] [--jobs J] [--seed S] [--out DIR] [--force]
                                run (or resume) a row's trials; results in data/results (paper)
list [--scale S] [--root DIR]   every row, its stored trials and its verdict
sample TASK_OR_ROW [--n N] [--seed S] [--scale S]
                                generated sequences as JSON lines (see lstm_repro.cli_io)
evaluate WEIGHTS.npz --input FILE.jsonl
                                a stored network's outputs on the given sequences (JSON lines)
report [ROW ...] [--format md|json] [--scale S] [--root DIR]
                                the scorecard: the paper's numbers, ours and the verdicts
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .rows import ROWS, get_row
from .spec import describe


def _describe_record(row_id: str) -> dict:
    """describe's record of a Table 10 row (or its other reading), a 2001 network row, or a row id
    of ``run`` (its protocol's network, with the learning rate the trials use)."""
    from .protocols import PROTOCOLS, get_protocol
    from .rows import READINGS
    from .rows2001 import ROWS2001
    if row_id in ROWS or row_id in READINGS or row_id in ROWS2001:
        r = ROWS2001[row_id] if row_id in ROWS2001 else get_row(row_id)
        return {"row": r.row, "experiment": r.experiment if r.row in ROWS2001 else
                f"Section {r.experiment}", "learning_rate": r.lr, **describe(r.spec)}
    if row_id not in PROTOCOLS:
        raise KeyError(f"unknown row {row_id!r}; valid rows: the Table 10 rows "
                       f"{', '.join(ROWS)}; the 2001 networks {', '.join(ROWS2001)}; or a row "
                       f"id of `run` ({', '.join(PROTOCOLS)})")
    protocol = get_protocol(row_id)
    r = protocol.network
    return {"row": row_id, "experiment": f"network of row {r.row}", "learning_rate":
            protocol.learning_rate, **describe(r.spec)}


def cmd_describe(args) -> int:
    if args.all == (args.row is not None):
        print("error: describe takes one ROW or --all (not both); Table 10 rows: "
              + ", ".join(ROWS), file=sys.stderr)
        return 2
    records = [_describe_record(r) for r in (list(ROWS) if args.all else [args.row])]
    if args.json:
        print(json.dumps(records if args.all else records[0], indent=1))
        return 0
    for rec in records:
        print(f'row {rec["row"]} ({rec["experiment"]}): {rec["weights"]} weights')
        for key, value in rec.items():
            if key not in ("row", "experiment"):
                if isinstance(value, (tuple, list)):
                    value = ", ".join(map(str, value))
                print(f"  {key:26s} {value}")
    return 0


def cmd_bench(args) -> int:
    from . import bench
    result = bench.run(quick=args.quick)
    print(json.dumps(result, indent=1) if args.json else bench.format_table(result))
    return 0


def cmd_run(args) -> int:
    import statistics

    from .results import ResultsError
    from .runner import run_row
    try:
        records = run_row(args.row, scale=args.scale, trials=args.trials, jobs=args.jobs,
                          seed=args.seed, root=args.out, force=args.force,
                          progress=not args.no_progress, learner=args.learner)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    wins = [r for r in records if r["success"]]
    line = f"{args.row} ({args.scale}): {len(wins)}/{len(records)} trials succeeded"
    if wins:
        line += f"; median sequences until success {statistics.median(r['sequences'] for r in wins):,.0f}"
    print(line)
    return 0


def _summaries(args):
    from .results import ResultsError
    from .scorecard import summarize_rows
    if args.root is not None and not args.root.is_dir():
        raise ResultsError(f"results root {args.root} is not a folder (--root names the folder "
                           f"that holds quick/ and paper/, e.g. data/results)")
    return summarize_rows(args.rows or None, root=args.root, scale=args.scale)


def cmd_list(args) -> int:
    from .report import list_lines
    from .results import ResultsError
    args.rows = None
    try:
        lines = list_lines(_summaries(args), args.scale)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def cmd_report(args) -> int:
    from . import report
    from .results import ResultsError
    try:
        summaries = _summaries(args)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.markdown(summaries, args.scale) if args.format == "md"
          else report.to_json(summaries, args.scale))
    return 0


def cmd_sample(args) -> int:
    from .cli_io import sample_lines
    for line in sample_lines(args.task, n=args.n, seed=args.seed, scale=args.scale):
        print(line)
    return 0


def cmd_evaluate(args) -> int:
    from .cli_io import evaluate_lines
    from .results import ResultsError
    try:
        for line in evaluate_lines(args.weights, args.input):
            print(line)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _add_results_args(p) -> None:
    p.add_argument("--scale", default="paper", choices=("quick", "paper"),
                   help="which stored results (default paper)")
    p.add_argument("--root", type=Path, help="results root (default data/results for paper, "
                   "_build/results for quick)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_repro",
                                     description="Reproduce Hochreiter & Schmidhuber (1997) and Gers & "
                                     "Schmidhuber (2001).")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("describe", help="a row's architecture and weight count (Table 10)")
    p.add_argument("row", nargs="?", help="Table 10 row id, e.g. 4-1, or a row id of `run`")
    p.add_argument("--all", action="store_true", help="every row")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=cmd_describe)
    p = sub.add_parser("bench", help="cost per time step: engine vs eager PyTorch vs nn.LSTM")
    p.add_argument("--quick", action="store_true", help="shorter measurements (noisier)")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser("run", help="run (or resume) a row's trials")
    p.add_argument("row", help="paper row id, e.g. 4-1 or 3a-T100-N3")
    p.add_argument("--scale", required=True, choices=("quick", "paper"),
                   help="quick: seconds, same code path; paper: the paper's protocol")
    p.add_argument("--trials", type=int, help="number of trials (default: the paper's at "
                   "paper scale, 2 at quick scale)")
    p.add_argument("--jobs", type=int, default=1, help="parallel processes (default 1)")
    p.add_argument("--seed", type=int, default=0, help="base seed (trial t uses seed*100000+t)")
    p.add_argument("--out", type=Path, help="results root (default data/results for paper, "
                   "_build/results for quick)")
    p.add_argument("--force", action="store_true",
                   help="replace stored results of another configuration (kept as a backup)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--learner", default=None, choices=("engine", "full-gradient", "dekf"),
                   help="engine: the paper's truncated gradient (default, except for the DEKF "
                   "row); full-gradient: BPTT through the PyTorch reference (Section 6's "
                   "ablation; slow); dekf: the decoupled extended Kalman filter")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("list", help="every row, its stored trials and its verdict")
    _add_results_args(p)
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("sample", help="generated sequences as JSON lines")
    p.add_argument("task", help="task name (e.g. adding, reber) or paper row id (e.g. 4-1)")
    p.add_argument("--n", type=int, default=5, help="number of sequences (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sequences (default 0)")
    p.add_argument("--scale", default="paper", choices=("quick", "paper"),
                   help="for a row id: the task parameters of this scale (default paper)")
    p.set_defaults(func=cmd_sample)
    p = sub.add_parser("evaluate", help="a stored network's outputs on given sequences")
    p.add_argument("weights", type=Path, help="a stored trial-NNN.npz")
    p.add_argument("--input", type=Path, required=True,
                   help="JSON lines as `sample` writes them (targets optional)")
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("report", help="the scorecard: the paper's numbers, ours and the verdicts")
    p.add_argument("rows", nargs="*", help="paper row ids (default: every row)")
    p.add_argument("--format", default="md", choices=("md", "json"), help="output (default md)")
    _add_results_args(p)
    p.set_defaults(func=cmd_report)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:              # e.g. `describe --all --json | head`: the reader left
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())   # no second error when Python flushes at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
