"""The semidefinite complementarity solver: the three conditions on random definite
problems, its minimum against an independent minimiser of the convex problem (BFGS on
the factor S = L L^T), the decoupled case against brute-force enumeration of the linear
complementarity problem, warm starts, and clear refusals."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from gdtheory.continuous.complementarity import sdcp_residual, solve_sdcp
from gdtheory.errors import InvalidInputError


def _problem(k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    G = rng.standard_normal((k, k, k * (k + 1) // 2 + 1))
    G = 0.5 * (G + G.transpose(1, 0, 2))  # G_ab symmetric in (a, b), like D^3 f[u_a, u_b]
    R = rng.standard_normal((k, k))
    return R + R.T, np.einsum("ijn,abn->ijab", G, G) * rng.uniform(0.05, 5.0)


def _phi(R: np.ndarray, B: np.ndarray, S: np.ndarray) -> float:
    return float(np.sum(R * S) + 0.5 * np.sum(S * np.einsum("ijab,ab->ij", B, S)))


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_solution_satisfies_the_conditions_and_minimises_the_convex_problem(
    k: int, seed: int
) -> None:
    R, B = _problem(k, seed)
    S = solve_sdcp(R, B)
    W = R + np.einsum("ijab,ab->ij", B, S)
    scale = 1 + np.abs(R).max() + np.abs(B).max() * np.abs(S).max()
    assert np.linalg.eigvalsh(S)[0] >= -1e-9 * scale
    assert np.linalg.eigvalsh(W)[0] >= -1e-9 * scale
    assert abs(np.sum(S * W)) <= 1e-9 * scale
    assert sdcp_residual(R, B, S) <= 1e-9
    # independent oracle: minimise <R, L L^T> + <L L^T, B[L L^T]>/2 over free L
    rng = np.random.default_rng(seed)
    best = min(
        minimize(
            lambda v: _phi(R, B, v.reshape(k, k) @ v.reshape(k, k).T),
            rng.standard_normal(k * k),
            method="BFGS",
            options={"gtol": 1e-12},
        ).fun
        for _ in range(3)
    )
    assert _phi(R, B, S) <= best + 1e-7 * (1 + abs(best))


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_decoupled_problem_is_the_linear_complementarity_problem(k: int, seed: int) -> None:
    """With B[S] depending on diag(S) only and R diagonal, S is diagonal and its diagonal
    is the LCP solution, found here by enumerating the active sets."""
    rng = np.random.default_rng(seed)
    C = rng.standard_normal((k, k + 1))
    M = C @ C.T
    r = rng.standard_normal(k)
    B = np.zeros((k, k, k, k))
    for i, j in itertools.product(range(k), repeat=2):
        B[i, i, j, j] = M[i, j]
    S = solve_sdcp(np.diag(r), B)
    sols = []
    for size in range(k + 1):
        for act in itertools.combinations(range(k), size):
            z = np.zeros(k)
            if act:
                i = list(act)
                z[i] = np.linalg.solve(M[np.ix_(i, i)], -r[i])
            if np.all(z >= -1e-12) and np.all(r + M @ z >= -1e-9):
                sols.append(z)
    assert len(sols) >= 1
    for z in sols:
        np.testing.assert_allclose(S, np.diag(z), atol=1e-8)


def test_one_eigenvalue_at_the_edge_is_the_projected_gradient() -> None:
    """k = 1 on the edge (2/h - l = 0) with gradient flow raising l (q = grad l . grad f <
    0): s = -2 q / |grad l|^2, and dx/dt = -(grad f + s grad l / 2) is the projection of
    -grad f onto the tangent of {l = 2/h} (the paper's one-eigenvalue formula)."""
    g = np.array([0.3, -1.2, 0.5])
    gl = np.array([-1.0, 2.0, -0.5])
    q, dt = gl @ g, 0.01
    B = np.full((1, 1, 1, 1), 0.5 * dt * (gl @ gl))
    s = solve_sdcp(np.array([[dt * q]]), B)[0, 0]
    assert s == pytest.approx(-2 * q / (gl @ gl))
    v = -(g + 0.5 * s * gl)
    np.testing.assert_allclose(v, -(g - (q / (gl @ gl)) * gl))
    assert solve_sdcp(np.array([[0.5 + dt * q]]), B)[0, 0] == 0  # below the edge


def test_warm_start_gives_the_same_solution() -> None:
    R, B = _problem(3, 7)
    S = solve_sdcp(R, B)
    R2 = R + 1e-4 * np.eye(3)
    np.testing.assert_allclose(solve_sdcp(R2, B, previous=S), solve_sdcp(R2, B), atol=1e-8)


def test_bad_problems_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="shape"):
        solve_sdcp(np.eye(2), np.zeros((2, 2, 2)))
    with pytest.raises(InvalidInputError, match="non-finite"):
        solve_sdcp(np.array([[np.nan]]), np.ones((1, 1, 1, 1)))
    # R negative on a direction B does not see: the convex problem is unbounded below
    with pytest.raises(InvalidInputError, match="no solution"):
        solve_sdcp(np.array([[-1.0]]), np.zeros((1, 1, 1, 1)))
