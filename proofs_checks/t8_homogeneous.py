r"""T8, parts (f)-(j): balancing for homogeneous objectives beyond the scalar case (issue 21).

(f) The general engine (:func:`gdtheory.balancing` on an objective): per family, the
    conserved quantities detected from the linear symmetries, the sharp eigenvalue at a
    balanced minimiser, and the balance bound with its proof of decrease in h; the
    largest matrix factorisation done exactly, with its time.
(g) Deep scalar networks (1 - x_1...x_N)^2/2, N = 2..5: GD from 1000 random starts;
    every converged run against B_N(h) (:func:`gdtheory.deep_scalar_bound`).
(h) Leaky-ReLU factorisation (1 - x sigma(y))^2/2, slope 1/10: per smooth region the
    conserved x^2 - y^2 and the closed-form bound, against GD runs ending there.
(i) The experiment of Wang, Chen, Zhao and Tao (ICLR 2022): starts (9, 1), (19, 1),
    (99, 1) on (1 - xy)^2/2, h from h0 = 4/(x0^2 + y0^2 + 8) down to 2/L; the limit
    imbalance |x - y| against the bound, and where h0 sits relative to 2/L and 4/L.
(j) Where balancing has no simple law (Liang and Montufar, 2025): the box-counting
    dimension of the boundary between the basins of the two branches of xy = 1 (and of
    non-convergence) on [-3, 3]^2, at h approaching the critical 1/mu = 1, with the
    fraction of converged starts and of balanced limits.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import sympy as sp

from gdtheory import iterate_map
from gdtheory.core.objective import Objective
from gdtheory.landscape.balance import balancing
from gdtheory.landscape.balance_laws import (
    balance_law,
    deep_linear,
    deep_scalar,
    deep_scalar_bound,
    leaky_factorization,
    leaky_gd,
    one_quantity_bound,
)
from gdtheory.objectives import scalar_factorization
from gdtheory.report.claims import CheckContext, Part, Table

#: The starts of the paper's experiment.
PAPER_STARTS = ((9.0, 1.0), (19.0, 1.0), (99.0, 1.0))
#: h values for the fractal-boundary study (critical: 1).
FRACTAL_HS = (0.2, 0.5, 0.8, 0.95)


def _matrix_objective(n: int, m: int, d: int) -> Objective:
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"X_{i}_{j}"))
    Y = sp.Matrix(m, d, lambda i, j: sp.Symbol(f"Y_{i}_{j}"))
    A = sp.Matrix(n, m, lambda i, j: sp.Symbol(f"A_{i}_{j}"))
    return Objective(sum(e**2 for e in (A - X * Y.T)) / 2, list(X) + list(Y), params=list(A))


def _families(ctx: CheckContext) -> Part:
    h = sp.Rational(1, 4)
    rows, numbers = [], {}
    cases: list[tuple[str, Any, Any]] = [
        ("scalar (1 - xy)^2/2", "(1 - x*y)**2/2", {"x": 1, "y": 1}),
        ("vector (1 - x.y)^2/2, n = 2", "(1 - a*b - c*d)**2/2", None),
        *((f"deep scalar N = {N}", deep_scalar(N), "ones") for N in (2, 3, 4, 5)),
        *((f"deep linear {w}", deep_linear(w), None) for w in ([1, 2, 1], [2, 2, 2], [1, 2, 2, 1])),
        ("leaky ReLU, y > 0", leaky_factorization([[1]], [[1]]), "ones"),
        ("leaky ReLU, y < 0 (slope 1/10)", leaky_factorization([[1]], [[-1]]), None),
    ]
    all_ok = True
    for name, target, balanced in cases:
        t0 = time.perf_counter()
        s = balancing(target)
        at = "-"
        if s.sharp is not None and balanced is not None:
            at = str(s.sharp.subs({v: 1 for v in s.variables}))
        bound, proof = "-", "-"
        if len(s.conserved) == 1 and s.sharp is not None and len(s.variables) <= 4:
            b = one_quantity_bound(balance_law(s))
            bound, proof = f"|{s.conserved[0]}| <= {b.bound}", f"dB^2/dh < 0: {b.decreasing}"
            all_ok = all_ok and b.decreasing
        elif name.startswith("deep scalar"):
            N = len(s.variables)
            db = deep_scalar_bound(N, h=h)
            bound = f"max |x_i^2 - x_j^2| <= {db.bound:.6g} at h = 1/4"
            proof = f"envelope: dB/dh = {db.derivative:.4g} < 0"
            all_ok = all_ok and db.derivative < 0
            numbers[f"(f) deep scalar N = {N}: B(1/4)"] = db.bound
        seconds = time.perf_counter() - t0
        all_ok = all_ok and s.all_identities_hold
        rows.append(
            (
                name,
                len(s.variables),
                len(s.conserved),
                str(s.conserved[0]) if s.conserved else "-",
                at,
                bound,
                proof,
                s.all_identities_hold,
                seconds,
            )
        )
    sizes = [(2, 2, 2)] if ctx.quick else [(2, 2, 2), (3, 3, 2), (3, 3, 3), (4, 4, 3)]
    for n, m, d in sizes:
        t0 = time.perf_counter()
        s = balancing(_matrix_objective(n, m, d))
        seconds = time.perf_counter() - t0
        ok = s.all_identities_hold and len(s.conserved) == d * (d + 1) // 2
        all_ok = all_ok and ok
        rows.append(
            (
                f"matrix ||A - X Y^T||^2/2, (n, m, d) = ({n}, {m}, {d})",
                len(s.variables),
                len(s.conserved),
                "entries of X^T X - Y^T Y",
                "-",
                "lambda_max(J J^T) = s1(X)^2 + s1(Y)^2 <= 2/h",
                "stable set shrinks in h",
                s.all_identities_hold,
                seconds,
            )
        )
        numbers[f"(f) matrix ({n}, {m}, {d}) exact: seconds"] = seconds
    numbers["(f) largest matrix factorisation done exactly (n, m, d)"] = str(sizes[-1])
    table = Table(
        "(f) the balancing engine on each family: conserved quantities (detected), the "
        "sharp eigenvalue at a balanced minimiser (all ones), the balance bound and why it "
        "decreases in h",
        (
            "objective",
            "variables",
            "conserved quantities",
            "first conserved quantity",
            "sharp eigenvalue at balance",
            "balance bound",
            "decrease in h",
            "identities hold",
            "seconds",
        ),
        tuple(rows),
    )
    return Part(numbers, (table,), facts={"families_ok": all_ok})


def _deep_gd(ctx: CheckContext) -> Part:
    rng = np.random.default_rng(ctx.seed)
    rows, ok = [], True
    steps = 5000 if ctx.quick else 20000
    for N, h in ((2, 0.5), (3, 0.5), (4, 0.4), (5, 0.35)):
        B = deep_scalar_bound(N, h=h).bound
        x0 = rng.uniform(0.2, 2.0, (1000, N)) * rng.choice([-1, 1], (1000, N))
        u0 = x0**2
        x = iterate_map(deep_scalar(N), x0, hs=h, steps=steps).x  # NaN where diverged
        with np.errstate(invalid="ignore"):
            conv = np.isfinite(x).all(axis=1) & (np.abs(np.prod(x, axis=1) - 1) < 1e-12)
        u = x[conv] ** 2
        spread = u.max(axis=1) - u.min(axis=1)
        sharp = (1 / u).sum(axis=1)
        start = u0[conv].max(axis=1) - u0[conv].min(axis=1)
        inside = bool(np.all(spread <= B * (1 + 1e-9)))
        ok = ok and inside and conv.sum() > 0
        rows.append(
            (
                N,
                h,
                int(conv.sum()),
                float(spread.max()) if spread.size else float("nan"),
                B,
                float(spread.max() / B) if spread.size else float("nan"),
                float(np.max(h * sharp)) if sharp.size else float("nan"),
                int(np.sum(start > B)),
            )
        )
    table = Table(
        f"(g) deep scalar networks: GD from 1000 random starts (|x_i| in [0.2, 2], random "
        f"signs), {steps} steps; converged runs against B_N(h)",
        (
            "N",
            "h",
            "converged",
            "largest limit imbalance",
            "B_N(h)",
            "largest / B",
            "largest h lambda_max",
            "converged runs that started above B",
        ),
        tuple(rows),
    )
    numbers = {
        f"(g) N = {r[0]}: converged runs inside B_N(h)": f"{r[2]}/{r[2]}"
        if r[5] <= 1 + 1e-9
        else "violated"
        for r in rows
    }
    return Part(numbers, (table,), facts={"deep_ok": ok})


def _leaky(ctx: CheckContext) -> Part:
    rng = np.random.default_rng(ctx.seed + 1)
    alpha, rows, ok = 0.1, [], True
    for sign, h in ((1, 0.5), (-1, 5.0)):
        s = balancing(leaky_factorization([[1]], [[sign]], alpha="1/10"))
        b = one_quantity_bound(balance_law(s))
        xv, yv, done = leaky_gd(rng.uniform(0.2, 4, (2000, 2)) * sign, h, alpha, sign)
        q = np.abs(xv[done] ** 2 - yv[done] ** 2)
        bound = b(h)
        inside = bool(np.all(q <= bound * (1 + 1e-9)))
        ok = ok and inside and done.sum() > 0
        rows.append(
            (
                "y > 0" if sign > 0 else "y < 0",
                str(s.conserved[0]),
                str(b.bound),
                h,
                int(done.sum()),
                float(q.max()) if q.size else float("nan"),
                bound,
                b.decreasing,
            )
        )
    table = Table(
        "(h) leaky-ReLU factorisation (1 - x sigma(y))^2/2, slope 1/10: per smooth region, "
        "GD from 2000 starts in the region's quadrant",
        (
            "region",
            "conserved",
            "bound B(h) on |x^2 - y^2|",
            "h",
            "runs converged in the region",
            "largest |x^2 - y^2|",
            "B(h)",
            "B decreasing",
        ),
        tuple(rows),
    )
    return Part({}, (table,), facts={"leaky_ok": ok})


def paper_runs(quick: bool) -> list[dict[str, Any]]:
    """GD on (1 - xy)^2/2 from the paper's starts, h from h0 down to 2/L."""
    out = []
    for x0, y0 in PAPER_STARTS:
        H0 = np.array([[y0 * y0, 2 * x0 * y0 - 1], [2 * x0 * y0 - 1, x0 * x0]])
        L = float(np.linalg.eigvalsh(H0)[-1])
        h0 = 4 / (x0**2 + y0**2 + 8)
        hs = np.linspace(h0, 2 / L, 8 if quick else 40)
        run = iterate_map(
            scalar_factorization(), np.tile([x0, y0], (hs.size, 1)), hs=hs, steps=200_000
        )
        x, y = run.x[:, 0], run.x[:, 1]
        with np.errstate(invalid="ignore"):
            conv = np.abs(x * y - 1) < 1e-10
        out.append(
            {"start": (x0, y0), "L": L, "h0": h0, "hs": hs, "gap": np.abs(x - y), "conv": conv}
        )
    return out


