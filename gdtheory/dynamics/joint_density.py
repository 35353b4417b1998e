r"""Joint (2-D) invariant densities of the GD map, and their distance to a 2-D target.

The 1-D tools of :mod:`gdtheory.dynamics.densities` see one coordinate at a time; a marginal can
agree with a Gibbs marginal while the joint law has the wrong shape (a wrong covariance
between the coordinates, a wrong anisotropy).  Here two coordinates of many long runs
are binned jointly (:func:`joint_density`) and compared with a target density on the
plane (:func:`gibbs_density_2d`, or any vectorised ``pdf(x, y)``) by

* total variation over the bins, TV = (1/2) sum_ij |p_ij - q_ij|, with q_ij the mass of
  bin ij under the target by composite Simpson quadrature on a sub-grid of each bin;
* the first two moments: the sample mean and covariance of the runs, with the
  run-to-run standard error of the covariance (each run gives an estimate; runs are
  independent, so their spread measures the sampling error honestly even though the
  iterates of one run are correlated).

Sampling noise is reported as for the 1-D densities: the runs are split into two halves
and the TV between the halves' histograms is given (``tv_split``).

>>> from gdtheory import Objective
>>> q = gibbs_density_2d(Objective.parse("(x**2 + y**2)/2"), 0.5, [(-6, 6), (-6, 6)])
>>> round(float(q.pdf(np.array([0.0]), np.array([0.0]))[0]) * np.pi, 6)   # N(0, I/2)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import integrate

from ..core.budget import check_memory
from ..core.objective import Objective, numeric_objective
from ..core.scalars import check_count, finite_float, float_box
from ..errors import InvalidInputError
from .densities import long_runs

__all__ = [
    "JointDensity",
    "joint_density",
    "Density2D",
    "gibbs_density_2d",
    "JointComparison",
    "compare_joint_density",
]


@dataclass(frozen=True)
class JointDensity:
    """A 2-D histogram estimate of the invariant law of two coordinates.

    Attributes
    ----------
    samples : ndarray (runs, steps, 2)
        The two coordinates after the transient, one row per bounded run.
    xedges, yedges : ndarray
        Bin edges (bins + 1 each).
    counts : ndarray (bins, bins)
        ``counts[i, j]`` samples in [xedges[i], xedges[i+1]) x [yedges[j], yedges[j+1]).
    density : ndarray (bins, bins)
        counts / (n_samples * bin area).
    mean : ndarray (2,)
    covariance : ndarray (2, 2)
        Sample mean and covariance over all runs and steps.
    covariance_se : ndarray (2, 2)
        Standard error of ``covariance`` from the spread of the per-run covariances
        (nan with one run).
    components : tuple of int
    h : float
    transient : int
    diverged_runs, periodic_runs : int
        Runs dropped as diverged; runs whose last 32 iterates repeat with period <= 16.
    """

    samples: np.ndarray = field(repr=False)
    xedges: np.ndarray = field(repr=False)
    yedges: np.ndarray = field(repr=False)
    counts: np.ndarray = field(repr=False)
    density: np.ndarray = field(repr=False)
    mean: np.ndarray
    covariance: np.ndarray
    covariance_se: np.ndarray
    components: tuple[int, int]
    h: float
    transient: int
    diverged_runs: int
    periodic_runs: int

    @property
    def n_samples(self) -> int:
        return int(self.samples.shape[0] * self.samples.shape[1])


def joint_density(
    objective: Objective,
    x0s: Any,
    *,
    h: float,
    steps: int,
    transient: int = 1000,
    components: tuple[int, int] = (0, 1),
    bins: int = 60,
    range: Sequence[tuple[float, float]] | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    backend: str = "auto",
    cache: Any = None,
) -> JointDensity:
    r"""Joint histogram of coordinates ``components`` over ``steps`` iterates of every run.

    Each run first takes ``transient`` steps; diverged runs are dropped and counted.
    ``range`` is [(x_low, x_high), (y_low, y_high)] (default: the samples' extent).

    >>> from gdtheory.studies.multiscale import multiscale
    >>> ms = multiscale("(x**2 + y**2)/2", "1/1000", 1, dim=2)
    >>> x0s = np.random.default_rng(0).uniform(-0.5, 0.5, (16, 2))
    >>> d = joint_density(ms.objective, x0s, h=0.2, steps=2000, bins=20)
    >>> d.counts.shape, d.diverged_runs
    ((20, 20), 0)
    """
    obj = numeric_objective(objective)
    if obj.dim < 2:
        raise InvalidInputError(
            f"joint_density needs an objective of dimension >= 2, got {obj.dim}"
        )
    steps = check_count(steps, "steps", 2)
    transient = check_count(transient, "transient", 0)
    bins = check_count(bins, "bins", 1)
    check_memory("the 2-D histogram", bins * bins)
    try:
        i, j = (int(c) for c in components)
        ok = all(isinstance(c, int | np.integer) for c in components)
    except (TypeError, ValueError):
        ok = False
    if not ok or not (0 <= i < obj.dim and 0 <= j < obj.dim and i != j):
        raise InvalidInputError(
            f"components must be two distinct ints in 0..{obj.dim - 1}, got {components!r}"
        )
    box = None if range is None else float_box(range, 2, "range")
    run = long_runs(
        obj,
        h,
        x0s,
        steps,
        transient,
        executor=executor,
        progress=progress,
        backend=backend,
        cache=cache,
        desc="joint density",
    )
    S = np.ascontiguousarray(np.moveaxis(run.tail[:, :, [i, j]], 0, 1))  # (runs, steps, 2)
    flat = S.reshape(-1, 2)
    if box is None:
        box = tuple(
            (float(lo), float(hi)) if hi > lo else (float(lo) - 0.5, float(hi) + 0.5)
            for lo, hi in zip(flat.min(0), flat.max(0), strict=True)
        )
    counts, xe, ye = np.histogram2d(flat[:, 0], flat[:, 1], bins=bins, range=box)
    area = np.outer(np.diff(xe), np.diff(ye))
    per_run = np.array([np.cov(r.T) for r in S])
    se = (
        per_run.std(axis=0, ddof=1) / math.sqrt(S.shape[0])
        if S.shape[0] > 1
        else np.full((2, 2), np.nan)
    )
    return JointDensity(
        samples=S,
        xedges=xe,
        yedges=ye,
        counts=counts.astype(np.int64),
        density=counts / (flat.shape[0] * area),
        mean=flat.mean(axis=0),
        covariance=np.cov(flat.T),
        covariance_se=se,
        components=(i, j),
        h=run.h,
        transient=transient,
        diverged_runs=run.diverged_runs,
        periodic_runs=run.periodic_runs,
    )


@dataclass(frozen=True)
class Density2D:
    """A probability density on the plane: ``pdf(x, y)`` vectorised, normalised on
    ``support`` (a box; zero outside it).  ``edge_weight`` is the largest value of the
    unnormalised density on the box's boundary relative to its maximum (for a Gibbs law:
    max over the boundary of exp(-(f0 - min f0)/T)); when it is tiny, the box holds
    essentially all of the untruncated law."""

    pdf: Callable[[np.ndarray, np.ndarray], np.ndarray] = field(repr=False)
    support: tuple[tuple[float, float], tuple[float, float]]
    name: str
    edge_weight: float = float("nan")


def _simpson_weights(edges: np.ndarray, sub: int) -> tuple[np.ndarray, np.ndarray]:
    """Points (2 sub per bin, shared ends) and a (points, bins) matrix of composite
    Simpson weights: column k integrates over bin k."""
    bins = edges.size - 1
    m = 2 * sub
    pts = np.concatenate(
        [np.linspace(a, b, m + 1)[:-1] for a, b in zip(edges[:-1], edges[1:], strict=True)]
        + [edges[-1:]]
    )
    W = np.zeros((pts.size, bins))
    base = np.ones(m + 1)
    base[1:-1:2], base[2:-1:2] = 4.0, 2.0
    for k in np.arange(bins):
        step = (edges[k + 1] - edges[k]) / m
        W[k * m : k * m + m + 1, k] = base * step / 3
    return pts, W


def _bin_masses_2d(
    pdf: Callable[..., np.ndarray], xe: np.ndarray, ye: np.ndarray, sub: int
) -> np.ndarray:
    px, Wx = _simpson_weights(xe, sub)
    py, Wy = _simpson_weights(ye, sub)
    X, Y = np.meshgrid(px, py, indexing="ij")
    with np.errstate(all="ignore"):
        P = np.asarray(pdf(X, Y), dtype=float)
    if P.shape != X.shape or not np.all(np.isfinite(P)):
        raise InvalidInputError(
            "the target pdf must return finite values of the shape of its inputs"
        )
    return Wx.T @ P @ Wy


def gibbs_density_2d(
    f0: Objective | Callable[[np.ndarray, np.ndarray], np.ndarray],
    T: float,
    support: Sequence[tuple[float, float]],
    *,
    points: int = 801,
) -> Density2D:
    r"""The Gibbs density exp(-f0(x, y)/T)/Z restricted to the box ``support``.

    Z by Simpson's rule on a ``points`` x ``points`` grid over the box; the grid must
    resolve the widths sqrt(T/f0'').  The result's ``edge_weight`` says whether the box
    cuts the untruncated law short (it should be tiny, e.g. < 1e-12).  ``f0`` is a 2-D
    :class:`Objective` or a vectorised callable of (x, y).
    """
    T = finite_float(T, "the temperature T", positive=True)
    box = float_box(support, 2, "support")
    points = check_count(points, "points", 3)
    points += 1 - points % 2  # odd, for Simpson
    check_memory("the Gibbs grid", points * points)
    if isinstance(f0, Objective):
        if f0.dim != 2:
            raise InvalidInputError(f"gibbs_density_2d needs a 2-D objective, got dim {f0.dim}")
        obj = f0

        def f_obj(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
            return obj.f_np(np.stack([x, y], axis=-1))

        f: Callable[[np.ndarray, np.ndarray], np.ndarray] = f_obj
        name = obj.name
    elif callable(f0):
        f = f0
        name = getattr(f0, "__name__", "f0")
    else:
        raise InvalidInputError("f0 must be a 2-D Objective or a vectorised callable f(x, y)")
    xs = np.linspace(*box[0], points)
    ys = np.linspace(*box[1], points)
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    with np.errstate(all="ignore"):
        F = np.asarray(f(X, Y), dtype=float)
    if F.shape != X.shape or not np.any(np.isfinite(F)):
        raise InvalidInputError("f0 is not finite anywhere on the support")
    shift = float(np.nanmin(F))
    with np.errstate(all="ignore"):
        w = np.exp(-(F - shift) / T)
    w = np.where(np.isfinite(w), w, 0.0)
    Z = float(integrate.simpson(integrate.simpson(w, x=ys, axis=1), x=xs))
    if not (math.isfinite(Z) and Z > 0):
        raise InvalidInputError(f"exp(-f0/T) is not integrable on {box} (Z = {Z})")
    (xl, xh), (yl, yh) = box

    def pdf(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        with np.errstate(all="ignore"):
            val = np.exp(-(np.asarray(f(x, y), float) - shift) / T) / Z
        return np.where((x >= xl) & (x <= xh) & (y >= yl) & (y <= yh), val, 0.0)

    edge = float(max(w[0].max(), w[-1].max(), w[:, 0].max(), w[:, -1].max()))
    return Density2D(pdf, (box[0], box[1]), f"Gibbs exp(-({name})/T)/Z, T = {T:.4g}", edge)


@dataclass(frozen=True)
class JointComparison:
    """Distance between a :class:`JointDensity` and a 2-D target.

    Attributes
    ----------
    tv : float
        Binned total variation to the target.
    tv_split : float
        The TV between the two halves of the runs (the sampling noise scale).
    target_mass_in_range : float
        The target's mass inside the histogram range.
    sample_fraction_in_range : float
    bins : int
        Bins per axis.
    n_samples : int
    target : str
    """

    tv: float
    tv_split: float
    target_mass_in_range: float
    sample_fraction_in_range: float
    bins: int
    n_samples: int
    target: str


def compare_joint_density(
    density: JointDensity, target: Density2D | Callable[..., np.ndarray], *, sub: int = 3
) -> JointComparison:
    r"""TV between ``density`` and ``target`` over the bins, with the split-half noise.

    Bin masses of the target by composite Simpson on 2 ``sub`` intervals per bin and axis.

    >>> from gdtheory import Objective
    >>> rng = np.random.default_rng(1)
    >>> S = rng.normal(0, np.sqrt(0.5), (8, 20000, 2))        # exact samples of N(0, I/2)
    >>> xe = ye = np.linspace(-3, 3, 31)
    >>> c, _, _ = np.histogram2d(S[..., 0].ravel(), S[..., 1].ravel(), bins=(xe, ye))
    >>> d = JointDensity(S, xe, ye, c.astype(int), c, S.mean((0, 1)), np.eye(2) / 2,
    ...                  np.zeros((2, 2)), (0, 1), 0.1, 0, 0, 0)
    >>> q = gibbs_density_2d(Objective.parse("(x**2 + y**2)/2"), 0.5, [(-6, 6), (-6, 6)])
    >>> r = compare_joint_density(d, q)
    >>> bool(r.tv < 2 * r.tv_split + 0.01)
    True
    >>> abs(r.target_mass_in_range - math.erf(3) ** 2) < 1e-9     # P(|x|, |y| < 3) exactly
    True
    """
    if not isinstance(density, JointDensity):
        raise InvalidInputError("density must be a JointDensity (see joint_density)")
    if isinstance(target, Density2D):
        pdf, name = target.pdf, target.name
    elif callable(target):
        pdf, name = target, getattr(target, "__name__", "target")
    else:
        raise InvalidInputError("target must be a Density2D (see gibbs_density_2d) or pdf(x, y)")
    sub = check_count(sub, "sub", 1)
    check_memory(
        "the Simpson grid", float(2 * sub * len(density.xedges)) * (2 * sub * len(density.yedges))
    )
    xe, ye = density.xedges, density.yedges
    q = _bin_masses_2d(pdf, xe, ye, sub)
    S = density.samples
    flat = S.reshape(-1, 2)
    inside = (
        (flat[:, 0] >= xe[0])
        & (flat[:, 0] <= xe[-1])
        & (flat[:, 1] >= ye[0])
        & (flat[:, 1] <= ye[-1])
    )
    half = S.shape[0] // 2
    if half >= 1:
        A, B = S[:half].reshape(-1, 2), S[half:].reshape(-1, 2)
    else:  # one run: split it in time
        mid = S.shape[1] // 2
        A, B = S[:, :mid].reshape(-1, 2), S[:, mid:].reshape(-1, 2)
    ca, _, _ = np.histogram2d(A[:, 0], A[:, 1], bins=(xe, ye))
    cb, _, _ = np.histogram2d(B[:, 0], B[:, 1], bins=(xe, ye))
    return JointComparison(
        tv=0.5 * float(np.abs(density.counts / flat.shape[0] - q).sum()),
        tv_split=0.5 * float(np.abs(ca / A.shape[0] - cb / B.shape[0]).sum()),
        target_mass_in_range=float(q.sum()),
        sample_fraction_in_range=float(inside.mean()),
        bins=int(xe.size - 1),
        n_samples=int(flat.shape[0]),
        target=name,
    )
