r"""High-precision runs of any method of the registry; :func:`gd` is the GD shorthand.

:func:`trajectory` iterates a method's update formula
(:meth:`~gdtheory.methods.registry.Method.update`; GD: Phi_h(x) = x - h grad f(x)) at
arbitrary precision with mpmath.  The learning rate is kept exact (``h="19/10"`` is 19/10,
correctly rounded at the working precision, not the float 1.9), and the precision is
changed only inside ``mpmath.workdps``.  The float64 runner :func:`gdtheory.run` (many
paths at once) shares its status vocabulary (:class:`Status`).

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
from ..core.objective import Objective, numeric_objective
from ..core.outcomes import Status
from ..core.scalars import RealLike, check_dps, exact_real, positive_real, to_mpf
from ..errors import InvalidInputError, ShapeError
from ..methods.optimizers import GD, Method, as_method

__all__ = ["Status", "Trajectory", "trajectory", "gd"]


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
    """A high-precision run of a method.

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
    method : str
        The method's name ("GD", "HeavyBall", a user's class name).
    state : tuple of tuple of mpf
        The method's fast state at the last iterate, one vector per state variable
        (empty for a memoryless method).
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
    method: str = "GD"
    state: tuple[tuple[mpmath.mpf, ...], ...] = field(default=(), repr=False)

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
            f"Trajectory({self.method}, {self.objective.name!r}, h={self.h}, dps={self.dps}, "
            f"steps={self.steps}, status={self.status.value!r} at step {self.decided_at}, "
            f"x=({last}))"
        )


def gd(
    objective: Objective | str,
    x0: Any,
    *,
    h: RealLike,
    steps: int,
    dps: int = 50,
    tol: RealLike | None = None,
    bound: RealLike = 10**30,
) -> Trajectory:
    r"""Iterate x_{k+1} = x_k - h grad f(x_k) at ``dps`` decimal digits: :func:`trajectory`
    of GD.

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
    return trajectory(GD(), objective, x0, h=h, steps=steps, dps=dps, tol=tol, bound=bound)


def trajectory(
    method: Method | str,
    objective: Objective | str,
    x0: Any,
    *,
    h: RealLike,
    steps: int,
    dps: int = 50,
    tol: RealLike | None = None,
    bound: RealLike = 10**30,
    state0: Any = None,
) -> Trajectory:
    r"""Iterate ``method``'s update (x_k, s_k) -> (x_{k+1}, s_{k+1}) at ``dps`` digits.

    The run is ``converged`` at the first x_k with |grad f(x_k)| <= tol, ``diverged`` at
    the first x_k with a coordinate beyond ``bound`` or not finite, or where f or grad f
    is not finite or not real; otherwise it ends ``max_steps``.  The fast state starts
    at zero unless ``state0`` gives it (one vector per state variable; a single vector
    for a method with one).  Parameters as in :func:`gd`; a user's
    :class:`~gdtheory.methods.registry.Method` runs the same way.

    Examples
    --------
    Heavy ball on x^2/2 at h = 1, beta = 1/2: x_{k+1} = x_k/2 - x_{k-1}/2 ... from x_0 = 1,
    v_0 = 0: x_1 = 0, x_2 = -1/2, x_3 = -1/4:

    >>> from gdtheory.optimizers import HeavyBall
    >>> t = trajectory(HeavyBall("1/2"), "x**2/2", 1, h=1, steps=3)
    >>> [str(x[0]) for x in t.iterates], t.method
    (['1.0', '0.0', '-0.5', '-0.25'], 'HeavyBall')
    """
    meth = as_method(method)
    if meth.stochastic:
        raise InvalidInputError(
            f"{meth.name} samples its gradients: its float64 runs are gdtheory.run and "
            "gdtheory.sgd_samples (trajectory runs deterministic methods)"
        )
    objective = numeric_objective(objective)
    steps = _check_steps(steps)
    dps = check_dps(dps)
    h_exact = positive_real(h, "h")
    b = _check_bound(bound)
    n = objective.dim
    # cost ~ steps x dim x (digits / 50)^1.6 (multiplication cost at high precision)
    work = steps * max(n, 2) / 2 * max(1.0, dps / 50) ** 1.6 * (1 + len(meth.state))
    check_cost(f"{meth.name} at high precision", work, RATE_MP_STEPS, "steps")
    # every iterate is kept: n mpf numbers of about (dps / 2.4 + 80) bytes each, plus
    # f and |grad f| per step; counted in float64 equivalents (8 bytes)
    check_memory(f"the kept {meth.name} iterates", (steps + 1) * (n + 2) * (dps / 2.4 + 80) / 8)
    with mpmath.workdps(dps):
        x = objective.point_mp(x0)
        state = _start_state(meth, objective, state0)
        hm = to_mpf(h_exact)
        tol_m = None if tol is None else to_mpf(positive_real(tol, "tol"))
        bound_m = mpmath.mpf(b)
        nan = mpmath.mpf("nan")
        iterates, fvals, gnorms = [x], [], []
        status, decided, reason = Status.MAX_STEPS, steps, f"took all {steps} steps"
        k = 0
        meter = Meter(f"{meth.name} at high precision", steps, "steps")
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
            here = x

            def grad(y: Any, here: Any = here, g: Any = g) -> Any:
                if y is here:
                    return g
                try:
                    return objective.grad_mp(y)
                except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                    raise _NotFinite from None

            try:
                x1, s1 = meth.check_output(meth.update(grad, x, state, hm), n)
            except _NotFinite:
                x1, s1 = [nan] * n, tuple([nan] * n for _ in meth.state)
            x, state = tuple(x1), tuple(tuple(v) for v in s1)
            k += 1
            iterates.append(x)
            if not all(_inside(c, bound_m) for c in x):
                fvals.append(nan)
                gnorms.append(nan)
                status, decided = Status.DIVERGED, k
                reason = (
                    f"a coordinate exceeded bound={b:g}, or was not finite or not real, at step {k}"
                )
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
        meth.name,
        tuple(state),
    )


class _NotFinite(Exception):
    """A gradient the update asked for is not finite or not real."""


def _inside(c: Any, bound: mpmath.mpf) -> bool:
    """A real, finite coordinate within the bound (an int or float the update returned
    counts as the number it is)."""
    if isinstance(c, int | float) and not isinstance(c, bool):
        c = mpmath.mpf(c)
    return isinstance(c, mpmath.mpf) and bool(mpmath.isfinite(c)) and abs(c) <= bound


def _start_state(meth: Method, objective: Objective, state0: Any) -> tuple[Any, ...]:
    """The fast state at the start as mpf vectors (zero unless given)."""
    if not meth.state:
        if state0 is not None:
            raise InvalidInputError(f"{meth.name} has no state; state0 must be None")
        return ()
    if state0 is None:
        return tuple(tuple(mpmath.mpf(0) for _ in range(objective.dim)) for _ in meth.state)
    given = [state0] if len(meth.state) == 1 else list(state0)
    if len(given) != len(meth.state):
        raise ShapeError(f"state0 must give the state {meth.state} of {meth.name}")
    return tuple(objective.point_mp(v, name) for name, v in zip(meth.state, given, strict=True))
