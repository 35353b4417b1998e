r"""The central flow of gradient descent (Cohen, Damian, Talwalkar, Kolter and Lee, ICLR 2025).

At the edge of stability GD oscillates about a smooth path along the top Hessian
eigenvectors; the central flow models that path (time t = kh at step k).  With u_1..u_k
the top eigenvectors of H (eigenvalues l_i) and the oscillation's covariance
Sigma = sum_ab S_ab u_a u_b^T (S a positive semidefinite k x k matrix), the
time-averaged gradient is grad f + (1/2) grad <Sigma, H>, so

    dx/dt = -( grad f(x) + (1/2) sum_ab S_ab G_ab ),   G_ab = D^3 f(x)[u_a, u_b],

and S is fixed by the stability constraint U^T H U <= 2/h (Loewner order) through the
semidefinite complementarity problem (:func:`~gdtheory.continuous.complementarity.solve_sdcp`)

    S >= 0,   W = (2/h - Lambda) + dt (Q + (1/2) B[S]) >= 0,   <S, W> = 0,

Q_ij = G_ij . grad f, B[S]_ij = sum_ab (G_ij . G_ab) S_ab: W is (2/h - U^T H U)
linearised over one substep dt.  S = 0 (gradient flow) while the sharpness is below the
edge; on the edge S holds the critical eigenvalues at 2/h (for one critical eigenvalue,
dx/dt is the projection of -grad f onto the tangent of {l_1 = 2/h}).  The prediction of
GD's time-averaged loss is

    E f(x + delta) ~ f(x) + (1/2) <Sigma, H(x)> = f(x) + (1/2) sum_a S_aa l_a.

The flow is stepped as in the authors' reference code, substeps dt = h / ``substeps``
with the constraint linearised over the substep (which also lets the flow enter the
edge), but with Heun's predictor-corrector in place of their explicit Euler step:
second order where the flow is smooth, so that before the edge it is gradient flow to
O(dt^2) and not a GD-like Euler scheme.  With off-diagonal couplings G_ab = 0 (a != b)
the problem decouples into a linear complementarity problem for the diagonal of S.

Reference: J. Cohen, A. Damian, A. Talwalkar, J. Z. Kolter, J. D. Lee, "Understanding
optimization in deep learning with central flows", ICLR 2025.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.budget import Meter, check_cost
from ..core.objective import Objective, as_objective, numeric_objective
from ..core.progress import progress_bar
from ..core.scalars import RealLike, check_count, positive_real, sorted_times
from ..errors import InvalidInputError, NonFiniteError
from ..landscape.sharpness import top_eigenpairs
from ..models.numpy_models import ObjectiveModel, as_model, flat_point
from .complementarity import solve_sdcp

__all__ = ["CentralFlow", "central_flow"]


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
    sigma : ndarray (m, k, k)
        S: the oscillation's covariance in the basis u_1..u_k of top eigenvectors.
    active : ndarray of int (m,)
        The rank of S: how many directions are held at the edge.
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
    # each substep: two eigen-solves (a few dozen HVPs on a large model) and k(k+1) products
    check_cost(
        "the central flow", float(ts[-1]) / dt * (k * (k + 1) / 2 + 1), 2e4, "substep products"
    )
    meter = Meter("the central flow", float(ts[-1]) / dt, "substeps")
    done = 0
    out: dict[str, list[Any]] = {key: [] for key in ("x", "loss", "pred", "sharp", "sigma")}
    t, v0, S_prev = 0.0, None, None
    bar = progress_bar(bool(progress), total=float(ts[-1]), desc="central flow", unit="time")

    pairs = [(a, b) for a in range(k) for b in range(a, k)]

    def velocity(y: np.ndarray, v_start: Any, prev: Any) -> tuple[Any, ...]:
        """dx/dt at y with the S of the complementarity problem linearised over one
        substep; also the eigenvalues, S and the top eigenvector (for the records)."""
        try:
            lam, U = top_eigenpairs(model, y, k, v0=v_start)
            g = np.asarray(model.grad(y), dtype=float)
            G = np.zeros((k, k, model.dim))
            for a, b in pairs:
                G[a, b] = G[b, a] = model.d3(y, U[:, a], U[:, b])
        except NonFiniteError as exc:
            raise NonFiniteError(f"{exc}, at t = {t:.6g} of the central flow") from None
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(G)) and np.all(np.isfinite(lam))):
            raise InvalidInputError(
                f"the gradient or curvature left float range at t = {t:.4g} (start too large?)"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            R = np.diag(edge - lam) + dt * (G @ g)
            B = 0.5 * dt * np.einsum("ijn,abn->ijab", G, G)
        if not (np.all(np.isfinite(R)) and np.all(np.isfinite(B))):
            raise InvalidInputError(f"h = {hh!r} is too large for float64 at t = {t:.4g}")
        S = solve_sdcp(R, B, previous=prev)
        return -(g + 0.5 * np.einsum("ab,abn->n", S, G)), lam, S, U[:, 0]

    for target_t in ts:
        while t < target_t - 1e-12 * max(1.0, target_t):
            step = min(dt, target_t - t)
            v1, _, S_prev, v0 = velocity(x, v0, S_prev)
            v2, _, _, _ = velocity(x + step * v1, v0, S_prev)  # Heun: second order where smooth
            x = x + 0.5 * step * (v1 + v2)
            t += step
            done += 1
            meter.tick(done)
            bar.update(step)
            if not np.all(np.isfinite(x)):
                raise InvalidInputError(f"the central flow left float range at t = {t:.4g}")
        _, lam, s, v0 = velocity(x, v0, S_prev)
        out["x"].append(x.copy())
        loss = float(model.loss(x))
        out["loss"].append(loss)
        out["pred"].append(loss + 0.5 * float(np.diag(s) @ lam))
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
        active=np.array(
            [int(np.linalg.matrix_rank(m, tol=1e-9 * max(1.0, float(np.max(m))))) for m in sig],
            dtype=int,
        ),
        h=hh,
        substeps=substeps,
        k=k,
    )
