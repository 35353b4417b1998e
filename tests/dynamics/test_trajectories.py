"""GD engines: closed forms, exact h, statuses, float vs high precision, theorem properties."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from gdtheory import (
    InvalidInputError,
    Objective,
    PrecisionError,
    ShapeError,
    Status,
    gd,
    gd_batch,
    run,
    trajectory,
)
from gdtheory.core.regimes import Regime
from gdtheory.objectives import double_well, quadratic, scalar_factorization
from gdtheory.optimizers import GD, SGD, HeavyBall, Method, Nesterov
from gdtheory.testing import learning_rates, quadratics, smooth_objectives


@pytest.mark.parametrize("L", [1, 3, sp.Rational(7, 2)])
@pytest.mark.parametrize("c", [sp.Rational(1, 3), sp.Rational(3, 2), sp.Rational(19, 10)])
def test_quadratic_matches_closed_form_to_45_digits(L, c):
    h = c / L
    t = gd(quadratic([L]), "2/7", h=h, steps=60, dps=50)
    with mpmath.workdps(80):
        q = 1 - mpmath.mpf(c.p) / c.q
        for k, x in enumerate(t.iterates):
            exact = q**k * mpmath.mpf(2) / 7
            assert abs(x[0] - exact) <= mpmath.mpf(10) ** -45 * abs(exact)


def test_exact_h_is_honoured():
    """h = "19/10" and the float 1.9 are different numbers; chaotic GD shows it."""
    f = scalar_factorization()
    a = gd(f, ("1/5", 3), h="19/10", steps=8, dps=60)
    b = gd(f, ("1/5", 3), h=Fraction(19, 10), steps=8, dps=60)
    c = gd(f, ("1/5", 3), h=1.9, steps=8, dps=60)
    assert a.iterates == b.iterates
    assert a.h == sp.Rational(19, 10) and c.h != sp.Rational(19, 10)
    assert a.iterates[1] != c.iterates[1]


def test_statuses_and_decision_step():
    q = quadratic([1])
    conv = gd(q, 1, h="1/2", steps=500, tol="1e-20")
    assert conv.status is Status.CONVERGED and conv.decided_at == conv.steps
    assert float(conv.grad_norms[-1]) <= 1e-20
    assert conv.decided_at == 67  # 2^-67 < 1e-20 < 2^-66
    div = gd(q, 1, h=3, steps=1000)
    assert div.status is Status.DIVERGED
    # |x_k| = 2^k passes 1e30 first at k = 100
    assert div.decided_at == 100 and all(mpmath.isfinite(c) for p in div.iterates for c in p)
    ms = gd(q, 1, h="1/2", steps=5)
    assert ms.status == "max_steps" and ms.steps == 5
    assert "Increase `steps`" in ms.message


def test_leaving_the_domain_is_divergence_not_a_complex_number():
    t = gd(Objective.parse("log(x) + x**2"), 1, h=2, steps=10)
    assert t.status is Status.DIVERGED and "not real" in t.reason


@pytest.mark.parametrize(
    ("kwargs", "err"),
    [
        ({"h": 0}, InvalidInputError),
        ({"h": -1}, InvalidInputError),
        ({"h": "nan"}, InvalidInputError),
        ({"steps": -1}, InvalidInputError),
        ({"steps": 2.5}, InvalidInputError),
        ({"dps": 3}, PrecisionError),
        ({"x0": [1, 2, 3]}, ShapeError),
        ({"tol": -1}, InvalidInputError),
    ],
)
def test_bad_input(kwargs, err):
    args = {"objective": scalar_factorization(), "x0": [1, 1], "h": "1/2", "steps": 3} | kwargs
    with pytest.raises(err):
        gd(**args)


def test_batch_agrees_with_high_precision_and_broadcasts():
    f = double_well()
    x0s = np.array([[0.3], [1.7], [-2.0]])
    hs = np.array([0.1, 0.5, 0.9])
    r = gd_batch(f, x0s[:, None, :], hs=hs[None, :], steps=50)
    assert r.x.shape == (3, 3, 1) and r.status.shape == (3, 3)
    assert r.count("diverged") >= 1  # x0 = -2, h = 0.9 escapes
    for i in range(3):
        for j in range(3):
            t = gd(f, x0s[i, 0], h=hs[j], steps=50, dps=30)
            assert r.status[i, j] == t.status.value and r.decided_at[i, j] == t.decided_at
            if t.status != "diverged":
                assert r.x[i, j, 0] == pytest.approx(float(t.x[0]), rel=1e-9, abs=1e-12)


def test_batch_statuses_and_freezing():
    r = gd_batch(quadratic([1]), [[1.0]], hs=[0.5, 1.0, 3.0], steps=200, tol=1e-12, record=True)
    assert r.status.tolist() == ["converged", "converged", "diverged"]
    assert r.decided_at.tolist() == [40, 1, 100]
    assert np.all(np.isfinite(r.x[:2])) and np.isnan(r.x[2, 0])  # diverged: NaN
    assert r.history.shape == (201, 3, 1) and r.history[0, 2, 0] == 1.0
    assert np.all(r.history[40:, 0] == r.x[0]) and np.all(r.history[1:, 1] == 0.0)  # frozen
    assert np.all(r.history[-1, :2] == r.x[:2]) and np.isnan(r.history[100:, 2]).all()
    assert np.isfinite(r.history[:100, 2]).all()  # |(-2)^99| < 1e30 < 2^100
    assert r.count("diverged") == 1


def test_batch_bad_input():
    with pytest.raises(InvalidInputError, match="broadcast"):
        gd_batch(quadratic([1]), np.zeros((3, 1)), hs=np.ones(4), steps=5)
    with pytest.raises(InvalidInputError):
        gd_batch(quadratic([1]), [[1.0]], hs=[0.0], steps=5)
    with pytest.raises(InvalidInputError):
        gd_batch(quadratic([1]), [[np.inf]], hs=[0.1], steps=5)


@given(smooth_objectives(dim=2, L_max=4), st.data())
def test_descent_lemma_holds_at_every_step(inst, data):
    """T1: f(x_{k+1}) <= f(x_k) - h(1 - Lh/2)|g_k|^2 for h < 2/L (property)."""
    L = inst.L
    h = data.draw(
        st.sampled_from(
            [learning_rates(Regime.GRADIENT_FLOW_LIKE, L), learning_rates(Regime.OSCILLATORY, L)]
        ).flatmap(lambda s: s)
    )
    x0 = data.draw(st.tuples(st.integers(-40, 40), st.integers(-40, 40)))
    x0 = tuple(sp.Rational(v, 8) for v in x0)
    t = gd(inst.objective, [str(v) for v in x0], h=h, steps=25, dps=30)
    assert t.status != "diverged"
    with mpmath.workdps(30):
        c = mpmath.mpf(h.p) / h.q * (1 - mpmath.mpf(L.p) / L.q * mpmath.mpf(h.p) / h.q / 2)
        for k in range(t.steps):
            slack = t.f_values[k] - c * t.grad_norms[k] ** 2 - t.f_values[k + 1]
            assert slack >= -(mpmath.mpf(10) ** -24) * (1 + abs(t.f_values[k])), (k, slack)


@given(quadratics(dim=3, spectrum=(-4, 4)), st.data())
def test_quadratic_beyond_stability_diverges_in_both_engines(inst, data):
    h = data.draw(
        learning_rates(Regime.BEYOND_STABILITY, inst.L).filter(
            lambda v: v * inst.L >= sp.Rational(22, 10)
        )
    )
    # x0 along the top eigenvector plus a generic part: the unstable component is nonzero
    A = np.array(inst.A.tolist(), dtype=float)
    w, V = np.linalg.eigh(A)
    x0 = V[:, np.argmax(np.abs(w))] + 0.1 * np.ones(3)
    r = gd_batch(inst.objective, x0, hs=float(h), steps=2000)
    assert r.status.item() == "diverged"
    t = gd(inst.objective, x0.tolist(), h=h, steps=2000, dps=20)
    assert t.status is Status.DIVERGED


# ------------------------------------------------ trajectory: any method at high precision
@dataclass(frozen=True)
class _DoubleGD(Method):
    """A user's method: GD at twice the rate."""

    def update(self, grad, x, state, h):
        return [a - 2 * h * b for a, b in zip(x, grad(x), strict=True)], ()


