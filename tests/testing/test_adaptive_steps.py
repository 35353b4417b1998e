"""The oracle on RMSProp, Adam and AdamW: correct PyTorch-style NumPy steps pass, the five
classic bugs are caught, and the failure names the hyperparameters.

The NumPy steps below are written the way ``torch.optim`` computes them (the bias
corrections folded into the step size and the denominator, eps added outside the root),
not with gdtheory's formula: the oracle must accept a correct step computed in another
order of operations, and reject a wrong one by many orders of magnitude.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import Objective
from gdtheory.optimizers import Adam, AdamW, RMSProp
from gdtheory.testing import assert_step

F = Objective.parse("x**2/2 + x*y + y**4/4 + 3*x")
B1, B2, EPS, WD = 0.9, 0.999, 1e-8, 0.01
ADAM = Adam(beta1="9/10", beta2="999/1000", eps="1e-8")
ADAMW = AdamW(beta1="9/10", beta2="999/1000", eps="1e-8", weight_decay="1/100")
RMS = RMSProp(beta2="99/100", eps="1e-8")


def torch_adam(x, state, h, *, b1=B1, b2=B2, eps=EPS, wd=0.0, decoupled=True,
               eps_inside=False, late=False, dtype=np.float64):  # fmt: skip
    """torch.optim.Adam / AdamW's arithmetic, with switches that plant the classic bugs."""
    m, v, t = (np.asarray(s, dtype=dtype) for s in state)
    g = F.grad_np(x).astype(dtype)
    if wd and not decoupled:
        g = g + wd * x  # L2 regularisation (Adam's weight_decay), not AdamW's decay
    if wd and decoupled:
        x = x * (1 - h * wd)
    t1 = t + 1
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    k = t if late else t1  # bias correction one step late
    bc1, bc2 = 1 - b1**k, 1 - b2**k
    if eps_inside:
        denom = np.sqrt(v / bc2 + eps)
    else:
        denom = np.sqrt(v) / np.sqrt(bc2) + eps
    return x - (h / bc1) * m / denom, (m, v, t1)


def torch_rmsprop(x, state, h, *, alpha=0.99, eps=EPS):
    (v,) = state
    g = F.grad_np(x)
    v = alpha * v + (1 - alpha) * g * g
    return x - h * g / (np.sqrt(v) + eps), (v,)


STATE = ([0.1, -0.2], [0.04, 0.09], [4.0, 4.0])  # m, v, and t = 4 steps done


@settings(deadline=None, max_examples=25)
@given(
    st.lists(st.floats(-3, 3), min_size=2, max_size=2),
    st.floats(1e-4, 0.5),
    st.integers(0, 50),
)
def test_correct_pytorch_style_steps_pass(x, h, t):
    x = np.array(x)
    state = (STATE[0], STATE[1], [float(t), float(t)])
    assert_step(ADAM, torch_adam, F, x, h=h, state=state)
    assert_step(ADAMW, lambda a, s, hh: torch_adam(a, s, hh, wd=WD), F, x, h=h, state=state)
    assert_step(RMS, torch_rmsprop, F, x, h=h, state=(STATE[1],))


@pytest.mark.parametrize(
    ("method", "bug"),
    [
        (ADAM, {"eps_inside": True}),
        (ADAM, {"late": True}),
        (ADAMW, {"wd": WD, "decoupled": False}),
        (ADAM, {"b1": B2, "b2": B1}),
        (ADAM, {"dtype": np.float32}),
    ],
    ids=[
        "eps-inside-the-root",
        "bias-correction-late",
        "l2-not-decoupled",
        "betas-swapped",
        "float32-state",
    ],  # fmt: skip
)
def test_the_five_classic_bugs_are_caught_naming_the_hyperparameters(method, bug):
    """eps inside the root (eps = 1e-2 here, so that it shows at this scale), bias
    correction one step late, L2 decay for AdamW's decoupled decay, beta1 and beta2
    swapped, float32 state: each is off by far more than the rounding scale."""
    meth = method
    if "eps_inside" in bug:  # at eps = 1e-8 sqrt(v + eps) ~ sqrt(v): use a visible eps
        meth = Adam(beta1="9/10", beta2="999/1000", eps="1/100")
        bug = {**bug, "eps": 1e-2}
    with pytest.raises(AssertionError) as info:
        assert_step(meth, lambda a, s, hh: torch_adam(a, s, hh, **bug), F, [0.7, -1.3],
                    h=0.01, state=STATE)  # fmt: skip
    msg = str(info.value)
    assert "beta1=9/10" in msg and "beta2=999/1000" in msg and "ulps" in msg


def test_the_bias_correction_counts_steps_from_one():
    """From t = 0 the first step moves each coordinate by about h (m^ = g, v^ = g^2)."""
    x1, (m, v, t) = ADAM.update(lambda y: [3.0, -0.5], [0.0, 0.0], ([0.0] * 2,) * 3, 0.1)
    assert t == [1.0, 1.0] and np.allclose(x1, [-0.1, 0.1], rtol=1e-6)
