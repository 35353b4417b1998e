"""Krawczyk proofs of periodic orbits with rigorous stability (rigorous.orbits)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gdtheory as gt
from gdtheory.certify import (
    certify_periodic_orbit,
)
from gdtheory.errors import InvalidInputError, ShapeError
from gdtheory.objectives import scalar_factorization

F = scalar_factorization()


def _two_cycle(h: float) -> list[list[float]]:
    a = math.sqrt(1 + 2 / h)  # h (a^2 - 1) = 2 on the diagonal
    return [[a, a], [-a, -a]]


def test_symmetric_two_cycle_at_19_10_is_proved_unstable_with_closed_form_multipliers():
    c = certify_periodic_orbit(F, _two_cycle(1.9), h="19/10", radius=1e-6)
    assert c.proved and c.minimal_period and c.stable is False
    assert c.margin > 0.4 and c.width < 1e-30
    h = sp.Rational(19, 10)
    assert c.contains_multiplier((5 + 2 * h) ** 2) and c.contains_multiplier(9)  # exact values
    assert not c.contains_multiplier(sp.Rational(7744, 100) + sp.Rational(1, 10**25))
    # the enclosure of z_0 contains the exact point sqrt(1 + 2/h)
    a = sp.sqrt(1 + 2 / h)
    (lo, hi), _ = c.enclosure[0]
    assert sp.Rational(lo) <= a <= sp.Rational(hi)


def _stable_orbit(h: str, period: int) -> list[list[float]]:
    s = gt.periodic_orbits(F, [(-3, 3), (-3, 3)], h=h, period=period)
    stable = [o for o in s.orbits if o.stable]
    assert stable, s
    return [[float(v) for v in pt] for pt in stable[0].points]


@pytest.mark.parametrize("h, period", [("5/4", 4), ("73/50", 3)])
def test_stable_orbits_of_period_3_and_4_are_proved_stable(h, period):
    c = certify_periodic_orbit(F, _stable_orbit(h, period), h=h, radius=1e-6)
    assert c.proved and c.minimal_period and c.stable is True, c
    assert c.period == period and len(c.multiplier_boxes) == 2


def test_a_fixed_point_given_twice_is_not_a_minimal_two_cycle():
    c = certify_periodic_orbit(F, [[0, 0], [0, 0]], h="19/10", radius="1/100")
    assert c.proved and not c.minimal_period  # the origin is a fixed point
    assert "divisor" in c.reason


def test_a_box_without_an_orbit_is_not_proved():
    c = certify_periodic_orbit(F, [[0.5, 0.7], [-0.2, 1.1]], h="19/10", radius=1e-3)
    assert not c.proved and c.stable is None and c.multipliers == ()


@pytest.mark.parametrize(
    "points, radius, error",
    [
        ([[1.0, 1.0]], 0, InvalidInputError),
        ([[1.0, 1.0]], -1, InvalidInputError),
        ([[1.0]], 0.1, ShapeError),
        ([], 0.1, ShapeError),
        ([[1.0, "x"]], 0.1, InvalidInputError),
    ],
)
def test_bad_inputs_raise_named_errors(points, radius, error):
    with pytest.raises(error):
        certify_periodic_orbit(F, points, h="19/10", radius=radius)
    with pytest.raises(InvalidInputError, match="prec"):
        certify_periodic_orbit(F, _two_cycle(1.9), h="19/10", radius=1e-6, prec=8)
    with pytest.raises(InvalidInputError, match="h must be > 0"):
        certify_periodic_orbit(F, _two_cycle(1.9), h=0, radius=1e-6)


@given(h=st.fractions(Fraction(101, 100), Fraction(19, 10), max_denominator=1000))
@settings(max_examples=25, deadline=None)
def test_closed_form_two_cycles_are_certified_with_the_right_stability(h):
    """Off-symmetric diagonal 2-cycle: multipliers 9 - 2(1 + h)^2 and 3 - 2h, stable iff
    1 < h < sqrt(5) - 1; the anti-diagonal one: (2h - 5)^2 and 9, always unstable."""
    hs = sp.Rational(h.numerator, h.denominator)
    assume(abs(float(hs) - (math.sqrt(5) - 1)) > 0.01)
    root = math.sqrt((float(hs) + 1) ** 2 - 4)
    sp_ = math.sqrt((float(hs) + 1 + root) / (2 * float(hs)))
    sm_ = math.sqrt((float(hs) + 1 - root) / (2 * float(hs)))
    c = certify_periodic_orbit(F, [[sp_, sp_], [sm_, sm_]], h=hs, radius=1e-7)
    assert c.proved and c.minimal_period
    assert c.stable is (float(hs) < math.sqrt(5) - 1)
    assert c.contains_multiplier(9 - 2 * (1 + hs) ** 2) and c.contains_multiplier(3 - 2 * hs)
    a = math.sqrt(2 / float(hs) - 1)
    anti = certify_periodic_orbit(F, [[a, -a], [-a, a]], h=hs, radius=1e-7)
    assert anti.proved and anti.stable is False and anti.contains_multiplier((2 * hs - 5) ** 2)


# --- stability in dimension n >= 3 (Gershgorin discs of V^{-1} M V) ---------------------

_Q = sp.Matrix([[1, 2, 2], [2, 1, -2], [2, -2, 1]]) / 3  # symmetric and orthogonal


def _rotated_factorization(c: sp.Rational) -> gt.Objective:
    """g(Q x) with g(y) = (1 - y1 y2)^2/2 + c y3^2/2: GD on it is conjugate by x = Q y to
    the product of GD on (1 - y1 y2)^2/2 and on c y3^2/2, so the multipliers of a 2-cycle
    are those of the 2-D cycle and (1 - h c)^2, but the monodromy matrix is full."""
    xs = sp.symbols("x1 x2 x3")
    y = _Q * sp.Matrix(xs)
    return gt.Objective((1 - y[0] * y[1]) ** 2 / 2 + c * y[2] ** 2 / 2, list(xs))


@given(
    h=st.fractions(Fraction(101, 100), Fraction(19, 10), max_denominator=1000),
    c=st.fractions(Fraction(1, 10), Fraction(3, 1), max_denominator=20),
)
@settings(max_examples=15, deadline=None)
def test_three_dimensional_two_cycles_get_the_closed_form_stability(h, c):
    hs, cs = sp.Rational(h.numerator, h.denominator), sp.Rational(c.numerator, c.denominator)
    mults = [9 - 2 * (1 + hs) ** 2, 3 - 2 * hs, (1 - hs * cs) ** 2]
    assume(all(abs(abs(float(m)) - 1) > 0.01 for m in mults))
    hf = float(hs)
    root = math.sqrt((hf + 1) ** 2 - 4)
    s = [math.sqrt((hf + 1 + sg * root) / (2 * hf)) for sg in (1, -1)]
    pts = [[float(v) for v in _Q * sp.Matrix([si, si, 0])] for si in s]
    cert = certify_periodic_orbit(_rotated_factorization(cs), pts, h=hs, radius=1e-7)
    assert cert.proved and cert.minimal_period, cert
    assert cert.stable is all(abs(float(m)) < 1 for m in mults), cert
    assert all(cert.contains_multiplier(m) for m in mults), cert
    assert len(cert.multiplier_boxes) == 3


def test_three_dimensional_orbit_at_19_10_is_unstable_with_its_three_multipliers():
    h = sp.Rational(19, 10)
    a = math.sqrt(1 + 2 / 1.9)
    pts = [[float(v) for v in _Q * sp.Matrix([sg * a, sg * a, 0])] for sg in (1, -1)]
    cert = certify_periodic_orbit(_rotated_factorization(sp.Rational(1, 2)), pts, h=h, radius=1e-6)
    assert cert.proved and cert.stable is False and cert.width < 1e-30
    for m in ((5 + 2 * h) ** 2, 9, (1 - h / 2) ** 2):
        assert cert.contains_multiplier(m)
    assert not cert.contains_multiplier(9 + sp.Rational(1, 10**20))
    assert cert.recheck() == cert


@pytest.mark.parametrize("h, stable", [("1/2", True), ("5/2", False), ("2", None)])
def test_repeated_multipliers_in_three_dimensions(h, stable):
    """f = |x|^2/2: the fixed point 0 has the triple multiplier 1 - h (one Gershgorin
    component of three discs); at h = 2 it is -1 exactly, on the circle: undecided."""
    q = gt.Objective("(x1**2 + x2**2 + x3**2)/2", ["x1", "x2", "x3"])
    cert = certify_periodic_orbit(q, [[0, 0, 0]], h=h, radius=Fraction(1, 8))
    assert cert.proved and cert.stable is stable
    assert cert.contains_multiplier(1 - sp.Rational(h))
    if stable is None:
        assert "meets |l| = 1" in cert.reason


def _on_boxes(cert, boxes):
    """The same certificate's proof redone on other boxes (fractions as strings)."""
    import dataclasses

    stored = tuple(tuple((str(lo), str(hi)) for lo, hi in pt) for pt in boxes)
    return dataclasses.replace(cert, boxes=stored).reprove()


