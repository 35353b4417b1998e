"""The preconditioned sharpness lambda_max(P^-1 H) along runs of any registry method
(issue 32, item 6): against dense eigenvalues of P^-1 H, against a hand-written
PyTorch-style Adam in NumPy, the frozen-preconditioner run against heavy ball in the
frozen metric, and the adaptive edge of stability on the T9 network."""

from __future__ import annotations

import numpy as np
import pytest

from gdtheory import InvalidInputError, sharpness, track_sharpness
from gdtheory.landscape.sharpness import top_eigenpairs
from gdtheory.methods.adaptive import Adam, AdamW, FrozenPreconditioner, RMSProp
from gdtheory.models.numpy_models import FactorizationModel, eos_network
from gdtheory.optimizers import GD, HeavyBall, Preconditioned

ADAM = Adam(beta1="9/10", beta2="999/1000", eps="1e-8")


def _hessian(model, w):
    H = np.column_stack([model.hvp(w, e) for e in np.eye(model.dim)])
    return (H + H.T) / 2


def test_preconditioned_sharpness_is_the_top_eigenvalue_of_p_inverse_h():
    net = eos_network(0)
    w = net.init(seed=2)
    rng = np.random.default_rng(5)
    d = rng.uniform(0.1, 3.0, net.dim)  # a diagonal P^-1 (Lanczos, dim 224)
    dense = np.max(np.linalg.eigvals(np.diag(d) @ _hessian(net, w)).real)
    assert sharpness(net, w, inverse_preconditioner=d) == pytest.approx(dense, rel=1e-8)
    m = FactorizationModel(np.array([[2.0, 0.3], [0.1, 1.0]]), 1)  # dim 4: dense path
    w4 = np.array([1.0, 0.5, -0.7, 2.0])
    B = rng.standard_normal((4, 4))
    M = B @ B.T + 0.5 * np.eye(4)  # a full SPD P^-1
    dense4 = np.max(np.linalg.eigvals(M @ _hessian(m, w4)).real)
    assert sharpness(m, w4, inverse_preconditioner=M) == pytest.approx(dense4, rel=1e-10)


@pytest.mark.parametrize(
    "bad, match",
    [
        ([1.0, -1.0, 1.0, 1.0], "positive"),
        ([1.0, 1.0], "vector of 4 entries"),
        (np.diag([1.0, 1.0, 1.0, -2.0]), "positive definite"),
        (np.triu(np.ones((4, 4))), "symmetric"),
    ],
)
def test_a_bad_inverse_preconditioner_is_refused_by_name(bad, match):
    m = FactorizationModel(np.array([[2.0, 0.3], [0.1, 1.0]]), 1)
    with pytest.raises(InvalidInputError, match=match):
        sharpness(m, np.ones(4), inverse_preconditioner=bad)


def _numpy_adam(model, w, h, steps, b1=0.9, b2=0.999, eps=1e-8):
    """torch.optim.Adam's loop in NumPy; yields (w_k, P_k^-1) for the step from w_k."""
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):
        g = model.grad(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v / (1 - b2**t)) + eps
        yield w, 1 / ((1 - b1**t) * denom)  # x' = x - h m / ((1 - b1^t) denom)
        w = w - h * (m / (1 - b1**t)) / denom


def test_adam_sharpness_uses_the_preconditioner_of_the_step_from_each_point():
    net = eos_network(0)
    w0 = net.init(seed=1)
    tr = track_sharpness(net, w0, h=0.01, steps=40, every=10, method=ADAM)
    assert tr.preconditioned and tr.edge == pytest.approx(3800.0, rel=1e-15)
    ref = {k: (w, d) for k, (w, d) in enumerate(_numpy_adam(net, w0, 0.01, 41))}
    for k, lam in zip(tr.steps, tr.sharpness, strict=True):
        w, d = ref[int(k)]
        assert net.loss(w) == pytest.approx(tr.loss[k], rel=1e-12)
        want = np.max(np.linalg.eigvals(np.diag(d) @ _hessian(net, w)).real)
        assert lam == pytest.approx(want, rel=1e-7), k
    # a plausible bug, the bias correction of v without beta1's factor, is far off at t = 1
    w, d = ref[0]
    wrong = d * (1 - 0.9)
    assert sharpness(net, w, inverse_preconditioner=wrong) < 0.2 * tr.sharpness[0]


