r"""Lyapunov exponents of the GD map Phi_h(x) = x - h grad f(x).

With the Jacobian D Phi_h(x) = I - h Hess f(x), the exponents are the growth rates of
tangent vectors along an orbit,

    lambda_i = lim_{K -> inf} (1/K) sum_{k<K} ln |R_k[i, i]|,   Q_{k+1} R_k = D Phi_h(x_k) Q_k,

computed by the standard QR (Gram-Schmidt) re-orthonormalisation (Benettin, Galgani,
Giorgilli and Strelcyn, Meccanica 15, 1980; Eckmann and Ruelle, Rev. Mod. Phys. 57,
1985, sec. III.A).  For the largest exponent alone one tangent vector is renormalised.

Convergence diagnostic.  The K steps after the transient are cut into B blocks; the
estimate is the mean of the block means and its standard error the batch-means
estimate std(block means)/sqrt(B) (valid for mixing orbits with correlations shorter
than a block).  ``running`` holds the estimate after each block and ``drift`` the
difference between the second-half and first-half estimates: a converged estimate has
a small standard error and a drift within a few standard errors.

Float64 throughout, vectorised over a batch of (start, h) pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.budget import RATE_FLOAT_ITERATIONS, Meter, check_cost, check_memory, pilot
from ..core.gdmap import FLOAT64, gd_jacobian, gd_step
from ..core.objective import Objective, numeric_objective
from ..core.outcomes import LyapunovStatus
from ..core.scalars import check_count
from ..errors import InvalidInputError
from .engine import PILOT_ROWS, _chunk_bounds, broadcast_batch, map_pieces

__all__ = [
    "LyapunovStatus",
    "LyapunovResult",
    "LyapunovBatch",
    "lyapunov_exponent",
    "lyapunov_batch",
]


def tangent_blocks(
    objective: Objective,
    X0: np.ndarray,
    H: np.ndarray,
    steps: int,
    transient: int,
    k: int,
    blocks: int,
) -> np.ndarray:
    """Block means of ln|R_ii| for rows X0 (N, n): an array (N, blocks, k); NaN if diverged."""
    N, n = X0.shape
    coords = [X0[:, i].copy() for i in range(n)]
    Q = np.broadcast_to(np.eye(n)[:, :k], (N, n, k)).copy()
    block_len = steps // blocks
    sums = np.zeros((N, blocks, k))
    meter = Meter("the Lyapunov run", transient + blocks * block_len, "tangent steps")
    with np.errstate(all="ignore"):
        for i in range(transient):
            meter.tick(i)
            coords = gd_step(objective, coords, H, FLOAT64)
        for b in range(blocks):
            acc = np.zeros((N, k))
            for i in range(block_len):
                meter.tick(transient + b * block_len + i)
                J = gd_jacobian(objective, coords, H, FLOAT64)  # D Phi_h = I - h Hess f
                if n == 1:
                    acc[:, 0] += np.log(np.abs(J[:, 0, 0]))  # ln|1 - h f''(x)|
                else:
                    V = J @ Q
                    if k == 1:
                        r = np.sqrt(np.einsum("nij,nij->n", V, V))
                        Q = V / r[:, None, None]
                        acc[:, 0] += np.log(r)
                    else:
                        Q, R = np.linalg.qr(V)
                        acc += np.log(np.abs(np.diagonal(R, axis1=1, axis2=2)))
                coords = gd_step(objective, coords, H, FLOAT64)
            sums[:, b] = acc / block_len
    bad = ~np.all(np.isfinite(np.stack(coords, axis=1)), axis=1) | ~np.all(
        np.isfinite(sums) | (sums == -np.inf), axis=(1, 2)
    )
    sums[bad] = np.nan
    return sums


def _summarise(block_means: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(estimate, stderr, running, drift) from block means (..., B, k)."""
    B = block_means.shape[-2]
    est = block_means.mean(axis=-2)
    with np.errstate(invalid="ignore"):
        se = block_means.std(axis=-2, ddof=1) / math.sqrt(B) if B > 1 else np.full_like(est, np.inf)
    half = B // 2
    with np.errstate(invalid="ignore"):  # -inf exponents (superstable orbits) give NaN drift
        running = np.cumsum(block_means, axis=-2) / np.arange(1, B + 1)[:, None]
        drift = block_means[..., half:, :].mean(axis=-2) - block_means[..., :half, :].mean(axis=-2)
    return est, se, running, drift


