"""Command line: ``python -m lstm_repro COMMAND``.

describe ROW | --all [--json]   a row's architecture and weight count (Table 10)
bench [--quick] [--json]        cost per time step, engine vs PyTorch (see lstm_repro.bench)
"""
from __future__ import annotations

import argparse
import json
import sys

from .rows import ROWS, get_row
from .spec import describe


def cmd_describe(args) -> int:
    if args.all == (args.row is not None):
        raise SystemExit("describe: give one ROW or --all (not both); rows: " + ", ".join(ROWS))
    rows = list(ROWS.values()) if args.all else [get_row(args.row)]
    records = [{"row": r.row, "experiment": f"Section {r.experiment}", "learning_rate": r.lr,
                **describe(r.spec)} for r in rows]
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_repro",
                                     description="Reproduce Hochreiter & Schmidhuber (1997).")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("describe", help="a row's architecture and weight count (Table 10)")
    p.add_argument("row", nargs="?", help="Table 10 row id, e.g. 4-1")
    p.add_argument("--all", action="store_true", help="every row")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=cmd_describe)
    p = sub.add_parser("bench", help="cost per time step: engine vs eager PyTorch vs nn.LSTM")
    p.add_argument("--quick", action="store_true", help="shorter measurements (noisier)")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=cmd_bench)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