def test_gd_and_momentum_record_the_plain_sharpness_against_their_own_edges():
    m = FactorizationModel(np.array([[2.0]]), 1)
    g = track_sharpness(m, [3.0, 0.2], h=0.05, steps=30, every=10)
    hb = track_sharpness(m, [3.0, 0.2], h=0.05, steps=30, every=10, method=HeavyBall("9/10"))
    assert not g.preconditioned and not hb.preconditioned
    assert g.edge == pytest.approx(40.0) and hb.edge == pytest.approx(76.0)  # (2 + 2b)/h
    assert g.sharpness[0] == hb.sharpness[0] == pytest.approx(sharpness(m, [3.0, 0.2]))


def test_a_matrix_preconditioner_runs_coordinate_by_coordinate():
    m = FactorizationModel(np.array([[2.0]]), 1)
    P = Preconditioned("2, 1; 1, 1")
    tr = track_sharpness(m, [1.5, 0.5], h=0.05, steps=20, every=20, method=P)
    Pm = np.array([[2.0, 1.0], [1.0, 1.0]])
    w = np.array([1.5, 0.5])
    want0 = np.max(np.linalg.eigvals(Pm @ _hessian(m, w)).real)
    for _ in range(20):
        w = w - 0.05 * Pm @ m.grad(w)
    assert tr.preconditioned and tr.sharpness[0] == pytest.approx(want0, rel=1e-12)
    np.testing.assert_allclose(tr.w, w, rtol=1e-13)


def test_frozen_preconditioner_is_heavy_ball_in_the_frozen_metric():
    net = eos_network(0)
    w0 = net.init(seed=1)
    K, N, h = 20, 35, 0.01
    tr = track_sharpness(net, w0, h=h, steps=N, every=5, method=ADAM, freeze_at=K)
    assert tr.frozen_at == K and tr.edge == pytest.approx(3800.0)
    run = list(_numpy_adam(net, w0, h, K + 1))
    d = run[K - 1][1]  # the preconditioner of Adam's last step, from x_{K-1}, frozen
    w = run[K][0]
    m = np.zeros_like(w0)  # Adam's raw first moment at step K
    for wk, _ in run[:K]:
        m = 0.9 * m + 0.1 * net.grad(wk)
    for k in range(K, N):
        if k % 5 == 0:
            lam = tr.sharpness[list(tr.steps).index(k)]
            want = np.max(np.linalg.eigvals(np.diag(d) @ _hessian(net, w)).real)
            assert lam == pytest.approx(want, rel=1e-7)
        m = 0.9 * m + 0.1 * net.grad(w)
        w = w - h * d * m
    np.testing.assert_allclose(tr.w, w, rtol=1e-10)


@pytest.mark.parametrize("w_decay", ["0", "1/10"])
@pytest.mark.parametrize("beta1", ["0", "9/10"])
def test_frozen_threshold_is_where_the_quadratic_turns_unstable(beta1, w_decay):
    """On lam x^2/2 with d = 1 the frozen run contracts just below the edge and grows
    just above it (the spectral radius of the linear map, measured by iterating)."""
    h = 0.1
    f = FrozenPreconditioner(beta1, (1.0,), w_decay)
    edge = float(f.stability_threshold(h))
    for lam, grows in ((edge * 0.99, False), (edge * 1.01, True)):
        x, state = [1.0], ([0.0],)
        for _ in range(3000):
            x, state = f.update(lambda y, lam=lam: [lam * y[0]], x, state, h)
        assert (abs(x[0]) > 1) == grows, (lam, x)


def test_freeze_is_refused_where_there_is_nothing_to_freeze():
    m = FactorizationModel(np.array([[2.0]]), 1)
    with pytest.raises(InvalidInputError, match="no adaptive preconditioner"):
        track_sharpness(m, [1.0, 1.0], h=0.1, steps=5, freeze_at=2)
    with pytest.raises(InvalidInputError, match="after the last step"):
        track_sharpness(m, [1.0, 1.0], h=0.1, steps=5, freeze_at=9, method=ADAM)
    with pytest.raises(InvalidInputError, match="t = 0"):
        ADAM.inverse_preconditioner(([0.0], [0.0], [0.0]))
    with pytest.raises(InvalidInputError, match="stochastic"):
        track_sharpness(m, [1.0, 1.0], h=0.1, steps=5, method="sgd")


def test_rmsprop_and_adamw_freeze_to_their_frozen_forms():
    rm, (m0,) = RMSProp("99/100", "1e-8").freeze(([4.0, 9.0],))
    assert rm.beta1 == 0 and rm.inverse == pytest.approx((1 / (2 + 1e-8), 1 / (3 + 1e-8)))
    assert m0 == [0.0, 0.0]
    aw = AdamW("9/10", "999/1000", "1e-8", weight_decay="1/100")
    fz, (m1,) = aw.freeze(([0.5], [0.25], [1.0]))
    assert fz.weight_decay == aw.weight_decay and m1 == [0.5]
    assert float(fz.stability_threshold(0.1)) == pytest.approx(float(aw.stability_threshold(0.1)))


