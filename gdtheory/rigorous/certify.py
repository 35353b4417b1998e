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

A certificate stores only exact data (the objective as text, h as a fraction, the boxes
as fractions, the precision) and :meth:`OrbitCertificate.recheck` redoes the proof from
that data alone, so a saved certificate can be checked independently of how the orbit
was found; a box that does not contain the orbit fails.

**Period three implies chaos** (:func:`certify_period_three_chaos`): a certified orbit of
least period 3 of the continuous 1-D map Phi on R gives, by Sharkovskii's theorem (1964),
periodic orbits of every period, and by Li and Yorke (1975) an uncountable scrambled set.

**Descent lemma on a box** (:func:`certify_descent`) and **stability of minimisers of the
scalar factorisation** (:func:`certify_balance`) are the other finite computations here.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

import flint
import numpy as np
import sympy as sp

from ..core.objective import Objective
from ..core.scalars import RealLike, check_box, exact_real, positive_real
from ..errors import InvalidInputError, ShapeError
from .balls import arb_lower, arb_upper, box_ball, enclose, to_fraction

__all__ = [
    "OrbitCertificate",
    "certify_periodic_orbit",
    "recheck",
    "ChaosCertificate",
    "certify_period_three_chaos",
    "DescentCertificate",
    "certify_descent",
    "BalanceCertificate",
    "certify_balance",
]

FORMAT = "gdtheory-orbit-certificate/1"


class _Prec:
    """Set flint's working precision (bits) for a block."""

    def __init__(self, bits: int) -> None:
        self.bits = bits

    def __enter__(self) -> None:
        self.saved = flint.ctx.prec
        flint.ctx.prec = self.bits

    def __exit__(self, *exc: object) -> None:
        flint.ctx.prec = self.saved


