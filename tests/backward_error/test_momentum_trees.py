"""Heavy ball and Nesterov at the tree level (backward_error.momentum_trees).

Oracles: the slow-manifold engine (the methods' own update formulas on power series in a
differential ring) on a two-dimensional objective, beta symbolic and rational; GD's generic
modified equation at beta = 0; the manifold's invariance checked on the tree series
itself; Ghosh et al.'s first-order term."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from gdtheory.backward_error.generic import generic_modified_equation
from gdtheory.backward_error.momentum_trees import momentum_bseries
from gdtheory.backward_error.slow_manifold import slow_manifold_equation
from gdtheory.backward_error.trees import subtrees, trees_up_to
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import HeavyBall, Nesterov

F2 = "x**3/3 + x*y**2/2 + y**2"


@pytest.mark.parametrize("method, cls", [("heavy_ball", HeavyBall), ("nesterov", Nesterov)])
def test_symbolic_beta_matches_the_slow_manifold_engine(method: str, cls: type) -> None:
    tree_level = momentum_bseries(cls("beta"), 3).fields(F2)
    engine = slow_manifold_equation(cls("beta"), F2, 3).fields
    for a, b in zip(tree_level, engine, strict=True):
        assert sp.simplify(sp.Matrix(a) - sp.Matrix(b)) == sp.zeros(2, 1)


@pytest.mark.parametrize("method, cls", [("heavy_ball", HeavyBall), ("nesterov", Nesterov)])
def test_rational_beta_matches_the_engine_to_order_4(method: str, cls: type) -> None:
    f = "x**4/4 + x*y**2/2 + y**3/3 + x*y"
    tree_level = momentum_bseries(cls("9/10"), 4).fields(f)
    engine = slow_manifold_equation(cls("9/10"), f, 4).fields
    assert all(
        sp.expand(sp.Matrix(a) - sp.Matrix(b)) == sp.zeros(2, 1)
        for a, b in zip(tree_level, engine, strict=True)
    )


@pytest.mark.parametrize("cls", [HeavyBall, Nesterov])
def test_beta_zero_is_gd(cls: type) -> None:
    beta = sp.Symbol("beta", positive=True)
    mb = momentum_bseries(cls(beta), 4)
    gd = generic_modified_equation("gd", 4).coefficients  # normalised b(t) with F = -g
    got = {t: v.subs(beta, 0) for t, v in mb.coefficients.items()}
    assert {t: v for t, v in got.items() if v != 0} == {
        t: sp.Rational(v.numerator, v.denominator) for t, v in gd.items()
    }


def test_invariance_of_the_manifold_on_trees() -> None:
    """S(Phi_h(x)) = Phi_h(x) - x: the composition (c . s)(t) equals c(t) for every tree."""
    mb = momentum_bseries(HeavyBall("1/3"), 4)
    s, c = mb.manifold, mb.increments
    for t in trees_up_to(5):
        comp = sum(
            (s.get(u, 0) * sp.prod([c.get(w, 0) for w in forest]) for u, forest in subtrees(t)),
            sp.Integer(0),
        )
        assert comp == c.get(t, 0)


def test_first_order_is_ghosh_et_al() -> None:
    """F_0 + h F_1 = -(1/(1-beta)) grad(f + h (1+beta)|g|^2/(4(1-beta)^2))."""
    rows = momentum_bseries(HeavyBall("beta"), 1).terms()
    beta = sp.Symbol("beta", positive=True)
    (t0,), (t1,) = rows
    assert sp.simplify(t0.coefficient + 1 / (1 - beta)) == 0
    # grad |g|^2 = 2 H g
    assert sp.simplify(t1.coefficient + (1 + beta) / (2 * (1 - beta) ** 3)) == 0


def test_printing_and_fractions() -> None:
    mb = momentum_bseries(Nesterov(Fraction(1, 2)), 1)
    assert "Nesterov" not in str(mb) and "nesterov on its slow manifold" in str(mb)
    assert mb.coefficients[()] == 2


def test_bad_input() -> None:
    from gdtheory.optimizers import GD

    with pytest.raises(InvalidInputError, match="beta must lie in"):
        momentum_bseries(HeavyBall("1"), 1)
    with pytest.raises(InvalidInputError, match="order"):
        momentum_bseries(HeavyBall("1/2"), 9)
    with pytest.raises(InvalidInputError, match="HeavyBall\\(beta\\) or Nesterov"):
        momentum_bseries(GD(), 1)
