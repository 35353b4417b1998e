"""The first-order modified equation from the zero start (backward_error.transient).

Oracles: the recursion for sigma^0, sigma^1 run step by step (a second algorithm for the
closed form's geometric sums); the closed form derived by hand for Adam in one dimension,
F_1 = -(D'/D^3)|g|[eps(1/2 + a_1(n)) + |g|(a_1(n) - a_2(n))] with a_i(n) the mean age of the
bias-corrected memory, written here from the sums sum_j j beta^j; the steady limit against
the slow-manifold engine (a third derivation); step 0 against the one-step map's own
backward error analysis.  The measured defects are in tests/studies/test_transient_errors.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import gdtheory as gt
from gdtheory.backward_error.slow_manifold import slow_manifold_equation
from gdtheory.backward_error.transient import MAX_RECURSION_STEP, n
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import GD, Adam, AdamW, HeavyBall, RMSProp

B1, B2, EPS = sp.symbols("beta1 beta2 eps", positive=True)
QUARTIC = "x**4/4 - x**2/2"
X = sp.Symbol("x", real=True)
POINTS = (sp.Rational(3, 2), sp.Rational(-1, 3), sp.Rational(1, 5), sp.Rational(-5, 2))


@pytest.fixture(scope="module")
def adam():
    return gt.transient_modified_equation(Adam(B1, B2, EPS), QUARTIC)


def mean_age(b: sp.Expr, steps: int) -> sp.Expr:
    """sum_j j w_j of the bias-corrected weights w_j = (1 - b) b^j/(1 - b^(steps+1)), j = 0..steps,
    as a finite sum (no closed form used)."""
    return sum((j * (1 - b) * b**j for j in range(steps + 1)), sp.Integer(0)) / (
        1 - b ** (steps + 1)
    )


@pytest.mark.parametrize("step", [0, 1, 2, 5])
def test_adam_first_order_term_equals_the_hand_derivation(adam, step):
    g = X**3 - X
    a1, a2 = mean_age(B1, step), mean_age(B2, step)
    for x0 in POINTS:
        gv, gp = g.subs(X, x0), sp.diff(g, X).subs(X, x0)
        D, Dp = abs(gv) + EPS, sp.sign(gv) * gp
        want = -(Dp / D**3) * abs(gv) * (EPS * (sp.Rational(1, 2) + a1) + abs(gv) * (a1 - a2))
        got = adam.fields[1][0].subs({X: x0, n: step})
        assert sp.simplify(got - want) == 0, (x0, step)
        assert sp.simplify(adam.fields[0][0].subs(X, x0) + gv / D) == 0


@pytest.mark.parametrize("step", [0, 1, 3])
def test_closed_form_equals_the_recursion(adam, step):
    F0, F1 = adam.at(step)
    for x0 in POINTS[:2]:
        for a, b in zip((*adam.fields[0], *adam.fields[1]), (*F0, *F1), strict=True):
            assert sp.simplify((a.subs(n, step) - b).subs(X, x0)) == 0


def test_steady_limit_is_the_slow_manifold_equation(adam):
    sm = slow_manifold_equation(Adam(B1, B2, EPS, bias_correction=False), QUARTIC, 1)
    for x0 in POINTS:
        for k in range(2):
            got = adam.steady[k][0].subs(X, x0)
            want = sm.fields[k][0].subs(sm.symbols[0], x0)
            assert sp.simplify(got - want) == 0


def test_step_zero_is_the_backward_error_of_the_first_step(adam):
    """At n = 0 the step is x - h g/(|g| + eps) exactly: F_1 = -F_0' F_0 / 2."""
    F0 = -(X**3 - X) / (sp.Abs(X**3 - X) + EPS)
    want = -sp.diff(F0, X) * F0 / 2
    for x0 in POINTS:
        assert sp.simplify((adam.at(0)[1][0] - want).subs(X, x0)) == 0


def test_adamw_two_dimensions_closed_form_and_recursion_agree():
    eq = gt.transient_modified_equation(
        AdamW("9/10", "99/100", "1/1000", weight_decay="1/10"), "x**2/2 + x**4/4 + y**2 + x*y/2"
    )
    assert eq.fields is not None and not eq.drift_moves
    at = {sp.Symbol("x", real=True): sp.Rational(2), sp.Symbol("y", real=True): sp.Rational(1)}
    for step in (0, 2):
        F0, F1 = eq.at(step)
        for a, b in zip(eq.fields[1], F1, strict=True):
            assert sp.simplify((a.subs(n, step) - b).xreplace(at)) == 0
        # decoupled decay: F_0 = -w x - g/(|g| + eps) at every step
        x, y = sorted(at, key=lambda s: s.name)
        gx = x + x**3 + y / 2
        want = -x / 10 - gx / (sp.Abs(gx) + sp.Rational(1, 1000))
        assert sp.simplify((F0[0] - want).xreplace(at)) == 0


