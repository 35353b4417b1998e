"""The central flow of GD and RMSProp: gradient (or stable) flow below the edge (against the
high-precision gradient flow), the edge held at 2/h, and clear refusals."""

from __future__ import annotations

import numpy as np
import pytest

from gdtheory.continuous.central_flow import central_flow
from gdtheory.continuous.flows import gradient_flow
from gdtheory.core.objective import Objective, as_objective
from gdtheory.errors import InvalidInputError
from gdtheory.models.numpy_models import ObjectiveModel
from gdtheory.optimizers import HeavyBall, RMSProp


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


# ---- RMSProp (method=RMSProp(beta2, eps)) ----


def test_rmsprop_below_the_edge_is_its_stable_flow() -> None:
    """Far below 2/h, S = 0: dx/dt = -g/(sqrt(nu) + eps), dnu/dt = c (g^2 - nu), c = (1 -
    beta2)/(beta2 h), against scipy's DOP853 (a second integrator); Heun's error falls
    about 4x when the substeps double."""
    from scipy.integrate import solve_ivp

    f, h, b2, eps, T = "x**2/2 + x**4/4 + y**2", 0.01, 0.9, 0.1, 0.5
    obj = as_objective(f)
    g = lambda w: obj.grad_np(w[None, :])[0]  # noqa: E731
    c = (1 - b2) / (b2 * h)
    x0 = np.array([1.0, -0.5])

    def rhs(_t: float, z: np.ndarray) -> np.ndarray:
        w, nu = z[:2], z[2:]
        gw = g(w)
        return np.concatenate([-gw / (np.sqrt(nu) + eps), c * (gw * gw - nu)])

    ref = solve_ivp(
        rhs, (0, T), np.concatenate([x0, g(x0) ** 2]), method="DOP853", rtol=1e-12, atol=1e-14
    ).y[:, -1]
    errs = []
    for sub in (2, 4):
        cf = central_flow(f, x0, [T], h=h, substeps=sub, method=RMSProp("9/10", "1/10"))
        assert cf.method == "RMSProp" and np.all(cf.active == 0)
        errs.append(float(np.max(np.abs(np.concatenate([cf.states[-1], cf.state[-1]]) - ref))))
    assert errs[1] < 1e-4 and 3.0 < errs[0] / errs[1] < 5.0, errs  # c dt = 0.03: stiff nu


def test_rmsprop_with_a_large_eps_is_the_central_flow_of_gd() -> None:
    """eps = E >> sqrt(nu): RMSProp is GD at rate h/E, so its central flow at time E t is
    GD's at rate h/E at time t (the edge 2/h of P^-1 H with P ~ E is GD's 2E/h)."""
    E, hg = 1e4, 0.22
    gd = central_flow("(1 - x*y)**2/2", [3, 0.1], [2.0, 10.0], h=hg)
    rms = central_flow(
        "(1 - x*y)**2/2", [3, 0.1], [2.0 * E, 10.0 * E], h=hg * E, method=RMSProp("9/10", str(E))
    )
    assert np.max(np.abs(rms.states - gd.states)) < 1e-3
    assert np.allclose(rms.sharpness * E, gd.sharpness, rtol=1e-3)
    assert rms.active[0] == gd.active[0] == 1  # on the edge at t = 2 (E t for RMSProp)


def test_rmsprop_holds_its_edge_and_refuses_what_it_cannot_do() -> None:
    cf = central_flow(
        "(1 - x*y)**2/2", [3, 0.1], [2.0, 10.0], h=0.22 * 50, method=RMSProp("99/100", "50")
    )
    assert np.all(cf.sharpness * cf.h / 2 <= 1 + 1e-6)
    with pytest.raises(InvalidInputError, match="GD and RMSProp"):
        central_flow("x**2", [1.0], [1.0], h=0.1, method=HeavyBall("1/2"))
    with pytest.raises(InvalidInputError, match="needs numbers"):
        central_flow("x**2", [1.0], [1.0], h=0.1, method=RMSProp("beta2", "eps"))
    with pytest.raises(InvalidInputError, match="nu0 must be"):
        central_flow("x**2 + y**2", [1.0, 1.0], [1.0], h=0.1, method=RMSProp("1/2", "0"), nu0=[1.0])
    with pytest.raises(InvalidInputError, match="GD has none"):
        central_flow("x**2", [1.0], [1.0], h=0.1, nu0=[1.0])


