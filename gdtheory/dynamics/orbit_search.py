r"""The float64 stage of the periodic-orbit search (see :mod:`gdtheory.dynamics.periodic`).

Davidchack-Lai iterations z <- z + (beta |g(z)| C^T - G(z))^{-1} g(z), G = D Phi^p - I,
from many starts and stabilising transformations C at once (vectorised), then the
sorting of the converged points into isolated cycles and points of continua.

References
----------
Davidchack and Lai, Phys. Rev. E 60, 6172 (1999); Schmelcher and Diakonos, Phys. Rev.
Lett. 78, 4733 (1997).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..core.gdmap import FLOAT64, gd_step, monodromy
from ..core.objective import Objective
from ..errors import ShapeError
from .diagrams import cycle_key


def _flow_np(
    objective: Objective, Z: np.ndarray, H: float, p: int, with_jac: bool = True
) -> tuple[np.ndarray, np.ndarray | None, list[np.ndarray]]:
    """Phi^p(Z) for rows Z (N, n), the monodromy matrices (N, n, n), and the orbit points."""
    coords = [Z[:, i].copy() for i in range(Z.shape[1])]
    orbit = []
    with np.errstate(all="ignore"):
        for _ in range(p):
            orbit.append(coords)
            coords = gd_step(objective, coords, H, FLOAT64)
        M = monodromy(objective, orbit, H, FLOAT64) if with_jac else None
    return np.stack(coords, axis=1), M, [np.stack(c, axis=1) for c in orbit]


def signed_permutations(n: int) -> list[np.ndarray]:
    """The 2^n n! signed permutation matrices (the Schmelcher-Diakonos set)."""
    mats = []
    for perm in itertools.permutations(range(n)):
        for signs in itertools.product((1.0, -1.0), repeat=n):
            C = np.zeros((n, n))
            for i, (j, s) in enumerate(zip(perm, signs, strict=True)):
                C[i, j] = s
            mats.append(C)
    return mats


def _transformations(n: int, spec: Any) -> list[np.ndarray]:
    if spec == "auto":
        if n <= 3:
            return signed_permutations(n)
        if n <= 6:
            return [np.diag(s) for s in itertools.product((1.0, -1.0), repeat=n)]
        return [np.eye(n)]
    if spec == "none":
        return []
    mats = [np.asarray(C, dtype=float) for C in spec]
    for C in mats:
        if C.shape != (n, n):
            raise ShapeError(f"each transformation must be {n}x{n}, got {C.shape}")
    return mats


def _dl_solve(
    objective: Objective,
    Z: np.ndarray,
    Cs: np.ndarray,
    betas: np.ndarray,
    H: float,
    p: int,
    max_iter: int,
    lo: np.ndarray,
    hi: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Davidchack-Lai iterations on rows Z with per-row C and beta; (Z, converged mask)."""
    N, n = Z.shape
    width = float(np.max(hi - lo))
    alive = np.ones(N, dtype=bool)
    done = np.zeros(N, dtype=bool)
    eye = np.eye(n)
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            idx = np.flatnonzero(alive & ~done)
            if idx.size == 0:
                break
            z = Z[idx]
            end, M, _ = _flow_np(objective, z, H, p)
            assert M is not None
            g = end - z
            gn = np.sqrt(np.einsum("ij,ij->i", g, g))
            scale = 1.0 + np.sqrt(np.einsum("ij,ij->i", z, z))
            conv = gn <= 1e-11 * scale
            done[idx[conv]] = True
            A = betas[idx, None, None] * gn[:, None, None] * np.swapaxes(Cs[idx], 1, 2) - (M - eye)
            bad = ~np.all(np.isfinite(A.reshape(idx.size, -1)), axis=1) | ~np.isfinite(gn)
            alive[idx[bad]] = False  # the map overflowed there (huge h or box)
            A[bad], g[bad] = eye, 0.0
            step = np.einsum("nij,nj->ni", np.linalg.pinv(A, rcond=1e-13), g)
            sn = np.sqrt(np.einsum("ij,ij->i", step, step))
            cap = 0.25 * width
            step *= np.minimum(1.0, cap / np.where(sn > 0, sn, 1.0))[:, None]
            znew = z + np.where(conv[:, None], 0.0, step)
            out = ~np.all(np.isfinite(znew), axis=1) | np.any(
                (znew < lo - width) | (znew > hi + width), axis=1
            )
            alive[idx[out]] = False
            Z[idx] = znew
    return Z, done & alive


