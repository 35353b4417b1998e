r"""The smoothness constant L of an objective (claim T1).

f is L-smooth when grad f is L-Lipschitz.  For a C^2 function on a convex set this is
equivalent to  sup_x rho(H(x)) <= L, where rho is the spectral radius of the (symmetric)
Hessian H; so every L below is a bound on rho(H).

Three scopes (:class:`SmoothnessScope`):

* ``GLOBAL`` (no box, no point): exact for quadratics, L = max_i |lambda_i(A)|.  A
  polynomial of degree >= 3 has a non-constant polynomial Hessian entry, unbounded on
  R^n, so *no* global L exists (x**4 is not smooth): :class:`NoGlobalSmoothnessError`.
  Other objectives get a *certified* global bound when their Hessian is bounded in a way
  the enclosure below can see (:mod:`gdtheory.rigorous.global_bounds`): R^n is covered
  by the box [-M, M]^n (bounded as in ``BOX``) and the unbounded regions around it; on
  those, every exp(r v) (v linear, of one sign on the region) becomes a power of
  w = exp(-|v|) in (0, exp(-M')], sin and cos of an unbounded argument become [-1, 1], the
  entry is cancelled as a rational function of the w's and enclosed.  Regions that stay
  undecided are split (finite sides in halves, [a, oo) into [a, 2a] and [2a, oo)).  So
  log(1 + exp(-x)) gets L = 1/4 (up to the enclosure's slack), log cosh x gets 1 and
  x^2/2 + 2 cos x gets 3.  Where no finite bound is found, the error says so (it does not
  claim that the Hessian is unbounded).
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
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import mpmath
import numpy as np
import sympy as sp

from ..core.budget import Meter
from ..core.objective import Objective, numeric_objective
from ..core.scalars import check_box, check_dps
from ..errors import InvalidInputError, NoGlobalSmoothnessError
from .balls import arb_upper, box_ball, enclose, subdivide, to_fraction
from .certificate import Certificate, objective_from_text
from .global_bounds import entry_bound, equivalent_forms, outer_regions, split_region

__all__ = [
    "SmoothnessScope",
    "SmoothnessConstant",
    "SmoothnessCertificate",
    "certify_smoothness",
    "smoothness_constant",
]


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
    objective = numeric_objective(objective)
    if box is not None and point is not None:
        raise InvalidInputError("give either box= or point=, not both")
    if point is not None:
        return _at_point(objective, point, check_dps(dps))
    if box is not None:
        return _over_box(objective, box, pieces)
    return _global(objective, pieces)


def _global(objective: Objective, pieces: int | None = None) -> SmoothnessConstant:
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
    return _global_bound(objective, pieces)


#: Half-width of the central box of the global bound, and the budget of outer regions.
GLOBAL_CORE = Fraction(8)
GLOBAL_REGIONS = 400
GLOBAL_FAR = Fraction(10) ** 6  # give up on regions that reach beyond this


def _global_bound(objective: Objective, pieces: int | None) -> SmoothnessConstant:
    """The certified global bound of :mod:`gdtheory.rigorous.global_bounds`."""
    n = objective.dim
    core = _over_box(objective, [(-GLOBAL_CORE, GLOBAL_CORE)] * n, pieces)
    best = Fraction(int(core.value.p), int(core.value.q))
    queue = outer_regions(n, GLOBAL_CORE)
    H = objective.hessian
    used = 0
    while queue:
        region = queue.pop()
        used += 1
        B = _region_bounds(H, objective.symbols, region)
        extent = max((abs(v) for side in region for v in side if v is not None), default=0)
        if B is None:
            if used > GLOBAL_REGIONS or extent > GLOBAL_FAR:
                sides = " x ".join(
                    f"[{'-oo' if a is None else a}, {'oo' if b is None else b}]" for a, b in region
                )
                raise NoGlobalSmoothnessError(
                    f"no certified global smoothness constant found for {objective.name}: "
                    f"after {used} regions outside [-{GLOBAL_CORE}, {GLOBAL_CORE}]^{n} the "
                    f"Hessian still has no finite enclosure on {sides} (it may be unbounded "
                    "there, or beyond what the enclosure can see); pass box=[(low, high), "
                    "...] for a certified bound on a box, or point= for the local value"
                )
            queue.extend(split_region(region))
            continue
        bound = _collatz_wielandt(B)
        fine = Fraction(1, 1024)
        wide = any(a is not None and b is not None and b - a > fine for a, b in region)
        if bound > best * Fraction(1001, 1000) and wide and used + len(queue) < GLOBAL_REGIONS:
            queue.extend(split_region(region, fine))  # looser than the core: tighten
            continue
        best = max(best, bound)
    return SmoothnessConstant(
        sp.Rational(best.numerator, best.denominator),
        SmoothnessScope.GLOBAL,
        True,
        f"arb enclosure of the Hessian on [-{GLOBAL_CORE}, {GLOBAL_CORE}]^{n} "
        f"({core.method.split(' on ')[1].split(' +')[0]}) and on {used} outer regions "
        "(exponentials as powers of w = exp(-|v|), rational cancellation) + "
        "Perron/Collatz-Wielandt bound",
        core.lower,
    )


def _region_bounds(H: sp.Matrix, symbols: Sequence[sp.Symbol], region: Any) -> Any:
    """Entrywise bounds |H_ij| <= B_ij on a region, or None if an entry has none."""
    n = H.shape[0]
    B = np.empty((n, n), dtype=object)
    for i in range(n):
        for j in range(i, n):
            b = entry_bound(H[i, j], symbols, region)
            if b is None:
                return None
            B[i, j] = B[j, i] = b
    return B


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
        pieces = default_pieces(n)
    if not isinstance(pieces, int) or pieces < 1 or pieces**n > 10**6:
        raise InvalidInputError(f"pieces={pieces!r}: need an integer >= 1 with pieces**n <= 1e6")
    H = objective.hessian
    best = Fraction(0)
    lower = 0.0
    forms = [[equivalent_forms(H[i, j]) for j in range(n)] for i in range(n)]
    meter = Meter("the smoothness enclosure", pieces**n, "sub-boxes")
    for done, sub in enumerate(subdivide(sides, pieces)):
        meter.tick(done)
        env = {s: box_ball(lo, hi) for s, (lo, hi) in zip(objective.symbols, sub, strict=True)}
        B = np.empty((n, n), dtype=object)
        for i in range(n):
            for j in range(i, n):
                try:
                    B[i, j] = B[j, i] = min(_abs_bounds(forms[i][j], env))
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


def _abs_bounds(forms: Sequence[sp.Expr], env: dict[sp.Symbol, Any]) -> list[Fraction]:
    """Upper bounds of |e| from each equivalent form (ValueError if none is finite)."""
    out = []
    for e in forms:
        try:
            out.append(arb_upper(abs(enclose(e, env))))
        except ValueError:
            continue
    if not out:
        raise ValueError("no finite enclosure")
    return out


def default_pieces(n: int) -> int:
    """Sub-divisions per side of an n-dimensional box: about 4096 sub-boxes in all."""
    return max(1, int(round(4096 ** (1 / n))))


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


@dataclass(frozen=True)
class SmoothnessCertificate(Certificate):
    """A certified smoothness constant: rho(Hess f(x)) <= ``bound`` for every x in the box
    (``box`` empty: every x in R^n), by the enclosures of :func:`smoothness_constant`.

    ``proved`` is True when a finite bound was certified; ``lower`` is the largest
    spectral radius seen at sample points, so the least valid L lies in [lower, bound].
    """

    KIND: ClassVar[str] = "smoothness"

    objective: str
    symbols: tuple[str, ...]
    box: tuple[tuple[str, str], ...]
    pieces: int
    bound: str
    lower: float
    method: str

    def reprove(self) -> SmoothnessCertificate:
        """Redo the enclosure from the objective text, the box and the subdivision."""
        obj = objective_from_text(self.objective, list(self.symbols))
        box = [(to_fraction(lo, "box"), to_fraction(hi, "box")) for lo, hi in self.box] or None
        return certify_smoothness(obj, box, pieces=self.pieces)


def certify_smoothness(
    objective: Objective | str, box: Any = None, *, pieces: int | None = None
) -> SmoothnessCertificate:
    """A recheckable certificate of the smoothness constant on ``box`` (None: all of R^n).

    >>> c = certify_smoothness("log(1 + exp(-x))")
    >>> c.proved, 0.25 <= float(Fraction(c.bound)) < 0.252
    (True, True)
    >>> c.recheck().proved
    True
    """
    obj = numeric_objective(objective)
    obj = objective_from_text(str(obj.expr), [str(v) for v in obj.symbols])
    n = obj.dim
    if pieces is None:
        pieces = default_pieces(n)
    L = smoothness_constant(obj, box, pieces=pieces)
    sides: tuple[tuple[str, str], ...] = ()
    if box is not None:
        sides = tuple(
            (str(to_fraction(lo, "box low")), str(to_fraction(hi, "box high")))
            for lo, hi in check_box(box, n)
        )
    if not L.certified:
        raise InvalidInputError("only certified smoothness constants make a certificate")
    return SmoothnessCertificate(
        str(obj.expr),
        tuple(str(v) for v in obj.symbols),
        sides,
        pieces,
        str(L.value),
        float(L.lower) if L.lower is not None else float(L.value),
        L.method,
        proved=True,
    )
