from __future__ import annotations

import functools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import (
    InvalidInputError,
    NoGlobalSmoothnessError,
    Objective,
    ShapeError,
    SmoothnessScope,
    smoothness_constant,
)
from gdtheory.certify import certify_smoothness
from gdtheory.objectives import double_well, quadratic, scalar_factorization
from gdtheory.testing import quadratics, smooth_objectives


@given(quadratics(dim=3, spectrum=(-3, 5)))
def test_global_L_of_quadratic_is_exact(inst):
    L = smoothness_constant(inst.objective)
    assert L.scope is SmoothnessScope.GLOBAL and L.certified
    assert sp.simplify(L.value - inst.L) == 0


def test_no_global_L_for_polynomials_of_degree_above_two():
    with pytest.raises(NoGlobalSmoothnessError, match="degree 4"):
        smoothness_constant(Objective.parse("x**4"))
    with pytest.raises(NoGlobalSmoothnessError, match="box="):
        smoothness_constant(Objective.parse("exp(x)"))  # f'' = exp(x) is unbounded


#: bounded-Hessian objectives and their exact global L = sup |f''| (issue 15 item 9)
BOUNDED = {
    "log(1+exp(-x))": sp.Rational(1, 4),  # f'' = s(1 - s), s the logistic sigmoid
    "softplus(x)": sp.Rational(1, 4),
    "logcosh(x)": sp.Integer(1),  # f'' = sech^2 x
    "x**2/2 + 2*cos(x)": sp.Integer(3),  # f'' = 1 - 2 cos x
}


@pytest.mark.parametrize("text", sorted(BOUNDED))
def test_certified_global_L_for_bounded_hessians(text):
    """A certified global bound, within 1% of the exact sup (the enclosure's slack), with a
    sampled lower value at or below the exact one."""
    L = smoothness_constant(text)
    exact = float(BOUNDED[text])
    assert L.scope is SmoothnessScope.GLOBAL and L.certified
    assert exact <= float(L.value) <= 1.01 * exact, (float(L.value), exact)
    assert L.lower is not None and 0.999 * exact <= L.lower <= exact


@functools.cache
def _global_L(text):
    return smoothness_constant(text)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(sorted(BOUNDED)),
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
)
def test_property_global_L_dominates_the_hessian_everywhere(text, x):
    """Certified globally: |f''(x)| <= L at any x, far outside the central box too."""
    L = _global_L(text)
    obj = Objective.parse(text)
    with mpmath.workdps(30):
        value = abs(obj.hess_mp([mpmath.mpf(x)])[0])
    assert value <= float(L.value)


def test_global_L_failure_names_the_region_and_does_not_claim_unboundedness():
    with pytest.raises(NoGlobalSmoothnessError, match="may be unbounded") as e:
        smoothness_constant("x**4 + cos(x)")
    assert "oo" in str(e.value)


def test_box_bound_is_tight_on_polynomials():
    L = smoothness_constant(double_well(), box=[(-2, 2)])  # sup |3x^2 - 1| = 11
    assert 11 <= L.value <= sp.Rational(111, 10) and L.lower <= 11
    L = smoothness_constant(scalar_factorization(), box=[(-1, 1), (-1, 1)])  # rho at (1,-1) = 4
    assert 4 <= L.value <= sp.Rational(41, 10)


@settings(max_examples=15)
@given(smooth_objectives(dim=2, L_max=5), st.integers(0, 2**32 - 1))
def test_box_bound_dominates_every_sampled_hessian(inst, seed):
    """Certified means: rho(H(x)) <= bound for all x in the box (sampled), and the
    construction's L is a valid bound too, so the certified lower estimate cannot exceed it."""
    box = [(-2, 2), (-1, 3)]
    L = smoothness_constant(inst.objective, box=box, pieces=8)
    X = np.random.default_rng(seed).uniform([-2, -1], [2, 3], (200, 2))
    rho = np.max(np.abs(np.linalg.eigvalsh(inst.objective.hess_np(X))), axis=1)
    assert np.all(rho <= float(L))
    assert L.lower <= float(inst.L) + 1e-12


def test_point_value():
    L = smoothness_constant(scalar_factorization(), point=[1, -1])
    assert L.scope is SmoothnessScope.POINT and float(L) == pytest.approx(4, abs=1e-25)


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"box": [(-1, 1)], "point": [0, 0]}, InvalidInputError, "not both"),
        ({"box": [(-1, 1)]}, ShapeError, "dimension 2"),
        ({"box": [(1, -1), (0, 1)]}, InvalidInputError, "low < high"),
        ({"box": 5}, ShapeError, "pairs"),
    ],
)
def test_bad_boxes(kwargs, err, match):
    with pytest.raises(err, match=match):
        smoothness_constant(scalar_factorization(), **kwargs)


def test_box_outside_domain_is_reported():
    with pytest.raises(InvalidInputError, match="not smooth there"):
        smoothness_constant(Objective.parse("log(x)"), box=[(-1, 1)])


def test_quadratic_exact_irrational():
    L = smoothness_constant(quadratic([[1, 1], [1, 0]]))
    assert sp.simplify(L.value - (1 + sp.sqrt(5)) / 2) == 0


def test_one_piece_is_a_valid_subdivision():
    """pieces=1 bounds the Hessian on the whole box at once: a valid, coarser bound than
    the default subdivision (x^4/4 on [-1, 1]: sup |f''| = 3)."""
    import gdtheory as gt

    one = gt.smoothness_constant("x**4/4", [(-1, 1)], pieces=1).value
    fine = gt.smoothness_constant("x**4/4", [(-1, 1)]).value
    assert one >= fine >= 3


def test_collatz_wielandt_bounds_the_spectral_radius_exactly():
    """[[2, 1], [1, 2]] has rho = 3: the bound is >= 3 and close; entries beyond the float
    range fall back to the largest row sum, exactly."""
    from fractions import Fraction

    from gdtheory.rigorous.smoothness import _collatz_wielandt

    B = np.array([[Fraction(2), Fraction(1)], [Fraction(1), Fraction(2)]], dtype=object)
    assert 3 <= _collatz_wielandt(B) <= Fraction(3) + Fraction(1, 10**12)
    huge = Fraction(10**400)
    B = np.array([[huge, Fraction(1)], [Fraction(2), Fraction(3)]], dtype=object)
    assert _collatz_wielandt(B) == huge + 1
    assert _collatz_wielandt(np.array([[Fraction(7, 3)]], dtype=object)) == Fraction(7, 3)


@pytest.mark.parametrize(("pieces", "lower"), [(1, 4.0), (2, 6.25)])
def test_the_lower_figure_is_the_hessian_at_the_sub_box_centres(pieces, lower):
    """x^4/12 on [1, 3]: f'' = x^2 at the centres 2 (one piece) or 3/2 and 5/2 (two)."""
    c = certify_smoothness("x**4/12", [(1, 3)], pieces=pieces)
    assert c.lower == lower and 9 <= Fraction(c.bound) < 9 + Fraction(1, 10**6)
