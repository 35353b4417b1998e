r"""T1 — smooth convergence: the descent lemma and convergence of GD for h < 2/L.

Statement (claim T1; source: Tao and Wang, 2022).
If f is L-smooth and bounded below and 0 < h < 2/L, then

    f(x_{k+1}) <= f(x_k) - h (1 - L h / 2) |grad f(x_k)|^2          (descent lemma)

at every step, so f(x_k) decreases monotonically; summing,

    min_{k <= K} |grad f(x_k)|^2 <= (f(x_0) - f_low) / (h (1 - L h/2) (K + 1)),

and |grad f(x_k)| -> 0.

Check. Four L-smooth objectives, two of them non-quadratic and one non-convex, each with
an L proved by hand (below) and *cross-checked* against the largest Hessian spectral
radius found on a grid of sub-box centres (a lower estimate of sup rho(H): it must not
exceed L).  For each, several starts and h = c/L with c in (0, 2), GD at 40 digits; we
measure the smallest slack of the descent inequality over all steps, the number of
increases of f, the final gradient norm and the min-gradient bound above.  As a
contrast, h = 2.1/L on the quadratic must violate monotonicity.

L by hand:  (a) diag(1, 4): L = 4.  (b) logcosh(x + 2y) + x^2/2: H = sech^2(u) a a^T +
diag(1, 0) with a = (1, 2), so |H| <= |a|^2 + 1 = 6.  (c) x^2/2 + 2 cos x: f'' = 1 - 2 cos x
in [-1, 3], L = 3 (non-convex; f >= -2).  (d) softplus(x - y) + softplus(-x) + y^2/2:
softplus'' <= 1/4, H <= (1/4)(2 + 1) + 1, L = 7/4.

Reference: Y. Nesterov, *Lectures on Convex Optimization*, Springer 2018, Lemma 1.2.3 and
Sec. 1.2.3 (eq. 1.2.19).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from gdtheory import Objective, gd
from gdtheory.certify import certify_descent
from gdtheory.objectives import quadratic
from gdtheory.report.claims import (
    CheckContext,
    Claim,
    Evidence,
    Part,
    Proof,
    Table,
    Verdict,
    assemble,
)

from .source import BLOG

#: (objective, L proved by hand, lower bound f_low of f, box for the L cross-check)
CASES: tuple[tuple[Objective, sp.Rational, int, list[tuple[int, int]]], ...] = (
    (quadratic([1, 4]), sp.Integer(4), 0, [(-3, 3), (-3, 3)]),
    (
        Objective.parse("logcosh(x + 2*y) + x**2/2", name="logcosh(x+2y)+x^2/2"),
        sp.Integer(6),
        0,
        [(-3, 3), (-3, 3)],
    ),
    (
        Objective.parse("x**2/2 + 2*cos(x)", name="x^2/2+2cos(x) (non-convex)"),
        sp.Integer(3),
        -2,
        [(-6, 6)],
    ),
    (
        Objective.parse("softplus(x - y) + softplus(-x) + y**2/2", name="softplus sum"),
        sp.Rational(7, 4),
        0,
        [(-4, 4), (-4, 4)],
    ),
)
FRACTIONS = (sp.Rational(1, 2), sp.Integer(1), sp.Rational(3, 2), sp.Rational(19, 10))
STARTS_2D = ((2, -1), ("1/2", "5/2"), (-3, 1))
STARTS_1D = ((3,), ("-1/2",), (5,))


def descent_run(
    objective: Objective, L: sp.Expr, x0: object, h: sp.Expr, steps: int, dps: int
) -> dict[str, Any]:
    """GD and the per-step descent-lemma slack s_k = f_k - h(1 - Lh/2)|g_k|^2 - f_{k+1}."""
    t = gd(objective, x0, h=h, steps=steps, dps=dps)
    with mpmath.workdps(dps):
        c = mpmath.mpf(h.p) / h.q * (1 - mpmath.mpf(L.p) / L.q * h / 2)  # h(1 - Lh/2)
        f, g = t.f_values, t.grad_norms
        slack = [f[k] - c * g[k] ** 2 - f[k + 1] for k in range(t.steps)]
        scale = max(abs(v) for v in f)
        noise = mpmath.mpf(10) ** (-dps + 8) * (1 + scale)  # rounding level at dps digits
        increases = sum(1 for k in range(t.steps) if f[k + 1] > f[k] + noise)
        max_increase = max((f[k + 1] - f[k] for k in range(t.steps)), default=0)
        return {
            "min_slack_rel": float(min(slack) / (1 + scale)),
            "increases": increases,
            "max_increase": float(max_increase),
            "final_grad": float(g[-1]),
            "min_grad_sq": float(min(v**2 for v in g)),
            "f0": float(f[0]),
            "c": float(c),
            "steps": t.steps,
            "diverged": t.status == "diverged",
            "f_seq": [float(v) for v in f],
            "gap": [float(v - f[-1]) for v in f],  # f(x_k) - f(x_K) at full precision
            "decrease": [float(f[k] - f[k + 1]) for k in range(t.steps)],
            "guaranteed": [float(c * g[k] ** 2) for k in range(t.steps)],
        }


def check(ctx: CheckContext) -> Evidence:
    runs, series = _runs(ctx)
    contrast = _contrast()
    parts = [
        runs,
        contrast,
        ctx.figures(
            ("t1_descent_lemma.png", lambda p: _figure(p, series, contrast.facts["contrast"]))
        ),
        _certificates(ctx),
    ]
    return assemble(parts, decide, notes=NOTES)


DPS = 40
ROUNDING = 10.0 ** (-DPS + 8)


def _runs(ctx: CheckContext) -> tuple[Part, dict[tuple[str, str], dict[str, Any]]]:
    """GD at h = c/L on every objective from every start: the descent-lemma slack, the
    increases of f, the final gradient and the bound on min |grad|^2."""
    steps = 300 if ctx.quick else 2000
    rows, all_ok, worst_slack, worst_grad, worst_increase = [], True, np.inf, 0.0, -np.inf
    series: dict[tuple[str, str], dict[str, Any]] = {}
    for obj, L, f_low, box in CASES:
        centres = np.stack(
            np.meshgrid(*[np.linspace(lo, hi, 41) for lo, hi in box]), axis=-1
        ).reshape(-1, obj.dim)
        rho_seen = float(np.max(np.abs(np.linalg.eigvalsh(obj.hess_np(centres)))))
        L_ok = rho_seen <= float(L) * (1 + 1e-12)
        starts = STARTS_1D if obj.dim == 1 else STARTS_2D
        for c in FRACTIONS:
            h = c / L
            for x0 in starts:
                r = descent_run(obj, L, x0, h, steps, DPS)
                if x0 == starts[0]:
                    series[(obj.name, str(c))] = r
                bound = (r["f0"] - f_low) / (r["c"] * (r["steps"] + 1))
                ok = (
                    L_ok
                    and r["min_slack_rel"] >= -ROUNDING
                    and r["increases"] == 0
                    and r["final_grad"] <= 1e-8
                    and r["min_grad_sq"] <= bound
                    and not r["diverged"]
                )
                all_ok &= ok
                worst_slack = min(worst_slack, r["min_slack_rel"])
                worst_grad = max(worst_grad, r["final_grad"])
                worst_increase = max(worst_increase, r["max_increase"])
                rows.append(
                    (
                        obj.name,
                        str(L),
                        f"{rho_seen:.4g}",
                        str(c),
                        str(x0),
                        r["min_slack_rel"],
                        r["increases"],
                        r["final_grad"],
                        r["min_grad_sq"],
                        bound,
                        "ok" if ok else "FAIL",
                    )
                )
    numbers = {
        "runs": len(rows),
        "steps per run": steps,
        "dps": DPS,
        "min relative descent-lemma slack": worst_slack,
        "max final gradient norm": worst_grad,
        "largest f(x_{k+1}) - f(x_k) seen (rounding level)": worst_increase,
    }
    table = Table(
        "Descent lemma and convergence, h = c/L",
        (
            "objective",
            "L",
            "max rho(H) on grid",
            "c",
            "x0",
            "min slack (rel)",
            "f increases",
            "final |grad|",
            "min |grad|^2",
            "bound on min |grad|^2",
            "result",
        ),
        tuple(rows),
    )
    facts = {"all_ok": all_ok, "worst_slack": worst_slack, "worst_grad": worst_grad}
    return Part(numbers, (table,), facts=facts), series


def _contrast() -> Part:
    """Beyond 2/L the hypothesis fails and so does monotonicity (it must)."""
    contrast = descent_run(quadratic([1, 4]), sp.Integer(4), (1, 1), sp.Rational(21, 40), 30, DPS)
    numbers = {"f increases at h=2.1/L on diag(1,4) (contrast, must be > 0)": contrast["increases"]}
    return Part(numbers, facts={"contrast": contrast})


def _certificates(ctx: CheckContext) -> Part:
    """The descent lemma proved on each objective's box at h = 1/L (ball arithmetic),
    each proof saved as a certificate that ``gdtheory recheck`` re-proves."""
    proofs = []
    for i, (obj, L, _f_low, box) in enumerate(CASES):
        cert = certify_descent(obj, box, h=1 / L)
        L_cert = float(Fraction(cert.L_bound))
        proofs.append(
            Proof(
                f"{obj.name}: for every x in {box}, one GD step with h = 1/L = {1 / L} decreases "
                f"f by at least h (1 - L' h/2) |grad f(x)|^2 with L' = {L_cert:.6g}",
                cert.proved,
                f"lambda_max(H) <= L' certified on the hull of the box and its GD image; "
                f"factor h (1 - L' h/2) = {float(Fraction(cert.factor)):.4g}"
                if cert.proved
                else cert.reason,
                ctx.save_certificate(f"t1_certificate_descent_{i + 1}.json", cert),
            )
        )
    return Part(proofs=tuple(proofs))


def decide(n: Mapping[str, Any]) -> tuple[Verdict, str]:
    """Verified when every run obeys the descent lemma and converges, and the contrast
    beyond 2/L (which must fail) does."""
    ok = n["all_ok"] and n["contrast"]["increases"] > 0
    return Verdict.VERIFIED if ok else Verdict.REFUTED, (
        f"{n['runs']} runs, min descent slack {n['worst_slack']:.2e} "
        f"(>= -{ROUNDING:.0e}), max final |grad| {n['worst_grad']:.2e}"
    )


NOTES = (
    "Slack is relative to 1 + max|f|; a slack >= -1e-32 is zero up to rounding "
    "at 40 digits, and 'f increases' counts increases beyond that rounding level. "
    "'bound on min |grad|^2' is (f(x0) - f_low)/(h(1-Lh/2)(K+1))."
)


CLAIM = Claim(
    id="T1",
    title="Smooth convergence (descent lemma, h < 2/L)",
    statement=(
        "If f is L-smooth, bounded below and 0 < h < 2/L, then f(x_{k+1}) <= f(x_k) "
        "- h(1 - Lh/2)|grad f(x_k)|^2, f(x_k) decreases monotonically and "
        "|grad f(x_k)| -> 0."
    ),
    reference="Y. Nesterov, Lectures on Convex Optimization (2018), Lemma 1.2.3, Sec. 1.2.3.",
    hypotheses=(
        "grad f globally L-Lipschitz (L proved by hand per objective, cross-checked "
        "against rho(H) on a grid)",
        "f bounded below by a known f_low",
        "0 < h < 2/L (h = c/L, c in {1/2, 1, 3/2, 19/10})",
    ),
    source=(
        BLOG + ", "
        'section "The nice classical regime of learning rates": "f is L-smooth if grad f '
        "is globally Lipschitz with coefficient L. This is a strong assumption (e.g., "
        "f(x)=x^2 is 2-smooth, but f(x)=x^4 is not smooth in R) ... Thm. If f is "
        'L-smooth, min f exists, and h<2/L, GD converges to a stationary point."'
    ),
    check=check,
    full_seconds=8.5,
    quick_seconds=5.5,
)


def _figure(path: Any, series: dict[tuple[str, str], dict[str, Any]], contrast: Any) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 6.2))
    names = [CASES[1][0].name, CASES[2][0].name]
    styles = {names[0]: "-", names[1]: "--"}
    cmap = plt.cm.viridis(np.linspace(0, 0.85, len(FRACTIONS)))
    colours = dict(zip((str(c) for c in FRACTIONS), cmap, strict=True))
    ax = axes[0]
    for (name, c), r in series.items():
        if name not in names:
            continue
        gap = np.array(r["gap"][:80])
        gap = np.where(gap > 1e-33, gap, np.nan)  # below: the 40-digit rounding level
        ax.semilogy(gap, styles[name], color=colours[c], label=f"{name}, h = {c}/L")
    ax.semilogy(
        np.array(contrast["f_seq"]),
        ":",
        color="crimson",
        label="diag(1,4): f(x_k), h = 2.1/L (outside the theorem)",
    )
    ax.set_xlabel("step k")
    ax.set_ylabel("f(x_k) - f(x_K)  (log scale; K = last step)")
    ax.set_title("f decreases monotonically for h < 2/L")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    ax = axes[1]
    for (_name, c), r in series.items():
        dec, gua = np.array(r["decrease"]), np.array(r["guaranteed"])
        keep = gua > 1e-30
        ax.semilogx(gua[keep], dec[keep] / gua[keep], ".", ms=3, color=colours[c], alpha=0.6)
    ax.axhline(1.0, color="k", lw=1, label="actual = guaranteed (the lemma's bound)")
    for c, col in colours.items():
        ax.plot([], [], ".", color=col, label=f"h = {c}/L (all 4 objectives)")
    ax.set_yscale("log")
    ax.set_xlabel("guaranteed decrease  h (1 - L h/2) |grad f(x_k)|^2")
    ax.set_ylabel("actual decrease / guaranteed decrease")
    ax.set_title("descent lemma: every step has ratio >= 1")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    fig.suptitle("T1: the descent lemma at 40 digits")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
