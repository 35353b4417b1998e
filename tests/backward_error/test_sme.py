"""The stochastic modified equations of SGD with replacement (backward_error.sme):
formulas against independent expressions, and the one-step moment conditions behind Li,
Tai and E's weak orders checked on exact moments."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import h, sgd_moments, sme_moments, stochastic_modified_equation
from gdtheory.errors import InvalidInputError, ParseError

FAMILY = ["(x - 1)**2/2 + y**2/4", "(x + y)**2/2", "x*y + (y - 1)**2", "(x - 2*y + 1)**2/4"]


def test_drift_diffusion_and_covariance() -> None:
    sme = stochastic_modified_equation(FAMILY, 2, batch=3)
    syms = sme.symbols
    fs = [o.expr for o in sme.objectives]
    f = sum(fs) / 4
    g = sp.Matrix([sp.diff(f, s) for s in syms])
    # order 2 drift: -grad(f + (h/4)|grad f|^2) = -g - (h/2) H g
    H = sp.hessian(f, syms)
    assert all(sp.expand(a - b) == 0 for a, b in zip(sme.drift, -g - h / 2 * H * g, strict=True))
    # Sigma = (1/m) sum g_i g_i^T - g g^T (a second formula), sigma sigma^T = h Sigma / b
    gi = [sp.Matrix([sp.diff(e, s) for s in syms]) for e in fs]
    Sigma = sum((v * v.T for v in gi), sp.zeros(2, 2)) / 4 - g * g.T
    assert (sp.Matrix(sme.covariance) - Sigma).applyfunc(sp.expand) == sp.zeros(2, 2)
    sig = sp.Matrix(sme.diffusion)
    assert (sig * sig.T - h * Sigma / 3).applyfunc(sp.expand) == sp.zeros(2, 2)
    first = stochastic_modified_equation(FAMILY, 1)
    assert all(sp.expand(a + b) == 0 for a, b in zip(first.drift, g, strict=True))
    assert "Sigma" in first.latex() and "order-1 SME" in str(first)


@pytest.mark.parametrize("order", [1, 2])
def test_one_step_moments_match_to_the_weak_order(order: int) -> None:
    """One SGD step against the SME over time eta from the same point: the first two
    moments differ by O(eta^(order+1)) (the local conditions of Milstein's theorem,
    Li-Tai-E Thm 3), measured by the slopes over eta = 1/20 .. 1/160 on exact moments."""
    sme = stochastic_modified_equation(FAMILY, order)
    x0 = ["1/2", "-3/4"]
    diffs = []
    etas = [sp.Rational(1, d) for d in (20, 40, 80, 160)]
    for eta in etas:
        mu, M = sgd_moments(FAMILY, x0, h=eta, steps=1)
        with mpmath.workdps(40):
            nu, N = sme_moments(sme, x0, h=eta, time=eta, dps=40)
            d = max(
                [abs(mpmath.mpf(sp.N(mu[i], 45)) - nu[i]) for i in range(2)]
                + [abs(mpmath.mpf(sp.N(M[i, j], 45)) - N[i, j]) for i in range(2) for j in range(2)]
            )
        diffs.append(float(d))
    slopes = [math.log(diffs[k] / diffs[k + 1]) / math.log(2) for k in range(3)]
    print(f"\norder {order}: one-step moment gaps {diffs}, slopes {slopes}")
    # the finest two slopes (order 1 approaches 2 from below: 1.80, 1.91, 1.95)
    assert all(abs(s - (order + 1)) < 0.1 for s in slopes[1:]), slopes


@given(
    a=st.lists(st.fractions(1, 3, max_denominator=4), min_size=2, max_size=3),
    c=st.lists(st.fractions(-2, 2, max_denominator=4), min_size=3, max_size=3),
    b=st.integers(1, 4),
)
@settings(max_examples=25, deadline=None)
def test_diffusion_squares_to_the_scaled_covariance(a, c, b) -> None:
    """sigma sigma^T = h Sigma / b and Sigma >= 0, for random 1-D quadratic families."""
    fs = [f"{ai}*(x - ({ci}))**2/2" for ai, ci in zip(a, c, strict=False)]
    sme = stochastic_modified_equation(fs, 2, batch=b)
    sig2 = sum(e**2 for e in sme.diffusion[0])
    assert sp.expand(sig2 - h * sme.covariance[0][0] / b) == 0
    for v in (-2, 0, sp.Rational(1, 3), 5):
        assert sme.covariance[0][0].subs(sme.symbols[0], v) >= 0


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="order must be 1 or 2"):
        stochastic_modified_equation(FAMILY, 3)
    with pytest.raises(InvalidInputError, match="batch"):
        stochastic_modified_equation(FAMILY, batch=0)
    with pytest.raises(ParseError, match="reserved for the learning rate"):
        stochastic_modified_equation(["h*x**2", "x**2"])
    with pytest.raises(InvalidInputError, match="at least two"):
        stochastic_modified_equation(["x**2"])
