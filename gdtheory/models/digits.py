r"""A real data set for the edge of stability: scikit-learn's handwritten digits and a
tanh / GELU multilayer perceptron under the mean-squared or cross-entropy loss, as a
:class:`~gdtheory.models.jax_model.JaxModel`.

The data are the 1797 8 x 8 images of ``sklearn.datasets.load_digits`` (UCI optical
digits, shipped inside scikit-learn: no network).  Pixels are scaled to [0, 1]; with
``pool = p`` each image is averaged over p x p blocks (8/p x 8/p features; ``pool=2``
gives 16), and the features are centred.  The network is

    f(w; x) = W_L s( ... s(W_1 x + b_1) ... ) + b_L,

s = tanh or GELU(z) = z Phi(z) (the exact one, with erf), with Gaussian weights of
variance 1/fan-in (the last layer's scaled by ``output_scale``)
and zero biases, and the loss over the n images with one-hot targets y_i is

    MSE:  L(w) = (1 / 2n) sum_i |f(w; x_i) - y_i|^2,
    CE:   L(w) = (1/n) sum_i [logsumexp f(w; x_i) - f(w; x_i) . y_i].

Why pooling is offered: at full resolution (64 features) an MLP separates the digits in
a few dozen steps and, under cross-entropy, the sharpness falls with the loss before it
ever reaches 2/h (T9 reports this); on the 4 x 4 images training lasts thousands of
steps and shows progressive sharpening and the edge of stability under both losses.

Reference: Cohen, Kaur, Li, Kolter, Talwalkar, "Gradient descent on neural networks
typically occurs at the edge of stability", ICLR 2021 (Figure 1: a tanh MLP on a
CIFAR-10 subset); the data: Alpaydin and Kaynak, UCI optical recognition of
handwritten digits (1998).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.budget import check_memory
from ..core.scalars import check_count, finite_float
from ..errors import InvalidInputError
from .jax_model import JaxModel, _jax, from_jax

__all__ = ["DigitsData", "digits_data", "digits_mlp"]

LOSSES = ("mse", "ce")
ACTIVATIONS = ("tanh", "gelu")


@dataclass(frozen=True)
class DigitsData:
    """Centred features X (n, 64 / pool^2), one-hot targets Y (n, 10), labels (n,)."""

    X: np.ndarray
    Y: np.ndarray
    labels: np.ndarray
    pool: int


def _check_pool(pool: Any) -> None:
    if isinstance(pool, bool) or not isinstance(pool, int) or pool not in (1, 2, 4, 8):
        raise InvalidInputError(f"pool must be an integer dividing 8 (1, 2, 4 or 8), got {pool!r}")


def digits_data(n: int | None = None, *, pool: int = 1, seed: int = 0) -> DigitsData:
    """The digits (all 1797, or a random subset of n chosen with ``seed``), pooled.

    >>> d = digits_data(100, pool=2)
    >>> d.X.shape, d.Y.shape, bool(abs(d.X.mean()) < 1e-12)
    ((100, 16), (100, 10), True)
    """
    _check_pool(pool)
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - the jax and test extras install it
        raise InvalidInputError(
            "the digits data need scikit-learn: pip install 'gdtheory[jax]'"
        ) from None
    raw = load_digits()
    total = len(raw.target)
    if n is None:
        idx = np.arange(total)
    else:
        n = check_count(n, "n", 1)
        seed = check_count(seed, "seed")
        if n > total:
            raise InvalidInputError(f"n = {n} exceeds the {total} images of the data set")
        idx = np.sort(np.random.default_rng(seed).permutation(total)[:n])
    images = raw.images[idx] / 16.0  # (n, 8, 8), pixels in [0, 1]
    k = 8 // pool
    X = images.reshape(len(idx), k, pool, k, pool).mean(axis=(2, 4)).reshape(len(idx), k * k)
    X = X - X.mean(axis=0)
    labels = raw.target[idx].astype(np.int64)
    return DigitsData(X, np.eye(10)[labels], labels, pool)


def digits_mlp(
    loss: str = "mse",
    *,
    widths: tuple[int, ...] = (16, 16),
    activation: str = "tanh",
    n: int | None = None,
    pool: int = 2,
    output_scale: float = 0.3,
    seed: int = 0,
    data_seed: int = 0,
) -> tuple[JaxModel, np.ndarray]:
    r"""The MLP on the digits (module docstring) as a JAX model and its initial weights.

    >>> m, w0 = digits_mlp("ce", widths=(8,), n=50)
    >>> m.dim, w0.shape, round(m.loss(w0), 1)  # (16 + 1) 8 + (8 + 1) 10; about log 10
    (226, (226,), 2.3)
    """
    if loss not in LOSSES:
        raise InvalidInputError(f"loss must be one of {LOSSES}, got {loss!r}")
    if activation not in ACTIVATIONS:
        raise InvalidInputError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if isinstance(widths, str | bytes) or not isinstance(widths, Sequence) or not widths:
        raise InvalidInputError(
            f"widths must be a sequence of hidden-layer widths such as (16, 16), got {widths!r}"
        )
    widths = tuple(check_count(w, "each width", 1) for w in widths)
    seed = check_count(seed, "seed")
    data_seed = check_count(data_seed, "data_seed")
    scale = finite_float(output_scale, "output_scale")
    _check_pool(pool)
    rows = 1797 if n is None else check_count(n, "n", 1)
    sizes = (64 // (pool * pool), *widths, 10)
    parameters = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    # the weights, their float64 copy, the gradient and the vectors of a Hessian-vector
    # product (about 8 vectors of the parameter size), and the activations of the data
    # through every layer, forward and tangent (4 of each)
    check_memory(
        f"the MLP {sizes} on {rows} images ({parameters} parameters)",
        8.0 * parameters + 4.0 * rows * sum(sizes),
    )
    data = digits_data(n, pool=pool, seed=data_seed)
    jax = _jax()
    jnp = jax.numpy

    def act(z: Any) -> Any:  # GELU exact, z Phi(z), not the tanh approximation
        return jnp.tanh(z) if activation == "tanh" else jax.nn.gelu(z, approximate=False)

    def forward(params: Any, X: Any) -> Any:
        a = X
        for W, b in params[:-1]:
            a = act(a @ W + b)
        W, b = params[-1]
        return a @ W + b

    def mse(params: Any, X: Any, Y: Any) -> Any:
        return 0.5 * jnp.mean(jnp.sum((forward(params, X) - Y) ** 2, axis=1))

    def ce(params: Any, X: Any, Y: Any) -> Any:
        z = forward(params, X)
        return jnp.mean(jax.nn.logsumexp(z, axis=1) - jnp.sum(z * Y, axis=1))

    rng = np.random.default_rng(seed)
    params = [
        (rng.standard_normal((a, b)) / np.sqrt(a), np.zeros(b))
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    params[-1] = (params[-1][0] * scale, params[-1][1])
    name = f"{activation} MLP {sizes} on digits ({len(data.labels)} images, pool {pool}), {loss}"
    model = from_jax(mse if loss == "mse" else ce, params, data.X, data.Y, name=name)
    return model, model.flatten(params)
