"""The principal flow: exact on quadratics at t = kh for every h (50 digits), complex
between the grid times where h l > 1, gradient flow plus GD's first modified term for
small h, the float64 model path, and clear refusals."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdtheory.backward_error.modified import modified_equation
from gdtheory.continuous.principal_flow import principal_field, principal_flow, principal_phi
from gdtheory.core.library import spread_quadratic  # eigenvalues 10, 2, 1/5
from gdtheory.core.objective import Objective
from gdtheory.dynamics.trajectories import gd
from gdtheory.errors import InvalidInputError
from gdtheory.models.numpy_models import ObjectiveModel

CASES = [
    (Objective.parse("3*(x - 1)**2/2"), sp.Integer(3), [2]),
    (spread_quadratic(), sp.Integer(10), [1, -1, 2]),
]


@pytest.mark.parametrize("hl", ["1/2", "3/2", "5/2"])
@pytest.mark.parametrize("case", [0, 1], ids=["1-D", "3-D spread"])
def test_principal_flow_is_gd_on_quadratics_at_every_grid_time(hl: str, case: int) -> None:
    f, L, x0 = CASES[case]
    h = sp.Rational(hl) / L
    K = 4
    s = principal_flow(f, x0, [k * h for k in range(K + 1)], h=h, dps=50)
    tr = gd(f, x0, h=h, steps=K, dps=50)
    with mpmath.workdps(50):
        err = max(
            abs(a - b)
            for st, xk in zip(s.states, tr.iterates, strict=True)
            for a, b in zip(st, xk, strict=True)
        )
        size = max(abs(c) for xk in tr.iterates for c in xk)
    assert err <= mpmath.mpf(10) ** -30 * max(1, size), (hl, case, err)


def test_between_grid_times_the_flow_is_complex_with_the_principal_branch() -> None:
    """x^2 (l = 2), h = 3/4: x(t) = (1 - 3/2)^(t/h) = exp((t/h)(log(1/2) + i pi))."""
    s = principal_flow("x**2", [1], ["3/8"], h="3/4", dps=40)
    with mpmath.workdps(40):
        exact = mpmath.exp(mpmath.mpf(1) / 2 * (mpmath.log(mpmath.mpf(1) / 2) + 1j * mpmath.pi))
        assert abs(s.states[-1][0] - exact) < mpmath.mpf(10) ** -35
        assert mpmath.im(s.states[-1][0]) > 0.5  # i / sqrt(2)


@pytest.mark.parametrize(
    "text,point", [("(1 - x*y)**2/2", [2, "1/3"]), ("x**4/4 - x**2/2", ["3/2"])]
)
def test_small_h_the_field_is_gds_first_order_modified_field(text: str, point: list) -> None:
    """phi(z) = -1 - z/2 + O(z^2): the principal field minus F_0 + h F_1 of the modified
    equation (computed independently, by backward error analysis) is O(h^2)."""
    obj = Objective.parse(text)
    me = modified_equation(obj, 1)
    F1 = me.lambdify("mpmath", 1)
    ratios = []
    with mpmath.workdps(40):
        x = obj.point_mp(point)
        for h in ("1/100", "1/200", "1/400"):
            pf = principal_field(obj, h)(x)
            bea = F1(x, mpmath.mpf(sp.Rational(h)))
            gap = max(abs(a - b) for a, b in zip(pf, bea, strict=True))
            ratios.append(float(gap / mpmath.mpf(sp.Rational(h)) ** 2))
    assert ratios[0] > 1e-6  # the h^2 terms differ (third derivatives enter F_2, not phi)
    assert abs(ratios[2] / ratios[1] - 1) < 0.05 and abs(ratios[1] / ratios[0] - 1) < 0.1


def test_the_model_path_matches_gd_while_real_and_stops_where_it_turns_complex() -> None:
    A = np.diag([4.0, 1.0])
    m = ObjectiveModel(Objective.parse("2*x**2 + y**2/2"))
    h = 0.2  # h l = 0.8, 0.2: real
    out = principal_flow(m, [1.0, -2.0], [k * h for k in range(6)], h=h)
    assert out.status == "finished"
    w = np.array([1.0, -2.0])
    for k in range(6):
        np.testing.assert_allclose(out.states[k], w, rtol=1e-8, atol=1e-10)
        w = w - h * (A @ w)
    late = principal_flow(m, [1.0, -2.0], [0.5], h=0.3)  # h l = 1.2: complex at once
    assert late.status == "complex" and np.all(np.isnan(late.states))


def test_bad_input_is_named() -> None:
    with pytest.raises(InvalidInputError, match="singular"):
        principal_flow("x**2/2", [1], [1], h=1, dps=20)  # h l = 1 exactly
    with pytest.raises(InvalidInputError, match="sorted"):
        principal_flow("x**2/2", [1], [1, "1/2"], h="1/2", dps=20)
    with pytest.raises(InvalidInputError, match="h"):
        principal_flow("x**2/2", [1], [1], h=-1, dps=20)
    with pytest.raises(InvalidInputError, match="coordinates"):
        principal_flow(ObjectiveModel(Objective.parse("x**2 + y**2")), [1.0], [1.0], h=0.1)


# ---- past h l = 1 on non-quadratics: the two readings, by fixed-step RK4 ----

DOUBLE_WELL = Objective.parse("x**4/4 - x**2/2")


@pytest.mark.parametrize("branch", ["continued", "principal"])
def test_stepped_readings_are_gd_on_quadratics(branch: str) -> None:
    """No eigenvalue moves on a quadratic: both readings are the exact flow, GD at t = kh
    (h l = 3/2 in 1-D, 5/2 on the spread quadratic), to RK4's accuracy."""
    for f, L, x0, hl in ((CASES[0][0], 3, [2], "3/2"), (CASES[1][0], 10, [1, -1, 2], "5/2")):
        h = sp.Rational(hl) / L
        s = principal_flow(
            f, x0, [k * h for k in range(4)], h=h, dps=30, branch=branch, substeps=64
        )
        tr = gd(f, x0, h=h, steps=3, dps=30)
        with mpmath.workdps(30):
            err = max(
                abs(a - b)
                for st, xk in zip(s.states, tr.iterates, strict=True)
                for a, b in zip(st, xk, strict=True)
            )
        assert err < 1e-6 and err <= 2 * s.error_estimate + 1e-20, (branch, hl, err)


