r"""T2 — the learning-rate regimes on a quadratic.

Statement (claim T2; source: Tao and Wang, 2022).
On f = (L/2) x^2, GD is x_{k+1} = (1 - hL) x_k, and
  h < 1/L: monotone trajectory (no sign change, |x| and f decrease);
  1/L < h < 2/L: x changes sign every step, |x| and f still decrease;
  h = 2/L: period 2 (x_{k+2} = x_k, |x_k| = |x_0|);
  h > 2/L: |x_k| -> infinity.

Check. For L in {1, 3, 10} and h = c/L with c in {1/2, 3/2, 2, 5/2} (exact rationals),
GD at 50 digits from x0 = 1 (and in 2-D on diag(1, L), where the top eigenvalue decides):
count sign changes, test monotonicity of |x| and f, measure the period-2 defect
|x_{k+2} - x_k| and the distance to the closed form (1 - hL)^k x0, check the status
(``diverged`` exactly when c > 2) and that :func:`gdtheory.lr_regime` names the regime.

Reference: the source blog (Tao and Wang, 2022); any numerical-analysis text on explicit Euler
stability, e.g. Hairer, Norsett, Wanner, *Solving ODEs I* (1993), Sec. IV.2.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from gdtheory import Regime, gd, lr_regime
from gdtheory.objectives import quadratic
from gdtheory.report.claims import CheckContext, Claim, Evidence, Table, Verdict

from .source import BLOG

CASES = (
    (sp.Rational(1, 2), Regime.GRADIENT_FLOW_LIKE),
    (sp.Rational(3, 2), Regime.OSCILLATORY),
    (sp.Integer(2), Regime.CRITICAL),
    (sp.Rational(5, 2), Regime.BEYOND_STABILITY),
)


def observe(L: sp.Expr, c: sp.Expr, steps: int, dps: int = 50) -> dict[str, object]:
    """Run GD on (L/2)x^2 with h = c/L from x0 = 1 and measure the regime's signature."""
    h = c / L
    t = gd(quadratic([L]), 1, h=h, steps=steps, dps=dps, bound=10**20)
    with mpmath.workdps(dps):
        xs = [p[0] for p in t.iterates]
        q = 1 - mpmath.mpf(c.p) / c.q  # 1 - hL, exactly c's value at dps
        closed = max(abs(x - q**k) / max(1, abs(q**k)) for k, x in enumerate(xs))
        flips = sum(1 for a, b in zip(xs, xs[1:], strict=False) if a * b < 0)
        fvals = t.f_values[: len(xs)]
        abs_dec = all(abs(b) < abs(a) for a, b in zip(xs, xs[1:], strict=False))
        abs_inc = all(abs(b) > abs(a) for a, b in zip(xs, xs[1:], strict=False))
        f_dec = all(b < a for a, b in zip(fvals, fvals[1:], strict=False) if mpmath.isfinite(b))
        period2 = max((abs(xs[k + 2] - xs[k]) for k in range(len(xs) - 2)), default=mpmath.mpf(0))
    return {
        "status": t.status.value,
        "decided_at": t.decided_at,
        "sign_changes": flips,
        "steps_taken": t.steps,
        "|x| decreasing": abs_dec,
        "|x| increasing": abs_inc,
        "f decreasing": f_dec,
        "period2_defect": float(period2),
        "closed_form_rel_err": float(closed),
        "regime": lr_regime(h=h, L=L).regime,
        "x_last": float(xs[-1]),
    }


def expected(obs: dict[str, object], c: sp.Expr, regime: Regime) -> bool:
    steps = obs["steps_taken"]
    if obs["regime"] is not regime:
        return False
    if c < 1:
        return (
            obs["sign_changes"] == 0
            and obs["|x| decreasing"]
            and obs["f decreasing"]
            and obs["status"] == "max_steps"
        )
    if c < 2:
        return (
            obs["sign_changes"] == steps
            and obs["|x| decreasing"]
            and obs["f decreasing"]
            and obs["status"] == "max_steps"
        )
    if c == 2:
        return obs["period2_defect"] < 1e-45 and obs["sign_changes"] == steps
    return obs["status"] == "diverged" and obs["|x| increasing"]


