r"""The top Hessian eigenpairs along a path: warm-started block eigen-iterations.

Along a smooth path (the central flow's substeps, GD's steps) the top eigenvectors move
little between consecutive points, so the previous block of m = k + extra eigenvectors is a
good start.  :class:`EigenTracker` runs the block iterations of
:func:`gdtheory.core.block_eigen.block_iterations` (subspace expansion by the residuals,
LOBPCG without its third block) from it: NumPy for any model, or one compiled call per
round for a model that provides ``eigen_iterations(w, X, L, iters)`` (JAX models: the
iterations and their batched Hessian products inside ``jax.jit``).  Converged means every
one of the top k residuals satisfies |H x - theta x| <= tol max(|theta_1|, tiny), which
bounds each eigenvalue's error by tol^2 |theta_1|^2 / gap (ARPACK's criterion at the same
``tol``).

A block method finds the top eigenvalues of the subspace it explores: an eigenvalue rising
from far below the block could be missed.  The tracker therefore checks its block against
a cold Lanczos solve (``scipy.sparse.linalg.eigsh`` from a fixed random start) every
``check_every`` solves and whenever the iterations do not converge, and restarts from
Lanczos if the top k differ (counted in ``restarts``).

>>> from gdtheory.models.numpy_models import FactorizationModel
>>> m = FactorizationModel(np.diag([3.0, 1.0, 0.5]), 3)
>>> w = np.concatenate([np.diag(np.sqrt([3.0, 1.0, 0.5])).ravel()] * 2)
>>> tr = EigenTracker(m, 2)
>>> np.round(tr.solve(w)[0], 10)   # sigma_i(X)^2 + sigma_j(Y)^2: 6, 4
array([6., 4.])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.block_eigen import block_iterations
from ..models.numpy_models import Model
from .sharpness import lanczos

__all__ = ["EigenTracker"]

#: Iterations of a solve before Lanczos takes over.
MAX_ITERATIONS = 30


def _products(model: Model, w: np.ndarray, L: Any) -> Any:
    """V (n, m) -> L^T H(w) L V, by one batched call where the model has ``hvps``."""
    batched = getattr(model, "hvps", None)

    def apply(V: np.ndarray) -> np.ndarray:
        U = V if L is None else L[:, None] * V
        if callable(batched):
            HU = np.asarray(batched(w, U.T), dtype=float).T
        else:
            HU = np.column_stack([np.asarray(model.hvp(w, u), dtype=float) for u in U.T])
        return HU if L is None else L[:, None] * HU

    return apply


def _aligned(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """``new`` with each column's sign chosen to agree with the same column of ``old``
    (eigenvectors have no sign; a flow's quantities in their basis should not flip)."""
    signs = np.sign(np.einsum("ij,ij->j", new, old[:, : new.shape[1]]))
    signs[signs == 0] = 1.0
    return new * signs


@dataclass
class EigenTracker:
    """The top k eigenpairs of H (or of L^T H L, P^-1 = L L^T) at a sequence of points,
    each solve warm-started from the last block (module docstring).

    Attributes
    ----------
    model, k : the model and the number of eigenpairs
    extra : int
        Block vectors beyond k (default 4): they speed convergence and watch the
        eigenvalues just below the top k.
    check_every : int
        A cold Lanczos check every this many solves (0: never).
    solves, products, restarts : int
        Counters: solves done, batched products used, restarts from Lanczos.
    """

    model: Any
    k: int
    extra: int = 4
    tol: float = 1e-10
    check_every: int = 50
    solves: int = 0
    products: int = 0
    restarts: int = 0
    _block: np.ndarray | None = field(default=None, repr=False)

    def solve(self, w: np.ndarray, L: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """(values (k,) descending, vectors (n, k)) of L^T H(w) L (L a diagonal vector or
        None)."""
        apply = _products(self.model, np.asarray(w, dtype=float), L)
        n = self.model.dim
        m = min(n, self.k + self.extra)
        if self._block is None or 2 * m >= n:
            vals, vecs = self._lanczos(apply, n, m)
            self._block = vecs
            self.solves += 1
            return vals[: self.k], vecs[:, : self.k]
        vals, block, ok = self._iterate(apply, np.asarray(w, dtype=float), L)
        vals = vals[: self.k]
        self.solves += 1
        if not ok or (self.check_every and self.solves % self.check_every == 0):
            ref_vals, ref_vecs = self._lanczos(apply, n, m)
            if not ok or not np.allclose(
                ref_vals[: self.k], vals, rtol=1e-8, atol=1e-12 * abs(ref_vals[0])
            ):
                self.restarts += 1
                self._block = ref_vecs
                return ref_vals[: self.k], ref_vecs[:, : self.k]
        self._block = _aligned(block, self._block)
        return vals, self._block[:, : self.k]

    def _iterate(self, apply: Any, w: np.ndarray, L: Any) -> tuple[np.ndarray, np.ndarray, bool]:
        """Block iterations from the last block until the top k converge (one compiled call
        for a model with ``eigen_iterations``)."""
        compiled = getattr(self.model, "eigen_iterations", None)
        X = np.linalg.qr(np.asarray(self._block, dtype=float))[0]
        if callable(compiled):
            theta, X, res, its = compiled(w, X, L, self.k, self.tol, MAX_ITERATIONS)
        else:
            theta, X, _, res, its = block_iterations(
                np, apply, X, apply(X), self.k, self.tol, MAX_ITERATIONS
            )
        self.products += int(its) + 1
        ok = float(np.max(res[: self.k])) <= self.tol * max(abs(float(theta[0])), 1e-300)
        return theta, X, ok

    def _lanczos(self, apply: Any, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
        """The top m eigenpairs by ARPACK (dense below 3 m + 2 dimensions), descending."""
        if n <= 3 * m + 2:
            A = apply(np.eye(n))
            vals, vecs = np.linalg.eigh((A + A.T) / 2)
            self.products += 1
            return vals[::-1][:m], vecs[:, ::-1][:, :m]
        return lanczos(lambda u: apply(u.reshape(-1, 1))[:, 0], n, m, tol=self.tol)
