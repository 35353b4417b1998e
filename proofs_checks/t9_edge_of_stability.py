r"""T9 — Edge of stability: GD sharpness rises to about 2/h and hovers there.

Statement (claim T9; Cohen et al., ICLR 2021). On neural-network-like losses the sharpness
(top Hessian eigenvalue) of full-batch GD rises until about 2/h and hovers there while
the loss keeps decreasing, non-monotonically.

What is computed.
(a) Oracles for the machinery: the network's HVP (Pearlmutter's R-operator) against the
    complex-step derivative of its gradient, and Lanczos (``eigsh`` on HVPs) against the
    dense eigenvalues of the Hessian assembled column by column.
(b) A two-layer tanh network (width 32, 224 parameters) on 200 synthetic points in R^5
    with the mean-squared loss, full-batch GD at several h: the sharpness every 25 steps
    (Lanczos, warm-started), the step where it first reaches 0.95 (2/h), its range
    relative to 2/h from then on, its final value, and how often the loss went up.  Only
    a run that starts below 2/h can show the rise; one that starts above shows the
    decrease to the edge and is reported apart.
(c) Matrix factorisation (6 x 6, rank 2, small initialisation) at h = c / sigma_1(A):
    does the sharpness settle near 2/h there too?
(d) Full report only: real data, the handwritten digits of scikit-learn and a tanh MLP
    under the mean-squared and the cross-entropy loss (a JAX model), Cohen et al.'s
    Figure 1 layout; the criteria are in :mod:`proofs_checks.t9_digits`.

Reference: Cohen, Kaur, Li, Kolter, Talwalkar, "Gradient descent on neural networks
typically occurs at the edge of stability", ICLR 2021.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gdtheory.landscape.sharpness import sharpness, top_eigenpairs, track_sharpness
from gdtheory.models.numpy_models import (
    FactorizationModel,
    TwoLayerTanh,
    eos_network,
)
from gdtheory.report.claims import (
    CheckContext,
    Claim,
    Evidence,
    Part,
    Table,
    Verdict,
    assemble,
)

from .source import BLOG
from .t9_digits import digits_part, digits_summary, draw_digits
from .t9_scale import scale_part

#: The network study: 200 points in R^5, width 32.


def _oracles(net: TwoLayerTanh, w: np.ndarray, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(net.dim)
    t = 1e-30
    cs = np.imag(net.grad(w + 1j * t * v)) / t  # complex step: exact to rounding
    hv = net.hvp(w, v)
    Hd = np.column_stack([net.hvp(w, e) for e in np.eye(net.dim)])
    dense = np.sort(np.linalg.eigvalsh((Hd + Hd.T) / 2))[::-1][:3]
    lanczos, _ = top_eigenpairs(net, w, 3)
    return {
        "HVP vs complex step: relative error": float(np.max(np.abs(hv - cs)) / np.max(np.abs(cs))),
        "Hessian from HVPs: asymmetry": float(np.max(np.abs(Hd - Hd.T))),
        "Lanczos top-3 vs dense: max relative error": float(
            np.max(np.abs(lanczos - dense) / np.abs(dense))
        ),
    }


def check(ctx: CheckContext) -> Evidence:
    net = eos_network(0)  # the study's data set (fixed); other data seeds in the full run
    w0 = net.init(seed=1)
    network_part, traces = _network(ctx, net, w0)
    digits, digit_traces = digits_part(ctx)
    drawings = [("t9_edge_of_stability.png", lambda p: _figure(p, traces))]
    if digit_traces:
        drawings.append(("t9_digits.png", lambda p: draw_digits(p, digit_traces)))
    parts = [
        _machinery(ctx, net, w0),
        network_part,
        _other_data(ctx),
        _matrix_factorisation(ctx),
        digits,
        scale_part(ctx),
        Part(
            {"sharpness at the network's start": sharpness(net, w0)},
            facts={"digit_traces": digit_traces},
        ),
        ctx.figures(*drawings),
    ]
    return assemble(parts, decide, notes=NOTES)


def _machinery(ctx: CheckContext, net: TwoLayerTanh, w0: np.ndarray) -> Part:
    """(a) oracles: HVP vs the complex step, Lanczos vs dense eigenvalues."""
    oracle = _oracles(net, w0, ctx.seed)
    ok = (
        oracle["HVP vs complex step: relative error"] < 1e-12
        and oracle["Lanczos top-3 vs dense: max relative error"] < 1e-8
    )
    return Part(oracle, facts={"oracle_ok": ok})


def _network(ctx: CheckContext, net: TwoLayerTanh, w0: np.ndarray) -> tuple[Part, dict]:
    """(b) full-batch GD on the network at several h; a run supports "rises to 2/h" only
    when it starts below the edge, the others show the decrease to it."""
    hs = (2.5, 3.0) if ctx.quick else (2.0, 2.5, 3.0)
    steps = 4000 if ctx.quick else 10000
    traces = {}
    rows = []
    numbers: dict[str, Any] = {}
    for h in hs:
        tr = track_sharpness(net, w0, h=h, steps=steps, every=25)
        traces[h] = tr
        start = float(tr.sharpness[0])
        rows.append(
            (
                h,
                tr.edge,
                start,
                "below" if start < tr.edge else "above",
                tr.reached_edge_at if tr.reached_edge_at is not None else "never",
                tr.hover_range if tr.hover_range is not None else "-",
                float(tr.sharpness[-1]),
                tr.final_ratio,
                float(tr.loss[0]),
                float(tr.loss[-1]),
                tr.loss_increases,
            )
        )
        numbers[f"h = {h}: sharpness at the start / (2/h)"] = start / tr.edge
        numbers[f"h = {h}: final sharpness / (2/h)"] = tr.final_ratio
        numbers[f"h = {h}: loss increases"] = tr.loss_increases
    table = Table(
        f"(b) two-layer tanh network ({net.dim} parameters), {steps} GD steps",
        (
            "h",
            "2/h",
            "sharpness at start",
            "start vs 2/h",
            "reaches 0.95 (2/h) at step",
            "then sharpness / (2/h) in",
            "final sharpness",
            "final / (2/h)",
            "loss at start",
            "final loss",
            "loss increases",
        ),
        tuple(rows),
    )
    below = [h for h, tr in traces.items() if tr.sharpness[0] < tr.edge]
    numbers["runs starting below 2/h (can show the rise)"] = f"{len(below)}/{len(hs)}"
    facts = {
        "hs": hs,
        "traces": traces,
        "below": below,
        "at_edge": [h for h, tr in traces.items() if abs(tr.final_ratio - 1) <= 0.1],
        "non_monotone": [h for h, tr in traces.items() if tr.loss_increases > 0],
        "decreased": [h for h, tr in traces.items() if tr.loss[-1] < 0.1 * tr.loss[0]],
    }
    return Part(numbers, (table,), facts=facts), traces


def _other_data(ctx: CheckContext) -> Part:
    """(b') other data sets (full run only): is ending at the edge typical?"""
    if ctx.quick:
        return Part()
    robust = []
    for data_seed in range(1, 5):
        other = eos_network(data_seed)
        for h in (2.0, 2.5, 3.0):
            tr = track_sharpness(other, other.init(seed=1), h=h, steps=8000, every=25)
            robust.append(
                (
                    data_seed,
                    h,
                    tr.reached_edge_at if tr.reached_edge_at is not None else "never",
                    tr.final_ratio,
                    tr.loss_increases,
                )
            )
    table = Table(
        "(b') other synthetic data sets (seeds 1-4), 8000 steps",
        ("data seed", "h", "reaches 0.95 (2/h) at step", "final / (2/h)", "loss increases"),
        tuple(robust),
    )
    reached = [r for r in robust if r[2] != "never"]
    numbers = {
        "other data: runs reaching the edge": f"{len(reached)}/{len(robust)}",
        "other data: of those, ending within 10% of 2/h": sum(
            abs(r[3] - 1) <= 0.1 for r in reached
        ),
    }
    return Part(numbers, (table,))


def _matrix_factorisation(ctx: CheckContext) -> Part:
    """(c) matrix factorisation from a small initialisation at h = c / sigma_1(A)."""
    rng = np.random.default_rng(ctx.seed)
    A = rng.standard_normal((6, 2)) @ rng.standard_normal((2, 6)) / np.sqrt(2)
    s1 = float(np.linalg.norm(A, 2))
    fm = FactorizationModel(A, 2)
    w_mf = rng.standard_normal(fm.dim) * 0.1
    mrows = []
    numbers: dict[str, Any] = {}
    for c in (0.5, 0.9, 0.99, 1.02, 1.1):
        h = c / s1
        tr = track_sharpness(fm, w_mf, h=h, steps=3000 if ctx.quick else 8000, every=50)
        last = float(tr.sharpness[-1])
        mrows.append((c, h, tr.edge, 2 * s1, last, tr.final_ratio, float(tr.loss[-1]), tr.diverged))
        numbers[f"MF c = {c}: final sharpness / (2/h)"] = tr.final_ratio
        numbers[f"MF c = {c}: final sharpness / (2 sigma_1(A))"] = float(
            tr.sharpness[-1] / (2 * s1)
        )
    table = Table(
        "(c) matrix factorisation 6 x 6 rank 2, init 0.1 N(0, 1), h = c / sigma_1(A)",
        (
            "c",
            "h",
            "2/h",
            "2 sigma_1(A)",
            "final sharpness",
            "final / (2/h)",
            "final loss",
            "diverged",
        ),
        tuple(mrows),
    )
    return Part(numbers, (table,))


def decide(n: Mapping[str, Any]) -> tuple[Verdict, str]:
    """Qualified when, on the network, a run starting below 2/h rises to it, every run
    ends within 10% of 2/h with a non-monotone loss that fell 10x, and the machinery
    passed its oracles; the summary keeps the runs that started above the edge apart.  In
    the full run the digits study must also show the edge (criteria of
    :mod:`proofs_checks.t9_digits`) for at least three h under each loss, else the claim
    is unconfirmed there."""
    hs, traces, below = n["hs"], n["traces"], n["below"]
    net_ok = n["oracle_ok"] and bool(below)
    net_ok = net_ok and all(len(n[k]) == len(hs) for k in ("at_edge", "non_monotone", "decreased"))
    verdict = Verdict.QUALIFIED if net_ok else Verdict.REFUTED
    counts = n.get("digits", {})
    digits_ok = counts is None or all(c >= 3 for c in counts.values())
    scale = n.get("scale_edge")
    if verdict is Verdict.QUALIFIED and (not digits_ok or scale is False):
        verdict = Verdict.UNCONFIRMED
    digits = "" if counts == {} else "; " + digits_summary(counts, n["digit_traces"])
    if scale is not None:
        digits += (
            f"; {n['scale_dim']} parameters (8 x 8 digits): end / (2/h) = "
            f"{n['scale_end']:.3f}, "
            f"{'at' if scale else 'not at'} the edge"
        )
    rise = ", ".join(f"{traces[h].final_ratio:.3f} at h = {h}" for h in below) or "no run"
    above = [h for h in hs if h not in below]
    fall = "; ".join(
        f"h = {h} starts above 2/h ({float(traces[h].sharpness[0]):.2f} > {traces[h].edge:.3f}) "
        f"and decreases to it ({traces[h].final_ratio:.3f})"
        for h in above
    )
    return verdict, (
        f"tanh network: starting below 2/h, final sharpness / (2/h) = {rise}"
        + (f"; {fall}" if fall else "")
        + f"; loss non-monotone ({', '.join(str(traces[h].loss_increases) for h in hs)} "
        f"increases) yet down {min(traces[h].loss[0] / traces[h].loss[-1] for h in hs):.0f}x+; "
        "matrix factorisation: sharpness ends at 2 sigma_1(A), not 2/h" + digits
    )


NOTES = (
    "On the tanh network the edge of stability appears as stated: from a start below 2/h "
    "the sharpness rises (progressive sharpening), reaches 2/h and stays within a few per "
    "cent of it while the loss keeps decreasing with many up-steps. A run whose sharpness "
    "already exceeds 2/h at the start (h = 3: 0.70 > 0.667) supports only the other half, "
    "the decrease to the edge (self-stabilisation); it is reported apart and not counted as "
    "a rise. Smaller h needs more "
    "steps to reach the edge (table b, 'reaches ... at step'); on other data sets "
    "(full run, table b') a run at h = 2 may still be sharpening after 8000 steps, and "
    "every run that reached the edge ended within 10% of 2/h. On matrix factorisation "
    "from a small initialisation the sharpness instead stops at 2 sigma_1(A), the "
    "sharpness of the balanced (flattest) minimiser, whatever h < 1/sigma_1(A): "
    "final / (2/h) equals c = h sigma_1(A), so it is near 1 only when h is tuned "
    "to 1/sigma_1(A). For h > 1/sigma_1(A) (c = 1.02, 1.1) no minimiser is "
    "linearly stable (each has sharpness >= 2 sigma_1(A) > 2/h): the loss does not "
    "go to 0 and GD settles on an oscillation (table c, final loss), so the "
    "'loss keeps decreasing at the edge' part fails there too. Hence 'qualified': "
    "the claim holds on the network-like loss, "
    "not on every objective; where a flat minimiser with sharpness < 2/h is "
    "reachable, GD converges to it without hovering at the edge. "
    "Real data (full report, table d, figure t9_digits.png): on scikit-learn's 1797 "
    "handwritten digits, pooled to 4 x 4, a tanh MLP (714 parameters) shows Cohen et "
    "al.'s Figure 1 under the mean-squared loss at every h tried: the sharpness rises "
    "from a fifth of 2/h, reaches it and oscillates within a few per cent of it while "
    "the loss keeps falling with up-steps. Under cross-entropy the sharpness rises to "
    "2/h and moves about it in saw-teeth (each loss spike drops it), and at the largest "
    "h = 2 it leaves the edge downwards once the loss is small (0.75 of 2/h at the "
    "end, loss 0.006): that run is counted as not at the edge. Why the images are "
    "pooled: at full resolution (8 x 8) the same network separates the digits within "
    "a few dozen steps and, under cross-entropy, its sharpness peaks at 0.46 and 0.83 of "
    "2/h and falls as the loss goes to 0 (numbers above), so no edge of stability is "
    "reached there. The learning rates, widths, step budgets and the 4 x 4 pooling "
    "were chosen by trying a few settings, as this note reports. 'At the end' is read "
    "as the mean of the last 10% of the sharpness samples; the last sample alone gives "
    "the same yes/no for every run (table d, 'final / (2/h)'). "
    "At scale (full report, table e): the 8 x 8 digits with a tanh MLP of 105 546 "
    "parameters under the mean-squared loss at h = 1/2 start at 0.67 of 2/h, pass it "
    "with a catapult (1.7 of 2/h at step 200, the loss up), then hover at 1.03 to 1.08 of "
    "2/h with the second eigenvalue just below the first, the loss down 9x with 243 "
    "up-steps; the 800 steps with the top two eigenvalues every 50 take under a minute "
    "on this 2-core machine (the time is in table e's title). The central flow at this "
    "size is not in the report: its eigenpairs sit in a cluster (4.30, 4.29, 4.26, ... at "
    "step 400) that the warm-started block solver "
    "resolves only in tens of iterations, about 8 s per flow evaluation."
)


def _figure(path: Any, traces: dict[float, Any]) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    for (h, tr), col in zip(
        traces.items(), ("tab:blue", "tab:orange", "tab:green", "tab:red"), strict=False
    ):
        axes[0].semilogy(np.arange(len(tr.loss)), tr.loss, color=col, lw=0.6, label=f"h = {h:g}")
        axes[1].plot(tr.steps, tr.sharpness, color=col, lw=0.9, label=f"sharpness, h = {h:g}")
        axes[1].axhline(tr.edge, color=col, ls="--", lw=0.8)
    axes[0].set_xlabel("GD step")
    axes[0].set_ylabel("training loss (MSE / 2)")
    axes[0].set_title("loss: decreasing, non-monotone")
    axes[0].legend(fontsize=8)
    axes[1].set_xlabel("GD step")
    axes[1].set_ylabel("top Hessian eigenvalue (Lanczos)")
    axes[1].set_title("sharpness vs 2/h (dashed)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


CLAIM = Claim(
    id="T9",
    title="Edge of stability: GD sharpness rises to 2/h and hovers there",
    statement=(
        "On neural-network-like losses the sharpness of full-batch GD rises until about 2/h "
        "and hovers there while the loss keeps decreasing non-monotonically."
    ),
    reference="Cohen, Kaur, Li, Kolter, Talwalkar (ICLR 2021).",
    hypotheses=(
        "two-layer tanh network, width 32, 200 Gaussian inputs in R^5, MSE, full batch",
        "sharpness = largest Hessian eigenvalue by Lanczos on exact HVPs, every 25 steps",
        "matrix factorisation 6 x 6 rank 2 from a small initialisation as a contrast",
    ),
    source=(
        BLOG + ", "
        'section "An implicit bias of large LR: preference of flatter minima", side '
        'remark: "(Side remark: in a way, [Wang et al (2022)] can also be thought as '
        "related to a phenomenon known as Edge of Stability that was empirically "
        'discovered recently [Cohen et al (2021)] and starting to attract attention.)" '
        "The blog states no more; the statement checked is Cohen et al.'s."
    ),
    check=check,
    quick_seconds=2.0,
    full_seconds=129.0,
)
