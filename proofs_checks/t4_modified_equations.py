r"""T4 — Modified equations (backward error analysis).

Statement (claim T4; source: Tao and Wang, 2022).
There is a formal series of vector fields F_h = F_0 + h F_1 + ...
whose time-h flow equals the GD map to all orders in h, with F_0 = -grad f,
F_1 = -(1/2) H grad f, F_2 = (1/12) F''(F,F) + (1/3) F'F'F.  (a) F_0 + h F_1 is the
gradient of the modified potential f + (h/4)|grad f|^2.  (b) In one dimension every F_k
has a potential.  (c) In dimension >= 2, F_2 is in general not a gradient: for
f = (xy - 1)^2/2 the curl of F_2 is nonzero (F_2 is a gradient iff H and D^3 f[grad f]
commute).  (d) The order-p modified flow matches one GD step with local error
O(h^{p+2}).  (e) For a quadratic the series is -phi(hA) grad f, phi(z) = -log(1 - z)/z,
with radius of convergence 1/L.

Check.
(a) exact symbolic identity F_1 = -grad(|grad f|^2/4) on four objectives (1-D, 2-D,
    non-polynomial, 3-D);
(b) 1-D potentials to order 8 (polynomials) and 5 (exp, log-cosh, sin): -f_k' = F_k
    checked by substitution at 40 digits at three points, and F_2 against the
    Hairer-Lubich-Wanner formula symbolically;
(c) (xy - 1)^2/2: is_gradient through h^1 and not at h^2; the curl and, independently,
    the commutator [H, D^3 f[grad f]] are evaluated at a point;
(d) local errors |phi^{[p]}_h(x0) - Phi_h(x0)| for p = 0..3 on five objectives at
    60 digits, order fitted on h = 1/20 .. 1/160 (1/80 in quick mode);
(e) exact term-by-term equality with the closed form to order 12 (SymPy rationals,
    and SymPy's series of the closed form as a second oracle) and the Domb-Sykes radius
    at a point against 1/L.
(f) "Higher-order modified equations can be worse", quantitatively: the series of the
    double well and of the logistic loss at x0 = 1/2 are diagnosed divergent from their
    coefficients to order 60 (Gevrey order s, growth constant C); for several h the
    one-step error of the order-p flow against GD is measured for p = 0, 1, 2, ...
    (:func:`gdtheory.studies.optimal_truncation.truncation_scan`).  Holds when, at every
    h, the error falls at least 10-fold from p = 0 to its minimum and rises at least
    10-fold after it; the argmin lies within a factor 3 of the predicted N*(h) =
    1/(C h) - 1; and log(min error) = a - c/h fits with c at least 3 standard errors
    from 0 and c C within [1/2, 2] (the prediction c = 1/C).
(g) the same series for a generic f, to h^4, in g, H and D^m f (B-series over rooted
    trees), instantiated on the claim's objectives and compared exactly with the
    concrete engine; the generic obstruction -(1/12)[H, D^3f[g]]; midpoint, Heun and RK4
    in tree form; symbolic parameters (:mod:`proofs_checks.t4_generic`).

References: Hairer, Lubich, Wanner, Geometric Numerical Integration (2006), IX.1 and
IX.7; Li, Tai, E, JMLR 20 (2019); Kong, Tao, NeurIPS 2020.
"""

from __future__ import annotations

import math

import mpmath
import sympy as sp

from gdtheory import Objective
from gdtheory.backward_error.closed_forms import quadratic_modified_equation
from gdtheory.backward_error.modified import modified_equation
from gdtheory.backward_error.series import series_diagnostics
from gdtheory.report.claims import CheckContext, Claim, Evidence, Table, Verdict
from gdtheory.studies.error_tables import modified_error_table
from gdtheory.studies.optimal_truncation import TruncationScan, truncation_scan

from .source import BLOG
from .t4_generic import generic_part

RATE_TOL = 0.3


