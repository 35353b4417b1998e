r"""GD against its modified flows: error tables over learning rates and orders (claims T4, T5).

Backward error analysis (Hairer-Lubich-Wanner IX.1, Thm IX.1.2 and IX.7; Li-Tai-E 2019
for p = 1) predicts, for h -> 0, that the order-p modified flow y^{[p]} tracks the GD
iterates x_k with

* local error   |phi^{[p]}_h(x) - Phi_h(x)| = O(h^{p+2})   (one step);
* global error  max_{kh <= T} |x_k - y^{[p]}(kh)| = O(h^{p+1}) on a fixed time T;
* after a fixed number K of steps (so T = Kh -> 0) the error is K O(h^{p+2}) = O(h^{p+2}).

:func:`modified_error_table` measures these errors (GD by
:func:`gdtheory.dynamics.trajectories.gd`, the flows by
:func:`gdtheory.continuous.modified_flows.modified_flow`) and fits the orders.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy as sp

from ..backward_error.modified import modified_equation
from ..continuous.modified_flows import modified_flow
from ..core.objective import Objective, numeric_objective
from ..core.scalars import RealLike, check_dps, check_orders, exact_rates, positive_real, to_mpf
from ..core.tables import Table, fit_order
from ..dynamics.trajectories import Status, gd
from ..errors import FlowBlowUpError, FlowIntegrationError, InvalidInputError, PrecisionError

__all__ = ["ModifiedErrorTable", "modified_error_table"]


@dataclass(frozen=True)
class ModifiedErrorTable:
    """Errors between GD iterates and modified flows, over learning rates and orders.

    Attributes
    ----------
    description : str
    hs : tuple of Expr (exact learning rates)
    orders : tuple of int (0 = gradient flow)
    steps : tuple of int (steps taken at each h)
    horizon : str
        "fixed steps K" or "fixed time T".
    errors : tuple of tuple of float
        ``errors[i][j]`` = max_{k<=steps_i} |x_k - y^{[orders[j]]}(k h_i)|_inf (``inf``
        where the flow blows up before t = k h_i, NaN where the integrator gave up within
        its evaluation cap without detecting a blow-up).
    gd_status : tuple of Status
        GD's status at each h (a diverged run is compared on the iterates it produced).
    measured_orders, expected_orders : tuple
        Least-squares slope of log error against log h per order (None when fewer than two
        usable points), and the theory's p+2 (fixed steps) or p+1 (fixed time).
    floor : float
        Errors below this are at the precision floor and left out of the fits.
    """

    description: str
    hs: tuple[sp.Expr, ...]
    orders: tuple[int, ...]
    steps: tuple[int, ...]
    horizon: str
    errors: tuple[tuple[float, ...], ...] = field(repr=False)
    gd_status: tuple[Status, ...] = field(repr=False)
    measured_orders: tuple[float | None, ...]
    expected_orders: tuple[int, ...]
    dps: int
    floor: float

    def table(self) -> Table:
        cols = ("h", "steps", "GD", *(f"p={p}" if p else "gradient flow" for p in self.orders))
        rows = tuple(
            (str(hh), k, st.value, *errs)
            for hh, k, st, errs in zip(
                self.hs, self.steps, self.gd_status, self.errors, strict=True
            )
        )
        return Table(f"max |x_k - y_p(kh)| ({self.horizon}), {self.description}", cols, rows)

    def __str__(self) -> str:
        t = self.table().markdown()
        fits = ", ".join(
            f"p={p}: {m:.3f} (expected {e})" if m is not None else f"p={p}: n/a"
            for p, m, e in zip(self.orders, self.measured_orders, self.expected_orders, strict=True)
        )
        return f"{t}\n\nmeasured orders: {fits}"


def modified_error_table(
    objective: Objective | str,
    x0: Any,
    *,
    hs: Sequence[RealLike],
    orders: Sequence[int],
    steps: int | None = None,
    time: RealLike | None = None,
    dps: int = 50,
) -> ModifiedErrorTable:
    r"""max_k |x_k - y^{[p]}(kh)| for GD against the order-p modified flows.

    Exactly one of ``steps`` (a fixed number of GD steps: expected order p+2; ``steps=1``
    is the local error) and ``time`` (a fixed time T, steps = round(T/h): expected order
    p+1).

    >>> tab = modified_error_table("x**4/4 - x**2/2", ["1/2"], hs=["1/10", "1/20", "1/40"],
    ...                            orders=[0, 1, 2], steps=1, dps=40)
    >>> [round(m) for m in tab.measured_orders]
    [2, 3, 4]
    """
    dps = check_dps(dps)
    obj = numeric_objective(objective)
    if (steps is None) == (time is None):
        raise InvalidInputError("give exactly one of steps= (fixed step count) and time=")
    order_list = check_orders(orders)
    h_exact = exact_rates(hs)
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise InvalidInputError(f"steps must be a positive integer, got {steps!r}")
        step_counts = [steps] * len(h_exact)
        horizon = f"fixed steps K = {steps}"
        expected = tuple(p + 2 for p in order_list)
    else:
        T_exact = positive_real(time, "time")
        step_counts = [max(1, int(sp.floor(T_exact / hh + sp.Rational(1, 2)))) for hh in h_exact]
        horizon = f"fixed time T = {T_exact}"
        expected = tuple(p + 1 for p in order_list)
    me = modified_equation(obj, max(order_list))
    floor = 10.0 ** (-(dps - 8))
    rows, statuses = [], []
    for hh, K in zip(h_exact, step_counts, strict=True):
        traj = gd(obj, x0, h=hh, steps=K, dps=dps)
        statuses.append(traj.status)
        with mpmath.workdps(dps):
            hm = to_mpf(hh)
            times = [k * hm for k in range(len(traj.iterates))]
        errs = []
        for p in order_list:
            try:
                sol = modified_flow(me, traj.iterates[0], times, order=p, h=hh, dps=dps)
            except FlowBlowUpError:
                errs.append(math.inf)  # the truncated modified flow blows up
                continue
            except FlowIntegrationError:
                errs.append(math.nan)  # not integrated within the cap: no number
                continue
            with mpmath.workdps(dps):
                e = max(
                    max(abs(a - b) for a, b in zip(x, y, strict=True))
                    for x, y in zip(traj.iterates, sol.states, strict=True)
                )
            errs.append(float(e))
        rows.append(tuple(errs))
    measured = []
    for j in range(len(order_list)):
        pts = [
            (float(hh), r[j])
            for hh, r in zip(h_exact, rows, strict=True)
            if math.isfinite(r[j]) and r[j] > floor
        ]
        measured.append(fit_order(*zip(*pts, strict=True)) if len(pts) >= 2 else None)
    if all(m is None for m in measured) and all(r[j] <= floor for r in rows for j in range(len(r))):
        raise PrecisionError(
            f"every error is below the precision floor {floor:.0e} of dps = {dps}: raise dps "
            "or use larger learning rates to measure orders"
        )
    return ModifiedErrorTable(
        me.description,
        tuple(h_exact),
        tuple(order_list),
        tuple(step_counts),
        horizon,
        tuple(rows),
        tuple(statuses),
        tuple(measured),
        expected,
        dps,
        floor,
    )
