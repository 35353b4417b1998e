r"""Balancing on matrix factorisation: minimiser spectra and balance bounds (the
convergence window of GD is a study: :mod:`gdtheory.studies.convergence_window`).

Matrix factorisation f(X, Y) = (1/2) ||A - X Y^T||_F^2 is homogeneous: (X G, Y G^{-T})
is a minimiser whenever (X, Y) is, so the minimisers form a continuum.  Its simplest
cases are the scalar f = (mu - x y)^2 / 2 and the vector f = (mu - x . y)^2 / 2.

Symbolic results derived here (:func:`balancing`), each checked as an identity by SymPy:

* scalar, at x y = mu: Hessian [[y^2, mu], [mu, x^2]], eigenvalues 0 and x^2 + y^2;
  x^2 + y^2 - 2 mu = (x - y)^2, so the sharp eigenvalue is minimal (= 2 mu) exactly at
  balance |x| = |y|;
* vector, at x . y = mu: Hessian v v^T with v = (y, x): eigenvalues ||x||^2 + ||y||^2
  (once) and 0 (2n - 1 times);
* matrix, at X Y^T = A: Hessian J^T J (J the Jacobian of (X, Y) -> X Y^T), and
  J J^T = (X X^T) (x) I + I (x) (Y Y^T) (a Kronecker sum), so the non-zero eigenvalues are
  sigma_i(X)^2 + sigma_j(Y)^2 and the sharpest is sigma_1(X)^2 + sigma_1(Y)^2 >= 2 sigma_1(A);
* homogeneity f(c X, Y / c) = f(X, Y), and the gradient-flow invariant X^T X - Y^T Y
  (its time derivative vanishes identically: gradient flow never balances; GD at large
  h does).

Balance bound (:func:`balance_bound`): a point limit of GD is a fixed point at which the
GD map is not linearly unstable, h lambda_max <= 2; on the minimiser set this reads::

    scalar / vector:  ||x - y||^2 <= 2/h - 2 mu,
    matrix:           (sigma_1(X) - sigma_1(Y))^2 <= 2/h - 2 sigma_1(A),
                      sigma_1(X)^2 + sigma_1(Y)^2 <= 2/h,

decreasing in h, and empty for h > 1/mu (resp. 1/sigma_1(A)): no minimiser is stable.

Reference: Wang, Chen, Zhao, Tao, "Large learning rate tames homogeneity: convergence and
balancing effect", ICLR 2022 (sec. 3: convergence for h up to about 4/L and balancing
of the limit); the source blog, sec. 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from ..core.conversion import nsimplify_exact
from ..core.objective import Objective
from ..core.scalars import (
    RealLike,
    check_count,
    exact_real,
    positive_real,
    real_array,
)
from ..errors import InvalidInputError, ShapeError
from .balance_laws import deep_scalar
from .minimiser_set import objective_spectrum
from .spectrum import H, MinimiserSpectrum

#: The factorisation families :func:`balancing` knows by name.
FAMILIES = ("scalar", "vector", "matrix", "deep")

__all__ = [
    "MinimiserSpectrum",
    "balancing",
    "BalanceBound",
    "balance_bound",
]

MU = sp.Symbol("mu", positive=True)


def _is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(sp.expand(expr)) == 0


def _matrix_is_zero(M: sp.Matrix) -> bool:
    return all(_is_zero(e) for e in M)


def _gradient_flow_invariant(f: sp.Expr, X: sp.Matrix, Y: sp.Matrix) -> sp.Matrix:
    """d/dt (X^T X - Y^T Y) along gradient flow X' = -df/dX, Y' = -df/dY."""
    dX = -X.applyfunc(lambda e: sp.diff(f, e))
    dY = -Y.applyfunc(lambda e: sp.diff(f, e))
    return dX.T * X + X.T * dX - (dY.T * Y + Y.T * dY)


def _scalar() -> MinimiserSpectrum:
    x, y, c = sp.symbols("x y c", real=True)
    f = (MU - x * y) ** 2 / 2
    Hs = sp.hessian(f, (x, y))
    at = {MU: x * y}
    Hm = Hs.subs(at)
    eig = {sp.factor(k): v for k, v in Hm.eigenvals().items()}
    sharp = x**2 + y**2
    imb = (x - y) ** 2
    ids = {
        "Hessian at xy = mu is [[y^2, mu], [mu, x^2]]": _matrix_is_zero(
            Hm - sp.Matrix([[y**2, x * y], [x * y, x**2]])
        ),
        "eigenvalues are {0, x^2 + y^2}": set(map(sp.expand, eig)) == {0, sp.expand(sharp)},
        "x^2 + y^2 - 2 mu = (x - y)^2 on xy = mu": _is_zero((sharp - 2 * MU - imb).subs(at)),
        "homogeneity f(c x, y / c) = f(x, y)": _is_zero(
            f.subs({x: c * x, y: y / c}, simultaneous=True) - f
        ),
        "gradient flow conserves x^2 - y^2": _matrix_is_zero(
            _gradient_flow_invariant(f, sp.Matrix([[x]]), sp.Matrix([[y]]))
        ),
    }
    return MinimiserSpectrum(
        "scalar",
        f,
        (x, y),
        at,
        Hm,
        eig,
        sharp,
        imb,
        sp.simplify((sharp - imb).subs(at)),
        ids,
        conserved=(x**2 - y**2,),
    )


def _vector(n: int) -> MinimiserSpectrum:
    xs = sp.symbols(f"x1:{n + 1}", real=True)
    ys = sp.symbols(f"y1:{n + 1}", real=True)
    c, lam = sp.symbols("c lambda", real=True)
    dot = sum((a * b for a, b in zip(xs, ys, strict=True)), sp.Integer(0))
    f = (MU - dot) ** 2 / 2
    variables = xs + ys
    at = {MU: dot}
    Hm = sp.hessian(f, variables).subs(at)
    v = sp.Matrix(list(ys) + list(xs))
    sharp = sum((s**2 for s in variables), sp.Integer(0))
    imb = sum(((a - b) ** 2 for a, b in zip(xs, ys, strict=True)), sp.Integer(0))
    charpoly = None
    if n <= 3:
        poly = Hm.charpoly(lam)  # its generator may not carry lam's assumptions
        charpoly = poly.as_expr().subs(poly.gen, lam)
    ids = {
        "Hessian at x.y = mu is v v^T, v = (y, x)": _matrix_is_zero(Hm - v * v.T),
        "||x||^2 + ||y||^2 - 2 mu = ||x - y||^2 on x.y = mu": _is_zero(
            (sharp - 2 * MU - imb).subs(at)
        ),
        "homogeneity f(c x, y / c) = f(x, y)": _is_zero(
            f.subs({**{a: c * a for a in xs}, **{b: b / c for b in ys}}, simultaneous=True) - f
        ),
        "gradient flow conserves ||x||^2 - ||y||^2": _matrix_is_zero(
            _gradient_flow_invariant(f, sp.Matrix([xs]).T, sp.Matrix([ys]).T)
        ),
    }
    if charpoly is not None:  # det(lambda I - v v^T) = lambda^(2n-1) (lambda - |v|^2)
        ids["characteristic polynomial lambda^(2n-1) (lambda - ||x||^2 - ||y||^2)"] = _is_zero(
            charpoly - lam ** (2 * n - 1) * (lam - sharp)
        )
    eig = {sharp: 1, sp.Integer(0): 2 * n - 1}
    return MinimiserSpectrum(
        "vector",
        f,
        variables,
        at,
        Hm,
        eig,
        sharp,
        imb,
        sp.simplify((sharp - imb).subs(at)),
        ids,
        conserved=(sp.expand(sum(a**2 for a in xs) - sum(b**2 for b in ys)),),
    )


def _matrix(n: int, m: int, d: int) -> MinimiserSpectrum:
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"X_{i}_{j}", real=True))
    Y = sp.Matrix(m, d, lambda i, j: sp.Symbol(f"Y_{i}_{j}", real=True))
    A = sp.Matrix(n, m, lambda i, j: sp.Symbol(f"A_{i}_{j}", real=True))
    c = sp.Symbol("c", real=True)
    R = A - X * Y.T
    f = sum((R[i, j] ** 2 for i in range(n) for j in range(m)), sp.Integer(0)) / 2
    variables = tuple(X) + tuple(Y)
    P = X * Y.T
    at = {A[i, j]: P[i, j] for i in range(n) for j in range(m)}
    Hm = sp.hessian(f, variables).subs(at)
    J = sp.Matrix([[sp.diff(P[i, j], s) for s in variables] for i in range(n) for j in range(m)])
    kron_sum = sp.kronecker_product(X * X.T, sp.eye(m)) + sp.kronecker_product(sp.eye(n), Y * Y.T)
    scale = {**{s: c * s for s in X}, **{s: s / c for s in Y}}
    ids = {
        "Hessian at XY^T = A is J^T J": _matrix_is_zero(Hm - J.T * J),
        "J J^T = (X X^T) (x) I_m + I_n (x) (Y Y^T)": _matrix_is_zero(J * J.T - kron_sum),
        "homogeneity f(c X, Y / c) = f(X, Y)": _is_zero(f.subs(scale, simultaneous=True) - f),
        "gradient flow conserves X^T X - Y^T Y": _matrix_is_zero(_gradient_flow_invariant(f, X, Y)),
    }
    if d == 2:  # f(X G, Y G^{-T}) = f(X, Y) for a generic invertible G
        g = sp.symbols("g0:4", real=True)
        G = sp.Matrix(2, 2, g)
        XG, YG = X * G, Y * G.inv().T
        sub = {**{s: XG[k] for k, s in enumerate(X)}, **{s: YG[k] for k, s in enumerate(Y)}}
        ids["homogeneity f(X G, Y G^-T) = f(X, Y), G invertible 2x2"] = _is_zero(
            sp.together(f.subs(sub, simultaneous=True) - f)
        )
    s1x, s1y = sp.symbols("sigma_1(X) sigma_1(Y)", nonnegative=True)
    return MinimiserSpectrum(
        "matrix",
        f,
        variables,
        at,
        Hm,
        {
            sp.Symbol("sigma_i(X)^2 + sigma_j(Y)^2"): min(n * m, (n + m) * d),
            sp.Integer(0): max(0, (n + m) * d - n * m),
        },
        s1x**2 + s1y**2,
        (s1x - s1y) ** 2,
        2 * s1x * s1y,
        ids,
        conserved=tuple(
            sp.expand((X.T * X - Y.T * Y)[i, j]) for i in range(d) for j in range(i, d)
        ),
    )


def balancing(
    kind: Any = "scalar",
    *,
    n: int = 2,
    m: int | None = None,
    d: int = 1,
    symmetry: Any = None,
    residuals: Any = None,
) -> MinimiserSpectrum:
    r"""Derive the Hessian spectrum on the minimiser set of a factorisation objective.

    ``kind`` is "scalar" ((mu - x y)^2/2), "vector" ((mu - x . y)^2/2, x, y in R^n),
    "matrix" ((1/2)||A - X Y^T||_F^2, X n x d, Y m x d, A symbolic), "deep" (the deep
    scalar network (1 - x_1 ... x_n)^2/2), or any objective (an ``Objective`` or an
    expression string) written as |r|^2/2 or with ``residuals=``: then the conserved
    quantities come from its linear symmetries (``symmetry=``, or detected) and the
    spectrum from J J^T (:func:`~gdtheory.landscape.minimiser_set.objective_spectrum`).
    Every identity in ``identities`` is checked by SymPy; see the module docstring for
    the statements.

    >>> s = balancing("scalar")
    >>> sorted(s.eigenvalues, key=str), s.sharp_minus_imbalance, s.all_identities_hold
    ([0, x**2 + y**2], 2*x*y, True)
    >>> balancing("(1 - x*y*z)**2/2").conserved
    (x**2 - y**2, x**2 - z**2)
    """
    if isinstance(kind, Objective) or (isinstance(kind, str) and kind not in FAMILIES):
        return objective_spectrum(kind, residuals=residuals, symmetry=symmetry)
    if kind == "deep":
        return objective_spectrum(deep_scalar(n), symmetry=symmetry)
    if kind == "scalar":
        return _scalar()
    n, d = check_count(n, "n", 1), check_count(d, "d", 1)
    m = None if m is None else check_count(m, "m", 1)
    if kind == "vector":
        if n > 6:
            raise InvalidInputError(f"the symbolic vector case is limited to n <= 6, got {n}")
        return _vector(n)
    if kind == "matrix":
        mm = n if m is None else m
        if (n + mm) * d > 12 or n * mm > 9:
            raise InvalidInputError(
                f"the symbolic matrix case is limited to (n + m) d <= 12 and n m <= 9 "
                f"(got n={n}, m={mm}, d={d}): the Hessian has ((n + m) d)^2 entries"
            )
        return _matrix(n, mm, d)
    raise InvalidInputError(
        f"kind must be one of {FAMILIES}, an Objective or an expression, got {kind!r}"
    )


@dataclass(frozen=True)
class BalanceBound:
    r"""The imbalance bound on a point limit of GD with step h, from linear stability.

    Scalar/vector: ||x - y||^2 <= 2/h - 2 mu.  Matrix (``mu`` = sigma_1(A)):
    (sigma_1(X) - sigma_1(Y))^2 <= 2/h - 2 sigma_1(A), and the sharpness
    sigma_1(X)^2 + sigma_1(Y)^2 <= 2/h.

    Attributes
    ----------
    h, mu : the inputs (mu = sigma_1(A) in the matrix case)
    value : float
        2/h - 2 mu; negative means no minimiser is linearly stable (GD cannot converge
        to a point, except from a measure-zero set).
    exact : sympy number
        The same, exact when h and mu are.
    sharpness_bound : float
        2/h: the largest Hessian eigenvalue a stable limit can have.
    expression : Expr
        2/h - 2 mu, derived by :func:`derive_balance_bound`.
    derivative : Expr
        d(bound)/dh = -2/h^2 < 0: the bound decreases in h.
    feasible : bool
        value >= 0.
    """

    h: float
    mu: float
    value: float
    exact: Any
    sharpness_bound: float
    expression: Any = field(repr=False)
    derivative: Any = field(repr=False)
    feasible: bool

    def __float__(self) -> float:
        return self.value


def derive_balance_bound() -> tuple[sp.Expr, sp.Expr]:
    r"""Solve h (D + 2 mu) = 2 for the imbalance D: returns (2/h - 2 mu, its h-derivative).

    The sharp eigenvalue at a minimiser is ||x||^2 + ||y||^2 = ||x - y||^2 + 2 mu
    (checked in :func:`balancing`), and linear stability of the GD map needs
    h lambda_max <= 2; the boundary h (D + 2 mu) = 2 gives the largest admissible D.
    """
    spec = _scalar()
    if not spec.all_identities_hold:  # pragma: no cover - a SymPy regression
        raise RuntimeError(f"a balancing identity failed: {spec.identities}")
    D = sp.Symbol("D", nonnegative=True)
    x, y = spec.variables
    # sharp = imbalance + (sharp - imbalance) = D + 2 x y, and x y = mu on the minimisers
    sharp_in_D = D + spec.sharp_minus_imbalance.subs(x * y, MU)
    if sharp_in_D != D + 2 * MU:  # pragma: no cover - a SymPy regression
        raise RuntimeError(f"unexpected sharp eigenvalue {sharp_in_D}")
    (bound,) = sp.solve(sp.Eq(H * sharp_in_D, 2), D)
    return sp.simplify(bound), sp.simplify(sp.diff(bound, H))


def balance_bound(
    *,
    h: RealLike,
    mu: Any = 1,
) -> BalanceBound:
    r"""The bound 2/h - 2 mu on the imbalance of any point limit of GD with step h.

    It holds for every limit that is not linearly unstable, i.e. for limits reached
    from generic starts (the unstable minimisers attract only a measure-zero set); a
    start lying exactly on the minimiser set is a fixed point whatever h is, and may
    sit outside the bound.

    ``mu`` is the target of the scalar or vector case, or a matrix A (matrix case, where
    mu = sigma_1(A) and the bound is on (sigma_1(X) - sigma_1(Y))^2).

    >>> b = balance_bound(h="1/2", mu=1)
    >>> b.exact, b.sharpness_bound, b.feasible, b.derivative
    (2, 4.0, True, -2/h**2)
    >>> balance_bound(h=0.9, mu=[[3, 0], [0, 1]]).value  # sigma_1(A) = 3 > 1/h: no stable minimiser
    -3.7777777777777777
    """
    h_e = positive_real(h, "h")
    if isinstance(mu, list | tuple | np.ndarray) or (
        hasattr(mu, "shape") and not isinstance(mu, sp.Expr)
    ):
        Am = real_array(mu, "A")
        if Am.ndim != 2 or Am.size == 0 or not np.all(np.isfinite(Am)):
            raise ShapeError(f"A must be a finite non-empty matrix, got shape {Am.shape}")
        mu_e: sp.Expr = sp.Float(float(np.linalg.norm(Am, 2)))
    else:
        mu_e = exact_real(mu, "mu")
        if mu_e <= 0:
            raise InvalidInputError(f"mu must be > 0 (the minimisers xy = mu), got {mu_e}")
    expr, deriv = derive_balance_bound()
    exact = (
        nsimplify_exact(expr.subs({H: h_e, MU: mu_e}))
        if mu_e.is_Rational
        else expr.subs({H: h_e, MU: mu_e})
    )
    value = float(exact)
    return BalanceBound(
        h=float(h_e),
        mu=float(mu_e),
        value=value,
        exact=exact,
        sharpness_bound=float(2 / h_e),
        expression=expr,
        derivative=deriv,
        feasible=value >= 0,
    )
