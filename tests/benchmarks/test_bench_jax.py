"""Benchmark of issue 19: JAX Hessian-vector products against the hand-written
R-operator of :class:`gdtheory.TwoLayerTanh` (the T9 network), at its size and at 10x the
parameters.

Run with ``pytest tests/benchmarks -m benchmark -s -n 0``.  The JAX model is the same
loss written in jax.numpy on the same flat parameter vector; the two HVPs agree to 1e-12
before anything is timed, and the ratio (R-operator time / JAX time) is printed.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from gdtheory import TwoLayerTanh, synthetic_regression

pytestmark = pytest.mark.benchmark


def _per_call(fn, repeats: int) -> float:
    fn()  # warm-up (jit compilation for JAX)
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t0) / repeats


@pytest.mark.parametrize("width", [32, 320])
def test_jax_hvp_against_the_r_operator(width: int) -> None:
    X, y = synthetic_regression(200, 5, seed=0)
    net = TwoLayerTanh(X, y, width=width)
    twin = net.to_jax()
    w = net.init(0)
    v = np.random.default_rng(1).standard_normal(net.dim)
    ref = net.hvp(w, v)
    np.testing.assert_allclose(twin.hvp(w, v), ref, rtol=1e-11, atol=1e-12 * np.abs(ref).max())
    t_r = _per_call(lambda: net.hvp(w, v), 200)
    t_j = _per_call(lambda: twin.hvp(w, v), 200)
    print(
        f"\nwidth {width} ({net.dim} parameters): R-operator {t_r * 1e6:.1f} us, "
        f"JAX {t_j * 1e6:.1f} us per HVP; ratio R/JAX = {t_r / t_j:.2f}"
    )


class _Counting:
    """A model that counts its Hessian-vector products."""

    def __init__(self, model):
        self.model, self.dim, self.hvps = model, model.dim, 0

    def loss(self, w):
        return self.model.loss(w)

    def grad(self, w):
        return self.model.grad(w)

    def hvp(self, w, v):
        self.hvps += 1
        return self.model.hvp(w, v)


def test_lanczos_top_eigenvalue_of_a_10k_parameter_digits_mlp() -> None:
    """Lanczos (ARPACK eigsh, tol 1e-10) against power iteration on the same HVPs, run
    until its residual |Hv - lambda v| is as small as the Lanczos one (cap 3000)."""
    from gdtheory.landscape.sharpness import top_eigenpairs
    from gdtheory.models import digits_mlp

    model, w = digits_mlp("mse", widths=(70, 70), pool=1, output_scale=1.0)
    counted = _Counting(model)
    model.hvp(w, np.ones(model.dim))  # compile before timing
    t0 = time.perf_counter()
    vals, vecs = top_eigenpairs(counted, w, 1, tol=1e-10)
    t_lanczos = time.perf_counter() - t0
    n_lanczos = counted.hvps
    lam, u = float(vals[0]), vecs[:, 0] / np.linalg.norm(vecs[:, 0])
    target = float(np.linalg.norm(model.hvp(w, u) - lam * u))
    v = np.random.default_rng(0).standard_normal(model.dim)
    v /= np.linalg.norm(v)
    t0 = time.perf_counter()
    n_power, rq, res = 0, 0.0, np.inf
    while res > max(target, 1e-12 * abs(lam)) and n_power < 3000:
        Hv = model.hvp(w, v)
        n_power += 1
        rq = float(v @ Hv)
        res = float(np.linalg.norm(Hv - rq * v))
        v = Hv / np.linalg.norm(Hv)
    t_power = time.perf_counter() - t0
    print(
        f"\ndigits MLP 64-70-70-10 ({model.dim} parameters, 1797 images): Lanczos "
        f"lambda_max = {lam:.10g} in {t_lanczos:.3f} s with {n_lanczos} HVPs "
        f"(residual {target:.1e}); power iteration: {n_power} HVPs, {t_power:.3f} s, "
        f"lambda = {rq:.10g}, residual {res:.1e}; time ratio power/Lanczos = "
        f"{t_power / t_lanczos:.1f}, HVP ratio = {n_power / n_lanczos:.1f}"
    )
    assert abs(rq - lam) <= 1e-6 * abs(lam) or n_power == 3000