@dataclass(frozen=True)
class LyapunovResult:
    """Lyapunov exponents of one GD orbit.

    Attributes
    ----------
    exponents : tuple of float
        lambda_1 >= lambda_2 >= ... (k of them; -inf where D Phi is singular on the orbit).
    stderr : tuple of float
        Batch-means standard errors.
    drift : tuple of float
        Second-half minus first-half estimate.
    running : ndarray (blocks, k)
        The estimate after each block (a convergence plot).
    status : LyapunovStatus
    steps, transient, block_steps : int
    h : float
    x0 : tuple of float
    """

    exponents: tuple[float, ...]
    stderr: tuple[float, ...]
    drift: tuple[float, ...]
    running: np.ndarray = field(repr=False)
    status: LyapunovStatus
    steps: int
    transient: int
    block_steps: int
    h: float
    x0: tuple[float, ...]

    @property
    def largest(self) -> float:
        return self.exponents[0]

    @property
    def message(self) -> str:
        return self.status.message


@dataclass(frozen=True)
class LyapunovBatch:
    """Lyapunov exponents of a batch of orbits: arrays of shape (*batch, k)."""

    exponents: np.ndarray = field(repr=False)
    stderr: np.ndarray = field(repr=False)
    diverged: np.ndarray = field(repr=False)
    h: np.ndarray = field(repr=False)
    block_means: np.ndarray = field(repr=False)
    steps: int

    def pooled(self) -> tuple[float, float]:
        """Mean largest exponent over the non-diverged runs and its standard error
        (block means of all runs pooled)."""
        bm = self.block_means[..., 0][~self.diverged]
        if bm.size == 0:
            return float("nan"), float("nan")
        per_run = bm.mean(axis=-1)
        if per_run.size > 1:
            return float(per_run.mean()), float(per_run.std(ddof=1) / math.sqrt(per_run.size))
        return float(per_run[0]), float(bm.std(ddof=1) / math.sqrt(bm.size))


def _check_common(steps: int, transient: int, blocks: int, runs: int = 1) -> tuple[int, int, int]:
    steps = check_count(steps, "steps", 1)
    transient = check_count(transient, "transient", 0)
    blocks = check_count(blocks, "blocks", 2)
    if blocks > steps:
        raise InvalidInputError(f"steps ({steps}) must be at least blocks ({blocks})")
    check_memory("the Lyapunov blocks", float(blocks) * runs * 4)
    check_cost(
        "the Lyapunov run",
        float(steps + transient) * max(runs, 1),
        RATE_FLOAT_ITERATIONS / 100,
        "tangent steps",
    )
    return steps, transient, blocks


