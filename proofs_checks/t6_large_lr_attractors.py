r"""T6 — Large learning rates: GD converges to periodic orbits and chaotic attractors.

Statement (claim T6; the source blog, after Wang, Chen, Zhao and Tao, ICLR 2022). Beyond
2/L GD on a non-quadratic f need not diverge: the GD map can converge to fixed points,
periodic orbits or chaotic attractors.  Example: on f(x, y) = (1 - xy)^2/2, GD with
h = 1.9 converges to orbits of periods 2, 3 and 4 depending on the initial point, none
of which reach the minimisers xy = 1.

What is computed.
(a) Every orbit of period <= 4 in [-3, 3]^2 at h = 19/10 (exact), with multipliers at
    50 digits and stability; continua reported as such.
(b) Closed forms derived here and checked against the search to 30 digits: the three
    2-cycle families of (1 - xy)^2/2 (anti-diagonal a^2 = 2/h - 1, multipliers
    (2h - 5)^2 and 9; diagonal a^2 = 1 + 2/h, multipliers (5 + 2h)^2 and 9; the balanced
    pair s^2 = ((h + 1) +- sqrt((h + 1)^2 - 4))/(2h), multipliers 9 - 2(1 + h)^2 and
    3 - 2h) and every orbit of period <= 5 of the Chebyshev map 2x^2 - 1 (GD on the
    logistic-conjugate cubic): points cos(2 pi k/(2^p -+ 1)), multipliers +-2^p (4 at x = 1).
(c) GD from a grid of starts at h = 1.9: fractions diverged / periodic / non-periodic,
    the largest Lyapunov exponent of the bounded runs, their distance to the diagonal.
(d) A scan over h in [1, 2]: which minimal periods <= 4 attract GD, and whether two
    different periods ever coexist.  On the invariant diagonal the map is the odd cubic
    g(s) = s + h s (1 - s^2), whose Schwarzian derivative is computed symbolically; if it
    is negative, Singer's theorem allows at most one attracting orbit per critical point,
    i.e. one symmetric orbit or a mirror pair (the same period).
(e) Chaos, quantified: on the logistic-conjugate cubic the Lyapunov exponent is ln 2 and
    the invariant density the arcsine law (TV, W1).

Reference: Wang, Chen, Zhao, Tao, *Large learning rate tames homogeneity*, ICLR 2022;
Singer, SIAM J. Appl. Math. 35 (1978); Davidchack and Lai, Phys. Rev. E 60 (1999).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from gdtheory import (
    Objective,
    arcsine_law,
    compare_density,
    invariant_density,
    iterate_map,
    lyapunov_batch,
    periodic_orbits,
)
from gdtheory.certify import (
    CertificateBundle,
    certify_period_three_chaos,
    certify_periodic_orbit,
)
from gdtheory.dynamics.diagrams import basins, detect_periods, orbit_diagram
from gdtheory.dynamics.periodic import factorization_two_cycles, orbit_match_error
from gdtheory.objectives import logistic_conjugate, scalar_factorization
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

H_CLAIM = sp.Rational(19, 10)
BOX = [(-3, 3), (-3, 3)]
#: Longest period looked for in the h scan (the attractors' periods are reported up to it).
MAX_SCAN_PERIOD = 12


def _chebyshev_orbits(pmax: int, seeds: int) -> tuple[list[tuple[Any, ...]], float]:
    """Search the Chebyshev map's orbits, compare counts/points/multipliers with closed forms."""
    obj = logistic_conjugate()
    rows, worst = [], 0.0
    for p in range(1, pmax + 1):
        found = periodic_orbits(obj, [(-1, 1)], h=1, period=p, seeds=seeds, dps=50).orbits
        exact_count = sum(_mobius(p // d) * 2**d for d in range(1, p + 1) if p % d == 0) // p
        err = 0.0
        with mpmath.workdps(50):
            for o in found:
                x0 = o.points[0][0]
                theta = mpmath.acos(x0)
                # x = cos(theta) is periodic iff 2^p theta = +-theta mod 2 pi
                k_minus = theta * (2**p - 1) / (2 * mpmath.pi)
                k_plus = theta * (2**p + 1) / (2 * mpmath.pi)
                if abs(x0 - 1) < 1e-30:
                    mu = mpmath.mpf(4) ** p
                    d = abs(x0 - 1)
                elif abs(k_minus - mpmath.nint(k_minus)) < 1e-30:
                    mu = mpmath.mpf(2) ** p
                    d = abs(x0 - mpmath.cos(2 * mpmath.pi * mpmath.nint(k_minus) / (2**p - 1)))
                elif abs(k_plus - mpmath.nint(k_plus)) < 1e-30:
                    mu = -(mpmath.mpf(2) ** p)
                    d = abs(x0 - mpmath.cos(2 * mpmath.pi * mpmath.nint(k_plus) / (2**p + 1)))
                else:
                    mu, d = mpmath.mpf("nan"), mpmath.mpf(1)
                err = max(err, float(d), float(abs(o.multipliers[0] - mu)))
        worst = max(worst, err)
        rows.append((p, len(found), exact_count, f"{err:.1e}"))
    return rows, worst


def _mobius(n: int) -> int:
    return int(sp.mobius(n))


def check(ctx: CheckContext) -> Evidence:
    obj = scalar_factorization()
    orbits, searches = _orbits_at_claim(ctx, obj)
    grid, run, bounded = _grid_at_claim(ctx, obj)
    parts = [
        orbits,
        _closed_forms(ctx, searches),
        grid,
        _scan(ctx, obj),
        _chaos_on_the_cubic(ctx),
        Part(proofs=_certificates(ctx, obj, searches)),
        ctx.figures(
            ("t6_orbits_h19.png", lambda p: _figure_orbits(p, searches, run, bounded)),
            ("t6_orbit_diagram.png", lambda p: _figure_diagram(p, obj, ctx.quick)),
            ("t6_basins.png", lambda p: _figure_basins(p, obj, ctx.quick)),
        ),
    ]
    return assemble(parts, decide, notes=NOTES)


def _orbits_at_claim(ctx: CheckContext, obj: Any) -> tuple[Part, dict[int, Any]]:
    """(a) all orbits of period <= 4 at h = 19/10, with 50-digit multipliers."""
    searches = {
        p: periodic_orbits(obj, BOX, h=H_CLAIM, period=p, seeds=128 if ctx.quick else 512, dps=50)
        for p in (1, 2, 3, 4)
    }
    numbers: dict[str, Any] = {}
    orbit_rows = []
    for p, s in searches.items():
        radii = [float(o.spectral_radius) for o in s.orbits]
        orbit_rows.append(
            (p, len(s.orbits), len(s.stable), min(radii) if radii else "-", len(s.continua))
        )
        numbers[f"orbits of period {p} at h=19/10"] = len(s.orbits)
        numbers[f"stable orbits of period {p} at h=19/10"] = len(s.stable)
    table = Table(
        "(a) orbits of GD on (1 - xy)^2/2 at h = 19/10 in [-3, 3]^2 (50 digits)",
        ("period", "isolated orbits", "stable", "min spectral radius", "continua"),
        tuple(orbit_rows),
    )
    n_stable = sum(len(s.stable) for s in searches.values())
    return Part(numbers, (table,), facts={"n_stable": n_stable}), searches


def _closed_forms(ctx: CheckContext, searches: dict[int, Any]) -> Part:
    """(b) the search against closed forms: the 2-cycles at 19/10 and the Chebyshev map."""
    cf_rows, cf_worst, cf_found = [], 0.0, 0
    for pts, mults in factorization_two_cycles(H_CLAIM):
        errs = [orbit_match_error(o, pts, mults) for o in searches[2].orbits]
        hit = [e for e in errs if e is not None]
        cf_found += bool(hit)
        err = min(hit) if hit else float("nan")
        cf_worst = max(cf_worst, err) if hit else float("inf")
        cf_rows.append(
            (
                ", ".join(f"({sp.nsimplify(x)}, {sp.nsimplify(y)})" for x, y in pts),
                ", ".join(str(sp.nsimplify(m)) for m in mults),
                "found" if hit else "MISSING",
                f"{err:.1e}",
            )
        )
    cheb_rows, cheb_worst = _chebyshev_orbits(4 if ctx.quick else 5, 64 if ctx.quick else 256)
    cheb_ok = all(r[1] == r[2] for r in cheb_rows) and cheb_worst < 1e-30
    numbers = {
        "2-cycle closed forms found": f"{cf_found}/4",
        "2-cycle closed forms: max error (points, multipliers)": cf_worst,
        "Chebyshev orbits: max error vs closed form": cheb_worst,
    }
    tables = (
        Table(
            "(b1) closed-form 2-cycles at h = 19/10 vs the search",
            ("points", "multipliers", "search", "max error"),
            tuple(cf_rows),
        ),
        Table(
            "(b2) Chebyshev map 2x^2 - 1: orbits found vs the exact count, error vs closed form",
            ("period", "found", "exact count", "max error (points, multipliers)"),
            tuple(cheb_rows),
        ),
    )
    facts = {"cf_found": cf_found, "cf_worst": cf_worst, "cheb_ok": cheb_ok}
    return Part(numbers, tables, facts=facts)


def _grid_at_claim(ctx: CheckContext, obj: Any) -> tuple[Part, Any, np.ndarray]:
    """(c) GD from a grid of starts at h = 1.9: fates and the Lyapunov exponent."""
    n_grid = 100 if ctx.quick else 300
    steps = 3000 if ctx.quick else 20000
    xs = np.linspace(-3, 3, n_grid)
    starts = np.stack(np.meshgrid(xs, xs), axis=-1).reshape(-1, 2)
    run = iterate_map(obj, starts, hs=1.9, steps=steps, keep=64)
    periods = detect_periods(run.tail, 32)
    bounded = ~run.diverged
    frac_div = float(run.diverged.mean())
    frac_per = {p: float(np.mean(periods == p)) for p in (1, 2, 3, 4)}
    frac_nonper = float(np.mean(periods == -1))
    diag = float(np.nanmax(np.abs(run.x[bounded, 0] - run.x[bounded, 1]))) if bounded.any() else 0
    pick = np.flatnonzero(bounded)[:: max(1, bounded.sum() // 64)][:64]
    ly = lyapunov_batch(obj, run.x[pick], hs=1.9, steps=4000 if ctx.quick else 20000, transient=0)
    lam, lam_se = ly.pooled()
    numbers = {
        "h=1.9 grid: fraction diverged": frac_div,
        "h=1.9 grid: fraction non-periodic (bounded)": frac_nonper,
        **{f"h=1.9 grid: fraction period {p}": v for p, v in frac_per.items()},
        "h=1.9 bounded runs: max |x - y| at the end": diag,
        "h=1.9 bounded runs: Lyapunov exponent": lam,
        "h=1.9 bounded runs: Lyapunov standard error": lam_se,
    }
    table = Table(
        f"(c) GD from a {n_grid}x{n_grid} grid of [-3, 3]^2 at h = 1.9, {steps} steps",
        (
            "diverged",
            "period 1",
            "period 2",
            "period 3",
            "period 4",
            "non-periodic",
            "Lyapunov (bounded)",
            "max |x - y|",
        ),
        ((frac_div, *frac_per.values(), frac_nonper, f"{lam:.4f} +- {lam_se:.4f}", diag),),
    )
    keys = {"grid_lyapunov": lam, "grid_non_periodic": frac_nonper}
    return Part(numbers, (table,), facts=keys), run, bounded


def _scan(ctx: CheckContext, obj: Any) -> Part:
    """(d) attracting cycles over h in (1, 2] from a grid, and the Schwarzian of the
    diagonal map (at most one attracting orbit or a mirror pair at one h)."""
    # h = 1 itself is excluded: there the minimiser (1, 1) is marginal (multiplier -1)
    # and runs creeping towards it look like 2-cycles off the diagonal
    hs = np.round(np.linspace(1.0, 2.0, 51 if ctx.quick else 201)[1:], 6)
    ng = 30 if ctx.quick else 60
    g = np.linspace(-2, 2, ng)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    diagram = orbit_diagram(
        obj, grid, hs=hs, transient=1500 if ctx.quick else 6000, keep=64, max_period=32
    )
    step = float(hs[1] - hs[0])
    scan_rows, coexist, where = [], 0, {p: [] for p in range(2, MAX_SCAN_PERIOD + 1)}
    for i, hv in enumerate(hs):
        per = diagram.periods[i]
        present = sorted({int(p) for p in per if p >= 2})
        for p in present:
            if p <= MAX_SCAN_PERIOD:
                where[p].append(float(hv))
        coexist = max(coexist, len(present))
        if any(p <= MAX_SCAN_PERIOD for p in present):
            shares = ", ".join(f"{p} ({np.mean(per == p):.0%} of starts)" for p in present)
            scan_rows.append((float(hv), shares))
    cyc = diagram.periods >= 2
    gap = np.abs(diagram.points[..., -1, 0] - diagram.points[..., -1, 1])
    off_diag = int(np.sum(gap[cyc] > 1e-6))
    seen = [p for p, lst in where.items() if lst]
    numbers: dict[str, Any] = {
        "scan: max number of distinct stable periods >= 2 at one h": coexist,
        "scan: runs ending on a cycle": int(cyc.sum()),
        "scan: cycles off the diagonal x = y": off_diag,
        f"scan: stable periods seen (2..{MAX_SCAN_PERIOD})": ", ".join(map(str, seen)) or "none",
    }
    for p in seen:
        numbers[f"scan: h windows with an attracting period-{p} orbit"] = (
            f"{_windows(where[p], step)} ({len(where[p])} values)"
        )
    s_, hh = sp.symbols("s h", positive=True)
    gmap = s_ + hh * s_ * (1 - s_**2)
    d1, d2, d3 = (sp.diff(gmap, s_, k) for k in (1, 2, 3))
    schwarz_num = sp.factor(sp.simplify((d3 / d1 - sp.Rational(3, 2) * (d2 / d1) ** 2) * d1**2))
    numbers["Schwarzian of the diagonal map, times g'^2"] = str(schwarz_num)
    numbers["exact stable 2-cycle window (1, sqrt(5) - 1)"] = float(sp.sqrt(5) - 1)
    table = Table(
        f"(d) h in (1, 2] ({hs.size} values, step {step:g}) where GD from a {ng}x{ng} grid "
        f"of [-2, 2]^2 converges to cycles of minimal period 2..{MAX_SCAN_PERIOD}",
        ("h", "periods (share of the starts)"),
        tuple(scan_rows),
    )
    facts = {
        "where": where,
        "step": step,
        "coexist": coexist,
        "off_diag": off_diag,
        "schwarz_negative": bool(sp.expand(-schwarz_num).is_positive),
    }
    return Part(numbers, (table,), facts=facts)


def _chaos_on_the_cubic(ctx: CheckContext) -> Part:
    """(e) chaos of the logistic-conjugate cubic: Lyapunov exponent ln 2, arcsine law."""
    cheb = logistic_conjugate()
    rng = np.random.default_rng(ctx.seed)
    x0 = rng.uniform(-1, 1, (64 if ctx.quick else 256, 1))
    lyc = lyapunov_batch(cheb, x0, hs=1.0, steps=5000 if ctx.quick else 20000, transient=100)
    lam_c, _ = lyc.pooled()
    dens = invariant_density(
        cheb, x0, h=1.0, steps=4000 if ctx.quick else 20000, bins=100, range=(-1, 1)
    )
    cmp_ = compare_density(dens, arcsine_law())
    lam_rel = abs(lam_c - math.log(2)) / math.log(2)
    numbers = {
        "logistic-conjugate: Lyapunov exponent": lam_c,
        "logistic-conjugate: |lambda - ln 2|/ln 2": lam_rel,
        "logistic-conjugate: TV to arcsine law": cmp_.tv,
        "logistic-conjugate: W1 to arcsine law": cmp_.w1,
        "logistic-conjugate: TV between halves (noise)": cmp_.tv_split,
    }
    table = Table(
        "(e) GD on the logistic-conjugate cubic (map 2x^2 - 1)",
        (
            "Lyapunov",
            "ln 2",
            "rel. error",
            "TV (100 bins)",
            "W1",
            "TV halves",
            "samples",
            "periodic runs",
        ),
        (
            (
                lam_c,
                math.log(2),
                lam_rel,
                cmp_.tv,
                cmp_.w1,
                cmp_.tv_split,
                cmp_.n_samples,
                dens.periodic_runs,
            ),
        ),
    )
    keys = {"cubic_lyapunov_rel": lam_rel, "cubic_tv": cmp_.tv}
    return Part(numbers, (table,), facts=keys)


def _windows(hs: list[float], step: float) -> str:
    """Sorted grid values grouped into windows of consecutive grid points: '1.240-1.285,
    1.830-1.840' (a lone value is printed alone)."""
    runs: list[list[float]] = []
    for v in sorted(hs):
        if runs and v - runs[-1][-1] <= 1.5 * step:
            runs[-1].append(v)
        else:
            runs.append([v])
    return ", ".join(f"{r[0]:.3f}-{r[-1]:.3f}" if len(r) > 1 else f"{r[0]:.3f}" for r in runs)


def decide(n: Mapping[str, Any]) -> tuple[Verdict, str]:
    """The verdict from the parts' numbers and facts: the literal claim (stable orbits at
    h = 1.9), else the qualified one (stable periods 2, 3, 4 at other h, never together,
    all on the diagonal), provided the machinery passed its closed-form checks."""
    lam, lam_rel, tv, cf_worst = (
        n["grid_lyapunov"],
        n["cubic_lyapunov_rel"],
        n["cubic_tv"],
        n["cf_worst"],
    )
    where = n["where"]
    literal = n["n_stable"] > 0 and n["grid_non_periodic"] < 0.5
    machinery = (
        n["cf_found"] == 4 and cf_worst < 1e-30 and n["cheb_ok"] and lam_rel < 0.01 and tv < 0.02
    )
    qualified = (
        all(where[p] for p in (2, 3, 4))
        and n["coexist"] <= 1  # never two periods at one h ("never together")
        and n["off_diag"] == 0
        and n["schwarz_negative"]
    )
    if not machinery:
        verdict = Verdict.ERROR if not n["cheb_ok"] else Verdict.UNCONFIRMED
        return verdict, "the orbit machinery failed its closed-form checks (see tables)"
    if literal:
        return Verdict.VERIFIED, "stable orbits found at h = 1.9"
    if qualified:
        windows = "; ".join(f"{p}: {_windows(lst, n['step'])}" for p, lst in where.items() if lst)
        return Verdict.QUALIFIED, (
            f"at h = 1.9 no orbit of period <= 4 is stable and bounded GD is chaotic "
            f"(lambda = {lam:.3f}); stable periods occur at other h, in windows of the "
            f"h grid ({windows}), never two periods at one h"
        )
    return Verdict.REFUTED, "no stable periodic orbits of periods 2, 3, 4 found"


NOTES = (
    "The literal claim (periods 2, 3 and 4 at h = 1.9) is refuted: at h = 19/10 every "
    "orbit of period <= 4 in [-3, 3]^2 is unstable (table a; the search reproduces the "
    "closed-form 2-cycles to 30+ digits, table b), GD from the grid either diverges or "
    "falls onto the diagonal x = y (balancing) and moves chaotically there with a "
    "positive Lyapunov exponent (table c). The qualified statement holds: GD converges "
    "to stable orbits of period 2 (exactly for 1 < h < sqrt(5) - 1, from the multipliers "
    "9 - 2(1 + h)^2 and 3 - 2h), period 4 (after the period doubling and in a window "
    "near h = 1.84), period 3 (a window near h = 1.46) and period 6 (near h = 1.70; the scan "
    "looks for periods up to 12, table d), none on the minimisers. "
    "They never coexist at one h: every attractor lies on the invariant diagonal, where "
    "GD is the odd cubic g(s) = s + h s (1 - s^2) with negative Schwarzian derivative, "
    "so by Singer's theorem there is at most one attracting orbit or a mirror pair "
    "(of equal period). Rescaling mu in (mu - xy)^2/2 is equivalent to changing h (h mu), "
    "so no scaling brings the three periods together either. The blog's figure "
    "presumably shows runs at different h."
)


def _certificates(ctx: CheckContext, obj: Any, searches: dict[int, Any]) -> tuple[Proof, ...]:
    """Computer-assisted proofs (Krawczyk in ball arithmetic) of the key orbit facts."""
    proofs = []
    a = math.sqrt(1 + 2 / 1.9)
    c2 = certify_periodic_orbit(obj, [[a, a], [-a, -a]], h=H_CLAIM, radius=1e-6)
    proofs.append(
        Proof(
            "at h = 19/10 GD on (1 - xy)^2/2 has the 2-cycle +-(a, a), a^2 = 1 + 2/h, and it is "
            "unstable",
            c2.proved and c2.minimal_period and c2.stable is False,
            f"multipliers in {', '.join(c2.multipliers)}",
            ctx.save_certificate("t6_certificate_2cycle_h19.json", c2),
        )
    )
    found = [o for p in (2, 3, 4) for o in searches[p].orbits]
    certs = [
        certify_periodic_orbit(
            obj, [[float(v) for v in pt] for pt in o.points], h=H_CLAIM, radius=1e-9
        )
        for o in found
    ]
    ok = [c.proved and c.minimal_period and c.stable is False for c in certs]
    statement = (
        f"each of the {len(found)} orbits of period 2-4 found at h = 19/10 is a true orbit "
        "of that least period and is unstable (the completeness of the search is not proved)"
    )
    bundle = CertificateBundle.of(certs, requirement={"minimal_period": True, "stable": False})
    proofs.append(
        Proof(
            statement,
            bundle.proved,
            f"{sum(ok)} of {len(found)} certified",
            ctx.save_certificate("t6_certificate_unstable_orbits_h19.json", bundle),
        )
    )
    # the diagonal x = y is invariant and GD there is GD on (s^2 - 1)^2/4
    diag = Objective.parse("(s**2 - 1)**2/4")
    s3 = periodic_orbits(diag, [(-2, 2)], h=H_CLAIM, period=3, seeds=64, dps=50)
    chaos = None
    for o in s3.orbits:
        chaos = certify_period_three_chaos(
            diag, [float(pt[0]) for pt in o.points], h=H_CLAIM, radius=1e-9
        )
        if chaos.proved:
            break
    proofs.append(
        Proof(
            "at h = 19/10 GD on (1 - xy)^2/2 has periodic orbits of every period on the "
            "diagonal x = y (where it is GD on (s^2 - 1)^2/4), and is Li-Yorke chaotic there: "
            "period three implies chaos",
            chaos is not None and chaos.proved,
            "certified point of least period 3; Sharkovskii (1964), Li and Yorke (1975)"
            if chaos is not None and chaos.proved
            else "no period-3 orbit of the diagonal map was certified",
            ctx.save_certificate("t6_certificate_period3_diagonal_h19.json", chaos)
            if chaos is not None
            else None,
        )
    )
    for h, p in (("73/50", 3), ("5/4", 4)):
        stable = [
            o
            for o in periodic_orbits(obj, BOX, h=h, period=p, seeds=128, dps=50).orbits
            if o.stable
        ]
        cert = (
            certify_periodic_orbit(
                obj, [[float(v) for v in pt] for pt in stable[0].points], h=h, radius=1e-6
            )
            if stable
            else None
        )
        proofs.append(
            Proof(
                f"at h = {h} GD on (1 - xy)^2/2 has a stable orbit of least period {p}",
                cert is not None and cert.proved and cert.minimal_period and cert.stable is True,
                f"multipliers in {', '.join(cert.multipliers)}" if cert else "none found",
                ctx.save_certificate(f"t6_certificate_stable{p}_h{h.replace('/', '_')}.json", cert)
                if cert
                else None,
            )
        )
    return tuple(proofs)


def _figure_orbits(path: Any, searches: dict[int, Any], run: Any, bounded: np.ndarray) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 6.5))
    t = np.linspace(0.2, 3, 300)
    for ax in axes:
        ax.plot(t, 1 / t, "r-", lw=1, label="minimisers xy = 1")
        ax.plot(-t, -1 / t, "r-", lw=1)
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    colors = {1: "k", 2: "C0", 3: "C2", 4: "C1"}
    for p, s in searches.items():
        for j, o in enumerate(s.orbits):
            pts = o.as_numpy()
            cyc = np.vstack([pts, pts[:1]])
            axes[0].plot(
                cyc[:, 0],
                cyc[:, 1],
                "-o",
                color=colors[p],
                ms=3,
                lw=0.6,
                alpha=0.7,
                label=f"period {p} (all unstable)" if j == 0 else None,
            )
    axes[0].set_title("(a) every orbit of period <= 4 at h = 19/10")
    axes[0].legend(fontsize=8, loc="lower left")
    tail = run.tail[:, bounded].reshape(-1, 2)
    axes[1].plot(tail[:, 0], tail[:, 1], "k.", ms=1, alpha=0.3, label="GD iterates (bounded runs)")
    axes[1].set_title("(c) where GD goes at h = 1.9: a chaotic attractor on x = y")
    axes[1].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _figure_diagram(path: Any, obj: Any, quick: bool) -> None:
    import matplotlib.pyplot as plt

    hs = np.linspace(0.8, 2.0, 240 if quick else 1200)
    starts = np.array([[0.3, 0.5], [-0.4, -0.2], [1.2, 0.9], [0.2, 1.3]])
    d = orbit_diagram(obj, starts, hs=hs, transient=1000 if quick else 4000, keep=64)
    fig, ax = plt.subplots(figsize=(10, 5.5))
    d.plot(ax=ax, component=0, s=0.3)
    for hv, lab in ((1.0, "h = 1"), (math.sqrt(5) - 1, "sqrt(5) - 1"), (1.9, "h = 1.9")):
        ax.axvline(hv, color="r", lw=0.6, ls="--")
        ax.text(hv, 1.55, lab, color="r", fontsize=8, rotation=90, va="top")
    ax.set_title("Orbit diagram of GD on (1 - xy)^2/2 (x coordinate; attractors lie on x = y)")
    ax.set_ylabel("long-run x")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _figure_basins(path: Any, obj: Any, quick: bool) -> None:
    import matplotlib.pyplot as plt

    res = 80 if quick else 300
    fig, axes = plt.subplots(1, 3, figsize=(18, 5.5))
    for ax, hv in zip(axes, (1.1, 1.46, 1.9), strict=True):
        b = basins(obj, [(-2, 2), (-2, 2)], h=hv, resolution=res, transient=1500 if quick else 5000)
        b.plot(ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


CLAIM = Claim(
    id="T6",
    title="Large-LR attractors: periodic orbits and chaos of GD on (1 - xy)^2/2",
    statement=(
        "Beyond 2/L, GD on non-quadratic f need not diverge: it can converge to fixed points, "
        "periodic orbits or chaotic attractors. On (1 - xy)^2/2 with h = 1.9, GD converges to "
        "orbits of periods 2, 3 and 4 depending on the start, none reaching xy = 1."
    ),
    reference=(
        "Tao and Wang (2022), the source blog; Wang, Chen, Zhao, Tao, Large learning rate "
        "tames homogeneity (ICLR 2022); Singer (1978); "
        "Davidchack and Lai (1999)."
    ),
    hypotheses=(
        "f = (1 - xy)^2/2, h = 19/10 exact for the orbit search, box [-3, 3]^2",
        "orbit search: Davidchack-Lai multi-start + Newton at 50 digits",
        "GD fates from a grid of starts (float64); h scan over [1, 2]",
    ),
    source=(
        BLOG + ", "
        'section "Welcome to the zoo", the periodic-orbit figure: "examples of periodic '
        "motions produced by GD for a miniature matrix factorization problem, with "
        "f(x,y)=(1-xy)^2/2 (note: seemingly simple, but in fact not L-smooth for any L, "
        "nor convex). Various values of period are possible, but in none of these figures "
        'is the convergence to any minimizer." Caption: "GD with h=1.9 converges to three '
        'orbits with period 2, 3 and 4 respectively (depending on initial condition)."'
    ),
    check=check,
    full_seconds=21.5,
    quick_seconds=3.5,
)
