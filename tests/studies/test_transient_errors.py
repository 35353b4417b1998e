"""One-step defects from the zero start (studies.transient_errors).

The oracle is the method's own run in mpmath: each step x_{n+1} is compared with the
flow of the step-n field over one step.  The step-n field must leave an O(h^3) defect at
every step, the steady state's an O(h^2) one (O(h) where F_0 itself moves); a field
missing the bias correction's terms, or a sum off by one step, changes these slopes.
"""

from __future__ import annotations

import pytest

import gdtheory as gt
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import Adam, RMSProp

HS = ["1/400", "1/800", "1/1600"]  # past the pre-asymptotic range (h/(1 - beta2) ~ 1)


def test_adam_bias_corrected_defects_are_third_order():
    r = gt.transient_errors(
        Adam("9/10", "99/100", "1e-8"), "x**4/4 - x**2/2", ["3/2"], hs=HS, steps=20
    )
    assert r.predicted == (3, 2)
    assert abs(r.slopes[0] - 3) < 0.35, r
    assert abs(r.slopes[1] - 2) < 0.2, r
    # the step-n field is the better model at every h, by more as h shrinks
    ratios = [s / t for s, t in zip(r.steady, r.transient, strict=True)]
    assert all(q > 10 for q in ratios) and ratios[-1] > ratios[0], r
    assert "slope" in str(r)


def test_adam_two_dimensions():
    r = gt.transient_errors(
        Adam("1/2", "3/4", "1/1000"),
        "x**2/2 + x**4/4 + y**2 + x*y/2",
        ["2", "1"],
        hs=["1/100", "1/200", "1/400"],
        steps=8,
    )
    assert abs(r.slopes[0] - 3) < 0.25 and abs(r.slopes[1] - 2) < 0.2, r


def test_rmsprop_from_zero_moves_its_drift():
    r = gt.transient_errors(RMSProp("9/10", "1e-8"), "x**4/4 - x**2/2", ["3/2"], hs=HS, steps=6)
    assert r.predicted == (3, 1)
    assert abs(r.slopes[0] - 3) < 0.25 and abs(r.slopes[1] - 1) < 0.2, r


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": 0}, "steps must be"),
        ({"x0": ["1", "2"]}, "x0 must give"),
        ({"hs": ["0"]}, "h"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"x0": ["1"], "hs": ["1/100"], "steps": 2, **kwargs}
    x0 = args.pop("x0")
    with pytest.raises(InvalidInputError, match=match):
        gt.transient_errors(Adam("1/2", "3/4", "1/100"), "x**2/2", x0, **args)
