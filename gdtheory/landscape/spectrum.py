"""The Hessian spectrum on a minimiser set: the result type shared by the factorisation
families (:mod:`~gdtheory.landscape.balance`) and user objectives
(:mod:`~gdtheory.landscape.minimiser_set`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..core.conversion import as_expression
from ..errors import InvalidInputError

__all__ = ["MinimiserSpectrum", "H", "fresh_symbol"]

H = sp.Symbol("h", positive=True)


@dataclass(frozen=True)
class MinimiserSpectrum:
    r"""The Hessian of a factorisation objective on its minimiser set, in closed form.

    Attributes
    ----------
    kind : str
        "scalar", "vector", "matrix", or "objective" (a user's objective, derived by
        :func:`~gdtheory.landscape.minimiser_set.objective_spectrum`).
    objective : sympy expression
        f, with mu (scalar/vector) or the entries of A (matrix) as symbols.
    variables : tuple of Symbol
    minimiser : dict
        Substitution putting a generic point on the minimiser set (mu = x y, mu = x . y,
        A = X Y^T).
    hessian : Matrix
        The Hessian at that minimiser.
    eigenvalues : dict
        Closed-form eigenvalue -> multiplicity.  Matrix case: the non-zero eigenvalues are
        the non-zero sums sigma_i(X)^2 + sigma_j(Y)^2 (i <= n, j <= m, sigma_i = 0 beyond
        the rank), by the Kronecker-sum identity in ``identities``; the rest are 0.
    sharp : Expr
        The largest eigenvalue (scalar/vector: ||x||^2 + ||y||^2).
    imbalance : Expr
        ||x - y||^2 (scalar, vector); sigma-based in the matrix case (a string note).
    sharp_minus_imbalance : Expr
        sharp - imbalance on the minimiser set: 2 mu, so the sharp eigenvalue is minimal
        exactly at balance (scalar, vector).
    identities : dict of str -> bool
        Every identity that was checked symbolically, with its outcome.
    conserved : tuple of Expr
        Quantities gradient flow conserves, from the objective's linear symmetries
        (X^T X - Y^T Y entries, x_i^2 - x_j^2, ...).
    generators : tuple of Matrix
        The symmetric S_k with conserved x^T S_k x; S_k x are the flat directions.
    residuals : tuple of Expr
        r with f = |r|^2 / 2; the minimiser set is r = 0.
    gram : Matrix or None
        J J^T (J = dr/dx): its eigenvalues are the non-zero Hessian eigenvalues on the
        minimiser set (H = J^T J there).
    charpoly : Expr or None
        det(lam I - J J^T), exact, in the symbol ``lam``.
    sharp_direction : Matrix or None
        J^T v for the top eigenvector v of J J^T (one residual: grad r).
    """

    kind: str
    objective: sp.Expr = field(repr=False)
    variables: tuple[sp.Symbol, ...] = field(repr=False)
    minimiser: dict[Any, Any] = field(repr=False)
    hessian: sp.Matrix = field(repr=False)
    eigenvalues: dict[Any, int]
    sharp: Any
    imbalance: Any
    sharp_minus_imbalance: Any
    identities: dict[str, bool]
    conserved: tuple[Any, ...] = ()
    generators: tuple[Any, ...] = field(default=(), repr=False)
    residuals: tuple[Any, ...] = field(default=(), repr=False)
    gram: Any = field(default=None, repr=False)
    charpoly: Any = field(default=None, repr=False)
    sharp_direction: Any = field(default=None, repr=False)

    @property
    def all_identities_hold(self) -> bool:
        return all(self.identities.values())

    @property
    def flat_directions(self) -> tuple[Any, ...]:
        """S_k x for each symmetry generator: tangent to the minimiser set, in ker H."""
        x = sp.Matrix(self.variables)
        return tuple(S * x for S in self.generators)

    def stability(self, h: Any = H) -> Any:
        """The linear-stability condition of GD at a minimiser, sharp <= 2/h (SymPy).

        ``h`` is the symbol h (the default), a number > 0 or an expression (a string is
        parsed safely and may use h)."""
        if self.sharp is None:
            raise InvalidInputError(
                "no closed-form sharp eigenvalue: use charpoly, or enclose it at a point"
            )
        rate = as_expression(h, "h", extra=[H])
        if rate.is_number and not rate.is_positive:
            raise InvalidInputError(f"h must be > 0, got {rate}")
        return sp.Le(self.sharp, 2 / rate)


def fresh_symbol(name: str, taken: set[str]) -> sp.Symbol:
    """The symbol ``name``, or ``name_``, ``name__``, ... when a variable already has the
    name (the eigenvalue symbol ``lam`` of a characteristic polynomial must not be a
    variable called lam).

    >>> fresh_symbol("lam", {"x", "lam"})
    lam_
    """
    while name in taken:
        name += "_"
    return sp.Symbol(name)