def test_rmsprop_from_zero_has_no_closed_form_but_a_recursion():
    eq = gt.transient_modified_equation(RMSProp("9/10", "1/1000"), QUARTIC)
    assert eq.fields is None and eq.steady is None and eq.drift_moves
    F0 = eq.at(0)[0][0]  # v = (1 - beta2) g^2 after the first step
    g = X**3 - X
    want = -g / (sp.sqrt(sp.Rational(1, 10)) * sp.Abs(g) + sp.Rational(1, 1000))
    assert sp.simplify((F0 - want).subs(X, sp.Rational(3, 2))) == 0
    with pytest.raises(InvalidInputError, match="no closed form"):
        eq.field(h=sp.Rational(1, 10))
    assert eq.field(h=0, step=0) == eq.at(0)[0]


def test_adam_without_bias_correction_moves_its_drift():
    eq = gt.transient_modified_equation(
        Adam("1/2", "3/4", "1/100", bias_correction=False), "x**2/2"
    )
    assert eq.drift_moves  # F_0 = -(1 - beta1^(n+1)) g / (sqrt(1 - beta2^(n+1)) |g| + eps)
    assert eq.fields is None  # the root of 1 - beta2^(k+1) has no geometric sum


@given(
    b1=st.fractions(min_value=0, max_value="19/20", max_denominator=20),
    b2=st.fractions(min_value="1/20", max_value="19/20", max_denominator=20),
    step=st.integers(0, 3),
)
@settings(max_examples=8, deadline=None)
def test_property_closed_form_matches_recursion_for_any_betas(b1, b2, step):
    eq = gt.transient_modified_equation(Adam(str(b1), str(b2), "1/100"), "x**2/2 + x**3/3")
    at = {X: sp.Rational(7, 5)}
    for a, b in zip(eq.fields[1], eq.at(step)[1], strict=True):
        assert sp.simplify((a.subs(n, step) - b).xreplace(at)) == 0


@pytest.mark.parametrize(
    ("method", "match"),
    [
        (GD(), "no state"),
        (HeavyBall("1/2"), "depends on its state"),
    ],
)
def test_refusals_name_the_reason(method, match):
    with pytest.raises(InvalidInputError, match=match):
        gt.transient_modified_equation(method, "x**2/2")


def test_bad_steps_and_objective_parameters():
    eq = gt.transient_modified_equation(Adam("1/2", "3/4", "1/100"), "x**2/2")
    for bad in (-1, 1.5, True):
        with pytest.raises(InvalidInputError, match="step must be an integer"):
            eq.at(bad)
    with pytest.raises(InvalidInputError, match="beyond the recursion"):
        eq.at(MAX_RECURSION_STEP + 1)
    kept = gt.transient_modified_equation(
        Adam("1/2", "3/4", "1/100"), gt.Objective("a*x**2/2", params=["a"])
    )
    assert sp.Symbol("a", real=True) in kept.fields[1][0].free_symbols  # kept symbolic
    assert "h" in eq._repr_latex_()


def test_a_user_method_with_an_h_cubed_term_gets_its_second_order_part():
    """A method defined outside the package (an EMA of the gradient, x' = x - h m' -
    h^3 m'): X_2 = (1/2) d^2X/dh^2 at h = 0 is 0 here, and the one-step defects along its
    own run (an oracle that reads no formula) stay third order."""
    from dataclasses import dataclass

    from gdtheory.optimizers import Method

    @dataclass(frozen=True)
    class CubicEMA(Method):
        state = ("m",)

        def update(self, grad, x, state, h):
            (m,) = state
            m1 = [mi / 2 + gi / 2 for mi, gi in zip(m, grad(x), strict=True)]
            return [xi - h * mi - h**3 * mi for xi, mi in zip(x, m1, strict=True)], (m1,)

    eq = gt.transient_modified_equation(CubicEMA(), "x**2/2 + x**3/3")
    assert eq.fields is not None
    r = gt.transient_errors(
        CubicEMA(), "x**2/2 + x**3/3", ["1/2"], hs=["1/40", "1/80", "1/160"], steps=6
    )
    assert abs(r.slopes[0] - 3) < 0.25, r
