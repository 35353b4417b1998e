r"""Local and global errors of a method with fast state against its modified flows, from
a start on the slow manifold.

Backward error analysis on the slow manifold (:mod:`gdtheory.backward_error.slow_manifold`)
predicts, for the order-p modified field F^[p] = F_0 + h F_1 + ... + h^p F_p and a run
started on the manifold, (x_0, s_0) = (x, S(x, h)):

* one step:              |x_1 - phi^[p]_h(x)| = O(h^(p+2))            (local error);
* N = T/h steps:         |x_N - phi^[p]_T(x)| = O(h^(p+1))            (global error, T fixed)

(Hairer-Lubich-Wanner, *Geometric Numerical Integration*, IX.1 and XV.2; Kovachki and
Stuart, JMLR 22, 2021, for momentum).  :func:`manifold_errors` measures either at ``dps``
digits: the method's own update formula in mpmath, the flows by Gragg-Bulirsch-Stoer
(:func:`gdtheory.continuous.flows.integrate_flow`), and fits the slope of log error
against log h.  The sign symbols of an adaptive method (sigma = sign(g_i)) take their
values at x, and the run must keep them (a gradient component that changes sign leaves
the region of the expansion: refused, naming it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp

from ..backward_error.slow_manifold import slow_manifold_equation
from ..continuous.flows import integrate_flow
from ..core.budget import RATE_MP_STEPS, Meter, check_cost
from ..core.compiled import compile_mp
from ..core.objective import Objective, as_objective, h
from ..core.scalars import check_dps, check_orders, exact_rates, exact_real, positive_real, to_mpf
from ..errors import InvalidInputError
from ..methods.registry import Method, as_method
from .local_errors import fitted_slopes, slope_row, with_arguments

__all__ = ["ManifoldErrors", "manifold_errors"]


@dataclass(frozen=True)
class ManifoldErrors:
    """Errors of a method against its order-p modified flows (module docstring).

    ``kind`` is "local" (one step; predicted slope p + 2) or "global" (to the time
    ``time``; predicted slope p + 1); ``errors[i][j]`` is the error of order
    ``orders[i]`` at ``hs[j]``, ``slopes[i]`` the least-squares slope of log error
    against log h.
    """

    description: str
    kind: str
    time: float
    hs: tuple[float, ...]
    orders: tuple[int, ...]
    errors: tuple[tuple[float, ...], ...]
    slopes: tuple[float, ...]

    @property
    def predicted(self) -> tuple[int, ...]:
        shift = 2 if self.kind == "local" else 1
        return tuple(p + shift for p in self.orders)

    @property
    def deviations(self) -> tuple[float, ...]:
        """|slope - predicted| per order."""
        return tuple(abs(s - q) for s, q in zip(self.slopes, self.predicted, strict=True))

    def __str__(self) -> str:
        rows = [f"{self.description}: {self.kind} error vs h = {list(self.hs)}"]
        for p, errs, s, q in zip(
            self.orders, self.errors, self.slopes, self.predicted, strict=True
        ):
            rows.append(slope_row(f"p = {p}", errs, s, q))
        return "\n".join(rows)


def manifold_errors(
    method: Method | str,
    objective: Objective | str,
    x0: Sequence[Any],
    *,
    hs: Sequence[Any],
    orders: Sequence[int] = (0, 1, 2),
    time: Any = None,
    dps: int = 50,
    start: str = "manifold",
) -> ManifoldErrors:
    """Local (``time`` None) or global (to ``time``, a multiple of every h) errors of
    ``method`` started on its slow manifold at x0, against the order-p modified flows.

    ``start="zero"`` starts the fast state at zero instead, as most training code does:
    the run then carries the transient of its fast variables, an error the flows of any
    order do not remove (compare the two to see what :func:`manifold_state` buys).

    >>> from gdtheory.optimizers import HeavyBall
    >>> r = manifold_errors(HeavyBall("1/4"), "x**2/2 + x**4/4", ["1/2"],
    ...                     hs=["1/40", "1/80"], orders=(0, 1), time=1)
    >>> [round(s) for s in r.slopes], r.predicted
    ([1, 2], (1, 2))
    """
    meth = as_method(method)
    f = as_objective(objective)
    dps = check_dps(dps)
    if start not in ("manifold", "zero"):
        raise InvalidInputError(f"start must be 'manifold' or 'zero', got {start!r}")
    rates = exact_rates(hs)
    ps = check_orders(orders, increasing=True)
    if isinstance(x0, str | bytes) or not hasattr(x0, "__len__") or len(x0) != f.dim:
        raise InvalidInputError(f"x0 must give the objective's {f.dim} coordinates, got {x0!r}")
    T = None if time is None else positive_real(time, "time")
    if T is not None:
        for r in rates:
            if not (T / r).is_Integer:
                raise InvalidInputError(f"time = {T} is not a whole number of steps h = {r}")
    steps = sum(1 if T is None else int(T / r) for r in rates)
    check_cost(
        "the runs of manifold_errors",
        steps * f.dim * max(1.0, dps / 50) ** 1.6,
        RATE_MP_STEPS,
        "steps",
    )
    sm = slow_manifold_equation(meth, f, ps[-1], manifold_order=ps[-1] + 2)
    x_exact = [exact_real(v, "x0") for v in x0]
    sigma = sm.signs_at(x_exact)
    fields = []
    for p in ps:
        exprs = [
            sum((h**k * sm.equation.fields[k][i] for k in range(p + 1)), sp.Integer(0))
            for i in range(f.dim)
        ]
        fields.append(compile_mp([e.xreplace(sigma) for e in exprs], (*f.symbols, h)))
    errors: list[list[float]] = [[] for _ in ps]
    meter = Meter("the runs of manifold_errors", steps, "steps")  # refuses a pace too slow
    done = 0
    with mpmath.workdps(dps):
        for r in rates:
            hm = to_mpf(r)
            n_steps = 1 if T is None else int(T / r)
            x = [to_mpf(v) for v in x_exact]
            state = sm.state_at(x_exact, h=r) if start == "manifold" else meth.init_state(x)
            for _ in range(n_steps):
                x, state = meth.update(f.grad_mp, x, state, hm)
                done += 1
                meter.tick(done)
            _check_signs(sm, x, sigma)
            span = hm if T is None else to_mpf(T)
            for i, F in enumerate(fields):
                sol = integrate_flow(
                    with_arguments(F, hm), [to_mpf(v) for v in x_exact], [span], dps=dps
                )
                err = max(abs(a - b) for a, b in zip(sol.states[-1], x, strict=True))
                errors[i].append(float(err))
    hf = [float(r) for r in rates]
    slopes = fitted_slopes(hf, errors)
    kind = "local" if T is None else "global"
    where = "its slow manifold" if start == "manifold" else "a zero fast state"
    desc = f"{meth!r} on {f.name} from {where} at x0 = {[str(v) for v in x_exact]}"
    return ManifoldErrors(
        desc,
        kind,
        0.0 if T is None else float(T),
        tuple(hf),
        tuple(ps),
        tuple(tuple(e) for e in errors),
        slopes,
    )


def _check_signs(sm: Any, x: Sequence[Any], sigma: dict[sp.Symbol, int]) -> None:
    """The run stayed in the region of the expansion (every sign as at the start)."""
    if not sigma:
        return
    now = sm.signs_at(list(x))
    if now != sigma:
        raise InvalidInputError(
            "the run left the region of the expansion: "
            + ", ".join(f"sign({p}) changed" for s, p in sm.signs if now[s] != sigma[s])
            + "; choose a start or a time that keeps every gradient component's sign"
        )
