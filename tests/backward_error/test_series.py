"""Series diagnostics: coefficients at a point and the radius estimate with its confidence."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import InvalidInputError, modified_equation, series_diagnostics
from gdtheory.backward_error.series import _fit_domb_sykes, gevrey_fit


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
    assert d.kind == "convergent" and d.method == "Domb-Sykes" and d.confidence == "high"
    assert abs(d.radius - 1 / float(L)) <= 1e-3 / float(L)
    assert d.radius_error is not None and d.radius_error < 1e-3 / float(L)


def test_equilibrium_and_polynomial_in_h():
    d = series_diagnostics("x**2/2", [0], order=8)
    assert d.radius == math.inf and d.confidence == "exact"


def test_nonlinear_series_at_low_order_is_undecided_not_a_fake_radius():
    d = series_diagnostics("x**4/4 - x**2/2", ["1/2"], order=20)
    assert d.kind == "undecided" and d.confidence == "low" and "order >= 40" in d.statement


@pytest.mark.parametrize("text", ["x**4/4 - x**2/2", "log(1+exp(-x))", "log(cosh(x))"])
def test_nonlinear_series_are_divergent_with_a_growth_constant(text):
    """Issue 15 acceptance: to order 60 the envelope of |F_k(1/2)| grows factorially
    (Gevrey order s significantly above 1/2) and a growth constant C is fitted."""
    d = series_diagnostics(text, ["1/2"], order=60)
    g = d.growth
    assert d.kind == "divergent" and d.radius == 0.0, d.statement
    assert g is not None and g.z > 2 and abs(g.gevrey_order - 1) < 0.7
    assert 0.01 < g.constant < 1 and g.rms < 1
    t = d.optimal_truncation(1 / (5.5 * g.constant))  # smallest term k = 5: keep 0..4
    assert t.order == 4 and t.local_error > 0 and 0.5 < t.local_error / t.asymptotic < 2


def test_optimal_truncation_refuses_a_convergent_series():
    d = series_diagnostics("3*x**2/2", ["1/2"], order=24)
    with pytest.raises(InvalidInputError, match="convergent"):
        d.optimal_truncation(0.1)


@settings(deadline=None, max_examples=40)
@given(
    st.sampled_from([0.0, 1.0]),
    st.floats(min_value=0.05, max_value=3.0),
    st.floats(min_value=0.1, max_value=10.0),
    st.integers(min_value=2, max_value=5),
    st.floats(min_value=0.0, max_value=0.9),
)
def test_property_envelope_fit_recovers_the_growth(s, C, K, period, depth):
    """Synthetic a_k = K (k!)^s C^k with periodic dips of relative depth ``depth`` (the
    oscillation of real coefficients): the block-maximum fit classifies s = 0 / s = 1 and
    recovers C for s = 1."""
    norms = [
        K * math.exp(s * math.lgamma(k + 1)) * C**k * (1 - depth * (k % period != 0))
        for k in range(61)
    ]
    g = gevrey_fit(norms)
    assert g is not None
    if s == 1.0:
        assert g.z > 2 and abs(g.constant / C - 1) < 0.05
    else:
        assert g.z < -2


def test_bad_order():
    with pytest.raises(InvalidInputError):
        series_diagnostics("x**2", [1], order=0)


@pytest.mark.parametrize(("s", "C", "K"), [(1.0, 0.3, 2.0), (0.0, 1.7, 0.5), (1.0, 2.5, 1e-3)])
def test_envelope_fit_is_exact_on_exact_gevrey_data(s, C, K):
    """a_k = K (k!)^s C^k exactly: the least-squares fit in (1, k, log k!) has no residual
    and returns s, C and K (the second fit, with s = 1, recovers C and K when s = 1)."""
    norms = [K * math.exp(s * math.lgamma(k + 1)) * C**k for k in range(61)]
    g = gevrey_fit(norms)
    assert g is not None
    assert g.gevrey_order == pytest.approx(s, abs=1e-8)
    if s == 1.0:
        assert g.constant == pytest.approx(C, rel=1e-8) and g.prefactor == pytest.approx(
            K, rel=1e-6
        )
        assert g.rms < 1e-8


def test_domb_sykes_scatter_is_the_relative_rms_residual():
    """b_k = c0 + c1/k + c2/k^2 plus a vector e orthogonal to the three columns: the fit
    returns c0 and the residual e exactly, so the scatter is RMS(e) / mean|b|."""
    from scipy.linalg import null_space

    ks = list(range(10, 30))
    X = np.array([[1.0, 1.0 / k, 1.0 / k**2] for k in ks])
    e = null_space(X.T)[:, 0] * 1e-3
    b = X @ np.array([3.0, -2.0, 0.5]) + e
    c0, scatter = _fit_domb_sykes(ks, list(b))
    assert c0 == pytest.approx(3.0, abs=1e-10)
    assert scatter == pytest.approx(math.sqrt(np.mean(e**2)) / np.mean(np.abs(b)), rel=1e-8)


def test_at_low_order_the_ratio_test_still_estimates_the_radius():
    """Order 5 (ratios a_k/a_(k-1) for k = 2..5, the fewest the Domb-Sykes fit takes): the
    quadratic's radius 1/3 with moderate confidence (below the decisive order).  Here
    a_k/a_(k-1) = 3k/(k+1) = 3 (1 - 1/k + 1/k^2 - ...): the three-term fit in 1/k on
    k = 2..5 misses the 1/k^3 term, about 1.4 % of the radius."""
    d = series_diagnostics("3*x**2/2", ["1/2"], order=5)
    assert d.method == "Domb-Sykes" and d.confidence == "moderate" and d.kind == "undecided"
    assert 0.005 < d.radius / (1 / 3) - 1 < 0.02


def test_optimal_truncation_is_an_estimate_beside_the_observed_smallest_term():
    """Issue 33, item 3: on log(1 + e^-x) at x0 = 1/2 and h = 2 the envelope estimate is
    N* = 13 while the computed terms oscillate and the smallest is k = 16; both are
    reported, the estimate as an estimate."""
    d = series_diagnostics("log(1 + exp(-x))", ["1/2"], order=40, dps=30)
    t = d.optimal_truncation(2)
    terms = {k: 2.0 ** (k + 1) * a for k, a in enumerate(d.norms) if k and a > 0}
    assert t.order == 13 and t.smallest_term_order == 16 == min(terms, key=terms.get)
    assert t.smallest_term == pytest.approx(terms[16], rel=1e-12)
    assert t.smallest_term < t.local_error and t.smallest_term_resolved
    small_h = d.optimal_truncation(0.5)  # N* = 57 beyond the 40 computed: not resolved
    assert small_h.order > 40 and not small_h.smallest_term_resolved
