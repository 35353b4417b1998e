r"""Oracle assertions: test your own GD code against gdtheory's references.

* :func:`assert_gd_step` — one step of your implementation, ``step_fn(x, h) -> next x``,
  against x - h grad f(x) computed at 50 digits from the *same* float inputs; the error
  is reported in units in the last place (ulps) of the natural scale of the step,
  max(|x_i|, |ref_i|, h kappa_i), kappa_i the running-error bound of a float evaluation
  of d f/d x_i (so cancellation inside the gradient is not charged to you).  A correct
  float64 step is a few ulps off; a wrong one (a flipped sign, a step of h/2) is off by
  ~2^52 ulps unless grad f itself is at rounding level.
* :func:`assert_modified_equation` — a trajectory your code produced with step h must
  deviate from the order-p modified flow exactly as much as true GD does (the
  backward-error-analysis fingerprint of GD), within a relative tolerance.
* :func:`assert_regime` — a trajectory must show the behaviour of its learning-rate
  regime: on an L-smooth objective with h < 2/L, f never increases (descent lemma); on
  a quadratic the component along the top eigenvector keeps its sign (h <= 1/L),
  alternates while shrinking (1/L < h < 2/L), alternates at constant size (h = 2/L) or
  grows (h > 2/L).

Each returns a frozen result with the numbers it saw and raises ``AssertionError`` with
those numbers when the property fails.

>>> import numpy as np
>>> from gdtheory import Objective
>>> f = Objective.parse("logcosh(x) + y**2")
>>> r = assert_gd_step(lambda x, h: x - h * f.grad_np(x), f, [0.3, -1.2], h=0.1)
>>> r.passed, r.max_ulps_seen <= 4
(True, True)
>>> assert_gd_step(lambda x, h: x + h * f.grad_np(x), f, [0.3, -1.2], h=0.1)
Traceback (most recent call last):
...
AssertionError: GD step off by ... ulps (allowed 32) at x = [0.3, -1.2], h = 0.1: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..core.objective import Objective
from ..core.regimes import Regime, lr_regime
from ..core.scalars import RealLike, check_dps, exact_real, positive_real
from ..errors import InvalidInputError, ShapeError
from .steps import StepCheck, _point, assert_step

__all__ = [
    "StepCheck",
    "reference_step",
    "assert_gd_step",
    "ModifiedEquationCheck",
    "assert_modified_equation",
    "RegimeCheck",
    "assert_regime",
]


def _objective(objective: Any) -> Objective:
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, str):
        return Objective.parse(objective)
    raise InvalidInputError(f"objective must be an Objective or a string, got {type(objective)}")


def reference_step(
    objective: Objective | str,
    x: Any,
    *,
    h: RealLike,
    dps: int = 50,
) -> Any:
    """x - h grad f(x) at ``dps`` digits for the float point x (its exact binary value);
    a tuple of mpf."""
    f = _objective(objective)
    xs = _point(x, f.dim)
    hh = positive_real(h, "h")
    dps = check_dps(dps)
    with mpmath.workdps(dps):
        xm = tuple(mpmath.mpf(float(v)) for v in xs)
        hm = mpmath.mpf(hh.p) / hh.q if hh.is_Rational else mpmath.mpf(str(sp.N(hh, dps + 5)))
        g = f.grad_mp(xm)
        return tuple(a - hm * b for a, b in zip(xm, g, strict=True))


def assert_gd_step(
    step_fn: Callable[[np.ndarray, float], Any],
    objective: Objective | str,
    x: Any,
    *,
    h: RealLike,
    max_ulps: float = 32,
    dps: int = 50,
) -> StepCheck:
    """Assert that ``step_fn(x, h)`` is one GD step on ``objective``, to ``max_ulps`` ulps.

    ``x`` (a float point) and ``h`` (a float) are passed to ``step_fn`` as a float64
    array and a float; the reference uses exactly those values.  Raises
    ``AssertionError`` naming the worst coordinate's error in ulps, the inputs, the
    expected and the returned point.
    """
    from ..methods.optimizers import GD

    return assert_step(GD(), step_fn, objective, x, h=h, max_ulps=max_ulps, dps=dps)


@dataclass(frozen=True)
class ModifiedEquationCheck:
    """Distance of a trajectory to the order-p modified flow, against true GD's.

    ``error`` = max_k |traj_k - y_p(k h)|, ``reference_error`` the same for GD at
    ``dps`` digits from traj[0], ``gradient_flow_error`` for p = 0 (context).
    """

    order: int
    h: float
    steps: int
    error: float
    reference_error: float
    gradient_flow_error: float
    rtol: float
    passed: bool


def assert_modified_equation(
    traj: Any,
    objective: Objective | str,
    *,
    h: RealLike,
    order: int,
    rtol: float = 0.05,
    atol: float = 1e-12,
    dps: int = 30,
) -> ModifiedEquationCheck:
    r"""Assert that ``traj`` (K+1 iterates of GD with step h) follows the order-p modified
    equation as GD does: |E(traj) - E(GD)| <= rtol E(GD) + atol, E = max_k |x_k - y_p(kh)|.

    >>> f = Objective.parse("logcosh(x)")
    >>> xs = [np.array([1.0])]
    >>> for _ in range(10):
    ...     xs.append(xs[-1] - 0.1 * f.grad_np(xs[-1]))
    >>> r = assert_modified_equation(np.array(xs), f, h=0.1, order=1)
    >>> r.passed, r.error < r.gradient_flow_error / 10
    (True, True)
    """
    from ..continuous.modified_flows import modified_flow
    from ..dynamics.trajectories import gd

    f = _objective(objective)
    try:
        T = np.asarray(traj, dtype=float)
    except (TypeError, ValueError):
        raise ShapeError("traj must be an array of iterates of shape (K + 1, n)") from None
    if T.ndim == 1 and f.dim == 1:
        T = T[:, None]
    if T.ndim != 2 or T.shape[1] != f.dim or T.shape[0] < 2:
        raise ShapeError(f"traj must have shape (K + 1, {f.dim}) with K >= 1, got {T.shape}")
    if not np.all(np.isfinite(T)):
        raise InvalidInputError("traj has NaN or infinite entries")
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 8:
        raise InvalidInputError(f"order must be an integer in 0..8, got {order!r}")
    hh = positive_real(h, "h")
    K = T.shape[0] - 1
    x0 = [sp.Rational(float(v)) for v in T[0]]
    times = [k * hh for k in range(K + 1)]

    def dist(Y: Any) -> float:
        return float(
            max(np.max(np.abs(T[k] - np.array([float(c) for c in Y[k]]))) for k in range(K + 1))
        )

    flow = modified_flow(f, x0, times, order=order, h=hh, dps=dps).states
    flow0 = modified_flow(f, x0, times, order=0, h=hh, dps=dps).states
    ref = gd(f, x0, h=hh, steps=K, dps=dps).iterates
    if len(ref) != K + 1:
        raise AssertionError("true GD diverged from traj[0] within the trajectory's length")
    with mpmath.workdps(dps):
        e_ref = float(
            max(
                max(abs(a - b) for a, b in zip(r, y, strict=True))
                for r, y in zip(ref, flow, strict=True)
            )
        )
    e = dist(flow)
    check = ModifiedEquationCheck(
        order,
        float(hh),
        K,
        e,
        e_ref,
        dist(flow0),
        float(rtol),
        abs(e - e_ref) <= rtol * e_ref + atol,
    )
    if not check.passed:
        raise AssertionError(
            f"trajectory is {e:.3e} from the order-{order} modified flow, true GD is "
            f"{e_ref:.3e} (allowed difference {rtol:g} relative + {atol:g}); gradient flow is "
            f"{check.gradient_flow_error:.3e} away; h = {float(hh)!r}, {K} steps, f = {f.expr}"
        )
    return check


@dataclass(frozen=True)
class RegimeCheck:
    """What a trajectory did against what its regime predicts."""

    regime: Regime
    f_increases: int
    top_sign_changes: int | None
    top_ratio: float | None
    passed: bool
    reason: str = field(default="")


def assert_regime(
    traj: Any,
    objective: Objective | str,
    *,
    h: RealLike,
    L: RealLike,
    rtol: float = 1e-9,
) -> RegimeCheck:
    """Assert that a GD trajectory shows the behaviour of the regime of (h, L).

    ``L`` is the objective's smoothness constant (the largest Hessian eigenvalue for a
    quadratic).  Always: for h < 2/L, f(x_k) never increases (beyond ``rtol``
    relative).  On a quadratic with a simple top eigenvalue L, the component c_k along
    its eigenvector must follow the sign of 1 - hL and |c_{k+1}/c_k| = |1 - hL|.
    """
    f = _objective(objective)
    T = np.asarray(traj, dtype=float)
    if T.ndim == 1 and f.dim == 1:
        T = T[:, None]
    if T.ndim != 2 or T.shape[1] != f.dim or T.shape[0] < 3:
        raise ShapeError(f"traj must have shape (K + 1, {f.dim}) with K >= 2, got {T.shape}")
    reg = lr_regime(h=h, L=L).regime
    hf, Lf = float(exact_real(h, "h")), float(exact_real(L, "L"))
    fv = f.f_np(T)
    scale = np.maximum(np.abs(fv[:-1]), 1e-300)
    increases = int(np.sum(np.diff(fv) > rtol * scale))
    reasons = []
    if reg in (Regime.GRADIENT_FLOW_LIKE, Regime.ONE_STEP, Regime.OSCILLATORY) and increases:
        reasons.append(f"f increased {increases} times although h < 2/L (descent lemma)")
    changes: int | None = None
    ratio: float | None = None
    H = f.hessian
    if not H.free_symbols:
        A = np.array(H.tolist(), dtype=float)
        w, V = np.linalg.eigh(A)
        if abs(w[-1] - Lf) <= 1e-9 * max(1.0, abs(Lf)) and (len(w) == 1 or w[-1] - w[-2] > 1e-9):
            c = T @ V[:, -1]
            # components at rounding level (after a step with h = 1/L, say) carry no sign
            alive = np.abs(c) > 1e-12 * max(float(np.max(np.abs(c))), 1e-300)
            nz = alive[:-1]
            both = alive[:-1] & alive[1:]
            changes = int(np.sum(np.sign(c[1:][both]) != np.sign(c[:-1][both])))
            ratios = np.abs(c[1:][nz] / c[:-1][nz])
            ratio = float(np.median(ratios)) if ratios.size else None
            want = abs(1 - hf * Lf)
            flips = 1 - hf * Lf < 0
            if ratio is not None and abs(ratio - want) > 1e-6 * max(1.0, want):
                reasons.append(
                    f"top component shrinks by {ratio:.6g} per step, not |1 - hL| = {want:.6g}"
                )
            if flips and changes < int(np.sum(both)):
                reasons.append(f"top component changed sign {changes} times, every step expected")
            if not flips and changes:
                reasons.append(f"top component changed sign {changes} times, never expected")
    check = RegimeCheck(reg, increases, changes, ratio, not reasons, "; ".join(reasons))
    if reasons:
        raise AssertionError(f"regime {reg.value} (h = {hf!r}, L = {Lf!r}): {check.reason}")
    return check
