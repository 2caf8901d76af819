"""What the trained nets of Experiments 4-6 do, and how their trials went (Hochreiter & Schmidhuber
1997, Sections 5.4-5.6): the measurements behind the chapters on the adding, multiplication and
temporal-order problems.

Stored trials (:mod:`lstm_repro.results`):

- :func:`curve`, :func:`first_reaching`, :func:`first_below`, :func:`plateau_rate`: a trial's
  learning curve (sequences, average training error, fraction correct every ``curve_every``
  sequences), where it first reaches a fraction correct or falls below an average error, and its
  error rate on the plateau between reaching 99 % correct and the stop.
- :func:`streak_wait`: the expected number of sequences until ``n`` are processed correctly in a
  row when each is wrong with probability ``p``: how long ST3's "2000 most recent sequences
  processed correctly" (Table 11) takes for a net that is right on all but a fraction ``p``;
  :func:`streak_rate`, its inverse.
- :func:`flat_spot`: when a curve got stuck at a high error and when it left it.
- :func:`stored_networks`: the trained nets of a row's stored trials; :func:`stored_network`, the
  first successful one.

Trained nets (:class:`lstm_repro.engine.Network`):

- :func:`end_outputs`: outputs at the last step, where the only target is (Sections 5.4-5.6).
- :func:`marked`, :func:`cell_roles`: for the adding and multiplication nets (Sections 5.4, 5.5),
  which memory cell takes in which marked value, how much the others drift, and how much of each
  cell's final state the marked values explain.
- :func:`event_states`, :func:`class_means`, :func:`nearest_mean_accuracy`, :func:`symbol_signs`,
  :func:`symbol_weights`, :func:`class_holder`: for the temporal-order nets (Section 5.6), the
  cell states and input gates at the relevant symbols and at the end, how well the states of one
  block alone tell the classes apart ("one block suffices"), and how much each relevant symbol
  weighs in a state (a counter weighs them alike and cannot tell XY from YX).
- :func:`binned`, :func:`r_squared`: the mean of a quantity in bins of another (e.g. |error|
  against X1 + X2), and how much of a quantity a least-squares fit on others explains.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .criteria import WINDOW
from .engine import Network
from .protocols import get_protocol
from .results import read_weights, trial_path
from .scorecard import load_records, mean_interval, results_dir
from .tasks.base import Sequence, check_int


# ---------------------------------------------------------------------------- stored trials
def curve(record: dict) -> np.ndarray:
    """A trial's stored learning curve as a (points, 3) array: sequences so far, average training
    error and fraction correct of the sequences since the previous point (see the runner)."""
    return np.asarray(record.get("curve") or [], dtype=float).reshape(-1, 3)  # (points, 3)


def first_reaching(record: dict, level: float) -> int | None:
    """Sequences at the first curve point whose fraction correct is >= ``level`` (None: never)."""
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"level={level!r} is not valid; a fraction correct lies in [0, 1]")
    points = curve(record)
    hits = np.flatnonzero(points[:, 2] >= level)
    return int(points[hits[0], 0]) if hits.size else None


def first_below(record: dict, level: float) -> int | None:
    """Sequences at the first curve point whose average training error is < ``level`` (None:
    never); e.g. the average half of ST3 (Table 11)."""
    points = curve(record)
    hits = np.flatnonzero(points[:, 1] < level)
    return int(points[hits[0], 0]) if hits.size else None


def flat_spot(record: dict, high: float = 0.99, low: float = 0.9) -> tuple[int, int | None] | None:
    """When a trial's curve reached an average training error of at least ``high`` (e.g. an end
    error near 1: logistic outputs saturated at the wrong end, their flat spot) and when it first
    came back below ``low`` after that, in sequences; the second is None if it never did, and
    the whole is None if the curve never reached ``high``."""
    points = curve(record)
    stuck = np.flatnonzero(points[:, 1] >= high)
    if not stuck.size:
        return None
    back = np.flatnonzero(points[stuck[0]:, 1] < low)
    return int(points[stuck[0], 0]), (int(points[stuck[0] + back[0], 0]) if back.size else None)


def plateau_rate(record: dict, window: int = WINDOW, level: float = 0.99) -> float | None:
    """The fraction of training sequences processed wrongly between the first curve point with
    at least ``level`` correct and the stop, leaving out the last ``window`` sequences of a trial
    that stopped at its criterion (an ST3 stop makes them all correct).  None when the trial
    never reached ``level`` or no curve point lies in between."""
    start = first_reaching(record, level)
    if start is None:
        return None
    points = curve(record)
    end = record["sequences"] - (window if record["success"] else 0)
    on = (points[:, 0] > start) & (points[:, 0] <= end)
    return float(1.0 - points[on, 2].mean()) if on.any() else None


def streak_wait(p, n: int = WINDOW):
    """Expected number of sequences until ``n`` consecutive ones are correct, when each is wrong
    independently with probability ``p``: ((1 - p)^-n - 1) / p (n when p = 0; infinite when p = 1).

    ST3 (Table 11) asks that "the 2000 most recent sequences were processed correctly", so a net
    that still errs on a fraction p of the sequences waits about this long for it.  ``p`` may be
    an array.
    """
    n = check_int("n", n)
    p = np.asarray(p, dtype=float)
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError(f"p must be a probability in [0, 1]; got {p}")
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        wait = np.expm1(-n * np.log1p(-p)) / p
    wait = np.where(p == 0, float(n), np.where(p == 1, np.inf, wait))
    return float(wait) if wait.ndim == 0 else wait


def streak_rate(wait: float, n: int = WINDOW) -> float:
    """The error rate p at which :func:`streak_wait` (p, n) equals ``wait`` (>= n): how rarely a
    net may err for ``n`` correct sequences in a row to come after ``wait`` sequences on average.
    Bisection on log p (the wait grows monotonically with p)."""
    n = check_int("n", n)
    if not wait >= n:
        raise ValueError(f"wait={wait!r} is not valid; n={n} in a row take at least n sequences")
    if wait == n:
        return 0.0
    lo, hi = -30.0, 0.0                                   # log10 p
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if streak_wait(10.0 ** mid, n) < wait else (lo, mid)
    return 10.0 ** ((lo + hi) / 2)


def readings_markdown(records: dict[str, list[dict]], levels=(0.9, 0.99),
                      plateau_window: int | None = None) -> str:
    """A markdown table comparing rows trial set by trial set (e.g. a row and its other reading,
    :data:`lstm_repro.rows.READINGS`): per row, the trials solved, the mean sequences until
    success with its 95 % bootstrap interval, the median sequences at which a curve block was
    first ``level`` correct (over the trials that got there), and, given ``plateau_window``, the
    median :func:`plateau_rate`.  A row with no records says "not run"."""
    head = ["row", "trials solved", "mean sequences until success [95 % interval]",
            *(f"median sequences until {100 * lv:g} % correct" for lv in levels)]
    if plateau_window is not None:
        head.append("median error rate after 99 % correct")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row, recs in records.items():
        if not recs:
            lines.append(f"| {row} | not run |" + " - |" * (len(head) - 2))
            continue
        seqs = [r["sequences"] for r in recs if r["success"]]
        cells = [row, f"{len(seqs)} of {len(recs)}"]
        cells.append("{:,.0f} [{:,.0f}-{:,.0f}]".format(*mean_interval(seqs)) if seqs else "-")
        for lv in levels:
            got = [v for v in (first_reaching(r, lv) for r in recs) if v is not None]
            cells.append(f"{np.median(got):,.0f} ({len(got)} trials)" if got else "never")
        if plateau_window is not None:
            rates = [v for v in (plateau_rate(r, plateau_window) for r in recs) if v is not None]
            cells.append(f"{100 * np.median(rates):.2f} %" if rates else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def stored_networks(row_id: str, root: Path | None = None):
    """Every stored paper-scale trial of ``row_id`` in trial order, as (trained net, record):
    the weights at the end of the trial, at its success or at the end of its budget."""
    spec = get_protocol(row_id).network.spec
    for rec in sorted(load_records(row_id, root), key=lambda r: r["trial"]):
        path = trial_path(results_dir(row_id, root), rec["trial"]).with_suffix(".npz")
        yield Network(spec, read_weights(path)), rec


def stored_network(row_id: str, root: Path | None = None) -> tuple[Network, dict] | None:
    """The trained net of the first (lowest-numbered) successful stored paper-scale trial of
    ``row_id`` and its record; None when no such trial is stored."""
    return next(((net, rec) for net, rec in stored_networks(row_id, root) if rec["success"]),
                None)


# ---------------------------------------------------------------------------- trained nets
def end_outputs(net: Network, seqs: list[Sequence]) -> np.ndarray:
    """The outputs at the last step of each sequence (frozen weights): (N, K)."""
    return np.stack([y[-1] for y in net.forward_sequences(seqs)])


def end_targets(seqs: list[Sequence]) -> np.ndarray:
    """The targets at the last step of each sequence: (N, K)."""
    return np.stack([s.targets[-1] for s in seqs])


def marked(seqs: list[Sequence]) -> tuple[np.ndarray, np.ndarray]:
    """Positions (0-based) and values of the two marked pairs of adding / multiplication sequences
    (Sections 5.4, 5.5), in time order: ((N, 2) int, (N, 2) float); column 0 is the earlier one."""
    pos = np.array([s.meta["positions"] for s in seqs], dtype=int)    # (N, 2) as X1, X2
    val = np.array([s.meta["values"] for s in seqs], dtype=float)     # (N, 2)
    order = np.argsort(pos, axis=1)
    return np.take_along_axis(pos, order, 1), np.take_along_axis(val, order, 1)


def _r(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; 0 when either side is constant."""
    sx, sy = x.std(), y.std()
    return 0.0 if sx == 0 or sy == 0 else float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def r_squared(features: np.ndarray, y: np.ndarray) -> float:
    """R^2 of the least-squares fit of y (N,) on features (N, F) plus a constant."""
    a = np.column_stack([features, np.ones(len(y))])                   # (N, F + 1)
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    resid = y - a @ coef
    total = np.sum((y - y.mean()) ** 2)
    return 0.0 if total == 0 else float(1.0 - np.sum(resid ** 2) / total)


