"""Trials: train one network on one row's task until its stopping rule holds, then test it.

:func:`run_trial` is one independent trial (deterministic in its seed); :func:`run_row` runs a row's
trials in parallel processes, skips those already stored, writes each as it finishes (see
:mod:`lstm_repro.results`) and shows a progress bar.  A trial that exhausts its budget is recorded
as a failure with that budget, never dropped.

A trial in progress under :func:`run_row` stores a checkpoint every :data:`CHECKPOINT_SECONDS`
(its network with the momentum buffers, its random streams, its counts and curve, and its stopping
rule's state, taken between two training blocks), so a killed run resumes it there, with the same
results bit for bit, and the record lists where it was resumed (``resumed``).
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
from .results import (CHECKPOINT_FORMAT, ResultsError, checkpoint_path, default_root, open_row,
                      read_checkpoint, remove_partial_files, row_dir, trial_path,
                      write_checkpoint, write_json, write_weights)

_progress = None      # shared counter of training sequences (set in worker processes)
ONLINE_BLOCK = 32     # sequences per kernel call under an on-line stopping rule
EXP3_SCREEN = 32      # Exp 3: test sequences evaluated first; ST1 fails if too many are wrong
CHECKPOINT_SECONDS = 600.0   # wall time between the checkpoints of a trial in progress
TEST_CHUNK = 500      # test sequences evaluated at a time by a pass/fail test (stops at a wrong one)


def trial_seed(base_seed: int, trial: int) -> int:
    """The seed of trial ``trial`` of a run started with ``--seed base_seed``."""
    return base_seed * 100_000 + trial


def trial_streams(seed: int) -> list[np.random.Generator]:
    """A trial's three independent random streams, from its seed: initial weights, training
    data, test data (what every run of a trial with that seed draws from)."""
    return np.random.default_rng(seed).spawn(3)


def _count(n: int) -> None:
    if _progress is not None:
        with _progress.get_lock():
            _progress.value += n


def _evaluate(net: Network, task, seqs) -> tuple[list, list]:
    """Outputs (frozen weights) and per-sequence correctness of ``seqs``."""
    outs = net.forward_sequences(seqs)
    return outs, task.score_many(outs, seqs)[1]


def _all_correct(net: Network, task, seqs, chunk: int | None = None) -> bool:
    """Whether every sequence of ``seqs`` is correct (frozen weights), evaluated ``chunk``
    (default :data:`TEST_CHUNK`) at a time and stopped at the first chunk with a wrong one: the
    same answer as evaluating them all, at a fraction of the cost for a net that is right on most
    but not all sequences."""
    chunk = TEST_CHUNK if chunk is None else chunk
    for i in range(0, len(seqs), chunk):
        if not all(_evaluate(net, task, seqs[i:i + chunk])[1]):
            return False
    return True


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


class _Trial:
    """One trial in progress: the network, the task, the random streams, the count of training
    sequences and the learning curve.  Each ``until_*`` method trains until its kind of stopping
    rule holds (see :mod:`lstm_repro.protocols`) or the budget is spent, and says whether the
    rule held.  A rule keeps its own state in ``loop`` and calls :meth:`checkpoint` before each
    training block, where everything it needs to go on is in the object."""

    def __init__(self, protocol: Protocol, trial: int, seed: int):
        self.protocol, self.trial, self.seed = protocol, trial, seed
        streams = trial_streams(seed)      # weights, training data, test data
        self.net = protocol.make_learner(streams[0])
        self.data_rng, self.test_rng = streams[1], streams[2]
        self.task = protocol.make_task(trial)
        self.lr, self.update = protocol.learning_rate, protocol.update
        self.momentum = protocol.momentum
        self.n, self.events, self.curve, self.extra = 0, {}, [], {}
        self._errs, self._oks = [], []
        self._scored = None         # (outputs, task.score_many of them) when learn already scored
        self.construction = None              # sequential network construction (Exp 2a/2b)
        if protocol.construction:
            if protocol.stop == "online":
                raise ValueError("sequential construction needs a stopping rule that trains "
                                 "through _Trial.learn; the 'online' rule does not")
            from .construction import Construction
            self.construction = Construction(self.net, **protocol.construction)
        self.loop = {}              # the stopping rule's own state (kept in checkpoints)
        self.resumed = []           # where earlier processes left off (resumed trials)
        self.wall_before = 0.0      # seconds run by those processes
        self._started, self._ck = time.perf_counter(), None

    def __getstate__(self) -> dict:
        """What a checkpoint keeps: everything but this process's timing and checkpoint file
        and ``_scored`` (empty between training blocks, where checkpoints are taken)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_started", "_ck", "_scored")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._started, self._ck, self._scored = time.perf_counter(), None, None

    def keep_checkpoints(self, path: Path, every: float | None = CHECKPOINT_SECONDS,
                         provenance: dict | None = None) -> None:
        """Store the trial at ``path`` every ``every`` seconds (None: never; 0: at every
        chance), with ``provenance`` (default: this process's)."""
        self._ck = None if every is None else {
            "path": Path(path), "every": every, "last": time.perf_counter(),
            "provenance": provenance if provenance is not None else collect()}

    def wall_seconds(self) -> float:
        return self.wall_before + time.perf_counter() - self._started

    def checkpoint(self) -> None:
        """Called by the stopping rules between training blocks: store the trial when its
        checkpoint is due (see the module's docstring)."""
        ck = self._ck
        if ck is None or time.perf_counter() - ck["last"] < ck["every"]:
            return
        write_checkpoint(ck["path"], {
            "format": CHECKPOINT_FORMAT, "protocol": self.protocol.to_dict(),
            "trial": self.trial, "seed": self.seed, "provenance": ck["provenance"],
            "wall_seconds": self.wall_seconds(), "run": self})
        ck["last"] = time.perf_counter()

    def sample(self, k: int) -> list:
        return [self.task.sample(self.data_rng) for _ in range(k)]

    def learn(self, seqs) -> list:
        """Train on ``seqs`` in order; their outputs (produced while learning)."""
        outs = self.net.train_sequences(seqs, lr=self.lr, momentum=self.momentum,
                                        update=self.update, outputs="targets")
        self.n += len(seqs)
        _count(len(seqs))
        if self.construction is not None and self.construction.held:
            self._scored = (outs, self.task.score_many(outs, seqs))   # note() uses it again
            if self.construction.observe(self._scored[1][0]["sq_sum"], self.n):
                self.events["blocks_added"] = list(self.construction.added)
        return outs

    def note_curve(self, errs, oks) -> None:
        """Average error and fraction correct over each ``curve_every`` training sequences."""
        self._errs.extend(errs)
        self._oks.extend(oks)
        if self.n // self.protocol.curve_every > len(self.curve):
            self.curve.append([self.n, float(np.mean(self._errs)), float(np.mean(self._oks))])
            self._errs.clear()
            self._oks.clear()

    def note(self, seqs, outs, key: str) -> list[bool]:
        """Record the curve for ``seqs`` (error measure ``key``); their correctness."""
        scored, self._scored = self._scored, None
        errs, oks = (scored[1] if scored is not None and scored[0] is outs
                     else self.task.score_many(outs, seqs))
        self.note_curve(errs[key], oks)
        return oks

    def until_online(self, params) -> bool:
        """An on-line rule (ST3, n_seq) fed every training sequence.  Sequences are trained in
        blocks of ONLINE_BLOCK per kernel call; when the rule holds inside a block, the weights
        are restored and only the block's sequences up to that one are trained again, so the
        result equals training one sequence at a time."""
        if "rule" not in self.loop:
            self.loop["rule"] = _online_rule(params)
        rule, task = self.loop["rule"], self.task
        while self.n < self.protocol.budget:
            self.checkpoint()
            seqs = self.sample(min(ONLINE_BLOCK, self.protocol.budget - self.n))
            saved = self.net.state()
            outs = self.net.train_sequences(seqs, lr=self.lr, momentum=self.momentum,
                                            update=self.update, outputs="targets")
            _count(len(seqs))
            errs, oks = task.score_many(outs, seqs)
            for j, ok in enumerate(oks):
                e = {k: v[j] for k, v in errs.items()}
                self.n += 1
                self.note_curve([e["sq_end"]], [ok])
                if rule.update(ok, e):
                    self.net.restore(saved)
                    self.net.train_sequences(seqs[:j + 1], lr=self.lr, momentum=self.momentum,
                                             update=self.update, outputs="targets")
                    return True
        return False

    def until_solved(self, params) -> bool:
        """Exp 1 (Section 5.1): every string of the training and the test set predicted
        correctly, checked every ``check_every`` strings."""
        if "everything" not in self.loop:
            self.loop["everything"] = self.task.training_set + self.task.test_set(self.test_rng)
        everything = self.loop["everything"]
        while self.n < self.protocol.budget:
            self.checkpoint()
            seqs = self.sample(params["check_every"])
            self.note(seqs, self.learn(seqs), "sq_sum")
            if _all_correct(self.net, self.task, everything):
                return True
        return False

    def until_abs_test(self, params) -> bool:
        """Exp 2 (Table 11): the ABS criterion holds on ``confirm`` fresh sequences; that test
        runs once the last ``streak`` training sequences were all correct."""
        loop = self.loop
        loop.setdefault("streak", 0)
        while self.n < self.protocol.budget:
            self.checkpoint()
            seqs = self.sample(10)
            for ok in self.note(seqs, self.learn(seqs), "abs_end"):
                loop["streak"] = loop["streak"] + 1 if ok else 0
            if loop["streak"] >= params["streak"]:
                self.events["tests_run"] = self.events.get("tests_run", 0) + 1
                confirm = [self.task.sample(self.test_rng) for _ in range(params["confirm"])]
                if _all_correct(self.net, self.task, confirm):
                    return True
                loop["streak"] = 0
        return False

    def until_exp3(self, params) -> bool:
        """Exp 3 (Section 5.3): ST1, then ST2, on a 256-sequence test set drawn once, checked
        every ``check_every`` sequences; both counts go into ``events``.  A screen on the first
        EXP3_SCREEN test sequences skips most evaluations early in training without changing
        any count."""
        if "test256" not in self.loop:
            self.loop["test256"] = self.task.test_set(self.test_rng, 256)
        test256 = self.loop["test256"]
        max_wrong = criteria.EXP3_RULES[self.task.name].max_wrong
        while self.n < self.protocol.budget:
            self.checkpoint()
            seqs = self.sample(params["check_every"])
            self.note(seqs, self.learn(seqs), "sq_end")
            # exact screen: more than max_wrong misclassified among the first EXP3_SCREEN test
            # sequences means ST1 (and so ST2) fails on all 256; skip evaluating the rest
            outs, ok = _evaluate(self.net, self.task, test256[:EXP3_SCREEN])
            if len(ok) - sum(ok) > max_wrong:
                continue
            outs += self.net.forward_sequences(test256[EXP3_SCREEN:])   # each from reset state
            ev = criteria.Exp3Evaluation.of(self.task, outs, test256)
            if "st1" not in self.events and criteria.st1(ev):
                self.events["st1"] = self.n
            if criteria.st2(ev):
                self.events["st2"] = self.n
                return True
        return False

    def until_formal(self, params) -> bool:
        """Gers & Schmidhuber (2001), our protocol: epochs over the training strings, each in a
        fresh random order; the training set is learned when every training string is accepted
        after an epoch.  Then (learned or not) the generalisation limit on every level up to
        ``test_max`` goes into the record (:func:`lstm_repro.formal_eval.generalisation`).

        ``keep_training`` (optional, default 0; not in the paper rows): once the training set is
        learned, go on with epochs for exactly this many more training strings (the stopping rule
        does not look at the test strings).  The record's ``generalisation`` is then that of the
        final net, ``generalisation_at_learned`` that at the moment of learning, and with
        ``test_every`` (strings) ``generalisation_curve`` holds [strings, N] measured on the way
        (on every level up to ``curve_test_max``, default ``test_max``; never used to stop or
        to pick a net).  ``events["learned_at"]``: the strings until learned; ``events[
        "learned_at_end"]``: whether the final net still accepts every training string."""
        from .formal_eval import generalisation, learned
        train, loop = self.task.training_set, self.loop
        keep = params.get("keep_training", 0)
        every = params.get("test_every", 0)
        curve_max = params.get("curve_test_max", params["test_max"])
        for name, value in (("keep_training", keep), ("test_every", every)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name}={value!r} is not valid; it must be an integer >= 0")
        # phase "learn" until learned or out of budget; then "keep" (keep_training strings on)
        if "phase" not in loop:
            loop.update(phase="learn", success=False, limit=self.protocol.budget)

        def epoch():
            self.checkpoint()
            order = self.data_rng.permutation(len(train))[:loop["limit"] - self.n]
            seqs = [train[i] for i in order]
            self.note(seqs, self.learn(seqs), "sq_sum")
            self.events["epochs"] = self.events.get("epochs", 0) + 1

        if loop["phase"] == "learn":
            while self.n < loop["limit"]:
                epoch()
                if learned(self.net, self.task):
                    loop["success"] = True
                    break
            if loop["success"] and keep:
                self.events["learned_at"] = self.n
                self.extra["generalisation_at_learned"] = generalisation(self.net, self.task,
                                                                         params["test_max"])
                loop.update(phase="keep", curve=[], limit=self.n + keep, next_test=self.n + every)
        if loop["phase"] == "keep":
            while self.n < loop["limit"]:
                epoch()
                if every and (self.n >= loop["next_test"] or self.n >= loop["limit"]):
                    loop["curve"].append([self.n, generalisation(self.net, self.task,
                                                                 curve_max)["N"]])
                    loop["next_test"] += every
            if every:
                self.extra["generalisation_curve"] = loop["curve"]
            self.events["learned_at_end"] = learned(self.net, self.task)
            self.events["strings_trained"] = self.n
        self.extra["generalisation"] = generalisation(self.net, self.task, params["test_max"])
        return loop["success"]


