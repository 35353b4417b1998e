"""Ball enclosures (rigorous.balls): they contain every value, against sampled floats and
mpmath at high precision."""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import Objective
from gdtheory.core.library import scalar_factorization
from gdtheory.rigorous.balls import (
    Prec,
    arb_lower,
    arb_upper,
    box_ball,
    enclose,
    enclose_hessian,
    exact_fraction,
    float_or_inf,
    subdivide,
)

x = sp.Symbol("x", real=True)
F = scalar_factorization()
EXPRS = [x**2 / 3, sp.tanh(x) * sp.exp(-x), sp.log(sp.cosh(x)), 1 / (1 + x**2), sp.atan(x) ** 3]


@pytest.mark.parametrize("expr", EXPRS, ids=str)
@given(lo=st.fractions(-3, 3, max_denominator=50), w=st.fractions(0, 2, max_denominator=50))
@settings(max_examples=40, deadline=None)
def test_an_enclosure_contains_every_sampled_value(expr, lo, w):
    hi = lo + w
    with Prec(128):
        b = enclose(expr, {x: box_ball(lo, hi)})
    assert b.is_finite()
    L, U = arb_lower(b), arb_upper(b)
    f = sp.lambdify(x, expr, "mpmath")
    with mpmath.workdps(40):
        for k in range(9):
            t = lo + w * Fraction(k, 8)
            v = f(mpmath.mpf(t.numerator) / t.denominator)
            assert mpmath.mpf(L.numerator) / L.denominator <= v + mpmath.mpf(10) ** -35
            assert v <= mpmath.mpf(U.numerator) / U.denominator + mpmath.mpf(10) ** -35


def test_even_powers_of_a_ball_around_zero_are_tight_and_not_negative():
    """x^2 on [-7, 21] is [0, 441]: the enclosure holds it and is tight up to the
    radius rounding of arb (30-bit radii), not [-441, 441] as plain ball arithmetic."""
    with Prec(64):
        b = enclose(x**2, {x: box_ball(-7, 21)})
    assert -Fraction(1, 10**5) <= arb_lower(b) <= 0
    assert 441 <= arb_upper(b) <= Fraction(441001, 1000)


def test_log_of_a_ball_reaching_zero_is_not_finite():
    with Prec(64):
        assert not enclose(sp.log(x), {x: box_ball(0, 1)}).is_finite()


def test_hessian_enclosure_holds_the_exact_hessian():
    f = Objective.parse("x**2*y + cosh(y)")
    H = enclose_hessian(f, [(1, 2), (0, 1)])
    assert H[0][0].contains(flint.arb(0)) and H[0][0].contains(flint.arb(2))
    assert H[1][1].contains(flint.arb(1)) and H[1][1].contains(flint.arb(1).cosh())


def test_helpers():
    subs = list(subdivide([(Fraction(0), Fraction(1)), (Fraction(0), Fraction(2))], 3))
    assert len(subs) == 9 and subs[1] == [(0, Fraction(1, 3)), (Fraction(2, 3), Fraction(4, 3))]
    assert float_or_inf(Fraction(10**400)) == float("inf")
    assert exact_fraction("1/3", "v") == Fraction(1, 3)
    q = exact_fraction(sp.sqrt(2), "v")  # a 60-digit rational approximation
    assert abs(q - Fraction(14142135623730950488, 10**19)) < Fraction(1, 10**18)
    saved = flint.ctx.prec
    with Prec(300):
        assert flint.ctx.prec == 300
    assert flint.ctx.prec == saved


@given(
    h=st.fractions(Fraction(101, 100), Fraction(19, 10), max_denominator=1000),
    x=st.floats(0, 1),
    y=st.floats(0, 1),
)
@settings(max_examples=30, deadline=None)
def test_enclosures_contain_float_gradients_and_hessians(h, x, y):
    from gdtheory.rigorous.balls import enclose_gradient, enclose_hessian

    box = [(Fraction(0), Fraction(1)), (Fraction(0), Fraction(1))]
    pt = np.array([[x, y]])
    for ball, v in zip(enclose_gradient(F, box), F.grad_np(pt)[0], strict=True):
        assert float(ball.lower()) <= v <= float(ball.upper())
    for row, vals in zip(enclose_hessian(F, box), F.hess_np(pt)[0], strict=True):
        for ball, v in zip(row, vals, strict=True):
            assert float(ball.lower()) <= v <= float(ball.upper())


def test_reciprocals_and_float_constants_are_enclosed_exactly():
    """1/x on an interval without 0 is the hull of the end reciprocals; an interval that
    touches 0 gives a non-finite ball, never a crash; a binary float constant enters with
    its exact value (0.75 = 3 * 2^-2, -2.5 = -5 * 2^-1)."""
    X = sp.Symbol("X")
    r = enclose(1 / X, {X: box_ball(Fraction(1, 2), 2)})
    assert arb_lower(r) <= Fraction(1, 2) and arb_upper(r) >= 2
    assert arb_upper(r) - arb_lower(r) < Fraction(3, 2) + Fraction(1, 10**6)  # radius: 30 bits
    for lo, hi in ((-2, 0), (0, 3), (-1, 1)):
        assert not enclose(1 / X, {X: box_ball(lo, hi)}).is_finite()
    neg = enclose(1 / X, {X: box_ball(-4, -2)})
    assert arb_lower(neg) <= Fraction(-1, 2) <= arb_upper(neg) < 0
    for value, exact in ((0.75, Fraction(3, 4)), (-2.5, Fraction(-5, 2)), (3.0, Fraction(3))):
        b = enclose(sp.Float(value) * X, {X: box_ball(1, 1)})
        assert arb_lower(b) == exact == arb_upper(b)
