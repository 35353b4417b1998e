"""Joint (2-D) invariant densities, the noise model's covariance, the modified Gibbs potential."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import solve_discrete_lyapunov
from scipy.stats import multivariate_normal

from gdtheory import Objective
from gdtheory.dynamics.joint_density import (
    compare_joint_density,
    gibbs_density_2d,
    joint_density,
)
from gdtheory.errors import GDTheoryError, InvalidInputError
from gdtheory.studies.multiscale import (
    modified_gibbs_potential,
    multiscale,
    noise_model_covariance,
)

ANISO = "(x**2 + x*y + 2*y**2)/2"
A = np.array([[1.0, 0.5], [0.5, 2.0]])


@given(
    a=st.floats(0.2, 3.0),
    b=st.floats(-0.9, 0.9),
    c=st.floats(0.2, 3.0),
    frac=st.floats(0.05, 0.95),
    s2=st.floats(0.01, 4.0),
)
@settings(max_examples=60, deadline=None)
def test_noise_model_covariance_solves_the_discrete_lyapunov_equation(a, b, c, frac, s2):
    """Closed form h s2 (2A - hA^2)^-1 against scipy's Lyapunov solver (another algorithm)."""
    M = np.array([[a, b * math.sqrt(a * c)], [b * math.sqrt(a * c), c]])  # SPD
    lam_max = float(np.linalg.eigvalsh(M).max())
    h = frac * 2 / lam_max
    S = noise_model_covariance(M, h=h, sigma2=s2)
    B = np.eye(2) - h * M
    ref = solve_discrete_lyapunov(B, h * h * s2 * np.eye(2))
    assert np.allclose(S, ref, rtol=1e-8, atol=1e-12 * np.abs(ref).max())


def test_modified_potential_has_the_hessian_of_the_stationary_law():
    """Hess(f0 - (h/4)|grad f0|^2) = A - hA^2/2 exactly, so its Gibbs covariance at
    T = h s2/2 is T (A - hA^2/2)^-1 = h s2 (2A - hA^2)^-1."""
    h = sp.Rational(2, 5)
    fh = modified_gibbs_potential(ANISO, h=h)
    x, y = fh.symbols
    H = sp.hessian(fh.expr, (x, y))
    As = sp.Matrix([[1, sp.Rational(1, 2)], [sp.Rational(1, 2), 2]])
    assert sp.simplify(H - (As - h * As**2 / 2)) == sp.zeros(2, 2)
    T = h * sp.Rational(1, 2) / 2
    S = np.array((T * H.inv()).evalf(30), dtype=float)
    assert np.allclose(S, noise_model_covariance(A, h=0.4, sigma2=0.5), rtol=1e-14)


def test_a_gaussian_ar1_process_has_the_predicted_covariance():
    """Monte Carlo oracle: the linear recursion with Gaussian noise, simulated directly."""
    rng = np.random.default_rng(5)
    h, s2, runs, steps = 0.3, 0.5, 400, 3000
    x = np.zeros((runs, 2))
    acc = np.zeros((runs, 2, 2))
    B = np.eye(2) - h * A
    for k in range(steps + 200):
        x = x @ B.T + h * rng.normal(0, math.sqrt(s2), (runs, 2))
        if k >= 200:
            acc += x[:, :, None] * x[:, None, :]
    per_run = acc / steps
    se = per_run.std(0, ddof=1) / math.sqrt(runs)
    z = np.abs(per_run.mean(0) - noise_model_covariance(A, h=h, sigma2=s2)) / se
    assert z.max() < 5, z


def test_gd_on_the_multiscale_objective_has_the_modified_gibbs_covariance_not_gibbs_of_f0():
    ms = multiscale(ANISO, "1/1000", 1, dim=2)
    h, s2 = 0.4, ms.noise_variance
    x0 = np.random.default_rng(2).uniform(-0.5, 0.5, (48, 2))
    d = joint_density(ms.objective, x0, h=h, steps=8000, bins=40, range=[(-1.3, 1.3), (-1.3, 1.3)])
    assert d.diverged_runs == 0 and d.periodic_runs == 0 and d.samples.shape == (48, 8000, 2)
    z_mod = np.abs(d.covariance - noise_model_covariance(A, h=h, sigma2=s2)) / d.covariance_se
    z_gibbs = np.abs(d.covariance - h * s2 / 2 * np.linalg.inv(A)) / d.covariance_se
    print("max z modified:", z_mod.max(), "max z Gibbs(f0):", z_gibbs.max())
    assert z_mod.max() < 5
    assert z_gibbs.max() > 30
    box = [(-3, 3), (-3, 3)]
    tv_f0 = compare_joint_density(d, gibbs_density_2d(ms.macro, h * s2 / 2, box))
    tv_fh = compare_joint_density(
        d, gibbs_density_2d(modified_gibbs_potential(ms.macro, h="2/5"), h * s2 / 2, box)
    )
    assert tv_fh.tv < tv_f0.tv - 0.04
    # the target's mass in the histogram range against the Gaussian CDF (Genz's algorithm)
    mvn = multivariate_normal(
        cov=noise_model_covariance(A, h=h, sigma2=s2), abseps=1e-12, releps=1e-12
    )
    exact = mvn.cdf([1.3, 1.3], lower_limit=[-1.3, -1.3])
    assert abs(tv_fh.target_mass_in_range - exact) < 1e-7, (tv_fh.target_mass_in_range, exact)


