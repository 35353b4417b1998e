r"""How large is large, for one objective and one start: the regime map.

For each learning rate h of a grid, :func:`regime_map` puts side by side

* the distance to GD over a time T, max_{kh <= T} |y(kh) - x_k|, of the continuous
  models: gradient flow, the modified flows of orders p in ``orders`` and the best of them
  (optimal truncation), the principal flow (:mod:`~gdtheory.continuous.principal_flow`)
  and the central flow (:mod:`~gdtheory.continuous.central_flow`), NaN where a model
  cannot be computed (the reason is kept);
* the dynamical verdict of GD itself from the start, an
  :class:`~gdtheory.core.outcomes.AttractorKind`: ``fixed point``, ``periodic`` (with its
  minimal period), ``chaotic`` (no period up to ``max_period``, largest Lyapunov exponent
  > 1e-3), ``non-periodic`` (no period and a non-positive exponent) or ``diverged``;

with the classical boundaries 1/L and 2/L (L = the sharpness at the start) and the
observed transitions: consecutive grid values of h where the verdict changes, which
bracket the bifurcation values to within the grid spacing.

GD and the flows other than the central flow run at ``dps`` digits; the verdict uses the
float64 engine (``transient`` steps, then period detection on the last 64 iterates, and
the Lyapunov exponent where no period is found).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from time import perf_counter
from typing import Any

import mpmath
import numpy as np

from ..backward_error.modified import modified_equation
from ..continuous.central_flow import central_flow
from ..continuous.flows import gradient_flow
from ..continuous.modified_flows import modified_flow
from ..continuous.principal_flow import principal_flow
from ..core import budget
from ..core.objective import as_objective, numeric_objective
from ..core.outcomes import DIVERGED_PERIOD, AttractorKind
from ..core.scalars import check_count, check_dps, exact_rates, exact_real, finite_float
from ..core.tables import Table
from ..dynamics.diagrams import detect_periods
from ..dynamics.lyapunov import lyapunov_batch
from ..dynamics.run import run as run_method
from ..dynamics.trajectories import gd
from ..errors import GDTheoryError, InvalidInputError
from ..landscape.sharpness import sharpness
from ..methods.optimizers import GD

__all__ = ["MODELS", "RegimeMap", "regime_map", "max_distance"]

MODELS = ("gradient", "modified", "principal", "central")


@dataclass(frozen=True)
class RegimeMap:
    """The regime map (module docstring).

    Attributes
    ----------
    hs : ndarray (m,)
    L : float
        The sharpness at the start; the boundaries are 1/L and 2/L.
    errors : dict
        Model name ("gradient flow", "modified p = 1", ..., "best modified",
        "principal flow", "central flow") -> ndarray (m,) of distances to GD (NaN where
        not computed).
    best_order : ndarray of int (m,)
        The order of the best modified flow at each h (-1 if none).
    failures : dict
        (model name, h) -> why the model could not be computed.
    verdicts : tuple of AttractorKind (m,)
    periods : ndarray of int (m,)
        The minimal period where the verdict is ``periodic`` (1 for a fixed point, 0 if
        diverged, -1 where no period <= max_period was found), or the period approached
        where it is ``slowly converging`` (:func:`slow_period`).
    lyapunov : ndarray (m,)
        The largest Lyapunov exponent where it was computed (NaN elsewhere).
    transitions : tuple of (h_left, h_right, label_left, label_right)
        Consecutive h whose :attr:`labels` differ.
    """

    hs: np.ndarray = field(repr=False)
    L: float
    errors: dict[str, np.ndarray] = field(repr=False)
    best_order: np.ndarray = field(repr=False)
    failures: dict[tuple[str, float], str] = field(repr=False)
    verdicts: tuple[AttractorKind, ...] = field(repr=False)
    periods: np.ndarray = field(repr=False)
    lyapunov: np.ndarray = field(repr=False)
    transitions: tuple[tuple[float, float, str, str], ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """The verdicts in words, with the period: "fixed point", "period 4", "chaotic",
        "slowly converging to a fixed point", "slowly converging to period 2"."""

        def word(v: AttractorKind, p: int) -> str:
            if v is AttractorKind.PERIODIC:
                return f"period {p}"
            if v is AttractorKind.SLOW:
                return f"{v} to " + ("a fixed point" if p == 1 else f"period {p}")
            return str(v)

        return tuple(word(v, int(p)) for v, p in zip(self.verdicts, self.periods, strict=True))

    def trust(self, tol: Any) -> dict[str, float | None]:
        """Per model, the largest h of the map up to which it stays within ``tol`` of GD
        over the horizon at *every* h from the smallest on (None: not even at the smallest
        h; a failure or a missing value ends the run of h).

        >>> rm = regime_map("x**2/2 + x**4/4", [1], hs=["1/20", "1/10", "1/5"], time=1,
        ...                 models=("gradient",))
        >>> rm.trust(0.05)["gradient flow"], rm.trust(1e-6)["gradient flow"]
        (0.1, None)
        """
        t = finite_float(tol, "tol", positive=True)
        out: dict[str, float | None] = {}
        for name, err in self.errors.items():
            ok = np.isfinite(err) & (err <= t)
            n = int(np.argmin(ok)) if not np.all(ok) else ok.size
            out[name] = float(self.hs[n - 1]) if n else None
        return out

    def table(self) -> Table:
        """One row per h: GD's verdict, each model's distance to GD (NaN where not computed)
        and the best modified order."""
        names = list(self.errors)
        rows = tuple(
            (
                float(h),
                label,
                *(float(self.errors[n][i]) for n in names),
                int(self.best_order[i]) if self.best_order[i] >= 0 else "-",
            )
            for i, (h, label) in enumerate(zip(self.hs, self.labels, strict=True))
        )
        return Table(
            f"regime map: distance to GD over the horizon (1/L = {1 / self.L:.4g}, "
            f"2/L = {2 / self.L:.4g}, L the sharpness at the start)",
            ("h", "GD's verdict", *names, "best order"),
            rows,
        )

    def plot(self, ax: Any = None) -> Any:
        """Distance to GD against h (log-log) with 1/L, 2/L and the observed transitions;
        a model that could not be computed at some h is marked there (x on the axis)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 5))
        for name, err in self.errors.items():
            if name.startswith("modified p"):
                continue
            ok = np.isfinite(err) & (err > 0)
            (line,) = ax.loglog(self.hs[ok], err[ok], "o-", ms=3, lw=1, label=name)
            failed = [h for (model, h) in self.failures if model == name]
            if failed:
                ax.plot(
                    failed,
                    [ax.get_ylim()[0]] * len(failed),
                    "x",
                    color=line.get_color(),
                    ms=7,
                    clip_on=False,
                    label=f"{name}: not computed ({len(failed)} h, see rm.failures)",
                )
        for v, lab in ((1 / self.L, "1/L"), (2 / self.L, "2/L")):
            ax.axvline(v, color="k", ls="--", lw=0.8)
            ax.text(v, ax.get_ylim()[1], lab, fontsize=8, va="top")
        for left, right, _, to in self.transitions:
            mid = np.sqrt(left * right)
            ax.axvline(mid, color="r", ls=":", lw=0.8)
            ax.text(mid, ax.get_ylim()[0], to, color="r", fontsize=7, rotation=90, va="bottom")
        ax.set_xlabel("h")
        ax.set_ylabel("max distance to GD over [0, T]")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
        return ax


