"""The convergence window of GD on (mu - xy)^2/2: property tests of the balance bound and
of linear stability at GD's limits, the window at mu = 1, the outcome vocabulary."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdtheory import balance_bound, convergence_window
from gdtheory.models.numpy_models import ObjectiveModel
from gdtheory.objectives import scalar_factorization
from gdtheory.studies.convergence_window import (
    CONVERGED,
    near_unbalanced_starts,
    scalar_init_sharpness,
)


@given(
    mu=st.floats(0.2, 3.0),
    x0=st.floats(0.3, 3.0),
    ratio=st.floats(0.05, 3.0),
    sign=st.sampled_from([-1.0, 1.0]),
    c=st.floats(0.3, 3.9),
)
@settings(max_examples=40, deadline=None)
def test_a_converged_gd_limit_obeys_the_bound_and_linear_stability(mu, x0, ratio, sign, c):
    start = np.array([[sign * x0, sign * ratio * mu / x0]])
    # A start whose float gradient is exactly zero is a fixed point of GD whatever h is
    # (a measure-zero set of starts): the bound is about limits reached by moving there.
    assume(start[0, 0] * start[0, 1] != mu)
    w = convergence_window(start, cs=[c], mu=mu, steps=6000, backend="numpy")
    assume(w.outcome[0, 0] == CONVERGED)
    h = w.h[0, 0]
    x, y = w.limit[0, 0]
    assert abs(x * y - mu) <= 1e-6
    # measured tolerances: the limit is reached to ~1e-10, so both hold to 1e-8
    assert (x - y) ** 2 <= balance_bound(h=h, mu=mu).value + 1e-8
    lam = ObjectiveModel(scalar_factorization(mu)).hvp(np.array([x, y]), np.array([1.0, 0.0]))
    assert h * (x * x + y * y) <= 2 + 1e-8 and np.isfinite(lam).all()


def test_inside_bound_is_nan_where_nothing_converged():
    w = convergence_window([[2.0, 0.6], [0.4, 2.4]], cs=[1.0, 6.0], steps=2000, backend="numpy")
    assert w.fraction(CONVERGED).tolist() == [1.0, 0.0]
    inside = w.inside_bound()
    assert inside[0] == 1.0 and np.isnan(inside[1])


def test_a_start_on_the_minimiser_set_is_a_fixed_point_even_when_unstable():
    # (-1, -1) with mu = 1 and h L = 3: the float gradient is exactly 0, so GD stays on
    # an unstable minimiser outside the bound; this is the exception the bound excludes.
    w = convergence_window([[-1.0, -1.0]], cs=[3.0], steps=100, backend="numpy")
    assert w.outcome[0, 0] == CONVERGED
    assert w.h_sharpness[0, 0] == pytest.approx(3.0)
    assert w.imbalance[0, 0] == 0.0 and w.bound[0, 0] < 0


def test_convergence_window_mu_1_balances_inside_the_bound():
    starts = near_unbalanced_starts(300, seed=5)
    cs = np.linspace(2.0, 3.0, 9)  # nine values of h L in [2, 3]
    w = convergence_window(starts, cs=cs, steps=20000)
    inside = w.inside_bound()
    assert np.all(w.fraction(CONVERGED) >= 0.95)
    assert np.all(inside >= 0.95)
    imb = w.mean_over_converged(w.imbalance)
    assert np.all(np.diff(imb) < 0), imb  # balancing grows with h on [2, 3]
    assert np.all(np.diff(w.bound.mean(axis=1)) < 0)
    assert np.nanmax(np.where(w.outcome == CONVERGED, w.h_sharpness, np.nan)) <= 2 + 1e-8


def test_scalar_init_sharpness_matches_the_hessian():
    rng = np.random.default_rng(0)
    P = rng.uniform(-3, 3, (20, 2))
    f = scalar_factorization()
    dense = np.linalg.eigvalsh(f.hess_np(P))[:, -1]
    np.testing.assert_allclose(scalar_init_sharpness(P), dense, rtol=1e-12)
