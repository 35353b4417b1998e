"""The one float64 runner (:func:`gdtheory.run`) for any method of the registry, a user's
included, against exact recurrences, exact SGD moments, and itself on its other paths
(the GD sweep engine, the numba kernel, the update loop): one divergence rule, one
status vocabulary."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp

from gdtheory import Run, method_batch, quadratic_expectation, run, sgd_epoch_map, sgd_moments
from gdtheory import stochastic_modified_equation as sme_of
from gdtheory.errors import InvalidInputError, ShapeError
from gdtheory.optimizers import GD, SGD, HeavyBall, Method, Nesterov, Preconditioned


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
    with pytest.raises(ShapeError, match="starting v"):
        method_batch(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=[0.1], steps=2, v0s=[[1.0, 2.0]])
    with pytest.raises(InvalidInputError):
        method_batch("adam", "x**2/2", [[1.0]], hs=[0.1], steps=2)


@dataclass(frozen=True)
class DoubleGD(Method):
    """A user's method, defined outside gdtheory: GD at twice the rate."""

    def update(self, grad, x, state, h):
        return [a - 2 * h * b for a, b in zip(x, grad(x), strict=True)], ()


@dataclass(frozen=True)
class ClippedGD(Method):
    """A user's method with a hyperparameter: x' = x - h g / sqrt(1 + |g|^2 / c^2)."""

    c: float = 1.0

    def update(self, grad, x, state, h):
        g = grad(x)
        scale = (1 + sum(gi * gi for gi in g) / self.c**2) ** -0.5
        return [a - h * scale * b for a, b in zip(x, g, strict=True)], ()


@dataclass(frozen=True)
class Averaged(Method):
    """A user's method with fast state: an exponential average m of the gradients."""

    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        m1 = [mi / 2 + gi / 2 for mi, gi in zip(m, grad(x), strict=True)]
        return [a - h * b for a, b in zip(x, m1, strict=True)], (m1,)


def test_a_users_method_runs_with_no_edit_of_gdtheory() -> None:
    x0 = np.random.default_rng(1).normal(size=(40, 2))
    hs = np.linspace(0.05, 1.2, 40)
    f = "(1 - x*y)**2/2"
    mine = run(DoubleGD(), f, x0, hs=hs, steps=60)
    ref = run(GD(), f, x0, hs=2 * hs, steps=60, backend="numpy")
    np.testing.assert_array_equal(mine.x, ref.x)  # the same arithmetic, bit for bit
    assert mine.status.tolist() == ref.status.tolist() and mine.count("diverged") > 0
    np.testing.assert_array_equal(mine.decided_at, ref.decided_at)
    assert mine.method == "DoubleGD" and mine.state == ()
    # the clipped step by hand on f = x^2/2 (g = x): x' = x - h x / sqrt(1 + x^2 / c^2)
    c = run(ClippedGD(2.0), "x**2/2", [[3.0]], hs=0.5, steps=1)
    assert c.x[0, 0] == pytest.approx(3.0 - 0.5 * 3.0 / math.sqrt(1 + 9 / 4), rel=1e-15)
    # with state: m_1 = g_0 / 2, x_1 = x_0 - h m_1; m_2 = m_1 / 2 + g_1 / 2
    a = run(Averaged(), "x**2/2", [[1.0]], hs=0.5, steps=2, state0=[[0.0]])
    x1 = 1.0 - 0.5 * 0.5
    m2 = 0.25 + x1 / 2
    assert a.x[0, 0] == pytest.approx(x1 - 0.5 * m2, rel=1e-15)
    assert a.state[0][0, 0] == pytest.approx(m2, rel=1e-15) and a.v[0, 0] == a.state[0][0, 0]


def test_a_method_that_returns_the_wrong_thing_is_named() -> None:
    @dataclass(frozen=True)
    class Forgetful(Method):
        def update(self, grad, x, state, h):
            return [a - h * b for a, b in zip(x, grad(x), strict=True)]

    with pytest.raises(InvalidInputError, match="Forgetful.update must return the pair"):
        run(Forgetful(), "x**2/2", [[1.0]], hs=0.1, steps=2)

    @dataclass(frozen=True)
    class Nameless(Method):
        pass

    with pytest.raises(InvalidInputError, match="Nameless defines no update"):
        run(Nameless(), "x**2/2", [[1.0]], hs=0.1, steps=2)