def test_trajectory_of_gd_is_gd_and_a_users_method_runs():
    f = scalar_factorization()
    a = gd(f, ("1/5", 3), h="1/10", steps=30, dps=40)
    b = trajectory(GD(), f, ("1/5", 3), h="1/10", steps=30, dps=40)
    c = trajectory(_DoubleGD(), f, ("1/5", 3), h="1/20", steps=30, dps=40)
    assert a.iterates == b.iterates == c.iterates  # 2 * round(h/2) = round(h) in binary
    assert c.method == "_DoubleGD" and b.state == () and "_DoubleGD" in repr(c)


@pytest.mark.parametrize("cls", [HeavyBall, Nesterov])
def test_momentum_at_high_precision_is_the_exact_recurrence(cls):
    """f = x^2/2 + 2 y^2, beta = 3/4, h = 1/5: the linear recurrence in rationals, to 45
    digits, and the float64 runner to 1e-13."""
    beta, h, steps = sp.Rational(3, 4), sp.Rational(1, 5), 40
    t = trajectory(cls(beta), "x**2/2 + 2*y**2", ["1", "-1"], h=h, steps=steps, dps=50)
    r = run(cls(beta), "x**2/2 + 2*y**2", [[1.0, -1.0]], hs=0.2, steps=steps)
    c = 1 if cls is Nesterov else 0
    for i, lam in enumerate((1, 4)):
        prev = cur = sp.Integer((1, -1)[i])
        for _ in range(steps):
            y = cur + c * beta * (cur - prev)
            prev, cur = cur, cur + beta * (cur - prev) - h * lam * y
        with mpmath.workdps(60):
            assert abs(t.x[i] - mpmath.mpf(sp.N(cur, 60))) < mpmath.mpf(10) ** -45
            assert abs(t.state[0][i] - mpmath.mpf(sp.N(cur - prev, 60))) < mpmath.mpf(10) ** -45
        assert float(t.x[i]) == pytest.approx(r.x[0, i], rel=1e-12, abs=1e-14)


