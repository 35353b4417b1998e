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
    UnboundParameterError,
    UnknownSymbolError,
)
from .admissible import check_smooth
from .budget import check_expansion
from .compiled import compile_mp, compile_np, compile_np_coords
from .parsing import RESERVED_NAMES, check_name, parse_expression
from .scalars import exact_real, real_array, to_mpf

__all__ = ["Objective", "h", "require_bound", "as_objective", "numeric_objective"]

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
    params : sequence of Symbol or str, optional
        Symbolic hyperparameters (``mu`` in ``(mu - x*y)**2/2``): constants, not state
        variables.  A name becomes a real symbol; pass a Symbol to give assumptions
        (``sp.Symbol("mu", positive=True)``).  Formulas (modified equations, potentials,
        closed forms) keep them symbolic; numerical use needs values:
        :meth:`bind` (``f.bind(mu=1)``) returns the objective with them substituted,
        and a numerical method asked of an unbound objective raises
        :class:`~gdtheory.errors.UnboundParameterError` naming them.

    Attributes
    ----------
    expr, symbols, params, dim, grad (column Matrix), hessian (Matrix)

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

    __slots__ = ("_expr", "_symbols", "_params", "_name", "_cache")
    _expr: sp.Expr
    _symbols: tuple[sp.Symbol, ...]
    _params: tuple[sp.Symbol, ...]
    _name: str
    _cache: dict[str, Any]

    def __init__(
        self,
        expr: sp.Expr | str,
        symbols: Sequence[sp.Symbol | str] | None = None,
        *,
        name: str | None = None,
        params: Sequence[sp.Symbol | str] | None = None,
    ) -> None:
        try:
            self._build(expr, symbols, name, params)
        except RecursionError:  # SymPy walks trees recursively: refuse, don't crash
            raise ComplexityError(
                "the objective is nested too deeply for SymPy (its recursion limit was "
                "reached); simplify it"
            ) from None

    def _build(
        self,
        expr: sp.Expr | str,
        symbols: Sequence[sp.Symbol | str] | None,
        name: str | None,
        params: Sequence[sp.Symbol | str] | None,
    ) -> None:
        if symbols is not None and (
            isinstance(symbols, str | bytes) or not hasattr(symbols, "__iter__")
        ):
            raise InvalidInputError(f"symbols must be a sequence of names, got {symbols!r}")
        free = () if isinstance(expr, str) else getattr(expr, "free_symbols", ())
        pars = param_symbols(params, free)
        if isinstance(expr, str):
            text = expr
            expr, syms = parse_expression(text, symbols, extra_names=pars)
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
                syms = tuple(sorted(expr.free_symbols - set(pars), key=lambda s: s.name))
            else:
                syms = tuple(
                    s if isinstance(s, sp.Symbol) else sp.Symbol(str(s), real=True) for s in symbols
                )
            unknown = expr.free_symbols - set(syms) - set(pars)
            if unknown:
                names = ", ".join(sorted(s.name for s in unknown))
                hint = (
                    f" or the parameters ({', '.join(p.name for p in pars)})"
                    if pars
                    else "; declare symbolic constants with params=[...]"
                )
                raise UnknownSymbolError(
                    f"the objective uses {names}, which is not among the declared symbols "
                    f"({', '.join(s.name for s in syms)}){hint}",
                    token=names,
                )
        if len({s.name for s in syms}) != len(syms):
            raise InvalidInputError(f"the symbols {syms} repeat a name")
        clash = {s.name for s in syms} & {p.name for p in pars}
        if clash:
            raise InvalidInputError(
                f"{', '.join(sorted(clash))} cannot be both a state symbol and a parameter"
            )
        for s in syms:
            check_name(s.name)
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
        object.__setattr__(self, "_params", pars)
        object.__setattr__(self, "_name", name or str(expr))
        object.__setattr__(self, "_cache", {})

    @classmethod
    def parse(
        cls,
        text: str,
        symbols: Sequence[sp.Symbol | str] | None = None,
        *,
        name: str | None = None,
        params: Sequence[sp.Symbol | str] | None = None,
    ) -> Objective:
        """Parse ``text`` safely (no code is executed) into an objective; ``params`` names
        the symbolic constants (see the class docstring).

        >>> Objective.parse("lam*x**2/2", params=["lam"]).symbols
        (x,)

        >>> Objective.parse("__import__('os').system('ls')")
        Traceback (most recent call last):
        ...
        gdtheory.errors.ParseError: '__import__' is not allowed in an expression: ...
        """
        if not isinstance(text, str):
            raise ParseError(f"Objective.parse expects a string, got {type(text).__name__}")
        return cls(text, symbols, name=name, params=params)

    def bind(self, values: Any = None, /, **kwargs: Any) -> Objective:
        """The objective with values substituted for (some of) its parameters, exactly.

        Values are exact reals (ints, Fractions, strings such as ``"7/3"``, floats by
        their binary value); unbound parameters stay parameters.

        >>> f = Objective.parse("(mu - x*y)**2/2", params=["mu"])
        >>> f.bind(mu="7/3").expr
        (-x*y + 7/3)**2/2
        >>> f.bind(nu=1)
        Traceback (most recent call last):
        ...
        gdtheory.errors.InvalidInputError: nu is not a parameter of the objective (parameters: mu)
        """
        subs = bind_values(self._params, values, kwargs, "the objective")
        rest = [p for p in self._params if p not in subs]
        bound = ", ".join(f"{p.name}={v}" for p, v in subs.items())
        return Objective(
            self._expr.subs(subs),
            self._symbols,
            name=f"{self._name} with {bound}" if bound else self._name,
            params=rest,
        )

    # immutability -------------------------------------------------------------------
    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"Objective is immutable; cannot set {key!r}")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Objective)
            and self._expr == other._expr
            and self._symbols == other._symbols
            and self._params == other._params
        )

    def __hash__(self) -> int:
        return hash((self._expr, self._symbols, self._params))

    def __repr__(self) -> str:
        extra = f", params={[p.name for p in self._params]}" if self._params else ""
        return (
            f"Objective({sp.sstr(self._expr)!r}, symbols={[s.name for s in self._symbols]}{extra})"
        )

    def __reduce__(self) -> tuple[Any, ...]:  # picklable for process pools
        return (_rebuild, (self._expr, self._symbols, self._name, self._params))

    # symbolic -----------------------------------------------------------------------
    @property
    def expr(self) -> sp.Expr:
        return self._expr

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return self._symbols

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """The symbolic parameters (constants kept symbolic in formulas)."""
        return self._params

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


