r"""T10 — implicit regularisers of momentum, preconditioning and SGD, with measured orders.

Statement (claim T10; beyond the source, which frames everything through GD but cites
Li, Tai and E's SGD setting).  Each method has a modified equation derived exactly and
verified by its order:

(a) heavy ball and Nesterov with a fixed beta (symbolic): on the slow manifold the
    x-dynamics follow F_0 + h F_1 + ..., with F_0 + h F_1 = -(1/(1 - beta))
    grad(f + h (1 + beta)|grad f|^2 / (4 (1 - beta)^2)) for heavy ball: GD's
    regulariser at the effective rate h/(1 - beta) times (1 + beta)/(1 - beta) (Ghosh,
    Lyu, Zhang and Wang, ICLR 2023, arXiv:2302.00849, abstract); for Nesterov
    F_1 = -(1 - beta + 2 beta^2)/(2 (1 - beta)^3) H grad f (derived here; checked on
    quadratics against the exact slow root log(r(h lam))/h);
(b) one momentum step from the slow manifold against the order-p flow: O(h^(p+2)),
    p = 0..3, on two nonlinear objectives;
(c) random reshuffling: F_0 + h F_1 = -grad(f + (h/(4 m)) sum_i |grad f_i|^2) in the step
    h = eta (Smith, Dherin, Barrett and De, ICLR 2021); the expected epoch against the
    order-p flow over one epoch H = m eta: O(H^(p+2)) for m = 2 and m = 4, quadratic and
    non-quadratic f_i (40 digits);
(d) preconditioned GD x - h P grad f: the modified loss f + (h/4) grad f^T P grad f + ...;
    P^{-1} F_k is a gradient exactly where GD's own field is (x = P^{1/2} z turns the map
    into GD on f(P^{1/2} z)): at every order for a quadratic, but not at h^2 for
    (xy - 1)^2/2, so "P times a gradient" holds to first order only in general;
(e) SGD with replacement: the weak error |E phi(x_k) - E phi(X_{kh})| is O(h) for
    gradient flow and the order-1 SME and O(h^2) for the order-2 SME (Li, Tai and E,
    JMLR 2019, Thm 3), measured by Monte Carlo with 95% intervals on a 1-D and a 2-D
    problem for phi = |x|^2, next to the exact weak errors of the moment equations.

Verdict: verified when every symbolic identity holds, every local-error slope is within
0.15 of p + 2, every Monte Carlo weak error covers the exact one (4 standard errors) and
every Monte Carlo weak order agrees with its prediction (within 0.25, or the prediction
inside its 95% interval) and is confirmed (the prediction inside the 95% interval, or the
exact local slope at the smallest h pair within 0.1); qualified when only
the asymptotic (exact, smallest-h) slopes confirm the orders; unconfirmed when an order is
not yet resolved at the smallest h but the exact slopes approach the prediction (a
pre-asymptotic range, not a contradiction); refuted when an identity fails, a local
slope is off, the Monte Carlo misses an exact weak error, or the exact slopes move away
from the prediction.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from gdtheory import (
    Objective,
    h,
    method_modified_equation,
    momentum_modified_equation,
    sgd_modified_equation,
    stochastic_modified_equation,
    weak_error_study,
)
from gdtheory.optimizers import Preconditioned
from gdtheory.report.claims import CheckContext, Claim, Evidence, Table, Verdict
from gdtheory.studies.local_errors import epoch_local_errors, momentum_local_errors

from .source import BLOG

BETA = sp.Symbol("beta", positive=True)
MOMENTUM_CASES = (("x**4/4 - x**2/2", ("6/5",)), ("(x*y - 1)**2/2", ("1/2", "3/2")))
SGD_FAMILIES = {
    "m = 2, quadratic": ["(x - 1)**2/2 + y**2", "(x + y)**2/2"],
    "m = 4, quadratic": ["x**2/2", "(y - 1)**2", "(x - y)**2/4", "x*y + x**2"],
    "m = 2, quartic": ["x**4/4 - x*y", "(x*y - 1)**2/2"],
    "m = 4, mixed": ["x**4/4", "(y - x)**2/2", "x*y**2/3 + y**2", "(x + 1)**2/2"],
}
#: (name, f_i, x0, observable, hs, paths full, paths quick); the 2-D gradient-flow error
#: reaches its O(h) regime late (exact local slopes 1.43, 1.24, 1.13, 1.06 from h = 1/4),
#: so its h run to 1/64 in both modes
WEAK_PROBLEMS = (
    (
        "1-D",
        ["(x-1)**2", "(x+1)**2/4"],
        ["2"],
        "x**2",
        ("1/4", "1/8", "1/16", "1/32"),
        10**6,
        10**6,
    ),
    (
        "2-D",
        ["(x - 1)**2/2", "(y + 1)**2/2", "(x + y)**2/4", "(x - y - 1)**2/4"],
        ["2", "2"],
        "x**2 + y**2",
        ("1/8", "1/16", "1/32", "1/64"),
        4 * 10**6,
        10**6,
    ),
)


def _zero(exprs: Any) -> bool:
    return all(sp.simplify(sp.expand(e)) == 0 for e in exprs)


def _momentum_identities(rows: list[tuple[object, ...]]) -> bool:
    ok = True
    for text, _ in MOMENTUM_CASES:
        f = Objective.parse(text)
        g = sp.Matrix(f.grad)
        hb = momentum_modified_equation(f, 3, BETA, method="heavy_ball")
        reg = f.expr + h * (1 + BETA) * sum(c**2 for c in g) / (4 * (1 - BETA) ** 2)
        good = _zero(
            hb.fields[0][i] + h * hb.fields[1][i] + sp.diff(reg, s) / (1 - BETA)
            for i, s in enumerate(f.symbols)
        )
        ne = momentum_modified_equation(f, 3, BETA, method="nesterov")
        c = -(1 - BETA + 2 * BETA**2) / (2 * (1 - BETA) ** 3)
        good_n = _zero(ne.fields[1] - c * f.hessian * g)
        ok &= good and good_n
        rows.append(
            (
                "(a) heavy ball F_0 + h F_1",
                text,
                "-(1/(1-b)) grad(f + h(1+b)|g|^2/(4(1-b)^2))",
                "equal" if good else "DIFFERENT",
            )
        )
        rows.append(
            (
                "(a) Nesterov F_1",
                text,
                "-(1-b+2b^2)/(2(1-b)^3) H g",
                "equal" if good_n else "DIFFERENT",
            )
        )
    quadratic = Objective.parse("lam*x**2/2", params=["lam"])
    lam = quadratic.params[0]
    z = sp.Symbol("z")
    for method, (B, C) in {
        "heavy_ball": (-(1 + BETA - z), BETA),
        "nesterov": (-(1 + BETA) * (1 - z), BETA * (1 - z)),
    }.items():
        mm = momentum_modified_equation(quadratic, 3, BETA, method=method)
        b = sp.Rational(1, 3)
        r = (-B.subs(BETA, b) + sp.sqrt((B**2 - 4 * C).subs(BETA, b))) / 2
        series = sp.series(sp.log(r), z, 0, 5).removeO()
        x = mm.symbols[0]
        good = all(
            sp.simplify(F[0].subs(BETA, b) - series.coeff(z, k + 1) * lam ** (k + 1) * x) == 0
            for k, F in enumerate(mm.fields)
        )
        ok &= good
        rows.append(
            (
                "(a) quadratic: F_k vs log(r_slow)/h",
                f"{method}, beta = 1/3",
                "k = 0..3",
                "equal" if good else "DIFFERENT",
            )
        )
    return ok


def _sgd_identities(rows: list[tuple[object, ...]]) -> bool:
    ok = True
    for name, fs in SGD_FAMILIES.items():
        objs = [Objective.parse(t, ["x", "y"]) for t in fs]
        m = len(objs)
        me = sgd_modified_equation(objs, 1)
        f = sum(o.expr for o in objs) / m
        reg = f + h / (4 * m) * sum(sum(d**2 for d in o.grad) for o in objs)  # h = eta
        good = _zero(
            me.fields[0][i] + h * me.fields[1][i] + sp.diff(reg, s)
            for i, s in enumerate(objs[0].symbols)
        )
        ok &= good
        rows.append(
            (
                "(c) reshuffling F_0 + h F_1",
                name,
                "-grad(f + h/(4m) sum |grad f_i|^2), h = eta",
                "equal" if good else "DIFFERENT",
            )
        )
    P = sp.Matrix([[2, 1], [1, 1]])
    for text, pattern in (
        ("(x*y - 1)**2/2", "gradient at h^0, h^1 only"),
        ("x**2 + x*y + 3*y**2/2", "all"),
    ):
        f = Objective.parse(text)
        me = method_modified_equation(Preconditioned(P.tolist()), f, 3)
        g = sp.Matrix(f.grad)
        diff = me.potential(1) - (f.expr + h / 4 * (g.T * P * g)[0])
        good = all(sp.expand(sp.diff(diff, s)) == 0 for s in f.symbols)  # up to a constant
        # P^{-1} F_k is a gradient where GD's own field is (z = P^{-1/2} x turns this map
        # into GD): at every order for a quadratic, at h^0 and h^1 only for (xy - 1)^2/2
        expected = (True,) * 4 if pattern == "all" else (True, True, False, False)
        curl_free = tuple(
            (P.inv() * F).jacobian(list(f.symbols)).is_symmetric(simplify=True) for F in me.fields
        )
        good &= me.is_gradient == expected == curl_free
        ok &= good
        rows.append(
            (
                "(d) preconditioned, P = [[2,1],[1,1]]",
                text,
                f"modified loss f + (h/4) g^T P g + ...; P-gradient pattern h^0..h^3 {curl_free}",
                "equal" if good else "DIFFERENT",
            )
        )
    sme = stochastic_modified_equation(SGD_FAMILIES["m = 2, quartic"], 2)
    fbar = sum(o.expr for o in sme.objectives) / 2
    good = (
        sp.expand(sme.potential - fbar - h / 4 * sum(sp.diff(fbar, s) ** 2 for s in sme.symbols))
        == 0
    )
    ok &= good
    rows.append(
        (
            "(e) order-2 SME drift",
            "m = 2, quartic",
            "-grad(f + (h/4)|grad f|^2) (Li-Tai-E Thm 3)",
            "equal" if good else "DIFFERENT",
        )
    )
    return ok


def check(ctx: CheckContext) -> Evidence:
    rows: list[tuple[object, ...]] = []
    ok = _momentum_identities(rows) and _sgd_identities(rows)
    numbers: dict[str, object] = {}
    local_rows, curves = [], {}
    worst = 0.0
    mom_hs = [sp.Rational(1, d) for d in (80, 160, 320, 640)]
    for method in ("heavy_ball", "nesterov"):
        for text, x0 in MOMENTUM_CASES:
            r = momentum_local_errors(text, sp.Rational(1, 4), method, list(x0), mom_hs)
            curves[f"{method} on {text}"] = r
            worst = max(worst, max(r.deviations))
            local_rows.append(
                (f"(b) {method}, beta = 1/4", text, ", ".join(f"{s:.3f}" for s in r.slopes))
            )
    sgd_hs = [sp.Rational(1, d) for d in (20, 40, 80, 160)]
    for name, fs in SGD_FAMILIES.items():
        r = epoch_local_errors(
            [Objective.parse(t, ["x", "y"]) for t in fs], ["0.6", "-0.4"], sgd_hs
        )
        curves[f"reshuffling, {name}"] = r
        worst = max(worst, max(r.deviations))
        local_rows.append(("(c) reshuffled epoch", name, ", ".join(f"{s:.3f}" for s in r.slopes)))
    numbers["(b, c) largest |slope - (p + 2)|, p = 0..3"] = round(worst, 4)
    ok &= worst <= 0.15
    weak_rows, studies, qualified, pre_asymptotic = [], [], False, False
    for name, fs, x0, phi, hs, paths_full, paths_quick in WEAK_PROBLEMS:
        s = weak_error_study(
            fs, x0, phi, hs=hs, paths=paths_quick if ctx.quick else paths_full, seed=ctx.seed
        )
        studies.append((name, s))
        assert s.exact_errors is not None
        for j, model in enumerate(("gradient flow", "SME order 1", "SME order 2")):
            e, o = s.exact_errors[j], s.orders[j]
            covered = all(
                abs(v - x) < 4 * se for v, x, se in zip(s.errors[j], e, s.stderrs[j], strict=True)
            )
            ok &= covered  # Monte Carlo against the moment equations: a failure is a bug
            predicted = 2 if j == 2 else 1
            exact_slopes = [
                math.log(abs(e[k] / e[k + 1])) / math.log(s.hs[k] / s.hs[k + 1])
                for k in range(len(e) - 1)
            ]
            local = exact_slopes[-1]
            fits = o.slope is not None and abs(o.slope - predicted) <= 0.25
            inside = o.interval is not None and o.interval[0] <= predicted <= o.interval[1]
            if (fits or inside) and (inside or abs(local - predicted) <= 0.1):
                pass
            elif abs(local - predicted) <= 0.1:
                qualified = True
            elif abs(local - predicted) < abs(exact_slopes[0] - predicted):
                pre_asymptotic = True  # the exact slopes approach the prediction as h shrinks
            else:
                ok = False
            weak_rows.append(
                (
                    name,
                    model,
                    ", ".join(
                        f"{v:+.3e} +- {se:.1e}"
                        for v, se in zip(s.errors[j], s.stderrs[j], strict=True)
                    ),
                    ", ".join(f"{v:+.3e}" for v in e),
                    str(o),
                    ", ".join(f"{v:.3f}" for v in exact_slopes),
                    predicted,
                )
            )
            numbers[f"(e) {name} {model}: weak order (95% interval)"] = str(o)
    figures = []
    path = ctx.figure_path("t10_orders.png")
    if path is not None:
        _figure(path, curves, studies)
        figures.append(str(path))
    if not ok:
        verdict = Verdict.REFUTED
    elif pre_asymptotic:
        verdict = Verdict.UNCONFIRMED
    else:
        verdict = Verdict.QUALIFIED if qualified else Verdict.VERIFIED
    summary = (
        f"heavy-ball and reshuffling first-order terms equal the published ones; local orders "
        f"within {worst:.2f} of p+2 "
        "(momentum, reshuffling); weak orders "
        + "; ".join(
            f"{n}: "
            + ", ".join("unresolved" if o.slope is None else f"{o.slope:.2f}" for o in s.orders)
            for n, s in studies
        )
        + " (GF, SME1, SME2; predicted 1, 1, 2)"
    )
    return Evidence(
        verdict,
        summary,
        numbers=numbers,
        tables=(
            Table(
                "Derived modified equations against the literature",
                ("part", "case", "statement", "result"),
                tuple(rows),
            ),
            Table(
                "Local-error slopes, p = 0..3 (predicted p + 2)",
                ("part", "case", "slopes"),
                tuple(local_rows),
            ),
            Table(
                "Weak errors against SGD: Monte Carlo (+- standard error) and exact (moments)",
                (
                    "problem",
                    "model",
                    "Monte Carlo errors",
                    "exact errors",
                    "fitted order",
                    "exact local slopes",
                    "predicted",
                ),
                tuple(weak_rows),
            ),
        ),
        figures=tuple(figures),
        notes=(
            "Momentum: beta = 1/4, h = 1/80..1/640, started on the slow manifold (x_{-1} = "
            "Phi_h^{-1}(x_0) at 60 digits); the manifold is real only for "
            "h lam < (1 - sqrt(beta))^2. Reshuffling: exact average over all m! orders, "
            "epoch H = m eta = 1/20..1/160, 40 digits. Weak errors: T = 1, SGD with replacement, "
            "batch 1, phi = |x|^2; the SMEs' expectations from their exact moment equations "
            "(every f_i quadratic), SGD's by Monte Carlo (seeded), so the standard errors are "
            "SGD's Monte Carlo noise; the fitted order uses the points resolved at 3 standard "
            "errors. Nesterov's first-order term is derived here and checked against the exact "
            "quadratic slow root; no published statement was compared."
        ),
    )


def _figure(path: Any, curves: dict[str, Any], studies: list[tuple[str, Any]]) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(20, 4.6))
    panels = [
        ("heavy_ball on x**4/4 - x**2/2", "heavy ball (beta = 1/4) on x^4/4 - x^2/2"),
        ("nesterov on (x*y - 1)**2/2", "Nesterov (beta = 1/4) on (xy - 1)^2/2"),
        ("reshuffling, m = 4, mixed", "reshuffled SGD epoch, m = 4 mixed f_i"),
    ]
    for ax, (key, title) in zip(axes[:3], panels, strict=True):
        r = curves[key]
        for p, errs, s in zip(r.orders, r.errors, r.slopes, strict=True):
            ax.loglog(r.hs, errs, "o-", label=f"p = {p}: slope {s:.2f} (p+2 = {p + 2})")
        ax.set_xlabel("h")
        ax.set_ylabel("local error vs order-p flow")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    ax = axes[3]
    for (name, s), mk in zip(studies, ("o", "s"), strict=True):
        for j, model in enumerate(("gradient flow", "SME 1", "SME 2")):
            bars = ax.errorbar(
                s.hs,
                [abs(e) for e in s.errors[j]],
                yerr=[1.96 * se for se in s.stderrs[j]],
                fmt=mk + "-",
                ms=4,
                capsize=2,
                label=f"{name} {model}: {s.orders[j].slope:.2f}"
                if s.orders[j].slope
                else f"{name} {model}",
            )
            if s.exact_errors is not None:  # the exact weak errors (moment equations), dashed
                ax.plot(
                    s.hs,
                    [abs(e) for e in s.exact_errors[j]],
                    "--",
                    lw=0.8,
                    color=bars[0].get_color(),
                )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("h")
    ax.set_ylabel("|E phi(model) - E phi(SGD)| (95% bars)")
    ax.set_title("weak errors vs SGD (Monte Carlo, 95% bars; dashed: exact)", fontsize=9)
    ax.legend(fontsize=6)
    fig.suptitle("T10: modified equations of momentum and SGD, measured orders")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


CLAIM = Claim(
    id="T10",
    title="Implicit regularisers of momentum and SGD, with measured local and weak orders",
    statement=(
        "Heavy ball / Nesterov (on the slow manifold), reshuffled SGD (expected epoch) and "
        "preconditioned GD have modified equations whose order-p truncation has local error "
        "O(h^(p+2)); heavy ball's first-order modified loss is GD's at h/(1 - beta) with the "
        "regulariser scaled by (1 + beta)/(1 - beta); reshuffling's is "
        "f + (eta/4m) sum |grad f_i|^2; "
        "SGD with replacement is tracked weakly to O(h) by gradient flow and the order-1 SME "
        "and to O(h^2) by the order-2 SME."
    ),
    reference=(
        "Li, Tai, E, JMLR 20 (2019), Thm 3; Smith, Dherin, Barrett, De, ICLR 2021; Ghosh, Lyu, "
        "Zhang, Wang, ICLR 2023 (arXiv:2302.00849); Kovachki, Stuart, JMLR 22 (2021); "
        "Hairer, Lubich, Wanner, Geometric Numerical Integration, XV (multistep methods)."
    ),
    hypotheses=(
        "f, f_i smooth; momentum: fixed 0 < beta < 1 and h small (real slow manifold)",
        "reshuffling: polynomial f_i with rational coefficients (exact epoch map)",
        "weak errors: bounded time T = 1, quadratic f_i for the exact moments",
    ),
    source=(
        BLOG + ', section "Backward error analysis, a.k.a. modified equation", '
        '"Discussions": "A beautiful paper, [Li, Tai and E (2019)], went beyond a formal '
        "series matching. Instead, it rigorously characterized the accuracy of 1st-order "
        "modified equation when h is small enough. Its setup is also more general (SGD), "
        'which includes GD as a special case."'
    ),
    check=check,
    full_seconds=14.0,
    quick_seconds=8.0,
)
