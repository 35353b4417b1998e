"""Modified equations: independent oracles (HLW formula, naive expansion, closed forms,
numerical flows), gradient structure, potentials, and bad input."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import (
    InvalidInputError,
    NotAGradientError,
    Objective,
    ParseError,
    h,
    modified_equation,
    modified_potential,
)
from gdtheory.testing import quadratics

ONE_D = ["x**4/4 - x**2/2", "x**3/3 + x**2", "exp(x)", "logcosh(x)", "sin(x)", "softplus(x)"]


@pytest.mark.parametrize("text", ONE_D)
def test_second_order_term_matches_hairer_lubich_wanner(text):
    me = modified_equation(text, 2)
    x = me.symbols[0]
    F = -me.objective.grad[0]
    assert sp.simplify(me.fields[1][0] - (-sp.diff(F, x) * F / 2)) == 0
    hlw = sp.diff(F, x, 2) * F**2 / 12 + sp.diff(F, x) ** 2 * F / 3  # HLW IX (1.4)
    assert sp.simplify(me.fields[2][0] - hlw) == 0


def test_first_order_potential_is_implicit_gradient_regularisation():
    for text in ("(x*y - 1)**2/2", "logcosh(x + 2*y) + x**2/2", "x*y*z + x**4"):
        obj = Objective.parse(text)
        me = modified_equation(obj, 1)
        f1 = sum(g**2 for g in obj.grad) / 4
        assert me.is_gradient == (True, True)
        for i, s in enumerate(obj.symbols):
            assert sp.simplify(me.fields[1][i] + sp.diff(f1, s)) == 0
        assert sp.simplify(me.potentials[1] - f1) == 0


def test_scalar_factorisation_has_an_obstruction_at_h2():
    me = modified_equation("(x*y - 1)**2/2", 3)
    assert me.is_gradient == (True, True, False, False)
    curl = me.obstructions[2]
    x, y = me.symbols
    assert curl[0, 1] == -curl[1, 0] and curl[0, 1].subs({x: 1, y: 2}) != 0
    # independent oracle: the curl from SymPy's own Jacobian of F_2
    J = me.fields[2].jacobian([x, y])
    assert sp.expand((J - J.T) / 2 - curl) == sp.zeros(2, 2)
    with pytest.raises(NotAGradientError) as err:
        modified_potential("(x*y - 1)**2/2", 2)
    assert err.value.order == 2 and err.value.obstruction == curl
    assert modified_potential("(x*y - 1)**2/2", 1).coeff(h, 1) == me.potentials[1]


@pytest.mark.parametrize("text", ONE_D)
def test_one_d_potentials_exist_and_differentiate_back(text):
    me = modified_equation(text, 4)
    x = me.symbols[0]
    assert all(me.is_gradient)
    for k, fk in enumerate(me.potentials):
        assert fk is not None
        if isinstance(fk, sp.Integral):
            continue  # checked numerically in T4
        assert sp.simplify(sp.diff(fk, x) + me.fields[k][0]) == 0


def test_separable_and_rotation_invariant_objectives_stay_gradients():
    assert all(modified_equation("x**4 + y**4", 4).is_gradient)
    assert all(modified_equation("(x**2 + y**2)**2", 3).is_gradient)  # radial


def test_polynomial_potentials_vanish_at_origin_and_sum_in_h():
    pot = modified_potential("x**4/4 - x**2/2", 3)
    x = sp.Symbol("x", real=True)
    assert sp.Poly(pot, h).degree() == 3
    for k in (2, 3):
        assert sp.expand(pot).coeff(h, k).subs(x, 0) == 0


def test_lambdify_backends_agree_with_the_sympy_field():
    me = modified_equation("logcosh(x + 2*y) + x**2/2", 2)
    Fm = me.lambdify("mpmath")
    Fn = me.lambdify("numpy", order=1)
    import numpy as np

    with mpmath.workdps(30):
        v = Fm([mpmath.mpf("0.3"), mpmath.mpf("-0.2")], mpmath.mpf("0.1"))
    expr = me.field().subs(
        {
            me.symbols[0]: sp.Rational(3, 10),
            me.symbols[1]: -sp.Rational(1, 5),
            h: sp.Rational(1, 10),
        }
    )
    assert all(abs(a - sp.N(b, 30)) < 1e-25 for a, b in zip(v, expr, strict=True))
    out = Fn(np.array([[0.3, -0.2], [0.0, 0.0]]), 0.1)
    assert out.shape == (2, 2) and np.all(np.isfinite(out))
    with pytest.raises(InvalidInputError, match="backend"):
        me.lambdify("jax")


def test_latex_python_and_str_are_usable():
    me = modified_equation("(x*y - 1)**2/2", 2)
    assert "F_{2}" in me.latex() and "no potential" in me.latex()
    assert "not a gradient at h**2" in str(me)
    ns: dict[str, object] = {}
    exec(modified_equation("x**2/2", 2).python(), ns)  # noqa: S102 - our own generated code
    assert ns["modified_field"]([[1.0]], 0.5)[0, 0] == pytest.approx(-(1 + 0.25 + 1 / 12))


@pytest.mark.parametrize(
    ("target", "order", "error", "match"),
    [
        ("x**2", -1, InvalidInputError, "order"),
        ("x**2", 2.5, InvalidInputError, "order"),
        ("x**2", 10_000, InvalidInputError, "order"),
        ("abs(x)", 2, Exception, "not smooth"),
        ("x + ", 1, ParseError, "cannot parse"),
        (42, 1, ParseError, "target"),
    ],
)
def test_bad_input_is_named(target, order, error, match):
    with pytest.raises(error, match=match):
        modified_equation(target, order)


@settings(deadline=None, max_examples=15)
@given(quadratics(dim=2), st.integers(0, 6))
def test_property_quadratic_fields_are_minus_A_to_the_k_grad_over_k_plus_1(q, k):
    obj = q.objective
    me = modified_equation(obj, k)
    A = obj.hessian
    assert sp.expand(me.fields[k] - (-(A**k) * obj.grad / (k + 1))) == sp.zeros(2, 1)
    assert all(me.is_gradient)


@pytest.mark.parametrize("text", ["log(1 + exp(-x))", "x**4/4 - x**2/2 + x", "logcosh(x - 1)"])
def test_every_correction_potential_vanishes_at_the_origin(text):
    """One normalisation for every order (issue 15, item 10): f_k(0) = 0 for k >= 1; for
    the logistic loss f_1(0) was 1/16 while f_2(0), f_3(0) were 0."""
    obj = Objective.parse(text)
    me = modified_equation(obj, 3)
    origin = {s: 0 for s in obj.symbols}
    for k in (1, 2, 3):
        assert sp.simplify(me.potentials[k].subs(origin)) == 0, k
    g0 = [g.subs(origin) for g in obj.grad]
    f1 = (sum(g**2 for g in obj.grad) - sum(v**2 for v in g0)) / 4
    assert sp.simplify(me.potentials[1] - f1) == 0
    for i, s in enumerate(obj.symbols):  # still a potential of F_1
        assert sp.simplify(me.fields[1][i] + sp.diff(me.potentials[1], s)) == 0


def test_progress_bar_reports_every_order_and_changes_nothing(capsys):
    quiet = modified_equation("x**4/4 - x**2/2", 6)
    loud = modified_equation("x**4/4 - x**2/2", 6, progress=True)
    assert loud.fields == quiet.fields
    assert "7/7" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text", ["(x*y - 1)**2/2 + x**2/4", "x**4/4 + x*y + y**2", "logcosh(x - y) + y**2/2"]
)
@pytest.mark.parametrize("P", [[[2, 1], [1, 1]], [[1, 0], [0, 3]]])
def test_preconditioned_gd_is_a_gradient_in_the_metric(text, P):
    """x - h P grad f: not a gradient at h^0 in the Euclidean metric, but F_k = -P grad f_k
    with f_0 = f and f_1 = grad f^T P grad f / 4 (both up to their value at 0)."""
    f = Objective.parse(text)
    x, y = f.symbols
    Pm = sp.Matrix(P)
    step = list(sp.Matrix(f.symbols) - h * Pm * f.grad)
    plain = modified_equation(step, 2, symbols=[x, y])
    me = modified_equation(step, 2, symbols=[x, y], metric=P)
    assert plain.is_gradient[0] is (Pm == sp.eye(2) * Pm[0, 0] and Pm[0, 1] == 0)
    assert me.is_gradient[:2] == (True, True)
    q = (f.grad.T * Pm * f.grad)[0] / 4
    at0 = {x: 0, y: 0}
    # potentials may be exact line integrals (non-polynomial f): compared at 30 digits
    for point in ({x: sp.Rational(1, 3), y: sp.Rational(-2, 7)}, {x: 2, y: sp.Rational(1, 2)}):
        for got, want in (
            (me.potentials[0], f.expr - f.expr.subs(at0)),
            (me.potentials[1], q - q.subs(at0)),
        ):
            assert abs(sp.N(got.subs(point), 30) - sp.N(want.subs(point), 30)) < 1e-25


def test_bad_metrics_are_refused():
    step = ["x - h*(2*x + y)", "y - h*(x + y)"]
    for bad, match in [
        ([[1, 2], [0, 1]], "symmetric positive definite"),
        ([[1, 0], [0, -1]], "symmetric positive definite"),
        ([[1, 0, 0]], "2 x 2"),
        ([[sp.sqrt(2), 0], [0, 1]], "rational"),
    ]:
        with pytest.raises(InvalidInputError, match=match):
            modified_equation(step, 1, symbols=["x", "y"], metric=bad)
