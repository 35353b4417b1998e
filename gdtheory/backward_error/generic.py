r"""Modified equations for a generic f (or a generic vector field F): B-series over trees.

Any Runge-Kutta method, explicit or implicit (GD is explicit Euler on F = -grad f, the
proximal point method implicit Euler), has a modified vector field that is itself a
B-series (Hairer, Lubich and Wanner, *Geometric Numerical Integration*, 2006, IX.9,
Theorem 9.1):

    F_h = sum_t h^{|t|-1} / sigma(t) * b(t) * F(t),

and its coefficients follow from the method's elementary weights a(t) = Phi(t) by
matching the exact time-h flow of F_h with the method (the recursion of
:mod:`~gdtheory.backward_error.modified`, written on coefficients):

    b(t) = a(t) - sum_{i=2}^{|t|} W_i(t) / i!,    W_1 = b,
    W_i(t) = sum over the edge cuts (theta, s) of t of W_{i-1}(theta) b(s).

The edge-cut sum is the derivative of a B-series along another (grafting read
backwards, :func:`~gdtheory.backward_error.trees.cuts`).  For GD the terms are written
in derivatives of f: with F = -g, g = grad f, every vertex with m children is a
derivative tensor D^{m+1} f contracted with its children, and F(t) = (-1)^|t| T(t):

    F_h = -g - (h/2) H g - h^2 ((1/3) H^2 g + (1/12) D^3f[g, g]) - ...

Gradient structure.  The Jacobian of T(t) is the sum over the vertices v of the product
of the matrices met on the path root -> v, and its transpose is the reversed product
(the tensors are symmetric); the antisymmetric part of the Jacobian of F_k is therefore
read off exactly, e.g. -(1/12) [H, D^3f[g]] at h^2 for GD, nonzero for a generic f.  In
one dimension every field is a gradient; the potential is written in f', f'', ... up to
an integral that has no closed form in the derivatives of a generic f.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from ..core.objective import Objective
from ..core.scalars import check_count
from ..errors import InvalidInputError
from .butcher import ButcherTableau, butcher_tableau, weight
from .codegen import tex as latex_text
from .exact_solve import solve
from .notation import field_text, matrix_text, scalar_text, tensor_text
from .trees import Tree, cuts, free_trees_of_order, order, paths, rootings, symmetry, trees_of_order

__all__ = [
    "GenericTerm",
    "GenericModifiedEquation",
    "generic_modified_equation",
    "MAX_GENERIC_ORDER",
    "log_coefficients",
]

#: Highest order h^k accepted (the h^k term has as many trees as there are with k+1
#: vertices: 1842 at k = 10, 4766 at k = 11, 12486 at k = 12, 32973 at k = 13).
MAX_GENERIC_ORDER = 13


@dataclass(frozen=True)
class GenericTerm:
    """One term c * h^power * F(tree) (or c * h^power * T(tree) in derivatives of f).

    ``coefficient`` multiplies the elementary differential as printed in ``text``
    (for a gradient field the sign (-1)^|t| of F(t) = (-1)^|t| T(t) is included).
    """

    coefficient: Fraction
    tree: Tree
    power: int
    text: str
    latex: str


def log_coefficients(
    weight_of: Callable[[Any], Any],
    max_vertices: int,
    *,
    trees: Callable[[int], Sequence[Any]] = trees_of_order,
    cut: Callable[[Any], Sequence[tuple[Any, Any]]] = cuts,
    inverse_factorial: Callable[[int], Any] = lambda i: Fraction(1, math.factorial(i)),
) -> dict[Any, Any]:
    """b with exp(b) = a: the modified-field coefficients of a one-step map with the
    series coefficients a(t) = ``weight_of(t)`` (a(empty) = 1), for every tree with at most
    ``max_vertices`` vertices (module docstring).  ``trees(n)`` and ``cut(t)`` give the trees
    of order n and their edge cuts: plain rooted trees by default, bicoloured trees for
    P-series (:mod:`.pseries`).  The values may be any ring elements (FLINT rationals,
    number-field elements, SymPy expressions); zeros are left out of the result."""
    b: dict[Any, Any] = {}
    W: list[dict[Any, Any]] = [{}, b]  # W[i][t]; W[1] is b itself
    inv = [inverse_factorial(i) for i in range(max_vertices + 2)]
    for n in range(1, max_vertices + 1):
        while len(W) <= n:
            W.append({})
        for t in trees(n):
            value = weight_of(t)
            tc = cut(t)
            for i in range(2, n + 1):
                acc: Any = 0
                prev = W[i - 1]
                for theta, s in tc:
                    u = prev.get(theta)
                    if u:
                        v = b.get(s)
                        if v:
                            acc += u * v
                if acc:
                    W[i][t] = acc
                    value -= acc * inv[i]
            if value:
                b[t] = value
    return b


def modified_coefficients(tab: ButcherTableau, max_vertices: int) -> dict[Tree, Any]:
    """b(t) for every tree with at most ``max_vertices`` vertices (module docstring)."""
    memo: dict[Tree, tuple[Any, ...]] = {}
    entries = (*tab.b, *sum(tab.A, ()))
    rational = all(isinstance(v, Fraction) for v in entries)
    # FLINT rationals for the inner loop (ten times faster than Fraction); a tableau with
    # irrational (algebraic) entries is computed exactly in the number field they
    # generate (SymPy's QQ<theta>: canonical elements, so a coefficient that is zero is
    # exactly zero and never printed)
    K = None if rational else number_field(entries)

    def num(q: Any) -> Any:
        if K is None:
            return flint.fmpq(q.numerator, q.denominator)
        return K.from_sympy(sp.expand(sp.sympify(q, strict=True)))

    b = log_coefficients(
        lambda t: num(weight(tab, t, memo)),
        max_vertices,
        inverse_factorial=lambda i: num(Fraction(1, math.factorial(i))),
    )
    if K is not None:
        return {t: _simplest(K.to_sympy(v)) for t, v in b.items()}
    return {t: Fraction(int(v.p), int(v.q)) for t, v in b.items()}


def number_field(entries: Sequence[Any]) -> Any:
    """The algebraic number field QQ<theta> generated by the irrational entries (SymPy
    finds a primitive element theta)."""
    irrational = sorted(
        {sp.sympify(v, strict=True) for v in entries if not isinstance(v, Fraction | int)},
        key=sp.default_sort_key,
    )
    return sp.QQ.algebraic_field(*irrational)


def _simplest(v: sp.Expr) -> Any:
    """A rational coefficient as a Fraction (so printing and the exact solvers treat it
    as a rational), an irrational one as its SymPy expression."""
    return Fraction(int(v.p), int(v.q)) if v.is_Rational else v


@dataclass(frozen=True)
class GenericModifiedEquation:
    r"""The modified equation of a Runge-Kutta method for a generic F (or a generic f).

    Attributes
    ----------
    tableau : ButcherTableau
    order : int
        k, the highest power of h.
    gradient : bool
        True when written for F = -grad f in derivatives of f (g, H, D^m f).
    terms : tuple of tuple of GenericTerm
        ``terms[j]``: the h^j coefficient, one term per tree with a nonzero coefficient.

    Examples
    --------
    >>> gme = generic_modified_equation("gd", 2)
    >>> print(gme)
    Modified equation of GD (explicit Euler on F = -grad f), generic f, to order h^2:
      h^0: -g
      h^1: -1/2 H g
      h^2: -1/3 H^2 g - 1/12 D^3f[g, g]
    >>> print(generic_modified_equation("midpoint", 2, gradient=False))
    Modified equation of midpoint (explicit Runge-Kutta, order 2), generic F, to order h^2:
      h^0: F
      h^1: 0
      h^2: -1/6 F'F'F - 1/24 F''(F, F)
    """

    tableau: ButcherTableau
    order: int
    gradient: bool
    terms: tuple[tuple[GenericTerm, ...], ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    @property
    def coefficients(self) -> dict[Tree, Fraction]:
        """b(t) for every tree with a nonzero coefficient (the normalised B-series:
        the field is sum_t h^{|t|-1} b(t)/sigma(t) F(t))."""
        return {
            t.tree: t.coefficient * symmetry(t.tree) * self._sign(t.tree)
            for row in self.terms
            for t in row
        }

    def _sign(self, t: Tree) -> int:
        return (-1) ** order(t) if self.gradient else 1

    def _description(self) -> str:
        if self.tableau.name == "euler" and self.gradient:
            return "GD (explicit Euler on F = -grad f), generic f"
        kind = (
            f"{'explicit' if self.tableau.explicit else 'implicit'} Runge-Kutta, order "
            f"{self.tableau.order}"
        )
        on = "F = -grad f, generic f" if self.gradient else "generic F"
        return f"{self.tableau.name} ({kind}), {on}"

    def __str__(self) -> str:
        lines = [f"Modified equation of {self._description()}, to order h^{self.order}:"]
        for j, row in enumerate(self.terms):
            lines.append(f"  h^{j}: {_join([(t.coefficient, t.text) for t in row])}")
        return "\n".join(lines)

    def latex(self) -> str:
        r"""An ``aligned`` block, one line per power of h (g = \nabla f, H = \nabla^2 f)."""
        lhs = r"\dot{x}"
        rows = []
        for j, row in enumerate(self.terms):
            if j and not row:
                continue  # an empty power of h is left out, not printed as h(0)
            body = _join_latex([(t.coefficient, t.latex) for t in row])
            hj = "" if j == 0 else ("h" if j == 1 else f"h^{{{j}}}")
            lead = f"{lhs} &= " if j == 0 else "&\\quad + "
            rows.append(f"{lead}{hj}\\left({body}\\right)" if j else f"{lead}{body}")
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        """The display notebooks show (:meth:`latex`)."""
        return f"$${self.latex()}$$"

    # ----------------------------------------------------------- gradient structure
    def obstruction(self, k: int) -> list[tuple[Fraction, str]]:
        """The antisymmetric part (F_k' - F_k'^T)/2 of the Jacobian of F_k for a generic
        f, as terms c * (M - M^T) (M a product of derivative matrices); empty when F_k
        is a gradient for every f.  Needs ``gradient=True``.

        >>> generic_modified_equation("gd", 2).obstruction(2)
        [(Fraction(-1, 12), 'H D^3f[g] - D^3f[g] H')]
        """
        self._need_gradient("obstruction")
        coeff: dict[tuple[Tree, ...], Fraction] = {}
        for term in self.terms[self._index(k)]:
            for key in paths(term.tree):
                coeff[key] = coeff.get(key, Fraction(0)) + term.coefficient
        out = []
        for key in sorted(coeff, key=repr):
            rev = key[::-1]
            if key < rev:
                d = (coeff[key] - coeff.get(rev, Fraction(0))) / 2
                if d:
                    out.append((d, f"{matrix_text(key)} - {matrix_text(rev)}"))
        return out

    def potential(self, k: int) -> list[tuple[Fraction, str]] | None:
        """f_k with F_k = -grad f_k for a generic f in any dimension, as terms c * S
        (S a scalar contraction of derivatives of f), or None when no such combination
        exists (then :meth:`obstruction` is nonzero).  Needs ``gradient=True``.

        >>> generic_modified_equation("gd", 1).potential(1)
        [(Fraction(1, 4), '|g|^2')]
        """
        self._need_gradient("potential")
        row = self.terms[self._index(k)]
        target = {t.tree: -t.coefficient for t in row}  # grad f_k = -F_k
        images = []
        for u in free_trees_of_order(k + 1):
            img: dict[Tree, Fraction] = {}
            for r in rootings(u):
                img[r] = img.get(r, Fraction(0)) + 1
            images.append((u, img))
        solution = solve(images, target)
        if solution is None:
            return None
        return [(c, scalar_text(u)) for u, c in solution if c]

    def potential_1d(self, k: int) -> sp.Expr:
        r"""f_k with F_k = -f_k' for a generic f of one variable, in f', f'', ...: the
        part that is an exact derivative of a differential polynomial, plus the
        remainder as an unevaluated integral (reduced to a normal form; for GD at h^2,
        f_2 = f'^2 f''/12 + (1/6) \int f' f''^2 dx, which has no closed form in the
        derivatives of a generic f).  Needs ``gradient=True``.

        >>> generic_modified_equation("gd", 1).potential_1d(1)
        Derivative(f(x), x)**2/4
        """
        self._need_gradient("potential")
        from .one_dimensional import potential_1d

        return potential_1d(self.terms[self._index(k)], k)

    def _need_gradient(self, what: str) -> None:
        if not self.gradient:
            raise InvalidInputError(
                f"the {what} is defined for a gradient field F = -grad f; build the "
                "equation with gradient=True"
            )

    def _index(self, k: int) -> int:
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= self.order:
            raise InvalidInputError(f"k must be an integer in 0..{self.order}, got {k!r}")
        return k

    # ------------------------------------------------------------ instantiation
    def instantiate(
        self,
        target: Objective | str | Sequence[Any],
        symbols: Sequence[sp.Symbol | str] | None = None,
        params: Sequence[sp.Symbol | str] | None = None,
    ) -> tuple[sp.ImmutableMatrix, ...]:
        """The concrete fields F_0..F_k for an objective (F = -grad f) or a vector field
        given by its components (``symbols`` in state order): exactly what
        :func:`~gdtheory.modified_equation` gives for the method's one-step map.

        >>> gme = generic_modified_equation("gd", 3)
        >>> [F[0] for F in gme.instantiate("x**2/2")]
        [-x, -x/2, -x/3, -x/4]
        """
        from .instantiate import elementary_differentials

        return elementary_differentials(self.terms, self.gradient, target, symbols, params)


def _sign_and_size(c: Any) -> tuple[bool, Any]:
    """(negative, |c|) of a rational or a real algebraic coefficient."""
    negative = (
        bool(c < 0) if isinstance(c, Fraction | int) else bool(sp.sympify(c, strict=True) < 0)
    )
    return negative, (-c if negative else c)


def _join(terms: Sequence[tuple[Any, str]]) -> str:
    """c_1 T_1 + c_2 T_2 ...: signs folded in, a coefficient 1 omitted, an irrational
    coefficient in parentheses ("(sqrt(2)/8 - 1/6) D^3f[g, g]")."""
    if not terms:
        return "0"
    out = ""
    for c, text in terms:
        negative, a = _sign_and_size(c)
        if isinstance(a, Fraction | int):
            mag = "" if a == 1 else f"{a} "
        else:
            shown = sp.sstr(a)
            mag = f"({shown}) " if isinstance(a, sp.Add) else f"{shown} "
        out += ("-" if negative else "") if not out else (" - " if negative else " + ")
        out += mag + text
    return out


def _join_latex(terms: Sequence[tuple[Any, str]]) -> str:
    if not terms:
        return "0"
    out = ""
    for c, text in terms:
        negative, a = _sign_and_size(c)
        if isinstance(a, Fraction | int):
            a = Fraction(a)
            mag = (
                ""
                if a == 1
                else (
                    rf"\tfrac{{{a.numerator}}}{{{a.denominator}}}"
                    if a.denominator != 1
                    else f"{a.numerator}"
                )
            )
        else:
            tex = latex_text(a)
            mag = rf"\left({tex}\right)" if isinstance(a, sp.Add) else tex
        out += ("-" if negative else "") if not out else (" - " if negative else " + ")
        out += f"{mag}\\,{text}" if mag else text
    return out


def _print_key(t: Tree) -> tuple[Any, ...]:
    """Print order within a power of h: fewer branches at the root first (H^k g before
    D^3f[g, g]), recursively."""
    return (len(t), tuple(_print_key(c) for c in t))


def generic_modified_equation(
    tableau: Any = "gd", order: int = 2, *, gradient: bool | None = None
) -> GenericModifiedEquation:
    r"""The modified equation of a Runge-Kutta method (explicit or implicit) for a generic
    field, to order h^order, with exact coefficients indexed by rooted trees.

    Parameters
    ----------
    tableau : str or ButcherTableau or (A, b)
        ``"gd"`` (explicit Euler on F = -grad f), ``"euler"``, ``"midpoint"``,
        ``"heun"``, ``"ralston"``, ``"rk3"``, ``"rk4"``, the implicit
        ``"implicit_euler"`` (``"proximal"``), ``"implicit_midpoint"``,
        ``"trapezoidal"``, ``"gauss4"``, a :class:`ButcherTableau`, or a pair (A, b).
    order : int
        k, the highest power of h (the h^k term sums over the trees with k+1 vertices).
    gradient : bool, optional
        Write the terms for F = -grad f in derivatives of f (default: True for
        ``"gd"``, False otherwise: terms in F and its derivatives).

    Examples
    --------
    >>> t = generic_modified_equation("rk4", 4, gradient=False).terms[4][0]
    >>> t.coefficient, t.text      # log R(z) = z - z^5/120 + ..., R the RK4 polynomial
    (Fraction(-1, 120), "F'F'F'F'F")
    """
    if isinstance(tableau, tuple) and len(tableau) == 2:
        tab = butcher_tableau(tableau[0], tableau[1])
    else:
        tab = butcher_tableau(tableau)
    order = check_count(order, "order", 0, MAX_GENERIC_ORDER)
    grad = (
        (isinstance(tableau, str) and tableau.lower() == "gd")
        if gradient is None
        else bool(gradient)
    )
    b = modified_coefficients(tab, order + 1)
    rows = []
    for k in range(order + 1):
        row = []
        for t in sorted(trees_of_order(k + 1), key=_print_key):
            if t not in b:
                continue
            c = (
                Fraction(b[t]) / symmetry(t)
                if isinstance(b[t], Fraction | int)
                else b[t] / symmetry(t)
            )
            if grad:
                c *= (-1) ** (k + 1)
                text, tex = tensor_text(t)
            else:
                text, tex = field_text(t)
            row.append(GenericTerm(c, t, k, text, tex))
        rows.append(tuple(row))
    return GenericModifiedEquation(tab, order, grad, tuple(rows))
