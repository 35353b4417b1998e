r"""Float64 sweeps of the GD map Phi_h(x) = x - h grad f(x): many starts, many h, long runs.

The engine (:func:`iterate_map`) has two backends.  ``"numpy"`` iterates in
coordinate-major layout (one array per coordinate, see :meth:`Objective.grad_coords`),
vectorised over every (start, h) pair: about 2e8 map iterations per second on one core on
the 2-D factorisation objective.  ``"numba"`` runs a kernel compiled from the gradient's
expression tree (:mod:`gdtheory.dynamics.numba_kernel`), vectorised across starts: about ten times
faster again, and bit-identical to NumPy on polynomial gradients of low degree; it costs
about a second to compile, so ``"auto"`` uses it for large sweeps only (see
:func:`resolve_backend`).  ``tests/benchmarks/test_bench_sweeps.py`` measures both
against plain Python loops.  A diverged run becomes NaN and is flagged, at no cost to the
others.

Long sweeps split their batch into chunks, show a progress bar (tqdm) with
``progress=True``, keep finished chunks on disk with ``cache=DIR`` (resumable after
Ctrl-C, :mod:`gdtheory.core.cache`), and accept ``executor=``: any
:class:`concurrent.futures.Executor` (a ``ProcessPoolExecutor``, or
``dask.distributed.Client.get_executor()``) runs the chunks.  The result does not depend
on the executor or the chunking.

On top of the engine: orbit (bifurcation) diagrams (:func:`orbit_diagram`), basins of
attraction over a 2-D grid (:func:`basins`), and minimal-period detection
(:func:`detect_periods`).

References
----------
Strogatz, *Nonlinear Dynamics and Chaos* (2015), ch. 10 (orbit diagrams);
Nusse and Yorke, *Dynamics: Numerical Explorations* (1998) (basins of attraction).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.budget import RATE_FLOAT_ITERATIONS, check_cost, check_memory
from ..core.cache import as_cache
from ..core.gdmap import FLOAT64, gd_step
from ..core.objective import Objective
from ..core.scalars import float_box
from ..errors import InvalidInputError, ShapeError

__all__ = [
    "BACKENDS",
    "resolve_backend",
    "MapRun",
    "iterate_map",
    "detect_periods",
    "OrbitDiagram",
    "orbit_diagram",
    "Attractor",
    "BasinMap",
    "basins",
]

#: Rows per chunk when a sweep is split (for an executor or a progress bar).
CHUNK_ROWS = 8192


def check_count(value: object, name: str, minimum: int = 0) -> int:
    """A non-negative (or >= minimum) integer, else InvalidInputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InvalidInputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def learning_rates(hs: Any, name: str = "hs") -> np.ndarray:
    """Validate an array of learning rates: finite and > 0 (float64)."""
    try:
        H = np.asarray(hs, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(f"{name} must be an array of positive numbers") from None
    if H.size == 0 or not np.all(np.isfinite(H)) or np.any(H <= 0):
        raise InvalidInputError(f"every learning rate in {name} must be finite and > 0")
    return H


def _check_objective(objective: object) -> Objective:
    if not isinstance(objective, Objective):
        raise InvalidInputError(f"objective must be an Objective, got {type(objective).__name__}")
    return objective


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
            kernel(np.zeros((1, n)), np.ones(1), 1, 1, 1.0, np.empty((1, n)), np.empty((1, 1, n)))
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


def run_chunk(
    objective: Objective,
    X0: np.ndarray,
    H: np.ndarray,
    steps: int,
    keep: int,
    bound: float,
    backend: str = "numpy",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Iterate rows ``X0`` (N, n) with rates ``H`` (N,); the engine of every sweep.

    Returns (final (N, n), tail (keep, N, n), diverged (N,)).  A run is diverged once a
    coordinate is not finite or exceeds ``bound``; its row is NaN from then on.  The
    NumPy engine checks the bound every 16 steps and at every kept step; the numba
    kernel (:mod:`gdtheory.dynamics.numba_kernel`, ``backend="numba"``) at every step.
    """
    if backend == "numba":
        kernel = _numba_kernel(objective)
        N, n = X0.shape
        final = np.empty((N, n))
        tail = np.empty((keep, N, n))
        kernel(np.ascontiguousarray(X0), np.ascontiguousarray(H), steps, keep, bound, final, tail)
        return final, tail, ~np.all(np.isfinite(final), axis=1)
    coords = [X0[:, i].copy() for i in range(X0.shape[1])]
    tail = np.empty((keep, X0.shape[0], X0.shape[1]))
    first_kept = steps - keep + 1
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            coords = gd_step(objective, coords, H, FLOAT64)
            if k % 16 == 0 or k >= first_kept:
                bad = np.zeros(X0.shape[0], dtype=bool)
                for c in coords:
                    bad |= ~(np.abs(c) <= bound)
                if bad.any():
                    for c in coords:
                        c[bad] = np.nan
            if k >= first_kept:
                tail[k - first_kept] = np.stack(coords, axis=1)
    final = np.stack(coords, axis=1) if coords else X0.copy()
    diverged = ~np.all(np.isfinite(final), axis=1)
    return final, tail, diverged


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
    """:func:`run_chunk` over flat rows, split into chunks for an executor / progress bar.

    ``backend`` is resolved once for the whole sweep (:func:`resolve_backend`).  With
    ``cache`` (a directory or :class:`gdtheory.core.cache.Cache`) every finished chunk is
    stored on disk, keyed by its inputs and the code version, and found again on the next
    call: an interrupted sweep resumes where it stopped.
    """
    from tqdm import tqdm  # the text bar: tqdm.auto warns in notebooks without ipywidgets

    N, n = X0.shape
    # a step costs at least ~1000 iterations' worth of overhead, whatever the batch size
    check_memory(desc, keep * N * n)
    check_cost(desc, steps * max(N, 1000), RATE_FLOAT_ITERATIONS, "map iterations")
    backend = resolve_backend(objective, backend, N * steps)
    store = as_cache(cache)
    bounds = _chunk_bounds(N, chunk, executor is not None or progress or store is not None)
    final = np.empty((N, n))
    tail = np.empty((keep, N, n))
    diverged = np.empty(N, dtype=bool)

    def key(a: int, b: int) -> str:
        assert store is not None
        inputs = (str(objective.expr), [str(s) for s in objective.symbols], X0[a:b], H[a:b])
        return store.key("sweep", *inputs, steps, keep, bound, backend)

    def put(a: int, b: int, res: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        final[a:b], tail[:, a:b], diverged[a:b] = res
        if store is not None:
            store.store_arrays(key(a, b), final=res[0], tail=res[1], diverged=res[2])

    todo = []
    for a, b in bounds:
        got = store.load_arrays(key(a, b)) if store is not None else None
        if got is not None and got["tail"].shape == (keep, b - a, n):
            final[a:b], tail[:, a:b], diverged[a:b] = got["final"], got["tail"], got["diverged"]
        else:
            todo.append((a, b))
    with tqdm(
        total=N,
        initial=N - sum(b - a for a, b in todo),
        disable=not progress,
        desc=desc,
        unit="run",
    ) as bar:
        if executor is None:
            for a, b in todo:
                put(a, b, run_chunk(objective, X0[a:b], H[a:b], steps, keep, bound, backend))
                bar.update(b - a)
        else:
            futures = {
                executor.submit(
                    run_chunk, objective, X0[a:b], H[a:b], steps, keep, bound, backend
                ): (a, b)
                for a, b in todo
            }
            from concurrent.futures import as_completed

            for fut in as_completed(futures):
                a, b = futures[fut]
                put(a, b, fut.result())
                bar.update(b - a)
    return final, tail, diverged


@dataclass(frozen=True)
class MapRun:
    """Float64 runs of the GD map over a broadcast batch of starts and learning rates.

    Attributes
    ----------
    x : ndarray (*batch, n)
        The last iterate x_steps (NaN for a diverged run).
    tail : ndarray (keep, *batch, n)
        The last ``keep`` iterates x_{steps-keep+1}, ..., x_steps.
    diverged : ndarray of bool (*batch,)
    h : ndarray (*batch,)
    steps : int
    backend : str
        The engine that ran: "numpy" or "numba".
    """

    x: np.ndarray = field(repr=False)
    tail: np.ndarray = field(repr=False)
    diverged: np.ndarray = field(repr=False)
    h: np.ndarray = field(repr=False)
    steps: int
    backend: str = "numpy"

    def __repr__(self) -> str:
        return (
            f"MapRun(batch={self.diverged.shape}, steps={self.steps}, "
            f"diverged={int(self.diverged.sum())}, backend={self.backend!r})"
        )


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
    rows = np.broadcast_to(X0, batch + (n,)).reshape(N, n).copy()
    rates = np.broadcast_to(H, batch).reshape(N).copy()
    return batch, rows, rates


def iterate_map(
    objective: Objective,
    x0s: Any,
    hs: Any,
    steps: int,
    *,
    keep: int = 1,
    bound: float = 1e30,
    executor: Executor | None = None,
    progress: bool = False,
    chunk: int | None = None,
    backend: str = "auto",
    cache: Any = None,
) -> MapRun:
    r"""Iterate x_{k+1} = x_k - h grad f(x_k) in float64 over a batch; keep the last iterates.

    ``x0s`` has shape ``(..., n)`` and ``hs`` shape ``(...)``; the batch shapes broadcast
    (the outer product of m starts and k rates: ``x0s[:, None, :]``, ``hs[None, :]``).
    ``backend`` is "numpy", "numba" (a compiled kernel, :mod:`gdtheory.dynamics.numba_kernel`) or
    "auto" (numba for large sweeps, see :func:`resolve_backend`); ``MapRun.backend``
    records the one that ran.

    Examples
    --------
    On the logistic-conjugate cubic the GD map is 2x^2 - 1:

    >>> from gdtheory.objectives import logistic_conjugate
    >>> r = iterate_map(logistic_conjugate(), [[0.5], [2.0]], 1.0, 3, keep=3)
    >>> r.tail[:, 0, 0].tolist(), r.diverged.tolist()
    ([-0.5, -0.5, -0.5], [False, False])
    """
    obj = _check_objective(objective)
    steps = check_count(steps, "steps", 1)
    keep = check_count(keep, "keep", 1)
    if keep > steps:
        raise InvalidInputError(f"keep ({keep}) cannot exceed steps ({steps})")
    try:
        b = float(bound) if isinstance(bound, int | float) and not isinstance(bound, bool) else -1.0
    except OverflowError:
        b = math.inf
    if not 0 < b < math.inf:
        raise InvalidInputError(f"bound must be a finite positive number, got {bound!r}")
    batch, rows, rates = broadcast_batch(obj, x0s, hs)
    backend = resolve_backend(obj, backend, rows.shape[0] * steps)
    final, tail, diverged = run_rows(
        obj,
        rows,
        rates,
        steps,
        keep,
        b,
        executor=executor,
        progress=progress,
        chunk=chunk,
        backend=backend,
        cache=cache,
    )
    n = obj.dim
    return MapRun(
        x=final.reshape(batch + (n,)),
        tail=tail.reshape((keep,) + batch + (n,)),
        diverged=diverged.reshape(batch),
        h=rates.reshape(batch),
        steps=steps,
        backend=backend,
    )


def detect_periods(tail: np.ndarray, max_period: int, tol: float = 1e-7) -> np.ndarray:
    r"""Minimal period of each run from its last iterates; ``tail`` has shape (K, *batch, n).

    A run has period p when |x_{K-1-j} - x_{K-1-j-p}| <= tol (1 + |x|) for all
    j = 0..p-1 (one whole cycle must repeat, so a chaotic orbit's close return is not
    mistaken for a cycle).  Returns ints: p >= 1, -1 (no period <= max_period), 0
    (diverged: NaN in the tail).  Needs K >= 2 max_period.

    >>> t = np.array([[1.0], [2.0], [1.0], [2.0]])[:, None, :]
    >>> detect_periods(t, 2).tolist()
    [2]
    """
    K = tail.shape[0]
    if K < 2 * max_period:
        raise InvalidInputError(f"detect_periods needs >= {2 * max_period} iterates, got {K}")
    batch = tail.shape[1:-1]
    out = np.full(batch, -1, dtype=np.int64)
    finite = np.all(np.isfinite(tail), axis=(0, -1))
    scale = 1.0 + np.abs(tail[-1])
    for p in range(1, max_period + 1):
        same = np.ones(batch, dtype=bool)
        for j in range(p):
            a, b = tail[K - 1 - j], tail[K - 1 - j - p]
            same &= np.all(np.abs(a - b) <= tol * scale, axis=-1)
        out[(out == -1) & same] = p
    out[~finite] = 0
    return out


@dataclass(frozen=True)
class OrbitDiagram:
    r"""An orbit (bifurcation) diagram: the long-run iterates of GD against h.

    Attributes
    ----------
    hs : ndarray (m,)
    x0s : ndarray (s, n)
        The starts used at every h.
    points : ndarray (m, s, keep, n)
        The last ``keep`` iterates after ``transient`` steps (NaN where diverged).
    diverged : ndarray of bool (m, s)
    periods : ndarray of int (m, s)
        Minimal period (see :func:`detect_periods`): p, -1 none <= max_period, 0 diverged.
    transient : int
    """

    hs: np.ndarray = field(repr=False)
    x0s: np.ndarray = field(repr=False)
    points: np.ndarray = field(repr=False)
    diverged: np.ndarray = field(repr=False)
    periods: np.ndarray = field(repr=False)
    transient: int

    def plot(self, ax: Any = None, component: int = 0, **kwargs: Any) -> Any:
        """Scatter the kept iterates' ``component`` against h; returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 5))
        m, s, keep, _ = self.points.shape
        H = np.broadcast_to(self.hs[:, None, None], (m, s, keep))
        opts = {"s": 0.2, "c": "k", "alpha": 0.5, "linewidths": 0}
        opts.update(kwargs)
        ax.scatter(H.ravel(), self.points[..., component].ravel(), **opts)
        ax.set_xlabel("learning rate h")
        ax.set_ylabel(f"long-run iterates, coordinate {component}")
        return ax

    def __repr__(self) -> str:
        m, s, keep, n = self.points.shape
        return (
            f"OrbitDiagram(h in [{self.hs.min():g}, {self.hs.max():g}] ({m} values), "
            f"{s} starts, keep={keep}, diverged={int(self.diverged.sum())})"
        )


def orbit_diagram(
    objective: Objective,
    hs: Any,
    x0s: Any,
    *,
    transient: int = 2000,
    keep: int = 100,
    max_period: int = 32,
    tol: float = 1e-7,
    executor: Executor | None = None,
    progress: bool = False,
    backend: str = "auto",
    cache: Any = None,
) -> OrbitDiagram:
    r"""Long-run iterates of GD for every h in ``hs`` from every start in ``x0s``.

    Runs ``transient + keep`` steps per (h, start) pair, vectorised, and keeps the last
    ``keep`` iterates (an attractor sample), with each run's minimal period.

    Examples
    --------
    The cubic double well x^4/4 - x^2/2 (f'' = 2 at the minima) doubles its period at
    h = 1:

    >>> from gdtheory.objectives import double_well
    >>> d = orbit_diagram(double_well(), [0.9, 1.1], [[0.5]], transient=500, keep=64)
    >>> d.periods.tolist()
    [[1], [2]]
    """
    obj = _check_objective(objective)
    H = learning_rates(hs).ravel()
    X0 = obj.batch_np(x0s).reshape(-1, obj.dim)
    transient = check_count(transient, "transient", 0)
    keep = check_count(keep, "keep", 2 * check_count(max_period, "max_period", 1))
    run = iterate_map(
        obj,
        X0[None, :, :],
        H[:, None],
        transient + keep,
        keep=keep,
        executor=executor,
        progress=progress,
        backend=backend,
        cache=cache,
    )
    pts = np.moveaxis(run.tail, 0, 2)  # (m, s, keep, n)
    return OrbitDiagram(
        hs=H,
        x0s=X0,
        points=pts,
        diverged=run.diverged,
        periods=detect_periods(run.tail, max_period, tol),
        transient=transient,
    )


@dataclass(frozen=True)
class Attractor:
    """One class of long-run behaviour in a basin map.

    ``kind`` is ``"diverged"``, ``"fixed point"``, ``"fixed points (continuum)"``,
    ``"periodic"`` or ``"non-periodic"`` (chaotic, quasi-periodic, or period >
    max_period); ``point`` is a representative point of the cycle (None for diverged /
    merged classes); ``count`` the number of starts that went there.
    """

    label: int
    kind: str
    period: int
    point: tuple[float, ...] | None
    count: int


@dataclass(frozen=True)
class BasinMap:
    """Basins of attraction of the GD map over a 2-D grid of starts.

    Attributes
    ----------
    labels : ndarray of int (ny, nx)
        ``labels[i, j]`` is the attractor label of the start (xs[j], ys[i]).
    xs, ys : ndarray
        Grid axes (coordinates ``dims`` of the start; the others from ``base_point``).
    attractors : tuple of Attractor
    h : float
    periods : ndarray of int (ny, nx)
    """

    labels: np.ndarray = field(repr=False)
    xs: np.ndarray = field(repr=False)
    ys: np.ndarray = field(repr=False)
    attractors: tuple[Attractor, ...]
    h: float
    dims: tuple[int, int]
    periods: np.ndarray = field(repr=False)

    def fraction(self, kind: str) -> float:
        """Fraction of starts whose attractor is of ``kind``."""
        total = sum(a.count for a in self.attractors if a.kind == kind)
        return total / self.labels.size

    def plot(self, ax: Any = None) -> Any:
        """Colour the grid by attractor; returns the axes."""
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 5))
        palette = plt.get_cmap("tab10")(np.arange(10))
        cmap = ListedColormap(palette[: max(1, len(self.attractors))])
        ax.pcolormesh(
            self.xs,
            self.ys,
            self.labels,
            cmap=cmap,
            shading="nearest",
            vmin=-0.5,
            vmax=len(self.attractors) - 0.5,
        )
        handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(a.label)) for a in self.attractors]
        names = [
            f"{a.kind}" + (f" (period {a.period})" if a.kind == "periodic" else "") + f": {a.count}"
            for a in self.attractors
        ]
        ax.legend(handles, names, fontsize=7, loc="upper right")
        ax.set_xlabel(f"start coordinate {self.dims[0]}")
        ax.set_ylabel(f"start coordinate {self.dims[1]}")
        ax.set_title(f"basins of attraction, h = {self.h:g}")
        return ax

    def __repr__(self) -> str:
        kinds = ", ".join(
            f"{a.kind}{'/' + str(a.period) if a.period > 1 else ''}={a.count}"
            for a in self.attractors
        )
        return f"BasinMap(h={self.h:g}, grid={self.labels.shape}, {kinds})"


