r"""The Hessian on the minimiser set of a sum-of-squares objective, for any objective.

For f = |r(x)|^2 / 2 the global minimisers are M = {r = 0} (when it is not empty), and

    Hess f = J^T J + sum_k r_k Hess r_k = J^T J  on M        (J = dr/dx),

so the non-zero Hessian eigenvalues on M are those of the K x K Gram matrix J J^T (K
residuals): one residual gives the single non-zero eigenvalue |grad r|^2 with eigenvector
grad r.  The flat directions are the tangents S x of the objective's linear symmetries
(:mod:`~gdtheory.landscape.invariants`), whose conserved quantities x^T S x label the
gradient-flow limits on M.  GD with step h can converge to a point of M only where it is
not linearly unstable, h lambda_max <= 2 (the balance condition; Wang, Chen, Zhao, Tao,
ICLR 2022, sec. 3, for matrix factorisation).

Everything is derived by SymPy and every identity used is checked (``identities``).

>>> s = objective_spectrum("(1 - x*y*z)**2/2")
>>> s.sharp, s.conserved
(x**2*y**2 + x**2*z**2 + y**2*z**2, (x**2 - y**2, x**2 - z**2))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..core.objective import Objective, as_objective
from ..core.parsing import parse_expression
from ..errors import InvalidInputError
from .invariants import conserved_quadratics
from .spectrum import MinimiserSpectrum, fresh_symbol

__all__ = ["objective_spectrum", "sum_of_squares"]

#: Largest Gram matrix whose eigenvalues are asked of SymPy in closed form.
MAX_CLOSED_FORM = 2
#: Largest Gram matrix whose characteristic polynomial is expanded exactly.
MAX_CHARPOLY = 4


def sum_of_squares(expr: sp.Expr) -> tuple[sp.Expr, ...] | None:
    """Residuals r with expr = |r|^2 / 2 read off the expression's structure (no
    expansion), or None.

    >>> from gdtheory.core.objective import Objective
    >>> sum_of_squares(Objective.parse("(1 - x*y)**2/2 + 3*(x - 2)**2/2").expr)
    (-x*y + 1, sqrt(3)*(x - 2))
    """
    two_f = sp.expand_mul(2 * sp.sympify(expr, strict=True), deep=False)
    terms = sp.Add.make_args(two_f)
    out = []
    for t in terms:
        coeff, rest = t.as_coeff_Mul()
        if coeff <= 0:
            return None
        root = sp.Integer(1)
        for factor in sp.Mul.make_args(rest):  # SymPy writes (x y)^2 as x^2 y^2
            base, exp = factor.as_base_exp()
            if not (exp.is_Integer and exp.is_even and exp > 0):
                return None
            root *= base ** (exp / 2)
        out.append(sp.sqrt(coeff) * root)
    return tuple(out)


def _residual(item: Any, obj: Objective) -> sp.Expr:
    """A residual given as text (parsed without executing it) or as a SymPy expression
    in the objective's variables and parameters."""
    known = set(obj.symbols) | set(obj.params)
    if isinstance(item, str):
        expr, _ = parse_expression(item, obj.symbols, extra_names=obj.params)
        return expr
    if isinstance(item, sp.Expr) and item.free_symbols <= known:
        return item
    raise InvalidInputError(
        f"a residual must be a string or a SymPy expression in {sorted(map(str, known))}, "
        f"got {item!r}"
    )


def objective_spectrum(
    target: Any,
    *,
    residuals: Sequence[Any] | None = None,
    symmetry: Sequence[Any] | None = None,
) -> MinimiserSpectrum:
    """The balancing analysis of a user objective f = |r|^2/2 (module docstring).

    ``residuals`` gives r when f is not written as a sum of squares; ``symmetry`` gives
    the symmetry generators (weight vectors or symmetric matrices; detected otherwise).
    """
    obj: Objective = as_objective(target)
    xs = tuple(obj.symbols)
    f = obj.expr
    if residuals is None:
        found = sum_of_squares(f)
        if found is None:
            raise InvalidInputError(
                "the objective is not written as a sum of squares |r|^2/2: give its "
                "residuals with residuals=[...] (the minimiser set is r = 0)"
            )
        r = sp.Matrix(found)
    else:
        r = sp.Matrix([_residual(e, obj) for e in residuals])
    ids: dict[str, bool] = {
        "f = |r|^2 / 2": sp.expand(f - (r.T * r)[0, 0] / 2) == 0,
    }
    if not ids["f = |r|^2 / 2"]:
        raise InvalidInputError("the residuals do not satisfy f = |r|^2 / 2")
    J = r.jacobian(xs)
    Hs = sp.hessian(f, xs)
    second = sum((r[k] * sp.hessian(r[k], xs) for k in range(r.rows)), sp.zeros(len(xs), len(xs)))
    ids["Hess f = J^T J + sum_k r_k Hess r_k (= J^T J on r = 0)"] = all(
        sp.expand(e) == 0 for e in Hs - J.T * J - second
    )
    gram = (J * J.T).applyfunc(sp.expand)
    K = gram.rows
    charpoly = None
    if K <= MAX_CHARPOLY:
        lam = fresh_symbol("lam", {s.name for s in gram.free_symbols})
        poly = gram.charpoly(lam)
        charpoly = poly.as_expr().subs(poly.gen, lam)
    inv = conserved_quadratics(obj, symmetry)
    ids.update(inv.identities)
    x = sp.Matrix(xs)
    for k, S in enumerate(inv.generators):
        ids[f"S_{k} x is flat: J S_{k} x = 0 (each residual invariant)"] = all(
            sp.expand(e) == 0 for e in J * S * x
        )
    if K == 1:
        sharp = sp.expand(gram[0, 0])
        eig: dict[Any, int] = {sharp: 1, sp.Integer(0): len(xs) - 1}
        direction = J.T
    elif K <= MAX_CLOSED_FORM:
        eig = {sp.simplify(k): v for k, v in gram.eigenvals().items()}
        eig[sp.Integer(0)] = eig.get(sp.Integer(0), 0) + len(xs) - K
        sharp, direction = None, None
    else:
        eig, sharp, direction = {}, None, None
    minimiser = {"equations": tuple(r)}
    return MinimiserSpectrum(
        "objective",
        f,
        xs,
        minimiser,
        (J.T * J),
        eig,
        sharp,
        None,
        None,
        ids,
        conserved=inv.quantities,
        generators=inv.generators,
        residuals=tuple(r),
        gram=gram,
        charpoly=charpoly,
        sharp_direction=direction,
    )
