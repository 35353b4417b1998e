"""The PyTorch adapter (models.torch_model): loss, gradient and HVPs against the NumPy
network's hand-written derivatives, sharpness against the dense Hessian's top eigenvalue,
third derivatives against JAX's and against finite differences, the flat layout, the
central flow on the same network through either adapter, and torch.optim's SGD with
momentum and Adam checked step by step against the registry's methods (assert_step)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gdtheory import Objective, sharpness
from gdtheory.errors import InvalidInputError, NotRealError, ShapeError
from gdtheory.models import TwoLayerTanh, eos_network, from_torch, synthetic_regression
from gdtheory.optimizers import Adam, HeavyBall
from gdtheory.testing import assert_step


def _net(seed: int = 0) -> tuple[TwoLayerTanh, object, np.ndarray]:
    X, y = synthetic_regression(16, 3, seed=seed)
    net = TwoLayerTanh(X, y, width=6)
    return net, net.to_torch(), net.init(seed=seed + 1)


def test_loss_grad_and_hvps_equal_the_numpy_network() -> None:
    net, tm, w = _net()
    assert tm.dim == net.dim == 30
    assert tm.layout == (("W", (6, 3)), ("b", (6,)), ("a", (6,)))
    assert tm.loss(w) == pytest.approx(net.loss(w), rel=1e-14)
    np.testing.assert_allclose(tm.grad(w), net.grad(w), rtol=1e-12, atol=1e-15)
    H = np.array([net.hvp(w, e) for e in np.eye(net.dim)])  # hand-written R-operator
    np.testing.assert_allclose(tm.hvps(w, np.eye(tm.dim)), H, rtol=1e-11, atol=1e-14)
    v = np.random.default_rng(3).standard_normal(tm.dim)
    np.testing.assert_allclose(tm.hvp(w, v), H @ v, rtol=1e-11, atol=1e-13)


def test_sharpness_is_the_dense_hessians_top_eigenvalue() -> None:
    net, tm, w = _net(seed=2)
    H = np.array([net.hvp(w, e) for e in np.eye(net.dim)])
    top = float(np.linalg.eigvalsh((H + H.T) / 2)[-1])
    assert abs(sharpness(tm, w) - top) <= 1e-8 * abs(top)


def test_third_derivatives_equal_jax_and_finite_differences() -> None:
    net, tm, w = _net(seed=4)
    jm = net.to_jax()
    rng = np.random.default_rng(5)
    u, v = rng.standard_normal(tm.dim), rng.standard_normal(tm.dim)
    d3 = tm.d3(w, u, v)
    np.testing.assert_allclose(d3, jm.d3(w, u, v), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(d3, tm.d3(w, v, u), rtol=1e-11, atol=1e-14)  # symmetric
    t = 1e-5
    fd = (tm.hvp(w + t * u, v) - tm.hvp(w - t * u, v)) / (2 * t)
    np.testing.assert_allclose(d3, fd, atol=1e-8 * np.abs(fd).max())


def test_flatten_and_unflatten_follow_the_layout() -> None:
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    X, y = torch.randn(8, 3), torch.randn(8, 1)
    tm = from_torch(net, torch.nn.functional.mse_loss, X, y)
    assert [n for n, _ in tm.layout] == [n for n, _ in net.named_parameters()]
    w = tm.flatten(net)
    expect = np.concatenate([p.detach().double().reshape(-1).numpy() for p in net.parameters()])
    np.testing.assert_array_equal(w, expect)
    back = tm.unflatten(w)
    assert all(torch.equal(back[n], p.detach().double()) for n, p in net.named_parameters())
    with torch.no_grad():  # float32 module, float64 evaluation of the same parameters
        ref = torch.nn.functional.mse_loss(net.double()(X.double()), y.double())
    assert tm.loss(w) == pytest.approx(float(ref), rel=1e-14)


def test_a_function_with_params_and_a_loss_without_loss_fn() -> None:
    def fn(p, x):
        return torch.tanh(x @ p["W"]) @ p["a"]

    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((2, 3)), "a": rng.standard_normal(3)}
    x, y = rng.standard_normal((5, 2)), rng.standard_normal(5)
    a = from_torch(fn, lambda out, t: 0.5 * ((out - t) ** 2).mean(), x, y, params=params)
    b = from_torch(lambda p, x, t: 0.5 * ((fn(p, x) - t) ** 2).mean(), None, x, y, params=params)
    w = a.flatten(params)
    assert a.loss(w) == b.loss(w)
    np.testing.assert_array_equal(a.hvp(w, w), b.hvp(w, w))


def test_bad_input_is_named() -> None:
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(0.5), torch.nn.Linear(3, 1))
    X, y = torch.randn(64, 2), torch.randn(64, 1)
    with pytest.raises(InvalidInputError, match="eval"):
        from_torch(net, torch.nn.functional.mse_loss, X, y)
    net.eval()
    tm = from_torch(net, torch.nn.functional.mse_loss, X, y)  # deterministic in eval mode
    with pytest.raises(ShapeError):
        tm.loss(np.zeros(3))
    with pytest.raises(ShapeError):
        tm.flatten({"x": torch.zeros(2)})
    with pytest.raises(InvalidInputError, match="params="):
        from_torch(lambda p, x: x, None, X)
    with pytest.raises(InvalidInputError, match="torch.nn.Module or a function"):
        from_torch(3, None, X)
    with pytest.raises(ShapeError, match="scalar"):
        from_torch(net, lambda out, t: (out - t) ** 2, X, y)
    with pytest.raises(NotRealError):
        from_torch(net, lambda out, t: torch.mean(out - t) * 1j, X, y)
    with pytest.raises(InvalidInputError, match="failed at the start"):
        from_torch(net, torch.nn.functional.mse_loss, torch.randn(4, 5), y)
    with pytest.raises(InvalidInputError, match="give the data"):
        from_torch(net, torch.nn.functional.mse_loss)


def test_central_flow_is_the_same_through_torch_and_jax() -> None:
    from gdtheory import central_flow

    net = eos_network()
    w0 = net.init(seed=0)
    times = [0.0, 0.2, 0.4]
    a = central_flow(net.to_jax(), w0, times, h=0.05, k=1)
    b = central_flow(net.to_torch(), w0, times, h=0.05, k=1)
    np.testing.assert_allclose(a.states[-1], b.states[-1], rtol=1e-9, atol=1e-12)


F = Objective.parse("x**2/2 + x*y + y**4/4 + sin(x)/3")


def _grad_torch(x: torch.Tensor) -> torch.Tensor:
    p = x.detach().clone().requires_grad_(True)
    loss = p[0] ** 2 / 2 + p[0] * p[1] + p[1] ** 4 / 4 + torch.sin(p[0]) / 3
    (g,) = torch.autograd.grad(loss, p)
    return g


def test_torch_sgd_with_momentum_is_heavy_ball() -> None:
    """torch.optim.SGD(momentum=mu): buf = mu buf + g, p -= lr buf; with buf = -v/h this is
    the registry's heavy ball v' = beta v - h g, x' = x + v'."""

    def step(x, v, h):
        p = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=h, momentum=0.9)
        opt.state[p]["momentum_buffer"] = torch.tensor(-np.asarray(v) / h)
        p.grad = _grad_torch(p)
        opt.step()
        buf = opt.state[p]["momentum_buffer"].numpy()
        return p.detach().numpy(), -h * buf

    for x, v in (([0.3, -1.2], [0.1, 0.05]), ([2.0, 0.5], [-0.3, 0.0])):
        assert assert_step(HeavyBall("9/10"), step, F, x, v=v, h=0.05).passed
    with pytest.raises(AssertionError):  # the check can fail: momentum 0.8 is not beta 0.9
        assert_step(HeavyBall("4/5"), step, F, [0.3, -1.2], v=[0.1, 0.05], h=0.05)


def test_torch_adam_is_the_registrys_adam() -> None:
    def step(x, state, h):
        m, v, t = state
        p = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=h, betas=(0.9, 0.999), eps=1e-8)
        opt.state[p]["step"] = torch.tensor(float(t[0]), dtype=torch.float64)
        opt.state[p]["exp_avg"] = torch.tensor(np.asarray(m, dtype=float))
        opt.state[p]["exp_avg_sq"] = torch.tensor(np.asarray(v, dtype=float))
        p.grad = _grad_torch(p)
        opt.step()
        s = opt.state[p]
        t1 = float(s["step"])
        return p.detach().numpy(), (s["exp_avg"].numpy(), s["exp_avg_sq"].numpy(), [t1, t1])

    adam = Adam("9/10", "999/1000", "1e-8")
    zero = ([0.0, 0.0], [0.0, 0.0], [0, 0])
    later = ([0.2, -0.1], [0.05, 0.01], [7, 7])
    for state in (zero, later):
        assert assert_step(adam, step, F, [0.3, -1.2], state=state, h=1e-3).passed

    def steady(x, state, h):  # torch's step at t = 7 passed off as Adam without correction
        x1, (m1, v1, _) = step(x, (*state, [7, 7]), h)
        return x1, (m1, v1)

    with pytest.raises(AssertionError):
        assert_step(
            Adam("9/10", "999/1000", "1e-8", bias_correction=False),
            steady,
            F,
            [0.3, -1.2],
            state=later[:2],
            h=1e-3,
        )
