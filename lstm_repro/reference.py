"""The same network in PyTorch: the readable version of :mod:`lstm_repro.engine`, and its test oracle.

Everything the engine computes by hand is written here as a plain forward pass, and the gradient
comes from autograd.  The paper's truncation (Appendix A.1) is a stop-gradient: the recurrent
activations y_h(t-1) and the peephole inputs are ``detach()``-ed, while the constant error carousel
s(t-1) -> s(t) is kept.  With ``truncate=False`` nothing is detached, which gives the full gradient
(BPTT through the whole sequence), the ablation of Section 6 ("no significant difference").

On-line learning changes the weights in the middle of a sequence.  To keep autograd exact there, the
weights used at step t are ``base + delta_t`` with ``delta_t`` a constant: then dE(t)/d(base) sums
the contributions of every earlier step at the weights then in force, exactly what the forward
recursions of RTRL (and the engine) accumulate.
"""
from __future__ import annotations

import numpy as np
import torch

from .spec import (
    ERRORS,
    OUTPUT_MODES,
    SQUASHERS,
    UPDATE_MODES,
    NetworkSpec,
    Weights,
    check_choice,
    layout,
)


def squash(name: str, x: torch.Tensor) -> torch.Tensor:
    """g or h of Appendix A eqs. (4)-(5): a*logistic(x) - b, or the identity."""
    a, b, _ = SQUASHERS[name]
    return x if a == 0.0 else a * torch.sigmoid(x) - b


class ReferenceLSTM:
    """Memory-cell network (Section 4) in float64 PyTorch, same weight layout as the engine."""

    def __init__(self, spec: NetworkSpec, weights: Weights, truncate: bool = True):
        self.spec, self.truncate = spec, truncate
        lay = self.layout = layout(spec)
        self.masks = [torch.tensor(m) for m in (lay.mask_h, lay.mask_o, lay.mask_p)]
        self.params = [torch.tensor(w, dtype=torch.float64, requires_grad=True)
                       for w in (weights.wh, weights.wo, weights.wp)]

    def weights(self) -> Weights:
        return Weights(*(p.detach().numpy().copy() for p in self.params))

    def step(self, x_t, yh_prev, s_prev, wh, wo, wp):
        """One time step.  x_t (I,), yh_prev (U,), s_prev (C*S,) -> outputs (K,), y_h (U,), s (C*S,)."""
        spec, lay = self.spec, self.layout
        C, S = spec.n_blocks, spec.block_size
        cut = (lambda v: v.detach()) if self.truncate else (lambda v: v)
        one = torch.ones(1, dtype=torch.float64)
        z = torch.cat([x_t, cut(yh_prev), one])                      # (NZ,)
        net = wh @ z                                                  # (U,)
        net_in = net[lay.in_gate:lay.in_gate + C]                     # (C,)
        net_c = net[lay.cell:lay.hidden].reshape(C, S)                # (C, S)
        sp = s_prev.reshape(C, S)                                     # (C, S)
        if spec.peepholes:                                            # input/forget gates see s(t-1)
            net_in = net_in + (wp[:, 0, :] * cut(sp)).sum(1)
        y_in = torch.sigmoid(net_in)                                  # (C,)
        if spec.forget_gate:
            net_fg = net[lay.forget_gate:lay.forget_gate + C]
            if spec.peepholes:
                net_fg = net_fg + (wp[:, 1, :] * cut(sp)).sum(1)
            y_fg = torch.sigmoid(net_fg)
            s = y_fg[:, None] * sp + y_in[:, None] * squash(spec.g, net_c)   # (C, S)
        else:
            y_fg = None
            s = sp + y_in[:, None] * squash(spec.g, net_c)           # the CEC, eq. (7)
        s_flat = s.reshape(-1)                                        # (C*S,) returned as s(t); every
        s = s_flat.view(C, S)                                         # later use goes through it
        if spec.output_gate:
            net_out = net[lay.out_gate:lay.out_gate + C]
            if spec.peepholes:                                        # output gate sees s(t)
                net_out = net_out + (wp[:, 2, :] * cut(s)).sum(1)
            y_out = torch.sigmoid(net_out)
            y_c = y_out[:, None] * squash(spec.h, s)                  # eq. (8)
        else:
            y_out = None
            y_c = squash(spec.h, s)
        y_hid = torch.sigmoid(net[lay.hidden:])                       # (H,)
        gates = [y_in] + [g for g in (y_out, y_fg) if g is not None]
        yh = torch.cat(gates + [y_c.reshape(-1), y_hid])              # (U,) in the engine's order
        zo = torch.cat([x_t, y_c.reshape(-1), y_hid, one])            # (NO,)
        y = torch.sigmoid(wo @ zo)                                    # (K,)
        return y, yh, s_flat

    def train_sequence(self, inputs, targets=None, *, lr: float = 0.0, momentum: float = 0.0,
                       update: str = "step", velocity: list | None = None,
                       error: str = "mse") -> np.ndarray:
        """Run one sequence from reset state, learning as the engine does; returns outputs (T, K).

        Gradient descent on E = 1/2 sum (t - y)^2 per target step (eqs. 19, 22), or with
        ``error="cross-entropy"`` on E = -sum [t ln y + (1 - t) ln(1 - y)] (the engine's option).
        ``velocity`` is the momentum buffer (list of three arrays), updated in place when given.
        """
        check_choice("error", error, ERRORS)
        check_choice("update", update, UPDATE_MODES)
        spec = self.spec
        x = torch.tensor(np.asarray(inputs, dtype=np.float64))               # (T, I)
        T = x.shape[0]
        tgt = None if targets is None else torch.tensor(np.asarray(targets, dtype=np.float64))
        base = self.params
        delta = [torch.zeros_like(p) for p in base]           # constants: updates so far
        acc = [torch.zeros_like(p) for p in base]             # summed gradients ("sequence")
        vel = velocity if velocity is not None else [np.zeros(tuple(p.shape)) for p in base]
        yh = torch.zeros(spec.n_units, dtype=torch.float64)
        s = torch.zeros(spec.n_cells, dtype=torch.float64)
        outputs = np.zeros((T, spec.n_outputs))

        def apply(grads):
            for i, (g, m) in enumerate(zip(grads, self.masks)):
                v = lr * (-g.numpy()) * m.numpy() + momentum * vel[i]
                vel[i][...] = v
                delta[i] = delta[i] + torch.as_tensor(v)

        for t in range(T):
            w = [b + d for b, d in zip(base, delta)]
            y, yh, s = self.step(x[t], yh, s, *w)
            outputs[t] = y.detach().numpy()
            if tgt is None or torch.isnan(tgt[t]).all():
                continue
            have = ~torch.isnan(tgt[t])
            if error == "mse":
                E = 0.5 * ((tgt[t][have] - y[have]) ** 2).sum()
            else:
                E = torch.nn.functional.binary_cross_entropy(y[have], tgt[t][have],
                                                             reduction="sum")
            grads = torch.autograd.grad(E, base, retain_graph=True, allow_unused=True)
            grads = [torch.zeros_like(p) if g is None else g for g, p in zip(grads, base)]
            if update == "step":
                apply(grads)
            else:
                acc = [a + g for a, g in zip(acc, grads)]
        if update == "sequence":
            apply(acc)
        with torch.no_grad():
            for p, d in zip(base, delta):
                p += d
        return outputs

    def trace(self, inputs) -> dict:
        """Forward pass returning outputs, every unit's activation and every cell state (numpy)."""
        x = torch.tensor(np.asarray(inputs, dtype=np.float64))
        yh = torch.zeros(self.spec.n_units, dtype=torch.float64)
        s = torch.zeros(self.spec.n_cells, dtype=torch.float64)
        rows = []
        with torch.no_grad():
            for t in range(x.shape[0]):
                y, yh, s = self.step(x[t], yh, s, *self.params)
                rows.append((y.numpy().copy(), yh.numpy().copy(), s.numpy().copy()))
        return {"outputs": np.array([r[0] for r in rows]), "units": np.array([r[1] for r in rows]),
                "states": np.array([r[2] for r in rows])}


