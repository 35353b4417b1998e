"""Modified flows and GD-vs-flow error tables: orders of accuracy measured from the data."""

from __future__ import annotations

import mpmath
import pytest

from gdtheory import (
    InvalidInputError,
    modified_error_table,
    modified_flow,
)


def test_quadratic_modified_flow_has_the_closed_form_solution():
    s = modified_flow("x**2/2", [1], [0, 1, 2], order=2, h="1/2", dps=40)
    with mpmath.workdps(40):
        c = 1 + mpmath.mpf(1) / 4 + mpmath.mpf(1) / 12
        for t, y in zip(s.times, s.states, strict=True):
            assert abs(y[0] - mpmath.exp(-c * t)) < mpmath.mpf(10) ** -35


def test_bad_arguments():
    with pytest.raises(InvalidInputError, match="exactly one"):
        modified_error_table("x**2", [1], hs=["1/2"], orders=[0])
    with pytest.raises(InvalidInputError):
        modified_error_table("x**2", [1], hs=["-1/2"], orders=[0], steps=1)
    with pytest.raises(InvalidInputError):
        modified_error_table("x**2", [1], hs=[], orders=[0], steps=1)
