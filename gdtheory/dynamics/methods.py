r"""The float64 engine for any :mod:`gdtheory.optimizers` method, vectorised over a batch.

Starts ``x0s`` (..., n) and learning rates ``hs`` (...) broadcast as in
:func:`~gdtheory.dynamics.engine.iterate_map`; every run makes ``steps`` updates of
:meth:`Method.step <gdtheory.optimizers.Method.step>` (the one implementation of each
update, here on coordinate arrays).  For SGD the objective is the list of f_i and each
run draws its own minibatches from a seeded generator: i.i.d. indices
(``"replacement"``), a fresh permutation per epoch (``"reshuffle"``) or the order
0..m-1 (``"cyclic"``), consecutive blocks of ``batch`` indices (batch must divide m).
A run leaving ``bound`` is marked diverged and its state set to NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.budget import Meter, check_memory
from ..core.compiled import compile_np_coords
from ..core.finite_sums import finite_sum
from ..core.objective import Objective, numeric_objective
from ..core.scalars import check_count
from ..errors import InvalidInputError, ShapeError
from ..methods.optimizers import SGD, Method, as_method
from .engine import broadcast_batch, check_float_cost

__all__ = ["MethodRun", "method_batch", "seeded", "check_seed"]


@dataclass(frozen=True)
class MethodRun:
    """Final states of a batch of runs: ``x`` and ``v`` (*batch, n), ``diverged``
    (*batch,), ``h`` (*batch,)."""

    method: str
    x: np.ndarray = field(repr=False)
    v: np.ndarray = field(repr=False)
    diverged: np.ndarray = field(repr=False)
    h: np.ndarray = field(repr=False)
    steps: int

    def __repr__(self) -> str:
        return (
            f"MethodRun({self.method}, batch={self.diverged.shape}, steps={self.steps}, "
            f"diverged={int(self.diverged.sum())})"
        )


def method_batch(
    method: Method | str,
    objective: Objective | str | Sequence[Objective | str],
    x0s: Any,
    *,
    hs: Any,
    steps: int,
    v0s: Any = None,
    bound: float = 1e30,
    seed: Any = 0,
) -> MethodRun:
    r"""Run ``method`` in float64 on a broadcast batch of starts and learning rates.

    >>> from gdtheory.optimizers import HeavyBall
    >>> r = method_batch(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=[0.5], steps=80)
    >>> bool(abs(r.x[0, 0]) < 1e-9)      # roots of r^2 - r + 1/2: |r| = sqrt(beta) = 0.71
    True
    """
    meth = as_method(method)
    steps = check_count(steps, "steps", 1)
    if not (isinstance(bound, int | float) and not isinstance(bound, bool) and 0 < bound < np.inf):
        raise InvalidInputError(f"bound must be a finite positive number, got {bound!r}")
    given = finite_sum(objective) if isinstance(meth, SGD) else [objective]
    objs = [numeric_objective(o) for o in given]
    f = objs[0]
    batch, rows, rates = broadcast_batch(f, x0s, hs)
    N, n = rows.shape
    if v0s is None:
        V = np.zeros_like(rows)
    else:
        try:
            V = np.broadcast_to(f.batch_np(v0s), batch + (n,)).reshape(N, n)
        except ValueError:
            raise ShapeError(f"v0s must broadcast to the batch shape {batch + (n,)}") from None
    check_float_cost(f"{meth.name} on the batch", steps * len(objs), N, "numpy")
    check_memory(f"{meth.name} on the batch", float(N) * n * (4 + len(objs)))
    grads = compile_np_coords([g for o in objs for g in o.grad], f.symbols)
    x = [rows[:, i].copy() for i in range(n)]
    v = [V[:, i].copy() for i in range(n)]
    with np.errstate(all="ignore"):
        if isinstance(meth, SGD):
            x = _sgd(meth, grads, x, rates, steps, len(objs), seed)
            v = [np.full(N, np.nan)] * n
        else:
            meter = Meter(f"{meth.name} on the batch", steps, "steps")
            for k in range(steps):
                meter.tick(k)
                x, v = meth.step(lambda y: grads(*y), x, v, rates)
    X, Vs = np.stack(x, axis=-1), np.stack(v, axis=-1)
    bad = ~np.all(np.isfinite(X) & (np.abs(X) <= bound), axis=-1)
    X[bad] = np.nan
    return MethodRun(
        meth.name if not isinstance(meth, SGD) else f"SGD({meth.sampling}, batch {meth.batch})",
        X.reshape(batch + (n,)),
        Vs.reshape(batch + (n,)),
        bad.reshape(batch),
        rates.reshape(batch),
        steps,
    )


def check_seed(seed: Any) -> int:
    """A seed must be a non-negative integer (a clear refusal otherwise)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInputError(f"seed must be a non-negative integer, got {seed!r}")
    return seed


def seeded(seed: Any) -> np.random.Generator:
    """A NumPy generator from an int seed or a SeedSequence (anything else is refused)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    return np.random.default_rng(check_seed(seed))


def _sgd(
    meth: SGD, grads: Any, x: list[np.ndarray], rates: np.ndarray, steps: int, m: int, seed: Any
) -> list[np.ndarray]:
    """``steps`` minibatch updates per run, each run with its own index stream."""
    rng = seeded(seed)
    N, n, b = x[0].shape[0], len(x), meth.batch
    if meth.sampling != "replacement" and m % b:
        raise InvalidInputError(f"batch {b} must divide m = {m} for {meth.sampling} sampling")
    cols = np.arange(N)
    order = np.broadcast_to(np.arange(m), (N, m))
    per_epoch = m // b
    meter = Meter("SGD on the batch", steps, "steps")
    for k in range(steps):
        meter.tick(k)
        G = np.stack(grads(*x)).reshape(m, n, N)
        if meth.sampling == "replacement":
            idx = rng.integers(m, size=(b, N))
        else:
            j = k % per_epoch
            if j == 0 and meth.sampling == "reshuffle":
                order = rng.permuted(np.broadcast_to(np.arange(m), (N, m)), axis=1)
            idx = order[:, j * b : (j + 1) * b].T
        sampled: list[Any] = [G[i, :, cols].T for i in idx]
        x = meth.update(x, sampled, rates)
    return x
