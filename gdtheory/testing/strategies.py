r"""Hypothesis strategies for objectives whose constants are known exactly.

* :func:`quadratics` — f = (1/2) x^T A x with A = Q diag(lambda) Q, Q a *rational*
  Householder reflection, so A is exact and its spectrum is known: L = max |lambda_i|.
* :func:`smooth_objectives` — f = sum_j c_j phi_j(a_j . x - b_j) + (1/2) sum_i d_i x_i^2
  with phi = log cosh (phi'' = sech^2 <= 1) or softplus (phi'' = s(1 - s) <= 1/4), c_j,
  d_i >= 0.  Then H(x) <= sum_j c_j sup(phi_j'') |a_j|^2 + max d_i =: L (a valid
  smoothness constant, not necessarily the best), and f >= 0.
* :func:`learning_rates` — exact rational h inside a named regime of L.
* :func:`factorization_instances` — scalar, vector or matrix factorisation objectives
  with an exact minimiser and the exact sharpness (top Hessian eigenvalue) there:
  x^2 + y^2 (scalar), |x|^2 + |y|^2 (vector), and for the matrix case with X = U G,
  Y = V G^-T balanced or not, the top eigenvalue of J^T J computed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from hypothesis import strategies as st

from ..core.library import (
    matrix_factorization,
    quadratic,
    scalar_factorization,
    state_symbols,
    vector_factorization,
)
from ..core.objective import Objective
from ..core.regimes import Regime
from ..core.scalars import check_count, exact_real

__all__ = [
    "QuadraticInstance",
    "SmoothInstance",
    "quadratics",
    "smooth_objectives",
    "learning_rates",
    "FactorizationInstance",
    "factorization_instances",
]


@dataclass(frozen=True)
class QuadraticInstance:
    """A quadratic with its exact spectrum and smoothness constant L = max |lambda|."""

    objective: Objective
    A: sp.Matrix
    eigenvalues: tuple[sp.Rational, ...]
    L: sp.Rational


@dataclass(frozen=True)
class SmoothInstance:
    """An L-smooth objective bounded below by ``f_low``, L proved by construction."""

    objective: Objective
    L: sp.Rational
    f_low: sp.Rational


def _rationals(
    low: int | sp.Rational, high: int | sp.Rational, den: int = 8
) -> st.SearchStrategy[sp.Rational]:
    lo, hi = int(sp.floor(low * den)), int(sp.ceiling(high * den))
    return st.integers(lo, hi).map(lambda k: sp.Rational(k, den))


@st.composite
def quadratics(
    draw: st.DrawFn,
    dim: int = 2,
    *,
    spectrum: tuple[int | sp.Rational, int | sp.Rational] = (sp.Rational(1, 8), 4),
) -> QuadraticInstance:
    """Quadratics (1/2) x^T A x with eigenvalues drawn from ``spectrum`` (exact).

    Negative bounds are allowed (indefinite quadratics).  L = max |lambda| > 0.
    """
    dim = check_count(dim, "dim", 1)
    lo, hi = (exact_real(v, "spectrum") for v in spectrum)
    eig = tuple(
        draw(
            st.lists(_rationals(lo, hi), min_size=dim, max_size=dim).filter(
                lambda v: any(e != 0 for e in v)
            )
        )
    )
    if dim == 1:
        A = sp.Matrix([[eig[0]]])
    else:
        v = sp.Matrix(
            draw(st.lists(st.integers(-3, 3), min_size=dim, max_size=dim).filter(lambda w: any(w)))
        )
        Q = sp.eye(dim) - 2 * v * v.T / (v.T * v)[0, 0]  # rational Householder, Q = Q^T = Q^-1
        A = Q * sp.diag(*eig) * Q
    L = max(abs(e) for e in eig)
    return QuadraticInstance(quadratic(A), A, eig, L)


@st.composite
def smooth_objectives(
    draw: st.DrawFn, dim: int = 1, *, L_max: int | sp.Rational = 4
) -> SmoothInstance:
    """Sums of log-cosh / softplus ridge terms plus a diagonal quadratic, L <= L_max."""
    xs = state_symbols(dim)
    n_terms = draw(st.integers(1, 3))
    expr: sp.Expr = sp.Integer(0)
    L: sp.Expr = sp.Integer(0)
    for _ in range(n_terms):
        a = draw(st.lists(_rationals(-2, 2, 4), min_size=dim, max_size=dim).filter(any))
        b = draw(_rationals(-2, 2, 4))
        c = draw(_rationals(sp.Rational(1, 4), 2, 4))
        u = sum((ai * xi for ai, xi in zip(a, xs, strict=True)), sp.Integer(0)) - b
        if draw(st.booleans()):
            expr += c * sp.log(sp.cosh(u))
            curvature = sp.Integer(1)  # sup sech^2
        else:
            expr += c * sp.log(1 + sp.exp(u))
            curvature = sp.Rational(1, 4)  # sup s(1 - s)
        L += c * curvature * sum(ai**2 for ai in a)
    d = draw(st.lists(_rationals(0, 2, 4), min_size=dim, max_size=dim))
    expr += sum((di * xi**2 for di, xi in zip(d, xs, strict=True)), sp.Integer(0)) / 2
    L += max(d)
    scale = min(sp.Integer(1), sp.Rational(L_max) / L)
    return SmoothInstance(
        Objective(sp.expand(expr * scale, deep=False), xs), L * scale, sp.Integer(0)
    )


def learning_rates(regime: Regime | str, L: int | sp.Rational) -> st.SearchStrategy[sp.Rational]:
    """Exact rational learning rates h in ``regime`` for smoothness constant L.

    ``BEYOND_STABILITY`` draws h in (2/L, 4/L].
    """
    r = Regime(regime)
    Lr = sp.Rational(L)
    ranges = {
        Regime.GRADIENT_FLOW_LIKE: (0, 1),
        Regime.OSCILLATORY: (1, 2),
        Regime.BEYOND_STABILITY: (2, 4),
    }
    if r is Regime.ONE_STEP:
        return st.just(1 / Lr)
    if r is Regime.CRITICAL:
        return st.just(2 / Lr)
    lo, hi = ranges[r]
    return st.integers(1, 999).map(lambda k: (lo + sp.Rational(k, 1000) * (hi - lo)) / Lr)


@dataclass(frozen=True)
class FactorizationInstance:
    """A factorisation objective with an exact minimiser and its exact sharpness.

    ``kind`` is "scalar", "vector" or "matrix"; ``minimiser`` a point of the objective's
    state (exact rationals) with f = 0 there; ``sharpness`` the largest Hessian
    eigenvalue at it (exact), so GD can converge there only if h * sharpness <= 2.
    """

    kind: str
    objective: Objective
    minimiser: tuple[sp.Rational, ...]
    sharpness: sp.Expr


@st.composite
def factorization_instances(
    draw: st.DrawFn, kinds: tuple[str, ...] = ("scalar", "vector", "matrix")
) -> FactorizationInstance:
    """Factorisation problems with a known minimiser (balanced or not) and its sharpness.

    >>> import numpy as np
    >>> from hypothesis import given
    >>> @given(factorization_instances())
    ... def t(inst):
    ...     assert inst.objective.f_np(np.array([float(v) for v in inst.minimiser])) == 0
    >>> t()
    """
    kind = draw(st.sampled_from(kinds))
    nonzero = _rationals(sp.Rational(1, 4), 3, 4)
    signed = st.tuples(nonzero, st.sampled_from([-1, 1])).map(lambda t: t[0] * t[1])
    if kind == "scalar":
        x, y = draw(signed), draw(signed)
        return FactorizationInstance(kind, scalar_factorization(x * y), (x, y), x**2 + y**2)
    if kind == "vector":
        n = draw(st.integers(2, 3))
        xs = draw(st.lists(signed, min_size=n, max_size=n))
        ys = draw(st.lists(signed, min_size=n, max_size=n))
        mu = sum((a * b for a, b in zip(xs, ys, strict=True)), sp.Integer(0))
        # the Hessian at a minimiser is v v^T with v = (y, x) (also when mu = 0)
        sharp = sum((v**2 for v in xs + ys), sp.Integer(0))
        return FactorizationInstance(
            kind, vector_factorization(n, mu), tuple(xs) + tuple(ys), sharp
        )
    n, m, d = draw(st.integers(2, 3)), draw(st.integers(2, 3)), 1
    X = sp.Matrix(draw(st.lists(signed, min_size=n * d, max_size=n * d))).reshape(n, d)
    Y = sp.Matrix(draw(st.lists(signed, min_size=m * d, max_size=m * d))).reshape(m, d)
    A = X * Y.T
    f = matrix_factorization(A, d)
    point = tuple(X) + tuple(Y)
    # the Hessian at a minimiser is J^T J; its top eigenvalue equals that of J J^T =
    # (X X^T) (x) I_m + I_n (x) (Y Y^T), i.e. |X|^2 + |Y|^2 for rank-one factors (d = 1)
    sharp = sum((v**2 for v in point), sp.Integer(0))
    return FactorizationInstance(kind, f, point, sharp)
