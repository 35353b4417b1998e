r"""The GD map, written once, evaluated in several arithmetics.

The gradient-descent map of an objective f with learning rate h and its Jacobian are

    Phi_h(x) = x - h grad f(x),            D Phi_h(x) = I - h Hess f(x),

and the monodromy matrix of a p-cycle z_0, ..., z_{p-1} is the product

    M = D Phi_h(z_{p-1}) ... D Phi_h(z_0)

(Nesterov, *Lectures on Convex Optimization*, 2018, Sec. 1.2.3 for the step; Strogatz,
*Nonlinear Dynamics and Chaos*, 2015, Sec. 10.3 for multipliers of cycles).

As in mpmath, where one algorithm written against a context object runs in float,
arbitrary precision or interval arithmetic, the three formulas above are written once,
in :func:`descend`, :func:`identity_minus` and :func:`monodromy`, against an
:class:`Arithmetic`: how to take the gradient and Hessian of an objective in that
arithmetic and how to build and multiply matrices there.  An arithmetic may instead
*evaluate* the formulas applied to the objective's exact SymPy derivatives (with h
exact): ball arithmetic does, because enclosing x - h grad f(x) as one expression, in
SymPy's normal form, suffers less from the dependency problem of interval arithmetic
than combining separate enclosures of x and grad f(x).  Two arithmetics live here:

* :data:`FLOAT64`: vectorised float64 in coordinate-major layout (``x`` is a list of n
  arrays, one per coordinate, each holding a batch of points; ``h`` a scalar or an array
  of the batch's shape); matrices are arrays of shape (batch, n, n);
* :data:`MP`: mpmath at the current working precision (``x`` a tuple of mpf);
  matrices are ``mpmath.matrix``.

The third, arb balls (python-flint), is :data:`gdtheory.rigorous.balls.ARB`, in the
rigorous layer that owns the enclosures.  Two implementations stay separate on purpose:
the compiled numba kernel (:mod:`gdtheory.dynamics.numba_kernel`, generated code for
speed) and the test oracle's reference (:mod:`gdtheory.testing.oracles`, deliberately
independent of this module so that it can catch a bug here).

Examples
--------
>>> from gdtheory.core.library import quadratic
>>> f = quadratic([1, 4])
>>> import mpmath
>>> gd_step(f, (mpmath.mpf(1), mpmath.mpf(1)), mpmath.mpf("0.25"), MP)
[mpf('0.75'), mpf('0.0')]
>>> monodromy(f, [(mpmath.mpf(1), mpmath.mpf(1))] * 2, mpmath.mpf("0.25"), MP)
matrix(
[['0.5625', '0.0'],
 ['0.0', '0.0']])
>>> import numpy as np
>>> gd_jacobian(f, [np.array([0.0]), np.array([0.0])], 0.25, FLOAT64)[0].tolist()
[[0.75, 0.0], [0.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .objective import Objective

__all__ = [
    "Arithmetic",
    "FLOAT64",
    "MP",
    "descend",
    "identity_minus",
    "gd_step",
    "gd_jacobian",
    "monodromy",
]


@dataclass(frozen=True)
class Arithmetic:
    """How the GD map is evaluated in one arithmetic (a context object).

    Attributes
    ----------
    name : str
    gradient : callable (objective, x) -> sequence of n values
    hessian : callable (objective, x) -> n x n nested sequence of values
    matrix : callable (rows) -> the arithmetic's matrix type
    identity : callable (n, like) -> the identity matrix (``like``: a point, for shapes)
    matmul : callable (A, B) -> A B
    evaluate : callable (objective, expressions, x) -> values, or None
        When set, the step and the Jacobian are formed symbolically (``h`` an exact SymPy
        number) and evaluated at ``x`` by this function; ``gradient`` and ``hessian``
        are then not used.
    """

    name: str
    gradient: Callable[[Objective, Any], Sequence[Any]] | None
    hessian: Callable[[Objective, Any], Sequence[Sequence[Any]]] | None
    matrix: Callable[[list[list[Any]]], Any]
    identity: Callable[[int, Any], Any]
    matmul: Callable[[Any, Any], Any]
    evaluate: Callable[[Objective, Sequence[Any], Any], list[Any]] | None = None

    def __repr__(self) -> str:
        return f"Arithmetic({self.name!r})"


def descend(x: Any, g: Any, h: Any) -> Any:
    """Phi_h(x) = x - h g, given g = grad f(x): the GD step, in any arithmetic.

    ``x`` and ``g`` are sequences of coordinates (numbers, balls, or coordinate arrays),
    or two NumPy vectors / row batches of the same shape.

    >>> descend([1.0, 2.0], [1.0, -1.0], 0.5)
    [0.5, 2.5]
    """
    if isinstance(x, np.ndarray):
        return x - h * g  # Phi_h(x) = x - h grad f(x)
    return [xi - h * gi for xi, gi in zip(x, g, strict=True)]  # Phi_h(x) = x - h grad f(x)


def identity_minus(h: Any, H: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """I - h H, entry by entry (numbers, arrays or SymPy expressions): D Phi_h = I - h Hess f.

    >>> identity_minus(0.5, [[2.0, 1.0], [1.0, 4.0]])
    [[0.0, -0.5], [-0.5, -1.0]]
    """
    n = len(H)
    return [[(1 if i == j else 0) - h * H[i][j] for j in range(n)] for i in range(n)]


def gd_step(objective: Objective, x: Any, h: Any, arith: Arithmetic) -> list[Any]:
    """Phi_h(x) = x - h grad f(x) with the gradient taken in ``arith``."""
    if arith.evaluate is not None:  # the formula on the exact gradient, then evaluated
        exprs = descend(list(objective.symbols), list(objective.grad), sp.sympify(h, strict=True))
        return arith.evaluate(objective, exprs, x)
    assert arith.gradient is not None
    return descend(x, arith.gradient(objective, x), h)


def gd_jacobian(objective: Objective, x: Any, h: Any, arith: Arithmetic) -> Any:
    """D Phi_h(x) = I - h Hess f(x), as a matrix of ``arith``."""
    if arith.evaluate is not None:
        H = objective.hessian
        rows = identity_minus(
            sp.sympify(h, strict=True), [[H[i, j] for j in range(H.cols)] for i in range(H.rows)]
        )
        flat = arith.evaluate(objective, [e for row in rows for e in row], x)
        n = len(rows)
        return arith.matrix([flat[i * n : (i + 1) * n] for i in range(n)])
    assert arith.hessian is not None
    return arith.matrix(identity_minus(h, arith.hessian(objective, x)))


def monodromy(objective: Objective, points: Sequence[Any], h: Any, arith: Arithmetic) -> Any:
    """M = D Phi_h(z_{p-1}) ... D Phi_h(z_0) over the points of a cycle, in ``arith``."""
    M = arith.identity(objective.dim, points[0])
    for z in points:
        M = arith.matmul(gd_jacobian(objective, z, h, arith), M)  # left-multiply: z_0 first
    return M


def _hess_rows_float(objective: Objective, x: Sequence[np.ndarray]) -> list[list[Any]]:
    n = objective.dim
    flat = objective.hess_coords(*x)
    return [[flat[i * n + j] for j in range(n)] for i in range(n)]


def _float_matrix(rows: list[list[Any]]) -> np.ndarray:
    """Rows of batch entries (arrays of one shape, or scalars) -> array (*batch, n, n)."""
    arrays = [[np.asarray(v, dtype=float) for v in row] for row in rows]
    shape = np.broadcast_shapes(*(a.shape for row in arrays for a in row))
    return np.stack(
        [np.stack([np.broadcast_to(a, shape) for a in row], axis=-1) for row in arrays], axis=-2
    )


def _float_identity(n: int, like: Sequence[np.ndarray]) -> np.ndarray:
    shape = np.broadcast_shapes(*(np.shape(c) for c in like))
    return np.broadcast_to(np.eye(n), shape + (n, n)).copy()


def _mp_hessian(objective: Objective, x: Sequence[Any]) -> list[list[Any]]:
    H = objective.hess_mp(x)
    return [[H[i, j] for j in range(H.cols)] for i in range(H.rows)]


#: Vectorised float64 in coordinate-major layout (see the module docstring).
FLOAT64 = Arithmetic(
    name="float64",
    gradient=lambda objective, x: objective.grad_coords(*x),
    hessian=_hess_rows_float,
    matrix=_float_matrix,
    identity=_float_identity,
    matmul=np.matmul,
)

#: mpmath at the current working precision (change it only inside ``mpmath.workdps``).
MP = Arithmetic(
    name="mpmath",
    gradient=lambda objective, x: objective.grad_mp(x),
    hessian=_mp_hessian,
    matrix=mpmath.matrix,
    identity=lambda n, like: mpmath.eye(n),
    matmul=lambda A, B: A * B,
)
