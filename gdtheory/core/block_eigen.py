r"""Block eigen-iterations for the top eigenpairs of a symmetric operator, written once for
NumPy and for JAX (``xp`` is ``numpy`` or ``jax.numpy``; no data-dependent shapes, so the
JAX version compiles under ``jax.jit``).

One iteration from an orthonormal block X (n, m) with A X known and the last update
direction P: the Ritz pairs of A on span X (theta descending), their residuals
R = A X - X Theta, an orthonormal basis Q of span [X, R, P] by one QR factorisation (its
first m columns are X up to the triangular factor, so A Q_1 = A X T^-1 costs nothing; the
other 2m columns are orthogonal to X even where R or P has lost rank), one block product
A Q_2, and the Ritz pairs of A on span Q; the new P is their part outside X.  This is
LOBPCG without a preconditioner (Knyazev, SIAM J. Sci. Comput. 23, 2001), whose third
block makes it converge like conjugate gradients on clustered spectra.

>>> import numpy as np
>>> A = np.diag([5.0, 4.0, 1.0, 0.5, 0.1])
>>> X0 = np.linalg.qr(np.random.default_rng(0).standard_normal((5, 3)))[0]
>>> theta, X, AX, res, its = block_iterations(np, lambda V: A @ V, X0, A @ X0, 2, 1e-12, 50)
>>> np.round(theta[:2], 12), bool(res[:2].max() <= 5e-12), its < 50
(array([5., 4.]), True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["ritz", "expand", "residuals", "block_iterations"]


def ritz(xp: Any, X: Any, AX: Any) -> tuple[Any, Any, Any]:
    """The Ritz pairs of A on span X (X orthonormal): (theta descending, X C, A X C)."""
    T = X.T @ AX
    theta, C = xp.linalg.eigh((T + T.T) / 2)
    theta, C = theta[::-1], C[:, ::-1]
    return theta, X @ C, AX @ C


def expand(
    xp: Any, apply: Callable[[Any], Any], X: Any, AX: Any, theta: Any, P: Any
) -> tuple[Any, Any, Any, Any]:
    """One LOBPCG iteration (module docstring) from the Ritz pairs (theta, X, A X) of an
    orthonormal block and the last update direction P (zeros at first): the Ritz pairs of
    A on span [X, R, P], the top m kept, and the new direction (their part outside X)."""
    m = X.shape[1]
    R = AX - X * theta
    Q, T = xp.linalg.qr(xp.concatenate([X, R, P], axis=1))
    AQ1 = xp.linalg.solve(T[:m, :m].T, AX.T).T  # A X T^-1 = A Q_1
    AS = xp.concatenate([AQ1, apply(Q[:, m:])], axis=1)
    T2 = Q.T @ AS
    theta, C = xp.linalg.eigh((T2 + T2.T) / 2)
    C = C[:, ::-1][:, :m]
    return theta[::-1][:m], Q @ C, AS @ C, Q[:, m:] @ C[m:]


def residuals(xp: Any, X: Any, AX: Any, theta: Any) -> Any:
    """|A x_j - theta_j x_j| for each Ritz pair."""
    return xp.linalg.norm(AX - X * theta, axis=0)


def block_iterations(
    xp: Any, apply: Callable[[Any], Any], X: Any, AX: Any, k: int, tol: float, max_iters: int
) -> tuple[Any, Any, Any, Any, int]:
    """Iterations from the orthonormal X with A X = ``AX`` until the top k residuals are
    at most tol max(|theta_1|, tiny), or ``max_iters``: (theta (m,), X (n, m), A X, the
    residual norms (m,), the iterations made).  NumPy's loop; a JAX model runs the same
    :func:`expand` in ``jax.lax.while_loop``."""
    theta, X, AX = ritz(xp, X, AX)
    P = xp.zeros_like(X)
    res = residuals(xp, X, AX, theta)
    done = 0
    while done < max_iters and float(res[:k].max()) > tol * max(abs(float(theta[0])), 1e-300):
        theta, X, AX, P = expand(xp, apply, X, AX, theta, P)
        res = residuals(xp, X, AX, theta)
        done += 1
    return theta, X, AX, res, done