class TorchLearner:
    """The reference network behind the engine's interface (:class:`lstm_repro.engine.Network`),
    so that the runner can train with autograd: ``truncate=False`` is the full-gradient (BPTT)
    ablation of Section 6, ``truncate=True`` the paper's gradient computed the slow way."""

    def __init__(self, spec: NetworkSpec, weights: Weights | None = None, *,
                 rng: np.random.Generator | None = None, seed: int | None = None,
                 truncate: bool = False):
        from .spec import init_weights
        if weights is None:
            weights = init_weights(spec, rng if rng is not None else np.random.default_rng(seed))
        self.spec = spec
        self.reference = ReferenceLSTM(spec, weights, truncate=truncate)
        self.velocity = [np.zeros_like(w) for w in (weights.wh, weights.wo, weights.wp)]

    @property
    def weights(self) -> Weights:
        return self.reference.weights()

    def train_sequences(self, sequences, *, lr: float, momentum: float = 0.0,
                        update: str = "step", outputs: str = "all") -> list[np.ndarray]:
        """As :meth:`lstm_repro.engine.Network.train_sequences`; the outputs of every step are
        returned whatever ``outputs`` asks (the reference computes them anyway)."""
        check_choice("outputs", outputs, OUTPUT_MODES)
        return [self.reference.train_sequence(seq.inputs, seq.targets, lr=lr, momentum=momentum,
                                              update=update, velocity=self.velocity)
                for seq in sequences]

    def forward_sequences(self, sequences) -> list[np.ndarray]:
        return [self.reference.trace(seq.inputs)["outputs"] for seq in sequences]

    def state(self):
        return self.weights, [v.copy() for v in self.velocity]

    def restore(self, state) -> None:
        weights, velocity = state
        with torch.no_grad():
            for p, w in zip(self.reference.params, (weights.wh, weights.wo, weights.wp)):
                p[...] = torch.as_tensor(w)
        for v, saved in zip(self.velocity, velocity):
            v[...] = saved