def _float(q: Fraction) -> float:
    """float(q), or +-inf when q is beyond the float range (a huge or tiny box)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def _fraction(value: Any, name: str) -> Fraction:
    """An exact rational: the value itself, or a 60-digit rational approximation of an
    irrational point (sqrt(2), ...), which the boxes around it then contain."""
    v = exact_real(value, name)
    return to_fraction(v if v.is_Rational else sp.Rational(sp.Float(v, 60)), name)


def _identity(n: int) -> Any:
    return flint.arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])


def _divisors(p: int) -> list[int]:
    return [q for q in range(1, p) if p % q == 0]


@dataclass(frozen=True)
class OrbitCertificate:
    """A proof (or failed attempt) that a box contains exactly one p-periodic orbit.

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

    Methods: :meth:`contains_multiplier` tests a candidate value against the enclosures,
    :meth:`to_json` / :meth:`from_json` save and load, :meth:`recheck` re-proves.
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

    objective: str
    symbols: tuple[str, ...]
    h: str
    period: int
    boxes: tuple[tuple[tuple[str, str], ...], ...] = field(repr=False)
    proved: bool
    minimal_period: bool
    stable: bool | None
    multipliers: tuple[str, ...] = field(repr=False)
    multiplier_boxes: tuple[tuple[str, str, str, str], ...] = field(repr=False)
    enclosure: tuple[tuple[tuple[str, str], ...], ...] = field(repr=False)
    margin: float
    width: float
    prec: int
    reason: str = ""
    seconds: float = field(default=0.0, compare=False)

    def contains_multiplier(self, value: Any) -> bool:
        """True when the exact number ``value`` lies in one of the multiplier enclosures."""
        z = sp.nsimplify(value) if isinstance(value, str) else sp.sympify(value)
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

    def to_json(self) -> str:
        """The certificate as JSON (exact data; re-checkable with :func:`recheck`)."""
        d = asdict(self)
        d["format"] = FORMAT
        return json.dumps(d, indent=2)

    @classmethod
    def from_json(cls, text: str) -> OrbitCertificate:
        try:
            d = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"certificate is not valid JSON: {exc}") from None
        if not isinstance(d, dict) or d.pop("format", None) != FORMAT:
            raise InvalidInputError(f"not a {FORMAT} certificate")
        try:
            return cls(
                objective=str(d["objective"]),
                symbols=tuple(d["symbols"]),
                h=str(d["h"]),
                period=int(d["period"]),
                boxes=tuple(tuple((str(a), str(b)) for a, b in pt) for pt in d["boxes"]),
                proved=bool(d["proved"]),
                minimal_period=bool(d["minimal_period"]),
                stable=d["stable"],
                multipliers=tuple(d["multipliers"]),
                multiplier_boxes=tuple(
                    (str(b[0]), str(b[1]), str(b[2]), str(b[3])) for b in d["multiplier_boxes"]
                ),
                enclosure=tuple(tuple((str(a), str(b)) for a, b in pt) for pt in d["enclosure"]),
                margin=float(d["margin"]),
                width=float(d["width"]),
                prec=int(d["prec"]),
                reason=str(d.get("reason", "")),
                seconds=float(d.get("seconds", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"malformed certificate: {exc}") from None

    def recheck(self) -> OrbitCertificate:
        """Redo the proof from the stored exact data only (see :func:`recheck`)."""
        return recheck(self)

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


class _GDMap:
    """Phi(z) = z - h grad f(z) and its Jacobian I - h H(z), as SymPy expressions."""

    def __init__(self, objective: Objective, h: sp.Expr) -> None:
        self.syms = objective.symbols
        self.n = len(self.syms)
        g = objective.grad
        self.phi = [self.syms[i] - h * g[i] for i in range(self.n)]
        H = objective.hessian
        self.jac = [
            [(1 if i == j else 0) - h * H[i, j] for j in range(self.n)] for i in range(self.n)
        ]

    def phi_at(self, balls: Sequence[Any]) -> list[Any]:
        env = dict(zip(self.syms, balls, strict=True))
        return [enclose(e, env) for e in self.phi]

    def jac_at(self, balls: Sequence[Any]) -> list[list[Any]]:
        env = dict(zip(self.syms, balls, strict=True))
        return [[enclose(e, env) for e in row] for row in self.jac]


Box = list[list[tuple[Fraction, Fraction]]]  # per point, per coordinate


def _krawczyk(gd: _GDMap, X: Box) -> tuple[list[tuple[Any, Any]], bool, float]:
    """K(X) as (lower, upper) arb pairs, whether K(X) is in int(X), and the margin."""
    p, n = len(X), gd.n
    N = p * n
    mids = [[(lo + hi) / 2 for lo, hi in pt] for pt in X]
    m_balls = [[box_ball(c, c) for c in pt] for pt in mids]
    x_balls = [[box_ball(lo, hi) for lo, hi in pt] for pt in X]
    # G(m) and J(X), J(m)
    Gm = []
    for i in range(p):
        ph = gd.phi_at(m_balls[i])
        nxt = m_balls[(i + 1) % p]
        Gm += [ph[k] - nxt[k] for k in range(n)]
    JX = [[flint.arb(0)] * N for _ in range(N)]
    Jm = np.zeros((N, N))
    for i in range(p):
        jx = gd.jac_at(x_balls[i])
        jm = gd.jac_at(m_balls[i])
        j = (i + 1) % p
        for a in range(n):
            for b in range(n):
                JX[i * n + a][i * n + b] = jx[a][b]
                Jm[i * n + a, i * n + b] = float(jm[a][b].mid())
            JX[i * n + a][j * n + a] = JX[i * n + a][j * n + a] - 1
            Jm[i * n + a, j * n + a] -= 1
    try:
        Y = np.linalg.inv(Jm)
    except np.linalg.LinAlgError:
        return [], False, -np.inf
    if not np.all(np.isfinite(Y)):
        return [], False, -np.inf
    Ya = flint.arb_mat([[flint.arb(float(v)) for v in row] for row in Y])
    I_minus = _identity(N) - Ya * flint.arb_mat(JX)
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
        margin = min(margin, _float(min(klo - lo, hi - khi) / w) if w > 0 else -np.inf)
    return out, inside, margin


def _monodromy(gd: _GDMap, X: Box) -> Any:
    M = _identity(gd.n)
    for pt in X:
        J = flint.arb_mat(gd.jac_at([box_ball(lo, hi) for lo, hi in pt]))
        M = J * M
    return M


Enclosure = tuple[str, str, str, str]  # re_lo, re_hi, im_lo, im_hi (exact fractions)


def _encl(z: Any) -> Enclosure:
    z = flint.acb(z)
    r, i = z.real, z.imag
    return (
        str(arb_lower(r)),
        str(arb_upper(r)),
        str(arb_lower(i)),
        str(arb_upper(i)),
    )


def _stability(M: Any, n: int) -> tuple[bool | None, tuple[str, ...], tuple[Enclosure, ...], str]:
    stable: bool | None
    if n == 1:
        m = M[0, 0]
        stable = True if abs(m) < 1 else False if abs(m) > 1 else None
        return (
            stable,
            (m.str(30, radius=True),),
            (_encl(m),),
            "" if stable is not None else "|m| ~ 1",
        )
    if n == 2:
        t, d = M.trace(), M.det()
        if abs(d) < 1 and abs(t) < 1 + d:
            stable = True
        elif abs(d) > 1 or abs(t) > 1 + d:
            stable = False
        else:
            stable = None
        disc = flint.acb(t * t - 4 * d)
        r = disc.sqrt()
        lams = ((flint.acb(t) + r) / 2, (flint.acb(t) - r) / 2)
        txt = tuple(lam.str(30, radius=True) for lam in lams)
        why = "" if stable is not None else "a multiplier enclosure meets |l| = 1"
        return stable, txt, tuple(_encl(lam) for lam in lams), why
    return _stability_gershgorin(M, n)


def _approx_eigenvectors(M: Any, n: int) -> Any | None:
    """An approximate eigenvector matrix of the midpoint of M (an exact acb_mat), or None.

    Only its being close to diagonalising M matters for the sharpness of the discs; the
    enclosure itself is rigorous whatever matrix is returned, as long as it is invertible.
    """
    mid = flint.acb_mat(M.mid())
    try:
        _, R = mid.eig(right=True, nonstop=True)
        ok = all(R[i, j].is_finite() for i in range(n) for j in range(n))
    except (ValueError, ZeroDivisionError):
        ok = False
    if ok:
        return flint.acb_mat(R.mid())
    A = np.array([[float(M[i, j].mid()) for j in range(n)] for i in range(n)])
    if not np.all(np.isfinite(A)):
        return None
    _, V = np.linalg.eig(A)
    return flint.acb_mat([[complex(V[i, j]) for j in range(n)] for i in range(n)])


def _stability_gershgorin(
    M: Any, n: int
) -> tuple[bool | None, tuple[str, ...], tuple[Enclosure, ...], str]:
    """Stability of the ball matrix M (every matrix in it) for any n, by Gershgorin discs
    of B = V^{-1} M V with V an exact, approximately diagonalising matrix.

    B is similar to M, so the eigenvalues of M lie in the union of the discs
    D_i = {|z - B_ii| <= sum_{j != i} |B_ij|}, and a connected component of k discs holds
    exactly k eigenvalues (Gershgorin 1931; Varga, *Gersgorin and His Circles*, 2004,
    Thm 1.1 and 1.6).  Stable when every disc lies in |z| < 1; unstable when some
    component lies in |z| > 1.  V^{-1} is the ball inverse of the exact matrix V, so the
    enclosure holds for every matrix in the ball M, not only its midpoint.
    """
    V = _approx_eigenvectors(M, n)
    why_fail = "the monodromy enclosure could not be diagonalised"
    if V is None:
        return None, (), (), why_fail
    try:
        B = V.inv() * flint.acb_mat(M) * V
    except (ZeroDivisionError, ValueError):
        return None, (), (), why_fail
    centers, radii = [], []
    for i in range(n):
        c = B[i, i]
        r = flint.arb(0)
        for j in range(n):
            if j != i:
                r += abs(B[i, j])
        # the disc about mid(c) of radius rad(c) + r (upper bound) contains D_i
        cm = flint.acb(c.mid())
        centers.append(cm)
        radii.append(flint.arb((abs(c - cm) + r).upper()))
    if not all(c.is_finite() and r.is_finite() for c, r in zip(centers, radii, strict=True)):
        return None, (), (), why_fail
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if not abs(centers[i] - centers[j]) > radii[i] + radii[j]:
                parent[find(i)] = find(j)
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(find(i), []).append(i)
    inside = [abs(centers[i]) + radii[i] < 1 for i in range(n)]
    outside = [abs(centers[i]) - radii[i] > 1 for i in range(n)]
    stable: bool | None
    if all(inside):
        stable = True
    elif any(all(outside[i] for i in comp) for comp in comps.values()):
        stable = False
    else:
        stable = None
    txt: list[str] = []
    encl: list[Enclosure] = []
    for comp in comps.values():
        lo_re = min(arb_lower(centers[i].real - radii[i]) for i in comp)
        hi_re = max(arb_upper(centers[i].real + radii[i]) for i in comp)
        lo_im = min(arb_lower(centers[i].imag - radii[i]) for i in comp)
        hi_im = max(arb_upper(centers[i].imag + radii[i]) for i in comp)
        if len(comp) == 1:
            (i,) = comp
            ball = flint.acb(
                flint.arb(centers[i].real.mid(), radii[i]),
                flint.arb(centers[i].imag.mid(), radii[i]),
            )
            txt.append(ball.str(30, radius=True))
        else:
            txt.append(
                f"{len(comp)} multipliers in [{float(lo_re):.6g}, {float(hi_re):.6g}]"
                f" + i[{float(lo_im):.6g}, {float(hi_im):.6g}]"
            )
        encl += [(str(lo_re), str(hi_re), str(lo_im), str(hi_im))] * len(comp)
    why = "" if stable is not None else "a Gershgorin disc of the multipliers meets |l| = 1"
    return stable, tuple(txt), tuple(encl), why


def _as_box(points: Any, radius: Any, n_expected: int) -> Box:
    try:
        P = [list(pt) if isinstance(pt, list | tuple | np.ndarray) else [pt] for pt in points]
    except TypeError:
        raise ShapeError("points must be a sequence of orbit points") from None
    if not P or any(len(pt) != n_expected for pt in P):
        raise ShapeError(f"points must be p points of dimension {n_expected}")
    r = _fraction(radius, "radius")
    if r <= 0:
        raise InvalidInputError(f"radius must be > 0, got {radius!r}")
    return [[(_fraction(c, "point") - r, _fraction(c, "point") + r) for c in pt] for pt in P]


def _width(X: Box) -> Fraction:
    return max(hi - lo for pt in X for lo, hi in pt)


def _intersect(X: Box, K: list[tuple[Fraction, Fraction]], n: int) -> Box:
    """X n K, with K flat (p n pairs) as returned by :func:`_krawczyk`."""
    return [
        [(max(lo, K[i * n + k][0]), min(hi, K[i * n + k][1])) for k, (lo, hi) in enumerate(pt)]
        for i, pt in enumerate(X)
    ]


def _prove(objective: Objective, h: sp.Expr, X: Box, prec: int, t0: float) -> OrbitCertificate:
    p, n = len(X), objective.dim
    gd = _GDMap(objective, h)
    with _Prec(prec):
        K, proved, margin = _krawczyk(gd, X)
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
                K, _, _ = _krawczyk(gd, tight)
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
            stable, mults, encl, why = _stability(_monodromy(gd, tight), n)
            reason = reason or why
    width = _float(_width(tight))
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
    h: RealLike,
    points: Any,
    radius: RealLike,
    *,
    prec: int = 128,
) -> OrbitCertificate:
    r"""Prove that the boxes ``points[i] +- radius`` contain exactly one periodic orbit.

    ``points`` are p approximate orbit points (floats, mpf or strings: any accuracy);
    the proof is Krawczyk's test on the multi-point map (module docstring).

    >>> from gdtheory.objectives import scalar_factorization
    >>> a = (1 + 2 / 1.9) ** 0.5   # the symmetric 2-cycle +-(a, a) at h = 19/10
    >>> c = certify_periodic_orbit(scalar_factorization(), "19/10", [[a, a], [-a, -a]], 1e-6)
    >>> c.proved, c.minimal_period, c.stable
    (True, True, False)
    >>> c.recheck().proved
    True
    """
    t0 = time.perf_counter()
    obj = objective if isinstance(objective, Objective) else Objective.parse(str(objective))
    # Prove the statement about the text the certificate stores: SymPy may print a tree
    # that re-parses to another (equal) one, and a recheck must redo the same proof.
    obj = _from_text(str(obj.expr), [str(s) for s in obj.symbols])
    hh = positive_real(h, "h")
    X = _as_box(points, radius, obj.dim)
    return _prove(obj, hh, X, _check_prec(prec), t0)


def _from_text(text: str, symbols: list[str]) -> Objective:
    """The objective denoted by ``text``, printed and re-parsed until the text is stable."""
    obj = Objective.parse(text, symbols)
    for _ in range(3):
        again = str(obj.expr)
        if again == text:
            break
        text = again
        obj = Objective.parse(text, symbols)
    return obj


def recheck(certificate: OrbitCertificate | str) -> OrbitCertificate:
    """Redo a certificate's proof from its exact data alone (objective text, h, boxes, prec).

    Accepts a certificate or its JSON.  The returned certificate is recomputed, so
    ``recheck(c).proved`` is the independent verdict; a tampered box fails.
    """
    t0 = time.perf_counter()
    c = OrbitCertificate.from_json(certificate) if isinstance(certificate, str) else certificate
    obj = _from_text(c.objective, list(c.symbols))
    hh = positive_real(c.h, "h")
    X = [[(Fraction(lo), Fraction(hi)) for lo, hi in pt] for pt in c.boxes]
    if len(X) != c.period or any(len(pt) != obj.dim for pt in X):
        raise ShapeError("certificate boxes do not match its period and dimension")
    if any(hi < lo for pt in X for lo, hi in pt):
        raise InvalidInputError("certificate box with high < low")
    return _prove(obj, hh, X, _check_prec(c.prec), t0)


@dataclass(frozen=True)
class ChaosCertificate:
    """Period three implies chaos, for a 1-D GD map.

    ``proved`` when ``orbit`` proves an orbit of least period 3; ``conclusion`` states
    what follows (Sharkovskii; Li and Yorke).
    """

    orbit: OrbitCertificate
    proved: bool
    conclusion: str

    def __str__(self) -> str:
        return f"{self.conclusion}\n{self.orbit}"


def certify_period_three_chaos(
    objective: Objective | str, h: RealLike, points: Any, radius: RealLike, *, prec: int = 128
) -> ChaosCertificate:
    """Certify an orbit of least period 3 of x -> x - h f'(x) and state the conclusion.

    >>> import math
    >>> from gdtheory.objectives import logistic_conjugate  # GD map 2x^2 - 1 at h = 1
    >>> pts = [math.cos(2 * math.pi * k / 7) for k in (1, 2, 4)]
    >>> c = certify_period_three_chaos(logistic_conjugate(), 1, pts, 1e-8)
    >>> c.proved, c.orbit.stable
    (True, False)
    """
    obj = objective if isinstance(objective, Objective) else Objective.parse(str(objective))
    if obj.dim != 1:
        raise ShapeError(f"period three implies chaos for maps of an interval: dim is {obj.dim}")
    pts = list(points)
    if len(pts) != 3:
        raise ShapeError(f"give the 3 points of a period-3 orbit, got {len(pts)}")
    cert = certify_periodic_orbit(obj, h, [[p] for p in pts], radius, prec=prec)
    proved = cert.proved and cert.minimal_period
    if proved:
        conclusion = (
            f"PROVED: the continuous map x -> x - h f'(x) on R (f = {cert.objective}, "
            f"h = {cert.h}) has a point of least period 3. By Sharkovskii's theorem (1964) it "
            "has periodic points of every period n >= 1, and by Li and Yorke (1975, 'Period "
            "three implies chaos') it has an uncountable scrambled set."
        )
    else:
        conclusion = f"NOT PROVED: {cert.reason or 'no orbit of least period 3 certified'}"
    return ChaosCertificate(cert, proved, conclusion)


@dataclass(frozen=True)
class DescentCertificate:
    """The descent lemma proved for every x in a box at a given h.

    If lambda_max(H) <= L_bound on a convex set B' containing every segment
    [x, x - h grad f(x)] with x in the box, then
    f(x - h grad f(x)) <= f(x) - h (1 - L_bound h/2) |grad f(x)|^2 for all x in the box
    (Taylor's theorem with the integral remainder); ``proved`` when h L_bound < 2, so
    the guaranteed decrease factor ``factor`` = h (1 - L_bound h/2) is positive.
    """

    box: tuple[tuple[str, str], ...]
    h: str
    hull: tuple[tuple[str, str], ...]
    L_bound: str
    factor: str
    proved: bool
    reason: str = ""


def certify_descent(
    objective: Objective, h: RealLike, box: Sequence[tuple[Any, Any]], *, pieces: int = 8
) -> DescentCertificate:
    """Prove the descent inequality for all x in ``box`` (see :class:`DescentCertificate`).

    >>> from gdtheory import Objective
    >>> c = certify_descent(Objective.parse("logcosh(x + 2*y) + x**2/2"), "1/4", [(-1, 1), (-1, 1)])
    >>> c.proved, float(sp.Rational(c.L_bound)) < 6
    (True, True)
    """
    from .balls import subdivide
    from .smoothness import smoothness_constant

    if not isinstance(objective, Objective):
        raise InvalidInputError(f"objective must be an Objective, got {type(objective).__name__}")
    hh = positive_real(h, "h")
    sides = [
        (_fraction(lo, "box low"), _fraction(hi, "box high"))
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
    hq = Fraction(int(hh.p), int(hh.q)) if hh.is_Rational else _fraction(hh, "h")
    # B' = hull of the box and of x - h grad f(x) over the box (sub-box enclosures)
    lo_all = [lo for lo, _ in sides]
    hi_all = [hi for _, hi in sides]
    for sub in subdivide(sides, pieces):
        env = {s: box_ball(a, b) for s, (a, b) in zip(objective.symbols, sub, strict=True)}
        for k, g in enumerate(objective.grad):
            step = enclose(objective.symbols[k] - hh * g, env)
            if not step.is_finite():
                return DescentCertificate(
                    tuple((str(a), str(b)) for a, b in sides),
                    str(hh),
                    (),
                    "inf",
                    "0",
                    False,
                    "the GD step is not bounded on the box",
                )
            lo_all[k] = min(lo_all[k], arb_lower(step))
            hi_all[k] = max(hi_all[k], arb_upper(step))
    hull = list(zip(lo_all, hi_all, strict=True))
    L = smoothness_constant(objective, box=hull).value
    Lq = Fraction(int(L.p), int(L.q))
    factor = hq * (1 - Lq * hq / 2)
    proved = hq * Lq < 2
    return DescentCertificate(
        box=tuple((str(a), str(b)) for a, b in sides),
        h=str(hh),
        hull=tuple((str(a), str(b)) for a, b in hull),
        L_bound=str(Lq),
        factor=str(factor),
        proved=proved,
        reason="" if proved else f"h L_bound = {_float(hq * Lq):.4g} >= 2 on the hull",
    )


@dataclass(frozen=True)
class BalanceCertificate:
    """Linear stability of the minimisers xy = mu inside a box, decided rigorously.

    At a minimiser the Hessian of (mu - xy)^2/2 has eigenvalues 0 and s = x^2 + y^2 and
    s - 2 mu = (x - y)^2, so GD can converge to it (from a generic start) only if
    h s <= 2, i.e. (x - y)^2 <= 2/h - 2 mu.  ``sharp`` and ``imbalance`` enclose s and
    (x - y)^2 over the minimisers in the box; ``stable`` is True when h s < 2 for all of
    them, False when h s > 2 for all, None otherwise; ``contains_minimiser`` says whether
    xy - mu changes sign on the box (so the set is not empty).
    """

    box: tuple[tuple[str, str], ...]
    h: str
    mu: str
    sharp: tuple[str, str]
    imbalance: tuple[str, str]
    bound: str
    contains_minimiser: bool
    stable: bool | None


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
    h: RealLike, mu: RealLike, box: Sequence[tuple[Any, Any]]
) -> BalanceCertificate:
    """Enclose the balance bound's hypotheses over the minimisers of (mu - xy)^2/2 in a box.

    The minimisers in the box are parametrised by x (y = mu/x), so s = x^2 + mu^2/x^2 and
    (x - y)^2 = x^2 - 2 mu + mu^2/x^2 are enclosed over the x-range where mu/x meets the
    y-range.

    >>> c = certify_balance("1/2", 1, [(0.9, 1.1), (0.9, 1.1)])
    >>> c.contains_minimiser, c.stable     # s ~ 2 and h s ~ 1 < 2
    (True, True)
    >>> certify_balance("1/2", 1, [(2.9, 3.1), (0.3, 0.36)]).stable  # s ~ 9.1, h s > 2
    False
    """
    hh = positive_real(h, "h")
    m = positive_real(mu, "mu")
    if len(box) != 2:
        raise ShapeError("the scalar factorisation box has two sides (x, y)")
    (xl, xh), (yl, yh) = [(_fraction(a, "box"), _fraction(b, "box")) for a, b in box]
    if xh < xl or yh < yl:
        raise InvalidInputError("box side with high < low")
    mq = _fraction(m, "mu")
    hq = _fraction(hh, "h")
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
        )
    assert lo_x is not None and hi_x is not None
    with _Prec(128):
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
    )
