r"""Hypothesis strategies for objectives whose constants are known exactly.

* :func:`quadratics` — f = (1/2) x^T A x with A = Q diag(lambda) Q, Q a *rational*
  Householder reflection, so A is exact and its spectrum is known: L = max |lambda_i|.
* :func:`smooth_objectives` — f = sum_j c_j phi_j(a_j . x - b_j) + (1/2) sum_i d_i x_i^2
  with phi = log cosh (phi'' = sech^2 <= 1) or softplus (phi'' = s(1 - s) <= 1/4), c_j,
  d_i >= 0.  Then H(x) <= sum_j c_j sup(phi_j'') |a_j|^2 + max d_i =: L (a valid
  smoothness constant, not necessarily the best), and f >= 0.
* :func:`learning_rates` — exact rational h inside a named regime of L.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from hypothesis import strategies as st

from ..objective import Objective
from ..objectives import quadratic, state_symbols
from ..regimes import Regime

__all__ = [
    "QuadraticInstance",
    "SmoothInstance",
    "quadratics",
    "smooth_objectives",
    "learning_rates",
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
    lo, hi = spectrum
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
