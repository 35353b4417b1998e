"""The lambdify cache (core.compiled): mpmath, NumPy and coordinate-major callables agree
with SymPy's exact values."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
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
        program = _lambdify((expr,), (x,), backend)
        code = program.code if backend == "mpmath" else program  # mpmath: a _Program
        assert inspect.getsource(code).count("exp(") == 1
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


# ------------------------------------------------ the MPFR path against the mpmath code
RATIONAL = [
    x**3 * y - sp.Rational(1, 3),
    (x - y) ** 5 / 7 + x / (1 + y**2) - sp.Rational(22, 7) * x * y,
    sp.Float("0.1") * x**4 - y / 3,
]


def _program_and_point(exprs, a, b):
    from gdtheory.core.compiled import _lambdify

    program = _lambdify(tuple(exprs), (x, y), "mpmath")
    return program, [
        mpmath.mpf(a.numerator) / a.denominator,
        mpmath.mpf(b.numerator) / b.denominator,
    ]


@given(
    a=st.fractions(-3, 3, max_denominator=50),
    b=st.fractions(-3, 3, max_denominator=50),
    dps=st.sampled_from([15, 30, 50]),
)
@settings(max_examples=60, deadline=None)
def test_the_mpfr_code_gives_the_bits_of_the_mpmath_code(a, b, dps):
    """Rational arithmetic and powers up to 5 are correctly rounded in both arithmetics,
    and the two run the same operations in the same order: the same bits."""
    program, point = _program_and_point(RATIONAL, a, b)
    assert program.mpfr_ok
    with mpmath.workdps(dps):
        fast = compile_mp(RATIONAL, [x, y])(point)
        slow = program.at(mpmath.mp.prec)[0](*point)
        assert list(fast) == [mpmath.mpf(v) for v in slow]


@given(a=st.fractions(-3, 3, max_denominator=50), b=st.fractions(-3, 3, max_denominator=50))
@settings(max_examples=40, deadline=None)
def test_the_mpfr_code_agrees_with_mpmath_on_functions_to_the_last_bits(a, b):
    exprs = EXPRS[1:]
    program, point = _program_and_point(exprs, a, b)
    assert program.mpfr_ok
    with mpmath.workdps(40):
        fast = compile_mp(exprs, [x, y])(point)
        slow = program.at(mpmath.mp.prec)[0](*point)
        for f, s in zip(fast, slow, strict=True):
            assert abs(f - s) <= mpmath.mpf(2) ** (8 - mpmath.mp.prec) * (1 + abs(s))


def test_constants_are_rounded_anew_at_each_precision():
    F = compile_mp([x / 3 + sp.pi + sp.Rational(2, 7)], [x])
    for dps in (20, 60, 20, 100):
        with mpmath.workdps(dps + 5):
            exact = mpmath.mpf(1) / 3 + mpmath.pi + mpmath.mpf(2) / 7
        with mpmath.workdps(dps):
            assert abs(F([1])[0] - exact) < mpmath.mpf(10) ** (2 - dps)


def test_special_values_are_decided_by_the_mpmath_code():
    """Division by zero, a square root of a negative number, an overflow beyond MPFR's
    exponent range, an infinite argument: each as the mpmath code decides it."""
    import pytest

    from gdtheory.errors import NotRealError

    with mpmath.workdps(30):
        with pytest.raises(ZeroDivisionError):
            compile_mp([1 / x], [x])([0])
        with pytest.raises(NotRealError):
            compile_mp([sp.sqrt(x)], [x])([-1])
        big = compile_mp([sp.exp(x)], [x])([10**10])[0]
        assert big == mpmath.exp(10**10) and mpmath.isfinite(big)
        assert compile_mp([x + 1], [x])([mpmath.inf])[0] == mpmath.inf


def test_functions_without_an_mpfr_counterpart_run_in_mpmath():
    from gdtheory.core.compiled import _lambdify

    exprs = (sp.sign(x) * sp.gamma(x),)
    assert not _lambdify(exprs, (x,), "mpmath").mpfr_ok
    with mpmath.workdps(30):
        assert compile_mp(exprs, [x])([-0.5])[0] == -mpmath.gamma(-0.5)


def test_wide_sums_and_products_are_split_and_keep_every_term():
    """A sum of 3000 terms inside a product (wider than CHUNK, as modified fields of high
    order are): Python's compiler would recurse once per operand of one flat chain; split
    into partial sums, every term is still there (exact value at 30 digits, and NumPy)."""
    terms = sp.Add(*(sp.Rational(k + 1, k + 2) * x**k for k in range(3000)))
    expr = y * terms + sp.Mul(*(x + k for k in range(100)))
    at = {x: sp.Rational(1, 2), y: sp.Rational(3, 2)}
    exact = expr.subs(at)
    with mpmath.workdps(30):
        got = compile_mp([expr], [x, y])([mpmath.mpf(1) / 2, mpmath.mpf(3) / 2])[0]
        assert abs(got - sp.N(exact, 40)) < mpmath.mpf(10) ** -25 * abs(sp.N(exact, 40))
    got_np = compile_np([expr], [x, y])(np.array([[0.5, 1.5]]))[0, 0]
    assert got_np == pytest.approx(float(exact), rel=1e-12)


def test_a_symbol_may_carry_the_name_of_a_function_of_the_generated_code():
    """Arguments are dummified: a state variable called ``exp`` or ``mpf`` cannot shadow
    the exponential or the mpmath constructor in the generated code."""
    e, m = sp.Symbol("exp"), sp.Symbol("mpf")
    exprs = [sp.exp(e) + m / 3]
    with mpmath.workdps(30):
        got = compile_mp(exprs, [e, m])([1, 2])[0]
        assert abs(got - (mpmath.e + mpmath.mpf(2) / 3)) < mpmath.mpf(10) ** -28
    assert compile_np(exprs, [e, m])(np.array([[1.0, 2.0]]))[0, 0] == pytest.approx(
        np.e + 2 / 3, rel=1e-14
    )
