r"""Weak errors of gradient flow and of the SMEs against SGD, measured by Monte Carlo.

For each learning rate h the study estimates E phi(x_k) of SGD with replacement
(k = T/h steps, ``paths`` runs) and compares it with E phi at time T of

* gradient flow dx/dt = -grad f (deterministic, integrated at 30 digits),
* the order-1 and order-2 SMEs (Li, Tai and E, JMLR 2019, Theorem 3): by their exact
  moment equations when every f_i is quadratic and phi has degree <= 2
  (:mod:`gdtheory.dynamics.moments`), else by the weak order-2 scheme of
  :mod:`gdtheory.dynamics.stochastic` on ``paths`` paths with step h / ``substeps``.

The weak error e(h) = E phi(model at T) - E phi(x_{T/h}) has a standard error from the
Monte Carlo noise (SGD's, plus the SME's when it is simulated).  The weak order is the
weighted least-squares slope of log|e| against log h over the *resolved* points (|e|
at least 3 standard errors), weights from the noise (var log|e| ~ (se/e)^2); its 95%
interval is slope +- 1.96 standard errors of the slope, from the Monte Carlo noise
alone.  Li, Tai and E predict about 1 for gradient flow and the order-1 SME and about
2 for the order-2 SME, on an observable the noise changes at first order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..backward_error.sme import stochastic_modified_equation
from ..continuous.flows import gradient_flow
from ..core.finite_sums import finite_sum
from ..core.objective import Objective, numeric_objective
from ..core.scalars import (
    RealLike,
    check_count,
    exact_rates,
    exact_real,
    point_coordinates,
    real_array,
)
from ..dynamics.moments import quadratic_expectation, sgd_moments, sme_moments
from ..dynamics.run import check_seed
from ..dynamics.stochastic import check_sgd_cost, sgd_samples, sme_samples
from ..errors import InvalidInputError

__all__ = ["MODELS", "WeakOrder", "WeakErrorStudy", "weak_order", "weak_error_study"]

MODELS = ("gradient flow", "SME order 1", "SME order 2")


@dataclass(frozen=True)
class WeakOrder:
    """A fitted weak order: slope, its standard error and 95% interval from the noise,
    and the number of resolved points it used (None when fewer than two)."""

    slope: float | None
    stderr: float | None
    resolved: int

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.slope is None or self.stderr is None:
            return None
        return (self.slope - 1.96 * self.stderr, self.slope + 1.96 * self.stderr)

    def __str__(self) -> str:
        if self.slope is None:
            return f"unresolved ({self.resolved} point(s) above 3 standard errors)"
        lo, hi = self.interval  # type: ignore[misc]
        return f"{self.slope:.2f} (95%: {lo:.2f}..{hi:.2f}, {self.resolved} points)"


def weak_order(
    errors: Sequence[float], stderrs: Sequence[float], *, hs: Sequence[float]
) -> WeakOrder:
    """Weighted slope of log|e| on log h over the points with |e| >= 3 se.

    >>> str(weak_order([1e-2, 2.5e-3, 6.25e-4], [1e-5, 1e-5, 1e-5], hs=[0.1, 0.05, 0.025]))
    '2.00 (95%: 1.99..2.01, 3 points)'
    """
    H, E, S = (
        real_array(v, name).reshape(-1)
        for v, name in ((hs, "hs"), (errors, "errors"), (stderrs, "stderrs"))
    )
    if not H.shape == E.shape == S.shape:
        raise InvalidInputError(
            f"hs, errors and stderrs must have one length, got {H.size}, {E.size}, {S.size}"
        )
    if not (np.all(np.isfinite(H)) and np.all(H > 0)):
        raise InvalidInputError("hs must be finite and > 0")
    if np.any(S < 0) or np.any(np.isnan(S)):
        raise InvalidInputError("stderrs must be >= 0")
    pts = [
        (math.log(h), math.log(abs(e)), (s / abs(e)) ** 2)
        for h, e, s in zip(H.tolist(), E.tolist(), S.tolist(), strict=True)
        if math.isfinite(e) and math.isfinite(s) and s > 0 and abs(e) >= 3 * s
    ]
    if len(pts) < 2:
        return WeakOrder(None, None, len(pts))
    w = np.array([1 / v for _, _, v in pts])
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    xm = float(w @ x / w.sum())
    sxx = float(w @ (x - xm) ** 2)
    slope = float(w @ ((x - xm) * (y - float(w @ y / w.sum())))) / sxx
    return WeakOrder(slope, math.sqrt(1 / sxx), len(pts))


@dataclass(frozen=True)
class WeakErrorStudy:
    """``errors[j][i]``: model ``MODELS[j]`` minus SGD at ``hs[i]``; ``stderrs`` the same
    shape; ``exact_errors`` the same quantities from the exact moments of both sides
    (quadratic f_i and phi only, else None)."""

    problem: str
    observable: str
    time: float
    paths: int
    batch: int
    sme_method: str
    hs: tuple[float, ...]
    sgd_means: tuple[float, ...]
    sgd_stderrs: tuple[float, ...]
    model_means: tuple[tuple[float, ...], ...]
    errors: tuple[tuple[float, ...], ...]
    stderrs: tuple[tuple[float, ...], ...]
    orders: tuple[WeakOrder, ...]
    exact_errors: tuple[tuple[float, ...], ...] | None

    def table(self) -> str:
        head = "h        E phi(SGD) +- se    " + "  ".join(f"{m:>22}" for m in MODELS)
        lines = [head]
        for i, h in enumerate(self.hs):
            cells = "  ".join(
                f"{self.errors[j][i]:+.3e} +- {self.stderrs[j][i]:.1e}" for j in range(len(MODELS))
            )
            lines.append(f"{h:<8.4g} {self.sgd_means[i]:.6f} +- {self.sgd_stderrs[i]:.1e}  {cells}")
        lines.append(
            "weak orders: "
            + "; ".join(f"{m} {o}" for m, o in zip(MODELS, self.orders, strict=True))
        )
        return "\n".join(lines)


def _quadratic(objs: list[Objective], phi: Objective) -> bool:
    syms = objs[0].symbols
    return all(
        e.is_polynomial(*syms) and sp.Poly(e, *syms).total_degree() <= 2
        for e in [o.expr for o in objs] + [phi.expr]
    )


def weak_error_study(
    objectives: Sequence[Objective | str],
    x0: Sequence[RealLike],
    observable: Objective | str,
    *,
    hs: Sequence[RealLike],
    time: RealLike = 1,
    paths: int = 10**6,
    batch: int = 1,
    substeps: int = 8,
    seed: int = 0,
    executor: Any = None,
) -> WeakErrorStudy:
    r"""Monte Carlo weak errors of gradient flow and the order-1/2 SMEs against SGD
    (``executor``: the sample paths in blocks on an executor or a dask ``Client``, the
    same numbers as locally).

    >>> s = weak_error_study(["(x-1)**2", "(x+1)**2/4"], ["2"], "x**2",
    ...                      hs=["1/4", "1/8"], paths=20_000, seed=1)
    >>> s.sme_method
    'exact moment equations'
    >>> abs(s.errors[2][0]) < abs(s.errors[1][0])      # order 2 beats order 1 at h = 1/4
    True
    """
    objs = [numeric_objective(o) for o in finite_sum(objectives)]
    syms = objs[0].symbols
    if isinstance(observable, str):
        observable = Objective.parse(observable, symbols=[s.name for s in syms])
    phi = numeric_objective(observable)
    if phi.symbols != syms:
        raise InvalidInputError("the observable must use the state symbols of the f_i")
    rates = exact_rates(hs)
    T = exact_real(time, "time")
    paths = check_count(paths, "paths", 2)
    batch = check_count(batch, "batch", 1)
    steps = []
    for r in rates:
        k = T / r
        if not (k.is_Integer and k >= 1):
            raise InvalidInputError(f"time / h must be a positive integer, got T = {T}, h = {r}")
        steps.append(int(k))
    start = [exact_real(v, "x0") for v in point_coordinates(x0, len(syms))]
    for k in steps:  # refuse before the flow is integrated
        check_sgd_cost(k, paths, len(objs), len(syms), batch)
    exact = _quadratic(objs, phi)
    smes = [stochastic_modified_equation(objs, order, batch=batch) for order in (1, 2)]
    seeds = np.random.SeedSequence(check_seed(seed)).spawn(3 * len(rates))
    x0f = [float(v) for v in start]
    with mpmath.workdps(30):
        f = Objective(smes[0].potential, syms)  # the order-1 SME's potential is f itself
        flow = gradient_flow(f, start, [T], dps=30).states[-1]
        gf = float(phi.f_mp(flow))
    sgd_m: list[float] = []
    sgd_s: list[float] = []
    means: list[list[float]] = [[], [], []]
    errs: list[list[float]] = [[], [], []]
    ses: list[list[float]] = [[], [], []]
    exact_errs: list[list[float]] = [[], [], []]
    for i, (r, k) in enumerate(zip(rates, steps, strict=True)):
        X = sgd_samples(
            objs, x0f, h=r, steps=k, paths=paths, batch=batch, seed=seeds[3 * i], executor=executor
        )
        v = phi.f_np(X)
        if not np.all(np.isfinite(v)):
            raise InvalidInputError(
                f"SGD left float range on {int(np.sum(~np.isfinite(v)))} paths at h = {r}"
            )
        mean, se = float(v.mean()), float(v.std(ddof=1) / math.sqrt(paths))
        sgd_m.append(mean)
        sgd_s.append(se)
        model = [(gf, 0.0)]
        for j, sme in enumerate(smes):
            if exact:
                mu, M = sme_moments(sme, start, h=r, time=T)
                model.append((float(quadratic_expectation(phi, mu, M, syms)), 0.0))
            else:
                Y = phi.f_np(
                    sme_samples(
                        sme,
                        x0f,
                        h=r,
                        time=T,
                        paths=paths,
                        substeps=substeps,
                        seed=seeds[3 * i + 1 + j],
                        executor=executor,
                    )
                )
                model.append((float(np.mean(Y)), float(np.std(Y, ddof=1) / math.sqrt(paths))))
        if exact:
            mu, M = sgd_moments(objs, start, h=r, steps=k, batch=batch)
            sgd_exact = float(quadratic_expectation(phi, mu, M, syms))
        for j, (val, s) in enumerate(model):
            means[j].append(val)
            errs[j].append(val - mean)
            ses[j].append(math.hypot(se, s))
            if exact:
                exact_errs[j].append(val - sgd_exact)
    hf = tuple(float(r) for r in rates)
    orders = tuple(weak_order(errs[j], ses[j], hs=hf) for j in range(3))
    method = (
        "exact moment equations"
        if exact
        else f"Monte Carlo, weak order-2 scheme, step h/{substeps}"
    )
    return WeakErrorStudy(
        "SGD with replacement on f_i = " + ", ".join(o.name for o in objs) + f" from x0 = {x0f}",
        phi.name,
        float(T),
        paths,
        batch,
        method,
        hf,
        tuple(sgd_m),
        tuple(sgd_s),
        tuple(tuple(m) for m in means),
        tuple(tuple(e) for e in errs),
        tuple(tuple(s) for s in ses),
        orders,
        tuple(tuple(e) for e in exact_errs) if exact else None,
    )
