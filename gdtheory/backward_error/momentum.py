r"""Heavy ball and Nesterov: their modified equation on the slow manifold.

Heavy ball and Nesterov with a fixed beta in (0, 1) are two-step recurrences,

    x_{k+1} = x_k + beta m_k - h g(x_k + c beta m_k),    m_k = x_k - x_{k-1},

with c = 0 (heavy ball, Polyak 1964) or c = 1 (Nesterov: y_k = x_k + beta m_k,
x_{k+1} = y_k - h g(y_k)).  Their map on (x, m) is not near the identity (m is damped by
beta per step), so backward error analysis applies to the *underlying one-step method*
(Hairer, Lubich and Wanner, *Geometric Numerical Integration*, 2006, XV.2; Kovachki and
Stuart, JMLR 22, 2021): there is a formal series Phi_h(x) = x + sum_{j>=1} h^j d_j(x) such
that the sequences with x_{k+1} = Phi_h(x_k) solve the recurrence; they fill the slow
manifold m = x - Phi_h^{-1}(x) that attracts every other solution like beta^k.  The
modified equation of Phi_h is the modified equation of the momentum method, in the time
t = kh (the 1/(1 - beta) factor is in F_0 = -g/(1 - beta)).

:func:`momentum_modified_equation` is the shorthand of
:func:`~.slow_manifold.slow_manifold_equation` for :class:`~gdtheory.optimizers.HeavyBall`
and :class:`~gdtheory.optimizers.Nesterov`: the generic engine, run on the methods' own
update formulas, reproduces the fields of the classical recursion
(1 - beta) d_j = -[h^{j-1}] g(y + (1 + c beta) v) - [h^j] sum_{i<j} h^i (d_i(y + v) -
d_i(y)) exactly.

First order:  F_0 + h F_1 = -(1/(1 - beta)) grad(f + h (1 + beta) |grad f|^2 /
(4 (1 - beta)^2)) for heavy ball: the implicit regulariser of GD at the effective learning
rate h/(1 - beta), h |grad f|^2/(4 (1 - beta)), multiplied by (1 + beta)/(1 - beta), as
Ghosh, Lyu, Zhang and Wang (ICLR 2023) state.
"""

from __future__ import annotations

from typing import Any

import sympy as sp  # noqa: F401  (the doctest)

from ..core.objective import Objective
from ..errors import InvalidInputError
from ..methods.optimizers import HeavyBall, Nesterov
from .slow_manifold import SlowManifoldEquation, slow_manifold_equation

__all__ = ["MomentumModifiedEquation", "momentum_modified_equation"]

#: The modified equation of heavy ball / Nesterov is that of the slow-manifold engine.
MomentumModifiedEquation = SlowManifoldEquation

METHODS = {"heavy_ball": HeavyBall, "nesterov": Nesterov}


def momentum_modified_equation(
    objective: Objective | str,
    order: int,
    beta: Any,
    *,
    method: str = "heavy_ball",
    manifold_order: int | None = None,
) -> SlowManifoldEquation:
    r"""The modified equation of heavy ball or Nesterov on its slow manifold, to h^order.

    ``beta``: a number in (0, 1) (exact: ``"9/10"``, ``Fraction``) or a name/Symbol
    kept symbolic (assumed 0 < beta < 1).  ``manifold_order``: how many increments of
    the one-step map to derive (default order + 1, the minimum).

    >>> mm = momentum_modified_equation("x**2/2", 1, "beta")
    >>> [sp.factor(F[0]) for F in mm.fields]
    [x/(beta - 1), x*(beta + 1)/(2*(beta - 1)**3)]
    """
    if method not in METHODS:
        raise InvalidInputError(f"method must be 'heavy_ball' or 'nesterov', got {method!r}")
    return slow_manifold_equation(
        METHODS[method](beta), objective, order, manifold_order=manifold_order
    )
