"""The compiled online learner: forward step, truncated gradient (Appendix A) and weight update.

One numba kernel, :func:`_run_sequence`, processes a whole sequence: at every time step it computes
the memory cells and gates (Section 4, eqs. 6-9 of Appendix A.1), the output units, the forward
recursions of the state derivatives ds_c/dw (eqs. 25 and 27), and, at steps that carry a target, the
truncated backward pass (eqs. 19-28).  :class:`Network` is the Python face of it.

Learning-rate convention (paper eqs. 19 and 22): the output delta is ``e_k = f'_k(net_k)(t_k - y_k)``
with no factor 2, and ``dw_lm = alpha * e_l * y^m``; so ``alpha`` is the rate of gradient descent on
``E = 1/2 * sum_k (t_k - y_k)^2`` even though eq. (16) writes E without the 1/2.
``error="cross-entropy"`` (not the paper's; an option for Gers & Schmidhuber's languages, whose
public reimplementations use it) sets ``e_k = t_k - y_k``: the gradient of the cross-entropy
``E = -sum_k [t_k ln y_k + (1 - t_k) ln(1 - y_k)]`` of the logistic outputs.

Truncation (Appendix A.1): errors arriving at the net inputs of cells and gates are not propagated
back in time; error flows back only through the constant error carousels (the ``ds/dw`` recursions)
and into output gates and output units locally.  Equivalently: the recurrent activations y_h(t-1)
(and the peephole inputs s(t-1), s(t)) are constants when differentiating, the CEC path
s(t-1) -> s(t) is kept.  :mod:`lstm_repro.reference` writes exactly that with PyTorch stop-gradients,
and the tests check the two agree.

Extensions designed in: forget gates (Gers et al. 2000: s(t) = y_fg s(t-1) + y_in g), peepholes in
the 2002 order (input and forget gates see s(t-1), the output gate sees s(t)), conventional hidden
units, momentum, one-hot inputs (only the active input's column is touched at each step).

Speed without changing a bit: the exps of the logistic squashers are :func:`fastexp.exp`, inlined,
and those of a step's independent units are taken in one vectorised loop; it returns exactly what
``math.exp`` returns, and where it cannot (another C library) the kernels call ``math.exp``.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit

from . import fastexp
from .spec import (
    ERRORS,
    OUTPUT_MODES,
    SQUASHERS,
    UPDATE_MODES,
    NetworkSpec,
    Weights,
    check_choice,
    init_weights,
    layout,
)

_MODE_CODE = {"none": 0, "step": 1, "sequence": 2}


@njit(cache=True, inline="always")
def _logistic(x, fast):
    """1 / (1 + e^-x); ``fast`` (a kernel constant): e^-x by :func:`fastexp.exp`, which equals
    ``math.exp`` bit for bit where it is used (:func:`fastexp.available`), and is inlined."""
    return 1.0 / (1.0 + (fastexp.exp(-x) if fast else math.exp(-x)))


@njit(cache=True, inline="always")
def _dot(w, u, z, idx, n_in):
    """w[u] . z, where the first n_in entries of z are the inputs: one-hot at ``idx`` (idx >= 0,
    then only that column is read) or dense (idx = -1)."""
    acc = 0.0
    if idx >= 0:
        acc = w[u, idx]
    else:
        for m in range(n_in):
            acc += w[u, m] * z[m]
    for m in range(n_in, z.shape[0]):
        acc += w[u, m] * z[m]
    return acc


@njit(cache=True, inline="always")
def _add_scaled(a, u, e, z, idx, n_in):
    """a[u] += e * z, with z's inputs one-hot at ``idx`` (idx >= 0) or dense (idx = -1)."""
    if idx >= 0:
        a[u, idx] += e
    else:
        for m in range(n_in):
            a[u, m] += e * z[m]
    for m in range(n_in, z.shape[0]):
        a[u, m] += e * z[m]


@njit(cache=True)
def _apply_update(w, g, mask, v, lr, momentum):
    """w += lr*g (masked) + momentum*v_prev; remember the step in v; clear g.  Arrays flattened."""
    for i in range(w.size):
        d = lr * g[i] * mask[i] + momentum * v[i]
        v[i] = d
        w[i] += d
        g[i] = 0.0


