r"""Stability of the minimisers of the scalar factorisation, decided on a box
(:func:`certify_balance`).

At a minimiser xy = mu of (mu - xy)^2/2 the Hessian has eigenvalues 0 and s = x^2 + y^2,
and s - 2 mu = (x - y)^2; GD converges to it from a generic start only if h s <= 2, i.e.
(x - y)^2 <= 2/h - 2 mu (the balance bound; Wang, Chen, Zhao and Tao, "Large learning
rate tames homogeneity: convergence and balancing effect", ICLR 2022).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import sympy as sp

from ..core.scalars import RealLike, positive_real
from ..errors import InvalidInputError, ShapeError
from .balls import Prec, arb_lower, arb_upper, box_ball, enclose, exact_fraction, to_fraction
from .certificate import Certificate

__all__ = [
    "BalanceCertificate",
    "SpectrumEnclosure",
    "certify_balance",
    "enclose_minimiser_spectrum",
]


@dataclass(frozen=True)
class BalanceCertificate(Certificate):
    """Linear stability of the minimisers xy = mu inside a box, decided rigorously.

    At a minimiser the Hessian of (mu - xy)^2/2 has eigenvalues 0 and s = x^2 + y^2 and
    s - 2 mu = (x - y)^2, so GD can converge to it (from a generic start) only if
    h s <= 2, i.e. (x - y)^2 <= 2/h - 2 mu.  ``sharp`` and ``imbalance`` enclose s and
    (x - y)^2 over the minimisers in the box; ``stable`` is True when h s < 2 for all of
    them, False when h s > 2 for all, None otherwise; ``contains_minimiser`` says whether
    xy - mu changes sign on the box (so the set is not empty).  ``proved`` when the box
    holds minimisers and their stability is decided.
    """

    KIND: ClassVar[str] = "balance"

    box: tuple[tuple[str, str], ...]
    h: str
    mu: str
    sharp: tuple[str, str]
    imbalance: tuple[str, str]
    bound: str
    contains_minimiser: bool
    stable: bool | None

    def reprove(self) -> BalanceCertificate:
        """Redo the enclosures from h, mu and the box."""
        return certify_balance(
            [(to_fraction(a, "box"), to_fraction(b, "box")) for a, b in self.box],
            h=self.h,
            mu=self.mu,
        )


def _x_range(
    xl: Fraction, xh: Fraction, yl: Fraction, yh: Fraction, mu: Fraction
) -> tuple[Fraction | None, Fraction | None]:
    """The x in [xl, xh] (not containing 0) with mu/x in [yl, yh], as an interval."""
    if xl > 0:  # y = mu/x > 0, decreasing in x
        if yh <= 0:
            return None, None
        lo = max(xl, mu / yh)
        hi = min(xh, mu / yl) if yl > 0 else xh
    else:  # x < 0: y = mu/x < 0, decreasing in x
        if yl >= 0:
            return None, None
        lo = max(xl, mu / yh) if yh < 0 else xl  # y <= yh  <=>  x >= mu/yh
        hi = min(xh, mu / yl)  # y >= yl  <=>  x <= mu/yl
    return lo, hi


def certify_balance(
    box: Sequence[tuple[Any, Any]],
    *,
    h: RealLike,
    mu: RealLike,
) -> BalanceCertificate:
    """Enclose the balance bound's hypotheses over the minimisers of (mu - xy)^2/2 in a box.

    The minimisers in the box are parametrised by x (y = mu/x), so s = x^2 + mu^2/x^2 and
    (x - y)^2 = x^2 - 2 mu + mu^2/x^2 are enclosed over the x-range where mu/x meets the
    y-range.

    >>> c = certify_balance([(0.9, 1.1), (0.9, 1.1)], h="1/2", mu=1)
    >>> c.contains_minimiser, c.stable     # s ~ 2 and h s ~ 1 < 2
    (True, True)
    >>> certify_balance([(2.9, 3.1), (0.3, 0.36)], h="1/2", mu=1).stable  # s ~ 9.1, h s > 2
    False
    >>> c.recheck() == c
    True
    """
    hh = positive_real(h, "h")
    m = positive_real(mu, "mu")
    if len(box) != 2:
        raise ShapeError("the scalar factorisation box has two sides (x, y)")
    (xl, xh), (yl, yh) = [(exact_fraction(a, "box"), exact_fraction(b, "box")) for a, b in box]
    if xh < xl or yh < yl:
        raise InvalidInputError("box side with high < low")
    mq = exact_fraction(m, "mu")
    hq = exact_fraction(hh, "h")
    if xl <= 0 <= xh:
        raise InvalidInputError("the x-range must not contain 0 (y = mu/x)")
    lo_x, hi_x = _x_range(xl, xh, yl, yh, mq)
    contains = lo_x is not None and hi_x is not None and lo_x <= hi_x
    bound = 2 / hq - 2 * mq
    if not contains:
        return BalanceCertificate(
            tuple((str(a), str(b)) for a, b in box),
            str(hh),
            str(m),
            ("", ""),
            ("", ""),
            str(bound),
            False,
            None,
            proved=False,
            reason="the box holds no minimiser xy = mu",
        )
    assert lo_x is not None and hi_x is not None
    with Prec(128):
        xb = box_ball(lo_x, hi_x)
        x = sp.Symbol("x")
        s = enclose(x**2 + sp.Rational(mq.numerator, mq.denominator) ** 2 / x**2, {x: xb})
        imb = s - 2 * box_ball(mq, mq)
        hs = box_ball(hq, hq) * s
        stable = True if hs < 2 else False if hs > 2 else None
        s_lo, s_hi = arb_lower(s), arb_upper(s)
        i_lo, i_hi = arb_lower(imb), arb_upper(imb)
    return BalanceCertificate(
        box=((str(xl), str(xh)), (str(yl), str(yh))),
        h=str(hh),
        mu=str(m),
        sharp=(str(s_lo), str(s_hi)),
        imbalance=(str(max(i_lo, Fraction(0))), str(i_hi)),
        bound=str(bound),
        contains_minimiser=True,
        stable=stable,
        proved=stable is not None,
        reason="" if stable is not None else "h s straddles 2 on the box: stability undecided",
    )


@dataclass(frozen=True)
class SpectrumEnclosure:
    """Certified enclosures of the non-zero Hessian eigenvalues at one exact point of a
    minimiser set (the eigenvalues of J J^T there, by ball arithmetic).

    Attributes
    ----------
    point : tuple of Fraction
    eigenvalues : tuple of (Fraction, Fraction)
        Exact lower and upper bounds, ascending.
    prec : int
        Working precision in bits.
    """

    point: tuple[Fraction, ...]
    eigenvalues: tuple[tuple[Fraction, Fraction], ...]
    prec: int

    @property
    def sharp(self) -> tuple[Fraction, Fraction]:
        """Bounds on the largest eigenvalue."""
        return self.eigenvalues[-1]

    def stable(self, h: RealLike) -> bool | None:
        """True if h lambda_max < 2 is proved, False if h lambda_max > 2 is, else None."""
        hf = Fraction(str(sp.Rational(positive_real(h, "h"))))
        lo, hi = self.sharp
        if hf * hi < 2:
            return True
        if hf * lo > 2:
            return False
        return None


def enclose_minimiser_spectrum(
    spectrum: Any, point: Sequence[Any], prec: int = 200
) -> SpectrumEnclosure:
    """Enclose the eigenvalues of J J^T at an exact ``point`` of the minimiser set r = 0 of
    a :class:`~gdtheory.landscape.spectrum.MinimiserSpectrum` from an objective (where
    no closed form exists: several residuals).  The point must satisfy r = 0 exactly
    (rationals), since only there is the Hessian J^T J.

    >>> from gdtheory.landscape.minimiser_set import objective_spectrum
    >>> s = objective_spectrum("(1 - x*y)**2/2")
    >>> e = enclose_minimiser_spectrum(s, ["2", "1/2"])
    >>> e.sharp[0] <= 4.25 <= e.sharp[1], e.stable("1/4"), e.stable("1/2")
    (True, True, False)
    """
    import flint

    gram = getattr(spectrum, "gram", None)
    if gram is None or not getattr(spectrum, "residuals", ()):
        raise InvalidInputError("need the spectrum of an objective (balancing(objective))")
    xs = spectrum.variables
    if isinstance(point, str | bytes) or len(point) != len(xs):
        raise ShapeError(f"point must have {len(xs)} coordinates")
    values = [exact_fraction(v, "point") for v in point]
    sub = {x: sp.Rational(v.numerator, v.denominator) for x, v in zip(xs, values, strict=True)}
    residuals = [sp.sympify(r, strict=True) for r in spectrum.residuals]
    free = set().union(*(r.free_symbols for r in residuals)) - set(xs)
    if free:
        raise InvalidInputError(f"bind the parameters {sorted(map(str, free))} first")
    if any(r.xreplace(sub) != 0 for r in residuals):
        raise InvalidInputError("the point is not on the minimiser set (r != 0 exactly)")
    G = gram.subs(sub)
    old = flint.ctx.prec
    flint.ctx.prec = int(prec)
    try:
        M = flint.acb_mat(
            [
                [flint.acb(flint.arb(flint.fmpq(int(e.p), int(e.q)))) for e in row]
                for row in G.tolist()
            ]
        )
        try:
            eig = M.eig()
        except (ValueError, ArithmeticError):  # a multiple eigenvalue: cluster enclosures
            eig = M.eig(multiple=True)
        bounds = sorted((arb_lower(z.real), arb_upper(z.real)) for z in eig)
    finally:
        flint.ctx.prec = old
    return SpectrumEnclosure(tuple(values), tuple(bounds), int(prec))