def _paper(ctx: CheckContext) -> tuple[Part, list[dict[str, Any]]]:
    runs = paper_runs(ctx.quick)
    rows, numbers, ok = [], {}, True
    for run in runs:
        hs, L, gap = run["hs"], run["L"], run["gap"]
        bound = np.sqrt(np.maximum(2 / hs - 2, 0))  # (x - y)^2 <= 2/h - 2 on xy = 1
        inside = bool(np.all(gap[run["conv"]] <= bound[run["conv"]] * (1 + 1e-9)))
        ok = ok and inside
        diffs = np.diff(gap)  # h decreasing along hs
        rows.append(
            (
                str(run["start"]),
                L,
                2 / L,
                run["h0"],
                4 / L,
                run["h0"] * L,
                f"{int(run['conv'].sum())}/{hs.size}",
                float(gap[0]),
                float(gap[-1]),
                f"{int(np.sum(diffs > 0))}/{diffs.size}",
                inside,
            )
        )
        numbers[f"(i) start {run['start']}: h0 L"] = run["h0"] * L
    table = Table(
        "(i) the paper's experiment: (1 - xy)^2/2, h from h0 = 4/(x0^2 + y0^2 + 8) down "
        "to 2/L (L the sharpness at the start), 200000 steps",
        (
            "start",
            "L",
            "2/L",
            "h0",
            "4/L",
            "h0 L",
            "converged",
            "|x - y| at h0",
            "|x - y| at 2/L",
            "steps down in h that raise |x - y|",
            "all limits inside the bound",
        ),
        tuple(rows),
    )
    return Part(numbers, (table,), facts={"paper_ok": ok}), runs