def _rebuild(
    expr: sp.Expr, symbols: tuple[sp.Symbol, ...], name: str, params: tuple[sp.Symbol, ...] = ()
) -> Objective:
    return Objective(expr, symbols, name=name, params=params)


def param_symbols(params: Any, free: Any = ()) -> tuple[sp.Symbol, ...]:
    """Validate symbolic parameters: Symbols (assumptions kept) or names (a real
    symbol, or the free symbol of that name in ``free``)."""
    if params is None:
        return ()
    if isinstance(params, str | bytes) or not hasattr(params, "__iter__"):
        raise InvalidInputError(f"params must be a sequence of names, got {params!r}")
    by_name = {s.name: s for s in free if isinstance(s, sp.Symbol)}
    out: list[sp.Symbol] = []
    for p in params:
        if isinstance(p, sp.Symbol):
            sym = p
        elif isinstance(p, str):
            check_name(p)
            if not p.isidentifier() or p.startswith("_"):
                raise ParseError(f"{p!r} is not a valid parameter name", token=p)
            sym = by_name.get(p) or sp.Symbol(p, real=True)
        else:
            raise InvalidInputError(f"a parameter must be a name or a Symbol, got {p!r}")
        check_name(sym.name)
        if sym.name in RESERVED_NAMES:
            raise ParseError(
                f"{sym.name!r} is reserved (the learning rate or a constant) and cannot be a "
                "parameter; rename it",
                token=sym.name,
            )
        if sym.is_real is False:
            raise NotRealError(f"the parameter {sym.name} is declared non-real")
        out.append(sym)
    if len({s.name for s in out}) != len(out):
        raise InvalidInputError(f"the parameters {[s.name for s in out]} repeat a name")
    return tuple(out)


