r"""Float64 sweeps of the GD map Phi_h(x) = x - h grad f(x): many starts, many h, long runs.

The engine of :func:`gdtheory.run` for GD (:func:`run_rows`) has two backends.
``"numpy"`` iterates in coordinate-major layout (one array per coordinate, see
:meth:`Objective.grad_coords`), vectorised over every (start, h) pair: about 2e8 map
iterations per second on one core on the 2-D factorisation objective. ``"numba"`` runs a
kernel compiled from the gradient's expression tree
(:mod:`gdtheory.dynamics.numba_kernel`), vectorised across starts: about ten times
faster again, and bit-identical to NumPy on polynomial gradients of low degree; it costs
about a second to compile, so ``"auto"`` uses it for large sweeps only (see
:func:`resolve_backend`). ``tests/benchmarks/test_bench_sweeps.py`` measures both
against plain Python loops. A diverged run becomes NaN and is flagged, at no cost to the
others.

Long sweeps split their batch into chunks, show a progress bar (tqdm) with
``progress=True``, keep finished chunks on disk with ``cache=DIR`` (resumable after
Ctrl-C, :mod:`gdtheory.core.cache`), and accept ``executor=``: any
:class:`concurrent.futures.Executor` (a ``ProcessPoolExecutor``) or a
``dask.distributed.Client`` (local or connected to a remote scheduler; its
``get_executor()`` is used) runs the chunks.  The result does not depend on the executor
or the chunking: every chunk is the same deterministic float64 computation.

On top of the engine, :mod:`gdtheory.dynamics.diagrams` draws orbit (bifurcation)
diagrams and basins of attraction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from ..core.budget import RATE_FLOAT_ITERATIONS, check_cost, check_memory, pilot
from ..core.cache import as_cache
from ..core.gdmap import FLOAT64, gd_step
from ..core.objective import Objective
from ..core.parallel import as_executor, map_pieces, submit
from ..core.progress import progress_bar
from ..core.scalars import learning_rates
from ..errors import InvalidInputError, ShapeError

__all__ = [
    "BACKENDS",
    "resolve_backend",
    "outside_bound",
    "mark_divergence",
    "broadcast_batch",
    "run_rows",
    "map_pieces",
    "as_executor",
    "submit",
]

#: Rows per chunk when a sweep is split (for an executor or a progress bar).
CHUNK_ROWS = 8192


#: Backends of the float64 engine (see :func:`resolve_backend`).
BACKENDS = ("auto", "numpy", "numba")

#: With ``backend="auto"``, numba is used for a sweep of at least this many map
#: iterations (rows x steps), where its ~1 s compilation pays; once a kernel is compiled
#: for an objective it is used for every sweep of that objective.
AUTO_NUMBA_WORK = 20_000_000

_COMPILED: set[tuple[Any, ...]] = set()
_FAILED: dict[tuple[Any, ...], str] = {}


def _kernel_key(objective: Objective) -> tuple[Any, ...]:
    return (tuple(objective.grad), objective.symbols)


def _numba_kernel(objective: Objective) -> Any:
    """The compiled numba kernel of ``objective`` (compiled now if needed), or an error."""
    from . import numba_kernel as _numba

    key = _kernel_key(objective)
    if key in _FAILED:
        raise InvalidInputError(_FAILED[key])
    try:
        kernel = _numba.map_kernel(*key)
        if key not in _COMPILED:  # compile for the C-contiguous arrays run_chunk passes
            n = objective.dim
            kernel(
                np.zeros((1, n)),
                np.ones(1),
                1,
                1,
                1.0,
                np.empty((1, n)),
                np.empty((1, 1, n)),
                np.full(1, -1, dtype=np.int64),
            )
            _COMPILED.add(key)
    except Exception as exc:  # ImportError, a function with no math twin, a typing error
        _FAILED[key] = (
            f"the numba backend cannot compile the GD map of {objective.name}: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        )
        raise InvalidInputError(_FAILED[key]) from None
    return kernel


def resolve_backend(objective: Objective, backend: str, work: int) -> str:
    """The concrete backend ("numpy" or "numba") for ``work`` map iterations.

    ``"auto"`` picks numba when it is importable, can compile this objective, and either
    the sweep is large (``work >= AUTO_NUMBA_WORK``) or the kernel is already compiled;
    otherwise NumPy.  ``"numba"`` raises InvalidInputError when it cannot be used.
    """
    if backend not in BACKENDS:
        raise InvalidInputError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "numpy":
        return "numpy"
    if backend == "numba":
        _numba_kernel(objective)
        return "numba"
    key = _kernel_key(objective)
    if key in _FAILED or (key not in _COMPILED and work < AUTO_NUMBA_WORK):
        return "numpy"
    try:
        _numba_kernel(objective)
    except InvalidInputError:
        return "numpy"
    return "numba"


#: NumPy backend: seconds of overhead per step whatever the batch (measured ~3e-5 for a
#: 1-D objective on the CI machine; 1e-5 keeps the estimate optimistic) and seconds per
#: map iteration of a large batch (measured ~2e-8; 1e-8).
NUMPY_STEP_SECONDS = 1e-5
NUMPY_ITERATION_SECONDS = 1e-8


#: Rows of the pilot run that times a sweep (the cost per step is linear in the rows).
PILOT_ROWS = 4096


def optimistic_seconds(steps: int, N: int, backend: str) -> float:
    """The sweep's time at the optimistic rates of :func:`check_float_cost` (a lower
    bound: below 10 ms even a 100-fold slower objective stays harmless, so no pilot)."""
    if backend == "numba":
        return float(steps) * max(N, 1000) / RATE_FLOAT_ITERATIONS
    return float(steps) * (NUMPY_STEP_SECONDS + N * NUMPY_ITERATION_SECONDS)


def check_float_cost(desc: str, steps: int, N: int, backend: str) -> None:
    """Refuse a float64 sweep of ``steps`` steps on ``N`` rows whose estimated time on the
    backend that will really run it exceeds the budget.  numba: ~1e9 map iterations/s,
    at least ~1000 iterations' worth per step; NumPy: :data:`NUMPY_STEP_SECONDS` per step
    plus :data:`NUMPY_ITERATION_SECONDS` per iteration."""
    if backend == "numba":
        check_cost(desc, float(steps) * max(N, 1000), RATE_FLOAT_ITERATIONS, "map iterations")
    else:
        seconds = float(steps) * (NUMPY_STEP_SECONDS + N * NUMPY_ITERATION_SECONDS)
        check_cost(f"{desc} (NumPy backend)", seconds, 1.0, "estimated seconds")


def run_chunk(
    objective: Objective,
    X0: np.ndarray,
    H: np.ndarray,
    steps: int,
    keep: int,
    bound: float,
    backend: str = "numpy",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Iterate rows ``X0`` (N, n) with rates ``H`` (N,); the engine of every GD sweep.

    Returns (final (N, n), tail (keep, N, n), decided (N,)): ``decided`` is the step at
    which a run diverged, -1 for one that did not.  A run is diverged once a coordinate
    is not finite or exceeds ``bound`` (:func:`outside_bound`, checked after every step);
    its row is NaN from then on.  The numba kernel
    (:mod:`gdtheory.dynamics.numba_kernel`, ``backend="numba"``) applies the same rule.
    """
    N, n = X0.shape
    decided = np.full(N, -1, dtype=np.int64)
    if backend == "numba":
        kernel = _numba_kernel(objective)
        final = np.empty((N, n))
        tail = np.empty((keep, N, n))
        kernel(
            np.ascontiguousarray(X0),
            np.ascontiguousarray(H),
            steps,
            keep,
            bound,
            final,
            tail,
            decided,
        )
        return final, tail, decided
    coords = [X0[:, i].copy() for i in range(n)]
    tail = np.empty((keep, N, n))
    first_kept = steps - keep + 1
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            coords = gd_step(objective, coords, H, FLOAT64)
            mark_divergence(coords, bound, decided, k)
            if k >= first_kept:
                tail[k - first_kept] = np.stack(coords, axis=1)
    final = np.stack(coords, axis=1) if coords else X0.copy()
    return final, tail, decided