def classify_starts(h: float, n: int, steps: int) -> tuple[np.ndarray, ...]:
    """GD on (1 - xy)^2/2 from an n x n grid on [-3, 3]^2: class +1 / -1 for convergence
    (on xy = 1 to 1e-8, last step shorter than 1e-8) to the branch x > 0 / x < 0 of
    xy = 1, 0 otherwise; and the starts and limits."""
    g = np.linspace(-3, 3, n)
    X0, Y0 = np.meshgrid(g, g, indexing="xy")
    run = iterate_map(
        scalar_factorization(), np.stack([X0, Y0], axis=-1), hs=h, steps=steps, keep=2
    )
    x, y = run.x[..., 0], run.x[..., 1]
    with np.errstate(invalid="ignore"):
        moved = np.linalg.norm(run.tail[-1] - run.tail[-2], axis=-1)
        conv = np.isfinite(x) & (np.abs(x * y - 1) < 1e-8) & (moved < 1e-8)
    return np.where(conv, np.sign(x), 0).astype(int), X0, Y0, x, y, conv


def box_dimension(cls: np.ndarray, sizes: tuple[int, ...]) -> tuple[float, float, list[int]]:
    """Box-counting dimension of the set of grid cells with a differently classified
    neighbour: slope of log N(s) against log(1/s) by least squares, and its standard
    error."""
    b = np.zeros(cls.shape, dtype=bool)
    dv, dh = cls[:-1, :] != cls[1:, :], cls[:, :-1] != cls[:, 1:]
    b[:-1, :] |= dv
    b[1:, :] |= dv
    b[:, :-1] |= dh
    b[:, 1:] |= dh
    n = cls.shape[0]
    counts = []
    for s in sizes:
        m = n // s
        counts.append(int(b[: m * s, : m * s].reshape(m, s, m, s).any(axis=(1, 3)).sum()))
    lx, ly = np.log(1 / np.array(sizes, dtype=float)), np.log(np.maximum(counts, 1))
    A = np.vstack([lx, np.ones_like(lx)]).T
    coef, *_ = np.linalg.lstsq(A, ly, rcond=None)
    resid = ly - A @ coef
    se = float(np.sqrt(resid @ resid / (len(lx) - 2) / np.sum((lx - lx.mean()) ** 2)))
    return float(coef[0]), se, counts


