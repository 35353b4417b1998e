r"""One-step errors of a method run from its zero state against its step-n modified
equation and against the steady state's.

:func:`gdtheory.backward_error.transient.transient_modified_equation` gives, at every step
n of a run from zero moments (Adam's bias correction included), the field F_0(x, n) +
h F_1(x, n) whose flow over one step reproduces the step to O(h^3):

    d_n = |x_{n+1} - phi_h^(n)(x_n)| = O(h^3)  uniformly in n,

while the steady state's first-order field (n -> oo, the slow-manifold engine's) misses
the transient of the moments: its defect is O(h^2) in the first steps, about 1/(1 - beta)
of them (O(h) when F_0 itself moves, moments from zero without a bias correction).
:func:`transient_errors` measures max_{n < steps} d_n for both fields at ``dps`` digits
along the method's own run (its update formula in mpmath), the flows by Gragg-Bulirsch-
Stoer (:func:`gdtheory.continuous.flows.integrate_flow`), and fits the slopes of log error
against log h (predicted 3 and 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mpmath

from ..backward_error.slow_manifold import slow_manifold_equation
from ..backward_error.transient import n, transient_modified_equation
from ..continuous.flows import integrate_flow
from ..core.budget import RATE_MP_STEPS, Meter, check_cost
from ..core.compiled import compile_mp
from ..core.objective import Objective, as_objective, h
from ..core.scalars import check_dps, exact_rates, exact_real, to_mpf
from ..errors import InvalidInputError
from ..methods.registry import Method, as_method
from .local_errors import fitted_slopes, slope_row, with_arguments

__all__ = ["TransientErrors", "transient_errors"]

#: Work of one flow step against one method step (GBS at 30-50 digits), for the guard.
FLOW_COST = 40


@dataclass(frozen=True)
class TransientErrors:
    """Largest one-step defects over the first ``steps`` steps from the zero state
    (module docstring): ``transient[j]`` with the step-n field, ``steady[j]`` with the
    steady state's, at ``hs[j]``; ``slopes`` = (transient, steady), predicted (3, 2)."""

    description: str
    steps: int
    hs: tuple[float, ...]
    transient: tuple[float, ...]
    steady: tuple[float, ...]
    slopes: tuple[float, float]
    predicted: tuple[int, int] = (3, 2)

    def __str__(self) -> str:
        rows = [f"{self.description}: max one-step defect over {self.steps} steps"]
        for label, errs, s, q in zip(
            ("step-n field", "steady field"),
            (self.transient, self.steady),
            self.slopes,
            self.predicted,
            strict=True,
        ):
            rows.append(slope_row(label, errs, s, q))
        return "\n".join(rows)


def transient_errors(
    method: Method | str,
    objective: Objective | str,
    x0: Sequence[Any],
    *,
    hs: Sequence[Any],
    steps: int = 40,
    dps: int = 30,
) -> TransientErrors:
    """max_{n < steps} |x_{n+1} - phi_h^(n)(x_n)| along the run of ``method`` from
    (x0, zero state), for the step-n first-order field and for the steady one.

    >>> from gdtheory.optimizers import Adam
    >>> r = transient_errors(Adam("1/2", "3/4", "1/1000"), "x**2/2", ["1"],
    ...                      hs=["1/100", "1/200"], steps=6)
    >>> [round(s) for s in r.slopes]
    [3, 2]
    """
    meth = as_method(method)
    f = as_objective(objective)
    dps = check_dps(dps)
    rates = exact_rates(hs)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InvalidInputError(f"steps must be an integer >= 1, got {steps!r}")
    if isinstance(x0, str | bytes) or not hasattr(x0, "__len__") or len(x0) != f.dim:
        raise InvalidInputError(f"x0 must give the objective's {f.dim} coordinates, got {x0!r}")
    work = steps * len(rates) * f.dim * (1 + 2 * FLOW_COST) * max(1.0, dps / 50) ** 1.6
    check_cost("the runs of transient_errors", work, RATE_MP_STEPS, "steps")
    eq = transient_modified_equation(meth, f)
    args = (*f.symbols, h, n)
    # the step-n field of each step, compiled once: (F(x, h, ...), the arguments after h)
    per_step: list[tuple[Any, tuple[int, ...]]]
    if eq.fields is not None:
        moving = compile_mp([a + h * b for a, b in zip(*eq.fields, strict=True)], args)
        per_step = [(moving, (k,)) for k in range(steps)]
        still_exprs = [a + h * b for a, b in zip(*eq.steady, strict=True)]  # type: ignore[misc]
    else:
        per_step = [
            (compile_mp([a + h * b for a, b in zip(*eq.at(k), strict=True)], (*f.symbols, h)), ())
            for k in range(steps)
        ]
        sm = slow_manifold_equation(meth, f, 1)
        still_exprs = [a + h * b for a, b in zip(*sm.fields[:2], strict=True)]
    still = compile_mp(still_exprs, (*f.symbols, h))
    x_exact = [exact_real(v, "x0") for v in x0]
    meter = Meter("the runs of transient_errors", steps * len(rates), "steps")
    worst: dict[str, list[float]] = {"transient": [], "steady": []}
    done = 0
    with mpmath.workdps(dps):
        for r in rates:
            hm = to_mpf(r)
            x = [to_mpf(v) for v in x_exact]
            state = meth.init_state(x)
            d_moving = d_still = mpmath.mpf(0)
            for k in range(steps):
                x1, state = meth.update(f.grad_mp, x, state, hm)
                F_k, extra = per_step[k]
                field_k = with_arguments(F_k, hm, *extra)
                d_moving = max(d_moving, _defect(field_k, x, x1, hm, dps))
                d_still = max(d_still, _defect(with_arguments(still, hm), x, x1, hm, dps))
                x = x1
                done += 1
                meter.tick(done)
            worst["transient"].append(float(d_moving))
            worst["steady"].append(float(d_still))
    hf = [float(r) for r in rates]
    slopes = fitted_slopes(hf, [worst["transient"], worst["steady"]])
    desc = f"{meth!r} on {f.name} from x0 = {[str(v) for v in x_exact]} and a zero state"
    return TransientErrors(
        desc,
        steps,
        tuple(hf),
        tuple(worst["transient"]),
        tuple(worst["steady"]),
        (slopes[0], slopes[1]),
        (3, 1 if eq.drift_moves else 2),
    )


def _defect(F: Any, x: Sequence[Any], x1: Sequence[Any], hm: Any, dps: int) -> Any:
    """|x1 - phi_h(x)| for the flow of F."""
    sol = integrate_flow(F, list(x), [hm], dps=dps)
    return max(abs(a - b) for a, b in zip(sol.states[-1], x1, strict=True))
