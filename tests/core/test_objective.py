from __future__ import annotations

import pickle

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from gdtheory import InvalidInputError, Objective, ShapeError, UnknownSymbolError
from gdtheory.objectives import (
    double_well,
    matrix_factorization,
    multiscale_1d,
    quadratic,
    scalar_factorization,
    vector_factorization,
)


def test_derivatives_of_the_factorisation():
    f = scalar_factorization()
    x, y = f.symbols
    assert sp.expand(f.grad - sp.Matrix([-(1 - x * y) * y, -(1 - x * y) * x])) == sp.zeros(2, 1)
    assert sp.expand(
        f.hessian - sp.Matrix([[y**2, 2 * x * y - 1], [2 * x * y - 1, x**2]])
    ) == sp.zeros(2, 2)


@pytest.mark.parametrize(
    "obj",
    [
        double_well(),
        scalar_factorization(),
        quadratic([[2, 1], [1, 3]]),
        Objective.parse("logcosh(x - 2*y) + sin(x)*y"),
    ],
)
def test_mpmath_and_numpy_callables_agree_and_gradient_matches_finite_differences(obj):
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (7, obj.dim))
    F, G, H = obj.f_np(X), obj.grad_np(X), obj.hess_np(X)
    assert F.shape == (7,) and G.shape == (7, obj.dim) and H.shape == (7, obj.dim, obj.dim)
    with mpmath.workdps(40):
        for i, x in enumerate(X):
            xm = [mpmath.mpf(v) for v in x]
            assert abs(obj.f_mp(xm) - F[i]) <= 1e-12 * (1 + abs(F[i]))
            g = obj.grad_mp(xm)
            np.testing.assert_allclose([float(v) for v in g], G[i], rtol=1e-12, atol=1e-12)
            # independent oracle: central differences at 40 digits
            for j in range(obj.dim):
                e = [mpmath.mpf(0)] * obj.dim
                e[j] = mpmath.mpf(10) ** -12
                fd = (
                    obj.f_mp([a + b for a, b in zip(xm, e, strict=False)])
                    - obj.f_mp([a - b for a, b in zip(xm, e, strict=False)])
                ) / (2 * e[j])
                assert abs(fd - g[j]) < 1e-18
            Hm = obj.hess_mp(xm)
            np.testing.assert_allclose(
                np.array(Hm.tolist(), dtype=float), H[i], rtol=1e-12, atol=1e-12
            )


def test_numpy_callables_broadcast_constant_components():
    f = Objective.parse("x**2/2 + y")
    G = f.grad_np(np.zeros((3, 4, 2)))
    assert G.shape == (3, 4, 2)
    assert np.all(G[..., 1] == 1)


def test_objective_is_immutable_hashable_and_picklable():
    f = Objective.parse("x**4/4 - x**2/2")
    with pytest.raises(AttributeError):
        f.expr = sp.Integer(1)
    assert f == double_well() and hash(f) == hash(double_well())
    g = pickle.loads(pickle.dumps(f))
    assert g == f and g.grad == f.grad


def test_unknown_symbol_in_sympy_expression():
    x, y = sp.symbols("x y")
    with pytest.raises(UnknownSymbolError, match="y"):
        Objective(x * y, [x])


def test_zero_dimensional_and_non_expression():
    with pytest.raises(InvalidInputError, match="no variables"):
        Objective.parse("3 + pi")
    with pytest.raises(Exception, match="SymPy expression"):
        Objective([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [[1, 2, 3], [[1, 2]], "1", [1, "nan"]])
def test_point_validation(bad):
    f = scalar_factorization()
    with pytest.raises((ShapeError, InvalidInputError)):
        with mpmath.workdps(20):
            f.point_mp(bad)


def test_batch_validation():
    f = scalar_factorization()
    with pytest.raises(ShapeError, match="last axis"):
        f.batch_np(np.zeros((4, 3)))
    with pytest.raises(InvalidInputError, match="NaN"):
        f.batch_np([[np.nan, 1.0]])
    assert double_well().batch_np([1.0, 2.0]).shape == (2, 1)


def test_library():
    assert (
        quadratic([1, 4]).expr
        == sp.Symbol("x1", real=True) ** 2 / 2 + 2 * sp.Symbol("x2", real=True) ** 2
    )
    with pytest.raises(InvalidInputError, match="symmetric"):
        quadratic([[1, 2], [0, 1]])
    v = vector_factorization(3, mu=2)
    assert v.dim == 6
    m = matrix_factorization([[1, 2], [3, 4]], 1)
    # f(X, Y) = ||A - X Y^T||^2 / 2 at X = Y = 0 is ||A||^2 / 2
    assert m.f_np(np.zeros(4)) == pytest.approx((1 + 4 + 9 + 16) / 2)
    ms = multiscale_1d(eps="1/50")
    # micro-scale curvature O(1/eps): f'' = 1 - 50 sin(50 x)
    assert ms.hess_np(np.array([np.pi / 100]))[0, 0] == pytest.approx(1 - 50)


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_factorisation_value_matches_formula(x, y):
    f = scalar_factorization(mu="3/2")
    assert f.f_np(np.array([x, y])) == pytest.approx((1.5 - x * y) ** 2 / 2, rel=1e-12, abs=1e-12)
