"""LSTM trained by a decoupled extended Kalman filter (DEKF), as Pérez-Ortiz, Gers, Eck & Schmidhuber
(Neural Networks 2003; ICANN 2002) trained the forget-gate / peephole LSTM on a^n b^n c^n.

The filter (Puskorius & Feldkamp 1994; Haykin, "Kalman filtering and neural networks", 2001, ch. 2)
treats the weights as the state of a dynamical system observed through the network's outputs.  The
weights are split into groups i (:func:`weight_groups`); each group has its own error covariance
P_i, and cross-covariances between groups are dropped ("decoupling").  At every time step t with a
target d(t) (K' output units that have a target):

    H_i   = dy(t)/dw_i                                (n_i, K')  the truncated Jacobian
    A     = (R(t)/eta I + sum_i H_i^T P_i H_i)^-1     (K', K')   global scaling matrix
    K_i   = P_i H_i A                                 (n_i, K')  Kalman gain of group i
    w_i  += K_i (d(t) - y(t))
    P_i   = P_i - K_i H_i^T P_i + Q(t) I

``eta`` is the runner's learning rate ``lr`` (Puskorius & Feldkamp's learning rate: A uses (eta^-1
R) I; eta = 1 gives the filter as parameterised). With ``noise_model="bernoulli"`` (not the
default) output k's measurement noise is R(t) max(y_k (1 - y_k), bernoulli_floor) instead of R(t):
the variance of a 0/1 target under a Bernoulli model with mean y_k, the filter's reading of the
cross-entropy error (the gain then no longer vanishes where a logistic output saturates, as the
cross-entropy gradient does not; Fisher scoring for logistic outputs). R(t) and Q(t) are annealed
linearly from their initial to their final value over the first ``anneal`` filter updates (steps
with a target); with ``anneal_shape="geometric"`` (not the default) their logarithms are, so that R
and Q shrink by the same factor in every update of the anneal instead of passing most of their
range at its end.

The derivatives are those of the truncated gradient of Hochreiter & Schmidhuber (1997), Appendix A,
extended to forget gates and peepholes exactly as :mod:`lstm_repro.engine` does it: the recurrent
activations y_h(t-1) and the peephole inputs are constants, the cell-state derivatives ds_c/dw are
carried forward through the constant error carousel (eqs. 25, 27).  Instead of one error signal
(the engine's e_k = f'_k (t_k - y_k)), the kernel propagates one unit signal per output unit, which
gives every column of the Jacobian H; the weights change on-line at each target step, and the state
derivatives are accumulated across those changes, as RTRL (and the engine) do.

Weight groups (our choice; the paper's grouping could not be checked): one group per memory block
(every weight into that block's gates and cells, and the block's peepholes), one per conventional
hidden unit, and one per output unit (its incoming weights).  ``decoupling="none"`` puts all
weights in one group: the global EKF.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .spec import (
    OUTPUT_MODES,
    SQUASHERS,
    NetworkSpec,
    Weights,
    check_choice,
    init_weights,
    layout,
)

DECOUPLINGS = ("block", "none")
NOISE_MODELS = ("constant", "bernoulli")
ANNEAL_SHAPES = ("linear", "geometric")


@dataclass(frozen=True)
class FilterParams:
    """DEKF parameters.  Our choices (the values of Pérez-Ortiz et al. could not be checked):
    P(0) = p0 I per group; measurement noise R and process noise Q annealed from ``r_init`` to
    ``r_final`` and ``q_init`` to ``q_final`` over the first ``anneal`` filter updates, linearly
    (or linearly in their logarithms: ``anneal_shape="geometric"``)."""
    p0: float = 100.0          # initial error covariance, delta^-1 of P(0) = delta^-1 I
    r_init: float = 100.0      # measurement noise (variance) at the first update
    r_final: float = 3.0       # ... after ``anneal`` updates
    q_init: float = 1e-2       # process noise (variance per weight) at the first update
    q_final: float = 1e-6      # ... after ``anneal`` updates
    anneal: int = 10_000       # filter updates (time steps with a target) over which R, Q anneal
    decoupling: str = "block"  # "block": one group per block / hidden unit / output unit; "none": EKF
    noise_model: str = "constant"  # "constant": R I; "bernoulli": R max(y (1 - y), floor) per output
    bernoulli_floor: float = 1e-3  # "bernoulli": the smallest y (1 - y) used (R stays > 0)
    anneal_shape: str = "linear"   # "linear": R, Q linear in the updates; "geometric": log R, log Q

    def __post_init__(self):
        for name in ("p0", "r_init", "r_final"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name}={getattr(self, name)!r} is not valid; it must be > 0")
        for name in ("q_init", "q_final"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name}={getattr(self, name)!r} is not valid; it must be >= 0")
        if isinstance(self.anneal, bool) or not isinstance(self.anneal, int) or self.anneal < 0:
            raise ValueError(f"anneal={self.anneal!r} is not valid; it must be an integer >= 0")
        if not 0 < self.bernoulli_floor <= 0.25:
            raise ValueError(f"bernoulli_floor={self.bernoulli_floor!r} is not valid; it must be "
                             f"in (0, 0.25] (y (1 - y) is at most 0.25)")
        check_choice("decoupling", self.decoupling, DECOUPLINGS)
        check_choice("noise_model", self.noise_model, NOISE_MODELS)
        check_choice("anneal_shape", self.anneal_shape, ANNEAL_SHAPES)
        if self.anneal_shape == "geometric" and not (self.q_init > 0 and self.q_final > 0):
            raise ValueError(f"anneal_shape='geometric' needs q_init > 0 and q_final > 0 (got "
                             f"{self.q_init!r}, {self.q_final!r}): a geometric anneal cannot reach 0")

    def noise(self, n_updates: int) -> tuple[float, float]:
        """(R, Q) at filter update number ``n_updates`` (0-based)."""
        f = 1.0 if self.anneal == 0 else min(1.0, n_updates / self.anneal)
        return (_annealed(self.r_init, self.r_final, f, self.anneal_shape == "geometric"),
                _annealed(self.q_init, self.q_final, f, self.anneal_shape == "geometric"))


@njit(cache=True)
def _annealed(start: float, end: float, f: float, geometric: bool) -> float:
    """The value a fraction ``f`` of the way from ``start`` to ``end``: linear, or geometric (linear
    in the logarithm)."""
    if geometric:
        return start * (end / start) ** f
    return (1.0 - f) * start + f * end


@dataclass(frozen=True)
class Groups:
    """Where each trainable weight sits in the flat parameter vector, ordered group by group.

    idx_h (U, NZ), idx_o (K, NO), idx_p (C, 3, S): flat index of each weight, -1 where the mask has
    no connection.  inv (W, 4): (array 0 = wh / 1 = wo / 2 = wp, i, j, v) of each flat index.
    start (G + 1): group g holds the flat indices start[g] .. start[g+1] - 1.  names: one per group.
    """
    idx_h: np.ndarray
    idx_o: np.ndarray
    idx_p: np.ndarray
    inv: np.ndarray
    start: np.ndarray
    names: tuple

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.start)


def weight_groups(spec: NetworkSpec, decoupling: str = "block") -> Groups:
    """The DEKF weight groups of ``spec`` (see the module docstring)."""
    check_choice("decoupling", decoupling, DECOUPLINGS)
    lay = layout(spec)
    C, S, H, K = spec.n_blocks, spec.block_size, spec.n_hidden, spec.n_outputs
    idx_h = np.full(lay.mask_h.shape, -1, dtype=np.int64)
    idx_o = np.full(lay.mask_o.shape, -1, dtype=np.int64)
    idx_p = np.full(lay.mask_p.shape, -1, dtype=np.int64)
    inv, start, names = [], [0], []

    def take_row(u):
        for m in np.flatnonzero(lay.mask_h[u]):
            idx_h[u, m] = len(inv)
            inv.append((0, u, m, 0))

    for j in range(C):                          # block j: its gates, its cells, its peepholes
        units = [lay.in_gate + j]
        if spec.output_gate:
            units.append(lay.out_gate + j)
        if spec.forget_gate:
            units.append(lay.forget_gate + j)
        units += [lay.cell + j * S + v for v in range(S)]
        for u in units:
            take_row(u)
        for g in range(3):
            for v in range(S):
                if lay.mask_p[j, g, v]:
                    idx_p[j, g, v] = len(inv)
                    inv.append((2, j, g, v))
        start.append(len(inv))
        names.append(f"block {j}")
    for i in range(H):
        take_row(lay.hidden + i)
        start.append(len(inv))
        names.append(f"hidden unit {i}")
    for k in range(K):
        for m in np.flatnonzero(lay.mask_o[k]):
            idx_o[k, m] = len(inv)
            inv.append((1, k, m, 0))
        start.append(len(inv))
        names.append(f"output unit {k}")
    start = np.array(start, dtype=np.int64)
    if decoupling == "none":
        start, names = np.array([0, len(inv)], dtype=np.int64), ("all weights",)
    else:       # drop empty groups (a unit without incoming weights)
        keep = np.concatenate([[True], np.diff(start) > 0])
        names = tuple(n for n, k in zip(names, keep[1:]) if k)
        start = start[keep]
    return Groups(idx_h, idx_o, idx_p, np.array(inv, dtype=np.int64).reshape(-1, 4), start,
                  tuple(names))


@njit(cache=True, inline="always")
def _squash(x, a, b):
    """(f(x), f'(x)) for f = a*logistic - b, or the identity when a == 0."""
    if a == 0.0:
        return x, 1.0
    y = 1.0 / (1.0 + math.exp(-x))
    return a * y - b, a * y * (1.0 - y)


@njit(cache=True)
def _spd_inverse(A):
    """The inverse of a small symmetric positive-definite matrix, by Cholesky (A = L L^T)."""
    n = A.shape[0]
    L = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1):
            acc = A[i, j]
            for k in range(j):
                acc -= L[i, k] * L[j, k]
            if i == j:
                if acc <= 0.0:
                    raise ValueError("DEKF: R + sum H^T P H is not positive definite")
                L[i, i] = math.sqrt(acc)
            else:
                L[i, j] = acc / L[j, j]
    Linv = np.zeros((n, n))              # L^-1, lower triangular
    for i in range(n):
        Linv[i, i] = 1.0 / L[i, i]
        for j in range(i):
            acc = 0.0
            for k in range(j, i):
                acc -= L[i, k] * Linv[k, j]
            Linv[i, j] = acc / L[i, i]
    out = np.zeros((n, n))               # A^-1 = L^-T L^-1
    for i in range(n):
        for j in range(n):
            acc = 0.0
            for k in range(max(i, j), n):
                acc += Linv[k, i] * Linv[k, j]
            out[i, j] = acc
    return out


