"""The one place where SymPy expressions become fast numerical callables.

Every callable in gdtheory (objective values, gradients, Hessians, modified vector
fields) is built here, once per (expressions, symbols, backend), and cached.

* ``"mpmath"``: rationals are emitted as ``mpf(p)/mpf(q)`` and evaluated at *call*
  time, so the callable is exact to the working precision in force when it is called.
* ``"numpy"``: vectorised; constant components are broadcast to the batch shape.
* ``compile_np_coords``: the same NumPy code in coordinate-major layout (one array per
  coordinate, no stacking or copying), the fast path of the float64 sweeps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

__all__ = ["compile_mp", "compile_np", "compile_np_coords"]


@lru_cache(maxsize=512)
def _lambdify(exprs: tuple[sp.Expr, ...], symbols: tuple[sp.Symbol, ...], backend: str) -> Any:
    return sp.lambdify(symbols, list(exprs), modules=backend, cse=True)


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
    raw = _lambdify(tuple(sp.sympify(e) for e in exprs), tuple(symbols), "mpmath")
    mpf = mpmath.mpf

    def evaluate(x: Sequence[Any]) -> tuple[mpmath.mpf, ...]:
        return tuple(mpf(v) for v in raw(*[mpf(xi) for xi in x]))

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
    raw = _lambdify(tuple(sp.sympify(e) for e in exprs), tuple(symbols), "numpy")

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
    raw = _lambdify(tuple(sp.sympify(e) for e in exprs), tuple(symbols), "numpy")

    def evaluate(*coords: np.ndarray) -> list[np.ndarray]:
        with np.errstate(all="ignore"):
            values = raw(*coords)
        shape = np.broadcast_shapes(*(np.shape(c) for c in coords))
        return [
            v if np.shape(v) == shape else np.broadcast_to(np.asarray(v, dtype=float), shape)
            for v in values
        ]

    return evaluate
