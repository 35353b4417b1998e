"""Generic modified equations (B-series over trees) against the concrete engine and
closed forms.

Oracles: ``modified_equation`` on concrete objectives and on the Runge-Kutta one-step
maps (a second algorithm: the Lie-series recursion in the differential ring), the
series log(R(z))/h of the stability polynomial for linear fields, the hand derivation
-(1/12)[H, D^3f[g]] of the GD obstruction at h^2, and exact differentiation of the 1-D
potentials.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdtheory as gt
from gdtheory import generic_modified_equation, modified_equation, runge_kutta_map
from gdtheory.backward_error.butcher import tableau

GD4 = generic_modified_equation("gd", 4)


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(
        sp.expand(u - v) == sp.zeros(*u.shape) for u, v in zip(a, b, strict=True)
    )


def test_printed_second_order_term() -> None:
    assert str(GD4).splitlines()[3] == "  h^2: -1/3 H^2 g - 1/12 D^3f[g, g]"
    assert [(t.coefficient, t.text) for t in GD4.terms[2]] == [
        (sp.Rational(-1, 3), "H^2 g"),
        (sp.Rational(-1, 12), "D^3f[g, g]"),
    ]
    tex = GD4.latex()
    assert tex.startswith("\\begin{aligned}") and tex.count("\\\\") == 4
    assert "-\\tfrac{1}{3}\\,H^{2} g - \\tfrac{1}{12}\\,D^{3}f[g, g]" in tex


@st.composite
def polynomial_objectives(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 3))
    names = ["x", "y", "z"][:n]
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        c = draw(st.integers(-3, 3).filter(bool))
        powers = [draw(st.integers(0, 2 if n > 1 else 4)) for _ in names]
        if sum(powers) == 0 or sum(powers) > 4:
            continue
        mono = "*".join(f"{v}**{p}" for v, p in zip(names, powers, strict=True) if p)
        terms.append(f"({c})*{mono}")
    terms.append("*".join(names))  # every variable appears
    return " + ".join(terms)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polynomial_objectives())
def test_gd_instantiation_equals_the_concrete_engine(text: str) -> None:
    """200 random polynomial objectives in 1-3 dimensions: the tree formula to order 4,
    made concrete, equals modified_equation(f, 4) exactly."""
    f = gt.Objective.parse(text)
    assert _same(GD4.instantiate(f), modified_equation(f, 4).fields)


FIELDS = {
    "2d": (["-x + y**2", "-x*y"], ["x", "y"]),
    "3d": (["x*y - y", "x - y**3/3", "z*x"], ["x", "y", "z"]),
    "1d-sin": (["sin(x) - x**2"], ["x"]),
}
CASES = [(m, f) for m in ["midpoint", "heun", "ralston", "rk3", "rk4"] for f in FIELDS]


@pytest.mark.parametrize(("method", "which"), CASES)
def test_runge_kutta_instantiation_equals_the_concrete_engine(method: str, which: str) -> None:
    comps, names = FIELDS[which]
    order = 4 if method == "rk4" and which == "2d" else 3  # RK4's first term is h^4
    gme = generic_modified_equation(method, order, gradient=False)
    step = runge_kutta_map(method, comps, names, order=order + 1)  # Taylor-truncated map
    concrete = modified_equation(step, order, symbols=names)
    assert _same(gme.instantiate(comps, symbols=names), concrete.fields)


@pytest.mark.parametrize("method", ["euler", "midpoint", "heun", "rk3", "rk4"])
def test_linear_fields_give_log_of_the_stability_polynomial(method: str) -> None:
    """For F = lam x every tree but the chain vanishes, and the chain coefficients are
    those of log(R(z))/z, R the stability polynomial (computed by SymPy's series)."""
    z = sp.Symbol("z")
    x, lam = sp.symbols("x lam", real=True)
    (phi,) = runge_kutta_map(method, [lam * x], [x], params=[lam])
    R = sp.expand(phi / x).subs(gt.h * lam, z).subs(gt.h, z / lam)
    series = sp.series(sp.log(R) / z, z, 0, 8).removeO()
    gme = generic_modified_equation(method, 7, gradient=False)
    for k, F in enumerate(gme.instantiate([lam * x], symbols=[x], params=[lam])):
        assert sp.expand(F[0] - series.coeff(z, k) * lam ** (k + 1) * x) == 0


def test_gd_obstruction_is_the_commutator() -> None:
    """Generic: -(1/12)[H, D^3f[g]] at h^2, none at h^0, h^1; checked against the
    concrete curl of (xy - 1)^2/2 computed from H and D^3f[g] directly."""
    assert GD4.obstruction(0) == [] and GD4.obstruction(1) == []
    assert GD4.obstruction(2) == [(sp.Rational(-1, 12), "H D^3f[g] - D^3f[g] H")]
    f = gt.Objective.parse("(x*y - 1)**2/2")
    xs = sp.Matrix(f.symbols)
    g, H = f.grad, f.hessian
    M = sp.Matrix(
        2, 2, lambda i, j: sum(sp.diff(H[i, j], s) * gi for s, gi in zip(xs, g, strict=True))
    )
    expected = -(H * M - M * H) / 12
    assert sp.expand(modified_equation(f, 2).obstructions[2] - expected) == sp.zeros(2, 2)


def test_generic_potentials_in_any_dimension() -> None:
    assert GD4.potential(0) == [(1, "f")]
    assert GD4.potential(1) == [(sp.Rational(1, 4), "|g|^2")]
    assert all(GD4.potential(k) is None for k in (2, 3, 4))
    # a gradient exists exactly when the generic obstruction vanishes
    for method in ("gd", "midpoint", "heun", "rk4"):
        gme = generic_modified_equation(method, 5, gradient=True)
        for k in range(6):
            assert (gme.potential(k) is None) == bool(gme.obstruction(k))


@pytest.mark.parametrize("text", ["x**4/4 - x**2/2", "log(cosh(x))", "x**3 + exp(x)"])
def test_one_dimensional_potentials_differentiate_to_the_fields(text: str) -> None:
    """f_k = P + int R dx: d/dx P + R = -F_k for the concrete f, exactly, k <= 4."""
    obj = gt.Objective.parse(text)
    x = obj.symbols[0]
    concrete = modified_equation(obj, 4).fields
    for k in range(5):
        pot = GD4.potential_1d(k)
        X = next(iter(pot.free_symbols))
        fsub = pot.subs(sp.Function("f")(X), obj.expr.subs(x, X)).doit()
        integrals = list(fsub.atoms(sp.Integral))
        deriv = sp.diff(fsub.subs({i: 0 for i in integrals}), X) + sum(
            i.function for i in integrals
        )
        assert sp.simplify(deriv.subs(X, x) + concrete[k][0]) == 0


def test_tree_counts_and_rational_coefficients_at_order_ten() -> None:
    gme = generic_modified_equation("euler", 10, gradient=False)
    from fractions import Fraction

    from gdtheory.backward_error.trees import trees_of_order

    # the h^k terms are indexed by the trees with k+1 vertices (719 at k = 9, 1842 at
    # k = 10); a few trees have coefficient zero for explicit Euler and are left out
    assert [len(trees_of_order(k + 1)) for k in (9, 10)] == [719, 1842]
    for k, row in enumerate(gme.terms):
        assert 0 < len(row) <= len(trees_of_order(k + 1))
        assert all(isinstance(t.coefficient, Fraction) for t in row)
    # the chain [[...[•]...]] carries the series of log(1 - z)/z: -1/(k+1) for GD
    chain = generic_modified_equation("gd", 10)
    assert [row[0].coefficient for row in chain.terms] == [Fraction(-1, k + 1) for k in range(11)]


def test_bad_input() -> None:
    with pytest.raises(gt.InvalidInputError, match="order"):
        generic_modified_equation("gd", -1)
    with pytest.raises(gt.InvalidInputError, match="gradient"):
        generic_modified_equation("rk4", 2).obstruction(1)
    with pytest.raises(gt.InvalidInputError, match="grad f"):
        GD4.instantiate(["x"], symbols=["x"])
    rk4 = tableau("rk4")
    assert tableau(rk4) is rk4