@njit(cache=True)
def _run(wh, wo, wp, idx_h, idx_o, idx_p, inv, gstart, P, dims, sq, x, targets, starts, mode,
         eta, noise, count, out, jac):
    """Run sequences ``starts[i]:starts[i+1]`` of the time axis, each from reset state.

    wh (U, NZ), wo (K, NO), wp (C, 3, S): weights (changed in place when mode == 1).
    idx_*, inv, gstart: :class:`Groups`.  P (G, n_max, n_max): each group's covariance, top-left.
    dims = (I, K, C, S, H, U, NZ, NO, off_out, off_fg, off_cell, off_hid, has_og, has_fg, has_peep);
    sq = (g_a, g_b, h_a, h_b).  x (T, I) inputs; targets (T, K), NaN where no target.
    mode: 0 forward, 1 DEKF updates at every step with a target, 2 record the Jacobian in
    jac (T, W, K) at every step (weights unchanged).  noise = (r_init, r_final, q_init, q_final,
    anneal, floor, geometric): floor > 0 (the Bernoulli model) scales output k's R by
    max(y_k (1 - y_k), floor); geometric 1.0: R and Q annealed in the logarithm (_annealed);
    count[0]: filter updates so far (advanced in place).  out (T, K): outputs.
    """
    I, K, C, S, H, U, NZ, NO, off_out, off_fg, off_cell, off_hid, has_og, has_fg, has_peep = dims
    g_a, g_b, h_a, h_b = sq
    CS = C * S
    W = inv.shape[0]
    G = gstart.shape[0] - 1
    r_init, r_final, q_init, q_final, anneal, floor, geometric = noise
    deriv = mode >= 1

    z = np.zeros(NZ)                # [x(t) | y_h(t-1) | 1]
    z[NZ - 1] = 1.0
    zo = np.zeros(NO)               # [x(t) | y_c(t) | y_hid(t) | 1]
    zo[NO - 1] = 1.0
    net = np.zeros(U)
    yh = np.zeros(U)
    dnet = np.zeros(U)
    s = np.zeros(CS)
    s_prev = np.zeros(CS)
    gval = np.zeros(CS)
    dgval = np.zeros(CS)
    hval = np.zeros(CS)
    dhval = np.zeros(CS)
    yin = np.ones(C)
    yfg = np.ones(C)
    yout = np.ones(C)
    yo = np.zeros(K)
    dsc = np.zeros((CS, NZ))        # ds_c/dw[cell c, m]
    dsi = np.zeros((CS, NZ))        # ds_c/dw[input gate of c's block, m]
    dsf = np.zeros((CS, NZ))        # ds_c/dw[forget gate of c's block, m]
    dpi = np.zeros((CS, S))         # ds_c/dwp[block, 0 (input gate), v]
    dpf = np.zeros((CS, S))         # ds_c/dwp[block, 1 (forget gate), v]
    Hj = np.zeros((W, K))           # dy_k/dw, flat weights
    back = np.zeros((CS + H, K))    # f'_k w[k, I + c]: the unit signal of output k at cell c
    fk = np.zeros(K)

    for q in range(starts.shape[0] - 1):
        yh[:] = 0.0
        s[:] = 0.0
        dsc[:] = 0.0
        dsi[:] = 0.0
        dsf[:] = 0.0
        dpi[:] = 0.0
        dpf[:] = 0.0
        for t in range(starts[q], starts[q + 1]):
            # ---- forward (Section 4; Appendix A.1; forget gates and peepholes as in the engine)
            for m in range(I):
                z[m] = x[t, m]
                zo[m] = x[t, m]
            for u in range(U):
                z[I + u] = yh[u]
            for u in range(U):
                acc = 0.0
                for m in range(NZ):
                    acc += wh[u, m] * z[m]
                net[u] = acc
            for c in range(CS):
                s_prev[c] = s[c]
            if has_peep:
                for j in range(C):
                    for v in range(S):
                        net[j] += wp[j, 0, v] * s_prev[j * S + v]
                        if has_fg:
                            net[off_fg + j] += wp[j, 1, v] * s_prev[j * S + v]
            for j in range(C):
                yin[j], dnet[j] = _squash(net[j], 1.0, 0.0)
                if has_fg:
                    yfg[j], dnet[off_fg + j] = _squash(net[off_fg + j], 1.0, 0.0)
            for c in range(CS):
                j = c // S
                gval[c], dgval[c] = _squash(net[off_cell + c], g_a, g_b)
                s[c] = yfg[j] * s_prev[c] + yin[j] * gval[c]
                hval[c], dhval[c] = _squash(s[c], h_a, h_b)
            if has_og:
                for j in range(C):
                    n = net[off_out + j]
                    if has_peep:
                        for v in range(S):
                            n += wp[j, 2, v] * s[j * S + v]
                    net[off_out + j] = n
                    yout[j], dnet[off_out + j] = _squash(n, 1.0, 0.0)
            for j in range(C):
                yh[j] = yin[j]
                if has_og:
                    yh[off_out + j] = yout[j]
                if has_fg:
                    yh[off_fg + j] = yfg[j]
            for c in range(CS):
                yh[off_cell + c] = yout[c // S] * hval[c]
            for i in range(H):
                yh[off_hid + i], dnet[off_hid + i] = _squash(net[off_hid + i], 1.0, 0.0)
            for c in range(CS + H):
                zo[I + c] = yh[off_cell + c]
            for k in range(K):
                acc = 0.0
                for m in range(NO):
                    acc += wo[k, m] * zo[m]
                yo[k], fk[k] = _squash(acc, 1.0, 0.0)
                out[t, k] = yo[k]
            if not deriv:
                continue

            # ---- forward recursions of ds_c/dw (eqs. 25, 27; forget gates: Gers et al. 2000)
            for c in range(CS):
                j = c // S
                a_c = dgval[c] * yin[j]
                a_i = gval[c] * dnet[j]
                a_f = s_prev[c] * dnet[off_fg + j] if has_fg else 0.0
                d = yfg[j]
                for m in range(NZ):
                    dsc[c, m] = d * dsc[c, m] + a_c * z[m]
                    dsi[c, m] = d * dsi[c, m] + a_i * z[m]
                    if has_fg:
                        dsf[c, m] = d * dsf[c, m] + a_f * z[m]
                if has_peep:
                    for v in range(S):
                        dpi[c, v] = d * dpi[c, v] + a_i * s_prev[j * S + v]
                        if has_fg:
                            dpf[c, v] = d * dpf[c, v] + a_f * s_prev[j * S + v]

            n_t = 0
            for k in range(K):
                if not math.isnan(targets[t, k]):
                    n_t += 1
            if n_t == 0 and mode == 1:
                continue

            # ---- the truncated Jacobian H[w, k] = dy_k/dw (eqs. 19-28 with a unit signal per k)
            Hj[:] = 0.0
            for k in range(K):
                for m in range(NO):
                    w_i = idx_o[k, m]
                    if w_i >= 0:
                        Hj[w_i, k] = fk[k] * zo[m]
                for c in range(CS + H):
                    back[c, k] = fk[k] * wo[k, I + c]
            for i in range(H):
                u = off_hid + i
                for k in range(K):
                    e = dnet[u] * back[CS + i, k]
                    for m in range(NZ):
                        w_i = idx_h[u, m]
                        if w_i >= 0:
                            Hj[w_i, k] += e * z[m]
            if has_og:
                for j in range(C):
                    u = off_out + j
                    for k in range(K):
                        acc = 0.0
                        for v in range(S):
                            acc += hval[j * S + v] * back[j * S + v, k]
                        e = dnet[u] * acc
                        for m in range(NZ):
                            w_i = idx_h[u, m]
                            if w_i >= 0:
                                Hj[w_i, k] += e * z[m]
                        if has_peep:
                            for v in range(S):
                                w_i = idx_p[j, 2, v]
                                if w_i >= 0:
                                    Hj[w_i, k] += e * s[j * S + v]
            for c in range(CS):
                j = c // S
                for k in range(K):
                    es = yout[j] * dhval[c] * back[c, k]
                    for m in range(NZ):
                        w_i = idx_h[off_cell + c, m]
                        if w_i >= 0:
                            Hj[w_i, k] += es * dsc[c, m]
                        w_i = idx_h[j, m]
                        if w_i >= 0:
                            Hj[w_i, k] += es * dsi[c, m]
                        if has_fg:
                            w_i = idx_h[off_fg + j, m]
                            if w_i >= 0:
                                Hj[w_i, k] += es * dsf[c, m]
                    if has_peep:
                        for v in range(S):
                            w_i = idx_p[j, 0, v]
                            if w_i >= 0:
                                Hj[w_i, k] += es * dpi[c, v]
                            w_i = idx_p[j, 1, v]
                            if w_i >= 0:
                                Hj[w_i, k] += es * dpf[c, v]
            if mode == 2:
                jac[t] = Hj
                continue

            # ---- the DEKF update over the n_t outputs with a target
            f = 1.0 if anneal == 0 else min(1.0, count[0] / anneal)
            r = _annealed(r_init, r_final, f, geometric != 0.0) / eta
            qn = _annealed(q_init, q_final, f, geometric != 0.0)
            count[0] += 1
            ks = np.empty(n_t, dtype=np.int64)
            xi = np.empty(n_t)
            n_t = 0
            for k in range(K):
                if not math.isnan(targets[t, k]):
                    ks[n_t] = k
                    xi[n_t] = targets[t, k] - yo[k]
                    n_t += 1
            A = np.zeros((n_t, n_t))
            for a in range(n_t):
                if floor > 0.0:
                    yk = yo[ks[a]]
                    A[a, a] = r * max(yk * (1.0 - yk), floor)
                else:
                    A[a, a] = r
            PH = np.zeros((W, n_t))          # P_i H_i stacked over the groups (n_i, n_t) each
            for g in range(G):
                g0, ng = gstart[g], gstart[g + 1] - gstart[g]
                for a in range(ng):
                    for b in range(n_t):
                        acc = 0.0
                        for e in range(ng):
                            acc += P[g, a, e] * Hj[g0 + e, ks[b]]
                        PH[g0 + a, b] = acc
                for a in range(n_t):
                    for b in range(n_t):
                        acc = 0.0
                        for e in range(ng):
                            acc += Hj[g0 + e, ks[a]] * PH[g0 + e, b]
                        A[a, b] += acc
            A = _spd_inverse(A)
            KG = np.zeros((W, n_t))          # Kalman gains P_i H_i A, group by group
            dw = np.zeros(W)                 # K_i (d - y)
            for w_i in range(W):
                for b in range(n_t):
                    acc = 0.0
                    for e in range(n_t):
                        acc += PH[w_i, e] * A[e, b]
                    KG[w_i, b] = acc
                    dw[w_i] += acc * xi[b]
            for g in range(G):
                g0, ng = gstart[g], gstart[g + 1] - gstart[g]
                for a in range(ng):
                    for b in range(ng):
                        acc = 0.0
                        for e in range(n_t):
                            acc += KG[g0 + a, e] * PH[g0 + b, e]
                        P[g, a, b] -= acc
                for a in range(ng):      # keep P symmetric against rounding; add Q
                    for b in range(a + 1, ng):
                        mval = 0.5 * (P[g, a, b] + P[g, b, a])
                        P[g, a, b] = mval
                        P[g, b, a] = mval
                    P[g, a, a] += qn
            for w_i in range(W):
                arr, i0, i1, i2 = inv[w_i, 0], inv[w_i, 1], inv[w_i, 2], inv[w_i, 3]
                if arr == 0:
                    wh[i0, i1] += dw[w_i]
                elif arr == 1:
                    wo[i0, i1] += dw[w_i]
                else:
                    wp[i0, i1, i2] += dw[w_i]


class DEKFLearner:
    """A memory-cell network trained by the DEKF, behind the engine's interface
    (:class:`lstm_repro.engine.Network`): ``train_sequences``, ``forward_sequences``, ``weights``,
    ``state`` / ``restore``, so that :mod:`lstm_repro.runner` can run it as a learner.

    ``filter_params``: the fields of :class:`FilterParams` (p0, r_init, r_final, q_init, q_final,
    anneal, decoupling, noise_model).
    """

    def __init__(self, spec: NetworkSpec, weights: Weights | None = None, *,
                 rng: np.random.Generator | None = None, seed: int | None = None,
                 **filter_params):
        self.spec = spec
        self.layout = lay = layout(spec)
        self.params = FilterParams(**filter_params)
        if weights is None:
            weights = init_weights(spec, rng if rng is not None else np.random.default_rng(seed))
        for name, w, mask in (("wh", weights.wh, lay.mask_h), ("wo", weights.wo, lay.mask_o),
                              ("wp", weights.wp, lay.mask_p)):
            if w.shape != mask.shape:
                raise ValueError(f"weights.{name} has shape {w.shape}; this spec needs {mask.shape}")
        self._w = Weights(*(np.array(w, dtype=np.float64) * m for w, m in
                            ((weights.wh, lay.mask_h), (weights.wo, lay.mask_o),
                             (weights.wp, lay.mask_p))))
        self.groups = weight_groups(spec, self.params.decoupling)
        sizes = self.groups.sizes
        self.P = np.zeros((len(sizes), sizes.max(), sizes.max()))    # (G, n_max, n_max)
        for g, n in enumerate(sizes):
            self.P[g, :n, :n] = self.params.p0 * np.eye(n)
        self.count = np.zeros(1, dtype=np.int64)                        # filter updates so far
        self._dims = (spec.n_inputs, spec.n_outputs, spec.n_blocks, spec.block_size, spec.n_hidden,
                      spec.n_units, lay.n_src, lay.n_osrc, lay.out_gate, lay.forget_gate, lay.cell,
                      lay.hidden, spec.output_gate, spec.forget_gate, spec.peepholes)
        self._sq = tuple(float(v) for v in (*SQUASHERS[spec.g][:2], *SQUASHERS[spec.h][:2]))

    @property
    def weights(self) -> Weights:
        """A copy of the current weights (the engine's layout)."""
        return self._w.copy()

    @property
    def n_weights(self) -> int:
        return int(self.groups.inv.shape[0])

    def state(self):
        """An exact snapshot: weights, every group's P, the count of filter updates."""
        return self._w.copy(), self.P.copy(), self.count.copy()

    def restore(self, state) -> None:
        """Put back a snapshot of :meth:`state` (in place)."""
        weights, P, count = state
        for dst, src in ((self._w.wh, weights.wh), (self._w.wo, weights.wo),
                         (self._w.wp, weights.wp), (self.P, P), (self.count, count)):
            dst[...] = src

    def flat_weights(self) -> np.ndarray:
        """The trainable weights as the filter's flat vector (group by group)."""
        out = np.empty(self.n_weights)
        for i, (arr, a, b, c) in enumerate(self.groups.inv):
            out[i] = (self._w.wh[a, b], self._w.wo[a, b], self._w.wp[a, b, c])[arr]
        return out

    # ------------------------------------------------------------------ running sequences
    def _run(self, sequences, mode, eta=1.0):
        spec = self.spec
        lengths = [len(seq.targets) for seq in sequences]
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        x = np.ascontiguousarray(np.concatenate([seq.inputs for seq in sequences]), dtype=np.float64)
        targets = np.ascontiguousarray(np.concatenate([seq.targets for seq in sequences]),
                                       dtype=np.float64)
        if x.shape[1] != spec.n_inputs or targets.shape[1] != spec.n_outputs:
            raise ValueError(f"sequences have {x.shape[1]} inputs and {targets.shape[1]} outputs; "
                             f"this network needs {spec.n_inputs} and {spec.n_outputs}")
        T = x.shape[0]
        out = np.empty((T, spec.n_outputs))
        jac = np.zeros((T, self.n_weights, spec.n_outputs)) if mode == 2 else np.zeros((0, 0, 0))
        p = self.params
        g = self.groups
        _run(self._w.wh, self._w.wo, self._w.wp, g.idx_h, g.idx_o, g.idx_p, g.inv, g.start, self.P,
             self._dims, self._sq, x, targets, starts, mode, float(eta),
             (p.r_init, p.r_final, p.q_init, p.q_final, float(p.anneal),
              p.bernoulli_floor if p.noise_model == "bernoulli" else 0.0,
              float(p.anneal_shape == "geometric")), self.count, out, jac)
        outs = np.split(out, starts[1:-1])
        return (outs, np.split(jac, starts[1:-1])) if mode == 2 else outs

    def train_sequences(self, sequences, *, lr: float, momentum: float = 0.0,
                        update: str = "step", outputs: str = "all") -> list[np.ndarray]:
        """Learn from ``sequences`` in order (state reset at each), one DEKF update at every time
        step with a target; returns each sequence's outputs (T, K), produced while learning.

        ``lr``: the filter's learning rate eta (A uses R(t)/eta; 1.0 gives the filter as
        parameterised).  ``momentum`` is ignored (the filter has none).  ``update`` must be "step":
        the filter updates on-line, at every target step.  ``outputs``
        (:data:`lstm_repro.spec.OUTPUT_MODES`): every step's outputs are returned either way
        (the filter needs them at every step with a target; the 2001 tasks have one at each).
        """
        check_choice("outputs", outputs, OUTPUT_MODES)
        if update != "step":
            raise ValueError(f"update={update!r} is not valid for the DEKF; valid values: 'step' "
                             f"(the filter updates at every time step with a target)")
        if not lr > 0:
            raise ValueError(f"lr={lr!r} is not valid; the DEKF's learning rate must be > 0")
        if not sequences:
            return []
        return self._run(sequences, 1, lr)

    def forward_sequences(self, sequences) -> list[np.ndarray]:
        """Outputs (T, K) of each sequence from reset state; weights unchanged."""
        return self._run(sequences, 0) if sequences else []

    def jacobians(self, seq) -> tuple[np.ndarray, np.ndarray]:
        """(outputs (T, K), H (T, W, K)): the truncated Jacobian dy_k(t)/dw of every output at
        every step, with the current weights held fixed (flat weights in :class:`Groups` order)."""
        outs, jacs = self._run([seq], 2)
        return outs[0], jacs[0]


def reference_jacobians(spec: NetworkSpec, weights: Weights, seq,
                        decoupling: str = "block") -> np.ndarray:
    """H (T, W, K) of ``seq`` by PyTorch autograd through :class:`lstm_repro.reference.ReferenceLSTM`
    (truncate=True, float64), in the flat order of :func:`weight_groups`: the slow, independent
    computation that :meth:`DEKFLearner.jacobians` is checked against."""
    import torch

    from .reference import ReferenceLSTM

    groups = weight_groups(spec, decoupling)
    ref = ReferenceLSTM(spec, weights, truncate=True)
    yh = torch.zeros(spec.n_units, dtype=torch.float64)
    s = torch.zeros(spec.n_cells, dtype=torch.float64)
    x = torch.tensor(np.asarray(seq.inputs, dtype=np.float64))
    out = np.zeros((seq.length, groups.inv.shape[0], spec.n_outputs))
    for t in range(seq.length):
        y, yh, s = ref.step(x[t], yh, s, *ref.params)
        for k in range(spec.n_outputs):
            g = torch.autograd.grad(y[k], ref.params, retain_graph=True, allow_unused=True)
            g = [np.zeros(tuple(p.shape)) if gi is None else gi.numpy() for gi, p in zip(g, ref.params)]
            out[t, :, k] = [g[a][i, j] if a < 2 else g[2][i, j, v] for a, i, j, v in groups.inv]
    return out
