from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from gdtheory import InvalidInputError, Regime, gd, lr_regime
from gdtheory.objectives import quadratic
from gdtheory.testing import learning_rates


@pytest.mark.parametrize(
    ("h", "L", "regime"),
    [
        ("1/4", 2, Regime.GRADIENT_FLOW_LIKE),
        ("1/2", 2, Regime.ONE_STEP),
        ("3/4", 2, Regime.OSCILLATORY),
        (1, 2, Regime.CRITICAL),
        ("1.01", 2, Regime.BEYOND_STABILITY),
        ("2/3", 3, Regime.CRITICAL),
    ],
)
def test_thresholds(h, L, regime):
    r = lr_regime(h=h, L=L)
    assert r.regime is regime
    assert r.monotone_threshold == sp.Rational(1, L) and r.stability_threshold == sp.Rational(2, L)


def test_float_h_is_compared_exactly_unless_rtol():
    assert lr_regime(h=0.2, L=10).regime is Regime.BEYOND_STABILITY  # float 0.2 > 1/5
    assert lr_regime(h=0.2, L=10, rtol=1e-12).regime is Regime.CRITICAL


@pytest.mark.parametrize(("h", "L"), [(0, 1), (1, 0), (-1, 1), ("nan", 1)])
def test_bad_input(h, L):
    with pytest.raises(InvalidInputError):
        lr_regime(h=h, L=L)


@given(
    st.sampled_from([Regime.GRADIENT_FLOW_LIKE, Regime.OSCILLATORY, Regime.BEYOND_STABILITY]),
    st.integers(1, 9).map(sp.Integer),
    st.data(),
)
def test_regime_predicts_quadratic_behaviour(regime, L, data):
    """T2 as a property: sign flips iff h > 1/L, |x| shrinks iff h < 2/L."""
    h = data.draw(learning_rates(regime, L))
    assert lr_regime(h=h, L=L).regime is regime
    xs = [p[0] for p in gd(quadratic([L]), 1, h=h, steps=6, dps=30).iterates]
    flips = any(a * b < 0 for a, b in zip(xs, xs[1:], strict=False))
    shrinks = all(abs(b) < abs(a) for a, b in zip(xs, xs[1:], strict=False))
    assert flips == (regime is not Regime.GRADIENT_FLOW_LIKE)
    assert shrinks == (regime is not Regime.BEYOND_STABILITY)
