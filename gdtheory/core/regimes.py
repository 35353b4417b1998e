r"""Learning-rate regimes relative to the smoothness constant L (claim T2).

On the quadratic f = (L/2) x^2, GD is x_{k+1} = (1 - hL) x_k, so the regime is decided by
the factor q = 1 - hL:

=======================  =============  ======================================
regime                   condition      behaviour on (L/2) x^2
=======================  =============  ======================================
``GRADIENT_FLOW_LIKE``   h < 1/L        0 < q < 1: monotone, like the flow
``ONE_STEP``             h = 1/L        q = 0: the minimiser in one step
``OSCILLATORY``          1/L < h < 2/L  -1 < q < 0: sign flips, |x| and f decrease
``CRITICAL``             h = 2/L        q = -1: period 2
``BEYOND_STABILITY``     h > 2/L        q < -1: |x_k| -> infinity
=======================  =============  ======================================

The boundary h = 1/L, which claim T2's statement does not name, gets its own member rather than
being folded into a neighbour.  Comparisons are exact (SymPy rationals): ``h="2/3"``
with ``L=3`` is critical; a float h is compared by its exact binary value unless
``rtol`` is given.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sympy as sp

from ..errors import InvalidInputError
from .scalars import RealLike, exact_real, positive_real

__all__ = ["Regime", "RegimeClassification", "lr_regime"]


class Regime(str, enum.Enum):
    GRADIENT_FLOW_LIKE = "gradient_flow_like"
    ONE_STEP = "one_step"
    OSCILLATORY = "oscillatory"
    CRITICAL = "critical"
    BEYOND_STABILITY = "beyond_stability"

    @property
    def message(self) -> str:
        return {
            "gradient_flow_like": "h < 1/L: monotone iterates that follow the gradient flow.",
            "one_step": "h = 1/L: on the quadratic, GD lands on the minimiser in one step.",
            "oscillatory": "1/L < h < 2/L: iterates flip sign but |x| and f still decrease.",
            "critical": "h = 2/L: on the quadratic, GD is periodic with period 2.",
            "beyond_stability": (
                "h > 2/L: GD diverges on the quadratic; on non-quadratic f it may converge "
                "to a flatter region, a periodic orbit or a chaotic attractor."
            ),
        }[self.value]

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class RegimeClassification:
    """The regime of h for smoothness constant L, with the thresholds used."""

    regime: Regime
    h: sp.Expr
    L: sp.Expr
    monotone_threshold: sp.Expr
    stability_threshold: sp.Expr
    hL: sp.Expr

    @property
    def message(self) -> str:
        return self.regime.message


def lr_regime(
    *,
    h: RealLike,
    L: RealLike,
    rtol: RealLike = 0,
) -> RegimeClassification:
    """Classify the learning rate h against 1/L and 2/L.

    ``rtol`` widens the two boundaries h = 1/L and h = 2/L to |hL - c| <= c * rtol.

    >>> lr_regime(h="2/3", L=3).regime
    <Regime.CRITICAL: 'critical'>
    >>> r = lr_regime(h=0.5, L=1); r.regime.value, r.monotone_threshold, r.stability_threshold
    ('gradient_flow_like', 1, 2)
    >>> lr_regime(h=-1, L=1)
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: h must be > 0, got -1
    """
    he = positive_real(h, "h")
    Le = positive_real(L, "L")
    tol = exact_real(rtol, "rtol")
    if tol < 0:
        raise InvalidInputError(f"rtol must be >= 0, got {rtol!r}")
    hL = sp.simplify(he * Le)

    def near(c: int) -> bool:
        return bool(abs(hL - c) <= c * tol)

    if near(1):
        regime = Regime.ONE_STEP
    elif near(2):
        regime = Regime.CRITICAL
    elif hL < 1:
        regime = Regime.GRADIENT_FLOW_LIKE
    elif hL < 2:
        regime = Regime.OSCILLATORY
    else:
        regime = Regime.BEYOND_STABILITY
    return RegimeClassification(regime, he, Le, 1 / Le, 2 / Le, hL)
