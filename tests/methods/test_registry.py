"""The registry's promise: a method written outside gdtheory, as a subclass of Method with
one update formula, works with run, trajectory, assert_step and method_modified_equation
with no edit of the package.

Oracles: GD at twice the rate is GD at 2h (bit for bit in float64; its fields are
2^(k+1) times GD's B-series fields); the smoothly clipped step's fields are checked by
expanding the flow of the returned modified equation back into the map (a Lie series in
SymPy, a second algorithm); the averaged-gradient method's slow field on a quadratic is
log of its slow eigenvalue over h (tests/backward_error/test_slow_manifold.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import pytest
import sympy as sp

import gdtheory as gt
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import GD, REGISTRY, Method, as_method
from gdtheory.testing import assert_step


@dataclass(frozen=True)
class DoubleGD(Method):
    """GD at twice the rate: x' = x - 2 h g(x)."""

    def update(self, grad, x, state, h):
        return [a - 2 * h * b for a, b in zip(x, grad(x), strict=True)], ()


@dataclass(frozen=True)
class SmoothClip(Method):
    """A smoothly clipped gradient step: x' = x - h g / sqrt(1 + |g|^2 / c^2)."""

    c: object = sp.Integer(2)

    def update(self, grad, x, state, h):
        g = grad(x)
        c = self.num(self.c, x[0])
        scale = (1 + sum(gi * gi for gi in g) / (c * c)) ** -0.5
        return [a - h * scale * b for a, b in zip(x, g, strict=True)], ()


@dataclass(frozen=True)
class Averaged(Method):
    """m' = m/2 + g(x)/2, x' = x - h m': a fast state m."""

    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        m1 = [mi / 2 + gi / 2 for mi, gi in zip(m, grad(x), strict=True)]
        return [a - h * b for a, b in zip(x, m1, strict=True)], (m1,)


F = gt.Objective.parse("x**4/4 - x**2/2 + x*y + y**2")


def test_user_methods_are_not_registered_by_name_but_are_methods() -> None:
    assert as_method(DoubleGD()) == DoubleGD()
    assert "DoubleGD" not in REGISTRY and "doubleGD" not in REGISTRY
    assert SmoothClip().hyperparameters() == {"c": 2}


def test_double_gd_everywhere() -> None:
    x0 = np.array([[0.7, -0.2], [1.5, 0.9]])
    hs = np.array([0.05, 0.6])
    mine, ref = gt.run(DoubleGD(), F, x0, hs=hs, steps=50), gt.run(GD(), F, x0, hs=2 * hs, steps=50)
    np.testing.assert_array_equal(mine.x, ref.x)
    assert mine.status.tolist() == ref.status.tolist()
    # high precision: the same path as GD at 2h, to the working precision
    t = gt.trajectory(DoubleGD(), F, [0.7, -0.2], h="1/40", steps=30, dps=40)
    g = gt.gd(F, [0.7, -0.2], h="1/20", steps=30, dps=40)
    assert t.method == "DoubleGD" and t.status == g.status
    pairs = zip(t.iterates, g.iterates, strict=True)
    gap = max(abs(a - b) for p, q in pairs for a, b in zip(p, q, strict=True))
    assert gap < mpmath.mpf(10) ** -35
    # the oracle: right passes, a step at the single rate is caught
    check = assert_step(DoubleGD(), lambda z, hh: z - 2 * hh * F.grad_np(z), F, [0.7, -0.2], h=0.1)
    assert check.passed and check.max_ulps_seen <= 4
    with pytest.raises(AssertionError, match="DoubleGD step off by"):
        assert_step(DoubleGD(), lambda z, hh: z - hh * F.grad_np(z), F, [0.7, -0.2], h=0.1)
    # the theory: GD at 2h, in the time t = kh: F_k = 2^(k+1) F_k(GD)
    mine_me = gt.method_modified_equation(DoubleGD(), F, 3)
    gd_me = gt.method_modified_equation(GD(), F, 3)
    for k, (a, b) in enumerate(zip(mine_me.fields, gd_me.fields, strict=True)):
        assert (a - 2 ** (k + 1) * b).applyfunc(sp.expand) == sp.zeros(2, 1)


