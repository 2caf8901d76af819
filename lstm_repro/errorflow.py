"""Error flow in conventional recurrent nets and the naive constant error carrousel (Section 3).

Hochreiter & Schmidhuber (1997), Section 3.1, after Hochreiter (1991): in a fully recurrent net of
n units with y^i(t) = f_i(net_i(t)) and net_i(t) = sum_j w_ij y^j(t-1), an error signal
vartheta_u(t) at unit u reaches unit v q steps earlier scaled by the *local error flow*
d vartheta_v(t-q) / d vartheta_u(t), eq. (1) (a recursion in q) and eq. (2) (its expansion into a
sum over the n^(q-1) paths u = l_0 <- l_1 <- ... <- l_q = v). Section 3.2: one linear unit with
self-weight 1.0 (the naive constant error carrousel, CEC) keeps the flow at exactly 1.

What the derivative means. BPTT's error of a non-output unit is eq. (3.1)
vartheta_j(s) = f'_j(net_j(s)) sum_i w_ij vartheta_i(s+1), i.e. vartheta_j(s) = -dE/dnet_j(s)
for E = 1/2 sum (d - y)^2. The part of vartheta_v(t-q) that stems from the errors at time t is
linear in vartheta(t): net(t) depends on net(t-q) only through net(t-q+1), ..., net(t-1), so by
the chain rule vartheta_v(t-q) = sum_u vartheta_u(t) dnet_u(t)/dnet_v(t-q) + (errors injected
between t-q and t). Hence

    d vartheta_v(t-q) / d vartheta_u(t) = d net_u(t) / d net_v(t-q),

a Jacobian of the *forward* dynamics. For q = 1 it is w_uv f'_v(net_v(t-1)), eq. (1)'s first line.
:func:`flow_autograd` computes that Jacobian with PyTorch's forward-mode automatic differentiation
(``torch.func.jacfwd``) from its own forward run: it shares no code with the backward recursion of
:func:`flow_recursion` (eq. 1) or the path sum of :func:`flow_paths` (eq. 2).

Time convention: ``nets[s]`` is net(s) for s = 0..T; net(0) is the initial net input (y(0) = f(net(0)))
and ``x[s-1]`` is the external input that enters net(s).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from .spec import check_choice

ACTIVATIONS = ("logistic", "linear")


def logistic(x):
    """The logistic sigmoid f(x) = 1 / (1 + exp(-x)) (Appendix eq. 3), as (1 + tanh(x/2)) / 2 (no overflow)."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))


def logistic_prime(x):
    """f'(x) = f(x) (1 - f(x)) = e^-|x| / (1 + e^-|x|)^2, written so that it neither overflows nor rounds
    to zero for large |x|; its maximum is f'(0) = 0.25 (Section 3.1)."""
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2


@dataclass(frozen=True)
class RecurrentNet:
    """A fully recurrent net (Section 3.1): net_i(t) = sum_j w_ij y^j(t-1) + sum_k w^in_ik x_k(t) + b_i.

    The external inputs and biases only move the operating point net(t); they do not enter the error
    flow, which depends on W and the derivatives f'(net) alone.
    """
    W: np.ndarray         # (n, n): W[i, j] = w_ij, the weight from unit j to unit i
    W_in: np.ndarray      # (n, I): weights from the external inputs
    b: np.ndarray         # (n,): biases
    activation: str = "logistic"

    def __post_init__(self):
        check_choice("activation", self.activation, ACTIVATIONS)
        n = self.W.shape[0]
        if self.W.shape != (n, n) or self.W_in.ndim != 2 or self.W_in.shape[0] != n or self.b.shape != (n,):
            raise ValueError(f"inconsistent shapes: W {self.W.shape}, W_in {self.W_in.shape}, b {self.b.shape}; "
                             "need W (n, n), W_in (n, I), b (n,)")

    @property
    def n(self) -> int:
        return self.W.shape[0]

    def f(self, net):
        return logistic(net) if self.activation == "logistic" else net

    def f_prime(self, net):
        return logistic_prime(net) if self.activation == "logistic" else np.ones_like(net)

    @property
    def f_prime_max(self) -> float:
        """max_x f'(x): 0.25 for the logistic sigmoid (attained at x = 0), 1 for a linear unit."""
        return float(self.f_prime(np.zeros(1))[0])


