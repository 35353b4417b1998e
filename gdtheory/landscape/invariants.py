r"""Linear symmetries of an objective and the conserved quantities of gradient flow.

If f(e^{tS} x) = f(x) for a symmetric matrix S (a one-parameter group of linear maps;
S = diag(1, -1) is the rescaling (x, y) -> (c x, y / c) with c = e^t), then
grad f(x) . S x = 0 for every x, and along gradient flow x' = -grad f

    d/dt (x^T S x / 2) = (S x) . x' = -(S x) . grad f(x) = 0:

Q_S(x) = x^T S x / 2 is conserved (Noether's theorem for gradient flows; Du, Hu and Lee,
NeurIPS 2018, for the layer-wise x_i^2 - x_j^2 and X^T X - Y^T Y of linear networks).
The S for which it holds form a linear space, found here exactly: grad f . S x is a
polynomial in x whose coefficients are linear in the entries of S, so the space is the
null space of a rational (or, with parameters, rational-function) matrix.  Detection
covers every quadratic invariant of this kind; a symmetry given by the user is checked
by the same identity and refused if it fails.

>>> from gdtheory.core.objective import Objective
>>> [str(q) for q in conserved_quadratics(Objective.parse("(1 - x*y*z)**2/2")).quantities]
['x**2 - y**2', 'x**2 - z**2']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from ..core.conversion import as_constant, as_real_matrix, nsimplify_exact
from ..core.objective import Objective, as_objective
from ..errors import InvalidInputError

__all__ = ["ConservedQuadratics", "conserved_quadratics"]

#: Largest number of variables for detection (n(n+1)/2 unknowns in S).
MAX_VARIABLES = 24


@dataclass(frozen=True)
class ConservedQuadratics:
    """The symmetric generators S_k and the conserved Q_k = x^T S_k x / 2 (times 2 when
    that clears the 1/2: x^2 - y^2 rather than (x^2 - y^2)/2).

    Attributes
    ----------
    variables : tuple of Symbol
    generators : tuple of Matrix
        A basis of {S symmetric : grad f(x) . S x = 0 for all x} (or the given ones).
    quantities : tuple of Expr
        x^T S_k x for each generator.
    detected : bool
        True if found by the null-space computation, False if given by the user.
    identities : dict of str -> bool
        grad f . S_k x = 0 and d/dt Q_k = 0 along gradient flow, each checked by SymPy.
    """

    variables: tuple[sp.Symbol, ...] = field(repr=False)
    generators: tuple[sp.Matrix, ...] = field(repr=False)
    quantities: tuple[sp.Expr, ...]
    detected: bool
    identities: dict[str, bool] = field(repr=False)

    def tangents(self, point: Any = None) -> tuple[sp.Matrix, ...]:
        """The symmetry directions S_k x (symbolic, or at ``point``): the flat directions
        of the Hessian on the minimiser set."""
        x = sp.Matrix(self.variables)
        out = tuple(S * x for S in self.generators)
        if point is None:
            return out
        if (
            isinstance(point, str | bytes)
            or not isinstance(point, Sequence | np.ndarray)
            or len(point) != len(self.variables)
        ):
            raise InvalidInputError(f"point must have {len(self.variables)} coordinates")
        coords = [as_constant(c, f"point[{i}]") for i, c in enumerate(point)]
        sub = dict(zip(self.variables, coords, strict=True))
        return tuple(v.subs(sub) for v in out)


def _as_generator(item: Any, n: int) -> sp.Matrix:
    """A weight vector (diagonal rescaling x_i -> c^{a_i} x_i) or a symmetric matrix."""
    M = sp.Matrix(as_real_matrix(item, "a symmetry"))
    if M.shape in ((n, 1), (1, n)):
        M = sp.diag(*list(M))
    if M.shape != (n, n):
        raise InvalidInputError(
            f"a symmetry needs {n} weights or an {n} x {n} matrix, got shape {M.shape}"
        )
    if M != M.T:
        raise InvalidInputError("a symmetry generator must be symmetric (S = S^T)")
    return M


def _invariance(grad: sp.Matrix, S: sp.Matrix, x: sp.Matrix) -> sp.Expr:
    return sp.expand((grad.T * S * x)[0, 0])


def _nullspace(A: sp.Matrix) -> list[sp.Matrix]:
    """The basis of the null space that ``A.nullspace()`` gives (from the reduced row
    echelon form: a 1 at each free column), computed over A's exact domain (QQ, or rational
    functions of the parameters) with SymPy's DomainMatrix, several times faster than
    the Matrix version on T8's objectives."""
    from sympy.polys.matrices import DomainMatrix

    dm = DomainMatrix.from_Matrix(A).to_field()
    rows = dm.nullspace(divide_last=True).to_Matrix()
    return [rows[i, :].T for i in range(rows.rows)]