def cell_roles(net: Network, seqs: list[Sequence]) -> dict[str, np.ndarray]:
    """Which memory cell stores which marked value (adding and multiplication nets).

    For every cell c (in the engine's order: block j holds cells j*S .. j*S + S - 1), over the
    sequences ``seqs``, with the marked pairs in time order (first, second):

    - ``jump_first``, ``jump_second`` (N, CS): the state change s_c(t) - s_c(t-1) at the step of
      the first / second marked pair (s_c before the first step is 0, Section 4);
    - ``r_first``, ``r_second`` (CS,): the correlation of that change with the pair's value;
    - ``slope_first``, ``slope_second`` (CS,): its least-squares slope against the value;
    - ``drift`` (CS,): the mean |s_c(t) - s_c(t-1)| over all unmarked steps (internal state drift,
      Section 4);
    - ``final`` (N, CS): s_c at the last step; ``r2_values`` (CS,): R^2 of the final state on the
      two values (a linear store); ``r2_target`` (CS,): R^2 of the final state on the target;
    - ``gate_marked``, ``gate_unmarked`` (C,): each block's mean input gate at the marked steps
      and at all others (a gate that stays open lets the cells integrate between the marks).
    """
    pos, val = marked(seqs)
    n, cs = len(seqs), net.spec.n_cells
    jumps, final = np.zeros((n, 2, cs)), np.zeros((n, cs))
    drift_sum, drift_n = np.zeros(cs), 0
    gate_marked, gate_unmarked = np.zeros(net.spec.n_blocks), np.zeros(net.spec.n_blocks)
    for i, seq in enumerate(seqs):
        tr = net.trace(seq.inputs)
        states = tr["states"]                                          # (T, CS)
        step = np.diff(states, axis=0, prepend=np.zeros((1, cs)))      # (T, CS): s(t) - s(t-1)
        jumps[i] = step[pos[i]]
        final[i] = states[-1]
        unmarked = np.ones(len(states), dtype=bool)
        unmarked[pos[i]] = False
        drift_sum += np.abs(step[unmarked]).sum(axis=0)
        drift_n += int(unmarked.sum())
        gate_marked += tr["input_gates"][pos[i]].mean(axis=0) / n      # (C,)
        gate_unmarked += tr["input_gates"][unmarked].mean(axis=0) / n
    target = end_targets(seqs)[:, 0]                                   # (N,)
    out = {"jump_first": jumps[:, 0], "jump_second": jumps[:, 1], "final": final,
           "drift": drift_sum / drift_n, "gate_marked": gate_marked, "gate_unmarked": gate_unmarked}
    for k, name in enumerate(("first", "second")):
        out[f"r_{name}"] = np.array([_r(val[:, k], jumps[:, k, c]) for c in range(cs)])
        out[f"slope_{name}"] = np.array([np.polyfit(val[:, k], jumps[:, k, c], 1)[0]
                                         for c in range(cs)])
    out["r2_values"] = np.array([r_squared(val, final[:, c]) for c in range(cs)])
    out["r2_target"] = np.array([r_squared(target[:, None], final[:, c]) for c in range(cs)])
    return out