def random_net(n, scale, rng, n_inputs=3, activation="logistic", positive=False) -> RecurrentNet:
    """Weights uniform in [-scale, scale] ([0, scale] if ``positive``), input weights in [-1, 1], no bias."""
    low = 0.0 if positive else -scale
    return RecurrentNet(W=rng.uniform(low, scale, (n, n)), W_in=rng.uniform(-1.0, 1.0, (n, n_inputs)),
                        b=np.zeros(n), activation=activation)


def forward(net: RecurrentNet, x, net0=None):
    """Run the net over inputs ``x`` (T, I) from net(0) = ``net0`` (zeros by default); return net(0..T) (T+1, n)."""
    T = x.shape[0]
    nets = np.zeros((T + 1, net.n))                            # (T+1, n)
    nets[0] = 0.0 if net0 is None else net0
    for s in range(1, T + 1):
        nets[s] = net.W @ net.f(nets[s - 1]) + net.W_in @ x[s - 1] + net.b
    return nets


def driven_run(net: RecurrentNet, T, rng):
    """Drive the net for T steps with inputs uniform in [-1, 1]; return (x (T, I), nets (T+1, n))."""
    x = rng.uniform(-1.0, 1.0, (T, net.W_in.shape[1]))         # (T, I)
    return x, forward(net, x)


def _check_lag(t, q):
    if not 1 <= q <= t:
        raise ValueError(f"lag q={q} must satisfy 1 <= q <= t={t} (the flow needs net(t-1), ..., net(t-q))")


def flow_recursion(net: RecurrentNet, nets, t, u, q):
    """Eq. (1): d vartheta_v(t-m) / d vartheta_u(t) for all v and m = 1..q, as an array (q, n).

    m = 1: f'_v(net_v(t-1)) w_uv;  m > 1: f'_v(net_v(t-m)) sum_l [d vartheta_l(t-m+1)/d vartheta_u(t)] w_lv.
    """
    _check_lag(t, q)
    fp = net.f_prime(nets)                                     # (T+1, n)
    out = np.empty((q, net.n))                                 # (q, n)
    out[0] = fp[t - 1] * net.W[u]
    for m in range(2, q + 1):
        out[m - 1] = fp[t - m] * (net.W.T @ out[m - 2])
    return out


def local_flow(net: RecurrentNet, nets, t, u, v, q) -> float:
    """d vartheta_v(t-q) / d vartheta_u(t) by the recursion of eq. (1)."""
    return float(flow_recursion(net, nets, t, u, q)[q - 1, v])


def flow_matrices(net: RecurrentNet, nets, t, q):
    """All (u, v) at once for m = 1..q, (q, n, n) with [m-1, v, u] = d vartheta_v(t-m) / d vartheta_u(t).

    The matrix form of eq. (2): P_m = W F'(t-1) W F'(t-2) ... W F'(t-m), with F' the diagonal matrix of
    derivatives, and the flow from u to v is P_m[u, v].
    """
    _check_lag(t, q)
    fp = net.f_prime(nets)                                     # (T+1, n)
    out = np.empty((q, net.n, net.n))                          # (q, n, n)
    P = np.eye(net.n)                                          # (n, n)
    for m in range(1, q + 1):
        P = P @ (net.W * fp[t - m][None, :])                   # W F'(t-m): column v scaled by f'_v
        out[m - 1] = P.T
    return out


