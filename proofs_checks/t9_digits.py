r"""T9 part (d): the edge of stability on a real data set (full report only).

The 1797 handwritten digits that ship with scikit-learn, pooled to 4 x 4 images, and a
tanh MLP 16-16-16-10 (714 parameters) under the mean-squared and the cross-entropy loss
(:func:`gdtheory.models.digits.digits_mlp`), full-batch float64 GD at several h, the
sharpness every 25 steps by Lanczos on JAX Hessian-vector products.  Cohen et al.'s
Figure 1 shape is read off each run:

* it starts below 2/h (so it can show progressive sharpening) and reaches 0.95 (2/h);
* at the end: the last measured sharpness / (2/h), and its mean over the last 10% of
  the measurements (the sharpness oscillates about the edge, so one sample is noisy);
* the loss fell at least 5x and went up on some steps (non-monotone).

A run "shows the edge of stability" when all of these hold and the end-of-training mean
is within 10% of 1.  A contrast at full resolution (8 x 8, cross-entropy) shows why the
images are pooled: the network separates the digits in a few dozen steps and its
sharpness falls with the loss before reaching 2/h.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gdtheory.landscape.sharpness import SharpnessTrace, track_sharpness
from gdtheory.report.claims import Part, Table

#: (loss, learning rates, GD steps) of the study.
RUNS = (("mse", (0.25, 0.3, 0.4), 6000), ("ce", (0.5, 0.75, 1.0, 2.0), 3000))
EVERY = 25


def shows_edge(tr: SharpnessTrace) -> bool:
    """The criteria of the module docstring."""
    return bool(
        not tr.diverged
        and tr.sharpness[0] < 0.95 * tr.edge
        and tr.reached_edge_at is not None
        and abs(tr.end_ratio - 1) <= 0.1
        and tr.loss[-1] <= tr.loss[0] / 5
        and tr.loss_increases > 0
    )


def digits_part(ctx: Any) -> tuple[Part, dict[str, dict[float, SharpnessTrace]]]:
    """(d) the digits study; empty in the quick run, a 'not run' line without JAX."""
    if ctx.quick:
        return Part(), {}
    try:
        from gdtheory.models.digits import digits_mlp

        models = {loss: digits_mlp(loss) for loss, _, _ in RUNS}
    except Exception as exc:  # noqa: BLE001 - JAX or scikit-learn missing
        return Part({"digits study": f"not run: {exc}"}, facts={"digits": None}), {}
    rows, traces, numbers = [], {}, {}
    counts = {}
    for loss, hs, steps in RUNS:
        model, w0 = models[loss]
        traces[loss] = {}
        for h in hs:
            tr = track_sharpness(model, w0, h=h, steps=steps, every=EVERY)
            traces[loss][h] = tr
            ok = shows_edge(tr)
            rows.append(
                (
                    loss,
                    h,
                    steps,
                    float(tr.sharpness[0] / tr.edge),
                    tr.reached_edge_at if tr.reached_edge_at is not None else "never",
                    tr.hover_range if tr.hover_range is not None else "-",
                    tr.final_ratio,
                    tr.end_ratio,
                    float(tr.loss[0]),
                    float(tr.loss[-1]),
                    float(tr.loss[0] / tr.loss[-1]),
                    tr.loss_increases,
                    tr.status,
                    "yes" if ok else "no",
                )
            )
            numbers[f"digits {loss}, h = {h}: end sharpness / (2/h) (mean, last 10%)"] = (
                tr.end_ratio
            )
        counts[loss] = sum(shows_edge(t) for t in traces[loss].values())
        numbers[f"digits {loss}: runs showing the edge of stability"] = f"{counts[loss]}/{len(hs)}"
    contrast = _full_resolution(models)
    numbers.update(contrast)
    table = Table(
        f"(d) the 1797 digits pooled to 4 x 4, tanh MLP 16-16-16-10 "
        f"({models['mse'][0].dim} parameters), sharpness every {EVERY} steps",
        (
            "loss",
            "h",
            "steps",
            "start / (2/h)",
            "reaches 0.95 (2/h) at step",
            "then sharpness / (2/h) in",
            "final / (2/h)",
            "end / (2/h), mean of last 10%",
            "loss at start",
            "final loss",
            "loss down (x)",
            "loss increases",
            "status",
            "shows the edge",
        ),
        tuple(rows),
    )
    facts = {"digits": counts}
    return Part(numbers, (table,), facts=facts), traces


def _full_resolution(models: dict[str, Any]) -> dict[str, Any]:
    """The 8 x 8 contrast: cross-entropy, widths 16, h = 1 and 2, 300 steps."""
    from gdtheory.models.digits import digits_mlp

    model, w0 = digits_mlp("ce", pool=1)
    out: dict[str, Any] = {}
    for h in (1.0, 2.0):
        tr = track_sharpness(model, w0, h=h, steps=300, every=EVERY)
        out[f"8 x 8 digits, CE, h = {h}: largest sharpness / (2/h) in 300 steps"] = float(
            tr.sharpness.max() / tr.edge
        )
        out[f"8 x 8 digits, CE, h = {h}: loss down (x) in 300 steps"] = float(
            tr.loss[0] / tr.loss[-1]
        )
    return out


def digits_summary(counts: dict[str, int] | None, traces: Any) -> str:
    """The summary's clause on the digits study."""
    if counts is None:
        return "digits study not run (JAX or scikit-learn missing)"
    parts = []
    for loss, hs, _ in RUNS:
        ends = ", ".join(f"{traces[loss][h].end_ratio:.3f}" for h in hs)
        parts.append(
            f"{loss.upper()} {counts[loss]}/{len(hs)} runs at the edge "
            f"(end / (2/h) = {ends} at h = {', '.join(f'{h:g}' for h in hs)})"
        )
    return "real digits: " + "; ".join(parts)


def draw_digits(path: Any, traces: dict[str, dict[float, SharpnessTrace]]) -> None:
    """Cohen et al.'s Figure 1 layout: loss (top) and sharpness with 2/h (bottom)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    colours = ("tab:blue", "tab:orange", "tab:green", "tab:red")
    for j, (loss, label) in enumerate((("mse", "mean-squared"), ("ce", "cross-entropy"))):
        for (h, tr), col in zip(traces[loss].items(), colours, strict=False):
            axes[0, j].semilogy(
                np.arange(len(tr.loss)), tr.loss, color=col, lw=0.6, label=f"h = {h:g}"
            )
            axes[1, j].plot(tr.steps, tr.sharpness, color=col, lw=0.9, label=f"h = {h:g}")
            axes[1, j].axhline(tr.edge, color=col, ls="--", lw=0.8)
        axes[0, j].set_title(f"digits (4 x 4), tanh MLP, {label} loss")
        axes[0, j].set_ylabel("training loss")
        axes[0, j].legend(fontsize=8)
        axes[1, j].set_xlabel("GD step")
        axes[1, j].set_ylabel("sharpness (dashed: 2/h)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
