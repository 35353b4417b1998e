r"""T3 — GD is explicit Euler for gradient flow: global error O(h) on bounded time.

Statement (claim T3; source: Tao and Wang, 2022).
GD x_{k+1} = x_k - h grad f(x_k) is the explicit Euler method for
dx/dt = -grad f(x); as h -> 0, max_{kh <= T} |x_k - x(kh)| = O(h).

Check. On [0, T] with T = 1, for h = 1/10, 1/20, ..., E(h) = max_{kh <= T} |x_k - x(kh)| is
measured with GD at 50 digits and the flow from two independent oracles:

* closed forms: f = x^2/2 (x(t) = x0 e^{-t}) and the double well x^4/4 - x^2/2
  (x(t) = x0 / sqrt(x0^2 + (1 - x0^2) e^{-2t}));
* the Gragg-Bulirsch-Stoer integrator (:mod:`gdtheory.continuous.flows`) at 50 digits
  for the 2-D objective logcosh(x + 2y) + x^2/2, which has no closed form.  The integrator is
  validated against the closed forms in the same check (the discrepancy is reported).

The measured order is the least-squares slope of log E against log h; verified when it
is 1 within 0.1 for every objective and E(h)/h settles (the error constant).

Reference: E. Hairer, S. P. Norsett, G. Wanner, *Solving Ordinary Differential Equations
I* (1993), Thm II.3.4 (convergence of one-step methods of order p).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import sympy as sp

from gdtheory import Objective, gd, gradient_flow
from gdtheory.objectives import double_well, quadratic
from gdtheory.report.claims import CheckContext, Claim, Evidence, Table, Verdict, fit_order

from .source import BLOG

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
    traj = gd(objective, x0, h=h, steps=steps, dps=dps)
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
    curves: dict[str, list[float]] = {}
    for name, obj, x0, closed in cases:
        errs = []
        for h in hs:
            e, disc = gd_flow_error(obj, x0, h, dps, closed)
            errs.append(e)
            worst_disc = max(worst_disc, disc)
            rows.append((name, str(h), e, e / float(h), disc if closed else "n/a (no closed form)"))
        p = fit_order([float(h) for h in hs], errs)
        orders[name] = p
        curves[name] = errs
        ok &= abs(p - 1) <= 0.1
    ok &= worst_disc < 1e-40
    worst = max(orders.values(), key=lambda p: abs(p - 1))
    figures = []
    path = ctx.figure_path("t3_gd_vs_flow.png")
    if path is not None:
        _figure(path, [float(h) for h in hs], curves, orders)
        figures.append(str(path))
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
        figures=tuple(figures),
        notes="The E(h)/h column approaching a constant is the O(h) error constant.",
    )


def _figure(
    path: Any, hs: list[float], curves: dict[str, list[float]], orders: dict[str, float]
) -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    ax = axes[0]
    x0, t_end = 0.5, 4.0
    t = np.linspace(0, t_end, 400)
    ax.plot(
        t,
        x0 / np.sqrt(x0**2 + (1 - x0**2) * np.exp(-2 * t)),
        "k-",
        lw=2,
        label="gradient flow (closed form)",
    )
    for h, col in zip((0.05, 0.4, 0.8), ("tab:blue", "tab:orange", "tab:red"), strict=True):
        xs = [x0]
        for _ in range(int(round(t_end / h))):
            xs.append(xs[-1] - h * (xs[-1] ** 3 - xs[-1]))
        ax.plot(h * np.arange(len(xs)), xs, "o-", ms=3, lw=0.8, color=col, label=f"GD, h = {h}")
    ax.set_xlabel("time t = k h")
    ax.set_ylabel("x")
    ax.set_title("double well x^4/4 - x^2/2 from x0 = 1/2: GD leaves the flow as h grows")
    ax.legend(fontsize=8)
    ax = axes[1]
    for (name, errs), m in zip(curves.items(), ("o", "s", "^"), strict=True):
        ax.loglog(hs, errs, m + "-", label=f"{name}  (order {orders[name]:.3f})")
    ref = np.array(hs)
    ax.loglog(ref, ref * curves[next(iter(curves))][0] / ref[0] * 0.5, "k--", lw=1, label="slope 1")
    ax.set_xlabel("h")
    ax.set_ylabel("E(h) = max_{kh <= 1} |x_k - x(kh)|")
    ax.set_title("global error O(h): measured at 50 digits")
    ax.legend(fontsize=8)
    fig.suptitle("T3: GD is explicit Euler for gradient flow")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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
    source=(
        BLOG + ", "
        'section "Nice part of the nice regime, and gradient flow": "A computational '
        "mathematician would immediately recognize gradient descent as a forward Euler "
        "discretization of the gradient flow ODE xdot = -grad f(x) ... It makes gradient "
        'descent close to gradient flow."'
    ),
    check=check,
    full_seconds=4.5,
    quick_seconds=3.0,
)