def event_states(net: Network, seqs: list[Sequence]) -> dict[str, np.ndarray]:
    """Cell states and input gates of temporal-order nets (Section 5.6) at each relevant symbol
    (1-based ``meta["positions"]``: t1, t2 (, t3)) and at the last step.

    Returns ``states`` (N, E, CS) and ``input_gates`` (N, E, C), E = relevant symbols + 1, and
    ``before`` (N, E - 1, CS): the states one step before each relevant symbol.
    """
    states, gates, before = [], [], []
    for seq in seqs:
        tr = net.trace(onehot=seq.onehot)
        idx = [t - 1 for t in seq.meta["positions"]] + [seq.length - 1]     # 0-based steps
        states.append(tr["states"][idx])
        gates.append(tr["input_gates"][idx])
        before.append(tr["states"][[t - 2 for t in seq.meta["positions"]]])
    return {"states": np.stack(states), "input_gates": np.stack(gates), "before": np.stack(before)}


def class_means(values: np.ndarray, labels) -> tuple[list, np.ndarray]:
    """The distinct labels (sorted) and the mean of ``values`` (N, ...) over each: (L, ...)."""
    labels = np.asarray(labels)
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    classes = sorted(set(labels.tolist()))
    return classes, np.stack([values[labels == c].mean(axis=0) for c in classes])


