"""Objectives: a SymPy expression over named state symbols, with exact derivatives and
fast cached callables for mpmath (any precision) and NumPy (vectorised float64).

The GD map of an objective f with learning rate h is  Phi_h(x) = x - h grad f(x).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..errors import (
    ComplexityError,
    InvalidInputError,
    NotRealError,
    ParseError,
    ShapeError,
    UnknownSymbolError,
)
from .budget import check_expansion
from .compiled import compile_mp, compile_np, compile_np_coords
from .parsing import RESERVED_NAMES, check_smooth, parse_expression
from .scalars import real_array, to_mpf

__all__ = ["Objective", "h"]

#: The learning-rate symbol used in every formula gdtheory produces.
h = sp.Symbol("h", positive=True)


class Objective:
    r"""A smooth objective f : R^n -> R given by a SymPy expression.

    Parameters
    ----------
    expr : sympy.Expr or str
        The objective.  A string is parsed safely (see :mod:`gdtheory.core.parsing`).
    symbols : sequence of Symbol or str, optional
        The state variables, in order.  Default: the free symbols, sorted by name.
    name : str, optional
        A label used in reports.

    Attributes
    ----------
    expr, symbols, dim, grad (column Matrix), hessian (Matrix)

    Notes
    -----
    Callables are compiled once per objective (see :mod:`gdtheory.core.compiled`):

    * ``f_mp(x)``, ``grad_mp(x)`` (tuple), ``hess_mp(x)`` (``mpmath.matrix``) evaluate
      at the mpmath working precision in force at the call;
    * ``f_np(X)``, ``grad_np(X)``, ``hess_np(X)`` take ``X`` of shape ``(..., n)`` and
      return shapes ``(...)``, ``(..., n)``, ``(..., n, n)``.

    Examples
    --------
    >>> f = Objective.parse("x**4/4 - x**2/2")
    >>> f.grad
    Matrix([[x**3 - x]])
    >>> f.f_np(np.array([[0.0], [2.0]]))
    array([0., 2.])
    >>> g = Objective.parse("(1 - x*y)**2/2")
    >>> g.dim, g.hessian
    (2, Matrix([
    [   y**2, 2*x*y - 1],
    [2*x*y - 1,    x**2]]))
    """

    __slots__ = ("_expr", "_symbols", "_name", "_cache")
    _expr: sp.Expr
    _symbols: tuple[sp.Symbol, ...]
    _name: str
    _cache: dict[str, Any]

    def __init__(
        self,
        expr: sp.Expr | str,
        symbols: Sequence[sp.Symbol | str] | None = None,
        *,
        name: str | None = None,
    ) -> None:
        try:
            self._build(expr, symbols, name)
        except RecursionError:  # SymPy walks trees recursively: refuse, don't crash
            raise ComplexityError(
                "the objective is nested too deeply for SymPy (its recursion limit was "
                "reached); simplify it"
            ) from None

    def _build(
        self, expr: sp.Expr | str, symbols: Sequence[sp.Symbol | str] | None, name: str | None
    ) -> None:
        if symbols is not None and (
            isinstance(symbols, str | bytes) or not hasattr(symbols, "__iter__")
        ):
            raise InvalidInputError(f"symbols must be a sequence of names, got {symbols!r}")
        if isinstance(expr, str):
            text = expr
            expr, syms = parse_expression(text, symbols)
            name = name or text
        else:
            try:
                expr = sp.sympify(expr, strict=True)
            except (sp.SympifyError, TypeError):
                raise ParseError(
                    f"expected a SymPy expression or a string, got {type(expr).__name__}; "
                    "use Objective.parse(text) for text"
                ) from None
            if not isinstance(expr, sp.Expr):
                raise ParseError(f"expected a scalar SymPy expression, got {expr!r}")
            if symbols is None:
                syms = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
            else:
                syms = tuple(
                    s if isinstance(s, sp.Symbol) else sp.Symbol(str(s), real=True) for s in symbols
                )
            unknown = expr.free_symbols - set(syms)
            if unknown:
                names = ", ".join(sorted(s.name for s in unknown))
                raise UnknownSymbolError(
                    f"the objective uses {names}, which is not among the declared symbols "
                    f"({', '.join(s.name for s in syms)})",
                    token=names,
                )
        if len({s.name for s in syms}) != len(syms):
            raise InvalidInputError(f"the symbols {syms} repeat a name")
        for s in syms:
            if s.name in RESERVED_NAMES:
                raise ParseError(
                    f"{s.name!r} is reserved (the learning rate or a constant) "
                    "and cannot be a state symbol; rename it",
                    token=s.name,
                )
        if not syms:
            raise InvalidInputError(f"the objective {expr} has no variables (dimension 0)")
        check_smooth(expr)
        object.__setattr__(self, "_expr", expr)
        object.__setattr__(self, "_symbols", syms)
        object.__setattr__(self, "_name", name or str(expr))
        object.__setattr__(self, "_cache", {})

    @classmethod
    def parse(
        cls, text: str, symbols: Sequence[sp.Symbol | str] | None = None, *, name: str | None = None
    ) -> Objective:
        """Parse ``text`` safely (no code is executed) into an objective.

        >>> Objective.parse("__import__('os').system('ls')")
        Traceback (most recent call last):
        ...
        gdtheory.errors.ParseError: '__import__' is not allowed in an expression: ...
        """
        if not isinstance(text, str):
            raise ParseError(f"Objective.parse expects a string, got {type(text).__name__}")
        return cls(text, symbols, name=name)

    # immutability -------------------------------------------------------------------
    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"Objective is immutable; cannot set {key!r}")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Objective)
            and self._expr == other._expr
            and self._symbols == other._symbols
        )

    def __hash__(self) -> int:
        return hash((self._expr, self._symbols))

    def __repr__(self) -> str:
        return f"Objective({sp.sstr(self._expr)!r}, symbols={[s.name for s in self._symbols]})"

    def __reduce__(self) -> tuple[Any, ...]:  # picklable for process pools
        return (_rebuild, (self._expr, self._symbols, self._name))

    # symbolic -----------------------------------------------------------------------
    @property
    def expr(self) -> sp.Expr:
        return self._expr

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return self._symbols

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return len(self._symbols)

    def _cached(self, key: str, build: Any) -> Any:
        cache = self._cache
        if key not in cache:
            cache[key] = build()
        return cache[key]

    @property
    def grad(self) -> sp.Matrix:
        """The gradient as a SymPy column matrix."""
        return self._cached(
            "grad", lambda: sp.Matrix([sp.diff(self._expr, s) for s in self._symbols])
        )

    @property
    def hessian(self) -> sp.Matrix:
        """The Hessian as a symmetric SymPy matrix."""
        return self._cached("hess", lambda: sp.hessian(self._expr, self._symbols))

    @property
    def polynomial_degree(self) -> int | None:
        """Total degree if f is a polynomial in its symbols, else None.

        Exact (the polynomial is expanded, so cancellations count); an expansion of more
        than :data:`~gdtheory.core.budget.MAX_TERMS` monomials is refused with a
        :class:`~gdtheory.core.budget.CostError` rather than attempted.
        """

        def build() -> int | None:
            if not self._expr.is_polynomial(*self._symbols):
                return None
            check_expansion([self._expr], self._symbols, f"f = {sp.sstr(self._expr)[:80]}")
            return int(sp.Poly(self._expr, *self._symbols).total_degree())

        return self._cached("deg", build)

    @property
    def is_quadratic(self) -> bool:
        """True when f is a polynomial of degree <= 2 (constant Hessian)."""
        d = self.polynomial_degree
        return d is not None and d <= 2

    # points ---------------------------------------------------------------------------
    def point_mp(self, x: Any, name: str = "x0") -> tuple[mpmath.mpf, ...]:
        """Validate a point and convert it to a tuple of mpf at the working precision.

        Accepts a sequence of length ``dim`` (or a scalar when ``dim == 1``) of ints,
        floats, Fractions, exact strings such as ``"19/10"`` or mpmath numbers.
        """
        return point_mp(x, self._symbols, name)

    def batch_np(self, X: Any, name: str = "x0s") -> np.ndarray:
        """Validate an array of points, shape ``(..., n)`` (or ``(n,)``), as float64."""
        try:
            arr = real_array(X, name)
        except NotRealError:
            raise
        except InvalidInputError as exc:
            raise ShapeError(
                f"{name} must be an array of numbers of shape (..., {self.dim}): {exc}"
            ) from None
        if arr.ndim == 0:
            if self.dim != 1:
                raise ShapeError(f"{name} must have last axis {self.dim}, got a scalar")
            arr = arr.reshape(1)
        if arr.shape[-1] != self.dim:
            if self.dim == 1:
                arr = arr[..., None]
            else:
                raise ShapeError(
                    f"{name} has shape {arr.shape}; the last axis must be the dimension {self.dim}"
                )
        if not np.all(np.isfinite(arr)):
            raise InvalidInputError(f"{name} contains NaN or infinite coordinates")
        return arr

    # mpmath callables ------------------------------------------------------------------
    def f_mp(self, x: Sequence[Any]) -> mpmath.mpf:
        """f(x) at the current mpmath precision."""
        fn = self._cached("f_mp", lambda: compile_mp([self._expr], self._symbols))
        return fn(x)[0]

    def grad_mp(self, x: Sequence[Any]) -> tuple[mpmath.mpf, ...]:
        """grad f(x) at the current mpmath precision, as a tuple."""
        fn = self._cached("g_mp", lambda: compile_mp(list(self.grad), self._symbols))
        return fn(x)

    def hess_mp(self, x: Sequence[Any]) -> mpmath.matrix:
        """The Hessian at x, an ``mpmath.matrix``."""
        n = self.dim
        fn = self._cached("h_mp", lambda: compile_mp(list(self.hessian), self._symbols))
        values = fn(x)
        return mpmath.matrix([[values[i * n + j] for j in range(n)] for i in range(n)])

    # numpy callables -------------------------------------------------------------------
    def f_np(self, X: np.ndarray) -> np.ndarray:
        """f over a batch: X of shape (..., n) -> shape (...)."""
        fn = self._cached("f_np", lambda: compile_np([self._expr], self._symbols))
        return fn(X)[..., 0]

    def grad_np(self, X: np.ndarray) -> np.ndarray:
        """grad f over a batch: (..., n) -> (..., n)."""
        fn = self._cached("g_np", lambda: compile_np(list(self.grad), self._symbols))
        return fn(X)

    def hess_np(self, X: np.ndarray) -> np.ndarray:
        """Hessian over a batch: (..., n) -> (..., n, n)."""
        n = self.dim
        fn = self._cached("h_np", lambda: compile_np(list(self.hessian), self._symbols))
        out = fn(X)
        return out.reshape(out.shape[:-1] + (n, n))

    def grad_coords(self, *coords: np.ndarray) -> list[np.ndarray]:
        """grad f in coordinate-major layout: n arrays in, the n components out.

        The fast path of the float64 sweeps (no stacking, no copies); inputs are not
        validated.
        """
        fn = self._cached("g_co", lambda: compile_np_coords(list(self.grad), self._symbols))
        return fn(*coords)

    def hess_coords(self, *coords: np.ndarray) -> list[np.ndarray]:
        """The n*n Hessian entries (row-major) in coordinate-major layout."""
        fn = self._cached("h_co", lambda: compile_np_coords(list(self.hessian), self._symbols))
        return fn(*coords)


def point_mp(x: Any, symbols: Sequence[sp.Symbol], name: str = "x0") -> tuple[mpmath.mpf, ...]:
    """Validate a point of the state space spanned by ``symbols``; a tuple of mpf."""
    dim = len(symbols)
    try:
        scalar = isinstance(x, str | int | float) or np.ndim(x) == 0
    except ValueError:  # a ragged nest of sequences
        raise ShapeError(f"{name} must be a sequence of {dim} numbers, got {x!r}") from None
    if scalar:
        if dim != 1:
            raise ShapeError(f"{name} must have {dim} coordinates, got a scalar")
        coords: list[Any] = [x]
    else:
        try:
            coords = list(x.tolist() if isinstance(x, np.ndarray) else x)
        except TypeError:
            raise ShapeError(f"{name} must be a sequence of {dim} numbers") from None
        if len(coords) != dim:
            raise ShapeError(
                f"{name} has {len(coords)} coordinates but the state space has "
                f"dimension {dim} ({', '.join(map(str, symbols))})"
            )
    out = []
    for i, c in enumerate(coords):
        if isinstance(c, list | tuple | np.ndarray):
            raise ShapeError(f"{name}[{i}] is not a number: {c!r}")
        out.append(to_mpf(c, f"{name}[{i}]"))
    return tuple(out)


def _rebuild(expr: sp.Expr, symbols: tuple[sp.Symbol, ...], name: str) -> Objective:
    return Objective(expr, symbols, name=name)


def as_objective(objective: object) -> Objective:
    """An :class:`Objective`, or the objective a string denotes (parsed safely, never
    executed); anything else is an InvalidInputError naming its type.

    >>> as_objective("x**2/2").expr
    x**2/2
    """
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, str):
        return Objective.parse(objective)
    raise InvalidInputError(
        f"objective must be an Objective or an expression string, got {type(objective).__name__}"
    )
