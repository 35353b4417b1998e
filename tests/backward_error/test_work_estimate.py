"""The cost model of modified equations (backward_error.work_estimate): term counts,
their extrapolation, and a refusal that names the sizes it used."""

from __future__ import annotations

import math

import pytest

from gdtheory.backward_error.work_estimate import OrderCosts
from gdtheory.core.budget import CostError, allow


def test_record_keeps_the_mean_term_count_per_entry():
    oc = OrderCosts(2, 5, "f")
    oc.record(0, [[0] * 10])  # one entry of 10 terms
    oc.record(1, [[0] * 4, [0] * 8])
    oc.record(2, [])  # no entries: at least one term
    oc.record(2, [[0] * 99])  # an order already recorded is kept
    assert oc.known == [10.0, 6.0, 1.0]


def test_sizes_extrapolate_the_power_law_through_the_last_two_orders():
    """S_0 = 1, S_1 = 4: growth 4 = 2^g, g = 2, so S_k = 4 ((k + 1)/2)^2."""
    oc = OrderCosts(1, 4, "f")
    oc.record(0, [[0]])
    oc.record(1, [[0] * 4])
    assert oc.sizes() == pytest.approx([1, 4, 9, 16, 25], rel=1e-12)
    flat = OrderCosts(1, 3, "f")
    flat.record(0, [[0] * 5])
    assert flat.sizes() == [5.0, 10.0, 15.0, 20.0]  # one order: the least growth, S ~ k + 1


def test_order_seconds_is_the_double_sum_of_products():
    """Order k costs n^2 (rate sum_b (b + 1) S_b S_(k-1-b) + overhead k (k + 1)/2)."""
    oc = OrderCosts(3, 4, "f")
    S = [1.0, 2.0, 3.0, 4.0]
    pairs = 1 * 1 * 3 + 2 * 2 * 2 + 3 * 3 * 1
    from gdtheory.backward_error.work_estimate import PRODUCT_OVERHEAD

    assert oc.order_seconds(3, S) == pytest.approx(9 * (pairs * oc.rate + 6 * PRODUCT_OVERHEAD))


def test_a_refusal_names_the_sizes_it_extrapolated_from():
    oc = OrderCosts(2, 40, "the test objective")
    for k, terms in enumerate([1, 3, 9]):
        oc.record(k, [[0] * terms])
    with allow(1e-9), pytest.raises(CostError) as info:
        oc.check(3)
    msg = str(info.value)
    assert "the modified equation of the test objective to order 40" in msg
    assert "orders 0..2 took" in msg and ", 9 terms per entry at order 2" in msg
    assert "the ratio measured on order 2" in msg
    assert math.isfinite(oc.factor) and oc.factor >= 1


def test_the_calibrated_rates_are_seconds_per_term():
    """A term product and a term conversion take between a picosecond and a millisecond
    on any machine this runs on (a rate off by the operand sizes, 286^2, is not)."""
    from gdtheory.backward_error.work_estimate import conversion_rate, product_rate

    assert 1e-12 < product_rate() < 1e-3
    assert 1e-9 < conversion_rate() < 1e-2
