"""The descent lemma proved on a box (rigorous.descent)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import gdtheory as gt
from gdtheory.certify import (
    certify_descent,
)
from gdtheory.errors import ShapeError


def test_descent_certificate_and_an_independent_numerical_check():
    f = gt.Objective.parse("logcosh(x + 2*y) + x**2/2")
    c = certify_descent(f, [(-1, 1), (-1, 1)], h="1/4")
    assert c.proved and Fraction(c.L_bound) >= Fraction(5)  # true sup near 3 + sqrt 5
    factor, h = float(Fraction(c.factor)), 0.25
    X = np.random.default_rng(0).uniform(-1, 1, (2000, 2))
    g = f.grad_np(X)
    decrease = f.f_np(X) - f.f_np(X - h * g)
    assert np.all(decrease >= factor * np.sum(g * g, axis=1) - 1e-12)
    too_big = certify_descent(f, [(-1, 1), (-1, 1)], h="1/2")  # h L ~ 2.6
    assert not too_big.proved and "h L_bound" in too_big.reason
    with pytest.raises(ShapeError):
        certify_descent(f, [(-1, 1)], h="1/4")


def test_descent_needs_h_l_strictly_below_two():
    """On x^2/2 (L = 1 exactly on every box) GD at h = 2 maps x to -x: f does not
    decrease, and the certificate must not claim it; just below 2 it is proved."""
    from gdtheory.certify import certify_descent

    at_edge = certify_descent("x**2/2", [(-1, 1)], h=2)
    assert not at_edge.proved and ">= 2" in at_edge.reason
    below = certify_descent("x**2/2", [(-1, 1)], h="1999/1000")
    assert below.proved


@pytest.mark.parametrize("pieces", [1, 2])
def test_one_piece_is_a_valid_subdivision(pieces):
    c = certify_descent("x**2/2", [(-1, 1)], h="1/2", pieces=pieces)
    assert c.proved and Fraction(c.L_bound) == 1
    # f(x - h g) <= f(x) - h (1 - L h / 2) |g|^2, with equality on x^2/2: 3/8
    assert Fraction(c.factor) == Fraction(3, 8)


@pytest.mark.parametrize("pieces", [0, -1, 1.0, True, 10**5 + 1])
def test_bad_subdivisions_are_named(pieces):
    from gdtheory.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="pieces="):
        certify_descent("x**2/2", [(-1, 1)], h="1/2", pieces=pieces)
