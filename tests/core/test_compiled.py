"""The lambdify cache (core.compiled): mpmath, NumPy and coordinate-major callables agree
with SymPy's exact values."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory.core.compiled import compile_mp, compile_np, compile_np_coords

x, y = sp.symbols("x y", real=True)
EXPRS = [
    x**3 * y - sp.Rational(1, 3),
    sp.exp(-x) * sp.cos(y),
    sp.log(1 + x**2) + sp.tanh(y),
    # integer multiples of one exponent share one exp (core.compiled._shared_exponentials)
    sp.exp(-3 * x) / (1 + sp.exp(-x)) ** 3 - 5 * sp.exp(2 * x * y) + sp.exp(x * y) + sp.exp(y / 2),
]


@given(a=st.fractions(-2, 2, max_denominator=20), b=st.fractions(-2, 2, max_denominator=20))
@settings(max_examples=40, deadline=None)
def test_the_three_layouts_agree_with_sympy(a, b):
    A, B = sp.Rational(a.numerator, a.denominator), sp.Rational(b.numerator, b.denominator)
    exact = [e.subs({x: A, y: B}) for e in EXPRS]
    with mpmath.workdps(40):
        got = compile_mp(EXPRS, [x, y])([mpmath.mpf(A.p) / A.q, mpmath.mpf(B.p) / B.q])
        for g, e in zip(got, exact, strict=True):
            assert abs(g - sp.N(e, 45)) < mpmath.mpf(10) ** -35
    X = np.array([[float(A), float(B)]] * 3)
    floats = [float(e) for e in exact]
    np.testing.assert_allclose(compile_np(EXPRS, [x, y])(X)[0], floats, rtol=1e-13)
    cols = compile_np_coords(EXPRS, [x, y])(X[:, 0], X[:, 1])
    np.testing.assert_allclose([c[1] for c in cols], floats, rtol=1e-13)


def test_integer_multiples_of_an_exponent_evaluate_one_exponential():
    """exp(-x), exp(-2x), ..., exp(-12x): one exp in the generated code, same values."""
    import inspect

    from gdtheory.core.compiled import _lambdify

    expr = sum(sp.exp(-k * x) / (1 + sp.exp(-x)) ** k for k in range(1, 13))
    for backend in ("mpmath", "numpy"):
        assert inspect.getsource(_lambdify((expr,), (x,), backend)).count("exp(") == 1
    with mpmath.workdps(50):
        got = compile_mp([expr], [x])([mpmath.mpf(3) / 7])[0]
        assert abs(got - sp.N(expr.subs(x, sp.Rational(3, 7)), 60)) < mpmath.mpf(10) ** -45


def test_constants_broadcast_to_the_batch_shape():
    out = compile_np_coords([sp.Integer(2), x], [x, y])(np.zeros(4), np.zeros(4))
    assert out[0].shape == (4,) and np.all(out[0] == 2)


def test_compilation_is_cached():
    f1 = compile_np([x * y], [x, y])
    f2 = compile_np([x * y], [x, y])
    assert f1(np.ones((1, 2)))[0, 0] == f2(np.ones((1, 2)))[0, 0] == 1.0
    from gdtheory.core.compiled import _lambdify

    before = _lambdify.cache_info().hits
    compile_np([x * y], [x, y])
    assert _lambdify.cache_info().hits == before + 1
