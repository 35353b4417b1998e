r"""T9 part (e): the edge of stability at 10^5 parameters (full report only).

The 1797 digits at full resolution (8 x 8), a tanh MLP 64-320-256-10 (105 546 parameters)
under the mean-squared loss (:func:`gdtheory.models.digits.digits_mlp`), full-batch
float64 GD at h = 1/2 for 800 steps with the top two Hessian eigenvalues every 50 steps
(Lanczos on JAX Hessian-vector products), timed.  The same criteria as part (d)
(:func:`proofs_checks.t9_digits.shows_edge`) decide whether the run shows the edge.
"""

from __future__ import annotations

import time
from typing import Any

from gdtheory.landscape.sharpness import track_sharpness
from gdtheory.report.claims import Part, Table

from .t9_digits import shows_edge

#: (widths, h, steps, every) of the run.
SCALE_RUN = ((320, 256), 0.5, 800, 50)


def scale_part(ctx: Any) -> Part:
    """(e) the 10^5-parameter run; empty in the quick run, 'not run' without JAX."""
    if ctx.quick:
        return Part()
    widths, h, steps, every = SCALE_RUN
    try:
        from gdtheory.models.digits import digits_mlp

        model, w0 = digits_mlp("mse", widths=widths, pool=1)
    except Exception as exc:  # noqa: BLE001 - JAX or scikit-learn missing
        return Part({"(e) 10^5 parameters": f"not run: {exc}"})
    t0 = time.perf_counter()
    tr = track_sharpness(model, w0, h=h, steps=steps, every=every, k=2)
    seconds = time.perf_counter() - t0
    numbers = {
        "(e) parameters": model.dim,
        f"(e) {steps} GD steps with the top 2 eigenvalues every {every}: seconds": seconds,
        "(e) start sharpness / (2/h)": float(tr.sharpness[0] / tr.edge),
        "(e) end sharpness / (2/h), mean of the last 10%": tr.end_ratio,
        "(e) loss down (x)": float(tr.loss[0] / tr.loss[-1]),
        "(e) loss increases": tr.loss_increases,
        "(e) shows the edge (the criteria of table d)": "yes" if shows_edge(tr) else "no",
    }
    rows = tuple(
        (int(k), float(a / tr.edge), float(b / tr.edge), float(tr.loss[k]))
        for k, (a, b) in zip(tr.steps, tr.eigenvalues, strict=True)
    )
    table = Table(
        f"(e) 8 x 8 digits, tanh MLP 64-{'-'.join(map(str, widths))}-10 ({model.dim} "
        f"parameters), MSE, h = {h}: the top two eigenvalues every {every} steps "
        f"({seconds:.0f} s on this machine)",
        ("step", "lambda_1 / (2/h)", "lambda_2 / (2/h)", "loss"),
        rows,
    )
    facts = {"scale_edge": shows_edge(tr), "scale_dim": model.dim, "scale_end": tr.end_ratio}
    return Part(numbers, (table,), facts=facts)
