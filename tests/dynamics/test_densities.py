"""Invariant densities and distances: the arcsine law of the logistic-conjugate cubic
(acceptance: TV < 0.02), Gibbs normalisation, W1 against an exact oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import (
    InvalidInputError,
    Objective,
    arcsine_law,
    compare_density,
    gibbs_density,
    invariant_density,
)
from gdtheory.dynamics.densities import Density, InvariantDensity
from gdtheory.objectives import logistic_conjugate


def test_logistic_conjugate_density_is_the_arcsine_law():
    x0 = np.random.default_rng(7).uniform(-1, 1, (128, 1))
    d = invariant_density(logistic_conjugate(), x0, h=1.0, steps=10000, bins=100, range=(-1, 1))
    c = compare_density(d, arcsine_law())
    assert c.tv < 0.02 and c.w1 < 0.005
    assert c.tv < 3 * c.tv_split  # at the sampling-noise level
    assert d.periodic_runs == 0


def test_a_wrong_target_is_detected():
    x0 = np.random.default_rng(7).uniform(-1, 1, (64, 1))
    d = invariant_density(logistic_conjugate(), x0, h=1.0, steps=4000, bins=50, range=(-1, 1))
    uniform = Density(
        lambda x: np.where(np.abs(x) <= 1, 0.5, 0.0),
        lambda x: np.clip((x + 1) / 2, 0, 1),
        (-1, 1),
        "uniform",
    )
    assert compare_density(d, uniform).tv > 0.1


@given(T=st.floats(0.01, 3.0), c=st.floats(-1, 1))
@settings(max_examples=20, deadline=None)
def test_gibbs_of_a_quadratic_is_the_normal_density(T, c):
    q = gibbs_density(Objective.parse(f"(x - ({c}))**2/2"), T)
    xs = np.linspace(c - 3, c + 3, 7)
    exact = np.exp(-((xs - c) ** 2) / (2 * T)) / math.sqrt(2 * math.pi * T)
    assert np.allclose(q.pdf(xs), exact, rtol=1e-6, atol=1e-12)


def test_w1_matches_the_exact_shift_distance():
    # samples of U(0, 1) shifted by 0.1 against U(0, 1): W1 = 0.1 (range covers both)
    S = (np.linspace(0, 1, 200001)[:-1] + 0.1)[None, :]
    counts, edges = np.histogram(S, bins=50, range=(-0.5, 1.5))
    d = InvariantDensity(S, edges, counts, counts / S.size / np.diff(edges), 0, 1.0, 0, 0, 0)
    U = Density(
        lambda x: ((x >= 0) & (x <= 1)).astype(float), lambda x: np.clip(x, 0, 1), (0, 1), "U"
    )
    assert abs(compare_density(d, U).w1 - 0.1) < 1e-3


def test_bad_input():
    with pytest.raises(InvalidInputError):
        gibbs_density(Objective.parse("x**2"), -1)
    with pytest.raises(InvalidInputError):
        gibbs_density(Objective.parse("-x**2"), 1)  # not confining
    with pytest.raises(InvalidInputError):
        invariant_density(
            Objective.parse("x**2/2"), [[1.0]], h=3.0, steps=2000
        )  # every run diverges
    with pytest.raises(InvalidInputError):
        arcsine_law(1, -1)
