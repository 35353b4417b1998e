r"""One float64 runner for every method of the registry, and one result: :class:`Run`.

``run(method, objective, x0s, hs=..., steps=...)`` iterates the method's update formula
(:meth:`~gdtheory.methods.registry.Method.update`) in float64 over a broadcast batch of
starts (..., n) and learning rates (...), many paths at once:

* GD without a tolerance runs on the sweep engine (:func:`~.engine.run_rows`): the numba
  kernel for large sweeps, NumPy otherwise, chunks on an executor, a cache of chunks;
* every other method (a user's included) runs its update on lists of coordinate arrays;
  SGD draws a minibatch per path and step by its sampling scheme.

The divergence rule is written once (:func:`~.engine.outside_bound`): after every step a
path with a coordinate that is not finite or beyond ``bound`` turns NaN and its status
is ``diverged`` at that step.  With ``tol`` a path whose gradient norm falls to ``tol``
stops there, ``converged``; the others end ``max_steps``.  Every path gets an
:class:`~gdtheory.core.outcomes.Status` and the step at which it was decided.

``iterate_map`` (GD on the engine), ``gd_batch`` (GD with a tolerance, all iterates on
request) and ``method_batch`` (any method) are the same runner under their old names.

>>> from gdtheory.optimizers import HeavyBall
>>> r = run(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=[0.5, 4.0], steps=200)
>>> r.status.tolist(), r.decided_at.tolist()   # |roots| sqrt(1/2) at h = 0.5, 2.28 at h = 4
(['max_steps', 'diverged'], [200, 84])
>>> bool(abs(r.x[0, 0]) < 1e-9), bool(r.x[1, 0] != r.x[1, 0])   # a diverged x is NaN
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..core.budget import Meter, check_memory
from ..core.compiled import compile_np_coords
from ..core.finite_sums import finite_sum
from ..core.objective import Objective, numeric_objective
from ..core.outcomes import Status
from ..core.scalars import check_count, exact_real, positive_real
from ..errors import InvalidInputError, ShapeError
from ..methods.optimizers import GD, SGD, Method, as_method
from .engine import (
    BACKENDS,
    broadcast_batch,
    check_float_cost,
    mark_divergence,
    resolve_backend,
    run_rows,
)

__all__ = ["Run", "run", "iterate_map", "gd_batch", "method_batch", "seeded", "check_seed"]


@dataclass(frozen=True)
class Run:
    """Float64 runs of a method, one per row of a broadcast batch.

    Attributes
    ----------
    method : str
    x : ndarray (*batch, n)
        The last iterate of each path (NaN for a diverged path).
    state : tuple of ndarray (*batch, n)
        The method's fast state at the end (heavy ball: the velocity), one per variable.
    status : ndarray of str (*batch,)
        The :class:`~gdtheory.core.outcomes.Status` of each path: converged, diverged,
        max_steps.
    decided_at : ndarray of int (*batch,)
        The step at which the status was decided (``steps`` for max_steps).
    h : ndarray (*batch,)
    steps : int
    tail : ndarray (keep, *batch, n)
        The last ``keep`` iterates of x_0, ..., x_steps.
    backend : str
        "numba" or "numpy".

    ``f`` and ``grad_norm`` (at ``x``) are computed when first asked for; ``diverged``
    is ``status == "diverged"``.
    """

    method: str
    x: np.ndarray = field(repr=False)
    state: tuple[np.ndarray, ...] = field(repr=False)
    status: np.ndarray = field(repr=False)
    decided_at: np.ndarray = field(repr=False)
    h: np.ndarray = field(repr=False)
    steps: int
    tail: np.ndarray = field(repr=False)
    backend: str = "numpy"
    objective: Any = field(default=None, repr=False, compare=False)

    @property
    def diverged(self) -> np.ndarray:
        return self.status == Status.DIVERGED.value

    @property
    def v(self) -> np.ndarray:
        """The first fast variable (heavy ball's velocity), NaN for a memoryless method."""
        return self.state[0] if self.state else np.full_like(self.x, np.nan)

    @property
    def history(self) -> np.ndarray:
        """All iterates x_0, ..., x_steps (``keep = steps + 1``)."""
        if self.tail.shape[0] != self.steps + 1:
            raise InvalidInputError("the run kept only its last iterates: pass keep=steps + 1")
        return self.tail

    @cached_property
    def f(self) -> np.ndarray:
        """f at the last iterate (NaN for a diverged path)."""
        if self.objective is None or isinstance(self.objective, list):
            raise InvalidInputError("f is defined for a run on one objective")
        with np.errstate(all="ignore"):
            return self.objective.f_np(self.x)

    @cached_property
    def grad_norm(self) -> np.ndarray:
        """|grad f| at the last iterate."""
        if self.objective is None or isinstance(self.objective, list):
            raise InvalidInputError("grad_norm is defined for a run on one objective")
        with np.errstate(all="ignore"):
            G = self.objective.grad_np(self.x)
            return np.sqrt(np.einsum("...i,...i->...", G, G))

    def count(self, status: Status | str) -> int:
        """Number of paths that ended with ``status``."""
        return int(np.count_nonzero(self.status == Status(status).value))

    def __repr__(self) -> str:
        counts = ", ".join(f"{s.value}={self.count(s)}" for s in Status)
        return (
            f"Run({self.method}, batch={self.status.shape}, steps={self.steps}, {counts}, "
            f"backend={self.backend!r})"
        )


def _check_bound(bound: object) -> float:
    try:
        b = float(exact_real(bound, "bound")) if not isinstance(bound, bool) else -1.0
    except OverflowError:
        b = math.inf
    if not 0 < b < math.inf:
        raise InvalidInputError(f"bound must be a finite positive number, got {bound!r}")
    return b


def run(
    method: Method | str,
    objective: Objective | str | Sequence[Objective | str],
    x0s: Any,
    *,
    hs: Any,
    steps: int,
    keep: int = 1,
    tol: Any = None,
    bound: float = 1e30,
    state0: Any = None,
    seed: Any = 0,
    backend: str = "auto",
    executor: Any = None,
    progress: bool = False,
    chunk: int | None = None,
    cache: Any = None,
) -> Run:
    r"""Run ``method`` in float64 from the starts ``x0s`` (..., n) at the rates ``hs``
    (...), the batch shapes broadcast (module docstring).

    Parameters
    ----------
    method : a :class:`~gdtheory.optimizers.Method` (a user's subclass too) or a name
    objective : the objective (for SGD: the list of the f_i)
    keep : how many of the last iterates x_0..x_steps to keep (``steps + 1``: all)
    tol : stop a path at |grad f| <= tol (converged)
    bound : a path is diverged once a coordinate exceeds it
    state0 : the starting fast state, one array (..., n) per state variable, or for a
        single state variable that array alone; default zero
    seed : SGD's sampling seed
    backend, executor, progress, chunk, cache : of the GD sweep engine

    >>> r = run("gd", "x**2/2", [[1.0]], hs=[0.5, 1.5, 3.0], steps=200, tol=1e-12)
    >>> r.status.tolist(), r.decided_at.tolist()
    (['converged', 'converged', 'diverged'], [40, 40, 100])
    """
    meth = as_method(method)
    steps = check_count(steps, "steps", 0)
    keep = check_count(keep, "keep", 1)
    if keep > steps + 1:
        raise InvalidInputError(f"keep ({keep}) cannot exceed steps + 1 ({steps + 1})")
    b = _check_bound(bound)
    tol_f = None if tol is None else float(positive_real(tol, "tol"))
    objs = (
        [numeric_objective(o) for o in finite_sum(objective)]
        if meth.stochastic
        else [numeric_objective(objective)]
    )
    f = objs[0]
    batch, rows, rates = broadcast_batch(f, x0s, hs)
    N, n = rows.shape
    state = _start_state(meth, f, state0, batch, N, n)
    engine = type(meth) is GD and tol_f is None and steps >= 1
    if not engine and (executor is not None or cache is not None or progress):
        raise InvalidInputError(
            "executor, cache and progress are options of the GD sweep engine (GD without "
            f"tol); {meth.name} runs in this process"
        )
    if engine:
        used = resolve_backend(f, backend, N * steps)
        final, tail, decided = run_rows(
            f,
            rows,
            rates,
            steps,
            keep,
            b,
            executor=executor,
            progress=progress,
            chunk=chunk,
            backend=used,
            cache=cache,
        )
        if keep == steps + 1:
            tail[0] = rows  # the start (the engine keeps x_1..x_steps)
        code = np.where(decided >= 0, 2, 0)
        finals: tuple[np.ndarray, ...] = ()
    else:
        if backend not in BACKENDS:
            raise InvalidInputError(f"backend must be one of {BACKENDS}, got {backend!r}")
        if backend == "numba":
            raise InvalidInputError(
                f"the numba backend runs GD without tol; {meth.name} runs on NumPy"
            )
        used = "numpy"
        final, finals, tail, code, decided = _loop(
            meth, objs, rows, rates, state, steps, keep, tol_f, b, seed
        )
    status = _CODES[code]
    decided_at = np.where(decided >= 0, decided, steps)
    return Run(
        meth.name if not isinstance(meth, SGD) else f"SGD({meth.sampling}, batch {meth.batch})",
        final.reshape(batch + (n,)),
        tuple(s.reshape(batch + (n,)) for s in finals),
        status.reshape(batch),
        decided_at.reshape(batch),
        rates.reshape(batch),
        steps,
        tail.reshape((keep,) + batch + (n,)),
        used,
        objs if meth.stochastic else f,
    )


_CODES = np.array([Status.MAX_STEPS.value, Status.CONVERGED.value, Status.DIVERGED.value])


def _start_state(
    meth: Method, f: Objective, state0: Any, batch: tuple[int, ...], N: int, n: int
) -> list[np.ndarray]:
    """The fast state at the start as (N, n) arrays, one per state variable."""
    if not meth.state:
        if state0 is not None:
            raise InvalidInputError(f"{meth.name} has no state; state0 must be None")
        return []
    if state0 is None:
        return [np.zeros((N, n)) for _ in meth.state]
    given = [state0] if len(meth.state) == 1 else list(state0)
    if len(given) != len(meth.state):
        raise ShapeError(f"state0 must give the state {meth.state} of {meth.name}")
    out = []
    for name, s in zip(meth.state, given, strict=True):
        try:
            out.append(np.broadcast_to(f.batch_np(s, name), batch + (n,)).reshape(N, n).copy())
        except ValueError:
            raise ShapeError(
                f"the starting {name} (state0) must broadcast to the batch shape {batch + (n,)}"
            ) from None
    return out


def _loop(
    meth: Method,
    objs: list[Objective],
    rows: np.ndarray,
    rates: np.ndarray,
    state: list[np.ndarray],
    steps: int,
    keep: int,
    tol: float | None,
    bound: float,
    seed: Any,
) -> tuple[np.ndarray, tuple[np.ndarray, ...], np.ndarray, np.ndarray, np.ndarray]:
    """The update formula on coordinate arrays: (final, final state, tail, code, decided)."""
    N, n = rows.shape
    check_float_cost(f"{meth.name} on the batch", steps * len(objs), N, "numpy")
    check_memory(f"{meth.name} on the batch", float(N) * n * (4 + len(objs) + keep))
    grads = (
        compile_np_coords([g for o in objs for g in o.grad], objs[0].symbols)
        if len(objs) > 1
        else objs[0].grad_coords
    )
    x = [rows[:, i].copy() for i in range(n)]
    s = tuple([v[:, i].copy() for i in range(n)] for v in state)
    tail = np.empty((keep, N, n))
    first_kept = steps - keep + 1
    if first_kept <= 0:
        tail[-first_kept] = rows
    decided = np.full(N, -1, dtype=np.int64)
    code = np.zeros(N, dtype=np.int64)
    sampler = _Sampler(meth, len(objs), N, seed) if meth.stochastic else None

    seen: list[Any] = [None, None]  # the gradient at the current x, when tol computed it

    def grad(y: Sequence[np.ndarray]) -> list[np.ndarray]:
        if y is seen[0]:
            return seen[1]
        g = list(grads(*y))
        if len(objs) == 1:
            return g
        m = len(objs)  # the mean of the per-example gradients: grad f of f = mean f_i
        return [sum(g[i * n + j] for i in range(m)) / m for j in range(n)]

    meter = Meter(f"{meth.name} on the batch", steps, "steps")
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            meter.tick(k - 1)
            if tol is not None:  # |grad f(x_{k-1})| <= tol: converged there, frozen
                G = grad(x)
                seen[:] = [x, G]
                done = (np.sqrt(sum(g * g for g in G)) <= tol) & (code == 0)
                code[done], decided[done] = 1, k - 1
            s1: tuple[list[Any], ...] = ()
            if sampler is not None:
                x1 = sampler.step(grads, x, rates, k - 1)
            else:
                x1, s1 = meth.check_output(meth.update(grad, x, s, rates), n)
            frozen = code == 1
            if frozen.any():
                x1 = [np.where(frozen, a, b) for a, b in zip(x, x1, strict=True)]
                s1 = tuple(
                    [np.where(frozen, a, b) for a, b in zip(s0, s2, strict=True)]
                    for s0, s2 in zip(s, s1, strict=True)
                )
            x, s = x1, s1
            left = mark_divergence(x, bound, decided, k)
            if left is not None:
                code[left] = 2
            if k >= first_kept:
                tail[k - first_kept] = np.stack(x, axis=1)
    if tol is not None:  # the last iterate may have converged too
        G = grad(x)
        done = (np.sqrt(sum(g * g for g in G)) <= tol) & (code == 0)
        code[done], decided[done] = 1, steps
    final = np.stack(x, axis=1) if x else rows.copy()
    finals = tuple(np.stack(v, axis=1) for v in s)
    for v in finals:
        v[code == 2] = np.nan
    return final, finals, tail, code, decided


class _Sampler:
    """SGD's minibatches: per path and step, ``batch`` indices drawn by the scheme
    (with replacement; a fresh permutation each epoch; the cyclic order), each path with
    its own index stream from ``seed``."""

    def __init__(self, meth: Method, m: int, N: int, seed: Any) -> None:
        assert isinstance(meth, SGD)
        self.meth, self.m, self.N = meth, m, N
        self.rng = seeded(seed)
        b = meth.batch
        if meth.sampling != "replacement" and m % b:
            raise InvalidInputError(f"batch {b} must divide m = {m} for {meth.sampling} sampling")
        self.cols = np.arange(N)
        self.order = np.broadcast_to(np.arange(m), (N, m))
        self.per_epoch = m // b

    def step(self, grads: Any, x: list[np.ndarray], rates: np.ndarray, k: int) -> list[np.ndarray]:
        meth, m, n, b = self.meth, self.m, len(x), self.meth.batch
        G = np.stack(grads(*x)).reshape(m, n, self.N)
        if meth.sampling == "replacement":
            idx = self.rng.integers(m, size=(b, self.N))
        else:
            j = k % self.per_epoch
            if j == 0 and meth.sampling == "reshuffle":
                self.order = self.rng.permuted(np.broadcast_to(np.arange(m), (self.N, m)), axis=1)
            idx = self.order[:, j * b : (j + 1) * b].T
        sampled: list[Any] = [G[i, :, self.cols].T for i in idx]
        return meth.minibatch(x, sampled, rates)


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


# ------------------------------------------------ the old names, the same runner
def iterate_map(
    objective: Objective | str,
    x0s: Any,
    *,
    hs: Any,
    steps: int,
    keep: int = 1,
    bound: float = 1e30,
    executor: Any = None,
    progress: bool = False,
    chunk: int | None = None,
    backend: str = "auto",
    cache: Any = None,
) -> Run:
    r""":func:`run` of GD on the sweep engine, keeping the last ``keep`` iterates.

    >>> from gdtheory.objectives import logistic_conjugate
    >>> r = iterate_map(logistic_conjugate(), [[0.5], [2.0]], hs=1.0, steps=3, keep=3)
    >>> r.tail[:, 0, 0].tolist(), r.diverged.tolist()
    ([-0.5, -0.5, -0.5], [False, False])
    """
    steps = check_count(steps, "steps", 1)
    return run(
        GD(),
        objective,
        x0s,
        hs=hs,
        steps=steps,
        keep=keep,
        bound=bound,
        executor=executor,
        progress=progress,
        chunk=chunk,
        backend=backend,
        cache=cache,
    )


def gd_batch(
    objective: Objective | str,
    x0s: Any,
    *,
    hs: Any,
    steps: int,
    tol: Any = None,
    bound: float = 1e30,
    record: bool = False,
) -> Run:
    r""":func:`run` of GD with a tolerance; ``record=True`` keeps every iterate
    (``Run.history``).

    >>> from gdtheory.objectives import quadratic
    >>> r = gd_batch(quadratic([1]), [[1.0]], hs=[0.5, 1.5, 3.0], steps=200, tol=1e-12)
    >>> r.status.tolist(), r.decided_at.tolist()
    (['converged', 'converged', 'diverged'], [40, 40, 100])
    """
    steps = check_count(steps, "steps", 0)
    keep = steps + 1 if record else 1
    return run(
        GD(), objective, x0s, hs=hs, steps=steps, tol=tol, bound=bound, keep=keep, backend="numpy"
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
) -> Run:
    r""":func:`run` of any method, ``v0s`` the starting velocity of a momentum method.

    >>> from gdtheory.optimizers import HeavyBall
    >>> r = method_batch(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=[0.5], steps=80)
    >>> bool(abs(r.x[0, 0]) < 1e-9)      # roots of r^2 - r + 1/2: |r| = sqrt(beta) = 0.71
    True
    """
    steps = check_count(steps, "steps", 1)
    return run(method, objective, x0s, hs=hs, steps=steps, state0=v0s, bound=bound, seed=seed)
