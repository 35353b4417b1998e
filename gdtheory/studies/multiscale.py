r"""Multiscale objectives f = f0 + f1_eps and the statistics of large-learning-rate GD on them.

Kong and Tao (NeurIPS 2020) split f into a macro trend f0 and micro oscillations
f1_eps(x) = a eps f1(x/eps), whose gradient is O(a) but whose Hessian is O(a/eps).  For
h >> eps, GD cannot resolve the micro scale and behaves like

    x_{k+1} = x_k - h grad f0(x_k) + h zeta_k,     zeta_k = -grad f1_eps(x_k),

with bounded "noise" zeta of per-coordinate variance sigma^2 = the mean square of
d f1_eps/dx_i over a micro period (sigma^2 = a^2/2 for a eps sin(x/eps)).

The temperature.  Reading the recursion as Euler-Maruyama with time step h for
dX = -grad f0(X) dt + sqrt(h sigma^2) dW (the increment h zeta has variance
h^2 sigma^2 = (h sigma^2) h), the invariant density is exp(-f0/T)/Z with

    T = h sigma^2 / 2                                              (claim T7),

a small-h statement.  For quadratic f0 = l x^2/2 the recursion is an AR(1) process whose
exact stationary variance is h sigma^2/(l (2 - h l)), i.e. T_h = h sigma^2/(2 - h l):
the finite-h correction factor is 2/(2 - h l) = 1 + h l/2 + O(h^2).  In n dimensions,
for f0 = x^T A x/2 and noise of covariance sigma^2 I, the stationary covariance solves the
discrete Lyapunov equation Sigma = (I - hA) Sigma (I - hA) + h^2 sigma^2 I, so

    Sigma_h = h sigma^2 (2A - h A^2)^{-1}   (:func:`noise_model_covariance`),

which is *not* T A^{-1} for any scalar T when A has distinct eigenvalues: the finite-h
law is not a Gibbs law of f0 at all.  It is exactly the Gibbs law at T = h sigma^2/2 of
the modified potential f_h = f0 - (h/4)|grad f0|^2 (:func:`modified_gibbs_potential`),
whose Hessian is A - h A^2/2.  This module
computes sigma^2 by quadrature (not from the formula), estimates T from GD data by
maximum likelihood, and reports both predictions.

References
----------
Kong and Tao, *Stochasticity of deterministic gradient descent: large learning rate for
multiscale objective function*, NeurIPS 2020, Theorems 3.1-3.5 (chaos, escape, the
approximately Gibbs invariant distribution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate, optimize

from ..core.budget import check_memory
from ..core.library import multiscale_1d, multiscale_2d
from ..core.objective import Objective
from ..core.scalars import (
    RealLike,
    check_count,
    exact_real,
    finite_float,
    learning_rates,
    positive_real,
    to_mpf,
)
from ..dynamics.densities import (
    DensityComparison,
    compare_density,
    gibbs_density,
    gibbs_grid,
    invariant_density,
)
from ..dynamics.run import run as run_method
from ..errors import InvalidInputError
from ..methods.optimizers import GD

__all__ = [
    "MultiscaleObjective",
    "multiscale",
    "estimate_temperature",
    "GibbsComparison",
    "gibbs_comparison",
    "EscapeStudy",
    "escape_study",
    "noise_model_covariance",
    "modified_gibbs_potential",
]


@dataclass(frozen=True)
class MultiscaleObjective:
    """f = f0 + f1_eps with its parts (built by :func:`multiscale`).

    Attributes
    ----------
    objective : Objective
        The full f.
    macro : Objective
        f0.
    micro : sympy expression
        f1_eps = a eps (sin(x/eps) [+ sin(y/eps)]).
    eps, amplitude : sympy numbers
    """

    objective: Objective
    macro: Objective
    micro: sp.Expr = field(repr=False)
    eps: sp.Expr
    amplitude: sp.Expr

    @property
    def noise_variance(self) -> float:
        r"""sigma^2 = (1/P) int_0^P (d f1_eps/dx_1)^2 dx_1 - (mean)^2 over one micro period
        P = 2 pi eps (computed by quadrature at 30 digits)."""
        s = self.objective.symbols[0]
        d = sp.diff(self.micro, s)
        fn = sp.lambdify(s, d, "mpmath")
        with mpmath.workdps(30):
            P = 2 * mpmath.pi * to_mpf(self.eps)
            m1 = mpmath.quad(fn, [0, P]) / P
            m2 = mpmath.quad(lambda t: fn(t) ** 2, [0, P]) / P
            return float(m2 - m1**2)

    def temperature(self, h: float) -> float:
        """The Gibbs temperature T = h sigma^2 / 2 of claim T7's statement."""
        return float(h) * self.noise_variance / 2


