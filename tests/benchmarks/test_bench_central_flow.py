"""Benchmark of issue 34: the central flow against a GD run that computes the top-2
Hessian eigenvalues at every step, on the same 121-parameter tanh network and horizon.

Run with ``pytest tests/benchmarks/test_bench_central_flow.py -m benchmark -s -n 0``.  The
network is :class:`gdtheory.TwoLayerTanh` (32 points in 9 dimensions, width 11, as a JAX
model), h = 2 (2/h = 1: GD reaches the edge after about 100 steps and stays there), 600
steps, k = 2, 4 substeps.  Two baselines, both with the central flow's eigen tolerance:
GD with ARPACK's Lanczos warm-started from the last top eigenvector (what
``top_eigenpairs`` does) and GD with the same warm-started block tracker the central flow
uses.  Each time is the best of two runs; the ratios are printed.  The authors' code is
timed the same way, in its own environment, by ``tools/reference_central_flow.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest

from gdtheory import TwoLayerTanh, central_flow, synthetic_regression
from gdtheory.continuous.central_flow import EIGEN_TOL
from gdtheory.landscape.eigensolvers import EigenTracker
from gdtheory.landscape.sharpness import top_eigenpairs

pytestmark = pytest.mark.benchmark

H, STEPS = 2.0, 600


def _best(fn: Callable[[], object], runs: int = 2) -> float:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def test_central_flow_against_gd_with_top2_eigenvalues() -> None:
    X, y = synthetic_regression(32, 9, seed=0)
    net = TwoLayerTanh(X, y, width=11)
    model, w0 = net.to_jax(), net.init(seed=1)
    assert model.dim == 121

    def gd_lanczos() -> None:
        w, v0 = w0.copy(), None
        for _ in range(STEPS):
            _, V = top_eigenpairs(model, w, 2, v0=v0, tol=EIGEN_TOL)
            v0 = V[:, 0]
            w = w - H * model.grad(w)

    def gd_block() -> None:
        w, tracker = w0.copy(), EigenTracker(model, 2, tol=EIGEN_TOL)
        for _ in range(STEPS):
            tracker.solve(w)
            w = w - H * model.grad(w)

    flow: list = []

    def cf() -> None:
        flow.append(central_flow(model, w0, [0.0, STEPS * H], h=H, k=2, substeps=4))

    central_flow(model, w0, [0.0, 10 * H], h=H, k=2, substeps=4)  # compile
    gd_block()
    t_cf, t_l, t_b = _best(cf), _best(gd_lanczos), _best(gd_block)
    assert flow[-1].active[-1] >= 1  # on the edge at the end
    assert abs(flow[-1].sharpness[-1] - 2 / H) < 1e-6
    print(
        f"\ncentral flow {t_cf:.2f} s; GD + top-2 by Lanczos {t_l:.2f} s (ratio "
        f"{t_cf / t_l:.2f}); GD + top-2 by the block tracker {t_b:.2f} s (ratio "
        f"{t_cf / t_b:.2f})"
    )
    assert np.isfinite(t_cf)
