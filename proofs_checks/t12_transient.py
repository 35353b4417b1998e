r"""T12 part (f): bias correction, the first-order modified equation at step n of the run.

Adam as PyTorch runs it starts from zero moments and divides them by 1 - beta^t, so its
update changes with the step count: the steady state's modified equation (parts a-c)
describes it only once beta^t is small, after about 1/(1 - beta2) steps.
:func:`gdtheory.transient_modified_equation` derives the field at every step n,
dx/dt = F_0(x, n) + h F_1(x, n) on [n h, (n + 1) h), in closed form in n.  Checked here:

* the closed form against the formula derived by hand for one coordinate,
  F_1 = -(D'/D^3)|g|[eps(1/2 + a_1(n)) + |g|(a_1(n) - a_2(n))], D = |g| + eps, with
  a_i(n) the mean age of the bias-corrected memory written as the finite sum
  sum_{j <= n} j (1 - b) b^j/(1 - b^(n+1)) (exactly, symbolic beta1, beta2, eps, at three
  points and n = 0, 1, 5);
* along Adam's own run from zero moments, the largest one-step defect |x_{n+1} -
  phi_h^(n)(x_n)| over the first 40 steps: O(h^3) with the step-n field, O(h^2) with the
  steady one (O(h) for RMSProp, whose F_0 itself moves without a bias correction: full
  run only, its fields come from the step-by-step recursion, about 15 s), read
  off the smallest pair of h as in part (c).
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from gdtheory import transient_errors, transient_modified_equation
from gdtheory.backward_error.transient import n
from gdtheory.optimizers import Adam, RMSProp
from gdtheory.report.claims import CheckContext, Part, Table

QUARTIC = "x**4/4 - x**2/2"
TWO_D = "x**2/2 + x**4/4 + y**2 + x*y/2"


def mean_age(b: sp.Expr, steps: int) -> sp.Expr:
    """sum_{j <= steps} j w_j, w_j = (1 - b) b^j / (1 - b^(steps + 1)), as a finite sum."""
    total = sum((j * (1 - b) * b**j for j in range(steps + 1)), sp.Integer(0))
    return total / (1 - b ** (steps + 1))


def _hand_form() -> tuple[bool, int]:
    """The closed form of F_1(x, n) against the hand formula: (all equal, cases)."""
    b1, b2, eps = sp.symbols("beta1 beta2 eps", positive=True)
    eq = transient_modified_equation(Adam(b1, b2, eps), QUARTIC)
    x = eq.symbols[0]
    g = x**3 - x
    cases, ok = 0, True
    for x0 in (sp.Rational(3, 2), sp.Rational(-1, 3), sp.Rational(1, 5)):
        gv, gp = g.subs(x, x0), sp.diff(g, x).subs(x, x0)
        D, Dp = abs(gv) + eps, sp.sign(gv) * gp
        for step in (0, 1, 5):
            a1, a2 = mean_age(b1, step), mean_age(b2, step)
            want = -(Dp / D**3) * abs(gv) * (eps * (sp.Rational(1, 2) + a1) + abs(gv) * (a1 - a2))
            got = eq.fields[1][0].subs({x: x0, n: step})
            ok = ok and sp.simplify(got - want) == 0
            cases += 1
    return ok, cases


def transient_part(ctx: CheckContext) -> Part:
    """(f): the hand form and the defects (module docstring)."""
    ok, cases = _hand_form()
    runs: list[tuple[str, Any, str, list[str], list[str]]] = [
        (
            "Adam(0.9, 0.99, 1e-8)",
            Adam("9/10", "99/100", "1e-8"),
            QUARTIC,
            ["3/2"],
            ["1/400", "1/800", "1/1600", "1/3200"],
        ),
        (
            "Adam(0.9, 0.999, 1e-8)",
            Adam("9/10", "999/1000", "1e-8"),
            QUARTIC,
            ["3/2"],
            ["1/4000", "1/8000", "1/16000"],
        ),
    ]
    if not ctx.quick:  # RMSProp's recursion (no closed form) takes about 15 s
        runs.append(
            (
                "RMSProp(0.99, 1e-8), from v = 0",
                RMSProp("99/100", "1e-8"),
                QUARTIC,
                ["3/2"],
                ["1/400", "1/800", "1/1600", "1/3200"],
            ),
        )
        runs.append(
            (
                "Adam(0.9, 0.99, 1e-8), 2-D",
                Adam("9/10", "99/100", "1e-8"),
                TWO_D,
                ["2", "1"],
                ["1/400", "1/800", "1/1600"],
            )
        )
    rows, numbers, worst = [], {}, 0.0
    for label, method, f, x0, hs in runs:
        r = transient_errors(method, f, x0, hs=hs, steps=40, dps=max(30, ctx.dps // 2))
        for kind, errs, q in zip(
            ("step-n", "steady"), (r.transient, r.steady), r.predicted, strict=True
        ):
            last = math.log(errs[-2] / errs[-1]) / math.log(r.hs[-2] / r.hs[-1])
            rows.append((label, kind, f"{hs[0]}..{hs[-1]}", errs[0], errs[-1], last, q))
            numbers[f"{label}: {kind} field, defect slope (smallest pair of h)"] = last
            worst = max(worst, abs(last - q))
        numbers[f"{label}: steady / step-n defect at h = {hs[-1]}"] = r.steady[-1] / r.transient[-1]
    numbers[f"F_1(x, n) equals the hand formula ({cases} cases)"] = ok
    numbers["largest |defect slope - predicted|"] = worst
    table = Table(
        "(f) bias correction: largest one-step defect over the first 40 steps from zero "
        f"moments, on {QUARTIC} from 3/2 (full run also {TWO_D} from (2, 1))",
        (
            "method",
            "field",
            "h",
            "at largest h",
            "at smallest h",
            "slope (smallest pair)",
            "predicted",
        ),
        tuple(rows),
    )
    return Part(numbers, (table,), facts={"transient_ok": ok, "transient_worst": worst})