def lie_series_gap(fields, x: sp.Symbol, d: sp.Expr, K: int, at) -> list[sp.Float]:
    """[h^j] (exp(h L) x - (x + h d)) for j = 0..K at the point x = ``at`` (60 digits),
    L = (sum_k h^k F_k) d/dx: the flow of the modified field over one step h, expanded
    in h, minus the map (1-D).  Series are dicts {power of h: coefficient}."""
    F = [Fk[0] for Fk in fields]
    term: dict[int, sp.Expr] = {0: x}
    total = {0: x, 1: -d}
    total[0] -= x
    for j in range(1, K + 1):
        new: dict[int, sp.Expr] = {}
        for p, t in term.items():
            dt = sp.diff(t, x)
            for k, Fk in enumerate(F):
                if p + k + 1 <= K:
                    new[p + k + 1] = new.get(p + k + 1, 0) + Fk * dt / j
        term = new
        for p, t in term.items():
            total[p] = total.get(p, 0) + t
    return [sp.N(total.get(j, 0).subs(x, at), 60) for j in range(K + 1)]


def test_smooth_clip_everywhere() -> None:
    f = gt.Objective.parse("x**2/2 + x**3/3")
    (x,) = f.symbols
    meth = SmoothClip()
    # float64 run against the formula by hand
    r = gt.run(meth, f, [[0.4], [-0.3]], hs=[0.1], steps=1)
    for x0, got in zip([0.4, -0.3], r.x[:, 0], strict=True):
        g = x0 + x0**2
        assert got == pytest.approx(x0 - 0.1 * g / np.sqrt(1 + g * g / 4), rel=1e-15)
    t = gt.trajectory(meth, f, [0.4], h="1/10", steps=40, dps=30)
    r40 = gt.run(meth, f, [[0.4]], hs=[0.1], steps=40)
    assert abs(float(t.iterates[-1][0]) - r40.x[0, 0]) < 1e-14
    # the oracle judges the formula's own rounding: the float step passes
    clipped = lambda z, hh: z - hh * f.grad_np(z) / np.sqrt(1 + f.grad_np(z) ** 2 / 4)  # noqa: E731
    assert assert_step(meth, clipped, f, [0.4], h=0.1).passed
    with pytest.raises(AssertionError, match="SmoothClip step off by"):
        assert_step(meth, lambda z, hh: z - hh * f.grad_np(z), f, [0.4], h=0.1)
    # the theory: backward error analysis of the map; its flow gives the map back to h^3
    me = gt.method_modified_equation(meth, f, 2)
    g = x + x**2
    d = -g / sp.sqrt(1 + g**2 / 4)
    assert sp.simplify(me.fields[0][0] - d) == 0
    assert sp.simplify(me.fields[1][0] + sp.diff(d, x) * d / 2) == 0  # F_1 = -d'd/2
    for at in (sp.Rational(1, 3), sp.Rational(-7, 5)):
        gaps = lie_series_gap(me.fields, x, d, 4, at)
        assert all(abs(e) < 1e-50 for e in gaps[:4]), gaps  # matched to h^3
        assert abs(gaps[4]) > 1e-6  # h^4 is beyond order 2: the check sees the truncation


def test_a_method_with_fast_state_everywhere() -> None:
    f = gt.Objective.parse("x**2/2 + x**3/3")
    meth = Averaged()
    r = gt.run(meth, f, [[0.4]], hs=[0.1], steps=2)
    m1 = (0 + (0.4 + 0.16)) / 2
    x1 = 0.4 - 0.1 * m1
    m2 = m1 / 2 + (x1 + x1 * x1) / 2
    assert r.x[0, 0] == pytest.approx(x1 - 0.1 * m2, rel=1e-15)
    assert r.state[0][0, 0] == pytest.approx(m2, rel=1e-15)
    t = gt.trajectory(meth, f, [0.4], h="1/10", steps=2, dps=30)
    assert abs(float(t.state[0][0]) - m2) < 1e-15

    def step(z, s, hh):
        (m,) = s
        m1 = m / 2 + f.grad_np(z) / 2
        return z - hh * m1, (m1,)

    assert assert_step(meth, step, f, [0.4], state=([0.1],), h=0.1).passed
    # the theory on its slow manifold: F_0 = -g, the x-equation of GD to leading order
    sm = gt.method_modified_equation(meth, f, 2)
    (x,) = f.symbols
    assert sp.expand(sm.fields[0][0] + x + x**2) == 0
    assert sm.method == "Averaged" and len(sm.manifold) == 4
    assert sp.expand(sm.manifold[0][0] - (x + x**2)) == 0  # m = g(x) at h = 0


def test_a_stochastic_user_method_needs_a_registered_theory() -> None:
    @dataclass(frozen=True)
    class Noisy(Method):
        stochastic = True

        def update(self, grad, x, state, h):
            return [a - h * b for a, b in zip(x, grad(x), strict=True)], ()

    with pytest.raises(InvalidInputError, match="register_theory"):
        gt.method_modified_equation(Noisy(), "x**2/2", 1)
