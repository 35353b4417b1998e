r"""Sharpness: the top Hessian eigenvalues by Lanczos on exact Hessian-vector products.

The sharpness of a loss at w is lambda_max(Hessian(w)) (largest algebraic eigenvalue).
Gradient descent with step h is linearly stable at a minimiser only if
h lambda_max <= 2, and Cohen et al. observed that on neural-network losses full-batch GD
raises the sharpness ("progressive sharpening") until it reaches 2/h and then hovers
there, the *edge of stability*, while the loss keeps decreasing non-monotonically
(claim T9).

:func:`sharpness` runs SciPy's ``eigsh`` (implicitly restarted Lanczos, ARPACK) on a
``LinearOperator`` whose product is the model's exact HVP (:mod:`gdtheory.models.numpy_models`):
the Hessian is never formed, so the cost is a few dozen HVPs, each about two gradients.
:func:`track_sharpness` records it along a GD run, warm-starting each Lanczos run from
the previous top eigenvector.

Reference: Cohen, Kaur, Li, Kolter, Talwalkar, "Gradient descent on neural networks
typically occurs at the edge of stability", ICLR 2021.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from ..core.budget import RATE_FLOAT_ITERATIONS, Meter, check_cost, check_memory
from ..core.outcomes import Status
from ..core.progress import progress_bar
from ..core.scalars import check_count, learning_rates, positive_real
from ..errors import InvalidInputError, NonFiniteError
from ..methods.registry import Method, as_method
from ..models.numpy_models import Model, as_model, flat_point

__all__ = [
    "edge_threshold",
    "sharpness",
    "top_eigenvalues",
    "sharpness_estimate",
    "SharpnessEstimate",
    "top_eigenpairs",
    "SharpnessTrace",
    "track_sharpness",
]


def edge_threshold(method: Method | str, *, h: Any) -> sp.Expr:
    """The edge of stability of ``method`` at rate h, exactly: the curvature (the top
    eigenvalue of the Hessian, or of P^-1 H with an adaptive method's preconditioner P =
    diag(sqrt(v) + eps) frozen) at which its run on lambda x^2/2 turns linearly unstable:
    2/h (GD), (2 + 2 beta)/h (heavy ball), (2 + 2 beta)/((1 + 2 beta) h) (Nesterov),
    (2 + 2 beta1)/((1 - beta1) h) (Adam; Cohen et al., "Adaptive gradient methods at the
    edge of stability", 2022), each from :meth:`Method.stability_threshold`.

    >>> from gdtheory.optimizers import Adam, HeavyBall
    >>> edge_threshold(Adam(beta1="9/10", beta2="999/1000", eps="1e-8"), h="1/100")
    3800
    >>> edge_threshold(HeavyBall("9/10"), h="1/10")
    38
    """
    meth = as_method(method)
    value = meth.stability_threshold(positive_real(h, "h"))
    if not isinstance(value, sp.Expr):
        raise InvalidInputError(
            f"{meth.name}.stability_threshold returned {type(value).__name__}, not a SymPy "
            "expression"
        )
    return value


#: Below this dimension the Hessian is assembled from dim HVPs and diagonalised densely.
DENSE_DIM = 8


def _point(model: Model, w: Any) -> np.ndarray:
    return flat_point(w, model.dim)


def top_eigenpairs(
    model: Model, w: np.ndarray, k: int = 1, *, v0: np.ndarray | None = None, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray]:
    """The k largest Hessian eigenvalues (descending) and eigenvectors (dim, k) at w.

    Lanczos starts from ``v0``, or from a fixed pseudo-random vector (seed 0) so that
    results do not depend on ARPACK's internal random state, i.e. on what ran before.
    """
    n = model.dim
    if n <= max(DENSE_DIM, k + 1):
        H = np.column_stack([model.hvp(w, e) for e in np.eye(n)])
        vals, vecs = np.linalg.eigh((H + H.T) / 2)
        return vals[::-1][:k], vecs[:, ::-1][:, :k]
    op = LinearOperator((n, n), matvec=lambda u: model.hvp(w, np.ravel(u)), dtype=float)
    if v0 is None:
        v0 = np.random.default_rng(0).standard_normal(n)
    try:
        vals, vecs = eigsh(op, k=k, which="LA", v0=v0, tol=tol, maxiter=50 * n)
    except ArpackNoConvergence as exc:  # pragma: no cover - ARPACK rarely fails here
        raise InvalidInputError(f"Lanczos did not converge at tol={tol}: {exc}") from None
    order = np.argsort(vals)[::-1]
    return vals[order], vecs[:, order]


def sharpness(objective: Any, x: Any, *, tol: float = 1e-10) -> float:
    r"""The top Hessian eigenvalue at x, a float (the top k: :func:`top_eigenvalues`).

    ``objective`` is an :class:`~gdtheory.core.objective.Objective` or a model with an exact
    ``hvp`` (:mod:`gdtheory.models.numpy_models`).

    >>> from gdtheory.objectives import scalar_factorization
    >>> round(sharpness(scalar_factorization(), [2.0, 0.5]), 12)  # x^2 + y^2 on xy = 1
    4.25
    """
    return float(top_eigenvalues(objective, x, 1, tol=tol)[0])


def top_eigenvalues(objective: Any, x: Any, k: int, *, tol: float = 1e-10) -> np.ndarray:
    r"""The top k Hessian eigenvalues at x, an array in descending order (Lanczos on
    Hessian-vector products; ``objective`` as in :func:`sharpness`).

    >>> from gdtheory.models.numpy_models import FactorizationModel
    >>> m = FactorizationModel(np.diag([3.0, 1.0, 0.5]), 3)
    >>> w = np.concatenate([np.diag(np.sqrt([3.0, 1.0, 0.5])).ravel()] * 2)  # balanced
    >>> np.round(top_eigenvalues(m, w, 3), 10)  # sigma_i(X)^2 + sigma_j(Y)^2: 6, 4, 4
    array([6., 4., 4.])
    """
    model = as_model(objective)
    k = check_count(k, "k", 1)
    if k > model.dim:
        raise InvalidInputError(f"k = {k} exceeds the dimension {model.dim}")
    vals, _ = top_eigenpairs(model, _point(model, x), k, tol=tol)
    return np.asarray(vals, dtype=float)


@dataclass(frozen=True)
class SharpnessEstimate:
    """The top Hessian eigenvalue with an error bound: ``residual`` = |H~ u - value u| for
    the unit Ritz vector u and the model's products H~, ``hvp_error`` an estimate of
    |H~ u - H u| (0 for exact products), ``error`` their sum.  For symmetric H some
    eigenvalue lies within |H u - value u| <= error of ``value`` (Weyl); that it is the top
    one rests on Lanczos having converged to the top of the spectrum."""

    value: float
    residual: float
    hvp_error: float
    error: float
    hvp: str


def sharpness_estimate(objective: Any, x: Any, *, tol: float = 1e-10) -> SharpnessEstimate:
    r""":func:`sharpness` with its error bound; models with only a gradient get differenced
    HVPs (:class:`~gdtheory.models.numpy_models.DifferencedModel`) whose error is estimated.

    >>> class OnlyGrad:                       # a user model without an hvp
    ...     dim = 2
    ...     def loss(self, w): return 0.5 * (w[0] * w[1] - 1) ** 2
    ...     def grad(self, w): return (w[0] * w[1] - 1) * np.array([w[1], w[0]])
    >>> e = sharpness_estimate(OnlyGrad(), [2.0, 0.5])
    >>> round(e.value, 6), e.hvp, bool(e.error < 1e-7)            # exact: x^2 + y^2 = 4.25
    (4.25, 'central differences', True)
    """
    model = as_model(objective)
    w = _point(model, x)
    vals, vecs = top_eigenpairs(model, w, 1, tol=tol)
    lam, u = float(vals[0]), vecs[:, 0] / np.linalg.norm(vecs[:, 0])
    residual = float(np.linalg.norm(model.hvp(w, u) - lam * u))
    differenced = hasattr(model, "hvp_error")
    herr = float(model.hvp_error(w, u)) if differenced else 0.0  # type: ignore[attr-defined]
    return SharpnessEstimate(
        lam, residual, herr, residual + herr, "central differences" if differenced else "exact"
    )


@dataclass(frozen=True)
class SharpnessTrace:
    r"""Loss at every step and sharpness every ``every`` steps along a float64 GD run.

    Attributes
    ----------
    h : float
    steps : ndarray (m,)
        The steps at which the sharpness was measured.
    sharpness : ndarray (m,)
    loss : ndarray (total + 1,)
        The loss at every step 0..total.
    w : ndarray
        The last iterate.
    edge : float
        2 / h.
    final_ratio : float
        sharpness at the last measured step / (2/h); NaN for a diverged run (its last
        sharpness is that of a point on the way out, not an end state).
    reached_edge_at : int or None
        First measured step with sharpness >= 0.95 (2/h).
    hover_range : tuple of float or None
        (min, max) of sharpness / (2/h) from ``reached_edge_at`` on; None if diverged.
    loss_increases : int
        Steps where the loss went up (non-monotone descent).
    status : Status
        ``diverged`` (the loss left float range or the iterate left ``bound``) or
        ``max_steps`` (all steps made); ``diverged`` is the property ``status ==
        "diverged"``.
    decided_at : int
        The step at which the status was decided (``steps`` for ``max_steps``).
    """

    h: float
    steps: np.ndarray = field(repr=False)
    sharpness: np.ndarray = field(repr=False)
    loss: np.ndarray = field(repr=False)
    w: np.ndarray = field(repr=False)
    edge: float
    final_ratio: float
    reached_edge_at: int | None
    hover_range: tuple[float, float] | None
    loss_increases: int
    status: Status
    decided_at: int

    @property
    def diverged(self) -> bool:
        """Whether the run diverged (``status == "diverged"``)."""
        return self.status is Status.DIVERGED

    def plot(self, axes: Any = None) -> Any:
        """Loss (log scale) and sharpness with the 2/h line; returns the two axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(10, 3.8))
        ax0, ax1 = axes
        ax0.semilogy(np.arange(len(self.loss)), self.loss, lw=0.7)
        ax0.set_xlabel("GD step")
        ax0.set_ylabel("training loss")
        ax1.plot(self.steps, self.sharpness, ".-", ms=2, lw=0.8, label="sharpness")
        ax1.axhline(self.edge, color="r", ls="--", label=f"2/h = {self.edge:.3g}")
        ax1.set_xlabel("GD step")
        ax1.set_ylabel("top Hessian eigenvalue")
        ax1.legend(fontsize=8)
        return axes


