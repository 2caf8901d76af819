"""Speed benchmark: cost per time step of on-line training, engine vs PyTorch, in one run.

For each case (a Table 10 row and its task's sequences) it measures forward + truncated
gradient + update per time step for (1) the numba engine, (2) the PyTorch reference module run
eagerly (:mod:`lstm_repro.reference`), and (3) ``torch.nn.LSTM`` (fused, batch 1, as many cells,
forward + backward over the same sequence, plus an SGD step).  Speed is reported as ratios measured in
the same process, never as absolute thresholds in tests.

Fairness: ``nn.LSTM`` runs in float32 on one thread, its fastest setting on a small CPU (float64
takes a slow path, ~30x slower; a second thread only adds synchronisation for 4-cell matrices);
the engine and the eager reference run in float64.  The engine is called as the runner calls it:
on a stream of the task's sequences, several per kernel call (``train_sequences``), its output
units computed only at steps with a target; PyTorch on one sequence of the same task, its readout
likewise only at those steps.
"""
from __future__ import annotations

import platform
import time
from dataclasses import dataclass

import numpy as np
import torch

from .engine import Network
from .provenance import collect
from .reference import ReferenceLSTM
from .rows import ROWS
from .tasks import make_task


@dataclass(frozen=True)
class Case:
    name: str            # the Table 10 row
    task: str            # the row's task (lstm_repro.tasks) ...
    params: dict         # ... with these parameters


CASES = (
    Case("4-1", "adding", {"T": 1000}),                     # adding, T = 1000 (Table 7's longest)
    Case("1-2", "reber", {}),                               # embedded Reber, targets every step
    Case("2c-1", "long_lag_2c", {"q": 50, "p": 50}),        # 54 one-hot inputs
    Case("2c-5", "long_lag_2c", {"q": 1000, "p": 1000}),    # 1004 one-hot inputs
)


def _time_per_step(timed: list[tuple], min_seconds: float, rounds: int = 5) -> list[float]:
    """Microseconds per time step of each ``(fn, steps_per_call, share)`` in ``timed``: the best of
    ``rounds`` rounds (after a warm-up call each).  In every round each fn runs in turn, repeated for
    ``share * min_seconds / rounds``; so all of them meet the machine in the same states, and their
    ratios stay fair when its speed drifts (other work, other tenants of a virtual machine).  The
    best round is the least disturbed."""
    for fn, _, _ in timed:
        fn()
    best = [float("inf")] * len(timed)
    for _ in range(rounds):
        for i, (fn, _, share) in enumerate(timed):
            calls, start = 0, time.perf_counter()
            while True:
                fn()
                calls += 1
                elapsed = time.perf_counter() - start
                if elapsed >= share * min_seconds / rounds:
                    break
            best[i] = min(best[i], elapsed / calls)
    return [b / steps * 1e6 for b, (_, steps, _) in zip(best, timed)]


def bench_case(case: Case, min_seconds: float = 1.0, seed: int = 0) -> dict:
    row = ROWS[case.name]
    spec, lr = row.spec, row.lr
    rng = np.random.default_rng(seed)
    task = make_task(case.task, **case.params)
    # the engine trains on a stream of the task's own sequences, as the runner does: a pool of
    # at least 2000 time steps, one kernel call per pool
    pool = [task.sample(rng)]
    while sum(seq.length for seq in pool) < 2000:
        pool.append(task.sample(rng))
    steps = sum(seq.length for seq in pool)
    net = Network(spec, seed=seed)
    engine = lambda: net.train_sequences(pool, lr=lr, outputs="targets")  # noqa: E731

    # PyTorch (eager reference and nn.LSTM) on the pool's first sequence
    x, targets, T = pool[0].inputs, pool[0].targets, pool[0].length
    ref = ReferenceLSTM(spec, net.weights.copy())
    eager = lambda: ref.train_sequence(x, targets, lr=lr, update="step")  # noqa: E731

    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(spec.n_inputs, spec.n_cells)
    readout = torch.nn.Linear(spec.n_cells, spec.n_outputs)
    opt = torch.optim.SGD([*lstm.parameters(), *readout.parameters()], lr=lr)
    xt = torch.tensor(x, dtype=torch.float32)[:, None, :]   # (T, 1, I)
    tt = torch.tensor(targets, dtype=torch.float32)          # (T, K)
    rows = (~torch.isnan(tt)).any(dim=1)                     # (T,) steps with a target
    have = ~torch.isnan(tt[rows])                            # (T', K)
    judged = tt[rows][have]                                  # the targets, once

    def fused():
        hs, _ = lstm(xt)                                     # (T, 1, C*S)
        y = torch.sigmoid(readout(hs[rows, 0]))              # (T', K): outputs where judged
        loss = 0.5 * ((judged - y[have]) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()

    engine_us, eager_us, fused_us = _time_per_step(
        [(engine, steps, 1.0), (eager, T, 0.5), (fused, T, 1.0)], min_seconds)
    return {
        "name": case.name,
        "steps": T,
        "weights": spec.weight_count(),
        "engine_us_per_step": engine_us,
        "torch_eager_us_per_step": eager_us,
        "torch_fused_us_per_step": fused_us,
    }


def run(quick: bool = False) -> dict:
    """All cases; ``quick`` measures for less time (noisier, for CI and smoke tests)."""
    min_seconds = 0.2 if quick else 2.0
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cases = [bench_case(c, min_seconds) for c in CASES]
    finally:
        torch.set_num_threads(threads)
    for c in cases:
        c["speedup_vs_fused"] = c["torch_fused_us_per_step"] / c["engine_us_per_step"]
        c["speedup_vs_eager"] = c["torch_eager_us_per_step"] / c["engine_us_per_step"]
    prov = collect({"quick": quick})
    machine = {k: prov[k] for k in ("cpu", "cores", "python", "numpy", "torch", "numba", "commit")}
    machine.update(platform=platform.platform(), torch_threads=1,
                   dtype="engine and eager reference float64; nn.LSTM float32")
    return {"cases": cases, "machine": machine}


def format_table(result: dict) -> str:
    lines = ["| row | steps | weights | engine µs/step | eager torch µs/step | nn.LSTM µs/step "
             "| × vs nn.LSTM | × vs eager |", "|---|---|---|---|---|---|---|---|"]
    for c in result["cases"]:
        lines.append(f'| {c["name"]} | {c["steps"]} | {c["weights"]} | {c["engine_us_per_step"]:.3f} '
                     f'| {c["torch_eager_us_per_step"]:.1f} | {c["torch_fused_us_per_step"]:.2f} '
                     f'| {c["speedup_vs_fused"]:.1f} | {c["speedup_vs_eager"]:.0f} |')
    m = result["machine"]
    lines.append(f'\n{m["cpu"]}, {m["cores"]} cores, torch {m["torch"]} ({m["torch_threads"]} threads),'
                 f' numba {m["numba"]}, {m["dtype"]}')
    return "\n".join(lines)