def flow_paths(net: RecurrentNet, nets, t, u, v, q, max_paths=200_000) -> float:
    """Eq. (2) literally: the sum over all n^(q-1) paths l_0 = u, l_1, ..., l_q = v of
    prod_{m=1..q} f'_{l_m}(net_{l_m}(t-m)) w_{l_{m-1} l_m}."""
    _check_lag(t, q)
    if net.n ** (q - 1) > max_paths:
        raise ValueError(f"n^(q-1) = {net.n}^{q - 1} paths exceeds max_paths={max_paths}; use a smaller n or q")
    fp = net.f_prime(nets)                                     # (T+1, n)
    total = 0.0
    for middle in itertools.product(range(net.n), repeat=q - 1):
        path = (u, *middle, v)
        term = 1.0
        for m in range(1, q + 1):
            term *= fp[t - m, path[m]] * net.W[path[m - 1], path[m]]
        total += term
    return total


def flow_autograd(net: RecurrentNet, x, t, q_max, net0=None):
    """d net_u(t) / d net_v(t-q) = d vartheta_v(t-q) / d vartheta_u(t) for q = 1..q_max, as (q_max, n, n)
    indexed [q-1, v, u], by PyTorch forward-mode autodiff (float64) of the forward dynamics.

    The net is run forward from net(0) in PyTorch with a perturbation delta_q (n,) added to net(t-q) for
    each q; since delta_q enters net(t-q) additively, d net(t) / d delta_q = d net(t) / d net(t-q).
    ``torch.func.jacfwd`` pushes one tangent per entry of the deltas forward through the run, so no error
    is ever propagated backwards (see the module docstring).
    """
    _check_lag(t, q_max)
    W, W_in, b = (torch.tensor(a, dtype=torch.float64) for a in (net.W, net.W_in, net.b))
    xs = torch.tensor(x, dtype=torch.float64)                  # (T, I)
    f = torch.sigmoid if net.activation == "logistic" else (lambda z: z)
    start = torch.zeros(net.n, dtype=torch.float64) if net0 is None else torch.tensor(net0, dtype=torch.float64)

    def run(deltas):                                           # deltas (q_max, n) -> net(t) (n,)
        z = start
        for s in range(t + 1):
            if s > 0:
                z = W @ f(z) + W_in @ xs[s - 1] + b            # net(s) from net(s-1)
            if 1 <= t - s <= q_max:
                z = z + deltas[t - s - 1]                      # perturb net(t-q), q = t - s
        return z

    jac = torch.func.jacfwd(run)(torch.zeros(q_max, net.n, dtype=torch.float64))   # (n, q_max, n): [u, q-1, v]
    return jac.permute(1, 2, 0).numpy()


def norm_A(W) -> float:
    """||W||_A = max_r sum_s |w_rs| (the max-row-sum norm of Section 3.1)."""
    return float(np.abs(W).sum(axis=1).max())


def weak_bound(net: RecurrentNet, q) -> np.ndarray:
    """The weak upper bound n (f'_max ||W||_A)^q on |d vartheta_v(t-q) / d vartheta_u(t)| (Section 3.1)."""
    return net.n * (net.f_prime_max * norm_A(net.W)) ** np.asarray(q, dtype=float)


def path_bound(net: RecurrentNet, u, v, q) -> float:
    """The intermediate bound n f'_max^q ||W_v||_x ||W_u^T||_x ||W||_A^(q-2) for q >= 2 (Section 3.1),
    with W_v the weights leaving v (column v), W_u^T those entering u (row u), ||x||_x = max_r |x_r|."""
    if q < 2:
        raise ValueError(f"the path bound is stated for q >= 2, got q={q}")
    col_v, row_u = np.abs(net.W[:, v]).max(), np.abs(net.W[u]).max()
    return float(net.n * net.f_prime_max ** q * col_v * row_u * norm_A(net.W) ** (q - 2))


def decay_factor(net: RecurrentNet) -> float:
    """tau = n w_max f'_max (= n w_max / 4.0 for logistic units): if tau < 1 the bound is n tau^q."""
    return float(net.n * np.abs(net.W).max() * net.f_prime_max)


