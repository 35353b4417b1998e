"""Exact linear algebra for the generic (tree) formulas: solve a sparse system
sum_j x_j c_j = t, or reduce t modulo the span of the c_j to a normal form (Gauss-Jordan
elimination; the systems are small).  The columns c_j are rational (Python Fractions);
the target may have real algebraic entries (the coefficients of a tableau with entries
such as sqrt(2)/2), kept as SymPy numbers and tested for zero after ``radsimp``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

__all__ = ["solve", "reduce"]


def solve(columns: list[tuple[Any, dict[Any, Fraction]]], target: dict[Any, Fraction]) -> Any:
    """Exact x with sum_j x_j columns_j = target, or None (Gaussian elimination)."""
    x, rest = reduce(columns, target)
    return None if rest else x


def reduce(
    columns: list[tuple[Any, dict[Any, Fraction]]], target: dict[Any, Fraction]
) -> tuple[list[tuple[Any, Fraction]], dict[Any, Fraction]]:
    """(x, r) with target = sum_j x_j columns_j + r, r free of the pivot rows (a normal
    form: the remainder is unique given the row order, sorted by repr)."""
    rows = sorted({r for _, img in columns for r in img} | set(target), key=repr)
    index = {r: i for i, r in enumerate(rows)}
    m = len(columns)
    M = [[Fraction(0)] * (m + 1) for _ in rows]
    for j, (_, img) in enumerate(columns):
        for r, v in img.items():
            M[index[r]][j] = Fraction(v)
    for r, v in target.items():
        M[index[r]][m] = _exact(v)
    pivots: list[int] = []
    row = 0
    for col in range(m):
        p = next((i for i in range(row, len(rows)) if M[i][col]), None)
        if p is None:
            continue
        M[row], M[p] = M[p], M[row]
        lead = M[row][col]
        M[row] = [v / lead for v in M[row]]
        for i in range(len(rows)):
            if i != row and M[i][col]:
                factor = M[i][col]
                M[i] = [a - factor * b for a, b in zip(M[i], M[row], strict=True)]
        pivots.append(col)
        row += 1
    x: list[Any] = [Fraction(0)] * m
    for i, col in enumerate(pivots):
        x[col] = _exact(M[i][m])
    rest: dict[Any, Any] = {}
    for label, v in target.items():  # r = target - sum x_j columns_j
        rest[label] = _exact(v)
    for j, (_, img) in enumerate(columns):
        if x[j]:
            for label, v in img.items():
                rest[label] = _exact(rest.get(label, Fraction(0)) - x[j] * v)
    return [(columns[j][0], x[j]) for j in range(m)], {k: v for k, v in rest.items() if v}


def _exact(v: Any) -> Any:
    """A Fraction when ``v`` is rational, else its simplified SymPy value (whose zero
    is the Integer 0, falsy like Fraction(0))."""
    if isinstance(v, Fraction | int):
        return Fraction(v)
    e = sp.radsimp(sp.expand(sp.sympify(v, strict=True)))
    return Fraction(int(e.p), int(e.q)) if e.is_Rational else e
