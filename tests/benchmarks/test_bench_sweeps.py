"""Benchmark: float64 GD map iterations per second, the sweep engines vs plain Python loops.

Run with ``pytest tests/benchmarks -m benchmark -s``.  On the 2-D factorisation objective
(1 - xy)^2/2 the baselines are plain Python loops over the map (the gradient written
inline, the fastest pure-Python form, and the lambdified gradient), run in the same
process; the sweeps are :func:`gdtheory.iterate_map` over a batch of starts on one core,
with the NumPy engine and with the numba kernel (compiled before timing; the compile time
is printed separately).  Issue 4 asks for >= 100x and >= 2e7 iterations/s; the ratios
and the rates are printed, not asserted.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy as sp

from gdtheory import iterate_map
from gdtheory.objectives import scalar_factorization

pytestmark = pytest.mark.benchmark

H = 0.9


def _python_loop_inline(x: float, y: float, steps: int) -> tuple[float, float]:
    for _ in range(steps):
        r = 1.0 - x * y
        x, y = x + H * r * y, y + H * r * x
    return x, y


def _python_loop_lambdified(grad, x: float, y: float, steps: int) -> tuple[float, float]:
    for _ in range(steps):
        gx, gy = grad(x, y)
        x, y = x - H * gx, y - H * gy
    return x, y


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_sweep_iterations_per_second_vs_python_loop(benchmark, backend):
    f = scalar_factorization()
    n_loop = 200_000
    t0 = time.perf_counter()
    ref = _python_loop_inline(0.3, 0.2, n_loop)
    rate_inline = n_loop / (time.perf_counter() - t0)
    grad = sp.lambdify(f.symbols, list(f.grad), "math")
    t0 = time.perf_counter()
    _python_loop_lambdified(grad, 0.3, 0.2, n_loop)
    rate_lambdified = n_loop / (time.perf_counter() - t0)

    batch, steps = 100_000, 200
    x0 = np.random.default_rng(0).uniform(-1, 1, (batch, 2))
    x0[0] = (0.3, 0.2)
    t0 = time.perf_counter()
    iterate_map(f, x0[:1], hs=H, steps=1, backend=backend)  # compiles the numba kernel, if any
    warmup = time.perf_counter() - t0
    run = benchmark.pedantic(
        iterate_map, args=(f, x0, H, steps), kwargs={"backend": backend}, rounds=3, iterations=1
    )
    rate = batch * steps / benchmark.stats.stats.min
    same = iterate_map(f, x0[:1], hs=H, steps=n_loop, backend=backend).x[0]
    assert np.allclose(same, ref, rtol=0, atol=1e-12)  # the engines iterate the same map
    assert run.x.shape == (batch, 2) and run.backend == backend
    print(
        f"\nGD map on (1 - xy)^2/2, backend {backend} (first call {warmup:.2f} s): "
        f"sweep {rate:.3g} it/s; python loop inline {rate_inline:.3g} it/s "
        f"(ratio {rate / rate_inline:.0f}x), lambdified {rate_lambdified:.3g} it/s "
        f"(ratio {rate / rate_lambdified:.0f}x); issue target >= 100x and >= 2e7 it/s"
    )
