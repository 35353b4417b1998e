r"""Stochastic gradients without replacement: the modified equation of the expected epoch.

For f = (1/m) sum_i f_i, one epoch of SGD with learning rate eta takes m steps
x <- x - eta grad f_{s(i)}(x), i = 1..m, in the order s: a fixed order (``"cyclic"``)
or a uniformly random permutation drawn afresh each epoch (``"reshuffle"``, random
reshuffling).  The epoch map Phi(x) (its expectation over s for reshuffling) is a
one-step map analytic in eta; with the epoch duration h = m eta as its time step it is
x - h grad f + O(h^2), and :func:`~gdtheory.modified_equation` gives the flow that
tracks the *mean* iterate over epochs, in the time t = (number of steps) * eta.

First order (derived here from the h^2 term of the expected epoch,
E sum_{i<j} H_{s_j} g_{s_i} = (m^2 H g - sum_a H_a g_a)/2):

    F_0 + h F_1 = -grad(f + (h / (4 m^2)) sum_a |grad f_a|^2),

i.e. f + (eta/(4m)) sum_a |grad f_a|^2: the implicit regulariser of random shuffling of
Smith, Dherin, Barrett and De, "On the origin of implicit regularization in stochastic
gradient descent", ICLR 2021 (their C + (eta/4m) sum_k |grad C_k|^2).  The cyclic order
has an extra, order-dependent term (1/(2m^2)) sum_{i<j} [H_j g_i - H_i g_j], not a
gradient in general.

The epoch map is computed exactly: for polynomial f_i with rational coefficients, each
step is composed in FLINT's multivariate polynomials and truncated at the power of h
needed, and the expectation is the exact average over all m! orders.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from ..core.budget import Meter
from ..core.finite_sums import finite_sum
from ..core.objective import Objective
from ..errors import InvalidInputError
from .modified import ModifiedEquation, modified_equation
from .truncated import TruncatedPolynomials

__all__ = ["epoch_map", "sgd_modified_equation", "SAMPLINGS", "MAX_PERMUTATIONS"]

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


def sgd_modified_equation(
    objectives: Sequence[Objective | str], order: int, sampling: str = "reshuffle"
) -> ModifiedEquation:
    r"""The modified equation of the (expected) SGD epoch, h = m * eta the epoch duration:
    the flow in t = steps * eta that the mean iterate follows to O(h^(order+1)) per epoch.

    >>> me = sgd_modified_equation(["(x - 1)**2/2", "(x + 1)**2/2"], 1)
    >>> me.fields[1]          # -grad of (h/16)((x - 1)^2 + (x + 1)^2): Smith et al.
    Matrix([[-x/4]])
    """
    objs = finite_sum(objectives, polynomial=True)
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 29:
        raise InvalidInputError(f"order must be an integer in 0..29, got {order!r}")
    step = _epoch(objs, order + 1, sampling)
    return modified_equation(step, order, symbols=list(objs[0].symbols), params=_params(objs))