def check(ctx: CheckContext) -> Evidence:
    steps = 150 if ctx.quick else 400  # |1 - hL| = 3/2 needs 114 steps to pass bound = 1e20
    rows, ok_all, worst_closed = [], True, 0.0
    for L in (sp.Integer(1), sp.Integer(3), sp.Integer(10)):
        for c, regime in CASES:
            obs = observe(L, c, steps)
            ok = expected(obs, c, regime) and obs["closed_form_rel_err"] < 1e-45
            ok_all &= ok
            worst_closed = max(worst_closed, obs["closed_form_rel_err"])
            rows.append(
                (
                    str(L),
                    str(c / L),
                    obs["regime"].value,
                    obs["status"],
                    obs["sign_changes"],
                    obs["|x| decreasing"],
                    obs["f decreasing"],
                    obs["decided_at"],
                    obs["period2_defect"],
                    obs["closed_form_rel_err"],
                    "ok" if ok else "FAIL",
                )
            )
    # 2-D: the largest eigenvalue decides
    two_d = []
    for c, _regime in CASES:
        t = gd(quadratic([1, 4]), (1, 1), h=c / 4, steps=steps, dps=50, bound=10**20)
        two_d.append((str(c / 4), t.status.value, lr_regime(h=c / 4, L=4).regime.value))
        ok_all &= (t.status == "diverged") == (c > 2)
    figures = ()
    path = ctx.figure_path("t2_regimes.png")
    if path is not None:
        figures = (str(_figure(path)),)
    return Evidence(
        Verdict.VERIFIED if ok_all else Verdict.REFUTED,
        f"4 regimes x 3 values of L as predicted; closed-form error <= {worst_closed:.1e}",
        numbers={"steps": steps, "dps": 50, "max relative error vs (1-hL)^k x0": worst_closed},
        tables=(
            Table(
                "(L/2) x^2 from x0 = 1, h = c/L",
                (
                    "L",
                    "h",
                    "lr_regime",
                    "status",
                    "sign changes",
                    "|x| decreasing",
                    "f decreasing",
                    "decided at step",
                    "max |x_{k+2}-x_k|",
                    "rel. err vs closed form",
                    "result",
                ),
                tuple(rows),
            ),
            Table(
                "2-D diag(1, 4): the top eigenvalue L = 4 decides",
                ("h", "status", "lr_regime"),
                tuple(two_d),
            ),
        ),
        figures=figures,
    )


def _figure(path: object) -> object:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(14, 3.2), sharey=False)
    for ax, (c, regime) in zip(axes, CASES, strict=True):
        t = gd(quadratic([1]), 1, h=c, steps=12, dps=30, bound=10**20)
        xs = t.as_numpy()[:, 0]
        ax.plot(range(len(xs)), xs, "o-", ms=3, label="GD iterates $x_k$")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_title(f"hL = {c}: {regime.value}", fontsize=10)
        ax.set_xlabel("step k")
    axes[0].set_ylabel("$x_k$ on $f = x^2/2$ (L = 1)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


CLAIM = Claim(
    id="T2",
    title="Learning-rate regimes on a quadratic",
    statement=(
        "On f = (L/2)x^2: h < 1/L gives a monotone trajectory; 1/L < h < 2/L makes x "
        "oscillate in sign while |x| and f decrease; h = 2/L is period-2; h > 2/L "
        "diverges."
    ),
    reference=(
        "Tao and Wang (2022), the source blog; Hairer, Norsett, Wanner, Solving Ordinary "
        "Differential Equations I (Springer, 1993), Sec. IV.2."
    ),
    hypotheses=(
        "f = (L/2) x^2, L > 0 (and diag(1, L) in 2-D)",
        "x0 != 0",
        "h exact rational (so h = 2/L is exactly critical)",
    ),
    source=(
        BLOG + ", "
        'section "The nice classical regime of learning rates" and "Welcome to the zoo": '
        '"As the following animations show (for a simple f=x^2/2), h<1/L leads to '
        "continuous motion of x_k, but a bigger h gives a discontinuous, oscillatory "
        'behavior, however only in x_k but not in f(x_k)!" ... "if LR is too large, GD '
        'will just blow up ... such as whenever h>2/L for quadratic objectives"'
    ),
    check=check,
    full_seconds=1.0,
    quick_seconds=0.5,
)
