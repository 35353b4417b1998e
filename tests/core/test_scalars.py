from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from gdtheory import InvalidInputError, PrecisionError
from gdtheory.core.scalars import check_dps, exact_real, positive_real, to_mpf


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19/10", sp.Rational(19, 10)),
        ("1.9", sp.Rational(19, 10)),
        (Fraction(19, 10), sp.Rational(19, 10)),
        (3, sp.Integer(3)),
        ("-1e-3", sp.Rational(-1, 1000)),
        (0.5, sp.Rational(1, 2)),
        (sp.Rational(2, 3), sp.Rational(2, 3)),
    ],
)
def test_exact_values(value, expected):
    assert exact_real(value) == expected


def test_float_is_its_exact_binary_value_not_the_decimal():
    assert exact_real(1.9) != sp.Rational(19, 10)
    assert exact_real(1.9) == sp.Rational(Fraction(1.9))


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
@example(-0.5)  # pinned: mpf(-0.5).man_exp drops the sign; exact_real once returned +1/2
def test_mpf_round_trip_keeps_sign_and_value(v):
    with mpmath.workdps(30):
        assert exact_real(mpmath.mpf(v)) == sp.Rational(Fraction(v))


@pytest.mark.parametrize(
    "bad", ["nan", float("inf"), "abc", None, True, [1], "1/0", "1/", sp.I, sp.zoo]
)
def test_bad_scalars(bad):
    with pytest.raises(InvalidInputError):
        exact_real(bad, "h")


@pytest.mark.parametrize("bad", [0, -1, "-1/2", -0.0])
def test_positive_real_rejects_non_positive(bad):
    with pytest.raises(InvalidInputError, match="h must be > 0"):
        positive_real(bad, "h")


def test_to_mpf_is_correctly_rounded_at_working_precision():
    with mpmath.workdps(60):
        assert to_mpf("1/3") == mpmath.mpf(1) / 3
        assert to_mpf("0.1") == mpmath.mpf(1) / 10
        assert to_mpf("0.1") != mpmath.mpf(0.1)  # the float 0.1 is a different number


@pytest.mark.parametrize("bad", [0, 5, 14, 10**6, 2.5, "50"])
def test_check_dps(bad):
    with pytest.raises(PrecisionError):
        check_dps(bad)


def test_time_grids_learning_rates_and_float_boxes_at_their_edges():
    import numpy as np
    import pytest

    from gdtheory.core.scalars import float_box, learning_rates, sorted_times
    from gdtheory.errors import InvalidInputError

    assert [str(t) for t in sorted_times([0, 1, 1, "3/2"])] == ["0", "1", "1", "3/2"]
    for bad in ([0, 2, 1], [0, 1, 3, 2], [-1, 0]):
        with pytest.raises(InvalidInputError, match="non-negative and sorted"):
            sorted_times(bad)
    np.testing.assert_array_equal(learning_rates([0.5]), [0.5])
    np.testing.assert_array_equal(learning_rates([2.0, 0.25]), [2.0, 0.25])
    for bad in ([], [0.0], [1.0, -0.5], [float("inf")]):
        with pytest.raises(InvalidInputError, match="finite and > 0"):
            learning_rates(bad)
    assert float_box([(0.0, 1.0)], 1) == ((0.0, 1.0),)
    with pytest.raises(InvalidInputError, match="need low < high"):
        float_box([(1.0, 1.0)], 1)  # exact check first
    with pytest.raises(InvalidInputError, match="not a finite float interval"):
        float_box([("1", "1.00000000000000000001")], 1)  # distinct exactly, equal as floats


def test_an_exact_number_beyond_13000_bits_is_refused_with_its_digits():
    """13000 bits are about 3913 decimal digits (log10 2 = 0.30103); 2**14000 (14001 bits,
    4215 digits) is refused, its size estimated from its bits."""
    from gdtheory.errors import ComplexityError

    exact_real(sp.Integer(2) ** 12999, "c")
    with pytest.raises(ComplexityError, match="about 4214 digits; at most 3913 are accepted"):
        exact_real(sp.Integer(2) ** 14000, "c")


# ------------------------------------------------- floats read as the fraction they stand for
from gdtheory.core.scalars import is_float_input, simplest_fraction  # noqa: E402


@given(st.integers(-(10**6), 10**6), st.integers(1, 2000))
def test_simplest_fraction_recovers_every_small_fraction_from_its_double(p, q):
    """A fraction with a denominator up to 2000 is the simplest one rounding to its double
    (two such fractions differ by at least 1/q^2, far more than an ulp)."""
    assert simplest_fraction(p / q) == Fraction(p, q)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_simplest_fraction_rounds_back_to_the_same_double(v):
    q = simplest_fraction(v)
    assert float(q) == v
    assert q.denominator <= Fraction(v).denominator  # never less simple than the binary value


def test_simplest_fraction_of_an_irrational_double_has_a_large_denominator():
    import math

    assert simplest_fraction(math.sqrt(2) / 2).denominator > 10**6
    assert simplest_fraction(1e-8) == Fraction(1, 10**8)
    assert is_float_input(0.5) and is_float_input(sp.Float(0.5)) and not is_float_input(1)
    with pytest.raises(InvalidInputError, match="finite"):
        simplest_fraction(float("inf"))
