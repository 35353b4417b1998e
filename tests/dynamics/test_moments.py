"""Exact moments of SGD and of the SME for quadratic f_i (dynamics.moments) against
brute-force enumeration and closed forms."""

from __future__ import annotations

import itertools

import mpmath
import pytest
import sympy as sp

from gdtheory import Objective, quadratic_expectation, sgd_moments, sme_moments
from gdtheory import stochastic_modified_equation as sme_of
from gdtheory.errors import InvalidInputError

FS = ["(x - 1)**2/2 + x*y", "(y + 1)**2", "(x + y)**2/4"]


@pytest.mark.parametrize("batch", [1, 2])
def test_sgd_moments_equal_the_average_over_every_index_sequence(batch: int) -> None:
    objs = [Objective.parse(t, ["x", "y"]) for t in FS]
    eta, steps, x0 = sp.Rational(1, 5), 2, [sp.Rational(1, 2), sp.Integer(-1)]
    syms = objs[0].symbols
    total_mu, total_M, count = sp.zeros(2, 1), sp.zeros(2, 2), 0
    for seq in itertools.product(range(3), repeat=batch * steps):
        x = sp.Matrix(x0)
        for k in range(steps):
            idx = seq[k * batch : (k + 1) * batch]
            g = sum(
                (
                    sp.Matrix([d.subs(dict(zip(syms, x, strict=True))) for d in objs[i].grad])
                    for i in idx
                ),
                sp.zeros(2, 1),
            )
            x = x - eta * g / batch
        total_mu += x
        total_M += x * x.T
        count += 1
    mu, M = sgd_moments(FS, x0, h=eta, steps=steps, batch=batch)
    assert mu == total_mu / count
    assert (M - total_M / count).applyfunc(sp.simplify) == sp.zeros(2, 2)


def test_sme_moments_of_an_ornstein_uhlenbeck_process() -> None:
    """f_i = (x -+ 1)^2/2: dX = -X dt + sqrt(h) dW, E X^2 = x0^2 e^-2T + (h/2)(1 - e^-2T)."""
    sme = sme_of(["(x-1)**2/2", "(x+1)**2/2"])
    with mpmath.workdps(40):
        mu, M = sme_moments(sme, ["3/2"], h="1/8", time="7/5", dps=40)
        T = mpmath.mpf(7) / 5
        want = mpmath.mpf(9) / 4 * mpmath.exp(-2 * T) + (1 - mpmath.exp(-2 * T)) / 16
        assert abs(M[0, 0] - want) < mpmath.mpf(10) ** -35
        assert abs(mu[0] - mpmath.mpf(3) / 2 * mpmath.exp(-T)) < mpmath.mpf(10) ** -35


def test_quadratic_expectation_and_refusals() -> None:
    x, y = sp.symbols("x y", real=True)
    mean, second = sp.Matrix([1, 2]), sp.Matrix([[2, 1], [1, 5]])
    assert quadratic_expectation("x*y + 3*x - y**2 + 1", mean, second, [x, y]) == 1 + 3 - 5 + 1
    with pytest.raises(InvalidInputError, match="degree <= 2"):
        quadratic_expectation("x**3", mean, second, [x, y])
    with pytest.raises(InvalidInputError, match="quadratic f_i"):
        sgd_moments(["x**4", "x**2"], ["1"], h="1/4", steps=1)
    with pytest.raises(InvalidInputError, match="quadratic f_i"):
        sme_moments(sme_of(["x**4", "x**2"]), ["1"], h="1/4", time=1)
    with pytest.raises(InvalidInputError, match="coordinates"):
        sgd_moments(FS, ["1"], h="1/4", steps=1)