def _fractal(ctx: CheckContext) -> tuple[Part, dict[float, np.ndarray]]:
    n, steps = (256, 3000) if ctx.quick else (1024, 4000)
    sizes = (2, 4, 8, 16, 32) if ctx.quick else (2, 4, 8, 16, 32, 64, 128)
    rows, grids, numbers, dims = [], {}, {}, {}
    for h in FRACTAL_HS:
        cls, X0, Y0, x, y, conv = classify_starts(h, n, steps)
        dim, se, counts = box_dimension(cls, sizes)
        balanced = conv & (np.abs(x**2 - y**2) <= 0.5 * np.abs(X0**2 - Y0**2))
        frac_bal = float(balanced.sum() / max(int(conv.sum()), 1))
        rows.append((h, dim, se, float(conv.mean()), frac_bal, str(counts)))
        grids[h] = cls
        numbers[f"(j) h = {h}: box-counting dimension of the basin boundary"] = dims[h] = (
            f"{dim:.3f} +- {se:.3f}"
        )
    table = Table(
        f"(j) basins of the two branches x > 0, x < 0 of xy = 1 and the starts that do not "
        f"converge, on [-3, 3]^2 ({n} x {n} starts, {steps} steps): box-counting dimension "
        f"of the boundary between them (boxes of {sizes[0]}-{sizes[-1]} "
        "cells, standard error of the fitted slope), fraction converged, and fraction of "
        "converged limits that are balanced (GD removed at least half of the start's "
        "gradient-flow-conserved imbalance |x^2 - y^2|)",
        (
            "h",
            "dimension",
            "+- (std. error)",
            "fraction converged",
            "fraction balanced",
            "box counts",
        ),
        tuple(rows),
    )
    return Part(numbers, (table,), facts={"basin_dimensions": dims}), grids


def homogeneous_parts(
    ctx: CheckContext,
) -> tuple[list[Part], list[dict[str, Any]], dict[float, np.ndarray]]:
    """All parts (f)-(j), the paper's runs and the basin grids (for the figures)."""
    paper, runs = _paper(ctx)
    fractal, grids = _fractal(ctx)
    return [_families(ctx), _deep_gd(ctx), _leaky(ctx), paper, fractal], runs, grids


def paper_figure(path: Any, runs: list[dict[str, Any]], grids: dict[float, np.ndarray]) -> None:
    """Top: the paper's experiment (limit |x - y| against h, with the bound and 2/L,
    h0, 4/L); bottom: the basin maps of part (j)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, max(len(runs), len(grids)), figsize=(16, 8))
    for ax, run in zip(axes[0], runs, strict=False):
        hs, L = run["hs"], run["L"]
        ax.plot(hs * L, run["gap"], "o-", ms=3, label="GD limit |x - y|")
        grid = np.linspace(2, 4, 200)
        ax.plot(grid, np.sqrt(np.maximum(2 * L / grid - 2, 0)), "k--", label="bound sqrt(2/h - 2)")
        ax.axvline(run["h0"] * L, color="r", lw=1, label="h0 = 4/(x0^2+y0^2+8)")
        ax.axvline(4, color="gray", lw=1)
        ax.axvline(2, color="gray", lw=1)
        ax.set_xlabel("h L  (2/L and 4/L in grey)")
        ax.set_title(f"start {run['start']}")
        ax.legend(fontsize=7)
    for ax, (h, cls) in zip(axes[1], grids.items(), strict=False):
        ax.imshow(cls, origin="lower", extent=(-3, 3, -3, 3), cmap="coolwarm", vmin=-1, vmax=1)
        ax.set_title(f"basins at h = {h}", fontsize=10)
        ax.set_xlabel("x0 (red: limit x > 0, blue: x < 0, grey: none)", fontsize=8)
    for ax in list(axes[0][len(runs) :]) + list(axes[1][len(grids) :]):
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
