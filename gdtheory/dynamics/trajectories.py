r"""Gradient descent: the map Phi_h(x) = x - h grad f(x), iterated.

Two engines share one status vocabulary (:class:`Status`):

* :func:`gd` iterates at arbitrary precision with mpmath.  The learning rate is kept
  exact (``h="19/10"`` is 19/10, correctly rounded at the working precision, not the
  float 1.9), and the precision is changed only inside ``mpmath.workdps``.
* :func:`gd_batch` iterates in float64 with NumPy, vectorised over many initial points
  and learning rates at once (shapes broadcast), for sweeps.

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
from .engine import broadcast_batch, check_float_cost

__all__ = ["Status", "Trajectory", "BatchTrajectory", "gd", "gd_batch"]


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


_CODES = np.array([Status.MAX_STEPS.value, Status.CONVERGED.value, Status.DIVERGED.value])


@dataclass(frozen=True)
class BatchTrajectory:
    """Float64 GD runs, one per row of a broadcast batch.

    Attributes
    ----------
    x : ndarray (*batch, n)
        The last iterate of each run; for a diverged run, the last iterate inside
        ``bound`` with finite gradient (always finite).  Note: :class:`Trajectory` instead
        keeps the (finite, high-precision) iterate that crossed ``bound``.
    h : ndarray (*batch,)
    status : ndarray of str (*batch,)
        ``"converged"``, ``"diverged"`` or ``"max_steps"`` (compare with :class:`Status`).
    decided_at : ndarray of int (*batch,)
    f, grad_norm : ndarray (*batch,)
        f and |grad f| at ``x``.
    history : ndarray (steps + 1, *batch, n) or None
        All iterates when ``record=True``; rows are frozen after their decision.
    """

    x: np.ndarray = field(repr=False)
    h: np.ndarray = field(repr=False)
    status: np.ndarray = field(repr=False)
    decided_at: np.ndarray = field(repr=False)
    f: np.ndarray = field(repr=False)
    grad_norm: np.ndarray = field(repr=False)
    steps: int
    history: np.ndarray | None = field(default=None, repr=False)

    def count(self, status: Status | str) -> int:
        """Number of runs that ended with ``status``."""
        return int(np.count_nonzero(self.status == Status(status).value))

    def __repr__(self) -> str:
        counts = ", ".join(f"{s.value}={self.count(s)}" for s in Status)
        return f"BatchTrajectory(batch={self.status.shape}, steps={self.steps}, {counts})"


def gd_batch(
    objective: Objective,
    x0s: Any,
    *,
    hs: Any,
    steps: int,
    tol: float | None = None,
    bound: float = 1e30,
    record: bool = False,
) -> BatchTrajectory:
    r"""Float64 GD, vectorised over initial points and learning rates.

    ``x0s`` has shape ``(..., n)`` and ``hs`` shape ``(...)``; the two batch shapes
    broadcast.  For the outer product of m points and k rates pass
    ``x0s[:, None, :]`` and ``hs[None, :]`` (batch shape (m, k)).

    Examples
    --------
    >>> from gdtheory.objectives import quadratic
    >>> r = gd_batch(quadratic([1]), [[1.0]], hs=[0.5, 1.5, 3.0], steps=200, tol=1e-12)
    >>> r.status.tolist(), r.decided_at.tolist()
    (['converged', 'converged', 'diverged'], [40, 40, 100])
    """
    objective = numeric_objective(objective)
    steps = _check_steps(steps)
    batch, X, Hf = broadcast_batch(objective, x0s, hs)
    tol_f = None if tol is None else float(positive_real(tol, "tol"))
    b = _check_bound(bound)
    n = objective.dim
    N = X.shape[0]
    check_float_cost("the GD batch", steps, N, "numpy")
    check_memory("the GD batch history", (steps + 1) * N * n if record else N * n)
    code = np.zeros(N, dtype=np.int8)
    decided = np.full(N, steps, dtype=np.int64)
    hist = np.empty((steps + 1, N, n)) if record else None
    active = np.arange(N)
    grad = objective.grad_np
    objective.f_np(X[:1])  # compiled now: its time counts before the pilot, not after
    G = np.zeros((N, n))
    meter = Meter("the GD batch", steps, "steps")
    for k in range(steps + 1):
        meter.tick(k)
        if hist is not None:
            hist[k] = X
        if active.size == 0:
            if hist is not None:
                hist[k + 1 :] = X
            break
        Xa = X[active]
        Ga = grad(Xa)
        bad = ~np.all(np.isfinite(Ga), axis=1)
        if tol_f is not None:
            conv = ~bad & (np.sqrt(np.einsum("ij,ij->i", Ga, Ga)) <= tol_f)
            code[active[conv]] = 1
            decided[active[conv]] = k
        else:
            conv = np.zeros(active.size, dtype=bool)
        code[active[bad]] = 2
        decided[active[bad]] = k
        G[active] = Ga
        keep = ~(bad | conv)
        active, Xa, Ga = active[keep], Xa[keep], Ga[keep]
        if k == steps or active.size == 0:
            continue
        Xn = descend(Xa, Ga, Hf[active, None])  # Phi_h(x) = x - h grad f(x)
        out = ~np.all(np.abs(Xn) <= b, axis=1)  # also catches NaN
        X[active[~out]] = Xn[~out]
        code[active[out]] = 2
        decided[active[out]] = k + 1
        active = active[~out]
    fvals = objective.f_np(X)
    gn = np.sqrt(np.einsum("ij,ij->i", G, G))
    shape = batch
    return BatchTrajectory(
        x=X.reshape(shape + (n,)),
        h=Hf.reshape(shape),
        status=_CODES[code].reshape(shape),
        decided_at=decided.reshape(shape),
        f=fvals.reshape(shape),
        grad_norm=gn.reshape(shape),
        steps=steps,
        history=None if hist is None else hist.reshape((steps + 1,) + shape + (n,)),
    )
