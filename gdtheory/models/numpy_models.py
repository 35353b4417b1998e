r"""NumPy models with exact gradients and Hessian-vector products (no Hessian formed).

A *model* here is anything with ``dim`` and three methods on a flat float64 parameter
vector w: ``loss(w)``, ``grad(w)`` and ``hvp(w, v)`` = (Hessian of the loss at w) v.
These are the objectives too large for SymPy (a neural network has hundreds of
parameters); :func:`gdtheory.landscape.sharpness.sharpness` runs Lanczos on their HVPs.

* :class:`TwoLayerTanh`: a two-layer tanh network with the mean-squared loss, gradient by
  back-propagation and HVP by Pearlmutter's R-operator (forward-mode differentiation of
  the back-propagation), both written out by hand.
* :class:`FactorizationModel`: (1/2) ||X Y^T - A||_F^2 with the closed-form HVP.
* :class:`ObjectiveModel`: any symbolic :class:`~gdtheory.core.objective.Objective`, its HVP
  compiled from the expressions sum_j (d^2 f / dx_i dx_j) v_j.

Every method is complex-analytic in w (tanh, products and sums only), so the tests check
the HVPs against the complex-step derivative Im(grad(w + i t v)) / t, exact to rounding:
an oracle independent of the R-operator algebra.

Reference: Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation
6 (1994).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import sympy as sp

from ..core.budget import check_memory
from ..core.compiled import compile_np
from ..core.objective import Objective
from ..core.scalars import check_count, finite_float, real_array
from ..errors import InvalidInputError, NonFiniteError, NotRealError, ShapeError

__all__ = [
    "Model",
    "TwoLayerTanh",
    "FactorizationModel",
    "ObjectiveModel",
    "DifferencedModel",
    "CheckedModel",
    "synthetic_regression",
    "eos_network",
    "as_model",
]


@runtime_checkable
class Model(Protocol):
    """A loss on R^dim with exact gradient and Hessian-vector product."""

    @property
    def dim(self) -> int: ...

    def loss(self, w: np.ndarray) -> float: ...

    def grad(self, w: np.ndarray) -> np.ndarray: ...

    def hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray: ...


def _numeric(w: Any, what: str) -> np.ndarray:
    """``w`` as a numeric array (real or complex), or a ShapeError saying ``what`` it must
    be (a ragged nest of sequences, text, objects)."""
    try:
        arr = np.asarray(w)
    except (TypeError, ValueError):  # a ragged nest of sequences
        raise ShapeError(what) from None
    if arr.dtype.kind not in "fciu":
        raise ShapeError(what)
    return arr


def _vector(w: Any, dim: int, name: str = "w") -> np.ndarray:
    arr = _numeric(w, f"{name} must be a numeric vector of length {dim}")
    if arr.shape != (dim,):
        raise ShapeError(f"{name} has shape {arr.shape}; expected ({dim},)")
    return arr


@dataclass(frozen=True)
class TwoLayerTanh:
    r"""f(x) = a^T tanh(W x + b) / sqrt(width) on data (X, y); loss (1/2N) sum (f(x_i) - y_i)^2.

    Parameters w = (vec W (width x d row-major), b (width), a (width)).

    >>> X, y = synthetic_regression(20, 3, seed=0)
    >>> net = TwoLayerTanh(X, y, width=8)
    >>> net.dim, round(net.loss(net.init(seed=1)), 4)
    (40, 0.4762)
    """

    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    width: int

    def __post_init__(self) -> None:
        X = real_array(self.X, "X")
        y = real_array(self.y, "y").ravel()
        if X.ndim != 2 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
            raise ShapeError(f"X must be (N, d) and y (N,); got {X.shape} and {y.shape}")
        width = check_count(self.width, "width", 1)
        check_memory("the network's parameters", float(width) * (X.shape[1] + 2))
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise InvalidInputError("the data contain NaN or infinite values")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    @property
    def dim(self) -> int:
        return self.width * (self.X.shape[1] + 2)

    def init(self, seed: int = 0, scale: float = 1.0) -> np.ndarray:
        """Standard normal W (scaled by 1/sqrt(d)), b, a: a random starting point."""
        seed = check_count(seed, "seed")
        scale = finite_float(scale, "scale")
        rng = np.random.default_rng(seed)
        d = self.X.shape[1]
        W = rng.standard_normal((self.width, d)) / np.sqrt(d)
        b = rng.standard_normal(self.width) * 0.1
        a = rng.standard_normal(self.width)
        return scale * np.concatenate([W.ravel(), b, a])

    def _unpack(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m, d = self.width, self.X.shape[1]
        return w[: m * d].reshape(m, d), w[m * d : m * d + m], w[m * d + m :]

    def _forward(self, w: np.ndarray) -> tuple[Any, ...]:
        W, b, a = self._unpack(_vector(w, self.dim))
        s = 1.0 / np.sqrt(self.width)
        Z = self.X @ W.T + b  # (N, m)
        T = np.tanh(Z)
        r = s * (T @ a) - self.y  # residuals (N,)
        return W, b, a, s, Z, T, r

    def loss(self, w: np.ndarray) -> float:
        r = self._forward(w)[-1]
        return float(np.real(r @ r) / (2 * len(r)))

    def grad(self, w: np.ndarray) -> np.ndarray:
        """Back-propagation: dL/da = s T^T r / N, dL/dZ = s (r a^T) (1 - T^2) / N."""
        W, b, a, s, Z, T, r = self._forward(w)
        N = len(r)
        ga = s * (T.T @ r) / N
        G = s * np.outer(r, a) * (1 - T * T) / N  # dL/dZ, (N, m)
        return np.concatenate([(G.T @ self.X).ravel(), G.sum(axis=0), ga])

    def to_jax(self) -> Any:
        """The same loss on the same flat parameters as a JAX model
        (:func:`~gdtheory.models.jax_model.from_jax`): autodiff HVPs and the
        third-derivative products the central flow needs (requires ``gdtheory[jax]``)."""
        from .jax_model import _jax, from_jax

        jnp = _jax().numpy
        m, d = self.width, self.X.shape[1]

        def loss(w: Any, X: Any, y: Any) -> Any:
            W, b, a = w[: m * d].reshape(m, d), w[m * d : m * d + m], w[m * d + m :]
            r = jnp.tanh(X @ W.T + b) @ a / jnp.sqrt(m) - y
            return 0.5 * jnp.mean(r**2)

        return from_jax(loss, np.zeros(self.dim), self.X, self.y, name="TwoLayerTanh (JAX)")

    def to_torch(self) -> Any:
        """The same loss on the same flat parameters as a PyTorch model
        (:func:`~gdtheory.models.torch_model.from_torch`; layout W, b, a, as here;
        requires ``gdtheory[torch]``)."""
        from .torch_model import _torch, from_torch

        torch = _torch()
        m, d = self.width, self.X.shape[1]

        class Net(torch.nn.Module):  # type: ignore[name-defined]
            def __init__(self) -> None:
                super().__init__()
                z = torch.zeros
                self.W = torch.nn.Parameter(z(m, d, dtype=torch.float64))
                self.b = torch.nn.Parameter(z(m, dtype=torch.float64))
                self.a = torch.nn.Parameter(z(m, dtype=torch.float64))

            def forward(self, X: Any) -> Any:
                return torch.tanh(X @ self.W.T + self.b) @ self.a / m**0.5

        def loss(out: Any, y: Any) -> Any:
            return 0.5 * torch.mean((out - y) ** 2)

        return from_torch(Net(), loss, self.X, self.y, name="TwoLayerTanh (PyTorch)")

    def hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Pearlmutter's R-operator: the directional derivative of :meth:`grad` along v."""
        W, b, a, s, Z, T, r = self._forward(w)
        V = _vector(v, self.dim, "v")
        dW, db, da = self._unpack(V)
        N = len(r)
        dZ = self.X @ dW.T + db
        S = 1 - T * T  # tanh'
        dT = S * dZ
        dr = s * (dT @ a + T @ da)
        dga = s * (dT.T @ r + T.T @ dr) / N
        dS = -2 * T * dT
        dG = s * (np.outer(dr, a) * S + np.outer(r, da) * S + np.outer(r, a) * dS) / N
        return np.concatenate([(dG.T @ self.X).ravel(), dG.sum(axis=0), dga])


