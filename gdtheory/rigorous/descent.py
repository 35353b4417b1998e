r"""The descent lemma proved on a box (:func:`certify_descent`).

If lambda_max(Hess f) <= L on a convex set B' containing every segment
[x, x - h grad f(x)] with x in a box B, Taylor's theorem with the integral remainder gives

    f(x - h grad f(x)) <= f(x) - h (1 - L h/2) |grad f(x)|^2     for all x in B

(Nesterov, *Lectures on Convex Optimization*, 2018, Lemma 1.2.3).  Here B' is the hull of
B and of ball enclosures of the GD step over sub-boxes of B, and L is the certified
smoothness constant of :func:`~gdtheory.rigorous.smoothness.smoothness_constant` on B'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ..core.budget import Meter
from ..core.gdmap import gd_step
from ..core.objective import Objective, numeric_objective
from ..core.scalars import RealLike, check_box, positive_real
from ..errors import InvalidInputError
from .balls import (
    ARB,
    arb_lower,
    arb_upper,
    box_ball,
    exact_fraction,
    float_or_inf,
    subdivide,
    to_fraction,
)
from .certificate import Certificate, objective_from_text
from .smoothness import smoothness_constant

__all__ = ["DescentCertificate", "certify_descent"]


@dataclass(frozen=True)
class DescentCertificate(Certificate):
    """The descent lemma proved for every x in a box at a given h.

    If lambda_max(H) <= L_bound on a convex set B' containing every segment
    [x, x - h grad f(x)] with x in the box, then
    f(x - h grad f(x)) <= f(x) - h (1 - L_bound h/2) |grad f(x)|^2 for all x in the box
    (Taylor's theorem with the integral remainder); ``proved`` when h L_bound < 2, so
    the guaranteed decrease factor ``factor`` = h (1 - L_bound h/2) is positive.
    """

    KIND: ClassVar[str] = "descent"

    objective: str
    symbols: tuple[str, ...]
    box: tuple[tuple[str, str], ...]
    h: str
    pieces: int
    hull: tuple[tuple[str, str], ...]
    L_bound: str
    factor: str

    def reprove(self) -> DescentCertificate:
        """Redo the proof from the objective text, h, the box and the subdivision."""
        obj = objective_from_text(self.objective, list(self.symbols))
        box = [(to_fraction(lo, "box"), to_fraction(hi, "box")) for lo, hi in self.box]
        return certify_descent(obj, box, h=self.h, pieces=self.pieces)


def certify_descent(
    objective: Objective,
    box: Sequence[tuple[Any, Any]],
    *,
    h: RealLike,
    pieces: int = 8,
) -> DescentCertificate:
    """Prove the descent inequality for all x in ``box`` (see :class:`DescentCertificate`).

    >>> from gdtheory import Objective
    >>> f = Objective.parse("logcosh(x + 2*y) + x**2/2")
    >>> c = certify_descent(f, [(-1, 1), (-1, 1)], h="1/4")
    >>> c.proved, float(Fraction(c.L_bound)) < 6
    (True, True)
    >>> c.recheck().proved  # re-proved from the stored exact data
    True
    """
    objective = numeric_objective(objective)
    # the statement is about the text the certificate stores (see certify_periodic_orbit)
    objective = objective_from_text(str(objective.expr), [str(s) for s in objective.symbols])
    hh = positive_real(h, "h")
    sides = [
        (exact_fraction(lo, "box low"), exact_fraction(hi, "box high"))
        for lo, hi in check_box(box, objective.dim)
    ]
    if (
        isinstance(pieces, bool)
        or not isinstance(pieces, int)
        or not 1 <= pieces**objective.dim <= 10**5
    ):
        raise InvalidInputError(
            f"pieces={pieces!r}: need an integer >= 1 with pieces**dim <= 1e5 sub-boxes"
        )
    hq = Fraction(int(hh.p), int(hh.q)) if hh.is_Rational else exact_fraction(hh, "h")
    # B' = hull of the box and of x - h grad f(x) over the box (sub-box enclosures)
    lo_all = [lo for lo, _ in sides]
    hi_all = [hi for _, hi in sides]
    meter = Meter("the descent proof", pieces**objective.dim, "sub-boxes")
    for done, sub in enumerate(subdivide(sides, pieces)):
        meter.tick(done)
        balls = [box_ball(a, b) for a, b in sub]
        for k, step in enumerate(gd_step(objective, balls, hh, ARB)):  # x - h grad f over sub
            if not step.is_finite():
                why = "the GD step is not bounded on the box"
                return _descent(objective, sides, hh, pieces, (), "inf", "0", False, why)
            lo_all[k] = min(lo_all[k], arb_lower(step))
            hi_all[k] = max(hi_all[k], arb_upper(step))
    hull = list(zip(lo_all, hi_all, strict=True))
    L = smoothness_constant(objective, box=hull).value
    Lq = Fraction(int(L.p), int(L.q))
    factor = hq * (1 - Lq * hq / 2)
    proved = hq * Lq < 2
    why = "" if proved else f"h L_bound = {float_or_inf(hq * Lq):.4g} >= 2 on the hull"
    return _descent(objective, sides, hh, pieces, hull, str(Lq), str(factor), proved, why)


def _descent(
    objective: Objective,
    sides: Sequence[tuple[Fraction, Fraction]],
    h: Any,
    pieces: int,
    hull: Sequence[tuple[Fraction, Fraction]],
    L_bound: str,
    factor: str,
    proved: bool,
    reason: str,
) -> DescentCertificate:
    return DescentCertificate(
        objective=str(objective.expr),
        symbols=tuple(str(s) for s in objective.symbols),
        box=tuple((str(a), str(b)) for a, b in sides),
        h=str(h),
        pieces=pieces,
        hull=tuple((str(a), str(b)) for a, b in hull),
        L_bound=L_bound,
        factor=factor,
        proved=proved,
        reason=reason,
    )