def _first_order(rows: list[tuple[object, ...]]) -> bool:
    ok = True
    for text in (
        "x**4/4 - x**2/2",
        "(x*y - 1)**2/2",
        "logcosh(x + 2*y) + x**2/2",
        "x**2*y + y**2*z/2 + z**4/4",
    ):
        obj = Objective.parse(text)
        me = modified_equation(obj, 1)
        f1 = sum(g**2 for g in obj.grad) / 4
        resid = [sp.simplify(me.fields[1][i] + sp.diff(f1, s)) for i, s in enumerate(obj.symbols)]
        good = all(r == 0 for r in resid) and me.is_gradient[1]
        ok &= good
        rows.append(("(a) F_1 = -grad |grad f|^2/4", text, "exact identity" if good else "FAILS"))
    return ok


def _one_d_potentials(rows: list[tuple[object, ...]], quick: bool) -> tuple[bool, float]:
    ok, worst = True, 0.0
    cases = [
        ("x**4/4 - x**2/2", 8),
        ("x**3/3 + x**2", 8),
        ("exp(x)", 5),
        ("logcosh(x)", 5),
        ("sin(x)", 5),
    ]
    if quick:
        cases = [(t, min(p, 5)) for t, p in cases]
    for text, p in cases:
        me = modified_equation(text, p)
        x = me.symbols[0]
        F = -me.objective.grad[0]  # HLW: F_2 = F''F^2/12 + F'^2 F/3
        hlw = sp.diff(F, x, 2) * F**2 / 12 + sp.diff(F, x) ** 2 * F / 3
        hlw_ok = sp.simplify(me.fields[2][0] - hlw) == 0
        dev = 0.0
        for k in range(p + 1):
            fk = me.potentials[k]
            for pt in ("0.3", "-0.7", "1.1"):
                with mpmath.workdps(40):
                    xv = mpmath.mpf(pt)
                    d = mpmath.diff(lambda t, fk=fk, x=x: _eval(fk, x, t), xv)
                    Fk = _eval(me.fields[k][0], x, xv)
                    dev = max(dev, float(abs(d + Fk) / (1 + abs(Fk))))
        good = hlw_ok and dev < 1e-25
        ok &= good
        worst = max(worst, dev)
        rows.append(
            (
                f"(b) 1-D potentials to order {p}",
                text,
                f"max |f_k' + F_k| = {dev:.1e}; F_2 = HLW formula: {hlw_ok}",
            )
        )
    return ok, worst


def _eval(expr: sp.Expr, x: sp.Symbol, value: mpmath.mpf) -> mpmath.mpf:
    if isinstance(expr, sp.Integral):
        integrand, (t, a, b) = expr.function, expr.limits[0]
        g = sp.lambdify((t, x), integrand, "mpmath")
        return mpmath.quad(lambda s: g(s, value), [a, b])
    return sp.lambdify(x, expr, "mpmath")(value)


def _obstruction(numbers: dict[str, object]) -> bool:
    obj = Objective.parse("(x*y - 1)**2/2")
    me = modified_equation(obj, 3)
    x, y = obj.symbols
    at = {x: sp.Rational(1, 2), y: sp.Rational(3, 2)}
    curl = me.obstructions[2][0, 1].subs(at) if me.obstructions[2] is not None else 0
    H = obj.hessian
    g = obj.grad
    D3 = sp.Matrix(
        2, 2, lambda i, j: sum(sp.diff(H[i, j], s) * g[k] for k, s in enumerate(obj.symbols))
    )
    comm = (H * D3 - D3 * H).subs(at)
    numbers["(c) is_gradient for h^0..h^3"] = str(me.is_gradient)
    numbers["(c) curl of F_2 at (1/2, 3/2), entry (0,1)"] = str(curl)
    numbers["(c) [H, D^3f[grad f]] at (1/2, 3/2), entry (0,1)"] = str(comm[0, 1])
    return (
        me.is_gradient[:2] == (True, True)
        and not me.is_gradient[2]
        and curl != 0
        and (comm[0, 1] != 0)
    )


