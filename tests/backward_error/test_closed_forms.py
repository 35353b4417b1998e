"""Quadratic closed form: derived series = closed form term by term, exactly, to order 12+."""

from __future__ import annotations

import pytest
import sympy as sp

from gdtheory import InvalidInputError, modified_equation, quadratic_modified_equation


@pytest.mark.parametrize(
    "text", ["3*x**2/2", "x**2 + 3*x*y + y**2/3 + x", "x**2 + y**2/2 + z**2/4 + x*z/4 + y"]
)
def test_derived_series_equals_closed_form_to_order_12_exactly(text):
    q = quadratic_modified_equation(text)
    me = modified_equation(q.objective, 12)
    n = q.objective.dim
    for k in range(13):
        assert sp.expand(me.fields[k] - q.coefficient(k)) == sp.zeros(n, 1)
    ks = (0, 5, 12)  # second oracle: SymPy's series of the log closed form
    for k, c in zip(ks, q.series_coefficients(ks), strict=True):
        assert sp.simplify(c - me.fields[k]) == sp.zeros(n, 1)
    # a short expansion gives the coefficient a long one gives
    assert sp.simplify(q.series_coefficient(5) - me.fields[5]) == sp.zeros(n, 1)


def test_radius_is_one_over_L_and_the_log_singularity_sits_there():
    q = quadratic_modified_equation("x**2 - 2*y**2")  # eigenvalues 2, -4: L = 4
    assert q.L == 4 and q.radius == sp.Rational(1, 4)
    z = sp.Symbol("z")  # the singularities of log(1 - z lam) in the complex h-plane
    sing = [sp.solve(1 - z * lam, z)[0] for lam in q.eigenvalues]
    assert min(abs(s) for s in sing) == q.radius


def test_zero_hessian_has_infinite_radius():
    q = quadratic_modified_equation("x + 2*y")
    assert q.radius == sp.oo


def test_non_quadratic_is_refused_with_a_reason():
    with pytest.raises(InvalidInputError, match="not quadratic"):
        quadratic_modified_equation("x**4")
    with pytest.raises(InvalidInputError, match="not quadratic"):
        quadratic_modified_equation("exp(x)")
    with pytest.raises(InvalidInputError, match="non-negative integer"):
        quadratic_modified_equation("x**2").coefficient(-1)
