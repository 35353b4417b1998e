r"""Invariant densities of the GD map from long runs, and distances to a target density.

The long-run distribution of a chaotic GD orbit is estimated by a histogram of one
coordinate of many runs after a transient (:func:`invariant_density`), and compared
with a target density q (a Gibbs density exp(-f0/T)/Z, the arcsine law, or any
callable) by

* total variation over the bins, TV = (1/2) sum_i |p_i - q_i|, with q_i the exact mass
  of bin i under q (from its CDF, or by quadrature of its pdf);
* Wasserstein-1, W1 = int |F_N(x) - F(x)| dx over the histogram range, F_N the
  empirical CDF of the samples (exact at the samples, not binned).

Sampling noise is measured, not assumed: the runs are split into two halves and the
same distances between the halves are reported (``tv_split``, ``w1_split``).  A
comparison is informative only when the distance to the target is compared with that
noise.

References
----------
Lasota and Mackey, *Chaos, Fractals, and Noise* (1994) (invariant densities, the
arcsine law of the Chebyshev/logistic map); Villani, *Optimal Transport* (2009), for W1
= int |F - G| in one dimension.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import integrate

from ..core.budget import check_memory
from ..core.objective import Objective, numeric_objective
from ..core.scalars import check_count, finite_float, float_box
from ..errors import InvalidInputError
from .diagrams import detect_periods
from .engine import broadcast_batch, run_rows

__all__ = [
    "Density",
    "arcsine_law",
    "gibbs_density",
    "InvariantDensity",
    "invariant_density",
    "DensityComparison",
    "compare_density",
]


@dataclass(frozen=True)
class Density:
    """A probability density on the line: ``pdf`` (vectorised, normalised) and optional ``cdf``."""

    pdf: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    cdf: Callable[[np.ndarray], np.ndarray] | None = field(repr=False)
    support: tuple[float, float]
    name: str


def _support(support: Any) -> tuple[float, float]:
    """(low, high) with low < high, each a float (infinite ends allowed, NaN not)."""
    try:
        low, high = support
        low, high = float(low), float(high)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(
            f"support must be a pair (low, high) of numbers, got {support!r}"
        ) from None
    if math.isnan(low) or math.isnan(high) or not low < high:
        raise InvalidInputError(f"support must have low < high, got ({low}, {high})")
    return low, high


def arcsine_law(low: float = -1.0, high: float = 1.0) -> Density:
    r"""The arcsine law on [low, high]: q(x) = 1/(pi sqrt((x - low)(high - x))).

    The invariant density of the Chebyshev map 2x^2 - 1 on [-1, 1] (and, through
    y = (1 - x)/2, of the logistic map at r = 4).  CDF: (2/pi) arcsin(sqrt((x-low)/(high-low))).

    >>> q = arcsine_law()
    >>> float(q.cdf(np.array([0.0]))[0])
    0.5
    """
    low, high = finite_float(low, "low"), finite_float(high, "high")
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise InvalidInputError(f"arcsine_law needs finite low < high, got ({low}, {high})")
    w = high - low

    def pdf(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        inside = (x > low) & (x < high)
        with np.errstate(all="ignore"):
            return np.where(inside, 1.0 / (np.pi * np.sqrt((x - low) * (high - x))), 0.0)

    def cdf(x: np.ndarray) -> np.ndarray:
        u = np.clip((np.asarray(x, dtype=float) - low) / w, 0.0, 1.0)
        return 2.0 / np.pi * np.arcsin(np.sqrt(u))

    return Density(pdf, cdf, (low, high), f"arcsine law on [{low:g}, {high:g}]")


def gibbs_density(
    f0: Objective | Callable[[np.ndarray], np.ndarray],
    T: float,
    support: tuple[float, float] = (-math.inf, math.inf),
) -> Density:
    r"""The Gibbs density q(x) = exp(-f0(x)/T)/Z on ``support`` (Z by adaptive quadrature).

    ``f0`` is a 1-D :class:`Objective` or a vectorised callable; it must make exp(-f0/T)
    integrable on the support.

    >>> from gdtheory import Objective
    >>> q = gibbs_density(Objective.parse("x**2/2"), 0.5)   # N(0, 1/2)
    >>> bool(abs(q.pdf(np.array([0.0]))[0] - 1 / np.sqrt(np.pi)) < 1e-9)
    True
    """
    T = finite_float(T, "the temperature T", positive=True)
    support = _support(support)
    if isinstance(f0, Objective):
        if f0.dim != 1:
            raise InvalidInputError(f"gibbs_density needs a 1-D macro objective, got dim {f0.dim}")
        obj = f0

        def f_obj(x: np.ndarray) -> np.ndarray:
            return obj.f_np(np.asarray(x, dtype=float)[..., None])

        f: Callable[[np.ndarray], np.ndarray] = f_obj
        name = obj.name
    elif callable(f0):
        f = f0
        name = getattr(f0, "__name__", "f0")
    else:
        raise InvalidInputError("f0 must be a 1-D Objective or a vectorised callable")
    xs, weights, shift = gibbs_grid(f, T, support)
    Z = float(integrate.simpson(weights, x=xs))
    if not (math.isfinite(Z) and Z > 0):
        raise InvalidInputError(f"exp(-f0/T) is not integrable on {support} (Z = {Z})")
    lo, hi = float(xs[0]), float(xs[-1])

    def pdf(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            val = np.exp(-(f(x) - shift) / T) / Z
        return np.where((x >= lo) & (x <= hi), val, 0.0)

    return Density(pdf, None, (lo, hi), f"Gibbs exp(-({name})/T)/Z, T = {T:.4g}")


def gibbs_grid(
    f: Callable[[np.ndarray], np.ndarray],
    T: float,
    support: tuple[float, float] = (-math.inf, math.inf),
    points: int = 200001,
) -> tuple[np.ndarray, np.ndarray, float]:
    """A grid carrying exp(-(f - min f)/T): (xs, weights, min f).

    An infinite end of ``support`` is replaced by the point where f - min f exceeds 60 T
    (the neglected mass is below e^-60 relative, for f growing at least linearly), found
    by doubling; the grid is fine enough to resolve widths sqrt(T/f'').
    """
    lo, hi = support
    probe = np.linspace(max(lo, -1e4), min(hi, 1e4), 400001)
    with np.errstate(all="ignore"):
        fp = f(probe)
    if not np.any(np.isfinite(fp)):
        raise InvalidInputError("f0 is not finite anywhere on the support")
    shift = float(np.nanmin(fp))
    keep = np.flatnonzero(np.isfinite(fp) & (fp - shift <= 60 * T))
    a = probe[max(keep[0] - 1, 0)] if not math.isfinite(lo) else lo
    b = probe[min(keep[-1] + 1, probe.size - 1)] if not math.isfinite(hi) else hi
    if (
        not math.isfinite(lo)
        and keep[0] == 0
        or not math.isfinite(hi)
        and keep[-1] == probe.size - 1
    ):
        raise InvalidInputError("exp(-f0/T) does not decay within |x| <= 1e4: f0 is not confining")
    xs = np.linspace(a, b, points)
    with np.errstate(all="ignore"):
        w = np.exp(-(f(xs) - shift) / T)
    return xs, np.where(np.isfinite(w), w, 0.0), shift


def _integrate(fn: Callable[[float], float], a: float, b: float) -> float:
    val, _ = integrate.quad(fn, a, b, limit=400, epsabs=1e-13, epsrel=1e-11)
    return float(val)


@dataclass(frozen=True)
class InvariantDensity:
    """A histogram estimate of the invariant density of one coordinate.

    Attributes
    ----------
    samples : ndarray (runs, steps)
        The coordinate after the transient, one row per non-diverged run.
    edges, counts, density : ndarrays
        Histogram edges (bins + 1), counts and density (integrates to the fraction of
        samples inside the range).
    component : int
    h : float
    transient : int
    diverged_runs : int
    periodic_runs : int
        Runs whose last 32 iterates repeat with a period <= 16 (a cycle, not chaos).
    """

    samples: np.ndarray = field(repr=False)
    edges: np.ndarray = field(repr=False)
    counts: np.ndarray = field(repr=False)
    density: np.ndarray = field(repr=False)
    component: int
    h: float
    transient: int
    diverged_runs: int
    periodic_runs: int

    @property
    def n_samples(self) -> int:
        return int(self.samples.size)

    def __repr__(self) -> str:
        r, s = self.samples.shape
        return (
            f"InvariantDensity(h={self.h:g}, runs={r}, steps={s}, bins={self.counts.size}, "
            f"range=[{self.edges[0]:g}, {self.edges[-1]:g}], diverged_runs={self.diverged_runs}, "
            f"periodic_runs={self.periodic_runs})"
        )


def invariant_density(
    objective: Objective,
    x0s: Any,
    *,
    h: float,
    steps: int,
    transient: int = 1000,
    component: int = 0,
    bins: int = 100,
    range: tuple[float, float] | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    backend: str = "auto",
    cache: Any = None,
) -> InvariantDensity:
    r"""Histogram of coordinate ``component`` over ``steps`` iterates of every run in ``x0s``.

    Each run takes ``transient`` steps first; diverged runs are dropped and counted.
    ``backend`` selects the float64 engine (see :func:`gdtheory.run`).

    >>> from gdtheory.objectives import logistic_conjugate
    >>> x0s = np.linspace(-0.9, 0.9, 8)[:, None]
    >>> d = invariant_density(logistic_conjugate(), x0s, h=1.0, steps=2000, bins=20, range=(-1, 1))
    >>> d.n_samples, d.diverged_runs, d.periodic_runs
    (16000, 0, 0)

    (In float64 an orbit of this map can land exactly on a fixed point, e.g. from the
    symmetric starts of ``np.linspace(-0.9, 0.9, 64)``: ``periodic_runs`` counts the runs
    that ended on a cycle of period <= 16, so such artefacts are visible.)
    """
    obj = numeric_objective(objective)
    steps = check_count(steps, "steps", 1)
    transient = check_count(transient, "transient", 0)
    bins = check_count(bins, "bins", 1)
    check_memory("the histogram", bins)
    if range is not None:
        (range,) = float_box([range], 1, "range")  # the one box validator, for one side
    if not (isinstance(component, int) and 0 <= component < obj.dim):
        raise InvalidInputError(f"component must be in 0..{obj.dim - 1}, got {component!r}")
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
        desc="invariant density",
    )
    samples = run.tail[:, :, component].T  # (runs, steps)
    if range is None:
        lo, hi = float(samples.min()), float(samples.max())
        range = (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)
    counts, edges = np.histogram(samples, bins=bins, range=range)
    width = np.diff(edges)
    density = counts / (samples.size * width)
    return InvariantDensity(
        samples=samples,
        edges=edges,
        counts=counts,
        density=density,
        component=component,
        h=run.h,
        transient=transient,
        diverged_runs=run.diverged_runs,
        periodic_runs=run.periodic_runs,
    )


@dataclass(frozen=True)
class LongRuns:
    """The iterates after the transient of the runs that stayed bounded (shape
    (steps, runs, n)), how many diverged, and how many ended on a cycle of period <= 16."""

    tail: np.ndarray = field(repr=False)
    h: float
    diverged_runs: int
    periodic_runs: int


def long_runs(
    obj: Objective,
    h: float,
    x0s: Any,
    steps: int,
    transient: int,
    *,
    executor: Executor | None = None,
    progress: bool = False,
    backend: str = "auto",
    cache: Any = None,
    desc: str = "long runs",
) -> LongRuns:
    """Run GD from every start in ``x0s`` for ``transient + steps`` steps, keeping the last
    ``steps`` (the shared engine of :func:`invariant_density` and the 2-D densities)."""
    _, rows, rates = broadcast_batch(obj, x0s, h)
    _, tail, decided = run_rows(
        obj,
        rows,
        rates,
        transient + steps,
        steps,
        1e30,
        executor=executor,
        progress=progress,
        desc=desc,
        backend=backend,
        cache=cache,
    )
    diverged = decided >= 0
    if not np.any(~diverged):
        raise InvalidInputError("every run diverged: there is no invariant density to estimate")
    window = min(32, steps - steps % 2)
    periodic = (
        int(np.count_nonzero(detect_periods(tail[-window:, ~diverged], window // 2) > 0))
        if window >= 2
        else 0
    )
    return LongRuns(tail[:, ~diverged], float(rates[0]), int(diverged.sum()), periodic)


@dataclass(frozen=True)
class DensityComparison:
    """Distances between an invariant density and a target.

    Attributes
    ----------
    tv, w1 : float
        Binned total variation and Wasserstein-1 (over the histogram range) to the target.
    tv_split, w1_split : float
        The same distances between the two halves of the runs (the sampling noise scale).
    target_mass_in_range : float
        The target's mass inside the histogram range (1 when the range covers it).
    sample_fraction_in_range : float
    bins, n_samples : int
    target : str
    """

    tv: float
    w1: float
    tv_split: float
    w1_split: float
    target_mass_in_range: float
    sample_fraction_in_range: float
    bins: int
    n_samples: int
    target: str


def _bin_masses(target: Density, edges: np.ndarray) -> np.ndarray:
    if target.cdf is not None:
        return np.diff(target.cdf(edges))
    pdf = target.pdf
    return np.array(
        [
            _integrate(lambda t: float(pdf(np.array([t]))[0]), a, b)
            for a, b in zip(edges, edges[1:], strict=False)
        ]
    )


def _w1(sorted_samples: np.ndarray, grid: np.ndarray, F: np.ndarray) -> float:
    Fn = np.searchsorted(sorted_samples, grid, side="right") / sorted_samples.size
    return float(integrate.trapezoid(np.abs(Fn - F), grid))


def compare_density(
    density: InvariantDensity, target: Density, *, grid: int = 8192
) -> DensityComparison:
    r"""TV and W1 between ``density`` and ``target``, with the split-half noise scale.

    W1 is integrated on ``grid`` points over the histogram range (its resolution is
    range/grid; the empirical CDF itself is exact).

    >>> from gdtheory.objectives import logistic_conjugate
    >>> x0s = np.random.default_rng(0).uniform(-1, 1, (64, 1))
    >>> d = invariant_density(logistic_conjugate(), x0s, h=1.0, steps=4000, bins=50, range=(-1, 1))
    >>> c = compare_density(d, arcsine_law())
    >>> bool(c.tv < 0.02), bool(c.w1 < 0.01)
    (True, True)
    """
    if not isinstance(density, InvariantDensity):
        raise InvalidInputError("density must be an InvariantDensity (see invariant_density)")
    grid = check_count(grid, "grid", 16)
    check_memory("the comparison grid", grid)
    if not isinstance(target, Density):
        raise InvalidInputError("target must be a Density (see gibbs_density, arcsine_law)")
    edges = density.edges
    q = _bin_masses(target, edges)
    mass = float(q.sum())
    S = density.samples
    inside = (S >= edges[0]) & (S <= edges[-1])
    frac = float(inside.mean())

    def tv_of(counts: np.ndarray, total: int, qq: np.ndarray) -> float:
        return 0.5 * float(np.abs(counts / total - qq).sum())

    xs = np.linspace(edges[0], edges[-1], grid)
    if target.cdf is not None:
        F = target.cdf(xs)
    else:
        pdf_vals = target.pdf(xs)
        F = integrate.cumulative_trapezoid(pdf_vals, xs, initial=0.0)
        F = F + _integrate(lambda t: float(target.pdf(np.array([t]))[0]), target.support[0], xs[0])
    flat = np.sort(S.ravel())
    half = max(1, S.shape[0] // 2)
    A, B = S[:half].ravel(), S[half:].ravel()
    if B.size == 0:  # one run: split it in time
        A, B = S.ravel()[: S.size // 2], S.ravel()[S.size // 2 :]
    ca, _ = np.histogram(A, bins=edges)
    cb, _ = np.histogram(B, bins=edges)
    tv_split = tv_of(ca, A.size, cb / B.size)
    sa, sb = np.sort(A), np.sort(B)
    Fa = np.searchsorted(sa, xs, side="right") / sa.size
    w1_split = _w1(sb, xs, Fa)
    return DensityComparison(
        tv=tv_of(density.counts, S.size, q),
        w1=_w1(flat, xs, F),
        tv_split=tv_split,
        w1_split=w1_split,
        target_mass_in_range=mass,
        sample_fraction_in_range=frac,
        bins=int(edges.size - 1),
        n_samples=int(S.size),
        target=target.name,
    )