def _local_errors(
    rows: list[tuple[object, ...]], quick: bool, tables: list[object]
) -> tuple[bool, dict[str, float]]:
    dens = (20, 40, 80) if quick else (20, 40, 80, 160)
    hs = [f"1/{d}" for d in dens]
    cases = [
        ("x**4/4 - x**2/2", ["3/2"]),
        ("exp(x)", ["1/2"]),
        ("logcosh(x)", ["1/2"]),
        ("sin(x)", [1]),
        ("(x*y - 1)**2/2", ["1/2", "3/2"]),
    ]
    ok, rates = True, {}
    for text, x0 in cases:
        tab = modified_error_table(text, x0, hs=hs, orders=[0, 1, 2, 3], steps=1, dps=60)
        tables.append(tab)
        for p, m, e in zip(tab.orders, tab.measured_orders, tab.expected_orders, strict=True):
            rates[f"{text}, p={p}"] = m if m is not None else math.nan
            good = m is not None and abs(m - e) <= RATE_TOL
            ok &= good
            rows.append(
                (
                    f"(d) local error order, p={p}",
                    text,
                    f"{m:.3f} (expected {e})" if m is not None else "n/a",
                )
            )
    return ok, rates


def _quadratic(rows: list[tuple[object, ...]], numbers: dict[str, object]) -> bool:
    ok = True
    for text, pt in (
        ("3*x**2/2", ["1/2"]),
        ("x**2 + 3*x*y + y**2/3", [1, "1/3"]),
        ("x**2 + y**2/2 + z**2/4 + x*z/4 + y", [1, 1, 1]),
    ):
        q = quadratic_modified_equation(text)
        me = modified_equation(q.objective, 12)
        exact = all(
            sp.expand(me.fields[k] - q.coefficient(k)) == sp.zeros(q.objective.dim, 1)
            for k in range(13)
        )
        ks = range(0, 13, 4)
        series_ok = all(
            sp.simplify(c - me.fields[k]) == sp.zeros(q.objective.dim, 1)
            for k, c in zip(ks, q.series_coefficients(ks), strict=True)
        )
        d = series_diagnostics(q.objective, pt, order=24)
        R = float(q.radius)
        rel = abs(d.radius - R) / R
        good = exact and series_ok and rel < 0.01
        ok &= good
        numbers[f"(e) radius [{text}]: Domb-Sykes / exact 1/L"] = f"{d.radius:.6g} / {R:.6g}"
        rows.append(
            (
                "(e) quadratic closed form",
                text,
                f"F_k = -A^k grad f/(k+1) exactly for k <= 12: {exact}; SymPy series oracle: "
                f"{series_ok}; radius {d.radius:.5g} vs 1/L = {R:.5g} (rel. err {rel:.1e}, "
                f"{d.confidence})",
            )
        )
    return ok


#: (objective, x0, h values, in the quick run too) for part (f).  The logistic scan
#: (about 50 s: its fields up to order 36 at 20 digits) runs in the full report only;
#: tests/dynamics/test_optimal_truncation.py checks it in CI on a shorter scan.
TRUNCATION_CASES = (
    ("x**4/4 - x**2/2", "1/2", (0.8, 0.65, 0.55), True),
    ("log(1+exp(-x))", "1/2", (3.0, 2.5, 2.0, 1.5), False),
)