def nearest_mean_accuracy(features: np.ndarray, labels, n_fit: int | None = None) -> float:
    """Fraction of the sequences after the first ``n_fit`` (default: half) whose feature vector
    lies nearest (Euclidean) to the mean of its own class, the class means taken over the first
    ``n_fit``.  ``features`` (N, F): e.g. the final states of one block's cells."""
    labels = np.asarray(labels)
    features = np.asarray(features, dtype=float).reshape(len(labels), -1)   # (N, F)
    n_fit = len(labels) // 2 if n_fit is None else check_int("n_fit", n_fit)
    if not 0 < n_fit < len(labels):
        raise ValueError(f"n_fit={n_fit} leaves no sequence to fit or to test (N = {len(labels)})")
    classes, means = class_means(features[:n_fit], labels[:n_fit])          # (L, F)
    dist = ((features[n_fit:, None, :] - means[None]) ** 2).sum(axis=2)     # (N - n_fit, L)
    predicted = np.asarray(classes)[np.argmin(dist, axis=1)]
    return float(np.mean(predicted == labels[n_fit:]))


def symbol_signs(seqs: list[Sequence]) -> np.ndarray:
    """The relevant symbols of temporal-order sequences (Section 5.6) in time order, coded
    X = +1, Y = -1: (N, R), R = 2 (Task 6a) or 3 (Task 6b)."""
    return np.array([[1.0 if s.meta["string"][t - 1] == "X" else -1.0 for t in s.meta["positions"]]
                     for s in seqs])


