"""Truncated polynomial composition against SymPy's full expansion."""

from __future__ import annotations

import pytest
import sympy as sp

from gdtheory import h
from gdtheory.backward_error.truncated import TruncatedPolynomials


@pytest.mark.parametrize("order", [1, 2, 4])
def test_composition_is_the_taylor_polynomial_of_the_full_composition(order: int) -> None:
    x, y, a = sp.symbols("x y a", real=True)
    step = [x - h * (x * y - a), y - h * x**2 / 3]
    T = TruncatedPolynomials([x, y], [a], order)
    P = [T.convert(e) for e in step]
    twice = [T.at(p, P) for p in P]
    full = [sp.expand(e.subs({x: step[0], y: step[1]}, simultaneous=True)) for e in step]
    for got, want in zip(twice, full, strict=True):
        poly = sp.Poly(want, h)
        cut = sum(poly.coeff_monomial(h**k) * h**k for k in range(order + 1))
        assert sp.expand(T.to_sympy(got) - cut) == 0


def test_the_state_generators_are_the_symbols_in_order() -> None:
    x, y, a = sp.symbols("x y a")
    T = TruncatedPolynomials([x, y], [a], 3)
    assert [T.to_sympy(g) for g in T.x] == [x, y]
    assert T.to_sympy(T.convert(a * x - h * y)) == a * x - h * y
