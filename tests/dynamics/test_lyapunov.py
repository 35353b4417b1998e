"""Lyapunov exponents: exact values on quadratics (any h), ln 2 on the Chebyshev map,
the spectrum's sum against the mean log-determinant (a second algorithm)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdtheory import InvalidInputError, LyapunovStatus, lyapunov_batch, lyapunov_exponent
from gdtheory.objectives import logistic_conjugate, quadratic, scalar_factorization


@given(l=st.floats(0.1, 5.0), hl=st.floats(0.05, 1.95))
@settings(max_examples=25, deadline=None)
def test_quadratic_exponent_is_ln_abs_one_minus_hl(l, hl):
    # Phi(x) = (1 - h l) x: lambda = ln|1 - h l| for every orbit (a theorem, exactly)
    assume(abs(1 - hl) > 1e-6)  # h l = 1 (superstable, lambda = -inf): tested below
    f = quadratic([l])
    r = lyapunov_exponent(f, 0.7, h=hl / l, steps=200, transient=0, blocks=4)
    assert math.isclose(r.largest, math.log(abs(1 - hl)), rel_tol=1e-9, abs_tol=1e-12)


def test_superstable_map_has_exponent_minus_infinity():
    r = lyapunov_exponent(quadratic([1]), 0.7, h=1, steps=100, transient=0, blocks=4)
    assert r.largest == -math.inf


def test_chebyshev_exponent_is_ln2_within_one_percent():
    b = lyapunov_batch(
        logistic_conjugate(), np.random.default_rng(3).uniform(-1, 1, (64, 1)), hs=1.0, steps=20000
    )
    lam, se = b.pooled()
    assert abs(lam - math.log(2)) / math.log(2) < 0.01 and se < 0.002


def test_spectrum_sum_equals_mean_log_abs_det_jacobian():
    # sum of exponents = mean ln|det D Phi| along the orbit: an independent computation
    f = scalar_factorization()
    r = lyapunov_exponent(f, [0.3, 0.5], h=1.9, steps=4000, transient=500, spectrum=True)
    from gdtheory import iterate_map

    run = iterate_map(f, [0.3, 0.5], hs=1.9, steps=4500, keep=4001)
    xs = run.tail[:-1]  # x_500, ..., x_4499: the points whose Jacobians enter
    J = np.eye(2) - 1.9 * f.hess_np(xs)
    assert math.isclose(
        sum(r.exponents), float(np.mean(np.log(np.abs(np.linalg.det(J))))), rel_tol=1e-6
    )
    assert r.exponents[0] > 0.8 > r.exponents[1]


def test_diverging_orbit_is_reported_not_a_number():
    r = lyapunov_exponent(quadratic([1]), 1.0, h=3, steps=2000, transient=0)
    assert r.status is LyapunovStatus.DIVERGED


def test_non_converged_estimate_says_so():
    r = lyapunov_exponent(
        logistic_conjugate(), 0.3, h=1, steps=40, transient=0, blocks=4, rtol=1e-6
    )
    assert r.status is LyapunovStatus.NOT_CONVERGED and "Increase `steps`" in r.message


def test_bad_input():
    import pytest

    with pytest.raises(InvalidInputError):
        lyapunov_exponent(quadratic([1]), 1.0, h=0.5, steps=3, blocks=20)
    with pytest.raises(InvalidInputError):
        lyapunov_exponent(quadratic([1]), 1.0, h=-1)
    with pytest.raises(InvalidInputError):
        lyapunov_exponent(quadratic([1]), 1.0, h=[0.5, 0.6])
