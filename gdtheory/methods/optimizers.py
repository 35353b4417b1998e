r"""One vocabulary of optimisers: GD, heavy ball, Nesterov, preconditioned GD and SGD.

Each method is a frozen object holding its hyperparameters (exact where they are
numbers); one :meth:`~Method.step` over any arithmetic (float64 arrays of many paths,
mpmath numbers, SymPy expressions) implements its update, so the float64 engine, the
high-precision reference of the test oracle and the symbolic derivations use the same
formula.  The state is (x, v) with the velocity v_k = x_k - x_{k-1} (v = 0 for
memoryless methods):

* GD:            x' = x - h g(x)
* Preconditioned: x' = x - h P g(x)                        (P constant SPD)
* HeavyBall:     v' = beta v - h g(x),        x' = x + v'   (Polyak)
* Nesterov:      v' = beta v - h g(x + beta v), x' = x + v'
* SGD:           x' = x - h (1/b) sum_{i in B} g_i(x)       (sampling "replacement",
  "reshuffle" or "cyclic"; the gradient of the minibatch B is the *mean*)

>>> HeavyBall("1/2").step(lambda x: [2 * x[0]], [1.0], [0.5], 0.1)
([1.05], [0.04999999999999999])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import mpmath
import sympy as sp

from ..core.conversion import as_real_matrix
from ..core.scalars import exact_real, to_mpf
from ..errors import InvalidInputError, UnboundParameterError

__all__ = [
    "Method",
    "GD",
    "HeavyBall",
    "Nesterov",
    "Preconditioned",
    "SGD",
    "SAMPLINGS",
    "as_method",
    "momentum_coefficient",
]

SAMPLINGS = ("replacement", "reshuffle", "cyclic")
Gradient = Callable[[Sequence[Any]], Sequence[Any]]


@lru_cache(maxsize=256)
def _float(value: sp.Expr) -> float:
    """float(value), once per hyperparameter (the float64 engine calls every step)."""
    return float(value)


def _number(value: Any, t: Any) -> Any:
    """An exact hyperparameter in the arithmetic of ``t`` (float, mpf or SymPy); a
    symbolic one has no number (UnboundParameterError naming it)."""
    if isinstance(t, sp.Basic):
        return value
    if isinstance(value, sp.Basic) and value.free_symbols:
        names = tuple(sorted(s.name for s in value.free_symbols))
        raise UnboundParameterError(
            f"the hyperparameter {value} is symbolic: a numerical run needs a number, e.g. "
            "HeavyBall('9/10') (symbolic hyperparameters are for the formulas)",
            params=names,
        )
    if isinstance(t, mpmath.mpf):
        return to_mpf(value)  # correctly rounded at the precision in force
    return _float(value)


@dataclass(frozen=True)
class Method:
    """Base of the optimisers; ``momentum`` tells whether the velocity matters."""

    momentum: ClassVar[bool] = False

    @property
    def name(self) -> str:
        return type(self).__name__

    def step(
        self, grad: Gradient, x: Sequence[Any], v: Sequence[Any], h: Any
    ) -> tuple[list[Any], list[Any]]:
        """One update (x, v) -> (x', v'), v' = x' - x."""
        g = grad(x)
        x1 = [a - h * b for a, b in zip(x, g, strict=True)]
        return x1, [a - b for a, b in zip(x1, x, strict=True)]


@dataclass(frozen=True)
class GD(Method):
    """Plain gradient descent x' = x - h grad f(x).

    >>> GD().step(lambda x: [x[0]], [2.0], [0.0], 0.5)
    ([1.0], [-1.0])
    """


def momentum_coefficient(beta: Any) -> sp.Expr:
    """beta as an exact number in (0, 1), or a Symbol (a name becomes a positive Symbol,
    kept symbolic and assumed in (0, 1)).

    >>> momentum_coefficient("9/10"), momentum_coefficient("beta").is_positive
    (9/10, True)
    """
    if isinstance(beta, sp.Symbol):
        return beta
    if isinstance(beta, str) and beta.isidentifier():
        return sp.Symbol(beta, positive=True)
    b = exact_real(beta, "beta")
    if not 0 < b < 1:
        raise InvalidInputError(f"beta must lie in (0, 1), got {b}")
    return b


@dataclass(frozen=True)
class HeavyBall(Method):
    """Polyak's heavy ball: v' = beta v - h g(x), x' = x + v'."""

    beta: Any = sp.Rational(1, 2)
    momentum: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "beta", momentum_coefficient(self.beta))

    def _at(self, x: Sequence[Any], v: Sequence[Any], b: Any) -> Sequence[Any]:
        return x

    def step(
        self, grad: Gradient, x: Sequence[Any], v: Sequence[Any], h: Any
    ) -> tuple[list[Any], list[Any]]:
        b = _number(self.beta, x[0])
        g = grad(self._at(x, v, b))
        v1 = [b * vi - h * gi for vi, gi in zip(v, g, strict=True)]
        return [xi + vi for xi, vi in zip(x, v1, strict=True)], v1


@dataclass(frozen=True)
class Nesterov(HeavyBall):
    """Nesterov's momentum: the gradient at the look-ahead point x + beta v."""

    def _at(self, x: Sequence[Any], v: Sequence[Any], b: Any) -> Sequence[Any]:
        return [xi + b * vi for xi, vi in zip(x, v, strict=True)]


