r"""Naive reference implementations, kept as independent oracles and benchmark baselines.

:func:`naive_modified_fields` is the obvious algorithm for the modified equation of GD:
for each order k, take the ansatz G = F_0 + h F_1 + ... + h^k F_k with F_k unknown,
expand the time-h flow  x + sum_{i=1}^{k+1} h^i/i! L_G^{i-1} G  with ``sympy.expand``,
and read F_k off the coefficient of h^{k+1}.  Everything is recomputed at every order on
SymPy expressions, which is why it is slow (the issue quotes 2.5 s at order 8 and 35 s
at order 14 for the double well); it shares no code with :mod:`gdtheory.backward_error.modified`.

:func:`naive_krawczyk_single_shooting` is the obvious computer-assisted proof of a
periodic orbit: compose the GD map p times symbolically, differentiate the composition,
and run Krawczyk's test on Phi^p(z) - z over one box with interval arithmetic
(:mod:`mpmath.iv`).  It is the baseline of :func:`gdtheory.certify.certify_periodic_orbit`
(multi-point Krawczyk in arb) in ``tests/benchmarks``.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.objective import Objective
from ..core.scalars import positive_real

__all__ = ["naive_modified_fields", "naive_krawczyk_single_shooting"]


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


def naive_krawczyk_single_shooting(
    objective: Objective, h: sp.Expr, point: list[float], radius: float, period: int
) -> bool:
    """Krawczyk's test for a zero of Phi^p(z) - z in the box ``point +- radius``.

    Phi^p is composed symbolically and its Jacobian taken by SymPy; the box and the
    midpoint are evaluated with ``mpmath.iv`` at 40 digits.  True when K(X) is inside X.
    """
    import mpmath
    import numpy as np

    h = positive_real(h, "h")
    xs = list(objective.symbols)
    n = len(xs)
    phi = [x - h * g for x, g in zip(xs, objective.grad, strict=True)]
    comp = list(xs)
    for _ in range(period):
        comp = [e.subs(dict(zip(xs, comp, strict=True)), simultaneous=True) for e in phi]
    G = sp.Matrix(comp) - sp.Matrix(xs)
    J = G.jacobian(xs)
    iv = mpmath.iv
    mods = [{"mpf": iv.mpf}, "mpmath"]  # constants as intervals
    g_iv = sp.lambdify(xs, list(G), mods)
    j_iv = sp.lambdify(xs, J.tolist(), mods)
    saved = iv.dps
    iv.dps = 40
    try:
        X = [iv.mpf([c - radius, c + radius]) for c in point]
        m = [iv.mpf(c) for c in point]
        Gm = g_iv(*m)
        JX = j_iv(*X)
        Jm = np.array([[float(iv.mpf(v).mid) for v in row] for row in j_iv(*point)])
        Y = np.linalg.inv(Jm)
        for i in range(n):
            k = m[i]
            for j in range(n):
                k -= float(Y[i, j]) * Gm[j]
                a = (1 if i == j else 0) - sum(float(Y[i, q]) * JX[q][j] for q in range(n))
                k += a * (X[j] - m[j])
            if not (k.a > X[i].a and k.b < X[i].b):
                return False
    finally:
        iv.dps = saved
    return True
