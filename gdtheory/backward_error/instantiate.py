r"""Elementary differentials of a concrete field: a generic (tree) modified equation made
concrete, F_k(x) = sum_{|t| = k+1} b(t)/sigma(t) F(t)(x).

F(•) = F and F([t_1, ..., t_m]) = sum_{j_1..j_m} d^m F / dx_{j_1}..dx_{j_m} prod_i F(t_i)_{j_i},
computed exactly in the differential ring of the field (partial derivatives memoised
by multi-index).  The cost grows like n^m per vertex with m children, so this is meant
for small dimensions (the oracle tying the tree engine to the concrete engine).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from ..core.objective import Objective
from ..errors import InvalidInputError
from .diffring import DifferentialRing
from .one_step_maps import vector_field
from .trees import Tree, order

__all__ = ["elementary_differentials"]


def elementary_differentials(
    terms: Sequence[Sequence[Any]],
    gradient: bool,
    target: Any,
    symbols: Sequence[Any] | None = None,
    params: Sequence[Any] | None = None,
) -> tuple[sp.ImmutableMatrix, ...]:
    """F_0..F_k for the concrete field from the generic terms (rows of GenericTerm,
    coefficients of T(t) when ``gradient``, of F(t) otherwise; module docstring)."""
    comps, syms, pars = vector_field(target, symbols, params)
    if gradient and not isinstance(target, Objective | str):
        raise InvalidInputError(
            "this modified equation is written for F = -grad f: instantiate it with an "
            "objective, or build it with gradient=False for a vector field"
        )
    ring = DifferentialRing(syms, comps, pars)
    n = ring.n
    F = [ring.convert(c) for c in comps]
    partial: dict[tuple[int, tuple[int, ...]], Any] = {}

    def d(c: int, idx: tuple[int, ...]) -> Any:
        key = (c, idx)
        if key not in partial:
            partial[key] = F[c] if not idx else ring.diff(d(c, idx[:-1]), idx[-1])
        return partial[key]

    memo: dict[Tree, list[Any]] = {}

    def value(t: Tree) -> list[Any]:
        if t in memo:
            return memo[t]
        if not t:
            memo[t] = F
            return F
        kids = [value(c) for c in t]
        out = []
        for c in range(n):
            acc = ring.zero
            for js in itertools.product(range(n), repeat=len(kids)):
                prod = d(c, tuple(sorted(js)))
                if prod.is_zero():
                    continue
                for u, j in zip(kids, js, strict=True):
                    prod = prod * u[j]
                    if prod.is_zero():
                        break
                acc = acc + prod
            out.append(ring.reduce(acc))
        memo[t] = out
        return out

    fields = []
    for row in terms:
        acc = [ring.zero] * n
        for term in row:
            # the printed coefficient multiplies T(t) = (-1)^|t| F(t) for a gradient field
            c = term.coefficient * ((-1) ** order(term.tree) if gradient else 1)
            vec = value(term.tree)
            for i in range(n):
                acc[i] = acc[i] + ring.scale(vec[i], _rational(c))
        fields.append(sp.ImmutableMatrix([ring.to_sympy(ring.reduce(a)) for a in acc]))
    return tuple(fields)


def _rational(c: Any) -> sp.Rational:
    if isinstance(c, Fraction | int):
        return sp.Rational(c.numerator, c.denominator) if isinstance(c, Fraction) else sp.Integer(c)
    v = sp.sympify(c, strict=True) if not isinstance(c, str) else None
    if v is None or not v.is_Rational:
        raise InvalidInputError(
            f"the coefficient {c} is not rational; instantiate needs a tableau with "
            "rational entries"
        )
    return v
