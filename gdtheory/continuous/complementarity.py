r"""The semidefinite complementarity problem of the central flow.

Given a symmetric k x k matrix R and a linear map B on symmetric k x k matrices that is
positive semidefinite (<S, B[S]> >= 0), find S with

    S >= 0,   W = R + B[S] >= 0,   <S, W> = 0          (">=" in the Loewner order).

It is the optimality condition of the convex problem  min_{S >= 0} <R, S> + (1/2)<S, B[S]>
(W is the gradient), so the three conditions together certify a solution; the solution
is unique when B is definite.  Cohen, Damian, Talwalkar, Kolter and Lee (ICLR 2025,
"Understanding optimization in deep learning with central flows") discretise the central
flow with this problem; their reference code hands it to an interior-point solver.  Here
k is small (the eigenvalues near the edge), and the solver is exact up to rounding: a
solution S = V T V^T with range V solves the *linear* equations V^T W V = 0 for T, so

1. S = 0 if R >= 0;
2. else starting points are tried: the previous solution (a warm start along a flow),
   then S = V T V^T with T solved exactly for candidate ranges V (R's most negative
   eigenvectors, coordinate subsets); from each, Gauss-Newton on (R + B[L L^T]) L = 0
   (S = L L^T) converges quadratically when the rank and range are nearly right;
3. if none passes, accelerated projected gradient (FISTA with restarts) on the convex
   problem finds the range, and its iterates are polished the same way.

A candidate is returned only after the three conditions are checked, to a tolerance
relative to |R| + |B| |S|.

>>> import numpy as np
>>> B = np.zeros((2, 2, 2, 2)); B[0, 0, 0, 0] = B[1, 1, 1, 1] = 2.0
>>> np.round(solve_sdcp(np.diag([-1.0, 3.0]), B), 12)    # s_11 = 1/2 makes W_11 = 0
array([[0.5, 0. ],
       [0. , 0. ]])
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import Any

import numpy as np

from ..errors import InvalidInputError

__all__ = ["sdcp_residual", "solve_sdcp"]

_REL = 1e-10


def _apply(B: np.ndarray, S: np.ndarray) -> np.ndarray:
    return np.einsum("ijab,ab->ij", B, S)


def sdcp_residual(R: np.ndarray, B: np.ndarray, S: np.ndarray) -> float:
    """The largest violation of S >= 0, W >= 0 and <S, W> = 0, relative to |R| + |B| |S|.

    >>> B = np.ones((1, 1, 1, 1))
    >>> sdcp_residual(np.array([[-1.0]]), B, np.array([[1.0]]))
    0.0
    """
    W = R + _apply(B, S)
    scale = 1.0 + float(np.max(np.abs(R))) + float(np.max(np.abs(B))) * float(np.max(np.abs(S)))
    viol = max(
        -float(np.linalg.eigvalsh(0.5 * (S + S.T))[0]),
        -float(np.linalg.eigvalsh(0.5 * (W + W.T))[0]),
        abs(float(np.sum(S * W))),
        0.0,
    )
    return viol / scale


def _on_range(R: np.ndarray, B: np.ndarray, V: np.ndarray) -> np.ndarray | None:
    """The S = V T V^T with V^T (R + B[S]) V = 0 (least squares in T), or None if T is
    not positive semidefinite."""
    r = V.shape[1]
    pairs = [(i, j) for i in range(r) for j in range(i, r)]
    cols, basis = [], []
    for i, j in pairs:
        E = np.zeros((r, r))
        E[i, j] = E[j, i] = 1.0
        P = V @ E @ V.T
        basis.append(P)
        cols.append([(V.T @ _apply(B, P) @ V)[a, b] for a, b in pairs])
    rhs = -np.array([(V.T @ R @ V)[a, b] for a, b in pairs])
    coef, *_ = np.linalg.lstsq(np.array(cols).T, rhs, rcond=None)
    S = sum((c * P for c, P in zip(coef, basis, strict=True)), np.zeros_like(R))
    T = V.T @ S @ V
    if float(np.linalg.eigvalsh(0.5 * (T + T.T))[0]) < -_REL * (1.0 + float(np.max(np.abs(T)))):
        return None
    return 0.5 * (S + S.T)


def _frames(R: np.ndarray) -> list[np.ndarray]:
    """Candidate ranges: R's most negative eigenvectors, then coordinate subsets."""
    k = R.shape[0]
    out = []
    mu, U = np.linalg.eigh(R)
    neg = int(np.count_nonzero(mu < 0))
    for r in range(1, neg + 1):
        out.append(U[:, :r])
    eye = np.eye(k)
    for r in range(1, k + 1):
        out.extend(eye[:, list(c)] for c in combinations(range(k), r))
    return out


