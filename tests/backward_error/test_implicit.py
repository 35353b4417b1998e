"""Implicit Runge-Kutta methods: the proximal point method (implicit Euler), implicit
midpoint, the trapezoidal rule and the two-stage Gauss method.

Oracles: a direct series solution of the proximal step x' = x - h grad f(x') written here
(fixed-point iteration on truncated series, no tableau); the adjoint relation (implicit
Euler is the adjoint of explicit Euler, so its modified fields are GD's with h -> -h:
F_k* = (-1)^k F_k, Hairer-Lubich-Wanner II.3 and IX.2); symmetry (implicit midpoint and
Gauss have no odd powers of h in their modified equations, HLW IX.2 Theorem 2.2); the
classical orders (1, 2, 2, 4); the proximal point's modified loss f - (h/4)|grad f|^2.
"""

from __future__ import annotations

import pytest
import sympy as sp

import gdtheory as gt
from gdtheory import h
from gdtheory.backward_error.butcher import tableau

DOUBLE_WELL = "x**4/4 - x**2/2"
TWO_D = "(1 - x*y)**2/2 + x**2/8"


def direct_proximal_step(f: gt.Objective, order: int) -> list[sp.Expr]:
    """x' = x - h grad f(x') as a series in h to h^order: iterate x' <- x - h grad f(x')
    from x' = x, truncating (each sweep fixes one more power)."""
    xs = list(f.symbols)
    y = list(xs)
    for _ in range(order + 1):
        at = dict(zip(xs, y, strict=True))
        y = [_cut(x - h * g.xreplace(at), order) for x, g in zip(xs, f.grad, strict=True)]
    return y


def _cut(e: sp.Expr, order: int) -> sp.Expr:
    """The polynomial e in h truncated after h^order."""
    p = sp.Poly(sp.expand(e), h)
    return sum((c * h**k for (k,), c in p.terms() if k <= order), sp.Integer(0))


@pytest.mark.parametrize("text", [DOUBLE_WELL, "x**2*y/2 + (x**2 + y**2)/2"])
def test_proximal_modified_equation_matches_the_direct_series_to_order_4(text: str) -> None:
    f = gt.Objective.parse(text)
    syms = list(f.symbols)
    via_tableau = gt.modified_equation(gt.runge_kutta_map("proximal", f, order=5), 4, symbols=syms)
    direct = gt.modified_equation(direct_proximal_step(f, 5), 4, symbols=syms)
    for a, b in zip(via_tableau.fields, direct.fields, strict=True):
        assert sp.expand(a - b) == sp.zeros(len(syms), 1)


@pytest.mark.parametrize("text", [DOUBLE_WELL, TWO_D])
def test_implicit_euler_is_the_adjoint_of_gd(text: str) -> None:
    f = gt.Objective.parse(text)
    me = gt.modified_equation(
        gt.runge_kutta_map("implicit_euler", f, order=5), 4, symbols=list(f.symbols)
    )
    gd = gt.modified_equation(f, 4)
    for k, (a, b) in enumerate(zip(me.fields, gd.fields, strict=True)):
        assert sp.expand(a - (-1) ** k * b) == sp.zeros(f.dim, 1), k
    # generically, on trees: the coefficient of every tree flips sign with h
    imp = gt.generic_modified_equation("proximal", 4, gradient=True)
    ref = gt.generic_modified_equation("gd", 4, gradient=True)
    for k in range(5):
        got = {t.tree: t.coefficient for t in imp.terms[k]}
        want = {t.tree: (-1) ** k * t.coefficient for t in ref.terms[k]}
        assert got == want, k


def test_proximal_modified_loss() -> None:
    """F_0 + h F_1 = -grad(f - (h/4)|grad f|^2): the proximal point method flattens the
    opposite way to GD's implicit regulariser."""
    f = gt.Objective.parse(TWO_D)
    me = gt.modified_equation(
        gt.runge_kutta_map("proximal", f, order=2), 1, symbols=list(f.symbols)
    )
    loss = f.expr - h / 4 * sum(g**2 for g in f.grad)
    for i, s in enumerate(f.symbols):
        assert sp.expand(me.fields[0][i] + h * me.fields[1][i] + sp.diff(loss, s)) == 0


def test_symmetric_methods_have_no_odd_terms() -> None:
    """Implicit midpoint on a 2-D field through its map; implicit midpoint and the Gauss
    method generically on trees (the Gauss tableau's sqrt(3) is exact in its number field;
    its map in SymPy would take minutes)."""
    f = gt.Objective.parse(TWO_D)
    me = gt.modified_equation(
        gt.runge_kutta_map("implicit_midpoint", f, order=5), 4, symbols=list(f.symbols)
    )
    for k in (1, 3):
        assert sp.expand(me.fields[k]) == sp.zeros(2, 1), k
    assert sp.expand(me.fields[2]) != sp.zeros(2, 1)
    for name in ("implicit_midpoint", "gauss4"):
        generic = gt.generic_modified_equation(name, 5)
        assert all(not generic.terms[k] for k in (1, 3, 5)), name
    gauss = gt.generic_modified_equation("gauss4", 5)
    assert not any(gauss.terms[k] for k in (1, 2, 3)) and gauss.terms[4]  # order 4


@pytest.mark.parametrize(
    ("name", "p"),
    [
        ("implicit_euler", 1),
        ("proximal", 1),
        ("implicit_midpoint", 2),
        ("trapezoidal", 2),
        ("gauss4", 4),
    ],
)
def test_orders_of_the_implicit_methods(name: str, p: int) -> None:
    tab = tableau(name)
    assert tab.order == p and not tab.explicit


def test_implicit_linear_field_is_the_stability_function() -> None:
    """x' = lam x: implicit Euler's map is x/(1 - z), implicit midpoint's (1 + z/2)/(1 - z/2),
    as series in z = h lam."""
    x, lam = sp.Symbol("x", real=True), sp.Symbol("lam", real=True)
    z = h * lam
    for name, R in (
        ("implicit_euler", 1 / (1 - z)),
        ("implicit_midpoint", (1 + z / 2) / (1 - z / 2)),
    ):
        (phi,) = gt.runge_kutta_map(name, [lam * x], [x], params=[lam], order=6)
        assert sp.expand(phi - x * sp.series(R, h, 0, 7).removeO()) == 0, name
