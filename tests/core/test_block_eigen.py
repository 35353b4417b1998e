"""Block eigen-iterations (core.block_eigen): the top eigenpairs of a known symmetric
matrix, NumPy and JAX (the same code under jit) agreeing, an exact start kept exact."""

from __future__ import annotations

import numpy as np
import pytest

from gdtheory.core.block_eigen import block_iterations, expand, ritz


def _matrix(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    lam = np.concatenate([[10.0, 9.0, 8.5], rng.uniform(-3, 3, n - 3)])
    return (Q * lam) @ Q.T, lam, Q


def test_top_eigenpairs_of_a_known_matrix() -> None:
    A, lam, Q = _matrix()
    X0 = np.linalg.qr(np.random.default_rng(1).standard_normal((A.shape[0], 6)))[0]
    theta, X, AX, res, its = block_iterations(np, lambda V: A @ V, X0, A @ X0, 3, 1e-12, 200)
    np.testing.assert_allclose(theta[:3], [10.0, 9.0, 8.5], rtol=1e-13)
    assert res[:3].max() <= 1e-12 * 10 and 0 < its < 200
    overlap = np.abs(np.einsum("ij,ij->j", X[:, :3], Q[:, :3]))  # the eigenvectors, up to sign
    np.testing.assert_allclose(overlap, 1.0, atol=1e-12)
    np.testing.assert_allclose(X.T @ X, np.eye(6), atol=1e-13)


def test_an_exact_start_stays_exact() -> None:
    """R = 0: the QR of [X, 0] still gives directions orthogonal to X, and the Ritz pairs
    are unchanged."""
    A, lam, Q = _matrix(seed=2)
    X = Q[:, np.argsort(lam)[::-1][:4]]  # the top four eigenvectors
    theta, X1, AX1 = ritz(np, X, A @ X)
    theta2, X2, _, _ = expand(np, lambda V: A @ V, X1, AX1, theta, np.zeros_like(X1))
    np.testing.assert_allclose(theta2, theta, rtol=1e-13)
    np.testing.assert_allclose(np.abs(np.einsum("ij,ij->j", X2, X1)), 1.0, atol=1e-12)


def test_the_same_code_under_jax_jit() -> None:
    jax = pytest.importorskip("jax")
    A, _, _ = _matrix(seed=3)
    X0 = np.linalg.qr(np.random.default_rng(4).standard_normal((A.shape[0], 5)))[0]
    want = block_iterations(np, lambda V: A @ V, X0, A @ X0, 2, 0.0, 8)
    with jax.enable_x64(True):
        jnp = jax.numpy
        Aj = jnp.asarray(A)

        @jax.jit
        def run(X):  # type: ignore[no-untyped-def]
            theta, X, AX = ritz(jnp, X, Aj @ X)
            P = jnp.zeros_like(X)
            for _ in range(8):
                theta, X, AX, P = expand(jnp, lambda V: Aj @ V, X, AX, theta, P)
            return theta

        got = np.asarray(run(jnp.asarray(X0)))
    np.testing.assert_allclose(got, want[0], rtol=1e-12)
