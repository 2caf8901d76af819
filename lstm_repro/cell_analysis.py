"""Measurements on the memory cell of Hochreiter & Schmidhuber (1997), Section 4 and Appendix A.

What the chapter "The memory cell and its gates" shows, computed here:

- :func:`net_inputs`, :func:`equation_residuals`: the net inputs of every unit, recomputed from a
  trace of the engine, and how closely the traced activations obey eqs. (6)-(9) of Appendix A.1
  (y^in = f(net_in), s_c(t) = s_c(t-1) + y^in g(net_c), y^c = y^out h(s_c)).
- :func:`engine_vs_autograd`: the engine's weight change (forward recursions, eqs. 25 and 27, and the
  truncated backward pass, eqs. 19-28) against PyTorch autograd with the truncation as stop-gradients.
- :func:`gradient`, :func:`gradient_agreement`: the truncated against the full gradient (BPTT).
- :func:`state_jacobian`: ds_c(t)/ds_c'(t-q), which the truncation makes exactly 1 (c = c') or 0.
- :func:`a2_terms`, :func:`a2_measured`: the scaling factors of Appendix A.2 and the same factors
  measured by autograd through the unrolled net.
- :func:`drift_sweep`: internal state drift (Section 4, "internal state drift") and the input-gate
  bias that prevents it.
- :func:`bias_cells`, :func:`abuse_run`: the abuse problem (Section 4) and the output-gate bias.
- :func:`time_per_step`, :func:`autograd_saved_values`, :func:`engine_storage`: the cost of Section 4
  ("Computational complexity", Appendix eq. 29): O(W) per step and storage independent of T.

Everything here is for the 1997 cell (no forget gate, no peepholes).
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import torch

from .engine import Network
from .reference import ReferenceLSTM
from .spec import SQUASHERS, NetworkSpec, Weights, check_choice, init_weights, layout


def _check_1997_cell(spec: NetworkSpec) -> None:
    if spec.forget_gate or spec.peepholes:
        raise ValueError("this analysis covers the 1997 memory cell; the spec has "
                         f"forget_gate={spec.forget_gate}, peepholes={spec.peepholes} "
                         "(both must be False)")


def squash(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """g or h of Appendix A eqs. (4)-(5) and its derivative: a*logistic(x) - b (or the identity);
    ``name`` a key of :data:`lstm_repro.spec.SQUASHERS`."""
    check_choice("squasher", name, SQUASHERS)
    a, b, _ = SQUASHERS[name]
    if a == 0.0:
        return x, np.ones_like(x)
    e = np.exp(-np.abs(x))          # a f(x)(1 - f(x)) = a e^-|x| / (1 + e^-|x|)^2: no rounding to 0
    return a * _logistic(x) - b, a * e / (1.0 + e) ** 2


def _logistic(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# ---------------------------------------------------------------------------- the equations
def hidden_activations(net: Network, trace: dict) -> np.ndarray:
    """The traced hidden layer y_h(t) (T, U) in the engine's unit order (see :mod:`lstm_repro.spec`)."""
    parts = [trace["input_gates"]]
    if net.spec.output_gate:
        parts.append(trace["output_gates"])
    parts += [trace["cell_outputs"], trace["hidden"]]
    return np.concatenate(parts, axis=1)


def net_inputs(net: Network, inputs: np.ndarray, trace: dict | None = None) -> np.ndarray:
    """net_u(t) = sum_m w_um z_m(t) of every hidden unit (Appendix A.1), z(t) = [x(t), y_h(t-1), 1].

    Recomputed from the trace (the engine does not return net inputs).  Returns (T, U).
    """
    _check_1997_cell(net.spec)
    trace = net.trace(inputs) if trace is None else trace
    x = np.asarray(inputs, dtype=np.float64)                        # (T, I)
    yh = hidden_activations(net, trace)                             # (T, U)
    prev = np.vstack([np.zeros((1, yh.shape[1])), yh[:-1]])         # (T, U): y_h(t-1), y_h(0) = 0
    z = np.hstack([x, prev, np.ones((x.shape[0], 1))])              # (T, NZ)
    return z @ net.weights.wh.T                                     # (T, U)