def max_distance(states: Any, iterates: Any, dps: int) -> float:
    """max over the common grid times of the largest coordinate distance (complex-safe)."""
    with mpmath.workdps(dps):
        return float(
            max(
                abs(mpmath.mpmathify(a) - b)
                for s, xk in zip(states, iterates, strict=False)
                for a, b in zip(s, xk, strict=True)
            )
        )


def _verdicts(
    obj: Any, x0: np.ndarray, hs: np.ndarray, transient: int, max_period: int
) -> tuple[list[AttractorKind], np.ndarray, np.ndarray]:
    run = run_method(
        GD(), obj, np.broadcast_to(x0, (hs.size, x0.size)), hs=hs, steps=transient + 64, keep=64
    )
    periods = detect_periods(run.tail, max_period=max_period)
    lyap = np.full(hs.size, np.nan)
    todo = np.nonzero(periods < 0)[0]
    if todo.size:
        lb = lyapunov_batch(obj, run.x[todo], hs=hs[todo], steps=4000, transient=0)
        lyap[todo] = lb.exponents[..., 0]
    out = []
    for i, (p, lam) in enumerate(zip(periods, lyap, strict=True)):
        if p == DIVERGED_PERIOD:
            out.append(AttractorKind.DIVERGED)
        elif p == 1:
            out.append(AttractorKind.FIXED_POINT)
        elif p > 1:
            out.append(AttractorKind.PERIODIC)
        elif lam > 1e-3:
            out.append(AttractorKind.CHAOTIC)
        else:
            q = slow_period(run.tail[:, i], max_period)
            out.append(AttractorKind.SLOW if q else AttractorKind.NON_PERIODIC)
            periods[i] = q or periods[i]
    return out, periods, lyap