def track_sharpness(
    objective: Any,
    x0: Any,
    *,
    h: float,
    steps: int,
    every: int = 10,
    tol: float = 1e-8,
    bound: float = 1e12,
    progress: bool = False,
) -> SharpnessTrace:
    r"""Run float64 GD w <- w - h grad L(w) for ``steps`` steps; record loss and sharpness
    (``progress=True``: a tqdm bar over the steps, for long model runs).

    From (3, 0.2), near the sharp minimiser (3, 2/3) of (xy - 2)^2/2 whose sharpness
    9.4 exceeds 2/h, GD with h = 0.3 travels to a flatter minimiser (balancing):

    >>> from gdtheory.models.numpy_models import FactorizationModel
    >>> m = FactorizationModel(np.array([[2.0]]), 1)
    >>> t = track_sharpness(m, [3.0, 0.2], h=0.3, steps=200, every=20)
    >>> t.diverged, bool(t.loss[-1] < 1e-20), round(float(t.sharpness[-1]), 3), round(t.edge, 3)
    (False, True, 4.065, 6.667)
    """
    model = as_model(objective)
    h_f = float(learning_rates(h, "h").ravel()[0])
    steps = check_count(steps, "steps", 1)
    check_memory("the sharpness trace", steps + 1)
    # a Python-level step with a model gradient: ~5 microseconds at best
    check_cost("track_sharpness", steps, RATE_FLOAT_ITERATIONS / 5000, "GD steps")
    every = check_count(every, "every", 1)
    w = _point(model, x0).copy()
    losses = np.empty(steps + 1)
    rec_steps, rec_sharp = [], []
    v0 = None
    diverged = False
    last = steps
    bar = progress_bar(bool(progress), total=steps, desc="track_sharpness", unit="step")
    meter = Meter("track_sharpness", steps, "GD steps")
    for k in range(steps + 1):
        meter.tick(k)
        if k:
            bar.update(1)
        try:
            losses[k] = model.loss(w) if np.all(np.abs(w) <= bound) else np.inf
        except NonFiniteError as exc:
            if k == 0:  # the model itself, not GD: its loss at the start is not finite
                raise NonFiniteError(f"{exc} (the start, step 0)") from None
            losses[k] = np.nan  # GD left the region where the loss is finite
        if not np.isfinite(losses[k]):
            diverged, last = True, k
            break
        try:
            if k % every == 0 or k == steps:
                vals, vecs = top_eigenpairs(model, w, 1, v0=v0, tol=tol)
                rec_steps.append(k)
                rec_sharp.append(float(vals[0]))
                v0 = vecs[:, 0]
            if k < steps:
                w = w - h_f * model.grad(w)
        except NonFiniteError as exc:  # a finite loss with a NaN gradient or curvature
            raise NonFiniteError(f"{exc}, at GD step {k} (loss {losses[k]:.6g})") from None
    bar.close()
    losses = losses[: last + 1]
    S = np.array(rec_sharp)
    edge = 2.0 / h_f
    reached = np.nonzero(S >= 0.95 * edge)[0]
    at = int(rec_steps[reached[0]]) if reached.size else None
    hover = (
        (float(S[reached[0] :].min() / edge), float(S[reached[0] :].max() / edge))
        if reached.size and not diverged
        else None
    )
    return SharpnessTrace(
        h=h_f,
        steps=np.array(rec_steps),
        sharpness=S,
        loss=losses,
        w=w,
        edge=edge,
        final_ratio=float(S[-1] / edge) if S.size and not diverged else float("nan"),
        reached_edge_at=at,
        hover_range=hover,
        loss_increases=int(np.count_nonzero(np.diff(losses) > 0)),
        status=Status.DIVERGED if diverged else Status.MAX_STEPS,
        decided_at=last,
    )