def equation_residuals(net: Network, inputs: np.ndarray) -> dict[str, float]:
    """Largest violation of each memory-cell equation (Appendix A.1, eqs. 6-9) in the engine's trace.

    gates: y^in(t) = f(net_in(t)), y^out(t) = f(net_out(t));
    CEC: s_c(t) = s_c(t-1) + y^in(t) g(net_c(t)), s_c(0) = 0;  output: y^c(t) = y^out(t) h(s_c(t)).
    """
    spec, lay = net.spec, net.layout
    C, S = spec.n_blocks, spec.block_size
    tr = net.trace(inputs)
    net_in = net_inputs(net, inputs, tr)                            # (T, U)
    g, _ = squash(spec.g, net_in[:, lay.cell:lay.hidden])          # (T, CS)
    y_in = np.repeat(tr["input_gates"], S, axis=1)                  # (T, CS): gate of each cell
    s = tr["states"]                                                # (T, CS)
    s_prev = np.vstack([np.zeros((1, C * S)), s[:-1]])
    y_out = np.repeat(tr["output_gates"], S, axis=1) if spec.output_gate else 1.0
    h, _ = squash(spec.h, s)
    res = {"input gate": np.abs(tr["input_gates"] - _logistic(net_in[:, :C])).max(),
           "CEC": np.abs(s - s_prev - y_in * g).max(),
           "cell output": np.abs(tr["cell_outputs"] - y_out * h).max()}
    if spec.output_gate:
        res["output gate"] = np.abs(tr["output_gates"]
                                    - _logistic(net_in[:, lay.out_gate:lay.out_gate + C])).max()
    return {k: float(v) for k, v in res.items()}


# ---------------------------------------------------------------------------- truncated gradient
def engine_vs_autograd(spec: NetworkSpec, weights: Weights, inputs: np.ndarray, targets: np.ndarray,
                       lr: float, update: str = "step") -> dict[str, float]:
    """The engine's weight change on one sequence against the PyTorch reference's (autograd with
    the truncation as stop-gradients, Appendix A.1).

    Returns ``rel_diff`` = max|dw_engine - dw_autograd| / max|dw_autograd| and ``max_change`` =
    max|dw_autograd| (so a vanishing update cannot pass unnoticed).
    """
    inputs, targets = np.array(inputs, dtype=np.float64), np.array(targets, dtype=np.float64)
    net = Network(spec, weights.copy())
    net.train_sequence(inputs, targets, lr=lr, update=update)
    ref = ReferenceLSTM(spec, weights.copy(), truncate=True)
    ref.train_sequence(inputs, targets, lr=lr, update=update)
    d_engine = net.weights.flat() - weights.flat()
    d_ref = ref.weights().flat() - weights.flat()
    scale = np.abs(d_ref).max()
    return {"rel_diff": float(np.abs(d_engine - d_ref).max() / scale), "max_change": float(scale)}


def gradient(spec: NetworkSpec, weights: Weights, inputs: np.ndarray, targets: np.ndarray,
             truncate: bool) -> Weights:
    """-dE/dw of E = 1/2 sum_t sum_k (t_k - y_k)^2 over one sequence at fixed weights (masked).

    ``truncate=True``: the paper's truncated gradient (Appendix A.1), what the engine follows;
    ``False``: the full gradient (BPTT through the whole sequence), Section 6's ablation.
    """
    ref = ReferenceLSTM(spec, weights.copy(), truncate=truncate)
    ref.train_sequence(np.array(inputs, dtype=np.float64), np.array(targets, dtype=np.float64),
                       lr=1.0, update="sequence")
    new = ref.weights()
    return Weights(new.wh - weights.wh, new.wo - weights.wo, new.wp - weights.wp)


def weight_groups(spec: NetworkSpec) -> dict[str, tuple[str, slice]]:
    """The weight groups of the 1997 net: which array and which rows hold each unit kind's weights."""
    lay = layout(spec)
    C = spec.n_blocks
    groups = {"output units": ("wo", slice(None)), "input gates": ("wh", slice(0, C))}
    if spec.output_gate:
        groups["output gates"] = ("wh", slice(lay.out_gate, lay.out_gate + C))
    groups["cells"] = ("wh", slice(lay.cell, lay.hidden))
    return groups


def gradient_agreement(spec: NetworkSpec, truncated: Weights, full: Weights) -> dict[str, dict]:
    """Per weight group: cosine of the angle between the truncated and the full gradient, and the
    relative difference |trunc - full| / |full| (Euclidean norms).  Group "all" covers every weight."""
    out = {}
    pairs = {name: (getattr(truncated, arr)[rows].ravel(), getattr(full, arr)[rows].ravel())
             for name, (arr, rows) in weight_groups(spec).items()}
    pairs["all"] = (truncated.flat(), full.flat())
    for name, (a, b) in pairs.items():
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
        out[name] = {"cosine": float(a @ b / (na * nb)) if na > 0 and nb > 0 else float("nan"),
                     "rel_diff": float(np.linalg.norm(a - b) / nb) if nb > 0 else float("nan")}
    return out


