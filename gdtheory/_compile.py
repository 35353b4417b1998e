"""The one place where SymPy expressions become fast numerical callables.

Every callable in gdtheory (objective values, gradients, Hessians, modified vector
fields) is built here, once per (expressions, symbols, backend), and cached.

* ``"mpmath"``: rationals are emitted as ``mpf(p)/mpf(q)`` and evaluated at *call*
  time, so the callable is exact to the working precision in force when it is called.
* ``"numpy"``: vectorised; constant components are broadcast to the batch shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

__all__ = ["compile_mp", "compile_np"]


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
