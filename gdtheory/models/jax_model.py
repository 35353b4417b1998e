r"""Any JAX model as a gdtheory model: loss, gradient, Hessian-vector and third-derivative
products of ``loss_fn(params, *data)`` on flat float64 parameter vectors.

``from_jax(loss_fn, params, *data)`` takes any pytree of parameters (dicts, lists, tuples
of arrays) and returns a :class:`JaxModel` with

* ``dim``, ``flatten(params) -> w`` and ``unflatten(w) -> params`` in the pytree's order
  (``jax.flatten_util.ravel_pytree``: dict entries by sorted key, lists and tuples in
  order, each array row-major), listed by ``layout`` as (key path, shape) in the order of
  w, e.g. ``(("['a']", (3,)), ("['b']", ()))``;
* ``loss(w)``, ``grad(w)`` (reverse mode), ``hvp(w, v)`` = H(w) v by forward-over-reverse
  differentiation (jvp of the gradient), ``hvps(w, V)`` for the rows of V at once (vmap),
  ``d3(w, u, v)`` = D^3 L(w)[u, v] (jvp of the HVP: the vector whose i-th entry is
  sum_jk d^3 L / dw_i dw_j dw_k u_j v_k);

each compiled once (``jax.jit``) and evaluated in float64 inside ``jax.enable_x64`` so the
user's global JAX precision is left as it was.  The model satisfies
:class:`~gdtheory.models.numpy_models.Model`, so :func:`~gdtheory.landscape.sharpness.sharpness`,
:func:`~gdtheory.landscape.sharpness.top_eigenpairs` and
:func:`~gdtheory.landscape.sharpness.track_sharpness` take it unchanged.

JAX is an optional dependency (``pip install gdtheory[jax]``); importing this module
without it is fine, calling :func:`from_jax` raises a clear error.

Reference: Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 6
(1994) (the HVP as a directional derivative of the gradient).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.block_eigen import expand, residuals, ritz
from ..errors import InvalidInputError, NotRealError, ShapeError
from .adapters import flat_vector, optional_module, vector_block

__all__ = ["JaxModel", "from_jax"]


def _jax() -> Any:
    return optional_module("jax", "jax", "from_jax")


def _x64(jax: Any) -> AbstractContextManager[Any]:
    """float64 for the duration of a call, the global setting untouched."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    import jax.experimental as legacy  # JAX < 0.5

    return legacy.enable_x64()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class JaxModel:
    """A JAX loss on flat float64 parameter vectors (see the module docstring)."""

    dim: int
    name: str
    _fns: dict[str, Callable[..., Any]] = field(repr=False)
    _unravel: Callable[[Any], Any] = field(repr=False)
    _treedef: Any = field(repr=False)
    layout: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def _vec(self, w: Any, name: str = "w") -> np.ndarray:
        return flat_vector(w, self.dim, name)

    def _call(self, fn: str, *args: Any) -> np.ndarray:
        jax = _jax()
        with _x64(jax):  # float64 NumPy arrays go straight in: jnp.asarray costs 5x the HVP
            out = self._fns[fn](*[np.asarray(a, dtype=np.float64) for a in args])
            return np.asarray(out, dtype=np.float64)

    def loss(self, w: Any) -> float:
        return float(self._call("loss", self._vec(w)))

    def grad(self, w: Any) -> np.ndarray:
        return self._call("grad", self._vec(w))

    def hvp(self, w: Any, v: Any) -> np.ndarray:
        """H(w) v, forward-over-reverse."""
        return self._call("hvp", self._vec(w), self._vec(v, "v"))

    def hvps(self, w: Any, V: Any) -> np.ndarray:
        """H(w) V^T for the rows of V (shape (k, dim)), in one vectorised call."""
        Vs = vector_block(V, self.dim, "V", rows=True)
        return self._call("hvps", self._vec(w), Vs)

    def d3(self, w: Any, u: Any, v: Any) -> np.ndarray:
        """D^3 L(w)[u, v], the derivative of w -> H(w) v in the direction u."""
        return self._call("d3", self._vec(w), self._vec(u, "u"), self._vec(v, "v"))

    def third_derivatives(self, w: Any, U: Any) -> tuple[np.ndarray, np.ndarray]:
        """(grad L(w), G) with G[a, b] = D^3 L(w)[u_a, u_b] for the columns u_a of U
        (dim, k): what a central-flow substep needs, in one compiled call."""
        Us = vector_block(U, self.dim, "U", rows=False)
        jax = _jax()
        with _x64(jax):
            g, G = self._fns["third"](self._vec(w), Us)
            return np.asarray(g, dtype=np.float64), np.asarray(G, dtype=np.float64)

    def eigen_iterations(
        self, w: Any, X: Any, L: Any, k: int, tol: float, max_iters: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Block iterations (:func:`gdtheory.core.block_eigen.block_iterations`) for the
        top k eigenpairs of L^T H(w) L (L a diagonal vector, or None for H) from the
        orthonormal block X (dim, m), in one compiled call (``jax.lax.while_loop``):
        (Ritz values (m,), vectors (dim, m), residual norms (m,), iterations made)."""
        Xs = vector_block(X, self.dim, "X", rows=False)
        Ls = np.ones(self.dim) if L is None else self._vec(L, "L")
        jax = _jax()
        key = f"eig {int(k)} {int(max_iters)}"
        if key not in self._fns:
            self._fns[key] = _compiled_iterations(jax, self._fns["hvps_raw"], k, max_iters)
        with _x64(jax):
            out = self._fns[key](self._vec(w), Xs, Ls, float(tol))
            theta, Xn, res, its = (np.asarray(a) for a in out)
        return theta.astype(np.float64), Xn.astype(np.float64), res.astype(np.float64), int(its)

    def flatten(self, params: Any) -> np.ndarray:
        """The user's pytree as the flat float64 vector w (same structure as at creation)."""
        jax = _jax()
        leaves, treedef = jax.tree_util.tree_flatten(params)
        if treedef != self._treedef:
            raise ShapeError(f"params have the structure {treedef}, expected {self._treedef}")
        if not leaves:
            return np.zeros(0)
        return np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1) for a in leaves])

    def unflatten(self, w: Any) -> Any:
        """The pytree of parameters (float64 JAX arrays) of the flat vector w."""
        jax = _jax()
        with _x64(jax):
            return self._unravel(jax.numpy.asarray(self._vec(w)))