def _continuation_test(
    objective: Objective, z: np.ndarray, H: float, p: int, delta: float
) -> np.ndarray | None:
    """If solutions of Phi^p(z) = z continue along the null direction of G, return one."""
    _, M, _ = _flow_np(objective, z[None, :], H, p)
    assert M is not None
    n = z.size
    _, _, Vt = np.linalg.svd(M[0] - np.eye(n))
    v = Vt[-1]
    w = z + delta * v
    for _ in range(30):
        end, M, _ = _flow_np(objective, w[None, :], H, p)
        assert M is not None
        g = end[0] - w
        c = v @ (w - z) - delta
        if np.linalg.norm(g) <= 1e-11 * (1 + np.linalg.norm(w)) and abs(c) <= 1e-12:
            return w
        A = np.vstack([M[0] - np.eye(n), v[None, :]])
        rhs = -np.concatenate([g, [c]])
        w = w + np.linalg.lstsq(A, rhs, rcond=None)[0]
        if not np.all(np.isfinite(w)):
            return None
    return None


# -- high-precision stage ------------------------------------------------------------------


def float_solutions(
    objective: Objective,
    H: float,
    p: int,
    lo: np.ndarray,
    hi: np.ndarray,
    seeds: int,
    transformations: Any,
    beta: float,
    max_iter: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Davidchack-Lai from ``seeds`` random points of the box [lo, hi], each with every
    transformation (and plain Newton): the end points (N, n) and which converged."""
    n = objective.dim
    Cs = [np.eye(n)] + _transformations(n, transformations)
    bs = [0.0] + [beta] * (len(Cs) - 1)
    rng = np.random.default_rng(seed)
    S = lo + (hi - lo) * rng.random((seeds, n))
    Z = np.repeat(S, len(Cs), axis=0)
    Cm = np.tile(np.stack(Cs), (seeds, 1, 1))
    Bm = np.tile(np.array(bs), seeds)
    return _dl_solve(objective, Z, Cm, Bm, H, p, max_iter, lo, hi)


def classify_solutions(
    objective: Objective, sols: np.ndarray, H: float, p: int, lo: np.ndarray, hi: np.ndarray
) -> tuple[dict[tuple[float, ...], list[float]], list[np.ndarray], list[int]]:
    """Sort converged solutions into isolated cycles (deduplicated up to cyclic shift; a
    start point each) and points of continua (with their nullity); solutions of a proper
    divisor of p are left to the search for that period."""
    n = objective.dim
    width = float(np.max(hi - lo))
    candidates: dict[tuple[float, ...], list[float]] = {}
    continuum_pts: list[np.ndarray] = []
    nullity: list[int] = []
    M = None
    if sols.size:
        with np.errstate(all="ignore"):
            _, M, pts = _flow_np(objective, sols, H, p)
        assert M is not None
        finite = np.all(np.isfinite(M.reshape(M.shape[0], -1)), axis=1)
        finite &= np.all(np.isfinite(np.stack(pts, axis=1).reshape(M.shape[0], -1)), axis=1)
        if not finite.all():  # overflow of the map (huge h or box): no orbit there
            sols = sols[finite]
            _, M, pts = _flow_np(objective, sols, H, p)
    if not sols.size:
        return candidates, continuum_pts, nullity
    assert M is not None
    sv = np.linalg.svd(M - np.eye(n), compute_uv=False)
    cycles = np.stack(pts, axis=1)  # (N, p, n)
    for i in range(sols.shape[0]):
        small = sv[i] <= 1e-7 * max(1.0, float(sv[i][0]))
        lower = any(
            p % d == 0 and np.linalg.norm(cycles[i][d] - sols[i]) <= 1e-8 * width
            for d in range(1, p)
        )
        if lower:  # reported by the search for the smaller period
            continue
        if small.any():
            if not np.all((sols[i] >= lo) & (sols[i] <= hi)):
                continue
            near = any(
                np.linalg.norm(sols[i] - c) < 0.05 * width and d == int(small.sum())
                for c, d in zip(continuum_pts, nullity, strict=True)
            )
            if near or _continuation_test(objective, sols[i], H, p, 1e-3 * width) is not None:
                continuum_pts.append(sols[i])
                nullity.append(int(small.sum()))
                continue
        candidates.setdefault(cycle_key(cycles[i]), [float(v) for v in cycles[i][0]])
    return candidates, continuum_pts, nullity