def multiscale(
    macro: str = "x**2/2", eps: RealLike = "1/1000", amplitude: RealLike = 1, dim: int = 1
) -> MultiscaleObjective:
    r"""Build f = f0 + a eps sum_i sin(x_i/eps) in 1-D or 2-D (Kong and Tao 2020).

    >>> ms = multiscale("x**2/2", "1/100", 2)
    >>> ms.objective.expr
    x**2/2 + sin(100*x)/50
    >>> round(ms.noise_variance, 12)    # a^2/2
    2.0
    """
    if not isinstance(macro, str):
        raise InvalidInputError("macro must be a string expression")
    if dim == 1:
        obj = multiscale_1d(macro, eps, amplitude)
    elif dim == 2:
        obj = multiscale_2d(macro, eps, amplitude)
    else:
        raise InvalidInputError(f"dim must be 1 or 2, got {dim!r}")
    f0 = Objective.parse(macro, [s.name for s in obj.symbols])
    micro = sp.expand(obj.expr - f0.expr)
    return MultiscaleObjective(
        obj, f0, micro, positive_real(eps, "eps"), exact_real(amplitude, "amplitude")
    )


def estimate_temperature(
    samples: np.ndarray, f0: Objective, support: tuple[float, float] = (-math.inf, math.inf)
) -> float:
    r"""Maximum-likelihood T of the Gibbs family exp(-f0/T)/Z(T) for 1-D ``samples``.

    The family is exponential in 1/T, so the MLE solves E_T[f0] = mean of f0(samples)
    (E_T[f0] is increasing in T).

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0, np.sqrt(0.3), 200000)          # Gibbs of x^2/2 at T = 0.3
    >>> round(estimate_temperature(x, Objective.parse("x**2/2")), 2)
    0.3
    """
    if f0.dim != 1:
        raise InvalidInputError("estimate_temperature needs a 1-D macro objective f0")
    x = np.asarray(samples, dtype=float).ravel()
    if x.size < 2 or not np.all(np.isfinite(x)):
        raise InvalidInputError("samples must hold at least two finite numbers")
    target = float(np.mean(f0.f_np(x[:, None])))

    def f(t: np.ndarray) -> np.ndarray:
        return f0.f_np(np.asarray(t, dtype=float)[..., None])

    def mean_f0(logT: float) -> float:
        xs, w, _ = gibbs_grid(f, math.exp(logT), support)
        return float(integrate.simpson(f(xs) * w, x=xs) / integrate.simpson(w, x=xs)) - target

    try:
        logT = optimize.brentq(mean_f0, math.log(1e-5), math.log(1e2), xtol=1e-10)
    except ValueError:
        raise InvalidInputError(
            "no Gibbs temperature in [1e-5, 1e2] matches the samples' mean of f0"
        ) from None
    return math.exp(logT)


@dataclass(frozen=True)
class GibbsComparison:
    """GD's long-run density on a 1-D multiscale objective against Gibbs densities.

    Attributes
    ----------
    h, eps : float
    T_spec : float
        h sigma^2 / 2 (claim T7).
    T_fit : float
        Maximum-likelihood temperature of the GD samples.
    T_quadratic : float or None
        h sigma^2/(2 - h l), the exact AR(1) value, when f0 = l x^2/2 (else None).
    spec, fit : DensityComparison
        TV / W1 of the GD density against Gibbs at T_spec and at T_fit.
    periodic_runs, diverged_runs, runs : int
    """

    h: float
    eps: float
    T_spec: float
    T_fit: float
    T_quadratic: float | None
    spec: DensityComparison
    fit: DensityComparison
    periodic_runs: int
    diverged_runs: int
    runs: int

    @property
    def ratio(self) -> float:
        """T_fit / T_spec."""
        return self.T_fit / self.T_spec


