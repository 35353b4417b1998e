r"""Computer-assisted proofs about GD maps, in ball arithmetic (python-flint ``arb``).

**Periodic orbits** (:func:`certify_periodic_orbit`).  A p-periodic orbit z_0, ..., z_{p-1}
of the GD map Phi(z) = z - h grad f(z) is a zero of the multi-point map

    G(z_0, ..., z_{p-1}) = (Phi(z_0) - z_1, Phi(z_1) - z_2, ..., Phi(z_{p-1}) - z_0)

on R^{pn}.  On a product of boxes X = X_0 x ... x X_{p-1} with a point m in X and any
matrix Y, the **Krawczyk operator**

    K(X) = m - Y G(m) + (I - Y J(X)) (X - m),

with J(X) an interval enclosure of the Jacobian of G over X (blocks I - h H(X_i) on the
diagonal and -I to their right), has the property: if K(X) lies in the interior of X,
then G has exactly one zero in X (Krawczyk 1969; Moore, Kearfott, Cloud, *Introduction to
Interval Analysis*, 2009, Thm 8.2).  The multi-point form avoids the wrapping of Phi^p.
If moreover X_0 and X_q are disjoint for every proper divisor q of p, the orbit has
minimal period p.  The orbit is then enclosed more tightly by iterating X <- X n K(X),
and its monodromy matrix M = DPhi(z_{p-1}) ... DPhi(z_0) is enclosed by interval matrix
products; its eigenvalues (the multipliers) decide stability: rigorously for n <= 2 by
the Schur-Cohn-Jury conditions (both roots of l^2 - t l + d inside the unit disc iff
|d| < 1 and |t| < 1 + d; one outside if |d| > 1 or |t| > 1 + d), and for n >= 3 by
Gershgorin discs of V^{-1} M V with V an exact approximate eigenvector matrix (stable
when every disc lies inside the unit circle, unstable when a connected component of
discs lies outside it); undecided (None) when the enclosures straddle the boundary.

Why arb (python-flint) rather than ``mpmath.iv``: arb is rigorous for every elementary
function the objectives use (``mpmath.iv`` lacks tanh, cosh, atan, ...), supports ball
matrices, and is implemented in C; :mod:`gdtheory.rigorous.balls` walks the SymPy tree with
interval semantics for products and powers.

A certificate stores only exact data (:class:`~gdtheory.rigorous.certificate.Certificate`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

import flint
import numpy as np
import sympy as sp

from ..core.budget import check_cost, check_memory
from ..core.conversion import as_constant
from ..core.gdmap import gd_jacobian, gd_step, monodromy
from ..core.objective import Objective, numeric_objective
from ..core.scalars import RealLike, positive_real
from ..errors import InvalidInputError, ShapeError
from .balls import (
    ARB,
    Prec,
    arb_identity,
    arb_lower,
    arb_upper,
    box_ball,
    exact_fraction,
    float_or_inf,
    to_fraction,
)
from .certificate import Certificate, objective_from_text
from .multipliers import Enclosure, decide_stability

__all__ = ["OrbitCertificate", "certify_periodic_orbit"]


def _divisors(p: int) -> list[int]:
    return [q for q in range(1, p) if p % q == 0]


@dataclass(frozen=True)
class OrbitCertificate(Certificate):
    """A proof (or failed attempt) that a box contains exactly one p-periodic orbit.

    Methods: :meth:`contains_multiplier` tests a candidate value against the enclosures,
    :meth:`to_json` / :meth:`from_json` save and load, :meth:`recheck` re-proves
    and compares the stored statement (:class:`~gdtheory.rigorous.certificate.Certificate`).

    Attributes
    ----------
    objective : str
        f as text (re-parsed safely by :meth:`recheck`); ``symbols`` its variables.
    h : str
        The learning rate as an exact fraction.
    period : int
    boxes : tuple
        For each orbit point, a (low, high) pair of exact fractions (as strings) per
        coordinate: the product of boxes on which Krawczyk's test was run.
    proved : bool
        Krawczyk's operator maps the boxes into their interior: exactly one orbit of
        period dividing p lies in them.
    minimal_period : bool
        The enclosures of z_0 and z_q are disjoint for every proper divisor q of p.
    stable : bool or None
        Linear stability decided rigorously from the enclosed monodromy matrix (None:
        undecided, or not proved).

    multipliers : tuple of str
        Enclosures of the multipliers (arb/acb balls, printed).
    multiplier_boxes : tuple
        The same as exact rectangles (re_low, re_high, im_low, im_high) of fractions.
    enclosure : tuple
        The tightened boxes containing the orbit (fractions as strings).
    margin : float
        min over coordinates of the distance of K(X) to the boundary of X, relative to
        the width of X (> 0 when proved).
    width : float
        Largest width of the tightened enclosure.
    prec : int
        Working precision in bits.
    reason : str
        Why the proof or the stability decision failed, if it did.
    seconds : float
    """

    KIND: ClassVar[str] = "orbit"

    objective: str
    symbols: tuple[str, ...]
    h: str
    period: int
    boxes: tuple[tuple[tuple[str, str], ...], ...] = field(repr=False)
    minimal_period: bool
    stable: bool | None
    multipliers: tuple[str, ...] = field(repr=False)
    multiplier_boxes: tuple[tuple[str, str, str, str], ...] = field(repr=False)
    enclosure: tuple[tuple[tuple[str, str], ...], ...] = field(repr=False)
    margin: float
    width: float
    prec: int
    seconds: float = field(default=0.0, compare=False)

    def contains_multiplier(self, value: Any) -> bool:
        """True when the exact number ``value`` lies in one of the multiplier enclosures
        (a number, a SymPy number, or a string parsed safely, ``"-1 + I/2"``)."""
        z = as_constant(value, "the multiplier", complex_ok=True)
        re, im = sp.re(z), sp.im(z)
        for rl, rh, il, ih in self.multiplier_boxes:
            if all(
                bool(c)
                for c in (
                    sp.Rational(rl) <= re,
                    re <= sp.Rational(rh),
                    sp.Rational(il) <= im,
                    im <= sp.Rational(ih),
                )
            ):
                return True
        return False

    def reprove(self) -> OrbitCertificate:
        """Redo the proof from the objective text, h, the boxes and the precision."""
        t0 = time.perf_counter()
        obj = objective_from_text(self.objective, list(self.symbols))
        hh = positive_real(self.h, "h")
        X = [
            [(to_fraction(lo, "box"), to_fraction(hi, "box")) for lo, hi in pt] for pt in self.boxes
        ]
        if len(X) != self.period or any(len(pt) != obj.dim for pt in X):
            raise ShapeError("certificate boxes do not match its period and dimension")
        if any(hi < lo for pt in X for lo, hi in pt):
            raise InvalidInputError("certificate box with high < low")
        return _prove(obj, hh, X, _check_prec(self.prec), t0)

    def __str__(self) -> str:
        verdict = "PROVED" if self.proved else "NOT PROVED"
        stab = {True: "stable", False: "unstable", None: "stability undecided"}[self.stable]
        lines = [
            f"{verdict}: a periodic orbit of GD on f = {self.objective}, h = {self.h}, "
            f"period {self.period}{' (minimal)' if self.minimal_period else ''}, {stab}",
            f"  Krawczyk margin {self.margin:.3g}, enclosure width {self.width:.3g}, "
            f"{self.prec} bits, {self.seconds:.2f} s",
        ]
        lines += [f"  multiplier in {m}" for m in self.multipliers]
        if self.reason:
            lines.append(f"  note: {self.reason}")
        return "\n".join(lines)


Box = list[list[tuple[Fraction, Fraction]]]  # per point, per coordinate


def _krawczyk(
    objective: Objective, h: sp.Expr, X: Box
) -> tuple[list[tuple[Any, Any]], bool, float]:
    """K(X) as (lower, upper) arb pairs, whether K(X) is in int(X), and the margin.

    ``h`` is exact; Phi and D Phi are :mod:`gdtheory.core.gdmap`'s, in ball arithmetic
    (:data:`~gdtheory.rigorous.balls.ARB`)."""
    p, n = len(X), objective.dim
    N = p * n
    mids = [[(lo + hi) / 2 for lo, hi in pt] for pt in X]
    m_balls = [[box_ball(c, c) for c in pt] for pt in mids]
    x_balls = [[box_ball(lo, hi) for lo, hi in pt] for pt in X]
    # G(m) and J(X), J(m)
    Gm = []
    for i in range(p):
        ph = gd_step(objective, m_balls[i], h, ARB)
        nxt = m_balls[(i + 1) % p]
        Gm += [ph[k] - nxt[k] for k in range(n)]
    JX = [[flint.arb(0)] * N for _ in range(N)]
    Jm = np.zeros((N, N))
    for i in range(p):
        jx = gd_jacobian(objective, x_balls[i], h, ARB)
        jm = gd_jacobian(objective, m_balls[i], h, ARB)
        j = (i + 1) % p
        for a in range(n):
            for b in range(n):
                JX[i * n + a][i * n + b] = jx[a, b]
                Jm[i * n + a, i * n + b] = float(jm[a, b].mid())
            JX[i * n + a][j * n + a] = JX[i * n + a][j * n + a] - 1
            Jm[i * n + a, j * n + a] -= 1
    try:
        Y = np.linalg.inv(Jm)
    except np.linalg.LinAlgError:
        return [], False, -np.inf
    if not np.all(np.isfinite(Y)):
        return [], False, -np.inf
    Ya = flint.arb_mat([[flint.arb(float(v)) for v in row] for row in Y])
    I_minus = arb_identity(N) - Ya * flint.arb_mat(JX)
    m_vec = flint.arb_mat([[c] for pt in m_balls for c in pt])
    d_vec = flint.arb_mat([[x_balls[i][k] - m_balls[i][k]] for i in range(p) for k in range(n)])
    K = m_vec - Ya * flint.arb_mat([[g] for g in Gm]) + I_minus * d_vec
    out, inside, margin = [], True, np.inf
    for idx in range(N):
        i, k = divmod(idx, n)
        kb = K[idx, 0]
        lo, hi = X[i][k]
        if not kb.is_finite():
            return [], False, -np.inf
        klo, khi = arb_lower(kb), arb_upper(kb)
        out.append((klo, khi))
        inside &= lo < klo and khi < hi
        w = hi - lo
        margin = min(margin, float_or_inf(min(klo - lo, hi - khi) / w) if w > 0 else -np.inf)
    return out, inside, margin


def _as_box(points: Any, radius: Any, n_expected: int) -> Box:
    try:
        P = [list(pt) if isinstance(pt, list | tuple | np.ndarray) else [pt] for pt in points]
    except TypeError:
        raise ShapeError("points must be a sequence of orbit points") from None
    if not P or any(len(pt) != n_expected for pt in P):
        raise ShapeError(f"points must be p points of dimension {n_expected}")
    r = exact_fraction(radius, "radius")
    if r <= 0:
        raise InvalidInputError(f"radius must be > 0, got {radius!r}")
    return [
        [(exact_fraction(c, "point") - r, exact_fraction(c, "point") + r) for c in pt] for pt in P
    ]


def _width(X: Box) -> Fraction:
    return max(hi - lo for pt in X for lo, hi in pt)


def _intersect(X: Box, K: list[tuple[Fraction, Fraction]], n: int) -> Box:
    """X n K, with K flat (p n pairs) as returned by :func:`_krawczyk`."""
    return [
        [(max(lo, K[i * n + k][0]), min(hi, K[i * n + k][1])) for k, (lo, hi) in enumerate(pt)]
        for i, pt in enumerate(X)
    ]


#: Krawczyk matrix entries per second at 128 bits (measured ~5e4; 2e5 is optimistic).
RATE_BALL_ENTRIES = 2e5


def _prove(objective: Objective, h: sp.Expr, X: Box, prec: int, t0: float) -> OrbitCertificate:
    p, n = len(X), objective.dim
    # the Krawczyk operator holds (p n) x (p n) matrices of balls (python-flint objects of
    # about 100 bytes: counted as 12.5 float64 each, three such matrices); its time grows
    # like (p n)^2 (measured 3.2 s for p n = 400 at 128 bits)
    check_memory("the Krawczyk matrices of the orbit proof", 37.5 * (p * n) ** 2)
    check_cost(
        "the orbit proof",
        float(p * n) ** 2 * max(1.0, prec / 128),
        RATE_BALL_ENTRIES,
        "matrix entries",
    )
    with Prec(prec):
        K, proved, margin = _krawczyk(objective, h, X)
        reason = "" if proved else "K(X) is not inside the interior of X"
        tight = [list(pt) for pt in X]
        stable: bool | None = None
        mults: tuple[str, ...] = ()
        encl: tuple[Enclosure, ...] = ()
        minimal = False
        if proved:
            # Every zero of G in X lies in K(X), so X n K(X) still holds the unique orbit.
            for _ in range(60):
                new = _intersect(tight, K, n)
                shrunk = _width(new) < _width(tight) * Fraction(9, 10)
                tight = new
                if not shrunk:
                    break
                K, _, _ = _krawczyk(objective, h, tight)
                if not K:
                    break
            minimal = all(
                any(
                    tight[0][k][1] < tight[q][k][0] or tight[q][k][1] < tight[0][k][0]
                    for k in range(n)
                )
                for q in _divisors(p)
            )
            if not minimal:
                reason = "the enclosure does not separate z_0 from z_q for a divisor q of p"
            points = [[box_ball(lo, hi) for lo, hi in pt] for pt in tight]
            M = monodromy(objective, points, h, ARB)  # encloses D Phi^p over the orbit
            stable, mults, encl, why = decide_stability(M, n)
            reason = reason or why
    width = float_or_inf(_width(tight))
    return OrbitCertificate(
        objective=str(objective.expr),
        symbols=tuple(str(s) for s in objective.symbols),
        h=str(h),
        period=p,
        boxes=tuple(tuple((str(lo), str(hi)) for lo, hi in pt) for pt in X),
        proved=proved,
        minimal_period=minimal,
        stable=stable if proved else None,
        multipliers=mults,
        multiplier_boxes=encl,
        enclosure=tuple(tuple((str(lo), str(hi)) for lo, hi in pt) for pt in tight),
        margin=float(margin),
        width=width,
        prec=prec,
        reason=reason,
        seconds=time.perf_counter() - t0,
    )


def _check_prec(prec: int) -> int:
    if isinstance(prec, bool) or not isinstance(prec, int) or not 53 <= prec <= 4096:
        raise InvalidInputError(
            f"prec must be an integer number of bits in [53, 4096], got {prec!r}"
        )
    return prec


def certify_periodic_orbit(
    objective: Objective | str,
    points: Any,
    *,
    h: RealLike,
    radius: RealLike,
    prec: int = 128,
) -> OrbitCertificate:
    r"""Prove that the boxes ``points[i] +- radius`` contain exactly one periodic orbit.

    ``points`` are p approximate orbit points (floats, mpf or strings: any accuracy);
    the proof is Krawczyk's test on the multi-point map (module docstring).

    >>> from gdtheory.objectives import scalar_factorization
    >>> a = (1 + 2 / 1.9) ** 0.5   # the symmetric 2-cycle +-(a, a) at h = 19/10
    >>> f = scalar_factorization()
    >>> c = certify_periodic_orbit(f, [[a, a], [-a, -a]], h="19/10", radius=1e-6)
    >>> c.proved, c.minimal_period, c.stable
    (True, True, False)
    >>> c.recheck().proved
    True
    """
    t0 = time.perf_counter()
    obj = numeric_objective(objective)
    # Prove the statement about the text the certificate stores: SymPy may print a tree
    # that re-parses to another (equal) one, and a recheck must redo the same proof.
    obj = objective_from_text(str(obj.expr), [str(s) for s in obj.symbols])
    hh = positive_real(h, "h")
    X = _as_box(points, radius, obj.dim)
    return _prove(obj, hh, X, _check_prec(prec), t0)
