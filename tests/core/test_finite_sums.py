"""Finite sums (core.finite_sums): the f_i of SGD share their state symbols."""

from __future__ import annotations

import pytest

from gdtheory.core.finite_sums import finite_sum
from gdtheory.errors import InvalidInputError


def test_texts_share_the_union_of_their_names():
    fs = finite_sum(["(x - 1)**2/2", "y**2", "x*y"])
    assert all([s.name for s in f.symbols] == ["x", "y"] for f in fs)


@pytest.mark.parametrize("bad", [[1], "x**2", ["x**2"]])
def test_fewer_than_two_f_i_are_refused(bad):
    with pytest.raises(InvalidInputError):
        finite_sum(bad)


@pytest.mark.parametrize(
    "fi",
    [
        ["x**2/2", "sqrt(2)*x**2"],  # a polynomial, an irrational coefficient
        ["x**2/2", "log(cosh(x))"],  # not a polynomial
    ],
)
def test_the_exact_epoch_map_needs_rational_polynomials(fi):
    finite_sum(fi)  # fine for the float64 paths
    with pytest.raises(InvalidInputError, match="not a polynomial with rational coefficients"):
        finite_sum(fi, polynomial=True)


def test_rational_polynomials_pass():
    assert len(finite_sum(["x**2/2 - x/3", "3*x**4"], polynomial=True)) == 2
