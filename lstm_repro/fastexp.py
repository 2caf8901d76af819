"""exp(x) inlined into the compiled kernels, bit for bit the platform's ``math.exp``.

Why: the logistic squashers of Section 4 and Appendix A.1 (f, g, h; eqs. 3-5) cost one exp each, a
dozen per time step of the adding net (row 4-1), and numba compiles ``math.exp`` into an opaque call
to the C library, one value at a time: about 45 % of a training step.  This module writes the same
function out, so that numba inlines it and takes the exps of a step's independent units in one
vectorised loop (:func:`exp_neg_into`); on row 4-1 a step went from 0.19 to 0.15 µs (bench).

What: the algorithm of glibc's ``exp`` (version 2.28 and later, from Arm's optimized-routines): with
N = 128, write x = k ln2/N + r, |r| <= ln2/(2N); take 2^(k/N) from a table as a double H and a
relative tail T, 2^(k/N) ~ H (1 + T); and exp(x) = 2^(k/N) exp(r) ~ H + H (T + r + r^2 (C2 + r C3)
+ r^4 (C4 + r C5)).  glibc's x86-64 build for processors with FMA evaluates these sums with fused
multiply-adds, and so does :func:`exp`.  The table is computed here, in exact decimal arithmetic
(each entry the double nearest to its value); the four polynomial coefficients and the split of
ln2/N are glibc's constants.  For |x| >= 512, NaN and infinities :func:`exp` calls ``math.exp``.

The guarantee: :func:`available` is True only if :func:`exp` equals ``math.exp`` (as numba calls it)
bit for bit on a check sample (:func:`check`, run once per process), and the engine uses it only
then; on any other C library (or a processor without FMA, whose glibc rounds differently) the
kernels call ``math.exp`` as before.  Either way a trial's numbers are those of ``math.exp``: results stored by
earlier commits are reproduced exactly.
"""
from __future__ import annotations

import functools
import math
from decimal import Decimal, localcontext

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

N = 128                                          # table entries: 2^(k/N), k = 0 .. N-1
INV_LN2_N = float.fromhex("0x1.71547652b82fep0") * N        # N / ln2
NEG_LN2_HI_N = float.fromhex("-0x1.62e42fefa0000p-8")        # -ln2/N, high part (exact products)
NEG_LN2_LO_N = float.fromhex("-0x1.cf79abc9e3b3ap-47")       # -ln2/N, low part
SHIFT = float.fromhex("0x1.8p52")                # adding it rounds z to an integer in the low bits
C2, C3, C4, C5 = (float.fromhex(c) for c in (    # exp(r) ~ 1 + r + C2 r^2 + ... + C5 r^5
    "0x1.ffffffffffdbdp-2", "0x1.555555555543cp-3", "0x1.55555cf172b91p-5", "0x1.1111167a4d017p-7"))
LIMIT = 512.0                                    # |x| below it: the table path; else math.exp


def _table() -> np.ndarray:
    """(2N,) uint64: entry 2k the bits of T_k, entry 2k+1 the bits of H_k minus k << 45, where H_k
    is the double nearest to 2^(k/N) and T_k the double nearest to (2^(k/N) - H_k) / H_k.  In
    :func:`_table_path` the full k (any integer) is shifted back in: its low 7 bits cancel the
    subtraction and the rest lands in the exponent field, giving the bits of H_k 2^floor(k/N)."""
    tab = np.zeros(2 * N, dtype=np.uint64)
    with localcontext() as ctx:
        ctx.prec = 60
        ln2 = Decimal(2).ln()
        for k in range(N):
            exact = (ln2 * k / N).exp()
            high = float(exact)                                # correctly rounded
            tail = float((exact - Decimal(high)) / Decimal(high))
            tab[2 * k] = np.float64(tail).view(np.uint64)
            tab[2 * k + 1] = np.float64(high).view(np.uint64) - np.uint64(k << 45)
    return tab


TABLE = _table()


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once (LLVM's llvm.fma, a vfmadd instruction with FMA)."""
    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)
    return types.float64(types.float64, types.float64, types.float64), codegen