def _optimal_truncation(
    rows: list[tuple[object, ...]], numbers: dict[str, object], quick: bool
) -> tuple[bool, list[TruncationScan]]:
    ok, scans = True, []
    for text, x0, hs, in_quick in TRUNCATION_CASES:
        if quick and not in_quick:
            rows.append(("(f) optimal truncation", text, "full report only (not in --quick)"))
            continue
        scan = truncation_scan(text, [x0], hs=hs)
        scans.append(scan)
        g = scan.diagnostics.growth
        assert g is not None
        shape = all(
            min(es) <= es[0] / 10 and max(es[es.index(min(es)) :]) >= 10 * min(es)
            for es in ([e for e in row if math.isfinite(e)] for row in scan.errors)
        )
        ratios = [p / n for p, n in zip(scan.best_orders, scan.predicted_orders, strict=True)]
        near = all(1 / 3 <= r <= 3 for r in ratios)
        cC = scan.c * scan.growth_constant
        fit = scan.c > 3 * scan.c_error and 0.5 <= cC <= 2
        good = shape and near and fit
        ok &= good
        numbers[f"(f) [{text}] Gevrey order s, growth constant C"] = (
            f"{g.gevrey_order:.3f} +- {g.gevrey_order_error:.3f}, {g.constant:.4g}"
        )
        numbers[f"(f) [{text}] fitted c vs 1/C"] = (
            f"{scan.c:.3g} +- {scan.c_error:.2g} vs {1 / scan.growth_constant:.3g}"
        )
        rows.append(
            (
                "(f) optimal truncation",
                text,
                f"divergent (s = {g.gevrey_order:.2f} +- {g.gevrey_order_error:.2f}, C = "
                f"{g.constant:.4g}); argmin p / N*(h) = "
                + ", ".join(
                    f"{p}/{n}" for p, n in zip(scan.best_orders, scan.predicted_orders, strict=True)
                )
                + f"; min error falls 10x and rises 10x: {shape}; log e_min = a - c/h with "
                f"c = {scan.c:.3g} +- {scan.c_error:.2g}, c C = {cC:.2f}",
            )
        )
    return ok, scans


def _truncation_figure(path: object, scans: list[TruncationScan]) -> None:
    """Semilog one-step error against the order p, one line per h, one panel per objective."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(scans), figsize=(5 * len(scans), 3.8), squeeze=False)
    for ax, scan in zip(axes[0], scans, strict=True):
        for h, ps, es, n in zip(
            scan.hs, scan.orders, scan.errors, scan.predicted_orders, strict=True
        ):
            (line,) = ax.semilogy(ps, es, "o-", ms=3, label=f"h = {h:g}")
            ax.axvline(n, color=line.get_color(), ls=":", lw=1)
        ax.set_title(
            f"{scan.description.replace('GD on f = ', '')}\n"
            f"min error ~ exp(-c/h): c = {scan.c:.3g}, 1/C = {1 / scan.growth_constant:.3g}",
            fontsize=9,
        )
        ax.set_xlabel("order p of the modified flow (dotted: predicted N*(h))")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("|flow_p(h) - GD step|")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def check(ctx: CheckContext) -> Evidence:
    rows: list[tuple[object, ...]] = []
    numbers: dict[str, object] = {}
    a = _first_order(rows)
    b, worst = _one_d_potentials(rows, ctx.quick)
    c = _obstruction(numbers)
    error_tables: list[object] = []
    d, rates = _local_errors(rows, ctx.quick, error_tables)
    e = _quadratic(rows, numbers)
    f, scans = _optimal_truncation(rows, numbers, ctx.quick)
    g, generic_table = generic_part(rows, numbers)
    figures = ctx.figures(
        ("t4_local_errors.png", lambda path: _figure(path, error_tables)),
        ("t4_optimal_truncation.png", lambda path: _truncation_figure(path, scans)),
    ).figures
    numbers["(b) worst |f_k' + F_k| (relative)"] = worst
    worst_rate = max(
        (abs(m - (int(k.rsplit("p=", 1)[1]) + 2)) for k, m in rates.items()), default=math.nan
    )
    numbers["(d) worst |measured - expected| local-error order"] = worst_rate
    parts = {"(a)": a, "(b)": b, "(c)": c, "(d)": d, "(e)": e, "(f)": f, "(g)": g}
    verdict = Verdict.VERIFIED if all(parts.values()) else Verdict.REFUTED
    failed = [k for k, v in parts.items() if not v]
    return Evidence(
        verdict,
        f"parts (a)-(g) {'all hold' if not failed else 'fail: ' + ', '.join(failed)}"
        + (" ((f) on the double well only in --quick)" if ctx.quick else "")
        + f"; local-error orders within {worst_rate:.2f} of p+2",
        numbers={**numbers, **{f"(d) order [{k}]": v for k, v in rates.items()}},
        tables=(
            Table("T4 sub-checks", ("part", "objective", "result"), tuple(rows)),
            *(scan.table() for scan in scans),
            generic_table,
        ),
        figures=figures,
        notes=(
            "Local errors are measured against the time-h flow integrated by Gragg-Bulirsch-"
            "Stoer extrapolation at 60 digits. Potentials of non-polynomial fields are found "
            "exactly in the differential ring where an antiderivative of bounded degree "
            "exists, else given as an exact line integral (evaluated here by quadrature). "
            f"Rates are accepted within {RATE_TOL} of p+2; a point where F_(p+1) nearly "
            "vanishes makes the asymptotic regime start late (sin at x0 = 1/2, where "
            "F_2 = -0.011; the double well at x0 = 1/2, where |F_4/F_3| = 0.12), so these "
            "are checked at x0 = 1 and x0 = 3/2."
        ),
    )


def _figure(path: object, tables: list[object]) -> None:
    """Log-log local error against h, one panel per objective, one line per order p."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(tables), figsize=(4 * len(tables), 3.6), squeeze=False)
    for ax, tab in zip(axes[0], tables, strict=True):
        hs = [float(v) for v in tab.hs]  # type: ignore[attr-defined]
        for j, p in enumerate(tab.orders):  # type: ignore[attr-defined]
            errs = [row[j] for row in tab.errors]  # type: ignore[attr-defined]
            m = tab.measured_orders[j]  # type: ignore[attr-defined]
            ax.loglog(hs, errs, "o-", label=f"p={p}: slope {m:.2f}")
        ax.set_title(tab.description.replace("GD on f = ", ""), fontsize=9)  # type: ignore[attr-defined]
        ax.set_xlabel("h")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("|flow_p(h) - GD step|")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


