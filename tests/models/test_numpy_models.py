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
    # a batch: every row has the bits of the plain matrix products at that row
    W = rng.standard_normal((5, fm.dim))
    G = fm.grad_batch(W)
    for i in range(5):
        X, Y = fm.split(W[i])
        R = X @ Y.T - A
        assert np.array_equal(G[i], np.concatenate([(R @ Y).ravel(), (R.T @ X).ravel()]))


def test_every_output_of_a_model_is_checked():
    """as_model wraps every model: a complex, NaN or wrongly shaped output is an error
    naming the quantity (a complex gradient lost its imaginary part in NumPy before)."""
    from gdtheory.errors import InvalidInputError, NonFiniteError, NotRealError
    from gdtheory.models.numpy_models import CheckedModel, as_model

    class User:
        dim = 2

        def __init__(self, loss=1.0, grad=(1.0, 2.0)):
            self._loss, self._grad = loss, np.asarray(grad)

        def loss(self, w):
            return self._loss

        def grad(self, w):
            return self._grad

        def hvp(self, w, v):
            return v

    w = np.zeros(2)
    assert isinstance(as_model(User()), CheckedModel)
    assert as_model(User()).loss(w) == 1.0
    with pytest.raises(NotRealError, match="gradient is complex"):
        as_model(User(grad=(1j, 0))).grad(w)
    with pytest.raises(NonFiniteError, match="loss is infinite"):
        as_model(User(loss=float("inf"))).loss(w)
    with pytest.raises(InvalidInputError, match=r"shape \(2,\)"):
        as_model(User(grad=(1.0, 2.0, 3.0))).grad(w)
    with pytest.raises(InvalidInputError, match="not numeric|real number"):
        as_model(User(loss="abc")).loss(w)
    assert not hasattr(as_model(User()), "d3")  # the central flow can tell
