"""Random weight guessing: the baseline behind Section 5.3's remark that guessing solves task 3a
faster than LSTM, and that task 3c "cannot be solved quickly by random weight guessing" because it
needs high weight precision (Hochreiter & Schmidhuber 1997, Section 5.3).

The guessing papers (Schmidhuber & Hochreiter 1996; Hochreiter & Schmidhuber 1997, NIPS 9) define
the method: "REPEAT randomly initialize the weights UNTIL the resulting net happens to classify all
training sequences correctly", with every weight drawn from [-100, 100].  Their nets were small
conventional recurrent nets; the paper's remark compares with LSTM on 3a, so here the guesses are
made for the *same* network as the LSTM row (Table 10 row 3a/3b/3c: 1 input, 3 blocks of size 1,
1 output, 102 weights), all 102 weights, the gate biases included, uniform in
[-``weight_range``, ``weight_range``] (default :data:`GUESS_RANGE` = 100, the guessing papers').

A guess is judged by the row's own stopping rule (Section 5.3): ST1 and ST2 on the trial's 256
test sequences (the same 256 as the LSTM trial with the same seed: the runner's third random
stream).  Screening is exact and sequential: a guess is rejected as soon as more test sequences are
misclassified than ST1 allows, and the sequences it was run on up to that point are counted
(``sequences`` in the record: sequence presentations, forward passes only).  ST1's first success is
recorded; the search goes on until a guess meets ST2, or the budget of presentations is spent.  The
solution is then measured on the row's test set (2560 sequences), as an LSTM trial is.

Results are stored like the runner's (:mod:`lstm_repro.results`) under ``<root>/<scale>/ROW--guess``.
Command line::

    python -m lstm_repro.guessing 3a-T100-N3 3a-T100-N1 3c-T100-N3 --scale paper --out DIR
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import criteria
from .engine import Network
from .protocols import PROTOCOLS, get_protocol
from .provenance import SCALES, collect
from .results import (
    ResultsError,
    default_root,
    open_row,
    read_json,
    row_dir,
    trial_path,
    write_json,
    write_weights,
)
from .runner import _test_metrics, trial_seed, trial_streams
from .spec import check_choice

GUESS_RANGE = 100.0        # weights uniform in [-100, 100] (the guessing papers)
GUESS_BUDGET = 300_000     # presentations per paper-scale trial (~ the paper's LSTM means on 3c, Table 6)
QUICK_BUDGET = 5_000       # ... at quick scale
SUFFIX = "--guess"         # results folder: ROW--guess, beside the LSTM row


@dataclass(frozen=True)
class GuessProtocol:
    """How one Exp 3 row is searched by guessing: the row's task, network and test sets (from
    :func:`lstm_repro.protocols.get_protocol`), the weight range and a budget of presentations."""
    row: str
    scale: str
    task: str
    task_params: dict
    config_row: str               # Table 10 row of the network
    trials: int
    budget: int                   # sequence presentations before a trial is a failure
    weight_range: float = GUESS_RANGE
    test_size: int = 2560

    @property
    def results_name(self) -> str:
        return self.row + SUFFIX

    def to_dict(self) -> dict:
        d = asdict(self)
        d["network"] = get_protocol(self.row, self.scale).network.spec.to_dict()
        return d


def guess_protocol(row: str, scale: str = "paper", weight_range: float = GUESS_RANGE,
                   budget: int | None = None) -> GuessProtocol:
    """The guessing protocol of Exp 3 row ``row`` at ``scale`` (budget: :data:`GUESS_BUDGET`,
    or :data:`QUICK_BUDGET` at quick scale, unless given)."""
    check_choice("scale", scale, SCALES)
    exp3 = [r for r, p in PROTOCOLS.items() if p.stop == "exp3"]
    if row not in exp3:
        raise ValueError(f"guessing is defined for the Experiment 3 rows; {row!r} is not one "
                         f"(valid rows: {', '.join(exp3)})")
    if not weight_range > 0:
        raise ValueError(f"weight_range={weight_range!r} is not valid; it must be positive")
    base = get_protocol(row, scale)
    if budget is None:
        budget = GUESS_BUDGET if scale == "paper" else QUICK_BUDGET
    return GuessProtocol(row=row, scale=scale, task=base.task, task_params=dict(base.task_params),
                         config_row=base.config_row, trials=base.trials, budget=int(budget),
                         weight_range=float(weight_range), test_size=base.test_size)


def draw_weights(net: Network, rng: np.random.Generator, weight_range: float) -> None:
    """Replace every weight of ``net`` (the gate biases included; only existing connections) by a
    draw from the uniform distribution on [-weight_range, weight_range], in place."""
    lay = net.layout
    for w, mask in ((net.weights.wh, lay.mask_h), (net.weights.wo, lay.mask_o),
                    (net.weights.wp, lay.mask_p)):
        w[...] = rng.uniform(-weight_range, weight_range, size=w.shape) * mask


def screen(net: Network, task, seqs: list, max_wrong: int) -> tuple[list | None, int]:
    """Run ``net`` on ``seqs`` in order until more than ``max_wrong`` are misclassified.

    Returns (the outputs of all of ``seqs``, or None if rejected; the number of sequences a
    sequential tester would have run: up to and including the rejecting one).  Sequences are
    run in chunks of 1, 1, 2, 4, ... (fewer kernel calls); only the count is sequential."""
    outs, wrong, start, size = [], 0, 0, 1
    while start < len(seqs):
        chunk = seqs[start:start + size]
        for j, (y, s) in enumerate(zip(net.forward_sequences(chunk), chunk)):
            outs.append(y)
            wrong += not task.correct(y, s)
            if wrong > max_wrong:
                return None, start + j + 1
        start += len(chunk)
        size = min(2 * size, 64)
    return outs, len(seqs)


def search(net: Network, task, test256: list, rng: np.random.Generator, weight_range: float,
           budget: int) -> tuple[bool, int, dict]:
    """Guess until a guess meets ST2 on ``test256`` or ``budget`` presentations are spent.

    Returns (success, presentations, events): ``guesses``; ``st1``/``st1_guess`` (presentations
    and guess number when ST1 first held); ``st2``/``st2_guess`` (when ST2 held); ``best_reach``:
    the most test sequences a rejected guess was run on before rejection (how close the search
    came); ``st1_guesses``: how many guesses met ST1.  ``net`` holds the last guess."""
    max_wrong = criteria.EXP3_RULES[task.name].max_wrong
    n, guesses, events = 0, 0, {"best_reach": 0, "st1_guesses": 0}
    while n < budget:
        draw_weights(net, rng, weight_range)
        guesses += 1
        outs, ran = screen(net, task, test256, max_wrong)
        n += ran
        if outs is None:
            events["best_reach"] = max(events["best_reach"], ran)
            continue
        ev = criteria.Exp3Evaluation.of(task, outs, test256)
        if criteria.st1(ev):
            events["st1_guesses"] += 1
            if "st1" not in events:
                events.update(st1=n, st1_guess=guesses)
        if criteria.st2(ev):
            events.update(st2=n, st2_guess=guesses, guesses=guesses)
            return True, n, events
    events["guesses"] = guesses
    return False, n, events


def run_guess_trial(protocol: GuessProtocol, trial: int, seed: int) -> tuple[dict, Network]:
    """One guessing trial; its record (the runner's fields) and the last (or solving) guess."""
    start = time.perf_counter()
    base = get_protocol(protocol.row, protocol.scale)
    weights_rng, _, test_rng = trial_streams(seed)   # as the runner's trial
    task = base.make_task(trial)
    net = Network(base.network.spec, rng=weights_rng)
    test256 = task.test_set(test_rng, 256)        # the LSTM trial's 256 test sequences
    success, n, events = search(net, task, test256, weights_rng, protocol.weight_range,
                                protocol.budget)
    record = {"row": protocol.row, "scale": protocol.scale, "learner": "guess", "trial": trial,
              "seed": seed, "success": success, "stopped": "criterion" if success else "budget",
              "sequences": n, "budget": protocol.budget, "events": events,
              "weight_range": protocol.weight_range,
              "wall_seconds": round(time.perf_counter() - start, 3), "curve": []}
    if success and protocol.test_size:
        record["test"] = _test_metrics(net, task, task.test_set(test_rng, protocol.test_size))
    return record, net


def results_folder(row: str, scale: str = "paper", root: Path | None = None) -> Path:
    return row_dir(Path(root) if root is not None else default_root(scale), scale, row + SUFFIX)


def run_guess_row(row: str, scale: str = "quick", trials: int | None = None, seed: int = 0,
                  root: Path | None = None, force: bool = False,
                  weight_range: float = GUESS_RANGE, budget: int | None = None) -> list[dict]:
    """Run (or resume) the guessing trials of ``row``, one after another; each is written as it
    finishes.  Returns every stored record of the row, in trial order."""
    protocol = guess_protocol(row, scale, weight_range, budget)
    trials = protocol.trials if trials is None else trials
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ValueError(f"trials={trials!r} is not valid; it must be an integer >= 1")
    directory = results_folder(row, scale, root)
    done = open_row(directory, {"protocol": protocol.to_dict(), "seed": seed}, force=force)
    prov = collect({"row": row, "scale": scale, "seed": seed, "learner": "guess"})
    for t in range(trials):
        if t in done:
            continue
        record, net = run_guess_trial(protocol, t, trial_seed(seed, t))
        record["provenance"] = prov
        path = trial_path(directory, t)
        write_weights(path.with_suffix(".npz"), net.weights)
        write_json(path, record)
        done[t] = record
    return [done[t] for t in sorted(done)]


def load_guess_records(row: str, scale: str = "paper", root: Path | None = None,
                       seed: int = 0) -> list[dict]:
    """The stored guessing trials of ``row`` (none: an empty list).  A folder whose config is not
    the row's current guessing protocol raises :class:`~lstm_repro.results.ResultsError`."""
    directory = results_folder(row, scale, root)
    files = sorted(directory.glob("trial-*.json"))
    if not files:
        return []
    config = directory / "config.json"
    stored = read_json(config) if config.is_file() else {}
    protocol = stored.get("protocol", {})
    current = guess_protocol(row, scale, protocol.get("weight_range", GUESS_RANGE),
                             protocol.get("budget")).to_dict()
    if json.loads(json.dumps(current)) != protocol:
        raise ResultsError(f"{config} does not hold the current guessing protocol of {row}; "
                           f"its trials are not used (rerun with --force)")
    return [read_json(p) for p in files]


def summary(records: list[dict]) -> dict:
    """Successes, and the presentations and guesses until ST1 / ST2 (means and medians over the
    successful trials; ST1 over the trials where it held); totals of guesses, of guesses that met
    ST1, and of presentations."""
    wins = [r for r in records if r["success"]]
    st1 = [r["events"]["st1"] for r in records if "st1" in r["events"]]

    def stats(values):
        return {"mean": float(np.mean(values)), "median": float(np.median(values)),
                "min": int(min(values)), "max": int(max(values))} if values else None
    return {"trials": len(records), "successes": len(wins),
            "st1": stats(st1), "st2": stats([r["sequences"] for r in wins]),
            "guesses_st2": stats([r["events"]["st2_guess"] for r in wins]),
            "guesses": int(sum(r["events"]["guesses"] for r in records)),
            "st1_guesses": int(sum(r["events"]["st1_guesses"] for r in records)),
            "presentations": int(sum(r["sequences"] for r in records)),
            "best_reach": max((r["events"]["best_reach"] for r in records), default=0)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lstm_repro.guessing",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("rows", nargs="+", metavar="ROW", help="Experiment 3 row ids, e.g. 3a-T100-N3")
    parser.add_argument("--scale", default="quick", choices=SCALES, help="default quick")
    parser.add_argument("--trials", type=int, default=None,
                        help="number of trials (default: the row's)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument("--out", default=None, help="results root (default: the scale's)")
    parser.add_argument("--force", action="store_true",
                        help="replace stored results of another configuration (kept as a backup)")
    args = parser.parse_args(argv)
    for row in args.rows:
        try:
            records = run_guess_row(row, args.scale, args.trials, args.seed, args.out, args.force)
        except (KeyError, ValueError, ResultsError) as exc:
            parser.error(exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc))
        s = summary(records)
        print(f"{row} guessing ({args.scale}): {s['successes']}/{s['trials']} solved; "
              f"{s['guesses']:,} guesses, {s['presentations']:,} presentations", flush=True)


if __name__ == "__main__":
    main()
