"""The digits data and MLP: pooling, centring, the loss against a NumPy forward pass,
gradients against central differences, clear errors, and a short edge-of-stability run."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("sklearn")

from gdtheory.core.budget import CostError  # noqa: E402
from gdtheory.errors import InvalidInputError  # noqa: E402
from gdtheory.landscape.sharpness import track_sharpness  # noqa: E402
from gdtheory.models.digits import digits_data, digits_mlp  # noqa: E402


def test_pooling_is_the_block_mean_of_the_raw_images() -> None:
    from sklearn.datasets import load_digits

    raw = load_digits()
    d = digits_data(pool=2)
    assert d.X.shape == (1797, 16) and d.Y.shape == (1797, 10)
    img = raw.images[5] / 16.0
    blocks = np.array(
        [[img[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].mean() for j in range(4)] for i in range(4)]
    ).ravel()
    allblocks = np.array(
        [
            [
                [(im / 16.0)[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].mean() for j in range(4)]
                for i in range(4)
            ]
            for im in raw.images
        ]
    ).reshape(1797, 16)
    np.testing.assert_allclose(d.X[5], blocks - allblocks.mean(axis=0), atol=1e-14)
    assert np.all(d.Y.argmax(axis=1) == raw.target) and np.all(d.labels == raw.target)


def test_subsets_are_reproducible_and_distinct() -> None:
    a, b, c = digits_data(200, seed=1), digits_data(200, seed=1), digits_data(200, seed=2)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.labels, c.labels)
    assert a.X.shape == (200, 64)


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("activation", ["tanh", "gelu"])
def test_loss_equals_a_numpy_forward_pass_and_grad_matches_differences(
    loss: str, activation: str
) -> None:
    from scipy.special import erf, logsumexp

    m, w0 = digits_mlp(loss, widths=(6, 5), activation=activation, n=40, seed=3)
    params = m.unflatten(w0)
    d = digits_data(40, pool=2)

    def act(z: np.ndarray) -> np.ndarray:
        return np.tanh(z) if activation == "tanh" else z * 0.5 * (1 + erf(z / np.sqrt(2)))

    a = d.X
    for W, b in params[:-1]:
        a = act(a @ np.asarray(W) + np.asarray(b))
    z = a @ np.asarray(params[-1][0]) + np.asarray(params[-1][1])
    if loss == "mse":
        expect = 0.5 * np.mean(np.sum((z - d.Y) ** 2, axis=1))
    else:
        expect = np.mean(logsumexp(z, axis=1) - np.sum(z * d.Y, axis=1))
    assert abs(m.loss(w0) - expect) <= 1e-13 * abs(expect)
    rng = np.random.default_rng(0)
    v = rng.standard_normal(m.dim)
    eps = 1e-6
    fd = (m.loss(w0 + eps * v) - m.loss(w0 - eps * v)) / (2 * eps)
    assert abs(fd - m.grad(w0) @ v) <= 1e-7 * max(1.0, abs(fd))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(InvalidInputError, match="loss must be one of"):
        digits_mlp("hinge")
    with pytest.raises(InvalidInputError, match="activation"):
        digits_mlp(activation="relu")
    with pytest.raises(InvalidInputError, match="pool must be an integer dividing 8"):
        digits_data(pool=3)
    with pytest.raises(InvalidInputError, match="exceeds the 1797 images"):
        digits_data(5000)
    with pytest.raises(InvalidInputError, match="sequence of hidden-layer widths"):
        digits_mlp(widths=())


@pytest.mark.parametrize(
    ("argument", "value", "message"),
    [
        ("pool", 2.0, "pool must be an integer"),
        ("pool", True, "pool must be an integer"),
        ("widths", 5, "sequence of hidden-layer widths"),
        ("widths", "16", "sequence of hidden-layer widths"),
        ("widths", (16, 0), "each width must be an integer >= 1"),
        ("seed", -1, "seed must be an integer >= 0"),
        ("data_seed", -1, "data_seed must be an integer >= 0"),
        ("output_scale", "abc", "output_scale must be a finite real number"),
        ("output_scale", float("nan"), "output_scale must be a finite real number"),
        ("n", 0, "n must be an integer >= 1"),
    ],
)
def test_every_argument_is_validated_before_any_work(argument, value, message) -> None:
    with pytest.raises(InvalidInputError, match=message):
        digits_mlp(**{argument: value})


def test_a_network_too_large_for_memory_is_refused_with_its_size() -> None:
    """(60000, 60000) hidden widths: 3.6e9 parameters, refused before anything is
    allocated (it was a MemoryError, and 5e8 parameters a JAX out-of-memory error)."""
    with pytest.raises(CostError, match=r"3601680010 parameters.*GiB"):
        digits_mlp(widths=(60000, 60000), n=20)
    with pytest.raises(CostError, match="484616010 parameters"):
        digits_mlp(widths=(22000, 22000), n=20)


def test_cross_entropy_run_reaches_the_edge_from_below_and_the_loss_falls() -> None:
    """A short version of T9's digits study (the full one runs in the report)."""
    m, w0 = digits_mlp("ce")
    tr = track_sharpness(m, w0, h=2.0, steps=300, every=25)
    assert tr.status == "max_steps"
    assert tr.sharpness[0] < 0.5 * tr.edge  # starts well below 2/h
    assert tr.reached_edge_at is not None and tr.reached_edge_at <= 100
    assert tr.loss[-1] < tr.loss[0] / 5
    assert tr.loss_increases > 0  # non-monotone
