"""A library of the objectives the theory is about (Tao and Wang, 2022, and the claims T1-T11).

All coefficients are kept exact (SymPy rationals) so that closed forms stay exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ..errors import InvalidInputError, ShapeError
from .conversion import as_expression, as_real_matrix
from .objective import Objective
from .scalars import RealLike, exact_real, positive_real

__all__ = [
    "quadratic",
    "double_well",
    "scalar_factorization",
    "vector_factorization",
    "matrix_factorization",
    "multiscale_1d",
    "multiscale_2d",
    "logistic_conjugate",
    "state_symbols",
    "spread_quadratic",
]


def state_symbols(n: int, prefix: str = "x") -> tuple[sp.Symbol, ...]:
    """``(x,)`` in one dimension, ``(x1, ..., xn)`` otherwise (real symbols)."""
    if n == 1:
        return (sp.Symbol(prefix, real=True),)
    return tuple(sp.Symbol(f"{prefix}{i + 1}", real=True) for i in range(n))


def quadratic(A: Any, *, name: str | None = None) -> Objective:
    r"""The quadratic f(x) = (1/2) x^T A x.

    ``A`` is a symmetric matrix, or a 1-D sequence of eigenvalues (then A = diag).  On
    a quadratic, GD is linear: x_{k+1} = (I - hA) x_k (claim T2), and the global
    smoothness constant is L = max |eigenvalue of A|.

    >>> quadratic([1]).expr
    x**2/2
    >>> quadratic([[2, 1], [1, 2]]).expr
    x1**2 + x1*x2 + x2**2
    """
    arr = A.tolist() if isinstance(A, sp.MatrixBase) else np.asarray(A, dtype=object)
    if isinstance(arr, np.ndarray) and arr.ndim == 1:
        if arr.size == 0:
            raise ShapeError("quadratic needs at least one eigenvalue")
        M = sp.diag(*[exact_real(v, f"eigenvalue[{i}]") for i, v in enumerate(arr)])
    else:
        M = as_real_matrix(A, "A")
    if M.rows != M.cols or M.rows == 0:
        raise ShapeError(f"A must be square, got shape {M.shape}")
    if M != M.T:
        raise InvalidInputError("A must be symmetric (the Hessian of a quadratic is symmetric)")
    xs = state_symbols(M.rows)
    v = sp.Matrix(xs)
    expr = sp.expand((v.T * M * v)[0, 0] / 2)
    return Objective(expr, xs, name=name or f"quadratic({M.tolist()})")


def double_well() -> Objective:
    """f(x) = x**4/4 - x**2/2: minima at x = +-1, a maximum at 0; not L-smooth.

    >>> double_well().grad
    Matrix([[x**3 - x]])
    """
    x = sp.Symbol("x", real=True)
    return Objective(x**4 / 4 - x**2 / 2, (x,), name="double_well")


def logistic_conjugate(h: RealLike = 1) -> Objective:
    r"""The cubic f whose GD map at learning rate h is the Chebyshev map x -> 2x^2 - 1.

    f(x) = (x + x^2/2 - 2x^3/3) / h, so
    x - h f'(x) = x - (1 + x - 2x^2) = 2x^2 - 1 = T_2(x).  With y = (1 - x)/2 this is the
    logistic map y -> 4y(1 - y) (r = 4): on [-1, 1] the map is chaotic with Lyapunov
    exponent ln 2 and invariant density 1/(pi sqrt(1 - x^2)) (the arcsine law), and its
    period-p points are cos(2 pi k/(2^p - 1)) and cos(2 pi k/(2^p + 1)) with multipliers
    +-2^p (Ulam and von Neumann 1947; Devaney, *An Introduction to Chaotic Dynamical
    Systems*, 2003, sec. 1.8).

    >>> logistic_conjugate().expr
    -2*x**3/3 + x**2/2 + x
    >>> logistic_conjugate("1/2").grad
    Matrix([[-4*x**2 + 2*x + 2]])
    """
    hh = positive_real(h, "h")
    x = sp.Symbol("x", real=True)
    expr = sp.expand((x + x**2 / 2 - sp.Rational(2, 3) * x**3) / hh)
    return Objective(expr, (x,), name=f"logistic_conjugate(h={hh})")


def scalar_factorization(mu: RealLike = 1) -> Objective:
    """f(x, y) = (mu - x y)**2 / 2 (claims T6, T8): minimisers on the hyperbola xy = mu.

    >>> scalar_factorization().expr
    (-x*y + 1)**2/2
    """
    m = exact_real(mu, "mu")
    x, y = sp.symbols("x y", real=True)
    return Objective((m - x * y) ** 2 / 2, (x, y), name=f"scalar_factorization(mu={m})")


def vector_factorization(n: int, mu: RealLike = 1) -> Objective:
    """f(x, y) = (mu - x . y)**2 / 2 with x, y in R^n (claim T8, vector case)."""
    if not isinstance(n, int) or n < 1:
        raise InvalidInputError(f"n must be a positive integer, got {n!r}")
    m = exact_real(mu, "mu")
    xs = state_symbols(n, "x") if n > 1 else (sp.Symbol("x1", real=True),)
    ys = state_symbols(n, "y") if n > 1 else (sp.Symbol("y1", real=True),)
    dot = sum((a * b for a, b in zip(xs, ys, strict=True)), sp.Integer(0))
    return Objective((m - dot) ** 2 / 2, xs + ys, name=f"vector_factorization(n={n}, mu={m})")


def matrix_factorization(A: Any, d: int) -> Objective:
    r"""f(X, Y) = (1/2) ||A - X Y^T||_F^2 with A (n x m), X (n x d), Y (m x d) (claim T8).

    The state is (vec X, vec Y) row-major, symbols ``X_i_j`` and ``Y_i_j``.

    >>> f = matrix_factorization([[1, 0], [0, 2]], 1)
    >>> f.dim, [s.name for s in f.symbols]
    (4, ['X_0_0', 'X_1_0', 'Y_0_0', 'Y_1_0'])
    """
    M = as_real_matrix(A, "A")
    if not isinstance(d, int) or d < 1:
        raise InvalidInputError(f"the rank d must be a positive integer, got {d!r}")
    n, m = M.shape
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"X_{i}_{j}", real=True))
    Y = sp.Matrix(m, d, lambda i, j: sp.Symbol(f"Y_{i}_{j}", real=True))
    R = M - X * Y.T
    expr = sum((R[i, j] ** 2 for i in range(n) for j in range(m)), sp.Integer(0)) / 2
    return Objective(expr, tuple(X) + tuple(Y), name=f"matrix_factorization(n={n}, m={m}, d={d})")


def multiscale_1d(
    macro: str | sp.Expr = "x**2/2",
    eps: RealLike = "1/100",
    amplitude: RealLike = 1,
    micro: str = "sin",
) -> Objective:
    r"""Multiscale objective f(x) = f0(x) + a eps f1(x / eps) (Kong and Tao, NeurIPS 2020).

    ``f1`` is ``sin`` or ``cos``: the micro-scale gradient a f1'(x/eps) is O(1) and
    bounded, while its second derivative is O(a / eps), so classical small learning
    rates must be h = O(eps) (claim T7).

    >>> multiscale_1d(eps="1/10").expr
    x**2/2 + sin(10*x)/10
    """
    e = positive_real(eps, "eps")
    a = exact_real(amplitude, "amplitude")
    x = sp.Symbol("x", real=True)
    f0 = as_expression(macro, "macro", symbols=[x])
    funcs = {"sin": sp.sin, "cos": sp.cos}
    if micro not in funcs:
        raise InvalidInputError(f"micro must be 'sin' or 'cos', got {micro!r}")
    expr = f0 + a * e * funcs[micro](x / e)
    return Objective(expr, (x,), name=f"multiscale_1d({macro}, eps={e})")


def multiscale_2d(
    macro: str | sp.Expr = "(x**2 + y**2)/2",
    eps: RealLike = "1/100",
    amplitude: RealLike = 1,
) -> Objective:
    r"""f(x, y) = f0(x, y) + a eps (sin(x/eps) + sin(y/eps)) (Kong and Tao 2020, 2-D).

    The micro gradient a (cos(x/eps), cos(y/eps)) is bounded, its Hessian O(a/eps).

    >>> multiscale_2d(eps="1/10").expr
    x**2/2 + y**2/2 + sin(10*x)/10 + sin(10*y)/10
    """
    e = positive_real(eps, "eps")
    a = exact_real(amplitude, "amplitude")
    x, y = sp.symbols("x y", real=True)
    f0 = as_expression(macro, "macro", symbols=[x, y])
    expr = f0 + a * e * (sp.sin(x / e) + sp.sin(y / e))
    return Objective(expr, (x, y), name=f"multiscale_2d({macro}, eps={e})")


def spread_quadratic() -> Objective:
    """x^T A x / 2 + x - 2z, A = Q^T diag(10, 2, 1/5) Q with Q rational orthogonal: a
    3-D quadratic whose eigenvalues span two decades (the principal flow's test case).

    >>> sorted(spread_quadratic().hessian.eigenvals())
    [1/5, 2, 10]
    """
    x, y, z = sp.symbols("x y z")
    r1 = sp.Matrix(
        [
            [sp.Rational(3, 5), sp.Rational(4, 5), 0],
            [-sp.Rational(4, 5), sp.Rational(3, 5), 0],
            [0, 0, 1],
        ]
    )
    r2 = sp.Matrix(
        [
            [1, 0, 0],
            [0, sp.Rational(5, 13), sp.Rational(12, 13)],
            [0, -sp.Rational(12, 13), sp.Rational(5, 13)],
        ]
    )
    Q = r2 * r1
    A = Q.T * sp.diag(10, 2, sp.Rational(1, 5)) * Q
    v = sp.Matrix([x, y, z])
    assert sorted(A.eigenvals()) == [sp.Rational(1, 5), 2, 10]
    return Objective((v.T * A * v)[0] / 2 + x - 2 * z, [x, y, z])
