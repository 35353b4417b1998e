"""Models and sharpness: exact gradients and HVPs against the complex-step derivative,
Lanczos against dense eigenvalues, and the edge-of-stability run of the network study."""

from __future__ import annotations

import numpy as np
import pytest

from gdtheory import (
    FactorizationModel,
    InvalidInputError,
    ObjectiveModel,
    ShapeError,
    TwoLayerTanh,
    sharpness,
    synthetic_regression,
    track_sharpness,
)
from gdtheory.landscape.sharpness import top_eigenpairs, top_eigenvalues
from gdtheory.models.numpy_models import eos_network as network
from gdtheory.objectives import scalar_factorization


def test_lanczos_agrees_with_dense_eigenvalues_on_the_network():
    net = network(0)
    w = net.init(seed=3)
    H = np.column_stack([net.hvp(w, e) for e in np.eye(net.dim)])
    assert np.max(np.abs(H - H.T)) < 1e-12  # exact HVPs give a symmetric Hessian
    dense = np.sort(np.linalg.eigvalsh((H + H.T) / 2))[::-1]
    top = top_eigenvalues(net, w, 4)
    np.testing.assert_allclose(top, dense[:4], rtol=1e-9)
    assert sharpness(net, w) == pytest.approx(dense[0], rel=1e-9)


def test_sharpness_of_a_symbolic_objective_is_x2_plus_y2_on_the_minimisers():
    f = scalar_factorization(2)
    for x in (0.5, 1.0, 3.0):
        assert sharpness(f, [x, 2 / x]) == pytest.approx(x * x + 4 / (x * x), rel=1e-12)
    vals, vecs = top_eigenpairs(ObjectiveModel(f), np.array([1.0, 2.0]), 2)
    assert vals[1] == pytest.approx(0, abs=1e-12) and vecs.shape == (2, 2)


def test_edge_of_stability_on_the_network_study():
    # issue 5 acceptance: the network run ends within 10% of 2/h, the loss going down
    # non-monotonically on the way
    net = network(0)
    tr = track_sharpness(net, net.init(seed=1), h=2.5, steps=3000, every=25)
    assert not tr.diverged
    assert tr.sharpness[0] < 0.95 * tr.edge  # it starts below the edge ...
    assert tr.reached_edge_at is not None  # ... rises to it ...
    assert abs(tr.final_ratio - 1) <= 0.10  # ... and ends there
    assert tr.loss_increases > 0 and tr.loss[-1] < 0.05 * tr.loss[0]


def test_track_sharpness_flags_divergence():
    """A diverged run reports its status and NaN for the ratio, never a number such as
    the sharpness of a point on the way out (issue 19)."""
    tr = track_sharpness(scalar_factorization(), [3.0, 3.0], h=1.0, steps=50, every=5)
    assert tr.diverged and len(tr.loss) < 51 and tr.status == "diverged"
    assert tr.decided_at == len(tr.loss) - 1  # the step whose loss left the float range
    assert np.isnan(tr.final_ratio) and tr.hover_range is None
    assert tr.sharpness.size >= 1 and np.all(np.isfinite(tr.sharpness))  # measured before
    ok = track_sharpness(scalar_factorization(), [1.2, 0.8], h=0.1, steps=20, every=5)
    assert (
        ok.status == "max_steps"
        and ok.decided_at == ok.loss.size - 1
        and np.isfinite(ok.final_ratio)
    )


