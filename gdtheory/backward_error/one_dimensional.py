r"""Generic modified potentials in one dimension, in the derivatives of f.

In 1-D the elementary differential of a tree t is T(t) = prod_v f^{(c_v + 1)} (c_v the
children of v), so the h^k coefficient F_k is a differential polynomial Q in
f_1 = f', f_2 = f'', ... with k+1 factors and total derivative order 2k+1.  A potential
f_k (F_k = -f_k') is sought among the differential polynomials with k+1 factors and
order 2k, whose total derivatives D f_j = f_{j+1} span part of that space: Q is reduced
modulo the image of D (exact Gaussian elimination), giving f_k = P + int R dx with R a
normal form, zero exactly when a differential-polynomial potential exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from .exact_solve import reduce

__all__ = ["potential_1d"]


def _monomials(parts: int, weight: int, smallest: int = 1) -> list[tuple[int, ...]]:
    """Non-decreasing tuples of ``parts`` integers >= smallest summing to ``weight``."""
    if parts == 0:
        return [()] if weight == 0 else []
    out: list[tuple[int, ...]] = []
    for j in range(smallest, weight // parts + 1):
        out.extend((j, *rest) for rest in _monomials(parts - 1, weight - j, j))
    return out


def _derivative(mono: tuple[int, ...]) -> dict[tuple[int, ...], Fraction]:
    """D of prod f_{j}: the product rule, each factor f_j -> f_{j+1}."""
    out: dict[tuple[int, ...], Fraction] = {}
    for i in range(len(mono)):
        new = tuple(sorted(mono[:i] + (mono[i] + 1,) + mono[i + 1 :]))
        out[new] = out.get(new, Fraction(0)) + 1
    return out


def _tree_monomial(t: Any) -> list[int]:
    out = [len(t) + 1]
    for c in t:
        out.extend(_tree_monomial(c))
    return out


def potential_1d(terms: Sequence[Any], k: int) -> sp.Expr:
    """f_k for the h^k terms of a gradient-form generic modified equation."""
    x = sp.Symbol("x", real=True)
    f = sp.Function("f")(x)

    def expr(mono: tuple[int, ...]) -> sp.Expr:
        return sp.Mul(*(sp.Derivative(f, (x, j)) for j in mono))

    target: dict[tuple[int, ...], Fraction] = {}
    for term in terms:  # f_k' = -F_k, F_k = sum c T(t)
        mono = tuple(sorted(_tree_monomial(term.tree)))
        target[mono] = target.get(mono, Fraction(0)) - Fraction(term.coefficient)
    target = {m: v for m, v in target.items() if v}
    if k == 0:
        # F_0 = -c f' : the potential c f (consistency makes c = 1)
        return sum((v * f for m, v in target.items() if m == (1,)), sp.Integer(0))
    columns = [(m, _derivative(m)) for m in _monomials(k + 1, 2 * k)]
    solution, rest = reduce(columns, target)
    P = sum(
        (sp.Rational(c.numerator, c.denominator) * expr(m) for m, c in solution if c), sp.Integer(0)
    )
    if not rest:
        return P
    R = sum(
        (sp.Rational(c.numerator, c.denominator) * expr(m) for m, c in rest.items()), sp.Integer(0)
    )
    return P + sp.Integral(R, x)
