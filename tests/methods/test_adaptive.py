"""RMSProp, Adam and AdamW on the registry (methods.adaptive), and every built-in method's
edge of stability against the spectral radius of its own update, linearised."""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import pytest
import sympy as sp

import gdtheory as gt
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import GD, SGD, Adam, AdamW, HeavyBall, Method, Nesterov, RMSProp


def test_hyperparameters_are_exact_symbolic_or_refused():
    a = Adam(beta1="0.9", beta2="999/1000", eps="1e-8")
    assert a.beta1 == sp.Rational(9, 10) and a.eps == sp.Rational(1, 10**8)
    assert Adam(beta1="b1", beta2="b2", eps="eps").beta1 == sp.Symbol("b1", positive=True)
    for bad, match in [
        ({"beta1": "1", "beta2": "1/2", "eps": "0"}, r"beta1 must lie in \[0, 1\)"),
        ({"beta1": "1/2", "beta2": "-1/2", "eps": "0"}, "beta2 must lie"),
        ({"beta1": "1/2", "beta2": "1/2", "eps": "-1"}, "eps must be >= 0"),
        ({"beta1": "1/2", "beta2": "1/2"}, "eps is required"),
    ]:
        with pytest.raises(InvalidInputError, match=match):
            Adam(**bad)
    with pytest.raises(InvalidInputError, match="bias_correction must be True or False"):
        Adam(beta1="1/2", beta2="1/2", eps="0", bias_correction="yes")
    with pytest.raises(InvalidInputError, match="weight_decay must be >= 0"):
        AdamW(beta1="1/2", beta2="1/2", eps="0", weight_decay="-1")
    with pytest.raises(InvalidInputError, match="adamw needs its hyperparameters"):
        gt.optimizers.as_method("adamw")


def test_the_state_follows_bias_correction():
    assert Adam(beta1=0, beta2=0, eps=0).state == ("m", "v", "t")
    assert Adam(beta1=0, beta2=0, eps=0, bias_correction=False).state == ("m", "v")
    assert RMSProp(beta2=0, eps=0).state == ("v",)
    assert not Adam(beta1=0, beta2=0, eps=0).autonomous


def test_three_steps_match_the_recursion_written_out():
    """Adam from zero state for three steps on g(x) = 2x, against the textbook formulas
    evaluated in exact rationals (eps = 1/1000, beta1 = 1/2, beta2 = 3/4, h = 1/10)."""
    a = Adam(beta1="1/2", beta2="3/4", eps="1/1000")
    x, state = [mpmath.mpf(1)], a.init_state([mpmath.mpf(1)])
    xr, m, v = sp.Integer(1), sp.Integer(0), sp.Integer(0)
    b1, b2, e, hh = sp.Rational(1, 2), sp.Rational(3, 4), sp.Rational(1, 1000), sp.Rational(1, 10)
    with mpmath.workdps(40):
        for t in range(1, 4):
            x, state = a.update(lambda y: [2 * y[0]], x, state, mpmath.mpf(1) / 10)
            g = 2 * xr
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
            xr = xr - hh * (m / (1 - b1**t)) / (sp.sqrt(v / (1 - b2**t)) + e)
            assert abs(x[0] - mpmath.mpf(sp.N(xr, 50))) < mpmath.mpf(10) ** -35


def test_adamw_decays_the_point_not_the_gradient():
    """AdamW = Adam's step from (1 - h lambda) x, with the gradient taken at x."""
    kw = {"beta1": "1/2", "beta2": "3/4", "eps": "1/1000"}
    w, a = AdamW(**kw, weight_decay="1/5"), Adam(**kw)
    st = ([0.3], [0.2], [2.0])
    xw, _ = w.update(lambda y: [y[0] ** 3], [1.5], st, 0.1)
    xa, _ = a.update(lambda y: [1.5**3], [1.5 * (1 - 0.1 * 0.2)], st, 0.1)
    assert xw[0] == pytest.approx(xa[0], rel=1e-15)


# ---------------------------------------------------------------- edge of stability
@dataclass(frozen=True)
class FrozenAdam(Method):
    """Adam with its preconditioner frozen at P = I (Cohen et al.'s isolation of the
    threshold): m' = beta1 m + (1 - beta1) g, x' = (1 - h w) x - h m'."""

    beta1: object = sp.Rational(9, 10)
    w: object = sp.Integer(0)
    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        g = grad(x)
        m1 = [self.beta1 * a + (1 - self.beta1) * b for a, b in zip(m, g, strict=True)]
        return [(1 - h * self.w) * a - h * b for a, b in zip(x, m1, strict=True)], (m1,)


def numerical_threshold(method: Method, h: float) -> float:
    """The curvature lambda at which the update on lambda x^2/2, linearised (exactly linear
    here) in (x, state), gets spectral radius 1: bisection on the matrix of the update
    applied to the unit vectors."""

    def radius(lam: float) -> float:
        k = 1 + len(method.state)
        M = np.zeros((k, k))
        for j in range(k):
            e = [0.0] * k
            e[j] = 1.0
            x1, s1 = method.update(lambda y: [lam * y[0]], [e[0]], tuple([v] for v in e[1:]), h)
            M[:, j] = [x1[0], *(s[0] for s in s1)]
        return float(max(abs(np.linalg.eigvals(M))))

    lo, hi = 1e-6, 1e6
    for _ in range(200):
        mid = (lo * hi) ** 0.5
        lo, hi = (mid, hi) if radius(mid) < 1 else (lo, mid)
    return hi


@pytest.mark.parametrize(
    ("method", "closed_form"),
    [
        (GD(), GD()),
        (SGD(), SGD()),
        (HeavyBall("9/10"), HeavyBall("9/10")),
        (Nesterov("9/10"), Nesterov("9/10")),
        (FrozenAdam(), Adam(beta1="9/10", beta2="999/1000", eps="1e-8")),
        (
            FrozenAdam(w=sp.Rational(1, 2)),
            AdamW(beta1="9/10", beta2="999/1000", eps="1e-8", weight_decay="1/2"),
        ),
        (FrozenAdam(beta1=sp.Integer(0)), RMSProp(beta2="99/100", eps="1e-8")),
    ],
    ids=["gd", "sgd", "heavy-ball", "nesterov", "adam", "adamw", "rmsprop"],
)
def test_edge_threshold_is_where_the_linearised_update_turns_unstable(method, closed_form):
    h = 0.1
    threshold = gt.edge_threshold(closed_form, h=h)
    assert numerical_threshold(method, h) == pytest.approx(float(threshold), rel=1e-9)


def test_the_adaptive_edge_of_the_issue():
    """(2 + 2 beta1)/((1 - beta1) h) = 38/h at beta1 = 9/10: 3800 at h = 1/100."""
    assert gt.edge_threshold(Adam(beta1="9/10", beta2="999/1000", eps="1e-8"), h="1/100") == 3800
    with pytest.raises(InvalidInputError, match="declares no stability threshold"):
        gt.edge_threshold(FrozenAdam(), h="1/10")


def test_float_hyperparameters_are_the_fractions_they_stand_for():
    """beta1=0.9 and "9/10" are one method (the simplest fraction whose double is 0.9), so
    a float never turns the formulas into 2^-k binary fractions."""
    from gdtheory.optimizers import HeavyBall

    assert Adam(0.9, 0.999, 1e-8) == Adam("9/10", "999/1000", "1e-8")
    assert HeavyBall(0.9).beta == sp.Rational(9, 10)
    assert RMSProp(0.99, 1e-8, eps_root=0.5).eps_root == sp.Rational(1, 2)