def test_krawczyk_needs_the_strict_interior():
    """On x^2/2 at h = 1/2 GD is linear, x -> x/2, and K(X) is the exact point {0}: a box
    with 0 inside is proved, a box with 0 on its edge is not (uniqueness needs
    K(X) in the interior of X, a strict inequality), and a box of width 0 is not, with
    margin -inf."""
    base = certify_periodic_orbit("x**2/2", [[0]], h="1/2", radius="1/4")
    assert base.proved and base.margin > 0 and base.width == 0.0
    edge = _on_boxes(base, [[(Fraction(0), Fraction(1))]])
    assert not edge.proved and edge.margin == 0.0
    assert "interior" in edge.reason
    flat = _on_boxes(base, [[(Fraction(1, 3), Fraction(1, 3))]])
    assert not flat.proved and flat.margin == -math.inf


def test_minimal_period_needs_disjoint_enclosures_even_when_they_are_points():
    """The fixed point 0 of x -> x/2 given as a 2-cycle: the tightened enclosures are the
    same point [0, 0], so z_0 and z_1 are not separated (touching is not disjoint)."""
    c = certify_periodic_orbit("x**2/2", [[0], [0]], h="1/2", radius="1/8")
    assert c.proved and not c.minimal_period and c.width == 0.0


def test_the_tightened_enclosure_reaches_the_working_precision():
    """After X <- X n K(X) until it stops shrinking by 9/10 a step, the enclosure of the
    2-cycle of (1 - xy)^2/2 at h = 19/10 is as narrow as 128-bit balls allow."""
    a = math.sqrt(1 + 2 / 1.9)
    c = certify_periodic_orbit(F, [[a, a], [-a, -a]], h="19/10", radius=1e-6)
    assert c.proved and 0 < c.width < 2.0**-100