def test_gibbs_density_2d_is_normalised_against_the_gaussian_closed_form():
    T = 0.3
    q = gibbs_density_2d(Objective.parse(ANISO), T, [(-4, 4), (-4, 4)])
    cov = T * np.linalg.inv(A)
    peak = 1 / (2 * math.pi * math.sqrt(np.linalg.det(cov)))
    assert abs(float(q.pdf(np.array(0.0), np.array(0.0))) - peak) < 1e-9 * peak
    assert float(q.pdf(np.array(5.0), np.array(0.0))) == 0.0  # outside the support
    # the boundary's largest weight: min of f0 over the box's edge.  On x = +-4 the
    # minimum is at y = -+1, f0 = (16 - 4 + 2)/2 = 7; on y = +-4 at x = -+2, f0 = 14
    assert abs(q.edge_weight - math.exp(-7 / T)) < 1e-9 * math.exp(-7 / T)
    small = gibbs_density_2d(Objective.parse(ANISO), T, [(-0.5, 0.5), (-0.5, 0.5)])
    assert small.edge_weight > 0.1  # a box that truncates the law says so


def test_histogram_and_moments_are_consistent():
    ms = multiscale("(x**2 + y**2)/2", "1/1000", 1, dim=2)
    x0 = np.random.default_rng(0).uniform(-0.5, 0.5, (6, 2))
    d = joint_density(ms.objective, x0, h=0.2, steps=3000, bins=25, transient=10)
    flat = d.samples.reshape(-1, 2)
    assert d.counts.sum() == flat.shape[0] == d.n_samples  # default range holds every sample
    area = np.outer(np.diff(d.xedges), np.diff(d.yedges))
    assert abs(float((d.density * area).sum()) - 1) < 1e-12
    assert np.allclose(d.mean, flat.mean(0)) and np.allclose(d.covariance, np.cov(flat.T))
    one = joint_density(ms.objective, x0[:1], h=0.2, steps=3000, bins=25)
    assert np.all(np.isnan(one.covariance_se))
    assert compare_joint_density(one, lambda x, y: np.zeros_like(x)).tv_split >= 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"components": (0, 0)}, "components"),
        ({"components": (0, 5)}, "components"),
        ({"components": "xy"}, "components"),
        ({"range": [(1, 0), (0, 1)]}, "low < high"),
        ({"range": [(0, 1)]}, "pair per coordinate"),
        ({"bins": 0}, "bins"),
        ({"steps": 1}, "steps"),
    ],
)
def test_bad_inputs_raise_named_errors(kwargs, match):
    ms = multiscale("(x**2 + y**2)/2", "1/1000", 1, dim=2)
    args = {"steps": 100, **kwargs}
    steps = args.pop("steps")
    with pytest.raises(GDTheoryError, match=match):
        joint_density(ms.objective, [[0.1, 0.2]], h=0.2, steps=steps, **args)


def test_other_bad_inputs():
    with pytest.raises(InvalidInputError, match="dimension >= 2"):
        joint_density(Objective.parse("x**2/2"), [[0.1]], h=0.2, steps=100)
    with pytest.raises(InvalidInputError, match="temperature"):
        gibbs_density_2d(Objective.parse(ANISO), -1.0, [(-1, 1), (-1, 1)])
    with pytest.raises(InvalidInputError, match="2-D objective"):
        gibbs_density_2d(Objective.parse("x**2"), 1.0, [(-1, 1), (-1, 1)])
    with pytest.raises(InvalidInputError, match="JointDensity"):
        compare_joint_density("nope", lambda x, y: x)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="no stationary law"):
        noise_model_covariance(A, h=1.0, sigma2=0.5)  # h * 2.2 > 2
    with pytest.raises(InvalidInputError, match="symmetric"):
        noise_model_covariance([[1, 2], [0, 1]], h=0.1, sigma2=0.5)
    with pytest.raises(InvalidInputError, match="square"):
        noise_model_covariance([[1, 2, 3]], h=0.1, sigma2=0.5)
    with pytest.raises(InvalidInputError, match="h must be"):
        noise_model_covariance(A, h=float("nan"), sigma2=0.5)