def max_flow(J) -> np.ndarray:
    """max over (u, v) of |flow|: (..., n, n) -> (...)."""
    return np.abs(J).max(axis=(-2, -1))


def scale_sweep(scales, n, q_max, n_nets, rng, T_warm=100, activation="logistic"):
    """log10 of max_(u,v) |flow| at lags 1..q_max for random nets with weights in [-a, a], a in ``scales``;
    each net driven for T_warm steps by random inputs. Returns (len(scales), n_nets, q_max) and the weak
    bounds' log10 of the same shape."""
    flows = np.empty((len(scales), n_nets, q_max))
    bounds = np.empty_like(flows)
    q = np.arange(1, q_max + 1)
    for i, a in enumerate(scales):
        for k in range(n_nets):
            net = random_net(n, a, rng, activation=activation)
            _, nets = driven_run(net, T_warm, rng)
            with np.errstate(divide="ignore"):
                flows[i, k] = np.log10(max_flow(flow_matrices(net, nets, T_warm, q_max)))
            bounds[i, k] = np.log10(weak_bound(net, q))
    return flows, bounds


def units_sweep(ns, scale, q, n_nets, rng, T_warm=100, positive=False):
    """Mean |flow| over (u, v) at lag q versus n, and the same with |W| (every path term counted with
    a plus sign, i.e. the flow if the n^(q-1) terms of eq. 2 did not cancel). Returns two arrays
    (len(ns), n_nets) of log10 values."""
    actual = np.empty((len(ns), n_nets))
    no_cancel = np.empty_like(actual)
    for i, n in enumerate(ns):
        for k in range(n_nets):
            net = random_net(n, scale, rng, positive=positive)
            _, nets = driven_run(net, T_warm, rng)
            abs_net = RecurrentNet(np.abs(net.W), net.W_in, net.b, net.activation)
            with np.errstate(divide="ignore"):
                actual[i, k] = np.log10(np.abs(flow_matrices(net, nets, T_warm, q)[-1]).mean())
                no_cancel[i, k] = np.log10(flow_matrices(abs_net, nets, T_warm, q)[-1].mean())
    return actual, no_cancel


def update_ratios(net: RecurrentNet, nets, t, error, q_max, alphas):
    """Long- to short-range weight-update ratio ||Delta W^(q)|| / ||Delta W^(1)|| for learning rates ``alphas``.

    An error vector vartheta(t) (n,) flows back to vartheta(t-q) (eq. 1); BPTT's update from that step is
    Delta w_ij^(q) = alpha vartheta_i(t-q) y^j(t-q-1) (Section 3.1). Returns (len(alphas), q_max).
    """
    if t - q_max - 1 < 0:
        raise ValueError(f"t={t} must exceed q_max={q_max} (the update at lag q needs y(t-q-1))")
    J = flow_matrices(net, nets, t, q_max)                     # (q, n, n)
    y = net.f(nets)                                            # (T+1, n)
    out = np.empty((len(alphas), q_max))
    for i, alpha in enumerate(alphas):
        sizes = np.array([np.linalg.norm(alpha * np.outer(J[q - 1] @ error, y[t - q - 1]))
                          for q in range(1, q_max + 1)])
        out[i] = sizes / sizes[0]
    return out


def logistic_gain(w, y):
    """|f'(net) w| with net = w y: the factor one weight w from a unit of constant activation y contributes."""
    return np.abs(logistic_prime(np.asarray(w) * y) * w)


def best_net() -> float:
    """The net input x* > 0 where |f'(w y) w| is largest for fixed y: d/dw = 0 gives x tanh(x/2) = 1,
    i.e. w* = (1/y) coth(net/2) (Section 3.1). Solved by bisection (the left side increases on x > 0)."""
    lo, hi = 0.1, 10.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mid * np.tanh(mid / 2) < 1.0 else (lo, mid)
    return 0.5 * (lo + hi)


