r"""SGD with replacement and its stochastic modified equations, simulated on many paths.

* :func:`sgd_samples` — x_{k+1} = x_k - eta (1/b) sum_{j<=b} grad f_{i_j}(x_k), i_j i.i.d.
  uniform on 1..m, for ``paths`` independent runs at once (NumPy, seeded).
* :func:`sme_samples` — the SDE dX = a dt + sum_j b^j dW_j of
  :func:`~gdtheory.backward_error.sme.stochastic_modified_equation` at time T, by

  - ``"euler"``: Euler-Maruyama, X + a D + sum_j b^j dW_j (weak order 1);
  - ``"weak2"``: the simplified weak order-2 Ito-Taylor scheme (Kloeden and Platen,
    *Numerical Solution of Stochastic Differential Equations*, 1992, eq. (14.2.7)):

        X + a D + (1/2) L0a D^2 + sum_j (b^j + (D/2)(L0 b^j + L^j a)) dW_j
          + (1/2) sum_{j1,j2} L^{j1} b^{j2} (dW_{j1} dW_{j2} + V_{j1 j2}),

    L0 = a . grad + (1/2) sum_{kl} (sigma sigma^T)_{kl} d_k d_l, L^j = b^j . grad,
    dW_j ~ N(0, D), V_{jj} = -D, V_{j1 j2} = +-D with probability 1/2 for j2 < j1 and
    V_{j2 j1} = -V_{j1 j2}.  Its derivatives are taken exactly in SymPy.

Both return the final states, shape (paths, n); a path that leaves float range is NaN.

Random streams: the paths are cut into blocks of :data:`PATH_BLOCK`, block i drawing
from the i-th child of the seed's ``SeedSequence``.  The blocks are fixed by ``paths``
alone, so with ``executor=`` (a :class:`concurrent.futures.Executor` or a dask
``Client``) they run wherever the executor sends them and the samples are bit-identical
to the local run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from ..backward_error.sme import StochasticModifiedEquation, as_sme
from ..core.budget import RATE_FLOAT_ITERATIONS, check_cost, check_memory, pilot
from ..core.compiled import compile_np_coords
from ..core.finite_sums import finite_sum
from ..core.objective import Objective, h, numeric_objective
from ..core.scalars import RealLike, check_count, exact_real, finite_float
from ..errors import InvalidInputError
from ..methods.optimizers import SGD
from .engine import map_pieces
from .run import check_seed, run, seeded

__all__ = ["INTEGRATORS", "PATH_BLOCK", "sgd_samples", "sme_samples", "check_sgd_cost"]

INTEGRATORS = ("euler", "weak2")

#: Paths per independently seeded block of a Monte Carlo run (module docstring).
PATH_BLOCK = 1 << 16


def path_blocks(seed: Any, paths: int) -> list[tuple[int, np.random.SeedSequence]]:
    """(size, seed sequence) of each block of ``paths``: child i of the seed's sequence,
    built from its entropy and spawn key, so the same seed always gives the same blocks.

    >>> [size for size, _ in path_blocks(0, 2 * PATH_BLOCK + 5)]
    [65536, 65536, 5]
    """
    root = (
        seed
        if isinstance(seed, np.random.SeedSequence)
        else np.random.SeedSequence(check_seed(seed))
    )
    sizes = [min(PATH_BLOCK, paths - a) for a in range(0, paths, PATH_BLOCK)]
    return [
        (size, np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, i)))
        for i, size in enumerate(sizes)
    ]


def run_blocks(fn: Any, args: tuple[Any, ...], seed: Any, paths: int, executor: Any) -> np.ndarray:
    """``fn(*args, size, seed_sequence)`` over the blocks, locally or on ``executor``,
    the (size, n) results stacked in block order."""
    pieces = [(*args, size, ss) for size, ss in path_blocks(seed, paths)]
    return np.concatenate(map_pieces(fn, pieces, executor))


def _point(x0: Any, n: int) -> np.ndarray:
    """x0 as n finite floats, or a clear refusal."""
    try:
        arr = np.asarray(x0, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidInputError(f"x0 must be a point of {n} numbers, got {x0!r}") from None
    if arr.shape != (n,) or not np.all(np.isfinite(arr)):
        raise InvalidInputError(f"x0 must be {n} finite numbers, got {x0!r}")
    return arr


def sgd_samples(
    objectives: Sequence[Objective | str],
    x0: Any,
    *,
    h: RealLike,
    steps: int,
    paths: int,
    batch: int = 1,
    seed: Any = 0,
    executor: Any = None,
) -> np.ndarray:
    r"""Final iterates of ``paths`` independent SGD runs with replacement (float64);
    ``executor``: blocks of paths in parallel, same samples (module docstring).

    The minibatch gradient is the *mean* of b sampled gradients, so its expectation is
    grad f with f = (1/m) sum f_i.

    >>> X = sgd_samples(["(x-1)**2/2", "(x+1)**2/2"], [0.0], h=0.5, steps=1, paths=4, seed=1)
    >>> sorted(set(X[:, 0].tolist()))      # one step from 0: to +1/2 or -1/2
    [-0.5, 0.5]
    """
    objs = [numeric_objective(o) for o in finite_sum(objectives)]
    m, n = len(objs), objs[0].dim
    eta = finite_float(h, "h", positive=True)
    steps = check_count(steps, "steps", 1)
    paths = check_count(paths, "paths", 1)
    batch = check_count(batch, "batch", 1)
    check_sgd_cost(steps, paths, m, n, batch)
    start = _point(x0, n)
    blocks = path_blocks(seed, paths)
    size, ss = blocks[0]
    pilot(  # the per-step cost of a block (Python overhead included), times the blocks
        "SGD sampling",
        lambda k: _sgd_block(objs, start, eta, k, batch, size, ss),
        steps,
        "steps",
        times=paths / size,
    )
    return run_blocks(_sgd_block, (objs, start, eta, steps, batch), seed, paths, executor)


def _sgd_block(
    objs: list[Objective], x0: np.ndarray, eta: float, steps: int, batch: int, size: int, ss: Any
) -> np.ndarray:
    """One block of :func:`sgd_samples`."""
    starts = np.broadcast_to(x0, (size, x0.size))
    paths = run(SGD(batch), objs, starts, hs=eta, steps=steps, seed=ss, bound=np.finfo(float).max)
    return paths.x


def check_sgd_cost(steps: int, paths: int, m: int, n: int, batch: int) -> None:
    """Refuse (:class:`~gdtheory.core.budget.CostError`) an SGD simulation beyond the budget."""
    check_cost(
        "SGD sampling", float(steps) * paths * m * n * batch, RATE_FLOAT_ITERATIONS / 20, "updates"
    )


def _finite_rows(x: list[np.ndarray]) -> np.ndarray:
    out = np.stack(x, axis=-1)
    out[~np.all(np.isfinite(out), axis=-1)] = np.nan
    return out


def _terms(sme: StochasticModifiedEquation, eta: sp.Expr, integrator: str) -> list[sp.Expr]:
    """a, b^j (Euler); then L0a, L0 b^j + L^j a and L^{j1} b^{j2} (weak2), flattened."""
    X = sp.Matrix(sme.symbols)
    a = sp.Matrix(sme.drift).subs(h, eta)
    B = [sp.Matrix([row[j] for row in sme.diffusion]).subs(h, eta) for j in range(sme.noise_dim)]
    out = list(a) + [e for b in B for e in b]
    if integrator == "euler":
        return out
    S = sum((b * b.T for b in B), sp.zeros(sme.dim, sme.dim))

    def L0(v: sp.Matrix) -> sp.Matrix:
        second = sp.Matrix(
            [
                sum(
                    S[k, l] * sp.diff(vi, X[k], X[l])
                    for k in range(sme.dim)
                    for l in range(sme.dim)
                )
                for vi in v
            ]
        )
        return v.jacobian(X) * a + second / 2

    Ja = a.jacobian(X)
    out += list(L0(a))
    out += [e for b in B for e in (L0(b) + Ja * b)]
    out += [e for b1 in B for b2 in B for e in (b2.jacobian(X) * b1)]
    return out


def sme_samples(
    sme: StochasticModifiedEquation,
    x0: Any,
    *,
    h: RealLike,
    time: RealLike,
    paths: int,
    substeps: int = 4,
    integrator: str = "weak2",
    seed: Any = 0,
    executor: Any = None,
) -> np.ndarray:
    r"""States X_T of ``paths`` solutions of the SME at learning rate ``h`` (the SME's
    own parameter), simulated with step D = h / substeps up to T = ``time`` (T / D must
    be an integer); ``executor``: blocks of paths in parallel, same samples.

    >>> from gdtheory.backward_error.sme import stochastic_modified_equation
    >>> sme = stochastic_modified_equation(["(x-1)**2/2", "(x+1)**2/2"])
    >>> X = sme_samples(sme, [0.0], h=0.25, time=1, paths=200_000, seed=3)
    >>> round(float(np.var(X)), 2)        # Ornstein-Uhlenbeck: (h/2)(1 - e^-2T) = 0.108
    0.11
    """
    sme = as_sme(sme)
    if integrator not in INTEGRATORS:
        raise InvalidInputError(f"integrator must be one of {INTEGRATORS}, got {integrator!r}")
    eta = exact_real(h, "h")
    if not eta.is_positive:
        raise InvalidInputError(f"h must be > 0, got {h!r}")
    T = exact_real(time, "time")
    substeps = check_count(substeps, "substeps", 1)
    paths = check_count(paths, "paths", 1)
    D = eta / substeps
    ratio = T / D
    if not (ratio.is_Integer and ratio >= 1):
        raise InvalidInputError(
            f"time / (h / substeps) = {ratio} must be a positive integer (T = {T}, step {D})"
        )
    for o in sme.objectives:
        numeric_objective(o)
    n, m, steps = sme.dim, sme.noise_dim, int(ratio)
    check_cost(
        "SME sampling",
        float(steps) * paths * (m * m + m) * n,
        RATE_FLOAT_ITERATIONS / 20,
        "updates",
    )
    check_memory("the sample paths", float(paths) * n * 4)
    terms, start = _terms(sme, eta, integrator), _point(x0, n)
    size, ss = path_blocks(seed, paths)[0]
    pilot(  # the per-step cost of a block (Python overhead included), times the blocks
        "SME sampling",
        lambda k: _sme_block(
            terms, tuple(sme.symbols), start, m, k, float(D), integrator, size, ss
        ),
        steps,
        "steps",
        times=paths / size,
    )
    args = (terms, tuple(sme.symbols), start, m, steps, float(D), integrator)
    return run_blocks(_sme_block, args, seed, paths, executor)


def _sme_block(
    terms: list[sp.Expr],
    symbols: tuple[sp.Symbol, ...],
    x0: np.ndarray,
    m: int,
    steps: int,
    d: float,
    integrator: str,
    size: int,
    ss: Any,
) -> np.ndarray:
    """One block of :func:`sme_samples` (the integrator compiled where the block runs)."""
    F = compile_np_coords(terms, symbols)
    x = [np.full(size, v) for v in x0]
    with np.errstate(all="ignore"):  # a path leaving float range becomes NaN below
        x = _sme_loop(F, x, x0.size, m, steps, d, integrator, seeded(ss))
    return _finite_rows(x)


def _sme_loop(
    F: Any, x: list[np.ndarray], n: int, m: int, steps: int, d: float, integrator: str, rng: Any
) -> list[np.ndarray]:
    """``steps`` steps of the integrator from the coordinate arrays ``x``."""
    paths = x[0].shape[0]
    for _ in range(steps):
        v = F(*x)
        a, B = v[:n], [v[n + j * n : n + (j + 1) * n] for j in range(m)]
        dW = rng.standard_normal((m, paths)) * np.sqrt(d)
        inc = [ai * d + sum(B[j][i] * dW[j] for j in range(m)) for i, ai in enumerate(a)]
        if integrator == "weak2":
            k = n + m * n
            L0a, C = v[k : k + n], [v[k + n + j * n : k + n + (j + 1) * n] for j in range(m)]
            k += n + m * n
            V = np.zeros((m, m, paths))
            for j1 in range(m):
                V[j1, j1] = -d
                for j2 in range(j1):
                    V[j1, j2] = d * (2.0 * rng.integers(0, 2, size=paths) - 1.0)
                    V[j2, j1] = -V[j1, j2]
            for i in range(n):
                inc[i] = inc[i] + 0.5 * L0a[i] * d * d
                inc[i] = inc[i] + sum(0.5 * d * C[j][i] * dW[j] for j in range(m))
                inc[i] = inc[i] + sum(
                    0.5 * v[k + (j1 * m + j2) * n + i] * (dW[j1] * dW[j2] + V[j1, j2])
                    for j1 in range(m)
                    for j2 in range(m)
                )
        x = [xi + ii for xi, ii in zip(x, inc, strict=True)]
    return x
