r"""The built-in optimisers on the registry: GD, heavy ball, Nesterov, preconditioned GD, SGD
(and the adaptive methods RMSProp, Adam and AdamW of :mod:`.adaptive`).

Each is a frozen dataclass holding its hyperparameters (exact where they are numbers)
with one :meth:`~gdtheory.methods.registry.Method.update` over any arithmetic (float64
arrays of many paths, mpmath numbers, SymPy expressions, truncated series), so that the
float64 runner, the high-precision reference of the oracle and the symbolic theory use
the same formula:

* GD:             x' = x - h g(x)
* Preconditioned: x' = x - h P g(x)                        (P constant SPD)
* HeavyBall:      v' = beta v - h g(x),          x' = x + v'   (Polyak; v the velocity)
* Nesterov:       v' = beta v - h g(x + beta v), x' = x + v'
* SGD:            x' = x - h (1/b) sum_{i in B} g_i(x)       (sampling "replacement",
  "reshuffle" or "cyclic"; the runner draws the minibatch B and hands the update its
  *mean* gradient)

>>> HeavyBall("1/2").update(lambda x: [2 * x[0]], [1.0], ([0.5],), 0.1)
([1.05], ([0.04999999999999999],))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..core.conversion import as_real_matrix
from ..core.gdmap import descend
from ..core.scalars import float_or_exact
from ..errors import InvalidInputError
from .adaptive import Adam, AdamW, FrozenPreconditioner, RMSProp, adaptive_coefficient
from .registry import REGISTRY, Gradient, Method, as_method, method_from_settings

__all__ = [
    "Method",
    "REGISTRY",
    "GD",
    "HeavyBall",
    "Nesterov",
    "Preconditioned",
    "SGD",
    "RMSProp",
    "Adam",
    "AdamW",
    "FrozenPreconditioner",
    "adaptive_coefficient",
    "SAMPLINGS",
    "as_method",
    "method_from_settings",
    "momentum_coefficient",
]

SAMPLINGS = ("replacement", "reshuffle", "cyclic")


@dataclass(frozen=True)
class GD(Method):
    """Plain gradient descent x' = x - h grad f(x).

    >>> GD().update(lambda x: [x[0]], [2.0], (), 0.5)
    ([1.0], ())
    """

    key = "gd"
    coordinatewise = True

    def update(
        self, grad: Gradient, x: Sequence[Any], state: Sequence[Any], h: Any
    ) -> tuple[list[Any], tuple[list[Any], ...]]:
        return descend(x, grad(x), h), ()  # Phi_h(x) = x - h grad f(x)

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """2/h: the multiplier 1 - h lambda reaches -1 (Cohen et al., ICLR 2021)."""
        return 2 / h


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
    b = float_or_exact(beta, "beta")
    if not 0 < b < 1:
        raise InvalidInputError(f"beta must lie in (0, 1), got {b}")
    return b


@dataclass(frozen=True)
class HeavyBall(Method):
    """Polyak's heavy ball: v' = beta v - h g(x), x' = x + v' (v = x_k - x_{k-1})."""

    beta: Any = None
    key = "heavy_ball"
    state = ("v",)
    requires = ("beta",)
    example = {"beta": "9/10"}
    coordinatewise = True

    def __post_init__(self) -> None:
        if self.beta is None:
            raise InvalidInputError(f"{self.name} needs its momentum beta, e.g. beta='9/10'")
        object.__setattr__(self, "beta", momentum_coefficient(self.beta))

    def _at(self, x: Sequence[Any], v: Sequence[Any], b: Any) -> Sequence[Any]:
        """Where the gradient is taken: x (heavy ball)."""
        return x

    def update(
        self, grad: Gradient, x: Sequence[Any], state: Sequence[Sequence[Any]], h: Any
    ) -> tuple[list[Any], tuple[list[Any], ...]]:
        (v,) = state
        b = self.num(self.beta, x[0])
        g = grad(self._at(x, v, b))
        v1 = [b * vi - h * gi for vi, gi in zip(v, g, strict=True)]
        return [xi + vi for xi, vi in zip(x, v1, strict=True)], (v1,)

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """(2 + 2 beta)/h: on lambda x^2/2 the multipliers solve r^2 - (1 + beta - z) r +
        beta = 0, z = h lambda, and r = -1 at z = 2 + 2 beta."""
        return (2 + 2 * self.beta) / h


@dataclass(frozen=True)
class Nesterov(HeavyBall):
    """Nesterov's momentum: the gradient at the look-ahead point x + beta v."""

    key = "nesterov"

    def _at(self, x: Sequence[Any], v: Sequence[Any], b: Any) -> Sequence[Any]:
        return [xi + b * vi for xi, vi in zip(x, v, strict=True)]

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """(2 + 2 beta)/((1 + 2 beta) h): the multipliers solve r^2 - (1 - z)(1 + beta) r +
        beta (1 - z) = 0, z = h lambda, and r = -1 at z = (2 + 2 beta)/(1 + 2 beta)."""
        return (2 + 2 * self.beta) / ((1 + 2 * self.beta) * h)