def test_track_sharpness_shows_a_progress_bar_only_when_asked(capsys):
    track_sharpness(scalar_factorization(), [1.2, 0.8], h=0.1, steps=20, every=5)
    assert "track_sharpness" not in capsys.readouterr().err
    track_sharpness(scalar_factorization(), [1.2, 0.8], h=0.1, steps=20, every=5, progress=True)
    err = capsys.readouterr().err
    assert "track_sharpness" in err and "20/20" in err


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: sharpness(scalar_factorization(), [1.0]), InvalidInputError),
        (lambda: sharpness(scalar_factorization(), [np.nan, 1.0]), InvalidInputError),
        (lambda: top_eigenvalues(scalar_factorization(), [1.0, 1.0], 3), InvalidInputError),
        (lambda: sharpness("x**2", [1.0]), InvalidInputError),
        (
            lambda: track_sharpness(scalar_factorization(), [1.0, 1.0], h=-1, steps=10),
            InvalidInputError,
        ),
        (lambda: TwoLayerTanh(np.ones((3, 3)), np.ones(4), 2), ShapeError),
        (lambda: TwoLayerTanh(np.ones((3, 3)), np.ones(3), 0), InvalidInputError),
        (lambda: FactorizationModel(np.ones(3), 1), ShapeError),
        (lambda: FactorizationModel(np.ones((2, 2)), 1).hvp(np.ones(4), np.ones(3)), ShapeError),
        (lambda: synthetic_regression(10, 2), InvalidInputError),
    ],
)
def test_bad_input(call, error):
    with pytest.raises(error):
        call()


def test_sharpness_estimate_error_is_the_residual_plus_the_product_error():
    from gdtheory.landscape.sharpness import sharpness_estimate

    class OnlyGrad:  # differenced HVPs: a product error to add
        dim = 2

        def loss(self, w):
            return 0.5 * (w[0] * w[1] - 1) ** 2

        def grad(self, w):
            return (w[0] * w[1] - 1) * np.array([w[1], w[0]])

    e = sharpness_estimate(OnlyGrad(), [2.0, 0.5])
    assert e.hvp == "central differences" and e.hvp_error > 0
    assert e.error == e.residual + e.hvp_error
    assert abs(e.value - 4.25) <= e.error  # the exact top eigenvalue lies within it


def test_end_ratio_is_the_mean_of_the_last_tenth_of_the_measurements():
    net = network(0)
    tr = track_sharpness(net, net.init(seed=1), h=2.5, steps=600, every=20)  # 31 samples
    assert len(tr.steps) == 31
    by_hand = float(np.mean(tr.sharpness[-3:]) / tr.edge)
    assert tr.end_ratio == by_hand and tr.end_ratio == tr.mean_ratio(int(tr.steps[-3]))
    assert np.isnan(track_sharpness(scalar_factorization(), [3.0, 3.0], h=1.0, steps=50).end_ratio)


def test_track_sharpness_records_the_top_k_and_the_parameters() -> None:
    """The recorded eigenvalues are those of the recorded iterates (checked afresh), the
    first column is ``sharpness``, and the last recorded iterate is the run's end."""
    from gdtheory.landscape.sharpness import top_eigenvalues, track_sharpness
    from gdtheory.models import eos_network
    from gdtheory.optimizers import HeavyBall

    net = eos_network()
    for method in ("gd", HeavyBall("9/10")):
        t = track_sharpness(
            net, net.init(seed=1), h=0.5, steps=60, every=20, k=3, keep_params=True, method=method
        )
        assert t.eigenvalues.shape == (4, 3) and t.params.shape == (4, net.dim)
        np.testing.assert_array_equal(t.eigenvalues[:, 0], t.sharpness)
        assert np.all(np.diff(t.eigenvalues, axis=1) <= 0)
        for vals, w in zip(t.eigenvalues, t.params, strict=True):
            np.testing.assert_allclose(vals, top_eigenvalues(net, w, 3, tol=1e-12), rtol=1e-7)
        np.testing.assert_array_equal(t.params[-1], t.w)
    plain = track_sharpness(net, net.init(seed=1), h=0.5, steps=20, every=10)
    assert plain.params is None and plain.eigenvalues.shape == (3, 1)
    with pytest.raises(InvalidInputError, match="k = "):
        track_sharpness(net, net.init(seed=1), h=0.5, steps=2, k=net.dim + 1)
    with pytest.raises(InvalidInputError, match="keep_params"):
        track_sharpness(net, net.init(seed=1), h=0.5, steps=2, keep_params="yes")