def _inside(coords: Sequence[np.ndarray], bound: float) -> np.ndarray:
    """max_i |c_i| <= bound per row (False for a NaN: maximum propagates it)."""
    m = np.abs(coords[0])
    if len(coords) > 1:
        tmp = np.empty_like(m)
        for c in coords[1:]:
            np.maximum(m, np.abs(c, out=tmp), out=m)
    return m <= bound


def outside_bound(coords: Sequence[np.ndarray], bound: float) -> np.ndarray:
    """Rows with a coordinate that is not finite or exceeds ``bound`` in absolute value:
    the one divergence test of every float64 runner."""
    return ~_inside(coords, bound)


def mark_divergence(
    coords: Sequence[np.ndarray], bound: float, decided: np.ndarray, k: int
) -> np.ndarray | None:
    """Apply the divergence rule after step ``k``: rows :func:`outside_bound` become NaN
    and, the first time, get ``decided = k``; returns the rows that left at this step
    (None when every row is inside)."""
    inside = _inside(coords, bound)
    if inside.all():
        return None
    bad = ~inside
    new = bad & (decided < 0)
    decided[new] = k
    for c in coords:
        c[bad] = np.nan
    return new


def _chunk_bounds(N: int, chunk: int | None, split: bool) -> list[tuple[int, int]]:
    size = N if not split and chunk is None else (chunk or CHUNK_ROWS)
    size = max(1, size)
    return [(a, min(N, a + size)) for a in range(0, N, size)]


