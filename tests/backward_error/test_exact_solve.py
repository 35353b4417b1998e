"""Exact rational elimination: solutions reproduce the target; remainders are exact."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory.backward_error.exact_solve import reduce, solve


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda m: st.tuples(
            st.lists(st.lists(st.integers(-3, 3), min_size=4, max_size=4), min_size=m, max_size=m),
            st.lists(st.integers(-3, 3), min_size=m, max_size=m),
            st.lists(st.integers(-3, 3), min_size=4, max_size=4),
        )
    )
)
def test_solution_and_remainder_are_exact(data: tuple) -> None:
    cols, coeffs, noise = data
    columns = [(j, {r: Fraction(v) for r, v in enumerate(c) if v}) for j, c in enumerate(cols)]
    inside = {
        r: Fraction(sum(a * c[r] for a, c in zip(coeffs, cols, strict=True))) for r in range(4)
    }
    inside = {r: v for r, v in inside.items() if v}
    x = solve(columns, inside)
    assert x is not None  # a combination of the columns is always solvable
    got = {r: sum(v * dict(columns[j][1]).get(r, 0) for j, v in x) for r in range(4)}
    assert all(got[r] == inside.get(r, 0) for r in range(4))
    target = {r: inside.get(r, 0) + v for r, v in enumerate(noise)}
    x2, rest = reduce(columns, {r: v for r, v in target.items() if v})
    recon = {
        r: sum(v * dict(columns[j][1]).get(r, 0) for j, v in x2) + rest.get(r, 0) for r in range(4)
    }
    assert all(recon[r] == target[r] for r in range(4))
    assert (solve(columns, {r: v for r, v in target.items() if v}) is None) == bool(rest)
