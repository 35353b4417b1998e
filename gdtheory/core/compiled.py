"""The one place where SymPy expressions become fast numerical callables.

Every callable in gdtheory (objective values, gradients, Hessians, modified vector
fields) is built here, once per (expressions, symbols, backend), and cached.

* ``"mpmath"``: every non-integer rational, float, pi and e of the expressions becomes
  a named constant, rounded once per working precision (to the value ``mpf(p)/mpf(q)``
  would have at that precision), so the callable is exact to the working precision in
  force when it is called.  Where every function the code calls has a correctly
  rounded MPFR counterpart, it runs on ``gmpy2.mpfr`` at that same precision (about
  ten times faster than mpmath's Python-level ``mpf``; the same operations in the same
  order, each rounded to nearest); a special value on the way (a division by zero, a
  NaN, an overflow) hands the call to the mpmath code, which decides as before.
* ``"numpy"``: vectorised; constant components are broadcast to the batch shape.
* ``compile_np_coords``: the same NumPy code in coordinate-major layout (one array per
  coordinate, no stacking or copying), the fast path of the float64 sweeps.

The generated code never uses the user's symbol names (arguments are dummified), so no
name a user gives a state variable can collide with a name of the generated code.
"""

from __future__ import annotations

import builtins
import types
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import gmpy2
import mpmath
import numpy as np
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from ..errors import InvalidInputError, NotRealError, UnboundParameterError
from .budget import check_cost
from .conversion import as_symbols

__all__ = [
    "compile_mp",
    "compile_mpc",
    "compile_gmpy2",
    "compile_np",
    "compile_np_coords",
    "to_gmpy2",
    "from_gmpy2",
]


#: Expression-tree nodes compiled per second (common-subexpression elimination
#: dominates; measured 7000-14000/s on modified fields on the CI machine, 20000 kept so
#: that a refusal is never premature).
COMPILE_NODES_PER_SECOND = 20000.0

#: Widest sum or product emitted as one line of generated code; wider ones are split
#: into partial results (Python's compiler recurses once per operand of a flat chain,
#: and a modified field of high order can have 10^5 terms).
CHUNK = 64


def _shared_exponentials(
    exprs: list[sp.Expr],
) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
    """Write every ``exp(n*a)`` with integer n as ``E**n`` with one temporary E = exp(a).

    Modified fields of objectives such as log(1 + exp(-x)) hold exp(-x), exp(-2x), ...,
    exp(-40x); SymPy's CSE keeps each as its own exponential, so a field of order 30
    would evaluate thirty exponentials per call instead of one and its powers.

    >>> x = sp.Symbol("x")
    >>> _shared_exponentials([sp.exp(-3 * x) + sp.exp(x)])
    ([(_exp0, exp(x))], [_exp0 + _exp0**(-3)])
    """
    groups: dict[sp.Expr, list[sp.exp]] = {}
    for e in exprs:
        if isinstance(e, sp.Basic):
            for atom in e.atoms(sp.exp):
                c, a = atom.args[0].as_coeff_Mul()
                if c.is_Integer and not a.has(sp.exp):
                    groups.setdefault(a, []).append(atom)
    names = sp.numbered_symbols("_exp")
    defs: list[tuple[sp.Symbol, sp.Expr]] = []
    table: dict[sp.Expr, sp.Expr] = {}
    for a, atoms in groups.items():
        if len(set(atoms)) < 2 and atoms[0].args[0] == a:
            continue  # exp(a) alone: nothing to share
        base = next(names)
        defs.append((base, sp.exp(a)))
        for atom in atoms:
            table[atom] = sp.Pow(base, atom.args[0].as_coeff_Mul()[0])
    if not table:
        return [], exprs
    return defs, [e.xreplace(table) if isinstance(e, sp.Basic) else e for e in exprs]


def _chunked_cse(exprs: list[sp.Expr]) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
    """SymPy's common-subexpression elimination, then every Add or Mul with more than
    :data:`CHUNK` operands split into partial results (a tree of temporaries)."""
    powers, exprs = _shared_exponentials(exprs)
    reps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_cse"))
    out: list[tuple[sp.Symbol, sp.Expr]] = list(powers)
    names = sp.numbered_symbols("_part")

    def split(e: sp.Expr) -> sp.Expr:
        if not isinstance(e, sp.Basic) or e.is_Atom:
            return e
        args = [split(a) for a in e.args]
        if (e.is_Add or e.is_Mul) and len(args) > CHUNK:
            while len(args) > CHUNK:
                parts = []
                for i in range(0, len(args), CHUNK):
                    t = next(names)
                    out.append((t, e.func(*args[i : i + CHUNK])))
                    parts.append(t)
                args = parts
            return e.func(*args)
        return e.func(*args) if args != list(e.args) else e

    for sym, e in reps:
        out.append((sym, split(e)))
    return out, [split(e) for e in reduced]