@njit(cache=True)
def _apply_update_columns(w, g, mask, v, lr, col, first, last_col):
    """The update of ``_apply_update`` without momentum, restricted to the columns that can carry a
    gradient at a step with a one-hot input: ``col`` (the input seen) and ``first`` .. end (cell
    outputs, hidden units, bias).  Every other entry of ``g`` is zero, so there the full update
    would leave ``w`` unchanged and set ``v`` to zero: column ``last_col`` (the previous step's
    input, the only one where ``v`` may be nonzero) is zeroed to keep ``v`` the same too.
    w, g, mask, v: (rows, columns)."""
    for k in range(w.shape[0]):
        if last_col >= 0 and last_col != col:
            v[k, last_col] = 0.0
        d = lr * g[k, col] * mask[k, col]
        v[k, col] = d
        w[k, col] += d
        g[k, col] = 0.0
        for m in range(first, w.shape[1]):
            d = lr * g[k, m] * mask[k, m]
            v[k, m] = d
            w[k, m] += d
            g[k, m] = 0.0


@njit(cache=True)
def _transpose_into(wt, w):
    """wt[m, u] = w[u, m]: w (U, NZ), wt (NZ, U)."""
    for u in range(w.shape[0]):
        for m in range(w.shape[1]):
            wt[m, u] = w[u, m]


@njit(cache=True)
def _apply_updates(wh, wo, wp, gh, go, gp, mh, mo, mp, vh, vo, vp, lr, momentum):
    """The update of all three weight arrays (hidden layer, outputs, peepholes)."""
    _apply_update(wh.ravel(), gh.ravel(), mh.ravel(), vh.ravel(), lr, momentum)
    _apply_update(wo.ravel(), go.ravel(), mo.ravel(), vo.ravel(), lr, momentum)
    _apply_update(wp.ravel(), gp.ravel(), mp.ravel(), vp.ravel(), lr, momentum)