def self_connected_unit(w, activation, bias=0.0) -> RecurrentNet:
    """One unit j with self-weight w_jj = w and no external input (Section 3.2)."""
    return RecurrentNet(W=np.array([[float(w)]]), W_in=np.zeros((1, 1)), b=np.array([float(bias)]),
                        activation=activation)


def self_flow(unit: RecurrentNet, q_max, net0=0.0, T=None):
    """d vartheta_j(t-q) / d vartheta_j(t) for q = 1..q_max (q_max,), after running the unit T steps
    (default q_max) from net(0) = net0; also returns its activations y(0..T) (T+1,)."""
    T = q_max if T is None else T
    nets = forward(unit, np.zeros((T, 1)), np.array([net0]))   # (T+1, 1)
    return flow_recursion(unit, nets, T, 0, q_max)[:, 0], unit.f(nets[:, 0])


# --- Section 3.2: the input and output weight conflicts of the naive CEC -------------------------------

CONFLICT_INPUTS = ("x: data", "m: write marker", "r: read marker")


def conflict_batch(T, batch, rng):
    """The store-and-read task used to show Section 3.2's weight conflicts.

    Each sequence has T steps of data x(t) uniform in [-1, 1]; a write marker m = 1 at one step t_w drawn
    from the first T-1 steps; a read marker r = 1 at the last step. The target is 0 at every step except
    the last, where it is x(t_w): the unit must store x at t_w and ignore it at all other steps (input
    weight conflict), and must drive the output only at the last step (output weight conflict).
    Returns inputs (B, T, 3) ordered as :data:`CONFLICT_INPUTS`, targets (B, T) and t_w (B,).
    """
    if T < 2:
        raise ValueError(f"T={T} too short: the task needs a write step before the read step (T >= 2)")
    rows = np.arange(batch)
    x = rng.uniform(-1.0, 1.0, (batch, T))                     # (B, T)
    t_w = rng.integers(0, T - 1, batch)                        # (B,)
    inputs = np.zeros((batch, T, 3))                           # (B, T, 3)
    inputs[:, :, 0] = x
    inputs[rows, t_w, 1] = 1.0
    inputs[:, T - 1, 2] = 1.0
    targets = np.zeros((batch, T))                             # (B, T)
    targets[:, T - 1] = x[rows, t_w]
    return inputs, targets, t_w


def init_conflict_params(gated, rng, scale=0.1) -> dict:
    """Weights uniform in [-scale, scale]: the unit's input weights w_j (3,) and output weight w_kj (1,);
    with ``gated`` also an input gate (w_in (3,), b_in (1,)) and an output gate (w_out (3,), b_out (1,))."""
    shapes = {"w_j": 3, "w_kj": 1}
    if gated:
        shapes.update(w_in=3, b_in=1, w_out=3, b_out=1)
    return {k: rng.uniform(-scale, scale, size) for k, size in shapes.items()}


def conflict_outputs(p, inputs, gated):
    """Output y(t) (B, T) of the self-connected linear unit j (w_jj = 1, s(0) = 0) read by output unit k.

    ``p`` maps each weight name to a tensor (B, T, size): a separate copy of the weight for every sequence
    and step, so that autograd returns each step's contribution to the gradient separately.
    Naive:  s(t) = s(t-1) + w_j . u(t),                  y(t) = w_kj s(t).
    Gated:  s(t) = s(t-1) + y^in(t) (w_j . u(t)),        y(t) = y^out(t) w_kj s(t),
            y^in = f(w_in . u + b_in), y^out = f(w_out . u + b_out), f logistic, u(t) = (x, m, r).
    """
    B, T, _ = inputs.shape
    s = torch.zeros(B, dtype=torch.float64)
    ys = []
    for t in range(T):
        u = inputs[:, t]                                       # (B, 3)
        a = (p["w_j"][:, t] * u).sum(-1)                       # (B,)
        if gated:
            a = a * torch.sigmoid((p["w_in"][:, t] * u).sum(-1) + p["b_in"][:, t, 0])
        s = s + a                                              # the CEC: f = identity, w_jj = 1.0
        y = p["w_kj"][:, t, 0] * s
        if gated:
            y = y * torch.sigmoid((p["w_out"][:, t] * u).sum(-1) + p["b_out"][:, t, 0])
        ys.append(y)
    return torch.stack(ys, dim=1)                              # (B, T)


