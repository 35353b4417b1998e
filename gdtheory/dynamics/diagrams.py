r"""Orbit (bifurcation) diagrams, basins of attraction and minimal periods, on the float64
engine (:func:`gdtheory.run` of GD).

References
----------
Strogatz, *Nonlinear Dynamics and Chaos* (2015), ch. 10 (orbit diagrams);
Nusse and Yorke, *Dynamics: Numerical Explorations* (1998) (basins of attraction).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.budget import check_memory
from ..core.objective import Objective, numeric_objective
from ..core.outcomes import DIVERGED_PERIOD, NO_PERIOD, AttractorKind
from ..core.scalars import check_count, finite_float, float_box, learning_rates, real_array
from ..errors import InvalidInputError, ShapeError
from ..methods.optimizers import GD
from .run import run as run_method

__all__ = [
    "detect_periods",
    "cycle_key",
    "OrbitDiagram",
    "orbit_diagram",
    "Attractor",
    "BasinMap",
    "basins",
]


def detect_periods(tail: np.ndarray, max_period: int, tol: float = 1e-7) -> np.ndarray:
    r"""Minimal period of each run from its last iterates; ``tail`` has shape (K, *batch, n).

    A run has period p when |x_{K-1-j} - x_{K-1-j-p}| <= tol (1 + |x|) for all
    j = 0..p-1 (one whole cycle must repeat, so a chaotic orbit's close return is not
    mistaken for a cycle).  Returns ints: p >= 1, :data:`~gdtheory.core.outcomes.NO_PERIOD`
    (-1: no period <= max_period) or :data:`~gdtheory.core.outcomes.DIVERGED_PERIOD`
    (0: NaN in the tail).  Needs K >= 2 max_period.

    >>> t = np.array([[1.0], [2.0], [1.0], [2.0]])[:, None, :]
    >>> detect_periods(t, 2).tolist()
    [2]
    """
    tail = real_array(tail, "tail")
    if tail.ndim < 2:
        raise ShapeError(f"tail must have shape (K, *batch, n), got {tail.shape}")
    max_period = check_count(max_period, "max_period", 1)
    tol = finite_float(tol, "tol", positive=True)
    K = tail.shape[0]
    if K < 2 * max_period:
        raise InvalidInputError(f"detect_periods needs >= {2 * max_period} iterates, got {K}")
    batch = tail.shape[1:-1]
    out = np.full(batch, NO_PERIOD, dtype=np.int64)
    finite = np.all(np.isfinite(tail), axis=(0, -1))
    scale = 1.0 + np.abs(tail[-1])
    for p in range(1, max_period + 1):
        same = np.ones(batch, dtype=bool)
        for j in range(p):
            a, b = tail[K - 1 - j], tail[K - 1 - j - p]
            same &= np.all(np.abs(a - b) <= tol * scale, axis=-1)
        out[(out == NO_PERIOD) & same] = p
    out[~finite] = DIVERGED_PERIOD
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
    x0s: Any,
    *,
    hs: Any,
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
    >>> d = orbit_diagram(double_well(), [[0.5]], hs=[0.9, 1.1], transient=500, keep=64)
    >>> d.periods.tolist()
    [[1], [2]]
    """
    obj = numeric_objective(objective)
    H = learning_rates(hs).ravel()
    X0 = obj.batch_np(x0s).reshape(-1, obj.dim)
    transient = check_count(transient, "transient", 0)
    keep = check_count(keep, "keep", 2 * check_count(max_period, "max_period", 1))
    run = run_method(
        GD(),
        obj,
        X0[None, :, :],
        hs=H[:, None],
        steps=transient + keep,
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

    ``kind`` is an :class:`~gdtheory.core.outcomes.AttractorKind` (it compares equal to
    its word: ``"diverged"``, ``"fixed point"``, ``"fixed points (continuum)"``,
    ``"periodic"`` or ``"non-periodic"``: chaotic, quasi-periodic, or period >
    max_period); ``point`` is a representative point of the cycle (None for diverged /
    merged classes); ``count`` the number of starts that went there.
    """

    label: int
    kind: AttractorKind
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

    def fraction(self, kind: AttractorKind | str) -> float:
        """Fraction of starts whose attractor is of ``kind``."""
        kind = AttractorKind(kind)
        total = sum(a.count for a in self.attractors if a.kind is kind)
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


def cycle_key(cycle: np.ndarray, decimals: int = 7) -> tuple[float, ...]:
    """The lexicographically smallest point of a cycle (p, n), rounded: a shift-free key."""
    rounded = np.round(cycle, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return min(tuple(float(v) for v in row) for row in rounded)


def basins(
    objective: Objective,
    box: Sequence[tuple[float, float]],
    *,
    h: float,
    resolution: int | tuple[int, int] = 200,
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
    >>> box = [(-1.5, 1.5), (-1.5, 1.5)]
    >>> b = basins(scalar_factorization(), box, h=1.1, resolution=9, transient=500)
    >>> [(str(a.kind), a.period, a.point, a.count) for a in b.attractors]
    [('fixed point', 1, (0.0, 0.0), 5), ('periodic', 2, (-1.11606, -1.11606), 28),
     ('periodic', 2, (0.81455, 0.81455), 28), ('diverged', 0, None, 20)]
    """
    obj = numeric_objective(objective)
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
    run = run_method(
        GD(),
        obj,
        starts,
        hs=h_f,
        steps=check_count(transient, "transient", 0) + keep,
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
        keys.setdefault((p, cycle_key(tail[keep - p :, i], key_decimals)), []).append(int(i))
    classes: list[tuple[AttractorKind, int, tuple[float, ...] | None, np.ndarray]] = []
    fixed = [(k, v) for k, v in keys.items() if k[0] == 1]
    if len(fixed) > max_fixed_points:
        merged = np.concatenate([np.asarray(v) for _, v in fixed])
        classes.append((AttractorKind.CONTINUUM, 1, None, merged))
        keys = {k: v for k, v in keys.items() if k[0] != 1}
    for (p, key), members in sorted(keys.items()):
        kind = AttractorKind.FIXED_POINT if p == 1 else AttractorKind.PERIODIC
        classes.append((kind, p, key, np.asarray(members)))
    for kind, code in (
        (AttractorKind.NON_PERIODIC, NO_PERIOD),
        (AttractorKind.DIVERGED, DIVERGED_PERIOD),
    ):
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