def test_one_divergence_rule_on_every_path() -> None:
    """The engine's NumPy and numba backends and the update loop (DoubleGD at h/2: GD at h
    bit for bit, 2 (h/2) = h exactly) decide the same paths diverged at the same steps,
    NaN from then on."""
    x0 = np.random.default_rng(2).uniform(-2, 2, size=(64, 2))
    hs = np.linspace(0.1, 1.5, 64)
    f = "(1 - x*y)**2/2"
    runs = [
        run("gd", f, x0, hs=hs, steps=80, keep=81, backend="numpy"),
        run("gd", f, x0, hs=hs, steps=80, keep=81, backend="numba"),
        run(DoubleGD(), f, x0, hs=hs / 2, steps=80, keep=81),
    ]
    assert runs[1].backend == "numba" and runs[2].backend == "numpy"
    assert 0 < runs[0].count("diverged") < 64
    for r in runs[1:]:
        assert r.status.tolist() == runs[0].status.tolist()
        np.testing.assert_array_equal(r.decided_at, runs[0].decided_at)
        np.testing.assert_array_equal(r.tail, runs[0].tail)  # NaN in the same places
    r = runs[0]
    for i in np.flatnonzero(r.diverged):
        k = r.decided_at[i]
        assert np.isnan(r.tail[k:, i]).all() and np.isfinite(r.tail[:k, i]).all()
        assert np.abs(r.tail[:k, i]).max() <= 1e30
    assert (r.decided_at[~r.diverged] == 80).all()


def test_keep_tol_and_state() -> None:
    r = run(HeavyBall("1/2"), "x**2/2", [[1.0], [2.0]], hs=0.5, steps=200, tol=1e-9, keep=201)
    assert r.status.tolist() == ["converged", "converged"]
    k = int(r.decided_at[0])
    assert np.all(r.tail[0, :, 0] == [1.0, 2.0])  # keep = steps + 1 holds x_0
    assert np.all(r.tail[k:, 0] == r.x[0]) and np.all(r.history[-1] == r.x)  # frozen
    assert abs(r.grad_norm[0]) <= 1e-9 < abs(float(r.tail[k - 1, 0, 0]))
    assert r.f[0] == pytest.approx(r.x[0, 0] ** 2 / 2)
    with pytest.raises(InvalidInputError, match="keep=steps"):
        _ = run("gd", "x**2/2", [[1.0]], hs=0.5, steps=5, keep=3).history
    with pytest.raises(InvalidInputError, match="cannot exceed steps"):
        run("gd", "x**2/2", [[1.0]], hs=0.5, steps=5, keep=7)
    # SGD's tolerance is on grad f of the mean: at 0 the mean gradient of (x -+ 1)^2/2 is 0
    s = run(SGD(), ["(x-1)**2/2", "(x+1)**2/2"], [[0.0]], hs=0.1, steps=5, tol=1e-12)
    assert s.status.tolist() == ["converged"] and s.decided_at.tolist() == [0]
    assert s.x[0, 0] == 0.0 and "SGD(replacement, batch 1)" in repr(s)
    with pytest.raises(InvalidInputError, match="one objective"):
        _ = s.f


def test_options_of_the_engine_are_refused_elsewhere() -> None:
    with pytest.raises(InvalidInputError, match="numba backend runs GD"):
        run(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=0.1, steps=2, backend="numba")
    with pytest.raises(InvalidInputError, match="options of the GD sweep engine"):
        run(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=0.1, steps=2, progress=True)
    with pytest.raises(InvalidInputError, match="has no state"):
        run("gd", "x**2/2", [[1.0]], hs=0.1, steps=2, state0=[[1.0]])
    with pytest.raises(InvalidInputError, match="heavy_ball needs its hyperparameter beta"):
        run("heavy_ball", "x**2/2", [[1.0]], hs=0.1, steps=2)
    with pytest.raises(InvalidInputError, match="backend must be one of"):
        run(HeavyBall("1/2"), "x**2/2", [[1.0]], hs=0.1, steps=2, backend="cuda")
    assert isinstance(run("gd", "x**2/2", [[1.0]], hs=0.1, steps=0), Run)