def lyapunov_batch(
    objective: Objective,
    x0s: Any,
    *,
    hs: Any,
    steps: int = 20000,
    transient: int = 1000,
    spectrum: bool = False,
    blocks: int = 20,
    executor: Any = None,
    chunk: int | None = None,
) -> LyapunovBatch:
    r"""Lyapunov exponents for a broadcast batch of starts ``x0s`` (..., n) and rates ``hs``.

    With ``executor`` (a :class:`concurrent.futures.Executor` or a dask ``Client``) the
    rows are cut into chunks of ``chunk`` rows, run where the executor puts them; every
    row is computed by the same operations as locally, so the result is bit-identical.

    >>> from gdtheory.objectives import quadratic
    >>> b = lyapunov_batch(quadratic([1]), [[1.0]], hs=[0.5, 1.5], steps=100, transient=0)
    >>> np.round(b.exponents[..., 0], 6).tolist()  # ln|1 - h| exactly
    [-0.693147, -0.693147]
    """
    obj = numeric_objective(objective)
    batch, rows, rates = broadcast_batch(obj, x0s, hs)
    steps, transient, blocks = _check_common(steps, transient, blocks, rows.shape[0])
    k = obj.dim if spectrum else 1
    chunk = None if chunk is None else check_count(chunk, "chunk", 1)
    # an empty batch is one empty piece, so that the result keeps its (0, blocks, k) shape
    N = rows.shape[0]
    if N and float(steps + transient) * N > 1e6:  # time the tangent map itself
        p = min(N, PILOT_ROWS)
        pilot(
            "the Lyapunov runs",
            lambda j: tangent_blocks(obj, rows[:p], rates[:p], j * blocks, 0, k, blocks),
            (steps + transient) / blocks,
            "block steps",
            times=N / p,
        )
    bounds = _chunk_bounds(rows.shape[0], chunk, executor is not None) or [(0, 0)]
    pieces = [(obj, rows[a:b], rates[a:b], steps, transient, k, blocks) for a, b in bounds]
    bm = np.concatenate(map_pieces(tangent_blocks, pieces, executor))
    est, se, _, _ = _summarise(bm)
    return LyapunovBatch(
        exponents=est.reshape(batch + (k,)),
        stderr=se.reshape(batch + (k,)),
        diverged=np.isnan(bm).any(axis=(1, 2)).reshape(batch),
        h=rates.reshape(batch),
        block_means=bm.reshape(batch + (blocks, k)),
        steps=steps,
    )


def lyapunov_exponent(
    objective: Objective,
    x0: Any,
    *,
    h: Any,
    steps: int = 20000,
    transient: int = 1000,
    spectrum: bool = False,
    blocks: int = 20,
    rtol: float = 0.01,
    atol: float = 1e-3,
) -> LyapunovResult:
    r"""The largest Lyapunov exponent (or the full spectrum) of GD from ``x0``.

    ``status`` is ``converged`` when every standard error is <= max(atol, rtol |lambda|).

    Examples
    --------
    The logistic-conjugate cubic (GD map 2x^2 - 1) is chaotic with exponent ln 2:

    >>> from gdtheory.objectives import logistic_conjugate
    >>> r = lyapunov_exponent(logistic_conjugate(), 0.3, h=1, steps=50000)
    >>> bool(abs(r.largest - np.log(2)) < 0.01), r.status.value
    (True, 'converged')
    """
    obj = numeric_objective(objective)
    steps, transient, blocks = _check_common(steps, transient, blocks)
    batch, rows, rates = broadcast_batch(obj, x0, h)
    if rows.shape[0] != 1:
        raise InvalidInputError("lyapunov_exponent takes one start and one h; use lyapunov_batch")
    k = obj.dim if spectrum else 1
    bm = tangent_blocks(obj, rows, rates, steps, transient, k, blocks)[0]
    est, se, running, drift = _summarise(bm)
    if np.isnan(bm).any():
        status = LyapunovStatus.DIVERGED
    else:
        finite = np.isfinite(est)
        tol = np.maximum(atol, rtol * np.abs(np.where(finite, est, 0.0)))
        ok = np.all(~finite | (se <= tol))
        status = LyapunovStatus.CONVERGED if ok else LyapunovStatus.NOT_CONVERGED
    return LyapunovResult(
        exponents=tuple(float(v) for v in est),
        stderr=tuple(float(v) for v in se),
        drift=tuple(float(v) for v in drift),
        running=running,
        status=status,
        steps=(steps // blocks) * blocks,
        transient=transient,
        block_steps=steps // blocks,
        h=float(rates[0]),
        x0=tuple(float(v) for v in rows[0]),
    )