def symbol_weights(values: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Least-squares coefficients of ``values`` (N, F) (e.g. cell states after the last relevant
    symbol) on the relevant symbols ``signs`` (N, R) (:func:`symbol_signs`) plus a constant:
    (F, R).  A state that counts X minus Y has equal weights; one that tells XY from YX weighs
    the symbols differently (the paper's "type 2" solution counts the first one twice)."""
    values = np.asarray(values, dtype=float).reshape(len(signs), -1)     # (N, F)
    a = np.column_stack([signs, np.ones(len(signs))])                    # (N, R + 1)
    coef, *_ = np.linalg.lstsq(a, values, rcond=None)                    # (R + 1, F)
    return coef[:-1].T


def class_holder(net: Network, seqs: list[Sequence]) -> dict:
    """Which block of a temporal-order net holds the class right after the last relevant symbol
    (Section 5.6: "one block suffices"), and how.

    Returns ``accuracy`` (C,): :func:`nearest_mean_accuracy` of the class from each block's states
    at that step; ``block``: the best one; ``weight_ratio``: the largest |first / last symbol
    weight| (:func:`symbol_weights`) among its cells (about 1 for a counter; the paper's type 2
    counts the first symbol twice); ``gate_spread``: the range over the classes of its mean input
    gate at the last relevant symbol (large when the gate reacts to what the block holds, the
    paper's type 1).
    """
    labels = [s.meta["class"] for s in seqs]
    ev = event_states(net, seqs)
    last = ev["states"][:, -2, :]                                       # (N, CS)
    size = net.spec.block_size
    cells = [slice(j * size, (j + 1) * size) for j in range(net.spec.n_blocks)]
    accuracy = np.array([nearest_mean_accuracy(last[:, c], labels) for c in cells])
    block = int(np.argmax(accuracy))
    weights = symbol_weights(last[:, cells[block]], symbol_signs(seqs))  # (S, R)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(np.nanmax(np.abs(weights[:, 0] / weights[:, -1])))
    _, gates = class_means(ev["input_gates"][:, -2, block], labels)      # (classes,)
    return {"accuracy": accuracy, "block": block, "weight_ratio": ratio,
            "gate_spread": float(gates.max() - gates.min())}


def binned(x, y, edges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres, counts and means of ``y`` in the bins ``edges`` of ``x`` (NaN for empty bins;
    values outside the edges are left out)."""
    x, y, edges = (np.asarray(a, dtype=float) for a in (x, y, edges))
    if x.shape != y.shape:
        raise ValueError(f"x has shape {x.shape}, y {y.shape}; they must match")
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("edges must be an increasing 1-D array of at least 2 values")
    idx = np.digitize(x, edges) - 1
    idx[x == edges[-1]] = len(edges) - 2                                    # right edge included
    inside = (idx >= 0) & (idx < len(edges) - 1)
    counts = np.bincount(idx[inside], minlength=len(edges) - 1)
    sums = np.bincount(idx[inside], weights=y[inside], minlength=len(edges) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    return (edges[:-1] + edges[1:]) / 2, counts, means
