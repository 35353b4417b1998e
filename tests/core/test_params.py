"""Symbolic parameters: formulas keep them exactly, numerical use refuses them by name.

Oracles: the closed form F_k = -lam^(k+1) x/(k+1) of GD on lam x^2/2 (the series of
log(1 - h lam)/h), and the parameter-free engine after substitution (mu = 1, 2, 7/3).
"""

from __future__ import annotations

import pickle

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import gdtheory as gt
from gdtheory import Objective, modified_equation
from gdtheory.errors import InvalidInputError, ParseError, UnknownSymbolError


def test_lam_quadratic_all_orders_exact() -> None:
    f = Objective.parse("lam*x**2/2", symbols=["x"], params=["lam"])
    me = modified_equation(f, 12)
    lam, x = f.params[0], f.symbols[0]
    for k, F in enumerate(me.fields):
        assert sp.expand(F[0] + lam ** (k + 1) * x / (k + 1)) == 0
    assert me.params == (lam,)
    assert all(me.is_gradient)


@pytest.mark.parametrize("value", [1, 2, "7/3"])
def test_symbolic_mu_matches_the_numeric_engine(value: object) -> None:
    f = Objective.parse("(mu - x*y)**2/2", params=["mu"])
    me = modified_equation(f, 4)
    bound = modified_equation(f.bind(mu=value), 4)
    mu = f.params[0]
    v = sp.Rational(str(value))
    for k in range(5):
        for i in range(2):
            assert sp.expand(me.fields[k][i].subs(mu, v) - bound.fields[k][i]) == 0
    assert me.is_gradient == bound.is_gradient == (True, True, False, False, False)
    assert me.bind(mu=value).fields == bound.fields


def test_parameter_in_a_denominator_and_a_transcendental() -> None:
    """1/mu is the reciprocal of the generator mu (cancelled exactly); exp(mu x) is an
    atom; the fields agree with the bound engine at mu = 3/2."""
    f = Objective.parse("x**2/(2*mu) + exp(mu*x)/mu**2", params=["mu"])
    me = modified_equation(f, 3)
    bound = modified_equation(f.bind(mu="3/2"), 3)
    mu = f.params[0]
    for k in range(4):
        assert sp.simplify(me.fields[k][0].subs(mu, sp.Rational(3, 2)) - bound.fields[k][0]) == 0


@settings(max_examples=25, deadline=None)
@given(
    c=st.lists(st.integers(-3, 3), min_size=4, max_size=4),
    value=st.fractions(min_value=-3, max_value=3, max_denominator=7),
)
def test_random_polynomials_with_a_parameter(c: list[int], value: object) -> None:
    x, y, a = sp.symbols("x y a", real=True)
    expr = c[0] * a * x**2 * y + c[1] * x**3 + c[2] * a**2 * y**2 + c[3] * a * x * y**2 + x**2
    f = Objective(expr, [x, y], params=[a])
    me = modified_equation(f, 3)
    bound = modified_equation(f.bind(a=value), 3)
    for k in range(4):
        for i in range(2):
            assert sp.expand(me.fields[k][i].subs(a, sp.Rational(value)) - bound.fields[k][i]) == 0


def test_one_step_map_with_parameters() -> None:
    me = modified_equation(
        ["x - h*lam*x*(1 + wd)", "y - h*lam*y"], 2, symbols=["x", "y"], params=["lam", "wd"]
    )
    lam, wd = me.params
    x = me.symbols[0]
    assert sp.expand(me.fields[1][0] + (lam * (1 + wd)) ** 2 * x / 2) == 0
    assert me.bind(wd=0).params == (lam,)


def test_assumptions_are_kept_and_checked() -> None:
    mu = sp.Symbol("mu", positive=True)
    f = Objective.parse("mu*x**2", params=[mu])
    assert f.params[0].is_positive
    with pytest.raises(InvalidInputError, match="contradicts the assumption that mu is positive"):
        f.bind(mu=-1)
    q = gt.quadratic_modified_equation(f)
    assert q.L == 2 * mu and q.radius == 1 / (2 * mu)


def test_a_value_contradicting_any_assumption_is_refused() -> None:
    """SymPy simplifies under the assumptions before any value is given: sqrt(mu**2) is
    -mu for a negative mu (bind(mu=2) would give -2x^2, gradient ascent), (-1)**(2k) is
    1 for an integer k.  Every declared assumption is checked, not only the sign."""
    x = sp.Symbol("x", real=True)
    mu = sp.Symbol("mu", negative=True)
    f = Objective(sp.sqrt(mu**2) * x**2, [x], params=[mu])
    assert f.expr == -mu * x**2  # what SymPy already did
    with pytest.raises(InvalidInputError, match="mu is negative"):
        f.bind(mu=2)
    assert f.bind(mu=-2).expr == 2 * x**2
    k = sp.Symbol("k", integer=True)
    g = Objective((-1) ** (2 * k) * x**2, [x], params=[k])
    with pytest.raises(InvalidInputError, match="k is integer"):
        g.bind(k="1/2")
    assert g.bind(k=3).expr == x**2
    nz = sp.Symbol("c", nonzero=True)
    with pytest.raises(InvalidInputError, match="c is nonzero"):
        Objective(nz * x**2, [x], params=[nz]).bind(c=0)
    odd = sp.Symbol("n", odd=True)
    with pytest.raises(InvalidInputError, match="n is odd"):
        Objective(odd * x**2, [x], params=[odd]).bind(n=2)


@pytest.mark.parametrize("name", ["ｍｕ", "\u212a", "ｘ"])
def test_a_name_the_parser_would_rewrite_is_refused(name: str) -> None:
    """Python reads identifiers in NFKC form: a declared full-width or Kelvin-sign name
    would silently become another name (and the parameter a state variable)."""
    with pytest.raises(ParseError, match="would be read as"):
        Objective.parse(f"{name}*y**2", params=[name])
    with pytest.raises(ParseError, match="would be read as"):
        Objective.parse(f"{name}*y**2")
    with pytest.raises(ParseError, match="would be read as"):
        Objective(sp.Symbol("y") ** 2, ["y"], params=[sp.Symbol(name)])


def test_clear_errors() -> None:
    with pytest.raises(UnknownSymbolError, match="declare symbolic constants with params"):
        Objective(sp.sympify("lam*x**2"), ["x"])
    with pytest.raises(InvalidInputError, match="both a state symbol and a parameter"):
        Objective.parse("x**2", symbols=["x"], params=["x"])
    with pytest.raises(gt.ParseError, match="reserved"):
        Objective.parse("x**2", params=["h"])
    with pytest.raises(InvalidInputError, match="nu is not a parameter"):
        Objective.parse("mu*x**2", params=["mu"]).bind(nu=1)
    with pytest.raises(gt.NotRealError):
        Objective.parse("mu*x**2", params=["mu"]).bind(mu=1j)


def test_identity_and_pickling_carry_the_parameters() -> None:
    f = Objective.parse("mu*x**2", params=["mu"])
    assert f != Objective.parse("mu*x**2")
    assert pickle.loads(pickle.dumps(f)) == f
    assert "params=['mu']" in repr(f)