def state_jacobian(spec: NetworkSpec, weights: Weights, inputs: np.ndarray,
                   truncate: bool) -> np.ndarray:
    """J[q, c, c'] = ds_c(T) / ds_c'(T-q) for q = 0 .. T-1, by autograd through the reference.

    With the truncation the only path from s(T-q) to s(T) is the CEC's fixed self-connection, so
    J[q] is the identity for every q (Appendix A.2: ds(t)/ds(t-1) = 1); the full gradient adds the
    paths through the gates and cell inputs, which the truncation cuts.
    """
    _check_1997_cell(spec)
    ref = ReferenceLSTM(spec, weights.copy(), truncate=truncate)
    x = torch.tensor(np.asarray(inputs, dtype=np.float64))          # (T, I)
    yh = torch.zeros(spec.n_units, dtype=torch.float64)
    s = torch.zeros(spec.n_cells, dtype=torch.float64)
    states = []
    for t in range(x.shape[0]):
        _, yh, s = ref.step(x[t], yh, s, *ref.params)
        states.append(s)
    T, CS = len(states), spec.n_cells
    jac = np.zeros((T, CS, CS))
    for c in range(CS):
        grads = torch.autograd.grad(states[-1][c], states, retain_graph=True, allow_unused=True)
        for t, g in enumerate(grads):
            if g is not None:
                jac[T - 1 - t, c] = g.numpy()
    return jac


