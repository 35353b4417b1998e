"""gdtheory.core.conversion: the one way in for user values (expressions, constants,
matrices)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from gdtheory.core.conversion import (
    as_constant,
    as_expression,
    as_matrix,
    as_real_matrix,
    as_symbols,
    nsimplify_exact,
)
from gdtheory.errors import (
    ComplexityError,
    InvalidInputError,
    NotRealError,
    ParseError,
    ShapeError,
    UnknownSymbolError,
)

fractions = st.fractions(min_value=-100, max_value=100, max_denominator=50)


@given(st.lists(st.lists(fractions, min_size=3, max_size=3), min_size=1, max_size=4))
def test_every_form_of_a_rational_matrix_gives_the_same_exact_matrix(rows):
    exact = sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in r] for r in rows])
    as_text = "; ".join(", ".join(f"{v.numerator}/{v.denominator}" for v in r) for r in rows)
    as_strings = [[str(v) for v in r] for r in rows]
    for form in (rows, as_text, as_strings, exact, np.array(rows, dtype=object)):
        assert as_matrix(form, "M") == exact
    assert as_real_matrix(as_text, "M") == exact


def test_floats_keep_their_binary_value_and_decimals_are_read_exactly():
    assert as_matrix([[0.1]], "M")[0, 0] == sp.Rational(Fraction(0.1))
    assert as_matrix("0.1", "M")[0, 0] == sp.Rational(1, 10)


def test_a_vector_is_a_column_and_shapes_are_checked():
    assert as_matrix([1, 2, 3], "v").shape == (3, 1)
    with pytest.raises(ShapeError, match="2 x 2"):
        as_matrix([[1, 2, 3]], "P", shape=(2, 2))
    with pytest.raises(ShapeError, match="rectangular"):
        as_matrix("1, 2; 3", "P")
    with pytest.raises(ShapeError, match="mixes"):
        as_matrix([[1, 2], 3], "P")
    with pytest.raises(ShapeError, match="non-empty"):
        as_matrix([], "P")
    with pytest.raises(ParseError, match="empty entry"):
        as_matrix("1,,2", "P")
    with pytest.raises(ComplexityError):
        as_matrix(np.zeros((200, 200)), "P")


def test_symbols_and_extras_are_allowed_only_when_declared():
    x = sp.Symbol("x", real=True)
    h = sp.Symbol("h", positive=True)
    assert as_expression("x*h", "e", symbols=[x], extra=[h]) == x * h
    with pytest.raises(UnknownSymbolError):
        as_expression("x*h", "e", symbols=[x])
    with pytest.raises(UnknownSymbolError):
        as_matrix([["y"]], "M", symbols=[x])


def test_constants_are_finite_real_numbers():
    assert as_constant("sqrt(2)/2", "b") == sp.sqrt(2) / 2
    assert as_constant(1 + 2j, "z", complex_ok=True) == 1 + 2 * sp.I
    with pytest.raises(NotRealError):
        as_constant("sqrt(-2)", "b")
    with pytest.raises(UnknownSymbolError):
        as_constant("x", "b")
    with pytest.raises(InvalidInputError, match="must be a number"):
        as_constant(sp.Symbol("x"), "b")
    with pytest.raises(InvalidInputError):
        as_constant(float("inf"), "b")
    with pytest.raises(InvalidInputError, match="must be a number"):
        as_expression(object(), "b")
    with pytest.raises(InvalidInputError):
        as_expression(True, "b")
    with pytest.raises(InvalidInputError, match="finite real"):
        as_real_matrix([[float("nan")]], "A")


def test_symbols_must_be_symbols_and_nsimplify_refuses_text():
    assert as_symbols(sp.symbols("a b")) == sp.symbols("a b")
    with pytest.raises(InvalidInputError):
        as_symbols("x")
    with pytest.raises(InvalidInputError):
        nsimplify_exact("1/2")
    assert nsimplify_exact(sp.Float(0.5)) == sp.Rational(1, 2)


def test_a_matrix_string_of_20000_characters_is_read_and_one_more_is_refused():
    """The documented limit of every text input, 20 000 characters (core.parsing)."""
    entries = "1" + ", 1" * 6666  # 19 999 characters: one row of 6667 entries
    assert as_matrix(entries + " ", "M").shape == (1, 6667)
    with pytest.raises(ComplexityError, match="20001 characters; at most 20000"):
        as_matrix(entries + "  ", "M")
