r"""Periodic orbits of the GD map Phi_h(x) = x - h grad f(x), with their multipliers.

A periodic orbit of minimal period p is a solution of g(z) = Phi_h^p(z) - z = 0 with
Phi_h^d(z) != z for every proper divisor d of p.  Its multipliers are the eigenvalues
of the monodromy matrix

    M = D Phi_h(z_{p-1}) ... D Phi_h(z_0),     D Phi_h(x) = I - h Hess f(x),

and it is (linearly) stable when the spectral radius of M is < 1.

Algorithm
---------
1. **Float64 multi-start, vectorised.**  From ``seeds`` random points of the box, each
   combined with each stabilising transformation C (signed permutation matrices), the
   Davidchack-Lai iteration

       z <- z + (beta |g(z)| C^T - G(z))^{-1} g(z),       G = M - I,

   is run (Davidchack and Lai, Phys. Rev. E 60, 6172, 1999; it interpolates between
   Newton's method, beta = 0, and the Schmelcher-Diakonos flow z <- z + lambda C g(z),
   Phys. Rev. Lett. 78, 4733, 1997, whose transformations C turn every hyperbolic orbit,
   stable or not, into an attractor of some C).  Pure Newton (beta = 0) runs too.
2. **Deduplication** up to cyclic shift (the key of an orbit is its lexicographically
   smallest point, rounded).
3. **Continua.**  Where G is singular at a solution, a bordered Newton step is tried
   along the null direction; if neighbouring solutions exist the point belongs to a
   continuum (e.g. the fixed points on the minimiser curve xy = mu of (mu - xy)^2/2).
   Continua are reported once each, with samples, not as thousands of "orbits".
4. **High precision.**  Each isolated orbit is refined by Newton's method at
   ``dps + 10`` digits, its minimal period is confirmed at that precision, and the
   multipliers are the eigenvalues of M computed at ``dps`` digits (``mpmath.eig``).

Completeness is not guaranteed by any multi-start search; the tests check it where the
number of orbits is known exactly (the Chebyshev map has (1/p) sum_{d|p} mu(p/d) 2^d
orbits of minimal period p).

References
----------
Cvitanovic et al., *Chaos: Classical and Quantum*, ch. "Fixed points, and how to get
them" (Newton, multiple shooting); Davidchack and Lai (1999); Schmelcher and Diakonos
(1997).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..core.budget import RATE_FLOAT_ITERATIONS, check_cost
from ..core.conversion import as_constant
from ..core.gdmap import MP, gd_step, monodromy
from ..core.objective import Objective, numeric_objective
from ..core.scalars import RealLike, check_count, check_dps, float_box, positive_real, to_mpf
from ..errors import InvalidInputError
from .diagrams import cycle_key
from .orbit_search import _flow_np, classify_solutions, float_solutions

__all__ = [
    "factorization_two_cycles",
    "orbit_match_error",
    "PeriodicOrbit",
    "OrbitContinuum",
    "OrbitSearch",
    "periodic_orbits",
    "orbit_from_point",
    "monodromy_mp",
]

#: Largest period accepted (the float stage costs O(period) per iteration).
MAX_PERIOD = 64


@dataclass(frozen=True)
class PeriodicOrbit:
    """A periodic orbit of the GD map, computed at high precision.

    Attributes
    ----------
    points : tuple of tuple of mpf
        z_0, ..., z_{p-1} with z_{i+1} = Phi_h(z_i); z_0 is the lexicographically
        smallest point (a canonical starting point).
    multipliers : tuple of mpf or mpc
        Eigenvalues of the monodromy matrix, by decreasing modulus (real ones as mpf).
    stable : bool or None
        True when the spectral radius is < 1, False when > 1, None when it equals 1
        within 10**(-dps/2) (a bifurcation point: linear stability is undecided).
    period : int
        The minimal period p.
    spectral_radius : mpf
    residual : mpf
        max_i |Phi_h(z_i) - z_{i+1}| at dps + 10 digits (a measure of accuracy).
    h : sympy number
    dps : int
    """

    points: tuple[tuple[mpmath.mpf, ...], ...] = field(repr=False)
    multipliers: tuple[Any, ...] = field(repr=False)
    stable: bool | None
    period: int
    spectral_radius: mpmath.mpf = field(repr=False)
    residual: mpmath.mpf = field(repr=False)
    h: sp.Expr
    dps: int

    def as_numpy(self) -> np.ndarray:
        """The points as a float64 array (p, n)."""
        return np.array([[float(c) for c in z] for z in self.points])

    def __repr__(self) -> str:
        with mpmath.workdps(12):
            pts = "; ".join(
                "(" + ", ".join(mpmath.nstr(c, 8) for c in z) + ")" for z in self.points
            )
            mus = ", ".join(mpmath.nstr(m, 8) for m in self.multipliers)
        word = {True: "stable", False: "unstable", None: "marginal"}[self.stable]
        return f"PeriodicOrbit(period={self.period}, {word}, points=[{pts}], multipliers=[{mus}])"


@dataclass(frozen=True)
class OrbitContinuum:
    """A continuum (manifold) of period-p points, reported once with samples.

    Attributes
    ----------
    period : int
    dimension : int
        The nullity of D Phi^p - I on the samples (the continuum's local dimension).
    samples : ndarray (m, n)
        Float64 points of the continuum found by the search.
    f_range : tuple of float
        min and max of f over the samples (0, 0 for a set of global minimisers).
    normal_radius : ndarray (m,)
        At each sample, the largest modulus of the multipliers transverse to the
        continuum (the ``dimension`` multipliers closest to 1 removed): a sample is
        linearly stable in the normal directions when it is < 1.
    description : str
    """

    period: int
    dimension: int
    samples: np.ndarray = field(repr=False)
    f_range: tuple[float, float]
    normal_radius: np.ndarray = field(repr=False)
    description: str

    @property
    def stable_fraction(self) -> float:
        """Fraction of the samples that are normally stable (normal_radius < 1)."""
        return float(np.mean(self.normal_radius < 1))

    def __repr__(self) -> str:
        return (
            f"OrbitContinuum(period={self.period}, dimension={self.dimension}, "
            f"samples={len(self.samples)}, f in [{self.f_range[0]:.3g}, {self.f_range[1]:.3g}], "
            f"normally stable: {self.stable_fraction:.0%})"
        )


@dataclass(frozen=True)
class OrbitSearch:
    """All periodic orbits of one minimal period found in a box.

    Attributes
    ----------
    orbits : tuple of PeriodicOrbit
        Isolated orbits with at least one point in the box, sorted by their first point.
    continua : tuple of OrbitContinuum
    period : int
    h : sympy number
    box : tuple of (float, float)
    starts : int
        Number of (seed, transformation) starts tried.
    converged_starts : int
        Starts whose float iteration converged to a solution (any period dividing p).
    dps : int
    """

    orbits: tuple[PeriodicOrbit, ...]
    continua: tuple[OrbitContinuum, ...]
    period: int
    h: sp.Expr
    box: tuple[tuple[float, float], ...]
    starts: int
    converged_starts: int
    dps: int

    @property
    def stable(self) -> tuple[PeriodicOrbit, ...]:
        return tuple(o for o in self.orbits if o.stable)

    def __repr__(self) -> str:
        n_st = len(self.stable)
        return (
            f"OrbitSearch(period={self.period}, h={self.h}, orbits={len(self.orbits)} "
            f"({n_st} stable), continua={len(self.continua)}, "
            f"starts={self.starts} ({self.converged_starts} converged))"
        )


def monodromy_mp(
    objective: Objective, z: Sequence[Any], h: mpmath.mpf, p: int
) -> tuple[list[tuple[mpmath.mpf, ...]], mpmath.matrix]:
    """The orbit z, Phi(z), ..., Phi^p(z) and D Phi^p(z) at the working precision."""
    pts = [tuple(z)]
    for _ in range(p):
        pts.append(tuple(gd_step(objective, pts[-1], h, MP)))
    return pts, monodromy(objective, pts[:-1], h, MP)


def _refine_mp(
    objective: Objective, z0: Sequence[float], h: mpmath.mpf, p: int, dps: int
) -> tuple[tuple[mpmath.mpf, ...], bool]:
    """Newton on Phi^p(z) - z at the working precision; (z, converged)."""
    n = objective.dim
    z = mpmath.matrix([mpmath.mpf(float(c)) for c in z0])
    tol = mpmath.mpf(10) ** (-(dps - 6))  # dps is the working precision here
    for _ in range(60):
        pts, M = monodromy_mp(objective, tuple(z), h, p)
        g = mpmath.matrix(pts[-1]) - z
        try:
            dz = mpmath.lu_solve(M - mpmath.eye(n), -g)
        except ZeroDivisionError:
            return tuple(z), False
        z = z + dz
        if mpmath.norm(dz) <= tol * (1 + mpmath.norm(z)):
            return tuple(z), True
    return tuple(z), False


def _minimal_period(pts: list[tuple[mpmath.mpf, ...]], p: int, tol: mpmath.mpf) -> int:
    z = pts[0]
    for d in range(1, p):
        if p % d == 0 and max(abs(a - b) for a, b in zip(pts[d], z, strict=True)) <= tol:
            return d
    return p


def orbit_from_point(
    objective: Objective,
    point: Any,
    *,
    h: RealLike,
    period: int,
    dps: int = 50,
) -> PeriodicOrbit:
    r"""Refine a point near a period-p orbit at ``dps`` digits and return the orbit.

    Raises InvalidInputError when Newton's method does not converge from ``point`` or
    the orbit found has a smaller minimal period.

    >>> from gdtheory.objectives import logistic_conjugate
    >>> o = orbit_from_point(logistic_conjugate(), [-0.5], h=1, period=1, dps=30)
    >>> o.multipliers, o.stable
    ((mpf('-2.0'),), False)
    """
    obj = numeric_objective(objective)
    p = check_count(period, "period", 1)
    if p > MAX_PERIOD:
        raise InvalidInputError(f"period must be <= {MAX_PERIOD}, got {p}")
    dps = check_dps(dps)
    h_exact = positive_real(h, "h")
    with mpmath.workdps(dps):
        z0 = obj.point_mp(point, "point")
    orbit = _orbit_mp(obj, h_exact, [float(c) for c in z0], p, dps)
    if orbit is None:
        raise InvalidInputError(
            f"Newton's method did not converge to a period-{p} orbit from {point!r} at h = "
            f"{h_exact}; start closer to the orbit"
        )
    if orbit.period != p:
        raise InvalidInputError(
            f"the orbit through {point!r} has minimal period {orbit.period}, not {p}"
        )
    return orbit


def _orbit_mp(
    objective: Objective, h_exact: sp.Expr, z0: Sequence[float], p: int, dps: int
) -> PeriodicOrbit | None:
    work = dps + 10
    with mpmath.workdps(work):
        hm = to_mpf(h_exact)
        z, ok = _refine_mp(objective, z0, hm, p, work)
        if not ok:
            return None
        pts, _ = monodromy_mp(objective, z, hm, p)
        tol = mpmath.mpf(10) ** (-(dps // 2))
        q = _minimal_period(pts, p, tol)
        cycle = pts[:q]
        start = min(range(q), key=lambda i: tuple(float(c) for c in cycle[i]))
        cycle = cycle[start:] + cycle[:start]
        pts, M = monodromy_mp(objective, cycle[0], hm, q)
        residual = max(
            max(abs(a - b) for a, b in zip(pts[i + 1], cycle[(i + 1) % q], strict=True))
            for i in range(q)
        )
    with mpmath.workdps(dps):
        M = M * 1  # round to dps
        if objective.dim == 1:
            mus = [M[0, 0]]
        else:
            mus = list(mpmath.eig(M, left=False, right=False))
        clean = []
        for m in mus:
            m = m + 0
            if isinstance(m, mpmath.mpc) and abs(m.imag) <= mpmath.mpf(10) ** (-(dps - 5)) * (
                1 + abs(m)
            ):
                m = m.real
            clean.append(m)
        clean.sort(key=lambda m: -abs(m))
        rho = abs(clean[0])
        margin = mpmath.mpf(10) ** (-(dps // 2))
        stable = True if rho < 1 - margin else False if rho > 1 + margin else None
        points = tuple(tuple(c + 0 for c in z) for z in cycle)
    return PeriodicOrbit(
        points=points,
        multipliers=tuple(clean),
        stable=stable,
        period=q,
        spectral_radius=rho,
        residual=residual,
        h=h_exact,
        dps=dps,
    )


def periodic_orbits(
    objective: Objective,
    box: Sequence[tuple[RealLike, RealLike]],
    *,
    h: RealLike,
    period: int,
    seeds: int = 256,
    dps: int = 50,
    beta: float = 1.0,
    transformations: Any = "auto",
    max_iter: int = 60,
    seed: int = 0,
) -> OrbitSearch:
    r"""Find the periodic orbits of exact minimal period ``period`` of GD in ``box``.

    Parameters
    ----------
    objective : Objective
    h : learning rate (exact: ``"19/10"`` is 19/10)
    period : minimal period p (1 = fixed points)
    box : one (low, high) pair per coordinate
    seeds : random starting points (each tried with every transformation and with Newton)
    dps : digits of the reported points and multipliers
    beta : Davidchack-Lai parameter (0 = Newton only)
    transformations : ``"auto"`` (signed permutations for n <= 3, sign flips for n <= 6),
        ``"none"`` (Newton only), or a list of n x n matrices
    seed : random seed of the starting points

    Returns
    -------
    OrbitSearch
        Isolated orbits (with multipliers at ``dps`` digits) and continua.

    Examples
    --------
    The Chebyshev map 2x^2 - 1 (GD on :func:`~gdtheory.objectives.logistic_conjugate`)
    has exactly two orbits of period 3, cos(2 pi k/7) and cos(2 pi k/9), multipliers
    2^3 and -2^3:

    >>> from gdtheory.objectives import logistic_conjugate
    >>> s = periodic_orbits(logistic_conjugate(), [(-1, 1)], h=1, period=3, seeds=64, dps=30)
    >>> [(o.multipliers[0], o.stable) for o in s.orbits]
    [(mpf('-8.0'), False), (mpf('8.0'), False)]

    The two branches of the minimiser curve xy = 1 of (1 - xy)^2/2 are continua of fixed
    points (f = 0 on them); the saddle (0, 0) is the one isolated fixed point:

    >>> from gdtheory.objectives import scalar_factorization
    >>> s = periodic_orbits(scalar_factorization(), [(-2, 2), (-2, 2)], h="1/2", period=1, seeds=32)
    >>> [(c.dimension, round(c.f_range[1], 12)) for c in s.continua], len(s.orbits)
    ([(1, 0.0), (1, 0.0)], 1)
    """
    obj = numeric_objective(objective)
    h_exact = positive_real(h, "h")
    p = check_count(period, "period", 1)
    if p > MAX_PERIOD:
        raise InvalidInputError(f"period must be <= {MAX_PERIOD}, got {p}")
    dps = check_dps(dps)
    n = obj.dim
    bx = float_box(box, n)
    seeds = check_count(seeds, "seeds", 1)
    iters = check_count(max_iter, "max_iter", 1)
    # each Newton iteration of each seed: p map steps with n x n Jacobians, and a
    # (p n)-dimensional linear solve
    per_iter = period * n * n + (period * n) ** 3 / 100
    check_cost(
        "the orbit search",
        float(seeds) * iters * per_iter,
        RATE_FLOAT_ITERATIONS / 100,
        "map steps",
    )
    if not (isinstance(beta, int | float) and math.isfinite(beta) and beta >= 0):
        raise InvalidInputError(f"beta must be a finite number >= 0, got {beta!r}")
    lo = np.array([a for a, _ in bx])
    hi = np.array([b for _, b in bx])
    H = float(h_exact)
    Z, ok = float_solutions(
        obj,
        H,
        p,
        lo,
        hi,
        seeds,
        transformations,
        float(beta),
        iters,
        seed,
    )
    width = float(np.max(hi - lo))
    candidates, continuum_pts, nullity = classify_solutions(obj, Z[ok], H, p, lo, hi)
    orbits: dict[tuple[float, ...], PeriodicOrbit] = {}
    for z0 in candidates.values():
        orbit = _orbit_mp(obj, h_exact, z0, p, dps)
        if orbit is None or orbit.period != p:
            continue
        arr = orbit.as_numpy()
        if not np.any(np.all((arr >= lo) & (arr <= hi), axis=1)):
            continue
        orbits.setdefault(cycle_key(arr, 12), orbit)
    continua = _group_continua(obj, np.array(continuum_pts), nullity, p, width, H)
    return OrbitSearch(
        orbits=tuple(orbits[k] for k in sorted(orbits)),
        continua=continua,
        period=p,
        h=h_exact,
        box=bx,
        starts=int(Z.shape[0]),
        converged_starts=int(ok.sum()),
        dps=dps,
    )


def _group_continua(
    objective: Objective, pts: np.ndarray, nullity: list[int], p: int, width: float, H: float
) -> tuple[OrbitContinuum, ...]:
    if pts.size == 0:
        return ()
    from scipy.cluster.hierarchy import fclusterdata

    labels = (
        fclusterdata(pts, t=0.25 * width, criterion="distance", method="single")
        if len(pts) > 1
        else np.array([1])
    )
    out = []
    for lab in sorted(set(labels.tolist())):
        sel = pts[labels == lab]
        dims = [d for d, lb in zip(nullity, labels, strict=True) if lb == lab]
        fv = objective.f_np(sel)
        dim = max(set(dims), key=dims.count)
        _, M, _ = _flow_np(objective, sel, H, p)
        assert M is not None
        mus = np.linalg.eigvals(M)
        order = np.argsort(np.abs(mus - 1.0), axis=1)[:, dim:]
        normal = np.take_along_axis(np.abs(mus), order, axis=1)
        radius = normal.max(axis=1) if normal.shape[1] else np.zeros(len(sel))
        kind = "fixed points" if p == 1 else f"period-{p} points"
        crit = " (critical points of f" + (", global minimisers)" if np.allclose(fv, 0) else ")")
        out.append(
            OrbitContinuum(
                period=p,
                dimension=dim,
                samples=sel,
                f_range=(float(fv.min()) + 0.0, float(fv.max()) + 0.0),
                normal_radius=radius,
                description=f"a continuum of {kind}" + (crit if p == 1 else ""),
            )
        )
    return tuple(out)


def factorization_two_cycles(h: sp.Rational) -> list[tuple[list[tuple[Any, Any]], list[Any]]]:
    """The 2-cycles of GD on (1 - xy)^2/2 for 1 < h < 2, exact (the antidiagonal, the
    diagonal and the two off-balance families, each with its multipliers): the closed
    forms the orbit search is checked against.

    >>> [len(points) for points, _ in factorization_two_cycles(sp.Rational(19, 10))]
    [2, 2, 2, 2]
    """
    a_anti = sp.sqrt(2 / h - 1)
    a_diag = sp.sqrt(1 + 2 / h)
    root = sp.sqrt((h + 1) ** 2 - 4)
    sp_, sm_ = sp.sqrt((h + 1 + root) / (2 * h)), sp.sqrt((h + 1 - root) / (2 * h))
    return [
        ([(a_anti, -a_anti), (-a_anti, a_anti)], [(2 * h - 5) ** 2, sp.Integer(9)]),
        ([(a_diag, a_diag), (-a_diag, -a_diag)], [(5 + 2 * h) ** 2, sp.Integer(9)]),
        ([(sp_, sp_), (sm_, sm_)], [9 - 2 * (1 + h) ** 2, 3 - 2 * h]),
        ([(-sp_, -sp_), (-sm_, -sm_)], [9 - 2 * (1 + h) ** 2, 3 - 2 * h]),
    ]


def orbit_match_error(orbit: Any, points: list[tuple[Any, Any]], mults: list[Any]) -> float | None:
    """Max |difference| of the points and multipliers of a found orbit and a closed form
    (None if they are not the same orbit), at 50 digits."""
    points = [tuple(as_constant(c, "a closed-form point") for c in z) for z in points]
    mults = [as_constant(m, "a closed-form multiplier") for m in mults]
    with mpmath.workdps(50):
        exact = [tuple(mpmath.mpf(sp.N(c, 60)) for c in z) for z in points]
        found = [tuple(z) for z in orbit.points]
        if len(found) != len(exact):
            return None
        d_pts = max(
            min(max(abs(a - b) for a, b in zip(f, e, strict=True)) for f in found) for e in exact
        )
        if d_pts > 1e-20:
            return None
        mu_exact = sorted((mpmath.mpf(sp.N(m, 60)) for m in mults), key=lambda m: -abs(m))
        d_mu = max(abs(a - b) for a, b in zip(orbit.multipliers, mu_exact, strict=True))
        return float(max(d_pts, d_mu))