@dataclass(frozen=True)
class Preconditioned(Method):
    """x' = x - h P grad f(x), P a constant symmetric positive-definite matrix."""

    P: Any = None

    def __post_init__(self) -> None:
        if self.P is None:
            raise InvalidInputError("Preconditioned needs the matrix P")
        M = as_real_matrix(self.P, "P")
        if not M.is_square:
            raise InvalidInputError(f"P must be a non-empty square matrix, got shape {M.shape}")
        if M != M.T or not M.is_positive_definite:
            raise InvalidInputError("P must be symmetric positive-definite")
        object.__setattr__(self, "P", sp.ImmutableMatrix(M))

    def step(
        self, grad: Gradient, x: Sequence[Any], v: Sequence[Any], h: Any
    ) -> tuple[list[Any], list[Any]]:
        """GD's step on the preconditioned gradient P grad f."""
        n = len(x)
        if self.P.rows != n:
            raise InvalidInputError(
                f"P is {self.P.rows} x {self.P.rows} but the state has {n} coordinates"
            )
        P = [[_number(self.P[i, j], x[0]) for j in range(n)] for i in range(n)]

        def preconditioned(y: Sequence[Any]) -> list[Any]:
            g = grad(y)
            return [sum(P[i][j] * g[j] for j in range(n)) for i in range(n)]

        return super().step(preconditioned, x, v, h)


@dataclass(frozen=True)
class SGD(Method):
    """Stochastic gradients on f = (1/m) sum f_i with minibatches of size ``batch``;
    ``grad`` of :meth:`step` is then the per-example gradient ``grad(x, i)``.
    """

    batch: int = 1
    sampling: str = "replacement"

    def __post_init__(self) -> None:
        if isinstance(self.batch, bool) or not isinstance(self.batch, int) or self.batch < 1:
            raise InvalidInputError(f"batch must be a positive integer, got {self.batch!r}")
        if self.sampling not in SAMPLINGS:
            raise InvalidInputError(f"sampling must be one of {SAMPLINGS}, got {self.sampling!r}")

    def update(self, x: Sequence[Any], grads: Sequence[Sequence[Any]], h: Any) -> list[Any]:
        """x - h (1/b) sum_j grads[j]: the step on a minibatch whose b per-example
        gradients (evaluated at x) are ``grads``."""
        if len(grads) == 0:
            raise InvalidInputError("the minibatch is empty")
        total = list(grads[0])
        for g in grads[1:]:
            total = [a + b for a, b in zip(total, g, strict=True)]
        scale = h / len(grads)
        return [a - scale * b for a, b in zip(x, total, strict=True)]


def as_method(method: Any) -> Method:
    """A :class:`Method`, or the method a name denotes ("gd", "heavy_ball", "nesterov",
    "sgd"); hyperparameters need the objects.

    >>> as_method("gd")
    GD()
    """
    if isinstance(method, Method):
        return method
    names: dict[str, Callable[[], Method]] = {
        "gd": GD,
        "heavy_ball": HeavyBall,
        "nesterov": Nesterov,
        "sgd": SGD,
    }
    if isinstance(method, str) and method in names:
        return names[method]()
    raise InvalidInputError(
        f"method must be a gdtheory.optimizers object or one of {sorted(names)}, got {method!r}"
    )
