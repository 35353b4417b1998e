r"""Heavy ball and Nesterov at the tree level: their slow manifold, one-step map and
modified equation as B-series in F = -grad f, for a generic f, with beta exact or symbolic.

Heavy ball (c = 0) and Nesterov (c = 1) on the state (x, v),

    v' = beta v + h F(x + c beta v),    x' = x + v',

restricted to the slow manifold v = S(x) (:mod:`.slow_manifold`) induce the one-step map
Phi_h(x) = x + beta S(x) + h F(x + c beta S(x)), and invariance of the manifold reads
S(Phi_h(x)) = v' = Phi_h(x) - x.  Everything is built from F and its derivatives, so S and
Phi_h are B-series (Hairer, Lubich and Wanner, *Geometric Numerical Integration*, 2006,
III.1),

    S(x) = sum_t h^|t| s(t)/sigma(t) F(t)(x),    Phi_h(x) = x + sum_t h^|t| c(t)/sigma(t) F(t)(x),

with c(t) = beta s(t) + a'(t), where a'(•) = 1 and a'([t_1..t_m]) = 0 for heavy ball,
prod_i beta s(t_i) for Nesterov (h F(B(a)) = B(a'), HLW III.1.4, Lemma 1.9, with
a = (1, beta s)).  The composition of B-series (HLW III.1.4, Theorem 1.10;
:func:`~.trees.subtrees`) turns invariance into, tree by tree,

    (1 - beta) s(t) = a'(t) - sum_{(u, forest) of t, u != t} s(u) prod_{w in forest} c(w),

a recursion over smaller trees (s(•) = c(•) = 1/(1 - beta)).  The modified field is the
logarithm of the map, b = log c (:func:`~.generic.log_coefficients`), in the time t = kh:
dx/dt = sum_t h^(|t|-1) b(t)/sigma(t) F(t).

This is a second derivation of the slow-manifold engine's fields (which evaluates the
methods' own update formulas on power series in a differential ring): combinatorial,
independent of the objective, and checked against the engine in the tests.  Heavy ball
is also a partitioned method in the other scaling, beta = 1 - gamma h (the damped
oscillator; :mod:`.pseries`).

>>> from gdtheory.optimizers import HeavyBall
>>> print(momentum_bseries(HeavyBall("beta"), 1))
Modified equation of heavy_ball on its slow manifold, generic f, to order h^1:
  h^0: 1/(beta - 1) g
  h^1: (beta + 1)/(2*(beta - 1)**3) H g
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..core.objective import Objective
from ..core.scalars import check_count
from ..errors import InvalidInputError
from ..methods.optimizers import HeavyBall
from ..methods.registry import Method
from .generic import log_coefficients
from .instantiate import elementary_differentials
from .notation import tensor_text
from .trees import Tree, subtrees, symmetry, trees_of_order

__all__ = ["MomentumBSeries", "momentum_bseries", "MAX_MOMENTUM_ORDER"]

#: Highest order h^k (the trees up to k + 1 vertices: 286 at k = 8).
MAX_MOMENTUM_ORDER = 8

_METHODS = ("heavy_ball", "nesterov")


@dataclass(frozen=True)
class _Term:
    """One printed term: ``coefficient`` times T(``tree``) (F(t) = (-1)^|t| T(t))."""

    coefficient: Any
    tree: Tree


@dataclass(frozen=True)
class MomentumBSeries:
    r"""The tree-level series of heavy ball or Nesterov on the slow manifold.

    Attributes
    ----------
    method : str
        ``"heavy_ball"`` or ``"nesterov"``.
    beta : Expr
        The momentum, a rational in (0, 1) or a Symbol.
    order : int
        k, the highest power of h of the modified field.
    manifold, increments, coefficients : dict of Tree -> Expr
        s(t), c(t) and b(t) of the module docstring (normalised by the symmetry; only
        nonzero values), rational functions of beta.
    """

    method: str
    beta: Any
    order: int
    manifold: dict[Tree, Any]
    increments: dict[Tree, Any]
    coefficients: dict[Tree, Any]

    def terms(self) -> tuple[tuple[_Term, ...], ...]:
        """Row k: the h^k coefficient as terms c T(t) in derivatives of f (g, H, D^m f),
        c = (-1)^|t| b(t)/sigma(t)."""
        return tuple(
            tuple(
                _Term(sp.factor((-1) ** (k + 1) * self.coefficients[t] / symmetry(t)), t)
                for t in trees_of_order(k + 1)
                if t in self.coefficients
            )
            for k in range(self.order + 1)
        )

    def fields(self, objective: Objective | str) -> tuple[sp.ImmutableMatrix, ...]:
        """F_0..F_k for a concrete objective: the sum over trees of the coefficients times
        the elementary differentials of F = -grad f (small dimensions: the cost grows like
        n^m per vertex with m children)."""
        rows = self.terms()
        flat = [term for row in rows for term in row]
        ones = [[_Term(1, term.tree)] for term in flat]
        values = elementary_differentials(ones, True, objective)
        out, i = [], 0
        for row in rows:
            acc = sp.zeros(values[0].shape[0], 1)  # values holds at least F(•)
            for term in row:
                acc += term.coefficient * values[i]
                i += 1
            out.append(sp.ImmutableMatrix(acc.applyfunc(sp.factor)))
        return tuple(out)

    def __str__(self) -> str:
        lines = [
            f"Modified equation of {self.method} on its slow manifold, generic f, to order "
            f"h^{self.order}:"
        ]
        for k, row in enumerate(self.terms()):
            body = " + ".join(f"{sp.sstr(t.coefficient)} {tensor_text(t.tree)[0]}" for t in row)
            lines.append(f"  h^{k}: {body or '0'}")
        return "\n".join(lines)


def momentum_bseries(method: Method, order: int) -> MomentumBSeries:
    """s, c and b of ``method``, a :class:`~gdtheory.optimizers.HeavyBall` or
    :class:`~gdtheory.optimizers.Nesterov` (its beta exact or symbolic), to h^order
    (module docstring).

    >>> from gdtheory.optimizers import Nesterov
    >>> mb = momentum_bseries(Nesterov("1/2"), 1)
    >>> [mb.coefficients[t] for t in ((), ((),))]   # heavy ball's F'F term is -6
    [2, -4]
    """
    if not isinstance(method, HeavyBall) or method.key not in _METHODS:
        raise InvalidInputError(
            f"method must be HeavyBall(beta) or Nesterov(beta), got {method!r}"[:300]
        )
    order = check_count(order, "order", 0, MAX_MOMENTUM_ORDER)
    b_ = method.beta
    K = sp.QQ.frac_field(b_) if isinstance(b_, sp.Symbol) else sp.QQ
    B = K.from_sympy(b_)
    one = K.one
    s: dict[Tree, Any] = {}
    c: dict[Tree, Any] = {}
    for n in range(1, order + 2):
        for t in trees_of_order(n):
            if not t:
                lead = one
            elif method.key == "nesterov":
                lead = one
                for child in t:
                    lead *= B * s[child]
            else:
                lead = K.zero
            rest = K.zero
            for u, forest in subtrees(t):
                if u == t and not forest:
                    continue
                term = s[u]
                for w in forest:
                    term *= c[w]
                rest += term
            s[t] = (lead - rest) / (one - B)
            c[t] = B * s[t] + lead
    b = log_coefficients(
        lambda t: c[t], order + 1, inverse_factorial=lambda i: one / K(math.factorial(i))
    )

    def exprs(d: dict[Tree, Any]) -> dict[Tree, Any]:
        return {t: sp.factor(K.to_sympy(v)) for t, v in d.items() if v}

    return MomentumBSeries(method.key, b_, order, exprs(s), exprs(c), exprs(b))
