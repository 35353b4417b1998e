"""Objectives that are finite sums f = (1/m) sum_i f_i: the per-example losses of SGD,
validated together (at least two, one list of state symbols)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..errors import InvalidInputError
from .objective import Objective, as_objective

__all__ = ["finite_sum"]


def finite_sum(objectives: Any, *, polynomial: bool = False) -> list[Objective]:
    """The f_i of f = (1/m) sum_i f_i (SGD's per-example losses) as objectives with one
    list of state symbols: texts share the union of their names; ``polynomial`` also
    requires rational polynomial f_i (the exact epoch map needs them).

    >>> [f.symbols for f in finite_sum(["(x - 1)**2/2", "y**2"])]
    [(x, y), (x, y)]
    """
    if isinstance(objectives, str | Objective) or not isinstance(objectives, Sequence):
        raise InvalidInputError("objectives must be a list of the f_i (at least two)")
    objs = [as_objective(o) for o in objectives]
    if len(objs) < 2:
        raise InvalidInputError(f"SGD needs at least two f_i, got {len(objs)}")
    if all(isinstance(o, str) for o in objectives):  # texts share the union of their names
        names = sorted({s.name for o in objs for s in o.symbols})
        objs = [Objective.parse(o, symbols=names) for o in objectives]
    syms = objs[0].symbols
    for o in objs[1:]:
        if o.symbols != syms:
            raise InvalidInputError(
                f"every f_i must have the same state symbols; got {[s.name for s in syms]} "
                f"and {[s.name for s in o.symbols]} (declare symbols=[...] on each)"
            )
    for o in objs if polynomial else ():
        if not o.expr.is_polynomial(*syms) or not all(
            c.is_Rational for c in sp.Poly(o.expr, *syms, *o.params).coeffs()
        ):
            raise InvalidInputError(
                f"f_i = {o.name} is not a polynomial with rational coefficients; the exact "
                "epoch map is implemented for polynomial f_i"
            )
    return objs
