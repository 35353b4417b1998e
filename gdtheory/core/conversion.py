"""The one way in for user values that become SymPy objects: expressions, constants and
matrices.

SymPy's own conversions (:func:`sympy.sympify`, ``Matrix([[...]])``, ``nsimplify``,
``diff``, ``subs`` and most functions applied to a string) *evaluate* a string as Python
code: ``sp.Matrix([["__import__('os').system(...)"]])`` runs the command.  Every value a
user can pass (a matrix, a symmetry, a step size, a multiplier, a tableau entry, a CLI
option, a field of a certificate file) therefore enters through this module:

* a string is parsed by :func:`~gdtheory.core.parsing.parse_expression`, which builds the
  expression from Python's syntax tree against a whitelist and never executes it;
* a SymPy object is taken as it is (it was built by the caller's own code);
* a Python or NumPy number is made exact (:func:`~gdtheory.core.scalars.exact_real`);
* a nested sequence or array is converted entry by entry;
* anything else is an :class:`~gdtheory.errors.InvalidInputError` naming the argument.

The test ``tests/test_safe_input.py`` scans the package's source and fails on any
SymPy call that could receive user text without passing through here.

>>> as_matrix("2, 0; 0, 1/2", "metric")
Matrix([
[2,   0],
[0, 1/2]])
>>> as_expression("sqrt(2)/2", "beta")
sqrt(2)/2
>>> as_matrix([["__import__('os').system('echo hacked')"]], "P")
Traceback (most recent call last):
...
gdtheory.errors.ParseError: '__import__' is not allowed in an expression: ...
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..errors import ComplexityError, InvalidInputError, NotRealError, ParseError, ShapeError
from .parsing import MAX_LENGTH, parse_expression
from .scalars import exact_real, short_repr

__all__ = [
    "as_expression",
    "as_constant",
    "as_matrix",
    "as_real_matrix",
    "as_symbols",
    "nsimplify_exact",
    "MAX_ENTRIES",
]

#: Most entries of a matrix given by a user (a 100 x 100 matrix).
MAX_ENTRIES = 10_000

_IMAGINARY = sp.Dummy("I")


def as_expression(
    value: Any,
    name: str,
    *,
    symbols: Sequence[sp.Symbol | str] | None = None,
    extra: Iterable[sp.Symbol] = (),
    complex_ok: bool = False,
) -> sp.Expr:
    """``value`` as a SymPy expression, never by evaluating text.

    Parameters
    ----------
    value : str, SymPy expression, int, float, Fraction, mpmath or NumPy number
    name : str
        The argument's name, used in error messages.
    symbols : the names a string may use (default: none, a constant)
    extra : further symbols a string may use (the learning rate ``h``, parameters)
    complex_ok : accept complex numbers (the name ``I`` in a string, Python ``complex``)

    >>> x = sp.Symbol("x", real=True)
    >>> as_expression("x**2/2 + 0.1", "f", symbols=[x])
    x**2/2 + 1/10
    >>> as_expression("1 + 2*I", "z", complex_ok=True)
    1 + 2*I
    >>> as_expression("y", "c")
    Traceback (most recent call last):
    ...
    gdtheory.errors.UnknownSymbolError: unknown symbol 'y' in 'y'; the declared symbols are ...
    """
    if isinstance(value, str):
        names = list(extra) + ([_IMAGINARY] if complex_ok else [])
        expr, _ = parse_expression(
            value, [] if symbols is None else list(symbols), extra_names=names
        )
        return expr.xreplace({_IMAGINARY: sp.I}) if complex_ok else expr
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr):
            raise InvalidInputError(
                f"{name} must be an expression, got the {type(value).__name__} {short_repr(value)}"
            )
        return value
    if complex_ok and isinstance(value, complex | np.complexfloating | mpmath.mpc):
        z = complex(value)
        return exact_real(z.real, name) + sp.I * exact_real(z.imag, name)
    if isinstance(value, bool) or not isinstance(
        value, numbers.Number | Fraction | mpmath.mpf | np.generic
    ):
        raise InvalidInputError(
            f"{name} must be a number, an expression string or a SymPy expression, got "
            f"{type(value).__name__} {short_repr(value)}"
        )
    return exact_real(value, name)


def as_constant(value: Any, name: str, *, complex_ok: bool = False) -> sp.Expr:
    """``value`` as an exact finite constant (``"sqrt(2)/2"``, ``"19/10"``, ``0.5``); a
    symbol, a non-finite value, or (unless ``complex_ok``) a complex one is refused.

    >>> as_constant("1 - sqrt(2)/2", "beta")
    1 - sqrt(2)/2
    >>> as_constant(sp.Symbol("b"), "beta")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: beta must be a number, got the expression b
    """
    expr = as_expression(value, name, complex_ok=complex_ok)
    if not expr.is_number:
        raise InvalidInputError(f"{name} must be a number, got the expression {short_repr(expr)}")
    if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or expr.is_finite is False:
        raise InvalidInputError(f"{name} must be finite, got {short_repr(expr)}")
    if not complex_ok and expr.is_extended_real is False:
        raise NotRealError(f"{name} must be real, got the complex value {short_repr(expr)}")
    return expr


def as_matrix(
    value: Any,
    name: str,
    *,
    symbols: Sequence[sp.Symbol | str] | None = None,
    extra: Iterable[sp.Symbol] = (),
    shape: tuple[int, int] | None = None,
) -> sp.ImmutableMatrix:
    """``value`` as an immutable SymPy matrix, each entry through :func:`as_expression`.

    Accepted: a SymPy matrix; a nested sequence or NumPy array of entries (a flat
    sequence is a column); a string ``"a, b; c, d"`` (rows separated by ``;``, entries by
    ``,``: the command line's form).  ``shape`` requires that shape.

    >>> as_matrix([[1, "1/2"], [0.5, 2]], "P")
    Matrix([
    [  1, 1/2],
    [1/2,   2]])
    >>> as_matrix([1, -1], "weights").shape
    (2, 1)
    >>> as_matrix([[1, 2], [3]], "A")
    Traceback (most recent call last):
    ...
    gdtheory.errors.ShapeError: A must be a rectangular matrix: its rows have lengths [2, 1]
    """
    if isinstance(value, sp.MatrixBase):
        M = sp.ImmutableMatrix(value)
    else:
        rows = _rows(value, name)
        if not rows or not rows[0]:
            raise ShapeError(f"{name} must be a non-empty matrix, got {short_repr(value)}")
        width = {len(r) for r in rows}
        if len(width) != 1:
            raise ShapeError(
                f"{name} must be a rectangular matrix: its rows have lengths "
                f"{[len(r) for r in rows]}"
            )
        if len(rows) * len(rows[0]) > MAX_ENTRIES:
            raise ComplexityError(
                f"{name} has {len(rows) * len(rows[0])} entries; at most {MAX_ENTRIES} are accepted"
            )
        extras = tuple(extra)
        M = sp.ImmutableMatrix(
            [
                [
                    as_expression(e, f"{name}[{i}][{j}]", symbols=symbols, extra=extras)
                    for j, e in enumerate(r)
                ]
                for i, r in enumerate(rows)
            ]
        )
    if M.rows == 0 or M.cols == 0:
        raise ShapeError(f"{name} must be a non-empty matrix, got shape {M.shape}")
    if shape is not None and M.shape != tuple(shape):
        raise ShapeError(f"{name} must be {shape[0]} x {shape[1]}, got shape {M.shape}")
    return M


def _rows(value: Any, name: str) -> list[list[Any]]:
    """The rows of a nested sequence, array or ``"a, b; c, d"`` string (a flat sequence
    is a column)."""
    if isinstance(value, str):
        if len(value) > MAX_LENGTH:
            raise ComplexityError(
                f"{name} is a string of {len(value)} characters; at most {MAX_LENGTH}"
            )
        text = value.strip()
        if not text:
            raise InvalidInputError(f"{name} is empty")
        rows: list[list[Any]] = [[e for e in r.split(",")] for r in text.split(";")]
        if any(not e.strip() for r in rows for e in r):
            raise ParseError(
                f"{name} has an empty entry: write a matrix as 'a, b; c, d'", source=text
            )
        return rows
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            return [[e] for e in value.tolist()]
        if value.ndim != 2:
            raise ShapeError(f"{name} must be a matrix (2 axes), got shape {value.shape}")
        return [list(r) for r in value.tolist()]
    if isinstance(value, bytes) or not isinstance(value, Sequence):
        raise InvalidInputError(
            f"{name} must be a matrix (a list of rows), got {type(value).__name__} "
            f"{short_repr(value)}"
        )
    if len(value) > MAX_ENTRIES:
        raise ComplexityError(f"{name} has {len(value)} rows; at most {MAX_ENTRIES}")
    out: list[list[Any]] = []
    nested = [not isinstance(r, str) and isinstance(r, Sequence | np.ndarray) for r in value]
    if not any(nested):
        return [[e] for e in value]  # a vector: a column
    if not all(nested):
        raise ShapeError(f"{name} mixes rows and single entries: {short_repr(value)}")
    for r in value:
        row = list(r)
        if any(not isinstance(e, str) and isinstance(e, Sequence | np.ndarray) for e in row):
            raise ShapeError(f"{name} must be a matrix (2 axes), got deeper nesting")
        out.append(row)
    return out


def as_real_matrix(
    value: Any, name: str, *, shape: tuple[int, int] | None = None
) -> sp.ImmutableMatrix:
    """:func:`as_matrix` whose every entry is an exact finite real constant
    (:func:`as_constant`): the data matrices A, the metrics and preconditioners P.

    >>> as_real_matrix([[1, "sqrt(2)"]], "A")
    Matrix([[1, sqrt(2)]])
    >>> as_real_matrix([[float("nan")]], "A")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: A[0][0] must be a finite real number, got nan
    """
    M = as_matrix(value, name, shape=shape)
    return sp.ImmutableMatrix(
        M.rows,
        M.cols,
        [as_constant(e, f"{name}[{k // M.cols}][{k % M.cols}]") for k, e in enumerate(M)],
    )


def as_symbols(symbols: Any, name: str = "symbols") -> tuple[sp.Symbol, ...]:
    """A sequence of SymPy Symbols (their names become argument names of generated code,
    so text is refused rather than turned into a symbol).

    >>> as_symbols(sp.symbols("x y"))
    (x, y)
    >>> as_symbols(["x"])
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: symbols must be SymPy Symbols, got 'x'
    """
    if isinstance(symbols, str | bytes) or not isinstance(symbols, Iterable):
        raise InvalidInputError(f"{name} must be a sequence of SymPy Symbols")
    out = tuple(symbols)
    for s in out:
        if not isinstance(s, sp.Symbol):
            raise InvalidInputError(f"{name} must be SymPy Symbols, got {short_repr(s)}")
    return out


def nsimplify_exact(expr: sp.Basic) -> sp.Expr:
    """SymPy's ``nsimplify`` of an expression that is already a SymPy object (text is
    refused: ``nsimplify`` would evaluate it).

    >>> nsimplify_exact(sp.sqrt(8) / 2)
    sqrt(2)
    """
    if not isinstance(expr, sp.Basic):
        raise InvalidInputError(f"expected a SymPy expression, got {type(expr).__name__}")
    return sp.nsimplify(expr)