def test_rmsprop_at_the_edge_matches_the_equilibrium_and_the_run() -> None:
    """f = y x^2/2 - y/10 + y^2/200: y grows the curvature y of x until lambda(P^-1 H) =
    y/P_x = 2/h, where x oscillates.  The edge fixes the oscillation through nu: sqrt(nu_x)
    + eps = y h/2 and nu_x = E[g_x^2] = y^2 E[x^2], and df/dy = 0 on average gives
    y* = 10 - 50 E[x^2] = 10 - 50 (y h/2 - eps)^2 / y^2 (below the stable flow's 10).  The
    central flow must end at y*, and RMSProp's own run (from the same nu) average there."""
    from scipy.optimize import brentq

    h, eps, K = 0.02, 0.01, 1200
    f = "y*x**2/2 - y/10 + y**2/200"
    y_star = brentq(lambda y: y - 10 + 50 * (y * h / 2 - eps) ** 2 / y**2, 5, 10)
    cf = central_flow(f, [0.5, 1.0], [K * h], h=h, substeps=4, method=RMSProp("9/10", str(eps)))
    assert abs(cf.states[-1][1] - y_star) < 2e-5 and cf.active[-1] == 1
    obj = as_objective(f)
    w = np.array([0.5, 1.0])
    nu = obj.grad_np(w[None, :])[0] ** 2
    ys = []
    for _ in range(K):
        g = obj.grad_np(w[None, :])[0]
        nu = 0.9 * nu + 0.1 * g * g
        w = w - h * g / (np.sqrt(nu) + eps)
        ys.append(w[1])
    assert abs(np.mean(ys[-100:]) - cf.states[-1][1]) < 2e-5
    assert 10 - y_star > 3e-3  # the stable flow's end, 10, is 100 times further off


def test_time_average_of_the_loss_is_the_predicted_loss() -> None:
    """cf.time_average(model) = f + (1/2) <Sigma, H> is predicted_loss, for GD and for
    RMSProp (where Sigma = U S U^T with U^T P U = I), exactly with a model's HVPs and to
    the finite difference's 1e-8 with a plain callable."""
    f = Objective.parse("(1 - x*y)**2/2")
    toy = Objective.parse("y*x**2/2 - y/10 + y**2/200")  # see the test above
    for cf, model in (
        (central_flow(f, [3.0, 0.1], [0.5, 1.0, 5.0], h=0.22), ObjectiveModel(f)),
        (
            central_flow(toy, [0.5, 1.0], [20.0, 24.0], h=0.02, method=RMSProp("9/10", "0.01")),
            ObjectiveModel(toy),
        ),
    ):
        assert np.any(cf.active > 0)
        exact = cf.time_average(model)
        np.testing.assert_allclose(exact, cf.predicted_loss, rtol=1e-12, atol=1e-15)
        fd = cf.time_average(model.loss)
        np.testing.assert_allclose(fd, exact, rtol=1e-7)
        assert np.all(exact[cf.active > 0] > cf.loss[cf.active > 0])


def test_time_average_of_a_quadratic_observable_and_of_outputs() -> None:
    """For q(w) = w^T A w/2 the average is q(x) + tr(A U S U^T)/2 (computed here from the
    stored directions); a vector-valued fn gives one average per output."""
    cf = central_flow("(1 - x*y)**2/2", [3.0, 0.1], [0.5, 1.0], h=0.22)
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    got = cf.time_average(lambda w: 0.5 * w @ A @ w)
    for x, S, U, g in zip(cf.states, cf.sigma, cf.directions, got, strict=True):
        want = 0.5 * x @ A @ x + 0.5 * np.trace(A @ U @ S @ U.T)
        assert g == pytest.approx(want, rel=1e-8)
    both = cf.time_average(lambda w: np.array([w[0] ** 2, w[0] * w[1]]))
    assert both.shape == (2, 2)
    with pytest.raises(InvalidInputError, match="callable"):
        cf.time_average(3)
    with pytest.raises(InvalidInputError, match="step"):
        cf.time_average(lambda w: w[0], step=2.0)


def test_rmsprops_predicted_average_of_x_squared_is_the_equilibriums() -> None:
    """On y x^2/2 - y/10 + y^2/200 at RMSProp's edge E[x^2] = (y h/2 - eps)^2/y^2 (the
    test above); the central flow's time average of x^2 at the end is that number."""
    h, eps = 0.02, 0.01
    cf = central_flow(
        "y*x**2/2 - y/10 + y**2/200", [0.5, 1.0], [24.0], h=h, method=RMSProp("9/10", str(eps))
    )
    y = cf.states[-1][1]
    got = cf.time_average(lambda w: w[0] ** 2)[-1]
    assert got == pytest.approx((y * h / 2 - eps) ** 2 / y**2, rel=1e-4)
    assert cf.states[-1][0] ** 2 < 1e-3 * got  # the average is the oscillation, not x