@intrinsic
def _bits(typingctx, x):
    """The 64 bits of a double, as an unsigned integer."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.uint64(types.float64), codegen


@intrinsic
def _double(typingctx, u):
    """The double whose 64 bits are u."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.uint64), codegen


@njit(cache=True, inline="always")
def _table_path(x):
    """e^x for |x| < 512 (no test: the caller sees to the range)."""
    kd = _fma(INV_LN2_N, x, SHIFT)               # k = round(x N / ln2), in kd's low bits
    ki = _bits(kd)
    kd -= SHIFT
    r = _fma(kd, NEG_LN2_LO_N, _fma(kd, NEG_LN2_HI_N, x))   # x - k ln2/N
    i = 2 * (ki & np.uint64(N - 1))
    scale = _double(TABLE[i + 1] + (ki << np.uint64(45)))  # H_k 2^floor(k/N)
    r2 = r * r
    tmp = _fma(r2 * r2, _fma(r, C5, C4), _fma(r2, _fma(r, C3, C2), _double(TABLE[i]) + r))
    return _fma(scale, tmp, scale)


@njit(cache=True, inline="always")
def exp(x):
    """e^x: the table path for |x| < 512, math.exp otherwise (and for NaN)."""
    if not abs(x) < LIMIT:
        return math.exp(x)
    return _table_path(x)


@njit(cache=True, inline="always")
def exp_neg_into(x, out, lo, hi, fast):
    """out[u] = e^-x[u] for lo <= u < hi.  With ``fast``: the table path over the whole range in one
    branch-free loop (the compiler vectorises it), then math.exp for the entries out of its range;
    without: math.exp throughout.  x, out: (n,)."""
    if not fast:
        for u in range(lo, hi):
            out[u] = math.exp(-x[u])
        return
    special = False
    for u in range(lo, hi):
        out[u] = _table_path(-x[u])
        special |= not abs(x[u]) < LIMIT
    if special:
        for u in range(lo, hi):
            if not abs(x[u]) < LIMIT:
                out[u] = math.exp(-x[u])


@njit(cache=True)
def exp_each(xs):
    """(m,) -> (m,): :func:`exp` of every element."""
    out = np.empty_like(xs)
    for i in range(xs.shape[0]):
        out[i] = exp(xs[i])
    return out


@njit(cache=True)
def mismatches(ys, xs):
    """How many i give ys[i] != math.exp(xs[i]) (NaN equals NaN); ys, xs (m,)."""
    bad = 0
    for i in range(xs.shape[0]):
        a, b = ys[i], math.exp(xs[i])
        if a != b and not (math.isnan(a) and math.isnan(b)):
            bad += 1
    return bad


def check_sample(n: int = 200_000, seed: int = 0) -> np.ndarray:
    """(m,) the check points: edge values, and n random ones over the whole table range, over the
    range of net inputs and states seen in training, and near zero."""
    rng = np.random.default_rng(seed)
    edges = np.array([0.0, -0.0, 5e-324, -5e-324, 2.0 ** -54, -(2.0 ** -54), 1.0, -1.0,
                      np.nextafter(LIMIT, 0), -np.nextafter(LIMIT, 0), LIMIT, -LIMIT, 700.0, -745.0,
                      710.0, -750.0, np.inf, -np.inf, np.nan])
    k = n // 4
    return np.concatenate([edges, rng.uniform(-LIMIT, LIMIT, k), rng.uniform(-40.0, 40.0, k),
                           rng.normal(0.0, 3.0, k), rng.normal(0.0, 1.0, k) * 10.0 ** rng.uniform(-20, 0, k)])


def check(n: int = 200_000) -> bool:
    """True if :func:`exp` equals ``math.exp`` bit for bit on :func:`check_sample` (n points)."""
    xs = check_sample(n)
    return mismatches(exp_each(xs), xs) == 0


@functools.cache
def available() -> bool:
    """:func:`check`, once per process (the engine asks when it builds its first kernel)."""
    return check()