@lru_cache(maxsize=512)
def _lambdify(exprs: tuple[sp.Expr, ...], symbols: tuple[sp.Symbol, ...], backend: str) -> Any:
    unbound = set().union(*(e.free_symbols for e in exprs)) - set(symbols)
    if unbound:  # a formula with symbolic parameters cannot become numbers
        names = tuple(sorted(s.name for s in unbound))
        raise UnboundParameterError(
            f"the formula has the symbolic parameter(s) {', '.join(names)} with no value; "
            "bind them before numerical use (Objective.bind / ModifiedEquation.bind)",
            params=names,
        )
    nodes = sum(1 for e in exprs for _ in sp.preorder_traversal(e))
    check_cost(f"compiling {len(exprs)} expressions", nodes, COMPILE_NODES_PER_SECOND, "nodes")
    # dummify: the generated code names its arguments _Dummy_<n>, never the user's
    # symbol names, so a state symbol called ``mpf``, ``exp`` or ``x0`` cannot shadow a
    # function or a temporary of the generated code (temporaries start with '_', which
    # no parsed name may).
    if backend != "mpmath":
        return sp.lambdify(symbols, list(exprs), modules=backend, cse=_chunked_cse, dummify=True)
    printer = _ConstantPrinter()
    raw = sp.lambdify(
        symbols, list(exprs), modules="mpmath", printer=printer, cse=_chunked_cse, dummify=True
    )
    return _Program(raw, tuple((name, c) for c, name in printer.constants.items()))


class _ConstantPrinter(MpmathPrinter):
    """SymPy's mpmath printer, with every non-integer rational, float, pi and e printed
    as a named constant ``_k<i>`` (recorded in ``constants``) instead of an expression
    such as ``mpf(1)/mpf(3)`` evaluated at every call."""

    def __init__(self) -> None:
        super().__init__(
            {
                "fully_qualified_modules": False,
                "inline": True,
                "allow_unknown_functions": True,
                "user_functions": {},
            }
        )
        self.constants: dict[sp.Expr, str] = {}

    def _constant(self, e: sp.Expr) -> str:
        return self.constants.setdefault(e, f"_k{len(self.constants)}")

    _print_Rational = _print_Half = _print_Float = _constant
    _print_Pi = _print_Exp1 = _constant


#: Functions of the generated code with a correctly rounded MPFR counterpart.
_MPFR_FUNCTIONS: dict[str, Any] = {
    name: getattr(gmpy2, name)
    for name in (
        "exp log sqrt sin cos tan sinh cosh tanh asin acos atan asinh acosh atanh erf"
    ).split()
}
_BUILTINS = {"abs", "max", "min", "range", "builtins"}
#: Every special value raises, so that the mpmath code can decide instead.
_TRAPS = {
    "trap_divzero": True,
    "trap_invalid": True,
    "trap_overflow": True,
    "trap_underflow": True,
    "trap_erange": True,
}


class _Special(ArithmeticError):
    """An infinity or NaN argument: evaluated by the mpmath code."""


_MPFR, _MPC = type(gmpy2.mpfr()), type(gmpy2.mpc())


def _raw_to_mpfr(raw: tuple[Any, ...]) -> Any:
    sign, man, exp, _ = raw
    if not man:
        if exp:
            raise _Special
        return gmpy2.mpfr(0)
    return gmpy2.mul_2exp(gmpy2.mpfr(-man if sign else man), exp)


def _from_mpfr(v: Any) -> mpmath.mpf:
    """An mpfr (or an integer constant) as an mpf, exactly."""
    if isinstance(v, _MPFR):
        man, exp = v.as_mantissa_exp()
        return mpmath.mpf((man, int(exp)))
    return mpmath.mpf(v)


def to_gmpy2(v: Any) -> Any:
    """An mpmath number (or an int) as a gmpy2 mpfr or mpc, exactly (in a gmpy2 context
    whose precision is no smaller than v's; a gmpy2 number as it is); ArithmeticError for
    an infinity or NaN.

    >>> with gmpy2.context(precision=100):
    ...     print(to_gmpy2(mpmath.mpc(1, -2)))
    1.0-2.0j
    """
    if isinstance(v, _MPFR | _MPC):
        return v
    if isinstance(v, mpmath.mpc):
        re, im = v._mpc_
        return gmpy2.mpc(_raw_to_mpfr(re), _raw_to_mpfr(im))
    return _raw_to_mpfr(mpmath.mpf(v)._mpf_)


