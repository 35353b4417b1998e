"""The one GD map (core.gdmap) in three arithmetics, against each other and closed forms."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory.core.gdmap import FLOAT64, MP, descend, gd_jacobian, gd_step, monodromy
from gdtheory.core.library import quadratic, scalar_factorization
from gdtheory.rigorous.balls import ARB, Prec, arb_lower, arb_upper, box_ball

coords = st.floats(-2, 2, allow_nan=False)
rates = st.floats(0.01, 2.5, allow_nan=False)


@given(x=coords, y=coords, h=rates)
@settings(max_examples=60, deadline=None)
def test_the_step_agrees_in_float64_mpmath_and_balls(x, y, h):
    """float64 (vectorised), mpmath at 40 digits and arb balls against the exact rational
    step (SymPy on the exact values of the floats): the ball contains it, mpmath is
    within 1e-35 of it, float64 within rounding."""
    f = scalar_factorization()
    X, Y, H = (sp.Rational(v) for v in (x, y, h))
    exact = [
        v - H * g.subs(dict(zip(f.symbols, (X, Y), strict=True)))
        for v, g in zip((X, Y), f.grad, strict=True)
    ]
    fl = gd_step(f, [np.array([x]), np.array([y])], h, FLOAT64)
    with mpmath.workdps(40):
        mp = gd_step(f, (mpmath.mpf(x), mpmath.mpf(y)), mpmath.mpf(h), MP)
        for v, e in zip(mp, exact, strict=True):
            assert abs(v - mpmath.mpf(e.p) / e.q) <= mpmath.mpf(10) ** -35 * (1 + abs(v))
    with Prec(200):
        balls = gd_step(f, [box_ball(x, x), box_ball(y, y)], H, ARB)  # h exact
        for b, e in zip(balls, exact, strict=True):  # exact rational bounds of the ball
            assert arb_lower(b) <= Fraction(int(e.p), int(e.q)) <= arb_upper(b)
    scale = 1 + max(abs(float(e)) for e in exact)
    np.testing.assert_allclose(
        [fl[0][0], fl[1][0]], [float(e) for e in exact], atol=1e-13 * scale * 10
    )


def test_the_step_is_x_minus_h_grad_on_a_closed_form():
    """On f = (1/2) x^T A x the map is (I - h A) x, exactly."""
    A = sp.Matrix([[2, 1], [1, 3]])
    f = quadratic(A)
    h = sp.Rational(1, 7)
    x = sp.Matrix([sp.Rational(3, 5), sp.Rational(-2, 3)])
    expected = (sp.eye(2) - h * A) * x
    with mpmath.workdps(50):
        got = gd_step(f, tuple(mpmath.mpf(v.p) / v.q for v in x), mpmath.mpf(1) / 7, MP)
        assert all(
            abs(g - mpmath.mpf(e.p) / e.q) < mpmath.mpf(10) ** -48
            for g, e in zip(got, expected, strict=True)
        )


@given(x=coords, y=coords, h=rates, p=st.integers(1, 4))
@settings(max_examples=40, deadline=None)
def test_monodromy_is_the_jacobian_of_the_p_fold_map(x, y, h, p):
    """M = D Phi^p by central finite differences of the float map (another algorithm)."""
    f = scalar_factorization()
    pts = [[np.array([x]), np.array([y])]]
    for _ in range(p - 1):
        pts.append(gd_step(f, pts[-1], h, FLOAT64))
    if not all(np.all(np.abs(c) < 1e3) for pt in pts for c in pt):
        return
    M = monodromy(f, pts, h, FLOAT64)[0]

    def phi_p(z):
        c = [np.array([z[0]]), np.array([z[1]])]
        for _ in range(p):
            c = gd_step(f, c, h, FLOAT64)
        return np.array([c[0][0], c[1][0]])

    eps = 1e-6
    fd = np.column_stack(
        [
            (phi_p(np.array([x, y]) + eps * e) - phi_p(np.array([x, y]) - eps * e)) / (2 * eps)
            for e in np.eye(2)
        ]
    )
    np.testing.assert_allclose(M, fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(M).max()))


def test_jacobian_in_mpmath_matches_the_symbolic_one():
    f = scalar_factorization()
    x, y = f.symbols
    h = sp.Rational(19, 10)
    J = sp.eye(2) - h * sp.hessian(f.expr, (x, y))
    pt = {x: sp.Rational(1, 3), y: sp.Rational(5, 4)}
    with mpmath.workdps(40):
        M = gd_jacobian(f, (mpmath.mpf(1) / 3, mpmath.mpf(5) / 4), mpmath.mpf(19) / 10, MP)
        for i in range(2):
            for j in range(2):
                e = J[i, j].subs(pt)
                assert abs(M[i, j] - mpmath.mpf(e.p) / e.q) < mpmath.mpf(10) ** -38


def test_descend_takes_vectors_and_coordinate_lists():
    np.testing.assert_array_equal(
        descend(np.array([1.0, 2.0]), np.array([2.0, 2.0]), 0.5), [0.0, 1.0]
    )
    assert descend([1, 2], [2, 2], sp.Rational(1, 2)) == [0, 1]
    with pytest.raises(ValueError):
        descend([1, 2], [1], 1)  # zip(strict=True): a gradient of the wrong length


@given(x=st.fractions(-2, 2, max_denominator=50), y=st.fractions(-2, 2, max_denominator=50))
@settings(max_examples=40, deadline=None)
def test_the_ball_jacobian_encloses_the_exact_one(x, y):
    """D Phi_h = I - h Hess f in arb balls (the Krawczyk operator's J(X)): at a point ball
    each entry encloses the exact rational value with a width near the precision; over a
    box it encloses the value at every corner."""
    f = scalar_factorization()
    X, Y = f.symbols
    h = sp.Rational(19, 10)
    J = sp.eye(2) - h * sp.hessian(f.expr, (X, Y))
    with Prec(128):
        M = gd_jacobian(f, [box_ball(x, x), box_ball(y, y)], h, ARB)
        for i in range(2):
            for j in range(2):
                e = J[i, j].subs({X: sp.Rational(x), Y: sp.Rational(y)})
                lo, hi = arb_lower(M[i, j]), arb_upper(M[i, j])
                assert lo <= Fraction(int(e.p), int(e.q)) <= hi
                assert hi - lo < Fraction(1, 2**100)
        r = Fraction(1, 10)
        B = gd_jacobian(f, [box_ball(x - r, x + r), box_ball(y - r, y + r)], h, ARB)
        for cx in (x - r, x + r):
            for cy in (y - r, y + r):
                for i in range(2):
                    for j in range(2):
                        e = J[i, j].subs({X: sp.Rational(cx), Y: sp.Rational(cy)})
                        assert arb_lower(B[i, j]) <= Fraction(int(e.p), int(e.q))
                        assert Fraction(int(e.p), int(e.q)) <= arb_upper(B[i, j])
