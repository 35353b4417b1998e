"""Bounds of a Hessian entry over unbounded regions (rigorous.global_bounds)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from gdtheory.rigorous.global_bounds import entry_bound

x = sp.Symbol("x", real=True)
LOGISTIC = sp.exp(x) / (1 + sp.exp(x)) ** 2  # sup 1/4 at x = 0, ~ e^(-|x|) far out


@pytest.mark.parametrize(
    ("region", "sup"),
    [
        ((Fraction(0), None), Fraction(1, 4)),  # x >= 0: w = e^(-x) in (0, 1]
        ((None, Fraction(0)), Fraction(1, 4)),  # x <= 0: w = e^x in (0, 1]
        ((Fraction(1, 2), None), None),  # x >= 1/2: the sup at x = 1/2
        ((Fraction(8), None), None),
    ],
)
def test_a_half_line_gets_a_finite_bound_above_the_sampled_sup(region, sup):
    """On a half-line from x0 the entry is rewritten in w = e^(-|x|) (step 3 of the module
    docstring): the bound lies between the sup sampled on 60 units and e^(-|x0|)."""
    bound = entry_bound(LOGISTIC, [x], (region,))
    assert bound is not None
    lo, hi = region
    start = float(lo if lo is not None else hi)
    far = np.linspace(start, start + (60 if lo is not None else -60), 20_001)
    sampled = float(np.max(np.exp(far) / (1 + np.exp(far)) ** 2))
    assert bound >= sampled
    # ball arithmetic on w / (1 + w)^2, w in (0, e^(-|x0|)]: at most e^(-|x0|)
    assert float(bound) <= np.exp(-abs(start)) * (1 + 1e-6)
    if sup is not None:
        assert bound >= sup


@pytest.mark.parametrize("region", [(Fraction(-1), None), (None, Fraction(1, 2))])
def test_a_sign_change_with_an_unbounded_end_is_left_to_splitting(region):
    assert entry_bound(LOGISTIC, [x], (region,)) is None


@pytest.mark.parametrize("sign", [1, -1])
def test_a_sup_reached_at_infinity_is_covered(sign):
    """|1 - e^(-|x|)| on a half-line from 0 tends to its sup 1 as |x| -> oo: w = e^(-|x|)
    ranges over (0, 1], down to 0, and the bound must cover that end."""
    expr = 1 - sp.exp(-sign * x)
    region = (Fraction(0), None) if sign == 1 else (None, Fraction(0))
    bound = entry_bound(expr, [x], (region,))
    assert bound is not None and 1 <= bound <= 2
