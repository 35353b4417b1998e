r"""Stochastic modified equations (SME) of SGD with replacement (Li, Tai and E 2019).

For f = (1/m) sum_i f_i, SGD with replacement and batch size b is

    x_{k+1} = x_k - eta (1/b) sum_{j=1..b} grad f_{i_j}(x_k),   i_j i.i.d. uniform on 1..m,

whose step has mean -eta grad f and covariance eta^2 Sigma(x)/b, with the per-sample
gradient covariance Sigma(x) = (1/m) sum_i (g_i - g)(g_i - g)^T, g_i = grad f_i, g =
grad f.  Li, Tai and E, "Stochastic modified equations and dynamics of stochastic
gradient algorithms I: mathematical foundations", JMLR 20 (2019), Theorem 3, give the
weak approximations in the time t = k eta:

    order 1:  dX = -grad f(X) dt + sqrt(eta Sigma(X)/b) dW,
    order 2:  dX = -grad(f + (eta/4)|grad f|^2)(X) dt + sqrt(eta Sigma(X)/b) dW,

i.e. |E phi(x_k) - E phi(X_{k eta})| = O(eta^order) on bounded time.  The drift of the
order-2 SME is the first-order modified equation of GD; the noise does not correct the
drift at this order (checked here: the first two moments of one SGD step and of the
SME over time eta agree to O(eta^3), :mod:`tests.backward_error.test_sme`).

The diffusion is written without a matrix square root: sigma(x) = sqrt(eta/(b m))
[g_1 - g, ..., g_m - g] is n x m with sigma sigma^T = eta Sigma / b, driven by an
m-dimensional Wiener process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..core.finite_sums import finite_sum
from ..core.objective import Objective, h
from ..errors import InvalidInputError
from .codegen import tex

__all__ = ["as_sme", "StochasticModifiedEquation", "stochastic_modified_equation", "MAX_BATCH"]

#: Largest batch size accepted (the SME's diffusion is O(sqrt(eta / b))).
MAX_BATCH = 10**9


@dataclass(frozen=True)
class StochasticModifiedEquation:
    """dX = drift(X) dt + diffusion(X) dW (Ito), an m-dimensional W, in the time
    t = steps * eta; the learning rate eta is the symbol ``h``.

    Attributes
    ----------
    objectives : the f_i
    symbols : state symbols
    order : 1 or 2 (weak order of the approximation of SGD)
    batch : b
    potential : f (order 1) or f + (h/4)|grad f|^2 (order 2); drift = -grad potential
    drift : n expressions in the state and h
    diffusion : n x m matrix sigma (rows: coordinates), sigma sigma^T = h Sigma / b
    covariance : Sigma(x), the n x n per-sample gradient covariance
    """

    objectives: tuple[Objective, ...]
    symbols: tuple[sp.Symbol, ...]
    order: int
    batch: int
    potential: sp.Expr
    drift: tuple[sp.Expr, ...]
    diffusion: tuple[tuple[sp.Expr, ...], ...]
    covariance: tuple[tuple[sp.Expr, ...], ...]

    @property
    def dim(self) -> int:
        return len(self.symbols)

    @property
    def noise_dim(self) -> int:
        return len(self.objectives)

    @property
    def name(self) -> str:
        fs = ", ".join(o.name for o in self.objectives)
        return f"order-{self.order} SME of SGD (batch {self.batch}) on f_i = {fs}"

    def __str__(self) -> str:
        sig = "Sigma(x) = " + str(sp.Matrix(self.covariance).tolist())
        return (
            f"{self.name}\n  dX = -grad({self.potential}) dt + sqrt(h Sigma(X)/{self.batch}) dW"
            f"\n  {sig}"
        )

    def latex(self) -> str:
        r"""The SME as a LaTeX display: drift, diffusion and Sigma.

        >>> tex = stochastic_modified_equation(["(x-1)**2/2", "(x+1)**2/2"]).latex()
        >>> print(tex[tex.index("dt"):tex.index(r"\quad")])
        dt + \sqrt{\frac{h\,\Sigma(X)}{1}}\,dW,
        """
        return (
            rf"dX = -\nabla\left({tex(self.potential)}\right) dt + "
            rf"\sqrt{{\frac{{h\,\Sigma(X)}}{{{self.batch}}}}}\,dW,\quad "
            rf"\Sigma(x) = {tex(sp.Matrix(self.covariance))}"
        )

    def _repr_latex_(self) -> str:
        """The display notebooks show (:meth:`latex`)."""
        return f"$${self.latex()}$$"


def stochastic_modified_equation(
    objectives: Sequence[Objective | str], order: int = 1, *, batch: int = 1
) -> StochasticModifiedEquation:
    r"""The order-1 or order-2 SME of SGD with replacement on f = (1/m) sum f_i, batch b.

    >>> sme = stochastic_modified_equation(["(x-1)**2/2", "3*(x+1)**2/2"], 2)
    >>> sme.potential
    h*(2*x + 1)**2/4 + (x - 1)**2/4 + 3*(x + 1)**2/4
    >>> sp.factor(sme.covariance[0][0])
    (x + 2)**2
    """
    if isinstance(order, bool) or order not in (1, 2):
        raise InvalidInputError(f"order must be 1 or 2 (Li, Tai and E 2019), got {order!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH:
        raise InvalidInputError(f"batch must be an integer in 1..{MAX_BATCH}, got {batch!r}")
    objs = finite_sum(objectives)
    syms = objs[0].symbols
    m = len(objs)
    grads = [sp.Matrix(o.grad) for o in objs]
    g = sum(grads, sp.zeros(len(syms), 1)) / m
    f = sum((o.expr for o in objs), sp.Integer(0)) / m
    potential = f + (h / 4) * sum(gi**2 for gi in g) if order == 2 else f
    drift = tuple(sp.expand(-sp.diff(potential, s)) for s in syms)
    dev = [gi - g for gi in grads]
    scale = sp.sqrt(h / (batch * m))
    diffusion = tuple(tuple(scale * sp.expand(d[i]) for d in dev) for i in range(len(syms)))
    cov = sum((d * d.T for d in dev), sp.zeros(len(syms), len(syms))) / m
    covariance = tuple(tuple(sp.expand(c) for c in row) for row in cov.tolist())
    return StochasticModifiedEquation(
        tuple(objs), tuple(syms), order, batch, potential, drift, diffusion, covariance
    )


def as_sme(sme: Any) -> StochasticModifiedEquation:
    """``sme`` if it is a :class:`StochasticModifiedEquation`, else an error naming its type."""
    if not isinstance(sme, StochasticModifiedEquation):
        raise InvalidInputError(f"expected a StochasticModifiedEquation, got {type(sme).__name__}")
    return sme