def run_rows(
    objective: Objective,
    X0: np.ndarray,
    H: np.ndarray,
    steps: int,
    keep: int,
    bound: float,
    *,
    executor: Executor | None = None,
    progress: bool = False,
    chunk: int | None = None,
    desc: str = "GD sweep",
    backend: str = "auto",
    cache: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`run_chunk` over flat rows, split into chunks for an executor / progress bar:
    (final, tail, decided), ``decided`` the step of divergence (-1: none).

    ``backend`` is resolved once for the whole sweep (:func:`resolve_backend`).  With
    ``cache`` (a directory or :class:`gdtheory.core.cache.Cache`) every finished chunk is
    stored on disk, keyed by its inputs and the code version, and found again on the next
    call: an interrupted sweep resumes where it stopped.
    """
    executor = as_executor(executor)
    N, n = X0.shape
    check_memory(desc, keep * N * n)
    backend = resolve_backend(objective, backend, N * steps)
    check_float_cost(desc, steps, N, backend)
    if optimistic_seconds(steps, N, backend) > 0.01:  # time the sweep itself, not a rate
        p = min(N, PILOT_ROWS)
        pilot(
            desc,
            lambda k: run_chunk(objective, X0[:p], H[:p], k, min(keep, k), bound, backend),
            steps,
            "steps",
            times=N / p,
        )
    store = as_cache(cache)
    bounds = _chunk_bounds(N, chunk, executor is not None or progress or store is not None)
    final = np.empty((N, n))
    tail = np.empty((keep, N, n))
    decided = np.empty(N, dtype=np.int64)

    def key(a: int, b: int) -> str:
        assert store is not None
        inputs = (str(objective.expr), [str(s) for s in objective.symbols], X0[a:b], H[a:b])
        return store.key("sweep-decided", *inputs, steps, keep, bound, backend)

    def put(a: int, b: int, res: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        final[a:b], tail[:, a:b], decided[a:b] = res
        if store is not None:
            store.store_arrays(key(a, b), final=res[0], tail=res[1], decided=res[2])

    todo = []
    for a, b in bounds:
        shapes = {"final": (b - a, n), "tail": (keep, b - a, n), "decided": (b - a,)}
        got = store.load_arrays(key(a, b), shapes) if store is not None else None
        if got is not None:
            final[a:b], tail[:, a:b], decided[a:b] = got["final"], got["tail"], got["decided"]
        else:
            todo.append((a, b))
    with progress_bar(
        progress,
        total=N,
        initial=N - sum(b - a for a, b in todo),
        desc=desc,
        unit="run",
    ) as bar:
        if executor is None:
            for a, b in todo:
                put(a, b, run_chunk(objective, X0[a:b], H[a:b], steps, keep, bound, backend))
                bar.update(b - a)
        else:
            futures = {
                submit(
                    executor, run_chunk, objective, X0[a:b], H[a:b], steps, keep, bound, backend
                ): (a, b)
                for a, b in todo
            }
            from concurrent.futures import as_completed

            for fut in as_completed(futures):
                a, b = futures[fut]
                put(a, b, fut.result())
                bar.update(b - a)
    return final, tail, decided


def broadcast_batch(
    objective: Objective, x0s: Any, hs: Any
) -> tuple[tuple[int, ...], np.ndarray, np.ndarray]:
    """Validate starts (..., n) and rates (...), broadcast them: (batch shape, rows, rates)."""
    X0 = objective.batch_np(x0s)
    H = learning_rates(hs)
    try:
        batch = np.broadcast_shapes(X0.shape[:-1], H.shape)
    except ValueError:
        raise ShapeError(
            f"the batch shapes of x0s {X0.shape[:-1]} and hs {H.shape} do not broadcast"
        ) from None
    N = math.prod(batch)
    n = objective.dim
    check_memory("broadcasting the starts against the learning rates", float(N) * (n + 1))
    rows = np.broadcast_to(X0, batch + (n,)).reshape(N, n).copy()
    rates = np.broadcast_to(H, batch).reshape(N).copy()
    return batch, rows, rates
