r"""Rigorous stability of a cycle from an enclosure of its monodromy matrix.

The multipliers (eigenvalues of the monodromy matrix M) decide linear stability:
rigorously for n <= 2 by the Schur-Cohn-Jury conditions (both roots of l^2 - t l + d
inside the unit disc iff |d| < 1 and |t| < 1 + d; one outside if |d| > 1 or
|t| > 1 + d), and for n >= 3 by Gershgorin discs of V^{-1} M V with V an exact
approximate eigenvector matrix (stable when every disc lies inside the unit circle,
unstable when a connected component of discs lies outside it; a component of k discs
holds exactly k eigenvalues); undecided (None) when the enclosures straddle |l| = 1.

References
----------
Jury, *Theory and Application of the z-Transform Method* (1964); Gershgorin (1931);
Horn and Johnson, *Matrix Analysis* (2013), Thm 6.1.1 and 6.1.3 (discs and components).
"""

from __future__ import annotations

from typing import Any

import flint
import numpy as np

from .balls import arb_lower, arb_upper

__all__ = ["Enclosure", "enclosure_of", "decide_stability", "gershgorin_stability"]

Enclosure = tuple[str, str, str, str]  # re_lo, re_hi, im_lo, im_hi (exact fractions)


def enclosure_of(z: Any) -> Enclosure:
    z = flint.acb(z)
    r, i = z.real, z.imag
    return (
        str(arb_lower(r)),
        str(arb_upper(r)),
        str(arb_lower(i)),
        str(arb_upper(i)),
    )


def decide_stability(
    M: Any, n: int
) -> tuple[bool | None, tuple[str, ...], tuple[Enclosure, ...], str]:
    stable: bool | None
    if n == 1:
        m = M[0, 0]
        stable = True if abs(m) < 1 else False if abs(m) > 1 else None
        return (
            stable,
            (m.str(30, radius=True),),
            (enclosure_of(m),),
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
        return stable, txt, tuple(enclosure_of(lam) for lam in lams), why
    return gershgorin_stability(M, n)


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


def gershgorin_stability(
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
