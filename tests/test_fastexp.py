"""The inlined exp (lstm_repro.fastexp) against the platform's math.exp, bit for bit, and the engine
with it against the engine without it."""
import math
import platform
from dataclasses import replace

import numpy as np
import pytest
from numba import njit

from lstm_repro import engine, fastexp
from lstm_repro.engine import Network
from lstm_repro.rows import ROWS
from lstm_repro.spec import NetworkSpec, init_weights


def _glibc_with_fma() -> bool:
    """glibc >= 2.28 (the table algorithm) on x86-64 with FMA: where the inlined exp must be used."""
    lib, version = platform.libc_ver()
    if lib != "glibc" or platform.machine() != "x86_64":
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read().split()
    except OSError:
        return False
    return tuple(int(v) for v in version.split(".")[:2]) >= (2, 28) and "fma" in flags


def test_available_where_the_platform_is_the_one_it_reproduces():
    if not _glibc_with_fma():
        pytest.skip("not glibc >= 2.28 on x86-64 with FMA: the kernels call math.exp")
    assert fastexp.available()


@pytest.mark.skipif(not fastexp.available(), reason="the C library's exp is not the one reproduced")
def test_exp_equals_math_exp_bit_for_bit():
    sample = fastexp.check_sample(2_000_000, seed=7)        # not the import check's sample
    k = np.arange(-60_000, 60_000)
    for xs in (sample,
               # exact integers, halfway points of the table and the ends of its range
               k * math.log(2) / fastexp.N, (k + 0.5) * math.log(2) / fastexp.N,
               np.linspace(-fastexp.LIMIT, fastexp.LIMIT, 100_001)):
        assert fastexp.mismatches(fastexp.exp_each(xs), xs) == 0


@njit
def _final_sum_rounded_twice(x):
    """The table path with its last step as scale + scale * tmp (two roundings, not one): glibc's
    build for processors without FMA."""
    F = fastexp
    kd = F._fma(F.INV_LN2_N, x, F.SHIFT)
    ki = F._bits(kd)
    kd -= F.SHIFT
    r = F._fma(kd, F.NEG_LN2_LO_N, F._fma(kd, F.NEG_LN2_HI_N, x))
    i = 2 * (ki & np.uint64(F.N - 1))
    scale = F._double(F.TABLE[i + 1] + (ki << np.uint64(45)))
    r2 = r * r
    tmp = F._fma(r2 * r2, F._fma(r, F.C5, F.C4), F._fma(r2, F._fma(r, F.C3, F.C2), F._double(F.TABLE[i]) + r))
    return scale + scale * tmp


@njit
def _rounded_twice_each(xs):
    return np.array([_final_sum_rounded_twice(x) for x in xs])


def test_the_check_detects_a_variant_one_rounding_apart():
    """The check can fail: the same algorithm with one rounding more in its last step differs from
    math.exp on some of the sample (where it is the FMA build that math.exp calls)."""
    if not fastexp.available():
        pytest.skip("the C library's exp is not the one reproduced")
    xs = fastexp.check_sample()
    assert fastexp.mismatches(_rounded_twice_each(xs), xs) > 0


@pytest.mark.parametrize("fast", [True, False])
def test_exp_neg_into_outside_the_table_range(fast):
    if fast and not fastexp.available():
        pytest.skip("the C library's exp is not the one reproduced")
    x = np.array([0.0, 1.5, -2.25, 511.9, -511.9, 512.0, -512.0, 600.0, -600.0, 745.5, -800.0,
                  np.inf, -np.inf, np.nan, 3.0])
    out = np.full_like(x, -1.0)
    _neg_into(x, out, 1, len(x) - 1, fast)
    expected = [_math_exp(-v) for v in x[1:-1]]
    assert out[0] == -1.0 and out[-1] == -1.0                # outside lo..hi untouched
    np.testing.assert_array_equal(out[1:-1], expected)       # NaN where math.exp gives NaN


@njit
def _math_exp(x):
    return math.exp(x)                                      # as the kernels call it (inf, no error)


@njit
def _neg_into(x, out, lo, hi, fast):
    fastexp.exp_neg_into(x, out, lo, hi, fast)


SPECS = {      # between them: every kind of unit and every squasher path of the kernel
    "4-1 (g2, h1, output gates)": ROWS["4-1"].spec,
    "forget gates + peepholes, g and h identity": NetworkSpec(
        n_inputs=3, n_outputs=3, n_blocks=2, block_size=1, forget_gate=True, peepholes=True, g="id",
        h="id", connectivity="G", bias="all", in_gate_bias=None),
    "hidden units, no output gate, g1, h identity": NetworkSpec(
        n_inputs=3, n_outputs=2, n_blocks=2, block_size=1, n_hidden=2, output_gate=False, g="g1",
        h="id", in_gate_bias=None),
}


def _train(spec, init_range, monkeypatch, available):
    monkeypatch.setattr(fastexp, "available", lambda: available)
    engine._kernel.cache_clear()
    try:
        rng = np.random.default_rng(3)
        net = Network(spec, init_weights(replace(spec, init_range=init_range), rng))
        seqs = [(rng.normal(size=(25, spec.n_inputs)) * init_range, rng.uniform(size=(25, spec.n_outputs)))
                for _ in range(4)]
        outs = [net.train_sequence(x, t, lr=0.1, momentum=0.5) for x, t in seqs]
        return net.weights.flat(), np.array(outs)
    finally:
        engine._kernel.cache_clear()


@pytest.mark.skipif(not fastexp.available(), reason="the C library's exp is not the one reproduced")
@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("init_range", [1.0, 300.0])       # 300: net inputs beyond the table's range
def test_engine_with_and_without_the_inlined_exp_agree_bit_for_bit(name, init_range, monkeypatch):
    w_fast, y_fast = _train(SPECS[name], init_range, monkeypatch, True)
    w_slow, y_slow = _train(SPECS[name], init_range, monkeypatch, False)
    assert np.array_equal(w_fast, w_slow, equal_nan=True)
    assert np.array_equal(y_fast, y_slow, equal_nan=True)
