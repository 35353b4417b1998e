r"""The central flow of gradient descent (Cohen, Damian, Talwalkar, Kolter and Lee, ICLR 2025).

At the edge of stability GD oscillates about a smooth path along the top Hessian
eigenvectors; the central flow models that path (time t = kh at step k).  With the
oscillation's covariance Sigma = sum_i s_i u_i u_i^T (u_i eigenvectors of H with
eigenvalues l_i, s_i >= 0) the time-averaged gradient is grad f + (1/2) grad <Sigma, H>,
so

    dx/dt = -( grad f(x) + (1/2) sum_i s_i grad l_i(x) ),   grad l_i = D^3 f(x)[u_i, u_i],

and the s_i are fixed by the stability constraint l_i <= 2/h through the complementarity
problem

    s >= 0,   (2/h - l_i) + dt (d/dt)(2/h - l_i) >= 0,   s_i [ ... ]_i = 0,

i.e. with q_i = grad l_i . grad f and M_ij = (1/2) grad l_i . grad l_j (a Gram matrix),
the linear complementarity problem  s >= 0, a + dt (q + M s) >= 0, s . (a + dt (q + M s))
= 0, a_i = 2/h - l_i: s = 0 (gradient flow) while the sharpness is below the edge, and
on the edge s holds the critical eigenvalues at 2/h (for one critical eigenvalue: the
projection of -grad f onto the tangent of {l_1 = 2/h}).  Its prediction of GD's
time-averaged loss is

    E f(x + delta) ~ f(x) + (1/2) <Sigma, H(x)> = f(x) + (1/2) sum_i s_i l_i.

The flow is stepped as in the authors' reference code, substeps dt = h / ``substeps``
with the constraint linearised over the substep (which also lets the flow enter the
edge), but with Heun's predictor-corrector in place of their explicit Euler step:
second order where the flow is smooth, so that before the edge it is gradient flow to
O(dt^2) and not a GD-like Euler scheme.  One simplification, stated: Sigma is taken diagonal in the
eigenbasis (an LCP over the top k eigenpairs, solved exactly by enumerating active
sets), where the paper solves a semidefinite complementarity problem for a full k x k
matrix; the two agree whenever at most one eigenvalue is at the edge, and whenever the
off-diagonal couplings D^3 f[u_i, u_j] vanish.

Reference: J. Cohen, A. Damian, A. Talwalkar, J. Z. Kolter, J. D. Lee, "Understanding
optimization in deep learning with central flows", ICLR 2025.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from ..core.budget import check_cost
from ..core.objective import Objective, as_objective, numeric_objective
from ..core.progress import progress_bar
from ..core.scalars import RealLike, check_count, positive_real, sorted_times
from ..errors import InvalidInputError
from .models import ObjectiveModel, as_model, flat_point
from .sharpness import top_eigenpairs

__all__ = ["CentralFlow", "central_flow", "solve_lcp"]


def solve_lcp(M: np.ndarray, r: np.ndarray) -> np.ndarray:
    """The s >= 0 with w = r + M s >= 0 and s . w = 0, for a positive semidefinite M of
    small size: the active sets are tried from the smallest (exact, 2^k linear solves).

    >>> solve_lcp(np.array([[2.0]]), np.array([-1.0]))       # s = 1/2 makes w = 0
    array([0.5])
    >>> solve_lcp(np.eye(2), np.array([1.0, -3.0]))           # only the second is active
    array([0., 3.])
    """
    k = r.size
    tol = 1e-12 * (1.0 + float(np.max(np.abs(r))) + float(np.max(np.abs(M))) if k else 1.0)
    for size in range(k + 1):
        for active in combinations(range(k), size):
            s = np.zeros(k)
            if active:
                idx = list(active)
                s_a, *_ = np.linalg.lstsq(M[np.ix_(idx, idx)], -r[idx], rcond=None)
                if np.any(s_a < -tol):
                    continue
                s[idx] = np.maximum(s_a, 0.0)
            w = r + M @ s
            if np.all(w >= -tol * (1 + float(np.max(s, initial=0.0)))):
                return s
    raise InvalidInputError("the complementarity problem has no solution (M not semidefinite?)")


@dataclass(frozen=True)
class CentralFlow:
    """The central flow at the requested times.

    Attributes
    ----------
    times : ndarray (m,)
    states : ndarray (m, n)
    loss : ndarray (m,)
        f on the flow.
    predicted_loss : ndarray (m,)
        f + (1/2) sum_i s_i l_i: the prediction of GD's time-averaged loss.
    sharpness : ndarray (m,)
        The top Hessian eigenvalue on the flow (2/h at the edge).
    sigma : ndarray (m, k)
        The s_i (variances of the oscillation along u_1..u_k).
    active : ndarray of int (m,)
        How many eigenvalues are held at the edge (s_i > 0).
    h, substeps, k : the learning rate, Euler substeps per GD step, eigenpairs used.
    """

    times: np.ndarray = field(repr=False)
    states: np.ndarray = field(repr=False)
    loss: np.ndarray = field(repr=False)
    predicted_loss: np.ndarray = field(repr=False)
    sharpness: np.ndarray = field(repr=False)
    sigma: np.ndarray = field(repr=False)
    active: np.ndarray = field(repr=False)
    h: float
    substeps: int
    k: int


def _as_flow_model(target: Any) -> Any:
    if isinstance(target, Objective | str):
        return ObjectiveModel(numeric_objective(as_objective(target)))
    model = as_model(target)
    if not callable(getattr(model, "d3", None)):
        raise InvalidInputError(
            "the central flow needs third-derivative products d3(w, u, v): give a symbolic "
            "objective or a model that has them (gdtheory.models.from_jax does)"
        )
    return model


def central_flow(
    target: Any,
    x0: Any,
    times: Sequence[RealLike],
    *,
    h: RealLike,
    k: int = 2,
    substeps: int = 10,
    progress: bool = False,
) -> CentralFlow:
    r"""The central flow from ``x0`` at ``times`` (module docstring), float64.

    On (1 - xy)^2/2 from (3, 1/10) with h = 0.22 (2/h = 9.0909) gradient flow, which
    conserves x^2 - y^2, would end on xy = 1 at sharpness x^2 + y^2 = 9.21 > 2/h; the
    central flow instead ends at the minimiser whose sharpness is 2/h:

    >>> cf = central_flow("(1 - x*y)**2/2", [3, 0.1], [0, 10], h=0.22)
    >>> round(float(cf.sharpness[-1]), 4), round(float(np.prod(cf.states[-1])), 6)
    (9.0909, 1.0)
    """
    model = _as_flow_model(target)
    hh = float(positive_real(h, "h"))
    k = min(check_count(k, "k", 1), model.dim)
    substeps = check_count(substeps, "substeps", 1)
    ts = np.array([float(t) for t in sorted_times(times)])
    x = flat_point(x0, model.dim)
    dt = hh / substeps
    edge = 2.0 / hh
    if not (np.isfinite(edge) and np.isfinite(dt) and dt > 0):
        raise InvalidInputError(f"h = {hh!r} is too small for float64 (2/h = {edge})")
    # each substep: two eigen-solves (a few dozen HVPs on a large model) and 2k products
    check_cost("the central flow", float(ts[-1]) / dt * (k + 1), 2e4, "substep products")
    out: dict[str, list[Any]] = {key: [] for key in ("x", "loss", "pred", "sharp", "sigma")}
    t, v0 = 0.0, None
    bar = progress_bar(bool(progress), total=float(ts[-1]), desc="central flow", unit="time")

    def velocity(y: np.ndarray, v_start: Any) -> tuple[np.ndarray, ...]:
        """dx/dt at y with the s of the LCP linearised over one substep; also the
        eigenvalues and the s (for the records)."""
        lam, U = top_eigenpairs(model, y, k, v0=v_start)
        g = np.asarray(model.grad(y), dtype=float)
        G = np.column_stack([model.d3(y, U[:, i], U[:, i]) for i in range(k)])
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(G)) and np.all(np.isfinite(lam))):
            raise InvalidInputError(
                f"the gradient or curvature left float range at t = {t:.4g} (start too large?)"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            M, r = 0.5 * dt * (G.T @ G), (edge - lam) + dt * (G.T @ g)
        if not (np.all(np.isfinite(M)) and np.all(np.isfinite(r))):
            raise InvalidInputError(f"h = {hh!r} is too large for float64 at t = {t:.4g}")
        s = solve_lcp(M, r)
        return -(g + 0.5 * G @ s), lam, s, U[:, 0]

    for target_t in ts:
        while t < target_t - 1e-12 * max(1.0, target_t):
            step = min(dt, target_t - t)
            v1, _, _, v0 = velocity(x, v0)
            v2, _, _, _ = velocity(x + step * v1, v0)  # Heun: second order where smooth
            x = x + 0.5 * step * (v1 + v2)
            t += step
            bar.update(step)
            if not np.all(np.isfinite(x)):
                raise InvalidInputError(f"the central flow left float range at t = {t:.4g}")
        _, lam, s, v0 = velocity(x, v0)
        out["x"].append(x.copy())
        loss = float(model.loss(x))
        out["loss"].append(loss)
        out["pred"].append(loss + 0.5 * float(s @ lam))
        out["sharp"].append(float(lam[0]))
        out["sigma"].append(s)
    bar.close()
    sig = np.array(out["sigma"])
    return CentralFlow(
        times=ts,
        states=np.array(out["x"]),
        loss=np.array(out["loss"]),
        predicted_loss=np.array(out["pred"]),
        sharpness=np.array(out["sharp"]),
        sigma=sig,
        active=np.count_nonzero(sig > 0, axis=1),
        h=hh,
        substeps=substeps,
        k=k,
    )
