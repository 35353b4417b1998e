r"""T3 — GD is explicit Euler for gradient flow: global error O(h) on bounded time.

Statement (SPEC T3). GD x_{k+1} = x_k - h grad f(x_k) is the explicit Euler method for
dx/dt = -grad f(x); as h -> 0, max_{kh <= T} |x_k - x(kh)| = O(h).

Check. On [0, T] with T = 1, for h = 1/10, 1/20, ..., E(h) = max_{kh <= T} |x_k - x(kh)| is
measured with GD at 50 digits and the flow from two independent oracles:

* closed forms: f = x^2/2 (x(t) = x0 e^{-t}) and the double well x^4/4 - x^2/2
  (x(t) = x0 / sqrt(x0^2 + (1 - x0^2) e^{-2t}));
* the Gragg-Bulirsch-Stoer integrator (:mod:`gdtheory.flows`) at 50 digits for the 2-D
  objective logcosh(x + 2y) + x^2/2, which has no closed form.  The integrator is
  validated against the closed forms in the same check (the discrepancy is reported).

The measured order is the least-squares slope of log E against log h; verified when it
is 1 within 0.1 for every objective and E(h)/h settles (the error constant).

Reference: E. Hairer, S. P. Norsett, G. Wanner, *Solving Ordinary Differential Equations
I* (1993), Thm II.3.4 (convergence of one-step methods of order p).
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import sympy as sp

from gdtheory import Objective, gd, gradient_flow
from gdtheory.objectives import double_well, quadratic
from gdtheory.verification import CheckContext, Claim, Evidence, Table, Verdict, fit_order

T_FINAL = 1


def _closed_quadratic(x0: mpmath.mpf) -> Callable[[mpmath.mpf], tuple[mpmath.mpf, ...]]:
    return lambda t: (x0 * mpmath.exp(-t),)


def _closed_double_well(x0: mpmath.mpf) -> Callable[[mpmath.mpf], tuple[mpmath.mpf, ...]]:
    return lambda t: (x0 / mpmath.sqrt(x0**2 + (1 - x0**2) * mpmath.exp(-2 * t)),)


def gd_flow_error(
    objective: Objective,
    x0: tuple[object, ...],
    h: sp.Expr,
    dps: int,
    closed: Callable[[mpmath.mpf], tuple[mpmath.mpf, ...]] | None,
) -> tuple[float, float]:
    """(max_k |x_k - x(kh)|, max discrepancy integrator vs closed form) on [0, T]."""
    steps = int(T_FINAL / h)
    traj = gd(objective, x0, h, steps, dps=dps)
    with mpmath.workdps(dps):
        hm = mpmath.mpf(h.p) / h.q
        times = [k * hm for k in range(steps + 1)]
        flow = gradient_flow(objective, traj.iterates[0], times, dps=dps).states
        discrepancy = mpmath.mpf(0)
        if closed is not None:
            exact = [closed(t) for t in times]
            discrepancy = max(
                max(abs(a - b) for a, b in zip(u, v, strict=True))
                for u, v in zip(flow, exact, strict=True)
            )
        err = max(
            max(abs(a - b) for a, b in zip(x, y, strict=True))
            for x, y in zip(traj.iterates, flow, strict=True)
        )
        return float(err), float(discrepancy)


def check(ctx: CheckContext) -> Evidence:
    dps = 50
    denominators = (10, 20, 40, 80) if ctx.quick else (10, 20, 40, 80, 160, 320)
    hs = [sp.Rational(1, d) for d in denominators]
    cases = [
        ("x^2/2, x0 = 1", quadratic([1]), (1,), _closed_quadratic(mpmath.mpf(1))),
        (
            "x^4/4 - x^2/2, x0 = 1/2",
            double_well(),
            ("1/2",),
            lambda t: _closed_double_well(mpmath.mpf(1) / 2)(t),
        ),
        (
            "logcosh(x+2y) + x^2/2, x0 = (1, -1/2)",
            Objective.parse("logcosh(x + 2*y) + x**2/2"),
            (1, "-1/2"),
            None,
        ),
    ]
    rows, orders, ok, worst_disc = [], {}, True, 0.0
    for name, obj, x0, closed in cases:
        errs = []
        for h in hs:
            e, disc = gd_flow_error(obj, x0, h, dps, closed)
            errs.append(e)
            worst_disc = max(worst_disc, disc)
            rows.append((name, str(h), e, e / float(h), disc if closed else "n/a (no closed form)"))
        p = fit_order([float(h) for h in hs], errs)
        orders[name] = p
        ok &= abs(p - 1) <= 0.1
    ok &= worst_disc < 1e-40
    worst = max(orders.values(), key=lambda p: abs(p - 1))
    return Evidence(
        Verdict.VERIFIED if ok else Verdict.REFUTED,
        "measured order of GD-vs-flow error: "
        + ", ".join(f"{p:.3f}" for p in orders.values())
        + " (expected 1 within 0.1)",
        numbers={
            **{f"order [{k}]": v for k, v in orders.items()},
            "order furthest from 1": worst,
            "T": T_FINAL,
            "dps": dps,
            "max integrator vs closed-form discrepancy": worst_disc,
        },
        tables=(
            Table(
                "E(h) = max_{kh <= 1} |x_k - x(kh)|",
                ("objective", "h", "E(h)", "E(h)/h", "integrator vs closed form"),
                tuple(rows),
            ),
        ),
        notes="The E(h)/h column approaching a constant is the O(h) error constant.",
    )


CLAIM = Claim(
    id="T3",
    title="GD is explicit Euler: O(h) distance to gradient flow",
    statement=(
        "GD is the explicit Euler method for gradient flow dx/dt = -grad f(x); as h -> 0 "
        "the iterate x_k stays O(h) close to the flow at t = kh on bounded time."
    ),
    reference="Hairer, Norsett, Wanner, Solving ODEs I (1993), Thm II.3.4.",
    hypotheses=(
        "f smooth (C^2) near the trajectory",
        "bounded time T = 1",
        "flow known in closed form or integrated to 50 digits",
    ),
    check=check,
)