def from_gmpy2(v: Any) -> Any:
    """A gmpy2 mpfr or mpc (or an int) as an mpmath mpf or mpc, exactly; an mpmath
    number as it is.

    >>> from_gmpy2(gmpy2.mpc(1, -2))
    mpc(real='1.0', imag='-2.0')
    """
    if isinstance(v, mpmath.mpf | mpmath.mpc):
        return v
    if isinstance(v, _MPC):
        return mpmath.mpc(_from_mpfr(v.real), _from_mpfr(v.imag))
    return _from_mpfr(v)


class _Program:
    """Generated mpmath code, its named constants, and the functions it runs as at each
    working precision: the mpmath function, and the MPFR function where one exists."""

    def __init__(self, raw: Any, constants: tuple[tuple[str, sp.Expr], ...]) -> None:
        self.raw = raw  # keeps the generated source in linecache (tracebacks, inspect)
        self.code = raw.__code__
        names = _global_names(self.code)
        # only the names the code uses: a copy per precision of lambdify's whole
        # namespace (every mpmath function) would cost tens of kilobytes each
        self.namespace = {k: v for k, v in raw.__globals__.items() if k in names}
        self.constants = constants
        called = names - {name for name, _ in constants} - _BUILTINS
        self.mpfr_ok = called <= set(_MPFR_FUNCTIONS)
        self._at: dict[int, tuple[Any, Any, Any]] = {}

    def at(self, prec: int) -> tuple[Any, Any, Any]:
        """(mpmath function, MPFR function or None, its gmpy2 context) at ``prec`` bits."""
        if prec not in self._at:
            with mpmath.workprec(prec):
                values = {name: _constant_value(c) for name, c in self.constants}
                slow = types.FunctionType(self.code, {**self.namespace, **values})
                fast, context = None, gmpy2.context(precision=prec, **_TRAPS)
                if self.mpfr_ok:
                    with context:
                        names = {n: to_gmpy2(v) for n, v in values.items()}
                    fast = types.FunctionType(
                        self.code,
                        {"builtins": builtins, "range": range, **_MPFR_FUNCTIONS, **names},
                    )
            self._at[prec] = (slow, fast, context)
        return self._at[prec]

    def mpfr_values(self, prec: int, args: Sequence[Any]) -> tuple[Any, ...] | None:
        """The MPFR code's values (gmpy2 numbers) at ``args`` (mpmath or gmpy2 numbers)
        at ``prec`` bits, or None where there is no MPFR code or a special value came up
        on the way (then the mpmath code decides)."""
        _, fast, context = self.at(prec)
        if fast is None:
            return None
        try:
            with context:
                return tuple(fast(*[to_gmpy2(a) for a in args]))
        except (ArithmeticError, ValueError, TypeError):
            return None


def _global_names(code: types.CodeType) -> set[str]:
    """The global names a code object and the code objects nested in it refer to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _constant_value(c: sp.Expr) -> mpmath.mpf:
    """A constant at the working precision, as the code ``mpf(p)/mpf(q)``,
    ``mpf(mpf_tuple)``, ``pi`` or ``e`` of SymPy's mpmath printer evaluates it."""
    if c.is_Rational:
        return mpmath.mpf(int(c.p)) / mpmath.mpf(int(c.q))
    if c.is_Float:
        return mpmath.mpf(tuple(map(int, c._mpf_)))
    return +(mpmath.pi if c == sp.pi else mpmath.e)


def _checked(
    exprs: Sequence[Any], symbols: Sequence[Any]
) -> tuple[tuple[sp.Expr, ...], tuple[sp.Symbol, ...]]:
    """The expressions (SymPy objects or numbers, never text: ``strict`` sympify) and the
    symbols (SymPy Symbols: their names become the generated code's arguments)."""
    try:
        out = tuple(sp.sympify(e, strict=True) for e in exprs)
    except (sp.SympifyError, TypeError):
        raise InvalidInputError("compile: the expressions must be SymPy expressions") from None
    return out, as_symbols(symbols)


def compile_mp(
    exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]
) -> Callable[[Sequence[Any]], tuple[mpmath.mpf, ...]]:
    """Compile ``exprs`` to ``F(x) -> tuple of mpf`` at the caller's working precision.

    >>> x = sp.Symbol("x")
    >>> F = compile_mp([sp.Rational(1, 3) * x], [x])
    >>> with mpmath.workdps(25):
    ...     print(F([1])[0])
    0.3333333333333333333333333
    """
    program = _lambdify(*_checked(exprs, symbols), "mpmath")
    mpf, mp = mpmath.mpf, mpmath.mp

    def evaluate(x: Sequence[Any]) -> tuple[mpmath.mpf, ...]:
        args = [mpf(xi) for xi in x]
        fast = program.mpfr_values(mp.prec, args)
        if fast is not None:
            return tuple(_from_mpfr(v) for v in fast)
        values = program.at(mp.prec)[0](*args)
        try:
            return tuple(mpf(v) for v in values)
        except TypeError:  # a complex value: the point left the expression's real domain
            raise NotRealError(
                f"the expression is not real at x = {[mpmath.nstr(v, 8) for v in x]} (a "
                "square root or logarithm of a negative number?): the point left its domain"
            ) from None

    return evaluate