def test_the_cost_of_a_proof_is_estimated_before_it_runs():
    """(p n)^2 ball matrix entries at ~2e5 per second, scaled by prec/128: a 600-point
    orbit of a 2-D map at 512 bits (at least 29 s) is refused under a 10 s budget with
    that estimate, before anything is computed."""
    from gdtheory.core import budget

    pts = [[0.1 * k, 0.2] for k in range(600)]
    with budget.allow(10), pytest.raises(budget.CostError) as err:
        certify_periodic_orbit(F, pts, h="19/10", radius=1e-6, prec=512)
    work = (600 * 2) ** 2 * (512 / 128)
    assert f"{work:.3g} matrix entries" in str(err.value) and "29 s" in str(err.value)


def test_complex_multipliers_are_tested_against_their_rectangles():
    """At h = 19/10 on (1 - xy)^2/2 the 2-cycle's multipliers are real: a complex
    candidate with the right real part is not in any enclosure, a string is parsed
    safely."""
    a = math.sqrt(1 + 2 / 1.9)
    c = certify_periodic_orbit(F, [[a, a], [-a, -a]], h="19/10", radius=1e-6)
    assert c.contains_multiplier(9) and c.contains_multiplier("9")
    assert not c.contains_multiplier(9 + sp.I / 10**20)
    assert not c.contains_multiplier("9 + I/10**20")


@pytest.mark.parametrize(("prec", "ok"), [(53, True), (4096, True), (52, False), (4097, False)])
def test_the_precision_range_is_53_to_4096_bits(prec, ok):
    from gdtheory.rigorous.orbits import _check_prec

    if ok:
        assert _check_prec(prec) == prec
    else:
        with pytest.raises(InvalidInputError, match="prec"):
            _check_prec(prec)
