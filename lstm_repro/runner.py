"""Trials: train one network on one row's task until its stopping rule holds, then test it.

:func:`run_trial` is one independent trial (deterministic in its seed); :func:`run_row` runs a row's
trials in parallel processes, skips those already stored, writes each as it finishes (see
:mod:`lstm_repro.results`) and shows a progress bar.  A trial that exhausts its budget is recorded
as a failure with that budget, never dropped.
"""
from __future__ import annotations

import multiprocessing as mp
import signal
import time
from pathlib import Path

import numpy as np

from . import criteria
from .engine import Network
from .protocols import Protocol, get_protocol
from .provenance import collect
from .results import (default_root, open_row, remove_partial_files, row_dir, trial_path,
                      write_json, write_weights)

_progress = None      # shared counter of training sequences (set in worker processes)
ONLINE_BLOCK = 32     # sequences per kernel call under an on-line stopping rule


def trial_seed(base_seed: int, trial: int) -> int:
    """The seed of trial ``trial`` of a run started with ``--seed base_seed``."""
    return base_seed * 100_000 + trial


def _count(n: int) -> None:
    if _progress is not None:
        with _progress.get_lock():
            _progress.value += n


def _evaluate(net: Network, task, seqs) -> tuple[list, list]:
    """Outputs (frozen weights) and per-sequence correctness of ``seqs``."""
    outs = net.forward_sequences(seqs)
    return outs, [task.correct(y, s) for y, s in zip(outs, seqs)]


def _test_metrics(net: Network, task, seqs) -> dict:
    """The final test (Table 11's test-set size): wrong predictions, MSE and absolute errors."""
    outs, ok = _evaluate(net, task, seqs)
    errs = [task.errors(y, s) for y, s in zip(outs, seqs)]
    metrics = {"n": len(seqs), "wrong": int(len(seqs) - sum(ok)),
               "mse": float(np.mean([e["sq_end"] for e in errs])),
               "mean_abs": float(np.mean([e["mean_abs_end"] for e in errs])),
               "max_abs": float(np.max([e["abs_end"] for e in errs]))}
    if "abs_end_clean" in errs[0]:
        metrics["mean_abs_clean"] = float(np.mean([e["abs_end_clean"] for e in errs]))
    return metrics


def _online_rule(params: dict):
    if params["rule"] == "st3":
        return criteria.ST3(params["beta"], window=params.get("window", criteria.WINDOW),
                            measure=params.get("measure", "mse"))
    return criteria.NSeq(params["n_seq"], window=params.get("window", criteria.WINDOW))


def run_trial(protocol: Protocol, trial: int, seed: int) -> tuple[dict, Network]:
    """Run one trial; returns its record (JSON-able) and the trained network."""
    start = time.perf_counter()
    streams = np.random.default_rng(seed).spawn(3)      # weights, training data, test data
    task = protocol.make_task(trial)
    row = protocol.network
    net = protocol.make_learner(streams[0])
    data_rng, test_rng = streams[1], streams[2]
    lr, update, p = row.lr, protocol.update, protocol.stop_params
    n, success, events, curve = 0, False, {}, []
    errs_window, ok_window = [], []

    def learn(seqs):
        nonlocal n
        outs = net.train_sequences(seqs, lr=lr, update=update)
        n += len(seqs)
        _count(len(seqs))
        return outs

    def note_curve(errs, oks):
        errs_window.extend(errs)
        ok_window.extend(oks)
        if n // protocol.curve_every > len(curve):
            curve.append([n, float(np.mean(errs_window)), float(np.mean(ok_window))])
            errs_window.clear()
            ok_window.clear()

    if protocol.stop == "online":
        # Sequences are trained in blocks of ONLINE_BLOCK per kernel call; when the rule holds
        # inside a block, the weights are restored and only the block's first sequences up to that
        # one are trained again, so the result equals training one sequence at a time.
        rule = _online_rule(p)
        while n < protocol.budget and not success:
            seqs = [task.sample(data_rng) for _ in range(min(ONLINE_BLOCK, protocol.budget - n))]
            saved = net.state()
            outs = net.train_sequences(seqs, lr=lr, update=update)
            for j, (y, seq) in enumerate(zip(outs, seqs)):
                e, ok = task.errors(y, seq), task.correct(y, seq)
                n += 1
                note_curve([e["sq_end"]], [ok])
                if rule.update(ok, e):
                    success = True
                    net.restore(saved)
                    net.train_sequences(seqs[:j + 1], lr=lr, update=update)
                    break
            _count(len(seqs))
    elif protocol.stop == "solved":
        every = p["check_every"]
        everything = task.training_set + task.test_set(test_rng)
        while n < protocol.budget:
            seqs = [task.sample(data_rng) for _ in range(every)]
            outs = learn(seqs)
            note_curve([task.errors(y, s)["sq_sum"] for y, s in zip(outs, seqs)],
                       [task.correct(y, s) for y, s in zip(outs, seqs)])
            if all(_evaluate(net, task, everything)[1]):   # Section 5.1: train and test sets
                success = True
                break
    elif protocol.stop == "abs_test":
        streak, chunk = 0, 10
        while n < protocol.budget:
            seqs = [task.sample(data_rng) for _ in range(chunk)]
            outs = learn(seqs)
            oks = [task.correct(y, s) for y, s in zip(outs, seqs)]
            note_curve([task.errors(y, s)["abs_end"] for y, s in zip(outs, seqs)], oks)
            for ok in oks:
                streak = streak + 1 if ok else 0
            if streak >= p["streak"]:
                events["tests_run"] = events.get("tests_run", 0) + 1
                confirm = [task.sample(test_rng) for _ in range(p["confirm"])]
                _, ok = _evaluate(net, task, confirm)
                if all(ok):
                    success = True
                    break
                streak = 0
    elif protocol.stop == "exp3":
        test256 = task.test_set(test_rng, 256)
        every = p["check_every"]
        while n < protocol.budget:
            seqs = [task.sample(data_rng) for _ in range(every)]
            outs = learn(seqs)
            note_curve([task.errors(y, s)["sq_end"] for y, s in zip(outs, seqs)],
                       [task.correct(y, s) for y, s in zip(outs, seqs)])
            outs, _ = _evaluate(net, task, test256)
            ev = criteria.Exp3Evaluation.of(task, outs, test256)
            if "st1" not in events and criteria.st1(ev):
                events["st1"] = n
            if criteria.st2(ev):
                events["st2"] = n
                success = True
                break
    else:
        raise ValueError(f"unknown stopping kind {protocol.stop!r}")

    record = {
        "row": protocol.row, "scale": protocol.scale, "learner": protocol.learner,
        "trial": trial, "seed": seed,
        "success": success, "stopped": "criterion" if success else "budget",
        "sequences": n, "budget": protocol.budget, "events": events,
        "wall_seconds": round(time.perf_counter() - start, 3),
        "curve": curve,
    }
    if protocol.test_size:
        record["test"] = _test_metrics(net, task, task.test_set(test_rng, protocol.test_size))
    return record, net