def _resume(path: Path, protocol: Protocol, trial: int, seed: int) -> _Trial | None:
    """The trial stored in the checkpoint ``path`` (None when there is none); a checkpoint of
    another protocol, trial or seed raises :class:`~lstm_repro.results.ResultsError`."""
    if not path.exists():
        return None
    payload = read_checkpoint(path)
    mine = (protocol.to_dict(), trial, seed)
    if (payload["protocol"], payload["trial"], payload["seed"]) != mine:
        raise ResultsError(f"checkpoint {path} belongs to another run (its protocol, trial or "
                           f"seed differ); it was left untouched. Delete it to run trial "
                           f"{trial} from its start")
    run = payload["run"]
    run.wall_before = payload["wall_seconds"]
    run.resumed.append({"sequences": run.n, "commit": payload["provenance"]["commit"],
                        "dirty": payload["provenance"]["dirty"]})
    return run


def run_trial(protocol: Protocol, trial: int, seed: int, checkpoint: Path | None = None,
              checkpoint_every: float | None = CHECKPOINT_SECONDS,
              provenance: dict | None = None) -> tuple[dict, Network]:
    """Run one trial; returns its record (JSON-able) and the trained network.  With
    ``checkpoint`` (a path), resume the trial stored there if there is one, and store it there
    every ``checkpoint_every`` seconds while it runs (``provenance``: the run's, kept with it)."""
    run = None if checkpoint is None else _resume(Path(checkpoint), protocol, trial, seed)
    run = run or _Trial(protocol, trial, seed)
    if checkpoint is not None:
        run.keep_checkpoints(checkpoint, checkpoint_every, provenance)
    until = getattr(run, f"until_{protocol.stop}", None)
    if until is None:
        raise ValueError(f"unknown stopping kind {protocol.stop!r}")
    success = until(protocol.stop_params)
    record = {
        "row": protocol.row, "scale": protocol.scale, "learner": protocol.learner,
        "trial": trial, "seed": seed,
        "success": success, "stopped": "criterion" if success else "budget",
        "sequences": run.events.get("learned_at", run.n), "budget": protocol.budget,
        "events": run.events,
        "wall_seconds": round(run.wall_seconds(), 3),
        **({"resumed": run.resumed} if run.resumed else {}),
        "curve": run.curve,
        **run.extra,
    }
    if protocol.test_size:
        record["test"] = _test_metrics(run.net, run.task,
                                       run.task.test_set(run.test_rng, protocol.test_size))
    return record, run.net