@dataclass(frozen=True)
class Preconditioned(Method):
    """x' = x - h P grad f(x), P a constant symmetric positive-definite matrix."""

    P: Any = None
    key = "preconditioned"
    requires = ("P",)
    example = {"P": "2, 1; 1, 1"}

    def __post_init__(self) -> None:
        if self.P is None:
            raise InvalidInputError("Preconditioned needs the matrix P")
        M = as_real_matrix(self.P, "P")
        if not M.is_square:
            raise InvalidInputError(f"P must be a non-empty square matrix, got shape {M.shape}")
        if M != M.T or not M.is_positive_definite:
            raise InvalidInputError("P must be symmetric positive-definite")
        object.__setattr__(self, "P", sp.ImmutableMatrix(M))

    def update(
        self, grad: Gradient, x: Sequence[Any], state: Sequence[Any], h: Any
    ) -> tuple[list[Any], tuple[list[Any], ...]]:
        """GD's step on the preconditioned gradient P grad f."""
        n = len(x)
        if self.P.rows != n:
            raise InvalidInputError(
                f"P is {self.P.rows} x {self.P.rows} but the state has {n} coordinates"
            )
        P = [[self.num(self.P[i, j], x[0]) for j in range(n)] for i in range(n)]
        g = grad(x)
        pg = [sum(P[i][j] * g[j] for j in range(n)) for i in range(n)]
        return descend(x, pg, h), ()

    @property
    def metric(self) -> sp.ImmutableMatrix:
        """The metric of the gradient structure of its modified equation (P)."""
        return self.P

    def inverse_preconditioner(self, state: Sequence[Sequence[Any]]) -> Any:
        """P itself, as a float64 matrix: the step x - h P g is x - h (P^-1)^-1 g in
        Cohen et al.'s convention, so the preconditioned sharpness is lambda_max(P H)."""
        return np.array(self.P.tolist(), dtype=float)

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """2/h, for the curvature lambda of P H (GD on the preconditioned problem)."""
        return 2 / h


@dataclass(frozen=True)
class SGD(Method):
    """Stochastic gradients on f = (1/m) sum f_i with minibatches of size ``batch``: the
    runner draws the minibatch by ``sampling`` and :meth:`update` takes its *mean*
    gradient (GD's formula on it); :meth:`minibatch` is the same on the list of the
    per-example gradients."""

    batch: int = 1
    sampling: str = "replacement"
    key = "sgd"
    stochastic = True

    def __post_init__(self) -> None:
        if isinstance(self.batch, bool) or not isinstance(self.batch, int) or self.batch < 1:
            raise InvalidInputError(f"batch must be a positive integer, got {self.batch!r}")
        if not isinstance(self.sampling, str) or self.sampling not in SAMPLINGS:
            raise InvalidInputError(f"sampling must be one of {SAMPLINGS}, got {self.sampling!r}")

    def update(
        self, grad: Gradient, x: Sequence[Any], state: Sequence[Any], h: Any
    ) -> tuple[list[Any], tuple[list[Any], ...]]:
        return descend(x, grad(x), h), ()  # GD's step on the sampled mean gradient

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """2/h: GD's threshold (the full-batch map; sampling adds noise, not a multiplier)."""
        return 2 / h

    def minibatch(self, x: Sequence[Any], grads: Sequence[Sequence[Any]], h: Any) -> list[Any]:
        """:meth:`update` on the mean of the b per-example gradients ``grads`` (evaluated
        at x): x - h (1/b) sum_j grads[j]."""
        if len(grads) == 0:
            raise InvalidInputError("the minibatch is empty")
        total = list(grads[0])
        for g in grads[1:]:
            total = [a + b for a, b in zip(total, g, strict=True)]
        mean = [t / len(grads) for t in total]
        return self.update(lambda _: mean, x, (), h)[0]
