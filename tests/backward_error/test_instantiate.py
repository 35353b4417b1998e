"""Elementary differentials of a concrete field against direct SymPy differentiation."""

from __future__ import annotations

import sympy as sp

from gdtheory import generic_modified_equation
from gdtheory.backward_error.instantiate import elementary_differentials


def test_midpoint_h2_term_by_hand() -> None:
    """Midpoint: F_2 = -(1/6) F'F'F - (1/24) F''(F, F); for F = (x^2, x y) the tensor
    F''(F, F)_c = sum_jk d^2F_c/dx_j dx_k F_j F_k computed here with SymPy directly."""
    x, y = sp.symbols("x y", real=True)
    F = sp.Matrix([x**2, x * y])
    J = F.jacobian([x, y])
    FF = sp.Matrix(
        [
            sum(
                sp.diff(F[c], a, b) * F[i] * F[j]
                for i, a in enumerate((x, y))
                for j, b in enumerate((x, y))
            )
            for c in range(2)
        ]
    )
    expected = -J * J * F / 6 - FF / 24
    gme = generic_modified_equation("midpoint", 2, gradient=False)
    fields = elementary_differentials(gme.terms, False, list(F), [x, y])
    assert sp.expand(fields[2] - expected) == sp.zeros(2, 1)
    assert fields[1] == sp.zeros(2, 1)


def test_the_generic_field_form_uses_the_printed_coefficients_as_they_are() -> None:
    """gradient=False: F_k = sum_t c(t) F(t) with the printed c(t) (no (-1)^|t|); the
    gradient form multiplies by (-1)^|t| and takes F = -grad f.  Checked on RK4's h^4
    term, whose only tree is the chain with c = -1/120 (F'F'F'F'F = lam^5 x on F = lam x)."""
    x, lam = sp.symbols("x lam")
    gme = generic_modified_equation("rk4", 4, gradient=False)
    fields = elementary_differentials(gme.terms, False, [lam * x], [x], [lam])
    assert sp.expand(fields[4][0] + lam**5 * x / 120) == 0
    from gdtheory import Objective

    g = generic_modified_equation("gd", 2)
    f = Objective.parse("lam*x**2/2", params=["lam"])
    grad = elementary_differentials(g.terms, True, f)
    X, L = f.symbols[0], f.params[0]
    assert sp.expand(grad[1][0] + L**2 * X / 2) == 0  # GD: F_1 = -(1/2) H g


def test_an_irrational_coefficient_is_refused() -> None:
    import pytest

    from gdtheory.errors import InvalidInputError

    x = sp.Symbol("x")
    r = sp.sqrt(2)
    gme = generic_modified_equation(([[0, 0], [1 / (2 * r), 0]], [1 - r, r]), 2, gradient=False)
    with pytest.raises(InvalidInputError, match="not rational"):
        elementary_differentials(gme.terms, False, [x**2], [x])
