"""Modified equations: independent oracles (HLW formula, naive expansion, closed forms,
numerical flows), gradient structure, potentials, and bad input."""

from __future__ import annotations

import pytest
import sympy as sp

from gdtheory import (
    Objective,
    modified_equation,
)
from gdtheory.testing.reference import naive_modified_fields


@pytest.mark.parametrize(
    ("text", "order"), [("x**4/4 - x**2/2", 4), ("(x*y - 1)**2/2", 2), ("x**2*y + y**3/3", 2)]
)
def test_agrees_with_the_naive_expansion(text, order):
    obj = Objective.parse(text)
    me = modified_equation(obj, order)
    for a, b in zip(naive_modified_fields(obj, order), me.fields, strict=True):
        assert sp.expand(a - b) == sp.zeros(obj.dim, 1)
