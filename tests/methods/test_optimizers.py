"""The optimiser vocabulary (core.optimizers): one update formula over three
arithmetics, equal to the two-step recurrences of the issue."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import GD, SGD, HeavyBall, Nesterov, Preconditioned, as_method

x, y, b, hh = sp.symbols("x y beta h")
F = x**4 / 4 + x * y + y**2


def grad(p):
    return [sp.diff(F, x).subs({x: p[0], y: p[1]}), sp.diff(F, y).subs({x: p[0], y: p[1]})]


def test_momentum_steps_are_the_two_step_recurrences() -> None:
    """x_{k+1} = x_k - h g(x_k) + beta (x_k - x_{k-1}) and, for Nesterov, the same with
    the gradient at y_k = x_k + beta (x_k - x_{k-1})."""
    xk, xm = sp.symbols("a0 a1"), sp.symbols("c0 c1")
    v = [xk[i] - xm[i] for i in range(2)]
    hb, _ = HeavyBall(b).step(grad, list(xk), v, hh)
    want = [xk[i] - hh * grad(xk)[i] + b * v[i] for i in range(2)]
    assert all(sp.expand(p - q) == 0 for p, q in zip(hb, want, strict=True))
    yk = [xk[i] + b * v[i] for i in range(2)]
    ne, vn = Nesterov(b).step(grad, list(xk), v, hh)
    want = [yk[i] - hh * grad(yk)[i] for i in range(2)]
    assert all(sp.expand(p - q) == 0 for p, q in zip(ne, want, strict=True))
    assert all(sp.expand(vn[i] - (ne[i] - xk[i])) == 0 for i in range(2))


@pytest.mark.parametrize(
    "method",
    [GD(), HeavyBall("3/4"), Nesterov("1/3"), Preconditioned([[2, 1], [1, 1]])],
)
def test_one_formula_in_three_arithmetics(method) -> None:
    p, v, h = (
        [sp.Rational(1, 3), sp.Rational(-2, 5)],
        [sp.Rational(1, 7), sp.Rational(1, 9)],
        sp.Rational(1, 10),
    )
    exact, _ = method.step(grad, p, v, h)
    fl, _ = method.step(
        lambda q: [float(e) for e in grad([sp.nsimplify(c) for c in q])],
        [float(c) for c in p],
        [float(c) for c in v],
        0.1,
    )
    with mpmath.workdps(40):
        mp, _ = method.step(
            lambda q: [
                mpmath.mpf(sp.N(e, 50))
                for e in grad([sp.Rational(str(c)) if False else sp.Float(c, 50) for c in q])
            ],
            [mpmath.mpf(1) / 3, mpmath.mpf(-2) / 5],
            [mpmath.mpf(1) / 7, mpmath.mpf(1) / 9],
            mpmath.mpf(1) / 10,
        )
        assert all(
            abs(a - mpmath.mpf(sp.N(e, 50))) < mpmath.mpf(10) ** -35
            for a, e in zip(mp, exact, strict=True)
        )
    np.testing.assert_allclose(fl, [float(e) for e in exact], rtol=1e-12)


def test_minibatch_update_is_the_mean() -> None:
    assert SGD(batch=2).minibatch([1.0], [[2.0], [4.0]], 0.5) == [-0.5]
    with pytest.raises(InvalidInputError, match="empty"):
        SGD().minibatch([1.0], [], 0.5)
    # update() is GD's formula on the mean gradient the runner hands it
    assert SGD(batch=2).update(lambda x: [3.0], [1.0], (), 0.5) == ([-0.5], ())


def test_bad_hyperparameters() -> None:
    with pytest.raises(InvalidInputError, match="beta"):
        HeavyBall(1)
    with pytest.raises(InvalidInputError, match="beta"):
        Nesterov("-1/2")
    with pytest.raises(InvalidInputError, match="positive-definite"):
        Preconditioned([[1, 2], [2, 1]])
    with pytest.raises(InvalidInputError, match="square"):
        Preconditioned([[1, 2]])
    with pytest.raises(InvalidInputError, match="batch"):
        SGD(batch=0)
    with pytest.raises(InvalidInputError, match="sampling"):
        SGD(sampling="random")
    with pytest.raises(InvalidInputError, match="method must be"):
        as_method("adagrad")
    with pytest.raises(InvalidInputError, match="adam needs its hyperparameters beta1, beta2, eps"):
        as_method("adam")
    with pytest.raises(InvalidInputError, match="nesterov needs its hyperparameter beta"):
        as_method("nesterov")
    with pytest.raises(InvalidInputError, match="needs its momentum beta"):
        HeavyBall()
    assert as_method("gd") == GD() and as_method(Nesterov("1/3")) == Nesterov("1/3")
    assert HeavyBall("1/2").beta == sp.Rational(1, 2) and HeavyBall(b).beta == b
