r"""T8 — Balancing: large-LR GD on matrix factorisation prefers balanced minimisers.

Statement (claim T8; Wang, Chen, Zhao, Tao, ICLR 2022). For min (1/2)||A - X Y^T||_F^2:
homogeneity makes the minimisers a continuum; at a minimiser the Hessian is flat or
sharp according to balance (scalar: eigenvalues 0 and x^2 + y^2 on xy = mu, smallest at
|x| = |y|). (a) A point limit of GD obeys an imbalance bound that decreases in h
(scalar: (x - y)^2 <= 2/h - 2 mu). (b) GD converges for h in roughly (2/L, 4/L), L the
sharpness at the start, and there the limit is balanced, more so for larger h.

What is computed.
(a) Symbolic: the Hessian spectrum at scalar, vector (n = 2, 3) and matrix minimisers
    (:func:`gdtheory.landscape.balance.balancing`), every identity checked by SymPy; the bound
    derived by solving h (D + 2 mu) = 2 and its h-derivative.
(b) Oracle for (a): the closed forms against numpy eigenvalues of the Hessian at random
    minimisers (vector n = 4, matrix 3 x 3 rank 2).
(c) The convergence window (mu = 1): GD from starts near unbalanced minimisers
    (x0 in [2, 4], y0 = (1 + d)/x0, |d| <= 0.3, random sign) with h = c / L(x0) over c in
    (0, 6): fractions converged / periodic / diverged; for converged runs the imbalance
    (x - y)^2 at the limit against the bound 2/h - 2 mu, and h lambda_max at the limit.
    A second set of starts uniform in [-3, 3]^2 measures the window without selection.
(d) Matrix case: GD on a 4 x 4 rank-2 problem from unbalanced starts, h = c / L; the limit
    against sigma_1(X)^2 + sigma_1(Y)^2 <= 2/h and (sigma_1(X) - sigma_1(Y))^2 <=
    2/h - 2 sigma_1(A).
(e) The blog's figure: from (3, 0.38), next to the unbalanced minimiser (3, 1/3), small h
    converges nearby, large h travels to a balanced minimiser.
(f)-(j) Any homogeneous objective (:mod:`proofs_checks.t8_homogeneous`): the general
    engine per family (conserved quantities, sharp eigenvalue, bound and its decrease);
    deep scalar networks N = 2..5 and the leaky-ReLU factorisation against GD runs; the
    experiment of the paper (starts (9, 1), (19, 1), (99, 1)); the box-counting dimension
    of the basin boundary near the critical h.

Reference: Wang, Chen, Zhao, Tao, "Large learning rate tames homogeneity: convergence and
balancing effect", ICLR 2022, sec. 3; the source blog, sec. 4.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from gdtheory import iterate_map
from gdtheory.certify import certify_balance
from gdtheory.landscape.balance import balance_bound, balancing, derive_balance_bound
from gdtheory.landscape.sharpness import sharpness
from gdtheory.models.numpy_models import FactorizationModel
from gdtheory.objectives import scalar_factorization
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
from gdtheory.studies.convergence_window import (
    CONVERGED,
    DIVERGED,
    PERIODIC,
    convergence_window,
    near_unbalanced_starts,
    scalar_init_sharpness,
)

from .source import BLOG
from .t8_homogeneous import homogeneous_parts, paper_figure

#: The start of the blog figure: next to the unbalanced minimiser (3, 1/3) of (1 - xy)^2/2.
BLOG_START = (3.0, 0.38)


def _oracle_errors(seed: int) -> dict[str, float]:
    """Closed-form spectra vs numpy eigenvalues of the Hessian at random minimisers."""
    from gdtheory.models.numpy_models import ObjectiveModel
    from gdtheory.objectives import vector_factorization

    rng = np.random.default_rng(seed)
    out = {}
    # vector n = 4: pick x, y, then mu = x . y (> 0)
    x, y = rng.standard_normal(4), rng.standard_normal(4)
    if x @ y < 0:
        y = -y
    obj = vector_factorization(4, Fraction(float(x @ y)))  # the float's exact value: x.y = mu
    z = np.concatenate([x, y])
    model = ObjectiveModel(obj)
    Hm = np.column_stack([model.hvp(z, e) for e in np.eye(8)])
    ev = np.sort(np.linalg.eigvalsh(Hm))
    closed = np.sort(np.r_[np.zeros(7), z @ z])
    out["vector n=4: max |eig - closed form|"] = float(np.max(np.abs(ev - closed)))
    # matrix 4 x 3, d = 2 at X Y^T = A
    X, Y = rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    fm = FactorizationModel(X @ Y.T, 2)
    w = np.concatenate([X.ravel(), Y.ravel()])
    Hm = np.column_stack([fm.hvp(w, e) for e in np.eye(fm.dim)])
    ev = np.sort(np.linalg.eigvalsh(Hm))[::-1]
    sx = np.r_[np.linalg.svd(X, compute_uv=False), np.zeros(2)] ** 2  # n = 4 values
    sy = np.r_[np.linalg.svd(Y, compute_uv=False), np.zeros(1)] ** 2  # m = 3 values
    sums = np.sort((sx[:, None] + sy[None, :]).ravel())[::-1]  # the n m = 12 sums
    k = fm.dim  # 14 eigenvalues: the 12 sums and 2 zeros
    closed = np.sort(np.r_[sums, np.zeros(k - sums.size)])[::-1]
    out["matrix 4x3 d=2: max |eig - closed form|"] = float(np.max(np.abs(ev - closed)))
    return out


def _matrix_study(quick: bool, seed: int) -> tuple[Table, dict[str, Any]]:
    rng = np.random.default_rng(seed)
    n, d = 4, 2
    A = rng.standard_normal((n, d)) @ rng.standard_normal((d, n)) / 2
    s1 = float(np.linalg.norm(A, 2))
    fm = FactorizationModel(A, d)
    rows, worst_sharp, worst_imb, total = [], -np.inf, -np.inf, 0
    cs = (0.5, 1.5, 2.5, 3.0, 3.5) if quick else (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.25, 3.5, 3.75)
    starts = 6 if quick else 24
    for c in cs:
        conv, imbs, W, hs = 0, [], [], []
        for _ in range(starts):
            X = rng.standard_normal((n, d)) * 1.5
            Y = rng.standard_normal((n, d)) * 0.3
            W.append(np.concatenate([X.ravel(), Y.ravel()]))
            hs.append(c / sharpness(fm, W[-1]))
        # GD on all starts at once (each row as alone: FactorizationModel.grad_batch); a
        # run stops where some |w_i| reaches 1e6
        Ws, H, alive = np.array(W), np.array(hs)[:, None], np.ones(starts, dtype=bool)
        with np.errstate(all="ignore"):
            for _ in range(20000 if not quick else 6000):
                Ws = np.where(alive[:, None], Ws - H * fm.grad_batch(Ws), Ws)
                alive &= np.all(np.abs(Ws) < 1e6, axis=1)
        for w, h in zip(Ws, hs, strict=True):
            if not (np.all(np.isfinite(w)) and fm.loss(w) < 1e-20):
                continue
            conv += 1
            total += 1
            Xf, Yf = fm.split(w)
            sx, sy = np.linalg.norm(Xf, 2), np.linalg.norm(Yf, 2)
            worst_sharp = max(worst_sharp, h * (sx * sx + sy * sy) - 2)
            worst_imb = max(worst_imb, (sx - sy) ** 2 - (2 / h - 2 * s1))
            imbs.append((sx - sy) ** 2)
        rows.append((c, starts, conv, float(np.mean(imbs)) if imbs else float("nan")))
    numbers = {
        "matrix: converged runs": total,
        "matrix: max h (s1(X)^2 + s1(Y)^2) - 2 at the limit": worst_sharp,
        "matrix: max (s1(X) - s1(Y))^2 - (2/h - 2 s1(A))": worst_imb,
    }
    table = Table(
        "(d) matrix factorisation 4 x 4, rank 2, unbalanced starts, h = c / L",
        ("c = h L", "runs", "converged", "mean (s1(X) - s1(Y))^2"),
        tuple(rows),
    )
    return table, numbers


def check(ctx: CheckContext) -> Evidence:
    window, win, cs = _window(ctx)
    general, runs, grids = homogeneous_parts(ctx)
    parts = [
        _symbolic(),
        _machinery(ctx),
        window,
        _uniform_starts(ctx),
        _matrix(ctx),
        ctx.figures(("t8_balancing.png", lambda p: _figure(p, win, cs))),
        Part(proofs=_balance_proofs(ctx)),
        *general,
        ctx.figures(("t8_homogeneous.png", lambda p: paper_figure(p, runs, grids))),
    ]
    return assemble(parts, decide, notes=NOTES)


def _symbolic() -> Part:
    """(a) symbolic spectra on the minimiser sets, and the derived bound."""
    spectra = [balancing("scalar"), balancing("vector", n=2), balancing("vector", n=3)]
    spectra += [balancing("matrix", n=2, d=1), balancing("matrix", n=2, d=2)]
    id_rows = []
    for s, label in zip(
        spectra,
        ("scalar", "vector n=2", "vector n=3", "matrix 2x2 d=1", "matrix 2x2 d=2"),
        strict=True,
    ):
        for name, ok in s.identities.items():
            id_rows.append((label, name, ok))
    expr, deriv = derive_balance_bound()
    numbers = {
        "symbolic identities checked": len(id_rows),
        "symbolic identities holding": sum(r[2] for r in id_rows),
        "derived bound": str(expr),
        "d(bound)/dh": str(deriv),
    }
    table = Table("(a) identities checked by SymPy", ("case", "identity", "holds"), tuple(id_rows))
    facts = {
        "all_ids": all(r[2] for r in id_rows),
        "ids_checked": len(id_rows),
        "ids_holding": sum(r[2] for r in id_rows),
    }
    return Part(numbers, (table,), facts=facts)


def _machinery(ctx: CheckContext) -> Part:
    """(b) the NumPy spectra against the symbolic ones at random minimisers."""
    oracle = _oracle_errors(ctx.seed)
    return Part(oracle, facts={"oracle_ok": max(oracle.values()) < 1e-10})


def _window(ctx: CheckContext) -> tuple[Part, Any, np.ndarray]:
    """(c) the convergence window from starts near unbalanced minimisers, h = c / L."""
    N = 400 if ctx.quick else 3000
    cs = np.r_[np.linspace(0.5, 1.75, 6), np.linspace(2.0, 4.0, 17), np.linspace(4.25, 6.0, 8)]
    starts = near_unbalanced_starts(N, ctx.seed)
    win = convergence_window(starts, cs=cs, steps=20000)
    imb = win.mean_over_converged(win.imbalance)
    bnd = win.mean_over_converged(win.bound)
    inside = win.inside_bound()
    conv = win.fraction(CONVERGED)
    rows = []
    for i, c in enumerate(cs):
        hs_max = (
            np.nanmax(np.where(win.outcome[i] == CONVERGED, win.h_sharpness[i], np.nan))
            if conv[i] > 0
            else float("nan")
        )
        rows.append(
            (
                float(c),
                float(conv[i]),
                float(win.fraction(PERIODIC)[i]),
                float(win.fraction(DIVERGED)[i]),
                float(inside[i]) if conv[i] > 0 else float("nan"),
                float(imb[i]),
                float(bnd[i]),
                float(hs_max),
            )
        )
    table = Table(
        f"(c) convergence window, mu = 1, {N} starts near unbalanced minimisers, h = c / L",
        (
            "c = h L",
            "converged",
            "periodic",
            "diverged",
            "inside bound",
            "mean (x-y)^2",
            "mean bound",
            "max h lambda_max",
        ),
        tuple(rows),
    )
    mid = (cs > 2) & (cs < 4)
    conv_runs = win.outcome[mid] == CONVERGED
    in_frac = float(
        (conv_runs & (win.imbalance[mid] <= win.bound[mid] + 1e-9)).sum() / max(conv_runs.sum(), 1)
    )
    hsharp = np.where(win.outcome == CONVERGED, win.h_sharpness, np.nan)
    # monotone balancing: the bound at each start decreases in h exactly; the mean imbalance
    # decreases on the grid from 2 to the first c where it turns up
    grid_idx = np.nonzero((cs >= 2.0) & (cs <= 4.0))[0]
    imb_grid = imb[grid_idx]
    turn = int(np.argmin(imb_grid))
    dec_part = imb_grid[: turn + 1]
    monotone_len = int(np.sum(np.r_[True, np.diff(dec_part) < 0]))
    # every start's bound 2 L / c - 2 mu decreases in c; the mean over all starts (the mean
    # over converged runs only changes with the set of runs that converge)
    bound_dec = bool(np.all(np.diff(win.bound[grid_idx].mean(axis=1)) < 0))
    bb = [balance_bound(h=h, mu=1).value for h in np.linspace(0.1, 1.0, 10)]
    numbers = {
        "hL in (2,4): fraction of converged runs inside the bound": in_frac,
        "hL in (2,4): converged runs": int(conv_runs.sum()),
        "max h lambda_max at a converged limit": float(np.nanmax(hsharp)),
        "fraction converged, hL <= 3.75": float(conv[cs <= 3.75].min()),
        "fraction converged, hL >= 4.5": float(conv[cs >= 4.5].max()),
        "mean imbalance strictly decreasing on hL in [2, c*]: number of grid values": (
            monotone_len
        ),
        "c* (minimum of the mean imbalance)": float(cs[grid_idx][turn]),
        "mean imbalance at c*": float(imb_grid[turn]),
        "mean imbalance at hL = 4 (or last converged)": float(imb_grid[np.isfinite(imb_grid)][-1]),
        "mean bound (all starts) strictly decreasing over hL in [2, 4]": bound_dec,
        "balance_bound(h, 1) decreasing on h = 0.1..1": bool(np.all(np.diff(bb) < 0)),
    }
    facts = {
        "full_monotone": monotone_len == grid_idx.size,
        "inside_fraction": in_frac,
        "converged_below": float(conv[cs <= 3.75].min()),
        "converged_above": float(conv[cs >= 4.5].max()),
        "bound_decreasing": bound_dec,
        "monotone_length": monotone_len,
        "max_h_lambda": float(np.nanmax(hsharp)),
        "c_star": float(cs[grid_idx][turn]),
        "imbalance_at_4": float(imb_grid[np.isfinite(imb_grid)][-1]),
    }
    return Part(numbers, (table,), facts=facts), win, cs


def _uniform_starts(ctx: CheckContext) -> Part:
    """(c') the window without selecting the starts."""
    N = 400 if ctx.quick else 3000
    uni = np.random.default_rng(ctx.seed + 1).uniform(-3, 3, (N, 2))
    wu = convergence_window(uni, cs=np.array([1.0, 2.0, 3.0, 3.9, 5.0]), steps=20000)
    table = Table(
        f"(c') the same over {N} starts uniform in [-3, 3]^2",
        ("c = h L", "converged", "periodic", "diverged", "inside bound"),
        tuple(
            (
                float(c),
                float(wu.fraction(CONVERGED)[i]),
                float(wu.fraction(PERIODIC)[i]),
                float(wu.fraction(DIVERGED)[i]),
                float(wu.inside_bound()[i]),
            )
            for i, c in enumerate(wu.c)
        ),
    )
    numbers = {
        "uniform starts: min inside-bound fraction": float(
            np.min(wu.inside_bound()[wu.fraction(CONVERGED) > 0])
        )
    }
    return Part(numbers, (table,))


def _matrix(ctx: CheckContext) -> Part:
    """(d) matrix factorisation: the singular-value form of the bound at the limits."""
    mtable, mnum = _matrix_study(ctx.quick, ctx.seed)
    ok = (
        mnum["matrix: max h (s1(X)^2 + s1(Y)^2) - 2 at the limit"] <= 1e-6
        and mnum["matrix: max (s1(X) - s1(Y))^2 - (2/h - 2 s1(A))"] <= 1e-6
    )
    return Part(mnum, (mtable,), facts={"matrix_ok": ok})


def decide(n: Mapping[str, Any]) -> tuple[Verdict, str]:
    """Refuted unless the identities, the oracle, the bound at >= 95% of the converged
    limits, the decreasing bound and the matrix case hold; verified when moreover the
    window and the monotone balancing hold on all of (2, 4); qualified otherwise."""
    in_frac = n["inside_fraction"]
    core = n["all_ids"] and n["oracle_ok"] and in_frac >= 0.95 and n["matrix_ok"]
    general = n["families_ok"] and n["deep_ok"] and n["leaky_ok"] and n["paper_ok"]
    core = core and bool(general)
    core = core and n["bound_decreasing"]
    window_ok = n["converged_below"] >= 0.95 and n["converged_above"] <= 0.05
    if not core:
        verdict = Verdict.REFUTED
    else:
        verdict = Verdict.VERIFIED if window_ok and n["full_monotone"] else Verdict.QUALIFIED
    monotone_len = n["monotone_length"]
    return verdict, (
        f"{n['ids_holding']}/{n['ids_checked']} identities; "
        f"{in_frac:.1%} of converged runs with hL in (2,4) inside (x-y)^2 <= 2/h - 2mu "
        f"(max h lambda = {n['max_h_lambda']:.4f}); "
        f"converges for hL <= 3.75 ({n['converged_below']:.0%}), "
        f"not beyond 4.5; mean imbalance decreases on hL in "
        f"[2, {n['c_star']:.3g}] ({monotone_len} values), "
        f"then rises to {n['imbalance_at_4']:.2f}; "
        "general engine: every converged deep-scalar (N = 2..5) and leaky-ReLU run inside "
        "its derived bound; basin boundary dimension "
        + ", ".join(f"{dim} at h = {h}" for h, dim in n["basin_dimensions"].items())
    )


NOTES = (
    "The Hessian spectra on the minimiser sets are exact (SymPy identities) and match "
    "numpy eigenvalues at random minimisers. The bound (x - y)^2 <= 2/h - 2 mu is "
    "linear stability of the limit (h lambda_max <= 2) rewritten with "
    "lambda_max = (x - y)^2 + 2 mu on xy = mu; it decreases in h (d/dh = -2/h^2) and is "
    "empty for h > 1/mu. Every converged run obeys it. The convergence window matches "
    "the paper's picture: from starts near unbalanced minimisers GD converges for "
    "h L up to ~4 and diverges beyond ~4.25. Balancing grows with h only up to "
    "h L ~ 3: the mean limit imbalance falls from ~7.4 (h L < 2: GD stays near its "
    "start) to ~0.1 at h L ~ 3, then rises again (still well inside the bound) as "
    "h L -> 4: 'the larger the learning rate, the more balanced' holds on (2, ~3], "
    "not on the whole window. Matrix case: the same stability argument gives "
    "sigma_1(X)^2 + sigma_1(Y)^2 <= 2/h and (sigma_1(X) - sigma_1(Y))^2 <= "
    "2/h - 2 sigma_1(A), obeyed by every converged run. The paper's own theorems "
    "(exact constants and initialisation conditions) could not be retrieved here; "
    "the statements checked are the claim as stated here and the toolkit's derivations. "
    "Beyond the scalar case (tables f-j): the engine derives, for any objective written as "
    "|r|^2/2, the quadratic conserved quantities of gradient flow from the objective's "
    "linear symmetries (detected as a null space; the layer differences x_i^2 - x_j^2 of "
    "deep scalar networks, X^T X - Y^T Y of matrix factorisation, W_{k+1}^T W_{k+1} - "
    "W_k W_k^T of deep linear networks, and one more for widths [1, 2, 1], whose loss "
    "depends on a dot product only), the Hessian J^T J on the minimiser set, and the "
    "sharp eigenvalue (N at the balanced point of the depth-N scalar network). The "
    "balance bound B(h) on the imbalance of a stable limit is non-increasing in h for "
    "any objective (the stable set shrinks); strict decrease is shown symbolically for "
    "one conserved quantity (scalar, leaky-ReLU regions) and by the envelope theorem for "
    "the deep scalar networks. Every converged GD run satisfies its bound (table g, h); "
    "the largest limits reach 0.97-0.99 of B, so the bound is nearly attained. The "
    "paper's experiment (table i): h0 = 4/(x0^2 + y0^2 + 8) lies between 2/L and 4/L, "
    "approaching 4/L as x0 grows (h0 L = 3.75, 3.94, 4.00); every run converges and "
    "stays inside the bound, but the limit imbalance is not monotone in h on this "
    "grid (column 'steps down in h that raise |x - y|'): larger h balances more only on "
    "average, as in part (c). The statement of the paper's Theorem 3.1 was not available "
    "here; h0 is the issue's reading of it. Fractal caveat (table j): the boundary of the "
    "set of starts that converge, and between the basins of the branches x > 0 and x < 0 "
    "of xy = 1, has box-counting dimension 1 at small h (a smooth curve) and clearly "
    "above 1 as h approaches the critical 1/mu = 1 (no minimiser is stable beyond it): "
    "there the outcome, and whether the limit is balanced, depends sensitively on the "
    "start (Liang and Montufar, 2025)."
)


def _figure(path: Any, win: Any, cs: np.ndarray) -> None:
    import matplotlib.pyplot as plt

    f = scalar_factorization()
    x0 = np.array(BLOG_START)
    L = float(scalar_init_sharpness(x0))
    fig, axes = plt.subplots(1, 3, figsize=(17, 5))
    ax = axes[0]
    t = np.linspace(0.15, 4.5, 400)
    ax.plot(t, 1 / t, "k-", lw=1, label="minimisers xy = 1")
    ax.plot(-t, -1 / t, "k-", lw=1)
    for c, col in ((1.0, "tab:blue"), (2.5, "tab:orange"), (3.0, "tab:red")):
        h = c / L
        run = iterate_map(f, x0[None, :], hs=h, steps=400, keep=400, backend="numpy")
        path_xy = np.r_[x0[None, :], run.tail[:, 0, :]]
        ax.plot(
            path_xy[:, 0],
            path_xy[:, 1],
            ".-",
            color=col,
            ms=2,
            lw=0.5,
            label=f"h L = {c:g} (h = {h:.3f})",
        )
        ax.plot(*path_xy[-1], "o", color=col, ms=7, mec="k")
        arc = t[(t**2 + 1 / t**2) * h <= 2]
        if arc.size:
            ax.plot(arc, 1 / arc, "-", color=col, lw=4, alpha=0.3)
    ax.plot(*x0, "k*", ms=12, label="start (3, 0.38)")
    ax.set_xlim(-2.5, 4.5)
    ax.set_ylim(-2.5, 4.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("GD on (1 - xy)^2/2 (thick: stable minimisers)")
    ax.legend(fontsize=7, loc="upper right")
    imb = win.mean_over_converged(win.imbalance)
    bnd = win.mean_over_converged(win.bound)
    axes[1].semilogy(cs, imb, "o-", label="mean (x - y)^2 at the limit")
    axes[1].semilogy(cs, bnd, "s--", label="mean bound 2/h - 2 mu")
    axes[1].axvspan(2, 4, color="0.9")
    axes[1].set_xlabel("h L (L: sharpness at the start)")
    axes[1].set_ylabel("imbalance")
    axes[1].set_title("balancing vs h (converged runs)")
    axes[1].legend(fontsize=8)
    for code, label in (
        (CONVERGED, "converged to a point"),
        (PERIODIC, "periodic"),
        (DIVERGED, "diverged"),
    ):
        axes[2].plot(cs, win.fraction(code), "o-", ms=3, label=label)
    axes[2].axvspan(2, 4, color="0.9")
    axes[2].set_xlabel("h L")
    axes[2].set_ylabel("fraction of runs")
    axes[2].set_title("the convergence window")
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _balance_proofs(ctx: CheckContext) -> tuple[Proof, ...]:
    """The blog's picture, certified: near (3, 1/3) every minimiser is unstable at hL = 3,
    while the minimisers at GD's limit are stable and inside the bound."""
    from gdtheory import gd_batch

    x0 = np.array([BLOG_START])
    L = float(scalar_init_sharpness(x0, 1.0)[0])
    h = Fraction(3.0 / L)  # the float's exact value: the h that GD ran with
    run = gd_batch(scalar_factorization(), x0, hs=float(h), steps=20000, tol=1e-13)
    lx, ly = (float(v) for v in run.x[0])
    near = certify_balance([(2.9, 3.1), (0.3, 0.36)], h=h, mu=1)
    r = 1e-7
    limit = certify_balance([(lx - r, lx + r), (ly - r, ly + r)], h=h, mu=1)
    inside = limit.contains_minimiser and Fraction(limit.imbalance[1]) <= Fraction(limit.bound)
    return (
        Proof(
            f"at h L = 3 (h = {float(h):.6f}) every minimiser xy = 1 with x in [2.9, 3.1] (next "
            "to the start (3, 0.38)) is linearly unstable, so GD cannot stay near the start",
            near.contains_minimiser and near.stable is False,
            f"h (x^2 + y^2) in [{float(h * Fraction(near.sharp[0])):.4f}, "
            f"{float(h * Fraction(near.sharp[1])):.4f}] > 2",
            ctx.save_certificate("t8_certificate_unstable_near_start.json", near),
        ),
        Proof(
            f"the minimisers within 1e-7 of GD's limit ({lx:.6f}, {ly:.6f}) at h L = 3 are "
            "linearly stable and obey the balance bound (x - y)^2 <= 2/h - 2 mu",
            limit.contains_minimiser and limit.stable is True and inside,
            f"(x - y)^2 <= {float(Fraction(limit.imbalance[1])):.6f} <= bound "
            f"{float(Fraction(limit.bound)):.6f}",
            ctx.save_certificate("t8_certificate_stable_limit.json", limit),
        ),
    )


CLAIM = Claim(
    id="T8",
    title="Balancing: large-LR GD on matrix factorisation converges to balanced minimisers",
    statement=(
        "For (1/2)||A - XY^T||_F^2 the Hessian at a minimiser is flat or sharp according to "
        "balance; a point limit of GD obeys an imbalance bound decreasing in h (scalar: "
        "(x - y)^2 <= 2/h - 2 mu), and GD converges for h in roughly (2/L, 4/L), where it "
        "balances."
    ),
    reference="Wang, Chen, Zhao, Tao (ICLR 2022), sec. 3; source blog sec. 4.",
    hypotheses=(
        "mu = 1 scalar case; starts near unbalanced minimisers (and uniform in [-3, 3]^2)",
        "h = c / L with L the sharpness at the start; float64 GD, 20000 steps",
        "converged: the last 16 iterates agree to 1e-10 and |xy - mu| <= 1e-6",
        "(f)-(j): objectives written as |r|^2/2; conserved quantities are the quadratic ones "
        "from linear symmetries; the deep scalar bound is for mu = 1 and the imbalance "
        "max_ij |x_i^2 - x_j^2|; basins on a grid of [-3, 3]^2, boundary cells = cells with a "
        "differently classified neighbour",
    ),
    source=(
        BLOG + ", "
        'section "An implicit bias of large LR: preference of flatter minima": "if '
        "convergent to a point, GD with large enough h has an implicit regularization "
        "effect of balancing, and the limiting point (X_inf, Y_inf) of GD iterates will "
        "satisfy a bound of ||X_inf - Y_inf|| that decreases with h. 2) GD with large h "
        'converges." ... "Very roughly speaking, the regime where balancing is pronounced '
        "is h in (2/L, 4/L) ... The L in (2/L,4/L) is simply the spectral radius of Hess "
        'f at initialization."'
    ),
    check=check,
    quick_seconds=7.5,
    full_seconds=33.5,
)
