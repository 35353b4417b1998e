"""The objective library (core.library): each objective is what its docstring says."""

from __future__ import annotations

import sympy as sp

from gdtheory.core.library import (
    double_well,
    logistic_conjugate,
    matrix_factorization,
    multiscale_1d,
    quadratic,
    scalar_factorization,
    state_symbols,
    vector_factorization,
)


def test_quadratic_has_hessian_A():
    A = sp.Matrix([[2, 1], [1, 3]])
    f = quadratic(A)
    assert sp.simplify(f.hessian - A) == sp.zeros(2, 2)


def test_double_well_minima_and_maximum():
    f = double_well()
    (x,) = f.symbols
    assert set(sp.solve(f.grad[0], x)) == {-1, 0, 1}
    assert f.hessian[0, 0].subs(x, 1) == 2 and f.hessian[0, 0].subs(x, 0) == -1


def test_logistic_conjugate_gd_map_is_chebyshev_at_h_1():
    f = logistic_conjugate()
    (x,) = f.symbols
    assert sp.expand(x - f.grad[0]) == 2 * x**2 - 1


def test_factorisations_vanish_on_their_minimisers():
    f = scalar_factorization(3)
    x, y = f.symbols
    assert f.expr.subs({x: 3, y: 1}) == 0
    v = vector_factorization(2)
    assert len(v.symbols) == 4
    m = matrix_factorization(sp.eye(2), 1)
    assert len(m.symbols) == 4


def test_multiscale_and_symbols():
    assert state_symbols(1) == (sp.Symbol("x", real=True),)
    assert [str(s) for s in state_symbols(3)] == ["x1", "x2", "x3"]
    g = multiscale_1d()
    assert g.dim == 1
