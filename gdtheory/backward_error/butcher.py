r"""Runge-Kutta methods, explicit and implicit: Butcher tableaux, elementary weights,
one-step maps.

An s-stage Runge-Kutta method for x' = F(x) is

    k_i = F(x + h sum_j a_ij k_j),    Phi_h(x) = x + h sum_i b_i k_i,

explicit when A is strictly lower triangular (each stage from the earlier ones), implicit
otherwise: the stages then solve a system, and as power series in h they are its unique
solution, found by fixed-point iteration (each sweep k <- F(x + h A k) fixes one more
power of h).  Implicit Euler on F = -grad f is the proximal point method, x' = argmin_y
f(y) + |y - x|^2/(2h), i.e. x' = x - h grad f(x').

and its numerical flow is the B-series (Butcher 1963; Hairer, Lubich and Wanner,
*Geometric Numerical Integration*, 2006, III.1.4)

    Phi_h(x) = x + sum_t h^|t| / sigma(t) * Phi(t) * F(t)(x),

with the elementary weights Phi(t) = b^T phi(t), phi(•) = (1, ..., 1) and
phi([t_1, ..., t_m]) = prod_k (A phi(t_k)) (componentwise product; the same for implicit
methods, HLW III.1.4).  The method has
order p iff Phi(t) = 1/gamma(t) for every tree with |t| <= p.  GD with learning rate h
is explicit Euler on F = -grad f.

>>> euler = tableau("euler")
>>> from gdtheory.backward_error.trees import tree, density
>>> t = tree(tree())
>>> weight(tableau("midpoint"), t), 1 / density(t)   # midpoint has order 2
(Fraction(1, 2), 0.5)
>>> tableau("rk4").order
4
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from ..core.objective import h
from ..core.scalars import exact_real, is_float_input, simplest_fraction
from ..errors import InvalidInputError, ShapeError
from .one_step_maps import vector_field
from .trees import Tree, density, trees_of_order
from .truncated import TruncatedPolynomials

__all__ = ["ButcherTableau", "butcher_tableau", "tableau", "weight", "runge_kutta_map", "BUILTIN"]

#: Largest number of stages accepted for a user tableau.
MAX_STAGES = 16


@dataclass(frozen=True)
class ButcherTableau:
    """A Runge-Kutta method: the matrix A (strictly lower triangular for an explicit
    method) and the weights b, exact.

    Attributes
    ----------
    name : str
    A : tuple of tuples of Fraction or SymPy numbers
    b : tuple
    order : int
        The classical order (largest p with Phi(t) = 1/gamma(t) for all |t| <= p,
        checked up to 8).
    recovered : tuple of str
        The entries given as floats and the fractions they were read as ("b[0] =
        0.16666666666666666 read as 1/6"); empty when every entry was exact.
    """

    name: str
    A: tuple[tuple[Any, ...], ...]
    b: tuple[Any, ...]
    order: int
    recovered: tuple[str, ...] = field(default=(), compare=False)

    @property
    def stages(self) -> int:
        return len(self.b)

    @property
    def explicit(self) -> bool:
        """A strictly lower triangular: every stage from the earlier ones."""
        return all(self.A[i][j] == 0 for i in range(self.stages) for j in range(i, self.stages))

    @property
    def c(self) -> tuple[Any, ...]:
        """The nodes c_i = sum_j a_ij."""
        return tuple(sum(row, Fraction(0)) for row in self.A)


_BUILTIN_DATA: dict[str, tuple[list[list[str]], list[str]]] = {
    "euler": ([["0"]], ["1"]),
    "midpoint": ([["0", "0"], ["1/2", "0"]], ["0", "1"]),
    "heun": ([["0", "0"], ["1", "0"]], ["1/2", "1/2"]),
    "ralston": ([["0", "0"], ["2/3", "0"]], ["1/4", "3/4"]),
    "rk3": ([["0", "0", "0"], ["1/2", "0", "0"], ["-1", "2", "0"]], ["1/6", "2/3", "1/6"]),
    "rk4": (
        [
            ["0", "0", "0", "0"],
            ["1/2", "0", "0", "0"],
            ["0", "1/2", "0", "0"],
            ["0", "0", "1", "0"],
        ],
        ["1/6", "1/3", "1/3", "1/6"],
    ),
    # implicit methods (Hairer, Lubich and Wanner, II.1 and VI.4)
    "implicit_euler": ([["1"]], ["1"]),
    "implicit_midpoint": ([["1/2"]], ["1"]),
    "trapezoidal": ([["0", "0"], ["1/2", "1/2"]], ["1/2", "1/2"]),
    "gauss4": (
        [["1/4", "1/4 - sqrt(3)/6"], ["1/4 + sqrt(3)/6", "1/4"]],
        ["1/2", "1/2"],
    ),
}

#: Other names of built-in methods.
_ALIASES = {"gd": "euler", "proximal": "implicit_euler", "proximal_point": "implicit_euler"}

#: The built-in method names ("gd" is explicit Euler on -grad f; "proximal" implicit Euler).
BUILTIN = ("gd", *_BUILTIN_DATA, "proximal")


#: Largest denominator a tableau entry given as a float is recovered with.
MAX_FLOAT_DENOMINATOR = 10**6


def _exact(value: Any, name: str, notes: list[str]) -> Any:
    """An exact entry; a float is read as :func:`~gdtheory.core.scalars.simplest_fraction`
    (0.25 -> 1/4, the double nearest 1/6 -> 1/6), noted in ``notes``, or refused when that
    fraction's denominator exceeds MAX_FLOAT_DENOMINATOR (a float standing for sqrt(2)/2
    would otherwise become a rational method of lower order)."""
    if is_float_input(value):
        q = simplest_fraction(float(value))
        if q.denominator > MAX_FLOAT_DENOMINATOR:
            raise InvalidInputError(
                f"{name} = {float(value)!r} is a float that no fraction with denominator <= "
                f"{MAX_FLOAT_DENOMINATOR} rounds to: give it exactly, e.g. as the text "
                "'sqrt(2)/2' or '1/7' (a float in place of an exact entry changes the method)"
            )
        if q != Fraction(float(value)):
            notes.append(f"{name} = {float(value)!r} read as {q}")
        return q
    v = exact_real(value, name)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    if not v.is_algebraic:
        raise InvalidInputError(
            f"{name} = {v} is not an algebraic number: tableau entries must be rational or "
            "algebraic (sqrt(2)/2, ...), so that the coefficients are computed exactly"
        )
    return v


def butcher_tableau(
    tableau: Any, b: Sequence[Any] | None = None, *, name: str | None = None
) -> ButcherTableau:
    """A Butcher tableau: a built-in name (``"euler"``/``"gd"``, ``"midpoint"``,
    ``"heun"``, ``"ralston"``, ``"rk3"``, ``"rk4"``; implicit: ``"implicit_euler"``/
    ``"proximal"``, ``"implicit_midpoint"``, ``"trapezoidal"``, ``"gauss4"``), a
    :class:`ButcherTableau`, or the matrix A with the weights ``b``.
    Entries are exact reals (ints, Fractions, ``"1/3"``, SymPy numbers such as
    ``sqrt(2)/2``); a float is read as the simplest fraction whose nearest double it is
    (0.25 -> 1/4, 1/6 as a float -> 1/6; listed in ``recovered``) and refused when that
    fraction needs a denominator above 10^6 (a float standing for an irrational entry).

    >>> t = butcher_tableau([[0, 0, 0], [1, 0, 0], [0.25, 0.25, 0]], [1 / 6, 1 / 6, 2 / 3])
    >>> t.order    # SSPRK33 with float entries (BSeries.jl's test data): third order
    3
    >>> for line in t.recovered:
    ...     print(line)
    b[0] = 0.16666666666666666 read as 1/6
    b[1] = 0.16666666666666666 read as 1/6
    b[2] = 0.6666666666666666 read as 2/3

    >>> butcher_tableau([[0, 0], ["2/3", 0]], ["1/4", "3/4"]).order    # Ralston's method
    2
    """
    if isinstance(tableau, ButcherTableau):  # re-validated: its entries and order are checked
        again = butcher_tableau(tableau.A, tableau.b, name=tableau.name)
        return tableau if again == tableau else again
    if isinstance(tableau, str):
        key = _ALIASES.get(tableau.lower(), tableau.lower())
        if key not in _BUILTIN_DATA:
            raise InvalidInputError(
                f"unknown tableau {tableau!r}; the built-in methods are {', '.join(BUILTIN)}, "
                "or give a Butcher tableau (A, b)"
            )
        A_text, b_text = _BUILTIN_DATA[key]
        return butcher_tableau(A_text, b_text, name=key)
    if b is None:
        raise InvalidInputError("a Butcher tableau needs the matrix A and the weights b")
    try:
        rows = [list(r) for r in tableau]
        weights = list(b)
    except TypeError:
        raise ShapeError("A must be a square matrix (a list of rows) and b a list") from None
    s = len(weights)
    if not 1 <= s <= MAX_STAGES:
        raise ShapeError(f"a tableau needs 1..{MAX_STAGES} stages, got {s}")
    if len(rows) != s or any(len(r) != s for r in rows):
        raise ShapeError(f"A must be {s} x {s} (b has {s} weights)")
    notes: list[str] = []
    A = tuple(
        tuple(_exact(v, f"A[{i}][{j}]", notes) for j, v in enumerate(r)) for i, r in enumerate(rows)
    )
    bb = tuple(_exact(v, f"b[{i}]", notes) for i, v in enumerate(weights))
    draft = ButcherTableau(name or "tableau", A, bb, 0)
    return ButcherTableau(draft.name, A, bb, _classical_order(draft), tuple(notes))


#: The short name used inside the package (``tableau("rk4")``).
tableau = butcher_tableau


def _classical_order(tab: ButcherTableau) -> int:
    """The largest p <= 8 with Phi(t) = 1/gamma(t) for every tree of order <= p."""
    p = 0
    for n in range(1, 9):
        for t in trees_of_order(n):
            if sp.simplify(sp.sympify(weight(tab, t), strict=True) - sp.Rational(1, density(t))):
                return p
        p = n
    return p


def stage_weights(
    tab: ButcherTableau, t: Tree, memo: dict[Tree, tuple[Any, ...]]
) -> tuple[Any, ...]:
    """phi(t), the vector of stage weights: phi(•) = 1, phi([t_1..t_m]) = prod_k A phi(t_k)."""
    if t in memo:
        return memo[t]
    s = tab.stages
    out = [Fraction(1)] * s
    for child in t:
        pc = stage_weights(tab, child, memo)
        Ap = [sum((tab.A[i][j] * pc[j] for j in range(s)), Fraction(0)) for i in range(s)]
        out = [o * a for o, a in zip(out, Ap, strict=True)]
    memo[t] = tuple(out)
    return memo[t]


def weight(tab: ButcherTableau, t: Tree, memo: dict[Tree, tuple[Any, ...]] | None = None) -> Any:
    """Phi(t) = b^T phi(t), the elementary weight of the tree t."""
    phi = stage_weights(tab, t, {} if memo is None else memo)
    return sum((bi * p for bi, p in zip(tab.b, phi, strict=True)), Fraction(0))


def runge_kutta_map(
    tableau: Any,
    field: Any,
    symbols: Sequence[sp.Symbol | str] | None = None,
    params: Sequence[sp.Symbol | str] | None = None,
    *,
    order: int | None = None,
) -> list[sp.Expr]:
    """Phi_h(x) of the Runge-Kutta method ``tableau`` on x' = F(x), as SymPy expressions
    in the symbols and ``gdtheory.h`` (a one-step map that
    :func:`~gdtheory.modified_equation` accepts).  An implicit method's map is a power
    series in h and needs ``order`` (its stages by ``order`` fixed-point sweeps).
    ``field``: an objective (F = -grad f) or the components of F (strings parsed safely)
    with ``symbols`` in state order.

    ``order``: keep only the powers h^0..h^order (Taylor truncation, exact; for a
    polynomial field every stage is truncated as it is built, so RK4 on a cubic field
    stays small).  The modified equation to order p needs ``order = p + 1``.

    >>> x = sp.Symbol("x")
    >>> runge_kutta_map("heun", [-x], [x])
    [h**2*x/2 - h*x + x]
    >>> runge_kutta_map("rk4", [-x], [x], order=2)
    [h**2*x/2 - h*x + x]
    """
    tab = butcher_tableau(tableau)
    F, symbols_, _ = vector_field(field, symbols, params)
    syms = list(symbols_)
    if order is not None and (isinstance(order, bool) or not isinstance(order, int) or order < 0):
        raise InvalidInputError(f"order must be a non-negative integer, got {order!r}")
    if order is None and not tab.explicit:
        raise InvalidInputError(
            f"{tab.name} is implicit: its map is a power series in h, give order= (the "
            "powers h^0..h^order to keep)"
        )
    rational = all(isinstance(v, Fraction) for v in (*tab.b, *sum(tab.A, ())))
    if order is not None and rational and all(e.is_polynomial(*syms) for e in F):
        return _truncated_polynomial_map(tab, F, syms, order)

    def cut(e: sp.Expr) -> sp.Expr:
        e = sp.expand(e)
        if order is None:
            return e
        return sp.expand(sp.series(e, h, 0, order + 1).removeO())

    sweeps = 1 if tab.explicit else (order or 0) + 1
    stages: list[list[sp.Expr]] = [list(F) for _ in range(tab.stages)]
    for _ in range(sweeps):  # explicit: one pass in stage order; implicit: fixed point
        for i in range(tab.stages):
            point = [
                x
                + h
                * sum(
                    (
                        sp.sympify(tab.A[i][j], strict=True) * stages[j][c]
                        for j in range(tab.stages)
                        if tab.A[i][j] != 0
                    ),
                    sp.Integer(0),
                )
                for c, x in enumerate(syms)
            ]
            stages[i] = [
                cut(e.subs(dict(zip(syms, point, strict=True)), simultaneous=True)) for e in F
            ]
    return [
        cut(
            x
            + h
            * sum(
                (sp.sympify(tab.b[i], strict=True) * stages[i][c] for i in range(tab.stages)),
                sp.Integer(0),
            )
        )
        for c, x in enumerate(syms)
    ]


def _truncated_polynomial_map(
    tab: ButcherTableau, F: list[sp.Expr], syms: list[sp.Symbol], order: int
) -> list[sp.Expr]:
    """The RK map of a polynomial field with rational coefficients, truncated at h^order
    (:class:`~gdtheory.backward_error.truncated.TruncatedPolynomials`)."""
    others = sorted(set().union(*(e.free_symbols for e in F)) - set(syms), key=str)
    T = TruncatedPolynomials(syms, others, order)
    q = T.rational
    Fp = [T.convert(e) for e in F]
    stages: list[list[Any]] = [[T.cut(f) for f in Fp] for _ in range(tab.stages)]
    for _ in range(1 if tab.explicit else order + 1):
        for i in range(tab.stages):
            point = []
            for c in range(len(syms)):
                acc = T.x[c]
                for j in range(tab.stages):
                    if tab.A[i][j]:
                        acc = acc + T.h * stages[j][c] * q(tab.A[i][j])
                point.append(T.cut(acc))
            stages[i] = [T.at(f, point) for f in Fp]
    out = []
    for c in range(len(syms)):
        acc = T.x[c]
        for i in range(tab.stages):
            if tab.b[i]:
                acc = acc + T.h * stages[i][c] * q(tab.b[i])
        out.append(T.to_sympy(T.cut(acc)))
    return out