def conflict_gradients(params, inputs, targets, gated):
    """E = mean over sequences of 1/2 sum_t (d(t) - y(t))^2, and -dE/dw split by sequence and step:
    a dict name -> (B, T, size) whose sum over (B, T) is -dE/dw (the direction of a gradient step)."""
    B, T, _ = inputs.shape
    copies = {k: torch.tensor(v, dtype=torch.float64).expand(B, T, v.size).clone().requires_grad_(True)
              for k, v in params.items()}
    y = conflict_outputs(copies, torch.tensor(inputs, dtype=torch.float64), gated)   # (B, T)
    E = 0.5 * ((torch.tensor(targets, dtype=torch.float64) - y) ** 2).sum(1).mean()
    E.backward()
    return E.item(), {k: -c.grad.numpy() for k, c in copies.items()}


def conflict_contributions(params, steps, t_w):
    """Split per-step update directions into the four signals of Section 3.2.

    From ``steps`` (the dict of :func:`conflict_gradients`): for the input weight from x, the summed
    contribution of the write steps ("store") and of all other steps ("ignore"); for the output weight
    w_kj, that of the read step ("read") and of all other steps ("quiet"). Each is multiplied by the sign
    of the current weight, so that > 0 means "make |w| larger" and < 0 "make |w| smaller".
    """
    rows = np.arange(len(t_w))
    g_x = steps["w_j"][:, :, 0] * np.sign(params["w_j"][0])   # (B, T)
    g_k = steps["w_kj"][:, :, 0] * np.sign(params["w_kj"][0])  # (B, T)
    store = g_x[rows, t_w].sum()
    read = g_k[:, -1].sum()
    return dict(store=store, ignore=g_x.sum() - store, read=read, quiet=g_k.sum() - read)


def train_conflict(gated, T, n_updates, batch, alpha, rng):
    """Gradient descent on the store-and-read task: one update of all weights per batch of ``batch``
    sequences, w <- w - alpha dE/dw. Returns the final weights and a history (n_updates,) of E and of
    the four contributions of :func:`conflict_contributions`."""
    params = init_conflict_params(gated, rng)
    names = ("loss", "store", "ignore", "read", "quiet")
    history = {k: np.empty(n_updates) for k in names}
    for i in range(n_updates):
        inputs, targets, t_w = conflict_batch(T, batch, rng)
        E, steps = conflict_gradients(params, inputs, targets, gated)
        history["loss"][i] = E
        for k, v in conflict_contributions(params, steps, t_w).items():
            history[k][i] = v
        params = {k: v + alpha * steps[k].sum(axis=(0, 1)) for k, v in params.items()}
    return params, history


def conflict_errors(params, gated, T, n_seq, rng):
    """Test errors: the mean squared error at the read step, divided by Var(x) = 1/3 (1.0 for a unit that
    outputs nothing), and the root mean square output at the other steps (where the target is 0)."""
    inputs, targets, _ = conflict_batch(T, n_seq, rng)
    copies = {k: torch.tensor(v, dtype=torch.float64).expand(n_seq, T, v.size) for k, v in params.items()}
    with torch.no_grad():
        y = conflict_outputs(copies, torch.tensor(inputs, dtype=torch.float64), gated).numpy()   # (B, T)
    read_error = np.mean((targets[:, -1] - y[:, -1]) ** 2) / (1.0 / 3.0)
    quiet_rms = float(np.sqrt(np.mean(y[:, :-1] ** 2)))
    return float(read_error), quiet_rms
