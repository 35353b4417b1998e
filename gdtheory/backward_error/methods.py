r"""The modified equation of any :mod:`gdtheory.optimizers` method, by the theory that
applies to it:

* GD: backward error analysis of x - h grad f (:func:`~.modified.modified_equation`);
* Preconditioned(P): the same for x - h P grad f, with the gradient structure of the
  metric P (modified loss f + (h/4) grad f^T P grad f + ...);
* HeavyBall, Nesterov: the flow on the slow manifold (:mod:`.momentum`);
* SGD with sampling "reshuffle" or "cyclic": the expected epoch (:mod:`.sgd`), h the
  epoch duration;
* SGD with replacement: the stochastic modified equation of order 1 or 2 (:mod:`.sme`).

>>> from gdtheory.optimizers import Preconditioned
>>> me = method_modified_equation(Preconditioned([[2, 0], [0, 1]]), "x**2/2 + y**2/2", 1)
>>> me.potential(1)          # f + (h/4) grad f^T P grad f = f + h (2 x^2 + y^2)/4
h*(x**2/2 + y**2/4) + x**2/2 + y**2/2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..core.objective import Objective, as_objective, h
from ..errors import InvalidInputError
from ..methods.optimizers import GD, SGD, HeavyBall, Method, Nesterov, Preconditioned, as_method
from .modified import modified_equation
from .momentum import momentum_modified_equation
from .sgd import sgd_modified_equation
from .sme import stochastic_modified_equation

__all__ = ["method_modified_equation"]


def method_modified_equation(
    method: Method | str, objective: Objective | str | Sequence[Objective | str], order: int
) -> Any:
    """The modified equation of ``method`` on ``objective`` (the list of f_i for SGD) to
    h^order; the result type is that of the theory used (see the module docstring)."""
    meth = as_method(method)
    if isinstance(meth, SGD):
        if meth.sampling == "replacement":
            return stochastic_modified_equation(objective, order, batch=meth.batch)  # type: ignore[arg-type]
        if meth.batch != 1:
            raise InvalidInputError(
                "the epoch modified equation is implemented for batch 1 (one f_i per step)"
            )
        return sgd_modified_equation(objective, order, scheme=meth.sampling)  # type: ignore[arg-type]
    if isinstance(objective, Sequence) and not isinstance(objective, str):
        raise InvalidInputError(f"{meth.name} takes one objective, not a list")
    f = as_objective(objective)
    if isinstance(meth, HeavyBall):
        kind = "nesterov" if isinstance(meth, Nesterov) else "heavy_ball"
        return momentum_modified_equation(f, order, meth.beta, kind)
    if isinstance(meth, Preconditioned):
        if meth.P.rows != f.dim:
            raise InvalidInputError(f"P is {meth.P.rows} x {meth.P.rows}, f has {f.dim} variables")
        step = sp.Matrix(f.symbols) - h * meth.P * sp.Matrix(f.grad)
        return modified_equation(
            list(step), order, symbols=list(f.symbols), params=list(f.params), metric=meth.P
        )
    assert isinstance(meth, GD)
    return modified_equation(f, order)