def _worker_init(counter):
    """Worker set-up: share the progress counter; leave Ctrl-C to the parent, which stops the
    pool (finished trials are already on disk, a trial in progress is simply not written)."""
    global _progress
    _progress = counter
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the parent dies (a killed run leaves no orphans that
    could still write into the results folder); elsewhere a no-op."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _run_and_store(protocol: Protocol, trial: int, seed: int, directory: str, prov: dict) -> dict:
    record, net = run_trial(protocol, trial, seed)
    record["provenance"] = prov
    path = trial_path(Path(directory), trial)
    write_weights(path.with_suffix(".npz"), net.weights)
    write_json(path, record)
    return record


def run_row(row_id: str, scale: str = "quick", trials: int | None = None, jobs: int = 1,
            seed: int = 0, root: Path | None = None, force: bool = False,
            progress: bool = True, learner: str = "engine") -> list[dict]:
    """Run (or resume) a row's trials; returns every stored trial record of the row, in order."""
    from tqdm import tqdm

    protocol = get_protocol(row_id, scale, learner)
    trials = protocol.trials if trials is None else trials
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ValueError(f"--trials {trials!r} is not valid; it must be an integer >= 1")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"--seed {seed!r} is not valid; it must be an integer >= 0")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"--jobs {jobs!r} is not valid; it must be an integer >= 1")
    directory = row_dir(root or default_root(scale), scale, protocol.results_name)
    config = {"protocol": protocol.to_dict(), "seed": seed}
    done = open_row(directory, config, force=force)
    todo = [t for t in range(trials) if t not in done]
    prov = collect({"row": row_id, "scale": scale, "seed": seed, "jobs": jobs})
    counter = mp.get_context("fork").Value("q", 0)
    bar = tqdm(total=trials, initial=trials - len(todo), desc=f"{row_id} ({scale})", unit="trial",
               disable=not progress, dynamic_ncols=True)
    started = time.perf_counter()
    pool = mp.get_context("fork").Pool(jobs, initializer=_worker_init, initargs=(counter,))
    try:
        pending = {t: pool.apply_async(_run_and_store, (protocol, t, trial_seed(seed, t),
                                                        str(directory), prov)) for t in todo}
        pool.close()
        while pending:
            time.sleep(0.2)
            for t in [t for t, result in pending.items() if result.ready()]:
                done[t] = pending.pop(t).get()     # re-raises a trial's exception here
                bar.update(1)
            rate = counter.value / max(time.perf_counter() - started, 1e-9)
            bar.set_postfix_str(f"{rate:,.0f} seq/s", refresh=False)
    except KeyboardInterrupt:
        pool.terminate()
        pool.join()
        remove_partial_files(directory)
        bar.close()
        print(f"\ninterrupted: {len(done)} finished trial(s) kept in {directory}; "
              f"run the same command again to resume", flush=True)
        raise
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    bar.close()
    return [done[t] for t in sorted(done)]
