r"""The smoothness constant L of an objective (SPEC T1).

f is L-smooth when grad f is L-Lipschitz.  For a C^2 function on a convex set this is
equivalent to  sup_x rho(H(x)) <= L, where rho is the spectral radius of the (symmetric)
Hessian H; so every L below is a bound on rho(H).

Three scopes (:class:`SmoothnessScope`):

* ``GLOBAL`` (no box, no point): exact for quadratics, L = max_i |lambda_i(A)|.  A
  polynomial of degree >= 3 has a non-constant polynomial Hessian entry, unbounded on
  R^n, so *no* global L exists (x**4 is not smooth): :class:`NoGlobalSmoothnessError`.
  For other objectives gdtheory does not guess: pass a box or a point.
* ``POINT``: rho(H(x)) at one point, by a symmetric eigensolver at ``dps`` digits.
* ``BOX``: a *certified* upper bound over a box.  Certification: the box is split into
  sub-boxes; on each, every Hessian entry is enclosed in an arb ball
  (:mod:`gdtheory.rigorous.balls`), giving an entrywise bound |H_ij(x)| <= B_ij valid for all
  x in the sub-box.  Then rho(H(x)) <= rho(|H(x)|) <= rho(B) (Perron-Frobenius, since
  |H| <= B entrywise), and rho(B) <= max_i (B v)_i / v_i for any positive v
  (Collatz-Wielandt); v is B's numerical Perron vector and the quotient is computed in
  exact rational arithmetic.  The maximum over sub-boxes is the certified bound.  A
  lower estimate (max of rho(H) at sub-box centres) is reported alongside, so the gap
  shows how tight the bound is.  Ball arithmetic overestimates expressions where a
  variable occurs many times (softplus'' = e^u/(1+e^u) - e^{2u}/(1+e^u)^2, say): the bound
  stays valid but can be loose; more ``pieces`` tighten it.

References
----------
Nesterov, *Lectures on Convex Optimization* (2018), Lemma 1.2.2.
Horn and Johnson, *Matrix Analysis* (2013), Thm 8.1.18 and 8.1.26 (Perron, Collatz-Wielandt).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..core.objective import Objective, as_objective
from ..core.scalars import check_box, check_dps
from ..errors import InvalidInputError, NoGlobalSmoothnessError
from .balls import arb_upper, box_ball, enclose, subdivide, to_fraction

__all__ = ["SmoothnessScope", "SmoothnessConstant", "smoothness_constant"]


class SmoothnessScope(str, enum.Enum):
    GLOBAL = "global"
    POINT = "point"
    BOX = "box"


@dataclass(frozen=True)
class SmoothnessConstant:
    """A smoothness constant with what it means.

    Attributes
    ----------
    value : sympy number
        L (exact for GLOBAL on quadratics; an exact rational upper bound for BOX;
        a float-valued SymPy Float at ``dps`` digits for POINT).
    scope : SmoothnessScope
    certified : bool
        True when ``value`` is a proven bound (GLOBAL exact, or BOX by ball arithmetic).
    method : str
        How it was obtained.
    lower : float or None
        For BOX, the largest rho(H) seen at sub-box centres: the true sup lies in
        [lower, value].
    """

    value: sp.Expr
    scope: SmoothnessScope
    certified: bool
    method: str
    lower: float | None = None

    def __float__(self) -> float:
        v = float(self.value)
        if self.certified and self.scope is SmoothnessScope.BOX:
            return float(np.nextafter(v, np.inf))  # round up: stay an upper bound
        return v


def smoothness_constant(
    objective: Objective,
    box: Any = None,
    point: Any = None,
    *,
    pieces: int | None = None,
    dps: int = 30,
) -> SmoothnessConstant:
    """The smoothness constant L of ``objective``: global, at a point, or over a box.

    Parameters
    ----------
    box : sequence of (low, high) pairs, one per coordinate, optional
    point : a point, optional
    pieces : sub-divisions per side for the box bound (default: about 4096 sub-boxes)
    dps : digits for the point evaluation

    Examples
    --------
    >>> from gdtheory.objectives import quadratic, double_well
    >>> smoothness_constant(quadratic([[2, 1], [1, 2]])).value
    3
    >>> smoothness_constant(double_well())
    Traceback (most recent call last):
    ...
    gdtheory.errors.NoGlobalSmoothnessError: no global smoothness constant exists ...
    >>> L = smoothness_constant(double_well(), box=[(-2, 2)])
    >>> 11 <= float(L) <= 11.1, L.certified
    (True, True)
    """
    objective = as_objective(objective)
    if box is not None and point is not None:
        raise InvalidInputError("give either box= or point=, not both")
    if point is not None:
        return _at_point(objective, point, check_dps(dps))
    if box is not None:
        return _over_box(objective, box, pieces)
    return _global(objective)


def _global(objective: Objective) -> SmoothnessConstant:
    H = objective.hessian
    if objective.is_quadratic:
        eigs = H.eigenvals()
        L = sp.Max(*[sp.Abs(e) for e in eigs]) if eigs else sp.Integer(0)
        L = sp.simplify(L)
        return SmoothnessConstant(
            L, SmoothnessScope.GLOBAL, True, "exact eigenvalues of the constant Hessian"
        )
    deg = objective.polynomial_degree
    if deg is not None:
        entry = next(e for e in H if not e.is_number)
        raise NoGlobalSmoothnessError(
            f"no global smoothness constant exists for {objective.name}: it is a polynomial "
            f"of degree {deg}, so the Hessian entry {entry} is a non-constant polynomial, "
            "unbounded on R^n; pass box=[(low, high), ...] for a certified bound on a box, "
            "or point= for the local value"
        )
    raise NoGlobalSmoothnessError(
        f"cannot determine a global smoothness constant of {objective.name} symbolically; "
        "pass box=[(low, high), ...] for a certified bound on a box, or point= for the "
        "spectral radius of the Hessian at a point"
    )


def _at_point(objective: Objective, point: Any, dps: int) -> SmoothnessConstant:
    with mpmath.workdps(dps):
        x = objective.point_mp(point, "point")
        H = objective.hess_mp(x)
        if not all(mpmath.isfinite(v) for v in H):
            raise InvalidInputError(f"the Hessian is not finite at point={point!r}")
        eig = mpmath.eigsy(H, eigvals_only=True)
        rho = max(abs(e) for e in eig)
        value = sp.Float(mpmath.nstr(rho, dps), dps)
    return SmoothnessConstant(
        value,
        SmoothnessScope.POINT,
        False,
        f"spectral radius of the Hessian at the point ({dps} digits)",
    )


def _over_box(objective: Objective, box: Any, pieces: int | None) -> SmoothnessConstant:
    n = objective.dim
    sides = [
        (to_fraction(lo, "box low"), to_fraction(hi, "box high")) for lo, hi in check_box(box, n)
    ]
    if any(max(abs(a), abs(b)) > Fraction(10) ** 300 for a, b in sides):
        raise InvalidInputError("box sides beyond 1e300 are outside the range of this bound")
    if pieces is None:
        pieces = max(1, int(round(4096 ** (1 / n))))
    if not isinstance(pieces, int) or pieces < 1 or pieces**n > 10**6:
        raise InvalidInputError(f"pieces={pieces!r}: need an integer >= 1 with pieces**n <= 1e6")
    H = objective.hessian
    best = Fraction(0)
    lower = 0.0
    for sub in subdivide(sides, pieces):
        env = {s: box_ball(lo, hi) for s, (lo, hi) in zip(objective.symbols, sub, strict=True)}
        B = np.empty((n, n), dtype=object)
        for i in range(n):
            for j in range(i, n):
                ball = enclose(H[i, j], env)
                try:
                    B[i, j] = B[j, i] = arb_upper(abs(ball))
                except ValueError:
                    raise InvalidInputError(
                        f"the Hessian entry H[{i},{j}] = {H[i, j]} is not finite or not "
                        f"defined on the sub-box {[(float(a), float(b)) for a, b in sub]}; "
                        "f is not smooth there: choose a box inside its domain"
                    ) from None
        best = max(best, _collatz_wielandt(B))
        centre = [float((lo + hi) / 2) for lo, hi in sub]
        Hc = objective.hess_np(np.array(centre))
        lower = max(lower, float(np.max(np.abs(np.linalg.eigvalsh(Hc)))))
    return SmoothnessConstant(
        sp.Rational(best.numerator, best.denominator),
        SmoothnessScope.BOX,
        True,
        f"arb enclosure of the Hessian on {pieces}^{n} sub-boxes + Perron/Collatz-Wielandt bound",
        lower,
    )


def _collatz_wielandt(B: np.ndarray) -> Fraction:
    """An exact upper bound max_i (Bv)_i / v_i >= rho(B) for entrywise non-negative B."""
    n = B.shape[0]
    if n == 1:
        return Fraction(B[0, 0])
    try:
        Bf = B.astype(float)
    except OverflowError:  # entries beyond the float range: the max row sum also bounds rho
        return max(sum((B[i, j] for j in range(n)), Fraction(0)) for i in range(n))
    w, V = np.linalg.eigh(Bf)
    v = np.abs(V[:, np.argmax(w)])
    v = np.maximum(v, 1e-3 * max(v.max(), 1e-300))  # strictly positive
    vq = [Fraction(float(t)) for t in v]
    return max(sum((B[i, j] * vq[j] for j in range(n)), Fraction(0)) / vq[i] for i in range(n))
