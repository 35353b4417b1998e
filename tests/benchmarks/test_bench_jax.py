"""Benchmark of issue 19: JAX Hessian-vector products against the hand-written
R-operator of :class:`gdtheory.TwoLayerTanh` (the T9 network), at its size and at 10x the
parameters.

Run with ``pytest tests/benchmarks -m benchmark -s -n 0``.  The JAX model is the same
loss written in jax.numpy on the same flat parameter vector; the two HVPs agree to 1e-12
before anything is timed, and the ratio (R-operator time / JAX time) is printed.
"""

from __future__ import annotations

import time

import jax.numpy as jnp
import numpy as np
import pytest

from gdtheory import TwoLayerTanh, synthetic_regression
from gdtheory.models import from_jax

pytestmark = pytest.mark.benchmark


def _jax_twin(net: TwoLayerTanh):
    X, y, m = np.asarray(net.X), np.asarray(net.y), net.width
    d = X.shape[1]

    def loss(w, X, y):
        W, b, a = w[: m * d].reshape(m, d), w[m * d : m * d + m], w[m * d + m :]
        r = jnp.tanh(X @ W.T + b) @ a / jnp.sqrt(m) - y
        return 0.5 * jnp.mean(r**2)

    return from_jax(loss, np.zeros(net.dim), X, y)


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
    twin = _jax_twin(net)
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
