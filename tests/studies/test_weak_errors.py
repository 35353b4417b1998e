"""Weak errors against SGD (dynamics.weak_errors): the Monte Carlo errors cover the
exact ones, and the measured weak orders are Li, Tai and E's."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import weak_error_study, weak_order
from gdtheory.errors import GDTheoryError, InvalidInputError

FS1 = ["(x-1)**2", "(x+1)**2/4"]


def test_weak_orders_in_one_dimension() -> None:
    s = weak_error_study(FS1, ["2"], "x**2", hs=["1/4", "1/8", "1/16"], paths=200_000, seed=2)
    print("\n" + s.table())
    assert s.exact_errors is not None
    for j in range(3):
        for i in range(3):  # Monte Carlo covers the exact weak error (moments of both sides)
            assert abs(s.errors[j][i] - s.exact_errors[j][i]) < 4 * s.stderrs[j][i]
    gf, sme1, sme2 = s.orders
    assert gf.resolved == sme1.resolved == sme2.resolved == 3
    assert abs(gf.slope - 1) < 0.15 and abs(sme1.slope - 1) < 0.15
    assert abs(sme2.slope - 2) < 0.25
    assert sme2.interval[0] > 1.5  # distinguishable from order 1 by the noise


def test_non_quadratic_f_i_use_the_simulated_sme() -> None:
    s = weak_error_study(
        ["logcosh(x - 1)", "(x + 1)**2/2"],
        ["1"],
        "x**2",
        hs=["1/4"],
        paths=20_000,
        substeps=2,
        seed=1,
    )
    assert s.exact_errors is None and s.sme_method.startswith("Monte Carlo")
    assert all(se[0] > 0 and math.isfinite(e[0]) for e, se in zip(s.errors, s.stderrs, strict=True))
    assert s.orders[0].slope is None and "unresolved" in str(s.orders[0])


@given(
    order=st.floats(0.5, 3),
    c=st.floats(0.1, 10),
    rel=st.floats(1e-4, 1e-2),
)
@settings(max_examples=40, deadline=None)
def test_weak_order_recovers_a_power_law(order: float, c: float, rel: float) -> None:
    """e = c h^p with standard errors rel*|e|: the fitted slope is p (to rounding) and
    its 95% interval contains p."""
    hs = [2.0**-k for k in range(2, 7)]
    errors = [c * v**order for v in hs]
    w = weak_order(errors, [rel * abs(e) for e in errors], hs=hs)
    assert w.resolved == 5 and abs(w.slope - order) < 1e-9
    lo, hi = w.interval
    assert lo <= order <= hi and hi - lo < 10 * rel


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="positive integer"):
        weak_error_study(FS1, ["2"], "x**2", hs=["1/3"], time="1/2", paths=10)
    with pytest.raises(InvalidInputError, match="coordinates"):
        weak_error_study(FS1, ["2", "1"], "x**2", hs=["1/4"], paths=10)
    with pytest.raises(GDTheoryError, match="unknown symbol 'y'"):
        weak_error_study(FS1, ["2"], "y**2", hs=["1/4"], paths=10)
