r"""Modified flows at high precision.

The order-p modified flow is dx/dt = F^{[p]}_h(x) = sum_{k<=p} h^k F_k(x) with h fixed;
p = 0 is gradient flow.  It is integrated with the error-controlled Gragg-Bulirsch-Stoer
extrapolation of :mod:`gdtheory.continuous.flows` at the user's precision.

Backward error analysis (Hairer-Lubich-Wanner IX.1, Thm IX.1.2 and IX.7; Li-Tai-E 2019
for p = 1) predicts, for h -> 0,

* local error   |phi^{[p]}_h(x) - Phi_h(x)| = O(h^{p+2})   (one step);
* global error  max_{kh <= T} |x_k - y^{[p]}(kh)| = O(h^{p+1}) on a fixed time T;
* after a fixed number K of steps (so T = Kh -> 0) the error is K O(h^{p+2}) = O(h^{p+2}).

:func:`gdtheory.studies.error_tables.modified_error_table` measures these errors against
GD and fits the orders from the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mpmath

from ..backward_error.modified import ModifiedEquation, modified_equation
from ..core.objective import Objective
from ..core.scalars import RealLike, check_dps, positive_real, to_mpf
from ..errors import InvalidInputError
from .flows import FlowSolution, integrate_flow

__all__ = ["modified_flow"]


def modified_flow(
    target: ModifiedEquation | Objective | str,
    x0: Any,
    times: Sequence[RealLike],
    *,
    order: int,
    h: RealLike,
    dps: int = 50,
) -> FlowSolution:
    """Integrate the order-``order`` modified flow dx/dt = sum_{k<=order} h^k F_k(x).

    >>> s = modified_flow("x**2/2", [1], [1], order=3, h="1/2", dps=30)
    >>> with mpmath.workdps(30):
    ...     c = 1 + mpmath.mpf(1)/4 + mpmath.mpf(1)/12 + mpmath.mpf(1)/32   # sum h^k/(k+1)
    ...     print(abs(s.states[-1][0] - mpmath.exp(-c)) < 1e-28)
    True
    """
    dps = check_dps(dps)
    hh = positive_real(h, "h")
    me = target if isinstance(target, ModifiedEquation) else modified_equation(target, order)
    if order > me.order:
        raise InvalidInputError(f"order {order} exceeds the {me.order} computed")
    F = me.lambdify("mpmath", order)
    with mpmath.workdps(dps):
        x = me.point_mp(x0)

    h_at: dict[int, mpmath.mpf] = {}  # h rounded once per working precision

    def field_at(v: Sequence[mpmath.mpf]) -> tuple[mpmath.mpf, ...]:
        prec = mpmath.mp.prec
        if prec not in h_at:
            h_at[prec] = to_mpf(hh)
        return F(v, h_at[prec])

    return integrate_flow(field_at, x, times, dps=dps)
