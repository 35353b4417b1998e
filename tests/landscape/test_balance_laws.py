"""Balance laws and imbalance bounds: the law P(lam, q) = 0 exactly at rational points of
the minimiser set; the one-quantity bound against the scalar family's (x - y)^2 <= 2/h - 2;
the deep scalar bound against its closed form (N = 2), dense sampling of the minimiser set
(N = 3..5) and its own envelope derivative; GD from 1000 random starts (N = 3) and on the
leaky-ReLU factorisation's regions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from gdtheory import iterate_map
from gdtheory.errors import InvalidInputError
from gdtheory.landscape.balance import balance_bound
from gdtheory.landscape.balance_laws import (
    balance_law,
    deep_scalar,
    deep_scalar_bound,
    leaky_factorization,
    leaky_gd,
    one_quantity_bound,
)
from gdtheory.landscape.minimiser_set import objective_spectrum
from gdtheory.landscape.spectrum import H


def test_scalar_law_and_bound_match_the_scalar_family() -> None:
    law = balance_law(objective_spectrum("(1 - x*y)**2/2"))
    assert sp.expand(law.polynomial - (law.lam**2 - law.q[0] ** 2 - 4)) == 0
    b = one_quantity_bound(law)
    assert b.decreasing
    for h in ("1/10", "1/3", "1/2", "9/10"):
        # the boundary point of |x^2 - y^2| <= B(h) on xy = 1 is the boundary of
        # (x - y)^2 <= 2/h - 2: both say x^2 + y^2 <= 2/h
        B = b.bound.subs(H, sp.Rational(h))
        x2 = (B + sp.sqrt(B**2 + 4)) / 2  # x^2 with x^2 - 1/x^2 = B
        assert sp.simplify(x2 + 1 / x2 - 2 - balance_bound(h=h).exact) == 0
        assert float(sp.diff(b.bound, H).subs(H, sp.Rational(h))) < 0


@settings(max_examples=20, deadline=None)
@given(
    p=st.fractions(Fraction(1, 4), Fraction(4), max_denominator=20),
    q=st.fractions(Fraction(1, 4), Fraction(4), max_denominator=20),
)
def test_deep_scalar_law_holds_exactly_on_the_minimiser_set(p: Fraction, q: Fraction) -> None:
    s = objective_spectrum(deep_scalar(3))
    law = balance_law(s)
    xs = s.variables
    point = {xs[0]: sp.Rational(p), xs[1]: sp.Rational(q), xs[2]: 1 / sp.Rational(p * q)}
    lam = s.sharp.subs(point)
    assert law.residual(lam, [c.subs(point) for c in s.conserved]) == 0


def test_deep_scalar_bound_n2_is_the_closed_form() -> None:
    for h in ("1/10", "1/4", "1/2", "9/10"):
        b = deep_scalar_bound(2, h=h)
        hf = float(Fraction(h))
        assert b.bound == pytest.approx(np.sqrt(4 / hf**2 - 4), rel=1e-12)
        assert b.multiplier == pytest.approx((2 / hf) / np.sqrt(4 / hf**2 - 4), rel=1e-9)


@pytest.mark.parametrize(("N", "h"), [(3, 0.3), (3, 0.5), (4, 0.35), (5, 0.3)])
def test_deep_scalar_bound_against_sampling_the_minimiser_set(N: int, h: float) -> None:
    """u = x^2 sampled on prod u = 1 (log-uniform, 400k points): no stable sample has a
    larger spread; and SLSQP on max u_1 - u_2 (log coordinates, 20 starts), a second
    algorithm, finds the same maximum."""
    b = deep_scalar_bound(N, h=h)
    rng = np.random.default_rng(N)
    logs = rng.uniform(-4, 4, (400_000, N - 1))
    u = np.exp(np.column_stack([logs, -logs.sum(axis=1)]))
    stable = (1 / u).sum(axis=1) <= 2 / h
    spread = u.max(axis=1) - u.min(axis=1)
    assert stable.any()
    top = spread[stable].max()
    assert top <= b.bound * (1 + 1e-12)
    assert top >= 0.9 * b.bound
    cons = (
        {"type": "eq", "fun": lambda v: v.sum()},
        {"type": "ineq", "fun": lambda v: 2 / h - np.exp(-v).sum()},
    )
    found = 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # SLSQP probes far points
        for _ in range(20):
            res = minimize(
                lambda v: np.exp(v[1]) - np.exp(v[0]),
                rng.uniform(-1, 1, N),
                method="SLSQP",
                constraints=cons,
                options={"ftol": 1e-14, "maxiter": 500},
            )
            feasible = abs(res.x.sum()) < 1e-9 and np.exp(-res.x).sum() <= 2 / h * (1 + 1e-9)
            if res.success and feasible:
                found = max(found, -res.fun)
    assert found == pytest.approx(b.bound, rel=1e-6)
    # u at the maximiser is on the minimiser set with sharpness 2/h
    assert np.prod(b.maximiser) == pytest.approx(1, rel=1e-12)
    assert sum(1 / v for v in b.maximiser) == pytest.approx(2 / h, rel=1e-12)


@settings(max_examples=20, deadline=None)
@given(N=st.integers(2, 5), c=st.floats(0.05, 0.9), dc=st.floats(1e-3, 0.09))
def test_deep_scalar_bound_decreases_in_h_at_the_envelope_rate(N: int, c: float, dc: float) -> None:
    h, dh = c * 2 / N, dc * 2 / N  # h + dh < 2/N: some minimiser is stable
    lo, hi = deep_scalar_bound(N, h=h), deep_scalar_bound(N, h=h + dh)
    assert hi.bound < lo.bound
    assert lo.multiplier > 0 and lo.derivative < 0
    # envelope theorem: dB/dh = -2 mu / h^2, checked by a central difference
    e = 1e-6 * h
    fd = (deep_scalar_bound(N, h=h + e).bound - deep_scalar_bound(N, h=h - e).bound) / (2 * e)
    assert fd == pytest.approx(lo.derivative, rel=1e-4)


def test_every_converged_gd_run_satisfies_the_n3_bound() -> None:
    """1000 random starts of GD on (1 - x1 x2 x3)^2/2 at h = 0.5 (2/h = 4 against the
    flattest minimiser's 3): every run that converges ends with imbalance <= B(h), also
    those whose gradient-flow limit would break the bound."""
    h, N = 0.5, 3
    B = deep_scalar_bound(N, h=h).bound
    rng = np.random.default_rng(0)
    x0 = rng.uniform(0.2, 2.0, (1000, N)) * rng.choice([-1, 1], (1000, N))
    u0 = x0**2
    x = iterate_map(deep_scalar(N), x0, hs=h, steps=20_000).x  # NaN where diverged
    r = np.prod(x, axis=1) - 1
    conv = np.isfinite(r) & (np.abs(r) < 1e-12)
    u = x[conv] ** 2
    spread = u.max(axis=1) - u.min(axis=1)
    sharp = (1 / u).sum(axis=1)  # on prod u = 1
    assert conv.sum() > 700
    assert np.all(spread <= B * (1 + 1e-9))
    assert np.all(h * sharp <= 2 * (1 + 1e-9))
    start_spread = u0[conv].max(axis=1) - u0[conv].min(axis=1)
    assert np.sum(start_spread > B) > 100  # GD had to balance these


@pytest.mark.parametrize("sign", [1, -1])
def test_leaky_relu_factorisation_bound_per_region(sign: int) -> None:
    """(1 - x sigma(y))^2/2 with leaky ReLU slope 1/10: on y > 0 it is (1 - xy)^2/2, on
    y < 0 (1 - xy/10)^2/2; per region the conserved x^2 - y^2 and the bound
    |x^2 - y^2| <= B(h); GD runs ending in the region satisfy it."""
    alpha = 0.1
    f = leaky_factorization([[1]], [[sign]], alpha="1/10")
    s = objective_spectrum(f)
    x, y = s.variables
    assert s.conserved == (x**2 - y**2,)
    b = one_quantity_bound(balance_law(s))
    d = 1.0 if sign > 0 else alpha
    h = 0.5 if sign > 0 else 5.0  # 2/h above the flattest minimiser's sharpness 2 d
    expected = np.sqrt(4 / (h**2 * d**4) - 4 / d**2)
    assert b(h) == pytest.approx(expected, rel=1e-12) and b.decreasing
    rng = np.random.default_rng(1)
    xv, yv, done = leaky_gd(rng.uniform(0.2, 4, (2000, 2)) * sign, h, alpha, sign)
    assert done.sum() > 100
    assert np.all(np.abs(xv[done] ** 2 - yv[done] ** 2) <= b(h) * (1 + 1e-9))


def test_one_quantity_bound_refuses_several_quantities() -> None:
    with pytest.raises(InvalidInputError, match="one conserved"):
        one_quantity_bound(balance_law(objective_spectrum(deep_scalar(3))))
    with pytest.raises(InvalidInputError, match="2/N"):
        deep_scalar_bound(3, h=0.9)


@pytest.mark.parametrize(("N", "h"), [(12, "2e-15"), (5, "1e-12"), (3, "1e-14"), (8, "1e-6")])
def test_deep_scalar_bound_at_the_smallest_step_sizes(N, h):
    """Down to the documented h = 2e-15 (a ZeroDivisionError before; the float scan also
    lost the maximiser to overflow beyond rho = 1e154 and would have reported 1e70 for
    N = 12): the maximiser has N - 1 entries at a and one at b = a^(1 - N), with
    (N - 1)/a + a^(N - 1) = 2/h, solved here directly at 50 digits."""
    import mpmath as mpm

    b = deep_scalar_bound(N, h=h)
    with mpm.workdps(50):
        L = 2 / mpm.mpf(h)
        a = mpm.findroot(lambda t: (N - 1) / t + t ** (N - 1) - L, (N - 1) / L)
        exact = a ** (1 - N) - a
    assert abs(b.bound / float(exact) - 1) < 1e-9
    assert b.multiplier > 0 and np.isfinite(b.derivative)


def test_deep_scalar_bound_validates_its_precision():
    from gdtheory.errors import PrecisionError

    for dps in (0, None, 10**6, 2.5):
        with pytest.raises(PrecisionError):
            deep_scalar_bound(3, h="1/2", dps=dps)
