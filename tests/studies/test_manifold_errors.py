"""manifold_errors: the start on the slow manifold against the zero start most code uses
(issue 32, item 3).  From the manifold the order-p flow's global error falls like
h^(p+1); from a zero fast state the transient of the fast variables leaves an O(h) error
that no order removes."""

from __future__ import annotations

import pytest

import gdtheory as gt
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import Adam, HeavyBall

HS = ["1/64", "1/128", "1/256"]


@pytest.mark.parametrize(
    "method, x0",
    [
        (HeavyBall("1/2"), "1"),
        (Adam(beta1="1/2", beta2="3/4", eps="1/10", bias_correction=False), "2"),
    ],
    ids=["heavy_ball", "adam"],
)
def test_the_zero_start_keeps_an_order_one_error_the_manifold_start_does_not(method, x0):
    kw = {"hs": HS, "orders": (0, 1), "time": "1/2", "dps": 30}
    on = gt.manifold_errors(method, "x**2/2 + x**4/4", [x0], **kw)
    off = gt.manifold_errors(method, "x**2/2 + x**4/4", [x0], start="zero", **kw)
    assert abs(on.slopes[1] - 2) < 0.2  # order 1 from the manifold: h^2
    assert off.slopes[1] < 1.3  # from zero: the transient's O(h) remains
    assert on.errors[1][-1] < off.errors[1][-1] / 4  # 4.5x (heavy ball), 94x (Adam)
    assert "zero fast state" in off.description and "slow manifold" in on.description


def test_start_is_validated():
    with pytest.raises(InvalidInputError, match="start must be"):
        gt.manifold_errors(HeavyBall("1/2"), "x**2/2", ["1"], hs=HS, start="rest")


def test_a_run_that_leaves_the_sign_region_is_refused():
    """On f = xy RMSProp moves both coordinates down at about unit speed (sign descent):
    from (1, 1/2) the component g_x = y changes sign by t = 3/4, where the expansion
    through |g| does not hold."""
    from gdtheory.optimizers import RMSProp

    with pytest.raises(InvalidInputError, match=r"sign\(y\) changed"):
        gt.manifold_errors(
            RMSProp(beta2="1/2", eps="1/100"),
            "x*y",
            ["1", "1/2"],
            hs=["1/16"],
            time="3/4",
            orders=(0,),
        )


def test_a_study_beyond_the_budget_is_refused_before_it_runs():
    from gdtheory.core.budget import CostError

    with pytest.raises(CostError, match="manifold_errors"):
        gt.manifold_errors(HeavyBall("1/2"), "x**2/2", ["1"], hs=["1/100000000"], time=10)
