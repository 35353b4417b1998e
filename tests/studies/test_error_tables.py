"""Modified flows and GD-vs-flow error tables: orders of accuracy measured from the data."""

from __future__ import annotations

import pytest

from gdtheory import (
    PrecisionError,
    modified_error_table,
)


@pytest.mark.parametrize(
    ("text", "x0"),
    [
        ("x**4/4 - x**2/2", ["3/2"]),
        ("exp(x)", ["1/2"]),
        ("logcosh(x)", ["1/2"]),
        ("sin(x)", [1]),
        ("x**3/3 + x", ["1/2"]),
    ],
)
def test_local_error_is_order_p_plus_2(text, x0):
    tab = modified_error_table(
        text, x0, hs=["1/20", "1/40", "1/80"], orders=[0, 1, 2, 3], steps=1, dps=60
    )
    for m, e in zip(tab.measured_orders, tab.expected_orders, strict=True):
        assert m is not None and abs(m - e) < 0.3, (text, tab.measured_orders)


def test_global_error_on_fixed_time_is_order_p_plus_1():
    tab = modified_error_table(
        "x**4/4 - x**2/2", ["1/2"], hs=["1/10", "1/20", "1/40"], orders=[0, 1, 2], time=1, dps=40
    )
    assert [round(m) for m in tab.measured_orders] == [1, 2, 3]
    assert tab.expected_orders == (1, 2, 3) and tab.steps == (10, 20, 40)
    assert "measured orders" in str(tab)


def test_precision_floor_is_reported():
    with pytest.raises(PrecisionError, match="precision floor"):
        # the quadratic's order-30 flow is GD to ~h^32: below 1e-12 at dps = 20
        modified_error_table("x**2/2", [1], hs=["1/100", "1/200"], orders=[30], steps=1, dps=20)
