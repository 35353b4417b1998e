"""The central flow: gradient flow below the edge (against the
high-precision gradient flow), the edge held at 2/h, and clear refusals."""

from __future__ import annotations

import numpy as np
import pytest

from gdtheory.continuous.central_flow import central_flow
from gdtheory.continuous.flows import gradient_flow
from gdtheory.core.objective import Objective
from gdtheory.errors import InvalidInputError
from gdtheory.models.numpy_models import ObjectiveModel


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


def test_two_directions_at_the_edge_match_two_independent_flows() -> None:
    """A sum of two scalar factorisations, both in the balancing window at h = 0.22: the
    central flow holds two directions at the edge at once (Sigma of rank 2, the
    semidefinite complementarity problem with k = 2) and must equal the two scalar central
    flows run separately (the problem decouples: D^3 f[u_1, u_2] = 0)."""
    h, ts = 0.22, [0.5, 1.0, 2.0, 4.0]
    both = central_flow(
        Objective.parse("(1 - x*y)**2/2 + (1 - u*v)**2/2", ["x", "y", "u", "v"]),
        [3.0, 0.1, 2.98, 0.1],
        ts,
        h=h,
        k=2,
        substeps=10,
    )
    one = central_flow("(1 - x*y)**2/2", [3.0, 0.1], ts, h=h, k=1, substeps=10)
    two = central_flow("(1 - x*y)**2/2", [2.98, 0.1], ts, h=h, k=1, substeps=10)
    assert np.max(both.active) == 2
    np.testing.assert_allclose(both.states[:, :2], one.states, atol=1e-9)
    np.testing.assert_allclose(both.states[:, 2:], two.states, atol=1e-9)
    # the two variances are the scalar flows' s, the coupling entry is zero
    np.testing.assert_allclose(
        np.sort(np.diagonal(both.sigma, axis1=1, axis2=2), axis=1),
        np.sort(np.column_stack([one.sigma[:, 0, 0], two.sigma[:, 0, 0]]), axis=1),
        atol=1e-9,
    )