def compile_mpc(
    exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """:func:`compile_mp` for complex arguments: ``F(x) -> tuple of mpf or mpc`` (the
    analytic continuation of the expressions, mpmath's principal branches).

    >>> x = sp.Symbol("x")
    >>> F = compile_mpc([x**2 + 1], [x])
    >>> F([mpmath.mpc(0, 1)])[0] == 0
    True
    """
    program = _lambdify(*_checked(exprs, symbols), "mpmath")
    convert, mp = mpmath.mpmathify, mpmath.mp

    def evaluate(x: Sequence[Any]) -> tuple[Any, ...]:
        args = [convert(xi) for xi in x]
        fast = program.mpfr_values(mp.prec, args)
        if fast is not None:
            return tuple(from_gmpy2(v) for v in fast)
        return tuple(convert(v) for v in program.at(mp.prec)[0](*args))

    return evaluate


def compile_gmpy2(
    exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """:func:`compile_mpc` on gmpy2 numbers: ``F(z) -> tuple of mpfr or mpc`` at the
    precision of the gmpy2 context in force, for code that computes in gmpy2 throughout.
    Where the code calls a function with no MPFR counterpart, or meets a special value,
    the mpmath code evaluates it at that precision (the same answer as
    :func:`compile_mpc`, converted exactly).  MPC has signed zeros and mpmath has not: an
    argument on a branch cut with imaginary part -0 takes the other side of the cut.

    >>> x = sp.Symbol("x")
    >>> F = compile_gmpy2([sp.sqrt(x) / 3], [x])
    >>> with gmpy2.context(precision=60):
    ...     print(F([gmpy2.mpc(-4, 0)])[0] == gmpy2.mpc(0, 2) / 3)
    True
    """
    program = _lambdify(*_checked(exprs, symbols), "mpmath")

    def evaluate(z: Sequence[Any]) -> tuple[Any, ...]:
        prec = gmpy2.get_context().precision
        fast = program.mpfr_values(prec, z)
        if fast is not None:
            return fast
        with mpmath.workprec(prec):
            values = program.at(prec)[0](*[from_gmpy2(v) for v in z])
            return tuple(to_gmpy2(mpmath.mpmathify(v)) for v in values)

    return evaluate


def compile_np(
    exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]
) -> Callable[[np.ndarray], np.ndarray]:
    """Compile ``exprs`` to ``F(X) -> array of shape (..., len(exprs))``, X of shape (..., n).

    >>> x, y = sp.symbols("x y")
    >>> F = compile_np([x * y, sp.Integer(2)], [x, y])
    >>> F(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[ 2.,  2.],
           [12.,  2.]])
    """
    raw = _lambdify(*_checked(exprs, symbols), "numpy")

    def evaluate(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        batch = X.shape[:-1]
        with np.errstate(all="ignore"):
            values = raw(*np.moveaxis(X, -1, 0))
        out = np.empty(batch + (len(values),), dtype=float)
        for i, v in enumerate(values):
            out[..., i] = v
        return out

    return evaluate


def compile_np_coords(
    exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]
) -> Callable[..., list[np.ndarray]]:
    """Compile ``exprs`` to ``F(c_1, ..., c_n) -> [e_1, ..., e_m]`` on coordinate arrays.

    Every output has the broadcast shape of the inputs (constants are broadcast too).
    This is the layout used by the sweeps: iterating x <- x - h grad f(x) on a tuple of
    coordinate arrays avoids the copies of an ``(N, n)`` array (several times faster).

    >>> x, y = sp.symbols("x y")
    >>> F = compile_np_coords([x * y, sp.Integer(2)], [x, y])
    >>> F(np.array([1.0, 3.0]), np.array([2.0, 4.0]))
    [array([ 2., 12.]), array([2., 2.])]
    """
    raw = _lambdify(*_checked(exprs, symbols), "numpy")

    def evaluate(*coords: np.ndarray) -> list[np.ndarray]:
        with np.errstate(all="ignore"):
            values = raw(*coords)
        shape = np.broadcast_shapes(*(np.shape(c) for c in coords))
        return [
            v if np.shape(v) == shape else np.broadcast_to(np.asarray(v, dtype=float), shape)
            for v in values
        ]

    return evaluate
