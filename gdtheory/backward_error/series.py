r"""Diagnostics of the modified-field series at a point: coefficients and radius in h.

At a point x the modified field is the power series  F_h(x) = sum_k c_k h^k  with vector
coefficients c_k = F_k(x) (:func:`gdtheory.modified_equation`).  Its radius of
convergence R = 1 / limsup |c_k|^{1/k} is estimated three ways from a_k = |c_k|_inf:

* root test:    R_k = a_k^{-1/k}                    (always defined, converges slowly);
* ratio test:   R_k = a_{k-1}/a_k                   (needs a_k/a_{k-1} to settle);
* Domb-Sykes:   fit a_k/a_{k-1} = (1/R)(1 + beta/k + gamma/k^2) over the last half of
  the coefficients and read 1/R off the intercept at 1/k = 0 (C. Domb, M. F. Sykes, Proc.
  R. Soc. A 240 (1957) 214; the standard tool of series analysis).

The confidence statement says which applies: ratios that settle on a smooth curve in
1/k (a nearest real singularity, as for quadratics, where R = 1/L exactly) give a
high-confidence Domb-Sykes estimate; ratios that jump about (complex-conjugate
singularities, typical of nonlinear objectives) leave only the root test, reported
with low confidence; ratios growing linearly in k signal a divergent (Gevrey-1,
factorially growing) series, R = 0, as backward error analysis predicts for most
nonlinear problems (Hairer-Lubich-Wanner IX.7).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from ..core.compiled import compile_mp
from ..core.scalars import check_dps
from ..errors import InvalidInputError
from .modified import ModifiedEquation, modified_equation

__all__ = ["SeriesDiagnostics", "series_diagnostics"]


@dataclass(frozen=True)
class SeriesDiagnostics:
    """Coefficients of the modified field at a point and the radius of convergence in h.

    Attributes
    ----------
    point : tuple of mpf
    coefficients : tuple of tuple of mpf
        c_k = F_k(point), k = 0..order.
    norms : tuple of float
        a_k = max_i |c_k[i]|.
    root_estimates, ratio_estimates : tuple of (float or None)
        R_k from the root and ratio tests (index k; None where undefined).
    domb_sykes : float or None
        The Domb-Sykes radius (None when the fit is not usable).
    radius : float
        The reported estimate (``inf`` for a terminating series, 0 for factorial growth).
    method : str
        Which estimate ``radius`` is.
    confidence : str
        "exact", "high", "moderate" or "low", with the reason in ``statement``.
    statement : str
    evaluation_error : float
        max |c_k(60+ digits) - c_k(twice that)|, the error of the coefficients.
    """

    point: tuple[mpmath.mpf, ...] = field(repr=False)
    coefficients: tuple[tuple[mpmath.mpf, ...], ...] = field(repr=False)
    norms: tuple[float, ...] = field(repr=False)
    root_estimates: tuple[float | None, ...] = field(repr=False)
    ratio_estimates: tuple[float | None, ...] = field(repr=False)
    domb_sykes: float | None
    radius: float
    method: str
    confidence: str
    statement: str
    evaluation_error: float


def _fit_domb_sykes(ks: Sequence[int], b: Sequence[float]) -> tuple[float, float]:
    """Least squares b_k = c0 + c1/k + c2/k^2; returns (c0, relative RMS residual)."""
    X = np.array([[1.0, 1.0 / k, 1.0 / k**2] for k in ks])
    y = np.array(b)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    scale = float(np.mean(np.abs(y))) or 1.0
    return float(coef[0]), float(np.sqrt(np.mean(resid**2)) / scale)


def series_diagnostics(
    target: ModifiedEquation | Any,
    x: Any,
    *,
    order: int = 20,
    dps: int = 50,
) -> SeriesDiagnostics:
    r"""Numeric coefficients c_k(x) of the modified field and its radius of convergence in h.

    Parameters
    ----------
    target : ModifiedEquation or anything :func:`modified_equation` accepts
    x : point (sequence of n numbers; exact strings such as "1/2" are honoured)
    order : number of coefficients beyond c_0 (at least 6 for a radius estimate)
    dps : digits for the coefficients (evaluated at dps + 20 and at twice that)

    Examples
    --------
    The quadratic 3x^2/2 has L = 3 and radius 1/3 (SPEC T4):

    >>> d = series_diagnostics("3*x**2/2", ["1/2"], order=24)
    >>> round(d.radius, 3), d.method, d.confidence
    (0.333, 'Domb-Sykes', 'high')
    """
    dps = check_dps(dps)
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise InvalidInputError(f"order must be a positive integer, got {order!r}")
    me = target if isinstance(target, ModifiedEquation) else modified_equation(target, order)
    if me.order < order:
        me = modified_equation(me.objective if me.objective is not None else target, order)
    exprs = [c for k in range(order + 1) for c in me.fields[k]]
    fn = compile_mp(exprs, me.symbols)
    n = me.dim
    work = dps + 20
    with mpmath.workdps(work):
        pt = me.point_mp(x, "x")
        lo = fn(pt)
    with mpmath.workdps(2 * work):
        hi = fn(me.point_mp(x, "x"))
        err = max((abs(a - b) for a, b in zip(lo, hi, strict=True)), default=mpmath.mpf(0))
    with mpmath.workdps(dps):
        coeffs = tuple(tuple(+hi[k * n + i] for i in range(n)) for k in range(order + 1))
        point = tuple(+c for c in pt)
    norms = [float(max(abs(c) for c in ck)) for ck in coeffs]
    root = tuple((a ** (-1.0 / k) if a > 0 else None) if k else None for k, a in enumerate(norms))
    ratio = tuple(
        (norms[k - 1] / norms[k] if k and norms[k] > 0 else None) for k in range(order + 1)
    )
    nonzero = [k for k, a in enumerate(norms) if a > 0]

    def result(
        ds: float | None, radius: float, method: str, confidence: str, statement: str
    ) -> SeriesDiagnostics:
        return SeriesDiagnostics(
            point,
            coeffs,
            tuple(norms),
            root,
            ratio,
            ds,
            radius,
            method,
            confidence,
            statement,
            float(err),
        )

    if not nonzero or max(nonzero) < order // 2 or all(a == 0 for a in norms[1:]):
        last = max(nonzero) if nonzero else -1
        return result(
            None,
            math.inf,
            "terminating",
            "exact",
            f"the coefficients vanish beyond k = {last}: the series is a polynomial in h "
            "(infinite radius)"
            if last >= 0
            else "every coefficient vanishes at this point (an equilibrium): infinite radius",
        )
    ks = [k for k in range(max(2, order // 2), order + 1) if norms[k] > 0 and norms[k - 1] > 0]
    b = [norms[k] / norms[k - 1] for k in ks]
    root_last = root[order] if root[order] is not None else math.nan
    if len(ks) >= 4:
        inv_r, scatter = _fit_domb_sykes(ks, b)
        slope = float(np.polyfit(ks, b, 1)[0])
        growth = slope * (ks[-1] - ks[0]) / max(float(np.mean(b)), 1e-300)
        monotone = all(np.diff(b) >= 0) or all(np.diff(b) <= 0)
        if monotone and growth > 0.5 and scatter > 0.01:
            return result(
                None,
                0.0,
                "ratio growth",
                "moderate",
                f"a_k/a_(k-1) grows roughly linearly in k (by {growth:.0%} over k = {ks[0]}.."
                f"{ks[-1]}): factorial growth, a divergent (Gevrey-1) series, radius 0",
            )
        if inv_r > 0 and scatter < 0.02:
            ds = 1.0 / inv_r
            ratio_last = ratio[order] or math.nan
            agree = abs(ratio_last - ds) / ds
            conf = "high" if scatter < 1e-3 and monotone and agree < 0.05 else "moderate"
            return result(
                ds,
                ds,
                "Domb-Sykes",
                conf,
                f"a_k/a_(k-1) lies on a smooth curve in 1/k (relative scatter {scatter:.1e}); "
                f"intercept gives R = {ds:.6g}; last ratio {ratio_last:.6g}, last root-test "
                f"{root_last:.6g}",
            )
        statement = (
            f"a_k/a_(k-1) does not settle (relative scatter {scatter:.2f} about a smooth "
            "curve in 1/k): complex-conjugate singularities are likely, so only the root "
            f"test applies; it converges slowly (error of order log(k)/k)"
        )
    else:
        statement = "too few nonzero coefficients for the ratio tests"
    tail = [r for r in root[max(1, (2 * order) // 3) :] if r is not None]
    estimate = min(tail) if tail else math.nan  # limsup a_k^{1/k} over the tail
    return result(
        None,
        estimate,
        "root test",
        "low",
        statement + f"; min over the last third of a_k^(-1/k) = {estimate:.6g}",
    )