def _make_kernel(dims: tuple, sq: tuple, xent: bool = False, fast_exp: bool = False):
    """Compile the sequence kernel for one architecture.

    The sizes and flags are closure constants, so numba specialises the loops to them (dead branches
    removed, short loops unrolled); ``cache=True`` keys the on-disk cache on their values.
    dims = (I, K, C, S, H, U, NZ, NO, off_out, off_fg, off_cell, off_hid, has_og, has_fg, has_peep);
    sq = (g_a, g_b, h_a, h_b): the squashers y = a*logistic(x) - b (a == 0: the identity).
    xent: the output error e_k = t_k - y_k (cross-entropy) instead of eq. 19's (a constant too:
    the default's code is the same as without the option).
    fast_exp: e^x by the inlined :func:`fastexp.exp` (same bits as math.exp; a constant, so it is in
    the cache key too).
    """
    FAST = fast_exp
    I, K, C, S, H, U, NZ, NO, off_out, off_fg, off_cell, off_hid, has_og, has_fg, has_peep = dims
    g_a, g_b, h_a, h_b = sq
    CS = C * S
    # units whose e^-net is taken before the cell update: all, or up to the cells when the cells'
    # g is the identity and nothing follows them
    N_EARLY = U if (g_a != 0.0 or H > 0) else off_cell

    @njit(cache=True)
    def run(wh, wo, wp, mh, mo, mp, vh, vo, vp, x, xi, targets, starts, lr, momentum, mode,
            out, trace, all_out):
        """Run sequences ``starts[i]:starts[i+1]`` of the time axis, each from reset state, and learn
        on-line if ``mode`` > 0.

        wh (U, NZ), wo (K, NO), wp (C, 3, S): weights, changed in place when learning.
        mh, mo, mp: connection masks (same shapes).  vh, vo, vp: momentum buffers (same shapes).
        x (T, I) dense inputs, or xi (T,) one-hot input indices (then x has 0 rows).
        targets (T, K): NaN where an output has no target.  mode: 0 forward only, 1 update after
        every step with a target, 2 sum the contributions and update at the end of each sequence.
        out (T, K) receives the outputs; trace (T, U + CS) receives y_h(t), s(t) if it has T rows.
        all_out: compute the outputs at every step; if False, only at steps with a target (NaN
        in ``out`` elsewhere: the output units feed nothing back, so learning is unchanged).
        """
        onehot = xi.shape[0] > 0
        learn = mode > 0
        record = trace.shape[0] == targets.shape[0]

        z = np.zeros(NZ)            # [x(t) | y_h(t-1) | 1]; input part unused when one-hot
        z[NZ - 1] = 1.0
        zo = np.zeros(NO)           # [x(t) | y_c(t) | y_hid(t) | 1]
        zo[NO - 1] = 1.0
        net = np.zeros(U)
        eneg = np.zeros(U)          # e^-net
        eneg_s = np.zeros(CS)       # e^-s_c
        yh = np.zeros(U)            # y_h(t)
        dnet = np.zeros(U)          # f'(net) of gates and hidden units
        s = np.zeros(CS)            # s_c(t), s_c(0) = 0
        s_prev = np.zeros(CS)
        gval = np.zeros(CS)         # g(net_c)
        dgval = np.zeros(CS)        # g'(net_c)
        hval = np.zeros(CS)         # h(s_c)
        dhval = np.zeros(CS)        # h'(s_c)
        yin = np.ones(C)
        yfg = np.ones(C)
        yout = np.ones(C)
        yo = np.zeros(K)
        eo = np.zeros(K)
        back = np.zeros(CS)         # sum_k w_kc e_k: error arriving at cell output y_c
        # state derivatives (eqs. 25, 27): ds_c/dw for weights into cell c, its input gate, its
        # forget gate; and for the peepholes from cell v of c's block to its input / forget gate
        dsc = np.zeros((CS, NZ))
        dsi = np.zeros((CS, NZ))
        dsf = np.zeros((CS if has_fg else 0, NZ))
        dpi = np.zeros((CS, S))
        dpf = np.zeros((CS, S))
        gh = np.zeros_like(wh)      # accumulated -dE/dw
        go = np.zeros_like(wo)
        gp = np.zeros_like(wp)
        # per-step updates without momentum on one-hot inputs change only the output weights from
        # the input seen (and from the cells, hidden units and bias): after one full update,
        # ``last_col`` is that input's column, and the next updates touch only those columns of wo
        sparse_out = onehot and momentum == 0.0
        last_col = -1
        wt = np.empty((NZ, U))      # wh transposed, for the forward pass; refreshed after updates
        _transpose_into(wt, wh)

        for i in range(starts.shape[0] - 1):
            # reset at the start of each sequence (Section 5: activations reset, s_c(0) = 0)
            yh[:] = 0.0
            s[:] = 0.0
            if learn:
                dsc[:] = 0.0
                dsi[:] = 0.0
                dsf[:] = 0.0
                dpi[:] = 0.0
                dpf[:] = 0.0
            for t in range(starts[i], starts[i + 1]):
                # ---- forward: hidden units see x(t) and y_h(t-1) (Section 5, order of computation)
                idx = -1
                if onehot:
                    idx = xi[t]
                else:
                    for m in range(I):
                        z[m] = x[t, m]
                for u in range(U):
                    z[I + u] = yh[u]
                # net = wh @ z, column by column of wt = wh^T: each net[u] sums in the same order
                # as a row-by-row dot product, and the inner loop runs over independent units
                if onehot:
                    for u in range(U):
                        net[u] = wt[idx, u]
                else:
                    for u in range(U):
                        net[u] = 0.0
                    for m in range(I):
                        zm = z[m]
                        for u in range(U):
                            net[u] += wt[m, u] * zm
                for m in range(I, NZ):
                    zm = z[m]
                    for u in range(U):
                        net[u] += wt[m, u] * zm
                for c in range(CS):
                    s_prev[c] = s[c]
                if has_peep:                       # input and forget gates peek at s(t-1)
                    for j in range(C):
                        for v in range(S):
                            net[j] += wp[j, 0, v] * s_prev[j * S + v]
                            if has_fg:
                                net[off_fg + j] += wp[j, 1, v] * s_prev[j * S + v]
                # e^-net of every unit whose activation does not wait for s(t), in one loop over
                # independent units (with peepholes the output gates' come later; identity cell
                # inputs need none): then the logistic is 1 / (1 + e^-net)
                fastexp.exp_neg_into(net, eneg, 0, N_EARLY, FAST)
                for j in range(C):
                    y = 1.0 / (1.0 + eneg[j])
                    yin[j] = y
                    dnet[j] = y * (1.0 - y)
                    if has_fg:
                        y = 1.0 / (1.0 + eneg[off_fg + j])
                        yfg[j] = y
                        dnet[off_fg + j] = y * (1.0 - y)
                for c in range(CS):                # the CEC: s(t) = y_fg s(t-1) + y_in g(net_c)
                    j = c // S
                    if g_a == 0.0:
                        gval[c] = net[off_cell + c]
                        dgval[c] = 1.0
                    else:
                        y = 1.0 / (1.0 + eneg[off_cell + c])
                        gval[c] = g_a * y - g_b
                        dgval[c] = g_a * y * (1.0 - y)
                    s[c] = yfg[j] * s_prev[c] + yin[j] * gval[c]
                if h_a != 0.0:
                    fastexp.exp_neg_into(s, eneg_s, 0, CS, FAST)
                for c in range(CS):
                    if h_a == 0.0:
                        hval[c] = s[c]
                        dhval[c] = 1.0
                    else:
                        y = 1.0 / (1.0 + eneg_s[c])
                        hval[c] = h_a * y - h_b
                        dhval[c] = h_a * y * (1.0 - y)
                if has_og:                         # output gate after the cell update: peeks at s(t)
                    for j in range(C):
                        if has_peep:
                            n = net[off_out + j]
                            for v in range(S):
                                n += wp[j, 2, v] * s[j * S + v]
                            net[off_out + j] = n
                            y = _logistic(n, FAST)
                        else:
                            y = 1.0 / (1.0 + eneg[off_out + j])
                        yout[j] = y
                        dnet[off_out + j] = y * (1.0 - y)
                for j in range(C):
                    yh[j] = yin[j]
                    if has_og:
                        yh[off_out + j] = yout[j]
                    if has_fg:
                        yh[off_fg + j] = yfg[j]
                for c in range(CS):                # y_c = y_out h(s_c)
                    yh[off_cell + c] = yout[c // S] * hval[c]
                for i in range(H):
                    y = 1.0 / (1.0 + eneg[off_hid + i])
                    yh[off_hid + i] = y
                    dnet[off_hid + i] = y * (1.0 - y)
                # ---- output units see x(t), y_c(t), y_hid(t); nothing else reads them, so with
                # ``all_out`` False they are computed only at steps that carry a target
                has_target = False
                if learn or not all_out:           # a forward pass never looks at the targets
                    for k in range(K):
                        if not math.isnan(targets[t, k]):
                            has_target = True
                if all_out or has_target:
                    if not onehot:
                        for m in range(I):
                            zo[m] = z[m]
                    for c in range(CS + H):
                        zo[I + c] = yh[off_cell + c]
                    for k in range(K):
                        yo[k] = _logistic(_dot(wo, k, zo, idx, I), FAST)
                        out[t, k] = yo[k]
                else:
                    for k in range(K):
                        out[t, k] = math.nan
                if record:
                    for u in range(U):
                        trace[t, u] = yh[u]
                    for c in range(CS):
                        trace[t, U + c] = s[c]
                if not learn:
                    continue

                # ---- forward recursions of ds_c/dw (eqs. 25, 27; with forget gates Gers et al. 2000)
                for c in range(CS):
                    j = c // S
                    a_c = dgval[c] * yin[j]            # ds_c/dnet_c
                    a_i = gval[c] * dnet[j]            # ds_c/dnet_in
                    if has_fg:
                        a_f = s_prev[c] * dnet[off_fg + j]
                        d = yfg[j]
                        for m in range(NZ):
                            dsc[c, m] *= d
                            dsi[c, m] *= d
                            dsf[c, m] *= d
                        _add_scaled(dsf, c, a_f, z, idx, I)
                        if has_peep:
                            for v in range(S):
                                dpi[c, v] = d * dpi[c, v] + a_i * s_prev[j * S + v]
                                dpf[c, v] = d * dpf[c, v] + a_f * s_prev[j * S + v]
                    elif has_peep:                     # 1997 cell: ds(t)/ds(t-1) = 1
                        for v in range(S):
                            dpi[c, v] += a_i * s_prev[j * S + v]
                    _add_scaled(dsc, c, a_c, z, idx, I)
                    _add_scaled(dsi, c, a_i, z, idx, I)

                # ---- truncated backward pass at steps with a target (eqs. 19-28)
                if not has_target:
                    continue
                for k in range(K):
                    tk = targets[t, k]
                    if math.isnan(tk):
                        eo[k] = 0.0
                    else:
                        if xent:                                         # cross-entropy
                            eo[k] = tk - yo[k]
                        else:
                            eo[k] = yo[k] * (1.0 - yo[k]) * (tk - yo[k])  # eq. 19
                for k in range(K):                                       # eq. 22 for output units
                    _add_scaled(go, k, eo[k], zo, idx, I)
                for c in range(CS):
                    acc = 0.0
                    for k in range(K):
                        acc += wo[k, I + c] * eo[k]
                    back[c] = acc
                for i in range(H):                                       # conventional hidden units (eq. 20)
                    acc = 0.0
                    for k in range(K):
                        acc += wo[k, I + CS + i] * eo[k]
                    _add_scaled(gh, off_hid + i, dnet[off_hid + i] * acc, z, idx, I)
                if has_og:                                               # output gates (eq. 21)
                    for j in range(C):
                        acc = 0.0
                        for v in range(S):
                            acc += hval[j * S + v] * back[j * S + v]
                        e = dnet[off_out + j] * acc
                        _add_scaled(gh, off_out + j, e, z, idx, I)
                        if has_peep:
                            for v in range(S):
                                gp[j, 2, v] += e * s[j * S + v]
                for c in range(CS):                                      # internal states (eqs. 23-28)
                    j = c // S
                    es = yout[j] * dhval[c] * back[c]
                    if es == 0.0:
                        continue
                    for m in range(NZ):
                        gh[off_cell + c, m] += es * dsc[c, m]
                        gh[j, m] += es * dsi[c, m]
                    if has_fg:
                        for m in range(NZ):
                            gh[off_fg + j, m] += es * dsf[c, m]
                    if has_peep:
                        for v in range(S):
                            gp[j, 0, v] += es * dpi[c, v]
                            gp[j, 1, v] += es * dpf[c, v]
                if mode == 1:
                    if sparse_out and last_col >= 0:
                        _apply_update(wh.ravel(), gh.ravel(), mh.ravel(), vh.ravel(), lr, 0.0)
                        _apply_update(wp.ravel(), gp.ravel(), mp.ravel(), vp.ravel(), lr, 0.0)
                        _apply_update_columns(wo, go, mo, vo, lr, idx, I, last_col)
                    else:
                        _apply_updates(wh, wo, wp, gh, go, gp, mh, mo, mp, vh, vo, vp, lr,
                                       momentum)
                    if sparse_out:
                        last_col = idx
                    _transpose_into(wt, wh)
            if mode == 2:
                _apply_updates(wh, wo, wp, gh, go, gp, mh, mo, mp, vh, vo, vp, lr, momentum)
                _transpose_into(wt, wh)

    return run


@functools.lru_cache(maxsize=None)
def _kernel(dims: tuple, sq: tuple, xent: bool = False):
    """The compiled kernel for one architecture (compiled once per process, cached on disk)."""
    return _make_kernel(tuple(int(d) for d in dims), tuple(float(a) for a in sq), bool(xent),
                        fastexp.available())


_NO_ROWS_F = np.zeros((0, 0))
_NO_ROWS_I = np.zeros(0, dtype=np.int64)


class Network:
    """A memory-cell network with its weights, trained online by the truncated gradient.

    >>> net = Network(NetworkSpec(), seed=0)
    >>> y = net.train_sequence(inputs, targets, lr=0.5)   # (T, K) outputs; weights updated

    ``error``: the output error of :data:`lstm_repro.spec.ERRORS` ("mse", the paper's eq. 19,
    default; or "cross-entropy", see the module docstring).
    """

    def __init__(self, spec: NetworkSpec, weights: Weights | None = None, *,
                 seed: int | None = None, rng: np.random.Generator | None = None,
                 error: str = "mse"):
        check_choice("error", error, ERRORS)
        self.spec, self.error = spec, error
        self.layout = lay = layout(spec)
        if weights is None:
            weights = init_weights(spec, rng if rng is not None else np.random.default_rng(seed))
        for name, w, mask in (("wh", weights.wh, lay.mask_h), ("wo", weights.wo, lay.mask_o),
                              ("wp", weights.wp, lay.mask_p)):
            if w.shape != mask.shape:
                raise ValueError(f"weights.{name} has shape {w.shape}; this spec needs {mask.shape}")
        self.weights = Weights(*(np.ascontiguousarray(w, dtype=np.float64)
                                 for w in (weights.wh, weights.wo, weights.wp)))
        self.velocity = Weights(np.zeros_like(lay.mask_h), np.zeros_like(lay.mask_o),
                                np.zeros_like(lay.mask_p))
        dims = (spec.n_inputs, spec.n_outputs, spec.n_blocks, spec.block_size, spec.n_hidden,
                spec.n_units, lay.n_src, lay.n_osrc, lay.out_gate, lay.forget_gate, lay.cell,
                lay.hidden, spec.output_gate, spec.forget_gate, spec.peepholes)
        self._kernel = _kernel(dims, (*SQUASHERS[spec.g][:2], *SQUASHERS[spec.h][:2]),
                               error == "cross-entropy")

    def state(self) -> tuple[Weights, Weights]:
        """Copies of the weights and the momentum buffers (for :meth:`restore`)."""
        return self.weights.copy(), self.velocity.copy()

    def restore(self, state: tuple[Weights, Weights]) -> None:
        """Put back weights and momentum buffers saved by :meth:`state` (in place)."""
        for dst, src in zip((self.weights, self.velocity), state):
            for a, b in ((dst.wh, src.wh), (dst.wo, src.wo), (dst.wp, src.wp)):
                a[...] = b

    # ------------------------------------------------------------------ running sequences
    def _run(self, inputs, onehot, targets, lr, momentum, mode, trace=False, starts=None,
             outputs="all"):
        spec = self.spec
        if onehot is not None:
            xi = np.ascontiguousarray(onehot, dtype=np.int64)
            if xi.ndim != 1:
                raise ValueError(f"onehot indices must be 1-D (T,), got shape {xi.shape}")
            if xi.size and (xi.min() < 0 or xi.max() >= spec.n_inputs):
                raise ValueError(f"onehot indices must lie in [0, {spec.n_inputs}); got "
                                 f"[{xi.min()}, {xi.max()}]")
            x, T = np.zeros((0, spec.n_inputs)), xi.shape[0]
        else:
            x = np.ascontiguousarray(inputs, dtype=np.float64)
            if x.ndim != 2 or x.shape[1] != spec.n_inputs:
                raise ValueError(f"inputs must have shape (T, {spec.n_inputs}), got {x.shape}")
            xi, T = _NO_ROWS_I, x.shape[0]
        if targets is None:
            targets = np.full((T, spec.n_outputs), np.nan)
        targets = np.ascontiguousarray(targets, dtype=np.float64)
        if targets.shape != (T, spec.n_outputs):
            raise ValueError(f"targets must have shape ({T}, {spec.n_outputs}), got {targets.shape}")
        starts = np.array([0, T], dtype=np.int64) if starts is None else starts
        out = np.empty((T, spec.n_outputs))
        tr = np.zeros((T, spec.n_units + spec.n_cells)) if trace else _NO_ROWS_F
        w, v, lay = self.weights, self.velocity, self.layout
        self._kernel(w.wh, w.wo, w.wp, lay.mask_h, lay.mask_o, lay.mask_p, v.wh, v.wo, v.wp,
                     x, xi, targets, starts, float(lr), float(momentum), _MODE_CODE[mode], out, tr,
                     outputs == "all")
        return (out, tr) if trace else out

    def forward(self, inputs=None, *, onehot=None) -> np.ndarray:
        """Outputs (T, K) of the network on one sequence, from reset state; weights unchanged."""
        return self._run(inputs, onehot, None, 0.0, 0.0, "none")

    def train_sequence(self, inputs=None, targets=None, *, onehot=None, lr: float,
                       momentum: float = 0.0, update: str = "step") -> np.ndarray:
        """Process one sequence and learn from its targets; returns the outputs (T, K) it produced.

        update="step": weights change after every time step that carries a target (the paper's
        on-line, real-time reading); "sequence": the contributions are summed over the sequence and
        applied at its end (Appendix A: "the sum of its contributions over all time steps").  The two
        coincide when only the last step carries a target.
        """
        check_choice("update", update, UPDATE_MODES)
        return self._run(inputs, onehot, targets, lr, momentum, update)

    def train_sequences(self, sequences, *, lr: float, momentum: float = 0.0,
                        update: str = "step", outputs: str = "all") -> list[np.ndarray]:
        """Learn from several sequences in order, in one call of the compiled kernel (the same
        result as calling :meth:`train_sequence` on each; cheaper for short sequences).

        ``sequences``: objects with ``targets`` (T, K) and either ``onehot`` (T,) or ``inputs``
        (T, I), such as :class:`lstm_repro.tasks.base.Sequence`.  Returns each one's outputs:
        at every step (``outputs="all"``), or only at the steps that carry a target and NaN
        elsewhere (``"targets"``: the runner's choice; nothing inside the network reads the
        output units, so learning is the same, and a task with its target at the end saves the
        output layer at every other step).
        """
        check_choice("update", update, UPDATE_MODES)
        check_choice("outputs", outputs, OUTPUT_MODES)
        return self._run_many(sequences, lr, momentum, update, outputs)

    def forward_sequences(self, sequences) -> list[np.ndarray]:
        """Outputs of each sequence (from reset state), in one kernel call; weights unchanged."""
        return self._run_many(sequences, 0.0, 0.0, "none")

    def _run_many(self, sequences, lr, momentum, mode, outputs="all"):
        if not sequences:
            return []
        lengths = [len(seq.targets) for seq in sequences]
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        targets = np.concatenate([seq.targets for seq in sequences])
        if all(getattr(seq, "onehot", None) is not None for seq in sequences):
            inputs, onehot = None, np.concatenate([seq.onehot for seq in sequences])
        else:
            inputs, onehot = np.concatenate([seq.inputs for seq in sequences]), None
        out = self._run(inputs, onehot, targets, lr, momentum, mode, starts=starts,
                        outputs=outputs)
        return np.split(out, starts[1:-1])

    def trace(self, inputs=None, *, onehot=None) -> dict:
        """Forward pass that also returns every unit's activation and every cell state over time."""
        out, tr = self._run(inputs, onehot, None, 0.0, 0.0, "none", trace=True)
        lay, spec = self.layout, self.spec
        C, U = spec.n_blocks, spec.n_units
        result = {"outputs": out, "input_gates": tr[:, lay.in_gate:lay.in_gate + C],
                  "cell_outputs": tr[:, lay.cell:lay.hidden], "states": tr[:, U:],
                  "hidden": tr[:, lay.hidden:U]}
        if spec.output_gate:
            result["output_gates"] = tr[:, lay.out_gate:lay.out_gate + C]
        if spec.forget_gate:
            result["forget_gates"] = tr[:, lay.forget_gate:lay.forget_gate + C]
        return result
