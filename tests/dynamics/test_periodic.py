"""Periodic orbits: closed forms (Chebyshev map, the 2-cycles of (1 - xy)^2/2), counts,
continua, minimal periods, and an independent check with the high-precision GD engine."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import InvalidInputError, ShapeError, gd, orbit_from_point, periodic_orbits
from gdtheory.dynamics.periodic import factorization_two_cycles, orbit_match_error
from gdtheory.objectives import logistic_conjugate, scalar_factorization


def _orbit_count(p: int) -> int:
    """Orbits of minimal period p of the Chebyshev map: (1/p) sum_{d|p} mu(p/d) 2^d."""
    return sum(int(sp.mobius(p // d)) * 2**d for d in range(1, p + 1) if p % d == 0) // p


@pytest.mark.parametrize("p", [1, 2, 3, 4, 5, 6])
def test_chebyshev_orbit_counts_and_multipliers_are_exact(p):
    s = periodic_orbits(logistic_conjugate(), [(-1, 1)], h=1, period=p, seeds=96, dps=40)
    assert len(s.orbits) == _orbit_count(p)
    with mpmath.workdps(40):
        for o in s.orbits:
            mu = o.multipliers[0]
            # +-2^p, except 4^p at the fixed point x = 1
            expected = {2**p, -(2**p)} if abs(o.points[0][0] - 1) > 1e-30 else {4**p}
            assert min(abs(mu - e) for e in expected) < mpmath.mpf(10) ** -35
            assert o.stable is False and o.period == p


@given(st.fractions(min_value=1.05, max_value=1.95))
@settings(max_examples=8, deadline=None)
def test_two_cycle_closed_forms_are_found_to_30_digits(hf):
    h = sp.Rational(hf.numerator, hf.denominator)
    s = periodic_orbits(scalar_factorization(), [(-3, 3), (-3, 3)], h=h, period=2, seeds=64, dps=45)
    for pts, mults in factorization_two_cycles(h):
        errs = [e for e in (orbit_match_error(o, pts, mults) for o in s.orbits) if e is not None]
        assert errs and min(errs) < 1e-30, (h, pts)


def test_stability_of_the_balanced_two_cycle_flips_at_sqrt5_minus_1():
    # multipliers 9 - 2(1 + h)^2 and 3 - 2h: stable exactly for 1 < h < sqrt(5) - 1
    for h, stable in (("123/100", True), ("124/100", False)):
        o = orbit_from_point(scalar_factorization(), [1.1, 1.1], h=h, period=2, dps=30)
        assert o.stable is stable
        hh = sp.Rational(h)
        with mpmath.workdps(30):
            exp = sorted([float(9 - 2 * (1 + hh) ** 2), float(3 - 2 * hh)], key=abs)[::-1]
            assert np.allclose([float(m) for m in o.multipliers], exp, atol=1e-25)


def test_found_orbits_are_periodic_under_the_independent_gd_engine():
    s = periodic_orbits(scalar_factorization(), [(-3, 3), (-3, 3)], h="19/10", period=3, seeds=32)
    assert s.orbits
    for o in s.orbits[:4]:
        with mpmath.workdps(60):
            start = [mpmath.nstr(c, 55) for c in o.points[0]]
        t = gd(scalar_factorization(), start, h="19/10", steps=3, dps=60)
        with mpmath.workdps(50):
            gap = max(abs(mpmath.mpf(a) - b) for a, b in zip(t.x, o.points[0], strict=True))
        assert gap < 1e-40


def test_minimiser_curve_is_a_continuum_with_the_right_normal_stability():
    s = periodic_orbits(scalar_factorization(), [(-3, 3), (-3, 3)], h="1/2", period=1, seeds=64)
    assert len(s.continua) == 2 and len(s.orbits) == 1  # two branches; the saddle (0, 0)
    for c in s.continua:
        x = c.samples
        assert np.allclose(x[:, 0] * x[:, 1], 1, atol=1e-9)
        # normal multiplier 1 - h (x^2 + y^2) (the Hessian's sharp eigenvalue, SPEC T8)
        assert np.allclose(c.normal_radius, np.abs(1 - 0.5 * (x**2).sum(axis=1)), atol=1e-8)


def test_lower_periods_are_not_reported_as_period_p():
    s = periodic_orbits(logistic_conjugate(), [(-1, 1)], h=1, period=4, seeds=64)
    assert all(o.period == 4 for o in s.orbits)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"h": 0}, InvalidInputError),
        ({"h": "nan"}, InvalidInputError),
        ({"period": 0}, InvalidInputError),
        ({"period": 1000}, InvalidInputError),
        ({"box": [(-1, 1)]}, ShapeError),
        ({"box": [(1, -1), (0, 1)]}, InvalidInputError),
        ({"dps": 5}, Exception),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(kwargs, error):
    args = {"h": 1, "period": 1, "box": [(-1, 1), (-1, 1)]}
    args.update(kwargs)
    with pytest.raises(error):
        periodic_orbits(
            scalar_factorization(),
            args["box"],
            h=args["h"],
            period=args["period"],
            **({"dps": kwargs["dps"]} if "dps" in kwargs else {}),
        )


def test_orbit_from_point_refuses_a_wrong_period():
    with pytest.raises(InvalidInputError, match="minimal period 1"):
        orbit_from_point(logistic_conjugate(), [-0.5], h=1, period=2)
