"""Admissible objectives (core.admissible): the structural limits name themselves."""

from __future__ import annotations

import pytest
import sympy as sp

from gdtheory.core.admissible import check_smooth
from gdtheory.core.parsing import MAX_DEPTH
from gdtheory.errors import ComplexityError


def test_nesting_deeper_than_four_times_the_parser_limit_is_refused_by_its_depth():
    """Expressions built in SymPy (not parsed) may nest up to 4 * MAX_DEPTH levels."""
    x = sp.Symbol("x", real=True)
    ok = x
    for _ in range(4 * MAX_DEPTH):
        ok = sp.sin(ok)
    check_smooth(ok)  # x sits 4 * MAX_DEPTH levels down
    deep = sp.sin(ok)
    with pytest.raises(ComplexityError, match=f"nested more than {4 * MAX_DEPTH} levels deep"):
        check_smooth(deep, where="test objective")
