"""The differential ring (backward_error.diffring): conversion, derivation and zero tests
against SymPy, which computes the same things another way."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory.backward_error.diffring import DifferentialRing

x, y = sp.symbols("x y", real=True)
EXPRS = [
    x**3 * y - x / 7,
    sp.exp(x) * y**2,
    sp.log(sp.cosh(x + 2 * y)),
    sp.tanh(x) / (1 + y**2),
    sp.sqrt(1 + x**2) * sp.sin(y),
]


@pytest.mark.parametrize("expr", EXPRS, ids=str)
def test_round_trip_and_derivatives_agree_with_sympy(expr):
    R = DifferentialRing([x, y], [expr])
    p = R.convert(expr)
    assert sp.simplify(R.to_sympy(p) - expr) == 0
    for j, s in enumerate((x, y)):
        d = R.to_sympy(R.diff(p, j))
        assert sp.simplify(d - sp.diff(expr, s)) == 0


@given(a=st.integers(-5, 5), b=st.integers(-5, 5), c=st.integers(1, 6))
@settings(max_examples=40, deadline=None)
def test_polynomial_arithmetic_is_exact(a, b, c):
    expr = a * x**c + b * x * y + sp.Rational(a, c)
    R = DifferentialRing([x, y], [expr])
    p = R.convert(expr)
    assert R.to_sympy(R.diff(R.diff(p, 0), 1)) == sp.diff(expr, x, y)
    assert R.is_zero(R.convert(expr - expr))
    assert not R.is_zero(R.convert(expr + 1))


def test_reciprocal_atoms_cancel():
    expr = sp.cosh(x) * (1 / sp.cosh(x))
    R = DifferentialRing([x], [expr])
    assert R.is_zero(R.convert(expr - 1))


def test_antiderivative_of_a_gradient_is_a_potential():
    f = x**2 * y + sp.exp(x) * y
    R = DifferentialRing([x, y], [f])
    G = [R.convert(sp.diff(f, s)) for s in (x, y)]
    P = R.antiderivative(G)
    assert P is not None
    pot = R.to_sympy(P)
    assert sp.simplify(sp.diff(pot, x) - sp.diff(f, x)) == 0
    assert sp.simplify(sp.diff(pot, y) - sp.diff(f, y)) == 0
