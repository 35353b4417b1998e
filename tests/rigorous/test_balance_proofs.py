"""Stability of balanced minimisers decided on a box (rigorous.balance_proofs)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdtheory.certify import (
    certify_balance,
)
from gdtheory.errors import InvalidInputError


@given(
    x=st.floats(0.3, 3.0),
    mu=st.floats(0.2, 2.0),
    h=st.floats(0.05, 1.5),
)
@settings(max_examples=40, deadline=None)
def test_balance_certificate_agrees_with_the_closed_form_away_from_the_boundary(x, mu, h):
    y = mu / x
    s = x * x + y * y
    assume(abs(h * s - 2) > 0.05)
    r = 1e-4
    c = certify_balance([(x - r, x + r), (y - r, y + r)], h=h, mu=mu)
    assert c.contains_minimiser
    assert c.stable is (h * s < 2)
    lo, hi = (float(Fraction(v)) for v in c.sharp)
    assert lo <= s <= hi and hi - lo < 1e-2
    ilo, ihi = (float(Fraction(v)) for v in c.imbalance)
    assert ilo <= (x - y) ** 2 + 1e-12 and (x - y) ** 2 <= ihi + 1e-12


def test_balance_certificate_edge_cases():
    assert not certify_balance([(2, 3), (2, 3)], h="1/2", mu=1).contains_minimiser  # xy >= 4
    assert certify_balance([(-1.1, -0.9), (-1.1, -0.9)], h="1/2", mu=1).stable is True
    with pytest.raises(InvalidInputError, match="contain 0"):
        certify_balance([(-1, 1), (0.5, 2)], h="1/2", mu=1)
    undecided = certify_balance([(0.9, 1.1), (0.9, 1.1)], h="1", mu=1)  # h s straddles 2
    assert undecided.stable is None
