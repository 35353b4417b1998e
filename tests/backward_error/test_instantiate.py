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
