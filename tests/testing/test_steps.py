"""assert_step (testing.steps): correct implementations of every method pass; the
classic bugs (velocity one step late, Nesterov's gradient at x, a minibatch gradient
summed instead of averaged, P transposed) are caught with their error in ulps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import Objective
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import GD, SGD, HeavyBall, Method, Nesterov, Preconditioned
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
    with pytest.raises(InvalidInputError, match=r"needs its state \(.v.,\) before the step"):
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


# ------------------------------------------------ a user's method, defined outside gdtheory
@dataclass(frozen=True)
class ClippedGD(Method):
    """x' = x - h g / sqrt(1 + |g|^2): a smoothly clipped gradient step."""

    def update(self, grad, x, state, h):
        g = grad(x)
        scale = (1 + sum(gi * gi for gi in g)) ** -0.5
        return [a - h * scale * b for a, b in zip(x, g, strict=True)], ()


@dataclass(frozen=True)
class Averaged(Method):
    """m' = c m + (1 - c) g(x), x' = x - h m', c = 3/10: fast state m."""

    c: object = sp.Rational(3, 10)
    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        c = self.num(self.c, x[0])
        m1 = [c * mi + (1 - c) * gi for mi, gi in zip(m, grad(x), strict=True)]
        return [a - h * b for a, b in zip(x, m1, strict=True)], (m1,)


def clipped(x, h):
    g = F.grad_np(x)
    return x - h * g / np.sqrt(1 + g @ g)


def averaged(x, state, h):
    (m,) = state
    m = 0.3 * m + 0.7 * F.grad_np(x)
    return x - h * m, (m,)


def averaged_wrong(x, state, h):  # the new position uses the old average
    (m,) = state
    return x - h * m, (0.3 * m + 0.7 * F.grad_np(x),)


@given(x=st.tuples(coords, coords), m=st.tuples(coords, coords), h=st.floats(0.01, 0.5))
@settings(max_examples=25, deadline=None)
def test_a_users_methods_are_checked_on_their_own_formula(x, m, h) -> None:
    c = assert_step(ClippedGD(), clipped, F, list(x), h=h)
    assert c.passed and len(c.ulps) == 2
    a = assert_step(Averaged(), averaged, F, list(x), state=(list(m),), h=h)
    assert a.passed and len(a.ulps) == 4 and a.max_ulps_seen <= 32
    # one state variable: a single vector is the state too
    assert assert_step(Averaged(), averaged, F, list(x), state=list(m), h=h).ulps == a.ulps


def test_a_users_wrong_implementation_is_caught() -> None:
    x, m = [0.7, -0.4], [0.3, 0.2]
    with pytest.raises(AssertionError, match=r"Averaged .* m = \[0.3, 0.2\].*: x'\[0\]"):
        assert_step(Averaged(), averaged_wrong, F, x, state=(m,), h=0.1)
    with pytest.raises(AssertionError, match="ClippedGD step off by"):
        assert_step(ClippedGD(), lambda z, hh: z - hh * F.grad_np(z), F, x, h=0.1)
    with pytest.raises(AssertionError, match="state' as 1 vectors"):
        assert_step(Averaged(), lambda z, s, hh: (z, (z, z)), F, x, state=(m,), h=0.1)
    with pytest.raises(InvalidInputError, match="has no state"):
        assert_step(ClippedGD(), clipped, F, x, h=0.1, state=(m,))
    with pytest.raises(InvalidInputError, match="not both"):
        assert_step(Averaged(), averaged, F, x, h=0.1, state=(m,), v=m)


def test_the_general_convention_for_heavy_ball_is_the_shorthand() -> None:
    x, v = [0.7, -0.4], [0.3, 0.2]
    a = assert_step(HeavyBall("9/10"), hb, F, x, v=v, h=0.1)
    b = assert_step(
        HeavyBall("9/10"),
        lambda z, s, hh: (lambda r: (r[0], (r[1],)))(hb(z, s[0], hh)),
        F,
        x,
        state=(v,),
        h=0.1,
    )
    assert a.ulps == b.ulps and a.expected == b.expected
