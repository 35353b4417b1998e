"""gdtheory.landscape.elimination: resultants in FLINT against a lex Groebner basis
(SymPy), and the balance law of the depth-4 deep scalar network (a runaway of the
hostile round under the Groebner basis) checked exactly at rational points."""

from __future__ import annotations

import random

import pytest
import sympy as sp

import gdtheory as gt
from gdtheory.core import budget
from gdtheory.landscape.balance_laws import balance_law


def _groebner_law(spectrum):
    """The same relation by a lex Groebner basis: the element free of the variables with
    the least degree in lam, made monic (the oracle)."""
    law = balance_law(spectrum)
    xs = spectrum.variables
    eqs = [sp.expand(r) for r in spectrum.residuals]
    eqs += [sp.expand(Q - q) for Q, q in zip(spectrum.conserved, law.q, strict=True)]
    eqs.append(sp.expand(spectrum.sharp - law.lam))
    G = sp.groebner(eqs, *xs, law.lam, *law.q, order="lex")
    free = [g for g in G.exprs if not (g.free_symbols & set(xs)) and g.has(law.lam)]
    P = min(free, key=lambda g: sp.Poly(g, law.lam).degree())
    return law, sp.expand(P / sp.Poly(P, law.lam).LC())


@pytest.mark.parametrize(
    "objective",
    ["(1 - x*y)**2/2", "(2 - x*y*z)**2/2", "(1 - x*y)**2/2 + 0*z", "(3 - x**2*y)**2/2"],
)
def test_resultants_give_the_groebner_relation(objective):
    spectrum = gt.balancing(objective)
    if spectrum.sharp is None:
        pytest.skip("no closed-form sharp eigenvalue")
    law, oracle = _groebner_law(spectrum)
    assert sp.expand(law.polynomial - oracle) == 0


def test_the_depth_four_law_vanishes_exactly_on_the_minimiser_set():
    """At rational points of x1 x2 x3 x4 = 1 (x4 = 1/(x1 x2 x3)), P(sharp(x), Q(x)) is
    exactly 0; at a point off the set it is not."""
    spectrum = gt.balancing(gt.deep_scalar(4))
    law = balance_law(spectrum)
    xs = spectrum.variables
    rng = random.Random(4)
    for _ in range(5):
        vals = [sp.Rational(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(3)]
        point = dict(zip(xs, [*vals, 1 / sp.Mul(*vals)], strict=True))
        sub = {law.lam: spectrum.sharp.subs(point)}
        sub.update({q: Q.subs(point) for q, Q in zip(law.q, spectrum.conserved, strict=True)})
        assert law.polynomial.subs(sub) == 0
    off = dict(zip(xs, [sp.Integer(2), sp.Integer(1), sp.Integer(1), sp.Integer(1)], strict=True))
    sub = {law.lam: spectrum.sharp.subs(off)}
    sub.update({q: Q.subs(off) for q, Q in zip(law.q, spectrum.conserved, strict=True)})
    assert law.polynomial.subs(sub) != 0
    assert sp.Poly(law.polynomial, law.lam).degree() == 4


def test_an_elimination_beyond_the_budget_is_stopped_and_says_so():
    with budget.allow(2), pytest.raises(budget.CostError, match="did not finish within"):
        balance_law(gt.balancing(gt.deep_scalar(6)))
