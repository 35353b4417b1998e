r"""Local errors of a one-step method against its order-p modified flow, any method.

Backward error analysis predicts |phi^{[p]}_h(x) - Phi_h(x)| = O(h^{p+2}) for the time-h
flow phi^{[p]}_h of the order-p modified field and one step Phi_h of the method
(Hairer-Lubich-Wanner IX.1).  :func:`flow_local_errors` measures it for any step at
``dps`` digits (flows by Gragg-Bulirsch-Stoer, :mod:`.flows`) and fits the slope of
log error against log h.  Two methods need a start the theory is about:

* heavy ball / Nesterov (:func:`momentum_local_errors`): a start *on the slow manifold*,
  x_{-1} = Phi_h^{-1}(x_0) with Phi_h the manifold map of :mod:`.momentum` (solved by
  Newton's method at ``dps`` digits), so that the velocity is v_0 = x_0 - x_{-1};
* SGD without replacement (:func:`epoch_local_errors`): the step is the expected epoch,
  the exact average over every order (reshuffling) of m steps with eta = h/m.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp

from ..backward_error.modified import ModifiedEquation
from ..backward_error.momentum import momentum_modified_equation
from ..backward_error.sgd import sgd_modified_equation
from ..continuous.flows import integrate_flow
from ..core.conversion import as_symbols
from ..core.finite_sums import finite_sum
from ..core.objective import Objective, as_objective, h
from ..core.scalars import check_dps, check_orders, exact_rates, exact_real, to_mpf
from ..core.tables import fit_order
from ..errors import InvalidInputError
from ..methods.optimizers import HeavyBall, Nesterov

__all__ = [
    "LocalErrors",
    "flow_local_errors",
    "momentum_local_errors",
    "epoch_local_errors",
    "inverse_map",
    "fitted_slopes",
    "slope_row",
    "with_arguments",
]

Step = Callable[[list[mpmath.mpf], mpmath.mpf], Sequence[mpmath.mpf]]


@dataclass(frozen=True)
class LocalErrors:
    """``errors[i][j]``: order ``orders[i]`` at ``hs[j]`` (max norm); ``slopes[i]`` the
    least-squares slope of log error on log h (predicted: orders[i] + 2)."""

    description: str
    hs: tuple[float, ...]
    orders: tuple[int, ...]
    errors: tuple[tuple[float, ...], ...]
    slopes: tuple[float, ...]

    @property
    def deviations(self) -> tuple[float, ...]:
        """|slope - (p + 2)| per order."""
        return tuple(abs(s - (p + 2)) for s, p in zip(self.slopes, self.orders, strict=True))

    def __str__(self) -> str:
        rows = [f"{self.description}: local error vs h"]
        for p, errs, s in zip(self.orders, self.errors, self.slopes, strict=True):
            rows.append(slope_row(f"p = {p}", errs, s, p + 2))
        return "\n".join(rows)


def flow_local_errors(
    step: Step,
    modified: ModifiedEquation,
    x0: Sequence[Any],
    hs: Sequence[Any],
    orders: Sequence[int],
    *,
    dps: int = 60,
    description: str = "",
) -> LocalErrors:
    """|time-h flow of the order-p field - step(x0, h)| for each p and h, at ``dps``
    digits (x0 exact: strings such as "6/5" are honoured)."""
    dps = check_dps(dps)
    rates = exact_rates(hs)
    ps = check_orders(orders, increasing=True)
    if ps[-1] > modified.order:
        raise InvalidInputError(f"order {ps[-1]} exceeds the modified equation's {modified.order}")
    errors: list[list[float]] = [[] for _ in ps]
    fields = [modified.lambdify("mpmath", p) for p in ps]  # compiled once, used at every h
    with mpmath.workdps(dps):
        for r in rates:
            hm = to_mpf(r)
            x = [to_mpf(v) for v in x0]
            target = step(list(x), hm)
            for i, F in enumerate(fields):
                sol = integrate_flow(_at_rate(F, hm), x, [hm], dps=dps)
                err = max(abs(a - b) for a, b in zip(sol.states[-1], target, strict=True))
                errors[i].append(float(err))
    hf = [float(r) for r in rates]
    slopes = fitted_slopes(hf, errors)
    return LocalErrors(description, tuple(hf), tuple(ps), tuple(tuple(e) for e in errors), slopes)


def with_arguments(F: Any, *extra: Any) -> Callable[[Sequence[Any]], Any]:
    """The field ``y -> F([*y, *extra])`` of a compiled F(x, h, ...) with h (and the
    rest) fixed."""
    return lambda y: F([*y, *extra])


def slope_row(label: str, errors: Sequence[float], slope: float, predicted: int) -> str:
    """One line of an error table: the errors, the fitted slope and the predicted one.

    >>> slope_row("p = 1", [1e-2, 2.5e-3], 2.0, 2)
    '  p = 1: 1.000e-02 2.500e-03  slope 2.000 (predicted 2)'
    """
    cells = " ".join(f"{e:.3e}" for e in errors)
    return f"  {label}: {cells}  slope {slope:.3f} (predicted {predicted})"


def fitted_slopes(hs: Sequence[float], errors: Sequence[Sequence[float]]) -> tuple[float, ...]:
    """The least-squares slope of log(error) against log(h) for each row of ``errors``
    (:func:`gdtheory.core.tables.fit_order`), nan with fewer than two h or a zero error.

    >>> fitted_slopes([0.1, 0.05], [[1e-2, 2.5e-3], [0.0, 1e-9]])
    (2.0, nan)
    """
    return tuple(
        fit_order(hs, errs) if len(hs) > 1 and min(errs) > 0 else math.nan for errs in errors
    )


def _at_rate(F: Any, hm: mpmath.mpf) -> Callable[[Sequence[mpmath.mpf]], Any]:
    """The field y -> F(y, h) at the fixed rate h."""
    return lambda y: F(y, hm)


def inverse_map(
    phi: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]
) -> Callable[[list[Any], Any], list[Any]]:
    """``(x0, h) -> Phi_h^{-1}(x0)``, by Newton's method on the (truncated) manifold map
    at the working precision; the map is compiled once."""
    symbols = as_symbols(symbols)
    phi = [sp.sympify(e, strict=True) for e in phi]
    fns = sp.lambdify([*symbols, h], phi, "mpmath")
    n = len(symbols)

    def solve(x0: list[Any], hm: Any) -> list[Any]:
        tol = mpmath.mpf(10) ** (-mpmath.mp.dps + 5)
        if n == 1:
            return [mpmath.findroot(lambda y: fns(y, hm)[0] - x0[0], x0[0], tol=tol)]
        root = mpmath.findroot(
            lambda *y: [a - b for a, b in zip(fns(*y, hm), x0, strict=True)], list(x0), tol=tol
        )
        return [root[i] for i in range(n)]

    return solve


def momentum_local_errors(
    objective: Objective | str,
    beta: Any,
    method: str,
    x0: Sequence[Any],
    hs: Sequence[Any],
    orders: Sequence[int] = (0, 1, 2, 3),
    *,
    manifold_order: int = 6,
    dps: int = 60,
) -> LocalErrors:
    """One heavy-ball / Nesterov step from a start on the slow manifold against the
    order-p flow of :func:`~.momentum.momentum_modified_equation` (beta numeric)."""
    f = as_objective(objective)
    if method not in ("heavy_ball", "nesterov"):
        raise InvalidInputError(f"method must be 'heavy_ball' or 'nesterov', got {method!r}")
    b = exact_real(beta, "beta")
    meth = Nesterov(b) if method == "nesterov" else HeavyBall(b)
    ps = check_orders(orders, increasing=True)
    mm = momentum_modified_equation(f, ps[-1], b, method=method, manifold_order=manifold_order)
    previous = inverse_map(mm.one_step_map(), mm.symbols)

    def step(x: list[mpmath.mpf], hm: mpmath.mpf) -> list[mpmath.mpf]:
        prev = previous(x, hm)
        return meth.step(f.grad_mp, x, [a - c for a, c in zip(x, prev, strict=True)], hm)[0]

    desc = f"{meth.name}(beta = {b}) on {f.name} from the slow manifold at x0 = {list(x0)}"
    return flow_local_errors(step, mm.equation, x0, hs, ps, dps=dps, description=desc)


def expected_epoch(
    objectives: Sequence[Objective], x: list[Any], h: Any, sampling: str = "reshuffle"
) -> list[Any]:
    """The epoch of m steps x <- x - (h/m) grad f_i(x), averaged over every order of the
    f_i (``"reshuffle"``) or in the order given (``"cyclic"``)."""
    m = len(objectives)
    orders = (
        list(itertools.permutations(range(m))) if sampling == "reshuffle" else [tuple(range(m))]
    )
    total = [0 * v for v in x]
    for s in orders:
        y = list(x)
        for i in s:
            g = objectives[i].grad_mp(y)
            y = [a - (h / m) * b for a, b in zip(y, g, strict=True)]
        total = [t + a for t, a in zip(total, y, strict=True)]
    return [t / len(orders) for t in total]


def epoch_local_errors(
    objectives: Sequence[Objective | str],
    x0: Sequence[Any],
    hs: Sequence[Any],
    orders: Sequence[int] = (0, 1, 2, 3),
    *,
    sampling: str = "reshuffle",
    dps: int = 40,
) -> LocalErrors:
    """The expected SGD epoch (h = m eta) against the order-p flow of
    :func:`~.sgd.sgd_modified_equation`."""
    objs = finite_sum(objectives, polynomial=True)
    ps = check_orders(orders, increasing=True)
    me = sgd_modified_equation(objs, ps[-1], sampling).per_epoch()  # one step = one epoch
    desc = f"{sampling} SGD epoch on f_i = {', '.join(o.name for o in objs)} at x0 = {list(x0)}"
    return flow_local_errors(
        lambda x, hm: expected_epoch(objs, x, hm, sampling),
        me,
        x0,
        hs,
        ps,
        dps=dps,
        description=desc,
    )
