"""Float64 sweeps: agreement with the reference engine, periods, orbit diagrams, basins,
executors and chunking (results must not depend on them)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import (
    basins,
    detect_periods,
    orbit_diagram,
)
from gdtheory.objectives import (
    double_well,
    scalar_factorization,
)


@given(p=st.integers(1, 8), reps=st.integers(2, 4), n=st.integers(1, 3), seed=st.integers(0, 99))
@settings(max_examples=30, deadline=None)
def test_detect_periods_finds_the_minimal_period_of_a_synthetic_cycle(p, reps, n, seed):
    cycle = np.random.default_rng(seed).normal(size=(p, n))
    tail = np.tile(cycle, (2 * 8 // p + 2, 1))[: 2 * 8][:, None, :]
    assert detect_periods(tail, 8).tolist() == [p]


def test_orbit_diagram_period_doubling_of_the_double_well():
    # x -> x - h (x^3 - x): the fixed point 1 has multiplier 1 - 2h, doubling at h = 1
    d = orbit_diagram(double_well(), [[0.5]], hs=[0.5, 0.95, 1.05, 1.2], transient=3000, keep=64)
    assert d.periods[:, 0].tolist() == [1, 1, 2, 2]


def test_basins_classify_the_mirror_pair_of_two_cycles():
    b = basins(
        scalar_factorization(), [(-1.5, 1.5), (-1.5, 1.5)], h=1.1, resolution=21, transient=800
    )
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
        scalar_factorization(),
        [(0.5, 2), (0.5, 2)],
        h=0.3,
        resolution=20,
        transient=3000,
        max_fixed_points=5,
    )
    assert [a.kind for a in b.attractors][0] == "fixed points (continuum)"