def test_literal_reading_slides_along_the_cut_with_the_real_field() -> None:
    """Double well from 6/5, h = 1.2/f''(6/5): read literally, the principal log jumps
    across the real axis (where h f'' > 1) and the path slides on it with the average of
    the two one-sided fields, the real x' = log|1 - h f''| f'/(h f'') (Filippov).  RK4
    on the literal field converges to that real flow (by GBS, a second integrator) at
    first order."""
    from gdtheory.continuous.flows import integrate_flow

    h = sp.Rational(6, 5) / sp.Rational(83, 25)  # f''(6/5) = 83/25
    T = 3 * h
    with mpmath.workdps(30):
        hm = mpmath.mpf(h)

        def real_field(x):
            z = hm * (3 * x[0] ** 2 - 1)
            return (mpmath.log(abs(1 - z)) / z * (x[0] ** 3 - x[0]),)

        ref = integrate_flow(real_field, [mpmath.mpf(6) / 5], [T], dps=30).states[-1][0]
    errs = []
    for M in (64, 128, 256):
        s = principal_flow(DOUBLE_WELL, ["6/5"], [T], h=h, dps=30, substeps=M)
        errs.append(float(abs(s.states[-1][0] - ref)))
    assert errs[2] < 1e-3 and 1.5 < errs[0] / errs[1] < 2.6 and 1.5 < errs[1] / errs[2] < 2.6, errs


def test_continued_reading_converges_at_fourth_order_in_two_dimensions() -> None:
    """(1 - xy)^2/2 from (2, 1/4), h = 1.2/L0: the eigenvalues are matched step to step and
    each logarithm kept on its nearest branch; a wrong match or branch would break RK4's
    order.  The change when the substeps halve falls about 16x per halving."""
    f = Objective.parse("(1 - x*y)**2/2")
    h = sp.Rational(3, 10)  # L0 = 4 at (2, 1/4)
    changes = [
        float(
            principal_flow(
                f, ["2", "1/4"], [4 * h], h=h, dps=30, branch="continued", substeps=M
            ).error_estimate
        )
        for M in (16, 32)
    ]
    assert 10 < changes[0] / changes[1] < 24, changes


