"""The rounding-error arithmetic (testing.rounding): the running error bound kappa u holds
for float64 evaluations of random formulas (Higham 3.3, first order), constants are
exact exactly when float64 holds them, and the error of a point reaches the gradient
through the Hessian."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import Objective
from gdtheory.testing.rounding import Rounded, rounded_gradient, running_error

U = 2.0**-53

leaves = st.floats(-4, 4, allow_nan=False).filter(lambda t: abs(t) > 1e-3)


def formulas(depth: int = 4):
    """Random formula trees over + - * / and sqrt(1 + a^2) of float leaves."""
    return st.recursive(
        leaves.map(lambda v: ("leaf", v)),
        lambda sub: st.one_of(
            st.tuples(st.sampled_from(["+", "-", "*", "/"]), sub, sub),
            st.tuples(st.just("hyp"), sub),
        ),
        max_leaves=depth * 3,
    )


def evaluate(tree, lift):
    op = tree[0]
    if op == "leaf":
        return lift(tree[1])
    if op == "hyp":
        a = evaluate(tree[1], lift)
        return (1 + a * a) ** 0.5
    a, b = evaluate(tree[1], lift), evaluate(tree[2], lift)
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[op]


@given(formulas())
@settings(max_examples=300, deadline=None)
def test_the_running_error_bounds_the_float_error(tree) -> None:
    """|fl(e) - e| <= kappa u, to first order: a float evaluation of any formula stays
    within the bound (the second-order terms are below 1e-6 of it here)."""
    with mpmath.workdps(60):
        try:
            r = evaluate(tree, lambda v: Rounded(mpmath.mpf(v)))
            got = evaluate(tree, float)
        except ZeroDivisionError:
            return
        if not (math.isfinite(got) and abs(r.value) < 1e200 and r.kappa < 1e200):
            return
        err = abs(mpmath.mpf(got) - r.value)
        assert err <= r.kappa * U * (1 + 1e-6) + mpmath.mpf(2) ** -1074


def test_a_wrong_float_evaluation_breaks_the_bound() -> None:
    """The bound is tight enough to catch a wrong formula: 1 - 1/3 evaluated as 2/3 - an
    ulp is within it, 1 - 0.3333 is not."""
    with mpmath.workdps(50):
        third = Rounded(mpmath.mpf(1)) / 3
        r = 1 - third
        assert abs(mpmath.mpf(1 - 1 / 3) - r.value) <= r.kappa * U
        assert abs(mpmath.mpf(1 - 0.3333) - r.value) > 1e6 * r.kappa * U


def test_the_divisor_error_counts() -> None:
    """1 / (a b) over a grid of a, b in 0.1 .. 2.9: the worst float error is 1.37 u |v|,
    more than the division alone (|v| u); the divisor's own error carries the rest."""
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for i in range(1, 30):
            for j in range(1, 30):
                a, b = 0.1 * i, 0.1 * j
                r = 1 / (Rounded(mpmath.mpf(a)) * Rounded(mpmath.mpf(b)))
                err = abs(mpmath.mpf(1 / (a * b)) - r.value)
                assert err <= r.kappa * U
                worst = max(worst, err / (abs(r.value) * U))
    assert worst > 1.3


@pytest.mark.parametrize(
    ("c", "exact"),
    [
        (0.1, True),
        (3, True),
        (sp.Rational(1, 4), True),
        (sp.Rational(1, 10), False),
        (sp.sqrt(2), False),
        (sp.Integer(2) ** 60 + 1, False),
    ],
)
def test_constants_are_exact_when_float64_holds_them(c, exact) -> None:
    with mpmath.workdps(40):
        k = Rounded.constant(c).kappa
        assert (k == 0) is exact and (exact or k == abs(mpmath.mpf(sp.N(c, 45))))


def test_running_error_of_an_expression_and_of_the_gradient() -> None:
    x, y = sp.symbols("x y")
    with mpmath.workdps(40):
        v, k = running_error(x * y + x**2, {x: mpmath.mpf(3), y: mpmath.mpf(-2)})
        # x*y: |-6|; x^2: 2|9|; the sum: 6 + 18 + |3|
        assert v == 3 and k == 27
        f = Objective.parse("x**2*y/2 + y**3/3")
        exact = rounded_gradient(f, [Rounded(mpmath.mpf(1)), Rounded(mpmath.mpf(2))])
        moved = rounded_gradient(f, [Rounded(mpmath.mpf(1), mpmath.mpf(5)), Rounded(mpmath.mpf(2))])
        H = f.hess_mp([1, 2])  # [[y, x], [x, 2y]] = [[2, 1], [1, 4]]
        assert [a.value for a in exact] == [a.value for a in moved] == [2, mpmath.mpf(9) / 2]
        for i in range(2):  # an error of 5 in x adds |H_i0| * 5
            assert moved[i].kappa - exact[i].kappa == abs(H[i, 0]) * 5
        # the bound is honest: moving x by 5 u changes the gradient by at most that
        g = np.array(f.grad_np(np.array([1 + 5 * U, 2.0])))
        assert np.all(np.abs(g - [2, 4.5]) <= [float(a.kappa) * U * 2 for a in moved])