def test_adam_reaches_and_hovers_at_38_over_h_on_the_t9_network():
    """Cohen et al. (2022): full-batch Adam's preconditioned sharpness rises to (2 + 2
    beta1)/((1 - beta1) h) and hovers there.  GD's edge 2/h would be 19x too low."""
    net = eos_network(0)
    tr = track_sharpness(net, net.init(seed=1), h=0.01, steps=4000, every=50, method=ADAM)
    ratio = tr.sharpness / tr.edge
    assert not tr.diverged and ratio[1:10].min() < 0.5  # well below after the first step
    late = ratio[tr.steps >= 2500]
    assert 0.85 < late.min() and late.max() < 1.1 and abs(late.mean() - 1) < 0.05
    assert tr.loss_increases > 0 and tr.loss[-1] < 1e-3 * tr.loss[0]


def test_top_eigenpairs_vectors_live_in_the_symmetric_frame():
    m = FactorizationModel(np.array([[2.0, 0.3], [0.1, 1.0]]), 1)
    w = np.array([1.0, 0.5, -0.7, 2.0])
    d = np.array([1.0, 2.0, 0.5, 3.0])
    vals, vecs = top_eigenpairs(m, w, 1, inverse_preconditioner=d)
    L = np.sqrt(d)
    u = vecs[:, 0]
    np.testing.assert_allclose(L * m.hvp(w, L * u), vals[0] * u, atol=1e-10)
    assert GD().inverse_preconditioner(()) is None


def test_a_frozen_preconditioner_built_by_hand_runs_on_a_model():
    """A user's FrozenPreconditioner with one entry per parameter runs on a model (held
    as one array coordinate) and is heavy ball in the metric diag(d)."""
    m = FactorizationModel(np.array([[2.0, 0.3], [0.1, 1.0]]), 1)
    w0 = np.array([1.0, 0.5, -0.7, 2.0])
    d = (0.5, 1.0, 2.0, 0.25)
    tr = track_sharpness(m, w0, h=0.01, steps=30, every=10, method=FrozenPreconditioner("9/10", d))
    w, mom = w0.copy(), np.zeros(4)
    for _ in range(30):
        mom = 0.9 * mom + 0.1 * m.grad(w)
        w = w - 0.01 * np.array(d) * mom
    np.testing.assert_allclose(tr.w, w, rtol=1e-13)
    want = np.max(np.linalg.eigvals(np.diag(d) @ _hessian(m, w0)).real)
    assert tr.sharpness[0] == pytest.approx(want, rel=1e-10)


@pytest.mark.parametrize("bad", [(0.0,), (1.0, -2.0), (1.0, float("nan")), (), ("a",)])
def test_a_frozen_preconditioner_needs_finite_positive_entries(bad):
    with pytest.raises(InvalidInputError, match="finite positive"):
        FrozenPreconditioner("9/10", bad)


def test_the_inverse_preconditioner_of_each_form():
    """1/(sqrt(v) + eps) without bias correction, 1/(sqrt(v + eps_root) + eps) with a
    root constant, RMSProp's the same: by hand."""
    steady = Adam(beta1="9/10", beta2="999/1000", eps="1/10", bias_correction=False)
    assert steady.inverse_preconditioner(([0.0], [4.0])) == [pytest.approx(1 / 2.1)]
    both = Adam(beta1="9/10", beta2="999/1000", eps="1/10", eps_root="5", bias_correction=False)
    assert both.inverse_preconditioner(([0.0], [4.0])) == [pytest.approx(1 / 3.1)]
    x1, _ = both.update(lambda y: [y[0]], [2.0], ([0.0], [0.0]), 0.5)
    v1 = 0.001 * 4.0  # (1 - beta2) g^2
    assert x1[0] == pytest.approx(2.0 - 0.5 * 0.1 * 2.0 / ((v1 + 5) ** 0.5 + 0.1), rel=1e-14)
    assert RMSProp("1/2", "1/10", eps_root="5").inverse_preconditioner(([4.0],)) == [
        pytest.approx(1 / 3.1)
    ]
    assert RMSProp("1/2", 0, eps_root=1).inverse_preconditioner(([3.0],)) == [pytest.approx(0.5)]
