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
:func:`track_sharpness` records it along a run of any full-batch method of the registry,
warm-starting each Lanczos run from the previous top eigenvector.  For a method whose
step is x - h P^-1 (gradient or momentum) the quantity is the *preconditioned*
sharpness lambda_max(P^-1 H), the eigenvalues of the symmetric L^T H L with P^-1 = L L^T,
and its edge is the method's stability threshold (:func:`edge_threshold`): 38/h for Adam
with beta1 = 0.9, the adaptive edge of stability (claim T12).

References: Cohen, Kaur, Li, Kolter, Talwalkar, "Gradient descent on neural networks
typically occurs at the edge of stability", ICLR 2021; Cohen, Ghorbani, Krishnan et al.,
"Adaptive gradient methods at the edge of stability", arXiv:2207.14484, 2022.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from ..core.budget import RATE_FLOAT_ITERATIONS, Meter, check_cost, check_memory
from ..core.outcomes import Status
from ..core.parallel import map_pieces
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
    "lanczos",
    "SharpnessTrace",
    "track_sharpness",
    "sharpness_sweep",
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


def symmetric_factor(inverse_preconditioner: Any, n: int) -> np.ndarray | None:
    """A factor L with P^-1 = L L^T (so that P^-1 H and the symmetric L^T H L share their
    eigenvalues): sqrt(d) as a vector for a diagonal d = P^-1, the Cholesky factor for a
    matrix, None for None (P = I).  Refuses a P^-1 that is not positive definite."""
    if inverse_preconditioner is None:
        return None
    d = np.asarray(inverse_preconditioner, dtype=float)
    if d.shape == (n,):
        if not (np.all(np.isfinite(d)) and np.all(d > 0)):
            raise InvalidInputError(
                "the inverse preconditioner must have finite positive entries; "
                f"it has min {np.min(d):.3g}"
            )
        return np.sqrt(d)
    if d.shape == (n, n):
        if not (np.all(np.isfinite(d)) and np.allclose(d, d.T, rtol=1e-12, atol=0.0)):
            raise InvalidInputError("the inverse preconditioner must be a finite symmetric matrix")
        try:
            return np.linalg.cholesky(d)
        except np.linalg.LinAlgError:
            raise InvalidInputError(
                "the inverse preconditioner must be positive definite"
            ) from None
    raise InvalidInputError(
        f"the inverse preconditioner must be a vector of {n} entries or a {n} x {n} matrix, "
        f"got shape {d.shape}"
    )


def _apply(L: np.ndarray | None, u: np.ndarray, transpose: bool = False) -> np.ndarray:
    if L is None:
        return u
    if L.ndim == 1:
        return L * u
    return L.T @ u if transpose else L @ u


