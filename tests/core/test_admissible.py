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


def test_the_node_limit_counts_every_subexpression_once(monkeypatch):
    """x_0 + ... + x_98 has 100 nodes (the sum and 99 symbols); with the limit scaled down
    to 100 nodes (MAX_NODES = 2) it passes, and one more term is refused."""
    from gdtheory.core import admissible

    monkeypatch.setattr(admissible, "MAX_NODES", 2)
    xs = sp.symbols("x:100", real=True)
    check_smooth(sp.Add(*xs[:99]))
    with pytest.raises(ComplexityError, match="more than 100 subexpressions"):
        check_smooth(sp.Add(*xs))
