r"""Closed-form modified equations: quadratic objectives to all orders (claim T4).

For f(x) = (1/2) x^T A x + b^T x + c the GD map is affine, x -> x - h (A x + b), and its
modified vector field is known to all orders:

    F_h(x) = (1/h) log(I - h A) A^{-1} grad f(x) = -phi(h A) grad f(x),
    phi(z) = -log(1 - z)/z = sum_k z^k/(k+1),

so that F_k = -A^k grad f(x)/(k+1).  On the eigenbasis (l_i, u_i) of A this is
-sum_i [-log(1 - h l_i)/(h l_i)] l_i (u_i . x) u_i  (b = 0).  The series in h converges
iff h < 1/max|l_i|: the radius of convergence of the modified equation is 1/L.

Reference: E. Hairer, C. Lubich, G. Wanner, *Geometric Numerical Integration* (2006),
IX.7 (convergence of the modified equation for linear problems).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..core.objective import Objective, as_objective, h
from ..errors import InvalidInputError

__all__ = ["QuadraticModifiedEquation", "quadratic_modified_equation"]


@dataclass(frozen=True)
class QuadraticModifiedEquation:
    """The all-orders modified equation of GD on a quadratic.

    Attributes
    ----------
    A : ImmutableMatrix
        The (constant) Hessian.
    eigenvalues : tuple of Expr
        Exact eigenvalues of A (with multiplicity).
    L : Expr
        max |l_i|, the smoothness constant.
    radius : Expr
        1/L, the radius of convergence in h of the modified-field series (oo if A = 0).
    field : ImmutableMatrix
        The closed form -phi(hA) grad f(x), phi(z) = -log(1 - z)/z, as a SymPy column
        (via the spectral decomposition of A).
    """

    objective: Objective
    A: sp.ImmutableMatrix
    eigenvalues: tuple[sp.Expr, ...]
    L: sp.Expr
    radius: sp.Expr
    field: sp.ImmutableMatrix

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        """The (real) symbols of the formulas: substitute these, not a plain ``sp.Symbol``."""
        return tuple(self.objective.symbols)

    def coefficient(self, k: int) -> sp.ImmutableMatrix:
        """F_k = -A^k grad f(x) / (k+1), exactly.

        >>> q = quadratic_modified_equation(Objective.parse("x**2 + x*y + y**2"))
        >>> q.coefficient(1)
        Matrix([
        [-5*x/2 - 2*y],
        [-2*x - 5*y/2]])
        """
        k = _check_k(k)
        grad = self.objective.grad
        return sp.ImmutableMatrix(-(self.A**k) * grad / (k + 1))

    def series_coefficient(self, k: int) -> sp.ImmutableMatrix:
        """The h**k Taylor coefficient of the closed form ``field``, computed by SymPy's
        ``series`` (an independent check of :meth:`coefficient`)."""
        return self.series_coefficients([k])[0]

    def series_coefficients(self, ks: Sequence[int]) -> tuple[sp.ImmutableMatrix, ...]:
        """:meth:`series_coefficient` for each k of ``ks``, from one expansion of each
        component to order max(ks) (one ``series`` call instead of one per k).

        >>> q = quadratic_modified_equation("3*x**2/2")
        >>> q.series_coefficients([0, 2])
        (Matrix([[-3*x]]), Matrix([[-9*x]]))
        """
        if isinstance(ks, str | bytes) or not hasattr(ks, "__iter__"):
            raise InvalidInputError(f"ks must be a sequence of powers of h, got {ks!r:.60}")
        ks = [_check_k(k) for k in ks]
        if not ks:
            return ()
        columns = []
        for comp in self.field:
            s = sp.expand(sp.series(comp, h, 0, max(ks) + 1).removeO())
            columns.append([sp.simplify(s.coeff(h, k)) for k in ks])
        return tuple(sp.ImmutableMatrix([c[i] for c in columns]) for i in range(len(ks)))


def _phi(z: sp.Expr) -> sp.Expr:
    """phi(z) = -log(1 - z)/z, with phi(0) = 1."""
    return sp.Integer(1) if z == 0 else -sp.log(1 - z) / z


#: Largest power of h asked of the closed form (the coefficients' exact rationals grow
#: like L^k; the series at a larger k is a question for the closed form itself).
MAX_COEFFICIENT = 200


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= MAX_COEFFICIENT:
        raise InvalidInputError(
            f"k must be a non-negative integer, at most {MAX_COEFFICIENT}, got {k!r}"
        )
    return k


def quadratic_modified_equation(objective: Objective | str) -> QuadraticModifiedEquation:
    r"""All-orders modified equation of GD on a quadratic objective (closed form).

    F_h(x) = -phi(hA) grad f(x), phi(z) = -log(1 - z)/z; radius of convergence 1/L.

    >>> q = quadratic_modified_equation("3*x**2/2")
    >>> q.field
    Matrix([[x*log(1 - 3*h)/h]])
    >>> q.radius
    1/3
    >>> quadratic_modified_equation(Objective.parse("lam*x**2/2", params=["lam"])).field
    Matrix([[x*log(-h*lam + 1)/h]])
    >>> quadratic_modified_equation("x**4")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: x**4 is not quadratic (degree 4); ...
    """
    obj = as_objective(objective)
    if not obj.is_quadratic:
        deg = obj.polynomial_degree
        raise InvalidInputError(
            f"{obj.name} is not quadratic (degree {deg if deg is not None else 'not polynomial'}"
            "); use modified_equation for the series of a general objective"
        )
    A = sp.ImmutableMatrix(obj.hessian)
    grad = obj.grad
    eig: list[sp.Expr] = []
    field = sp.zeros(obj.dim, 1)
    for lam, mult, vecs in A.eigenvects():
        eig += [lam] * mult
        # orthogonal projector onto the eigenspace (A symmetric): V (V^T V)^{-1} V^T
        V = sp.Matrix.hstack(*vecs)
        P = V * (V.T * V).inv() * V.T
        field += -_phi(h * lam) * (P * grad)
    field = field.applyfunc(sp.simplify)
    if all(v.is_number for v in eig):
        L = max((abs(v) for v in eig), key=lambda v: float(v))
    else:  # symbolic parameters: L stays a formula (Max of the |eigenvalues|)
        L = sp.Max(*(abs(v) for v in eig))
    radius = sp.oo if L == 0 else 1 / L
    return QuadraticModifiedEquation(obj, A, tuple(eig), L, radius, sp.ImmutableMatrix(field))
