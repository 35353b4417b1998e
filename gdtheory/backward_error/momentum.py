r"""Momentum methods: the modified equation on the slow (invariant) manifold.

Heavy ball and Nesterov with a fixed beta in (0, 1) are two-step recurrences,

    x_{k+1} = x_k + beta m_k - h g(x_k + c beta m_k),    m_k = x_k - x_{k-1},

with c = 0 (heavy ball, Polyak 1964) or c = 1 (Nesterov: y_k = x_k + beta m_k,
x_{k+1} = y_k - h g(y_k)).  Their map on (x, m) is not near the identity (m is damped by
beta per step), so backward error analysis applies to the *underlying one-step method*
instead (Hairer, Lubich and Wanner, *Geometric Numerical Integration*, 2006, XV.2;
Kovachki and Stuart, JMLR 22, 2021): there is a formal series Phi_h(x) = x + v(x),
v = sum_{j>=1} h^j d_j, such that the sequences with x_{k+1} = Phi_h(x_k) solve the
recurrence; they fill an invariant manifold m = x - Phi_h^{-1}(x) that attracts every
other solution like beta^k.  Substituting x_{k-1} = y, x_k = Phi_h(y):

    v(y + v(y)) - beta v(y) = -h g(y + (1 + c beta) v(y)),

solved order by order in h: (1 - beta) d_j = -[h^{j-1}] g(y + (1 + c beta) v)
- [h^j] sum_{i<j} h^i (d_i(y + v) - d_i(y)), the Taylor expansions being exact tensor
contractions.  The modified equation of Phi_h (:func:`~gdtheory.modified_equation`)
is then the modified equation of the momentum method on its slow manifold, in the time
t = kh (the 1/(1 - beta) factor is in F_0 = -g/(1 - beta)).

First order (derived here):  F_0 + h F_1 = -(1/(1 - beta)) grad(f + h (1 + beta)
|grad f|^2 / (4 (1 - beta)^2)) for heavy ball: the implicit regulariser of GD at the
effective learning rate h/(1 - beta), h |grad f|^2/(4 (1 - beta)), multiplied by
(1 + beta)/(1 - beta), as Ghosh, Lyu, Zhang and Wang (ICLR 2023) state.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import flint
import sympy as sp

from ..core import budget
from ..core.objective import Objective, as_objective, h
from ..errors import InvalidInputError
from ..methods.optimizers import momentum_coefficient
from .diffring import DifferentialRing
from .modified import ModifiedEquation, modified_equation
from .work_estimate import refuse_extrapolated

__all__ = ["MomentumModifiedEquation", "momentum_modified_equation", "slow_manifold_map"]

METHODS = {"heavy_ball": 0, "nesterov": 1}

#: Largest number of manifold increments derived (the Taylor compositions grow like
#: K^3 ring products of growing polynomials: K = 16 takes seconds on the double well).
MAX_MANIFOLD_ORDER = 16


class _Series:
    """Truncated power series in h with coefficients in the differential ring of f.

    The ring has h, the dummies z_1..z_n and c = 1/(1 - beta) as constant generators, so
    that D^m u[w, ..., w] is (z . grad)^m u with z constant, composed with z = w(h)."""

    def __init__(self, objective: Objective, beta: sp.Expr) -> None:
        self.xs = list(objective.symbols)
        n = len(self.xs)
        self.H, self.C = sp.Dummy("h"), sp.Dummy("c")
        self.z = [sp.Dummy(f"z{i}") for i in range(n)]
        extra = [beta] if isinstance(beta, sp.Symbol) else []
        self.params = [*objective.params, *extra, self.C, self.H, *self.z]
        self.ring = DifferentialRing(self.xs, list(objective.grad), self.params)
        R = self.ring
        self.h = R.convert(self.H)
        self.zg = [R.convert(zi) for zi in self.z]
        self.c = R.convert(self.C) if extra else R.constant(1 / (1 - beta))
        self.beta = R.convert(beta) if extra else R.constant(beta)
        self.gens = list(R.gens)
        self.hi = R.n + len(objective.params) + len(extra) + 1  # index of h
        self.zi = self.hi + 1

    def cut(self, p: Any, K: int) -> Any:
        return self.ring.ctx.from_dict({m: v for m, v in p.to_dict().items() if m[self.hi] <= K})

    def coeff(self, p: Any, j: int) -> Any:
        out = {}
        for m, v in p.to_dict().items():
            if m[self.hi] == j:
                mm = list(m)
                mm[self.hi] = 0
                out[tuple(mm)] = v
        return self.ring.ctx.from_dict(out)

    def taylor(self, u: list[Any], w: list[Any], K: int) -> list[Any]:
        """u(x + w) to h^K (w = O(h))."""
        R = self.ring
        n = len(self.xs)
        gens = list(self.gens)
        for i in range(n):
            gens[self.zi + i] = w[i]
        out = list(u)
        T = list(u)
        for m in range(1, K + 1):
            T = [sum((self.zg[j] * R.diff(t, j) for j in range(n)), R.zero) for t in T]
            inv = flint.fmpq(1, math.factorial(m))
            for c, t in enumerate(T):
                out[c] = out[c] + self.cut(t.compose(*gens), K) * inv
        return [self.cut(o, K) for o in out]


def slow_manifold_map(
    objective: Objective, beta: sp.Expr, method: str, K: int
) -> list[list[sp.Expr]]:
    """d_1..d_K of Phi_h(x) = x + sum h^j d_j(x), the one-step map on the slow manifold
    (the recursion of the module docstring, in the differential ring)."""
    beta = momentum_coefficient(beta)
    S = _Series(objective, beta)
    R = S.ring
    n = len(S.xs)
    g = [R.convert(e) for e in objective.grad]
    a = R.one + S.beta * METHODS[method]
    d: list[list[Any]] = []
    t0 = time.perf_counter()
    for j in range(1, K + 1):
        # the cost of increments 1..j grows at least like j^4 (j^2 Taylor compositions of
        # polynomials whose size grows with j)
        refuse_extrapolated(
            f"the slow-manifold map to h^{K}",
            j - 1,
            K,
            time.perf_counter() - t0,
            done_text=f"increments 1..{j - 1}",
            law="K^4",
            min_done=3,
        )
        v = [R.zero] * n
        for i in range(1, j):
            v = [v[c] + d[i - 1][c] * S.h**i for c in range(n)]
        gx = S.taylor(g, [a * vi for vi in v], j - 1)
        rhs = [-S.coeff(e, j - 1) for e in gx]
        for i in range(1, j):
            shifted = S.taylor(d[i - 1], v, j - i)
            for c in range(n):
                rhs[c] = rhs[c] - S.coeff(shifted[c] - d[i - 1][c], j - i)
        d.append([R.reduce(S.c * r) for r in rhs])
    one = 1 / (1 - beta)
    return [[sp.factor(R.to_sympy(e).subs(S.C, one)) for e in dj] for dj in d]


def _manifold_map(
    symbols: Sequence[sp.Symbol], increments: Sequence[Sequence[sp.Expr]]
) -> tuple[sp.Expr, ...]:
    """x + sum_j h^j d_j(x), component by component."""
    return tuple(
        x + sum((h**j * d[c] for j, d in enumerate(increments, 1)), sp.Integer(0))
        for c, x in enumerate(symbols)
    )


@dataclass(frozen=True)
class MomentumModifiedEquation:
    r"""The modified equation of heavy ball / Nesterov on the slow manifold.

    Attributes
    ----------
    method : str
    beta : Expr
        The momentum (a symbol or an exact number in (0, 1)).
    equation : ModifiedEquation
        The modified equation of the underlying one-step map (fields, potentials,
        obstructions, latex, python); ``fields[k]`` includes the 1/(1 - beta) time factor.
    increments : tuple of tuple of Expr
        d_1..d_K of the one-step map Phi_h(x) = x + sum h^j d_j(x) on the slow manifold.
    """

    method: str
    beta: sp.Expr
    equation: ModifiedEquation = field(repr=False)
    increments: tuple[tuple[sp.Expr, ...], ...] = field(repr=False)

    @property
    def fields(self) -> tuple[sp.ImmutableMatrix, ...]:
        return self.equation.fields

    @property
    def potentials(self) -> tuple[sp.Expr | None, ...]:
        return self.equation.potentials

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return self.equation.symbols

    def latex(self, **kwargs: Any) -> str:
        return self.equation.latex(**kwargs)

    def one_step_map(self) -> tuple[sp.Expr, ...]:
        """Phi_h(x) = x + sum_{j<=K} h^j d_j(x), the map on the slow manifold (truncated):
        a solution on the manifold has x_{k+1} = Phi_h(x_k) and x_{k-1} = Phi_h^{-1}(x_k)
        up to O(h^(K+1))."""
        return _manifold_map(self.symbols, self.increments)

    def __str__(self) -> str:
        return f"{self.method} with beta = {self.beta} on its slow manifold:\n{self.equation}"


def momentum_modified_equation(
    objective: Objective | str,
    order: int,
    beta: Any,
    method: str = "heavy_ball",
    *,
    manifold_order: int | None = None,
) -> MomentumModifiedEquation:
    r"""The modified equation of heavy ball or Nesterov on its slow manifold, to h^order.

    ``beta``: a number in (0, 1) (exact: ``"9/10"``, ``Fraction``) or a name/Symbol
    kept symbolic (assumed 0 < beta < 1).  ``manifold_order``: how many increments of
    the one-step map to derive (default order + 1, the minimum).

    >>> mm = momentum_modified_equation("x**2/2", 1, "beta")
    >>> [sp.factor(F[0]) for F in mm.fields]
    [x/(beta - 1), x*(beta + 1)/(2*(beta - 1)**3)]
    """
    obj = as_objective(objective)
    if method not in METHODS:
        raise InvalidInputError(f"method must be 'heavy_ball' or 'nesterov', got {method!r}")
    top = MAX_MANIFOLD_ORDER - 1
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= top:
        raise InvalidInputError(f"order must be an integer in 0..{top}, got {order!r}")
    b = momentum_coefficient(beta)
    if not isinstance(b, sp.Symbol) and not b.is_Rational:
        raise InvalidInputError(
            f"beta = {b} is irrational; the slow-manifold expansion works with rational or "
            "symbolic beta: derive it for the symbol and substitute, e.g. "
            "momentum_modified_equation(f, order, 'beta').fields[k].subs(beta, value)"
        )
    if isinstance(b, sp.Symbol):
        if b in obj.symbols or b.name in {s.name for s in obj.symbols}:
            raise InvalidInputError(f"beta {b} is a state symbol of the objective")
        params = [*obj.params, b]
    else:
        params = list(obj.params)
    K = order + 1 if manifold_order is None else manifold_order
    if isinstance(K, bool) or not isinstance(K, int) or not order + 1 <= K <= MAX_MANIFOLD_ORDER:
        raise InvalidInputError(
            f"manifold_order must be an integer in {order + 1}..{MAX_MANIFOLD_ORDER} "
            f"(at least order + 1), got {manifold_order!r}"
        )
    budget.check_expansion([obj.expr], obj.symbols + obj.params, obj.name)
    d = slow_manifold_map(obj, b, method, K)
    phi = _manifold_map(obj.symbols, d)
    me = modified_equation(list(phi), order, symbols=list(obj.symbols), params=params)
    return MomentumModifiedEquation(method, b, me, tuple(tuple(dj) for dj in d))