def _fista(R: np.ndarray, B: np.ndarray, S: np.ndarray, iters: int) -> np.ndarray:
    k = R.shape[0]
    L = float(np.linalg.norm(B.reshape(k * k, k * k), 2)) or 1.0
    Y, t = S.copy(), 1.0
    for _ in range(iters):
        G = Y - (R + _apply(B, Y)) / L
        mu, U = np.linalg.eigh(0.5 * (G + G.T))
        S_new = (U * np.maximum(mu, 0.0)) @ U.T
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        if np.sum((S_new - S) * (Y - S_new)) > 0:  # adaptive restart
            t_new, Y = 1.0, S_new
        else:
            Y = S_new + ((t - 1.0) / t_new) * (S_new - S)
        S, t = S_new, t_new
    return S


def _newton(R: np.ndarray, B: np.ndarray, L: np.ndarray, iters: int = 30) -> np.ndarray:
    """Gauss-Newton on F(L) = (R + B[L L^T]) L = 0 (k x r unknowns; lstsq absorbs the
    rotation gauge L -> L Q): quadratic convergence to a rank-r solution from near it."""
    k, r = L.shape
    last = np.inf
    for it in range(iters):
        W = R + _apply(B, L @ L.T)
        f = W @ L
        size = float(np.max(np.abs(f)))
        if size <= 1e-15 * (1.0 + float(np.max(np.abs(R)))) or (it >= 2 and size > 0.5 * last):
            break  # converged, or not converging quadratically from this start
        last = size
        # J[(i, s), (p, q)] = d f_is / d L_pq = W_ip [s = q] + (B[dL L^T + L dL^T] L)_is
        BL = np.einsum("ijpb,bq,js->ispq", B, L, L) + np.einsum("ijap,aq,js->ispq", B, L, L)
        J = (np.einsum("ip,sq->ispq", W, np.eye(r)) + BL).reshape(k * r, k * r)
        step, *_ = np.linalg.lstsq(J, -f.ravel(), rcond=None)
        L = L + step.reshape(k, r)
    return L @ L.T


def _factor(S: np.ndarray, cut: float) -> list[np.ndarray]:
    """Square-root factors L (k x r) of S for every rank r down to the numerical one."""
    mu, U = np.linalg.eigh(0.5 * (S + S.T))
    top = max(float(mu[-1]), 0.0)
    out = []
    for r in range(int(np.count_nonzero(mu > cut * top)), 0, -1):
        out.append(U[:, -r:] * np.sqrt(np.maximum(mu[-r:], cut * top)))
    return out


def solve_sdcp(
    R: Any, B: Any, *, previous: Any = None, tol: float = 1e-9, max_rounds: int = 100
) -> np.ndarray:
    """The S >= 0 with R + B[S] >= 0 and <S, R + B[S]> = 0 (module docstring).

    ``B`` is a (k, k, k, k) array, B[S]_ij = sum_ab B[i, j, a, b] S_ab, symmetric and
    positive semidefinite as an operator on symmetric matrices; ``previous`` is a warm
    start (the last solution along a flow).  Raises if no solution is found to ``tol``
    (relative): the problem has none when R is negative on a direction S >= 0 that B
    does not see (B[S] = 0), i.e. the convex problem is unbounded below.
    """
    R = np.asarray(R, dtype=float)
    B = np.asarray(B, dtype=float)
    k = R.shape[0] if R.ndim == 2 else -1
    if R.shape != (k, k) or B.shape != (k, k, k, k):
        raise InvalidInputError(
            f"need R of shape (k, k) and B of shape (k, k, k, k), got {R.shape} and {B.shape}"
        )
    if not (np.all(np.isfinite(R)) and np.all(np.isfinite(B))):
        raise InvalidInputError("the complementarity problem has non-finite data")
    R = 0.5 * (R + R.T)
    if k == 0 or float(np.linalg.eigvalsh(R)[0]) >= 0:
        return np.zeros((k, k))
    prev = None if previous is None else np.asarray(previous, dtype=float)

    def starts() -> Iterator[np.ndarray]:  # lazily: the warm start usually suffices
        if prev is not None and prev.shape == R.shape:
            yield from _factor(prev, 1e-8)
        for V in _frames(R):
            S = _on_range(R, B, V)
            if S is not None:
                yield from _factor(S, 1e-8)[:1]

    for L in starts():
        S = _newton(R, B, L)
        if sdcp_residual(R, B, S) <= tol:
            return S
    S = np.zeros((k, k))
    for _ in range(max_rounds):
        S = _fista(R, B, S, 40)
        if sdcp_residual(R, B, S) <= tol:
            return S
        for L in _factor(S, 1e-6):
            polished = _newton(R, B, L)
            if sdcp_residual(R, B, polished) <= tol:
                return polished
    raise InvalidInputError(
        "the semidefinite complementarity problem has no solution found to the tolerance "
        "(is B semidefinite, and positive on the directions where R is negative?)"
    )
