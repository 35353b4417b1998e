r"""The modified equation of any method of the registry, by the theory that applies to it.

:func:`method_modified_equation` reads the method's own update formula
(:meth:`gdtheory.optimizers.Method.update`), so a method defined outside gdtheory needs
no edit here:

* a **memoryless** method (no fast state): backward error analysis of its map
  Phi_h(x) = update(x), evaluated symbolically (:func:`~.modified.modified_equation`),
  with the gradient structure of the method's ``metric`` when it declares one
  (Preconditioned(P): modified loss f + (h/4) grad f^T P grad f + ...);
* a method with **fast state** (heavy ball, Nesterov, a user's averaged gradient): the
  slow-manifold engine (:mod:`.slow_manifold`), then backward error analysis of the
  induced one-step map;
* a method with a **registered theory** (:func:`register_theory`, keyed by the exact
  class): GD (the B-series path of :func:`~.modified.modified_equation`, faster than the
  generic map), SGD (with replacement: the stochastic modified equation of order 1 or 2,
  :mod:`.sme`; "reshuffle" and "cyclic": the expected epoch, :mod:`.sgd`; in both h is
  the step eta).  A stochastic method without a registered theory is refused: its sampling
  scheme decides what its modified equation means.

>>> from gdtheory.optimizers import Preconditioned
>>> me = method_modified_equation(Preconditioned([[2, 0], [0, 1]]), "x**2/2 + y**2/2", 1)
>>> me.potential(1)          # f + (h/4) grad f^T P grad f = f + h (2 x^2 + y^2)/4
h*(x**2/2 + y**2/4) + x**2/2 + y**2/2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from ..core.objective import Objective, as_objective, h
from ..core.scalars import exact_floats
from ..errors import InvalidInputError
from ..methods.optimizers import GD, SGD, Method, as_method
from .modified import ModifiedEquation, modified_equation
from .sgd import sgd_modified_equation
from .slow_manifold import method_parameters, slow_manifold_equation
from .sme import stochastic_modified_equation

__all__ = [
    "method_modified_equation",
    "map_modified_equation",
    "register_theory",
    "THEORIES",
]

#: Theories registered for a method class (exact type: a subclass that changes the
#: update formula does not inherit its parent's theory).
THEORIES: dict[type[Method], Callable[[Any, Any, int], Any]] = {}


def register_theory(
    cls: type[Method],
) -> Callable[[Callable[[Any, Any, int], Any]], Callable[[Any, Any, int], Any]]:
    """Register ``theory(method, objective, order)`` as the modified equation of the
    methods of class ``cls`` (a decorator)."""

    def decorate(fn: Callable[[Any, Any, int], Any]) -> Callable[[Any, Any, int], Any]:
        THEORIES[cls] = fn
        return fn

    return decorate


def _one(meth: Method, objective: Any) -> Objective:
    if isinstance(objective, Sequence) and not isinstance(objective, str):
        raise InvalidInputError(f"{meth.name} takes one objective, not a list")
    return as_objective(objective)


def method_modified_equation(
    method: Method | str, objective: Objective | str | Sequence[Objective | str], order: int
) -> Any:
    """The modified equation of ``method`` on ``objective`` (the list of f_i for SGD) to
    h^order; the result type is that of the theory used (module docstring):
    :class:`~.modified.ModifiedEquation`, :class:`~.slow_manifold.SlowManifoldEquation`,
    or SGD's equations."""
    meth = as_method(method)
    theory = THEORIES.get(type(meth))
    if theory is not None:
        return theory(meth, objective, order)
    if meth.stochastic:
        raise InvalidInputError(
            f"{meth.name} samples its gradients: register the modified equation of its "
            "sampling scheme with gdtheory.backward_error.methods.register_theory"
        )
    f = _one(meth, objective)
    if meth.state:
        return slow_manifold_equation(meth, f, order)
    return map_modified_equation(meth, f, order)


def map_modified_equation(
    method: Method, objective: Objective | str, order: int
) -> ModifiedEquation:
    """Backward error analysis of a memoryless method's map Phi_h(x) = update(x),
    evaluated on SymPy symbols (floats in the formula enter with their exact binary
    value); the method's ``metric`` attribute, when it has one, gives the gradient
    structure.

    >>> from gdtheory.optimizers import GD
    >>> map_modified_equation(GD(), "x**2/2", 2).fields[2]
    Matrix([[-x/3]])
    """
    meth = as_method(method)
    if meth.state:
        raise InvalidInputError(f"{meth.name} has fast state: use slow_manifold_equation")
    f = as_objective(objective)
    xs = list(f.symbols)

    def grad(y: Sequence[Any]) -> list[sp.Expr]:
        at = dict(zip(xs, y, strict=True))
        return [g.xreplace(at) for g in f.grad]

    step, _ = meth.check_output(meth.update(grad, xs, (), h), len(xs))
    exact = [exact_floats(sp.sympify(e, strict=True)) for e in step]
    extra = [p for p in method_parameters(meth) if p not in f.params]
    return modified_equation(
        exact,
        order,
        symbols=xs,
        params=[*f.params, *extra],
        metric=getattr(meth, "metric", None),
    )


@register_theory(GD)
def _gd(meth: GD, objective: Any, order: int) -> ModifiedEquation:
    return modified_equation(_one(meth, objective), order)


@register_theory(SGD)
def _sgd(meth: SGD, objective: Any, order: int) -> Any:
    if meth.sampling == "replacement":
        return stochastic_modified_equation(objective, order, batch=meth.batch)
    if meth.batch != 1:
        raise InvalidInputError(
            "the epoch modified equation is implemented for batch 1 (one f_i per step)"
        )
    return sgd_modified_equation(objective, order, sampling=meth.sampling)
