"""The float64 engine for any optimiser (dynamics.methods) against exact recurrences and
exact SGD moments."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from gdtheory import method_batch, quadratic_expectation, sgd_epoch_map, sgd_moments
from gdtheory import stochastic_modified_equation as sme_of
from gdtheory.errors import InvalidInputError, ShapeError
from gdtheory.optimizers import SGD, HeavyBall, Nesterov, Preconditioned


@pytest.mark.parametrize("cls", [HeavyBall, Nesterov])
def test_momentum_on_a_quadratic_is_the_linear_recurrence(cls) -> None:
    """f = x^2/2 + 2 y^2: each coordinate follows x_{k+1} = (1 + b)x_k - b x_{k-1} -
    h lam (x_k + c b (x_k - x_{k-1})), computed exactly in rationals."""
    beta, h, steps = sp.Rational(3, 4), sp.Rational(1, 5), 30
    c = 1 if cls is Nesterov else 0
    r = method_batch(cls(beta), "x**2/2 + 2*y**2", [[1.0, -1.0]], hs=[float(h)], steps=steps)
    for i, lam in enumerate((1, 4)):
        prev = cur = sp.Integer((1, -1)[i])
        for _ in range(steps):
            y = cur + c * beta * (cur - prev)
            prev, cur = cur, cur + beta * (cur - prev) - h * lam * y
        # float64 rounding: a few ulps of the starting scale 1 per step, 30 steps
        assert r.x[0, i] == pytest.approx(float(cur), rel=1e-12, abs=1e-14)
        assert r.v[0, i] == pytest.approx(float(cur - prev), rel=1e-12, abs=1e-14)


def test_preconditioned_and_batch_shapes() -> None:
    r = method_batch(
        Preconditioned([[2, 0], [0, "1/2"]]),
        "x**2/2 + y**2/2",
        np.ones((3, 1, 2)),
        hs=[0.1, 0.2],
        steps=4,
    )
    assert r.x.shape == (3, 2, 2) and r.diverged.shape == (3, 2)
    np.testing.assert_allclose(r.x[0, 1], [(1 - 0.4) ** 4, (1 - 0.1) ** 4], rtol=1e-14)
    assert "Preconditioned" in repr(r)


def test_sgd_with_replacement_matches_exact_moments() -> None:
    fs = ["(x - 1)**2/2", "(x + y)**2/4", "(y + 1)**2"]
    r = method_batch(SGD(batch=2), fs, np.full((100_000, 2), 0.5), hs=0.2, steps=5, seed=4)
    mu, M = sgd_moments(fs, ["1/2", "1/2"], h="1/5", steps=5, batch=2)
    syms = sme_of(fs).symbols
    for phi, vals in (("x", r.x[:, 0]), ("x*y", r.x[:, 0] * r.x[:, 1])):
        se = vals.std(ddof=1) / math.sqrt(vals.size)
        assert abs(vals.mean() - float(quadratic_expectation(phi, mu, M, syms))) < 4 * se


def test_reshuffling_and_cyclic_epochs() -> None:
    """m = 2 quadratics: the expected epoch of reshuffling is the exact epoch map (it is
    polynomial in h of degree m, so order m is exact); cyclic order is deterministic."""
    fs = ["(x - 1)**2/2", "3*(x + 1)**2/2"]
    eta = sp.Rational(1, 10)
    epoch = sgd_epoch_map(fs, 2)[0]
    values = {s: 2 * eta if s.name == "h" else sp.Rational(1, 2) for s in epoch.free_symbols}
    want = float(epoch.subs(values))
    r = method_batch(
        SGD(sampling="reshuffle"), fs, np.full((200_000, 1), 0.5), hs=0.1, steps=2, seed=9
    )
    se = r.x[:, 0].std(ddof=1) / math.sqrt(r.x.shape[0])
    assert abs(r.x[:, 0].mean() - want) < 4 * se
    cyc = method_batch(SGD(sampling="cyclic"), fs, [[0.5]], hs=0.1, steps=2)
    a = 0.5 - 0.1 * (0.5 - 1)
    assert cyc.x[0, 0] == pytest.approx(a - 0.1 * 3 * (a + 1), rel=1e-15)


def test_divergence_and_bad_input() -> None:
    r = method_batch(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=[5.0], steps=200)
    assert r.diverged[0] and np.isnan(r.x[0, 0])
    with pytest.raises(InvalidInputError, match="divide"):
        method_batch(
            SGD(batch=2, sampling="cyclic"), ["x**2", "x", "x**4"], [[1.0]], hs=0.1, steps=2
        )
    with pytest.raises(ShapeError, match="v0s"):
        method_batch(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=[0.1], steps=2, v0s=[[1.0, 2.0]])
    with pytest.raises(InvalidInputError):
        method_batch("adam", "x**2/2", [[1.0]], hs=[0.1], steps=2)
