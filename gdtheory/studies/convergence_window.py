r"""The convergence window of GD on (mu - xy)^2/2: runs from many starts with
h = c / L(start), L the sharpness at the start, over a grid of c, classified by their
limit (a point of the minimiser set, a cycle, neither, divergence) and compared with the
balance bound (x - y)^2 <= 2/h - 2 mu of :mod:`gdtheory.landscape.balance`.

Reference: Wang, Chen, Zhao, Tao, "Large learning rate tames homogeneity: convergence and
balancing effect", ICLR 2022 (sec. 3: convergence for h up to about 4/L, L the spectral
radius of the Hessian at initialisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.objective import Objective
from ..core.outcomes import DIVERGED_PERIOD, LimitKind
from ..core.scalars import check_count, exact_real, finite_float, learning_rates, real_array
from ..dynamics.diagrams import detect_periods
from ..dynamics.run import run as run_method
from ..errors import InvalidInputError, ShapeError
from ..methods.optimizers import GD

__all__ = [
    "scalar_init_sharpness",
    "near_unbalanced_starts",
    "ConvergenceWindow",
    "convergence_window",
]


def scalar_init_sharpness(x0: Any, mu: float = 1.0) -> np.ndarray:
    r"""L = lambda_max of the Hessian of (mu - xy)^2/2 at (x, y), vectorised over (..., 2).

    Hessian [[y^2, 2xy - mu], [2xy - mu, x^2]]:
    L = (x^2 + y^2 + sqrt((x^2 - y^2)^2 + 4 (2xy - mu)^2)) / 2.

    >>> float(scalar_init_sharpness([2.0, 0.5]))
    4.25
    """
    P = np.asarray(x0, dtype=float)
    x, y = P[..., 0], P[..., 1]
    off = 2 * x * y - mu
    return (x * x + y * y + np.sqrt((x * x - y * y) ** 2 + 4 * off * off)) / 2


def near_unbalanced_starts(N: int, seed: int) -> np.ndarray:
    """N starts near the minimiser set xy = 1 and far from balance: x0 ~ U(2, 4),
    y0 = (1 + d) / x0 with d ~ U(-0.3, 0.3), both signs flipped at random (the starts of
    the report's T8 window study).

    >>> near_unbalanced_starts(2, seed=0).shape
    (2, 2)
    """
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(2, 4, N)
    y0 = (1 + rng.uniform(-0.3, 0.3, N)) / x0
    sgn = rng.choice([-1.0, 1.0], N)
    return np.column_stack([x0 * sgn, y0 * sgn])


#: Outcomes of a run of :class:`ConvergenceWindow` (members of :class:`LimitKind`).
CONVERGED, PERIODIC, OTHER, DIVERGED = (
    LimitKind.CONVERGED,
    LimitKind.PERIODIC,
    LimitKind.NOT_CONVERGED,
    LimitKind.DIVERGED,
)


@dataclass(frozen=True)
class ConvergenceWindow:
    r"""GD on (mu - xy)^2/2 with h = c / L(x0), L the sharpness at the start, over a grid of c.

    Attributes
    ----------
    c : ndarray (k,)
        The values of h L.
    starts : ndarray (N, 2)
    L : ndarray (N,)
    h : ndarray (k, N)
    outcome : ndarray of str (k, N)
        The :class:`~gdtheory.core.outcomes.LimitKind` of each run: "converged" (to a
        point), "periodic", "not_converged" or "diverged".
    limit : ndarray (k, N, 2)
        The last iterate (NaN where diverged).
    imbalance : ndarray (k, N)
        (x - y)^2 at the last iterate.
    bound : ndarray (k, N)
        2/h - 2 mu.
    h_sharpness : ndarray (k, N)
        h (x^2 + y^2) at the last iterate: <= 2 at a stable limit.
    """

    mu: float
    c: np.ndarray = field(repr=False)
    starts: np.ndarray = field(repr=False)
    L: np.ndarray = field(repr=False)
    h: np.ndarray = field(repr=False)
    outcome: np.ndarray = field(repr=False)
    limit: np.ndarray = field(repr=False)
    imbalance: np.ndarray = field(repr=False)
    bound: np.ndarray = field(repr=False)
    h_sharpness: np.ndarray = field(repr=False)
    steps: int

    def fraction(self, kind: LimitKind | str = CONVERGED) -> np.ndarray:
        """Fraction of runs whose outcome is ``kind`` at each c."""
        return (self.outcome == LimitKind(kind).value).mean(axis=1)

    def inside_bound(self, slack: float = 1e-9) -> np.ndarray:
        """Fraction of converged runs whose limit obeys (x - y)^2 <= 2/h - 2 mu (+ slack);
        NaN at a c where no run converged (the fraction is undefined there)."""
        slack = finite_float(slack, "slack")
        conv = self.outcome == CONVERGED
        ok = conv & (self.imbalance <= self.bound + slack)
        n = conv.sum(axis=1)
        return np.where(n > 0, ok.sum(axis=1) / np.maximum(n, 1), np.nan)

    def mean_over_converged(self, values: np.ndarray) -> np.ndarray:
        """The mean of ``values`` (one per run: the shape of ``outcome``) over the
        converged runs at each c; NaN where none converged."""
        conv = self.outcome == CONVERGED
        values = real_array(values, "values")
        if values.shape != conv.shape:
            raise ShapeError(
                f"values must have the shape {conv.shape} of the runs, got {values.shape}"
            )
        with np.errstate(invalid="ignore"):
            return np.where(
                conv.any(axis=1),
                np.nansum(np.where(conv, values, 0), axis=1) / conv.sum(axis=1),
                np.nan,
            )

    def __repr__(self) -> str:
        return (
            f"ConvergenceWindow(mu={self.mu:g}, c in [{self.c.min():g}, {self.c.max():g}] "
            f"({self.c.size} values), {self.starts.shape[0]} starts, steps={self.steps})"
        )


def convergence_window(
    starts: Any,
    *,
    cs: Any,
    mu: float = 1.0,
    steps: int = 5000,
    tol: float = 1e-10,
    backend: str = "auto",
) -> ConvergenceWindow:
    r"""Run GD on (mu - xy)^2/2 from every start with h = c / L(start) for every c in ``cs``.

    A run *converged to a point* when its last 16 iterates agree to ``tol`` (relative)
    and it sits on the minimiser set (|xy - mu| <= 1e-6); periodic when a cycle of
    period 2..8 repeats; otherwise not converged, or diverged.

    >>> w = convergence_window([[2.0, 0.1], [0.3, 1.5]], cs=[1.0, 3.0])
    >>> w.outcome.tolist(), np.round(w.imbalance, 3).tolist()
    ([['converged', 'converged'], ['converged', 'diverged']], [[2.327, 0.85], [0.041, nan]])
    >>> ok = w.outcome == CONVERGED
    >>> bool(np.all(w.imbalance[ok] <= w.bound[ok]))
    True
    """
    C = learning_rates(cs, "cs (the values of h L)").ravel()
    X0 = real_array(starts, "starts")
    if X0.ndim != 2 or X0.shape[1] != 2 or X0.shape[0] == 0:
        raise ShapeError(f"starts must have shape (N, 2), got {X0.shape}")
    if not np.all(np.isfinite(X0)):
        raise InvalidInputError("starts contain NaN or infinite coordinates")
    mu_f = float(exact_real(mu, "mu"))
    if mu_f <= 0:
        raise InvalidInputError(f"mu must be > 0, got {mu_f}")
    steps = check_count(steps, "steps", 32)
    L = scalar_init_sharpness(X0, mu_f)  # > 0: L >= max(x^2, y^2, |2xy - mu|) and mu > 0
    Hs = C[:, None] / L[None, :]
    from ..core.library import scalar_factorization

    obj: Objective = scalar_factorization(exact_real(mu, "mu"))
    run = run_method(GD(), obj, X0[None, :, :], hs=Hs, steps=steps, keep=16, backend=backend)
    per = detect_periods(run.tail, 8, tol)
    last = run.x
    on_min = np.abs(last[..., 0] * last[..., 1] - mu_f) <= 1e-6
    outcome = np.full(per.shape, OTHER.value, dtype=object).astype(str)
    outcome[(per == 1) & on_min] = CONVERGED.value
    outcome[per > 1] = PERIODIC.value
    outcome[per == DIVERGED_PERIOD] = DIVERGED.value
    imb = (last[..., 0] - last[..., 1]) ** 2
    return ConvergenceWindow(
        mu=mu_f,
        c=C,
        starts=X0,
        L=L,
        h=Hs,
        outcome=outcome,
        limit=last,
        imbalance=imb,
        bound=2 / Hs - 2 * mu_f,
        h_sharpness=Hs * (last[..., 0] ** 2 + last[..., 1] ** 2),
        steps=steps,
    )
