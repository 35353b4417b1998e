r"""Gradient descent: the map Phi_h(x) = x - h grad f(x), iterated.

:func:`gd` iterates at arbitrary precision with mpmath.  The learning rate is kept
exact (``h="19/10"`` is 19/10, correctly rounded at the working precision, not the float
1.9), and the precision is changed only inside ``mpmath.workdps``.  The float64 runner
:func:`gdtheory.run` (many paths at once) shares its status vocabulary (:class:`Status`).

A run ends as ``converged`` (gradient norm <= tol), ``diverged`` (a coordinate beyond
``bound``, or f / grad f not finite or not real), or ``max_steps``.  A diverged run is
reported as such with the step at which it was detected; no non-finite number is ever
returned as an iterate.

References
----------
Nesterov, *Lectures on Convex Optimization* (2018), Sec. 1.2.3 (the GD step, the
descent lemma).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..core.budget import RATE_MP_STEPS, Meter, check_cost, check_memory
from ..core.gdmap import descend
from ..core.objective import Objective, numeric_objective
from ..core.outcomes import Status
from ..core.scalars import RealLike, check_dps, exact_real, positive_real, to_mpf
from ..errors import InvalidInputError

__all__ = ["Status", "Trajectory", "gd"]


def _check_steps(steps: object) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise InvalidInputError(f"steps must be a non-negative integer, got {steps!r}")
    return int(steps)


def _check_bound(bound: object) -> float:
    try:
        b = float(exact_real(bound, "bound"))
    except OverflowError:
        raise InvalidInputError(f"bound must be a finite positive number, got {bound!r}") from None
    if not b > 0:
        raise InvalidInputError(f"bound must be > 0, got {bound!r}")
    return b


@dataclass(frozen=True)
class Trajectory:
    """A high-precision GD run.

    Attributes
    ----------
    objective : Objective
    h : sympy number
        The learning rate, exact as given.
    dps : int
        Working precision (decimal digits) of the run.
    iterates : tuple of tuple of mpf
        x_0, ..., x_K (K = number of steps taken).
    f_values, grad_norms : tuple of mpf
        f(x_k) and |grad f(x_k)| for each iterate (NaN where not finite/real).
    status : Status
    decided_at : int
        The step at which the status was decided (K for ``max_steps``).
    reason : str
        What decided the status, in words.
    """

    objective: Objective
    h: sp.Expr
    dps: int
    iterates: tuple[tuple[mpmath.mpf, ...], ...] = field(repr=False)
    f_values: tuple[mpmath.mpf, ...] = field(repr=False)
    grad_norms: tuple[mpmath.mpf, ...] = field(repr=False)
    status: Status
    decided_at: int
    reason: str

    @property
    def steps(self) -> int:
        """Number of steps taken."""
        return len(self.iterates) - 1

    @property
    def x(self) -> tuple[mpmath.mpf, ...]:
        """The last iterate."""
        return self.iterates[-1]

    @property
    def message(self) -> str:
        return self.status.message

    def as_numpy(self) -> np.ndarray:
        """The iterates as a float64 array of shape (K + 1, n)."""
        return np.array([[float(c) for c in x] for x in self.iterates], dtype=float)

    def __repr__(self) -> str:
        with mpmath.workdps(12):
            last = ", ".join(mpmath.nstr(c, 10) for c in self.x)
        return (
            f"Trajectory({self.objective.name!r}, h={self.h}, dps={self.dps}, "
            f"steps={self.steps}, status={self.status.value!r} at step {self.decided_at}, "
            f"x=({last}))"
        )


def gd(
    objective: Objective,
    x0: Any,
    *,
    h: RealLike,
    steps: int,
    dps: int = 50,
    tol: RealLike | None = None,
    bound: RealLike = 10**30,
) -> Trajectory:
    r"""Iterate x_{k+1} = x_k - h grad f(x_k) at ``dps`` decimal digits.

    Parameters
    ----------
    objective : Objective
    x0 : point (sequence of length n; a scalar in 1-D), exact strings allowed
    h : learning rate > 0; exact (``"19/10"``, ``Fraction(19, 10)``) or float
    steps : maximum number of steps
    dps : working precision in decimal digits (15 <= dps <= 10000)
    tol : stop as ``converged`` when |grad f(x_k)| <= tol; default: never stop early
    bound : declare ``diverged`` when a coordinate exceeds this in absolute value

    Examples
    --------
    On f = x^2/2 (L = 1) GD is x_k = (1 - h)^k x_0:

    >>> from gdtheory.objectives import quadratic
    >>> t = gd(quadratic([1]), 1, h="1/2", steps=3)
    >>> t.iterates[-1][0], t.status
    (mpf('0.125'), <Status.MAX_STEPS: 'max_steps'>)
    >>> gd(quadratic([1]), 1, h=3, steps=200).status.value
    'diverged'
    """
    objective = numeric_objective(objective)
    steps = _check_steps(steps)
    dps = check_dps(dps)
    h_exact = positive_real(h, "h")
    b = _check_bound(bound)
    # cost ~ steps x dim x (digits / 50)^1.6 (multiplication cost at high precision)
    work = steps * max(objective.dim, 2) / 2 * max(1.0, dps / 50) ** 1.6
    check_cost("GD at high precision", work, RATE_MP_STEPS, "steps")
    # every iterate is kept: n mpf numbers of about (dps / 2.4 + 80) bytes each, plus
    # f and |grad f| per step; counted in float64 equivalents (8 bytes)
    check_memory("the kept GD iterates", (steps + 1) * (objective.dim + 2) * (dps / 2.4 + 80) / 8)
    with mpmath.workdps(dps):
        x = objective.point_mp(x0)
        hm = to_mpf(h_exact)
        tol_m = None if tol is None else to_mpf(positive_real(tol, "tol"))
        bound_m = mpmath.mpf(b)
        nan = mpmath.mpf("nan")
        iterates, fvals, gnorms = [x], [], []
        status, decided, reason = Status.MAX_STEPS, steps, f"took all {steps} steps"
        k = 0
        meter = Meter("GD at high precision", steps, "steps")
        while True:
            meter.tick(k)
            try:
                g = objective.grad_mp(x)
                fx = objective.f_mp(x)
                if not (mpmath.isfinite(fx) and all(mpmath.isfinite(c) for c in g)):
                    raise ValueError("not finite")
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                fvals.append(nan)
                gnorms.append(nan)
                status, decided = Status.DIVERGED, k
                reason = f"f or grad f is not finite or not real at step {k}"
                break
            gn = mpmath.sqrt(mpmath.fsum(c * c for c in g))
            fvals.append(fx)
            gnorms.append(gn)
            if tol_m is not None and gn <= tol_m:
                status, decided = Status.CONVERGED, k
                reason = f"|grad f| = {mpmath.nstr(gn, 5)} <= tol at step {k}"
                break
            if k == steps:
                break
            x = tuple(descend(x, g, hm))  # Phi_h(x) = x - h grad f(x)
            k += 1
            iterates.append(x)
            if max(abs(c) for c in x) > bound_m:
                fvals.append(nan)
                gnorms.append(nan)
                status, decided = Status.DIVERGED, k
                reason = f"a coordinate exceeded bound={b:g} at step {k}"
                break
    return Trajectory(
        objective,
        h_exact,
        dps,
        tuple(iterates),
        tuple(fvals),
        tuple(gnorms),
        status,
        decided,
        reason,
    )