def from_jax(loss_fn: Callable[..., Any], params: Any, *data: Any, name: str = "") -> JaxModel:
    r"""A :class:`JaxModel` of ``loss_fn(params, *data)`` (a scalar), at the structure of
    ``params``; the flat start is ``model.flatten(params)``.

    >>> import jax.numpy as jnp
    >>> m = from_jax(lambda p, a: 0.5 * (a - p["x"] * p["y"]) ** 2, {"x": 3.0, "y": 0.2}, 1.0)
    >>> w = m.flatten({"x": 3.0, "y": 0.2})
    >>> m.dim, round(m.loss(w), 6), m.hvp(w, [1.0, 0.0]).round(6).tolist()  # y^2, 2xy - a
    (2, 0.08, [0.04, 0.2])
    >>> m.layout
    (("['x']", ()), ("['y']", ()))
    """
    jax = _jax()
    if not callable(loss_fn):
        raise InvalidInputError("loss_fn must be callable as loss_fn(params, *data)")
    from jax.flatten_util import ravel_pytree

    jnp = jax.numpy
    with _x64(jax):
        try:
            p64 = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype=jnp.float64), params)
            flat, unravel = ravel_pytree(p64)
            data64 = tuple(
                jax.tree_util.tree_map(
                    lambda a: (
                        jnp.asarray(a, dtype=jnp.float64)
                        if jnp.issubdtype(jnp.asarray(a).dtype, jnp.floating)
                        else jnp.asarray(a)
                    ),
                    d,
                )
                for d in data
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(
                f"params and data must be arrays or pytrees of arrays: {exc}"
            ) from None

        def f(w: Any) -> Any:
            return loss_fn(unravel(w), *data64)

        try:
            value = f(flat)
        except Exception as exc:  # the user's function: report what it raised
            raise InvalidInputError(
                f"loss_fn(params, *data) failed: {type(exc).__name__}: {exc}"
            ) from None
        _check_loss_value(jnp, value)
    g = jax.grad(f)

    def hvp(w: Any, v: Any) -> Any:
        return jax.jvp(g, (w,), (v,))[1]

    def third(w: Any, U: Any) -> Any:
        """grad, and G[a, b] = D^3 L[u_a, u_b]: the gradient of u_a . H(w) u_b, all pairs."""

        def d3(u: Any, v: Any) -> Any:
            return jax.jvp(lambda y: hvp(y, v), (w,), (u,))[1]

        pair = jax.vmap(jax.vmap(d3, in_axes=(None, 1)), in_axes=(1, None))
        return g(w), pair(U, U)

    fns = {
        "loss": jax.jit(f),
        "grad": jax.jit(g),
        "hvp": jax.jit(hvp),
        "hvps": jax.jit(jax.vmap(hvp, in_axes=(None, 0))),
        "d3": jax.jit(lambda w, u, v: jax.jvp(lambda y: hvp(y, v), (w,), (u,))[1]),
        "third": jax.jit(third),
        "hvps_raw": jax.vmap(hvp, in_axes=(None, 0)),
    }
    treedef = jax.tree_util.tree_structure(params)
    label = name or getattr(loss_fn, "__name__", "jax model")
    layout = tuple(
        (jax.tree_util.keystr(path), tuple(int(n) for n in jnp.shape(leaf)))
        for path, leaf in jax.tree_util.tree_flatten_with_path(p64)[0]
    )
    model = JaxModel(int(flat.shape[0]), label, fns, unravel, treedef, layout)
    try:  # trace and compile the gradient now: a function JAX cannot trace fails here
        with _x64(jax):
            fns["grad"](flat)
    except Exception as exc:
        raise InvalidInputError(
            "loss_fn cannot be differentiated by JAX under jit "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); Python control flow "
            "on traced values (if/while on an array) must be written with jnp.where or "
            "jax.lax.cond, and the loss must use jax.numpy operations"
        ) from None
    return model


