"""Certificates: Krawczyk proofs of periodic orbits, period-3 chaos, descent, balance."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gdtheory as gt
from gdtheory.certify import (
    OrbitCertificate,
    certify_balance,
    certify_descent,
    certify_period_three_chaos,
    certify_periodic_orbit,
    recheck,
)
from gdtheory.errors import InvalidInputError, ShapeError
from gdtheory.objectives import logistic_conjugate, scalar_factorization

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


def test_a_saved_certificate_rechecks_and_a_shifted_box_fails():
    c = certify_periodic_orbit(F, _stable_orbit("5/4", 4), h="5/4", radius=1e-6)
    text = c.to_json()
    assert OrbitCertificate.from_json(text) == c
    again = recheck(text)
    assert again.proved and again.stable is True and again.enclosure == c.enclosure
    data = json.loads(text)
    lo, hi = (Fraction(v) for v in data["boxes"][1][0])
    data["boxes"][1][0] = [str(lo + Fraction(1, 1000)), str(hi + Fraction(1, 1000))]
    bad = recheck(json.dumps(data))
    assert not bad.proved and bad.stable is None and "not inside" in bad.reason
    data["h"] = "6/5"  # the same boxes at another h: not an orbit there
    assert not recheck(json.dumps({**json.loads(text), "h": "6/5"})).proved


def test_malformed_certificates_are_rejected_clearly():
    with pytest.raises(InvalidInputError, match="JSON"):
        recheck("{not json")
    with pytest.raises(InvalidInputError, match="certificate"):
        recheck(json.dumps({"format": "something else"}))
    text = certify_periodic_orbit(F, _two_cycle(1.9), h="19/10", radius=1e-6).to_json()
    d = json.loads(text)
    del d["boxes"]
    with pytest.raises(InvalidInputError, match="malformed"):
        recheck(json.dumps(d))
    d = json.loads(text)
    d["objective"] = "__import__('os').system('echo hi')"
    with pytest.raises(gt.ParseError):
        recheck(json.dumps(d))


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


def test_period_three_chaos_on_the_logistic_conjugate_cubic():
    pts = [math.cos(2 * math.pi * k / 7) for k in (1, 2, 4)]  # T_2 maps 2 pi k/7 to 4 pi k/7
    c = certify_period_three_chaos(logistic_conjugate(), pts, h=1, radius=1e-9)
    assert c.proved and "Sharkovskii" in c.conclusion and "Li and Yorke" in c.conclusion
    assert c.orbit.stable is False and c.orbit.contains_multiplier(8)  # 4^3 prod cos = 8
    for (lo, hi), k in zip((b[0] for b in c.orbit.enclosure), (1, 2, 4), strict=True):
        assert sp.Rational(lo) <= sp.cos(2 * sp.pi * k / 7) <= sp.Rational(hi)
    with pytest.raises(ShapeError):
        certify_period_three_chaos(F, [[0, 0]] * 3, h=1, radius=0.1)
    with pytest.raises(ShapeError):
        certify_period_three_chaos(logistic_conjugate(), pts[:2], h=1, radius=0.1)
    wrong = certify_period_three_chaos(logistic_conjugate(), [0.1, 0.5, 0.9], h=1, radius=1e-3)
    assert not wrong.proved and wrong.conclusion.startswith("NOT PROVED")


def test_descent_certificate_and_an_independent_numerical_check():
    f = gt.Objective.parse("logcosh(x + 2*y) + x**2/2")
    c = certify_descent(f, [(-1, 1), (-1, 1)], h="1/4")
    assert c.proved and Fraction(c.L_bound) >= Fraction(5)  # true sup near 3 + sqrt 5
    factor, h = float(Fraction(c.factor)), 0.25
    X = np.random.default_rng(0).uniform(-1, 1, (2000, 2))
    g = f.grad_np(X)
    decrease = f.f_np(X) - f.f_np(X - h * g)
    assert np.all(decrease >= factor * np.sum(g * g, axis=1) - 1e-12)
    too_big = certify_descent(f, [(-1, 1), (-1, 1)], h="1/2")  # h L ~ 2.6
    assert not too_big.proved and "h L_bound" in too_big.reason
    with pytest.raises(ShapeError):
        certify_descent(f, [(-1, 1)], h="1/4")


@given(
    x=st.floats(0.3, 3.0),
    mu=st.floats(0.2, 2.0),
    h=st.floats(0.05, 1.5),
)
@settings(max_examples=40, deadline=None)
def test_balance_certificate_agrees_with_the_closed_form_away_from_the_boundary(x, mu, h):
    y = mu / x
    s = x * x + y * y
    assume(abs(h * s - 2) > 0.05)
    r = 1e-4
    c = certify_balance([(x - r, x + r), (y - r, y + r)], h=h, mu=mu)
    assert c.contains_minimiser
    assert c.stable is (h * s < 2)
    lo, hi = (float(Fraction(v)) for v in c.sharp)
    assert lo <= s <= hi and hi - lo < 1e-2
    ilo, ihi = (float(Fraction(v)) for v in c.imbalance)
    assert ilo <= (x - y) ** 2 + 1e-12 and (x - y) ** 2 <= ihi + 1e-12


def test_balance_certificate_edge_cases():
    assert not certify_balance([(2, 3), (2, 3)], h="1/2", mu=1).contains_minimiser  # xy >= 4
    assert certify_balance([(-1.1, -0.9), (-1.1, -0.9)], h="1/2", mu=1).stable is True
    with pytest.raises(InvalidInputError, match="contain 0"):
        certify_balance([(-1, 1), (0.5, 2)], h="1/2", mu=1)
    undecided = certify_balance([(0.9, 1.1), (0.9, 1.1)], h="1", mu=1)  # h s straddles 2
    assert undecided.stable is None


@given(
    h=st.fractions(Fraction(101, 100), Fraction(19, 10), max_denominator=1000),
    x=st.floats(0, 1),
    y=st.floats(0, 1),
)
@settings(max_examples=30, deadline=None)
def test_enclosures_contain_float_gradients_and_hessians(h, x, y):
    from gdtheory.rigorous.balls import enclose_gradient, enclose_hessian

    box = [(Fraction(0), Fraction(1)), (Fraction(0), Fraction(1))]
    pt = np.array([[x, y]])
    for ball, v in zip(enclose_gradient(F, box), F.grad_np(pt)[0], strict=True):
        assert float(ball.lower()) <= v <= float(ball.upper())
    for row, vals in zip(enclose_hessian(F, box), F.hess_np(pt)[0], strict=True):
        for ball, v in zip(row, vals, strict=True):
            assert float(ball.lower()) <= v <= float(ball.upper())


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


_entries = st.fractions(Fraction(-2), Fraction(2), max_denominator=16)


@given(
    n=st.integers(3, 5),
    data=st.data(),
)
@settings(max_examples=60, deadline=None)
def test_gershgorin_stability_agrees_with_high_precision_eigenvalues(n, data):
    """Random exact matrices (complex pairs, near-repeated eigenvalues included): every
    eigenvalue (mpmath at 60 digits, a different algorithm) lies in an enclosure, and a
    decided verdict agrees with the spectral radius."""
    import flint
    import mpmath

    from gdtheory.rigorous.balls import Prec as _Prec
    from gdtheory.rigorous.multipliers import gershgorin_stability as _stability_gershgorin

    rows = [[data.draw(_entries) for _ in range(n)] for _ in range(n)]
    with _Prec(128):
        M = flint.arb_mat([[flint.arb(q.numerator) / q.denominator for q in r] for r in rows])
        stable, _, boxes, _ = _stability_gershgorin(M, n)
    with mpmath.workdps(60):
        eig = mpmath.eig(
            mpmath.matrix([[mpmath.mpf(q.numerator) / q.denominator for q in r] for r in rows]),
            left=False,
            right=False,
        )
        radius = max(abs(e) for e in eig)
        if boxes:
            for e in eig:
                assert any(
                    mpmath.mpf(Fraction(b[0]).numerator) / Fraction(b[0]).denominator - 1e-50
                    <= e.real
                    <= mpmath.mpf(Fraction(b[1]).numerator) / Fraction(b[1]).denominator + 1e-50
                    and mpmath.mpf(Fraction(b[2]).numerator) / Fraction(b[2]).denominator - 1e-50
                    <= e.imag
                    <= mpmath.mpf(Fraction(b[3]).numerator) / Fraction(b[3]).denominator + 1e-50
                    for b in boxes
                ), (e, boxes)
    if stable is True:
        assert radius < 1
    if stable is False:
        assert radius > 1


@pytest.mark.parametrize("scale, stable", [(1, True), (3, False)])
def test_complex_multipliers_are_enclosed_and_decided(scale, stable):
    """M = S D S^{-1} with D = diag(1/2, -3/10) + the block [[a, -b], [b, a]] (eigenvalues
    a +- ib = (1 +- 2i)/5, |.| = 0.447), scaled: exact spectrum known."""
    import flint

    from gdtheory.rigorous.balls import Prec as _Prec
    from gdtheory.rigorous.multipliers import gershgorin_stability as _stability_gershgorin

    a, b = sp.Rational(1, 5), sp.Rational(2, 5)
    D = sp.diag(sp.Rational(1, 2), sp.Rational(-3, 10), sp.Matrix([[a, -b], [b, a]])) * scale
    S = sp.Matrix([[1, 2, 0, 1], [0, 1, 3, 0], [1, 0, 1, 2], [2, 1, 0, 1]])
    M = S * D * S.inv()
    with _Prec(128):
        Mb = flint.arb_mat([[flint.arb(int(v.p)) / int(v.q) for v in M.row(i)] for i in range(4)])
        got, txt, boxes, why = _stability_gershgorin(Mb, 4)
    assert got is stable and not why and len(txt) == 4
    exact = [scale * sp.Rational(1, 2), scale * sp.Rational(-3, 10)]
    exact += [scale * (a + sg * sp.I * b) for sg in (1, -1)]
    for lam in exact:
        assert any(
            sp.Rational(b0) <= sp.re(lam) <= sp.Rational(b1)
            and sp.Rational(b2) <= sp.im(lam) <= sp.Rational(b3)
            for b0, b1, b2, b3 in boxes
        )
    assert max(float(sp.Rational(b1) - sp.Rational(b0)) for b0, b1, _, _ in boxes) < 1e-25
