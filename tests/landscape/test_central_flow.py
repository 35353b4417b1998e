"""The central flow: its complementarity solver against brute force, the one-eigenvalue
case against the projection formula, gradient flow below the edge (against the
high-precision gradient flow), the edge held at 2/h, and clear refusals."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory.backward_error.flows import gradient_flow
from gdtheory.core.objective import Objective
from gdtheory.errors import InvalidInputError
from gdtheory.landscape.central_flow import central_flow, solve_lcp
from gdtheory.landscape.models import ObjectiveModel


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, 4),
    seed=st.integers(0, 10_000),
)
def test_lcp_solution_is_feasible_complementary_and_unique_for_definite_m(
    k: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((k, k + 1))
    M = B @ B.T  # positive definite: the LCP has exactly one solution
    r = rng.standard_normal(k)
    s = solve_lcp(M, r)
    w = r + M @ s
    assert np.all(s >= 0) and np.all(w >= -1e-9) and abs(s @ w) < 1e-9
    # brute force over active sets: the only complementary feasible point
    sols = []
    for size in range(k + 1):
        for act in itertools.combinations(range(k), size):
            z = np.zeros(k)
            if act:
                i = list(act)
                z[i] = np.linalg.solve(M[np.ix_(i, i)], -r[i])
            if np.all(z >= -1e-12) and np.all(r + M @ z >= -1e-9):
                sols.append(z)
    assert all(np.allclose(z, s, atol=1e-8) for z in sols) and sols


def test_one_eigenvalue_at_the_edge_is_the_projected_gradient() -> None:
    """On the edge (a = 0) with gradient flow raising l_1 (q = grad l . grad f < 0),
    s = -2 q / |grad l|^2 and dx/dt = -(grad f + s grad l / 2) is the projection of
    -grad f onto the tangent of {l_1 = 2/h} (the paper's one-eigenvalue formula)."""
    g = np.array([0.3, -1.2, 0.5])
    gl = np.array([-1.0, 2.0, -0.5])
    q = gl @ g
    assert q < 0
    dt = 0.01
    s = solve_lcp(0.5 * dt * np.array([[gl @ gl]]), np.array([dt * q]))
    assert s[0] == pytest.approx(-2 * q / (gl @ gl))
    v = -(g + 0.5 * s[0] * gl)
    assert abs(v @ gl) < 1e-12
    np.testing.assert_allclose(v, -(g - (q / (gl @ gl)) * gl))
    # below the edge (a > 0 and no crossing within dt) s = 0
    assert solve_lcp(0.5 * dt * np.array([[gl @ gl]]), np.array([0.5 + dt * q]))[0] == 0


def test_below_the_edge_the_central_flow_is_gradient_flow() -> None:
    f = "x**4/4 + x*y + y**2"
    T = 1.0
    cf = central_flow(f, [1.0, -0.5], [T], h=0.05, substeps=20)  # 2/h = 40: far
    assert cf.active[-1] == 0 and np.all(cf.sigma == 0)
    ref = gradient_flow(Objective.parse(f), [1, "-1/2"], [T], dps=30).states[-1]
    err = max(abs(float(a) - b) for a, b in zip(ref, cf.states[-1], strict=True))
    cf2 = central_flow(f, [1.0, -0.5], [T], h=0.05, substeps=40)
    err2 = max(abs(float(a) - b) for a, b in zip(ref, cf2.states[-1], strict=True))
    assert err < 1e-5 and 3.0 < err / err2 < 5.0  # Heun: second order in dt


def test_the_flow_holds_the_sharpness_at_the_edge_and_predicts_a_larger_loss() -> None:
    """(1 - xy)^2/2 from (3, 0.1), h = 0.22: gradient flow would end at sharpness 9.21 >
    2/h = 9.09; the central flow reaches the edge and stays on it."""
    h = 0.22
    cf = central_flow("(1 - x*y)**2/2", [3.0, 0.1], [0.5, 1.0, 2.0, 5.0], h=h, substeps=20)
    assert np.all(cf.sharpness <= 2 / h * (1 + 1e-6))
    assert cf.sharpness[-1] == pytest.approx(2 / h, rel=1e-6)
    on_edge = cf.active > 0
    assert on_edge[0]  # still moving along the edge at t = 0.5
    assert np.all(cf.predicted_loss[on_edge] > cf.loss[on_edge])
    # gradient flow conserves x^2 - y^2; its limit on xy = 1 is sharper than 2/h
    c = 3.0**2 - 0.1**2
    assert np.sqrt(c**2 + 4) > 2 / h


def test_models_without_third_derivatives_are_refused() -> None:
    class OnlyHvp:
        dim = 2

        def loss(self, w):
            return float(w @ w)

        def grad(self, w):
            return 2 * w

        def hvp(self, w, v):
            return 2 * v

    with pytest.raises(InvalidInputError, match="third-derivative"):
        central_flow(OnlyHvp(), [1.0, 1.0], [1.0], h=0.1)
    m = ObjectiveModel(Objective.parse("x**2 + y**2"))
    with pytest.raises(InvalidInputError, match="sorted"):
        central_flow(m, [1.0, 1.0], [1.0, 0.5], h=0.1)
    with pytest.raises(InvalidInputError, match="finite"):
        central_flow(m, [1.0, np.nan], [1.0], h=0.1)