def slow_period(tail: np.ndarray, max_period: int) -> int:
    """The smallest q <= max_period for which d_k = max |x_(k+q) - x_k| falls at every
    step of the tail (iterates along axis 0) and by less than a factor 20 over it: a run
    still approaching a q-cycle (q = 1: a fixed point) sub-geometrically; 0 if none.  A
    geometric approach at a rate below 0.95 per step would have reached the cycle.

    >>> x = [1 + (-1) ** k / np.sqrt(k) for k in range(1000, 1064)]  # |x - 1| ~ k^(-1/2)
    >>> slow_period(np.array(x)[:, None], 8)
    1
    """
    X = np.asarray(tail, dtype=float)
    for q in range(1, max_period + 1):
        if X.shape[0] <= q + 2:
            break
        d = np.max(np.abs(X[q:] - X[:-q]), axis=-1)
        if np.all(np.isfinite(d)) and d[-1] > 0 and np.all(np.diff(d) < 0) and d[-1] > d[0] / 20:
            return q
    return 0


def _steps(fixed: int | None, T: Any, h: Any) -> int:
    """GD steps at h: the fixed number, or floor(T / h)."""
    return fixed if fixed is not None else int(mpmath.floor(T / h))


def regime_map(
    objective: Any,
    x0: Any,
    *,
    hs: Sequence[Any],
    time: Any = None,
    steps: int | None = None,
    orders: Sequence[int] = (1, 2),
    models: Sequence[str] = MODELS,
    dps: int = 20,
    transient: int = 2000,
    max_period: int = 32,
) -> RegimeMap:
    r"""The regime map of GD on ``objective`` from ``x0`` over the learning rates ``hs``:
    distances over the time ``time`` = T (floor(T/h) GD steps), or over ``steps`` GD steps
    at every h (then ``time`` is not given).

    >>> rm = regime_map("x**2/2", [1], hs=["1/2", "3/2", "5/2"], time=2, models=("gradient",))
    >>> rm.labels, rm.transitions[0][3]
    (('fixed point', 'fixed point', 'diverged'), 'diverged')
    """
    obj = numeric_objective(as_objective(objective))
    rates = exact_rates(hs)
    if not rates:
        raise InvalidInputError("hs is empty")
    hs_f = np.array([float(r) for r in rates])
    if np.any(np.diff(hs_f) <= 0):
        raise InvalidInputError("hs must be increasing")
    if (time is None) == (steps is None):
        raise InvalidInputError("give either the time or the number of steps, not both")
    fixed: int | None = None
    T_e: Any = None
    if steps is not None:
        fixed = check_count(steps, "steps", 1)
    else:
        T_e = exact_real(time, "time")
        if not T_e > 0:
            raise InvalidInputError(f"time must be > 0, got {time!r}")
    dps = check_dps(dps)
    orders = [check_count(p, "each order", 1) for p in orders]
    if isinstance(models, str) or not isinstance(models, Sequence):
        raise InvalidInputError(f"models must be a sequence of names from {MODELS}")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise InvalidInputError(f"unknown model(s) {unknown}; choose from {MODELS}")
    with mpmath.workdps(dps):
        start = obj.point_mp(x0)
    x0_f = np.array([float(v) for v in start])
    L = float(sharpness(obj, x0_f))
    names = (
        (["gradient flow"] if "gradient" in models else [])
        + (
            [f"modified p = {p}" for p in orders] + ["best modified"]
            if "modified" in models and orders
            else []
        )
        + (["principal flow"] if "principal" in models else [])
        + (["central flow"] if "central" in models else [])
    )
    errors = {name: np.full(hs_f.size, np.nan) for name in names}
    best = np.full(hs_f.size, -1)
    failures: dict[tuple[str, float], str] = {}
    me = modified_equation(obj, max(orders)) if "modified" in models and orders else None
    # the smallest and the largest h first, then the others; after each, the rest is
    # charged at the cost of each h interpolated between the h done, so that the budget
    # covers the total of the map
    todo = [i for i, h in enumerate(rates) if _steps(fixed, T_e, h) >= 1]
    order = todo[:1] + todo[-1:] + todo[1:-1] if len(todo) > 1 else todo
    cost: dict[int, float] = {}
    for i in order:
        h = rates[i]
        K = _steps(fixed, T_e, h)
        t0 = perf_counter()
        iterates = gd(obj, start, h=h, steps=K, dps=dps, bound=mpmath.mpf(10) ** 12).iterates
        ts = [k * h for k in range(len(iterates))]
        runs: dict[str, Any] = {}
        if "gradient" in models:
            runs["gradient flow"] = partial(gradient_flow, obj, start, ts, dps=dps)
        if me is not None:
            for p in orders:
                runs[f"modified p = {p}"] = partial(
                    modified_flow, me, start, ts, order=p, h=h, dps=dps
                )
        if "principal" in models:
            runs["principal flow"] = partial(principal_flow, obj, start, ts, h=h, dps=dps)
        if "central" in models:
            times_f = [float(t) for t in ts]
            runs["central flow"] = partial(central_flow, obj, x0_f, times_f, h=h, k=min(2, obj.dim))
        for name, run in runs.items():
            try:
                errors[name][i] = max_distance(run().states, iterates, dps)
            except GDTheoryError as exc:
                failures[(name, float(h))] = f"{type(exc).__name__}: {exc}"[:200]
        cost[i] = perf_counter() - t0
        left = [j for j in todo if j not in cost]
        if left:
            more = float(np.sum(np.interp(left, sorted(cost), [cost[j] for j in sorted(cost)])))
            budget.charge(
                "the regime map",
                more,
                f"{len(left)} more learning rates, the cost of each interpolated between "
                f"the {len(cost)} done ({min(cost.values()):.3g} to {max(cost.values()):.3g} s)",
            )
    failures = dict(sorted(failures.items(), key=lambda kv: kv[0][1]))  # by h
    for i in todo:
        if me is not None:
            row = [errors[f"modified p = {p}"][i] for p in orders]
            if np.any(np.isfinite(row)):
                j = int(np.nanargmin(row))
                best[i], errors["best modified"][i] = orders[j], row[j]
    verdicts, periods, lyap = _verdicts(
        obj,
        x0_f,
        hs_f,
        check_count(transient, "transient", 1),
        check_count(max_period, "max_period", 2),
    )
    out = RegimeMap(hs_f, L, errors, best, failures, tuple(verdicts), periods, lyap, ())
    labels = out.labels
    transitions = tuple(
        (float(hs_f[i]), float(hs_f[i + 1]), labels[i], labels[i + 1])
        for i in range(hs_f.size - 1)
        if labels[i] != labels[i + 1]
    )
    return dataclasses.replace(out, transitions=transitions)