def _detect(f: sp.Expr, xs: tuple[sp.Symbol, ...], grad: sp.Matrix) -> list[sp.Matrix]:
    n = len(xs)
    if n > MAX_VARIABLES:
        raise InvalidInputError(
            f"symmetry detection is limited to {MAX_VARIABLES} variables (got {n}): give "
            "the symmetry with symmetry="
        )
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    # grad f . S x is linear in the entries of S: the column of S_ij = S_ji is the
    # polynomial grad_i x_j + grad_j x_i (grad_i x_i on the diagonal), one row per
    # monomial of x; each column is expanded on its own (the whole sum is far larger)
    table: dict[tuple[int, ...], list[Any]] = {}
    for k, (i, j) in enumerate(pairs):
        column = grad[i] * xs[j] + (grad[j] * xs[i] if i != j else 0)
        try:
            poly = sp.Poly(column, *xs)
        except sp.PolynomialError as exc:
            raise InvalidInputError(
                "symmetry detection needs a polynomial objective (rational in its "
                "parameters); give the symmetry with symmetry="
            ) from exc
        for monom, coeff in poly.terms():
            table.setdefault(monom, [sp.Integer(0)] * len(pairs))[k] += coeff
    rows = list(table.values())
    A = sp.Matrix(rows) if rows else sp.zeros(1, len(pairs))
    basis = _nullspace(A)
    out = []
    for v in basis:
        v = v * sp.lcm([sp.fraction(nsimplify_exact(c))[1] for c in v if c != 0] or [1])
        lead = next((c for c in v if c != 0), 1)
        if sp.sign(lead) == -1:  # first entry positive: x**2 - y**2, not y**2 - x**2
            v = -v
        M = sp.zeros(n, n)
        for c, (i, j) in zip(v, pairs, strict=True):
            M[i, j] = M[j, i] = sp.simplify(c)
        out.append(M)
    return out


def conserved_quadratics(target: Any, symmetry: Sequence[Any] | None = None) -> ConservedQuadratics:
    """The quadratic conserved quantities of gradient flow on ``target`` (module docstring).

    ``symmetry``: optional list of generators, each a weight vector a (the rescaling
    x_i -> c^{a_i} x_i, e.g. [1, -1] for (x, y) -> (c x, y / c)) or a symmetric matrix;
    each is checked (grad f . S x = 0 identically) and refused if it is not a symmetry.
    Without it, every symmetric generator is detected (polynomial objectives).

    >>> from gdtheory.core.objective import Objective
    >>> conserved_quadratics(Objective.parse("(1 - x*y)**2/2"), symmetry=[[1, -1]]).quantities
    (x**2 - y**2,)
    """
    obj: Objective = as_objective(target)
    xs = tuple(obj.symbols)
    n = len(xs)
    f = obj.expr
    grad = sp.Matrix([sp.diff(f, v) for v in xs])
    x = sp.Matrix(xs)
    if symmetry is None:
        gens = _detect(f, xs, grad)
        detected = True
    else:
        if isinstance(symmetry, str) or not hasattr(symmetry, "__iter__"):
            raise InvalidInputError("symmetry= takes a list of generators")
        gens = [_as_generator(item, n) for item in symmetry]
        detected = False
    quantities, ids = [], {}
    for k, S in enumerate(gens):
        residue = sp.simplify(_invariance(grad, S, x))
        if not detected and residue != 0:
            raise InvalidInputError(
                f"symmetry {k} is not a symmetry of the objective: grad f . S x = "
                f"{sp.factor(residue)} is not identically 0"
            )
        q = sp.expand((x.T * S * x)[0, 0])
        quantities.append(q)
        ids[f"grad f . S_{k} x = 0"] = residue == 0
        flow = sum(sp.diff(q, v) * (-g) for v, g in zip(xs, grad, strict=True))
        ids[f"d/dt Q_{k} = 0 along gradient flow"] = sp.simplify(sp.expand(flow)) == 0
    return ConservedQuadratics(xs, tuple(gens), tuple(quantities), detected, ids)
