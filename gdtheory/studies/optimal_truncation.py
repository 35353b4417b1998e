r"""Optimal truncation of the modified equation, measured: when higher order is worse.

The modified field F_h = sum_k h^k F_k of GD is in general a divergent (Gevrey-1) series
(:mod:`gdtheory.backward_error.series`): |F_k(x)| ~ K k! C^k.  Truncating it after order
p, the time-h flow of F^{[p]} = sum_{k<=p} h^k F_k differs from one GD step by about
h^{p+2} |F_{p+1}| (the first omitted term; Hairer-Lubich-Wanner, Geometric Numerical
Integration, IX.7), which *decreases* with p only while (p + 1) C h < 1.  So at fixed h
the one-step error as a function of p has a minimum near N*(h) = 1/(C h) - 1 and grows
beyond it, and the minimum is exponentially small in 1/h:

    min_p |phi^{[p]}_h(x0) - Phi_h(x0)|  ~  h K sqrt(2 pi/(C h)) exp(-1/(C h))

(HLW Thm IX.7.6: an exponentially small error for the optimally truncated field).  This
is the precise form of the source's "if h is too large, higher-order modified equations may
even lead to worse approximation".

:func:`truncation_scan` measures the one-step errors for a list of h and orders p, each
flow integrated at high precision (Gragg-Bulirsch-Stoer extrapolation,
:func:`gdtheory.continuous.flows.integrate_flow`), against the exact GD step;
takes the minimum over p for every h; fits  log e_min(h) = a - c/h  by least squares; and
sets the measured c and argmin orders beside the predictions 1/C and N*(h) of the
coefficients' envelope fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from ..backward_error.modified import modified_equation
from ..backward_error.series import SeriesDiagnostics, series_diagnostics
from ..continuous.flows import integrate_flow
from ..core.compiled import compile_mp
from ..core.gdmap import MP, gd_step
from ..core.objective import Objective, numeric_objective
from ..core.scalars import RealLike, check_count, check_dps, check_orders, exact_rates, to_mpf
from ..core.tables import Table
from ..errors import FlowBlowUpError, FlowIntegrationError, InvalidInputError

__all__ = ["TruncationScan", "truncation_scan", "DEFAULT_ORDERS"]

#: Orders scanned by default: every order to 20, then sparser.
DEFAULT_ORDERS: tuple[int, ...] = (*range(0, 21), 22, 24, 26, 28, 30, 33, 36, 40)


@dataclass(frozen=True)
class TruncationScan:
    """One-step errors of the order-p modified flows against GD, and their minimum over p.

    Attributes
    ----------
    description : str
    hs : tuple of float
    orders, errors : tuple (per h) of tuples
        The orders p scanned at that h and |phi^{[p]}_h(x0) - Phi_h(x0)| (max norm; inf
        where the truncated flow blows up, nan where it was not integrated in the cap).
    best_orders, best_errors : tuple
        argmin_p and min_p of the errors, per h.
    predicted_orders, predicted_errors : tuple
        N*(h) and h K min_k k! (C h)^k from the coefficients' Gevrey-1 fit.
    c, c_error, intercept : float
        The fit  log e_min = intercept - c/h  and the standard error of c.
    growth_constant : float
        C of the coefficients' fit (1/C is the predicted c).
    """

    description: str
    hs: tuple[float, ...]
    orders: tuple[tuple[int, ...], ...]
    errors: tuple[tuple[float, ...], ...]
    best_orders: tuple[int, ...]
    best_errors: tuple[float, ...]
    predicted_orders: tuple[int, ...]
    predicted_errors: tuple[float, ...]
    c: float
    c_error: float
    intercept: float
    growth_constant: float
    diagnostics: SeriesDiagnostics = field(repr=False)

    def table(self) -> Table:
        rows = tuple(
            (
                f"{h:g}",
                p_best,
                e_best,
                p_pred,
                e_pred,
                max(p for p, e in zip(ps, es, strict=True) if math.isfinite(e)),
            )
            for h, ps, es, p_best, e_best, p_pred, e_pred in zip(
                self.hs,
                self.orders,
                self.errors,
                self.best_orders,
                self.best_errors,
                self.predicted_orders,
                self.predicted_errors,
                strict=True,
            )
        )
        return Table(
            f"optimal truncation, {self.description}: one-step error min over p",
            ("h", "argmin p", "min error", "N*(h) predicted", "predicted error", "max p"),
            rows,
        )


def _fit_exponential(hs: Sequence[float], mins: Sequence[float]) -> tuple[float, float, float]:
    """Least squares log e = a - c/h; returns (c, standard error of c, a)."""
    x = np.array([1.0 / h for h in hs])
    y = np.log(np.array(mins))
    X = np.column_stack([np.ones_like(x), -x])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    if len(hs) > 2:
        var = float(resid @ resid) / (len(hs) - 2)
        se = math.sqrt(var * float(np.linalg.inv(X.T @ X)[1, 1]))
    else:
        se = math.nan
    return float(coef[1]), se, float(coef[0])


def truncation_scan(
    objective: Objective | str,
    x0: Any,
    *,
    hs: Sequence[RealLike],
    orders: Sequence[int] = DEFAULT_ORDERS,
    series_order: int = 60,
    dps: int = 20,
    tol: RealLike = "1e-14",
    rise: float = 100.0,
) -> TruncationScan:
    r"""Measure the one-step error of the order-p modified flow against GD for p in ``orders``.

    At each h the scan stops early once the error has risen ``rise``-fold above its
    minimum so far and three orders have passed since (the remaining orders only grow).

    Parameters
    ----------
    objective : Objective or text
    x0 : start (exact strings honoured)
    hs : learning rates
    orders : increasing orders p to try
    series_order : coefficients for the growth fit (>= 40 for a verdict)
    dps, tol : digits of the flow integration and its local tolerance

    Examples
    --------
    >>> s = truncation_scan("log(1+exp(-x))", ["1/2"], hs=[3], orders=range(0, 16, 3))
    >>> s.best_orders[0] >= 6, s.best_errors[0] < s.errors[0][0] / 100
    (True, True)
    """
    obj = numeric_objective(objective)
    dps = check_dps(dps)
    h_exact = exact_rates(hs)
    order_list = check_orders(orders, increasing=True)
    series_order = check_count(series_order, "series_order", 1)
    me = modified_equation(obj, max(order_list[-1], series_order))
    diag = series_diagnostics(me, x0, order=series_order)
    if diag.kind != "divergent":
        raise InvalidInputError(
            f"the modified series of {obj.name} at x0 is {diag.kind}, not divergent: "
            f"there is no optimal truncation to measure ({diag.statement})"
        )
    compiled: dict[int, Any] = {}

    def coefficient(k: int) -> Any:
        """F_k compiled on first use (a scan that stops early never compiles the rest)."""
        if k not in compiled:
            compiled[k] = compile_mp(list(me.fields[k]), me.symbols)
        return compiled[k]

    all_orders, all_errors, best_p, best_e, pred_p, pred_e = [], [], [], [], [], []
    for h in h_exact:
        with mpmath.workdps(dps + 10):
            hm = to_mpf(h)
            start = obj.point_mp(x0, "x0")
            gd1 = gd_step(obj, start, hm, MP)
        ps, es = [], []
        for p in order_list:
            e = _one_step_error(coefficient, p, hm, start, gd1, dps, tol)
            ps.append(p)
            es.append(e)
            finite = [v for v in es if math.isfinite(v)]
            if finite:
                j = min(range(len(es)), key=lambda i: es[i] if math.isfinite(es[i]) else math.inf)
                if len(es) - 1 - j >= 3 and (not math.isfinite(e) or e > rise * es[j]):
                    break
        finite_pairs = [(p, e) for p, e in zip(ps, es, strict=True) if math.isfinite(e)]
        if not finite_pairs:
            raise FlowIntegrationError(f"no truncated flow could be integrated at h = {h}")
        p_b, e_b = min(finite_pairs, key=lambda t: t[1])
        t = diag.optimal_truncation(float(h))
        all_orders.append(tuple(ps))
        all_errors.append(tuple(es))
        best_p.append(p_b)
        best_e.append(e_b)
        pred_p.append(t.order)
        pred_e.append(t.local_error)
    hf = [float(h) for h in h_exact]
    if len(hf) >= 2:
        c, c_err, a = _fit_exponential(hf, best_e)
    else:
        c, c_err, a = math.nan, math.nan, math.nan
    assert diag.growth is not None
    return TruncationScan(
        f"GD on f = {obj.name} from x0 = {x0!r}",
        tuple(hf),
        tuple(all_orders),
        tuple(all_errors),
        tuple(best_p),
        tuple(best_e),
        tuple(pred_p),
        tuple(pred_e),
        c,
        c_err,
        a,
        diag.growth.constant,
        diag,
    )


def _one_step_error(
    coefficient: Any,
    p: int,
    h: mpmath.mpf,
    start: Sequence[mpmath.mpf],
    gd1: Sequence[mpmath.mpf],
    dps: int,
    tol: RealLike,
) -> float:
    """|flow of sum_{k<=p} h^k F_k for time h from start - one GD step| (max norm)."""

    def field_p(y: Sequence[mpmath.mpf]) -> list[mpmath.mpf]:
        out = [mpmath.mpf(0)] * len(y)
        hk = mpmath.mpf(1)
        for k in range(p + 1):
            out = [o + hk * c for o, c in zip(out, coefficient(k)(y), strict=True)]
            hk *= h
        return out

    try:
        sol = integrate_flow(field_p, start, [h], dps=dps, tol=tol, max_evaluations=50_000)
    except FlowBlowUpError:
        return math.inf
    except FlowIntegrationError:
        return math.nan
    with mpmath.workdps(dps + 10):
        return float(max(abs(a - b) for a, b in zip(sol.states[-1], gd1, strict=True)))
