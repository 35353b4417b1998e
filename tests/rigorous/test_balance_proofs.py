"""Stability of balanced minimisers decided on a box (rigorous.balance_proofs)."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

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


def test_enclosures_of_the_matrix_spectrum_contain_the_kronecker_sums() -> None:
    """2 x 2 factorisation at an exact point of X Y^T = A: the certified enclosures of the
    eigenvalues of J J^T contain sigma_i(X)^2 + sigma_j(Y)^2 (computed independently from
    the singular values) and decide stability on either side of 2/lambda_max."""
    import numpy as np
    import sympy as sp

    from gdtheory.core.objective import Objective
    from gdtheory.landscape.minimiser_set import objective_spectrum
    from gdtheory.rigorous.balance_proofs import enclose_minimiser_spectrum

    X = sp.Matrix(2, 2, sp.symbols("x0:4"))
    Y = sp.Matrix(2, 2, sp.symbols("y0:4"))
    Xv = sp.Matrix([[1, 2], [0, 1]])
    Yv = sp.Matrix([[1, sp.Rational(1, 2)], [3, 1]])
    f = Objective(sum(e**2 for e in (Xv * Yv.T - X * Y.T)) / 2, list(X) + list(Y))
    s = objective_spectrum(f)
    e = enclose_minimiser_spectrum(s, list(Xv) + list(Yv))
    sx = np.linalg.svd(np.array(Xv, dtype=float), compute_uv=False) ** 2
    sy = np.linalg.svd(np.array(Yv, dtype=float), compute_uv=False) ** 2
    sums = sorted(a + b for a in sx for b in sy)
    for (lo, hi), v in zip(e.eigenvalues, sums, strict=True):
        assert float(lo) - 1e-12 <= v <= float(hi) + 1e-12 and hi - lo < 1e-40
    top = sums[-1]
    assert e.stable(sp.Rational(199, 100) / sp.Rational(top).limit_denominator(10**6)) is True
    assert e.stable(sp.Rational(201, 100) / sp.Rational(top).limit_denominator(10**6)) is False
    with pytest.raises(InvalidInputError, match="not on the minimiser set"):
        enclose_minimiser_spectrum(s, [1, 2, 0, 1, 1, 0, 3, 1])


@pytest.mark.parametrize(
    "spectrum", [object(), SimpleNamespace(gram=1), SimpleNamespace(residuals=(1,))]
)
def test_the_spectrum_enclosure_needs_an_objectives_spectrum(spectrum):
    from gdtheory.rigorous.balance_proofs import enclose_minimiser_spectrum

    with pytest.raises(InvalidInputError, match="need the spectrum of an objective"):
        enclose_minimiser_spectrum(spectrum, ["1", "1"])


@pytest.mark.parametrize(
    ("x_side", "y_side", "expected"),
    [
        ((1, 2), (-1, 0), (None, None)),  # x > 0 gives y = 1/x > 0: none with y <= 0
        ((-2, -1), (0, 1), (None, None)),  # x < 0 gives y < 0: none with y >= 0
        ((1, 4), (Fraction(1, 2), 2), (1, 2)),  # 1/x in [1/2, 2]  <=>  x in [1/2, 2]
        ((1, 4), (-1, Fraction(1, 2)), (2, 4)),  # 1/x <= 1/2  <=>  x >= 2
        ((-4, -1), (-1, Fraction(-1, 2)), (-2, -1)),  # -1 <= 1/x <= -1/2 <=> -2 <= x <= -1
        ((-4, -1), (-1, 1), (-4, -1)),  # every x < 0 has 1/x in [-1, 0)
        ((-4, -1), (-1, 0), (-4, -1)),  # the same with the upper end at 0
    ],
)
def test_the_x_whose_partner_lies_in_a_range(x_side, y_side, expected):
    """x in [xl, xh] with y = mu/x in [yl, yh] (mu = 1): boundaries of the sign cases."""
    from gdtheory.rigorous.balance_proofs import _x_range

    F = [Fraction(v) for v in (*x_side, *y_side)]
    lo, hi = _x_range(*F, Fraction(1))
    assert (lo, hi) == expected