def bind_values(
    params: Sequence[sp.Symbol], values: Any, kwargs: dict[str, Any], owner: str
) -> dict[sp.Symbol, sp.Expr]:
    """Validate values for parameters (a dict and/or keywords): each name a parameter,
    each value an exact real consistent with the parameter's assumptions."""
    if not isinstance(values, dict | type(None)):
        raise InvalidInputError(
            f"bind takes a dict of values or keywords, got {type(values).__name__}"
        )
    by_name = {p.name: p for p in params}
    subs: dict[sp.Symbol, sp.Expr] = {}
    for key, value in {**(values or {}), **kwargs}.items():
        name = key.name if isinstance(key, sp.Symbol) else str(key)
        if name not in by_name:
            raise InvalidInputError(
                f"{name} is not a parameter of {owner} (parameters: {', '.join(by_name) or 'none'})"
            )
        v = exact_real(value, name)
        p = by_name[name]
        check_assumptions(p, v)
        subs[p] = v
    return subs


def check_assumptions(p: sp.Symbol, value: sp.Expr) -> None:
    """Refuse a value that contradicts any assumption declared on the parameter ``p``
    (positive, negative, integer, nonzero, ...): SymPy has already simplified the
    objective under those assumptions (sqrt(mu**2) is -mu for a negative mu, (-1)**(2k)
    is 1 for an integer k), so substituting a contradicting value would give a silently
    different objective.  An assumption the value cannot be shown to satisfy is refused
    too.

    >>> k = sp.Symbol("k", integer=True)
    >>> check_assumptions(k, sp.Integer(3))
    >>> check_assumptions(k, sp.Rational(1, 2))
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: k = 1/2 contradicts the assumption that k is integer ...
    """
    declared = dict(getattr(p, "_assumptions_orig", None) or {})
    implied = {k: v for k, v in sorted(p.assumptions0.items()) if k not in declared}
    for key, wanted in [*declared.items(), *implied.items()]:  # the declared ones first
        actual = getattr(value, f"is_{key}", None)
        if actual is not wanted:
            what = key if wanted else f"not {key}"
            shown = "cannot be shown to hold for" if actual is None else "contradicts"
            raise InvalidInputError(
                f"{p.name} = {value} {shown} the assumption that {p.name} is {what} (declared "
                f"on the parameter); SymPy has already simplified the objective under it: "
                "give a value that satisfies it, or declare the parameter without it"
                if actual is not None
                else f"{p.name} = {value}: the assumption that {p.name} is {what} (declared on "
                "the parameter) cannot be decided for this value; give an exact number"
            )


def require_bound(objective: Objective, what: str = "a numerical computation") -> None:
    """Raise :class:`UnboundParameterError` when ``objective`` has parameters."""
    if objective.params:
        names = ", ".join(p.name for p in objective.params)
        example = ", ".join(f"{p.name}=..." for p in objective.params)
        raise UnboundParameterError(
            f"{what} needs values for the parameter(s) {names} of {objective.name}; "
            f"bind them first: objective.bind({example})",
            params=tuple(p.name for p in objective.params),
        )


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


def numeric_objective(objective: object) -> Objective:
    """:func:`as_objective` for numerical methods: parameters must have values
    (:class:`~gdtheory.errors.UnboundParameterError` otherwise, raised before any loop
    whose error handling could mistake it for a numerical failure)."""
    obj = as_objective(objective)
    require_bound(obj)
    return obj
