"""Balancing: symbolic spectra on minimiser sets against closed forms and numpy, and the
balance bound (the convergence window's tests are in tests/studies)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdtheory import (
    FactorizationModel,
    InvalidInputError,
    ShapeError,
    balance_bound,
    balancing,
    convergence_window,
)
from gdtheory.landscape.balance import derive_balance_bound


def test_scalar_minimiser_spectrum_is_zero_and_x2_plus_y2():
    s = balancing("scalar")
    x, y = s.variables
    assert set(s.eigenvalues) == {0, x**2 + y**2}
    assert s.all_identities_hold, s.identities
    # balance: on xy = mu the sharp eigenvalue minus (x - y)^2 is the constant 2 mu
    assert sp.simplify(s.sharp_minus_imbalance - 2 * x * y) == 0


@pytest.mark.parametrize("n", [2, 3])
def test_vector_minimiser_spectrum_is_rank_one(n):
    s = balancing("vector", n=n)
    assert s.all_identities_hold, s.identities
    assert s.eigenvalues[0] == 2 * n - 1
    assert s.eigenvalues[s.sharp] == 1
    assert s.sharp == sum(v**2 for v in s.variables)
    # the symbolic Hessian, evaluated, has exactly these eigenvalues
    rng = np.random.default_rng(n)
    vals = dict(zip(s.variables, rng.standard_normal(2 * n), strict=True))
    H = np.array(s.hessian.subs(vals).evalf(), dtype=float)
    closed = np.sort(np.r_[np.zeros(2 * n - 1), sum(v * v for v in vals.values())])
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(H)), closed, atol=1e-12)


@pytest.mark.parametrize(("n", "m", "d"), [(2, 2, 1), (2, 2, 2), (3, 2, 2)])
def test_matrix_identities_hold(n, m, d):
    s = balancing("matrix", n=n, m=m, d=d)
    assert s.all_identities_hold, s.identities
    assert len(s.identities) >= 4


@given(n=st.integers(1, 4), m=st.integers(1, 4), d=st.integers(1, 3), seed=st.integers(0, 10**6))
@settings(max_examples=40, deadline=None)
def test_matrix_spectrum_at_a_minimiser_is_the_sums_of_squared_singular_values(n, m, d, seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, d)), rng.standard_normal((m, d))
    fm = FactorizationModel(X @ Y.T, d)  # (X, Y) is a minimiser
    w = np.concatenate([X.ravel(), Y.ravel()])
    H = np.column_stack([fm.hvp(w, e) for e in np.eye(fm.dim)])
    ev = np.sort(np.linalg.eigvalsh(H))[::-1]
    sx = np.r_[np.linalg.svd(X, compute_uv=False), np.zeros(max(0, n - d))][:n] ** 2
    sy = np.r_[np.linalg.svd(Y, compute_uv=False), np.zeros(max(0, m - d))][:m] ** 2
    sums = np.sort((sx[:, None] + sy[None, :]).ravel())[::-1]
    nonzero_ev = ev[ev > 1e-9 * ev[0]]
    nonzero_sums = sums[sums > 1e-9 * sums[0]]
    np.testing.assert_allclose(nonzero_ev, nonzero_sums, rtol=1e-9)
    assert ev[0] == pytest.approx(sx[0] + sy[0], rel=1e-10)  # the sharpness


def test_balance_bound_is_derived_and_decreasing():
    expr, deriv = derive_balance_bound()
    h, mu = sp.Symbol("h", positive=True), sp.Symbol("mu", positive=True)
    assert sp.simplify(expr - (2 / h - 2 * mu)) == 0
    assert sp.simplify(deriv + 2 / h**2) == 0 and deriv.is_negative
    b = balance_bound(h="1/2", mu=1)
    assert b.exact == 2 and b.feasible and b.sharpness_bound == 4.0
    assert not balance_bound(h=2, mu=1).feasible  # h > 1/mu: no stable minimiser
    assert balance_bound(h=0.1, mu=[[3, 0], [0, 1]]).mu == pytest.approx(3.0)


@given(h1=st.floats(0.01, 5), h2=st.floats(0.01, 5), mu=st.floats(0.05, 4))
def test_balance_bound_decreases_in_h(h1, h2, mu):
    assume(abs(h1 - h2) > 1e-9)
    lo, hi = sorted((h1, h2))
    assert balance_bound(h=lo, mu=mu).value > balance_bound(h=hi, mu=mu).value


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: balancing("tensor"), InvalidInputError),
        (lambda: balancing("vector", n=0), InvalidInputError),
        (lambda: balancing("matrix", n=5, d=3), InvalidInputError),
        (lambda: balance_bound(h=0, mu=1), InvalidInputError),
        (lambda: balance_bound(h=-1, mu=1), InvalidInputError),
        (lambda: balance_bound(h=1, mu=0), InvalidInputError),
        (lambda: balance_bound(h=1, mu=[[np.nan]]), ShapeError),
        (lambda: convergence_window([[1, 1]], cs=[0]), InvalidInputError),
        (lambda: convergence_window([[1, 1, 1]], cs=[1]), ShapeError),
        (lambda: convergence_window([[0, 0]], cs=[1], mu=1, steps=10), InvalidInputError),
    ],
)
def test_bad_input(call, error):
    with pytest.raises(error):
        call()
