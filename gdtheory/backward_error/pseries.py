r"""Partitioned Runge-Kutta methods at the tree level: P-series and their modified equations.

A partitioned system q' = f(q, p), p' = g(q, p) is integrated by a partitioned Runge-Kutta
method, one tableau (A, b) for q and one (Â, b̂) for p:

    Q_i = q + h sum_j a_ij k_j,   P_i = p + h sum_j â_ij l_j,
    k_i = f(Q_i, P_i),            l_i = g(Q_i, P_i),
    q' = q + h sum_i b_i k_i,     p' = p + h sum_i b̂_i l_i.

Its numerical flow is a P-series over bicoloured trees (Hairer, Lubich and Wanner,
*Geometric Numerical Integration*, 2006, III.2): a vertex of colour 0 stands for f, of
colour 1 for g, and a child of colour c for a derivative in q (c = 0) or p (c = 1):

    F(t) = D^m F_c [F(t_1), ..., F(t_m)]   (root colour c, F_0 = f, F_1 = g),
    (q', p') = (q, p) + sum_t h^|t|/sigma(t) Phi(t) F(t),

with the elementary weights of HLW III.2, Theorem 2.4: phi_i(t) = prod_k (A^(c_k) phi(t_k))_i
over the children t_k (A^(0) = A, A^(1) = Â, c_k the child's colour) and Phi(t) = b^(c)
. phi(t) for the root's colour c.  The modified equation is again a P-series, with
b = log Phi by the edge-cut recursion of plain B-series (:func:`~.generic.log_coefficients`;
cuts and grafting carry the colours along), so one derivation serves both.

Built in:

* ``"symplectic_euler"``: A = (0), Â = (1), b = b̂ = (1): p' = p + h g(q, p'),
  q' = q + h f(q, p') (HLW VI.3);
* ``"stormer_verlet"``: half steps in p (HLW II.2, Table 2.1 with the roles as in
  :mod:`.partitioned`);
* ``"heavy_ball"``: p' = p + h g(q, p), q' = q + h f(q, p') — with f = p and
  g = -gamma p - grad U(q) this is heavy ball in the scaling beta = 1 - gamma h
  (v = h p, the damped oscillator of Kovachki and Stuart, JMLR 22, 2021, section 4); with
  a fixed beta heavy ball is instead a B-series on its slow manifold
  (:mod:`.momentum_trees`).

The tests check each built-in against the modified equation of its one-step map computed
directly (:func:`~.modified.modified_equation`), and symplectic Euler and Stormer-Verlet
against the modified Hamiltonians of HLW IX.1 (:mod:`.partitioned`).

>>> pm = pseries_modified_equation("symplectic_euler", 1)
>>> pm.fields(["p", "-q"], ["q", "p"])[1].T     # H1 = -p q/2 (HLW IX.1)
Matrix([[-q/2, p/2]])
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import sympy as sp

from ..core.scalars import check_count
from ..errors import InvalidInputError
from .butcher import ButcherTableau, butcher_tableau
from .generic import log_coefficients
from .one_step_maps import vector_field

__all__ = [
    "ColouredTree",
    "coloured_tree",
    "coloured_trees_of_order",
    "coloured_cuts",
    "PartitionedTableau",
    "partitioned_tableau",
    "PSeriesModifiedEquation",
    "pseries_modified_equation",
    "PARTITIONED_BUILTIN",
]

#: A bicoloured rooted tree: (colour, sorted tuple of children).
ColouredTree = tuple

#: Highest order h^k (916 bicoloured trees with 6 vertices at k = 5).
MAX_PSERIES_ORDER = 6


def coloured_tree(colour: int, *children: ColouredTree) -> ColouredTree:
    """The canonical bicoloured tree with root ``colour`` (0 or 1) and the children."""
    return (colour, tuple(sorted(children)))


@cache
def _order(t: ColouredTree) -> int:
    return 1 + sum(_order(c) for c in t[1])


@cache
def _symmetry(t: ColouredTree) -> int:
    out = 1
    for child, k in Counter(t[1]).items():
        out *= math.factorial(k) * _symmetry(child) ** k
    return out


@cache
def coloured_cuts(t: ColouredTree) -> tuple[tuple[ColouredTree, ColouredTree], ...]:
    """(theta, s) for every edge of t: theta keeps the root, s is the branch cut off."""
    colour, kids = t
    out: list[tuple[ColouredTree, ColouredTree]] = []
    for i, child in enumerate(kids):
        rest = kids[:i] + kids[i + 1 :]
        out.append(((colour, rest), child))
        out.extend((coloured_tree(colour, *rest, th), s) for th, s in coloured_cuts(child))
    return tuple(out)


@cache
def coloured_trees_of_order(n: int) -> tuple[ColouredTree, ...]:
    """Every bicoloured tree with n vertices, each once: 2, 4, 14, 52, 214 for n = 1..5
    (OEIS A000151)."""
    if n < 1:
        return ()
    if n == 1:
        return ((0, ()), (1, ()))
    found: set[ColouredTree] = set()
    for t in coloured_trees_of_order(n - 1):
        for c in (0, 1):
            found.update(_grafted(t, (c, ())))
    return tuple(sorted(found, key=lambda u: (_order(u), u)))


def _grafted(t: ColouredTree, s: ColouredTree) -> list[ColouredTree]:
    """t with s grafted onto each of its vertices."""
    colour, kids = t
    out = [coloured_tree(colour, *kids, s)]
    for i, child in enumerate(kids):
        rest = kids[:i] + kids[i + 1 :]
        out.extend(coloured_tree(colour, *rest, g) for g in _grafted(child, s))
    return out


@dataclass(frozen=True)
class PartitionedTableau:
    """A partitioned Runge-Kutta method: ``q`` = (A, b) for the first block, ``p`` =
    (Â, b̂) for the second, with the same number of stages."""

    name: str
    q: ButcherTableau
    p: ButcherTableau

    def weight(self, t: ColouredTree) -> Any:
        """Phi(t) = b^(c) . phi(t) (module docstring)."""
        _check_tree(t)
        tab = self.q if t[0] == 0 else self.p
        return sum((bi * w for bi, w in zip(tab.b, self._phi(t), strict=True)), Fraction(0))

    def _phi(self, t: ColouredTree) -> tuple[Any, ...]:
        s = self.q.stages
        out = [Fraction(1)] * s
        for child in t[1]:
            A = (self.q if child[0] == 0 else self.p).A
            pc = self._phi(child)
            Ap = [sum((A[i][j] * pc[j] for j in range(s)), Fraction(0)) for i in range(s)]
            out = [o * a for o, a in zip(out, Ap, strict=True)]
        return tuple(out)


def _check_tree(t: Any, depth: int = 0) -> None:
    """A bicoloured tree (colour 0 or 1, a tuple of bicoloured trees), or an error."""
    ok = (
        isinstance(t, tuple)
        and len(t) == 2
        and t[0] in (0, 1)
        and not isinstance(t[0], bool)
        and isinstance(t[1], tuple)
        and depth < 64
    )
    if not ok:
        raise InvalidInputError(
            f"a bicoloured tree is (colour, children) with colour 0 or 1, e.g. (0, ((1, ()),)); "
            f"got {t!r}"[:300]
        )
    for child in t[1]:
        _check_tree(child, depth + 1)


_BUILTIN: dict[str, tuple[tuple[Any, Any], tuple[Any, Any]]] = {
    "symplectic_euler": (([["0"]], ["1"]), ([["1"]], ["1"])),
    "stormer_verlet": (
        ([["0", "0"], ["1/2", "1/2"]], ["1/2", "1/2"]),
        ([["1/2", "0"], ["1/2", "0"]], ["1/2", "1/2"]),
    ),
    "heavy_ball": (([["0", "0"], ["0", "0"]], ["0", "1"]), ([["0", "0"], ["1", "0"]], ["1", "0"])),
}

#: The built-in partitioned methods.
PARTITIONED_BUILTIN = tuple(_BUILTIN)


def partitioned_tableau(
    tableau: Any, second: Any = None, *, name: str | None = None
) -> PartitionedTableau:
    """A built-in name (:data:`PARTITIONED_BUILTIN`), a :class:`PartitionedTableau`, or two
    tableaux, (A, b) for q in ``tableau`` and (Â, b̂) for p in ``second`` (each a pair or
    a :class:`~.butcher.ButcherTableau`;
    entries validated as :func:`~.butcher.butcher_tableau` does, floats recovered by its
    rule)."""
    if isinstance(tableau, PartitionedTableau):
        return tableau
    if isinstance(tableau, str):
        if tableau not in _BUILTIN:
            raise InvalidInputError(
                f"unknown partitioned method {tableau!r}; built in: {', '.join(_BUILTIN)}, or "
                "give the two tableaux (A, b) and (Ahat, bhat)"
            )
        (Aq, bq), (Ap, bp) = _BUILTIN[tableau]
        return PartitionedTableau(tableau, butcher_tableau(Aq, bq), butcher_tableau(Ap, bp))
    if second is None:
        raise InvalidInputError("a partitioned method needs two tableaux: (A, b) and (Ahat, bhat)")

    def one(x: Any, which: str) -> ButcherTableau:
        if isinstance(x, ButcherTableau):
            return butcher_tableau(x)
        if isinstance(x, Sequence) and len(x) == 2 and not isinstance(x, str):
            return butcher_tableau(x[0], x[1])
        raise InvalidInputError(
            f"the {which} tableau must be (A, b) or a ButcherTableau, got {x!r}"
        )

    tq, tp = one(tableau, "q"), one(second, "p")
    if tq.stages != tp.stages:
        raise InvalidInputError(
            f"the two tableaux need the same number of stages, got {tq.stages} and {tp.stages}"
        )
    return PartitionedTableau(name or "partitioned", tq, tp)


@dataclass(frozen=True)
class PSeriesModifiedEquation:
    """The modified equation of a partitioned Runge-Kutta method as a P-series.

    Attributes
    ----------
    tableau : PartitionedTableau
    order : int
        k, the highest power of h.
    coefficients : dict of ColouredTree -> Fraction
        b(t) (nonzero only): the field is sum_t h^(|t|-1) b(t)/sigma(t) F(t).
    """

    tableau: PartitionedTableau
    order: int
    coefficients: dict[ColouredTree, Any]

    def fields(
        self, field: Sequence[Any], symbols: Sequence[Any], params: Sequence[Any] | None = None
    ) -> tuple[sp.ImmutableMatrix, ...]:
        """F_0..F_k for a concrete system: ``field`` lists f then g (strings parsed
        safely), ``symbols`` q then p (the same number of each).  Elementary differentials
        are formed with SymPy (meant for small dimensions)."""
        comps, syms, _ = vector_field(field, symbols, params)
        if len(syms) % 2:
            raise InvalidInputError(
                f"a partitioned system needs as many p as q, got {len(syms)} symbols"
            )
        n = len(syms) // 2
        blocks = (comps[:n], comps[n:])
        var = (syms[:n], syms[n:])
        memo: dict[ColouredTree, list[sp.Expr]] = {}

        def value(t: ColouredTree) -> list[sp.Expr]:
            if t in memo:
                return memo[t]
            colour, kids = t
            # D^m F_c[z_1, ..., z_m] for constant dummies z_k, then z_k = F(t_k)
            out = list(blocks[colour])
            sub: dict[sp.Dummy, sp.Expr] = {}
            for child in kids:
                zs = [sp.Dummy() for _ in range(n)]
                sub.update(zip(zs, value(child), strict=True))
                out = [
                    sum((sp.diff(e, v) * z for v, z in zip(var[child[0]], zs, strict=True)), 0)
                    for e in out
                ]
            memo[t] = [sp.expand(e.xreplace(sub)) for e in out]
            return memo[t]

        result = []
        for k in range(self.order + 1):
            acc = [sp.Integer(0)] * (2 * n)
            for t in coloured_trees_of_order(k + 1):
                c = self.coefficients.get(t)
                if not c:
                    continue
                r = sp.Rational(c.numerator, c.denominator) / _symmetry(t)
                off = 0 if t[0] == 0 else n
                for i, e in enumerate(value(t)):
                    acc[off + i] += r * e
            result.append(sp.ImmutableMatrix([sp.expand(a) for a in acc]))
        return tuple(result)


def pseries_modified_equation(tableau: Any, order: int) -> PSeriesModifiedEquation:
    """The P-series modified equation of a partitioned Runge-Kutta method to h^order
    (module docstring); ``tableau`` as :func:`partitioned_tableau` takes it.

    >>> F = pseries_modified_equation("stormer_verlet", 2).fields(["p", "-q"], ["q", "p"])
    >>> F[1].T, F[2].T      # no h^1 term; H2 = p^2/12 - q^2/24 (see partitioned)
    (Matrix([[0, 0]]), Matrix([[p/6, q/12]]))
    """
    tab = partitioned_tableau(tableau)
    order = check_count(order, "order", 0, MAX_PSERIES_ORDER)
    entries = [v for t in (tab.q, tab.p) for v in (*t.b, *sum(t.A, ()))]
    if not all(isinstance(v, Fraction) for v in entries):
        raise InvalidInputError("P-series here need rational tableau entries")
    b = log_coefficients(tab.weight, order + 1, trees=coloured_trees_of_order, cut=coloured_cuts)
    return PSeriesModifiedEquation(tab, order, dict(b))