def _compiled_iterations(jax: Any, hvps: Any, k: int, max_iters: int) -> Any:
    """jit of the block iterations of :mod:`gdtheory.core.block_eigen` with the model's
    batched HVPs, looping with ``jax.lax.while_loop`` until the top k converge."""
    jnp = jax.numpy

    def run(w: Any, X: Any, L: Any, tol: Any) -> Any:
        def apply(V: Any) -> Any:
            return L[:, None] * hvps(w, (L[:, None] * V).T).T

        theta, X, AX = ritz(jnp, X, apply(X))

        def unconverged(c: Any) -> Any:
            i, theta, X, AX, _ = c
            res = residuals(jnp, X, AX, theta)[:k]
            return (i < max_iters) & (jnp.max(res) > tol * jnp.maximum(jnp.abs(theta[0]), 1e-300))

        def body(c: Any) -> Any:
            i, theta, X, AX, P = c
            return (i + 1, *expand(jnp, apply, X, AX, theta, P))

        start = (0, theta, X, AX, jnp.zeros_like(X))
        its, theta, X, AX, _ = jax.lax.while_loop(unconverged, body, start)
        return theta, X, residuals(jnp, X, AX, theta), its

    return jax.jit(run)


def _check_loss_value(jnp: Any, value: Any) -> None:
    """The value of loss_fn at the start must be a real floating scalar (an int or a
    string cannot be differentiated; a complex loss would lose its imaginary part)."""
    if isinstance(value, str | bytes) or not hasattr(jnp.asarray(value), "dtype"):
        raise InvalidInputError(
            f"loss_fn must return a real floating scalar, got {type(value).__name__}"
        )
    arr = jnp.asarray(value)
    if jnp.shape(arr) != ():
        raise ShapeError(f"loss_fn must return a scalar, got shape {jnp.shape(arr)}")
    if jnp.issubdtype(arr.dtype, jnp.complexfloating):
        raise NotRealError(f"loss_fn returned the complex value {complex(arr)}: a loss is real")
    if not jnp.issubdtype(arr.dtype, jnp.floating):
        raise InvalidInputError(
            f"loss_fn must return a real floating scalar, got {arr.dtype} (an integer or "
            "boolean loss has no gradient): compute it in floating point"
        )
