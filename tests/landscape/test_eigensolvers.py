"""The eigen-tracker (landscape.eigensolvers): along a GD path on a network it gives ARPACK's
top eigenvalues (NumPy and compiled JAX iterations alike), converging in a few products per
solve, and its periodic Lanczos check catches an eigenvalue that appears outside its
block."""

from __future__ import annotations

import numpy as np

from gdtheory.landscape.eigensolvers import EigenTracker
from gdtheory.landscape.sharpness import top_eigenpairs
from gdtheory.models import TwoLayerTanh, synthetic_regression


def _net():  # type: ignore[no-untyped-def]
    X, y = synthetic_regression(32, 9, seed=0)
    net = TwoLayerTanh(X, y, width=11)
    return net, net.init(seed=1)


def test_the_tracker_follows_gd_with_arpacks_eigenvalues() -> None:
    net, w = _net()
    jm = net.to_jax()
    trackers = [EigenTracker(net, 3, tol=1e-10), EigenTracker(jm, 3, tol=1e-10)]
    for _ in range(40):
        ref, _ = top_eigenpairs(net, w, 3, tol=1e-12)
        for tr in trackers:
            vals, vecs = tr.solve(w)
            np.testing.assert_allclose(vals, ref, rtol=1e-9)
            resid = np.array([net.hvp(w, vecs[:, j]) - vals[j] * vecs[:, j] for j in range(3)])
            assert np.abs(resid).max() <= 1e-9 * vals[0]
        w = w - 2.0 * net.grad(w)
    for tr in trackers:  # a restart (30 iterations without convergence) is rare
        assert tr.solves == 40 and tr.restarts <= 2
        assert tr.products / tr.solves < 25  # warm starts: a few block products


def test_the_lanczos_check_catches_an_eigenvalue_outside_the_block() -> None:
    """A quadratic whose Hessian gains a large eigenvalue along a coordinate the block
    never saw (H block-diagonal, so the old block stays invariant): the block iterations
    converge to the old top eigenvalues, and the check every 5 solves replaces them."""

    class Switch:
        dim = 30

        def __init__(self) -> None:
            self.d = np.linspace(1.0, 2.0, self.dim)

        def loss(self, w):  # type: ignore[no-untyped-def]
            return 0.5 * float(w @ (self.d * w))

        def grad(self, w):  # type: ignore[no-untyped-def]
            return self.d * w

        def hvp(self, w, v):  # type: ignore[no-untyped-def]
            return self.d * np.asarray(v)

    m = Switch()
    tr = EigenTracker(m, 2, check_every=5)
    w = np.zeros(m.dim)
    assert np.allclose(tr.solve(w)[0], [2.0, m.d[-2]])
    m.d[0] = 50.0  # a new top eigenvalue along e_0, orthogonal to the block
    seen = [tr.solve(w)[0][0] for _ in range(5)]
    assert seen[0] == 2.0 or np.isclose(seen[0], 50.0)
    assert np.isclose(seen[-1], 50.0) and tr.restarts >= 1


def test_small_models_are_solved_densely_one_product_each() -> None:
    """Below 3 m + 2 dimensions every solve assembles the matrix in one block product and
    diagonalises it (no iterations): the counters say so and the values are exact."""
    from gdtheory.models.numpy_models import FactorizationModel

    m = FactorizationModel(np.diag([3.0, 1.0, 0.5]), 3)
    w = np.concatenate([np.diag(np.sqrt([3.0, 1.0, 0.5])).ravel()] * 2)
    tr = EigenTracker(m, 2)
    for _ in range(3):
        vals, _ = tr.solve(w)
        np.testing.assert_allclose(vals, [6.0, 4.0], rtol=1e-13)
    assert tr.solves == 3 and tr.products == 3 and tr.restarts == 0
