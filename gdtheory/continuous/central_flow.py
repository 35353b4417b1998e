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

The eigenpairs of each evaluation are warm-started from the previous one's block
(:class:`~gdtheory.landscape.eigensolvers.EigenTracker`: block iterations, one compiled
call for a JAX model, with a Lanczos check every 50 solves), converged to residuals
:data:`EIGEN_TOL` times the top eigenvalue; a model with ``third_derivatives(w, U)`` (JAX,
PyTorch) gives the gradient and every G_ab in one call.

RMSProp (``method=RMSProp(beta2, eps)``, the same paper's Part III) is GD preconditioned
by P = diag(sqrt(nu) + eps), nu an exponential average of the squared gradient, with the
edge lambda_max(P^-1 H) = 2/h.  The eigenpairs are those of H u = l P u (U^T P U = I), the
state nu joins x, and the oscillation enters both:

    dx/dt  = -P^-1 ( grad f + (1/2) sum_ab S_ab G_ab ),
    dnu/dt = c ( g^2 + sum_ab S_ab (H u_a) o (H u_b) - nu ),    c = (1 - beta2)/(beta2 h),

the time average of the squared gradient at the oscillating iterate x + sum c_a u_a being
g^2 + diag(H Sigma H) (o the entry-wise product; 1/beta2 as in the authors' code: RMSProp
steps with the nu that already holds the new gradient).  The constraint
U^T (2/h P - H) U >= 0 is linearised as for GD, with dP/dt = (dnu/dt)/(2 sqrt(nu)) beside
dH/dt:

    W = (2/h - Lambda) + dt ( (2/h) U^T diag(dP_0/dt) U + G . P^-1 g + B[S] ),
    B[S] = B_H[S] + B_nu[S],   B_H[S]_ab = (1/2) sum_cd S_cd G_ab . P^-1 G_cd,
    B_nu[S]_ab = (c/h) sum_i U_ia U_ib sum_cd S_cd (H u_c)_i (H u_d)_i / sqrt(nu_i).

GD is the case P = I without state.  The authors' reference code (``central_flows_jax``)
puts u_a o u_b where this derivation has (H u_a) o (H u_b); on the T9 network (h = 0.002,
beta2 = 0.99, 1500 steps) the flow with (H u) o (H u) stays within 0.009 (relative) of
RMSProp's local averages, the one with u o u drifts to 0.054 and the stable flow (S = 0)
to 0.24 (claim T12, table g; the u o u figure from a run of that variant); on the toy
y x^2/2 - y/10 + y^2/200, whose equilibrium at the edge is known in closed form, the
u o u variant misses it (tests/continuous/test_central_flow.py).

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
from ..errors import GDTheoryError, InvalidInputError, NonFiniteError
from ..landscape.eigensolvers import EigenTracker
from ..methods.adaptive import RMSProp
from ..methods.optimizers import GD
from ..methods.registry import Method, as_method
from ..models.numpy_models import ObjectiveModel, as_model, flat_point
from .complementarity import solve_sdcp

__all__ = ["CentralFlow", "central_flow", "EIGEN_TOL"]

#: Residual tolerance of the eigenpairs, |H u - l u| <= tol l_1: on the 121-parameter
#: network of the benchmark it moves the flow by 1e-8, against 5e-4 between 4 and 8
#: substeps (the integrator's own error).
EIGEN_TOL = 1e-7


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
        The top eigenvalue of P^-1 H on the flow (the Hessian's for GD; 2/h at the edge).
    sigma : ndarray (m, k, k)
        S: the oscillation's covariance in the basis u_1..u_k of top eigenvectors.
    active : ndarray of int (m,)
        The rank of S: how many directions are held at the edge.
    h, substeps, k : the learning rate, Euler substeps per GD step, eigenpairs used.
    method : str
        "GD" or "RMSProp".
    state : ndarray (m, n) or None
        RMSProp's nu on the flow (None for GD).
    directions : ndarray (m, n, k)
        u_1..u_k at each time (H u = l P u, U^T P U = I): the oscillation's covariance is
        Sigma = U S U^T.
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
    method: str = "GD"
    state: np.ndarray | None = field(default=None, repr=False)
    directions: np.ndarray | None = field(default=None, repr=False)

    def time_average(self, fn: Any, *, step: float | None = None) -> np.ndarray:
        r"""The predicted time average of ``fn`` along GD at each time: E fn(x + delta) ~
        fn(x) + (1/2) <Sigma, D^2 fn(x)>, Sigma = sum_ab S_ab u_a u_b^T (Cohen et al.,
        ICLR 2025, section 3).  ``predicted_loss`` is the case fn = the loss.

        ``fn``: a model (``loss`` and ``hvp``, e.g. the loss on held-out data through
        :func:`~gdtheory.models.from_jax` or :func:`~gdtheory.models.from_torch`; exact
        second derivatives), or any callable w -> array (network outputs, a metric): then
        D^2 fn[v, v] along the eigenvectors v of Sigma is a central second difference with
        step ``step`` times max(1, |x|) (default eps^(1/4), about 1.2e-4: truncation and
        rounding errors both about 1e-8 relative).  Returns an array (m,) or (m, ...).

        >>> cf = central_flow("(1 - x*y)**2/2", [3, 0.1], [0, 10], h=0.22)
        >>> f = Objective.parse("(1 - x*y)**2/2")
        >>> bool(np.allclose(cf.time_average(ObjectiveModel(f)), cf.predicted_loss))
        True
        """
        if self.directions is None:
            raise InvalidInputError("this flow has no directions stored (built by hand?)")
        model = fn if callable(getattr(fn, "hvp", None)) and hasattr(fn, "loss") else None
        if model is None and not callable(fn):
            raise InvalidInputError(
                f"fn must be a model (loss and hvp) or a callable w -> array, got "
                f"{type(fn).__name__}"
            )
        if step is None:
            step = float(np.finfo(float).eps) ** 0.25
        elif not (isinstance(step, int | float) and 0 < step < 1):
            raise InvalidInputError(f"step must be a number in (0, 1), got {step!r}")
        out = []
        for x, S, U in zip(self.states, self.sigma, self.directions, strict=True):
            sig, C = np.linalg.eigh(0.5 * (S + S.T))
            V = U @ C  # Sigma = sum_j sig_j v_j v_j^T
            if model is not None:
                base = _observed(model.loss, x)
                curv = [float(v @ np.asarray(model.hvp(x, v), dtype=float)) for v in V.T]
            else:
                base = _observed(fn, x)
                t = step * max(1.0, float(np.max(np.abs(x))))
                curv = [
                    (_observed(fn, x + t * v) + _observed(fn, x - t * v) - 2 * base) / t**2
                    for v in V.T
                ]
            out.append(base + 0.5 * sum(sj * cj for sj, cj in zip(sig, curv, strict=True)))
        return np.array(out)


def _as_flow_model(target: Any) -> Any:
    if isinstance(target, Objective | str):
        return ObjectiveModel(numeric_objective(as_objective(target)))
    model = as_model(target)
    if not callable(getattr(model, "d3", None)):
        raise InvalidInputError(
            "the central flow needs third-derivative products d3(w, u, v): give a symbolic "
            "objective or a model that has them (gdtheory.models.from_jax and from_torch do)"
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
    method: Method | str | None = None,
    nu0: Any = None,
    progress: bool = False,
) -> CentralFlow:
    r"""The central flow from ``x0`` at ``times`` (module docstring), float64.

    ``method``: GD (default) or ``RMSProp(beta2, eps)`` (``eps_root`` allowed), whose
    second moment starts at ``nu0`` (default grad f(x0)^2, the average a run holds once
    its first steps are past; start RMSProp at the same nu to compare).

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
    meth = GD() if method is None else as_method(method)
    if not isinstance(meth, GD | RMSProp):
        raise InvalidInputError(
            f"the central flow is derived for GD and RMSProp, not {meth.name} (momentum "
            "methods have no central flow here)"
        )
    pre = _Preconditioner(meth, hh, model, x, nu0)
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
    keys = ("x", "loss", "pred", "sharp", "sigma", "nu", "U")
    out: dict[str, list[Any]] = {key: [] for key in keys}
    t, S_prev = 0.0, None
    nu = pre.nu0
    bar = progress_bar(bool(progress), total=float(ts[-1]), desc="central flow", unit="time")

    pairs = [(a, b) for a in range(k) for b in range(a, k)]
    tracker = EigenTracker(model, k, tol=EIGEN_TOL)
    fused = getattr(model, "third_derivatives", None)

    def velocity(y: np.ndarray, m: Any, prev: Any) -> tuple[Any, ...]:
        """(dx/dt, dnu/dt) at (y, nu = m) with the S of the complementarity problem
        linearised over one substep; also the eigenvalues, S and the eigenvectors U."""
        P = None if m is None else pre.P(m)
        try:
            L = None if P is None else np.sqrt(1.0 / P)
            lam, V = tracker.solve(y, L)
            U = V if P is None else V / np.sqrt(P)[:, None]  # U^T P U = I, H U = P U Lambda
            if fused is not None:  # one compiled call (JAX, PyTorch models)
                g, G = fused(y, U)
            else:
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
        Pg, PG = (g, G) if P is None else (g / P, G / P)
        with np.errstate(over="ignore", invalid="ignore"):
            R = np.diag(edge - lam) + dt * (G @ Pg)
            B = 0.5 * dt * np.einsum("ijn,abn->ijab", G, PG)
            if P is not None:
                HU = (P[:, None] * U) * lam[None, :]
                rate = pre.rate * pre.dP(P)  # dP/dnu times c
                R += dt * edge * np.einsum("ia,ib,i->ab", U, U, rate * (g * g - m))
                B += dt * edge * np.einsum("ia,ib,ic,id,i->abcd", U, U, HU, HU, rate)
        if not (np.all(np.isfinite(R)) and np.all(np.isfinite(B))):
            raise InvalidInputError(f"h = {hh!r} is too large for float64 at t = {t:.4g}")
        S = solve_sdcp(R, B, previous=prev)
        dx = -(Pg + 0.5 * np.einsum("ab,abn->n", S, PG))
        dnu = None
        if P is not None:
            dnu = pre.rate * (g * g + np.einsum("ab,ia,ib->i", S, HU, HU) - m)
        return dx, dnu, lam, S, U

    for target_t in ts:
        while t < target_t - 1e-12 * max(1.0, target_t):
            step = min(dt, target_t - t)
            v1, n1, _, S_prev, _ = velocity(x, nu, S_prev)
            mid = None if nu is None else nu + step * n1
            v2, n2, _, _, _ = velocity(x + step * v1, mid, S_prev)  # Heun: second order
            x = x + 0.5 * step * (v1 + v2)
            if nu is not None:
                nu = nu + 0.5 * step * (n1 + n2)
                if not np.all(nu > 0):
                    raise InvalidInputError(
                        f"RMSProp's nu left (0, oo) at t = {t:.4g}: take more substeps"
                    )
            t += step
            done += 1
            meter.tick(done)
            bar.update(step)
            if not np.all(np.isfinite(x)):
                raise InvalidInputError(f"the central flow left float range at t = {t:.4g}")
        _, _, lam, s, U = velocity(x, nu, S_prev)
        out["U"].append(U)
        out["x"].append(x.copy())
        loss = float(model.loss(x))
        out["loss"].append(loss)
        out["pred"].append(loss + 0.5 * float(np.diag(s) @ lam))
        out["sharp"].append(float(lam[0]))
        out["sigma"].append(s)
        out["nu"].append(None if nu is None else nu.copy())
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
        method=type(meth).__name__,
        state=None if nu is None else np.array(out["nu"]),
        directions=np.array(out["U"]),
    )


def _observed(fn: Any, x: np.ndarray) -> np.ndarray:
    """fn(x) as a float array, or an error naming what fn did."""
    try:
        value = fn(x)
    except GDTheoryError:
        raise
    except Exception as exc:  # the user's function: report what it raised
        raise InvalidInputError(f"fn(w) failed: {type(exc).__name__}: {exc}"[:300]) from None
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError(f"fn(w) must return numbers, got {type(value).__name__}") from None
    if not np.all(np.isfinite(out)):
        raise NonFiniteError("fn(w) is not finite on the central flow")
    return out


class _Preconditioner:
    """RMSProp's P = sqrt(nu + eps_root) + eps, from the method's own
    :meth:`~gdtheory.methods.adaptive.RMSProp.inverse_preconditioner` (None for GD), with
    dP/dnu = 1/(2 (P - eps)), the state's start and its rate c."""

    def __init__(self, method: Any, h: float, model: Any, x: np.ndarray, nu0: Any) -> None:
        self.method, self.nu0 = method, None
        if not isinstance(method, RMSProp):
            if nu0 is not None:
                raise InvalidInputError("nu0 is RMSProp's second moment: GD has none")
            return
        try:
            b2, self.eps, _ = float(method.beta2), float(method.eps), float(method.eps_root)
        except TypeError:
            raise InvalidInputError(
                f"the central flow is numerical: {method!r} needs numbers, not symbols"
            ) from None
        if b2 <= 0:
            raise InvalidInputError("beta2 = 0 has no second-moment dynamics; give beta2 > 0")
        self.rate = (1 - b2) / (b2 * h)
        g = np.asarray(model.grad(x), dtype=float)
        nu = g * g if nu0 is None else np.asarray(nu0, dtype=float).reshape(-1)
        if nu.shape != x.shape or not np.all(np.isfinite(nu) & (nu >= 0)):
            raise InvalidInputError(f"nu0 must be {x.size} finite numbers >= 0")
        if not np.all(self.P(nu) > 0):
            raise InvalidInputError(
                "nu0 has zeros and eps = eps_root = 0: RMSProp's step is undefined there"
            )
        self.nu0 = nu

    def P(self, nu: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            (d,) = self.method.inverse_preconditioner(([nu],))  # one array coordinate
            return 1.0 / np.asarray(d, dtype=float)

    def dP(self, P: np.ndarray) -> np.ndarray:
        """dP/dnu = 1/(2 sqrt(nu + eps_root)) = 1/(2 (P - eps))."""
        return 0.5 / (P - self.eps)
