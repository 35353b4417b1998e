r"""High-precision integration of autonomous flows dx/dt = F(x) (gradient and modified flows).

Method: Gragg-Bulirsch-Stoer extrapolation (Hairer, Norsett, Wanner, *Solving Ordinary
Differential Equations I*, 2nd ed., Sec. II.9).  For a macro step H the modified
midpoint rule with n_j = 2j sub-steps,

    z_0 = y,  z_1 = z_0 + (H/n) F(z_0),  z_{i+1} = z_{i-1} + 2 (H/n) F(z_i),

gives T_{j,1} = z_n, whose error has an expansion in even powers of H/n (Gragg 1965).
The Aitken-Neville tableau

    T_{j,k+1} = T_{j,k} + (T_{j,k} - T_{j-1,k}) / ((n_j / n_{j-k})^2 - 1)

raises the order by 2 per column; the step is accepted when |T_{j,j} - T_{j,j-1}| <=
tol (1 + |T_{j,j}|) and the macro step grows or shrinks with the column at which this
happened.  Everything runs at ``dps + 10`` digits inside ``mpmath.workdps``.  Because
the order adapts (up to 2 * max_columns), 50-digit accuracy costs a few hundred field
evaluations per unit time on smooth problems.  A run whose remaining time, at the pace
of its last step, exceeds the budget (:mod:`gdtheory.core.budget`) is refused with
that estimate (a stiff flow, a final time of 1e6, 10^4 digits).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath

from ..core import budget
from ..core.objective import Objective
from ..core.scalars import RealLike, check_dps, sorted_times, to_mpf
from ..errors import FlowBlowUpError, FlowIntegrationError, InvalidInputError

__all__ = ["FlowSolution", "integrate_flow", "gradient_flow"]

Field = Callable[[Sequence[mpmath.mpf]], Sequence[mpmath.mpf]]


@dataclass(frozen=True)
class FlowSolution:
    """States of a flow at requested times.

    Attributes
    ----------
    times : tuple of mpf
    states : tuple of tuple of mpf
        ``states[i]`` is x(times[i]).
    dps : int
    error_estimate : mpf
        Sum of the accepted local error estimates (a global error estimate for
        non-expanding flows).
    evaluations : int
        Number of evaluations of the field.
    """

    times: tuple[mpmath.mpf, ...] = field(repr=False)
    states: tuple[tuple[mpmath.mpf, ...], ...] = field(repr=False)
    dps: int
    error_estimate: mpmath.mpf
    evaluations: int


def _check_precision_cost(F: Field, y: Any, T: float, tol: Any, kmax: int) -> None:
    """A-priori refusal of a precision no step can reach in reasonable time.  The
    extrapolation order is at most 2 kmax, so on a flow of unit time scale an accepted
    step has length about tol^(1/(2 kmax)): at least T tol^(-1/(2 kmax)) steps of at
    least kmax evaluations each, every evaluation timed here at the working precision.
    Refused above the budget; the pace check during the run judges the rest."""
    if T <= 0:
        return
    first = F(y)  # the first call may compile the field
    try:
        ok = len(first) == len(y) and len(y) > 0
    except TypeError:
        ok = False
    if not ok:
        raise InvalidInputError(
            f"the field must return one component per coordinate of x0 ({len(y)}), got "
            f"{first!r:.60}"
        )
    t0 = time.perf_counter()
    F(y)
    per_eval = time.perf_counter() - t0
    digits = -float(mpmath.log10(tol)) if tol > 0 else 0.0
    steps = T * 10 ** min(300.0, digits / (2 * kmax))
    estimate = steps * kmax * per_eval
    if estimate > budget.MAX_SECONDS:  # a lower bound already beyond the budget
        budget.charge(
            "the flow",
            estimate,
            f"a tolerance of 1e-{digits:.0f} with extrapolation order <= {2 * kmax} needs "
            f"about {steps:.2g} steps to reach t = {T:.3g}, at {per_eval:.2g} s per field "
            "evaluation; lower dps or tol, or the final time",
        )


def _norm(v: Sequence[mpmath.mpf]) -> mpmath.mpf:
    return max(abs(c) for c in v)


def _field_at(F: Field, y: Sequence[Any]) -> tuple[Any, ...] | None:
    """F(y), or None where the field is undefined (a division by zero, the log of a
    negative number: the point lies outside the domain of f)."""
    try:
        return tuple(F(y))
    except (ZeroDivisionError, ValueError):
        return None


def integrate_flow(
    F: Field,
    x0: Sequence[Any],
    times: Sequence[RealLike],
    *,
    dps: int = 50,
    tol: RealLike | None = None,
    max_columns: int | None = None,
    max_evaluations: int = 5_000_000,
    progress: bool = False,
) -> FlowSolution:
    """Integrate dx/dt = F(x) from x(0) = x0 and return x at each of ``times`` (>= 0, sorted).

    Parameters
    ----------
    F : callable
        The field at the current mpmath precision, ``F(x) -> sequence of mpf``.
    tol : relative local tolerance, default 10**(-dps)
    progress : show a progress bar over the time interval (long integrations)

    Examples
    --------
    dx/dt = -x, x(0) = 1 at t = 1 is 1/e:

    >>> s = integrate_flow(lambda x: (-x[0],), [1], [1], dps=40)
    >>> with mpmath.workdps(50):
    ...     print(abs(s.states[-1][0] - mpmath.exp(-1)) < mpmath.mpf(10) ** -38)
    True
    """
    dps = check_dps(dps)
    ts = sorted_times(times, empty=True)
    if isinstance(x0, str | bytes) or not hasattr(x0, "__iter__"):
        raise InvalidInputError(f"x0 must be a sequence of numbers, got {x0!r}")
    if not callable(F):
        raise InvalidInputError("F must be a callable F(x) -> sequence of numbers")
    kmax = max_columns if max_columns is not None else max(8, min(40, dps // 3 + 4))
    from ..core.progress import progress_bar

    bar = progress_bar(progress, total=float(ts[-1]) if ts else 0.0, desc="flow", unit="time")
    with bar, mpmath.workdps(dps + 10):
        tol_m = mpmath.mpf(10) ** (-dps) if tol is None else to_mpf(tol, "tol")
        y = tuple(to_mpf(c, "x0[i]") for c in x0)
        if not y:
            raise InvalidInputError("x0 is empty")
        _check_precision_cost(F, y, float(ts[-1]) if ts else 0.0, tol_m, kmax)
        blow_up = mpmath.mpf(10) ** 30 * (1 + _norm(y))
        t = mpmath.mpf(0)
        H = mpmath.mpf("0.1")
        err_total = mpmath.mpf(0)
        evals = 0
        pace = budget.PaceMeter("the flow", float(ts[-1]) if ts else 0.0, "time units")
        out_t, out_y = [], []
        for target_exact in ts:
            target = to_mpf(target_exact)
            while t < target:
                step = min(H, target - t)
                f0 = _field_at(F, y)
                if f0 is None:
                    raise FlowBlowUpError(
                        f"the field is undefined at x = {[mpmath.nstr(v, 8) for v in y]} "
                        f"(t = {mpmath.nstr(t, 8)}): the flow left the domain of f"
                    )
                evals += 1
                accepted = None
                rows: list[list[tuple[mpmath.mpf, ...]]] = []
                for j in range(1, kmax + 1):
                    n = 2 * j
                    hh = step / n
                    z0 = y
                    z1 = tuple(a + hh * b for a, b in zip(y, f0, strict=True))
                    undefined = False
                    for _ in range(1, n):
                        fz = _field_at(F, z1)
                        if fz is None:  # a trial point outside the domain: a smaller step
                            undefined = True
                            break
                        z0, z1 = z1, tuple(a + 2 * hh * b for a, b in zip(z0, fz, strict=True))
                    if undefined:
                        break
                    evals += n - 1
                    row = [z1]
                    for k in range(1, j):
                        ratio = mpmath.mpf(n) ** 2 / (2 * (j - k)) ** 2 - 1
                        prev = rows[-1][k - 1]
                        row.append(
                            tuple(
                                a + (a - b) / ratio for a, b in zip(row[k - 1], prev, strict=True)
                            )
                        )
                    rows.append(row)
                    if j >= 2:
                        e = _norm([a - b for a, b in zip(row[-1], row[-2], strict=True)])
                        if not mpmath.isfinite(e):
                            break
                        if e <= tol_m * (1 + _norm(row[-1])):
                            accepted = (row[-1], e, j)
                            break
                if evals > max_evaluations:
                    raise FlowIntegrationError(
                        f"flow integration used more than {max_evaluations} field evaluations "
                        f"by t = {mpmath.nstr(t, 8)}; the flow may blow up or be stiff: "
                        "lower dps or the final time"
                    )
                if accepted is None:
                    H = step / 2
                    pace.tick(float(t), settled=True)
                    if H < mpmath.mpf(10) ** (-dps):
                        raise FlowBlowUpError(
                            f"flow integration step underflow at t = {mpmath.nstr(t, 8)}: the "
                            "solution may blow up in finite time"
                        )
                    continue
                y, e, j = accepted
                if _norm(y) > blow_up:
                    raise FlowBlowUpError(
                        f"the solution may blow up in finite time: |x| > "
                        f"{mpmath.nstr(blow_up, 3)} at t = {mpmath.nstr(t, 8)}, before "
                        f"t = {mpmath.nstr(target, 8)}"
                    )
                t = t + step if step < target - t else target
                err_total += e
                bar.update(float(t) - bar.n)
                pace.tick(float(t), settled=j >= kmax * 2 // 3)
                H = step * (
                    mpmath.mpf("1.5")
                    if j < kmax * 2 // 3
                    else (mpmath.mpf(1) if j < kmax else mpmath.mpf("0.7"))
                )
            out_t.append(+target)
            out_y.append(y)
    with mpmath.workdps(dps):
        return FlowSolution(
            tuple(+v for v in out_t),
            tuple(tuple(+c for c in s) for s in out_y),
            dps,
            +err_total,
            evals,
        )


def gradient_flow(
    objective: Objective,
    x0: Any,
    times: Sequence[RealLike],
    *,
    dps: int = 50,
    tol: RealLike | None = None,
    progress: bool = False,
) -> FlowSolution:
    """Gradient flow dx/dt = -grad f(x) at high precision (claim T3); ``progress`` shows a
    bar over the time interval.

    >>> from gdtheory.objectives import quadratic
    >>> s = gradient_flow(quadratic([2]), [1], [1], dps=30)
    >>> with mpmath.workdps(40):
    ...     print(abs(s.states[-1][0] - mpmath.exp(-2)) < mpmath.mpf(10) ** -28)
    True
    """
    with mpmath.workdps(check_dps(dps)):
        x = objective.point_mp(x0)
    return integrate_flow(
        lambda v: tuple(-g for g in objective.grad_mp(v)),
        x,
        times,
        dps=dps,
        tol=tol,
        progress=bool(progress),
    )