def top_eigenpairs(
    model: Model,
    w: np.ndarray,
    k: int = 1,
    *,
    v0: np.ndarray | None = None,
    tol: float = 1e-10,
    inverse_preconditioner: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The k largest eigenvalues (descending) of the Hessian at w, or of P^-1 H for an
    ``inverse_preconditioner`` P^-1 (a positive vector, the diagonal, or an SPD matrix),
    and the eigenvectors (dim, k) of the symmetric L^T H L, P^-1 = L L^T.

    Lanczos starts from ``v0``, or from a fixed pseudo-random vector (seed 0) so that
    results do not depend on ARPACK's internal random state, i.e. on what ran before.
    """
    n = model.dim
    L = symmetric_factor(inverse_preconditioner, n)

    def product(u: np.ndarray) -> np.ndarray:
        return _apply(L, model.hvp(w, _apply(L, np.ravel(u))), transpose=True)

    if n <= max(DENSE_DIM, k + 1):
        H = np.column_stack([product(e) for e in np.eye(n)])
        vals, vecs = np.linalg.eigh((H + H.T) / 2)
        return vals[::-1][:k], vecs[:, ::-1][:, :k]
    return lanczos(product, n, k, tol=tol, v0=v0)


def lanczos(
    matvec: Any, n: int, k: int, *, tol: float, v0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The k largest eigenpairs (descending) of the symmetric operator ``matvec`` on R^n by
    ARPACK's Lanczos, from ``v0`` or from a fixed pseudo-random vector (seed 0)."""
    op = LinearOperator((n, n), matvec=matvec, dtype=float)
    if v0 is None:
        v0 = np.random.default_rng(0).standard_normal(n)
    try:
        vals, vecs = eigsh(op, k=k, which="LA", v0=v0, tol=tol, maxiter=50 * n)
    except ArpackNoConvergence as exc:  # pragma: no cover - ARPACK rarely fails here
        raise InvalidInputError(f"Lanczos did not converge at tol={tol}: {exc}") from None
    order = np.argsort(vals)[::-1]
    return vals[order], vecs[:, order]


def sharpness(
    objective: Any, x: Any, *, tol: float = 1e-10, inverse_preconditioner: Any = None
) -> float:
    r"""The top Hessian eigenvalue at x, a float (the top k: :func:`top_eigenvalues`); with
    ``inverse_preconditioner`` P^-1 (a positive diagonal or an SPD matrix) the
    preconditioned sharpness lambda_max(P^-1 H) of Cohen et al. (2022).

    ``objective`` is an :class:`~gdtheory.core.objective.Objective` or a model with an exact
    ``hvp`` (:mod:`gdtheory.models.numpy_models`).

    >>> from gdtheory.objectives import scalar_factorization
    >>> round(sharpness(scalar_factorization(), [2.0, 0.5]), 12)  # x^2 + y^2 on xy = 1
    4.25
    >>> round(sharpness(scalar_factorization(), [2.0, 0.5], inverse_preconditioner=[1.0, 4.0]), 12)
    16.25
    """
    return float(
        top_eigenvalues(objective, x, 1, tol=tol, inverse_preconditioner=inverse_preconditioner)[0]
    )


def top_eigenvalues(
    objective: Any, x: Any, k: int, *, tol: float = 1e-10, inverse_preconditioner: Any = None
) -> np.ndarray:
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
    vals, _ = top_eigenpairs(
        model, _point(model, x), k, tol=tol, inverse_preconditioner=inverse_preconditioner
    )
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
    r"""Loss at every step and the (preconditioned) sharpness every ``every`` steps along a
    float64 run of a method of the registry.

    Attributes
    ----------
    method : str
        The method as it was given (``GD()``, ``Adam(beta1=9/10, ...)``).
    h : float
    steps : ndarray (m,)
        The steps at which the sharpness was measured.
    sharpness : ndarray (m,)
        lambda_max(P^-1 H) at x_k, P the preconditioner the step from x_k applies
        (:meth:`~gdtheory.methods.registry.Method.inverse_preconditioner`): the Hessian's
        top eigenvalue for GD and momentum, Cohen et al.'s preconditioned sharpness for the
        adaptive methods.
    loss : ndarray (total + 1,)
        The loss at every step 0..total.
    w : ndarray
        The last iterate.
    edge : float
        The method's stability threshold (:func:`edge_threshold`): 2/h for GD, 38/h for
        Adam with beta1 = 0.9.
    preconditioned : bool
        Whether ``sharpness`` is of P^-1 H with P != I.
    frozen_at : int or None
        The step from which the preconditioner was frozen (``freeze_at``), else None.
    final_ratio : float
        sharpness at the last measured step / edge; NaN for a diverged run (its last
        sharpness is that of a point on the way out, not an end state).
    reached_edge_at : int or None
        First measured step with sharpness >= 0.95 edge.
    hover_range : tuple of float or None
        (min, max) of sharpness / edge from ``reached_edge_at`` on; None if diverged.
    loss_increases : int
        Steps where the loss went up (non-monotone descent).
    status : Status
        ``diverged`` (the loss left float range or the iterate left ``bound``) or
        ``max_steps`` (all steps made); ``diverged`` is the property ``status ==
        "diverged"``.
    decided_at : int
        The step at which the status was decided (``steps`` for ``max_steps``).
    eigenvalues : ndarray (m, k)
        The top k eigenvalues of P^-1 H at the measured steps, descending (``sharpness``
        is the first column).
    params : ndarray (m, dim) or None
        The iterate x_k at the measured steps (with ``keep_params=True``).
    """

    method: str
    h: float
    steps: np.ndarray = field(repr=False)
    sharpness: np.ndarray = field(repr=False)
    loss: np.ndarray = field(repr=False)
    w: np.ndarray = field(repr=False)
    edge: float
    preconditioned: bool
    frozen_at: int | None
    final_ratio: float
    reached_edge_at: int | None
    hover_range: tuple[float, float] | None
    loss_increases: int
    status: Status
    decided_at: int
    eigenvalues: np.ndarray = field(default_factory=lambda: np.zeros((0, 1)), repr=False)
    params: np.ndarray | None = field(default=None, repr=False)

    @property
    def diverged(self) -> bool:
        """Whether the run diverged (``status == "diverged"``)."""
        return self.status is Status.DIVERGED

    def mean_ratio(self, since: int = 0) -> float:
        """Mean of sharpness / edge over the measurements at steps >= ``since`` (NaN for a
        diverged run or none measured)."""
        S = self.sharpness[self.steps >= check_count(since, "since", 0)]
        if self.diverged or not S.size:
            return float("nan")
        return float(np.mean(S) / self.edge)

    @property
    def end_ratio(self) -> float:
        """Mean of sharpness / edge over the last 10% of the measurements (at least the
        last one): where a run ends relative to its edge, less noisy than the last sample
        of an oscillating sharpness (NaN for a diverged run)."""
        if not self.steps.size:
            return float("nan")
        return self.mean_ratio(int(self.steps[-max(1, self.steps.size // 10)]))

    def plot(self, axes: Any = None) -> Any:
        """Loss (log scale) and sharpness with the edge line; returns the two axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(10, 3.8))
        ax0, ax1 = axes
        ax0.semilogy(np.arange(len(self.loss)), self.loss, lw=0.7)
        ax0.set_xlabel("step")
        ax0.set_ylabel("training loss")
        what = "preconditioned sharpness" if self.preconditioned else "sharpness"
        ax1.plot(self.steps, self.sharpness, ".-", ms=2, lw=0.8, label=what)
        ax1.axhline(self.edge, color="r", ls="--", label=f"edge = {self.edge:.3g}")
        if self.frozen_at is not None:
            ax1.axvline(self.frozen_at, color="k", ls=":", lw=0.8, label="P frozen")
        ax1.set_xlabel("step")
        ax1.set_ylabel("lambda_max(P^-1 H)" if self.preconditioned else "top Hessian eigenvalue")
        ax1.legend(fontsize=8)
        return axes


def _whole_vector(meth: Method) -> bool:
    """Whether a float64 run may hold the parameter vector as one array coordinate."""
    if meth.stochastic:
        raise InvalidInputError(
            f"track_sharpness runs full-batch methods; {meth.name} is stochastic"
        )
    return meth.coordinatewise


def track_sharpness(
    objective: Any,
    x0: Any,
    *,
    h: float,
    steps: int,
    method: Method | str = "gd",
    every: int = 10,
    freeze_at: int | None = None,
    tol: float = 1e-8,
    bound: float = 1e12,
    progress: bool = False,
    k: int = 1,
    keep_params: bool = False,
) -> SharpnessTrace:
    r"""Run ``method`` (GD by default, any full-batch method of the registry) in float64
    for ``steps`` steps from x0 and the method's zero state; record the loss at every step
    and, every ``every`` steps, lambda_max(P_k^-1 H(x_k)) with P_k the preconditioner the
    step from x_k applies (P = I for GD and momentum: the sharpness; Adam's P =
    (1 - beta1^t) diag(sqrt(v^) + eps), Cohen et al., "Adaptive gradient methods at the
    edge of stability", 2022), or its top ``k`` eigenvalues (``eigenvalues``), and the
    iterate itself with ``keep_params=True`` (``params``).  ``freeze_at=K`` keeps, from
    step K on, the preconditioner of the method's last adaptive step (the one from
    x_{K-1}) and continues with the momentum it holds
    (:meth:`~gdtheory.methods.registry.Method.freeze`, their frozen-preconditioner
    experiment).  The edge is the method's stability threshold
    (:func:`edge_threshold`).  ``progress=True``: a tqdm bar over the steps.

    A method whose update treats coordinates alone (``coordinatewise``) runs on the whole
    parameter vector as one array; any other (a full matrix P, a user's method) runs
    coordinate by coordinate on Python floats, slower but the same formula.

    From (3, 0.2), near the sharp minimiser (3, 2/3) of (xy - 2)^2/2 whose sharpness
    9.4 exceeds 2/h, GD with h = 0.3 travels to a flatter minimiser (balancing):

    >>> from gdtheory.models.numpy_models import FactorizationModel
    >>> m = FactorizationModel(np.array([[2.0]]), 1)
    >>> t = track_sharpness(m, [3.0, 0.2], h=0.3, steps=200, every=20)
    >>> t.diverged, bool(t.loss[-1] < 1e-20), round(float(t.sharpness[-1]), 3), round(t.edge, 3)
    (False, True, 4.065, 6.667)

    Adam's edge is 38/h at beta1 = 0.9, and its sharpness is that of P^-1 H:

    >>> from gdtheory.optimizers import Adam
    >>> a = track_sharpness(m, [3.0, 0.2], h=0.01, steps=50, every=10,
    ...                     method=Adam(beta1="9/10", beta2="999/1000", eps="1e-8"))
    >>> round(a.edge, 6), a.preconditioned, a.method.startswith("Adam(beta1=9/10")
    (3800.0, True, True)
    """
    model = as_model(objective)
    meth = as_method(method)
    given = repr(meth)  # ``meth`` becomes the frozen method at ``freeze_at``
    h_f = float(learning_rates(h, "h").ravel()[0])
    steps = check_count(steps, "steps", 1)
    check_memory("the sharpness trace", steps + 1)
    # a Python-level step with a model gradient: ~5 microseconds at best
    check_cost("track_sharpness", steps, RATE_FLOAT_ITERATIONS / 5000, "steps")
    every = check_count(every, "every", 1)
    k_top = check_count(k, "k", 1)
    if k_top > model.dim:
        raise InvalidInputError(f"k = {k_top} exceeds the dimension {model.dim}")
    if not isinstance(keep_params, bool):
        raise InvalidInputError(f"keep_params must be True or False, got {keep_params!r}")
    if keep_params:
        check_memory("the recorded parameters", (steps // every + 2) * float(model.dim))
    if freeze_at is not None:
        freeze_at = check_count(freeze_at, "freeze_at", 1)
        if freeze_at > steps:
            raise InvalidInputError(f"freeze_at = {freeze_at} is after the last step {steps}")
        if type(meth).freeze is Method.freeze:
            meth.freeze(())  # says that the method has nothing to freeze
    edge = float(edge_threshold(meth, h=h_f))
    whole = _whole_vector(meth)
    w = _point(model, x0).copy()

    def pack(vec: np.ndarray) -> list[Any]:
        return [vec] if whole else [float(c) for c in vec]

    def unpack(coords: Any) -> np.ndarray:
        return np.asarray(coords[0] if whole else coords, dtype=float)

    def grad(y: Any) -> list[Any]:
        return pack(model.grad(unpack(y)))

    state = meth.init_state(pack(w))
    losses = np.empty(steps + 1)
    rec_steps, rec_sharp, rec_vals, rec_w = [], [], [], []
    v0 = None
    diverged = False
    last = steps
    preconditioned = False
    bar = progress_bar(bool(progress), total=steps, desc="track_sharpness", unit="step")
    meter = Meter("track_sharpness", steps, "steps")
    for k in range(steps + 1):
        meter.tick(k)
        if k:
            bar.update(1)
        try:
            losses[k] = model.loss(w) if np.all(np.abs(w) <= bound) else np.inf
        except NonFiniteError as exc:
            if k == 0:  # the model itself, not the method: its loss at the start is not finite
                raise NonFiniteError(f"{exc} (the start, step 0)") from None
            losses[k] = np.nan  # the run left the region where the loss is finite
        if not np.isfinite(losses[k]):
            diverged, last = True, k
            break
        try:
            if k == freeze_at:
                meth, state = meth.freeze(state)
            # the step from x_k (at k = steps only for the preconditioner it applies)
            with np.errstate(over="ignore", invalid="ignore"):
                x1, state1 = meth.update(grad, pack(w), state, h_f)
            if k % every == 0 or k == steps:
                inv = meth.inverse_preconditioner(state1)
                inv = None if inv is None else unpack(inv)
                preconditioned = preconditioned or inv is not None
                vals, vecs = top_eigenpairs(
                    model, w, k_top, v0=v0, tol=tol, inverse_preconditioner=inv
                )
                rec_steps.append(k)
                rec_sharp.append(float(vals[0]))
                rec_vals.append(np.asarray(vals, dtype=float))
                if keep_params:
                    rec_w.append(w.copy())
                v0 = vecs[:, 0]
            if k < steps:
                w, state = unpack(x1), state1
        except NonFiniteError as exc:  # a finite loss with a NaN gradient or curvature
            raise NonFiniteError(f"{exc}, at {meth.name} step {k} (loss {losses[k]:.6g})") from None
    bar.close()
    losses = losses[: last + 1]
    S = np.array(rec_sharp)
    reached = np.nonzero(S >= 0.95 * edge)[0]
    at = int(rec_steps[reached[0]]) if reached.size else None
    hover = (
        (float(S[reached[0] :].min() / edge), float(S[reached[0] :].max() / edge))
        if reached.size and not diverged
        else None
    )
    return SharpnessTrace(
        method=given,
        h=h_f,
        steps=np.array(rec_steps),
        sharpness=S,
        loss=losses,
        w=w,
        edge=edge,
        preconditioned=preconditioned,
        frozen_at=freeze_at,
        final_ratio=float(S[-1] / edge) if S.size and not diverged else float("nan"),
        reached_edge_at=at,
        hover_range=hover,
        loss_increases=int(np.count_nonzero(np.diff(losses) > 0)),
        status=Status.DIVERGED if diverged else Status.MAX_STEPS,
        decided_at=last,
        eigenvalues=np.array(rec_vals).reshape(len(rec_vals), k_top),
        params=np.array(rec_w).reshape(len(rec_w), model.dim) if keep_params else None,
    )


def _one_trace(objective: Any, x0: Any, h: float, kwargs: dict[str, Any]) -> SharpnessTrace:
    return track_sharpness(objective, x0, h=h, **kwargs)


def sharpness_sweep(
    objective: Any, x0: Any, *, hs: Any, steps: int, executor: Any = None, **kwargs: Any
) -> tuple[SharpnessTrace, ...]:
    """:func:`track_sharpness` at every learning rate of ``hs`` (the other options passed
    on), here or on ``executor`` (a :class:`concurrent.futures.Executor` or a dask
    ``Client``: each h is one task, so the model must pickle for a process-based one; a
    JAX model does not, a NumPy model does), the traces in the order of ``hs`` and the same
    numbers either way.

    >>> from gdtheory.models.numpy_models import FactorizationModel
    >>> m = FactorizationModel(np.array([[2.0]]), 1)
    >>> [round(t.edge, 3) for t in sharpness_sweep(m, [3.0, 0.2], hs=[0.1, 0.3], steps=20)]
    [20.0, 6.667]
    """
    rates = learning_rates(hs, "hs").ravel()
    if rates.size == 0:
        raise InvalidInputError("hs is empty")
    if "h" in kwargs:
        raise InvalidInputError("give the learning rates as hs=[...], not h=")
    kwargs["steps"] = steps
    pieces = [(objective, x0, float(h), kwargs) for h in rates]
    return tuple(map_pieces(_one_trace, pieces, executor))
