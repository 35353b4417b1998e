"""Butcher tableaux: classical orders and the one-step maps of Runge-Kutta methods,
explicit and implicit (the implicit ones in tests/backward_error/test_implicit.py)."""

from __future__ import annotations

import pytest
import sympy as sp

import gdtheory as gt
from gdtheory.backward_error.butcher import tableau, weight
from gdtheory.backward_error.trees import density, trees_of_order
from gdtheory.errors import InvalidInputError, ShapeError


@pytest.mark.parametrize(
    ("name", "p"),
    [("gd", 1), ("euler", 1), ("midpoint", 2), ("heun", 2), ("ralston", 2), ("rk3", 3), ("rk4", 4)],
)
def test_classical_orders(name: str, p: int) -> None:
    tab = tableau(name)
    assert tab.order == p
    # the order conditions fail at p + 1 for at least one tree
    assert any(weight(tab, t) != sp.Rational(1, density(t)) for t in trees_of_order(p + 1))


@pytest.mark.parametrize("name", ["euler", "midpoint", "heun", "rk3", "rk4"])
def test_map_on_the_linear_field_is_the_stability_polynomial(name: str) -> None:
    """x' = lam x: an explicit s-stage method of order p = s <= 4 gives
    x (1 + z + ... + z^p/p!), z = h lam (the truncated exponential)."""
    x, lam = sp.Symbol("x", real=True), sp.Symbol("lam", real=True)
    (phi,) = gt.runge_kutta_map(name, [lam * x], [x], params=[lam])
    z = gt.h * lam
    p = tableau(name).order
    assert sp.expand(phi - x * sum(z**k / sp.factorial(k) for k in range(p + 1))) == 0


def test_irrational_tableau_and_errors() -> None:
    r = sp.sqrt(2)
    assert tableau([[0, 0], [r / 2, 0]], [1 - 1 / r, 1 / r]).order == 2
    implicit = tableau([[0, 1], [0, 0]], [1, 0])  # accepted: an implicit method
    assert not implicit.explicit
    with pytest.raises(InvalidInputError, match="implicit: its map is a power series"):
        gt.runge_kutta_map(implicit, ["-x"], ["x"])
    with pytest.raises(ShapeError):
        tableau([[0, 0]], [1, 0])
    with pytest.raises(InvalidInputError, match="unknown tableau"):
        tableau("rk5")
    with pytest.raises(gt.ParseError):
        gt.runge_kutta_map("heun", ["__import__('os')"], ["x"])


@pytest.mark.parametrize("name", ["midpoint", "rk3", "rk4"])
def test_truncated_map_is_the_taylor_polynomial_of_the_exact_map(name: str) -> None:
    x, y = sp.symbols("x y", real=True)
    field = [y - x**2, x * y]
    full = gt.runge_kutta_map(name, field, [x, y])
    cut = gt.runge_kutta_map(name, field, [x, y], order=3)
    for a, b in zip(full, cut, strict=True):
        poly = sp.Poly(a, gt.h)
        assert sp.expand(b - sum(poly.coeff_monomial(gt.h**k) * gt.h**k for k in range(4))) == 0
    with pytest.raises(InvalidInputError, match="order"):
        gt.runge_kutta_map(name, field, [x, y], order=-1)


def test_the_stage_limit_is_sixteen() -> None:
    """A 16-stage explicit tableau (Euler padded with unused stages) is accepted, with
    order 1; a 17-stage one is refused naming the limit."""
    A16 = [[0] * 16 for _ in range(16)]
    assert tableau(A16, [1] + [0] * 15).order == 1
    with pytest.raises(ShapeError, match=r"1\.\.16 stages, got 17"):
        tableau([[0] * 17 for _ in range(17)], [1] + [0] * 16)


def test_a_tableau_keeps_its_name() -> None:
    half = sp.Rational(1, 2)
    mine = tableau([[0, 0], [half, 0]], [0, 1], name="my midpoint")
    assert mine.name == "my midpoint" and mine.order == 2
    assert tableau([[0, 0], [half, 0]], [0, 1]).name == "tableau"


def test_float_entries_are_recovered_exactly_or_refused():
    """BSeries.jl's SSPRK33 test data gives 1/4 and 1/6 as floats: the tableau is still
    third order, the reading is listed; a float standing for sqrt(2)/2 is refused."""
    import math
    from fractions import Fraction

    from gdtheory.backward_error.butcher import butcher_tableau

    t = butcher_tableau([[0, 0, 0], [1.0, 0, 0], [0.25, 0.25, 0]], [1 / 6, 1 / 6, 2 / 3])
    assert t.order == 3 and t.b == (Fraction(1, 6), Fraction(1, 6), Fraction(2, 3))
    assert len(t.recovered) == 3 and "read as 1/6" in t.recovered[0]  # 0.25, 1.0 exact
    exact = butcher_tableau([[0, 0, 0], [1, 0, 0], ["1/4", "1/4", 0]], ["1/6", "1/6", "2/3"])
    assert exact == t and exact.recovered == ()
    with pytest.raises(InvalidInputError, match="sqrt"):
        butcher_tableau([[0, 0], [math.sqrt(2) / 2, 0]], [0.5, 0.5])
