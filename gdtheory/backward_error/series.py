r"""Diagnostics of the modified-field series at a point: convergent or divergent, and by how much.

At a point x the modified field is the power series  F_h(x) = sum_k c_k h^k  with vector
coefficients c_k = F_k(x) (:func:`gdtheory.modified_equation`), a_k = |c_k|_inf.

**Convergent or divergent.**  For a nonlinear f the series is in general *divergent*, of
Gevrey order 1: a_k grows like K k! C^k (Hairer-Lubich-Wanner, Geometric Numerical
Integration, IX.7, Thm 7.2 and its remarks; the coefficients of an analytic near-identity
map's logarithm); for a quadratic it converges with radius 1/L.  The coefficients of a
divergent series oscillate (complex singularities of the Borel transform), so single
ratios say little.  The diagnosis fits the *envelope*: the tail k = N/3..N is cut into
blocks of max(3, N/10) orders, one point is taken per block, and on those points

    log a_k = alpha + beta k + s log k!

is fitted by least squares (the points: in each block, the order highest above the trend
fitted on the whole tail, refined twice).  s is the apparent Gevrey order (0: geometric growth, a
convergent series; 1: factorial growth), reported with its standard error; the verdict
is "divergent" when s exceeds 1/2 by at least two standard errors, "convergent" when it
falls short of 1/2 by two, else "undecided".  The verdict needs coefficients to order
>= 40: to order 20 the fit is misled by the oscillation (measured: the double well at
x = 3/2 and x^3/3 + x^2/2 look geometric to order 20 and factorial from order 40 on), so
below 40 only a convergent series whose ratios also lie on a smooth Domb-Sykes curve (a
quadratic) gets a verdict; every other one is "undecided".

**Growth constant and optimal truncation.**  For a divergent series the Gevrey-1 model
log a_k = log K + k log C + log k!  is fitted on the same envelope points (C, K and the
RMS residual of the fit in log a_k are reported).  The terms a_k h^k are smallest at
k ~ 1/(C h), so truncating after N*(h) = round(1/(C h)) - 1 terms is optimal; one GD step
and the order-N* modified flow then differ by about h K min_k k! (C h)^k ~
h K sqrt(2 pi/(C h)) exp(-1/(C h)): exponentially small in 1/h, and *larger* truncation
orders are worse (:meth:`SeriesDiagnostics.optimal_truncation`).

**Radius of a convergent series**, from the same a_k three ways:

* root test:    R_k = a_k^{-1/k}                    (always defined, converges slowly);
* ratio test:   R_k = a_{k-1}/a_k                   (needs a_k/a_{k-1} to settle);
* Domb-Sykes:   fit a_k/a_{k-1} = (1/R)(1 + beta/k + gamma/k^2) over the last half of
  the coefficients and read 1/R off the intercept at 1/k = 0 (C. Domb, M. F. Sykes, Proc.
  R. Soc. A 240 (1957) 214; the standard tool of series analysis).  Its error bar is the
  change of the intercept between the last half and the last third of the coefficients.
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

__all__ = ["GevreyFit", "SeriesDiagnostics", "Truncation", "series_diagnostics"]

#: Orders needed before the envelope fit is trusted to decide (see the module docstring).
MIN_DECISIVE_ORDER = 40


@dataclass(frozen=True)
class GevreyFit:
    """The envelope fit of a_k (module docstring): growth order, constant and quality.

    Attributes
    ----------
    orders : tuple of int
        The block-maximum orders k the fits use.
    gevrey_order, gevrey_order_error : float
        s and its standard error in log a_k = alpha + beta k + s log k!.
    z : float
        (s - 1/2) / standard error: > 2 divergent, < -2 convergent.
    constant, prefactor : float
        C and K of the Gevrey-1 model a_k = K k! C^k on the same points.
    rms : float
        RMS residual of the Gevrey-1 model in log a_k (natural log).
    """

    orders: tuple[int, ...]
    gevrey_order: float
    gevrey_order_error: float
    z: float
    constant: float
    prefactor: float
    rms: float


@dataclass(frozen=True)
class Truncation:
    """Optimal truncation of a divergent modified equation at step size h.

    ``order`` is N*(h), an *estimate* read off the smooth Gevrey-1 envelope K k! C^k of the
    coefficients: keep F_0..F_N*.  ``local_error`` is the predicted distance between one
    GD step and the order-N* modified flow, h K min_k k! (C h)^k, and ``asymptotic`` its
    Stirling form h K sqrt(2 pi/(C h)) exp(-1/(C h)).  The actual terms oscillate about
    the envelope: ``smallest_term_order`` is the k of the smallest computed term h^k |F_k|
    (``smallest_term`` = h^(k+1) |F_k|, on the scale of ``local_error``), and
    ``smallest_term_resolved`` is False when that term or N* is at or beyond the last
    coefficient computed (the minimum may lie beyond).  The best order measured by one-step
    errors is :func:`gdtheory.studies.optimal_truncation.truncation_scan`'s.
    """

    h: float
    order: int
    local_error: float
    asymptotic: float
    smallest_term_order: int = -1
    smallest_term: float = math.nan
    smallest_term_resolved: bool = False


@dataclass(frozen=True)
class SeriesDiagnostics:
    """Coefficients of the modified field at a point: convergent (radius) or divergent (growth).

    Attributes
    ----------
    point : tuple of mpf
    coefficients : tuple of tuple of mpf
        c_k = F_k(point), k = 0..order.
    norms : tuple of float
        a_k = max_i |c_k[i]|.
    root_estimates, ratio_estimates : tuple of (float or None)
        R_k from the root and ratio tests (index k; None where undefined).
    kind : str
        "terminating", "convergent", "divergent" or "undecided".
    growth : GevreyFit or None
        The envelope fit (None when there are too few nonzero coefficients).
    domb_sykes : float or None
        The Domb-Sykes radius (None when the fit is not usable).
    radius : float
        The radius in h: ``inf`` for a terminating series, 0 for a divergent one, the
        Domb-Sykes or root-test estimate otherwise.
    radius_error : float or None
        The error bar of ``radius`` (Domb-Sykes: change between two tail windows).
    method : str
        Which estimate ``radius`` is.
    confidence : str
        "exact", "high", "moderate" or "low", with the reason in ``statement``.
    statement : str
    evaluation_error : float
        max |c_k(dps + 20 digits) - c_k(twice that)|, the error of the coefficients.
    """

    point: tuple[mpmath.mpf, ...] = field(repr=False)
    coefficients: tuple[tuple[mpmath.mpf, ...], ...] = field(repr=False)
    norms: tuple[float, ...] = field(repr=False)
    root_estimates: tuple[float | None, ...] = field(repr=False)
    ratio_estimates: tuple[float | None, ...] = field(repr=False)
    kind: str
    growth: GevreyFit | None
    domb_sykes: float | None
    radius: float
    radius_error: float | None
    method: str
    confidence: str
    statement: str
    evaluation_error: float

    @property
    def order(self) -> int:
        return len(self.norms) - 1

    def optimal_truncation(self, h: float) -> Truncation:
        """N*(h) and the predicted one-step error of the optimally truncated flow.

        Only for a series diagnosed divergent (the Gevrey-1 fit gives C and K).

        >>> d = series_diagnostics("x**4/4 - x**2/2", ["1/2"], order=60)
        >>> d.kind
        'divergent'
        >>> t = d.optimal_truncation(0.5)
        >>> 10 <= t.order <= 40, t.local_error < 1e-4
        (True, True)
        >>> t.smallest_term_resolved, abs(t.smallest_term_order - t.order) < 10
        (True, True)
        """
        if self.kind != "divergent" or self.growth is None:
            raise InvalidInputError(
                f"optimal truncation needs a divergent series; this one is {self.kind} "
                f"({self.statement})"
            )
        hh = float(h)
        if not math.isfinite(hh) or hh <= 0:
            raise InvalidInputError(f"h must be a positive number, got {h!r}")
        g = self.growth
        ch = g.constant * hh
        kmax = max(2, int(3 / ch) + 2)
        logs = [math.lgamma(k + 1) + k * math.log(ch) for k in range(1, kmax + 1)]
        k_best = 1 + min(range(len(logs)), key=logs.__getitem__)
        local = hh * g.prefactor * math.exp(logs[k_best - 1])
        stirling = hh * g.prefactor * math.sqrt(2 * math.pi / ch) * math.exp(-1 / ch)
        sizes = {
            k: (k + 1) * math.log(hh) + math.log(a) for k, a in enumerate(self.norms) if k and a > 0
        }
        k_obs = min(sizes, key=sizes.__getitem__) if sizes else -1
        return Truncation(
            hh,
            k_best - 1,
            local,
            stirling,
            k_obs,
            math.exp(sizes[k_obs]) if sizes else math.nan,
            bool(sizes) and max(k_obs, k_best - 1) < len(self.norms) - 1,
        )


def _fit_domb_sykes(ks: Sequence[int], b: Sequence[float]) -> tuple[float, float]:
    """Least squares b_k = c0 + c1/k + c2/k^2; returns (c0, relative RMS residual)."""
    X = np.array([[1.0, 1.0 / k, 1.0 / k**2] for k in ks])
    y = np.array(b)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    scale = float(np.mean(np.abs(y))) or 1.0
    return float(coef[0]), float(np.sqrt(np.mean(resid**2)) / scale)


def gevrey_fit(norms: Sequence[float]) -> GevreyFit | None:
    """The envelope fit of the module docstring on a_0..a_N (None if under 4 points).

    >>> import math
    >>> g = gevrey_fit([math.factorial(k) * 0.1**k * (1 + 0.5 * (k % 3 == 0))
    ...                 for k in range(61)])
    >>> round(g.gevrey_order, 2), round(g.constant, 3), g.z > 2
    (1.0, 0.1, True)
    """
    n = len(norms) - 1
    width = max(3, n // 10)
    tail = [k for k in range(max(1, n // 3), n + 1) if norms[k] > 0]
    if len(tail) < 4:
        return None

    def design(ks: Sequence[int]) -> np.ndarray:
        return np.array([[1.0, k, math.lgamma(k + 1)] for k in ks])

    def trend(ks: Sequence[int]) -> np.ndarray:
        coef, *_ = np.linalg.lstsq(design(ks), [math.log(norms[k]) for k in ks], rcond=None)
        return np.asarray(coef)

    coef = trend(tail)
    for _ in range(2):  # the envelope: in each block, the point highest above the trend
        picks = []
        for start in range(tail[0], n + 1, width):
            block = [k for k in tail if start <= k < start + width]
            if block:
                above = [math.log(norms[k]) - float(design([k])[0] @ coef) for k in block]
                picks.append(block[int(np.argmax(above))])
        if len(picks) < 4:
            return None
        coef = trend(picks)
    X = design(picks)  # columns 1, k, log k!
    y = np.array([math.log(norms[j]) for j in picks])
    lf = X[:, 2]
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    var = float(resid @ resid) / max(len(y) - 3, 1)
    se = math.sqrt(max(var * float(np.linalg.inv(X.T @ X)[2, 2]), 1e-300))
    s = float(coef[2])
    X1 = X[:, :2]
    c1, *_ = np.linalg.lstsq(X1, y - lf, rcond=None)
    r1 = (y - lf) - X1 @ c1
    return GevreyFit(
        tuple(int(j) for j in picks),
        s,
        se,
        (s - 0.5) / se,
        float(math.exp(c1[1])),
        float(math.exp(c1[0])),
        float(math.sqrt(float(r1 @ r1) / len(y))),
    )


def series_diagnostics(
    target: ModifiedEquation | Any,
    x: Any,
    *,
    order: int = MIN_DECISIVE_ORDER,
    dps: int = 50,
) -> SeriesDiagnostics:
    r"""Numeric coefficients c_k(x) of the modified field: convergent with a radius, or divergent.

    Parameters
    ----------
    target : ModifiedEquation or anything :func:`modified_equation` accepts
    x : point (sequence of n numbers; exact strings such as "1/2" are honoured)
    order : number of coefficients beyond c_0 (>= 40 for a verdict on oscillating series)
    dps : digits for the coefficients (evaluated at dps + 20 and at twice that)

    Examples
    --------
    The quadratic 3x^2/2 has L = 3 and radius 1/3 (claim T4 (e)):

    >>> d = series_diagnostics("3*x**2/2", ["1/2"], order=24)
    >>> d.kind, round(d.radius, 3), d.method, d.confidence
    ('convergent', 0.333, 'Domb-Sykes', 'high')

    The double well's series diverges (Gevrey-1):

    >>> d = series_diagnostics("x**4/4 - x**2/2", ["1/2"], order=60)
    >>> d.kind, d.radius, 0.03 < d.growth.constant < 0.3
    ('divergent', 0.0, True)
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
        kind: str,
        growth: GevreyFit | None,
        ds: float | None,
        radius: float,
        radius_error: float | None,
        method: str,
        confidence: str,
        statement: str,
    ) -> SeriesDiagnostics:
        return SeriesDiagnostics(
            point,
            coeffs,
            tuple(norms),
            root,
            ratio,
            kind,
            growth,
            ds,
            radius,
            radius_error,
            method,
            confidence,
            statement,
            float(err),
        )

    if not nonzero or max(nonzero) < order // 2 or all(a == 0 for a in norms[1:]):
        last = max(nonzero) if nonzero else -1
        return result(
            "terminating",
            None,
            None,
            math.inf,
            0.0,
            "terminating",
            "exact",
            f"the coefficients vanish beyond k = {last}: the series is a polynomial in h "
            "(infinite radius)"
            if last >= 0
            else "every coefficient vanishes at this point (an equilibrium): infinite radius",
        )
    growth = gevrey_fit(norms)
    fit_text = (
        f"envelope fit over k = {growth.orders[0]}..{growth.orders[-1]}: Gevrey order "
        f"s = {growth.gevrey_order:.2f} +- {growth.gevrey_order_error:.2f}"
        if growth is not None
        else "too few nonzero coefficients for the envelope fit"
    )
    decisive = order >= MIN_DECISIVE_ORDER
    if growth is not None and growth.z > 2 and decisive:
        confidence = "high"
        return result(
            "divergent",
            growth,
            None,
            0.0,
            None,
            "Gevrey fit",
            confidence,
            f"{fit_text}, more than 1/2 by {growth.z:.1f} standard errors: factorial growth, "
            f"a divergent (Gevrey-1) series, radius 0; a_k ~ K k! C^k with C = "
            f"{growth.constant:.4g}, K = {growth.prefactor:.3g} (RMS residual "
            f"{growth.rms:.2f} in log a_k); optimal truncation near N*(h) = 1/(C h)",
        )
    convergent = growth is not None and growth.z < -2 and decisive
    ks = [k for k in range(max(2, order // 2), order + 1) if norms[k] > 0 and norms[k - 1] > 0]
    b = [norms[k] / norms[k - 1] for k in ks]
    root_last = root[order] if root[order] is not None else math.nan
    kind = "convergent" if convergent else "undecided"
    if len(ks) >= 4:
        inv_r, scatter = _fit_domb_sykes(ks, b)
        monotone = all(np.diff(b) >= 0) or all(np.diff(b) <= 0)
        if inv_r > 0 and scatter < 0.02:
            ds = 1.0 / inv_r
            third = [j for j, k in enumerate(ks) if k >= (2 * order) // 3]
            if len(third) >= 4:
                inv_r3, _ = _fit_domb_sykes([ks[j] for j in third], [b[j] for j in third])
                ds_error = abs(1.0 / inv_r3 - ds) if inv_r3 > 0 else math.inf
            else:
                ds_error = math.inf
            ratio_last = ratio[order] or math.nan
            agree = abs(ratio_last - ds) / ds
            good = scatter < 1e-3 and monotone and agree < 0.05
            smooth = good and growth is not None and growth.z < -2
            conf = "high" if smooth else "moderate"
            return result(
                "convergent" if smooth else kind,
                growth,
                ds,
                ds,
                ds_error,
                "Domb-Sykes",
                conf,
                f"{fit_text}; a_k/a_(k-1) lies on a smooth curve in 1/k (relative scatter "
                f"{scatter:.1e}); intercept gives R = {ds:.6g} +- {ds_error:.1e}; last ratio "
                f"{ratio_last:.6g}, last root-test {root_last:.6g}",
            )
        statement = (
            f"{fit_text}; a_k/a_(k-1) does not settle (relative scatter {scatter:.2f} about "
            "a smooth curve in 1/k): complex-conjugate singularities are likely, so only the "
            "root test applies; it converges slowly (error of order log(k)/k)"
        )
    else:
        statement = f"{fit_text}; too few nonzero coefficients for the ratio tests"
    if not convergent:
        statement += (
            f"; neither convergence nor factorial growth is established to order {order}"
            + (f" (use order >= {MIN_DECISIVE_ORDER})" if order < MIN_DECISIVE_ORDER else "")
        )
    tail = [r for r in root[max(1, (2 * order) // 3) :] if r is not None]
    estimate = min(tail) if tail else math.nan  # limsup a_k^{1/k} over the tail
    return result(
        kind,
        growth,
        None,
        estimate,
        None,
        "root test",
        "low",
        statement + f"; min over the last third of a_k^(-1/k) = {estimate:.6g}",
    )
