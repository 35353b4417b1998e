"""Modified equations: independent oracles (HLW formula, naive expansion, closed forms,
numerical flows), gradient structure, potentials, and bad input."""

from __future__ import annotations

import pytest
import sympy as sp

from gdtheory import (
    InvalidInputError,
    Objective,
    ShapeError,
    h,
    modified_equation,
)
from gdtheory.backward_error.one_step_maps import as_target, vector_field


def test_general_one_step_maps():
    x, y = sp.symbols("x y")
    # preconditioned GD on x^2/2 + y^2: x - h P grad f with P = diag(1, 1/2)
    me = modified_equation([x - h * x, y - h * y], 3, symbols=[x, y])
    assert me.fields[3] == sp.Matrix([-x / 4, -y / 4])
    # weight decay lam: the map of f + lam |x|^2/2
    lam = sp.Rational(1, 10)
    wd = modified_equation(x - h * (x**3 + lam * x), 3, symbols=[x])
    gd = modified_equation(Objective(x**4 / 4 + lam * x**2 / 2, [x]), 3)
    assert [
        sp.expand(a[0] - b[0].subs(gd.symbols[0], x))
        for a, b in zip(wd.fields, gd.fields, strict=True)
    ] == [0] * 4
    # a map non-polynomial in h: x exp(-h) is the exact time-h flow of dx/dt = -x
    ex = modified_equation(x * sp.exp(-h), 5, symbols=[x])
    assert ex.fields[0] == sp.Matrix([-x]) and all(F == sp.zeros(1, 1) for F in ex.fields[1:])


def test_map_given_with_users_own_h_symbol():
    x, hh = sp.symbols("x h")
    assert modified_equation(x - hh * x, 1, symbols=[x]).fields[1] == sp.Matrix([-x / 2])


def test_bad_maps_are_named():
    x, y = sp.symbols("x y")
    with pytest.raises(InvalidInputError, match="identity at h = 0"):
        modified_equation(2 * x + h, 1, symbols=[x])
    with pytest.raises(InvalidInputError, match="not analytic"):
        modified_equation(x + h * sp.log(h), 1, symbols=[x])
    with pytest.raises(ShapeError, match="components"):
        modified_equation([x - h * x], 1, symbols=[x, y])
    with pytest.raises(InvalidInputError, match="neither a state symbol"):
        modified_equation(x - h * y, 1, symbols=[x])


def test_symbols_and_params_must_match_the_objective():
    f = Objective.parse("mu*x**2/2 + y**2", params=["mu"])
    assert modified_equation(f, 1, symbols=["x", "y"], params=["mu"]).fields[0] is not None
    with pytest.raises(InvalidInputError, match="symbols= does not match"):
        modified_equation(f, 1, symbols=["y", "x"], params=["mu"])
    with pytest.raises(InvalidInputError, match="params= does not match"):
        modified_equation(f, 1, symbols=["x", "y"], params=["nu"])


def test_a_targets_description_shows_the_map():
    x, y = sp.symbols("x y")
    assert as_target(x - h * x, [x]).description == "one-step map x -> -h*x + x"
    two = as_target([x - h * y, y], [x, y]).description
    assert two == "one-step map x -> Matrix([[-h*y + x, y]])"


def test_a_vector_field_is_read_with_its_symbols_and_checked_for_its_shape():
    x, y, mu = sp.symbols("x y mu")
    comps, syms, pars = vector_field([-mu * x, "-y"], ["x", "y"], ["mu"])
    assert [str(c) for c in comps] == ["-mu*x", "-y"]
    assert [s.name for s in syms] == ["x", "y"] and [p.name for p in pars] == ["mu"]
    with pytest.raises(ShapeError, match="2 components for 1 symbols"):
        vector_field([-x, -y], ["x"])
    with pytest.raises(ShapeError, match="1 components for 2 symbols"):
        vector_field([-x], ["x", "y"])
    with pytest.raises(InvalidInputError, match="needs symbols"):
        vector_field([-x], None)


def test_a_series_map_is_read_term_by_term_and_anything_else_expanded():
    """The fast path reads c_j h^j as written; a map that is not written so (h inside a
    coefficient, a non-polynomial h) is left to the expansion, with the same increments."""
    from gdtheory.backward_error.one_step_maps import _powers_of_h, increments

    x = sp.Symbol("x", real=True)
    e = x + h * (-(x**3) / (1 + x**2)) + h**2 * sp.sqrt(1 + x**2) * x
    assert _powers_of_h(e) == {0: x, 1: -(x**3) / (1 + x**2), 2: sp.sqrt(1 + x**2) * x}
    assert _powers_of_h(x + h * (x + h)) is None  # h inside a coefficient
    assert _powers_of_h(x - sp.sin(h) * x) is None
    target = as_target([x - sp.sin(h) * x + h**2 * x**2], [x])
    d = increments(target, 3)
    assert [dj[0] for dj in d] == [-x, x**2, x / 6, 0]