def test_trajectory_statuses_and_refusals():
    hb = HeavyBall("1/2")
    t = trajectory(hb, "x**2/2", 1, h=5, steps=200)
    assert t.status == Status.DIVERGED and "bound" in t.reason
    assert trajectory(hb, "x**2/2", 1, h="1/2", steps=500, tol="1e-30").status == "converged"
    # Nesterov's look-ahead point 1 - 27/10 is outside the domain of log: diverged at
    # step 1 (x_1 is not a number); heavy ball reaches x_1 = -9/5, where f is not real
    u = trajectory(Nesterov("9/10"), "x*log(x)", 1, h="1/10", steps=5, state0=[-3])
    assert u.status == Status.DIVERGED and u.decided_at == 1 and "not real" in u.reason
    w = trajectory(HeavyBall("9/10"), "x*log(x)", 1, h="1/10", steps=5, state0=[-3])
    assert w.decided_at == 1 and float(w.x[0]) == pytest.approx(-1.8, rel=1e-15)
    assert "f or grad f" in w.reason
    # v_1 = v_0/2 - h x_0 = 1/8 - 1/2 = -3/8, x_1 = 1 - 3/8
    s = trajectory(hb, "x**2/2", 1, h="1/2", steps=1, state0=["1/4"])
    assert s.x[0] == mpmath.mpf("0.625") and s.state[0][0] == mpmath.mpf("-0.375")
    with pytest.raises(InvalidInputError, match="samples its gradients"):
        trajectory(SGD(), ["x**2", "x**2/2"], 1, h=1, steps=2)
    with pytest.raises(InvalidInputError, match="has no state"):
        trajectory(GD(), "x**2", 1, h=1, steps=2, state0=[1])
    with pytest.raises(ShapeError):
        trajectory(hb, "x**2 + y**2", [1, 1], h=1, steps=2, state0=[1, 2, 3])
