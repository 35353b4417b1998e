"""The float stage of the orbit search (dynamics.orbit_search)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdtheory.dynamics.orbit_search import classify_solutions, float_solutions, signed_permutations
from gdtheory.objectives import logistic_conjugate, scalar_factorization


@pytest.mark.parametrize("n", [1, 2, 3])
def test_signed_permutations_are_the_hyperoctahedral_group(n):
    Cs = signed_permutations(n)
    assert len(Cs) == 2**n * math.factorial(n)
    assert all(np.allclose(C @ C.T, np.eye(n)) for C in Cs)
    assert len({C.tobytes() for C in Cs}) == len(Cs)


def test_float_stage_finds_the_two_cycle_of_the_chebyshev_map():
    """x -> 2x^2 - 1 has one orbit of minimal period 2: {(-1 + sqrt 5)/4, (-1 - sqrt 5)/4}
    (the roots of x^2 + x/2 - 1/4, the fixed points 1 and -1/2 divided out)."""
    f = logistic_conjugate()
    Z, ok = float_solutions(f, 1.0, 2, np.array([-1.0]), np.array([1.0]), 64, "auto", 1.0, 60, 0)
    cands, cont, _ = classify_solutions(f, Z[ok], 1.0, 2, np.array([-1.0]), np.array([1.0]))
    assert not cont and len(cands) == 1
    (z0,) = cands.values()
    roots = [(-1 + math.sqrt(5)) / 4, (-1 - math.sqrt(5)) / 4]
    assert min(abs(z0[0] - r) for r in roots) < 1e-9


def test_points_of_a_minimiser_curve_are_continua_not_orbits():
    f = scalar_factorization()
    lo, hi = np.array([0.5, 0.5]), np.array([2.0, 2.0])
    Z, ok = float_solutions(f, 0.5, 1, lo, hi, 16, "auto", 1.0, 60, 0)
    cands, cont, nullity = classify_solutions(f, Z[ok], 0.5, 1, lo, hi)
    assert cont and set(nullity) == {1}
    assert all(abs(p[0] * p[1] - 1) < 1e-8 for p in cont)
