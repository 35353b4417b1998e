"""Float64 sweeps: agreement with the reference engine, periods, orbit diagrams, basins,
executors and chunking (results must not depend on them)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import (
    InvalidInputError,
    ShapeError,
    basins,
    detect_periods,
    gd_batch,
    iterate_map,
    orbit_diagram,
)
from gdtheory.objectives import double_well, scalar_factorization


def test_iterate_map_agrees_with_gd_batch_bit_for_bit_on_bounded_runs():
    f = scalar_factorization()
    x0 = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    a = iterate_map(f, x0, 0.4, 300)
    b = gd_batch(f, x0, 0.4, 300)
    assert np.array_equal(a.x, b.x)


def test_executor_and_chunking_do_not_change_the_result():
    f = scalar_factorization()
    x0 = np.random.default_rng(1).uniform(-2, 2, (1000, 2))
    ref = iterate_map(f, x0, 1.3, 200, keep=4)
    with ThreadPoolExecutor(2) as ex:
        par = iterate_map(f, x0, 1.3, 200, keep=4, executor=ex, chunk=97)
    assert np.array_equal(ref.tail, par.tail, equal_nan=True)
    assert np.array_equal(ref.diverged, par.diverged)


def test_divergence_is_flagged_and_nan_not_inf():
    r = iterate_map(scalar_factorization(), [[5.0, 5.0], [0.5, 0.5]], 1.0, 100, keep=2)
    assert r.diverged.tolist() == [True, False]
    assert np.isnan(r.x[0]).all() and np.isfinite(r.x[1]).all()


@given(p=st.integers(1, 8), reps=st.integers(2, 4), n=st.integers(1, 3), seed=st.integers(0, 99))
@settings(max_examples=30, deadline=None)
def test_detect_periods_finds_the_minimal_period_of_a_synthetic_cycle(p, reps, n, seed):
    cycle = np.random.default_rng(seed).normal(size=(p, n))
    tail = np.tile(cycle, (2 * 8 // p + 2, 1))[: 2 * 8][:, None, :]
    assert detect_periods(tail, 8).tolist() == [p]


def test_orbit_diagram_period_doubling_of_the_double_well():
    # x -> x - h (x^3 - x): the fixed point 1 has multiplier 1 - 2h, doubling at h = 1
    d = orbit_diagram(double_well(), [0.5, 0.95, 1.05, 1.2], [[0.5]], transient=3000, keep=64)
    assert d.periods[:, 0].tolist() == [1, 1, 2, 2]


def test_basins_classify_the_mirror_pair_of_two_cycles():
    b = basins(scalar_factorization(), 1.1, [(-1.5, 1.5), (-1.5, 1.5)], 21, transient=800)
    per = [a for a in b.attractors if a.kind == "periodic"]
    assert [a.period for a in per] == [2, 2]
    # closed form (T6): s^2 = ((h + 1) +- sqrt((h + 1)^2 - 4))/(2h); cycle keys are the
    # lexicographically smallest points (-s+, -s+) and (s-, s-)
    h = 1.1
    r = np.sqrt((h + 1) ** 2 - 4)
    s_plus, s_minus = np.sqrt((h + 1 + r) / (2 * h)), np.sqrt((h + 1 - r) / (2 * h))
    keys = sorted(a.point for a in per)
    assert np.allclose(keys, [(-s_plus, -s_plus), (s_minus, s_minus)], atol=2e-5)
    assert 0 < b.fraction("diverged") < 1


def test_basins_merge_a_continuum_of_fixed_points():
    b = basins(
        scalar_factorization(), 0.3, [(0.5, 2), (0.5, 2)], 20, transient=3000, max_fixed_points=5
    )
    assert [a.kind for a in b.attractors][0] == "fixed points (continuum)"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: iterate_map(scalar_factorization(), [[0, 0]], 0, 10), InvalidInputError),
        (lambda: iterate_map(scalar_factorization(), [[0, 0, 0]], 1, 10), ShapeError),
        (lambda: iterate_map(scalar_factorization(), [[0, 0]], 1, 10, keep=11), InvalidInputError),
        (lambda: iterate_map(scalar_factorization(), [[np.nan, 0]], 1, 10), InvalidInputError),
        (lambda: iterate_map("x**2", [[0]], 1, 10), InvalidInputError),
        (lambda: basins(scalar_factorization(), 1, [(0, 1)], 5), ShapeError),
        (
            lambda: basins(scalar_factorization(), 1, [(0, 1), (0, 1)], 5, dims=(0, 5)),
            InvalidInputError,
        ),
    ],
)
def test_bad_input(call, error):
    with pytest.raises(error):
        call()
