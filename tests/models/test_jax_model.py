"""The JAX adapter (landscape.jax_model): sharpness against jax.hessian, HVPs and third
derivatives against finite differences and against the exact SymPy Hessian, pytrees,
and the user's JAX precision left as it was."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gdtheory import Objective, sharpness, track_sharpness
from gdtheory.errors import InvalidInputError, NonFiniteError, NotRealError, ShapeError
from gdtheory.models import from_jax
from gdtheory.models.numpy_models import ObjectiveModel


def mlp_loss(params, X, Y):
    h = jnp.tanh(X @ params["W1"] + params["b1"])
    return 0.5 * jnp.mean((h @ params["W2"] - Y) ** 2)


def _mlp(seed=0, d=3, k=5, n=12):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, d)), rng.standard_normal((n, 1))
    params = {
        "W1": rng.standard_normal((d, k)) / np.sqrt(d),
        "b1": np.zeros(k),
        "W2": rng.standard_normal((k, 1)) / np.sqrt(k),
    }
    return from_jax(mlp_loss, params, X, Y), params, X, Y


def test_sharpness_equals_the_dense_hessian_top_eigenvalue():
    m, params, X, Y = _mlp()
    w = m.flatten(params)
    from jax.flatten_util import ravel_pytree

    with jax.enable_x64(True):  # an independent flattening and dense Hessian
        p64 = jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float64), params)
        flat, unravel = ravel_pytree(p64)
        np.testing.assert_array_equal(np.asarray(flat), w)
        H = jax.hessian(lambda v: mlp_loss(unravel(v), jnp.asarray(X), jnp.asarray(Y)))(flat)
    top = float(np.linalg.eigvalsh(np.asarray(H))[-1])
    assert abs(sharpness(m, w) - top) <= 1e-9 * abs(top)
    np.testing.assert_allclose(m.hvps(w, np.eye(m.dim)), np.asarray(H), rtol=1e-12, atol=1e-14)


def test_hvp_and_third_derivative_match_finite_differences():
    m, params, _, _ = _mlp(seed=1)
    rng = np.random.default_rng(2)
    w, u, v = m.flatten(params), rng.standard_normal(m.dim), rng.standard_normal(m.dim)
    t = 1e-5
    fd_h = (m.grad(w + t * v) - m.grad(w - t * v)) / (2 * t)
    fd_3 = (m.hvp(w + t * u, v) - m.hvp(w - t * u, v)) / (2 * t)
    # central differences: error O(t^2) ~ 1e-10 relative to the scale of the result
    np.testing.assert_allclose(m.hvp(w, v), fd_h, atol=1e-8 * np.abs(fd_h).max())
    np.testing.assert_allclose(m.d3(w, u, v), fd_3, atol=1e-8 * np.abs(fd_3).max())
    np.testing.assert_allclose(m.d3(w, u, v), m.d3(w, v, u), rtol=1e-12, atol=1e-14)  # symmetric


def test_against_the_exact_sympy_hessian():
    """(x y - 1)^2/2 + x^4/4 written in JAX and in SymPy: HVPs and third derivatives."""
    f = Objective.parse("(x*y - 1)**2/2 + x**4/4")
    exact = ObjectiveModel(f)
    m = from_jax(lambda p: 0.5 * (p[0] * p[1] - 1) ** 2 + p[0] ** 4 / 4, np.array([0.7, -1.3]))
    w, v, u = np.array([0.7, -1.3]), np.array([0.3, 2.0]), np.array([-1.0, 0.5])
    np.testing.assert_allclose(m.hvp(w, v), exact.hvp(w, v), rtol=1e-14)
    x, y = w
    # D^3 of (xy - 1)^2/2 + x^4/4: f_xxx = 6x, f_xxy = 2y, f_xyy = 2x, f_yyy = 0
    T = np.zeros((2, 2, 2))
    T[0, 0, 0] = 6 * x
    T[0, 0, 1] = T[0, 1, 0] = T[1, 0, 0] = 2 * y
    T[0, 1, 1] = T[1, 0, 1] = T[1, 1, 0] = 2 * x
    np.testing.assert_allclose(m.d3(w, u, v), np.einsum("ijk,j,k->i", T, u, v), rtol=1e-14)


def test_pytrees_precision_and_tracking():
    m, params, _, _ = _mlp(seed=3)
    w = m.flatten(params)
    back = m.unflatten(w)
    assert set(back) == set(params) and back["W1"].shape == (3, 5)
    assert back["W1"].dtype == jnp.float64
    np.testing.assert_array_equal(m.flatten(back), w)
    assert jnp.ones(1).dtype == jnp.float32  # the global JAX setting is untouched
    t = track_sharpness(m, w, h=0.5, steps=20, every=5)
    assert not t.diverged and t.loss[-1] < t.loss[0]


def test_bad_input():
    with pytest.raises(ShapeError, match="scalar"):
        from_jax(lambda p: p * 2, np.ones(3))
    with pytest.raises(InvalidInputError, match="failed"):
        from_jax(lambda p: p["missing"], {"a": 1.0})
    with pytest.raises(InvalidInputError, match="callable"):
        from_jax(3, np.ones(2))
    m = from_jax(lambda p: jnp.sum(p**2), np.ones(2))
    with pytest.raises(ShapeError, match="2 entries"):
        m.grad(np.ones(3))
    with pytest.raises(ShapeError, match="structure"):
        m.flatten({"a": 1.0})


class GradientOnly:
    """A user model that gives no hvp: sharpness falls back to differenced products."""

    def __init__(self, m):
        self.dim, self._m = m.dim, m

    def loss(self, w):
        return self._m.loss(w)

    def grad(self, w):
        return self._m.grad(w)


def test_gradient_only_models_get_differenced_hvps_with_an_honest_error():
    from gdtheory import sharpness_estimate
    from gdtheory.models import DifferencedModel

    m, params, _, _ = _mlp(seed=4)
    w = m.flatten(params)
    exact = sharpness_estimate(m, w)
    approx = sharpness_estimate(GradientOnly(m), w)
    assert exact.hvp == "exact" and approx.hvp == "central differences"
    assert exact.error < 1e-9 * exact.value
    assert abs(approx.value - exact.value) <= approx.error < 1e-5 * exact.value
    d = DifferencedModel(GradientOnly(m))
    rng = np.random.default_rng(5)
    for _ in range(5):
        v = rng.standard_normal(m.dim)
        err = np.linalg.norm(d.hvp(w, v) - m.hvp(w, v))
        assert err <= 3 * d.hvp_error(w, v), (err, d.hvp_error(w, v))  # measured 0.5-0.9


def test_the_t9_network_as_a_jax_model_matches_its_r_operator() -> None:
    from gdtheory.models.numpy_models import TwoLayerTanh, synthetic_regression

    X, y = synthetic_regression(30, 3, seed=2)
    net = TwoLayerTanh(X, y, width=6)
    twin = net.to_jax()
    w = net.init(seed=3)
    v = np.random.default_rng(4).standard_normal(net.dim)
    assert twin.loss(w) == pytest.approx(net.loss(w), rel=1e-14)
    np.testing.assert_allclose(twin.grad(w), net.grad(w), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(twin.hvp(w, v), net.hvp(w, v), rtol=1e-11, atol=1e-13)
    eps = 1e-5  # d3 against central differences of the R-operator
    fd = (net.hvp(w + eps * v, v) - net.hvp(w - eps * v, v)) / (2 * eps)
    np.testing.assert_allclose(twin.d3(w, v, v), fd, rtol=1e-6, atol=1e-8)


def test_losses_that_cannot_be_a_loss_are_refused_at_creation():
    """An integer, a string or a complex loss, and a function JAX cannot trace, are errors
    naming the problem when the model is made (they were a model with no gradient, a
    silently dropped imaginary part, or a raw tracer error at the first gradient)."""
    w = jnp.ones(3)
    with pytest.raises(InvalidInputError, match="real floating scalar, got int"):
        from_jax(lambda p: 3, w)
    with pytest.raises(InvalidInputError, match="real floating scalar, got str"):
        from_jax(lambda p: "abc", w)
    with pytest.raises(NotRealError, match="complex"):
        from_jax(lambda p: jnp.sum(p**2) * (1 + 1j), w)

    def branchy(p):
        return jnp.sum(p**2) if p[0] > 0 else jnp.sum(p)

    with pytest.raises(InvalidInputError, match="jnp.where or jax.lax.cond"):
        from_jax(branchy, w)


def test_a_nan_model_is_an_error_naming_the_quantity_and_step_never_a_number():
    """A NaN loss gave sharpness 0.0; now every output of a model is checked."""
    nan_model = from_jax(lambda p: jnp.nan * jnp.sum(p**2), jnp.ones(3))
    with pytest.raises(NonFiniteError, match="Hessian-vector product is NaN"):
        sharpness(nan_model, np.ones(3))
    with pytest.raises(NonFiniteError, match="step 0"):
        track_sharpness(nan_model, np.ones(3), h=0.1, steps=3)
    # finite loss, NaN gradient from a point on: the step is named
    half = from_jax(lambda p: jnp.sum(p**2) + jnp.sqrt(jnp.maximum(p[0], 0.0)), jnp.ones(2))
    with pytest.raises(NonFiniteError, match=r"gradient is (NaN|infinite).*GD step 1"):
        track_sharpness(half, [0.5, 1.0], h=0.5, steps=5, every=100)
    # GD blowing up on a sound model is divergence, not an error
    quartic = from_jax(lambda p: jnp.sum(p**4), jnp.ones(1))
    assert track_sharpness(quartic, [3.0], h=1.0, steps=20).diverged