def _worker_init(counter):
    """Worker set-up: share the progress counter; leave Ctrl-C to the parent, which stops the
    pool (finished trials are already on disk, a trial in progress keeps its last checkpoint)."""
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


def _run_and_store(protocol: Protocol, trial: int, seed: int, directory: str, prov: dict,
                   checkpoint_every: float | None) -> dict:
    ck = checkpoint_path(Path(directory), trial)
    record, net = run_trial(protocol, trial, seed, ck, checkpoint_every, prov)
    record["provenance"] = prov
    path = trial_path(Path(directory), trial)
    write_weights(path.with_suffix(".npz"), net.weights)
    write_json(path, record)
    ck.unlink(missing_ok=True)
    return record


def run_row(row_id: str, scale: str = "quick", trials: int | None = None, jobs: int = 1,
            seed: int = 0, root: Path | None = None, force: bool = False,
            progress: bool = True, learner: str | None = None,
            checkpoint_every: float | None = CHECKPOINT_SECONDS) -> list[dict]:
    """Run (or resume) a row's trials; returns every stored trial record of the row, in order.
    A trial in progress is stored every ``checkpoint_every`` seconds (None: never) and resumed
    from there by the next run."""
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
                                                        str(directory), prov, checkpoint_every))
                   for t in todo}
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
        print(f"\ninterrupted: {len(done)} finished trial(s) kept in {directory}, and the "
              f"checkpoints of trials in progress; run the same command again to resume",
              flush=True)
        raise
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    bar.close()
    return [done[t] for t in sorted(done)]