#: The edge-of-stability network of the report (T9, T11): synthetic regression data of
#: (samples, features) and the hidden width.
EOS_DATA = (200, 5)
EOS_WIDTH = 32


def eos_network(seed: int = 0) -> TwoLayerTanh:
    """The two-layer tanh network of the report's edge-of-stability study: synthetic
    regression data of :data:`EOS_DATA` (data seed ``seed``) and width :data:`EOS_WIDTH`.

    >>> eos_network().dim
    224
    """
    X, y = synthetic_regression(*EOS_DATA, seed=seed)
    return TwoLayerTanh(X, y, width=EOS_WIDTH)


def synthetic_regression(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Inputs X ~ N(0, I_d) (n x d), targets y = sin(3 x_1) cos(2 x_2) + x_3^2/2 - 1/2 (d >= 3).

    A target a small tanh network cannot fit quickly, so full-batch GD on it shows
    progressive sharpening (the edge-of-stability study, T9).

    >>> X, y = synthetic_regression(5, 3)
    >>> X.shape, y.shape
    ((5, 3), (5,))
    """
    n = check_count(n, "n", 1)
    d = check_count(d, "d", 3)
    seed = check_count(seed, "seed", 0)
    check_memory("the data set", float(n) * d)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1]) + X[:, 2] ** 2 / 2 - 0.5
    return X, y


@dataclass(frozen=True)
class FactorizationModel:
    r"""(1/2) ||X Y^T - A||_F^2, X (n x d), Y (m x d); w = (vec X, vec Y) row-major.

    Gradient (R Y, R^T X) with R = X Y^T - A; along (U, V) the residual moves by
    dR = U Y^T + X V^T and the HVP is (dR Y + R V, dR^T X + R^T U).  The same state
    layout as :func:`gdtheory.objectives.matrix_factorization`.

    >>> m = FactorizationModel(np.eye(2), 1)
    >>> m.hvp(np.array([1.0, 0, 1, 0]), np.array([1.0, 0, 0, 0]))
    array([1., 0., 1., 0.])
    """

    A: np.ndarray = field(repr=False)
    d: int

    def __post_init__(self) -> None:
        A = real_array(self.A, "A")
        if A.ndim != 2 or A.size == 0:
            raise ShapeError(f"A must be a non-empty matrix, got shape {A.shape}")
        if not np.all(np.isfinite(A)):
            raise InvalidInputError("A contains NaN or infinite entries")
        d = check_count(self.d, "the rank d", 1)
        check_memory("the factors", float(sum(A.shape)) * d)
        object.__setattr__(self, "A", A)

    @property
    def dim(self) -> int:
        n, m = self.A.shape
        return (n + m) * self.d

    def split(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(X, Y) from the flat state."""
        n, m = self.A.shape
        w = _vector(w, self.dim)
        return w[: n * self.d].reshape(n, self.d), w[n * self.d :].reshape(m, self.d)

    def loss(self, w: np.ndarray) -> float:
        X, Y = self.split(w)
        R = X @ Y.T - self.A
        return float(np.real(np.sum(R * R)) / 2)

    def grad(self, w: np.ndarray) -> np.ndarray:
        return self.grad_batch(_vector(w, self.dim)[None])[0]

    def grad_batch(self, W: np.ndarray) -> np.ndarray:
        """The gradients at the rows of W (shape (B, dim)), by stacked matrix products:
        row i has the bits of ``grad(W[i])`` (the same products on each slice), so GD
        on many starts at once runs as each start alone, without a Python loop over
        them.

        >>> m = FactorizationModel(np.eye(2), 1)
        >>> m.grad_batch(np.array([[1.0, 0, 1, 0], [2.0, 0, 1, 0]]))
        array([[0., 0., 0., 0.],
               [1., 0., 2., 0.]])
        """
        shape = f"W must be a numeric array of shape (B, {self.dim})"
        W = _numeric(W, shape)
        if W.ndim != 2 or W.shape[1] != self.dim:
            raise ShapeError(f"{shape}, got {W.shape}")
        (n, m), B, d = self.A.shape, W.shape[0], self.d
        X, Y = W[:, : n * d].reshape(B, n, d), W[:, n * d :].reshape(B, m, d)
        R = X @ Y.transpose(0, 2, 1) - self.A
        gX, gY = R @ Y, R.transpose(0, 2, 1) @ X
        return np.concatenate([gX.reshape(B, n * d), gY.reshape(B, m * d)], axis=1)

    def hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        X, Y = self.split(w)
        U, V = self.split(_vector(v, self.dim, "v"))
        R = X @ Y.T - self.A
        dR = U @ Y.T + X @ V.T
        return np.concatenate([(dR @ Y + R @ V).ravel(), (dR.T @ X + R.T @ U).ravel()])


class ObjectiveModel:
    """A symbolic :class:`Objective` as a model; the HVP is compiled, the Hessian never formed.

    >>> from gdtheory.objectives import scalar_factorization
    >>> m = ObjectiveModel(scalar_factorization())
    >>> m.hvp(np.array([2.0, 0.5]), np.array([1.0, 0.0]))  # [[y^2, 2xy - 1], ...] e_1
    array([0.25, 1.  ])
    """

    def __init__(self, objective: Objective) -> None:
        if not isinstance(objective, Objective):
            raise InvalidInputError(f"expected an Objective, got {type(objective).__name__}")
        self.objective = objective
        n = objective.dim
        vs = sp.symbols(f"_v0:{n}", real=True)
        g = list(objective.grad)
        hv = [
            sum((sp.diff(g[i], s) * vs[j] for j, s in enumerate(objective.symbols)), 0)
            for i in range(n)
        ]
        self._hvp = compile_np(hv, tuple(objective.symbols) + tuple(vs))
        self._hv_exprs, self._vs = hv, vs
        self._d3: Any = None

    @property
    def dim(self) -> int:
        return self.objective.dim

    def d3(self, w: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """D^3 f(w)[u, v] = sum_jk (d^3 f / dw_i dw_j dw_k) u_j v_k, compiled on first use.

        >>> m = ObjectiveModel(Objective.parse("x**3 * y"))
        >>> m.d3(np.array([1.0, 2.0]), np.array([1.0, 0.0]), np.array([1.0, 0.0]))
        array([12.,  6.])
        """
        n = self.dim
        if self._d3 is None:
            us = sp.symbols(f"_u0:{n}", real=True)
            rows = [
                sum((sp.diff(e, s) * us[j] for j, s in enumerate(self.objective.symbols)), 0)
                for e in self._hv_exprs
            ]
            self._d3 = compile_np(rows, tuple(self.objective.symbols) + tuple(self._vs) + us)
        z = np.concatenate([_vector(w, n), _vector(v, n, "v"), _vector(u, n, "u")])
        return self._d3(z[None, :])[0]

    def loss(self, w: np.ndarray) -> float:
        return float(self.objective.f_np(_vector(w, self.dim)[None, :])[0])

    def grad(self, w: np.ndarray) -> np.ndarray:
        return self.objective.grad_np(_vector(w, self.dim)[None, :])[0]

    def hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        z = np.concatenate([_vector(w, self.dim), _vector(v, self.dim, "v")])
        return self._hvp(z[None, :])[0]

    def __repr__(self) -> str:
        return f"ObjectiveModel({self.objective!r})"


def flat_point(w: Any, dim: int) -> np.ndarray:
    """A model's parameter point: ``dim`` finite real numbers, as a flat float64 array."""
    try:
        arr = real_array(w, "the point").reshape(-1)
    except NotRealError:
        raise
    except InvalidInputError:
        raise InvalidInputError(f"the point must be a vector of {dim} numbers") from None
    if arr.shape != (dim,):
        raise InvalidInputError(f"the point has {arr.size} coordinates; the model has {dim}")
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError("the point contains NaN or infinite coordinates")
    return arr


def _has_gradient(obj: Any) -> bool:
    """``dim`` (an int), ``loss`` and ``grad``: the least a model must give."""
    return isinstance(getattr(obj, "dim", None), int) and all(
        callable(getattr(obj, a, None)) for a in ("loss", "grad")
    )


class DifferencedModel:
    r"""A model that gives only ``dim``, ``loss(w)`` and ``grad(w)``, with Hessian-vector
    products by central differences of the gradient:

        H v ~ (g(w + t u) - g(w - t u)) / (2 t) * |v|,   u = v / |v|,
        t = eps^(1/3) max(1, |w|)

    (the step that balances the O(t^2) truncation against the O(eps |g| / t) rounding).
    :meth:`hvp_error` estimates the error of one product: the difference of the t and 2t
    quotients over 3 (Richardson: the t^2 term) plus eps |g| / t.

    >>> m = DifferencedModel(ObjectiveModel(Objective.parse("x**4/4 + x*y")))
    >>> w, v = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    >>> np.round(m.hvp(w, v), 6)                          # [3 x^2, 1]
    array([3., 1.])
    >>> bool(m.hvp_error(w, v) < 1e-8)
    True
    """

    def __init__(self, base: Any) -> None:
        if not _has_gradient(base):
            raise InvalidInputError("a model needs dim (int), loss(w) and grad(w)")
        self.base = base

    @property
    def dim(self) -> int:
        return int(self.base.dim)

    def loss(self, w: np.ndarray) -> float:
        return float(self.base.loss(w))

    def grad(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(self.base.grad(w), dtype=float)

    def _quotient(self, w: np.ndarray, v: np.ndarray, t: float) -> np.ndarray:
        nv = float(np.linalg.norm(v))
        if nv == 0:
            return np.zeros(self.dim)
        u = v / nv
        return (self.grad(w + t * u) - self.grad(w - t * u)) / (2 * t) * nv

    def _step(self, w: np.ndarray) -> float:
        return float(np.cbrt(np.finfo(float).eps) * max(1.0, float(np.linalg.norm(w))))

    def hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        w, v = _vector(w, self.dim), _vector(v, self.dim, "v")
        return self._quotient(w, v, self._step(w))

    def hvp_error(self, w: np.ndarray, v: np.ndarray) -> float:
        """An estimate of |hvp(w, v) - H v| (Richardson plus rounding)."""
        w, v = _vector(w, self.dim), _vector(v, self.dim, "v")
        t = self._step(w)
        a, b = self._quotient(w, v, t), self._quotient(w, v, 2 * t)
        rounding = np.finfo(float).eps * float(np.linalg.norm(self.grad(w))) / t
        return float(np.linalg.norm(a - b) / 3 + rounding * float(np.linalg.norm(v)))

    def __repr__(self) -> str:
        return f"DifferencedModel({self.base!r})"


def _real(value: Any, what: str, w: np.ndarray, shape: tuple[int, ...]) -> Any:
    """``value`` as float64 of ``shape``, refusing what is not a finite real number: a
    complex value (NumPy would drop its imaginary part), a NaN or an infinity, a string."""
    try:
        arr = np.asarray(value)
    except Exception:  # a user type NumPy cannot read
        raise InvalidInputError(
            f"the model's {what} is not numeric: {type(value).__name__}"
        ) from None
    if arr.dtype.kind == "c":
        raise NotRealError(
            f"the model's {what} is complex (largest imaginary part "
            f"{float(np.max(np.abs(arr.imag))):.3g}) at the point with |w| = "
            f"{float(np.linalg.norm(w)):.4g}: a loss and its derivatives must be real"
        )
    if arr.dtype.kind not in "fiu" or arr.shape != shape:
        raise InvalidInputError(
            f"the model's {what} must be a real {'number' if not shape else 'vector'} of shape "
            f"{shape}, got {arr.dtype} of shape {arr.shape}"
        )
    out = arr.astype(np.float64)
    if not np.all(np.isfinite(out)):
        bad = "NaN" if np.any(np.isnan(out)) else "infinite"
        raise NonFiniteError(
            f"the model's {what} is {bad} at the point with |w| = {float(np.linalg.norm(w)):.4g}"
        )
    return float(out) if not shape else out


class CheckedModel:
    """A model whose every output is checked: the loss a finite real number, the gradient
    and the Hessian-vector (and third-derivative) products finite real vectors of length
    ``dim``; anything else is an error naming the quantity (:class:`NonFiniteError`,
    :class:`~gdtheory.errors.NotRealError`).  Other attributes are the base model's.

    >>> class Broken:
    ...     dim = 1
    ...     def loss(self, w): return float("nan")
    ...     def grad(self, w): return w
    ...     def hvp(self, w, v): return v
    >>> CheckedModel(Broken()).loss(np.zeros(1))
    Traceback (most recent call last):
    ...
    gdtheory.errors.NonFiniteError: the model's loss is NaN at the point with |w| = 0
    """

    def __init__(self, base: Any) -> None:
        self.base = base
        self.dim = int(base.dim)
        if callable(getattr(base, "d3", None)):  # only when the base model has them
            self.d3 = self._d3

    def loss(self, w: np.ndarray) -> float:
        return _real(self.base.loss(w), "loss", w, ())

    def grad(self, w: np.ndarray) -> np.ndarray:
        return _real(self.base.grad(w), "gradient", w, (self.dim,))

    def hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        out = self.base.hvp(w, v)
        return _real(out, "Hessian-vector product", w, (self.dim,))

    def _d3(self, w: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        out = self.base.d3(w, u, v)
        return _real(out, "third-derivative product", w, (self.dim,))

    def __getattr__(self, name: str) -> Any:
        if name == "d3" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.base, name)

    def __repr__(self) -> str:
        return repr(self.base)


def as_model(objective: Any) -> Model:
    """An :class:`Objective` becomes an :class:`ObjectiveModel`; a model passes through; an
    object with only ``dim``, ``loss`` and ``grad`` gets differenced HVPs
    (:class:`DifferencedModel`).  Every model comes back as a :class:`CheckedModel`, so a
    NaN, infinite or complex output is an error naming it, never a silent number."""
    if isinstance(objective, CheckedModel):
        return objective
    if isinstance(objective, Objective):
        return CheckedModel(ObjectiveModel(objective))
    if isinstance(objective, Model):
        return CheckedModel(objective)
    if _has_gradient(objective):
        return CheckedModel(DifferencedModel(objective))
    raise InvalidInputError(
        "expected an Objective or a model with dim, loss(w), grad(w) and optionally "
        f"hvp(w, v); got {type(objective).__name__}"
    )
