from __future__ import annotations

import mpmath
import pytest

from gdtheory import GDTheoryError, InvalidInputError, gradient_flow, integrate_flow
from gdtheory.objectives import double_well, quadratic


def test_double_well_flow_matches_closed_form_to_55_digits():
    times = ["1/10", "1/2", 1, 3]
    s = gradient_flow(double_well(), ["1/2"], times, dps=60)
    with mpmath.workdps(70):
        for t, y in zip(s.times, s.states, strict=False):
            exact = (
                mpmath.mpf(1)
                / 2
                / mpmath.sqrt(mpmath.mpf(1) / 4 + mpmath.mpf(3) / 4 * mpmath.exp(-2 * t))
            )
            assert abs(y[0] - exact) < mpmath.mpf(10) ** -55
    assert s.error_estimate < mpmath.mpf(10) ** -50


def test_linear_system_against_matrix_exponential():
    A = mpmath.matrix([[0, 1], [-2, -3]])
    with mpmath.workdps(50):
        s = integrate_flow(lambda x: (x[1], -2 * x[0] - 3 * x[1]), [1, 0], [2], dps=45)
        exact = mpmath.expm(A * 2) * mpmath.matrix([1, 0])
        err = max(abs(a - b) for a, b in zip(s.states[-1], exact, strict=False))
        assert err < mpmath.mpf(10) ** -43


def test_output_at_zero_and_precision_restored():
    s = gradient_flow(quadratic([1]), [2], [0, 0, 1], dps=30)
    assert s.states[0][0] == 2 and s.states[1][0] == 2
    assert mpmath.mp.dps == 15


def test_finite_time_blow_up_is_reported():
    # x' = x^2, x(0) = 1 blows up at t = 1
    with pytest.raises(GDTheoryError, match="blow up"):
        integrate_flow(lambda x: (x[0] ** 2,), [1], [2], dps=20)


def test_unsorted_times():
    with pytest.raises(InvalidInputError, match="sorted"):
        gradient_flow(quadratic([1]), [1], [1, "1/2"])
