r"""Any PyTorch model as a gdtheory model: loss, gradient, Hessian-vector and
third-derivative products on flat float64 parameter vectors, by ``torch.func``.

``from_torch(module_or_fn, loss_fn, *data)`` takes

* an ``nn.Module``: the loss is ``loss_fn(module(data[0]), *data[1:])``, the module called
  through ``torch.func.functional_call`` with the parameters of the flat vector (its
  buffers held fixed, in float64); or
* a function ``fn(params, *inputs)`` with ``params=`` a dict of tensors: the loss is
  ``loss_fn(fn(params, data[0]), *data[1:])``, or ``fn(params, *data)`` itself when
  ``loss_fn`` is None (then ``fn`` returns the loss, as for :func:`~.jax_model.from_jax`);

and returns a :class:`TorchModel` with ``dim``, ``loss(w)``, ``grad(w)`` (reverse mode),
``hvp(w, v)`` = H(w) v (reverse over reverse: the vjp of the gradient, H symmetric;
Pearlmutter 1994), ``hvps(w, V)`` (vmap over the rows of V), ``d3(w, u, v)`` =
D^3 L(w)[u, v] (the gradient of u . H(w) v), all in float64 whatever the module's own
dtype (the module is not modified).

**Order of the flat vector.** ``layout`` lists (name, shape) in the order of w:
``module.named_parameters()`` order (registration order, as ``module.parameters()``) for a
module, the dict's insertion order for ``params=``; each tensor flattened row-major
(``Tensor.reshape(-1)``).  ``flatten(params)`` takes a module or a dict of tensors with
those names, ``unflatten(w)`` returns the dict.  (:class:`~.jax_model.JaxModel` has the
same ``layout``: the pytree's order, dict keys sorted.)

The module is used in its current mode; a loss that changes between two evaluations at the
same point (dropout in training mode) is refused: put the module in ``eval()`` mode.
PyTorch is an optional dependency (``pip install gdtheory[torch]``).

>>> import torch
>>> net = torch.nn.Linear(2, 1)
>>> X, y = torch.tensor([[1.0, 2.0], [0.5, -1.0]]), torch.tensor([[1.0], [0.0]])
>>> m = from_torch(net, torch.nn.functional.mse_loss, X, y)
>>> m.layout
(('weight', (1, 2)), ('bias', (1,)))
>>> w = m.flatten(net)
>>> H = [m.hvp(w, e).round(6).tolist() for e in ([1, 0, 0], [0, 1, 0], [0, 0, 1])]
>>> H[0], H[2]    # mse_loss: 2 x the mean over the 2 points of [x x^T, x; x^T, 1]
([1.25, 1.5, 1.5], [1.5, 1.0, 2.0])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidInputError, NotRealError, ShapeError
from .adapters import flat_vector, optional_module, vector_block

__all__ = ["TorchModel", "from_torch"]


def _torch() -> Any:
    return optional_module("torch", "torch", "from_torch")


@dataclass(frozen=True)
class TorchModel:
    """A PyTorch loss on flat float64 parameter vectors (see the module docstring)."""

    dim: int
    name: str
    layout: tuple[tuple[str, tuple[int, ...]], ...]
    _fns: dict[str, Callable[..., Any]] = field(repr=False)

    def _vec(self, w: Any, name: str = "w") -> Any:
        return _torch().from_numpy(flat_vector(w, self.dim, name).copy())

    def _out(self, value: Any) -> np.ndarray:
        return np.asarray(value.detach().numpy(), dtype=np.float64)

    def loss(self, w: Any) -> float:
        return float(self._fns["loss"](self._vec(w)))

    def grad(self, w: Any) -> np.ndarray:
        return self._out(self._fns["grad"](self._vec(w)))

    def hvp(self, w: Any, v: Any) -> np.ndarray:
        """H(w) v, reverse over reverse."""
        return self._out(self._fns["hvp"](self._vec(w), self._vec(v, "v")))

    def hvps(self, w: Any, V: Any) -> np.ndarray:
        """H(w) V^T for the rows of V (shape (k, dim)), in one vectorised call."""
        Vs = vector_block(V, self.dim, "V", rows=True)
        torch = _torch()
        return self._out(self._fns["hvps"](self._vec(w), torch.from_numpy(Vs.copy())))

    def d3(self, w: Any, u: Any, v: Any) -> np.ndarray:
        """D^3 L(w)[u, v], the derivative of w -> H(w) v in the direction u."""
        return self._out(self._fns["d3"](self._vec(w), self._vec(u, "u"), self._vec(v, "v")))

    def third_derivatives(self, w: Any, U: Any) -> tuple[np.ndarray, np.ndarray]:
        """(grad L(w), G) with G[a, b] = D^3 L(w)[u_a, u_b] for the columns u_a of U
        (dim, k): what a central-flow substep needs (the jacobian of U^T H(w) U)."""
        Us = vector_block(U, self.dim, "U", rows=False)
        torch = _torch()
        g, G = self._fns["third"](self._vec(w), torch.from_numpy(Us.copy()))
        return self._out(g), self._out(G)

    def flatten(self, params: Any) -> np.ndarray:
        """w of a module (its parameters) or of a dict of tensors named as in ``layout``."""
        torch = _torch()
        if isinstance(params, torch.nn.Module):
            params = dict(params.named_parameters())
        if not isinstance(params, Mapping):
            raise InvalidInputError(
                f"params must be a module or a dict of tensors, got {type(params).__name__}"
            )
        names = [n for n, _ in self.layout]
        if list(params) != names and set(params) != set(names):
            raise ShapeError(f"params have the names {list(params)}, expected {names}")
        parts = []
        for n, shape in self.layout:
            a = params[n]
            arr = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
            if tuple(arr.shape) != shape:
                raise ShapeError(f"params[{n!r}] has shape {arr.shape}, expected {shape}")
            parts.append(np.asarray(arr, dtype=np.float64).reshape(-1))
        return np.concatenate(parts) if parts else np.zeros(0)

    def unflatten(self, w: Any) -> dict[str, Any]:
        """The dict of float64 tensors (names and shapes of ``layout``) of the flat w."""
        return _split(_torch(), self._vec(w), self.layout)


def _split(torch: Any, w: Any, layout: tuple[tuple[str, tuple[int, ...]], ...]) -> dict[str, Any]:
    sizes = [int(np.prod(s, dtype=np.int64)) for _, s in layout]
    pieces = torch.split(w, sizes)
    return {n: p.reshape(s) for (n, s), p in zip(layout, pieces, strict=True)}


def _float64(torch: Any, value: Any, what: str) -> Any:
    """A tensor (floating ones as float64), from a tensor or an array."""
    if isinstance(value, torch.Tensor):
        t = value.detach()
    else:
        try:
            t = torch.as_tensor(np.asarray(value))
        except (TypeError, ValueError, RuntimeError):
            raise InvalidInputError(
                f"{what} must be a tensor or an array, got {type(value).__name__}"
            ) from None
    if t.is_complex():
        raise NotRealError(f"{what} is complex: gdtheory's models are real")
    return t.to(torch.float64) if t.is_floating_point() else t


def from_torch(
    module_or_fn: Any,
    loss_fn: Callable[..., Any] | None,
    *data: Any,
    params: Mapping[str, Any] | None = None,
    name: str = "",
) -> TorchModel:
    """A :class:`TorchModel` of a module or a function (module docstring); the flat start
    is ``model.flatten(module)`` (or ``model.flatten(params)``)."""
    torch = _torch()
    from torch.func import functional_call, grad, vjp, vmap

    if isinstance(module_or_fn, torch.nn.Module):
        if params is not None:
            raise InvalidInputError("params= is for a function; a module has its own parameters")
        module = module_or_fn
        named = dict(module.named_parameters())
        buffers = {k: _float64(torch, b, f"buffer {k!r}") for k, b in module.named_buffers()}

        def forward(p: Any, *inputs: Any) -> Any:
            return functional_call(module, (p, buffers), inputs)

    elif callable(module_or_fn):
        if not isinstance(params, Mapping) or not params:
            raise InvalidInputError(
                "a function needs its parameters: from_torch(fn, loss_fn, *data, "
                "params={'name': tensor, ...})"
            )
        named = dict(params)
        fn = module_or_fn

        def forward(p: Any, *inputs: Any) -> Any:
            return fn(p, *inputs)

    else:
        raise InvalidInputError(
            f"module_or_fn must be a torch.nn.Module or a function, got "
            f"{type(module_or_fn).__name__}"
        )
    if loss_fn is not None and not callable(loss_fn):
        raise InvalidInputError("loss_fn must be callable as loss_fn(output, *targets), or None")
    if loss_fn is not None and not data:
        raise InvalidInputError("give the data: from_torch(module, loss_fn, inputs, *targets)")
    if not all(isinstance(k, str) for k in named):
        raise InvalidInputError("the parameters must be named by strings")
    start = {k: _float64(torch, v, f"parameter {k!r}") for k, v in named.items()}
    if not all(t.is_floating_point() for t in start.values()):
        raise InvalidInputError("every parameter must be a floating-point tensor")
    layout = tuple((k, tuple(int(s) for s in t.shape)) for k, t in start.items())
    data64 = tuple(_float64(torch, d, f"data[{i}]") for i, d in enumerate(data))

    def f(w: Any) -> Any:
        p = _split(torch, w, layout)
        if loss_fn is None:
            return forward(p, *data64)
        return loss_fn(forward(p, data64[0]), *data64[1:])

    w0 = torch.cat([t.reshape(-1) for t in start.values()])
    try:
        with torch.no_grad():
            first, again = f(w0), f(w0)
    except Exception as exc:  # the user's code: report what it raised
        raise InvalidInputError(
            f"the loss failed at the start: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    _check_loss_value(torch, first)
    if not torch.equal(first, again):
        raise InvalidInputError(
            "the loss changed between two evaluations at the same point (dropout or another "
            "random layer in training mode?): call module.eval() first"
        )
    g = grad(f)

    # reverse over reverse (the vjp of the gradient; H is symmetric): forward over reverse
    # (jvp of grad) fails inside PyTorch's own backward formulas for common losses
    # (mse_loss: "ZeroTensors are immutable", torch 2.13)
    def hvp(w: Any, v: Any) -> Any:
        return vjp(g, w)[1](v)[0]

    def hvps(w: Any, V: Any) -> Any:
        pull = vjp(g, w)[1]
        try:
            return vmap(pull)(V)[0]
        except RuntimeError:  # an operation vmap does not batch: one HVP at a time
            return torch.stack([pull(v)[0] for v in V])

    def d3(w: Any, u: Any, v: Any) -> Any:
        return grad(lambda y: torch.dot(hvp(y, v), u))(w)

    def third(w: Any, U: Any) -> Any:
        k = U.shape[1]
        rows = [[None] * k for _ in range(k)]
        for a in range(k):
            for b in range(a, k):
                rows[a][b] = rows[b][a] = d3(w, U[:, a], U[:, b])
        return g(w), torch.stack([torch.stack(r) for r in rows])

    fns: dict[str, Callable[..., Any]] = {
        "loss": lambda w: f(w).detach(),
        "grad": lambda w: g(w).detach(),
        "hvp": lambda w, v: hvp(w, v).detach(),
        "hvps": lambda w, V: hvps(w, V).detach(),
        "d3": lambda w, u, v: d3(w, u, v).detach(),
        "third": lambda w, U: tuple(t.detach() for t in third(w, U)),
    }
    label = name or type(module_or_fn).__name__
    model = TorchModel(int(w0.numel()), label, layout, fns)
    try:  # a loss torch.func cannot differentiate fails here, not deep in a later call
        fns["grad"](w0)
    except Exception as exc:
        raise InvalidInputError(
            "torch.func cannot differentiate the loss "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); in-place updates of "
            "tensors that depend on the parameters and .item()/.numpy() calls inside the "
            "loss are not differentiable"
        ) from None
    return model


def _check_loss_value(torch: Any, value: Any) -> None:
    """The loss at the start must be a real floating scalar tensor."""
    if not isinstance(value, torch.Tensor):
        raise InvalidInputError(f"the loss must be a scalar tensor, got {type(value).__name__}")
    if value.numel() != 1 or value.dim() > 1:
        raise ShapeError(f"the loss must be a scalar, got shape {tuple(value.shape)}")
    if value.is_complex():
        raise NotRealError("the loss is complex: a loss is real")
    if not value.is_floating_point():
        raise InvalidInputError(
            f"the loss must be a real floating scalar, got {value.dtype} (an integer or "
            "boolean loss has no gradient)"
        )