CLAIM = Claim(
    id="T4",
    title="Modified equations: potentials, obstruction, O(h^(p+2)), quadratic radius 1/L",
    statement=(
        "The GD map is the time-h flow of a formal modified field F_0 + h F_1 + ...; "
        "F_0 + hF_1 = -grad(f + h|grad f|^2/4); in 1-D every F_k has a potential; in n-D "
        "F_2 is in general not a gradient ((xy-1)^2/2); the order-p flow has local error "
        "O(h^(p+2)); for a quadratic the series is -phi(hA) grad f with radius 1/L; for "
        "nonlinear f it diverges, and truncating beyond N*(h) ~ 1/(C h) makes the error "
        "worse, the optimal error being exponentially small in 1/h.  For a generic f: "
        "F = -g - (h/2)Hg - h^2((1/3)H^2 g + (1/12)D^3f[g,g]) - ..., with obstruction "
        "-(1/12)[H, D^3f[g]] at h^2."
    ),
    reference=(
        "Hairer, Lubich, Wanner, Geometric Numerical Integration (2006), IX.1, IX.7; "
        "Li, Tai, E, JMLR 2019; Kong, Tao, NeurIPS 2020."
    ),
    hypotheses=(
        "f analytic near the points used",
        "h small for (d): fitted on h = 1/20..1/160",
        "quadratic A symmetric with exact rational entries for (e)",
    ),
    source=(
        BLOG + ", "
        'section "Backward error analysis, a.k.a. modified equation" and "Discussions": '
        '"Doing it to 1st-order in h gives xdot = -grad f_1(x), where f_1(x) := f(x) + '
        "(h/4)||grad f(x)||_2^2 ... In this case, the 1st-order modified equation is "
        'still a gradient flow" ... "a power series (in h) has a radius of convergence, '
        'and its generalization to an ODE will have a similar issue of convergence." ... '
        '"Will higher-order modified equation help with large h? In most cases, no. In '
        "fact if h is too large, higher-order modified equation (i.e. more correction "
        'terms) may even lead to worse approximation."'
    ),
    check=check,
    full_seconds=23.5,
    quick_seconds=11.5,
)