# ---------------------------------------------------------------------------- Appendix A.2
def a2_terms(net: Network, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """The factors of Appendix A.2 at every step, each (T, C*S) (one column per cell), and the
    states s_c(t) they were computed at.

    An error arriving at the cell output y^c at time t and leaving the cell q steps earlier is
    scaled by ``entry[t] * to_cell[t-q]`` on its way to net_c and by ``entry[t] * to_gate[t-q]``
    on its way to net_in:

    - entry = y^out(t) h'(s_c(t))            (into the CEC)
    - to_cell = g'(net_c(t-q)) y^in(t-q)     (out of the CEC, to the cell input)
    - to_gate = g(net_c(t-q)) f'_in(net_in(t-q))  (out of the CEC, to the input gate)

    None of them depends on q: inside the CEC, ds(t)/ds(t-1) = 1.
    """
    spec, lay = net.spec, net.layout
    S = spec.block_size
    tr = net.trace(inputs)
    nets = net_inputs(net, inputs, tr)                              # (T, U)
    g, dg = squash(spec.g, nets[:, lay.cell:lay.hidden])           # (T, CS)
    _, dh = squash(spec.h, tr["states"])
    y_in = np.repeat(tr["input_gates"], S, axis=1)                  # (T, CS)
    y_out = np.repeat(tr["output_gates"], S, axis=1) if spec.output_gate else np.ones_like(y_in)
    return {"entry": y_out * dh, "to_cell": dg * y_in, "to_gate": g * y_in * (1.0 - y_in),
            "states": tr["states"]}


def a2_measured(spec: NetworkSpec, weights: Weights, inputs: np.ndarray, cell: int,
                truncate: bool) -> dict[str, np.ndarray]:
    """d y^c(T) / d net_u(T-q) for q = 1 .. T-1 by autograd through the unrolled reference net.

    The net inputs are exposed as leaves by adding a zero per-step bias b(t) to the weight
    matrix's bias column (d y / d b_u(t) = d y / d net_u(t)).  Returns ``to_cell`` and ``to_gate``
    (arrays over q = 1 .. T-1, for ``cell`` and its block's input gate) and ``other_cells`` (the
    largest |d y^c(T) / d net_c'(T-q)| over the other cells c', for each q).
    """
    _check_1997_cell(spec)
    lay = layout(spec)
    ref = ReferenceLSTM(spec, weights.copy(), truncate=truncate)
    wh, wo, wp = ref.params
    bias_col = torch.zeros(lay.n_src, dtype=torch.float64)
    bias_col[-1] = 1.0
    x = torch.tensor(np.asarray(inputs, dtype=np.float64))          # (T, I)
    yh = torch.zeros(spec.n_units, dtype=torch.float64)
    s = torch.zeros(spec.n_cells, dtype=torch.float64)
    leaves = []
    for t in range(x.shape[0]):
        b = torch.zeros(spec.n_units, dtype=torch.float64, requires_grad=True)   # (U,)
        _, yh, s = ref.step(x[t], yh, s, wh + torch.outer(b, bias_col), wo, wp)
        leaves.append(b)
    grads = torch.autograd.grad(yh[lay.cell + cell], leaves)
    d = np.stack([g.numpy() for g in grads])[::-1][1:]              # (T-1, U): row q-1 is T-q
    others = np.delete(np.arange(lay.cell, lay.hidden), cell)
    return {"q": np.arange(1, x.shape[0]), "to_cell": d[:, lay.cell + cell],
            "to_gate": d[:, cell // spec.block_size],
            "other_cells": np.abs(d[:, others]).max(axis=1) if others.size else np.zeros(len(d))}


# ---------------------------------------------------------------------------- drift and abuse
def drift_sweep(spec: NetworkSpec, in_gate_biases: dict, task_factory, lengths, n_nets: int,
                seed: int) -> dict[str, np.ndarray]:
    """Internal state drift at the initial weights (Section 4, "internal state drift").

    For every input-gate bias setting (``{label: tuple per block}``), sequence length T and random
    net (weights drawn as ``spec`` says, seeds shared across settings), one sequence of
    ``task_factory(T)`` (sequences with ``meta["positions"]``, such as the adding task) is run and
    at its last step, per cell:

    - ``abs_state``: |s_c(T)|;
    - ``h_prime``: h'(s_c(T)), which drift pushes towards 0;
    - ``factor``: the A.2 factor y^out(T) h'(s_c(T)) g'(net_c(t1)) y^in(t1) with which an error at
      the end reaches the cell input at the first marked step t1 (the information to store).

    Returns arrays of shape (settings, lengths, nets, cells), settings in the dict's order.
    """
    out = {k: np.zeros((len(in_gate_biases), len(lengths), n_nets, spec.n_cells))
           for k in ("abs_state", "h_prime", "factor")}
    for li, T in enumerate(lengths):
        task = task_factory(T)
        for n in range(n_nets):
            seq = task.sample(np.random.default_rng([seed, li, n, 1]))
            t1 = min(seq.meta["positions"])
            for bi, igb in enumerate(in_gate_biases.values()):
                # the same weights for every setting: only the input gates' biases differ
                w = init_weights(replace(spec, in_gate_bias=tuple(igb)),
                                 np.random.default_rng([seed, li, n, 0]))
                terms = a2_terms(Network(spec, w), seq.inputs)
                s_end = terms["states"][-1]                         # (CS,)
                out["abs_state"][bi, li, n] = np.abs(s_end)
                out["h_prime"][bi, li, n] = squash(spec.h, s_end)[1]
                out["factor"][bi, li, n] = terms["entry"][-1] * terms["to_cell"][t1]
    return out


def state_trace(spec: NetworkSpec, weights: Weights, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """s_c(t) and h'(s_c(t)) over one sequence, each (T, C*S)."""
    tr = Network(spec, weights).trace(inputs)
    _, dh = squash(spec.h, tr["states"])
    return {"states": tr["states"], "h_prime": dh}


def bias_cells(net: Network, sequences, min_abs: float = 0.1, rel_spread: float = 0.1) -> np.ndarray:
    """Which cells act as "bias cells" (Section 4, "abuse problem"): at the last step of every
    sequence their output is far from 0 and nearly the same, |mean y^c(T)| > ``min_abs`` and
    std y^c(T) < ``rel_spread`` |mean y^c(T)| over ``sequences``.  Returns a (C*S,) bool array."""
    y_end = np.array([net.trace(seq.inputs)["cell_outputs"][-1] for seq in sequences])   # (N, CS)
    mean, spread = np.abs(y_end.mean(axis=0)), y_end.std(axis=0)
    return (mean > min_abs) & (spread < rel_spread * mean)


def abuse_run(spec: NetworkSpec, task, lr: float, n_sequences: int, check_every: int, test,
              seed: int) -> dict[str, np.ndarray]:
    """Train one net on-line on ``task`` and follow the abuse problem (Section 4).

    Every ``check_every`` training sequences it records the fraction of ``test`` sequences the task
    judges correct and the number of bias cells (:func:`bias_cells`, judged on ``test``).  Returns
    ``seen`` (sequences trained so far), ``correct`` and ``n_bias`` (arrays over the checks).
    """
    rng = np.random.default_rng(seed)
    net = Network(spec, rng=rng)
    seen, correct, n_bias = [], [], []
    for n in range(check_every, n_sequences + 1, check_every):
        net.train_sequences([task.sample(rng) for _ in range(check_every)], lr=lr)
        outs = net.forward_sequences(test)
        seen.append(n)
        correct.append(np.mean([task.correct(y, seq) for y, seq in zip(outs, test)]))
        n_bias.append(int(bias_cells(net, test).sum()))
    return {"seen": np.array(seen), "correct": np.array(correct), "n_bias": np.array(n_bias)}


# ---------------------------------------------------------------------------- complexity
def time_per_step(spec: NetworkSpec, T: int = 200, repeats: int = 5, seed: int = 0) -> float:
    """Seconds per time step of on-line learning (forward, forward recursions, truncated backward
    pass, weight update at every step): the best of ``repeats`` runs over a T-step sequence with a
    target at every step (the costliest case).  Section 4: O(W) per step (Appendix eq. 29)."""
    rng = np.random.default_rng(seed)
    net = Network(spec, rng=rng)
    x = rng.uniform(-1.0, 1.0, size=(T, spec.n_inputs))             # (T, I)
    targets = rng.uniform(0.0, 1.0, size=(T, spec.n_outputs))       # (T, K)
    net.train_sequence(x[:2], targets[:2], lr=1e-3)                 # compile (or load) the kernel
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        net.train_sequence(x, targets, lr=1e-3)
        best = min(best, time.perf_counter() - start)
    return best / T


def autograd_saved_values(spec: NetworkSpec, weights: Weights, T: int, truncate: bool,
                          seed: int = 0) -> int:
    """Number of float64 values autograd keeps for the backward pass of the reference net over T
    steps (the loss at the last step), measured with ``torch.autograd.graph.saved_tensors_hooks``.

    Each storage is counted once (views of one tensor share it); the weights themselves are not
    counted.  BPTT's storage grows linearly with T (Section 4 compares: LSTM's is independent of T).
    """
    _check_1997_cell(spec)
    ref = ReferenceLSTM(spec, weights.copy(), truncate=truncate)
    params = {p.untyped_storage().data_ptr() for p in ref.params}
    seen: dict[int, int] = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in params:
            seen[storage.data_ptr()] = storage.nbytes() // tensor.element_size()
        return tensor

    x = torch.as_tensor(np.random.default_rng(seed).uniform(-1.0, 1.0, size=(T, spec.n_inputs)))
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        yh = torch.zeros(spec.n_units, dtype=torch.float64)
        s = torch.zeros(spec.n_cells, dtype=torch.float64)
        for t in range(T):
            y, yh, s = ref.step(x[t], yh, s, *ref.params)
        loss = 0.5 * (y ** 2).sum()
    del loss
    return int(sum(seen.values()))


def engine_storage(spec: NetworkSpec) -> dict[str, int]:
    """Values the engine's kernel keeps while it runs a sequence, by role (none depends on T).

    Mirrors the working arrays of :func:`lstm_repro.engine._make_kernel`: the state derivatives
    ds_c/dw of eqs. 25 and 27 (the paper's 2 C S I values, here with I the fan-in NZ), the
    activations of one step, and the accumulated update (one value per weight array entry).
    """
    _check_1997_cell(spec)
    lay = layout(spec)
    C, S, K, U = spec.n_blocks, spec.block_size, spec.n_outputs, spec.n_units
    CS, NZ, NO = C * S, lay.n_src, lay.n_osrc
    return {
        "state derivatives ds/dw (eqs. 25, 27)": 2 * CS * NZ + 2 * CS * S,
        "activations of one step": NZ + NO + 3 * U + 7 * CS + 3 * C + 2 * K,
        "accumulated update": U * NZ + K * NO + 3 * C * S,
    }


def hand_wired_block() -> tuple[NetworkSpec, Weights]:
    """One memory block of two cells wired by hand for adding-task inputs (value, marker).

    The input gate opens on a marker (net_in = 10 marker - 5), the output gate on the first and last
    step (marker -1: net_out = -10 marker - 5).  Cell 1 takes the value (net_c1 = value), cell 2 a
    constant (net_c2 = 1), so s_c1 sums the marked values and s_c2 counts the gate's openings.  Every
    other weight is 0.  Output k reads cell k (weight 4).  An illustration of eqs. (6)-(9), not a
    trained net.
    """
    spec = NetworkSpec(n_inputs=2, n_outputs=2, n_blocks=1, block_size=2, in_gate_bias=None)
    lay = layout(spec)
    wh = np.zeros_like(lay.mask_h)                                  # (U, NZ)
    wh[lay.in_gate, 1], wh[lay.in_gate, -1] = 10.0, -5.0
    wh[lay.out_gate, 1], wh[lay.out_gate, -1] = -10.0, -5.0
    wh[lay.cell, 0] = 1.0
    wh[lay.cell + 1, -1] = 1.0
    wo = np.zeros_like(lay.mask_o)                                  # (K, NO)
    wo[0, spec.n_inputs], wo[1, spec.n_inputs + 1] = 4.0, 4.0
    return spec, Weights(wh, wo, np.zeros_like(lay.mask_p))
