"""Heavy ball and Nesterov on their slow manifold.

Oracles: the exact slow root of the characteristic polynomial for quadratics
(log(r_slow)/h, a closed form independent of the recursion), the first-order statement
of Ghosh et al. (ICLR 2023), and measured rates: the local error of the order-p flow
against one momentum step started on the manifold (60 digits), and the decay of the
fast component, against the exact fast root.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import gdtheory as gt
from gdtheory import h, momentum_modified_equation
from gdtheory.studies.local_errors import inverse_map, momentum_local_errors

BETA = sp.Symbol("beta", positive=True)


@pytest.mark.parametrize("method", ["heavy_ball", "nesterov"])
def test_quadratic_fields_are_the_log_of_the_slow_root(method: str) -> None:
    """lam x^2/2: the iteration is linear, its slow root r(z), z = h lam, solves
    r^2 - (1 + beta - z) r + beta = 0 (heavy ball) or r^2 - (1 + beta)(1 - z) r
    + beta (1 - z) = 0 (Nesterov); the exact modified field is x log(r(z))/h."""
    z = sp.Symbol("z")
    if method == "heavy_ball":
        B, C = -(1 + BETA - z), BETA
    else:
        B, C = -(1 + BETA) * (1 - z), BETA * (1 - z)
    f = gt.Objective.parse("lam*x**2/2", params=["lam"])
    mm = momentum_modified_equation(f, 4, BETA, method=method)
    lam, x = f.params[0], f.symbols[0]
    for b in (sp.Rational(1, 3), sp.Rational(1, 2), sp.Rational(9, 10)):
        disc = (B**2 - 4 * C).subs(BETA, b)
        r = (-B.subs(BETA, b) + sp.sqrt(disc)) / 2
        series = sp.series(sp.log(r), z, 0, 6).removeO()
        for k, F in enumerate(mm.fields):
            expected = series.coeff(z, k + 1) * lam ** (k + 1) * x
            assert sp.simplify(F[0].subs(BETA, b) - expected) == 0


@pytest.mark.parametrize("text", ["x**4/4 - x**2/2", "(x*y - 1)**2/2", "logcosh(x + y) + y**2/2"])
def test_heavy_ball_first_order_is_the_published_regulariser(text: str) -> None:
    """F_0 + h F_1 = -(1/(1 - beta)) grad(f + h (1 + beta)|grad f|^2 / (4 (1 - beta)^2)):
    GD's implicit regulariser at the effective rate h/(1 - beta), times (1 + beta)/(1 - beta)
    (Ghosh, Lyu, Zhang, Wang, ICLR 2023, arXiv:2302.00849, abstract: "stronger than that of
    (GD) by factor of (1+beta)/(1-beta)", GD taken at the effective rate h/(1 - beta))."""
    f = gt.Objective.parse(text)
    mm = momentum_modified_equation(f, 1, BETA)
    reg = f.expr + h * (1 + BETA) * sum(g**2 for g in f.grad) / (4 * (1 - BETA) ** 2)
    target = [-sp.diff(reg, s) / (1 - BETA) for s in f.symbols]
    for i, t in enumerate(target):
        got = mm.fields[0][i] + h * mm.fields[1][i]
        assert sp.simplify(sp.expand(got - t)) == 0
    assert mm.equation.is_gradient[1]


def test_beta_zero_is_gd_and_nesterov_first_order() -> None:
    f = gt.Objective.parse("(x*y - 1)**2/2")
    gd = gt.modified_equation(f, 2)
    for method in ("heavy_ball", "nesterov"):
        mm = momentum_modified_equation(f, 2, BETA, method=method)
        for k in range(3):
            assert sp.expand(mm.fields[k].subs(BETA, 0) - gd.fields[k]) == sp.zeros(2, 1)
    # Nesterov, derived here: F_1 = -(1 - beta + 2 beta^2)/(2 (1 - beta)^3) H g
    mn = momentum_modified_equation(f, 1, BETA, method="nesterov")
    Hg = f.hessian * f.grad
    c = -(1 - BETA + 2 * BETA**2) / (2 * (1 - BETA) ** 3)
    assert sp.simplify(mn.fields[1] - c * Hg) == sp.zeros(2, 1)


CASES = [("x**4/4 - x**2/2", ["6/5"]), ("(x*y - 1)**2/2", ["1/2", "3/2"])]


@pytest.mark.parametrize("method", ["heavy_ball", "nesterov"])
@pytest.mark.parametrize(("text", "x0"), CASES)
def test_local_error_order_on_the_slow_manifold(method: str, text: str, x0: list) -> None:
    """Started on the slow manifold, one momentum step against the time-h flow of the
    order-p field: error O(h^(p+2)), p = 0..3 (slopes fitted on h = 1/80 .. 1/640; the
    manifold series has coefficients growing like (L/(1 - beta)^2)^j j!, so the
    asymptotic range starts at small h)."""
    hs = [sp.Rational(1, d) for d in (80, 160, 320, 640)]
    r = momentum_local_errors(text, sp.Rational(1, 4), method, x0, hs)
    print("\n" + str(r))
    assert max(r.deviations) <= 0.15, r.slopes


def test_fast_component_decays_like_the_fast_root() -> None:
    """Off the manifold, the distance of x_{k-1} to Phi^{-1}(x_k) shrinks each step by
    the fast root beta/r_slow of the linearisation (x^2/2: exactly; measured rate).
    Both roots are real only for h lam < (1 - sqrt(beta))^2 (beyond, the slow manifold
    is complex: momentum's own "large" learning rate); here beta = 1/4, h = 1/10."""
    beta, hh = sp.Rational(1, 4), sp.Rational(1, 10)
    mm = momentum_modified_equation("x**2/2", 3, beta, manifold_order=16)
    with mpmath.workdps(50):
        hm, b = mpmath.mpf(hh), mpmath.mpf(beta)
        x_prev, x = [mpmath.mpf(1)], [mpmath.mpf("0.9")]  # not on the manifold
        devs = []
        previous = inverse_map(mm.one_step_map(), mm.symbols)
        for _ in range(12):
            on = previous(x, hm)
            devs.append(abs(x_prev[0] - on[0]))
            x_prev, x = x, [x[0] + b * (x[0] - x_prev[0]) - hm * x[0]]
        # the first ratios: later ones feel the O(h^17) truncation of the manifold series
        # relative to a deviation that has shrunk like 0.29^k
        rates = [devs[k + 1] / devs[k] for k in range(1, 5)]
        disc = mpmath.sqrt((1 + b - hm) ** 2 - 4 * b)
        fast, slow = ((1 + b - hm) - disc) / 2, ((1 + b - hm) + disc) / 2
    for r in rates:
        assert abs(r - fast) < 1e-6, (r, fast, slow)
    assert abs(float(fast) - 0.25) < 0.05  # ~ beta
