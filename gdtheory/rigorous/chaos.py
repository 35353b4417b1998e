r"""Period three implies chaos, certified (:func:`certify_period_three_chaos`).

A certified orbit of least period 3 of a continuous map of an interval (here the 1-D GD
map Phi(x) = x - h f'(x) on R) gives, by Sharkovskii's theorem (1964), periodic orbits of
every period, and by Li and Yorke ("Period three implies chaos", Amer. Math. Monthly 82,
1975) an uncountable scrambled set.  The orbit is proved by
:func:`~gdtheory.rigorous.orbits.certify_periodic_orbit`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from ..core.objective import Objective, numeric_objective
from ..core.scalars import RealLike
from ..errors import InvalidInputError, ShapeError
from .certificate import Certificate
from .orbits import OrbitCertificate, certify_periodic_orbit

__all__ = ["ChaosCertificate", "certify_period_three_chaos"]


@dataclasses.dataclass(frozen=True)
class ChaosCertificate(Certificate):
    """Period three implies chaos, for a 1-D GD map.

    ``proved`` when ``orbit`` proves an orbit of least period 3; ``conclusion`` states
    what follows (Sharkovskii; Li and Yorke).
    """

    KIND: ClassVar[str] = "chaos"

    orbit: OrbitCertificate
    conclusion: str

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> ChaosCertificate:
        d = dict(d)
        if not isinstance(d.get("orbit"), dict):
            raise InvalidInputError("malformed chaos certificate: 'orbit' must be an object")
        orbit = OrbitCertificate.from_data(d.pop("orbit"))
        return dataclasses.replace(super().from_data({**d, "orbit": None}), orbit=orbit)

    def reprove(self) -> ChaosCertificate:
        """Re-prove the orbit, then draw the conclusion again."""
        return _conclude(self.orbit.reprove())

    def __str__(self) -> str:
        return f"{self.conclusion}\n{self.orbit}"


def certify_period_three_chaos(
    objective: Objective | str,
    points: Any,
    *,
    h: RealLike,
    radius: RealLike,
    prec: int = 128,
) -> ChaosCertificate:
    """Certify an orbit of least period 3 of x -> x - h f'(x) and state the conclusion.

    >>> import math
    >>> from gdtheory.objectives import logistic_conjugate  # GD map 2x^2 - 1 at h = 1
    >>> pts = [math.cos(2 * math.pi * k / 7) for k in (1, 2, 4)]
    >>> c = certify_period_three_chaos(logistic_conjugate(), pts, h=1, radius=1e-8)
    >>> c.proved, c.orbit.stable
    (True, False)
    """
    obj = numeric_objective(objective)
    if obj.dim != 1:
        raise ShapeError(f"period three implies chaos for maps of an interval: dim is {obj.dim}")
    pts = list(points)
    if len(pts) != 3:
        raise ShapeError(f"give the 3 points of a period-3 orbit, got {len(pts)}")
    return _conclude(certify_periodic_orbit(obj, [[p] for p in pts], h=h, radius=radius, prec=prec))


def _conclude(cert: OrbitCertificate) -> ChaosCertificate:
    """What an orbit certificate of period 3 proves about the 1-D map."""
    proved = cert.proved and cert.minimal_period and cert.period == 3
    if proved:
        conclusion = (
            f"PROVED: the continuous map x -> x - h f'(x) on R (f = {cert.objective}, "
            f"h = {cert.h}) has a point of least period 3. By Sharkovskii's theorem (1964) it "
            "has periodic points of every period n >= 1, and by Li and Yorke (1975, 'Period "
            "three implies chaos') it has an uncountable scrambled set."
        )
    else:
        conclusion = f"NOT PROVED: {cert.reason or 'no orbit of least period 3 certified'}"
    return ChaosCertificate(cert, conclusion, proved=proved, reason="" if proved else conclusion)