def _cycle_key(cycle: np.ndarray, decimals: int) -> tuple[float, ...]:
    """The lexicographically smallest point of a cycle (p, n), rounded: a shift-free key."""
    rounded = np.round(cycle, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return min(tuple(float(v) for v in row) for row in rounded)


def basins(
    objective: Objective,
    h: float,
    box: Sequence[tuple[float, float]],
    resolution: int | tuple[int, int] = 200,
    *,
    dims: tuple[int, int] = (0, 1),
    base_point: Any = None,
    transient: int = 2000,
    max_period: int = 16,
    tol: float = 1e-7,
    key_decimals: int = 5,
    max_fixed_points: int = 24,
    executor: Executor | None = None,
    progress: bool = False,
    backend: str = "auto",
    cache: Any = None,
) -> BasinMap:
    r"""Classify the long-run fate of GD from every start of a 2-D grid.

    Each start runs ``transient + 2 max_period`` steps; its fate is divergence, a cycle
    of minimal period p <= ``max_period`` (identified up to cyclic shift by its rounded
    lexicographically smallest point), or "non-periodic".  When more than
    ``max_fixed_points`` distinct fixed points are reached (a continuum of minimisers
    such as xy = 1), they are merged into one class ``"fixed points (continuum)"``.

    Examples
    --------
    At h = 1.1 GD on (1 - xy)^2/2 is attracted by a mirror pair of balanced 2-cycles
    (the minimisers xy = 1 are all unstable: h (x^2 + y^2) >= 2h > 2):

    >>> from gdtheory.objectives import scalar_factorization
    >>> b = basins(scalar_factorization(), 1.1, [(-1.5, 1.5), (-1.5, 1.5)], 9, transient=500)
    >>> [(a.kind, a.period, a.point, a.count) for a in b.attractors]
    [('fixed point', 1, (0.0, 0.0), 5), ('periodic', 2, (-1.11606, -1.11606), 28),
     ('periodic', 2, (0.81455, 0.81455), 28), ('diverged', 0, None, 20)]
    """
    obj = _check_objective(objective)
    h_f = float(learning_rates(h, "h").ravel()[0])
    sides = float_box(box, 2)
    if isinstance(resolution, int | np.integer) and not isinstance(resolution, bool):
        nx = ny = check_count(resolution, "resolution", 1)
    elif isinstance(resolution, tuple | list) and len(resolution) == 2:
        nx, ny = (check_count(r, "resolution", 1) for r in resolution)
    else:
        raise InvalidInputError(f"resolution must be an integer or a pair, got {resolution!r}")
    check_memory("the basin grid", nx * ny * obj.dim)
    if (
        not isinstance(dims, tuple | list)
        or len(dims) != 2
        or dims[0] == dims[1]
        or not all(isinstance(d, int) and 0 <= d < obj.dim for d in dims)
    ):
        raise InvalidInputError(
            f"dims must be two distinct coordinates in 0..{obj.dim - 1}, got {dims!r}"
        )
    base = np.zeros(obj.dim) if base_point is None else obj.batch_np(base_point).reshape(obj.dim)
    (x_lo, x_hi), (y_lo, y_hi) = sides
    xs, ys = np.linspace(x_lo, x_hi, nx), np.linspace(y_lo, y_hi, ny)
    starts = np.broadcast_to(base, (ny, nx, obj.dim)).copy()
    starts[..., dims[0]] = xs[None, :]
    starts[..., dims[1]] = ys[:, None]
    keep = 2 * check_count(max_period, "max_period", 1)
    run = iterate_map(
        obj,
        starts,
        h_f,
        check_count(transient, "transient", 0) + keep,
        keep=keep,
        executor=executor,
        progress=progress,
        backend=backend,
        cache=cache,
    )
    periods = detect_periods(run.tail, max_period, tol)
    flat_p = periods.ravel()
    tail = run.tail.reshape(keep, -1, obj.dim)
    keys: dict[tuple[int, tuple[float, ...]], list[int]] = {}
    for i in np.flatnonzero(flat_p > 0):
        p = int(flat_p[i])
        keys.setdefault((p, _cycle_key(tail[keep - p :, i], key_decimals)), []).append(int(i))
    classes: list[tuple[str, int, tuple[float, ...] | None, np.ndarray]] = []
    fixed = [(k, v) for k, v in keys.items() if k[0] == 1]
    if len(fixed) > max_fixed_points:
        merged = np.concatenate([np.asarray(v) for _, v in fixed])
        classes.append(("fixed points (continuum)", 1, None, merged))
        keys = {k: v for k, v in keys.items() if k[0] != 1}
    for (p, key), members in sorted(keys.items()):
        classes.append(("fixed point" if p == 1 else "periodic", p, key, np.asarray(members)))
    for kind, code in (("non-periodic", -1), ("diverged", 0)):
        rest = np.flatnonzero(flat_p == code)
        if rest.size:
            classes.append((kind, 0, None, rest))
    labels = np.full(flat_p.shape, -1, dtype=np.int64)
    attractors = []
    for lab, (kind, per, point, where) in enumerate(classes):
        labels[where] = lab
        attractors.append(Attractor(lab, kind, per, point, int(where.size)))
    return BasinMap(
        labels=labels.reshape(ny, nx),
        xs=xs,
        ys=ys,
        attractors=tuple(attractors),
        h=h_f,
        dims=(int(dims[0]), int(dims[1])),
        periods=periods,
    )
