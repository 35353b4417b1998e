"""Rigorous stability from an enclosed monodromy matrix (rigorous.multipliers)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_one_and_two_dimensional_stability_at_and_off_the_unit_circle():
    """Exact monodromy matrices: |m| < 1 stable, > 1 unstable, = 1 undecided (n = 1);
    for n = 2 Jury's conditions |det| < 1, |tr| < 1 + det decide stability, |det| > 1 or
    |tr| > 1 + det instability, and a rotation (det = 1, tr = 0: multipliers +-i on the
    circle) stays undecided."""
    import flint

    from gdtheory.rigorous.multipliers import decide_stability

    def mat(rows):
        return flint.arb_mat([[flint.arb(v) for v in row] for row in rows])

    assert decide_stability(mat([[0.5]]), 1)[0] is True
    assert decide_stability(mat([[-3]]), 1)[0] is False
    assert decide_stability(mat([[1]]), 1)[0] is None
    assert decide_stability(mat([[0.5, 0], [0, 0.25]]), 2)[0] is True
    assert decide_stability(mat([[2, 0], [0, 0.5]]), 2)[0] is False  # det 1, tr 2.5
    assert decide_stability(mat([[0, -3], [3, 0]]), 2)[0] is False  # det 9
    assert decide_stability(mat([[0, -1], [1, 0]]), 2)[0] is None  # +-i
    assert decide_stability(mat([[1, 0], [0, 0.5]]), 2)[0] is None  # tr = 1 + det: m = 1


def test_separate_gershgorin_discs_give_one_enclosure_each():
    """diag(2, -2, 1/2) in three dimensions: three disjoint discs (about 2, -2 and 1/2),
    so three enclosures, each holding one eigenvalue; the two outside the unit circle
    decide instability."""
    import flint

    from gdtheory.rigorous.multipliers import gershgorin_stability

    M = flint.arb_mat([[2, 0, 0], [0, -2, 0], [0, 0, 0.5]])
    stable, _, encl, _ = gershgorin_stability(M, 3)
    assert stable is False and len(encl) == 3
    from fractions import Fraction

    def holds(e, ev):  # (re_lo, re_hi, im_lo, im_hi) as exact fractions
        lo, hi, ilo, ihi = (Fraction(t) for t in e)
        return lo <= ev <= hi and ilo <= 0 <= ihi

    for ev in (Fraction(2), Fraction(-2), Fraction(1, 2)):
        assert sum(holds(e, ev) for e in encl) == 1
