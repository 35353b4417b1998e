"""assert_step (testing.steps): correct implementations of every method pass; the
classic bugs (velocity one step late, Nesterov's gradient at x, a minibatch gradient
summed instead of averaged, P transposed) are caught with their error in ulps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import Objective
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import GD, SGD, HeavyBall, Nesterov, Preconditioned
from gdtheory.testing import assert_gd_step, assert_step

F = Objective.parse("x**4/4 + x*y + logcosh(y)")
FS = [Objective.parse(t, ["x", "y"]) for t in ("(x - 1)**2/2 + y**2", "(x + y)**2/4", "x*y + x**2")]
BETA = 0.9


def hb(x, v, h):
    v = BETA * v - h * F.grad_np(x)
    return x + v, v


def hb_late(x, v, h):  # the position moves with the *old* velocity
    v_new = BETA * v - h * F.grad_np(x)
    return x + v, v_new


def nesterov(x, v, h):
    v = BETA * v - h * F.grad_np(x + BETA * v)
    return x + v, v


def sgd(x, h, batch):
    return x - h * np.mean([FS[i].grad_np(x) for i in batch], axis=0)


def sgd_summed(x, h, batch):  # the minibatch gradient is not rescaled by 1/b
    return x - h * np.sum([FS[i].grad_np(x) for i in batch], axis=0)


coords = st.floats(-2, 2, allow_nan=False).filter(lambda t: abs(t) > 1e-3)


@given(x=st.tuples(coords, coords), v=st.tuples(coords, coords), h=st.floats(0.01, 0.5))
@settings(max_examples=30, deadline=None)
def test_correct_implementations_pass(x, v, h) -> None:
    r = assert_step(HeavyBall("9/10"), hb, F, list(x), v=list(v), h=h)
    assert r.passed and r.max_ulps_seen <= 32 and len(r.ulps) == 4
    assert assert_step(Nesterov("9/10"), nesterov, F, list(x), v=list(v), h=h).passed
    assert assert_step(SGD(batch=2), sgd, FS, list(x), h=h, batch=[0, 2]).passed
    P = np.array([[2.0, 1.0], [1.0, 1.0]])
    pre = assert_step(
        Preconditioned([[2, 1], [1, 1]]), lambda z, hh: z - hh * P @ F.grad_np(z), F, list(x), h=h
    )
    assert pre.passed
    assert assert_step(GD(), lambda z, hh: z - hh * F.grad_np(z), F, list(x), h=h).passed


def test_the_classic_bugs_are_caught() -> None:
    x, v = [0.7, -0.4], [0.3, 0.2]
    with pytest.raises(AssertionError, match=r"HeavyBall step off by .* x'\[\d\]"):
        assert_step(HeavyBall("9/10"), hb_late, F, x, v=v, h=0.1)
    with pytest.raises(AssertionError, match="Nesterov step off by"):
        assert_step(Nesterov("9/10"), hb, F, x, v=v, h=0.1)  # gradient at x, not x + beta v
    with pytest.raises(AssertionError, match=r"SGD step off by .* batch = \[0, 1\]"):
        assert_step(SGD(batch=2), sgd_summed, FS, x, h=0.1)
    P = np.array([[2.0, 1.0], [0.0, 1.0]])  # not the P declared
    with pytest.raises(AssertionError, match="Preconditioned step off by"):
        assert_step(
            Preconditioned([[2, 1], [1, 1]]), lambda z, hh: z - hh * P @ F.grad_np(z), F, x, h=0.1
        )


def test_assert_gd_step_is_assert_step_of_gd() -> None:
    step = lambda z, hh: z - hh * F.grad_np(z)  # noqa: E731
    a = assert_gd_step(step, F, [0.3, 1.1], h=0.2)
    b = assert_step(GD(), step, F, [0.3, 1.1], h=0.2)
    assert a.ulps == b.ulps and a.expected == b.expected


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="velocity"):
        assert_step(HeavyBall("1/2"), hb, F, [0.1, 0.2], h=0.1)
    with pytest.raises(InvalidInputError, match="indices"):
        assert_step(SGD(), sgd, FS, [0.1, 0.2], h=0.1, batch=[5])
    with pytest.raises(InvalidInputError, match="no minibatch"):
        assert_step(GD(), sgd, F, [0.1, 0.2], h=0.1, batch=[0])
    with pytest.raises(AssertionError, match="pair"):
        assert_step(HeavyBall("1/2"), lambda x, v, h: x, F, [0.1, 0.2], v=[0, 0], h=0.1)


@pytest.mark.parametrize("x", [1e308, -1.7e308, 8.98e307])
def test_a_correct_step_near_the_top_of_the_float_range_passes(x: float) -> None:
    """At x = 1e308 the scale |x| + h kappa exceeds the float range; counting ulps in
    mpmath keeps a correct step at a fraction of an ulp (it was 'off by nan ulps'), and a
    wrong one is still caught."""
    f = Objective.parse("x**2/4")
    check = assert_gd_step(lambda X, h: X - h * f.grad_np(X), f, [x], h=1.9)
    assert check.passed and check.max_ulps_seen < 1
    with pytest.raises(AssertionError, match="ulps"):
        assert_gd_step(lambda X, h: X - 1.0001 * h * f.grad_np(X), f, [x], h=1.9)
