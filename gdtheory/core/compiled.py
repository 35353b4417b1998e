"""The one place where SymPy expressions become fast numerical callables.

Every callable in gdtheory (objective values, gradients, Hessians, modified vector
fields) is built here, once per (expressions, symbols, backend), and cached.

* ``"mpmath"``: rationals are emitted as ``mpf(p)/mpf(q)`` and evaluated at *call*
  time, so the callable is exact to the working precision in force when it is called.
* ``"numpy"``: vectorised; constant components are broadcast to the batch shape.
* ``compile_np_coords``: the same NumPy code in coordinate-major layout (one array per
  coordinate, no stacking or copying), the fast path of the float64 sweeps.

The generated code never uses the user's symbol names (arguments are dummified), so no
name a user gives a state variable can collide with a name of the generated code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..errors import InvalidInputError, NotRealError, UnboundParameterError
from .budget import check_cost
from .conversion import as_symbols

__all__ = ["compile_mp", "compile_np", "compile_np_coords"]


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
    return sp.lambdify(symbols, list(exprs), modules=backend, cse=_chunked_cse, dummify=True)


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
    raw = _lambdify(*_checked(exprs, symbols), "mpmath")
    mpf = mpmath.mpf

    def evaluate(x: Sequence[Any]) -> tuple[mpmath.mpf, ...]:
        values = raw(*[mpf(xi) for xi in x])
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
    raw = _lambdify(*_checked(exprs, symbols), "mpmath")
    convert = mpmath.mpmathify

    def evaluate(x: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(convert(v) for v in raw(*[convert(xi) for xi in x]))

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
