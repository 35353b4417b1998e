"""Series diagnostics: coefficients at a point and the radius estimate with its confidence."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import InvalidInputError, modified_equation, series_diagnostics


def test_coefficients_are_the_fields_at_the_point():
    me = modified_equation("x**4/4 - x**2/2", 6)
    d = series_diagnostics(me, ["3/2"], order=6)
    x = me.symbols[0]
    for k in range(7):
        exact = me.fields[k][0].subs(x, sp.Rational(3, 2))
        with mpmath.workdps(60):
            assert abs(d.coefficients[k][0] - mpmath.mpf(exact.p) / exact.q) < 1e-45
    assert d.evaluation_error < 1e-40


@settings(deadline=None, max_examples=10)
@given(
    st.fractions(min_value=1, max_value=5).map(lambda f: sp.Rational(f.numerator, f.denominator))
)
def test_property_quadratic_radius_is_one_over_L(L):
    d = series_diagnostics(f"{L}*x**2/2", ["1/3"], order=24)
    assert d.method == "Domb-Sykes" and d.confidence == "high"
    assert abs(d.radius - 1 / float(L)) <= 1e-3 / float(L)


def test_equilibrium_and_polynomial_in_h():
    d = series_diagnostics("x**2/2", [0], order=8)
    assert d.radius == math.inf and d.confidence == "exact"


def test_nonlinear_series_reports_low_confidence_not_a_fake_radius():
    d = series_diagnostics("x**4/4 - x**2/2", ["1/2"], order=20)
    assert d.confidence == "low" and d.method == "root test" and "does not settle" in d.statement


def test_bad_order():
    with pytest.raises(InvalidInputError):
        series_diagnostics("x**2", [1], order=0)
