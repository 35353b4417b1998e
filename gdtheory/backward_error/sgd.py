r"""Stochastic gradients without replacement: the modified equation of the expected epoch.

For f = (1/m) sum_i f_i, one epoch of SGD with learning rate eta takes m steps
x <- x - eta grad f_{s(i)}(x), i = 1..m, in the order s: a fixed order (``"cyclic"``)
or a uniformly random permutation drawn afresh each epoch (``"reshuffle"``, random
reshuffling).  The epoch map Phi(x) (its expectation over s for reshuffling) is a
one-step map analytic in eta; with the epoch duration H = m eta as its time step it is
x - H grad f + O(H^2), and :func:`~gdtheory.modified_equation` gives the flow that
tracks the *mean* iterate over epochs, in the time t = (number of steps) * eta.

One meaning of h across the package: :func:`sgd_modified_equation` returns the fields in
powers of the *step* h = eta, as :func:`~gdtheory.stochastic_modified_equation` and every
method of the registry do (the coefficient of h^k is m^k times the epoch's); the epoch
form, in powers of H = m eta, is :meth:`EpochModifiedEquation.per_epoch`.

First order (derived here from the H^2 term of the expected epoch,
E sum_{i<j} H_{s_j} g_{s_i} = (m^2 H g - sum_a H_a g_a)/2):

    F_0 + H F_1 = -grad(f + (H / (4 m^2)) sum_a |grad f_a|^2),

i.e. f + (h/(4m)) sum_a |grad f_a|^2 in the step h = eta: the implicit regulariser of
random shuffling of
Smith, Dherin, Barrett and De, "On the origin of implicit regularization in stochastic
gradient descent", ICLR 2021 (their C + (eta/4m) sum_k |grad C_k|^2).  The cyclic order
has an extra, order-dependent term (1/(2m^2)) sum_{i<j} [H_j g_i - H_i g_j], not a
gradient in general.

The epoch map is computed exactly: for polynomial f_i with rational coefficients, each
step is composed in FLINT's multivariate polynomials and truncated at the power of h
needed, and the expectation is the exact average over all m! orders.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

import sympy as sp

from ..core.budget import Meter
from ..core.finite_sums import finite_sum
from ..core.objective import Objective
from ..errors import InvalidInputError
from .modified import ModifiedEquation, modified_equation
from .truncated import TruncatedPolynomials

__all__ = [
    "epoch_map",
    "sgd_modified_equation",
    "EpochModifiedEquation",
    "SAMPLINGS",
    "MAX_PERMUTATIONS",
]

SAMPLINGS = ("reshuffle", "cyclic")
#: Largest number of orders averaged exactly (m! for reshuffling).
MAX_PERMUTATIONS = 5040


def epoch_map(
    objectives: Sequence[Objective | str], order: int, sampling: str = "reshuffle"
) -> list[sp.Expr]:
    """The (expected) epoch map x -> Phi_h(x), h = m * eta the epoch duration, exact to
    h^order (powers above dropped).

    >>> [sp.factor(e) for e in epoch_map(["x**2/2", "3*x**2/2"], 2)]
    [x*(h - 2)*(3*h - 2)/4]
    """
    return _epoch(finite_sum(objectives, polynomial=True), order, sampling)


def _epoch(objs: list[Objective], order: int, sampling: str) -> list[sp.Expr]:
    """:func:`epoch_map` for validated f_i (compositions truncated as they are made)."""
    if sampling not in SAMPLINGS:
        raise InvalidInputError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 30:
        raise InvalidInputError(f"order must be an integer in 1..30, got {order!r}")
    m = len(objs)
    if sampling == "reshuffle" and math.factorial(m) > MAX_PERMUTATIONS:
        raise InvalidInputError(
            f"the exact average over {m}! orders is refused above {MAX_PERMUTATIONS} orders"
        )
    syms = list(objs[0].symbols)
    T = TruncatedPolynomials(syms, _params(objs), order)
    grads = [[T.convert(g) for g in o.grad] for o in objs]
    eta = T.h * T.rational(Fraction(1, m))  # the learning rate, h/m
    orders = itertools.permutations(range(m)) if sampling == "reshuffle" else [tuple(range(m))]
    total = [T.ctx.from_dict({}) for _ in syms]
    count = 0
    meter = Meter(
        f"the {sampling} epoch map of {m} f_i to order {order}",
        math.factorial(m) if sampling == "reshuffle" else 1,
        "orders",
    )
    for s in orders:
        meter.tick(count)
        x = list(T.x)
        for i in s:
            gx = [T.at(g, x) for g in grads[i]]
            x = [T.cut(xc - eta * gc) for xc, gc in zip(x, gx, strict=True)]
        total = [t + xc for t, xc in zip(total, x, strict=True)]
        count += 1
    return [T.to_sympy(t * T.rational(Fraction(1, count))) for t in total]


def _params(objs: list[Objective]) -> list[sp.Symbol]:
    return sorted({p for o in objs for p in o.params}, key=lambda s: s.name)


@dataclass(frozen=True)
class EpochModifiedEquation(ModifiedEquation):
    """The modified equation of the expected SGD epoch in powers of the step h = eta
    (``fields[k]`` multiplies h^k); ``steps_per_epoch`` is m, and :meth:`per_epoch` gives
    the same flow in powers of the epoch duration H = m eta."""

    steps_per_epoch: int = 1

    def per_epoch(self) -> ModifiedEquation:
        """The fields in powers of H = m h (the epoch map's own step): F_k / m^k."""
        m = self.steps_per_epoch
        return _rescaled(self, sp.Rational(1, m), f"the expected epoch, H = {m} eta")

    def bind(self, values: Any = None, /, **kwargs: Any) -> EpochModifiedEquation:
        """:meth:`ModifiedEquation.bind`, in the step h = eta."""
        epoch = self.per_epoch().bind(values, **kwargs)
        return _in_steps(epoch, self.steps_per_epoch, self.description)


def _rescaled(me: ModifiedEquation, c: Any, description: str, **extra: Any) -> ModifiedEquation:
    """``me`` with the coefficient of h^k multiplied by c^k (h -> c h): a ModifiedEquation,
    or with ``steps_per_epoch`` given an EpochModifiedEquation."""
    values = {f.name: getattr(me, f.name) for f in dataclasses.fields(ModifiedEquation)}
    values["fields"] = tuple(sp.ImmutableMatrix(F * c**k) for k, F in enumerate(me.fields))
    values["obstructions"] = tuple(
        None if A is None else sp.ImmutableMatrix(A * c**k) for k, A in enumerate(me.obstructions)
    )
    values["description"] = description
    cache: dict[str, Any] = {k: me._cache[k] for k in ("target", "ring") if k in me._cache}
    if "ring_fields" in me._cache:  # the ring's P^-1 F_k, rescaled as the fields
        ring = me._cache["ring"]
        cache["ring_fields"] = [
            [ring.convert(c**k) * e for e in Gk] for k, Gk in enumerate(me._cache["ring_fields"])
        ]
    values["_cache"] = cache
    cls = EpochModifiedEquation if extra else ModifiedEquation
    return cls(**values, **extra)


def _in_steps(epoch: ModifiedEquation, m: int, description: str) -> EpochModifiedEquation:
    """The epoch equation (powers of H = m eta) in powers of the step eta."""
    return cast(
        EpochModifiedEquation, _rescaled(epoch, sp.Integer(m), description, steps_per_epoch=m)
    )


def sgd_modified_equation(
    objectives: Sequence[Objective | str], order: int, sampling: str = "reshuffle"
) -> EpochModifiedEquation:
    r"""The modified equation of the (expected) SGD epoch in the step h = eta: the flow in
    t = steps * eta that the mean iterate follows to O(eta^(order+1)) per epoch, the
    coefficient of h^k being m^k times the epoch map's in H = m eta (``.per_epoch()``).

    >>> me = sgd_modified_equation(["(x - 1)**2/2", "(x + 1)**2/2"], 1)
    >>> me.fields[1]          # -grad of (h/8)((x - 1)^2 + (x + 1)^2): Smith et al.'s h/(4m)
    Matrix([[-x/2]])
    >>> me.per_epoch().fields[1]   # in the epoch duration H = 2 h
    Matrix([[-x/4]])
    """
    objs = finite_sum(objectives, polynomial=True)
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 29:
        raise InvalidInputError(f"order must be an integer in 0..29, got {order!r}")
    step = _epoch(objs, order + 1, sampling)
    me = modified_equation(step, order, symbols=list(objs[0].symbols), params=_params(objs))
    m = len(objs)
    return _in_steps(me, m, f"{sampling} SGD, {m} steps per epoch, in the step h = eta")
