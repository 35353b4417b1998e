"""Models and sharpness: exact gradients and HVPs against the complex-step derivative,
Lanczos against dense eigenvalues, and the edge-of-stability run of the network study."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import (
    FactorizationModel,
    ObjectiveModel,
    TwoLayerTanh,
    synthetic_regression,
)
from gdtheory.objectives import matrix_factorization

T = 1e-30  # complex step: exact to rounding, no cancellation


def _complex_loss_tanh(net: TwoLayerTanh, w: np.ndarray) -> complex:
    r = net._forward(w)[-1]
    return r @ r / (2 * len(r))


@given(
    n=st.integers(3, 30),
    d=st.integers(3, 6),
    width=st.integers(1, 12),
    seed=st.integers(0, 10**6),
)
@settings(max_examples=30, deadline=None)
def test_network_gradient_and_hvp_equal_the_complex_step_derivative(n, d, width, seed):
    X, y = synthetic_regression(n, d, seed=seed)
    net = TwoLayerTanh(X, y, width=width)
    rng = np.random.default_rng(seed)
    w, v = net.init(seed=seed), rng.standard_normal(net.dim)
    g_dir = np.imag(_complex_loss_tanh(net, w + 1j * T * v)) / T
    assert net.grad(w) @ v == pytest.approx(g_dir, rel=1e-12, abs=1e-15)
    hv = np.imag(net.grad(w + 1j * T * v)) / T
    np.testing.assert_allclose(net.hvp(w, v), hv, rtol=1e-11, atol=1e-14)


@given(n=st.integers(1, 5), m=st.integers(1, 5), d=st.integers(1, 3), seed=st.integers(0, 10**6))
@settings(max_examples=30, deadline=None)
def test_factorization_model_matches_the_symbolic_objective(n, m, d, seed):
    rng = np.random.default_rng(seed)
    A = rng.integers(-3, 4, (n, m))
    fm = FactorizationModel(A, d)
    w, v = rng.standard_normal(fm.dim), rng.standard_normal(fm.dim)
    if fm.dim <= 12:  # the symbolic objective (same state layout) as an independent oracle
        om = ObjectiveModel(matrix_factorization(A.tolist(), d))
        assert fm.loss(w) == pytest.approx(om.loss(w), rel=1e-12)
        np.testing.assert_allclose(fm.grad(w), om.grad(w), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fm.hvp(w, v), om.hvp(w, v), rtol=1e-10, atol=1e-12)
    hv = np.imag(fm.grad(w + 1j * T * v)) / T
    np.testing.assert_allclose(fm.hvp(w, v), hv, rtol=1e-11, atol=1e-13)
