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
from ..continuous.principal_flow import BRANCHES, principal_flow
from ..core import budget
from ..core.objective import as_objective, numeric_objective
from ..core.outcomes import DIVERGED_PERIOD, AttractorKind
from ..core.parallel import map_pieces
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
    L_path : ndarray (m,)
        The largest sharpness along GD's iterates over the horizon at each h (NaN where
        GD left the bound 10^12).
    L_limit : ndarray (m,)
        The sharpness at GD's last iterate of the verdict run (``transient`` + 64 steps),
        where GD ends up (NaN if it diverged).  A fixed point x* is stable only for
        h L(x*) <= 2, so ``hs * L_limit`` crossing 2 marks where the minimiser GD reaches
        loses stability; the boundaries 1/L and 2/L of the start say nothing about that.
    integration_error : dict
        Model name -> ndarray (m,) of its integrator's own error estimate (the continued
        principal flow: the largest difference to the run with half the substeps, about 15
        times RK4's error; the adaptive integrators: the sum of their local estimates): a
        distance below it is integrator noise.
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
    L_path: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    L_limit: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    integration_error: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

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
        """One row per h: GD's verdict, each model's distance to GD (NaN where not computed),
        the best modified order, and h times the sharpness, largest along GD's path over the
        horizon and at GD's limit (stability of a fixed point needs the latter <= 2)."""
        names = list(self.errors)
        rows = tuple(
            (
                float(h),
                label,
                *(float(self.errors[n][i]) for n in names),
                int(self.best_order[i]) if self.best_order[i] >= 0 else "-",
                float(h * self.L_path[i]) if self.L_path.size else float("nan"),
                float(h * self.L_limit[i]) if self.L_limit.size else float("nan"),
            )
            for i, (h, label) in enumerate(zip(self.hs, self.labels, strict=True))
        )
        return Table(
            f"regime map: distance to GD over the horizon (1/L = {1 / self.L:.4g}, "
            f"2/L = {2 / self.L:.4g}, L the sharpness at the start)",
            ("h", "GD's verdict", *names, "best order", "h L max on path", "h L at limit"),
            rows,
        )

    def plot(self, ax: Any = None) -> Any:
        """Distance to GD against h (log-log) with 1/L and 2/L at the start, h L along GD's
        path and at its limit (right axis, with the line h L = 2), and the observed
        transitions (labels staggered so that they do not overlap); a model that could not
        be computed at some h is marked there (x on the axis, the reason in the legend)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 5))
        for name, err in self.errors.items():
            if name.startswith("modified p"):
                continue
            ok = np.isfinite(err) & (err > 0)
            (line,) = ax.loglog(self.hs[ok], err[ok], "o-", ms=3, lw=1, label=name)
            failed = [(h, why) for (model, h), why in self.failures.items() if model == name]
            if failed:
                kinds = sorted({why.split(":")[0] for _, why in failed})
                ax.plot(
                    [h for h, _ in failed],
                    [ax.get_ylim()[0]] * len(failed),
                    "x",
                    color=line.get_color(),
                    ms=7,
                    clip_on=False,
                    label=f"{name}: not computed ({len(failed)} h, {', '.join(kinds)})",
                )
        for v, lab in ((1 / self.L, "1/L"), (2 / self.L, "2/L")):
            ax.axvline(v, color="k", ls="--", lw=0.8)
            ax.text(v, ax.get_ylim()[1], f"{lab} (start)", fontsize=8, va="top")
        if self.L_limit.size and np.any(np.isfinite(self.L_limit)):
            right = ax.twinx()
            for vals, style, lab in (
                (self.L_path, ":", "h L, max along GD's path"),
                (self.L_limit, "-", "h L at GD's limit"),
            ):
                ok = np.isfinite(vals)
                right.plot(self.hs[ok], self.hs[ok] * vals[ok], style, color="0.4", lw=1, label=lab)
            right.axhline(2, color="0.4", lw=0.6)
            seen = self.hs * np.concatenate([self.L_path, self.L_limit]).reshape(2, -1)
            top = float(np.nanmax(seen)) if np.any(np.isfinite(seen)) else 3.0
            right.set_ylim(0, min(max(3.0, 1.1 * top), 6.0))  # a diverging run is cut off
            right.set_ylabel("h L (grey; a fixed point is stable for h L < 2)")
            right.legend(fontsize=7, loc="center right")
        self._transition_labels(ax)
        ax.set_xlabel("h")
        ax.set_ylabel("max distance to GD over [0, T]")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="upper left")
        return ax

    def _transition_labels(self, ax: Any) -> None:
        """A dotted line at each transition and its label, rotated, each raised above the
        labels already placed that it would overlap (measured on the figure)."""
        renderer = ax.figure.canvas.get_renderer()
        to_axes = ax.transAxes.inverted()
        placed: list[Any] = []
        for left, right, _, to in self.transitions:
            mid = float(np.sqrt(left * right))
            ax.axvline(mid, color="r", ls=":", lw=0.8)
            text = ax.text(
                mid,
                0.02,
                to,
                color="r",
                fontsize=7,
                rotation=90,
                va="bottom",
                transform=ax.get_xaxis_transform(),
            )
            for _ in range(len(placed) + 1):
                box = text.get_window_extent(renderer).expanded(1.0, 1.02)
                hit = [b for b in placed if b.overlaps(box)]
                if not hit:
                    break
                top = max(b.y1 for b in hit)
                text.set_y(float(to_axes.transform((0.0, top))[1]) + 0.01)
            placed.append(text.get_window_extent(renderer))


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
) -> tuple[list[AttractorKind], np.ndarray, np.ndarray, np.ndarray]:
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
    last = run.tail[-1]
    L_limit = np.array(
        [
            float(sharpness(obj, x)) if v is not AttractorKind.DIVERGED else np.nan
            for x, v in zip(last, out, strict=True)
        ]
    )
    return out, periods, lyap, L_limit


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


def _row(
    obj: Any,
    start: Any,
    x0_f: np.ndarray,
    me: Any,
    orders: tuple[int, ...],
    models: tuple[str, ...],
    dps: int,
    principal: str,
    h: Any,
    K: int,
) -> tuple[dict[str, float], dict[str, str], float, dict[str, float]]:
    """One learning rate: each model's distance to GD over K steps, why a model could not
    be computed, the largest sharpness along GD's K steps (NaN if GD left the bound), and
    the integrators' own error estimates where they give one."""
    iterates = gd(obj, start, h=h, steps=K, dps=dps, bound=mpmath.mpf(10) ** 12).iterates
    ts = [k * h for k in range(len(iterates))]
    runs: dict[str, Any] = {}
    if "gradient" in models:
        runs["gradient flow"] = partial(gradient_flow, obj, start, ts, dps=dps)
    if me is not None:
        for p in orders:
            runs[f"modified p = {p}"] = partial(modified_flow, me, start, ts, order=p, h=h, dps=dps)
    if "principal" in models:
        runs["principal flow"] = partial(
            principal_flow, obj, start, ts, h=h, dps=dps, branch=principal
        )
    if "central" in models:
        times_f = [float(t) for t in ts]
        runs["central flow"] = partial(central_flow, obj, x0_f, times_f, h=h, k=min(2, obj.dim))
    errs: dict[str, float] = {}
    fails: dict[str, str] = {}
    noise: dict[str, float] = {}
    for name, run in runs.items():
        try:
            sol = run()
        except GDTheoryError as exc:
            fails[name] = f"{type(exc).__name__}: {exc}"[:200]
            continue
        errs[name] = max_distance(sol.states, iterates, dps)
        estimate = getattr(sol, "error_estimate", None)
        if estimate is not None:
            noise[name] = float(estimate)
    path = np.array([[float(v) for v in x] for x in iterates])
    lmax = (
        float(max(sharpness(obj, x) for x in path)) if np.all(np.isfinite(path)) else float("nan")
    )
    return errs, fails, lmax, noise


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
    principal: str = "continued",
    executor: Any = None,
) -> RegimeMap:
    r"""The regime map of GD on ``objective`` from ``x0`` over the learning rates ``hs``:
    distances over the time ``time`` = T (floor(T/h) GD steps), or over ``steps`` GD steps
    at every h (then ``time`` is not given).

    ``principal``: the reading of the principal flow, ``"continued"`` (analytic
    continuation along its path, fixed-step RK4 with 64 substeps per h: numbers past
    h l = 1, as claim T11 reports them) or ``"principal"`` (the principal logarithm at every
    point, by an adaptive integrator that stops at the cut); see
    :func:`~gdtheory.continuous.principal_flow.principal_flow`.  ``executor``: a
    :class:`concurrent.futures.Executor` or a dask ``Client`` that computes the learning
    rates other than the smallest and the largest (the same numbers as a local run).

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
    if principal not in BRANCHES:
        raise InvalidInputError(f"principal must be one of {BRANCHES}, got {principal!r}")
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
    todo = [i for i, h in enumerate(rates) if _steps(fixed, T_e, h) >= 1]
    first = todo[:1] + todo[-1:] if len(todo) > 1 else todo
    rest = [i for i in todo if i not in first]
    job = (obj, start, x0_f, me, tuple(orders), tuple(models), dps, principal)
    rows: dict[int, tuple[Any, ...]] = {}
    cost: dict[int, float] = {}
    # the smallest and the largest h here, then the rest (here or on the executor), charged
    # at the cost of each h interpolated between those two, so that the budget covers the
    # total of the map
    for i in first:
        t0 = perf_counter()
        rows[i] = _row(*job, rates[i], _steps(fixed, T_e, rates[i]))
        cost[i] = perf_counter() - t0
    if rest:
        more = float(np.sum(np.interp(rest, sorted(cost), [cost[j] for j in sorted(cost)])))
        budget.charge(
            "the regime map",
            more,
            f"{len(rest)} more learning rates, the cost of each interpolated between the "
            f"smallest and the largest h ({min(cost.values()):.3g} to "
            f"{max(cost.values()):.3g} s)",
        )
        pieces = [(*job, rates[i], _steps(fixed, T_e, rates[i])) for i in rest]
        rows.update(zip(rest, map_pieces(_row, pieces, executor), strict=True))
    L_path = np.full(hs_f.size, np.nan)
    noise: dict[str, np.ndarray] = {}
    for i, (errs, fails, lmax, est) in rows.items():
        for name, value in errs.items():
            errors[name][i] = value
        for name, value in est.items():
            noise.setdefault(name, np.full(hs_f.size, np.nan))[i] = value
        failures.update({(name, float(hs_f[i])): why for name, why in fails.items()})
        L_path[i] = lmax
    failures = dict(sorted(failures.items(), key=lambda kv: kv[0][1]))  # by h
    for i in todo:
        if me is not None:
            row = [errors[f"modified p = {p}"][i] for p in orders]
            if np.any(np.isfinite(row)):
                j = int(np.nanargmin(row))
                best[i], errors["best modified"][i] = orders[j], row[j]
    verdicts, periods, lyap, L_limit = _verdicts(
        obj,
        x0_f,
        hs_f,
        check_count(transient, "transient", 1),
        check_count(max_period, "max_period", 2),
    )
    out = RegimeMap(
        hs_f, L, errors, best, failures, tuple(verdicts), periods, lyap, (), L_path, L_limit, noise
    )
    labels = out.labels
    transitions = tuple(
        (float(hs_f[i]), float(hs_f[i + 1]), labels[i], labels[i + 1])
        for i in range(hs_f.size - 1)
        if labels[i] != labels[i + 1]
    )
    return dataclasses.replace(out, transitions=transitions)
