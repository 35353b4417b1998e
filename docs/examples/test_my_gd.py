"""An external test module: testing your own GD code with gdtheory as the oracle.

Copy this file into your project's tests and replace ``my_gd_step`` (and the
PyTorch-style step) by your implementations.  With gdtheory installed, pytest finds the
``gd_oracle`` fixture by itself (gdtheory registers a pytest plugin).

For the demonstration, ``GDTHEORY_EXAMPLE_STEP`` selects a step with a planted bug:
``correct`` (default), ``sign`` (x + h g) or ``half`` (x - h g / 2).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory.testing import learning_rates, smooth_objectives

VARIANT = os.environ.get("GDTHEORY_EXAMPLE_STEP", "correct")


def my_gd_step(grad, x, h):
    """The code under test: one step of gradient descent (NumPy)."""
    if VARIANT == "sign":
        return x + h * grad(x)
    if VARIANT == "half":
        return x - 0.5 * h * grad(x)
    return x - h * grad(x)


def test_one_step_on_a_known_objective(gd_oracle):
    f = gd_oracle.objective("logcosh(x - 2*y) + x**2/4 + y**4/8")
    gd_oracle.assert_step(lambda x, h: my_gd_step(f.grad_np, x, h), f, [0.7, -1.3], h=0.05)


@given(
    inst=smooth_objectives(dim=3),
    x=st.lists(st.floats(-5, 5), min_size=3, max_size=3),
    data=st.data(),
)
@settings(max_examples=50, deadline=None)
def test_one_step_on_random_smooth_objectives(gd_oracle, inst, x, data):
    h = data.draw(learning_rates("oscillatory", inst.L))
    f = inst.objective
    gd_oracle.assert_step(lambda z, hh: my_gd_step(f.grad_np, z, hh), f, x, h=float(h))


def test_a_trajectory_carries_the_modified_equation_fingerprint(gd_oracle):
    f = gd_oracle.objective("logcosh(x) + x**2/4")
    xs = [np.array([1.5])]
    for _ in range(20):
        xs.append(my_gd_step(f.grad_np, xs[-1], 0.1))
    gd_oracle.assert_modified_equation(np.array(xs), f, h=0.1, order=2)


def test_the_regime_on_a_quadratic(gd_oracle):
    f = gd_oracle.objective("x**2/2 + 2*y**2")  # L = 4
    xs = [np.array([1.0, 1.0])]
    for _ in range(12):
        xs.append(my_gd_step(f.grad_np, xs[-1], 0.4))  # 1/L < h < 2/L: oscillatory
    gd_oracle.assert_regime(np.array(xs), f, h=0.4, L=4)


def test_a_pytorch_style_step(gd_oracle):
    torch = pytest.importorskip("torch")

    def torch_step(x, h):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        loss = torch.log(torch.cosh(t[0] - 2 * t[1])) + t[0] ** 2 / 4 + t[1] ** 4 / 8
        (g,) = torch.autograd.grad(loss, t)
        sign = 1.0 if VARIANT == "sign" else -1.0
        scale = 0.5 if VARIANT == "half" else 1.0
        with torch.no_grad():
            return (t + sign * scale * h * g).numpy()

    f = gd_oracle.objective("logcosh(x - 2*y) + x**2/4 + y**4/8")
    gd_oracle.assert_step(torch_step, f, [0.7, -1.3], h=0.05)