def gibbs_comparison(
    ms: MultiscaleObjective,
    *,
    h: float,
    runs: int = 64,
    steps: int = 5000,
    transient: int = 1000,
    bins: int = 60,
    seed: int = 0,
    start_range: tuple[float, float] = (-1.0, 1.0),
) -> GibbsComparison:
    r"""Run GD on a 1-D multiscale objective and compare its density with Gibbs.

    >>> ms = multiscale("x**2/2", "1/1000", 1)
    >>> g = gibbs_comparison(ms, h=0.3, runs=32, steps=2000)
    >>> round(g.T_spec, 4), bool(abs(g.T_fit / g.T_quadratic - 1) < 0.05)
    (0.075, True)
    """
    if not isinstance(ms, MultiscaleObjective) or ms.objective.dim != 1:
        raise InvalidInputError("gibbs_comparison needs a 1-D MultiscaleObjective (multiscale())")
    hh = float(learning_rates(h, "h").ravel()[0])
    rng = np.random.default_rng(seed)
    x0s = rng.uniform(*start_range, (check_count(runs, "runs", 2), 1))
    dens = invariant_density(ms.objective, x0s, h=hh, steps=steps, transient=transient, bins=bins)
    T_spec = ms.temperature(hh)
    T_fit = estimate_temperature(dens.samples, ms.macro)
    x = ms.macro.symbols[0]
    T_quad = None
    poly = sp.Poly(ms.macro.expr, x) if ms.macro.expr.is_polynomial(x) else None
    if poly is not None and poly.degree() == 2 and poly.coeff_monomial(x) == 0:
        curv = float(2 * poly.coeff_monomial(x**2))
        if hh * curv < 2:
            T_quad = hh * ms.noise_variance / (2 - hh * curv)
    return GibbsComparison(
        h=hh,
        eps=float(ms.eps),
        T_spec=T_spec,
        T_fit=T_fit,
        T_quadratic=T_quad,
        spec=compare_density(dens, gibbs_density(ms.macro, T_spec)),
        fit=compare_density(dens, gibbs_density(ms.macro, T_fit)),
        periodic_runs=dens.periodic_runs,
        diverged_runs=dens.diverged_runs,
        runs=int(x0s.shape[0]),
    )


@dataclass(frozen=True)
class EscapeStudy:
    """Fraction of GD runs that leave the spurious local minimum they start in.

    Attributes
    ----------
    hs, epss : ndarray
    fraction : ndarray (len(epss), len(hs))
        Fraction of runs that left the starting cell (between the two local maxima of f
        around the spurious minimum x*) within ``steps`` steps.
    minimum : ndarray (len(epss),)
        The spurious minimum x* for each eps.
    curvature : ndarray (len(epss),)
        f''(x*); the minimum is a linearly stable fixed point of GD iff h f''(x*) < 2.
    cells : ndarray (len(epss), 2)
    runs, steps : int
    """

    hs: np.ndarray = field(repr=False)
    epss: np.ndarray = field(repr=False)
    fraction: np.ndarray = field(repr=False)
    minimum: np.ndarray = field(repr=False)
    curvature: np.ndarray = field(repr=False)
    cells: np.ndarray = field(repr=False)
    runs: int
    steps: int

    @property
    def threshold_h(self) -> np.ndarray:
        """2 / f''(x*) per eps: the linear-stability threshold of the spurious minimum."""
        return 2.0 / self.curvature


def _spurious_cell(obj: Objective, x_start: float, eps: float) -> tuple[float, float, float]:
    """The local minimum of f nearest x_start and the two maxima around it."""
    grid = np.linspace(x_start - 4 * np.pi * eps, x_start + 4 * np.pi * eps, 4001)
    with np.errstate(all="ignore"):
        d = obj.grad_np(grid[:, None])[:, 0]
    if not (np.all(np.isfinite(grid)) and np.all(np.isfinite(d))):
        raise InvalidInputError(
            f"f' is not finite near x_start = {x_start}: choose a moderate start"
        )
    roots = []
    for i in np.flatnonzero(np.sign(d[:-1]) != np.sign(d[1:])):
        r = optimize.brentq(
            lambda t: float(obj.grad_np(np.array([[t]]))[0, 0]), grid[i], grid[i + 1]
        )
        roots.append((r, float(obj.hess_np(np.array([[r]]))[0, 0, 0])))
    minima = [r for r, c in roots if c > 0]
    if not minima:
        raise InvalidInputError(
            f"f has no local minimum near x = {x_start} at eps = {eps}: the micro amplitude "
            "must exceed |f0'| there for spurious minima to exist"
        )
    xm = min(minima, key=lambda r: abs(r - x_start))
    left = max((r for r, c in roots if c < 0 and r < xm), default=None)
    right = min((r for r, c in roots if c < 0 and r > xm), default=None)
    if left is None or right is None:
        raise InvalidInputError(f"could not bracket the spurious minimum at {xm} by two maxima")
    return xm, left, right