def test_branch_and_substeps_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="branch must be one of"):
        principal_flow("x**2", [1], [1], h="3/4", branch="sheet")
    with pytest.raises(InvalidInputError, match="substeps"):
        principal_flow("x**2", [1], [1], h="3/4", substeps=1)
    with pytest.raises(InvalidInputError, match="symbolic objectives"):
        principal_flow(
            ObjectiveModel(Objective.parse("x**2")), [1.0], [1.0], h=0.1, branch="continued"
        )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-3, 3), min_size=3, max_size=3),
    st.lists(st.floats(-1, 1), min_size=3, max_size=3),
)
def test_sylvester_2x2_equals_diagonalisation(real, imag):
    """phi(hH) of a 2 x 2 complex symmetric Hessian by the quadratic formula and
    Sylvester's formula (gmpy2, 40 digits) equals V phi(hL) V^-1 from mpmath.eig (h = 1/3,
    principal branch) to 1e-28 relative; nearly equal eigenvalues are left to eig."""
    import gmpy2

    from gdtheory.continuous.principal_flow import _eigenvalues_2x2, _sylvester_2x2
    from gdtheory.core.compiled import from_gmpy2, to_gmpy2

    with mpmath.workdps(40), gmpy2.context(precision=mpmath.mp.prec):
        a, b, d = (mpmath.mpc(x, y) for x, y in zip(real, imag, strict=True))
        entries = [to_gmpy2(v) for v in (a, b, b, d)]
        two = _eigenvalues_2x2(*entries)
        lam, V = mpmath.eig(mpmath.matrix([[a, b], [b, d]]))
        if two is None:  # refused only when the eigenvalues (nearly) coincide
            assert abs(lam[0] - lam[1]) <= mpmath.mpf(10) ** -9 * max(1, abs(lam[0]))
            return
        two_mp = [from_gmpy2(v) for v in two]
        assume(abs(two_mp[0] - two_mp[1]) > mpmath.mpf(10) ** -3 * max(1, abs(two_mp[0])))
        assume(all(abs(1 - v / 3) > 1e-6 for v in [*two_mp, *lam]))
        S = _sylvester_2x2(entries, two, [principal_phi(v / 3) for v in two])
        ref = V * mpmath.diag([principal_phi(v / 3) for v in lam]) * mpmath.inverse(V)
        size = 1 + max(abs(ref[i, j]) for i in range(2) for j in range(2))
        err = max(abs(from_gmpy2(S[2 * i + j]) - ref[i, j]) for i in range(2) for j in range(2))
        assert err <= mpmath.mpf(10) ** -28 * size


def test_the_2d_field_takes_mpmath_side_of_the_cut(monkeypatch):
    """On the cut (h l > 1 on a real state) the 2-D field in gmpy2 gives log(1 - h l)
    = log|1 - h l| + i pi, as mpmath's principal logarithm does, whatever the sign of the
    zero imaginary parts MPC computes on the way (x^2 + 3y^2 + xy/10, h = 1/2: h l = 3.001
    for one eigenvalue; against the same field by diagonalisation in mpmath)."""
    import gdtheory.continuous.principal_flow as pf

    f = Objective.parse("x**2 + 3*y**2 + x*y/10")
    with mpmath.workdps(30):
        fast = principal_field(f, "1/2")([mpmath.mpf(1), mpmath.mpf(-2)])
    monkeypatch.setattr(pf, "_eigenvalues_2x2", lambda *H: None)  # the diagonalising path
    with mpmath.workdps(30):
        slow = principal_field(f, "1/2")([mpmath.mpf(1), mpmath.mpf(-2)])
    with mpmath.workdps(30):
        assert all(abs(mpmath.im(v)) > 0.1 for v in slow)  # past the cut: complex
        assert max(abs(a - b) for a, b in zip(fast, slow, strict=True)) < 1e-25


@pytest.mark.parametrize("c", ["2", "4"])
def test_the_closed_form_follows_the_eigenvalues_as_diagonalising_does(monkeypatch, c):
    """The continued principal flow on (1 - xy)^2/2 past 1/L0 (h = c / L0, L0 = 4.0625):
    the 2-D closed form, which keeps each eigenvalue's logarithm on its branch by matching
    the eigenvalues to the last step's, equals the flow computed by mpmath.eig."""
    import gdtheory.continuous.principal_flow as pf

    f, x0 = Objective.parse("(1 - x*y)**2/2"), ["2", "1/4"]
    h = sp.Rational(c) / sp.Rational("4.0625")
    times = [h * k for k in range(1, 5)]
    fast = principal_flow(f, x0, times, h=h, dps=30, branch="continued", substeps=16)
    monkeypatch.setattr(pf, "_eigenvalues_2x2", lambda *H: None)
    slow = principal_flow(f, x0, times, h=h, dps=30, branch="continued", substeps=16)
    with mpmath.workdps(30):
        gap = max(
            abs(a - b)
            for s, t in zip(fast.states, slow.states, strict=True)
            for a, b in zip(s, t, strict=True)
        )
    assert gap < 1e-20
