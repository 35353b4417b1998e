r"""Exact first and second moments of SGD and of its SME when every f_i is quadratic.

An independent oracle for the Monte Carlo of :mod:`gdtheory.dynamics.stochastic`: with
affine gradients g_i(x) = A_i x + e_i the moments mu = E x, M = E x x^T close.

* SGD with replacement, batch b (exact rationals; Cov_i is the per-sample covariance)::

      mu' = mu - eta gbar(mu),
      M'  = E (x - eta gbar)(x - eta gbar)^T + (eta^2 / b) E Cov_i(g_i(x)).

* The SME dX = (A X + c) dt + sum_j (B_j X + d_j) dW_j (Ito)::

      mu' = A mu + c,
      M'  = A M + M A^T + c mu^T + mu c^T
            + sum_j (B_j M B_j^T + B_j mu d_j^T + d_j mu^T B_j^T + d_j d_j^T),

  a linear system in (1, mu, M) solved by the matrix exponential at ``dps`` digits.

E phi for a quadratic observable phi(x) = c0 + q.x + x^T Q x is then c0 + q.mu + tr(Q M)
(:func:`quadratic_expectation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mpmath
import sympy as sp

from ..backward_error.sme import StochasticModifiedEquation, as_sme
from ..core.budget import check_cost
from ..core.conversion import as_symbols
from ..core.finite_sums import finite_sum
from ..core.objective import Objective, as_objective
from ..core.objective import h as LEARNING_RATE
from ..core.scalars import RealLike, check_count, check_dps, exact_real, point_coordinates
from ..errors import InvalidInputError

__all__ = ["sgd_moments", "sme_moments", "quadratic_expectation"]

Moments = tuple[sp.Matrix, sp.Matrix]

#: Exact (rational) moment updates per second, per f_i and matrix entry (about 1e3
#: measured; 1e4 so that a refusal is never premature).
RATE_EXACT_UPDATES = 1e4


def _affine(
    exprs: Sequence[sp.Expr], syms: Sequence[sp.Symbol], what: str
) -> tuple[sp.Matrix, sp.Matrix]:
    """(A, c) with exprs = A x + c, or a clear refusal."""
    v = sp.Matrix([sp.expand(e) for e in exprs])
    A = v.jacobian(list(syms))
    if any(e.free_symbols & set(syms) for e in A):
        raise InvalidInputError(
            f"{what} is not affine in the state: exact moments need quadratic f_i"
        )
    c = v.subs({s: 0 for s in syms})
    return A, c


def sgd_moments(
    objectives: Sequence[Objective | str], x0: Any, *, h: RealLike, steps: int, batch: int = 1
) -> Moments:
    """(E x_k, E x_k x_k^T) of SGD with replacement after ``steps`` steps, exactly.

    >>> mu, M = sgd_moments(["(x-1)**2/2", "(x+1)**2/2"], ["0"], h="1/2", steps=1)
    >>> mu[0], M[0, 0]          # +-1/2 with probability 1/2 each
    (0, 1/4)
    """
    objs = finite_sum(objectives)
    syms = list(objs[0].symbols)
    eta = exact_real(h, "h")
    steps = check_count(steps, "steps", 1)
    batch = check_count(batch, "batch", 1)
    parts = [_affine(o.grad, syms, f"grad of {o.name}") for o in objs]
    m, n = len(objs), len(syms)
    check_cost("the exact SGD moments", float(steps) * m * n * n, RATE_EXACT_UPDATES, "updates")
    Abar = sum((A for A, _ in parts), sp.zeros(n, n)) / m
    ebar = sum((e for _, e in parts), sp.zeros(n, 1)) / m
    mu = sp.Matrix([exact_real(v, "x0") for v in point_coordinates(x0, n)])
    M = mu * mu.T
    P = sp.eye(n) - eta * Abar
    for _ in range(steps):
        second = sum((_outer(A, e, mu, M) for A, e in parts), sp.zeros(n, n)) / m
        # E (x - eta gbar)(x - eta gbar)^T + (eta^2 / b) E Cov_i, gbar = Abar x + ebar
        M_new = _outer(P, -eta * ebar, mu, M)
        M_new += (eta**2 / batch) * (second - _outer(Abar, ebar, mu, M))
        mu = P * mu - eta * ebar
        M = M_new.applyfunc(sp.expand)
    return mu.applyfunc(sp.expand), M


def _outer(A: sp.Matrix, e: sp.Matrix, mu: sp.Matrix, M: sp.Matrix) -> sp.Matrix:
    """E (A x + e)(A x + e)^T = A M A^T + A mu e^T + e mu^T A^T + e e^T for x with mean
    mu and second moment M."""
    return A * M * A.T + A * mu * e.T + e * mu.T * A.T + e * e.T


def sme_moments(
    sme: StochasticModifiedEquation, x0: Any, *, h: RealLike, time: RealLike, dps: int = 30
) -> tuple[mpmath.matrix, mpmath.matrix]:
    """(E X_T, E X_T X_T^T) of the SME at learning rate h, by the moment ODE (``dps``
    digits).

    >>> from gdtheory.backward_error.sme import stochastic_modified_equation
    >>> sme = stochastic_modified_equation(["(x-1)**2/2", "(x+1)**2/2"])
    >>> mu, M = sme_moments(sme, ["0"], h="1/4", time=1)
    >>> print(mpmath.nstr(M[0, 0], 12))     # (h/2)(1 - e^-2)
    0.108083089595
    """
    sme = as_sme(sme)
    eta, T = exact_real(h, "h"), exact_real(time, "time")
    syms = list(sme.symbols)
    n, m = sme.dim, sme.noise_dim
    A, c = _affine([e.subs(LEARNING_RATE, eta) for e in sme.drift], syms, "the drift")
    Bs = [
        _affine([row[j].subs(LEARNING_RATE, eta) for row in sme.diffusion], syms, "the diffusion")
        for j in range(m)
    ]
    Msym = sp.Matrix(n, n, lambda i, j: sp.Dummy(f"M{i}{j}"))
    musym = sp.Matrix(n, 1, lambda i, j: sp.Dummy(f"mu{i}"))
    dmu = A * musym + c
    dM = A * Msym + Msym * A.T + c * musym.T + musym * c.T
    for B, d in Bs:
        dM += _outer(B, d, musym, Msym)
    unknowns = list(musym) + list(Msym)
    rates = sp.Matrix(list(dmu) + list(dM))
    linear = rates.jacobian(unknowns)
    K = sp.zeros(1, 1 + len(unknowns)).col_join(
        rates.subs({u: 0 for u in unknowns}).row_join(linear)
    )
    start = [exact_real(v, "x0") for v in point_coordinates(x0, n)]
    z0 = [sp.Integer(1)] + start + [a * b for a in start for b in start]
    with mpmath.workdps(check_dps(dps) + 10):
        Km = mpmath.matrix(
            [[mpmath.mpf(sp.N(e, mpmath.mp.dps)) for e in row] for row in K.tolist()]
        )
        z = mpmath.expm(Km * mpmath.mpf(sp.N(T, mpmath.mp.dps))) * mpmath.matrix(
            [mpmath.mpf(sp.N(v, mpmath.mp.dps)) for v in z0]
        )
        mean = mpmath.matrix([z[1 + i] for i in range(n)])
        second = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                second[i, j] = z[1 + n + i * n + j]
    return mean, second


def quadratic_expectation(
    observable: Objective | str, mean: Any, second: Any, symbols: Sequence[sp.Symbol]
) -> Any:
    """E phi from the first and second moments, phi a polynomial of degree <= 2.

    >>> x = sp.Symbol("x", real=True)
    >>> quadratic_expectation("(x - 1)**2", sp.Matrix([0]), sp.Matrix([[sp.Rational(1, 4)]]), [x])
    5/4
    """
    syms = list(as_symbols(symbols))
    if isinstance(observable, str):
        observable = Objective.parse(observable, symbols=syms)
    phi = as_objective(observable)
    expr = sp.expand(phi.expr)
    if not expr.is_polynomial(*syms) or sp.Poly(expr, *syms).total_degree() > 2:
        raise InvalidInputError(f"the observable {phi.name} is not a polynomial of degree <= 2")
    if expr.free_symbols - set(syms):
        raise InvalidInputError(f"the observable {phi.name} has symbols other than the state")
    n = len(syms)
    c0 = expr.subs({s: 0 for s in syms})
    q = [sp.diff(expr, s).subs({t: 0 for t in syms}) for s in syms]
    Q = [[sp.diff(expr, a, b) / 2 for b in syms] for a in syms]
    total = c0 + sum(q[i] * mean[i] for i in range(n))
    return total + sum(Q[i][j] * second[i, j] for i in range(n) for j in range(n))
