r"""Naive reference implementations, kept as independent oracles and benchmark baselines.

:func:`naive_modified_fields` is the obvious algorithm for the modified equation of GD:
for each order k, take the ansatz G = F_0 + h F_1 + ... + h^k F_k with F_k unknown,
expand the time-h flow  x + sum_{i=1}^{k+1} h^i/i! L_G^{i-1} G  with ``sympy.expand``,
and read F_k off the coefficient of h^{k+1}.  Everything is recomputed at every order on
SymPy expressions, which is why it is slow (the issue quotes 2.5 s at order 8 and 35 s
at order 14 for the double well); it shares no code with :mod:`gdtheory.modified`.
"""

from __future__ import annotations

import math

import sympy as sp

from ..objective import Objective

__all__ = ["naive_modified_fields"]


def naive_modified_fields(objective: Objective, order: int) -> list[sp.Matrix]:
    """F_0..F_order of GD on ``objective`` by expanding exp(h L_G) with SymPy.

    >>> from gdtheory import Objective
    >>> naive_modified_fields(Objective.parse("x**3/3"), 1)
    [Matrix([[-x**2]]), Matrix([[-x**3]])]
    """
    xs = sp.Matrix(objective.symbols)
    hh = sp.Symbol("h_naive")
    fields: list[sp.Matrix] = []
    target = -objective.grad  # Phi_h(x) - x = -h grad f
    for k in range(order + 1):
        unknown = sp.Matrix(sp.symbols(f"u0:{len(xs)}"))
        G = sum((hh**j * fields[j] for j in range(k)), sp.zeros(len(xs), 1)) + hh**k * unknown
        term = G
        flow = hh * G
        for i in range(2, k + 2):
            term = (term.jacobian(xs) * G).applyfunc(sp.expand)
            flow += hh**i / math.factorial(i) * term
        flow = flow.applyfunc(sp.expand)
        coeff = flow.applyfunc(lambda e, k=k: e.coeff(hh, k + 1))
        want = target if k == 0 else sp.zeros(len(xs), 1)
        sol = sp.solve(list(coeff - want), list(unknown), dict=True)[0]
        fields.append(unknown.subs(sol).applyfunc(sp.expand))
    return fields