def escape_study(
    macro: str,
    *,
    amplitude: RealLike,
    hs: Any,
    epss: Any,
    x_start: float = 1.0,
    runs: int = 200,
    steps: int = 300,
    seed: int = 0,
) -> EscapeStudy:
    r"""Escape from a spurious minimum: fraction of runs leaving the starting cell vs (eps, h).

    For each eps the spurious minimum x* of f = f0 + a eps sin(x/eps) nearest ``x_start``
    and its cell (the two neighbouring maxima) are found; ``runs`` starts uniform in the
    cell iterate GD ``steps`` times; a run has escaped once it has left the cell.

    >>> s = escape_study("x**2/2", amplitude=2, hs=[0.002, 0.05], epss=["1/100"],
    ...                  runs=50, steps=200)
    >>> s.fraction.tolist(), round(float(s.threshold_h[0]), 4)
    ([[0.0, 1.0]], 0.0115)
    """
    H = learning_rates(hs).ravel()
    rng = np.random.default_rng(seed)
    runs = check_count(runs, "runs", 1)
    x_begin = float(exact_real(x_start, "x_start"))
    check_memory("the escape study", runs * H.size)
    if isinstance(epss, str | bytes) or not hasattr(epss, "__iter__"):
        raise InvalidInputError(f"epss must be a sequence of positive numbers, got {epss!r}")
    steps = check_count(steps, "steps", 1)
    E = [positive_real(e, "eps") for e in epss]
    frac = np.zeros((len(E), H.size))
    mins, curvs, cells = [], [], []
    for i, e in enumerate(E):
        ms = multiscale(macro, e, amplitude)
        xm, lo, hi = _spurious_cell(ms.objective, x_begin, float(e))
        mins.append(xm)
        curvs.append(float(ms.objective.hess_np(np.array([[xm]]))[0, 0, 0]))
        cells.append((lo, hi))
        x0 = rng.uniform(lo, hi, (runs, 1))
        run = run_method(GD(), ms.objective, x0[:, None, :], hs=H[None, :], steps=steps, keep=steps)
        path = run.tail[..., 0]  # (steps, runs, len(H))
        with np.errstate(invalid="ignore"):
            left = np.any(~((path >= lo) & (path <= hi)), axis=0)
        frac[i] = left.mean(axis=0)
    return EscapeStudy(
        hs=H,
        epss=np.array([float(e) for e in E]),
        fraction=frac,
        minimum=np.array(mins),
        curvature=np.array(curvs),
        cells=np.array(cells),
        runs=runs,
        steps=steps,
    )


def noise_model_covariance(
    hessian: Any,
    *,
    h: float,
    sigma2: float,
) -> np.ndarray:
    r"""Stationary covariance of x_{k+1} = x_k - h A x_k + h zeta_k (zeta_k iid, covariance
    sigma2 I): Sigma_h = h sigma2 (2A - h A^2)^{-1}, the solution of the discrete Lyapunov
    equation Sigma = (I - hA) Sigma (I - hA) + h^2 sigma2 I (module docstring).

    ``hessian`` is the symmetric matrix A = Hess f0; every eigenvalue l must satisfy
    0 < h l < 2 (otherwise the recursion has no stationary law).

    >>> S = noise_model_covariance([[1.0, 0.5], [0.5, 2.0]], h=0.4, sigma2=0.5)
    >>> np.round(S, 6).tolist()
    [[0.139818, -0.024316], [-0.024316, 0.091185]]
    """
    try:
        A = np.array(hessian, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError("hessian must be a square matrix of numbers") from None
    if A.ndim == 0:
        A = A.reshape(1, 1)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.size == 0:
        raise InvalidInputError(f"hessian must be a square matrix, got shape {A.shape}")
    if not np.all(np.isfinite(A)) or not np.allclose(
        A, A.T, rtol=0, atol=1e-12 * (1 + abs(A).max())
    ):
        raise InvalidInputError("hessian must be a finite symmetric matrix")
    hf = finite_float(h, "h", positive=True)
    s2 = finite_float(sigma2, "sigma2")
    if s2 < 0:
        raise InvalidInputError(f"sigma2 must be >= 0, got {sigma2!r}")
    lam, V = np.linalg.eigh(A)
    with np.errstate(over="ignore"):
        hl = hf * lam
    if not np.all((hl > 0) & (hl < 2)):
        raise InvalidInputError(
            f"the noise model has no stationary law: h * eig(A) = {hl} must lie in (0, 2)"
        )
    return (V * (hf * s2 / (2 * lam - hf * lam**2))) @ V.T


def modified_gibbs_potential(
    f0: Objective | str,
    *,
    h: RealLike,
) -> Objective:
    r"""f_h = f0 - (h/4) |grad f0|^2, exact in h (SymPy).

    For quadratic f0 the Gibbs law exp(-f_h/T)/Z with T = h sigma^2/2 is exactly the
    stationary law of the Gaussian noise model (its covariance is
    :func:`noise_model_covariance`); note the sign, opposite to the first-order modified
    potential f + (h/4)|grad f|^2 that GD *trajectories* follow (backward error analysis).

    >>> modified_gibbs_potential("x**2/2", h="1/5").expr
    9*x**2/20
    """
    obj = f0 if isinstance(f0, Objective) else Objective.parse(str(f0))
    hh = positive_real(h, "h")
    grad2 = sum((g**2 for g in obj.grad), sp.Integer(0))
    return Objective(sp.expand(obj.expr - hh * grad2 / 4), list(obj.symbols))
