"""Modifying integrators (backward_error.modifying): the field a method must follow so that
it tracks the exact flow to order p.

Oracles: for GD (explicit Euler) the answer in closed form, (phi_h(x) - x)/h, computed here
as the Lie series sum_j h^(j-1)/j! D^j x of the flow (no backward error analysis); the
method's classical order (RK4 needs no correction below h^4); the adjoint pair GD /
proximal point (their corrections at h^1 are opposite); and the measured global error of
GD applied to the order-2 field against gradient flow at 40 digits (slope 3).
"""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp

import gdtheory as gt
from gdtheory import h
from gdtheory.backward_error.modifying import MAX_MODIFYING_ORDER, modifying_integrator
from gdtheory.continuous.flows import integrate_flow
from gdtheory.errors import InvalidInputError

DOUBLE_WELL = "x**4/4 - x**2/2"
TWO_D = "(1 - x*y)**2/2 + x**2/8"


def lie_series(f: gt.Objective, order: int) -> list[list[sp.Expr]]:
    """F~_k = D^(k+1) x / (k+1)!, D = F . grad, F = -grad f: the exact flow's Taylor
    coefficients, divided by h."""
    xs, F = list(f.symbols), [-g for g in f.grad]
    D = list(xs)
    out = []
    for k in range(order + 1):
        D = [sp.expand(sum(sp.diff(d, s) * Fi for s, Fi in zip(xs, F, strict=True))) for d in D]
        out.append([d / math.factorial(k + 1) for d in D])
    return out


@pytest.mark.parametrize("text", [DOUBLE_WELL, TWO_D])
def test_gd_modifying_field_is_the_flows_taylor_series(text: str) -> None:
    f = gt.Objective.parse(text)
    mi = modifying_integrator("gd", f, 3)
    for k, want in enumerate(lie_series(f, 3)):
        assert all(sp.expand(a - b) == 0 for a, b in zip(mi.fields[k], want, strict=True)), k
    assert all(all(e == 0 for e in r) for r in mi.residual)


def test_rk4_needs_no_correction_below_its_order() -> None:
    mi = modifying_integrator("rk4", DOUBLE_WELL, 4)
    assert all(all(e == 0 for e in mi.fields[k]) for k in (1, 2, 3))
    assert any(e != 0 for e in mi.fields[4])
    assert all(all(e == 0 for e in r) for r in mi.residual)


def test_proximal_point_corrects_the_other_way() -> None:
    gd = modifying_integrator("gd", DOUBLE_WELL, 1)
    prox = modifying_integrator("proximal", DOUBLE_WELL, 2)
    assert all(sp.expand(a + b) == 0 for a, b in zip(gd.fields[1], prox.fields[1], strict=True))
    assert all(all(sp.expand(e) == 0 for e in r) for r in prox.residual)


def test_gd_on_the_order_2_field_tracks_gradient_flow_to_third_order() -> None:
    f = gt.Objective.parse(DOUBLE_WELL)
    mi = modifying_integrator("gd", f, 2)
    x = f.symbols[0]
    step = sp.lambdify((x, h), mi.step()[0], "mpmath")
    errs = []
    with mpmath.workdps(40):
        ref = integrate_flow(lambda y: (-f.grad_mp(y)[0],), [mpmath.mpf(2)], [1], dps=40)
        for n in (80, 160, 320):  # h L0 = 11/80 at most: past the pre-asymptotic range
            y, hm = mpmath.mpf(2), mpmath.mpf(1) / n
            for _ in range(n):
                y = step(y, hm)
            errs.append(abs(y - ref.states[-1][0]))
    slopes = [float(mpmath.log(errs[i] / errs[i + 1], 2)) for i in range(2)]
    assert all(abs(s - 3) < 0.2 for s in slopes), slopes


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="order"):
        modifying_integrator("gd", "x**2", MAX_MODIFYING_ORDER + 1)
    with pytest.raises(InvalidInputError, match="unknown tableau"):
        modifying_integrator("rk9", "x**2", 1)


def test_the_residual_covers_every_order_and_the_step_is_cut_after_order_plus_one() -> None:
    mi = modifying_integrator("heun", DOUBLE_WELL, 3)
    assert len(mi.residual) == 3 and len(mi.fields) == 4
    assert sp.Poly(mi.step()[0], h).degree() == 4
